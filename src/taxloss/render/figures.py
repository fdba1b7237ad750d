"""The one place where exact amounts become printed figures.

Every renderer (JSON, CSV, XLSX, PDF, text) takes its rows and totals from here, so they agree
to the cent: each amount is rounded once with the rule's quantum and mode, a row's gain is its
rounded proceeds minus rounded basis plus rounded adjustment (so every printed row adds up),
and every total is the sum of the rounded rows above it.
Sees only ``Report`` and model records; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from operator import attrgetter

from taxloss.model import Disposal, Report, Rule, Term, maker
from taxloss.money import ZERO, plain, quantize
from taxloss.returns.account import Statement, account_statement

NOT_ADVICE = (
    "Not tax advice. taxloss computes figures from your exports with the stated rule file and "
    "method; a tax professional should review them before you file."
)

#: Schedule D (Form 1040) line fed by each Form 8949 box (reference §1.7; lines 3/10 for C/I
#: and F/L confirmed for 2025 [S29]; "A or G", "B or H", "D or J", "E or K" marked VERIFY).
SCHEDULE_D_LINE = {
    "A": "1b",
    "G": "1b",
    "B": "2",
    "H": "2",
    "C": "3",
    "I": "3",
    "D": "8b",
    "J": "8b",
    "E": "9",
    "K": "9",
    "F": "10",
    "L": "10",
}

PART = {Term.SHORT: "Part I", Term.LONG: "Part II"}
TERM_WORD = {Term.SHORT: "short-term", Term.LONG: "long-term"}


def money(value: Decimal, rule: Rule) -> Decimal:
    """Round an exact amount once, with ``rounding.quantum`` and ``rounding.mode``."""
    return quantize(value, rule.rounding_quantum, rule.rounding_mode)


def text_money(value: Decimal) -> str:
    """A rounded amount as a JSON/CSV string: ``"-5100.00"``."""
    return f"{value:f}"


@dataclass(frozen=True, slots=True)
class Row:
    """One printed Form 8949 row; amounts already rounded."""

    number: int
    disposal: Disposal
    #: Form 8949 column (a).
    description: str
    acquired: date
    disposed: date
    proceeds: Decimal
    cost_basis: Decimal
    codes: str
    adjustment: Decimal
    gain: Decimal
    #: The disposal's quantity as text (``plain``).
    quantity: str


_make_row = maker(Row)


@dataclass(slots=True)
class Totals:
    """Sums of rounded rows."""

    proceeds: Decimal = ZERO
    cost_basis: Decimal = ZERO
    adjustment: Decimal = ZERO
    gain: Decimal = ZERO
    rows: int = 0

    def add(self, row: Row) -> None:
        """Add one printed row."""
        self.proceeds += row.proceeds
        self.cost_basis += row.cost_basis
        self.adjustment += row.adjustment
        self.gain += row.gain
        self.rows += 1

    def merge(self, other: Totals) -> None:
        """Add another set of totals."""
        self.proceeds += other.proceeds
        self.cost_basis += other.cost_basis
        self.adjustment += other.adjustment
        self.gain += other.gain
        self.rows += other.rows


@dataclass(slots=True)
class Section:
    """All rows of one tax year with one Form 8949 box (one part)."""

    term: Term
    box: str
    rows: list[Row] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)

    @property
    def schedule_d_line(self) -> str:
        """The Schedule D line this box's totals go on."""
        return SCHEDULE_D_LINE.get(self.box, "")


@dataclass(slots=True)
class YearFigures:
    """Printed figures of one tax year."""

    year: str
    sections: list[Section]
    short: Totals
    long: Totals
    liquidations: int = 0

    @property
    def total(self) -> Totals:
        """Short plus long."""
        both = Totals()
        both.merge(self.short)
        both.merge(self.long)
        return both


def printed_row(number: int, disposal: Disposal, rule: Rule) -> Row:
    """Round one disposal into a printed row whose columns add up.

    Column (a) is e.g. ``0.5 BTC``, or a position's own description. Called for every
    disposal (a history can have a million), so the rounding of ``quantize`` is written out.
    """
    quantum, mode = rule.rounding_quantum, rule.rounding_mode
    proceeds = disposal.proceeds.quantize(quantum, rounding=mode)
    if not proceeds:
        proceeds = proceeds.copy_abs()
    basis = disposal.cost_basis.quantize(quantum, rounding=mode)
    if not basis:
        basis = basis.copy_abs()
    adjustment = disposal.adjustment.quantize(quantum, rounding=mode)
    if not adjustment:
        adjustment = adjustment.copy_abs()
    quantity = plain(disposal.quantity)
    return _make_row(
        number, disposal, disposal.description or f"{quantity} {disposal.asset}",
        disposal.acquired_on, disposal.disposed_on, proceeds, basis, disposal.codes, adjustment,
        proceeds - basis + adjustment, quantity,
    )  # fmt: skip


def all_rows(report: Report) -> list[Row]:
    """Every disposal as a printed row, numbered in report order (the audit numbering)."""
    rule = report.rule
    return [printed_row(i, d, rule) for i, d in enumerate(report.disposals, start=1)]


class Printed:
    """A report's printed rows and per-year figures, computed once and shared by renderers."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.rows = all_rows(report)
        self._years: dict[str, YearFigures] = {}
        self._by_year: dict[str, list[Row]] | None = None

    def year(self, label: str) -> YearFigures:
        """The figures of one tax year (computed on first use)."""
        found = self._years.get(label)
        if found is None:
            if self._by_year is None:  # every year's rows in one pass, not one pass a year
                self._by_year = defaultdict(list)
                for row in self.rows:
                    self._by_year[row.disposal.tax_year].append(row)
            rows = self._by_year.get(label, [])
            found = self._years[label] = year_figures(self.report, label, rows)
        return found

    #: The account statement (issue #15), computed on first use by ``account``.
    _account: Statement | None = None

    def account(self) -> Statement:
        """The account statement, its realized line from these printed rows (computed once)."""
        if self._account is None:
            gains = ((r.disposal, r.gain) for r in self.rows)
            self._account = account_statement(self.report, gains)
        return self._account


def printed(report: Report, given: Printed | None = None) -> Printed:
    """Return ``given`` if it belongs to ``report``, else compute the printed figures."""
    return given if given is not None and given.report is report else Printed(report)


def year_figures(report: Report, year: str, rows: Iterable[Row] | None = None) -> YearFigures:
    """Group one tax year's rows by term and box, with totals of the rounded rows.

    Args:
        report: the report.
        year: a tax-year label from ``report.tax_years``.
        rows: pre-computed printed rows (default: computed from the report).

    Returns:
        The year's sections (short-term boxes first, then long-term, boxes in letter order).
    """
    sections: dict[tuple[Term, str], Section] = {}
    liquidations = 0
    for row in rows if rows is not None else all_rows(report):
        disposal = row.disposal
        if disposal.tax_year != year:
            continue
        key = (disposal.term, disposal.box)
        section = sections.get(key)
        if section is None:
            section = sections[key] = Section(disposal.term, disposal.box)
        section.rows.append(row)
        liquidations += disposal.liquidation
    short, long = Totals(), Totals()
    for section in sections.values():
        section.totals = totals_of(section.rows)
        (short if section.term is Term.SHORT else long).merge(section.totals)
    ordered = sorted(sections.values(), key=lambda s: (s.term is Term.LONG, s.box))
    return YearFigures(year, ordered, short, long, liquidations)


def totals_of(rows: list[Row]) -> Totals:
    """The sums of rows' rounded columns (the same as ``Totals.add`` of each row: the sums
    are exact, in any order)."""
    return Totals(
        sum(map(attrgetter("proceeds"), rows), ZERO),
        sum(map(attrgetter("cost_basis"), rows), ZERO),
        sum(map(attrgetter("adjustment"), rows), ZERO),
        sum(map(attrgetter("gain"), rows), ZERO),
        len(rows),
    )


class TimeText:
    """Dates and timestamps as text, each day and each time of day formatted once.

    A large report writes two dates and two timestamps per row, and ``datetime.isoformat`` or
    ``strftime`` cost more than the rest of the row; most rows share their days, and seconds
    of the day repeat. The texts are those of ``isoformat`` and ``strftime`` (a value they
    are not built for, e.g. a timestamp with microseconds, is formatted the usual way).
    """

    def __init__(self) -> None:
        self._days: dict[date, str] = {}

    def day(self, value: date) -> str:
        """``value.isoformat()``: ``2025-03-01``."""
        found = self._days.get(value)
        if found is None:
            found = self._days[value] = value.isoformat()
        return found

    def iso(self, moment: datetime) -> str:
        """An aware timestamp as ISO 8601 with ``Z`` for UTC: ``2025-03-01T14:05:00Z``
        (``moment.isoformat().replace("+00:00", "Z")``)."""
        if moment.tzinfo is not UTC or moment.microsecond:
            return moment.isoformat().replace("+00:00", "Z")
        return (
            f"{self.day(moment.date())}T{_PAD[moment.hour]}:{_PAD[moment.minute]}:"
            f"{_PAD[moment.second]}Z"
        )

    def clock(self, moment: datetime) -> str:
        """``moment.strftime("%Y-%m-%d %H:%M:%S")``: ``2025-03-01 14:05:00``."""
        if moment.year < 1000:  # strftime does not pad such a year to four digits
            return moment.strftime("%Y-%m-%d %H:%M:%S")
        return (
            f"{self.day(moment.date())} {_PAD[moment.hour]}:{_PAD[moment.minute]}:"
            f"{_PAD[moment.second]}"
        )


#: Two-digit texts of 0 to 59 (hours, minutes, seconds).
_PAD = [f"{number:02d}" for number in range(60)]


#: How a pooling strategy is named where a lot method would be (``Report.method``).
STRATEGY_LABEL = {
    "uk_pooling": "UK share pooling (same day, 30 days, s.104 pool)",
    "average_cost": "adjusted cost base (average cost)",
}

#: How a slice's identification rule is named (``Disposal.matching``).
MATCHING_LABEL = {
    "": "",
    "same_day": "same day",
    "bed_and_breakfast": "30 days (bed and breakfast)",
    "s104_pool": "s.104 pool",
    "acb_pool": "ACB pool",
}


def group_order(name: str) -> tuple[int, str]:
    """Sort key that lists matching rules in the order they apply (same day, 30 days, pool),
    then anything else by name."""
    labels = [label for label in MATCHING_LABEL.values() if label]
    bare = name.removeprefix("matched by ")
    return (labels.index(bare), "") if bare in labels else (len(labels), name)


def method_label(report: Report) -> str:
    """The method in words: ``FIFO``, or the pooling strategy's name."""
    value = report.method.value
    return STRATEGY_LABEL.get(value, value.upper())


def year_rows(shown: Printed, year: str) -> list[Row]:
    """Every printed row of one tax year, in report (audit) order."""
    return [row for row in shown.rows if row.disposal.tax_year == year]


def income_by_year(report: Report) -> dict[str, Decimal]:
    """Ordinary income received in kind, per tax year, as sums of rounded rows."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for item in report.income:
        totals[item.tax_year] += money(item.fiat_value, report.rule)
    return dict(totals)
