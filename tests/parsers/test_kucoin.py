"""KuCoin parsers: spot filled orders, deposits, withdrawals and futures realized PnL (goldens,
detection, end-to-end builds with hand-checked figures, and bad input with exact messages)."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ..conftest import SAMPLES
from .conftest import errors, trades_text

SPOT = (
    "UID,Account Type,Order ID,Symbol,Side,Order Type,Avg. Filled Price,Filled Amount,"
    "Filled Volume,Filled Volume (USDT),Filled Time(UTC+08:00),Fee,Tax,Maker/Taker,Fee Currency"
)
DEPOSITS = (
    "UID,Account Type,Time(UTC+08:00),Coin,Amount,Fee,Hash,Deposit Address,Transfer Network,"
    "Status,Remarks"
)
WITHDRAWALS = DEPOSITS.replace("Deposit Address", "Withdrawal Address/Account")
PNL = (
    "UID,Account Type,Symbol,Close Type,Realized PNL,Total Realized PNL,Total Funding Fees,"
    "Total Trading Fees,Position Opening Time(UTC+08:00),Position Closing Time(UTC+08:00)"
)
SAMPLE_FILES = (
    "kucoin-spot-orders.csv",
    "kucoin-deposits.csv",
    "kucoin-withdrawals.csv",
    "kucoin-futures-pnl.csv",
)


def lines(*rows: str) -> str:
    """CSV text from rows (for rows too long to write inline)."""
    return "".join(row + "\n" for row in rows)


# -- all samples --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_sample_golden(parse, golden, name) -> None:
    trades = parse(SAMPLES / name)
    golden(name.replace(".csv", ".trades.txt"), trades_text(trades))


@pytest.mark.parametrize(
    ("name", "parser", "title"),
    [
        ("kucoin-spot-orders.csv", "kucoin-spot", "KuCoin spot orders (filled)"),
        ("kucoin-deposits.csv", "kucoin-deposits", "KuCoin deposit history"),
        ("kucoin-withdrawals.csv", "kucoin-withdrawals", "KuCoin withdrawal history"),
        (
            "kucoin-futures-pnl.csv",
            "kucoin-futures-pnl",
            "KuCoin futures realized PnL (closed positions)",
        ),
    ],
)
def test_sample_is_detected(detect, name, parser, title) -> None:
    path = SAMPLES / name
    assert detect(path) == f"{path}: {parser} (header row at line 1 matches {title})\n"


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_each_sample_builds_alone(build, name) -> None:
    build(SAMPLES / name)


def test_samples_build_together(build) -> None:
    data = build(*(SAMPLES / name for name in SAMPLE_FILES))
    # Together the deposits fund every purchase: no USDT is spent before it arrived.
    codes = {w["code"] for w in data["warnings"]}
    assert "negative_wallet_balance" not in codes
    usdt = sum(
        Decimal(lot["quantity"])
        for lot in data["open_lots"]
        if lot["asset"] == "USDT" and lot["wallet"] == "kucoin"
    )
    # 17000 deposited - 16045.104075 spent on buys (volume + fee) + 24144.27156 from sells
    # (3643.8525 + 7320.672 + 4376.5191 + 8803.22796, net of fees) - 2 * 8001 withdrawn
    # (amount + fee) = 9097.167485.
    assert usdt == Decimal("9097.167485")


# -- spot ---------------------------------------------------------------------------------------


def test_spot_sample_figures(build) -> None:
    data = build(SAMPLES / "kucoin-spot-orders.csv")
    rows = [
        (d["asset"], d["quantity"], d["acquired"], d["disposed"], d["proceeds"], d["cost_basis"])
        for d in data["disposals"]
        if d["asset"] != "USDT"
    ]
    # By hand. BTC: 0.15 bought for 5982.075 USDT + 5.982075 fee (the fee is charged to the
    # USDT disposed, fees.crypto_to_crypto = "disposed_asset") -> basis 5982.075, i.e.
    # 39880.50 per BTC. Sold 0.05 at 72950 = 3647.50 - 3.6475 fee = 3643.85 (3643.8525),
    # basis 1994.025 -> 1994.03; sold 0.1 for 8812.04 - 8.81204 = 8803.23, basis 3988.05.
    assert rows[0] == ("BTC", "0.05", "2024-01-22", "2024-03-13", "3643.85", "1994.03")
    assert rows[-1] == ("BTC", "0.1", "2024-01-22", "2024-11-12", "8803.23", "3988.05")
    # SOL: 40 for 4294 (4294.00 basis), sold for 7328 - 7.328 = 7320.67.
    assert ("SOL", "40", "2024-02-20", "2024-04-02", "7320.67", "4294.00") in rows


def test_spot_older_layouts(parse, write_csv) -> None:
    fills = write_csv(
        "fills.csv",
        lines(
            "tradeCreatedAt,orderId,symbol,side,price,size,funds,fee,liquidity,feeCurrency,"
            "orderType",
            "2020-10-21 15:38:19,5f8fd0f1e4b0a1,ETH-BTC,buy,0.0342,1.5,0.0513,0.0015,taker,ETH,"
            "market",
            "2020-10-22 09:00:00,5f8fd0f1e4b0a2,ETH-BTC,sell,0.0351,0.5,0.01755,0.00001755,maker,"
            "BTC,limit",
        ),
    )
    assert trades_text(parse(fills)) == (
        "2 | 2020-10-21T07:38:19Z | buy | 1.5 ETH | quote 0.0513 BTC | fee 0.0015 ETH "
        "| wallet kucoin\n"
        "3 | 2020-10-22T01:00:00Z | sell | 0.5 ETH | quote 0.01755 BTC | fee 0.00001755 BTC "
        "| wallet kucoin\n"
    )
    old = write_csv(
        "old.csv",
        """
        oid,symbol,dealPrice,dealValue,amount,fee,direction,createdDate,
        5a1b2c,KCS-USDT,1.25,125,100,0.125,BUY,2019-03-14 10:22:33,
        """,
    )
    assert trades_text(parse(old)) == (
        "2 | 2019-03-14T02:22:33Z | buy | 100 KCS | quote 125 USDT | fee 0.125 USDT "
        "| wallet kucoin\n"
    )


def test_spot_margin_zero_fill_and_zone(parse, write_csv) -> None:
    path = write_csv(
        "margin.csv",
        lines(
            SPOT.replace("UTC+08:00", "UTC"),
            "1,Isolated Margin,o-1,BTC-USDT,SELL,LIMIT,60000,0.01,600,600,2024-05-01 10:00:00,"
            "0.6,0,Maker,USDT",
            "1,TRADE_HF,o-2,BTC-USDT,BUY,LIMIT,0,0,0,0,2024-05-01 11:00:00,0,0,Maker,USDT",
        ),
    )
    assert trades_text(parse(path)) == (
        "2 | 2024-05-01T10:00:00Z | sell | 0.01 BTC | quote 600 USDT | fee 0.6 USDT "
        "| wallet kucoin-margin | id kucoin:o-1\n"
    )


def test_spot_bad_rows(parse, write_csv) -> None:
    path = write_csv(
        "bad.csv",
        f"""
        {SPOT}
        1,Trading Account,o-1,BTCUSDT,BUY,LIMIT,1,1,1,1,2024-01-01 00:00:00,0,0,Maker,USDT
        1,Trading Account,o-2,BTC-USDT,HOLD,LIMIT,1,1,1,1,2024-01-01 00:00:00,0,0,Maker,USDT
        1,Trading Account,o-3,BTC-USDT,BUY,LIMIT,1,1,1x,1,2024-01-01 00:00:00,0,0,Maker,USDT
        1,Trading Account,o-4,BTC-USDT,BUY,LIMIT,1,1,1,1,2024-01-01 00:00:00,0.1,0.05,Maker,USDT
        1,Savings,o-5,BTC-USDT,BUY,LIMIT,1,1,1,1,2024-01-01 00:00:00,0.1,0,Maker,
        1,Trading Account,o-6,BTC-USDT,BUY,LIMIT,1,1,1,1,,0,0,Maker,USDT
        """,
    )
    assert errors(parse, path) == [
        "bad.csv:2: Symbol: expected a pair like BTC-USDT, found 'BTCUSDT'",
        "bad.csv:3: Side: expected buy or sell, found 'HOLD'",
        "bad.csv:4: Filled Volume: expected a number, found '1x'",
        "bad.csv:5: Tax: a non-zero tax (0.05) is not supported: the export does not say in "
        "which asset it was paid",
        "bad.csv:6: Fee Currency: a fee needs its currency",
        "bad.csv:6: Account Type: unknown account type 'Savings': expected Main, Funding, "
        "Trading, Margin, Isolated Margin or Futures",
        "bad.csv:7: Filled Time(UTC+08:00): expected a date and time, found an empty cell",
    ]


def test_spot_missing_required_column(parse, write_csv) -> None:
    path = write_csv(
        "missing.csv",
        f"""
        {SPOT.replace(",Fee Currency", "")}
        1,Trading Account,o-1,BTC-USDT,BUY,LIMIT,1,1,1,1,2024-01-01 00:00:00,0,0,Maker
        """,
    )
    assert errors(parse, path) == [
        "missing.csv:1: header: missing the fee currency column: expected a column named "
        "'fee currency'"
    ]


def test_spot_truncated_row(parse, write_csv) -> None:
    path = write_csv(
        "short.csv",
        f"""
        {SPOT}
        1,Trading Account,o-1,BTC-USDT,BUY
        """,
    )
    assert errors(parse, path) == [
        "short.csv:2: expected 15 cells as in the header (line 1), found 5: the row is truncated"
    ]


# -- deposits and withdrawals -------------------------------------------------------------------


def test_transfer_statuses(parse, write_csv) -> None:
    path = write_csv(
        "deposits.csv",
        f"""
        {DEPOSITS}
        1,Main Account,2024-01-20 11:42:18,BTC,0.5,0.0005,h1,addr,BTC,SUCCESS,
        1,Main Account,2024-01-21 11:42:18,BTC,0.5,0,h2,addr,BTC,PROCESSING,
        1,Main Account,2024-01-22 11:42:18,BTC,0.5,0,h3,addr,BTC,WALLET_PROCESSING,
        1,Main Account,2024-01-23 11:42:18,BTC,0.5,0,h4,addr,BTC,FAILURE,
        """,
    )
    assert trades_text(parse(path)) == (
        "2 | 2024-01-20T03:42:18Z | deposit | 0.5 BTC | fee 0.0005 BTC | wallet kucoin\n"
    )


def test_transfer_bad_rows(parse, write_csv) -> None:
    path = write_csv(
        "withdrawals.csv",
        f"""
        {WITHDRAWALS}
        1,Main Account,2024-07-01 10:20:00,USDT,8000,1,h1,addr,TRC20,SUCCESS,
        1,Main Account,2024-07-02 10:20:00,USDT,8000,1,h2,addr,TRC20,DONE?,
        1,Main Account,2024-07-03 10:20:00,USDT,-5,1,h3,addr,TRC20,SUCCESS,
        1,Main Account,2024-07-04 10:20:00,USDT,abc,1,h4,addr,TRC20,SUCCESS,
        1,Main Account,2024-07-05 10:20:00,,5,1,h5,addr,TRC20,SUCCESS,
        """,
    )
    assert errors(parse, path) == [
        "withdrawals.csv:3: Status: unknown status 'DONE?': expected SUCCESS (counted) or "
        "PROCESSING, WALLET_PROCESSING, REVIEW, FAILURE, CANCEL (not counted)",
        "withdrawals.csv:4: Amount: expected a positive amount, found -5",
        "withdrawals.csv:5: Amount: expected a number, found 'abc'",
        "withdrawals.csv:6: Coin: expected the coin, found an empty cell",
    ]


def test_transfer_missing_column_and_truncated_row(parse, write_csv) -> None:
    missing = write_csv(
        "missing.csv",
        f"""
        {DEPOSITS.replace("Amount,", "")}
        1,Main Account,2024-01-20 11:42:18,BTC,0,h1,addr,BTC,SUCCESS,
        """,
    )
    assert errors(parse, missing) == [
        "missing.csv:1: header: missing the amount column: expected a column named 'amount'"
    ]
    short = write_csv(
        "short.csv",
        f"""
        {DEPOSITS}
        1,Main Account,2024-01-20 11:42:18,BTC
        """,
    )
    assert errors(parse, short) == [
        "short.csv:2: expected 11 cells as in the header (line 1), found 4: the row is truncated"
    ]


def test_withdrawal_sample_figures(build) -> None:
    data = build(SAMPLES / "kucoin-deposits.csv", SAMPLES / "kucoin-withdrawals.csv")
    # 17000 USDT in; 8000 + 1 fee out twice (the FAILURE rows count for nothing) = 998 left.
    (lot,) = [lot for lot in data["open_lots"] if lot["wallet"] == "kucoin"]
    assert (lot["asset"], lot["quantity"]) == ("USDT", "998")


# -- futures realized PnL ----------------------------------------------------------------------


def test_futures_sample_liquidation_row(build) -> None:
    data = build(SAMPLES / "kucoin-futures-pnl.csv")
    (row,) = [d for d in data["disposals"] if d["liquidation"]]
    # By hand, line 5: Total Realized PNL -512.40 = price PnL -507.32 + funding -3.12 - fees
    # 1.96. All three are paid from USDT lots that earlier profits created at 1 USD each:
    # proceeds 0, basis 512.40, gain -512.40. Opened 2025-03-04 21:00:03 UTC+8 (13:00:03 UTC),
    # closed 2025-03-05 21:02:51 UTC+8: short term, 2025 box I.
    assert (
        row["asset"],
        row["description"],
        row["acquired"],
        row["disposed"],
        row["proceeds"],
        row["cost_basis"],
        row["gain_loss"],
        row["fee"],
        row["wallet"],
        row["term"],
        row["box"],
        row["acquired_at"],
        row["disposed_at"],
    ) == (
        "BTCUSDT-PERP",
        "BTCUSDT perpetual, liquidated",
        "2025-03-04",
        "2025-03-05",
        "0.00",
        "512.40",
        "-512.40",
        "1.96",
        "kucoin-futures",
        "short",
        "I",
        "2025-03-04T13:00:03Z",
        "2025-03-05T13:02:51Z",
    )
    # One row per position; each gain is the export's Total Realized PNL.
    gains = [d["gain_loss"] for d in data["disposals"]]
    assert gains == ["671.03", "763.81", "-376.09", "-512.40", "121.79"]


def test_futures_realized_pnl_as_price_pnl_gives_the_same_trades(parse, write_csv) -> None:
    times = "2025-03-04 21:00:03,2025-03-05 21:02:51"
    net = write_csv(
        "net.csv", lines(PNL, f"7,Futures,XBTUSDTM,CLOSE_LONG,-512.40,-512.40,-3.12,1.96,{times}")
    )
    gross = write_csv(
        "gross.csv",
        lines(PNL, f"7,Futures,XBTUSDTM,CLOSE_LONG,-507.32,-512.40,-3.12,1.96,{times}"),
    )
    expected = [
        ("realized_pnl", Decimal("-507.32"), "long"),
        ("funding", Decimal("-3.12"), "long"),
        ("commission", Decimal("-1.96"), "long"),
    ]
    for path in (net, gross):
        trades = parse(path)
        assert [(t.kind.value, t.quote_quantity, t.side) for t in trades] == expected
        assert {t.position for t in trades} == {"kucoin:7:XBTUSDTM:2025-03-05T13:02:51Z"}


def test_futures_close_types_and_symbols(parse, write_csv) -> None:
    path = write_csv(
        "types.csv",
        lines(
            PNL.replace("UTC+08:00", "UTC"),
            "7,Futures,SUIUSDTM,LIQUID_SHORT,-1.10919296,-1.10919296,0.00578634,0.00200295,"
            "2024-09-16 08:36:29,2024-10-12 13:11:23",
            "7,Futures,XBTUSDM,ADL_LONG,0.002,0.002,0,0,2024-09-16 08:36:29,2024-10-12 13:11:24",
            "7,Futures,XBTMH25,Close Short,0.001,0.001,0,-0.0001,,2024-10-12 13:11:25",
        ),
    )
    found = [
        (t.kind.value, t.asset, t.quote_quantity, t.quote_asset, t.wallet, t.side, t.note)
        for t in parse(path)
    ]
    assert found == [
        # KuCoin's API example: pnl = -1.11297635 (gross) - 0.00200295 fee + 0.00578634 funding.
        ("liquidation", "SUIUSDT-PERP", Decimal("-1.11297635"), "USDT", "kucoin-futures",
         "short", ""),
        ("funding", "SUIUSDT-PERP", Decimal("0.00578634"), "USDT", "kucoin-futures", "short", ""),
        ("commission", "SUIUSDT-PERP", Decimal("-0.00200295"), "USDT", "kucoin-futures", "short",
         ""),
        ("realized_pnl", "BTCUSD-PERP", Decimal("0.002"), "BTC", "kucoin-coinm", "long",
         "closed by auto-deleveraging (ADL)"),
        ("realized_pnl", "BTCMH25", Decimal("0.0009"), "BTC", "kucoin-coinm", "short", ""),
        ("commission", "BTCMH25", Decimal("0.0001"), "BTC", "kucoin-coinm", "short", ""),
    ]  # fmt: skip


def test_futures_bad_rows(parse, write_csv) -> None:
    path = write_csv(
        "bad.csv",
        f"""
        {PNL}
        7,Futures,XBTUSDTM,Margin Call,-1,-1,0,0,2025-03-04 21:00:03,2025-03-05 21:02:51
        7,Futures,BTC-USDT,Close Long,-1,-1,0,0,2025-03-04 21:00:03,2025-03-05 21:02:51
        7,Futures,XBTUSDTM,Close Long,-1,-1,0,0.1.2,2025-03-04 21:00:03,2025-03-05 21:02:51
        7,Futures,XBTUSDTM,Close Long,-9,-1,-3,2,2025-03-04 21:00:03,2025-03-05 21:02:51
        7,Futures,XBTUSDTM,Close Long,,,0,0,2025-03-04 21:00:03,2025-03-05 21:02:51
        """,
    )
    assert errors(parse, path) == [
        "bad.csv:2: Close Type: unknown close type 'Margin Call': expected Close Long/Short, "
        "Liquidation (Long/Short), ADL (Long/Short), or KuCoin's CLOSE_LONG, LIQUID_SHORT, ...",
        "bad.csv:3: Symbol: expected a futures symbol like XBTUSDTM, XBTUSDM or XBTMH25, found "
        "'BTC-USDT'",
        "bad.csv:4: Total Trading Fees: expected a number, found '0.1.2'",
        "bad.csv:5: Realized PNL: expected Realized PNL to equal Total Realized PNL (-1) or Total "
        "Realized PNL - Total Funding Fees + Total Trading Fees (4), found -9: please report "
        "this export",
        "bad.csv:6: Total Realized PNL: expected a number, found an empty cell",
    ]


def test_futures_missing_column_and_truncated_row(parse, write_csv) -> None:
    missing = write_csv(
        "missing.csv",
        f"""
        {PNL.replace(",Total Trading Fees", "")}
        7,Futures,XBTUSDTM,Close Long,-1,-1,0,2025-03-04 21:00:03,2025-03-05 21:02:51
        """,
    )
    assert errors(parse, missing) == [
        "missing.csv:1: header: missing the total trading fees column: expected a column named "
        "'total trading fees' or 'trading fees'"
    ]
    short = write_csv(
        "short.csv",
        f"""
        {PNL}
        7,Futures,XBTUSDTM,Close Long,-1,-1,0
        """,
    )
    assert errors(parse, short) == [
        "short.csv:2: expected 10 cells as in the header (line 1), found 7: the row is truncated"
    ]


def test_futures_time_without_offset_uses_utc8_or_the_option(parse, write_csv) -> None:
    path = write_csv(
        "bare.csv",
        lines(
            "Symbol,Close Type,Total Realized PNL,Total Funding Fees,Total Trading Fees,"
            "Position Closing Time",
            "XBTUSDTM,Close Long,5,0,0,2025-03-05 21:02:51",
        ),
    )
    (trade,) = parse(path)
    assert trade.timestamp.isoformat() == "2025-03-05T13:02:51+00:00"
    assert trade.position == "kucoin:XBTUSDTM:2025-03-05T13:02:51Z"
    (trade,) = parse(path, timezone=ZoneInfo("UTC"))
    assert trade.timestamp.isoformat() == "2025-03-05T21:02:51+00:00"


def test_xlsx_export_reads_like_the_csv(parse, tmp_path) -> None:
    import csv

    import openpyxl

    source = SAMPLES / "kucoin-futures-pnl.csv"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    with source.open(encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle)):
            # KuCoin's XLSX stores amounts as numbers and times as text.
            sheet.append([c if number == 0 or not _numeric(c) else float(c) for c in row])
    path = tmp_path / "kucoin-futures-pnl.xlsx"
    workbook.save(path)
    assert trades_text(parse(path)) == trades_text(parse(source))


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() != "" and not text.isdigit()
