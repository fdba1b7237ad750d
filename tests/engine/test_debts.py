"""Debts are a state, not an error (issue #15): a loss larger than the balance on a platform
is owed to it, a later deposit there repays it without a second disposal, and the account
statement adds up to the cent."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from taxloss import jurisdiction
from taxloss.errors import EngineError
from taxloss.model import DebtKind, FlowLine, Price, PriceTable, SourceRef
from taxloss.returns.account import account_statement

from .conftest import rows_text

HEADER = (
    "timestamp,type,asset,quantity,quote_asset,quote_quantity,fee_asset,fee_quantity,"
    "fiat_value,wallet,position,opened,side"
)

# 1000 USDT bought with USD, a long that loses 1180.50 with a 12.40 insurance clearance fee:
# 192.90 USDT more than the balance. Then 200 USDT arrive: the exchange takes 192.90.
LIQUIDATED = """
2025-03-01T00:00:00Z,buy,USDT,1000,USD,1000,,,,bybit,,,
2025-03-04T10:00:00Z,commission,ETHUSDT,0,USDT,-2.50,,,,bybit,P7,2025-03-04T10:00:00Z,long
2025-03-04T16:00:00Z,funding,ETHUSDT,0,USDT,2.50,,,,bybit,P7,,long
2025-03-05T02:11:40Z,liquidation,ETHUSDT,4,USDT,-1180.50,,,,bybit,P7,2025-03-04T10:00:00Z,long
2025-03-05T02:11:40Z,insurance_fee,ETHUSDT,0,USDT,-12.40,,,,bybit,P7,,long
"""
REPAID = "2025-04-10T09:00:00Z,deposit,USDT,200,,,,,,bybit,,,\n"


def test_liquidation_beyond_the_balance_books_the_exchange_loss_and_a_debt(run) -> None:
    report = run(LIQUIDATED, header=HEADER)
    assert rows_text(report) == [
        "2025 short I ETHUSDT futures, long, liquidated 2025-03-04 2025-03-05 2.50 1195.40 "
        "-1192.90 bybit position LIQ"
    ]
    (debt,) = report.debts
    assert debt.kind is DebtKind.NEGATIVE_BALANCE
    assert (debt.asset, debt.quantity, debt.value, debt.contract) == (
        "USDT", Decimal("192.90"), Decimal("192.90"), "ETHUSDT")  # fmt: skip
    # The liquidation row took the balance below zero, its insurance fee further: one debt.
    assert [str(source) for source in debt.sources] == ["w1.csv:5", "w1.csv:6"]
    assert debt.open_value == Decimal("192.90")
    assert not [w for w in report.warnings if w.code in ("missing_basis", "reconciliation")]
    assert not [lot for lot in report.open_lots if lot.asset == "USDT"]
    statement = account_statement(report)
    total = statement.total
    assert (total.capital_in, total.realized, total.left_at_cost, total.owed) == (
        1000, Decimal("-1192.90"), 0, Decimal("192.90"))  # fmt: skip
    assert total.loss_share == Decimal("1.1929")
    assert total.fees == {
        FlowLine.TRADING_FEES: Decimal("2.50"),
        FlowLine.FUNDING_RECEIVED: Decimal("2.50"),
        FlowLine.LIQUIDATION_FEES: Decimal("12.40"),
    }


def test_a_later_deposit_repays_the_debt_without_a_second_disposal(run) -> None:
    report = run(LIQUIDATED + REPAID, header=HEADER)
    assert len(report.disposals) == 1
    (debt,) = report.debts
    (repayment,) = debt.repayments
    assert (repayment.quantity, repayment.value, repayment.basis) == (
        Decimal("192.90"), Decimal("192.90"), Decimal("192.90"))  # fmt: skip
    assert str(repayment.source) == "w1.csv:7"
    assert debt.open_quantity == 0
    usdt = [lot for lot in report.open_lots if lot.asset == "USDT"]
    assert sum((lot.quantity for lot in usdt), Decimal(0)) == Decimal("7.10")
    total = account_statement(report).total
    assert (total.capital_in, total.left_at_cost, total.owed, total.other) == (
        1200, Decimal("7.10"), 0, 0)  # fmt: skip
    assert not [w for w in report.warnings if w.code == "negative_wallet_balance"]


def test_the_debt_is_per_wallet_and_per_year(run) -> None:
    report = run(LIQUIDATED + REPAID.replace("2025-04-10", "2026-01-05"), header=HEADER)
    statement = account_statement(report)
    assert statement.years["2025"].owed == Decimal("192.90")
    assert statement.years["2026"].owed == 0
    assert statement.years["2025"].left_at_cost == 0
    assert statement.wallets["bybit"].moved == 0


def test_allow_missing_basis_keeps_its_meaning_for_unknown_basis_only(run) -> None:
    body = "2025-03-01T00:00:00Z,sell,BTC,1,USD,60000,,,,cb,,,\n"
    with pytest.raises(EngineError):
        run(body, header=HEADER)
    report = run(LIQUIDATED, header=HEADER, allow_missing_basis=True)
    assert [w.code for w in report.warnings] == ["debt", "debt"]  # one notice per row
    assert not any(d.missing_basis for d in report.disposals)


def test_a_debt_in_a_coin_not_at_par_is_a_settlement_at_its_value(run) -> None:
    prices = """
        2025-06-01T00:00:00Z,buy,BTC,0.01,USD,600,,,,d,,,
        2025-06-02T00:00:00Z,realized_pnl,BTCUSD-PERP,1,BTC,-0.015,,,,d,P1,2025-06-01T00:00:00Z,long
        2025-06-03T00:00:00Z,deposit,BTC,0.01,,,,,,d,,,
        """
    day = date(2025, 6, 2)
    table = PriceTable({(day, "BTC"): Price(day, "BTC", Decimal(70000), SourceRef("p", 2))})
    report = run(prices, header=HEADER, prices=table, allow_missing_basis=True)
    (debt,) = report.debts
    assert (debt.quantity, debt.value) == (Decimal("0.005"), Decimal("350"))
    (repayment,) = debt.repayments
    assert repayment.basis == 0  # an unmatched deposit: basis unknown
    total = account_statement(report).total
    assert total.other == Decimal("350")  # settled with units of unknown (zero) basis
    assert total.owed == 0


def test_margin_loans_are_owed_until_repaid(run) -> None:
    body = """
        2025-03-01T00:00:00Z,margin_loan,USDT,500,,,,,,bn,,,
        2025-03-01T00:01:00Z,buy,ETH,0.2,USDT,500,,,,bn,,,
        2025-03-02T00:00:00Z,sell,ETH,0.2,USDT,520,,,,bn,,,
        2025-03-02T00:01:00Z,interest,USDT,1.5,,,,,,bn,,,
        """
    report = run(body, header=HEADER)
    (loan,) = report.debts
    assert loan.kind is DebtKind.MARGIN_LOAN and loan.open_value == 500
    total = account_statement(report).total
    assert (total.owed, total.expenses, total.left_at_cost) == (
        500,
        Decimal("1.5"),
        Decimal("518.5"),
    )
    repaid = run(body + "2025-03-02T00:02:00Z,margin_repay,USDT,500,,,,,,bn,,,\n", header=HEADER)
    total = account_statement(repaid).total
    assert (total.owed, total.other, total.left_at_cost) == (0, 0, Decimal("18.5"))


def test_funding_as_ordinary_expense_beyond_the_balance_is_a_debt_too(run) -> None:
    rule = replace(jurisdiction.load_bundled("us"), funding="ordinary")
    report = run(
        """
        2025-03-01T00:00:00Z,buy,USDT,1,USD,1,,,,bn,,,
        2025-03-02T00:00:00Z,funding,BTCUSDT-PERP,0,USDT,-3,,,,bn,,,
        """,
        header=HEADER,
        rule=rule,
    )
    (debt,) = report.debts
    assert debt.value == 2
    total = account_statement(report).total
    assert (total.expenses, total.owed, total.capital_in) == (3, 2, 1)


def test_a_debt_is_owed_to_the_platform_even_when_another_wallet_holds_the_coin(run) -> None:
    # Before 2025 the US rule identifies lots across wallets, but a platform's balance is its
    # own: the loss beyond the futures wallet's balance is owed there, not paid from Coinbase.
    body = """
        2024-03-01T00:00:00Z,buy,USDT,500,USD,500,,,,coinbase,,,
        2024-03-01T00:00:00Z,buy,USDT,100,USD,100,,,,bn,,,
        2024-03-05T13:02:51Z,liquidation,BTCUSDT-PERP,0.05,USDT,-150,,,,bn,P1,,long
        """
    report = run(body, header=HEADER)
    (debt,) = report.debts
    assert (debt.wallet, debt.quantity) == ("bn", 50)
    assert not [w for w in report.warnings if w.code == "negative_wallet_balance"]
    # Universal identification may use either wallet's lot (FIFO); 500 USDT remain in all.
    assert sum((lot.quantity for lot in report.open_lots), Decimal(0)) == 500
    statement = account_statement(report)
    assert (statement.total.owed, statement.wallets["bn"].owed) == (50, 50)
