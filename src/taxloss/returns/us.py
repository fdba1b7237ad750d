"""Schedule D netting, the capital-loss limit and the Capital Loss Carryover Worksheet (US).

Works on printed (rounded) form figures, as a return does: each tax year's Form 8949 box totals
go on Schedule D lines 1b/2/3 and 8b/9/10 (reference §1.7), carryovers from the year before on
lines 6 and 14, and a net loss on line 16 is limited on line 21 to the rule's
``loss_limit.<filing status>`` (reference §1.8: $3,000, $1,500 married filing separately). The
carryover to the next year follows the worksheet in the Schedule D instructions line by line
(reference §1.8 [S40]). Years between two years of data are computed too (a carryover is used
against ordinary income every year, whether or not you trade).
Sees only ``Report`` and printed figures; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from taxloss.model import Report, Term
from taxloss.money import ZERO
from taxloss.returns.printed import Printed, Totals, printed

#: The projection stops after this many future years even if a carryover remains.
PROJECTION_YEARS = 40

#: Schedule D lines (reference §1.7) fed by each Form 8949 box.
BOX_LINES = {
    Term.SHORT: (("1b", ("A", "G")), ("2", ("B", "H")), ("3", ("C", "I"))),
    Term.LONG: (("8b", ("D", "J")), ("9", ("E", "K")), ("10", ("F", "L"))),
}


@dataclass(frozen=True)
class OffsetInputs:
    """What the taxpayer tells us beyond the exchange data (``taxloss build`` options)."""

    filing_status: str = "single"
    taxable_income: dict[str, Decimal] | Decimal | None = None
    carryover_in_short: Decimal = ZERO
    carryover_in_long: Decimal = ZERO
    other_short_gains: Decimal = ZERO
    other_long_gains: Decimal = ZERO
    other_year: str | None = None
    assume_future_gains: Decimal = ZERO
    marginal_rate: Decimal | None = None
    #: Other countries (``returns.loss_offset``): losses carried into the first year of the
    #: data (UK/AU/DE: losses; CA: net capital losses, at the allowable amount).
    losses_brought_forward: Decimal = ZERO
    #: UK: ``basic`` or ``higher`` rate band for the CGT estimate (None: show both).
    income_band: str | None = None

    def income_for(self, year: str) -> Decimal | None:
        """Form 1040 line 15 for a year: the per-year value, the single value, or None."""
        if isinstance(self.taxable_income, dict):
            return self.taxable_income.get(year)
        return self.taxable_income


@dataclass(frozen=True)
class LineAmounts:
    """One Schedule D line with columns (d), (e), (g), (h)."""

    proceeds: Decimal = ZERO
    cost_basis: Decimal = ZERO
    adjustment: Decimal = ZERO
    gain: Decimal = ZERO


def line_amounts(boxes: Sequence[Totals], other_gain: Decimal = ZERO) -> LineAmounts:
    """A Schedule D line: the sums of its Form 8949 boxes' totals, plus a gain reported
    elsewhere (``--other-short-gains``/``--other-long-gains``, lines 1a and 8a)."""
    return LineAmounts(
        sum((t.proceeds for t in boxes), ZERO),
        sum((t.cost_basis for t in boxes), ZERO),
        sum((t.adjustment for t in boxes), ZERO),
        sum((t.gain for t in boxes), ZERO) + other_gain,
    )


@dataclass(frozen=True)
class YearOffset:
    """Schedule D and the carryover worksheet for one tax year."""

    year: str
    filing_status: str
    limit: Decimal
    taxable_income: Decimal | None
    lines: dict[str, LineAmounts]
    line6: Decimal
    line7: Decimal
    line14: Decimal
    line15: Decimal
    line16: Decimal
    line21: Decimal
    worksheet: dict[str, Decimal | None]
    carryover_short: Decimal
    carryover_long: Decimal
    income_assumed: bool = False
    has_data: bool = True
    notes: tuple[str, ...] = ()

    @property
    def deduction(self) -> Decimal:
        """The net capital loss deducted against ordinary income (a positive number)."""
        return -self.line21

    @property
    def carryover_total(self) -> Decimal:
        """Short plus long carryover to the next year."""
        return self.carryover_short + self.carryover_long


@dataclass(frozen=True)
class ProjectionYear:
    """One future year of the carryover projection."""

    year: int
    carry_in: Decimal
    against_gains: Decimal
    against_income: Decimal
    carry_out: Decimal


def schedule_d(
    year: str,
    figures: Printed,
    inputs: OffsetInputs,
    carry_short: Decimal,
    carry_long: Decimal,
    limit: Decimal,
) -> YearOffset:
    """Fill Schedule D (lines 1a-16, 21) and the carryover worksheet for one year.

    Args:
        year: the tax-year label.
        figures: the report's printed figures.
        inputs: the taxpayer's inputs.
        carry_short: short-term carryover from the year before (positive), for line 6.
        carry_long: long-term carryover from the year before (positive), for line 14.
        limit: the line-21 limit for the filing status.

    Returns:
        The year's lines and worksheet.
    """
    known = year in figures.report.tax_years
    sections = figures.totals(year).sections if known else []
    fed: dict[str, list[Totals]] = {
        name: [] for name in ("1a", "1b", "2", "3", "8a", "8b", "9", "10")
    }
    for section in sections:
        if section.exception_1:  # Schedule D Exception 1 (--schedule-d-1a): line 1a/8a
            fed[section.schedule_d_line].append(section.totals)
            continue
        for name, boxes in BOX_LINES[section.term]:
            if section.box in boxes:
                fed[name].append(section.totals)
    other = {"1a": inputs.other_short_gains, "8a": inputs.other_long_gains}
    lines = {
        name: line_amounts(totals, other.get(name, ZERO) if inputs.other_year == year else ZERO)
        for name, totals in fed.items()
    }
    line6 = -carry_short
    line14 = -carry_long
    line7 = sum((lines[n].gain for n in ("1a", "1b", "2", "3")), ZERO) + line6
    line15 = sum((lines[n].gain for n in ("8a", "8b", "9", "10")), ZERO) + line14
    line16 = line7 + line15
    line21 = -min(-line16, limit) if line16 < 0 else ZERO
    income = inputs.income_for(year)
    worksheet, short, long = carryover_worksheet(income, line7, line15, line21)
    assumed = income is None and line16 < 0
    notes = (
        (
            "Taxable income not given (--taxable-income): the worksheet assumes it was at "
            "least zero after the deduction, so the whole deduction counts as used.",
        )
        if assumed
        else ()
    )
    return YearOffset(
        year=year,
        filing_status=inputs.filing_status,
        limit=limit,
        taxable_income=income,
        lines=lines,
        line6=line6,
        line7=line7,
        line14=line14,
        line15=line15,
        line16=line16,
        line21=line21,
        worksheet=worksheet,
        carryover_short=short,
        carryover_long=long,
        income_assumed=assumed,
        has_data=known,
        notes=notes,
    )


def carryover_worksheet(
    income: Decimal | None, line7: Decimal, line15: Decimal, line21: Decimal
) -> tuple[dict[str, Decimal | None], Decimal, Decimal]:
    """The Capital Loss Carryover Worksheet, lines 1-13 (reference §1.8 [S40]).

    Args:
        income: Form 1040 line 15 (taxable income, negative if it would be); None = unknown,
            taken as zero.
        line7: Schedule D line 7.
        line15: Schedule D line 15.
        line21: Schedule D line 21 (zero or negative).

    Returns:
        The worksheet lines (None where the worksheet says to skip), the short-term and the
        long-term carryover to next year.
    """
    lines: dict[str, Decimal | None] = {str(n): None for n in range(1, 14)}
    if line7 >= 0 and line15 >= 0:
        return lines, ZERO, ZERO
    wl1 = income if income is not None else ZERO
    wl2 = -line21
    wl3 = max(wl1 + wl2, ZERO)
    wl4 = min(wl2, wl3)
    lines.update({"1": wl1, "2": wl2, "3": wl3, "4": wl4})
    short = long = ZERO
    wl5 = ZERO
    if line7 < 0:
        wl5 = -line7
        wl6 = max(line15, ZERO)
        wl7 = wl4 + wl6
        short = max(wl5 - wl7, ZERO)
        lines.update({"5": wl5, "6": wl6, "7": wl7, "8": short})
    if line15 < 0:
        wl9 = -line15
        wl10 = max(line7, ZERO)
        wl11 = max(wl4 - wl5, ZERO)
        wl12 = wl10 + wl11
        long = max(wl9 - wl12, ZERO)
        lines.update({"9": wl9, "10": wl10, "11": wl11, "12": wl12, "13": long})
    return lines, short, long


@dataclass(frozen=True)
class OffsetPlan:
    """Every tax year from the first to the last year of data, then the projection."""

    years: tuple[YearOffset, ...]
    projection: tuple[ProjectionYear, ...]
    projection_complete: bool
    inputs: OffsetInputs

    def for_year(self, year: str) -> YearOffset | None:
        """The computed year, if it is in the plan."""
        return next((y for y in self.years if y.year == year), None)


def plan_offsets(
    report: Report, inputs: OffsetInputs, figures: Printed | None = None
) -> OffsetPlan:
    """Compute Schedule D and the carryover for every year of data, carrying each year's
    carryover into the next, and project the last carryover forward.

    Only calendar tax years are supported (the US rule); other rules get an empty plan.

    Args:
        report: the report.
        inputs: the taxpayer's inputs (the carryover in applies to the first year).
        figures: printed figures, if already computed.

    Returns:
        The plan.
    """
    shown = printed(report, figures)
    rule = report.rule
    limit = rule.loss_limits.get(inputs.filing_status, rule.loss_limits.get("single", ZERO))
    labels = [y for y in report.tax_years if y.isdigit()]
    if inputs.other_year and inputs.other_year.isdigit():
        labels.append(inputs.other_year)
    if not labels:
        return OffsetPlan((), (), True, inputs)
    first, last = min(int(y) for y in labels), max(int(y) for y in labels)
    carry_short, carry_long = inputs.carryover_in_short, inputs.carryover_in_long
    years = []
    for number in range(first, last + 1):
        result = schedule_d(str(number), shown, inputs, carry_short, carry_long, limit)
        years.append(result)
        carry_short, carry_long = result.carryover_short, result.carryover_long
    projection, complete = project(last, carry_short, carry_long, inputs, limit)
    return OffsetPlan(tuple(years), tuple(projection), complete, inputs)


def project(
    last_year: int,
    carry_short: Decimal,
    carry_long: Decimal,
    inputs: OffsetInputs,
    limit: Decimal,
) -> tuple[list[ProjectionYear], bool]:
    """Use the carryover up year by year: against ``assume_future_gains`` (taken as long-term
    gains each year) and then up to the limit against ordinary income, with the same worksheet.

    Returns:
        The projected years and whether the carryover was used up within ``PROJECTION_YEARS``.
    """
    rows: list[ProjectionYear] = []
    gains = max(inputs.assume_future_gains, ZERO)
    income = inputs.income_for(str(last_year + 1))
    if isinstance(inputs.taxable_income, dict):
        income = None
    for offset in range(1, PROJECTION_YEARS + 1):
        carry_in = carry_short + carry_long
        if carry_in <= 0:
            return rows, True
        line7 = -carry_short
        line15 = gains - carry_long
        line16 = line7 + line15
        line21 = -min(-line16, limit) if line16 < 0 else ZERO
        _, short, long = carryover_worksheet(income, line7, line15, line21)
        carry_out = short + long
        against_income = -line21
        rows.append(
            ProjectionYear(
                year=last_year + offset,
                carry_in=carry_in,
                against_gains=carry_in - carry_out - against_income,
                against_income=against_income,
                carry_out=carry_out,
            )
        )
        carry_short, carry_long = short, long
    return rows, carry_short + carry_long <= 0


def offset_json(result: YearOffset) -> dict[str, object]:
    """The report.json ``loss_offset`` object of one year (issue #3)."""

    def text(value: Decimal | None) -> str | None:
        return None if value is None else f"{value:.2f}"

    return {
        "filing_status": result.filing_status,
        "taxable_income": text(result.taxable_income),
        "net_short_term": text(result.line7),
        "net_long_term": text(result.line15),
        "net_total": text(result.line16),
        "deduction_against_ordinary_income": text(result.deduction),
        "carryover_short_term": text(result.carryover_short),
        "carryover_long_term": text(result.carryover_long),
        "schedule_d": {
            **{f"line_{k}": text(v.gain) for k, v in result.lines.items()},
            "line_6": text(result.line6),
            "line_7": text(result.line7),
            "line_14": text(result.line14),
            "line_15": text(result.line15),
            "line_16": text(result.line16),
            "line_21": text(result.line21),
        },
        "worksheet": {k: text(v) for k, v in result.worksheet.items()},
        "notes": list(result.notes),
    }
