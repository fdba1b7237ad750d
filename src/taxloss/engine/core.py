"""The cost-basis computation: trades in, one ``Report`` out.

Pure: no I/O, no clock, no logging. Input order does not matter (trades are stable-sorted by
timestamp and source). The books are checked before returning; a failed check is a bug
(``InternalError``), never shown as the user's mistake.
Must not import pandas, openpyxl, reportlab, click, logging or anything that touches files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from decimal import Decimal

from taxloss.engine.calendar import (
    box_for,
    local_date,
    tax_year_label,
    tax_year_start,
    term_of,
    zone,
)
from taxloss.engine.lots import Key, LotBook, resized
from taxloss.engine.transfers import match_transfers, units_received, units_sent
from taxloss.engine.valuation import value_trades
from taxloss.errors import EngineError, InputError, InternalError, Problem, RuleError
from taxloss.model import (
    Allocation,
    BasisScope,
    Disposal,
    DisposalKind,
    Event,
    EventKind,
    Income,
    Lot,
    Method,
    Notice,
    PriceTable,
    Report,
    Rule,
    SourceRef,
    Term,
    Trade,
    TradeKind,
    Transfer,
)
from taxloss.money import ZERO, engine_context, plain

#: Where units withdrawn to an address outside the data end up (still open, still the user's).
EXTERNAL = "(outside the data)"

#: Books must balance to far below a cent; exact decimals differ only at the 60th digit.
BOOK_TOLERANCE = Decimal("1e-20")

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


ALLOCATION_RULE = (
    "Rev. Proc. 2024-28 allocation at 2025-01-01: each wallet first takes lots acquired in it, "
    "oldest first; remaining lots, oldest first, fill the remaining balances of wallets in "
    "name order"
)


def compute(
    trades: Sequence[Trade],
    rule: Rule,
    method: Method | None = None,
    *,
    prices: PriceTable | None = None,
    basis_scope: BasisScope | None = None,
    timezone: str | None = None,
    allow_missing_basis: bool = False,
) -> Report:
    """Match every disposal to lots and build the report.

    Args:
        trades: validated trades, in any order.
        rule: the jurisdiction rule.
        method: lot-identification method (default: the rule's).
        prices: user prices for rows without a fiat value.
        basis_scope: force one scope for all years (default: the rule's periods).
        timezone: reporting zone for tax dates (default: the rule's).
        allow_missing_basis: give unknown basis zero basis with a warning instead of failing.

    Returns:
        The report: all tax years, all disposals, open lots, transfers and warnings.

    Raises:
        RuleError: the method is not allowed by the rule.
        InputError: rows that need a price.
        EngineError: disposals of units never acquired (unless ``allow_missing_basis``).
    """
    chosen = method or rule.default_method
    if chosen not in rule.methods:
        allowed = ", ".join(m.value for m in rule.methods)
        raise RuleError(f"{rule.path}: methods: {chosen.value!r} is not allowed ({allowed})")
    tz_name = timezone or rule.timezone
    with engine_context():
        ordered = sorted(trades, key=lambda t: (t.timestamp, t.source.path, t.source.line))
        matches = match_transfers(ordered, rule)
        valued = value_trades(ordered, matches, rule, prices or PriceTable(), zone(tz_name))
        if valued.problems:
            raise InputError(valued.problems)
        events = sorted(
            valued.events, key=lambda e: (e.timestamp, e.source.path, e.source.line, e.step)
        )
        run = Run(rule, chosen, zone(tz_name), basis_scope, allow_missing_basis)
        for event in events:
            run.apply(event)
        positions = run.position_rows()
        if run.problems:
            raise EngineError(run.problems)
        run.disposals.extend(positions)
        run.disposals.sort(key=lambda d: (d.disposed, d.sale_source.path, d.sale_source.line))
        run.check_books()
        transfers = _transfers(ordered, matches, rule)
        warnings = run.warnings + valued.notices + _unmatched_notices(transfers)
        return Report(
            rule=rule,
            method=chosen,
            basis_scope=_scope_text(rule, basis_scope),
            timezone=tz_name,
            disposals=tuple(run.disposals),
            open_lots=tuple(run.open_lots()),
            transfers=tuple(transfers),
            allocations=tuple(run.allocations),
            income=tuple(sorted(valued.income + run.income, key=_when)),
            warnings=tuple(warnings),
            assumptions=tuple(valued.assumptions),
            tax_years=tuple(sorted({d.tax_year for d in run.disposals})),
            expenses=tuple(sorted(valued.expenses + run.expenses, key=_when)),
        )


@dataclass
class Run:
    """The state of one pass over the events."""

    rule: Rule
    method: Method
    tz: tzinfo
    forced_scope: BasisScope | None
    allow_missing: bool
    book: LotBook = field(init=False)
    scope: BasisScope | None = None
    disposals: list[Disposal] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    allocations: list[Allocation] = field(default_factory=list)
    balances: dict[Key, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    transit: dict[int, list[Lot]] = field(default_factory=dict)
    transit_dest: dict[int, tuple[str, Decimal]] = field(default_factory=dict)
    external: list[Lot] = field(default_factory=list)
    acquired_units: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    acquired_basis: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    negative_seen: set[Key] = field(default_factory=set)
    consumed_units: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    consumed_basis: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    groups: dict[str, Position] = field(default_factory=dict)
    income: list[Income] = field(default_factory=list)
    expenses: list[Income] = field(default_factory=list)
    _dates: dict[datetime, date] = field(default_factory=dict)
    _labels: dict[tuple[date, Term], tuple[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.book = LotBook(self.method)

    # -- helpers -----------------------------------------------------------------------------

    def day(self, moment: datetime) -> date:
        """Local date of a timestamp (cached: many events share timestamps)."""
        found = self._dates.get(moment)
        if found is None:
            found = self._dates[moment] = local_date(moment, self.tz)
        return found

    def labels(self, disposed_on: date, term: Term) -> tuple[str, str]:
        """Tax-year label and Form 8949 box for a disposal date and term (cached)."""
        found = self._labels.get((disposed_on, term))
        if found is None:
            year = tax_year_start(disposed_on, self.rule)
            found = (tax_year_label(disposed_on, self.rule), box_for(self.rule, year, term))
            self._labels[(disposed_on, term)] = found
        return found

    def scope_on(self, day: date) -> BasisScope:
        """The basis scope in force on a local date (``basis_scope`` periods of the rule)."""
        if self.forced_scope is not None:
            return self.forced_scope
        periods = self.rule.scope_periods
        for period in periods:
            if (period.start is None or day >= period.start) and (
                period.end is None or day <= period.end
            ):
                return period.scope
        return (
            periods[0].scope if periods[0].start and day < periods[0].start else periods[-1].scope
        )

    def key(self, wallet: str, asset: str) -> Key:
        """The lot-book key for a wallet and asset under the current scope."""
        return (wallet, asset) if self.scope is BasisScope.WALLET else ("", asset)

    def new_lot(self, lot: Lot) -> None:
        """Record a lot that enters the books (for the conservation check) and hold it."""
        self.acquired_units[lot.asset] += lot.quantity
        self.acquired_basis[lot.asset] += lot.cost_basis
        self.book.add(self.key(lot.wallet, lot.asset), lot)

    def move_balance(self, wallet: str, asset: str, delta: Decimal, event: Event) -> None:
        """Track units per wallet; warn once when a wallet goes negative in universal scope."""
        key = (wallet, asset)
        self.balances[key] += delta
        if self.balances[key] < 0 and key not in self.negative_seen and delta < 0:
            self.negative_seen.add(key)
            if self.scope is BasisScope.UNIVERSAL:
                self.warnings.append(
                    Notice(
                        "negative_wallet_balance",
                        f"{wallet} holds {plain(self.balances[key])} {asset} after this row: the "
                        "data for this wallet is incomplete (basis was taken from other wallets "
                        "under universal identification)",
                        event.source,
                    )
                )

    # -- events ------------------------------------------------------------------------------

    def apply(self, event: Event) -> None:
        """Apply one event to the books."""
        scope = self.scope_on(self.day(event.timestamp))
        if scope is not self.scope:
            self.switch(scope, event.timestamp)
        kind = event.kind
        if kind is EventKind.ACQUIRE:
            self.new_lot(
                Lot(
                    event.timestamp,
                    event.asset,
                    event.quantity,
                    event.value,
                    event.source,
                    event.wallet,
                )
            )
            self.move_balance(event.wallet, event.asset, event.quantity, event)
        elif kind is EventKind.ADD_UNKNOWN:
            self.new_lot(
                Lot(
                    event.timestamp,
                    event.asset,
                    event.quantity,
                    ZERO,
                    event.source,
                    event.wallet,
                    basis_known=False,
                )
            )
            self.move_balance(event.wallet, event.asset, event.quantity, event)
        elif kind is EventKind.DISPOSE:
            self.dispose(event, event.quantity, event.value)
            self.move_balance(event.wallet, event.asset, -event.quantity, event)
        elif kind is EventKind.SEND:
            self.send(event)
        elif kind is EventKind.RECEIVE:
            self.receive(event)
        elif kind is EventKind.REMOVE:
            slices = self.take(event, event.quantity)
            if event.component == "repay":  # borrowed units handed back: not a disposal
                self.consume(slices)
            else:
                self.external.extend(replace(s, wallet=EXTERNAL) for s in slices)
            self.move_balance(event.wallet, event.asset, -event.quantity, event)
        elif kind is EventKind.SETTLE:
            self.settle(event)
        else:  # pragma: no cover - the enum is closed
            raise InternalError(f"unknown event kind {kind}")

    def take(self, event: Event, quantity: Decimal) -> list[Lot]:
        """Take units for a disposal or move; a shortfall is an error or a flagged zero basis."""
        slices, short = self.book.take(self.key(event.wallet, event.asset), quantity)
        if short > 0:
            where = f"in {event.wallet}" if self.scope is BasisScope.WALLET else "in any wallet"
            message = (
                f"{event.kind.value} of {plain(quantity)} {event.asset} but only "
                f"{plain(quantity - short)} held {where}: {plain(short)} {event.asset} short"
            )
            if event.kind is EventKind.SETTLE:
                what = f"{event.component} of {event.contract}" if event.contract else "interest"
                message = (
                    f"pays {plain(quantity)} {event.asset} ({what}) but only "
                    f"{plain(quantity - short)} held {where}: the balance would go "
                    f"{plain(short)} {event.asset} negative (a debt to the exchange, or a "
                    "missing deposit)"
                )
            par = (
                event.asset in self.rule.usd_equivalent
                and self.rule.unmatched_stablecoin_basis == "par"
                and event.kind is not EventKind.SETTLE  # a loss beyond the balance is a debt
            )
            if par:
                self.warnings.append(
                    Notice("stablecoin_basis_assumed", f"{plain(short)} {event.asset} used here "
                           f"never arrived in the data ({message}): basis taken as 1 "
                           f"{self.rule.fiat} per unit (valuation.unmatched_stablecoin_basis)",
                           event.source)
                )  # fmt: skip
                self.acquired_units[event.asset] += short
                self.acquired_basis[event.asset] += short
                slices.append(Lot(event.timestamp, event.asset, short, short, event.source,
                                  event.wallet))  # fmt: skip
            elif self.allow_missing:
                self.warnings.append(
                    Notice(
                        "missing_basis",
                        message + " (given zero basis: --allow-missing-basis)",
                        event.source,
                    )
                )
                filler = Lot(
                    event.timestamp,
                    event.asset,
                    short,
                    ZERO,
                    event.source,
                    event.wallet,
                    basis_known=False,
                )
                self.acquired_units[event.asset] += short
                slices.append(filler)
            else:
                self.problems.append(
                    Problem(
                        event.source,
                        message + "; add the missing acquisition or deposit, "
                        "or run with --allow-missing-basis",
                    )
                )
        return slices

    def dispose(self, event: Event, quantity: Decimal, proceeds: Decimal) -> None:
        """Dispose of ``quantity`` units for ``proceeds``, one Form 8949 row per lot slice."""
        slices = self.take(event, quantity)
        remaining_proceeds, remaining_fee = proceeds, event.fee
        disposed_on = self.day(event.timestamp)
        for index, piece in enumerate(slices):
            if index == len(slices) - 1:
                share, fee_share = remaining_proceeds, remaining_fee
            else:
                share = proceeds * piece.quantity / quantity
                fee_share = event.fee * piece.quantity / quantity
            remaining_proceeds -= share
            remaining_fee -= fee_share
            missing = not piece.basis_known
            if missing:
                if not self.allow_missing:
                    self.problems.append(
                        Problem(
                            event.source,
                            f"sells {plain(piece.quantity)} {event.asset} "
                            f"received by the unmatched deposit at {piece.source}, whose "
                            "basis is unknown; add the transfer's other side or the "
                            "purchase, or run with --allow-missing-basis",
                        )
                    )
                elif piece.source != event.source:
                    self.warnings.append(
                        Notice(
                            "missing_basis",
                            f"{plain(piece.quantity)} {event.asset} from the "
                            f"unmatched deposit at {piece.source} given zero basis and "
                            "acquired on the sale date (short-term): --allow-missing-basis",
                            event.source,
                        )
                    )
            acquired = event.timestamp if missing else piece.acquired
            acquired_on = disposed_on if missing else self.day(piece.acquired)
            term = term_of(acquired_on, disposed_on, self.rule)
            tax_year, box = self.labels(disposed_on, term)
            self.disposals.append(
                Disposal(
                    asset=event.asset,
                    quantity=piece.quantity,
                    acquired=acquired,
                    disposed=event.timestamp,
                    acquired_on=acquired_on,
                    disposed_on=disposed_on,
                    proceeds=share,
                    cost_basis=piece.cost_basis,
                    term=term,
                    tax_year=tax_year,
                    box=box,
                    wallet=event.wallet,
                    kind=event.disposal_kind,
                    sale_source=event.source,
                    lot_source=piece.source,
                    description=event.description,
                    liquidation=event.liquidation,
                    missing_basis=missing,
                    fee=fee_share,
                )
            )

    def consume(self, slices: list[Lot]) -> None:
        """Units that leave the books without a Form 8949 row of their own (their basis is
        carried by a position row or an expense)."""
        for piece in slices:
            self.consumed_units[piece.asset] += piece.quantity
            self.consumed_basis[piece.asset] += piece.cost_basis

    def settle(self, event: Event) -> Decimal:
        """A derivative or margin cash flow in a settlement coin.

        A credit adds a lot at its value. A debit in a par stablecoin uses up lots at their
        basis, which becomes the position's basis (no second disposal, issue #4); a debit in
        another coin is a disposal of it at fair value (reference §1.10, inverse contracts).
        Funding (if ``derivatives.funding = "ordinary"``) and interest become income or
        expense instead of part of a position.

        Returns:
            The amount counted for the flow (proceeds for a credit, basis for a debit).
        """
        if event.credit:
            if event.lots:
                self.new_lot(Lot(event.timestamp, event.asset, event.quantity, event.value,
                                 event.source, event.wallet))  # fmt: skip
                self.move_balance(event.wallet, event.asset, event.quantity, event)
            amount = event.value
        else:
            if event.lots and event.par:
                slices = self.take(event, event.quantity)
                self.consume(slices)
                amount = sum((piece.cost_basis for piece in slices), ZERO)
            elif event.lots:
                paid = replace(event, disposal_kind=DisposalKind.SETTLEMENT, liquidation=False)
                self.dispose(paid, event.quantity, event.value)
                amount = event.value
            else:
                amount = event.value
            if event.lots:
                self.move_balance(event.wallet, event.asset, -event.quantity, event)
        ordinary = event.component == "interest" or (
            event.component == "funding" and self.rule.funding == "ordinary"
        )
        if ordinary:
            day = self.day(event.timestamp)
            record = Income(event.timestamp, day, tax_year_label(day, self.rule), event.asset,
                            event.quantity, amount, event.wallet, event.source,
                            kind=event.component)  # fmt: skip
            (self.income if event.credit else self.expenses).append(record)
            return amount
        group = self.groups.get(event.group)
        if group is None:
            group = self.groups[event.group] = Position(event.contract, event.wallet, event.source)
        group.add(event, amount)
        return amount

    def position_rows(self) -> list[Disposal]:
        """One Form 8949 row per position group (issue #4), plus the reconciliation."""
        rows: list[Disposal] = []
        exchange_totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        our_totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        aggregated: set[str] = set()
        for group in self.groups.values():
            closed = group.closed
            disposed_on = self.day(closed)
            acquired = group.opened or closed
            acquired_on = self.day(acquired)
            term = term_of(acquired_on, disposed_on, self.rule)
            tax_year, box = self.labels(disposed_on, term)
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
                )
            )  # fmt: skip
            exchange_totals[(group.contract, tax_year)] += group.exchange
            our_totals[(group.contract, tax_year)] += group.proceeds - group.basis
        for contract in sorted(aggregated):
            self.warnings.append(
                Notice("positions_aggregated", f"{contract}: the export has no position ids, so "
                       "its results are aggregated per contract per day (one Form 8949 row "
                       "per contract and day)")
            )  # fmt: skip
        for (contract, year), ours in sorted(our_totals.items()):
            theirs = exchange_totals[(contract, year)]
            if abs(ours - theirs) > RECONCILE_TOLERANCE:
                self.warnings.append(
                    Notice("reconciliation", f"{contract} {year}: realized total here "
                           f"{ours:.2f} {self.rule.fiat} differs from the exchange's own PnL, "
                           f"fee and funding rows, {theirs:.2f} {self.rule.fiat} (the "
                           "settlement coin's lots were not all at par, or its balance went "
                           "negative)")
                )  # fmt: skip
        return rows

    def send(self, event: Event) -> None:
        """A matched withdrawal: the lost units are a fee disposal, the rest go in transit."""
        lost = event.quantity - event.received
        if lost > 0:
            self.dispose(event, lost, event.value)
        if self.scope is BasisScope.WALLET:
            self.transit[event.transfer] = self.take(event, event.received)
        self.transit_dest[event.transfer] = ("", event.received)
        self.move_balance(event.wallet, event.asset, -event.quantity, event)

    def receive(self, event: Event) -> None:
        """A matched deposit: lots in transit arrive with their original dates and basis."""
        lots = self.transit.pop(event.transfer, None)
        self.transit_dest.pop(event.transfer, None)
        if lots is not None:
            for lot in lots:
                moved = replace(lot, wallet=event.wallet)
                self.book.add(self.key(event.wallet, event.asset), moved)
        self.move_balance(event.wallet, event.asset, event.quantity, event)

    # -- scope switch ------------------------------------------------------------------------

    def switch(self, scope: BasisScope, moment: datetime) -> None:
        """Change basis scope; from universal to wallet, allocate lots to wallets."""
        previous, self.scope = self.scope, scope
        lots = self.book.drain()
        if previous is None or previous is BasisScope.WALLET or scope is BasisScope.UNIVERSAL:
            for lot in lots:
                self.book.add(self.key(lot.wallet, lot.asset), lot)
            return
        self.allocate(lots, moment)

    def allocate(self, lots: list[Lot], moment: datetime) -> None:
        """Give each wallet lots covering the units it holds (see ``ALLOCATION_RULE``)."""
        needs: dict[tuple[str, str], Decimal] = {}
        for (wallet, asset), units in sorted(self.balances.items()):
            if units > 0:
                needs[(wallet, asset)] = units
        pending = {
            number: dest for number, dest in self.transit_dest.items() if number not in self.transit
        }
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
        transit_needs = {n: q for n, (_, q) in pending.items()}
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
                self.warnings.append(
                    Notice(
                        "allocation_short",
                        f"at the switch to wallet-by-wallet basis, "
                        f"{target} held {plain(want)} {asset} more than any remaining lot "
                        "covers: a later sale there will fail unless the purchase is added",
                    )
                )
        for lot in queue:  # more lots than units held: keep them where they were acquired
            placed.append((lot.wallet, lot))
            self.warnings.append(
                Notice(
                    "allocation_excess",
                    f"at the switch to wallet-by-wallet basis, "
                    f"{plain(lot.quantity)} {asset} of lot {lot.source} had no wallet "
                    f"holding it; left in {lot.wallet}",
                    lot.source,
                )
            )
        for target, lot in placed:
            if isinstance(target, int):
                self.transit.setdefault(target, []).append(lot)
                wallet = f"(in transit, transfer {target + 1})"
            else:
                lot = replace(lot, wallet=target)
                self.book.add(self.key(target, asset), lot)
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

    # -- results -----------------------------------------------------------------------------

    def open_lots(self) -> list[Lot]:
        """Every lot still held, including lots in transit and outside the data."""
        lots = list(self.book)
        for number in sorted(self.transit):
            lots.extend(self.transit[number])
        lots.extend(self.external)
        return sorted(lots, key=lambda x: (x.asset, x.wallet, x.acquired, x.source))

    def check_books(self) -> None:
        """Units and basis in = disposed + open, per asset; each gain = proceeds - basis.

        Raises:
            InternalError: if the books do not balance (a bug in taxloss).
        """
        out_units: dict[str, Decimal] = defaultdict(Decimal, self.consumed_units)
        out_basis: dict[str, Decimal] = defaultdict(Decimal, self.consumed_basis)
        for disposal in self.disposals:
            if disposal.kind is DisposalKind.POSITION:
                continue  # contract units are not lots; their basis was consumed above
            out_units[disposal.asset] += disposal.quantity
            out_basis[disposal.asset] += disposal.cost_basis
            if disposal.gain != disposal.proceeds - disposal.cost_basis + disposal.adjustment:
                raise InternalError(f"gain is not proceeds - basis at {disposal.sale_source}")
        for lot in self.open_lots():
            out_units[lot.asset] += lot.quantity
            out_basis[lot.asset] += lot.cost_basis
        for asset in sorted(set(self.acquired_units) | set(out_units)):
            units = self.acquired_units[asset] - out_units[asset]
            basis = self.acquired_basis[asset] - out_basis[asset]
            if abs(units) > BOOK_TOLERANCE or abs(basis) > BOOK_TOLERANCE:
                raise InternalError(
                    f"books do not balance for {asset}: units off by {units}, basis off by {basis}"
                )


def _when(item: Income) -> tuple[datetime, str, int]:
    return (item.received, item.source.path, item.source.line)


def _split(lot: Lot, quantity: Decimal) -> tuple[Lot, Lot | None]:
    """Split ``quantity`` units off a lot, basis pro rata; returns (part, rest or None)."""
    if quantity >= lot.quantity:
        return lot, None
    basis = lot.cost_basis * quantity / lot.quantity
    return resized(lot, quantity, basis), resized(
        lot, lot.quantity - quantity, lot.cost_basis - basis
    )


def _transfers(trades: list[Trade], matches: list, rule: Rule) -> list[Transfer]:  # type: ignore[type-arg]
    """Matched transfers and every unmatched deposit and withdrawal, in time order."""
    out: list[Transfer] = []
    used: set[int] = set()
    for match in matches:
        w, d = trades[match.withdrawal], trades[match.deposit]
        used.update((match.withdrawal, match.deposit))
        out.append(
            Transfer(
                w.asset,
                match.sent,
                match.received,
                w.wallet,
                d.wallet,
                w.timestamp,
                d.timestamp,
                w.source,
                d.source,
                match.reason,
            )
        )
    window = f"{rule.transfer_window_hours} h"
    for index, trade in enumerate(trades):
        if index in used:
            continue
        if trade.kind is TradeKind.WITHDRAWAL:
            out.append(
                Transfer(
                    trade.asset,
                    units_sent(trade),
                    ZERO,
                    trade.wallet,
                    "",
                    trade.timestamp,
                    None,
                    trade.source,
                    None,
                    f"unmatched: no deposit of {trade.asset} into another wallet within "
                    f"{window} receiving {rule.transfer_min_ratio * 100:.0f}-100% of the "
                    "units; treated as moved outside the data (not a disposal)",
                )
            )
        elif trade.kind is TradeKind.DEPOSIT:
            out.append(
                Transfer(
                    trade.asset,
                    ZERO,
                    units_received(trade),
                    "",
                    trade.wallet,
                    None,
                    trade.timestamp,
                    None,
                    trade.source,
                    f"unmatched: no withdrawal of {trade.asset} from another wallet within "
                    f"{window} before it; basis unknown",
                )
            )
    out.sort(
        key=lambda t: (t.sent_at or t.received_at, str(t.withdrawal_source or t.deposit_source))
    )
    return out


def _unmatched_notices(transfers: list[Transfer]) -> list[Notice]:
    notices = []
    for transfer in transfers:
        if transfer.matched:
            continue
        source = transfer.withdrawal_source or transfer.deposit_source
        code = "unmatched_withdrawal" if transfer.withdrawal_source else "unmatched_deposit"
        notices.append(Notice(code, transfer.reason, source))
    return notices


def _scope_text(rule: Rule, forced: BasisScope | None) -> str:
    if forced is not None:
        return f"{forced.value} (all years, --basis-scope)"
    parts = []
    for period in rule.scope_periods:
        if period.start and period.end:
            parts.append(f"{period.scope.value} {period.start} to {period.end}")
        elif period.start:
            parts.append(f"{period.scope.value} from {period.start}")
        elif period.end:
            parts.append(f"{period.scope.value} until {period.end}")
        else:
            parts.append(period.scope.value)
    return ", ".join(parts)
