"""Units held at the end of each day that has ``--prices`` rows, for the account statement's
peak value of holdings (issue #15: "the loss as a share of the peak value of holdings, where
prices allow").

Why here and not from the report's lots and disposals: those lose the day units left the
user's hands without a disposal (a withdrawal to an address outside the data keeps its lot,
open, with the day it was acquired), so rebuilding daily holdings from them is not exact.
Nor from the wallets' running balances: a purchase paid with stablecoins the data never shows
arriving (par basis) takes a balance below zero while the book, rightly, holds the coins the
later sales bring in. The book is the exact source: when the run moves past a day, this
recorder sums the units of every lot or pool in the book and of the lots of transfers in flight
between the user's wallets (what ``Run.open_lots`` returns at the end, less the units outside
the data), per asset, and keeps them, with each ``--prices`` day up to the next event and that
day's price rows. A debt is not a holding (its units are owed, not held), and a derivative
position holds no units. Without ``--prices`` nothing is recorded and the run pays one
comparison per new day; with it, one pass over the open lots per day that has rows.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from datetime import date
from decimal import Decimal

from taxloss.engine.average_cost import PoolBook
from taxloss.engine.dates import Dates
from taxloss.engine.holdings import Holdings
from taxloss.engine.transit import Transit
from taxloss.model import DayHoldings, Price, PriceTable
from taxloss.money import ZERO


class DayRecorder:
    """Snapshots of the units held at the end of each priced day of the data."""

    def __init__(
        self, prices: PriceTable, dates: Dates, holdings: Holdings, transit: Transit
    ) -> None:
        self.dates = dates
        self.holdings = holdings
        self.transit = transit
        self.by_day: dict[date, list[Price]] = defaultdict(list)
        for (day, _), price in sorted(prices.prices.items()):
            self.by_day[day].append(price)
        #: The priced days, ascending (looked up by bisection).
        self.days = sorted(self.by_day)
        #: The day of the events being applied (None before the first).
        self.day: date | None = None
        self.records: list[DayHoldings] = []

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
        """Units per asset in the book and in flight, now (assets with none left out)."""
        book = self.holdings.book
        keys = book.pools if isinstance(book, PoolBook) else book.heaps
        held: dict[str, Decimal] = defaultdict(Decimal)
        for key in keys:
            held[key[1]] += book.held(key)
        for lot in self.transit.open_lots():
            held[lot.asset] += lot.quantity
        return tuple((asset, held[asset]) for asset in sorted(held) if held[asset] > ZERO)
