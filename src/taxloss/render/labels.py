"""Words and texts every renderer shares: the not-tax-advice line, part and term names,
method and matching-rule labels, and dates and amounts as report text.

Presentation only: no figure is computed here (``returns/`` computes them).
Sees only ``Report`` and model records; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from taxloss.model import Report, Term

NOT_ADVICE = (
    "Not tax advice. taxloss computes figures from your exports with the stated rule file and "
    "method; a tax professional should review them before you file."
)

PART = {Term.SHORT: "Part I", Term.LONG: "Part II"}
TERM_WORD = {Term.SHORT: "short-term", Term.LONG: "long-term"}


def text_money(value: Decimal) -> str:
    """A rounded amount as a JSON/CSV string: ``"-5100.00"``."""
    return f"{value:f}"


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
