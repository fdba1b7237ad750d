"""The cost-basis computation: trades in, one ``Report`` out.

Pure: no I/O, no clock, no logging. Input order does not matter (trades are stable-sorted by
timestamp and source). The books are checked before returning; a failed check is a bug
(``InternalError``), never shown as the user's mistake.
Must not import pandas, openpyxl, reportlab, click, logging or anything that touches files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from operator import attrgetter

from taxloss.engine.average_cost import (
    PoolBook,
    Window,
    denied_loss,
    superficial_facts,
)
from taxloss.engine.calendar import (
    box_for,
    local_date,
    tax_year_label,
    tax_year_start,
    term_of,
    zone,
)
from taxloss.engine.currency import Converter
from taxloss.engine.events import Event
from taxloss.engine.lots import Key, LotBook, Part, as_part, resized
from taxloss.engine.transfers import Match, match_transfers, units_received, units_sent
from taxloss.engine.uk_pooling import POOL, UkPlan, plan_uk
from taxloss.engine.valuation import Valued, value_trades
from taxloss.errors import EngineError, InputError, InternalError, Problem, RuleError
from taxloss.model import (
    Allocation,
    BasisScope,
    Disposal,
    DisposalKind,
    EventKind,
    FxTable,
    HoldingEffect,
    Income,
    LossDisallowance,
    Lot,
    Matching,
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
    make_disposal,
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


#: How each event kind is named in a pool's audit trail (``Report.pool_history``).
ACTIONS = {
    EventKind.ACQUIRE: "acquisition",
    EventKind.ADD_UNKNOWN: "deposit, basis unknown",
    EventKind.DISPOSE: "disposal",
    EventKind.SEND: "transfer fee (disposal)",
    EventKind.REMOVE: "units out (not a disposal)",
    EventKind.SETTLE: "settlement",
}

ALLOCATION_RULE = (
    "Rev. Proc. 2024-28 allocation at 2025-01-01: each wallet first takes lots acquired in it, "
    "oldest first; remaining lots, oldest first, fill the remaining balances of wallets in "
    "name order"
)


#: How often (in events) ``compute`` reports progress: often enough for a smooth bar, rarely
#: enough to cost nothing measurable.
EVENTS_PER_CALL = 4096


@dataclass
class History:
    """What ``compute`` does before it matches, for any method: the trades in order, their
    transfer matches and the valued events, sorted. ``value_history`` makes one so that the
    same history can be computed under several methods (the summary's method comparison)
    with one valuation (issue #16); ``compute`` leaves it unchanged."""

    ordered: list[Trade]
    matches: list[Match]
    converter: Converter
    valued: Valued
    events: list[Event]
    timezone: str


def value_history(
    trades: Sequence[Trade],
    rule: Rule,
    *,
    prices: PriceTable | None = None,
    timezone: str | None = None,
    fx: FxTable | None = None,
) -> History:
    """Order, match and value ``trades`` once (arguments as ``compute``'s).

    Raises:
        InputError: rows that need a price or an exchange rate.
    """
    tz_name = timezone or rule.timezone
    with engine_context():
        # (timestamp, source) orders as (timestamp, path, line): SourceRef compares as a tuple.
        ordered = sorted(trades, key=attrgetter("timestamp", "source"))
        matches = match_transfers(ordered, rule)
        converter = Converter(rule, fx or FxTable())
        valued = value_trades(
            ordered, matches, rule, prices or PriceTable(), zone(tz_name), converter
        )
        if valued.problems:
            raise InputError(valued.problems)
        events = sorted(valued.events, key=attrgetter("timestamp", "source", "step"))
        del valued.events[:]
        return History(ordered, matches, converter, valued, events, tz_name)


def compute(
    trades: Sequence[Trade],
    rule: Rule,
    method: Method | Matching | None = None,
    *,
    prices: PriceTable | None = None,
    basis_scope: BasisScope | None = None,
    timezone: str | None = None,
    allow_missing_basis: bool = False,
    fx: FxTable | None = None,
    on_events: Callable[[int, int], None] | None = None,
    history: History | None = None,
) -> Report:
    """Match every disposal to lots (or pools, per ``matching.strategy``) and build the report.

    Args:
        trades: validated trades, in any order.
        rule: the jurisdiction rule.
        method: lot-identification method (default: the rule's).
        prices: user prices for rows without a fiat value.
        basis_scope: force one scope for all years (default: the rule's periods).
        timezone: reporting zone for tax dates (default: the rule's).
        allow_missing_basis: give unknown basis zero basis with a warning instead of failing.
        fx: exchange rates into the rule's fiat (rules with an ``[fx]`` section).
        on_events: called with (events applied, all events) every ``EVENTS_PER_CALL`` events
            and once at the end, to show progress (default: not called).
        history: ``value_history`` of these trades with the same prices, zone and rates, to
            match without valuing again (it is not changed; default: valued here).

    Returns:
        The report: all tax years, all disposals, open lots, transfers and warnings.

    Raises:
        RuleError: the method is not allowed by the rule.
        InputError: rows that need a price or an exchange rate.
        EngineError: disposals of units never acquired (unless ``allow_missing_basis``).
    """
    chosen = _method(rule, method, basis_scope)
    tz_name = timezone or rule.timezone
    with engine_context():
        if history is None:
            history = value_history(trades, rule, prices=prices, timezone=tz_name, fx=fx)
        ordered, matches, valued, events = (
            history.ordered, history.matches, history.valued, history.events
        )  # fmt: skip
        # This run's conversions and notices go to copies: the history may be used again.
        converter = replace(
            history.converter,
            conversions=list(history.converter.conversions),
            notices=list(history.converter.notices),
        )
        run = Run(rule, chosen, zone(tz_name), basis_scope, allow_missing_basis, converter)
        run.prepare(events)
        for index, event in enumerate(events):
            run.index = index
            run.apply(event)
            if on_events is not None and not index % EVENTS_PER_CALL:
                on_events(index, len(events))
        if on_events is not None:
            on_events(len(events), len(events))
        positions = run.position_rows()
        if run.problems:
            raise EngineError(run.problems)
        run.disposals.extend(positions)
        run.disposals.sort(key=attrgetter("disposed", "sale_source"))
        run.check_books()
        transfers = _transfers(ordered, matches, rule)
        warnings = run.warnings + valued.notices + _unmatched_notices(transfers)
        note = rule.method_notes.get(chosen.value)
        if note:
            warnings.insert(0, Notice("method_flagged", f"{chosen.value.upper()}: {note}"))
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
            assumptions=tuple(valued.assumptions + run.assumptions),
            tax_years=tuple(sorted({d.tax_year for d in run.disposals})),
            expenses=tuple(sorted(valued.expenses + run.expenses, key=_when)),
            conversions=tuple(converter.conversions),
            pool_history=tuple(run.book.history) if isinstance(run.book, PoolBook) else (),
        )


def _method(
    rule: Rule, method: Method | Matching | None, scope: BasisScope | None
) -> Method | Matching:
    """The lot method to use, or the pooling strategy; a conflict is a ``RuleError``."""
    if rule.matching is not Matching.LOTS:
        if method is not None and method is not rule.matching:
            raise RuleError(
                f"{rule.path}: matching.strategy: {rule.matching.value!r} pools every unit of "
                f"an asset; lot method {method.value!r} does not apply (omit --method)"
            )
        if scope is BasisScope.WALLET:
            raise RuleError(
                f"{rule.path}: matching.strategy: {rule.matching.value!r} pools across all "
                "wallets; --basis-scope wallet does not apply"
            )
        return rule.matching
    chosen = method or rule.default_method
    if chosen not in rule.methods:
        allowed = ", ".join(m.value for m in rule.methods)
        raise RuleError(f"{rule.path}: methods: {chosen.value!r} is not allowed ({allowed})")
    return chosen


@dataclass
class Run:
    """The state of one pass over the events."""

    rule: Rule
    method: Method | Matching
    tz: tzinfo
    forced_scope: BasisScope | None
    allow_missing: bool
    fx: Converter | None = None
    book: LotBook | PoolBook = field(init=False)
    #: The book is a ``PoolBook`` (UK pooling, average cost), not the lot matcher.
    pooled: bool = field(init=False)
    #: The reporting zone is UTC, the zone of every timestamp: a local date is the date.
    utc: bool = field(init=False)
    #: Index of the event being applied (the UK plan and superficial-loss facts use it).
    index: int = -1
    uk_plan: UkPlan | None = None
    windows: dict[int, Window] = field(default_factory=dict)
    assumptions: list[Notice] = field(default_factory=list)
    scope: BasisScope | None = None
    disposals: list[Disposal] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    allocations: list[Allocation] = field(default_factory=list)
    balances: dict[Key, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    transit: dict[int, list[Lot]] = field(default_factory=dict)
    transit_dest: dict[int, tuple[str, Decimal]] = field(default_factory=dict)
    early_arrivals: dict[int, Event] = field(default_factory=dict)
    sent: set[int] = field(default_factory=set)
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
    _facts: dict[tuple[date, date], tuple[Term, str, str, bool, bool]] = field(default_factory=dict)
    _scopes: dict[date, BasisScope] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rule.matching is Matching.LOTS:
            self.book = LotBook(self.method if isinstance(self.method, Method) else Method.FIFO)
        else:
            self.book = PoolBook()
        self.pooled = isinstance(self.book, PoolBook)
        self.utc = self.tz is UTC

    def prepare(self, events: list[Event]) -> None:
        """Plans that need the whole (sorted) event list: the UK same-day and 30-day matches,
        and the superficial-loss windows. Both depend on units and dates only."""
        if self.rule.matching is Matching.UK_POOLING:
            self.uk_plan = plan_uk(events, self.day, self.rule.forward_window_days)
        if self.rule.disallowance.kind is LossDisallowance.SUPERFICIAL_LOSS:
            self.windows = superficial_facts(events, self.day, self.rule.disallowance)

    def book_at(self, event: Event, action: str) -> None:
        """Tell a pool book which event its next changes belong to (its audit trail)."""
        if isinstance(self.book, PoolBook):
            self.book.at(event.timestamp, event.source, action)

    def flags(self, term: Term) -> tuple[bool, bool]:
        """(discount, exempt) for a term under the rule's ``holding.effect``."""
        held = term is Term.LONG
        effect = self.rule.holding_effect
        return held and effect is HoldingEffect.DISCOUNT, held and effect is HoldingEffect.EXEMPT

    # -- helpers -----------------------------------------------------------------------------

    def day(self, moment: datetime) -> date:
        """Local date of a timestamp: its own date in UTC (timestamps are UTC), else cached
        (many events share timestamps)."""
        if self.utc:
            return moment.date()
        found = self._dates.get(moment)
        if found is None:
            found = self._dates[moment] = local_date(moment, self.tz)
        return found

    def row_facts(self, acquired_on: date, disposed_on: date) -> tuple[Term, str, str, bool, bool]:
        """Term, tax-year label, Form 8949 box, discount and exempt flags of a row held from
        ``acquired_on`` to ``disposed_on`` (``dispose`` caches them per pair of dates)."""
        term = term_of(acquired_on, disposed_on, self.rule)
        return (term, *self.labels(disposed_on, term), *self.flags(term))

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
        found = self._scopes.get(day)
        if found is None:
            found = self._scopes[day] = self._period_scope(day)
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

    def key(self, wallet: str, asset: str) -> Key:
        """The lot-book key for a wallet and asset under the current scope."""
        return (wallet, asset) if self.scope is BasisScope.WALLET else ("", asset)

    def new_lot(
        self,
        event: Event,
        cost_basis: Decimal,
        basis_known: bool = True,
    ) -> None:
        """Record the lot an event acquires (for the conservation check) and hold it.

        Under UK pooling, the share of an acquisition matched with a disposal (same day or 30
        days) was already used by that disposal: only the rest enters the section 104 pool.
        """
        asset, quantity = event.asset, event.quantity
        self.acquired_units[asset] += quantity
        self.acquired_basis[asset] += cost_basis
        if self.uk_plan is not None and basis_known:
            share = self.uk_plan.pooled_share(self.index)
            if share <= 0:
                return
            if share < 1:
                quantity, cost_basis = quantity * share, cost_basis * share
        key = self.key(event.wallet, asset)
        if isinstance(self.book, LotBook):  # no Lot record: the book keeps the fields
            self.book.add_units(key, event.timestamp, asset, quantity, cost_basis, event.source,
                                event.wallet, basis_known)  # fmt: skip
        else:
            self.book.add(key, Lot(event.timestamp, asset, quantity, cost_basis, event.source,
                                   event.wallet, basis_known))  # fmt: skip

    def move_balance(self, wallet: str, asset: str, delta: Decimal, event: Event) -> None:
        """Track units per wallet; warn once when a wallet goes negative in universal scope."""
        key = (wallet, asset)
        balance = self.balances[key] = self.balances[key] + delta
        if balance < 0 and key not in self.negative_seen and delta < 0:
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
        moment = event.timestamp
        day = moment.date() if self.utc else self.day(moment)  # (``day``, inlined for UTC)
        scope = self.forced_scope or self._scopes.get(day) or self.scope_on(day)
        if scope is not self.scope:
            self.switch(scope, moment)
        kind = event.kind
        if self.pooled:
            self.book_at(event, ACTIONS.get(kind, kind.value))
        if kind is EventKind.ACQUIRE:
            self.new_lot(event, event.value)
            self.move_balance(event.wallet, event.asset, event.quantity, event)
        elif kind is EventKind.ADD_UNKNOWN:
            self.new_lot(event, ZERO, basis_known=False)
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

    def par_basis(self, event: Event, units: Decimal) -> Decimal | None:
        """Basis of par stablecoin units with no recorded source: 1 unit of the peg currency
        each, converted at the day's rate under a rule with ``[fx]`` (None: no rate)."""
        policy = self.rule.fx
        if policy is None or self.fx is None or policy.stablecoin_currency == self.rule.fiat:
            return units
        found = self.fx.convert(units, policy.stablecoin_currency, self.day(event.timestamp),
                                event.source)  # fmt: skip
        self.assumptions.extend(self.fx.notices)
        self.fx.notices.clear()
        if isinstance(found, Problem):
            self.problems.append(found)
            return None
        return found

    def take(self, event: Event, quantity: Decimal) -> list[Lot]:
        """Take units for a disposal or move; a shortfall is an error or a flagged zero basis."""
        slices, short = self.book.take(self.key(event.wallet, event.asset), quantity)
        if short > 0:
            self.shortfall(event, quantity, short, slices)
        return slices

    def take_parts(self, event: Event, quantity: Decimal) -> list[Part]:
        """``take`` as matcher slices (no ``Lot`` records from the lot book)."""
        key = self.key(event.wallet, event.asset)
        if isinstance(self.book, LotBook):
            parts, short = self.book.take_parts(key, quantity)
            if short > 0:
                extra: list[Lot] = []
                self.shortfall(event, quantity, short, extra)
                parts.extend(as_part(lot) for lot in extra)
            return parts
        return [as_part(lot) for lot in self.take(event, quantity)]

    def shortfall(self, event: Event, quantity: Decimal, short: Decimal, slices: list[Lot]) -> None:
        """Units a take did not find: an error, or (as the rule or options say) a slice of
        assumed basis added to ``slices``."""
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
            basis = self.par_basis(event, short) if par else None
            if par and basis is not None:
                peg = self.rule.fx.stablecoin_currency if self.rule.fx else self.rule.fiat
                self.warnings.append(
                    Notice("stablecoin_basis_assumed", f"{plain(short)} {event.asset} used here "
                           f"never arrived in the data ({message}): basis taken as 1 "
                           f"{peg} per unit (valuation.unmatched_stablecoin_basis)",
                           event.source)
                )  # fmt: skip
                self.acquired_units[event.asset] += short
                self.acquired_basis[event.asset] += basis
                slices.append(Lot(event.timestamp, event.asset, short, basis, event.source,
                                  event.wallet))  # fmt: skip
            elif par:
                pass  # the missing exchange rate is already a problem
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

    def match(self, event: Event, quantity: Decimal) -> list[tuple[Part, str]]:
        """The slices a disposal uses, each with the identification rule that matched it.

        Lots: the method's order (label ``""``). UK pooling: the event's share of its day's
        same-day and 30-day matches, then the section 104 pool. Average cost: the pool.
        """
        if self.uk_plan is not None:
            planned = self.uk_plan.planned(self.index, quantity, event.asset, event.wallet)
            rest = quantity - sum((piece.quantity for piece, _ in planned), ZERO)
            pooled = self.take_parts(event, rest) if rest > 0 else []
            return [(as_part(piece), label) for piece, label in planned] + [
                (part, POOL) for part in pooled
            ]
        label = "acb_pool" if self.rule.matching is Matching.AVERAGE_COST else ""
        return [(part, label) for part in self.take_parts(event, quantity)]

    def dispose(self, event: Event, quantity: Decimal, proceeds: Decimal) -> None:
        """Dispose of ``quantity`` units for ``proceeds``, one Form 8949 row per lot slice."""
        slices = self.match(event, quantity)
        remaining_proceeds, remaining_fee = proceeds, event.fee
        disposed_on = self.day(event.timestamp)
        first_row = len(self.disposals)
        last = len(slices) - 1
        utc, day, facts = self.utc, self.day, self._facts
        for index, (piece, matching) in enumerate(slices):
            piece_acquired, _, piece_quantity, piece_basis, piece_source, _, known = piece
            if index == last:
                share, fee_share = remaining_proceeds, remaining_fee
            else:
                share = proceeds * piece_quantity / quantity
                fee_share = event.fee * piece_quantity / quantity
            remaining_proceeds -= share
            remaining_fee -= fee_share
            missing = not known
            if missing:
                if not self.allow_missing:
                    self.problems.append(
                        Problem(
                            event.source,
                            f"sells {plain(piece_quantity)} {event.asset} "
                            f"received by the unmatched deposit at {piece_source}, whose "
                            "basis is unknown; add the transfer's other side or the "
                            "purchase, or run with --allow-missing-basis",
                        )
                    )
                elif piece_source != event.source:
                    self.warnings.append(
                        Notice(
                            "missing_basis",
                            f"{plain(piece_quantity)} {event.asset} from the "
                            f"unmatched deposit at {piece_source} given zero basis and "
                            "acquired on the sale date (short-term): --allow-missing-basis",
                            event.source,
                        )
                    )
            acquired = event.timestamp if missing else piece_acquired
            if missing:
                acquired_on = disposed_on
            else:
                acquired_on = piece_acquired.date() if utc else day(piece_acquired)
            found = facts.get((acquired_on, disposed_on))
            if found is None:
                found = facts[(acquired_on, disposed_on)] = self.row_facts(acquired_on, disposed_on)
            term, tax_year, box, discount, exempt = found
            # Positional, in Disposal's field order: one is made for every Form 8949 row.
            self.disposals.append(
                make_disposal(
                    event.asset, piece_quantity, acquired, event.timestamp, acquired_on,
                    disposed_on, share, piece_basis, term, tax_year, box, event.wallet,
                    event.disposal_kind, event.source, piece_source, event.description, ZERO,
                    "", event.liquidation, missing, fee_share, matching, ZERO, discount, exempt, "",
                )
            )  # fmt: skip
        if self.windows:
            self.deny_superficial_loss(event, quantity, first_row)

    def deny_superficial_loss(self, event: Event, quantity: Decimal, first_row: int) -> None:
        """Reference §4: deny the superficial part of this disposal's loss, ``min(S, P, B)/S``,
        and add it to the pool's cost (``loss_disallowance``). The denied amount is the rows'
        adjustment (a loss is reduced, as on Form 8949 code W) and their ``denied_loss``."""
        window = self.windows.get(self.index)
        rows = self.disposals[first_row:]
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
            self.disposals[first_row + offset] = replace(
                row, adjustment=row.adjustment + part, denied_loss=part
            )
        if isinstance(self.book, PoolBook):
            self.book.adjust(("", event.asset), denied, "superficial loss added to cost")
            self.acquired_basis[event.asset] += denied

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
                self.new_lot(event, event.value)
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
            term, tax_year, box, discount, exempt = self.row_facts(acquired_on, disposed_on)
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
        self.sent.add(event.transfer)
        self.move_balance(event.wallet, event.asset, -event.quantity, event)
        arrival = self.early_arrivals.pop(event.transfer, None)
        if arrival is not None:
            self.receive(arrival)

    def receive(self, event: Event) -> None:
        """A matched deposit: lots in transit arrive with their original dates and basis.

        A deposit stamped at the same second as its withdrawal may come first in the sorted
        events (exports list the two legs in any order): it waits for the departure.
        """
        if event.transfer not in self.sent:
            self.early_arrivals[event.transfer] = event
            return
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
        """Units and basis in = disposed + open, per asset.

        Each row's gain is proceeds - basis + adjustment by construction: ``Disposal.gain`` is
        that sum, never stored (and the renderers' rounded rows are checked by the tests).

        Raises:
            InternalError: if the books do not balance (a bug in taxloss).
        """
        out_units: dict[str, Decimal] = defaultdict(Decimal, self.consumed_units)
        out_basis: dict[str, Decimal] = defaultdict(Decimal, self.consumed_basis)
        position = DisposalKind.POSITION
        for disposal in self.disposals:
            if disposal.kind is position:
                continue  # contract units are not lots; their basis was consumed above
            asset = disposal.asset
            out_units[asset] += disposal.quantity
            out_basis[asset] += disposal.cost_basis
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
                    f"{window} before it; "
                    + (
                        "basis taken at 1 USD per unit (valuation.unmatched_stablecoin_basis)"
                        if trade.asset in rule.usd_equivalent
                        and rule.unmatched_stablecoin_basis == "par"
                        else "basis unknown"
                    ),
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
