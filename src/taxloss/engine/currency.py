"""Converting amounts in other currencies into the report currency, from an ``FxTable``.

A rate is looked up for the trade's local date. When none was published that day (a weekend or
a holiday) the last earlier published rate is used, at most ``fx.max_fallback_days`` back and
only inside the series (a later rate exists), and the report says so. Anything else (before
the series, after its end, a currency not covered, a longer gap) is a problem listing the row
and date, never a guess. Every conversion is recorded (``Conversion``) for the audit trail.
Must not import anything but ``taxloss.model``, ``taxloss.errors`` and the standard library.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from taxloss.errors import Problem
from taxloss.model import Conversion, FxRate, FxTable, Notice, Rule, SourceRef
from taxloss.money import plain


@dataclass
class Converter:
    """Looks up rates for one rule and table, and records every conversion made."""

    rule: Rule
    table: FxTable
    conversions: list[Conversion] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    _days: dict[str, list[date]] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        """True when the rule converts currencies (it has an ``[fx]`` section)."""
        return self.rule.fx is not None

    def rate(self, currency: str, day: date) -> FxRate | str:
        """The rate for ``currency`` on ``day``, or the reason there is none.

        Args:
            currency: an ISO code other than the report currency.
            day: the local date of the trade.

        Returns:
            The published rate used (possibly of an earlier day), or a message.
        """
        assert self.rule.fx is not None
        series = self.table.rates.get(currency, ())
        fiat = self.rule.fiat
        if not series:
            return f"no {fiat} rate for {currency} in {self.table.description or 'the rate table'}"
        days = self._days.get(currency)
        if days is None:
            days = self._days[currency] = [r.day for r in series]
        index = bisect_right(days, day) - 1
        if index < 0:
            return (
                f"no {fiat} rate for {currency} on {day}: the rates start on {days[0]} "
                f"({series[0].source.path})"
            )
        found = series[index]
        if found.day == day:
            return found
        limit = self.rule.fx.max_fallback_days
        if index == len(series) - 1:
            return (
                f"no {fiat} rate for {currency} on {day}: the rates end on {found.day} "
                f"({found.source.path})"
            )
        if day - found.day > timedelta(days=limit):
            return (
                f"no {fiat} rate for {currency} on {day}: the last earlier rate is of "
                f"{found.day}, more than {limit} days before (fx.max_fallback_days)"
            )
        return found

    def convert(
        self, amount: Decimal, currency: str, day: date, source: SourceRef
    ) -> Decimal | Problem:
        """Convert ``amount`` of ``currency`` at the rate for ``day`` and record it.

        Args:
            amount: the amount in ``currency``.
            currency: its ISO code.
            day: the local date of the row.
            source: the row, for the audit trail and any problem.

        Returns:
            The amount in the report currency, or a ``Problem`` naming the row and date.
        """
        if currency == self.rule.fiat:
            return amount
        found = self.rate(currency, day)
        if isinstance(found, str):
            return Problem(
                source,
                f"{found}; add a row '{day},{currency},RATE' ({self.rule.fiat} per 1 "
                f"{currency}) to an --fx-rates file, or answer the row with an --overrides "
                f"line '{source},value AMOUNT,NOTE' (its {self.rule.fiat} value)",
                column="fx",
            )
        value = amount * found.rate
        record = Conversion(source, day, currency, amount, found, value)
        self.conversions.append(record)
        code = "fx_rate_prior_day" if record.prior_day else "fx_rate"
        self.notices.append(Notice(code, describe(record, self.rule.fiat), source))
        return value


def describe(record: Conversion, fiat: str) -> str:
    """One conversion in plain words: amount, rate, the rate's date and its source."""
    rate = record.rate
    text = (
        f"{plain(record.amount)} {record.currency} = {record.value:.2f} {fiat} at "
        f"{plain(rate.rate)} {fiat} per {record.currency}, rate of {rate.day} ({rate.source}"
        + (f": {rate.basis}" if rate.basis else "")
        + ")"
    )
    if record.prior_day:
        text += (
            f"; no rate was published on {record.day} (weekend or holiday), so the last "
            f"earlier rate, of {rate.day}, was used"
        )
    return text
