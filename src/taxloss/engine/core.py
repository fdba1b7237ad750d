"""The cost-basis computation: trades in, one ``Report`` out.

Pure: no I/O, no clock, no logging. Input order does not matter (trades are stable-sorted by
timestamp and source). The books are checked before returning; a failed check is a bug
(``InternalError``), never shown as the user's mistake.
Must not import pandas, openpyxl, reportlab, click, logging or anything that touches files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from decimal import Decimal
from operator import attrgetter

from taxloss.engine.accounts import Accounts
from taxloss.engine.average_cost import PoolBook, superficial_facts
from taxloss.engine.calendar import zone
from taxloss.engine.currency import Converter
from taxloss.engine.dates import Dates
from taxloss.engine.debts import Debts
from taxloss.engine.disallowance import Disallowance
from taxloss.engine.events import Event
from taxloss.engine.fiat import drop_fiat_moves
from taxloss.engine.holdings import Holdings
from taxloss.engine.lots import LotBook, moved
from taxloss.engine.notes import Notes
from taxloss.engine.peak import DayRecorder
from taxloss.engine.positions import Positions
from taxloss.engine.rows import Rows
from taxloss.engine.scope import ScopeSwitch
from taxloss.engine.taking import Taking
from taxloss.engine.transfers import match_transfers, units_received, units_sent
from taxloss.engine.transit import Transit
from taxloss.engine.uk_pooling import plan_uk
from taxloss.engine.valuation import Valued, value_trades
from taxloss.errors import EngineError, InputError, InternalError, RuleError
from taxloss.model import (
    BasisScope,
    DebtKind,
    DisposalKind,
    EventKind,
    Flow,
    FlowLine,
    FxTable,
    Income,
    LossDisallowance,
    Lot,
    Matching,
    Method,
    Notice,
    PoolEntry,
    Price,
    PriceTable,
    Report,
    Rule,
    SourceRef,
    Trade,
    TradeKind,
    Transfer,
)
from taxloss.money import ZERO, engine_context

#: Where units withdrawn to an address outside the data end up (still open, still the user's).
EXTERNAL = "(outside the data)"

#: Books must balance to far below a cent; exact decimals differ only at the 60th digit.
BOOK_TOLERANCE = Decimal("1e-20")

#: Event kinds as names of this module: looking an enum member up on its class costs several
#: times a global's lookup, and ``Run.apply`` compares every event's kind.
ACQUIRE, DISPOSE, SEND, RECEIVE = (
    EventKind.ACQUIRE, EventKind.DISPOSE, EventKind.SEND, EventKind.RECEIVE
)  # fmt: skip
ADD_UNKNOWN, REMOVE, SETTLE = EventKind.ADD_UNKNOWN, EventKind.REMOVE, EventKind.SETTLE

#: How often (in events) ``compute`` reports progress: often enough for a smooth bar, rarely
#: enough to cost nothing measurable.
EVENTS_PER_CALL = 4096


@dataclass
class History:
    """What ``compute`` does before it matches, for any method: the transfers (matched and
    unmatched) and the valued events, sorted. ``value_history`` makes one so that the same
    history can be computed under several methods (the summary's method comparison) with one
    valuation (issue #16); ``compute`` leaves it unchanged. It holds no trade: once it is
    made, the trades are needed only for what the outputs show of their rows."""

    transfers: list[Transfer]
    converter: Converter
    valued: Valued
    events: list[Event]
    timezone: str
    #: Deposits and withdrawals of a government currency, dropped with a notice each.
    fiat_moves: list[Notice]
    #: A ``compute(..., consume=True)`` took the events: the history cannot be used again.
    consumed: bool = False


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
        ordered, fiat_moves = drop_fiat_moves(ordered, rule)
        matches = match_transfers(ordered, rule)
        converter = Converter(rule, fx or FxTable())
        valued = value_trades(
            ordered, matches, rule, prices or PriceTable(), zone(tz_name), converter
        )
        if valued.problems:
            raise InputError(valued.problems)
        events = sorted(valued.events, key=attrgetter("timestamp", "source", "step"))
        del valued.events[:]
        transfers = _transfers(ordered, matches, rule)
        return History(transfers, converter, valued, events, tz_name, fiat_moves)


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
    consume: bool = False,
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
        consume: let each of the history's events go once it is applied, for the last run
            of a history (a million events are several hundred MiB, which the disposals then
            use); the history cannot be computed again.

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
        elif history.consumed:
            raise InternalError("the history's events were taken by an earlier run")
        valued, events, transfers = history.valued, history.events, list(history.transfers)
        fiat_moves = list(history.fiat_moves)
        # This run's conversions and notices go to copies: the history may be used again.
        converter = replace(
            history.converter,
            conversions=list(history.converter.conversions),
            notices=list(history.converter.notices),
        )
        run = Run(rule, chosen, zone(tz_name), basis_scope, allow_missing_basis, converter)
        run.recorder = DayRecorder(prices or PriceTable(), run.dates, run.holdings, run.transit)
        run.prepare(events)
        apply, count = run.apply, len(events)
        last_day = run.dates.day(events[-1].timestamp) if events else None
        stream: Iterator[Event] = iter(events)
        if consume:
            history.events, history.consumed = [], True
            stream = _taken(events)
        del events  # (when consumed, each event goes once applied)
        # In blocks of EVENTS_PER_CALL events, progress reported at the start of each.
        for start in range(0, count, EVENTS_PER_CALL):
            if on_events is not None:
                on_events(start, count)
            for index in range(start, min(start + EVENTS_PER_CALL, count)):
                run.index = index
                apply(next(stream))
        if on_events is not None:
            on_events(count, count)
        positions = run.positions.rows()
        notes = run.notes
        if notes.problems:
            raise EngineError(notes.problems)
        # The rows are made in event order, and the events are sorted by (timestamp, source,
        # step): the rows are in (disposed, sale_source) order already. Only position rows,
        # made at the end, need sorting in.
        disposals = run.rows.disposals
        if positions:
            disposals.extend(positions)
            disposals.sort(key=attrgetter("disposed", "sale_source"))
        run.check_books()
        par = {n.source for n in valued.notices if n.code == "stablecoin_basis_assumed"}
        warnings = fiat_moves + notes.warnings + valued.notices + _unmatched_notices(transfers, par)
        note = rule.method_notes.get(chosen.value)
        if note:
            warnings.insert(0, Notice("method_flagged", f"{chosen.value.upper()}: {note}"))
        return Report(
            rule=rule,
            method=chosen,
            basis_scope=_scope_text(rule, basis_scope),
            timezone=tz_name,
            disposals=tuple(disposals),
            open_lots=tuple(run.open_lots()),
            transfers=tuple(transfers),
            allocations=tuple(run.scopes.allocations),
            income=tuple(sorted(valued.income + run.accounts.income, key=_when)),
            warnings=tuple(warnings),
            assumptions=tuple(valued.assumptions + notes.assumptions),
            tax_years=tuple(sorted({d.tax_year for d in disposals})),
            expenses=tuple(sorted(valued.expenses + run.accounts.expenses, key=_when)),
            conversions=tuple(converter.conversions),
            pool_history=_pool_history(run.holdings.book),
            debts=run.debts.records(),
            flows=_flows(valued.flows, run.accounts.flows),
            closing_prices=_closing_prices(run.open_lots(), prices, last_day),
            last_day=last_day,
            priced_days=run.recorder.finish(),
        )


def _taken(events: list[Event]) -> Iterator[Event]:
    """``events`` in order, each taken out of the list as it is given (the list ends empty)."""
    events.reverse()
    take = events.pop
    while events:
        yield take()


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


class Run:
    """One pass over the events: it dispatches each event, by kind, to the collaborators that
    own the state (see the package docstring for who owns what)."""

    def __init__(
        self,
        rule: Rule,
        method: Method | Matching,
        tz: tzinfo,
        forced_scope: BasisScope | None,
        allow_missing: bool,
        fx: Converter | None = None,
    ) -> None:
        self.rule = rule
        self.notes = notes = Notes()
        self.dates = dates = Dates(rule, tz)
        self.accounts = accounts = Accounts(rule, dates)
        self.holdings = holdings = Holdings(rule, method, notes)
        self.transit = transit = Transit()
        self.scopes = ScopeSwitch(rule, forced_scope, notes, holdings, transit)
        self.debts = debts = Debts(rule, dates, notes, holdings, accounts)
        self.taking = taking = Taking(rule, allow_missing, fx, dates, notes, holdings, debts,
                                      accounts)  # fmt: skip
        self.disallowance = Disallowance(rule, holdings)
        self.rows = Rows(rule, allow_missing, dates, notes, holdings, taking, self.disallowance)
        self.positions = Positions(rule, dates, notes)
        #: Index of the event being applied (the UK plan and superficial-loss facts use it).
        self.index = -1
        #: Units held at the end of each ``--prices`` day (the account's peak value).
        self.recorder = DayRecorder(PriceTable(), dates, holdings, transit)

    def prepare(self, events: list[Event]) -> None:
        """Plans that need the whole (sorted) event list: the UK same-day and 30-day matches,
        and the superficial-loss windows. Both depend on units and dates only."""
        if self.rule.matching is Matching.UK_POOLING:
            self.holdings.uk_plan = plan_uk(events, self.dates.day, self.rule.forward_window_days)
        if self.rule.disallowance.kind is LossDisallowance.SUPERFICIAL_LOSS:
            self.disallowance.windows = superficial_facts(
                events, self.dates.day, self.rule.disallowance
            )

    # -- dispatch ----------------------------------------------------------------------------

    def apply(self, event: Event) -> None:
        """Apply one event: on a new date, switch scope if the date asks for it; then hand
        the event on by kind."""
        moment = event.timestamp
        dates = self.dates
        day = moment.date() if dates.utc else dates.day(moment)  # (``day``, inlined for UTC)
        if day != self.recorder.day:
            self.enter(day, moment)
        kind = event.kind
        holdings = self.holdings
        if holdings.pooled:
            holdings.at(event)
        if kind is ACQUIRE:
            self.acquire(event)
        elif kind is DISPOSE:
            self.rows.dispose(event, event.quantity, event.value, self.index)
            self.move(event.wallet, event.asset, -event.quantity, event)
        elif kind is SEND:
            self.send(event)
        elif kind is RECEIVE:
            self.receive(event)
        elif kind is ADD_UNKNOWN:
            holdings.add(event, ZERO, False, self.index)
            self.move(event.wallet, event.asset, event.quantity, event)
        elif kind is REMOVE:
            self.remove(event)
        elif kind is SETTLE:
            self.settle(event)
        else:  # pragma: no cover - the enum is closed
            raise InternalError(f"unknown event kind {kind}")

    def enter(self, day: date, moment: datetime) -> None:
        """The first event of a local date (at ``moment``): record the priced days before it,
        and switch scope if the date is in another scope's period. The scope depends on the
        date alone, so the other events of the date need neither."""
        self.recorder.enter(day)
        scopes = self.scopes
        scope = scopes.forced or scopes.cache.get(day) or scopes.on(day)
        if scope is not self.holdings.scope:
            scopes.switch(scope, moment)

    def move(self, wallet: str, asset: str, delta: Decimal, event: Event) -> None:
        """Track units per wallet: arriving units repay the wallet's debts first; a wallet
        going negative is warned about once (``Holdings.went_negative``)."""
        key = (wallet, asset)
        balances = self.holdings.balances
        balance = balances[key] = balances[key] + delta
        if delta > ZERO:
            if key in self.debts.owing:
                self.debts.repay_debts(key, event)
        elif balance < ZERO and delta < ZERO:
            self.holdings.went_negative(key, event)

    # -- events by kind ----------------------------------------------------------------------

    def acquire(self, event: Event) -> None:
        """Units bought or received as income: a lot at their value (a margin loan: owed)."""
        self.holdings.add(event, event.value, True, self.index)
        if event.component == "loan":
            self.debts.incur(event, event.quantity, event.value, DebtKind.MARGIN_LOAN)
        self.move(event.wallet, event.asset, event.quantity, event)

    def remove(self, event: Event) -> None:
        """Units out that are not a disposal: to an address outside the data (they stay open,
        the user's), or borrowed units handed back (a loan repaid)."""
        slices = self.taking.take(event, event.quantity)
        if event.component == "repay":  # borrowed units handed back: not a disposal
            self.holdings.consume(slices)
            self.debts.repay_loans(event, slices)
        else:
            self.holdings.external.extend(replace(s, wallet=EXTERNAL) for s in slices)
            basis = sum((piece.cost_basis for piece in slices), ZERO)
            self.accounts.flow(event.wallet, event.timestamp, FlowLine.CAPITAL_OUT, basis)
        self.move(event.wallet, event.asset, -event.quantity, event)

    def send(self, event: Event) -> None:
        """A matched withdrawal: the lost units are a fee disposal, the rest go in transit."""
        lost = event.quantity - event.received
        if lost > 0:
            self.rows.dispose(event, lost, event.value, self.index)
        lots = None
        if self.holdings.scope is BasisScope.WALLET:
            lots = self.taking.take(event, event.received)
        arrival = self.transit.depart(event.transfer, lots, event.asset, event.received)
        self.move(event.wallet, event.asset, -event.quantity, event)
        if arrival is not None:
            self.receive(arrival)

    def receive(self, event: Event) -> None:
        """A matched deposit: lots in transit arrive with their original dates and basis (a
        deposit applied before its withdrawal waits for it, ``Transit.wait``)."""
        if self.transit.wait(event):
            return
        lots = self.transit.arrive(event.transfer)
        if lots is not None:
            holdings, wallet = self.holdings, event.wallet
            key = holdings.key(wallet, event.asset)
            for lot in lots:
                holdings.book.add(key, moved(lot, wallet))
        self.move(event.wallet, event.asset, event.quantity, event)

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
        accounts = self.accounts
        if event.credit:
            if event.lots:
                self.holdings.add(event, event.value, True, self.index)
                self.move(event.wallet, event.asset, event.quantity, event)
            else:  # settled in fiat, which taxloss does not hold as lots: money out
                accounts.flow(event.wallet, event.timestamp, FlowLine.CAPITAL_OUT, event.value)
            amount = event.value
        else:
            if event.lots and event.par:
                slices = self.taking.take(event, event.quantity)
                self.holdings.consume(slices)
                amount = sum((piece.cost_basis for piece in slices), ZERO)
            elif event.lots:
                paid = replace(event, disposal_kind=DisposalKind.SETTLEMENT, liquidation=False)
                self.rows.dispose(paid, event.quantity, event.value, self.index)
                amount = event.value
            else:  # paid in fiat: money in
                amount = event.value
                accounts.flow(event.wallet, event.timestamp, FlowLine.CAPITAL_IN, amount)
            if event.lots:
                self.move(event.wallet, event.asset, -event.quantity, event)
        if not accounts.settled(event, amount):  # not income or expense: a position's flow
            self.positions.add(event, amount)
        return amount

    # -- results -----------------------------------------------------------------------------

    def open_lots(self) -> list[Lot]:
        """Every lot still held, including lots in transit and outside the data."""
        lots = list(self.holdings.book)
        lots.extend(self.transit.open_lots())
        lots.extend(self.holdings.external)
        return sorted(lots, key=lambda x: (x.asset, x.wallet, x.acquired, x.source))

    def check_books(self) -> None:
        """Units and basis in = disposed + open, per asset.

        Each row's gain is proceeds - basis + adjustment by construction: ``Disposal.gain`` is
        that sum, never stored (and the renderers' rounded rows are checked by the tests).

        Raises:
            InternalError: if the books do not balance (a bug in taxloss).
        """
        holdings = self.holdings
        out_units: dict[str, Decimal] = defaultdict(Decimal, holdings.consumed_units)
        out_basis: dict[str, Decimal] = defaultdict(Decimal, holdings.consumed_basis)
        position = DisposalKind.POSITION
        for disposal in self.rows.disposals:
            if disposal.kind is position:
                continue  # contract units are not lots; their basis was consumed above
            asset = disposal.asset
            out_units[asset] += disposal.quantity
            out_basis[asset] += disposal.cost_basis
        for lot in self.open_lots():
            out_units[lot.asset] += lot.quantity
            out_basis[lot.asset] += lot.cost_basis
        self.debts.check()
        acquired_units, acquired_basis = holdings.acquired_units, holdings.acquired_basis
        for asset in sorted(set(acquired_units) | set(out_units)):
            units = acquired_units[asset] - out_units[asset]
            basis = acquired_basis[asset] - out_basis[asset]
            if abs(units) > BOOK_TOLERANCE or abs(basis) > BOOK_TOLERANCE:
                raise InternalError(
                    f"books do not balance for {asset}: units off by {units}, basis off by {basis}"
                )


def _when(item: Income) -> tuple[datetime, str, int]:
    return (item.received, item.source.path, item.source.line)


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
    withdrawal, deposit = TradeKind.WITHDRAWAL, TradeKind.DEPOSIT  # (looked up once)
    for index, trade in enumerate(trades):
        kind = trade.kind
        if (kind is not withdrawal and kind is not deposit) or index in used:
            continue
        if kind is withdrawal:
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
        else:
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


def _unmatched_notices(transfers: list[Transfer], par: set[SourceRef | None]) -> list[Notice]:
    """One notice per unmatched transfer leg; a stablecoin deposit given par basis (in ``par``)
    already has its ``stablecoin_basis_assumed`` notice, which says both facts."""
    notices = []
    for transfer in transfers:
        if transfer.matched:
            continue
        source = transfer.withdrawal_source or transfer.deposit_source
        if transfer.withdrawal_source is None and source in par:
            continue
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


def _flows(*parts: dict[tuple[str, str, FlowLine], Decimal]) -> tuple[Flow, ...]:
    """The account-statement flows of valuation and of the run, summed and in a fixed order."""
    total: dict[tuple[str, str, FlowLine], Decimal] = defaultdict(Decimal)
    for part in parts:
        for key, amount in part.items():
            total[key] += amount
    return tuple(
        Flow(w, y, line, amount) for (w, y, line), amount in sorted(total.items()) if amount
    )


def _closing_prices(
    lots: list[Lot], prices: PriceTable | None, day: date | None
) -> tuple[Price, ...]:
    """The ``--prices`` rows for the last day of the data, for each asset still held."""
    if prices is None or day is None:
        return ()
    found = (prices.get(day, asset) for asset in sorted({lot.asset for lot in lots}))
    return tuple(price for price in found if price is not None)


def _pool_history(book: LotBook | PoolBook) -> tuple[PoolEntry, ...]:
    """A pool book's audit trail (none for the lot matcher)."""
    return tuple(book.history) if isinstance(book, PoolBook) else ()
