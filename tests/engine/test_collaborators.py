"""The engine's collaborators, each on its own (issue #16): ``Run`` only dispatches events to
them, so each must keep its own state right without the others."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from taxloss import jurisdiction
from taxloss.engine.core import Run
from taxloss.engine.dates import Dates
from taxloss.engine.events import Event
from taxloss.engine.holdings import Holdings
from taxloss.engine.notes import Notes
from taxloss.engine.scope import ScopeSwitch
from taxloss.engine.transit import Transit
from taxloss.model import BasisScope, EventKind, Lot, Method, SourceRef, Term

US = jurisdiction.load_bundled("us")
CA = jurisdiction.load_bundled("ca")
AT = datetime(2024, 12, 31, 23, 30, tzinfo=UTC)


def event(kind: EventKind, transfer: int, wallet: str, quantity: str = "1") -> Event:
    return Event(AT, kind, "BTC", Decimal(quantity), Decimal(0), wallet, SourceRef("x.csv", 2),
                 transfer=transfer, received=Decimal(quantity))  # fmt: skip


def lot(wallet: str, quantity: str, basis: str) -> Lot:
    return Lot(AT, "BTC", Decimal(quantity), Decimal(basis), SourceRef("x.csv", 1), wallet)


def test_a_deposit_applied_before_its_withdrawal_waits_for_it() -> None:
    transit = Transit()
    deposit = event(EventKind.RECEIVE, 0, "b")
    assert transit.wait(deposit)
    assert transit.depart(0, [lot("a", "1", "100")], "BTC", Decimal(1)) is deposit
    assert not transit.wait(deposit)
    assert transit.arrive(0) == [lot("a", "1", "100")]
    assert transit.arrive(0) is None and transit.open_lots() == []


def test_transfers_without_lots_are_pending_for_the_allocation() -> None:
    transit = Transit()
    transit.depart(3, None, "BTC", Decimal("0.5"))
    transit.depart(1, [lot("a", "1", "10")], "BTC", Decimal(1))
    assert transit.pending() == {3: ("BTC", Decimal("0.5"))}
    transit.hold(3, lot("a", "0.5", "5"))
    assert transit.pending() == {}
    assert [x.quantity for x in transit.open_lots()] == [Decimal(1), Decimal("0.5")]


def test_the_scope_follows_the_rule_periods_unless_forced() -> None:
    notes = Notes()
    holdings = Holdings(US, Method.FIFO, notes)
    scopes = ScopeSwitch(US, None, notes, holdings, Transit())
    assert scopes.on(date(2024, 12, 31)) is BasisScope.UNIVERSAL
    assert scopes.on(date(2025, 1, 1)) is BasisScope.WALLET
    assert scopes.cache == {date(2024, 12, 31): BasisScope.UNIVERSAL,
                            date(2025, 1, 1): BasisScope.WALLET}  # fmt: skip
    forced = ScopeSwitch(US, BasisScope.WALLET, notes, holdings, Transit())
    assert forced.on(date(2020, 1, 1)) is BasisScope.WALLET


def test_the_switch_to_wallet_scope_allocates_lots_to_the_wallets_holding_units() -> None:
    notes = Notes()
    holdings = Holdings(US, Method.FIFO, notes)
    scopes = ScopeSwitch(US, None, notes, holdings, Transit())
    scopes.switch(BasisScope.UNIVERSAL, AT)
    holdings.book.add(("", "BTC"), lot("a", "2", "200"))
    holdings.balances[("a", "BTC")] = Decimal(1)
    holdings.balances[("b", "BTC")] = Decimal(1)
    scopes.switch(BasisScope.WALLET, AT)
    assert holdings.scope is BasisScope.WALLET
    assert [(a.wallet, a.quantity, a.cost_basis) for a in scopes.allocations] == [
        ("a", Decimal(1), Decimal(100)),
        ("b", Decimal(1), Decimal(100)),
    ]
    assert sorted((x.wallet, x.quantity) for x in holdings.book) == [
        ("a", Decimal(1)),
        ("b", Decimal(1)),
    ]
    assert notes.warnings == []


def test_local_dates_and_tax_years_follow_the_reporting_zone() -> None:
    utc, toronto = Dates(CA, UTC), Dates(CA, ZoneInfo("America/Toronto"))
    moment = datetime(2025, 1, 1, 2, 0, tzinfo=UTC)
    assert utc.day(moment) == date(2025, 1, 1)
    assert toronto.day(moment) == date(2024, 12, 31)
    assert toronto.year(toronto.day(moment)) == "2024"
    assert toronto.row_facts(date(2024, 1, 1), date(2025, 1, 2))[0] is Term.LONG


def test_run_keeps_no_book_of_its_own() -> None:
    run = Run(US, Method.FIFO, UTC, None, False)
    own = {name: type(value).__name__ for name, value in vars(run).items()}
    assert not {kind for kind in own.values() if kind in ("dict", "list", "set", "Decimal")}
    assert run.holdings.notes is run.notes is run.rows.notes is run.debts.notes
