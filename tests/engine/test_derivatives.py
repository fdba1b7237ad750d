"""Derivatives, liquidations, funding and margin (issue #4): one Form 8949 row per position,
settlement coin lots that move without double counting, and debts that are reported."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from taxloss import jurisdiction
from taxloss.model import Price, PriceTable, SourceRef

from .conftest import rows_text

HEADER = (
    "timestamp,type,asset,quantity,quote_asset,quote_quantity,fee_asset,fee_quantity,"
    "fiat_value,wallet,position,opened,side"
)

# A liquidated long: margin bought with USD, an opening fee, a funding payment, then the
# liquidation (realized loss) and its insurance-fund clearance fee at the same second.
LIQUIDATED_LONG = """
2025-03-01T00:00:00Z,buy,USDT,1000,USD,1000,,,,bn,,,
2025-03-04T21:00:03Z,commission,BTCUSDT-PERP,0,USDT,-1.20,,,,bn,P1,2025-03-04T21:00:03Z,long
2025-03-05T08:00:00Z,funding,BTCUSDT-PERP,0,USDT,-0.84,,,,bn,P1,,long
2025-03-05T13:02:51Z,liquidation,BTCUSDT-PERP,0.05,USDT,-412.55,,,,bn,P1,2025-03-04T21:00:03Z,long
2025-03-05T13:02:51Z,insurance_fee,BTCUSDT-PERP,0,USDT,-6.18,,,,bn,P1,,long
"""


def test_liquidated_position_is_one_row_net_of_fees_and_funding(run) -> None:
    report = run(LIQUIDATED_LONG, header=HEADER)
    assert rows_text(report) == [
        "2025 short I BTCUSDT perpetual, long, liquidated 2025-03-04 2025-03-05 0.00 420.77 "
        "-420.77 bn position LIQ"
    ]
    (row,) = report.disposals
    assert row.fee == Decimal("7.38")  # opening commission + insurance clearance fee
    usdt = [lot for lot in report.open_lots if lot.asset == "USDT"]
    assert sum((lot.quantity for lot in usdt), Decimal(0)) == Decimal("579.23")
    assert not [w for w in report.warnings if w.code == "reconciliation"]


def test_without_position_ids_results_aggregate_per_contract_per_day(run) -> None:
    body = "\n".join(
        ",".join([*line.split(",")[:10], "", "", ""])
        for line in LIQUIDATED_LONG.strip().splitlines()
    )
    report = run(body, header=HEADER)
    assert rows_text(report) == [
        "2025 short I BTCUSDT perpetual, funding and fees 2025-03-04 2025-03-04 0.00 1.20 -1.20 "
        "bn position",
        "2025 short I BTCUSDT perpetual, liquidated 2025-03-05 2025-03-05 0.00 419.57 -419.57 "
        "bn position LIQ",
    ]
    assert [w.code for w in report.warnings] == ["positions_aggregated"]


def test_profit_in_a_stablecoin_creates_a_lot_and_is_not_counted_twice(run) -> None:
    report = run(
        """
        2025-05-01T10:00:00Z,realized_pnl,ETHUSDT-PERP,2,USDT,250,USDT,1.5,,by,X9,2025-04-01T10:00:00Z,short
        2025-05-02T10:00:00Z,sell,USDT,248.5,USD,248.5,,,,by,,,
        """,
        header=HEADER,
    )
    assert rows_text(report) == [
        "2025 short I ETHUSDT perpetual, short 2025-04-01 2025-05-01 250.00 1.50 248.50 by "
        "position",
        "2025 short I 248.5 USDT 2025-05-01 2025-05-02 248.50 248.50 0.00 by sale",
    ]


def test_held_more_than_a_year_is_long_term(run) -> None:
    report = run(
        """
        2025-05-01T10:00:00Z,realized_pnl,BTCUSD-0627,1,USD,900,,,,k,Q1,2024-04-30T10:00:00Z,
        """,
        header=HEADER,
    )
    assert rows_text(report) == [
        "2025 long L BTCUSD-0627 futures 2024-04-30 2025-05-01 900.00 0.00 900.00 k position"
    ]


def test_inverse_contract_settled_in_btc_disposes_of_btc_at_fair_value(run) -> None:
    price = Price(date(2025, 6, 1), "BTC", Decimal("60000"), SourceRef("prices.csv", 2))
    report = run(
        """
        2024-01-01T00:00:00Z,buy,BTC,0.1,USD,2000,,,,d,,,
        2025-06-01T12:00:00Z,realized_pnl,BTCUSD-PERP,100,BTC,-0.01,,,,d,Z1,2025-05-20T00:00:00Z,long
        """,
        header=HEADER,
        prices=PriceTable({(price.day, price.asset): price}),
    )
    assert rows_text(report) == [
        "2025 long L 0.01 BTC 2024-01-01 2025-06-01 600.00 200.00 400.00 d settlement",
        "2025 short I BTCUSD perpetual, long 2025-05-20 2025-06-01 0.00 600.00 -600.00 d position",
    ]


def test_funding_as_ordinary_income_and_expense(run) -> None:
    rule = replace(jurisdiction.load_bundled("us"), funding="ordinary")
    report = run(
        """
        2025-03-01T00:00:00Z,buy,USDT,100,USD,100,,,,bn,,,
        2025-03-02T00:00:00Z,funding,BTCUSDT-PERP,0,USDT,-2,,,,bn,,,
        2025-03-03T00:00:00Z,funding,BTCUSDT-PERP,0,USDT,3,,,,bn,,,
        """,
        header=HEADER,
        rule=rule,
    )
    assert rows_text(report) == []
    assert [(i.kind, str(i.fiat_value)) for i in report.expenses] == [("funding", "2")]
    assert [(i.kind, str(i.fiat_value)) for i in report.income] == [("funding", "3")]


def test_a_loss_larger_than_the_balance_is_a_recorded_debt(run) -> None:
    body = """
        2025-03-01T00:00:00Z,buy,USDT,100,USD,100,,,,bn,,,
        2025-03-05T13:02:51Z,liquidation,BTCUSDT-PERP,0.05,USDT,-150,,,,bn,P1,,long
        """
    report = run(body, header=HEADER)  # issue #15: no --allow-missing-basis needed
    assert rows_text(report)[0].endswith("0.00 150.00 -150.00 bn position LIQ")
    assert [w.code for w in report.warnings] == ["debt"]
    (debt,) = report.debts
    assert (debt.asset, debt.quantity, debt.value, debt.wallet) == ("USDT", 50, 50, "bn")
    assert str(debt.source) == "w1.csv:3"


def test_reconciliation_flags_settlement_lots_not_at_par(run) -> None:
    report = run(
        """
        2025-03-01T00:00:00Z,buy,USDT,100,USD,101,,,,bn,,,
        2025-03-05T13:02:51Z,realized_pnl,BTCUSDT-PERP,0.05,USDT,-50,,,,bn,P1,,long
        """,
        header=HEADER,
    )
    assert rows_text(report) == [
        "2025 short I BTCUSDT perpetual, long 2025-03-05 2025-03-05 0.00 50.50 -50.50 bn position"
    ]
    (warning,) = [w for w in report.warnings if w.code == "reconciliation"]
    assert warning.message.startswith(
        "BTCUSDT-PERP 2025: realized total here -50.50 USD differs from the exchange's own PnL, "
        "fee and funding rows, -50.00 USD"
    )


def test_margin_loan_repay_and_interest_are_not_disposals(run) -> None:
    report = run(
        """
        2025-03-01T00:00:00Z,margin_loan,USDT,500,,,,,,bn,,,
        2025-03-01T00:01:00Z,buy,ETH,0.2,USDT,500,,,,bn,,,
        2025-03-02T00:00:00Z,sell,ETH,0.2,USDT,520,,,,bn,,,
        2025-03-02T00:01:00Z,interest,USDT,1.5,,,,,,bn,,,
        2025-03-02T00:02:00Z,margin_repay,USDT,500,,,,,,bn,,,
        """,
        header=HEADER,
    )
    assert rows_text(report) == [
        "2025 short I 500 USDT 2025-03-01 2025-03-01 500.00 500.00 0.00 bn exchange",
        "2025 short I 0.2 ETH 2025-03-01 2025-03-02 520.00 500.00 20.00 bn exchange",
    ]
    assert [(e.kind, str(e.fiat_value)) for e in report.expenses] == [("interest", "1.5")]
    usdt = [lot for lot in report.open_lots if lot.asset == "USDT"]
    assert sum((lot.quantity for lot in usdt), Decimal(0)) == Decimal("18.5")
