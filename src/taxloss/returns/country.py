"""What every country's loss offset shares: the printed lines and the frozen per-year and
per-plan results that renderers and report.json print, and the helpers the strategies use
(tax-year labels, amounts by year, rounding, report.json texts, a year's disposal totals).

Each strategy (``uk``, ``ca``, ``au``, ``de``; the US is ``returns.us``) works on printed
(rounded) rows, as a return does, and rounds each derived amount (a rate times a total) once
with the rule's quantum and mode. Every tax year from the first to the last year of data is
computed, so losses flow from year to year.
Imports only ``model``, ``money``, ``returns.printed`` and the standard library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from taxloss.model import Report, Rule, YearAmount
from taxloss.money import ZERO
from taxloss.returns.printed import Printed, Row, money
from taxloss.returns.us import OffsetInputs


@dataclass(frozen=True)
class Line:
    """One printed figure: a report.json key, a label and an amount (or a text value)."""

    key: str
    label: str
    amount: Decimal | None = None
    text: str = ""
    bold: bool = False


@dataclass(frozen=True)
class CountryYear:
    """One tax year's figures in the country's terms."""

    year: str
    has_data: bool
    return_title: str = ""
    return_lines: list[Line] = field(default_factory=list)
    offset_title: str = ""
    offset_lines: list[Line] = field(default_factory=list)
    key_lines: list[Line] = field(default_factory=list)
    meaning: str = ""
    notes: list[str] = field(default_factory=list)
    data: dict[str, object] = field(default_factory=dict)
    #: The taxable (or net) result the comparison and the multi-year table show.
    headline: Decimal = ZERO
    carry_forward: Decimal = ZERO
    #: One row of the multi-year table (``CountryPlan.columns``).
    summary: list[Decimal | None] = field(default_factory=list)


@dataclass(frozen=True)
class CountryPlan:
    """Every tax year from the first to the last year of data, in the country's terms."""

    strategy: str
    years: list[CountryYear]
    inputs: OffsetInputs
    columns: list[str] = field(default_factory=list)
    headline_label: str = ""

    def for_year(self, year: str) -> CountryYear | None:
        """The computed year, if it is in the plan."""
        return next((y for y in self.years if y.year == year), None)


def first_year(label: str) -> int:
    return int(label[:4])


def label_for(rule: Rule, first: int) -> str:
    if (rule.tax_year_start_month, rule.tax_year_start_day) == (1, 1):
        return str(first)
    return f"{first}-{(first + 1) % 100:02d}"


def plan_years(report: Report, extra: str | None) -> list[str]:
    starts = [first_year(y) for y in report.tax_years]
    if extra and extra[:4].isdigit():
        starts.append(first_year(extra))
    if not starts:
        return []
    return [label_for(report.rule, n) for n in range(min(starts), max(starts) + 1)]


def tax_year_end(rule: Rule, label: str) -> date:
    """The last day of a tax year (the day before the next one starts)."""
    start = date(first_year(label) + 1, rule.tax_year_start_month, rule.tax_year_start_day)
    return start - timedelta(days=1)


def amount_for(amounts: Sequence[YearAmount], label: str) -> Decimal | None:
    first = first_year(label)
    for item in amounts:
        if item.year:
            if item.year == label:
                return item.amount
            continue
        if (item.first_year is None or first >= item.first_year) and (
            item.last_year is None or first <= item.last_year
        ):
            return item.amount
    return None


def percent(rate: Decimal) -> str:
    """A fraction as a percentage without trailing zeros: ``0.5`` -> ``50%``."""
    return f"{(rate * 100).normalize():f}%"


def money_text(value: Decimal) -> str:
    text = f"{abs(value):,.2f}"
    return f"({text})" if value < 0 else text


def json_amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def rounded(rule: Rule, value: Decimal) -> Decimal:
    return money(value, rule)


def json_lines(lines: Sequence[Line]) -> dict[str, object]:
    return {
        line.key: (json_amount(line.amount) if line.amount is not None else line.text or None)
        for line in lines
        if line.key
    }


@dataclass
class Disposals:
    """A year's rows as the return counts them."""

    rows: list[Row]
    proceeds: Decimal = ZERO
    costs: Decimal = ZERO
    gains: Decimal = ZERO
    losses: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        """Gains minus losses."""
        return self.gains - self.losses


def disposal_totals(rows: Sequence[Row], group: Callable[[Row], object] | None = None) -> Disposals:
    """Proceeds, costs, and gains and losses per disposal (rows grouped by ``group``)."""
    out = Disposals(list(rows))
    results: dict[object, Decimal] = {}
    for row in rows:
        out.proceeds += row.proceeds
        out.costs += row.cost_basis
        key = group(row) if group else row.number
        results[key] = results.get(key, ZERO) + row.gain
    for value in results.values():
        if value > 0:
            out.gains += value
        else:
            out.losses -= value
    return out


Strategy = Callable[[Report, Printed, OffsetInputs, list[str]], CountryPlan]
