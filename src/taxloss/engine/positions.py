"""Derivative and margin positions (issue #4): the cash flows of one position (or of one
contract on one day, when the export has no position ids) become one Form 8949 row whose
proceeds are the credits and basis the debits, so its gain is the net realized PnL; each
contract's yearly total is reconciled with the exchange's own figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from taxloss.engine.dates import Dates
from taxloss.engine.events import Event
from taxloss.engine.notes import Notes
from taxloss.model import Disposal, DisposalKind, Notice, Rule, SourceRef
from taxloss.money import ZERO

#: Issue #4: a per-contract, per-year difference above a cent is reported.
RECONCILE_TOLERANCE = Decimal("0.01")

CONTRACT_SUFFIXES = ("-PERP", "_PERP", "-SWAP", "PERP")


@dataclass
class Position:
    """The flows of one derivative position (or one contract on one day) before it becomes a
    Form 8949 row: proceeds are the credits, basis the debits, so gain = net realized PnL."""

    contract: str
    wallet: str
    first_source: SourceRef
    close_source: SourceRef | None = None
    last_source: SourceRef | None = None
    proceeds: Decimal = ZERO
    basis: Decimal = ZERO
    fees: Decimal = ZERO
    exchange: Decimal = ZERO
    size: Decimal = ZERO
    opened: datetime | None = None
    last: datetime | None = None
    close_at: datetime | None = None
    liquidated: bool = False
    has_ids: bool = False
    sides: set[str] = field(default_factory=set)
    parts: set[str] = field(default_factory=set)

    def add(self, event: Event, amount: Decimal) -> None:
        """Add one flow (``amount`` = proceeds for a credit, basis for a debit)."""
        if event.credit:
            self.proceeds += amount
            self.exchange += event.value
        else:
            self.basis += amount
            self.exchange -= event.value
            if event.component in ("commission", "insurance"):
                self.fees += event.value
        self.parts.add(event.component)
        self.size += event.size
        self.liquidated = self.liquidated or event.liquidation
        self.has_ids = self.has_ids or "|id:" in event.group
        if event.side:
            self.sides.add(event.side)
        if event.acquired is not None and (self.opened is None or event.acquired < self.opened):
            self.opened = event.acquired
        self.last, self.last_source = event.timestamp, event.source
        if event.component in ("pnl", "liquidation"):
            self.close_at, self.close_source = event.timestamp, event.source

    @property
    def closed(self) -> datetime:
        """When the position was closed: its last closing fill, else its last flow."""
        moment = self.close_at or self.last
        assert moment is not None
        return moment

    def describe(self) -> str:
        """Form 8949 column (a), e.g. ``BTCUSDT perpetual, long, liquidated``."""
        name = self.contract
        kind = "futures"
        for suffix in CONTRACT_SUFFIXES:
            if name.upper().endswith(suffix):
                name, kind = name[: -len(suffix)], "perpetual"
                break
        if name.upper().endswith("-MARGIN"):
            name, kind = name[: -len("-MARGIN")], "margin position"
        words = [f"{name} {kind}"]
        if len(self.sides) == 1:
            words.append(next(iter(self.sides)))
        if self.liquidated:
            words.append("liquidated")
        elif not self.parts & {"pnl", "liquidation"}:
            words.append("funding and fees")
        return ", ".join(words)


class Positions:
    """The open and closed positions of a run, by flow group (``Event.group``)."""

    def __init__(self, rule: Rule, dates: Dates, notes: Notes) -> None:
        self.rule = rule
        self.dates = dates
        self.notes = notes
        self.groups: dict[str, Position] = {}

    def add(self, event: Event, amount: Decimal) -> None:
        """Add one flow to its position (opened by its first flow)."""
        group = self.groups.get(event.group)
        if group is None:
            group = self.groups[event.group] = Position(event.contract, event.wallet, event.source)
        group.add(event, amount)

    def rows(self) -> list[Disposal]:
        """One Form 8949 row per position group (issue #4), plus the reconciliation."""
        dates = self.dates
        rows: list[Disposal] = []
        exchange_totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        our_totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        aggregated: set[str] = set()
        for group in self.groups.values():
            closed = group.closed
            disposed_on = dates.day(closed)
            acquired = group.opened or closed
            acquired_on = dates.day(acquired)
            term, tax_year, box, discount, exempt = dates.row_facts(acquired_on, disposed_on)
            if not group.has_ids:
                aggregated.add(group.contract)
            rows.append(
                Disposal(
                    asset=group.contract, quantity=group.size, acquired=acquired,
                    disposed=closed, acquired_on=acquired_on, disposed_on=disposed_on,
                    proceeds=group.proceeds, cost_basis=group.basis, term=term,
                    tax_year=tax_year, box=box, wallet=group.wallet, kind=DisposalKind.POSITION,
                    sale_source=group.close_source or group.last_source or group.first_source,
                    lot_source=group.first_source,
                    description=group.describe(), liquidation=group.liquidated, fee=group.fees,
                    discount=discount, exempt=exempt,
                )
            )  # fmt: skip
            exchange_totals[(group.contract, tax_year)] += group.exchange
            our_totals[(group.contract, tax_year)] += group.proceeds - group.basis
        for contract in sorted(aggregated):
            self.notes.warnings.append(
                Notice("positions_aggregated", f"{contract}: the export has no position ids, so "
                       "its results are aggregated per contract per day (one Form 8949 row "
                       "per contract and day)")
            )  # fmt: skip
        for (contract, year), ours in sorted(our_totals.items()):
            theirs = exchange_totals[(contract, year)]
            if abs(ours - theirs) > RECONCILE_TOLERANCE:
                self.notes.warnings.append(
                    Notice("reconciliation", f"{contract} {year}: realized total here "
                           f"{ours:.2f} {self.rule.fiat} differs from the exchange's own PnL, "
                           f"fee and funding rows, {theirs:.2f} {self.rule.fiat} (the "
                           "settlement coin's lots were not all at par, or its balance went "
                           "negative)")
                )  # fmt: skip
        return rows
