"""The one place where exact amounts become printed figures.

Every renderer (JSON, CSV, XLSX, PDF, text) takes its rows and totals from here, so they agree
to the cent: each amount is rounded once with the rule's quantum and mode, a row's gain is its
rounded proceeds minus rounded basis plus rounded adjustment (so every printed row adds up),
and every total is the sum of the rounded rows above it. The words around the figures
(labels, the not-tax-advice line, date texts) are ``render.labels``.
Imports only ``model``, ``money`` and the standard library (the ``returns`` layer).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from operator import attrgetter

from taxloss.errors import InternalError
from taxloss.model import Disposal, Report, Rule, Term, maker
from taxloss.money import ZERO, plain, quantize
from taxloss.returns.account import Statement, account_statement
from taxloss.returns.reconcile import exception_1

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


def money(value: Decimal, rule: Rule) -> Decimal:
    """Round an exact amount once, with ``rounding.quantum`` and ``rounding.mode``."""
    return quantize(value, rule.rounding_quantum, rule.rounding_mode)


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


@dataclass(frozen=True, slots=True)
class Section:
    """All rows of one tax year with one Form 8949 box (one part)."""

    term: Term
    box: str
    rows: list[Row] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    #: Box G/J rows reported under Schedule D Exception 1 (``--schedule-d-1a``): totals on
    #: line 1a/8a, not on Form 8949 (issue #12).
    exception_1: bool = False

    @property
    def schedule_d_line(self) -> str:
        """The Schedule D line this box's totals go on."""
        if self.exception_1:
            return "1a" if self.term is Term.SHORT else "8a"
        return SCHEDULE_D_LINE.get(self.box, "")


@dataclass(frozen=True, slots=True)
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


def rounded(
    disposal: Disposal, rule: Rule, zero: Decimal | None = None
) -> tuple[Decimal, Decimal, Decimal]:
    """A disposal's proceeds, basis and adjustment, each rounded once (a zero printed
    without a sign; ``zero``, the rule's rounded zero, shared by every row without an
    adjustment). Called for every disposal, so the rounding of ``quantize`` is written out."""
    quantum, mode = rule.rounding_quantum, rule.rounding_mode
    proceeds = disposal.proceeds.quantize(quantum, rounding=mode)
    if not proceeds:
        proceeds = proceeds.copy_abs()
    basis = disposal.cost_basis.quantize(quantum, rounding=mode)
    if not basis:
        basis = basis.copy_abs()
    adjustment = disposal.adjustment.quantize(quantum, rounding=mode)
    if not adjustment:  # most rows: ``zero`` if given, one shared object (issue #16)
        adjustment = adjustment.copy_abs() if zero is None else zero
    return proceeds, basis, adjustment


def printed_row(number: int, disposal: Disposal, rule: Rule, zero: Decimal | None = None) -> Row:
    """Round one disposal into a printed row whose columns add up.

    Column (a) is e.g. ``0.5 BTC``, or a position's own description. ``zero``: the rule's
    rounded zero (``0.00``), to share as the adjustment of every row without one.
    """
    proceeds, basis, adjustment = rounded(disposal, rule, zero)
    quantity = plain(disposal.quantity)
    return _make_row(
        number, disposal, disposal.description or f"{quantity} {disposal.asset}",
        disposal.acquired_on, disposal.disposed_on, proceeds, basis, disposal.codes, adjustment,
        proceeds - basis + adjustment, quantity,
    )  # fmt: skip


def all_rows(report: Report) -> list[Row]:
    """Every disposal as a printed row, numbered in report order (the audit numbering)."""
    return list(_rows(report))


def _rows(report: Report, year: str | None = None) -> Iterator[Row]:
    """The printed rows of every disposal (or of tax year ``year``), in report order, made
    as they are taken."""
    rule = report.rule
    zero = ZERO.quantize(rule.rounding_quantum)
    for number, disposal in enumerate(report.disposals, start=1):
        if year is None or disposal.tax_year == year:
            yield printed_row(number, disposal, rule, zero)


def _gains(report: Report) -> Iterator[tuple[Disposal, Decimal]]:
    """Each disposal with its printed row's gain, with no row made."""
    rule = report.rule
    zero = ZERO.quantize(rule.rounding_quantum)
    for disposal in report.disposals:
        proceeds, basis, adjustment = rounded(disposal, rule, zero)
        yield disposal, proceeds - basis + adjustment


#: ``Printed`` keeps every printed row of a report with up to this many disposals. A larger
#: report's rows would be half a GiB at a million disposals, held by every process of the
#: build (issue #16): it keeps each year's totals, and makes a year's rows when they are
#: asked for, keeping the last year's until another is.
KEEP_ROWS = 250_000


class Printed:
    """A report's printed rows and per-year figures, computed once and shared by renderers
    (a large report's rows: made for each use, ``KEEP_ROWS``).

    ``kept``: the rows are kept (``kept_rows``, in report order); ``keep`` overrides the
    choice by size (tests give both kinds the same report).
    """

    def __init__(self, report: Report, keep: bool | None = None) -> None:
        self.report = report
        self.kept = len(report.disposals) <= KEEP_ROWS if keep is None else keep
        #: Every printed row, in report order, if kept.
        self.kept_rows: list[Row] | None = all_rows(report) if self.kept else None
        self._years: dict[str, YearFigures] = {}
        self._by_year: dict[str, list[Row]] | None = None
        #: Each year's totals (sections without rows), once asked for (``totals``).
        self._totals: dict[str, YearFigures] | None = None

    def rows(self) -> Iterable[Row]:
        """Every printed row, in report order (the audit numbering)."""
        if self.kept_rows is not None:
            return self.kept_rows
        return _rows(self.report)

    def year_rows(self, label: str) -> list[Row]:
        """Every printed row of one tax year, in report order."""
        if self.kept_rows is None:
            return list(_rows(self.report, label))
        if self._by_year is None:  # every year's rows in one pass, not one pass a year
            self._by_year = defaultdict(list)
            for row in self.kept_rows:
                self._by_year[row.disposal.tax_year].append(row)
        return self._by_year.get(label, [])

    def year(self, label: str) -> YearFigures:
        """The figures of one tax year, with their rows (computed on first use; a report
        whose rows are not kept keeps only the last year's)."""
        found = self._years.get(label)
        if found is None:
            found = year_figures(self.report, label, self.year_rows(label))
            if self.kept_rows is None:
                self._years.clear()
            self._years[label] = found
        return found

    def totals(self, label: str) -> YearFigures:
        """The figures of one tax year without rows: each section's totals (equal to
        ``year``'s), for what shows only totals."""
        if self._totals is None:
            self._totals = {} if self.kept_rows is not None else _years_totals(self.report)
        found = self._totals.get(label)
        if found is None:
            if self.kept_rows is None:  # every year with a disposal is summed
                return _year(label, [], 0)
            full = self.year(label)
            sections = [replace(section, rows=[]) for section in full.sections]
            found = self._totals[label] = replace(full, sections=sections)
        return found

    #: The account statement (issue #15), computed on first use by ``account``.
    _account: Statement | None = None

    def account(self) -> Statement:
        """The account statement, its realized line from these printed rows (computed once)."""
        if self._account is None:
            kept = self.kept_rows
            gains = (
                ((r.disposal, r.gain) for r in kept) if kept is not None else _gains(self.report)
            )
            self._account = account_statement(self.report, gains)
        return self._account


def printed(report: Report, given: Printed | None = None) -> Printed:
    """Return ``given`` if it belongs to ``report``, else compute the printed figures."""
    return given if given is not None and given.report is report else Printed(report)


def _years_totals(report: Report) -> dict[str, YearFigures]:
    """Each tax year's figures with the totals of its sections and no rows: summed from the
    same rounded amounts as the printed rows (so equal to ``year_figures``'), with no row
    made."""
    rule, one_a = report.rule, report.schedule_d_1a
    zero = ZERO.quantize(rule.rounding_quantum)
    grouped: dict[str, dict[tuple[Term, str, bool], Totals]] = defaultdict(dict)
    liquidations: dict[str, int] = defaultdict(int)
    for disposal in report.disposals:
        year = disposal.tax_year
        key = (disposal.term, disposal.box, one_a and exception_1(disposal))
        totals = grouped[year].get(key)
        if totals is None:
            totals = grouped[year][key] = Totals()
        proceeds, basis, adjustment = rounded(disposal, rule, zero)
        totals.proceeds += proceeds
        totals.cost_basis += basis
        totals.adjustment += adjustment
        totals.gain += proceeds - basis + adjustment
        totals.rows += 1
        liquidations[year] += disposal.liquidation
    return {
        year: _year(
            year,
            [Section(term, box, [], totals, one) for (term, box, one), totals in found.items()],
            liquidations[year],
        )
        for year, found in grouped.items()
    }


class TotalsOnly(Printed):
    """A report's per-year figures without its rows: each section's totals, summed from the
    same rounded amounts as ``Printed`` (so equal to its totals), no row kept or made.

    For what needs only the totals of each box (the US Schedule D and carryovers of the
    method comparison, issue #16).
    """

    def __init__(self, report: Report) -> None:
        super().__init__(report, keep=False)
        self._totals = _years_totals(report)

    def rows(self) -> Iterable[Row]:
        """Empty: no row is made."""
        return []

    def year_rows(self, label: str) -> list[Row]:
        """Empty: no row is made."""
        return []

    def year(self, label: str) -> YearFigures:
        """The year's totals (no rows)."""
        return self.totals(label)

    def account(self) -> Statement:
        """Not available: the account statement needs the rows."""
        raise InternalError("the account statement needs the printed rows (Printed)")


def year_figures(report: Report, year: str, rows: Iterable[Row] | None = None) -> YearFigures:
    """Group one tax year's rows by term and box, with totals of the rounded rows.

    Args:
        report: the report.
        year: a tax-year label from ``report.tax_years``.
        rows: pre-computed printed rows (default: computed from the report).

    Returns:
        The year's sections (short-term boxes first, then long-term, boxes in letter order).
    """
    grouped: dict[tuple[Term, str, bool], list[Row]] = {}
    liquidations = 0
    one_a = report.schedule_d_1a
    for row in rows if rows is not None else all_rows(report):
        disposal = row.disposal
        if disposal.tax_year != year:
            continue
        key = (disposal.term, disposal.box, one_a and exception_1(disposal))
        found = grouped.get(key)
        if found is None:
            found = grouped[key] = []
        found.append(row)
        liquidations += disposal.liquidation
    sections = [
        Section(term, box, found, totals_of(found), exception_1=one)
        for (term, box, one), found in grouped.items()
    ]
    return _year(year, sections, liquidations)


def _year(year: str, sections: list[Section], liquidations: int) -> YearFigures:
    """A year's figures from its sections: short-term boxes first, then long-term, boxes in
    letter order; the short and long totals summed from the sections'."""
    short, long = Totals(), Totals()
    for section in sections:
        (short if section.term is Term.SHORT else long).merge(section.totals)
    ordered = sorted(sections, key=lambda s: (s.term is Term.LONG, s.box, s.exception_1))
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


def year_rows(shown: Printed, year: str) -> list[Row]:
    """Every printed row of one tax year, in report (audit) order."""
    return shown.year_rows(year)


def income_by_year(report: Report) -> dict[str, Decimal]:
    """Ordinary income received in kind, per tax year, as sums of rounded rows."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for item in report.income:
        totals[item.tax_year] += money(item.fiat_value, report.rule)
    return dict(totals)
