"""Loss disallowance windows: the Canadian superficial-loss rule (reference §4).

The windows (units bought within 30 days either side of a loss, and held at the window's end)
are planned once over the sorted events (``average_cost.superficial_facts``); a disposal at a
loss then has the superficial part of its loss denied and added to the pool's cost.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from taxloss.engine.average_cost import PoolBook, Window, denied_loss
from taxloss.engine.events import Event
from taxloss.engine.holdings import Holdings
from taxloss.model import Disposal, Rule
from taxloss.money import ZERO


class Disallowance:
    """The windows of a run, by event index (empty when the rule denies no loss this way)."""

    def __init__(self, rule: Rule, holdings: Holdings) -> None:
        self.rule = rule
        self.holdings = holdings
        self.windows: dict[int, Window] = {}

    def deny(
        self, event: Event, quantity: Decimal, index: int, disposals: list[Disposal], first_row: int
    ) -> None:
        """Reference §4: deny the superficial part of this disposal's loss, ``min(S, P, B)/S``,
        and add it to the pool's cost (``loss_disallowance``). The denied amount is the rows'
        adjustment (a loss is reduced, as on Form 8949 code W) and their ``denied_loss``; the
        rows of this disposal are ``disposals[first_row:]``."""
        window = self.windows.get(index)
        rows = disposals[first_row:]
        if window is None or not rows or any(row.missing_basis for row in rows):
            return
        gain = sum((row.proceeds - row.cost_basis for row in rows), ZERO)
        held = self.rule.disallowance.require_held_at_window_end
        denied = denied_loss(-gain, quantity, window, held)
        if denied <= 0:
            return
        left = denied
        for offset, row in enumerate(rows):
            part = left if offset == len(rows) - 1 else denied * row.quantity / quantity
            left -= part
            disposals[first_row + offset] = replace(
                row, adjustment=row.adjustment + part, denied_loss=part
            )
        book = self.holdings.book
        if isinstance(book, PoolBook):
            book.adjust(("", event.asset), denied, "superficial loss added to cost")
            self.holdings.acquired_basis[event.asset] += denied
