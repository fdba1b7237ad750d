"""The reporting calendar of a run: local dates, tax-year labels, Form 8949 boxes and the
facts of a row held between two dates, each cached (many events share a timestamp, many rows
a pair of dates)."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

from taxloss.engine.calendar import box_for, local_date, tax_year_label, tax_year_start, term_of
from taxloss.model import HoldingEffect, Rule, Term

#: A row's term, tax-year label, Form 8949 box, discount and exempt flags.
Facts = tuple[Term, str, str, bool, bool]
#: An acquisition date and the facts of its rows (``Dates.facts``).
DatedFacts = tuple[date, Term, str, str, bool, bool]


class Dates:
    """Dates in the reporting zone ``tz`` under ``rule``."""

    def __init__(self, rule: Rule, tz: tzinfo) -> None:
        self.rule = rule
        self.tz = tz
        #: The reporting zone is UTC, the zone of every timestamp: a local date is the date.
        self.utc = tz is UTC
        #: Row facts per disposal date, then acquisition date (``Rows.dispose`` reads it
        #: directly: one look-up per row, with no key pair to make). Each entry starts with
        #: its own key: the one date object that every row of that day holds (a million rows
        #: hold a few thousand dates, not two million).
        self.facts: dict[date, tuple[date, dict[date, DatedFacts]]] = {}
        self._dates: dict[datetime, date] = {}
        self._labels: dict[tuple[date, Term], tuple[str, str]] = {}

    def day(self, moment: datetime) -> date:
        """Local date of a timestamp: its own date in UTC (timestamps are UTC), else cached."""
        if self.utc:
            return moment.date()
        found = self._dates.get(moment)
        if found is None:
            found = self._dates[moment] = local_date(moment, self.tz)
        return found

    def year(self, day: date) -> str:
        """The tax-year label of a local date."""
        return tax_year_label(day, self.rule)

    def flags(self, term: Term) -> tuple[bool, bool]:
        """(discount, exempt) for a term under the rule's ``holding.effect``."""
        held = term is Term.LONG
        effect = self.rule.holding_effect
        return held and effect is HoldingEffect.DISCOUNT, held and effect is HoldingEffect.EXEMPT

    def row_facts(self, acquired_on: date, disposed_on: date) -> Facts:
        """Term, tax-year label, Form 8949 box, discount and exempt flags of a row held from
        ``acquired_on`` to ``disposed_on``."""
        term = term_of(acquired_on, disposed_on, self.rule)
        return (term, *self.labels(disposed_on, term), *self.flags(term))

    def labels(self, disposed_on: date, term: Term) -> tuple[str, str]:
        """Tax-year label and Form 8949 box for a disposal date and term (cached)."""
        found = self._labels.get((disposed_on, term))
        if found is None:
            year = tax_year_start(disposed_on, self.rule)
            found = (tax_year_label(disposed_on, self.rule), box_for(self.rule, year, term))
            self._labels[(disposed_on, term)] = found
        return found
