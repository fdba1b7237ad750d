"""Units held at the end of each day that has ``--prices`` rows, for the account statement's
peak value of holdings (issue #15: "the loss as a share of the peak value of holdings, where
prices allow").

Why here and not from the report's lots. Open lots and disposals lose the day units left the
user's hands without a disposal (a withdrawal to an address outside the data keeps its lot,
open, with the day it was acquired), so rebuilding daily holdings from them is not exact. The
run's own balances are: ``Holdings.balances`` has the units of every (wallet, asset) after each
event; the recorder keeps the units of each matched transfer in flight between the user's
wallets. So, when the run moves
past a day, this recorder takes the units held then (each wallet's positive balance, summed
over wallets, plus units in flight; a negative balance is a debt, not a holding; derivative
positions hold no units) for every ``--prices`` day up to the next event, with that day's
price rows. Without ``--prices`` it records nothing and costs one comparison per new day.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from datetime import date
from decimal import Decimal

from taxloss.engine.dates import Dates
from taxloss.engine.holdings import Holdings
from taxloss.model import DayHoldings, Price, PriceTable
from taxloss.money import ZERO


class DayRecorder:
    """Snapshots of the units held at the end of each priced day of the data."""

    def __init__(self, prices: PriceTable, dates: Dates, holdings: Holdings) -> None:
        self.dates = dates
        self.holdings = holdings
        self.by_day: dict[date, list[Price]] = defaultdict(list)
        for (day, _), price in sorted(prices.prices.items()):
            self.by_day[day].append(price)
        #: The priced days, ascending (looked up by bisection).
        self.days = sorted(self.by_day)
        #: The day of the events being applied (None before the first).
        self.day: date | None = None
        self.records: list[DayHoldings] = []
        #: Units of each matched transfer in flight (departed, not arrived): the user's still.
        self.flying: dict[int, tuple[str, Decimal]] = {}

    def depart(self, number: int, asset: str, units: Decimal) -> None:
        """A matched withdrawal left with ``units`` of ``asset`` (recorded only with prices)."""
        if self.days:
            self.flying[number] = (asset, units)

    def arrive(self, number: int) -> None:
        """A matched deposit arrived: its units are in a wallet's balance again."""
        if self.flying:
            self.flying.pop(number, None)

    def enter(self, day: date) -> None:
        """The run reaches an event of ``day``: record the priced days from the current day
        up to (not including) ``day``; the holdings did not change between them."""
        current = self.day
        if current is not None and self.days and day != current:
            self._record(current, day)
        self.day = day

    def finish(self) -> tuple[DayHoldings, ...]:
        """Record the last day of the data (not the days after it) and return every record."""
        if self.day is not None and self.days:
            self._record(self.day, date.fromordinal(self.day.toordinal() + 1))
        return tuple(self.records)

    def _record(self, start: date, end: date) -> None:
        first = bisect_left(self.days, start)
        last = bisect_left(self.days, end)
        if first == last:
            return
        units = self._units()
        for day in self.days[first:last]:
            rows = {p.asset: p for p in self.by_day[day]}
            self.records.append(DayHoldings(
                day=day,
                tax_year=self.dates.year(day),
                units=units,
                prices=tuple(rows[a] for a, _ in units if a in rows),
            ))  # fmt: skip

    def _units(self) -> tuple[tuple[str, Decimal], ...]:
        held: dict[str, Decimal] = defaultdict(Decimal)
        for (_, asset), balance in self.holdings.balances.items():
            if balance > 0:
                held[asset] += balance
        for asset, units in self.flying.values():
            held[asset] += units
        return tuple((asset, held[asset]) for asset in sorted(held) if held[asset] > ZERO)
