"""The basis scope in force, and the switch between scopes.

A rule's ``basis_scope`` periods say whether lots are identified per wallet or across all
wallets (``universal``) on each date; ``--basis-scope`` forces one scope for all years. At the
first event of a period with another scope the book is re-keyed; from universal to wallet
(the US on 2025-01-01, Rev. Proc. 2024-28) the lots are allocated to the wallets that hold
units, and each allocation is recorded (``Report.allocations``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from taxloss.engine.holdings import Holdings
from taxloss.engine.lots import resized
from taxloss.engine.notes import Notes
from taxloss.engine.transit import Transit
from taxloss.model import Allocation, BasisScope, Lot, Notice, Rule
from taxloss.money import ZERO, plain

ALLOCATION_RULE = (
    "Rev. Proc. 2024-28 allocation at 2025-01-01: each wallet first takes lots acquired in it, "
    "oldest first; remaining lots, oldest first, fill the remaining balances of wallets in "
    "name order"
)


class ScopeSwitch:
    """Which scope holds on a date, and the re-keying or allocation when it changes."""

    def __init__(
        self,
        rule: Rule,
        forced: BasisScope | None,
        notes: Notes,
        holdings: Holdings,
        transit: Transit,
    ) -> None:
        self.rule = rule
        self.forced = forced
        self.notes = notes
        self.holdings = holdings
        self.transit = transit
        #: The scope per local date seen (``Run.apply`` reads it directly).
        self.cache: dict[date, BasisScope] = {}
        self.allocations: list[Allocation] = []

    def on(self, day: date) -> BasisScope:
        """The basis scope in force on a local date (``basis_scope`` periods of the rule)."""
        if self.forced is not None:
            return self.forced
        found = self.cache.get(day)
        if found is None:
            found = self.cache[day] = self._period_scope(day)
        return found

    def _period_scope(self, day: date) -> BasisScope:
        periods = self.rule.scope_periods
        for period in periods:
            if (period.start is None or day >= period.start) and (
                period.end is None or day <= period.end
            ):
                return period.scope
        return (
            periods[0].scope if periods[0].start and day < periods[0].start else periods[-1].scope
        )

    def switch(self, scope: BasisScope, moment: datetime) -> None:
        """Change basis scope; from universal to wallet, allocate lots to wallets."""
        holdings = self.holdings
        previous, holdings.scope = holdings.scope, scope
        lots = holdings.book.drain()
        if previous is None or previous is BasisScope.WALLET or scope is BasisScope.UNIVERSAL:
            for lot in lots:
                holdings.book.add(holdings.key(lot.wallet, lot.asset), lot)
            return
        self.allocate(lots, moment)

    def allocate(self, lots: list[Lot], moment: datetime) -> None:
        """Give each wallet lots covering the units it holds (see ``ALLOCATION_RULE``)."""
        needs: dict[tuple[str, str], Decimal] = {}
        for (wallet, asset), units in sorted(self.holdings.balances.items()):
            if units > 0:
                needs[(wallet, asset)] = units
        pending = self.transit.pending()
        lots.sort(key=lambda lot: (lot.acquired, lot.source.path, lot.source.line))
        by_asset: dict[str, list[Lot]] = defaultdict(list)
        for lot in lots:
            by_asset[lot.asset].append(lot)
        for asset, asset_lots in sorted(by_asset.items()):
            self._allocate_asset(asset, asset_lots, needs, pending, moment)

    def _allocate_asset(
        self,
        asset: str,
        lots: list[Lot],
        needs: dict[tuple[str, str], Decimal],
        pending: dict[int, tuple[str, Decimal]],
        moment: datetime,
    ) -> None:
        # Only the transfers of this asset take its lots.
        transit_needs = {n: q for n, (a, q) in pending.items() if a == asset}
        placed: list[tuple[str | int, Lot]] = []
        leftovers: list[Lot] = []
        # Pass 1: lots stay in the wallet where they were acquired, if it still holds units.
        for lot in lots:
            want = needs.get((lot.wallet, asset), ZERO)
            if want <= 0:
                leftovers.append(lot)
                continue
            part, rest = _split(lot, min(want, lot.quantity))
            placed.append((lot.wallet, part))
            needs[(lot.wallet, asset)] = want - part.quantity
            if rest is not None:
                leftovers.append(rest)
        # Pass 2: the rest, oldest first, to wallets (by name) then to transfers in transit.
        targets: list[str | int] = [
            w for (w, a), q in sorted(needs.items()) if a == asset and q > 0
        ]
        targets += sorted(n for n, q in transit_needs.items() if q > 0)
        queue = list(leftovers)
        leftovers = []
        for target in targets:
            want = needs[(target, asset)] if isinstance(target, str) else transit_needs[target]
            while want > 0 and queue:
                lot = queue.pop(0)
                part, rest = _split(lot, min(want, lot.quantity))
                placed.append((target, part))
                want -= part.quantity
                if rest is not None:
                    queue.insert(0, rest)
            if isinstance(target, str):
                needs[(target, asset)] = want
            else:
                transit_needs[target] = want
            if want > 0:
                self.notes.warnings.append(
                    Notice(
                        "allocation_short",
                        f"at the switch to wallet-by-wallet basis, "
                        f"{target} held {plain(want)} {asset} more than any remaining lot "
                        "covers: a later sale there will fail unless the purchase is added",
                    )
                )
        for lot in queue:  # more lots than units held: keep them where they were acquired
            placed.append((lot.wallet, lot))
            self.notes.warnings.append(
                Notice(
                    "allocation_excess",
                    f"at the switch to wallet-by-wallet basis, "
                    f"{plain(lot.quantity)} {asset} of lot {lot.source} had no wallet "
                    f"holding it; left in {lot.wallet}",
                    lot.source,
                )
            )
        holdings = self.holdings
        for target, lot in placed:
            if isinstance(target, int):
                self.transit.hold(target, lot)
                wallet = f"(in transit, transfer {target + 1})"
            else:
                lot = replace(lot, wallet=target)
                holdings.book.add(holdings.key(target, asset), lot)
                wallet = target
            self.allocations.append(
                Allocation(
                    wallet,
                    asset,
                    lot.quantity,
                    lot.cost_basis,
                    lot.acquired,
                    lot.source,
                    ALLOCATION_RULE,
                )
            )


def _split(lot: Lot, quantity: Decimal) -> tuple[Lot, Lot | None]:
    """Split ``quantity`` units off a lot, basis pro rata; returns (part, rest or None)."""
    if quantity >= lot.quantity:
        return lot, None
    basis = lot.cost_basis * quantity / lot.quantity
    return resized(lot, quantity, basis), resized(
        lot, lot.quantity - quantity, lot.cost_basis - basis
    )
