"""What the user holds while the events run: the lot book (or the pools), units per wallet,
and the running totals the books are checked against at the end.

The book is a ``LotBook`` (US, DE: lots matched by a method) or a ``PoolBook`` (UK section 104
pooling, Canadian and Australian average cost); both take the same calls. Under a
``wallet`` basis scope lots are kept per (wallet, asset), under ``universal`` per asset.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from taxloss.engine.average_cost import PoolBook
from taxloss.engine.events import Event
from taxloss.engine.lots import Key, LotBook
from taxloss.engine.notes import Notes
from taxloss.engine.uk_pooling import UkPlan
from taxloss.model import BasisScope, EventKind, Lot, Matching, Method, Notice, Rule
from taxloss.money import plain

#: The wallet scope, as a name of this module: looking an enum member up on its class costs
#: several times a global's lookup, and ``add`` and ``key`` run for every event.
WALLET = BasisScope.WALLET

#: How each event kind is named in a pool's audit trail (``Report.pool_history``).
ACTIONS = {
    EventKind.ACQUIRE: "acquisition",
    EventKind.ADD_UNKNOWN: "deposit, basis unknown",
    EventKind.DISPOSE: "disposal",
    EventKind.SEND: "transfer fee (disposal)",
    EventKind.REMOVE: "units out (not a disposal)",
    EventKind.SETTLE: "settlement",
}


class Holdings:
    """The book, the wallets' balances, units gone outside the data, and units and basis in
    (acquired) and out without a row (consumed) per asset."""

    def __init__(self, rule: Rule, method: Method | Matching, notes: Notes) -> None:
        self.notes = notes
        self.book: LotBook | PoolBook
        if rule.matching is Matching.LOTS:
            self.book = LotBook(method if isinstance(method, Method) else Method.FIFO)
        else:
            self.book = PoolBook()
        #: The book is a ``PoolBook`` (UK pooling, average cost), not the lot matcher.
        self.pooled = isinstance(self.book, PoolBook)
        #: The book when it is the lot matcher (else None), for the calls only it has.
        self.lots = self.book if isinstance(self.book, LotBook) else None
        #: The basis scope in force (``None`` before the first event; ``ScopeSwitch`` sets it).
        self.scope: BasisScope | None = None
        #: The UK same-day and 30-day plan (``None`` unless the rule pools the UK way).
        self.uk_plan: UkPlan | None = None
        self.balances: dict[Key, Decimal] = defaultdict(Decimal)
        self.negative_seen: set[Key] = set()
        self.external: list[Lot] = []
        self.acquired_units: dict[str, Decimal] = defaultdict(Decimal)
        self.acquired_basis: dict[str, Decimal] = defaultdict(Decimal)
        self.consumed_units: dict[str, Decimal] = defaultdict(Decimal)
        self.consumed_basis: dict[str, Decimal] = defaultdict(Decimal)

    def key(self, wallet: str, asset: str) -> Key:
        """The book key for a wallet and asset under the current scope."""
        return (wallet, asset) if self.scope is WALLET else ("", asset)

    def at(self, event: Event) -> None:
        """Tell a pool book which event its next changes belong to (its audit trail)."""
        if isinstance(self.book, PoolBook):
            self.book.at(event.timestamp, event.source, ACTIONS.get(event.kind, event.kind.value))

    def add(self, event: Event, cost_basis: Decimal, basis_known: bool, index: int) -> None:
        """Record the lot event ``index`` acquires (for the conservation check) and hold it.

        Under UK pooling, the share of an acquisition matched with a disposal (same day or 30
        days) was already used by that disposal: only the rest enters the section 104 pool.
        """
        asset, quantity, wallet = event.asset, event.quantity, event.wallet
        self.acquired_units[asset] += quantity
        self.acquired_basis[asset] += cost_basis
        if self.uk_plan is not None and basis_known:
            share = self.uk_plan.pooled_share(index)
            if share <= 0:
                return
            if share < 1:
                quantity, cost_basis = quantity * share, cost_basis * share
        key = (wallet, asset) if self.scope is WALLET else ("", asset)  # (``key``, inlined)
        part = (event.timestamp, asset, quantity, cost_basis, event.source, wallet, basis_known)
        if self.lots is not None:  # no Lot record: the lot book keeps the part
            self.lots.add_part(key, part)
        else:
            self.book.add(key, Lot(*part))

    def assumed(self, asset: str, units: Decimal, basis: Decimal) -> None:
        """Units that enter the books without an acquisition row (a debt's units, units
        assumed bought at par, zero-basis filler): counted as acquired."""
        self.acquired_units[asset] += units
        self.acquired_basis[asset] += basis

    def consume(self, slices: list[Lot]) -> None:
        """Units that leave the books without a Form 8949 row of their own (their basis is
        carried by a position row or an expense)."""
        for piece in slices:
            self.consumed_units[piece.asset] += piece.quantity
            self.consumed_basis[piece.asset] += piece.cost_basis

    def went_negative(self, key: Key, event: Event) -> None:
        """A wallet's balance went below zero: warn once per (wallet, asset) in universal
        scope, where basis came from other wallets."""
        if key in self.negative_seen:
            return
        self.negative_seen.add(key)
        if self.scope is BasisScope.UNIVERSAL:
            wallet, asset = key
            self.notes.warnings.append(
                Notice(
                    "negative_wallet_balance",
                    f"{wallet} holds {plain(self.balances[key])} {asset} after this row: the "
                    "data for this wallet is incomplete (basis was taken from other wallets "
                    "under universal identification)",
                    event.source,
                )
            )
