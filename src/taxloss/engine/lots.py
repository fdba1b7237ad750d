"""The lot matcher: one book of lots, one matcher, and each method is just an ordering key.

FIFO takes the oldest acquisition first, LIFO the newest, HIFO the highest basis per unit
(acquisition fees included, as they are part of the basis); ties break by acquisition time,
then by source row. Splitting a lot takes ``basis * taken / quantity`` and leaves the rest, so
basis is conserved exactly.
Must not import anything but ``taxloss.model`` and the standard library.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from taxloss.model import Lot, Method

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

OrderKey = Callable[[Lot], tuple[Any, ...]]


def _micros(moment: datetime) -> int:
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _fifo(lot: Lot) -> tuple[Any, ...]:
    return (_micros(lot.acquired), lot.source.path, lot.source.line)


def _lifo(lot: Lot) -> tuple[Any, ...]:
    return (-_micros(lot.acquired), lot.source.path, lot.source.line)


def _hifo(lot: Lot) -> tuple[Any, ...]:
    per_unit = lot.cost_basis / lot.quantity if lot.quantity else Decimal(0)
    return (-per_unit, _micros(lot.acquired), lot.source.path, lot.source.line)


ORDERINGS: dict[Method, OrderKey] = {
    Method.FIFO: _fifo,
    Method.LIFO: _lifo,
    Method.HIFO: _hifo,
}

Key = tuple[str, str]


def resized(lot: Lot, quantity: Decimal, cost_basis: Decimal) -> Lot:
    """A copy of ``lot`` with another quantity and basis (faster than dataclasses.replace)."""
    return Lot(lot.acquired, lot.asset, quantity, cost_basis, lot.source, lot.wallet,
               lot.basis_known)  # fmt: skip


class LotBook:
    """Open lots grouped by a key (``(wallet, asset)``, or ``("", asset)`` when universal)."""

    def __init__(self, method: Method) -> None:
        self.order = ORDERINGS[method]
        self.heaps: dict[Key, list[tuple[tuple[Any, ...], int, Lot]]] = {}
        self._seq = 0

    def add(self, key: Key, lot: Lot) -> None:
        """Add a lot under ``key``."""
        self._seq += 1
        heapq.heappush(self.heaps.setdefault(key, []), (self.order(lot), self._seq, lot))

    def take(self, key: Key, quantity: Decimal) -> tuple[list[Lot], Decimal]:
        """Remove ``quantity`` units in method order, splitting the last lot if needed.

        Args:
            key: which group of lots.
            quantity: units wanted (positive).

        Returns:
            The slices taken (each a ``Lot`` with its share of basis) and the shortfall (zero
            when enough units were held).
        """
        heap = self.heaps.get(key)
        slices: list[Lot] = []
        need = quantity
        while need > 0 and heap:
            order, seq, lot = heap[0]
            if lot.quantity <= need:
                heapq.heappop(heap)
                slices.append(lot)
                need -= lot.quantity
            else:
                taken_basis = lot.cost_basis * need / lot.quantity
                slices.append(resized(lot, need, taken_basis))
                rest = resized(lot, lot.quantity - need, lot.cost_basis - taken_basis)
                heap[0] = (order, seq, rest)  # same key: the heap property still holds
                need = Decimal(0)
        return slices, need

    def held(self, key: Key) -> Decimal:
        """Units held under ``key``."""
        return sum((entry[2].quantity for entry in self.heaps.get(key, ())), Decimal(0))

    def drain(self) -> list[Lot]:
        """Remove and return every lot, in a deterministic order (key, then method order)."""
        lots: list[Lot] = []
        for key in sorted(self.heaps):
            heap = self.heaps[key]
            lots.extend(entry[2] for entry in sorted(heap, key=lambda e: (e[0], e[1])))
        self.heaps.clear()
        return lots

    def __iter__(self) -> Iterator[Lot]:
        for key in sorted(self.heaps):
            for entry in sorted(self.heaps[key], key=lambda e: (e[0], e[1])):
                yield entry[2]
