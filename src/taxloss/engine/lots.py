"""The lot matcher: one book of lots, one matcher, and each method is just an ordering key.

FIFO takes the oldest acquisition first, LIFO the newest, HIFO the highest basis per unit
(acquisition fees included, as they are part of the basis); ties break by acquisition time,
then by source row. Splitting a lot takes ``basis * taken / quantity`` and leaves the rest, so
basis is conserved exactly.
Must not import anything but ``taxloss.model`` and the standard library.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from heapq import heappop, heappush
from typing import Any

from taxloss.model import Lot, Method, SourceRef

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: Zero, for the matcher's loop (a comparison with a Decimal is cheaper than with an int).
ZERO = Decimal(0)

#: A slice of a lot as the matcher hands it out, in ``Lot``'s field order (``Lot(*part)`` makes
#: the record): (acquired, asset, quantity, cost_basis, source, wallet, basis_known). A plain
#: tuple, not a record: a large history takes hundreds of thousands of slices, and most of them
#: only become Form 8949 rows.
Part = tuple[datetime, str, Decimal, Decimal, SourceRef, str, bool]

#: A lot's heap entry from its part and insertion number: the method's sort key (flattened,
#: so the heap compares plain numbers and strings), the number, then the part (see ``LotBook``).
OrderKey = Callable[[Part, int], list[Any]]


def _micros(moment: datetime) -> int:
    """Microseconds since 1970 (``_fifo`` and ``_lifo`` have it written out)."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _fifo(part: Part, sequence: int) -> list[Any]:
    delta, source = part[0] - EPOCH, part[4]
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return [micros, source.path, source.line, sequence, part]


def _lifo(part: Part, sequence: int) -> list[Any]:
    delta, source = part[0] - EPOCH, part[4]
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return [-micros, source.path, source.line, sequence, part]


def _hifo(part: Part, sequence: int) -> list[Any]:
    acquired, _, quantity, basis, source, _, _ = part
    per_unit = basis / quantity if quantity else Decimal(0)
    return [-per_unit, _micros(acquired), source.path, source.line, sequence, part]


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


def moved(lot: Lot, wallet: str) -> Lot:
    """A copy of ``lot`` in another wallet (faster than dataclasses.replace)."""
    return Lot(lot.acquired, lot.asset, lot.quantity, lot.cost_basis, lot.source, wallet,
               lot.basis_known)  # fmt: skip


def as_part(lot: Lot) -> Part:
    """A lot as a matcher slice."""
    return (lot.acquired, lot.asset, lot.quantity, lot.cost_basis, lot.source, lot.wallet,
            lot.basis_known)  # fmt: skip


class LotBook:
    """Open lots grouped by a key (``(wallet, asset)``, or ``("", asset)`` when universal).

    Each key holds a heap of entries ``[*order, sequence, part]``: the method's sort key
    (flattened, so the heap compares plain numbers and strings), an insertion number (ties;
    the heap never compares further), then the lot as a ``Part``. A lot taken whole leaves
    with its part as it is (no copy); taking part of the first lot replaces the entry's part
    with what is left, in place (it keeps the lot's own sort key, so the heap stays valid).
    ``Lot`` records are made only for lots that leave the book as records (``take``,
    ``drain``, iteration).
    """

    def __init__(self, method: Method) -> None:
        self.order = ORDERINGS[method]
        self.heaps: dict[Key, list[list[Any]]] = {}
        self._seq = 0

    def add(self, key: Key, lot: Lot) -> None:
        """Add a lot under ``key``."""
        self.add_part(key, as_part(lot))

    def add_part(self, key: Key, part: Part) -> None:
        """Add a lot under ``key``, given as a ``Part`` (no ``Lot`` record is made)."""
        self._seq += 1
        heap = self.heaps.get(key)
        if heap is None:
            heap = self.heaps[key] = []
        heappush(heap, self.order(part, self._seq))

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
        while need > ZERO and heap:
            entry = heap[0]
            part = entry[-1]
            held = part[2]
            if held <= need:  # the whole lot: its part leaves as it is
                heappop(heap)
                parts.append(part)
                need -= held
            else:
                acquired, asset, _, basis, source, wallet, known = part
                taken_basis = basis * need / held
                parts.append((acquired, asset, need, taken_basis, source, wallet, known))
                entry[-1] = (acquired, asset, held - need, basis - taken_basis, source, wallet,
                             known)  # fmt: skip
                need = ZERO
        return parts, need

    def take(self, key: Key, quantity: Decimal) -> tuple[list[Lot], Decimal]:
        """``take_parts``, with each slice as a ``Lot``."""
        parts, short = self.take_parts(key, quantity)
        return [Lot(*part) for part in parts], short

    def held(self, key: Key) -> Decimal:
        """Units held under ``key``."""
        return sum((entry[-1][2] for entry in self.heaps.get(key, ())), Decimal(0))

    def drain(self) -> list[Lot]:
        """Remove and return every lot, in a deterministic order (key, then method order)."""
        lots = list(self)
        self.heaps.clear()
        return lots

    def __iter__(self) -> Iterator[Lot]:
        for key in sorted(self.heaps):
            for entry in sorted(self.heaps[key], key=lambda e: e[:-1]):
                yield Lot(*entry[-1])
