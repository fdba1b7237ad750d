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

from taxloss.model import Lot, Method, SourceRef

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: A lot's sort key from (acquired, quantity, cost_basis, source).
OrderKey = Callable[[datetime, Decimal, Decimal, SourceRef], tuple[Any, ...]]

#: A slice of a lot as the matcher hands it out, in ``Lot``'s field order (``Lot(*part)`` makes
#: the record): (acquired, asset, quantity, cost_basis, source, wallet, basis_known). A plain
#: tuple, not a record: a large history takes hundreds of thousands of slices, and most of them
#: only become Form 8949 rows.
Part = tuple[datetime, str, Decimal, Decimal, SourceRef, str, bool]


def _micros(moment: datetime) -> int:
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _fifo(
    acquired: datetime, quantity: Decimal, basis: Decimal, source: SourceRef
) -> tuple[Any, ...]:
    return (_micros(acquired), source.path, source.line)


def _lifo(
    acquired: datetime, quantity: Decimal, basis: Decimal, source: SourceRef
) -> tuple[Any, ...]:
    return (-_micros(acquired), source.path, source.line)


def _hifo(
    acquired: datetime, quantity: Decimal, basis: Decimal, source: SourceRef
) -> tuple[Any, ...]:
    per_unit = basis / quantity if quantity else Decimal(0)
    return (-per_unit, _micros(acquired), source.path, source.line)


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


def as_part(lot: Lot) -> Part:
    """A lot as a matcher slice."""
    return (lot.acquired, lot.asset, lot.quantity, lot.cost_basis, lot.source, lot.wallet,
            lot.basis_known)  # fmt: skip


class LotBook:
    """Open lots grouped by a key (``(wallet, asset)``, or ``("", asset)`` when universal).

    Each key holds a heap of entries ``[*order, sequence, *part]``: the method's sort key
    (flattened, so the heap compares plain numbers and strings), an insertion number (ties;
    the heap never compares further), then the lot's fields. An entry is a list so that
    taking part of the first lot updates its quantity and basis in place (what is left keeps
    the lot's own sort key, so the heap stays valid); ``Lot`` records are made only for lots
    that leave the book whole (``take``, ``drain``, iteration).
    """

    def __init__(self, method: Method) -> None:
        self.order = ORDERINGS[method]
        self.heaps: dict[Key, list[list[Any]]] = {}
        self._seq = 0

    def add(self, key: Key, lot: Lot) -> None:
        """Add a lot under ``key``."""
        self.add_units(key, *as_part(lot))

    def add_units(
        self,
        key: Key,
        acquired: datetime,
        asset: str,
        quantity: Decimal,
        cost_basis: Decimal,
        source: SourceRef,
        wallet: str,
        basis_known: bool = True,
    ) -> None:
        """Add a lot under ``key``, given by its fields (no ``Lot`` record is made)."""
        self._seq += 1
        entry = [*self.order(acquired, quantity, cost_basis, source), self._seq, acquired, asset,
                 quantity, cost_basis, source, wallet, basis_known]  # fmt: skip
        heapq.heappush(self.heaps.setdefault(key, []), entry)

    def take_parts(self, key: Key, quantity: Decimal) -> tuple[list[Part], Decimal]:
        """Remove ``quantity`` units in method order, splitting the last lot if needed.

        Args:
            key: which group of lots.
            quantity: units wanted (positive).

        Returns:
            The slices taken (each with its share of basis) and the shortfall (zero when
            enough units were held).
        """
        heap = self.heaps.get(key)
        parts: list[Part] = []
        need = quantity
        while need > 0 and heap:
            entry = heap[0]
            held = entry[_QUANTITY]
            if held <= need:
                heapq.heappop(heap)
                parts.append(tuple(entry[_PART:]))
                need -= held
            else:
                basis = entry[_BASIS]
                taken_basis = basis * need / held
                acquired, asset, _, _, source, wallet, known = entry[_PART:]
                parts.append((acquired, asset, need, taken_basis, source, wallet, known))
                entry[_QUANTITY] = held - need
                entry[_BASIS] = basis - taken_basis
                need = Decimal(0)
        return parts, need

    def take(self, key: Key, quantity: Decimal) -> tuple[list[Lot], Decimal]:
        """``take_parts``, with each slice as a ``Lot``."""
        parts, short = self.take_parts(key, quantity)
        return [Lot(*part) for part in parts], short

    def held(self, key: Key) -> Decimal:
        """Units held under ``key``."""
        return sum((entry[_QUANTITY] for entry in self.heaps.get(key, ())), Decimal(0))

    def drain(self) -> list[Lot]:
        """Remove and return every lot, in a deterministic order (key, then method order)."""
        lots = list(self)
        self.heaps.clear()
        return lots

    def __iter__(self) -> Iterator[Lot]:
        for key in sorted(self.heaps):
            for entry in sorted(self.heaps[key], key=lambda e: e[:_PART]):
                yield Lot(*entry[_PART:])


#: Where a heap entry's lot fields start (counted from the end: sort keys differ in length),
#: and where its quantity and basis are.
_PART = -7
_QUANTITY = -5
_BASIS = -4
