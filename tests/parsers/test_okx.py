"""OKX trading and funding account histories: sample goldens, detection, end-to-end builds
(the liquidated BTC-USDT-SWAP long checked by hand), header variants and every bad input."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from taxloss.cli import main
from taxloss.model import TradeKind

from ..conftest import SAMPLES
from .conftest import errors, trade_lines, trades_text

ROOT = SAMPLES.parent
TRADING = SAMPLES / "okx-trading-history.csv"
TRADING_2023 = SAMPLES / "okx-trading-history-2023.csv"
FUNDING = SAMPLES / "okx-funding-history.csv"

META = "UID:1,Account Type:Trading,Time Zone:UTC+0"
HEADER = (
    "id,Order id,Time,Trade Type,Symbol,Action,Amount,Trading Unit,Filled Price,PnL,Fee,"
    "Fee Unit,Position Change,Position Balance,Balance Change,Balance,Balance Unit"
)
OLD_HEADER = (
    "id,Order id,Time,Trade Type,Instrument,Type,Amount,Unit,PL,Fee,Position Change,"
    "Position Balance,Balance Change,Balance,Unit"
)
FUNDING_HEADER = "id,Time,Type,Amount,Before Balance,After Balance,Fee,Symbol"

# One spot buy of 0.5 ETH for 1550 USDT (fee 0.0005 ETH, Balance Change net of it).
ETH_BUY = """\
7001,5001,2024-05-06 09:30:00,Spot,ETH-USDT,Buy,0.5,ETH,3100,0,-0.0005,ETH,0,0,0.4995,0.4995,ETH
7002,5001,2024-05-06 09:30:00,Spot,ETH-USDT,Sell,1550,USDT,3100,0,0,USDT,0,0,-1550,250,USDT
"""


# -- samples --------------------------------------------------------------------------------


def test_trading_sample_golden(parse, golden) -> None:
    golden("okx-trading-history.trades.txt", trades_text(parse(TRADING)))


def test_funding_sample_golden(parse, golden) -> None:
    golden("okx-funding-history.trades.txt", trades_text(parse(FUNDING)))


def test_older_layout_sample_golden(parse, golden) -> None:
    trades = parse(TRADING_2023)
    golden("okx-trading-history-2023.trades.txt", trades_text(trades))


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        (TRADING, "okx-trading (header row at line 2 matches OKX trading account history)"),
        (TRADING_2023, "okx-trading (header row at line 1 matches OKX trading account history)"),
        (FUNDING, "okx-funding (header row at line 2 matches OKX funding account history)"),
    ],
)
def test_detect_names_the_parser(detect, sample: Path, expected: str) -> None:
    name = f"samples/{sample.name}"
    assert detect(name, cwd=ROOT) == f"{name}: {expected}\n"


def test_trading_sample_builds_and_the_liquidation_is_one_row(build) -> None:
    data = build(TRADING.relative_to(ROOT), cwd=ROOT)
    (row,) = [d for d in data["disposals"] if d["asset"] == "BTC-USDT-SWAP"]
    # By hand, all on 2025-04-07 UTC (the file is UTC+8): opening fee 98 (line 7), funding
    # 9.80 (line 6), the forced close's loss (74,400 - 78,400) x 250 contracts of 0.01 BTC =
    # 10,000 and its liquidation fee 93 (line 5). Nothing was received, so proceeds are 0 and
    # the basis is the USDT paid: 98 + 9.80 + 10,000 + 93 = 10,200.80.
    assert (
        row["description"],
        row["quantity"],
        row["acquired"],
        row["disposed"],
        row["proceeds"],
        row["cost_basis"],
        row["gain_loss"],
        row["fee"],
        row["wallet"],
        row["liquidation"],
        row["term"],
        row["box"],
        row["sale_source"],
    ) == (
        "BTC-USDT perpetual, long, liquidated",
        "250",
        "2025-04-07",
        "2025-04-07",
        "0.00",
        "10200.80",
        "-10200.80",
        "191.00",  # opening commission 98 + liquidation fee 93
        "okx",
        True,
        "short",
        "I",
        "samples/okx-trading-history.csv:5",
    )
    assert data["tax_years"]["2025"]["liquidations"] == 1
    # The position was paid from the trading account's own USDT, which arrived from the
    # funding account (not in this file: an unmatched deposit at par, with a warning).
    assert [(t["to_wallet"], t["received"], t["matched"]) for t in data["transfers"]] == [
        ("okx", "20000", False)
    ]
    assert "stablecoin_basis_assumed" in {w["code"] for w in data["warnings"]}
    # 0.05 BTC sold on 2025-03-03 for 4,575 USDT less the 4.575 USDT fee; its basis is half of
    # the 0.0999 BTC bought for 9,800 USDT: 0.05 / 0.0999 x 9,790.20 = 4,900.00.
    (btc,) = [d for d in data["disposals"] if d["asset"] == "BTC"]
    assert (btc["proceeds"], btc["cost_basis"], btc["gain_loss"]) == (
        "4570.43",
        "4900.00",
        "-329.57",
    )
    assert not [w for w in data["warnings"] if w["code"] == "reconciliation"]


def test_funding_sample_builds_with_its_income(build) -> None:
    data = build(FUNDING.relative_to(ROOT), cwd=ROOT)
    income = [(i["received"], i["quantity"], i["asset"], i["fiat_value"]) for i in data["income"]]
    assert income == [
        ("2024-06-30", "12.34", "USDT", "12.34"),
        ("2024-08-15", "1.5", "USDT", "1.50"),
    ]
    assert data["tax_years"]["2024"]["ordinary_income"] == "13.84"
    (withdrawal,) = [t for t in data["transfers"] if t["withdrawal_source"]]
    assert (withdrawal["sent"], withdrawal["matched"]) == ("2501", False)  # 2,500 + 1 USDT fee


def test_samples_build_together(build) -> None:
    data = build(FUNDING.relative_to(ROOT), TRADING.relative_to(ROOT), cwd=ROOT)
    (row,) = [d for d in data["disposals"] if d["asset"] == "BTC-USDT-SWAP"]
    assert (row["proceeds"], row["cost_basis"], row["gain_loss"]) == (
        "0.00",
        "10200.80",
        "-10200.80",
    )
    assert not [n for n in data["warnings"] if n["code"] == "duplicates_dropped"]


def test_older_layout_sample_builds(build) -> None:
    data = build(
        TRADING_2023.relative_to(ROOT),
        FUNDING.relative_to(ROOT),
        TRADING.relative_to(ROOT),
        cwd=ROOT,
    )
    assert data["tax_years"]["2023"]["total"]["rows"] > 0


# -- okx-trading: layouts, zones and fills --------------------------------------------------


def test_formats_doc_example_is_one_buy_with_the_fee_apart(parse, write_csv) -> None:
    path = write_csv("okx.csv", f"{META}\n{HEADER}\n{ETH_BUY}")
    assert trade_lines(parse(path)) == [
        "3 | 2024-05-06T09:30:00Z | buy | 0.5 ETH | quote 1550 USDT | fee 0.0005 ETH | "
        "wallet okx | id okx:7001"
    ]


def test_zone_comes_from_the_metadata_line_with_boms_in_front_of_cells(parse, tmp_path) -> None:
    bom = "\ufeff"
    meta = ",".join(bom + c for c in ("UID:1", "Account Type:Trading", "Time Zone:UTC-05:30"))
    header = ",".join(bom + c for c in HEADER.split(","))
    body = ETH_BUY.replace("7001,", bom + "7001,", 1)  # a BOM in a data cell is dropped too
    path = tmp_path / "okx.csv"
    path.write_text(f"{meta}\n{header}\n{body}", encoding="utf-8")
    (trade,) = parse(path)
    assert trade.timestamp.isoformat() == "2024-05-06T15:00:00+00:00"
    assert trade.external_id == "okx:7001"


def test_without_a_metadata_line_times_are_utc_plus_8(parse, write_csv) -> None:
    path = write_csv("okx.csv", f"{HEADER}\n{ETH_BUY}")
    (trade,) = parse(path)
    assert trade.timestamp.isoformat() == "2024-05-06T01:30:00+00:00"


def test_timezone_option_does_not_override_the_okx_default(parse, write_csv) -> None:
    path = write_csv("okx.csv", f"{HEADER}\n{ETH_BUY}")
    (trade,) = parse(path, timezone=ZoneInfo("America/New_York"))
    assert trade.timestamp.isoformat() == "2024-05-06T01:30:00+00:00"


def test_header_variants_give_the_same_trade(parse, write_csv) -> None:
    units = (
        "id,Order id,Time,Trade Type,Symbol,Action,Amount,Trading Unit,Filled Price,"
        "Filled Price Unit,PnL,Fee,Fee Unit,Position Change,Position Balance,Position Unit,"
        "Balance Change,Balance,Balance Unit"
    )
    units_body = (
        "7001,5001,2024-05-06 09:30:00,Spot,ETH-USDT,Buy,0.50000000,ETH,3100,USDT,0E-8,"
        "-0.00050000,ETH,0E-8,0E-8,ETH,0.49950000,0.4995,ETH\n"
        "7002,5001,2024-05-06 09:30:00,Spot,ETH-USDT,Sell,1550,ETH,3100,USDT,0E-8,0E-8,USDT,"
        "0E-8,0E-8,USDT,-1550,250,USDT\n"
    )
    usd = HEADER + ",Filled_price-USD,Pnl-USD,Fee-USD,Balance-USD,Balance_change-USD"
    usd_body = "".join(row + ",3100,0,1.55,1548.45,1548.45\n" for row in ETH_BUY.splitlines())
    expected = [
        "3 | 2024-05-06T09:30:00Z | buy | 0.5 ETH | quote 1550 USDT | fee 0.0005 ETH | "
        "wallet okx | id okx:7001"
    ]
    assert trade_lines(parse(write_csv("units.csv", f"{META}\n{units}\n{units_body}"))) == expected
    assert trade_lines(parse(write_csv("usd.csv", f"{META}\n{usd}\n{usd_body}"))) == expected


def test_older_layout_is_read_by_position(parse, tmp_path) -> None:
    path = tmp_path / "old.csv"
    path.write_text(
        f"{OLD_HEADER}\n"
        "11,500,2023-03-02 14:22:10,Spot,ETH-USDT,Sell,1,ETH,0,0,0,0,-1,0,ETH\n"
        "12,500,2023-03-02 14:22:10,Spot,ETH-USDT,Buy,1650,USDT,0,-1.65,0,0,1648.35,1648.35,USDT\n",
        encoding="utf-8",
    )
    trades = parse(path)
    assert trade_lines(trades) == [
        "3 | 2023-03-02T06:22:10Z | sell | 1 ETH | quote 1650 USDT | fee 1.65 USDT | "
        "wallet okx | id okx:12"
    ]


def test_balance_change_may_be_gross_of_the_fee(parse, write_csv) -> None:
    gross = ETH_BUY.replace(",0.4995,0.4995,ETH", ",0.5,0.4995,ETH")
    (trade,) = parse(write_csv("okx.csv", f"{META}\n{HEADER}\n{gross}"))
    assert (trade.quantity, trade.fee_quantity) == (Decimal("0.5"), Decimal("0.0005"))


def test_sell_rows_in_any_order_with_a_rebate_and_partial_fills(parse, write_csv) -> None:
    body = (
        "9003,600,2025-02-01 10:00:00,Spot,BTC-USDT,Buy,500,USDT,100000,0,0.05,USDT,0,0,"
        "500.05,900.05,USDT\n"
        "9001,600,2025-02-01 10:00:00,Spot,BTC-USDT,Sell,0.004,BTC,100000,0,0,BTC,0,0,-0.004,"
        "0.006,BTC\n"
        "9002,600,2025-02-01 10:00:00,Spot,BTC-USDT,Sell,0.001,BTC,100000,0,0,BTC,0,0,-0.001,"
        "0.005,BTC\n"
        "9004,600,2025-02-01 10:00:00,Spot,BTC-USDT,Buy,,USDT,100000,0,0,USDT,0,0,100,1000.05,"
        "USDT\n"
    )
    (trade,) = parse(write_csv("okx.csv", f"{META}\n{HEADER}\n{body}"))
    # 0.005 BTC sold for 600 USDT; the 0.05 USDT maker rebate is part of what was received.
    assert trade_lines([trade]) == [
        "3 | 2025-02-01T10:00:00Z | sell | 0.005 BTC | quote 600.05 USDT | wallet okx | id okx:9003"
    ]


def test_liquidated_margin_fill_is_a_forced_sale(parse, write_csv) -> None:
    body = (
        "21,700,2025-03-10 12:00:00,Margin,ETH-USDT,Partial liquidation sell,2,ETH,2000,0,0,"
        "ETH,0,0,-2,0,ETH\n"
        "22,700,2025-03-10 12:00:00,Margin,ETH-USDT,Partial liquidation buy,4000,USDT,2000,0,"
        "-2,USDT,0,0,3998,3998,USDT\n"
        "23,,2025-03-10 13:00:00,Margin,ETH-USDT,Interest deduction,0.12,USDT,0,0,0,USDT,0,0,"
        "-0.12,3997.88,USDT\n"
    )
    assert trade_lines(parse(write_csv("okx.csv", f"{META}\n{HEADER}\n{body}"))) == [
        "4 | 2025-03-10T12:00:00Z | forced_sale | 2 ETH | quote 4000 USDT | fee 2 USDT | "
        "wallet okx | id okx:22",
        "5 | 2025-03-10T13:00:00Z | interest | 0.12 USDT | wallet okx | id okx:23",
    ]


def test_transfers_between_funding_and_trading_account(parse, write_csv) -> None:
    body = (
        "31,,2025-01-06 10:00:00,Transfer,,Transfer in,100,USDT,0,0,0,USDT,0,0,100,100,USDT\n"
        "32,,2025-01-07 10:00:00,Transfer,,Transfer out,100,USDT,0,0,0,USDT,0,0,-100,0,USDT\n"
        "33,,2025-01-07 11:00:00,Perpetual,BTC-USDT-SWAP,Transfer in,5,USDT,0,0,0,USDT,5,5,"
        "-5,0,USDT\n"
    )
    # Trade Type Transfer: between the funding account (okx-funding) and this one (okx); a
    # transfer of margin into an isolated position stays inside the account and is dropped.
    assert trade_lines(parse(write_csv("okx.csv", f"{META}\n{HEADER}\n{body}"))) == [
        "3 | 2025-01-06T10:00:00Z | deposit | 100 USDT | wallet okx | id okx:31 | "
        "note 'funding <-> trading account'",
        "4 | 2025-01-07T10:00:00Z | withdrawal | 100 USDT | wallet okx | id okx:32 | "
        "note 'funding <-> trading account'",
    ]


# -- okx-trading: derivatives ---------------------------------------------------------------


def test_contract_flows_settle_in_the_unified_account(parse, write_csv) -> None:
    body = (
        "42,801,2025-06-02 10:00:00,Swap,ETH-USDT-SWAP,Close short,5,cont,2500,12.5,-0.625,"
        "USDT,-5,0,11.875,1011.875,USDT\n"
        "41,800,2025-06-01 10:00:00,SWAP,ETH-USDT-SWAP,Open short,5,cont,2525,0,-0.63125,USDT,"
        "5,5,-0.63125,1000,USDT\n"
    )
    assert trade_lines(parse(write_csv("okx.csv", f"{META}\n{HEADER}\n{body}"))) == [
        "3 | 2025-06-02T10:00:00Z | realized_pnl | 5 ETH-USDT-SWAP | quote 12.5 USDT | "
        "wallet okx | id okx:42",
        "3 | 2025-06-02T10:00:00Z | commission | 0 ETH-USDT-SWAP | quote -0.625 USDT | "
        "wallet okx | id okx:42",
        "4 | 2025-06-01T10:00:00Z | commission | 0 ETH-USDT-SWAP | quote -0.63125 USDT | "
        "wallet okx | id okx:41",
    ]


@pytest.mark.parametrize(
    "action",
    [
        "Liquidation",
        "Partial liquidation",
        "Partial liquidation close long",
        "Liquidation close long",
        "Liquidation long",
        "ADL",
        "ADL close long",
        "liquidation CLOSE long",
    ],
)
def test_liquidation_labels(parse, write_csv, action: str) -> None:
    body = (
        f"51,900,2025-04-07 12:00:00,Futures,BTC-USD-250627,{action},3,cont,76000,-0.0021,"
        "-0.0001,BTC,-3,0,-0.0022,0.01,BTC\n"
    )
    trades = parse(write_csv("okx.csv", f"{META}\n{HEADER}\n{body}"))
    assert [(t.kind, t.asset, t.quantity, t.quote_quantity, t.wallet) for t in trades] == [
        (TradeKind.LIQUIDATION, "BTC-USD-250627", 3, Decimal("-0.0021"), "okx"),
        (TradeKind.INSURANCE_FEE, "BTC-USD-250627", 0, Decimal("-0.0001"), "okx"),
    ]
    assert {t.side for t in trades} == ({"long"} if "long" in action.lower() else {""})


def test_funding_liquidation_fee_rows_and_isolated_funding(parse, write_csv) -> None:
    body = (
        "61,,2025-04-07 16:00:00,Perpetual,BTC-USD-SWAP,Funding fee,0,cont,0,0,0,BTC,0,0,"
        "0.00001,0.5,BTC\n"
        "62,,2025-04-07 16:00:00,Perpetual,BTC-USDT-SWAP,Funding fee,0,cont,0,0,0,USDT,"
        "-1.2,800,0,100,USDT\n"
        "63,901,2025-04-07 17:00:00,Perpetual,BTC-USDT-SWAP,Liquidation fees,0,cont,0,0,-4.4,"
        "USDT,0,0,-4.4,95.6,USDT\n"
        "64,902,2025-04-07 18:00:00,Perpetual,BTC-USDT-SWAP,Open long,1,cont,80000,0,0,USDT,"
        "1,1,0,95.6,USDT\n"
    )
    trades = parse(write_csv("okx.csv", f"{META}\n{HEADER}\n{body}"))
    assert [(t.source.line, t.kind, t.asset, t.quote_asset, t.quote_quantity, t.wallet)
            for t in trades] == [
        (3, TradeKind.FUNDING, "BTC-USD-SWAP", "BTC", Decimal("0.00001"), "okx"),
        (4, TradeKind.FUNDING, "BTC-USDT-SWAP", "USDT", Decimal("-1.2"), "okx"),
        (5, TradeKind.INSURANCE_FEE, "BTC-USDT-SWAP", "USDT", Decimal("-4.4"), "okx"),
    ]  # fmt: skip


# -- okx-trading: bad input -----------------------------------------------------------------


def test_row_errors_are_reported_together(parse, write_csv) -> None:
    body = (
        "71,1,2025-01-01 00:00:00,Spot,BTC-USDT,Buy,0.1,BTC,90000,0,0,BTC,0,0,0.1,0.1,BTC\n"
        "72,1,2025-01-01 00:00:00,Spot,BTC-USDT,Sell,9000,USDT,90000,0,0,USDT,0,0,-9000,0,USDT\n"
        "73,2,2025-01-02 00:00:00,Copy trading,BTC-USDT,Buy,1,BTC,1,0,0,BTC,0,0,1,1,BTC\n"
        "74,3,2025-01-03 00:00:00,Spot,BTC-USDT,Convert,1,BTC,1,0,0,BTC,0,0,1,1,BTC\n"
        "75,4,2025-01-04 00:00:00,Spot,BTC-USDT,Buy,0.1,BTC,90000,0,-0.0001,BTC,0,0,"
        "1.2.3,0.1,BTC\n"
        "76,4,2025-01-04 00:00:00,Spot,BTC-USDT,Sell,9000,USDT,90000,0,0,USDT,0,0,-9000,0,USDT\n"
        "77,5,yesterday,Spot,BTC-USDT,Buy,0.1,BTC,90000,0,0,BTC,0,0,0.1,0.1,BTC\n"
        "78,6,2025-01-06 00:00:00,Perpetual,BTC-USDT-SWAP,Adjust leverage,0,cont,0,0,0,USDT,"
        "0,0,0,0,USDT\n"
        "79,7,2025-01-07 00:00:00,Spot,BTC-USDT,Buy,0.1,BTC,90000,0,0,BTC,0,0,0.1,0.1,BTC\n"
        "80,8,2025-01-08 00:00:00,Spot,BTC-USDT,Buy,0.1,BTC,90000,0,-0.0001,BTC,0,0,0.0998,"
        "0.1,BTC\n"
        "81,8,2025-01-08 00:00:00,Spot,BTC-USDT,Sell,9000,USDT,90000,0,0,USDT,0,0,-9000,0,USDT\n"
        "82,9,2025-01-09 00:00:00,Spot,BTC-USDT,Buy,0.1,ETH,90000,0,0,ETH,0,0,0.1,0.1,ETH\n"
        "83,9,2025-01-09 00:00:00,Spot,BTC-USDT,Sell,9000,USDT,90000,0,0,USDT,0,0,-9000,0,USDT\n"
        "84,10,2025-01-10 00:00:00,Transfer,,Sub-account transfer,5,USDT,0,0,0,USDT,0,0,5,5,USDT\n"
        "85,11,2025-01-11 00:00:00,Perpetual,BTCUSDT,Close long,1,cont,1,5,0,USDT,0,0,5,5,USDT\n"
    )
    path = write_csv("bad.csv", f"{META}\n{HEADER}\n{body}")
    assert errors(parse, path) == [
        "bad.csv:5: Trade Type: unknown Trade Type 'Copy trading': expected Spot, Margin, "
        "Perpetual (Swap), Futures, Options, Transfer",
        "bad.csv:6: Action: unknown spot Action 'Convert': expected Buy, Sell, Liquidation "
        "buy/sell, Partial liquidation buy/sell, ADL buy/sell, Interest deduction, Transfer in, "
        "Transfer out",
        "bad.csv:7: Balance Change: expected a number, found '1.2.3'",
        "bad.csv:9: Time: expected an ISO 8601 date and time like 2025-03-01T14:05:00Z, found "
        "'yesterday'",
        "bad.csv:10: Action: unknown contract Action 'Adjust leverage': expected Open long, Open "
        "short, Close long, Close short, Buy, Sell, Delivery long, Delivery short, Funding fee, "
        "Liquidation (also Partial liquidation, ADL, Liquidation close long/short), Liquidation "
        "fee, Transfer in, Transfer out",
        "bad.csv:11: Order id: expected two rows for Order id 7 at 2025-01-07 00:00:00, one for "
        "the currency received and one for the currency paid: found only the received side",
        "bad.csv:12: Balance Change: expected a change of 0.1 or, net of the fee, 0.0999 as in "
        "Amount, found 0.0998",
        "bad.csv:14: Symbol: expected the currencies of symbol BTC-USDT for Order id 9 at "
        "2025-01-09 00:00:00, found received ETH and paid USDT",
        "bad.csv:16: Action: unknown transfer 'Sub-account transfer': expected Transfer in or "
        "Transfer out",
        "bad.csv:17: Symbol: expected an OKX instrument like BTC-USDT-SWAP, found 'BTCUSDT'",
    ]


def test_missing_required_column(parse, write_csv) -> None:
    header = HEADER.replace("Amount,", "")
    body = "".join(
        ",".join(row.split(",")[:6] + row.split(",")[7:]) + "\n" for row in ETH_BUY.splitlines()
    )
    path = write_csv("noamount.csv", f"{META}\n{header}\n{body}")
    assert errors(parse, path) == [
        "noamount.csv:2: header: missing column(s) Amount: expected the columns of the OKX "
        "trading history"
    ]


def test_missing_detection_column_names_the_nearest_format(parse, write_csv) -> None:
    header = HEADER.replace(",Balance Change", "")
    path = write_csv("nochange.csv", f"{META}\n{header}\n")
    assert errors(parse, path) == [
        "nochange.csv:1: header: no supported export format recognised from the header row; "
        f"supported: {_supported()}; nearest: okx-trading (OKX trading account history), "
        "which needs column(s) balance change"
    ]


def _supported() -> str:
    from taxloss.parsers import parsers

    return ", ".join(sorted(parsers()))


def test_truncated_row(parse, write_csv) -> None:
    path = write_csv(
        "short.csv", f"{META}\n{HEADER}\n{ETH_BUY}7003,5002,2024-05-07 09:30:00,Spot\n"
    )
    assert errors(parse, path) == [
        "short.csv:5: expected 17 cells as in the header (line 2), found 4: the row is truncated"
    ]


def test_bad_time_zone_in_the_metadata_line(parse, write_csv) -> None:
    path = write_csv(
        "zone.csv", f"UID:1,Account Type:Trading,Time Zone:Beijing\n{HEADER}\n{ETH_BUY}"
    )
    assert errors(parse, path) == [
        "zone.csv:1: Time Zone: expected a time zone like UTC+8 or UTC-05:30, found 'Beijing'"
    ]


def test_header_only(parse, write_csv) -> None:
    path = write_csv("empty.csv", f"{META}\n{HEADER}\n")
    assert errors(parse, path) == [
        "empty.csv:2: no data rows below the header: expected OKX trading account rows"
    ]


def test_build_reports_errors_with_exit_code_2(runner, monkeypatch, tmp_path) -> None:
    (tmp_path / "bad.csv").write_text(
        f"{META}\n{HEADER}\n7001,5001,2024-05-06 09:30:00,Spot,ETH-USDT,Stake,1,ETH,0,0,0,ETH,"
        "0,0,-1,0,ETH\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("taxloss.cli.interactive", lambda: True)  # the hint is for a terminal
    result = runner.invoke(main, ["build", "--country", "us", "bad.csv", "--out", "out"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "bad.csv:3: Action: unknown spot Action 'Stake': expected Buy, Sell, Liquidation "
        "buy/sell, Partial liquidation buy/sell, ADL buy/sell, Interest deduction, Transfer in, "
        "Transfer out\nEach row above can be answered without editing the export"  # issue #13
    )
    assert not (tmp_path / "out").exists()


# -- okx-funding ----------------------------------------------------------------------------


def test_funding_types(parse, write_csv) -> None:
    body = (
        "1,2024-01-02 08:00:00,Deposit,100,0,100,0,USDT\n"
        "2,2024-01-03 08:00:00,Savings subscription,-100,100,0,0,USDT\n"
        "3,2024-01-04 08:00:00,Savings redemption,100,0,100,0,USDT\n"
        "4,2024-01-05 08:00:00,To unified trading account,-50,100,50,0,USDT\n"
        "5,2024-01-06 08:00:00,From unified trading account,50,50,100,0,USDT\n"
        "6,2024-01-07 08:00:00,Deposit,1000,0,1000,0,EUR\n"
        "7,2024-01-08 08:00:00,Withdrawal,-0.5,1,0.4995,0.0005,ETH\n"
        "8,2024-01-09 08:00:00,Withdrawal,-0.4995,0.4995,0,0.0005,ETH\n"
        "9,2024-01-10 08:00:00,Fee rebate,0.1,0,0.1,0,OKB\n"
    )
    path = write_csv("funding.csv", f"{FUNDING_HEADER}\n{body}")
    assert trade_lines(parse(path)) == [
        "2 | 2024-01-02T00:00:00Z | deposit | 100 USDT | wallet okx-funding | id okx:1",
        "5 | 2024-01-05T00:00:00Z | withdrawal | 50 USDT | wallet okx-funding | id okx:4",
        "6 | 2024-01-06T00:00:00Z | deposit | 50 USDT | wallet okx-funding | id okx:5",
        "8 | 2024-01-08T00:00:00Z | withdrawal | 0.5 ETH | fee 0.0005 ETH | wallet okx-funding | "
        "id okx:7",
        "9 | 2024-01-09T00:00:00Z | withdrawal | 0.499 ETH | fee 0.0005 ETH | "
        "wallet okx-funding | id okx:8",
        "10 | 2024-01-10T00:00:00Z | income | 0.1 OKB | wallet okx-funding | id okx:9 | "
        "note 'Fee rebate'",
    ]


def test_funding_layout_without_fee(parse, write_csv) -> None:
    path = write_csv(
        "nofee.csv",
        "UID:1,Account Type:Funding,Time Zone:UTC+0\n"
        "id,Time,Type,Amount,Before Balance,After Balance,Symbol\n"
        "1,2024-01-02 08:00:00,Staking Yield,0.25,0,0.25,SOL\n",
    )
    assert trade_lines(parse(path)) == [
        "3 | 2024-01-02T08:00:00Z | income | 0.25 SOL | wallet okx-funding | id okx:1 | "
        "note 'Staking Yield'"
    ]


def test_funding_errors(parse, write_csv) -> None:
    body = (
        "1,2024-01-02 08:00:00,Airdrop,5,0,5,0,ABC\n"
        "2,2024-01-03 08:00:00,Deposit,abc,0,5,0,USDT\n"
        "3,2024-01-04 08:00:00,Withdrawal,-1,10,8,0.5,USDT\n"
        "4,2024-01-05 08:00:00,Deposit,5,0,5,0,\n"
        "5,2024-01-06 08:00:00,Deposit,0,5,5,0,USDT\n"
    )
    path = write_csv("funding.csv", f"{FUNDING_HEADER}\n{body}")
    assert errors(parse, path) == [
        "funding.csv:2: Type: unknown Type 'Airdrop': expected Deposit, Withdrawal, Staking "
        "Yield, Fee rebate, Stake, Redeem staking, Savings subscription, Savings redemption, "
        "From unified trading account, To unified trading account",
        "funding.csv:3: Amount: expected a number, found 'abc'",
        "funding.csv:4: After Balance: expected the balance to change by 1.5 or 1 (Amount "
        "without or with the Fee), found 2",
        "funding.csv:5: Symbol: expected the currency, e.g. USDT, found an empty cell",
        "funding.csv:6: Amount: expected a non-zero amount, found 0",
    ]


def test_funding_missing_column_and_truncated_row(parse, write_csv) -> None:
    path = write_csv(
        "funding.csv",
        f"{FUNDING_HEADER}\n1,2024-01-02 08:00:00,Deposit,100,0,100,0,USDT\n2,2024-01-03\n",
    )
    assert errors(parse, path) == [
        "funding.csv:3: expected 8 cells as in the header (line 1), found 2: the row is truncated"
    ]
    missing = write_csv("nosymbol.csv", f"{FUNDING_HEADER.replace(',Symbol', '')}\n1,x,y,1,0,1,0\n")
    assert errors(parse, missing) == [
        "nosymbol.csv:1: header: no supported export format recognised from the header row; "
        f"supported: {_supported()}; nearest: okx-funding (OKX funding account history), "
        "which needs column(s) symbol"
    ]


def test_error_columns_are_named_without_boms(parse, tmp_path) -> None:
    header = ",".join("\ufeff" + c for c in HEADER.split(","))
    body = ETH_BUY.replace(",-0.0005,ETH,", ",-0.0005ETH0,ETH,")
    path = tmp_path / "bom.csv"
    path.write_text(f"{META}\n{header}\n{body}", encoding="utf-8")
    assert errors(parse, path) == ["bom.csv:3: Fee: expected a number, found '-0.0005ETH0'"]
