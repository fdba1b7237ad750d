"""Transfers in flight: units that left one wallet and have not yet arrived in another.

Under a ``wallet`` basis scope the lots themselves travel (they arrive with their original
dates and basis); under ``universal`` only the units are counted. A deposit stamped at the
same second as its withdrawal may come first in the sorted events: it waits for the departure.
"""

from __future__ import annotations

from decimal import Decimal

from taxloss.engine.events import Event
from taxloss.model import Lot


class Transit:
    """Transfers in flight, by transfer number (``Event.transfer``)."""

    def __init__(self) -> None:
        #: The lots travelling with each transfer (wallet scope only).
        self.lots: dict[int, list[Lot]] = {}
        #: The asset and units each transfer in flight will deliver (its destination wallet is
        #: not known yet).
        self.dest: dict[int, tuple[str, Decimal]] = {}
        self.early: dict[int, Event] = {}
        self.sent: set[int] = set()

    def depart(
        self, number: int, lots: list[Lot] | None, asset: str, units: Decimal
    ) -> Event | None:
        """A matched withdrawal left with ``units`` of ``asset`` (and ``lots``, if they
        travel).

        Returns:
            Its deposit, if that came first and waited (to be received now).
        """
        if lots is not None:
            self.lots[number] = lots
        self.dest[number] = (asset, units)
        self.sent.add(number)
        return self.early.pop(number, None)

    def wait(self, event: Event) -> bool:
        """Keep a deposit whose withdrawal has not been applied yet (True if it must wait)."""
        if event.transfer in self.sent:
            return False
        self.early[event.transfer] = event
        return True

    def arrive(self, number: int) -> list[Lot] | None:
        """The lots a transfer delivers (``None`` when only units travelled)."""
        self.dest.pop(number, None)
        return self.lots.pop(number, None)

    def pending(self) -> dict[int, tuple[str, Decimal]]:
        """Transfers in flight that carry no lots (to be given lots at a scope switch)."""
        return {number: dest for number, dest in self.dest.items() if number not in self.lots}

    def hold(self, number: int, lot: Lot) -> None:
        """Give a transfer in flight a lot to deliver."""
        self.lots.setdefault(number, []).append(lot)

    def open_lots(self) -> list[Lot]:
        """The lots in flight, in transfer order."""
        return [lot for number in sorted(self.lots) for lot in self.lots[number]]
