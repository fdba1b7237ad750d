"""Average-cost pools (Canada's adjusted cost base, the UK section 104 pool) and the superficial
loss rule.

``PoolBook`` is a drop-in for ``LotBook``: one pool per key (``("", asset)``: the taxpayer's
identical property across all wallets). An acquisition adds its units and cost; a disposal
takes ``cost * units / units held`` and leaves the rest, so cost is conserved exactly. Units
of unknown basis (an unmatched deposit) are kept apart and used only after the pool's known
units, so an average is never mixed with an unknown cost. Every change is recorded as a
``PoolEntry`` (the pool's audit trail).

Superficial loss (reference §4, rule section ``loss_disallowance``): a loss on a disposal of S
units is denied in proportion ``min(S, P, B) / S``, where P is the units acquired from
``window_before_days`` before to ``window_after_days`` after the disposal (local dates,
inclusive) and B the units held at the end of that period; the denied loss is added to the
pool's cost (s.53(1)(f)). P and B depend only on units, so they are computed from the event
list before the run (``superficial_facts``).
Must not import anything but ``taxloss.model``, ``taxloss.money``, ``taxloss.engine.events``
and the standard library.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from taxloss.engine.events import Event
from taxloss.model import DisallowanceRule, EventKind, Lot, PoolEntry, SourceRef
from taxloss.money import ZERO

Key = tuple[str, str]

#: The wallet shown for a pool's open units: a pool belongs to the taxpayer, not a wallet.
POOL_WALLET = "(pool, all wallets)"


@dataclass
class Pool:
    """One asset's pool: units and total cost, plus units of unknown basis kept apart."""

    units: Decimal = ZERO
    cost: Decimal = ZERO
    first: Lot | None = None
    unknown: list[Lot] = field(default_factory=list)

    def lot(self, asset: str) -> Lot | None:
        """The pool's known units as one lot (dated by its first acquisition), or None."""
        if self.first is None or (self.units == 0 and self.cost == 0):
            return None
        return Lot(
            self.first.acquired, asset, self.units, self.cost, self.first.source, POOL_WALLET
        )


class PoolBook:
    """Average-cost pools with the same interface as ``LotBook`` (add, take, drain, iterate)."""

    def __init__(self) -> None:
        self.pools: dict[Key, Pool] = {}
        self.history: list[PoolEntry] = []
        self._moment: datetime | None = None
        self._source: SourceRef | None = None
        self._action = ""

    def at(self, moment: datetime, source: SourceRef, action: str) -> None:
        """Say which event the next changes belong to (for the audit trail)."""
        self._moment, self._source, self._action = moment, source, action

    def _record(self, key: Key, pool: Pool, units: Decimal, cost: Decimal, action: str) -> None:
        if self._moment is None or self._source is None:
            return
        self.history.append(
            PoolEntry(
                self._moment,
                key[1],
                action or self._action,
                units,
                cost,
                pool.units,
                pool.cost,
                self._source,
            )
        )

    def add(self, key: Key, lot: Lot) -> None:
        """Add a lot's units and cost to the pool (unknown-basis units are kept apart)."""
        pool = self.pools.setdefault(key, Pool())
        if not lot.basis_known:
            pool.unknown.append(lot)
            return
        if pool.first is None or pool.units == 0:
            pool.first = lot
        pool.units += lot.quantity
        pool.cost += lot.cost_basis
        self._record(key, pool, lot.quantity, lot.cost_basis, "")

    def take(self, key: Key, quantity: Decimal) -> tuple[list[Lot], Decimal]:
        """Take ``quantity`` units at the pool's average cost, then unknown-basis units.

        Returns:
            The slices taken and the shortfall (zero when enough units were held).
        """
        pool = self.pools.get(key)
        slices: list[Lot] = []
        need = quantity
        if pool is None:
            return slices, need
        if pool.units > 0 and need > 0 and pool.first is not None:
            units = min(need, pool.units)
            cost = pool.cost if units == pool.units else pool.cost * units / pool.units
            slices.append(
                Lot(pool.first.acquired, key[1], units, cost, pool.first.source, POOL_WALLET)
            )
            pool.units -= units
            pool.cost -= cost
            need -= units
            self._record(key, pool, -units, -cost, "")
        while need > 0 and pool.unknown:
            lot = pool.unknown[0]
            if lot.quantity <= need:
                pool.unknown.pop(0)
                slices.append(lot)
                need -= lot.quantity
            else:
                slices.append(
                    Lot(
                        lot.acquired,
                        lot.asset,
                        need,
                        ZERO,
                        lot.source,
                        lot.wallet,
                        basis_known=False,
                    )
                )
                pool.unknown[0] = Lot(
                    lot.acquired,
                    lot.asset,
                    lot.quantity - need,
                    ZERO,
                    lot.source,
                    lot.wallet,
                    basis_known=False,
                )
                need = ZERO
        return slices, need

    def adjust(self, key: Key, amount: Decimal, action: str) -> None:
        """Add ``amount`` to the pool's cost (a denied superficial loss, s.53(1)(f))."""
        pool = self.pools.setdefault(key, Pool())
        pool.cost += amount
        self._record(key, pool, ZERO, amount, action)

    def held(self, key: Key) -> Decimal:
        """Units held under ``key``."""
        pool = self.pools.get(key)
        if pool is None:
            return ZERO
        return pool.units + sum((lot.quantity for lot in pool.unknown), ZERO)

    def _lots(self) -> list[Lot]:
        lots: list[Lot] = []
        for key in sorted(self.pools):
            pool = self.pools[key]
            known = pool.lot(key[1])
            if known is not None:
                lots.append(known)
            lots.extend(pool.unknown)
        return lots

    def drain(self) -> list[Lot]:
        """Remove and return every pool as lots (used only when the scope changes)."""
        lots = self._lots()
        self.pools.clear()
        return lots

    def __iter__(self) -> Iterator[Lot]:
        return iter(self._lots())


@dataclass(frozen=True, slots=True)
class Window:
    """The superficial-loss facts of one disposal: units acquired in the window (P), units
    held at its end (B), and the window's first and last local dates."""

    acquired: Decimal
    held_at_end: Decimal
    start: date
    end: date


def unit_change(event: Event) -> tuple[Decimal, Decimal, Decimal]:
    """(units acquired, units disposed of, other units out) of one event, for pooled strategies.

    Matches how ``Run`` moves units under universal scope: a transfer between wallets changes
    nothing except the units lost on the way (a disposal).
    """
    kind = event.kind
    if kind is EventKind.ACQUIRE:
        return (event.quantity, ZERO, ZERO) if event.component != "loan" else (ZERO, ZERO, ZERO)
    if kind is EventKind.DISPOSE:
        return ZERO, event.quantity, ZERO
    if kind is EventKind.SEND:
        return ZERO, max(event.quantity - event.received, ZERO), ZERO
    if kind is EventKind.SETTLE and event.lots:
        if event.credit:
            return event.quantity, ZERO, ZERO
        return (ZERO, event.quantity, ZERO) if not event.par else (ZERO, ZERO, event.quantity)
    return ZERO, ZERO, ZERO


def _holding_change(event: Event) -> Decimal:
    """Change of units held (all wallets) by one event, including loans and unknown deposits."""
    kind = event.kind
    if kind in (EventKind.ACQUIRE, EventKind.ADD_UNKNOWN):
        return event.quantity
    if kind in (EventKind.DISPOSE, EventKind.REMOVE):
        return -event.quantity
    if kind is EventKind.SEND:
        return -max(event.quantity - event.received, ZERO)
    if kind is EventKind.SETTLE and event.lots:
        return event.quantity if event.credit else -event.quantity
    return ZERO


def superficial_facts(
    events: Sequence[Event], day_of: Callable[[datetime], date], rule: DisallowanceRule
) -> dict[int, Window]:
    """P and B for every disposal event (by index in ``events``), from units alone.

    Args:
        events: the run's events, sorted by time.
        day_of: local date of a timestamp (the rule's zone).
        rule: the ``loss_disallowance`` section.

    Returns:
        The window facts per disposal event index.
    """
    days: dict[str, list[date]] = defaultdict(list)
    held: dict[str, list[Decimal]] = defaultdict(list)
    acquired_days: dict[str, list[date]] = defaultdict(list)
    acquired_sums: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO])
    disposals: list[tuple[int, str, date]] = []
    running: dict[str, Decimal] = defaultdict(Decimal)
    for index, event in enumerate(events):
        change = _holding_change(event)
        if change == 0:
            continue
        day = day_of(event.timestamp)
        asset = event.asset
        running[asset] += change
        days[asset].append(day)
        held[asset].append(running[asset])
        acquired, disposed, _ = unit_change(event)
        if acquired > 0:
            acquired_days[asset].append(day)
            acquired_sums[asset].append(acquired_sums[asset][-1] + acquired)
        if disposed > 0:
            disposals.append((index, asset, day))
    facts: dict[int, Window] = {}
    before = timedelta(days=rule.window_before_days)
    after = timedelta(days=rule.window_after_days)
    for index, asset, day in disposals:
        start, end = day - before, day + after
        bought = acquired_days[asset]
        sums = acquired_sums[asset]
        low, high = bisect_left(bought, start), bisect_right(bought, end)
        last = bisect_right(days[asset], end) - 1
        at_end = held[asset][last] if last >= 0 else ZERO
        facts[index] = Window(sums[high] - sums[low], max(at_end, ZERO), start, end)
    return facts


def denied_loss(loss: Decimal, units: Decimal, window: Window, require_held: bool) -> Decimal:
    """The superficial part of a loss: ``loss * min(S, P, B) / S`` (reference §4).

    Args:
        loss: the loss, as a positive amount.
        units: S, the units disposed of.
        window: P and B of the disposal.
        require_held: ``loss_disallowance.require_held_at_window_end``.

    Returns:
        The denied amount, from 0 to ``loss``.
    """
    if units <= 0 or loss <= 0:
        return ZERO
    substituted = min(units, window.acquired)
    if require_held:
        substituted = min(substituted, window.held_at_end)
    if substituted >= units:
        return loss  # wholly superficial: exactly the loss, with no rounding in between
    return min(loss, loss * max(substituted, ZERO) / units)
