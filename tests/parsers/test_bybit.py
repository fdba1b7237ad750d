"""Bybit: transaction log, closed P&L, spot trade history and funding history. Goldens of the
samples, detection, builds checked by hand, every kind of broken file, and the per-file Funding
sign and derived positions of the transaction log."""

from __future__ import annotations

from decimal import Decimal

import pytest

from taxloss.model import TradeKind
from taxloss.parsers.bybit import contract_asset, settlement_coin, split_pair, zone_of

from ..conftest import SAMPLES
from .conftest import errors, trade_line, trade_lines, trades_text

SAMPLE_PARSERS = {
    "bybit-transaction-log.csv": "bybit-transaction-log",
    "bybit-closed-pnl.csv": "bybit-closed-pnl",
    "bybit-spot-trades.csv": "bybit-spot",
    "bybit-funding-history.csv": "bybit-funding",
}
LOG_HEADER = (
    "Time,Currency,Contract,Type,Direction,Quantity,Position,Filled Price,Funding,Fee Paid,"
    "Cash Flow,Change,Wallet Balance,Fee Rate,Trade ID,Order ID"
)
PNL_HEADER = (
    "Contracts,Closing Direction,Qty,Entry Price,Exit Price,Closed P&L,Exit Type,Trade Time(UTC+0)"
)
SPOT_HEADER = (
    "Order No.,Symbol,Side,Filled Price,Filled Qty,Filled Value,Trading Fee,Fee Currency,"
    "Execution Time"
)
FUNDING_HEADER = "Date & Time(UTC),Coin,QTY,Type,Account Balance,Description"


# -- samples -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLE_PARSERS))
def test_sample_golden(parse, golden, name: str) -> None:
    trades = parse(SAMPLES / name)
    golden(name.replace(".csv", ".trades.txt"), trades_text(trades))


@pytest.mark.parametrize("name", sorted(SAMPLE_PARSERS))
def test_detect_names_the_parser(detect, name: str) -> None:
    output = detect(name, cwd=SAMPLES)
    assert output.startswith(f"{name}: {SAMPLE_PARSERS[name]} (header row at line 1 ")


def row_of(data: dict, description: str) -> dict:
    (row,) = [d for d in data["disposals"] if d["description"] == description]
    return row


def test_transaction_log_builds_and_the_liquidated_short_is_one_row(build) -> None:
    data = build(SAMPLES / "bybit-transaction-log.csv")
    short = row_of(data, "ETHUSDT perpetual, short, liquidated")
    # By hand, from the sample: credits (proceeds) are the five funding payments received,
    # 0.771085 + 0.40075 + 0.81718 + 0.830515 + 0.834435 = 3.653965; debits (basis) are the two
    # opening fees 2.39855 + 1.79883, the funding paid 1.18209 + 0.82642, the liquidation loss
    # 763.15 and the liquidation fee 4.6171125 = 773.9730025. Gain -770.3190375.
    assert {
        k: short[k] for k in ("tax_year", "term", "box", "quantity", "acquired", "disposed")
    } == {
        "tax_year": "2025",
        "term": "short",
        "box": "I",
        "quantity": "3.5",
        "acquired": "2025-03-04",
        "disposed": "2025-03-06",
    }
    assert (short["proceeds"], short["cost_basis"], short["gain_loss"]) == (
        "3.65",
        "773.97",
        "-770.32",
    )
    assert (short["fee"], short["liquidation"], short["wallet"]) == ("8.81", True, "bybit-futures")
    assert (short["acquired_at"], short["disposed_at"]) == (
        "2025-03-04T14:20:11Z",
        "2025-03-06T21:14:37Z",
    )
    # Close 0.05 x (91480 - 86250) = 261.5 plus funding received 0.4450775; fees 2.371875 +
    # 2.5157 and funding paid 0.4406 + 0.45115.
    long = row_of(data, "BTCUSDT perpetual, long")
    assert (long["proceeds"], long["cost_basis"], long["gain_loss"], long["fee"]) == (
        "261.95",
        "5.78",
        "256.17",
        "4.89",
    )
    assert len(data["disposals"]) == 2
    codes = [w["code"] for w in data["warnings"]]
    assert "positions_aggregated" not in codes  # positions were derived from the log
    assert "stablecoin_basis_assumed" in codes  # the transferIn has no recorded source


def test_liquidated_short_flows_add_up_exactly(parse) -> None:
    trades = [t for t in parse(SAMPLES / "bybit-transaction-log.csv") if t.asset == "ETHUSDT-PERP"]
    assert {t.position for t in trades} == {"ETHUSDT-short-20250304T142011Z-1"}
    assert {t.side for t in trades} == {"short"}
    flows = sum((t.quote_quantity or Decimal(0) for t in trades), Decimal(0))
    fees = sum((t.fee_quantity or Decimal(0) for t in trades), Decimal(0))
    assert flows - fees == Decimal("-770.3190375")


def test_closed_pnl_builds_with_its_liquidation(build) -> None:
    data = build(SAMPLES / "bybit-closed-pnl.csv")
    liquidated = row_of(data, "ETHUSDT perpetual, long, liquidated")
    assert (
        liquidated["disposed"],
        liquidated["proceeds"],
        liquidated["cost_basis"],
        liquidated["gain_loss"],
        liquidated["liquidation"],
    ) == ("2024-08-05", "0.00", "1133.01", "-1133.01", True)
    # Proceeds: the eight profits 3745.67 + 69.50 + 38.93 + 86.47 + 455.07 + 13.06 + 1159.85 +
    # 435.65; basis: the losses 211.84 + 150.47 + 1133.01.
    total = data["tax_years"]["2024"]["total"]
    assert (total["proceeds"], total["cost_basis"], total["gain_loss"], total["rows"]) == (
        "6004.20",
        "1495.32",
        "4508.88",
        11,
    )


def test_spot_trades_build(build) -> None:
    data = build(SAMPLES / "bybit-spot-trades.csv")
    (eth,) = [d for d in data["disposals"] if d["description"] == "0.6 ETH"]
    # 0.6 x 4012.80 = 2407.68 less the 2.40768 USDT fee; basis 0.6 of 1.1988 ETH net of the
    # 0.0012 ETH fee, which cost 2892.42 - 2.89242 = 2889.52758: 1446.21.
    assert (eth["acquired"], eth["disposed"], eth["proceeds"], eth["cost_basis"]) == (
        "2024-01-22",
        "2024-03-13",
        "2405.27",
        "1446.21",
    )
    assert eth["wallet"] == "bybit"
    assert "stablecoin_basis_assumed" in [w["code"] for w in data["warnings"]]


def test_funding_history_builds(build) -> None:
    data = build(SAMPLES / "bybit-funding-history.csv")
    assert data["disposals"] == []
    moves = [
        (t["from_wallet"], t["to_wallet"], t["sent"], t["received"]) for t in data["transfers"]
    ]
    assert moves == [
        (None, "bybit", "0", "5000"),
        ("bybit", None, "1000", "0"),
        (None, "bybit", "0", "3000"),
        (None, "bybit", "0", "1500"),
        ("bybit", None, "2500", "0"),
        (None, "bybit", "0", "2000"),
        ("bybit", None, "3500", "0"),
    ]


def test_all_bybit_samples_build_together(build) -> None:
    data = build(*(SAMPLES / name for name in sorted(SAMPLE_PARSERS)))
    assert len(data["disposals"]) == 25
    short = row_of(data, "ETHUSDT perpetual, short, liquidated")
    assert (short["proceeds"], short["cost_basis"], short["gain_loss"]) == (
        "3.65",
        "773.97",
        "-770.32",
    )


# -- transaction log: broken files ---------------------------------------------------------


def test_log_missing_column(parse, write_csv) -> None:
    header = LOG_HEADER.replace("Fee Paid,", "")
    path = write_csv(
        "log.csv",
        f"""
        {header}
        2025-03-03 09:12:05,USDT,,transferIn,,,,,0,5000,5000,5000,,,
        """,
    )
    assert errors(parse, path) == [
        "log.csv:1: header: missing column 'Fee Paid': expected it in this export"
    ]


def test_log_row_errors_are_reported_together(parse, write_csv) -> None:
    path = write_csv(
        "log.csv",
        f"""
        {LOG_HEADER}
        2025-03-03 09:12:05,USDT,,transferIn,,,,,0,0,5000,5000,5000,,,
        2025-03-04 14:20:11,USDT,ETHUSDT,trade,Open Short,2,2,2180.5,0,2.3x,0,-2.39855,,,t1,o1
        2025-03-04 14:20:12,USDT,ETHUSDT,swap,Open Short,2.00,2.00,2180.50,0,0,0,0,1,,t2,o2
        yesterday,USDT,ETHUSDT,trade,Open Short,2.00,2.00,2180.50,0,0,0,0,1,,t3,o3
        2025-03-04 14:20:14,USDT,ETHUSDT,trade,Hold,2.00,2.00,2180.50,0,0,0,0,1,,t4,o4
        2025-03-04 14:20:15,USDT,,trade,Open Long,2.00,2.00,2180.50,0,0,0,0,1,,t5,o5
        2025-03-04 14:20:16,USDT,,transferIn,,,,,0,0,-5,-5,1,,,
        """,
    )
    assert errors(parse, path) == [
        "log.csv:3: Fee Paid: expected a number, found '2.3x'",
        "log.csv:4: Type: unknown type 'swap': expected one of trade, funding, liquidation, "
        "deposit, withdraw, transferIn, transferOut, exchangeIn, exchangeOut, SETTLEMENT, "
        "DELIVERY, BONUS, ADL, AIRDROP",
        "log.csv:5: Time: expected an ISO 8601 date and time like 2025-03-01T14:05:00Z, found "
        "'yesterday'",
        "log.csv:6: Direction: unknown direction 'Hold' for a trade: expected Open Long, Open "
        "Short, Close Long, Close Short (contracts) or Buy, Sell (spot)",
        "log.csv:7: Contract: a trade row needs its contract, e.g. BTCUSDT",
        "log.csv:8: Change: expected a positive balance change for a transferIn row, found -5",
    ]


def test_log_truncated_row(parse, write_csv) -> None:
    path = write_csv(
        "log.csv",
        f"""
        {LOG_HEADER}
        2025-03-03 09:12:05,USDT,,transferIn,,,,,0,0,5000,5000,5000,,,
        2025-03-04 14:20:11,USDT,ETHUSDT,trade,Open Short,2.00
        """,
    )
    assert errors(parse, path) == [
        "log.csv:3: expected 16 cells as in the header (line 1), found 6: the row is truncated"
    ]


def test_log_unknown_type_in_any_case_spelling(parse, write_csv) -> None:
    path = write_csv(
        "log.csv",
        f"""
        {LOG_HEADER}
        2025-03-03 09:12:05,USDT,,TRANSFERIN,,,,,0,0,5000,5000,5000,,,
        2025-03-03 09:12:06,USDT,,Rebate,,,,,0,0,1,1,5001,,,
        """,
    )
    assert errors(parse, path) == [
        "log.csv:3: Type: unknown type 'Rebate': expected one of trade, funding, liquidation, "
        "deposit, withdraw, transferIn, transferOut, exchangeIn, exchangeOut, SETTLEMENT, "
        "DELIVERY, BONUS, ADL, AIRDROP"
    ]


# -- transaction log: the sign of Funding ----------------------------------------------------

FUNDING_ROWS = """
2025-03-01 00:00:00,USDT,,transferIn,,,,,0,0,100,100,100,,,
2025-03-01 08:00:00,USDT,BTCUSDT,funding,,,0.05,90000,{a},0,0,-0.45,99.55,0.0001,,
2025-03-01 16:00:00,USDT,BTCUSDT,funding,,,0.05,90000,{b},0,0,0.2,99.75,-0.0001,,
"""


def test_funding_sign_received_positive(parse, write_csv) -> None:
    path = write_csv("uta.csv", LOG_HEADER + FUNDING_ROWS.format(a="-0.45", b="0.2"))
    funding = [t for t in parse(path) if t.kind is TradeKind.FUNDING]
    assert [t.quote_quantity for t in funding] == [Decimal("-0.45"), Decimal("0.2")]


def test_funding_sign_paid_positive_gives_the_same_trades(parse, write_csv) -> None:
    uta = parse(write_csv("uta.csv", LOG_HEADER + FUNDING_ROWS.format(a="-0.45", b="0.2")))
    classic = parse(write_csv("uta2.csv", LOG_HEADER + FUNDING_ROWS.format(a="0.45", b="-0.2")))
    assert [t.quote_quantity for t in classic] == [t.quote_quantity for t in uta]
    assert [t.quote_quantity for t in classic if t.kind is TradeKind.FUNDING] == [
        Decimal("-0.45"),
        Decimal("0.2"),
    ]


def test_funding_sign_conventions_mixed_in_one_file(parse, write_csv) -> None:
    path = write_csv("mixed.csv", LOG_HEADER + FUNDING_ROWS.format(a="-0.45", b="-0.2"))
    assert errors(parse, path) == [
        "mixed.csv:4: Funding: Change = Cash Flow - Funding - Fee Paid here, but Cash Flow + "
        "Funding - Fee Paid at line 3: expected one sign convention for Funding in the whole file"
    ]


def test_funding_that_fits_neither_convention(parse, write_csv) -> None:
    path = write_csv("odd.csv", LOG_HEADER + FUNDING_ROWS.format(a="-0.45", b="0.3"))
    assert errors(parse, path) == [
        "odd.csv:4: Change: expected Cash Flow + Funding - Fee Paid (0.3) or Cash Flow - Funding "
        "- Fee Paid (-0.3), found 0.2: cannot tell the sign of Funding"
    ]


def test_funding_sign_is_checked_within_the_tolerance(parse, write_csv) -> None:
    rows = FUNDING_ROWS.format(a="-0.450000004", b="0.2")
    (_, funding, _) = parse(write_csv("close.csv", LOG_HEADER + rows))
    assert funding.quote_quantity == Decimal("-0.450000004")


def test_contract_rows_must_add_up(parse, write_csv) -> None:
    path = write_csv(
        "sums.csv",
        f"""
        {LOG_HEADER}
        2025-03-01 08:00:00,USDT,BTCUSDT,funding,,,0.05,90000,0,0,0,-0.45,99.55,0.0001,,
        2025-03-02 10:00:00,USDT,BTCUSDT,trade,Close Long,0.1,0,91000,0,-5,100,95,1,,t1,o1
        """,
    )
    assert errors(parse, path) == [
        "sums.csv:2: Change: expected Cash Flow - Fee Paid (0), found -0.45: the row's amounts "
        "do not add up",
        "sums.csv:3: Change: expected Cash Flow - Fee Paid (105), found 95: the row's amounts "
        "do not add up",
    ]


# -- transaction log: rows and positions -----------------------------------------------------


def test_file_order_does_not_change_the_trades(parse, write_csv) -> None:
    text = (SAMPLES / "bybit-transaction-log.csv").read_text()
    header, *body = text.splitlines()
    path = write_csv("oldest-first.csv", "\n".join([header, *reversed(body)]) + "\n")

    def key(trade):  # everything but the line
        return trade_line(trade).split(" | ", 1)[1]

    newest_first = sorted(key(t) for t in parse(SAMPLES / "bybit-transaction-log.csv"))
    assert sorted(key(t) for t in parse(path)) == newest_first


def test_partial_closes_are_segments_of_one_position(parse, write_csv) -> None:
    path = write_csv(
        "partial.csv",
        f"""
        {LOG_HEADER}
        2025-01-02 10:00:00,USDT,SOLUSDT,trade,Open Long,10,10,200,0,1.1,0,-1.1,1,,t1,o1
        2025-01-02 16:00:00,USDT,SOLUSDT,funding,,,10,201,-0.2,0,0,-0.2,1,,,
        2025-01-03 10:00:00,USDT,SOLUSDT,trade,Close Long,4,6,210,0,0.462,40,39.538,1,,t2,o2
        2025-01-03 10:00:01,USDT,SOLUSDT,trade,Close Long,2,4,210,0,0.231,20,19.769,1,,t3,o2
        2025-01-03 16:00:00,USDT,SOLUSDT,funding,,,4,211,-0.1,0,0,-0.1,1,,,
        2025-01-04 10:00:00,USDT,SOLUSDT,trade,Close Long,4,0,190,0,0.418,-40,-40.418,1,,t4,o3
        2025-01-04 16:00:00,USDT,SOLUSDT,funding,,,0,190,0.05,0,0,0.05,1,,,
        2025-01-05 10:00:00,USDT,SOLUSDT,trade,Open Short,1,1,185,0,0.1,0,-0.1,1,,t5,o4
        """,
    )
    assert [(t.kind.value, t.position, t.side) for t in parse(path)] == [
        ("commission", "SOLUSDT-long-20250102T100000Z-1", "long"),
        ("funding", "SOLUSDT-long-20250102T100000Z-1", "long"),
        ("realized_pnl", "SOLUSDT-long-20250102T100000Z-1", "long"),
        ("realized_pnl", "SOLUSDT-long-20250102T100000Z-1", "long"),
        ("funding", "SOLUSDT-long-20250102T100000Z-2", "long"),
        ("realized_pnl", "SOLUSDT-long-20250102T100000Z-2", "long"),
        ("funding", "", ""),  # no position open: aggregated per day by the engine
        ("commission", "SOLUSDT-short-20250105T100000Z-1", "short"),
    ]


def test_a_position_open_before_the_export_gets_no_id(parse, write_csv) -> None:
    path = write_csv(
        "mid.csv",
        f"""
        {LOG_HEADER}
        2025-01-02 16:00:00,USDT,BTCUSDT,funding,,,0.1,90000,-0.9,0,0,-0.9,1,,,
        2025-01-03 10:00:00,USDT,BTCUSDT,trade,Open Long,0.1,0.2,91000,0,5,0,-5,1,,t1,o1
        2025-01-03 16:00:00,USDT,BTCUSDT,funding,,,0.2,91000,-1.8,0,0,-1.8,1,,,
        2025-01-04 10:00:00,USDT,BTCUSDT,trade,Close Long,0.2,0,92000,0,10,300,290,1,,t2,o2
        2025-01-05 10:00:00,USDT,BTCUSDT,trade,Open Long,0.1,0.1,93000,0,5,0,-5,1,,t3,o3
        """,
    )
    assert [(t.position, t.side, t.opened) for t in parse(path)][:4] == [("", "", None)] + [
        ("", "long", None)
    ] * 3
    assert parse(path)[4].position == "BTCUSDT-long-20250105T100000Z-1"


def test_hedge_mode_funding_with_both_sides_open_gets_no_id(parse, write_csv) -> None:
    path = write_csv(
        "hedge.csv",
        f"""
        {LOG_HEADER}
        2025-01-02 10:00:00,USDT,BTCUSDT,trade,Open Long,0.1,0.1,90000,0,5,0,-5,1,,t1,o1
        2025-01-02 10:05:00,USDT,BTCUSDT,trade,Open Short,0.1,0.1,90000,0,5,0,-5,1,,t2,o2
        2025-01-02 16:00:00,USDT,BTCUSDT,funding,,,0.1,90000,-0.9,0,0,-0.9,1,,,
        """,
    )
    assert [(t.position, t.side) for t in parse(path)] == [
        ("BTCUSDT-long-20250102T100000Z-1", "long"),
        ("BTCUSDT-short-20250102T100500Z-1", "short"),
        ("", ""),
    ]


def test_same_second_fills_in_any_order_open_one_position(parse, write_csv) -> None:
    path = write_csv(
        "fills.csv",
        f"""
        {LOG_HEADER}
        2025-01-02 10:00:00,USDT,BTCUSDT,trade,Open Long,0.2,0.3,90000,0,9,0,-9,1,,t2,o1
        2025-01-02 10:00:00,USDT,BTCUSDT,trade,Open Long,0.1,0.1,90000,0,4.5,0,-4.5,1,,t1,o1
        2025-01-02 11:00:00,USDT,BTCUSDT,trade,Close Long,0.1,0.2,91000,0,5,100,95,1,,t3,o2
        2025-01-02 11:00:00,USDT,BTCUSDT,trade,Close Long,0.2,0,91000,0,10,200,190,1,,t4,o2
        """,
    )
    trades = parse(path)
    assert {t.position for t in trades} == {"BTCUSDT-long-20250102T100000Z-1"}
    assert [t.kind.value for t in trades] == ["commission"] * 2 + ["realized_pnl"] * 2


def test_fills_fees_rebates_and_forced_closes(parse, write_csv) -> None:
    path = write_csv(
        "kinds.csv",
        f"""
        {LOG_HEADER}
        2025-01-02 10:00:00,USDT,BTCUSDT,trade,Open Long,0.1,0.1,90000,0,-0.9,0,0.9,1,,t1,o1
        2025-01-03 10:00:00,USDT,BTCUSDT,ADL,Close Long,0.1,0,99000,0,2,900,898,1,,t2,o2
        2025-01-04 10:00:00,USDC,BTCPERP,SETTLEMENT,,,0,95000,0,0,-12.5,-12.5,1,,,
        2025-01-05 10:00:00,USDT,BTCUSDT-28MAR25,DELIVERY,Close Short,0.1,0,,0,0.5,-20,-20.5,,,t3,
        """,
    )
    assert trade_lines(parse(path)) == [
        "2 | 2025-01-02T10:00:00Z | commission | 0 BTCUSDT-PERP | quote 0.9 USDT | "
        "wallet bybit-futures | id bybit:t1 | position BTCUSDT-long-20250102T100000Z-1 | "
        "opened 2025-01-02T10:00:00Z",
        "3 | 2025-01-03T10:00:00Z | liquidation | 0.1 BTCUSDT-PERP | quote 900 USDT | "
        "fee 2 USDT | wallet bybit-futures | id bybit:t2 | "
        "position BTCUSDT-long-20250102T100000Z-1 | opened 2025-01-02T10:00:00Z | "
        "note 'auto-deleveraged by Bybit'",
        "4 | 2025-01-04T10:00:00Z | realized_pnl | 0 BTCPERP | quote -12.5 USDC | "
        "wallet bybit-futures | note 'session settlement'",
        "5 | 2025-01-05T10:00:00Z | realized_pnl | 0.1 BTCUSDT-28MAR25 | quote -20 USDT | "
        "fee 0.5 USDT | wallet bybit-futures | id bybit:t3 | note 'futures delivery'",
    ]


def test_inverse_contract_and_its_coin_margin_go_to_coinm(parse, write_csv) -> None:
    path = write_csv(
        "inverse.csv",
        f"""
        {LOG_HEADER}
        2025-01-02 09:00:00,BTC,,transferIn,,,,,0,0,0.5,0.5,0.5,,,
        2025-01-02 10:00:00,BTC,BTCUSD,trade,Open Short,1000,1000,,0,6.1E-6,0,-6.1E-6,,,t1,o1
        2025-01-02 12:00:00,BTC,BTCUSD,trade,Close Short,1000,0,,0,6E-6,-1.221E-4,-1.281E-4,,,t2,o2
        2025-01-02 13:00:00,ETH,,transferIn,,,,,0,0,2,2,2,,,
        """,
    )
    assert [(t.kind.value, t.asset, t.wallet, t.quote_asset) for t in parse(path)] == [
        ("deposit", "BTC", "bybit-coinm", ""),
        ("commission", "BTCUSD-PERP", "bybit-coinm", "BTC"),
        ("realized_pnl", "BTCUSD-PERP", "bybit-coinm", "BTC"),
        ("deposit", "ETH", "bybit-futures", ""),
    ]


def test_spot_legs_pair_into_buys_and_sells(parse, write_csv) -> None:
    path = write_csv(
        "spot.csv",
        f"""
        {LOG_HEADER}
        2025-02-01 10:00:00,BTC,BTCUSDT,trade,Buy,0.01,,95000,0,0.00001,0.01,0.00999,,,s1,so1
        2025-02-01 10:00:00,USDT,BTCUSDT,trade,Buy,0.01,,95000,0,0,-950,-950,50,0,s1,so1
        2025-02-02 10:00:00,BTC,BTCUSDT,trade,Sell,0.005,,97000,0,0,-0.005,-0.005,0.00499,0,s2,so2
        2025-02-02 10:00:00,USDT,BTCUSDT,trade,Sell,0.005,,97000,0,0.485,485,484.515,,,s2,so2
        2025-02-03 10:00:00,USDT,,exchangeOut,,,,,0,0,-100,-100,434.515,,,c1
        2025-02-03 10:00:00,ETH,,exchangeIn,,,,,0,0,0.04,0.04,0.04,,,c1
        """,
    )
    assert trade_lines(parse(path)) == [
        "2 | 2025-02-01T10:00:00Z | buy | 0.01 BTC | quote 950 USDT | fee 0.00001 BTC | "
        "wallet bybit-futures | id bybit:s1 | note 'legs at lines 2 and 3'",
        "4 | 2025-02-02T10:00:00Z | sell | 0.005 BTC | quote 485 USDT | fee 0.485 USDT | "
        "wallet bybit-futures | id bybit:s2 | note 'legs at lines 4 and 5'",
        "6 | 2025-02-03T10:00:00Z | buy | 0.04 ETH | quote 100 USDT | wallet bybit-futures | "
        "id bybit:c1 | note 'legs at lines 6 and 7'",
    ]


def test_a_lone_spot_leg_or_convert_leg_is_explained(parse, write_csv) -> None:
    path = write_csv(
        "lone.csv",
        f"""
        {LOG_HEADER}
        2025-02-01 10:00:00,BTC,BTCUSDT,trade,Buy,0.01,,95000,0,0,0.01,0.01,0.01,0,s1,so1
        2025-02-03 10:00:00,USDT,,exchangeOut,,,,,0,0,-100,-100,1,,,c1
        """,
    )
    assert errors(parse, path) == [
        "lone.csv:2: Trade ID: spot trade s1 has 1 row(s) in this log: expected two rows with "
        "this Trade ID, one per coin (export the whole period, or use the spot trade history "
        "export, bybit-spot, for spot trades)",
        "lone.csv:3: Type: convert c1 has 1 exchangeOut and 0 exchangeIn row(s): expected one "
        "of each with the same Order ID (or Trade ID, or time)",
    ]


def test_a_bad_spot_leg_does_not_make_its_partner_a_lone_leg(parse, write_csv) -> None:
    path = write_csv(
        "leg.csv",
        f"""
        {LOG_HEADER}
        2025-02-01 10:00:00,BTC,BTCUSDT,trade,Buy,0.01,,95000,0,0,0.01,0.01x,0.01,0,s1,so1
        2025-02-01 10:00:00,USDT,BTCUSDT,trade,Buy,0.01,,95000,0,0,-950,-950,50,0,s1,so1
        """,
    )
    assert errors(parse, path) == ["leg.csv:2: Change: expected a number, found '0.01x'"]


def test_cash_rows(parse, write_csv) -> None:
    path = write_csv(
        "cash.csv",
        f"""
        {LOG_HEADER}
        2025-01-02 10:00:00,USDT,,deposit,,,,,0,0,100,100,100,,,d1
        2025-01-02 11:00:00,EUR,,deposit,,,,,0,0,100,100,100,,,
        2025-01-03 10:00:00,USDT,,withdraw,,,,,0,1,-50,-51,49,,,w1
        2025-01-04 10:00:00,MNT,,AIRDROP,,,,,0,0,12,12,12,,,
        2025-01-05 10:00:00,USDT,,BONUS,,,,,0,0,5,5,54,,,
        2025-01-06 10:00:00,USDT,,bonus,,,,,0,0,-5,-5,49,,,
        """,
    )
    assert trade_lines(parse(path)) == [
        "2 | 2025-01-02T10:00:00Z | deposit | 100 USDT | wallet bybit-futures | id bybit:d1 | "
        "note 'deposit'",
        "4 | 2025-01-03T10:00:00Z | withdrawal | 50 USDT | fee 1 USDT | wallet bybit-futures | "
        "id bybit:w1 | note 'withdrawal'",
        "5 | 2025-01-04T10:00:00Z | income | 12 MNT | wallet bybit-futures | note 'Bybit airdrop'",
        "6 | 2025-01-05T10:00:00Z | income | 5 USDT | wallet bybit-futures | note 'Bybit bonus'",
        "7 | 2025-01-06T10:00:00Z | fee | 5 USDT | wallet bybit-futures | "
        "note 'Bybit bonus taken back'",
    ]


def test_log_as_xlsx(parse, tmp_path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in (SAMPLES / "bybit-transaction-log.csv").read_text().splitlines():
        sheet.append(line.split(","))
    path = tmp_path / "log.xlsx"
    workbook.save(path)
    assert trades_text(parse(path)) == trades_text(parse(SAMPLES / "bybit-transaction-log.csv"))


# -- closed P&L --------------------------------------------------------------------------------


def test_closed_pnl_variants(parse, write_csv) -> None:
    path = write_csv(
        "pnl.csv",
        f"""
        {PNL_HEADER},Order No.,Create Time
        BTCUSD,Sell,1000,60000,61000,0.00027,Trade,2024-05-01 10:00:00,o-1,2024-05-01 10:00:00
        ETHPERP,Close Short,1,3000,3100,-101.2,BustTrade,2024-05-02 10:00:00,o-2,2024-05-02 10:00:00
        BTC-27DEC24,Close Long,0.1,60000,61000,99.1,ADL,2024-05-03 10:00:00,,2024-05-03 10:00:00
        """,
    )
    assert trade_lines(parse(path)) == [
        "2 | 2024-05-01T10:00:00Z | realized_pnl | 1000 BTCUSD-PERP | quote 0.00027 BTC | "
        "wallet bybit-coinm | id bybit:o-1 | note 'exit type Trade, net of fees and funding'",
        "3 | 2024-05-02T10:00:00Z | liquidation | 1 ETHPERP | quote -101.2 USDC | "
        "wallet bybit-futures | id bybit:o-2 | note 'exit type BustTrade, net of fees and "
        "funding'",
        "4 | 2024-05-03T10:00:00Z | liquidation | 0.1 BTC-27DEC24 | quote 99.1 USDC | "
        "wallet bybit-futures | note 'exit type ADL, net of fees and funding'",
    ]
    assert [t.side for t in parse(path)] == ["long", "short", "long"]


def test_closed_pnl_time_zone_from_the_header(parse, write_csv) -> None:
    path = write_csv(
        "pnl8.csv",
        """
        Contracts,Closing Direction,Qty,Closed P&L,Exit Type,Trade Time(UTC+8)
        BTCUSDT,Close Long,0.1,10,Trade,2024-05-01 08:00:00
        """,
    )
    assert parse(path)[0].timestamp.isoformat() == "2024-05-01T00:00:00+00:00"


def test_closed_pnl_broken_rows(parse, write_csv) -> None:
    path = write_csv(
        "pnl.csv",
        f"""
        {PNL_HEADER}
        BTCUSDT,Close Long,0.1,60000,61000,99.1,Trade,2024-05-03 10:00:00
        BTCUSDT,Close Long,0.1,60000,61000,ninety,Trade,2024-05-03 10:00:00
        BTCUSDT,Close Long,0.1,60000,61000,99.1,Expired,2024-05-03 10:00:00
        BTCUSDT,Close Up,0.1,60000,61000,99.1,Trade,2024-05-03 10:00:00
        WIDGET,Close Long,0.1,60000,61000,99.1,Trade,2024-05-03 10:00:00
        BTCUSDT,Close Long,0.1,60000,61000
        """,
    )
    assert errors(parse, path) == [
        "pnl.csv:7: expected 8 cells as in the header (line 1), found 5: the row is truncated"
    ]
    path.write_text("\n".join(path.read_text().splitlines()[:-1]) + "\n")
    assert errors(parse, path) == [
        "pnl.csv:3: Closed P&L: expected a number, found 'ninety'",
        "pnl.csv:4: Exit Type: unknown exit type 'Expired': expected one of Trade, BlockTrade, "
        "Delivery, Settle, Liquidation, BustTrade, ADL, AdlTrade",
        "pnl.csv:5: Closing Direction: unknown closing direction 'Close Up': expected Close "
        "Long, Close Short (or Sell, Buy)",
        "pnl.csv:6: Contracts: expected a Bybit contract such as BTCUSDT, BTCUSD or BTC-27DEC24, "
        "found 'WIDGET': cannot tell its settlement coin",
    ]


def test_closed_pnl_missing_column(parse, write_csv) -> None:
    path = write_csv(
        "pnl.csv",
        """
        Contracts,Closing Direction,Qty,Entry Price,Exit Price,Closed P&L,Trade Time(UTC+0)
        BTCUSDT,Close Long,0.1,60000,61000,99.1,2024-05-03 10:00:00
        """,
    )
    assert errors(parse, path) == [
        "pnl.csv:1: header: missing column 'Exit Type': expected it in this export"
    ]


# -- spot trade history ------------------------------------------------------------------------


def test_spot_aliases_and_default_fee_coin(parse, write_csv) -> None:
    path = write_csv(
        "spot.csv",
        """
        Execution ID,Symbol,Side,Filled Price,Filled Qty,Trading Fee,Trade Time(UTC)
        e1,ETH/BTC,BUY,0.035,2,0.002,2024-05-01 10:00:00
        e2,ETHBTC,sell,0.036,1,0.000036,2024-05-02 10:00:00
        """,
    )
    assert trade_lines(parse(path)) == [
        "2 | 2024-05-01T10:00:00Z | buy | 2 ETH | quote 0.07 BTC | fee 0.002 ETH | "
        "wallet bybit | id bybit:e1",
        "3 | 2024-05-02T10:00:00Z | sell | 1 ETH | quote 0.036 BTC | fee 0.000036 BTC | "
        "wallet bybit | id bybit:e2",
    ]


def test_spot_broken_rows(parse, write_csv) -> None:
    path = write_csv(
        "spot.csv",
        f"""
        {SPOT_HEADER}
        1,BTCUSDT,Buy,60000,0.1,6000,0.0001,BTC,2024-05-01 10:00:00
        2,BTCUSDT,Hold,60000,0.1,6000,0.0001,BTC,2024-05-01 10:00:00
        3,BTCUSDT,Buy,60000,0.1,6k,0.0001,BTC,2024-05-01 10:00:00
        4,WIDGET,Buy,60000,0.1,6000,0.0001,BTC,2024-05-01 10:00:00
        5,BTCUSDT,Buy,60000,-0.1,6000,0.0001,BTC,2024-05-01 10:00:00
        """,
    )
    assert errors(parse, path) == [
        "spot.csv:3: Side: unknown side 'Hold': expected Buy or Sell",
        "spot.csv:4: Filled Value: expected a number, found '6k'",
        "spot.csv:5: Symbol: expected a spot pair such as BTCUSDT or BTC/USDT, found 'WIDGET'",
        "spot.csv:6: Filled Qty: expected a positive quantity, found -0.1",
    ]


def test_spot_missing_column(parse, write_csv) -> None:
    path = write_csv(
        "spot.csv",
        """
        Order No.,Symbol,Side,Filled Price,Filled Qty,Filled Value,Execution Time
        1,BTCUSDT,Buy,60000,0.1,6000,2024-05-01 10:00:00
        """,
    )
    assert errors(parse, path) == [
        "spot.csv:1: header: missing column 'Trading Fee': expected it in this export"
    ]


# -- funding history ---------------------------------------------------------------------------


def test_funding_history_rows(parse, write_csv) -> None:
    path = write_csv(
        "funding.csv",
        f"""
        {FUNDING_HEADER}
        2024-05-01 10:00:00,USDT,100,Deposit,100,Deposit
        2024-05-01 11:00:00,EUR,100,Deposit,100,Deposit
        2024-05-02 10:00:00,USDT,-40,Transfer,60,Transfer to Unified Trading Account
        2024-05-03 10:00:00,USDT,-10,Transfer,50,Transfer to Spot Account
        2024-05-04 10:00:00,USDT,5,Transfer,55,Transfer from Unified Trading Account
        """,
    )
    assert trade_lines(parse(path)) == [
        "2 | 2024-05-01T10:00:00Z | deposit | 100 USDT | wallet bybit | note 'deposit'",
        "4 | 2024-05-02T10:00:00Z | withdrawal | 40 USDT | wallet bybit | "
        "note 'to the Unified Trading Account'",
        "6 | 2024-05-04T10:00:00Z | deposit | 5 USDT | wallet bybit | "
        "note 'from the Unified Trading Account'",
    ]


def test_funding_history_old_layout(parse, write_csv) -> None:
    path = write_csv(
        "old.csv",
        """
        Type,Coin,Amount,Wallet Balance,Time(UTC)
        userDeposit,BTC,0.5,0.5,2022-03-01 10:00:00
        internalAccountTransferWithdrawal,BTC,0.2,0.3,2022-03-02 10:00:00
        """,
    )
    assert trade_lines(parse(path)) == [
        "2 | 2022-03-01T10:00:00Z | deposit | 0.5 BTC | wallet bybit | note 'deposit'"
    ]


def test_funding_history_broken_rows(parse, write_csv) -> None:
    path = write_csv(
        "funding.csv",
        f"""
        {FUNDING_HEADER}
        2024-05-01 10:00:00,USDT,100,Deposit,100,Deposit
        2024-05-01 11:00:00,USDT,100,Deposit,100,Staking Reward
        2024-05-01 12:00:00,USDT,lots,Deposit,100,Deposit
        2024-05-01 13:00:00,USDT,0,Deposit,100,Deposit
        """,
    )
    assert errors(parse, path) == [
        "funding.csv:3: Description: unknown description 'Staking Reward': expected one of "
        "Deposit, Withdrawal, Transfer to Derivatives Account, Transfer from Derivatives "
        "Account, Transfer to Unified Trading Account, Transfer from Unified Trading Account, "
        "Transfer to Spot Account, Transfer from Spot Account, Airdrop, Airdrop Bonus, Buy "
        "Crypto with Card, Buy Crypto. taxloss does not know what Bybit paid or took here: if "
        "it is income (a reward, bonus or interest), a purchase, or a move between your own "
        "Bybit accounts, answer this line with --overrides (treat-as income, buy, deposit or "
        "withdrawal; or skip), and tell us the description so a later version knows it",
        "funding.csv:4: QTY: expected a number, found 'lots'",
        "funding.csv:5: QTY: expected a non-zero amount, found 0",
    ]


def test_funding_history_missing_column(parse, write_csv) -> None:
    path = write_csv(
        "funding.csv",
        """
        Coin,QTY,Type,Account Balance,Description
        USDT,100,Deposit,100,Deposit
        """,
    )
    assert errors(parse, path) == [
        "funding.csv:1: header: missing column 'Date & Time(UTC)': expected it in this export"
    ]


# -- helpers -----------------------------------------------------------------------------------


def test_symbols_and_zones() -> None:
    assert contract_asset("BTCUSDT", "USDT") == ("BTCUSDT-PERP", "bybit-futures")
    assert contract_asset("1000PEPEUSDT", "USDT") == ("1000PEPEUSDT-PERP", "bybit-futures")
    assert contract_asset("BTCUSD", "BTC") == ("BTCUSD-PERP", "bybit-coinm")
    assert contract_asset("BTCUSDH25", "BTC") == ("BTCUSDH25", "bybit-coinm")
    assert contract_asset("BTCPERP", "USDC") == ("BTCPERP", "bybit-futures")
    assert [settlement_coin(s) for s in ("BTCUSDT", "ETHUSDC", "BTCUSD", "BTCUSDZ24")] == [
        "USDT",
        "USDC",
        "BTC",
        "BTC",
    ]
    assert [settlement_coin(s) for s in ("ETHPERP", "BTC-27DEC24", "WIDGET")] == [
        "USDC",
        "USDC",
        None,
    ]
    assert [split_pair(s) for s in ("BTCUSDT", "MNTBTC", "USDCUSDT", "BTC/EUR", "X")] == [
        ("BTC", "USDT"),
        ("MNT", "BTC"),
        ("USDC", "USDT"),
        ("BTC", "EUR"),
        None,
    ]
    assert str(zone_of("time(utc+8)")) == "UTC+08:00"
    assert str(zone_of("time(utc-05:30)")) == "UTC-05:30"
    assert str(zone_of("trade time(utc+0)")) == "UTC"
    assert str(zone_of("time")) == "UTC"
