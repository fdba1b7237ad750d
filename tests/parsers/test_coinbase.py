"""Coinbase: the transaction history report (every layout) and Advanced / Pro fills.

Goldens of the three samples, detection, end-to-end builds with hand-checked figures, what each
Transaction Type becomes, and every kind of bad input with its exact message.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from taxloss.model import TradeKind

from ..conftest import SAMPLES
from .conftest import errors, trade_lines, trades_text, write

CURRENT = (
    "ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at Transaction,"
    "Subtotal,Total (inclusive of fees and/or spread),Fees and/or Spread,Notes"
)
PREAMBLE = "\nTransactions\nUser,Test User,00000000-0000-4000-8000-000000000000\n"
V2022 = (
    "Timestamp,Transaction Type,Asset,Quantity Transacted,Spot Price Currency,"
    "Spot Price at Transaction,Subtotal,Total (inclusive of fees and/or spread),"
    "Fees and/or Spread,Notes"
)
V2021 = (
    "Timestamp,Transaction Type,Asset,Quantity Transacted,Spot Price Currency,"
    "Spot Price at Transaction,Subtotal,Total (inclusive of fees),Fees,Notes"
)
OLDEST = (
    "Timestamp,Transaction Type,Asset,Quantity Transacted,USD Spot Price at Transaction,"
    "USD Subtotal,USD Total (inclusive of fees),USD Fees,Notes"
)
DISCLAIMER = (
    '"You can use this transaction report to inform your likely tax obligations. Consult a '
    'tax advisor.",,,,,,,,\n\nTransactions\nUser,Test User,00000000-0000-4000-8000-000000000000\n\n'
)
FILLS = (
    "portfolio,trade id,product,side,created at,size,size unit,price,fee,total,price/fee/total unit"
)

SAMPLE_FILES = (
    ("coinbase-transactions.csv", "coinbase", 4, "Coinbase transaction history report"),
    ("coinbase-transactions-2021.csv", "coinbase", 8, "Coinbase transaction history report"),
    ("coinbase-advanced-fills.csv", "coinbase-advanced", 1, "Coinbase Advanced / Pro fills"),
)


def report(tmp_path: Path, rows: str, header: str = CURRENT, preamble: str = PREAMBLE) -> Path:
    return write(tmp_path, "cb.csv", preamble + header + "\n" + rows)


# -- samples -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [s[0] for s in SAMPLE_FILES])
def test_sample_golden(parse, golden, name: str) -> None:
    trades = parse(SAMPLES / name)
    assert {t.wallet for t in trades} == {"coinbase"}
    golden(name.replace(".csv", ".trades.txt"), trades_text(trades))


@pytest.mark.parametrize(("name", "parser", "line", "title"), SAMPLE_FILES)
def test_detect_names_the_parser(detect, name: str, parser: str, line: int, title: str) -> None:
    output = detect(SAMPLES / name)
    assert output.endswith(f"{name}: {parser} (header row at line {line} matches {title})\n")


def disposal(data: dict, asset: str, disposed: str) -> tuple[str, ...]:
    (row,) = [d for d in data["disposals"] if d["asset"] == asset and d["disposed"] == disposed]
    return (row["quantity"], row["acquired"], row["proceeds"], row["cost_basis"],
            row["gain_loss"], row["fee"], row["kind"])  # fmt: skip


def test_build_current_layout_sample(build) -> None:
    data = build(SAMPLES / "coinbase-transactions.csv")
    # Convert 10 SOL -> 0.431074 ETH: proceeds = Total (net of the $15.24 spread); basis =
    # 10/40 of the 40 SOL bought for $5,180.90 = 1,295.225.
    assert disposal(data, "SOL", "2024-06-12") == (
        "10", "2024-03-01", "1508.76", "1295.23", "213.53", "0.00", "exchange",
    )  # fmt: skip
    # Advanced Trade Sell 1.2 ETH for USDC: gross 1.2 x 2905.10 = 3486.12 less the 13.94448
    # USDC fee; basis 0.6 x 4,648.52 = 2,789.112.
    assert disposal(data, "ETH", "2024-11-08") == (
        "1.2", "2024-02-05", "3472.18", "2789.11", "683.07", "13.94", "exchange",
    )  # fmt: skip
    # Sell 0.05 BTC for $4,097.76 after the Send of 0.25 BTC took 0.2 + 0.05 (FIFO): basis
    # half of the 0.1 BTC bought for $5,966.59.
    assert disposal(data, "BTC", "2025-03-14") == (
        "0.05", "2024-08-20", "4097.76", "2983.30", "1114.46", "24.74", "sale",
    )  # fmt: skip
    # The USDC paid for 0.03 BTC (3,054 + 12.216 fee) is disposed of for the $3,054 value.
    assert disposal(data, "USDC", "2025-01-06") == (
        "3066.216", "2024-11-08", "3054.00", "3066.22", "-12.22", "12.22", "exchange",
    )  # fmt: skip
    assert [(i["asset"], i["quantity"], i["fiat_value"]) for i in data["income"]] == [
        ("ETH", "0.0042", "13.78"),
        ("SOL", "0.185", "25.38"),
        ("ETH", "0.0031", "10.24"),
    ]
    (transfer,) = data["transfers"]
    assert (transfer["asset"], transfer["sent"], transfer["matched"]) == ("BTC", "0.25", False)


def test_build_2021_sample(build) -> None:
    data = build(SAMPLES / "coinbase-transactions-2021.csv")
    # 0.03 of the 0.05 BTC bought for $1,796.37 (basis 1,077.822), sold for $948.65 net.
    assert disposal(data, "BTC", "2021-06-22") == (
        "0.03", "2021-01-11", "948.65", "1077.82", "-129.17", "14.35", "sale",
    )  # fmt: skip
    # Coinbase Earn XLM: income at $10.08, sold for $5.82 after the $0.99 fee.
    assert disposal(data, "XLM", "2021-12-20") == (
        "25.1234", "2021-03-18", "5.82", "10.08", "-4.26", "0.99", "sale",
    )  # fmt: skip
    assert [(i["asset"], i["fiat_value"]) for i in data["income"]] == [
        ("XLM", "10.08"),
        ("ALGO", "0.62"),
    ]


def test_build_fills_sample(build) -> None:
    data = build(SAMPLES / "coinbase-advanced-fills.csv")
    # 0.1 of the 0.12 BTC bought for 2,065.482 + 8.261928 fee; sold at 30,150 less $12.06.
    assert disposal(data, "BTC", "2023-04-12") == (
        "0.1", "2023-01-09", "3002.94", "1728.12", "1274.82", "12.06", "sale",
    )  # fmt: skip
    assert disposal(data, "ETH", "2023-06-20") == (
        "1.5", "2023-02-14", "2675.08", "2271.68", "403.40", "10.74", "sale",
    )  # fmt: skip


def test_all_coinbase_samples_build_together(build) -> None:
    data = build(
        SAMPLES / "coinbase-transactions.csv",
        SAMPLES / "coinbase-transactions-2021.csv",
        SAMPLES / "coinbase-advanced-fills.csv",
    )
    years = sorted({d["tax_year"] for d in data["disposals"]})
    assert years == ["2021", "2023", "2024", "2025"]
    assert not [w for w in data["warnings"] if w["code"] == "duplicates_dropped"]


# -- what each row becomes -----------------------------------------------------------------------


def test_current_layout_row_types(parse, tmp_path: Path) -> None:
    path = report(
        tmp_path,
        'a1,2025-01-02 10:00:00 UTC,Buy,BTC,0.01,USD,"$95,000.00",$950.00,$955.70,$5.70,'
        "Bought 0.01 BTC for 955.70 USD\n"
        'a2,2025-01-03 10:00:00 UTC,Advance Trade Buy,ETH,0.25,USD,"$3,600.00",$900.00,$900.00,'
        '$0.00,"Bought 0.25 ETH for 0.0128 BTC on ETH-BTC at 0.0512 BTC/ETH"\n'
        'a3,2025-01-04 10:00:00 UTC,Advance Trade Sell,ETH,-0.4,USD,"$3,026.25","$1,210.50",'
        '"$1,206.50",$4.00,"Sold 0.4 ETH for 1,206.50 USDC on ETH-USDC at 3026.25 USDC/ETH"\n'
        'a4,2025-01-05 10:00:00 UTC,Convert,BTC,-0.00363125,USD,"$96,000.00",$348.60,$345.00,'
        "$3.60,Converted 0.00363125 BTC to 156.145683 XRP\n"
        "a5,2025-01-06 10:00:00 UTC,Rewards Income,USDC,1.25,USD,$1.00,$1.25,$1.25,$0.00,\n"
        "a6,2025-01-07 10:00:00 UTC,Learning Reward,GRT,3.1,USD,$0.20,$0.62,$0.62,$0.00,\n"
        "a7,2025-01-08 10:00:00 UTC,Subscription Rebate,USDC,2,USD,$1.00,$2.00,$2.00,$0.00,\n"
        "a8,2025-01-09 10:00:00 UTC,Inflation Reward,SOL,0.01,USD,$200.00,,,,\n"
        'a9,2025-01-10 10:00:00 UTC,Receive,BTC,0.1,USD,"$94,000.00","$9,400.00","$9,400.00",'
        "$0.00,Received 0.1 BTC from an external account\n"
        "b1,2025-01-11 10:00:00 UTC,Receive,BTC,0.0001,USD,$94000,$9.40,$9.40,$0.00,"
        "Received 0.0001 BTC from Coinbase Rewards\n"
        "b2,2025-01-12 10:00:00 UTC,Admin Debit,USDC,-1.25,USD,$1.00,-$1.25,-$1.25,$0.00,\n"
        "b3,2025-01-13 10:00:00 UTC,Donation,ETH,-0.01,USD,$3300,-$33.00,-$33.00,$0.00,\n"
        "b4,2025-01-14 10:00:00 UTC,Deposit,USDC,100,USD,$1.00,$100.00,$100.00,$0.00,\n",
    )
    assert trade_lines(parse(path)) == [
        "5 | 2025-01-02T10:00:00Z | buy | 0.01 BTC | quote 950 USD | fee 5.7 USD | "
        "wallet coinbase | id coinbase:a1 | note 'Buy: Bought 0.01 BTC for 955.70 USD'",
        "6 | 2025-01-03T10:00:00Z | buy | 0.25 ETH | quote 0.0128 BTC | value 900 | "
        "wallet coinbase | id coinbase:a2 | note 'Advance Trade Buy: Bought 0.25 ETH for 0.0128 "
        "BTC on ETH-BTC at 0.0512 BTC/ETH'",
        "7 | 2025-01-04T10:00:00Z | sell | 0.4 ETH | quote 1210.5 USDC | fee 4 USDC | value 1210.5"
        " | wallet coinbase | id coinbase:a3 | note 'Advance Trade Sell: Sold 0.4 ETH for 1,206.50"
        " USDC on ETH-USDC at 3026.25 USDC/ETH'",
        "8 | 2025-01-05T10:00:00Z | sell | 0.00363125 BTC | quote 156.145683 XRP | value 345 | "
        "wallet coinbase | id coinbase:a4 | note 'Convert: Converted 0.00363125 BTC to 156.145683"
        " XRP (spread 3.60 USD is in the rate)'",
        "9 | 2025-01-06T10:00:00Z | income | 1.25 USDC | value 1.25 | wallet coinbase | "
        "id coinbase:a5 | note 'Rewards Income'",
        "10 | 2025-01-07T10:00:00Z | income | 3.1 GRT | value 0.62 | wallet coinbase | "
        "id coinbase:a6 | note 'Learning Reward'",
        "11 | 2025-01-08T10:00:00Z | income | 2 USDC | value 2 | wallet coinbase | id coinbase:a7"
        " | note 'Subscription Rebate'",
        "12 | 2025-01-09T10:00:00Z | income | 0.01 SOL | value 2 | wallet coinbase | "
        "id coinbase:a8 | note 'Inflation Reward'",
        "13 | 2025-01-10T10:00:00Z | deposit | 0.1 BTC | value 9400 | wallet coinbase | "
        "id coinbase:a9 | note 'Receive: Received 0.1 BTC from an external account'",
        "14 | 2025-01-11T10:00:00Z | income | 0.0001 BTC | value 9.4 | wallet coinbase | "
        "id coinbase:b1 | note 'Receive: Received 0.0001 BTC from Coinbase Rewards'",
        "15 | 2025-01-12T10:00:00Z | withdrawal | 1.25 USDC | value 1.25 | wallet coinbase | "
        "id coinbase:b2 | note 'Admin Debit'",
        "16 | 2025-01-13T10:00:00Z | withdrawal | 0.01 ETH | value 33 | wallet coinbase | "
        "id coinbase:b3 | note 'Donation'",
        "17 | 2025-01-14T10:00:00Z | deposit | 100 USDC | value 100 | wallet coinbase | "
        "id coinbase:b4 | note 'Deposit'",
    ]


def test_dropped_types_have_no_trade(parse, tmp_path: Path) -> None:
    rows = [
        "Deposit,USD,500,USD,$1.00,$500.00,$500.00,$0.00,Deposit from bank",
        "Withdrawal,EUR,-200,EUR,€1.00,-€200.00,-€200.00,€0.00,Withdrawal to bank",
        "Pro Deposit,BTC,-0.1,USD,$90000,$9000,$9000,$0.00,",
        "Pro Withdrawal,BTC,0.1,USD,$90000,$9000,$9000,$0.00,",
        "Exchange Deposit,ETH,-1,USD,$3000,$3000,$3000,$0.00,",
        "Exchange Withdrawal,ETH,1,USD,$3000,$3000,$3000,$0.00,",
        "Vault Withdrawal,BTC,0.1,USD,$90000,$9000,$9000,$0.00,",
        "Retail Staking Transfer,SOL,-5,USD,$200,$1000,$1000,$0.00,",
        "Retail Unstaking Transfer,SOL,5,USD,$200,$1000,$1000,$0.00,",
        "Retail Eth2 Deprecation,ETH2,-0.18,USD,$3000,-$540,-$540,$0.00,Sent 0.18 ETH2s",
        "Retail Eth2 Deprecation,ETH,0.18,USD,$3000,$540,$540,$0.00,Received 0.18 ETHs",
        "Convert,ETH,-0.5,USD,$3000,$1500,$1500,$0.00,Converted 0.5 ETH to 0.5 ETH2",
    ]
    text = "".join(f"x{i},2025-01-02 10:00:{i:02d} UTC,{r}\n" for i, r in enumerate(rows))
    assert parse(report(tmp_path, text)) == []


def test_eth2_is_read_as_eth(parse, tmp_path: Path) -> None:
    path = report(
        tmp_path,
        "r1,2023-03-01 10:00:00 UTC,Staking Income,ETH2,0.002,USD,$1600,$3.20,$3.20,$0.00,\n",
    )
    (trade,) = parse(path)
    assert (trade.kind, trade.asset, trade.fiat_value) == (
        TradeKind.INCOME,
        "ETH",
        Decimal("3.20"),
    )


def test_eth2_deprecation_must_balance(parse, tmp_path: Path) -> None:
    path = report(
        tmp_path,
        "d1,2023-06-01 10:00:00 UTC,Retail Eth2 Deprecation,ETH2,-0.18,USD,$1800,-$324,-$324,"
        "$0.00,Sent 0.18 ETH2s\n"
        "d2,2023-06-01 10:00:00 UTC,Retail Eth2 Deprecation,ETH,0.17,USD,$1800,$306,$306,"
        "$0.00,Received 0.17 ETHs\n",
    )
    assert errors(parse, path) == [
        "cb.csv:5: Quantity Transacted: Retail Eth2 Deprecation rows must balance (ETH2 is read "
        "as ETH): found 0.18 ETH2 out and 0.17 ETH in; export a period that holds both rows"
    ]


def test_eur_rows_keep_their_currency(parse, tmp_path: Path) -> None:
    path = report(
        tmp_path,
        'e1,2025-01-14 09:00:00 UTC,Buy,BTC,0.01,EUR,"€90,000.00",€900.00,€914.90,€14.90,'
        "Bought 0.01 BTC for € 914.90 EUR\n"
        'e2,2025-02-05 10:00:00 UTC,Advanced Trade Sell,BTC,-0.002,EUR,"€95,000.00",€190.00,'
        "€189.24,€0.76,Sold BTC\n"
        "e3,2025-03-05 11:00:00 UTC,Convert,BTC,-0.003,EUR,€91000,€273.00,€273.00,€0.00,"
        "Converted 0.003 BTC to 0.09 ETH\n"
        "e4,2025-03-06 11:00:00 UTC,Staking Income,ETH,0.001,EUR,€3000,€3.00,€3.00,€0.00,\n"
        "e5,2025-03-07 11:00:00 UTC,Send,ETH,-0.05,EUR,€3000,-€150,-€150,€0.00,\n",
    )
    assert trade_lines(parse(path)) == [
        "5 | 2025-01-14T09:00:00Z | buy | 0.01 BTC | quote 900 EUR | fee 14.9 EUR | "
        "wallet coinbase | id coinbase:e1 | note 'Buy: Bought 0.01 BTC for € 914.90 EUR'",
        "6 | 2025-02-05T10:00:00Z | sell | 0.002 BTC | quote 190 EUR | fee 0.76 EUR | "
        "wallet coinbase | id coinbase:e2 | note 'Advanced Trade Sell: Sold BTC'",
        # Issue #13: the row's own EUR values are kept, in EUR (the engine converts them).
        "7 | 2025-03-05T11:00:00Z | sell | 0.003 BTC | quote 0.09 ETH | value 273 EUR | "
        "wallet coinbase | id coinbase:e3 | note 'Convert: Converted 0.003 BTC to 0.09 ETH'",
        "8 | 2025-03-06T11:00:00Z | income | 0.001 ETH | value 3 EUR | wallet coinbase | "
        "id coinbase:e4 | note 'Staking Income'",
        "9 | 2025-03-07T11:00:00Z | withdrawal | 0.05 ETH | value 150 EUR | wallet coinbase | "
        "id coinbase:e5 | note 'Send'",
    ]


def test_advanced_trade_in_usdc_priced_in_usd(parse, tmp_path: Path) -> None:
    # Coinbase prices the row in USD; Notes say USDC was paid, fee included.
    path = report(
        tmp_path,
        "t1,2025-01-18 14:53:48 UTC,Advanced Trade Buy,BTC,0.00424956,USD,$103882.31,"
        "$441.45411,$446.75156,$5.2974493114032,Bought 0.00424956 BTC for 446.7515585950032 "
        "USDC on BTC-USDC at 103882.31 USDC/BTC\n",
    )
    (trade,) = parse(path)
    assert (trade.quote_asset, trade.quote_quantity, trade.fee_asset, trade.fee_quantity) == (
        "USDC",
        Decimal("441.4541092836"),
        "USDC",
        Decimal("5.2974493114032"),  # the row's Fees and/or Spread, to the last digit
    )
    assert trade.fiat_value == Decimal("441.45411")


def test_cash_that_moved_wins_over_an_unitemised_spread(parse, tmp_path: Path) -> None:
    # Subtotal + Fees is not the Total: the $35 actually paid is the cost.
    path = report(
        tmp_path,
        "s1,2022-11-29 00:04:11 UTC,Buy,BTC,0.00202835,USD,$16194.665,$32.84845,$35.00,"
        "0.16155124725,Bought 0.00202835 BTC for 35 USD using bank account\n"
        "s2,2023-02-03 18:46:11 UTC,Sell,BTC,-0.00202835,USD,$23455.055,$47.58,$45.10,-1.62,"
        "Sold 0.00202835 BTC for 45.10 USD\n",
    )
    assert [(t.quote_quantity, t.fee_quantity) for t in parse(path)] == [
        (Decimal("32.84845"), Decimal("2.15155")),
        (Decimal("47.58"), Decimal("2.48")),
    ]


@pytest.mark.parametrize(
    ("header", "preamble", "row"),
    [
        (V2022, PREAMBLE, "2022-05-01T10:00:00Z,Buy,BTC,0.01,USD,38000,380.00,385.67,5.67,"),
        (V2021, DISCLAIMER, "2021-05-01T10:00:00Z,Buy,BTC,0.01,USD,38000,380.00,385.67,5.67,"),
        (OLDEST, DISCLAIMER, "2019-05-01T10:00:00Z,Buy,BTC,0.01,38000,380.00,385.67,5.67,"),
    ],
)
def test_older_layouts(parse, tmp_path: Path, header: str, preamble: str, row: str) -> None:
    path = report(tmp_path, row + "\n", header=header, preamble=preamble)
    (trade,) = parse(path)
    assert (trade.asset, trade.quote_asset, trade.quote_quantity, trade.fee_quantity) == (
        "BTC",
        "USD",
        Decimal("380.00"),
        Decimal("5.67"),
    )
    assert trade.external_id == ""


def test_extra_columns_and_crlf_are_accepted(parse, tmp_path: Path) -> None:
    text = (PREAMBLE + CURRENT + ",Sender Address,Recipient Address\n").replace("\n", "\r\n")
    text += "z1,2025-01-02 10:00:00 UTC,Send,BTC,-0.1,USD,$90000,-$9000,-$9000,$0.00,,,bc1qxyz\r\n"
    (trade,) = parse(write(tmp_path, "cb.csv", text))
    assert (trade.kind, trade.source.line, trade.fiat_value) == (
        TradeKind.WITHDRAWAL,
        5,
        Decimal("9000.0"),
    )


# -- broken reports ------------------------------------------------------------------------------


def test_row_errors_are_reported_together(parse, tmp_path: Path) -> None:
    path = report(
        tmp_path,
        "a1,2025-01-02 10:00:00 UTC,Buy,BTC,0.01,USD,$95000,$950.00,$955.70,$5.70,\n"
        "a2,2025-01-03 10:00:00 UTC,Airdrop Party,BTC,0.01,USD,$95000,$950,$950,$0.00,\n"
        "a3,2025-01-04 10:00:00 UTC,Buy,BTC,0.0x1,USD,$95000,$950,$955.70,$5.70,\n"
        "a4,yesterday,Buy,BTC,0.01,USD,$95000,$950,$955.70,$5.70,\n"
        "a5,2025-01-06 10:00:00 UTC,Sell,BTC,-0.01,USD,$95000,$9.5.0,$944.30,$5.70,\n"
        "a6,2025-01-07 10:00:00 UTC,Convert,BTC,-0.01,USD,$95000,$950,$950,$0.00,Swapped\n"
        "a7,2025-01-08 10:00:00 UTC,Buy,,0.01,USD,$95000,$950,$955.70,$5.70,\n"
        "a8,2025-01-09 10:00:00 UTC,Buy,BTC,0,USD,$95000,$0,$0,$0.00,\n",
    )
    assert errors(parse, path) == [
        "cb.csv:6: Transaction Type: unknown transaction type 'Airdrop Party': expected one of "
        "Buy, Sell, Advanced Trade Buy, Advanced Trade Sell, Convert, Send, Receive, Deposit, "
        "Withdrawal, Staking Income, Rewards Income, Reward Income, Inflation Reward, Learning "
        "Reward, Coinbase Earn, Subscription Rebate, Pro Deposit, Pro Withdrawal, Exchange "
        "Deposit, Exchange Withdrawal, Vault Withdrawal, Admin Debit, Donation, Retail Staking "
        "Transfer, Retail Unstaking Transfer, Retail Eth2 Deprecation",
        "cb.csv:7: Quantity Transacted: expected a number, found '0.0x1'",
        "cb.csv:8: Timestamp: expected an ISO 8601 date and time like 2025-03-01T14:05:00Z, "
        "found 'yesterday'",
        "cb.csv:9: Subtotal: expected a number, found '$9.5.0'",
        "cb.csv:10: Notes: expected Notes like 'Converted 0.00363125 BTC to 156.145683 XRP' (the"
        " asset received), found 'Swapped'",
        "cb.csv:11: Asset: expected an asset symbol such as BTC, found an empty cell",
        "cb.csv:12: Quantity Transacted: expected a non-zero quantity, found '0'",
    ]


def test_notes_naming_another_asset(parse, tmp_path: Path) -> None:
    path = report(
        tmp_path,
        "n1,2025-01-02 10:00:00 UTC,Advanced Trade Buy,ETH,0.25,USD,$3600,$900,$900,$0.00,"
        "Bought 0.25 SOL for 0.0128 BTC on SOL-BTC at 0.0512 BTC/SOL\n"
        "n2,2025-01-03 10:00:00 UTC,Convert,ETH,-0.25,USD,$3600,$900,$900,$0.00,"
        "Converted 0.25 SOL to 4 AVAX\n",
    )
    assert errors(parse, path) == [
        "cb.csv:5: Notes: Notes trade SOL but the row's Asset is ETH: expected the same asset",
        "cb.csv:6: Notes: Notes convert SOL but the row's Asset is ETH: expected the same asset",
    ]


def test_truncated_row(parse, tmp_path: Path) -> None:
    path = report(
        tmp_path,
        "a1,2025-01-02 10:00:00 UTC,Buy,BTC,0.01,USD,$95000,$950.00,$955.70,$5.70,\n"
        "a2,2025-01-03 10:00:00 UTC,Buy,BTC\n",
    )
    assert errors(parse, path) == [
        "cb.csv:6: expected 11 cells as in the header (line 4), found 4: the row is truncated"
    ]


def test_missing_required_column(parse, tmp_path: Path) -> None:
    header = CURRENT.replace(",Notes", "")
    path = report(
        tmp_path,
        "a1,2025-01-02 10:00:00 UTC,Buy,BTC,0.01,USD,$95000,$950.00,$955.70,$5.70\n",
        header=header,
    )
    assert errors(parse, path) == [
        "cb.csv:4: Notes: missing column: expected Notes (it names the other asset of Convert "
        "and Advanced Trade rows)"
    ]


def test_missing_price_columns(parse, tmp_path: Path) -> None:
    header = "ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Notes"
    path = report(tmp_path, "a1,2025-01-02 10:00:00 UTC,Buy,BTC,0.01,\n", header=header)
    assert errors(parse, path) == [
        "cb.csv:4: Price at Transaction: missing column: expected Price at Transaction, Spot "
        "Price at Transaction or 'USD Spot Price at Transaction' (the currency in the name)",
        "cb.csv:4: Subtotal: missing column: expected Subtotal and Total (inclusive of fees "
        "and/or spread)",
    ]


def test_header_without_transaction_type_is_not_coinbase(parse, tmp_path: Path) -> None:
    header = CURRENT.replace("Transaction Type", "Kind")
    path = report(
        tmp_path,
        "a1,2025-01-02 10:00:00 UTC,Buy,BTC,0.01,USD,$95000,$950.00,$955.70,$5.70,\n",
        header=header,
    )
    assert errors(parse, path, fmt="coinbase") == [
        "cb.csv:2: header: no supported export format recognised from the header row; "
        "supported: coinbase; nearest: coinbase (Coinbase transaction history report), which "
        "needs column(s) transaction type"
    ]


def test_header_only(parse, tmp_path: Path) -> None:
    path = report(tmp_path, "")
    assert errors(parse, path) == ["cb.csv:4: no data rows below the header: expected transactions"]


# -- Advanced / Pro fills ------------------------------------------------------------------------


def test_fills_without_portfolio_and_with_exponent_fees(parse, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "fills.csv",
        FILLS.removeprefix("portfolio,")
        + "\n7712,ETH-BTC,SELL,2021-11-06T09:33:32.618Z,0.01,ETH,0.0731,2.7535e-7,0.00073072465,"
        "BTC\n"
        "7712,BTC-EUR,BUY,2021-11-06T09:40:00.000Z,0.002,BTC,53000,0.424,-106.424,EUR\n",
    )
    assert trade_lines(parse(path)) == [
        "2 | 2021-11-06T09:33:32.618000Z | sell | 0.01 ETH | quote 0.000731 BTC | "
        "fee 0.00000027535 BTC | wallet coinbase | id coinbase:ETH-BTC:7712",
        "3 | 2021-11-06T09:40:00Z | buy | 0.002 BTC | quote 106 EUR | fee 0.424 EUR | "
        "wallet coinbase | id coinbase:BTC-EUR:7712",
    ]


def test_fill_errors(parse, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "fills.csv",
        FILLS + "\n"
        "default,1,BTC-USD,HOLD,2023-01-01T00:00:00Z,0.1,BTC,17000,6.8,-1706.8,USD\n"
        "default,2,BTCUSD,BUY,2023-01-01T00:00:00Z,0.1,BTC,17000,6.8,-1706.8,USD\n"
        "default,3,BTC-USD,BUY,2023-01-01T00:00:00Z,0.1,USD,17000,6.8,-1706.8,USDC\n"
        "default,4,BTC-USD,BUY,2023-01-01T00:00:00Z,0.1,BTC,17000,-6.8,x,USD\n",
    )
    assert errors(parse, path) == [
        "fills.csv:2: side: expected BUY or SELL, found 'HOLD'",
        "fills.csv:3: product: expected a product like BTC-USD, found 'BTCUSD'",
        "fills.csv:4: size unit: expected the product's base asset BTC, found 'USD'",
        "fills.csv:4: price/fee/total unit: expected the product's quote asset USD, found 'USDC'",
        "fills.csv:5: total: expected a number, found 'x'",
        "fills.csv:5: fee: expected a fee of zero or more, found '-6.8'",
    ]


def test_fills_missing_column(parse, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "fills.csv",
        FILLS.replace(",fee,", ",") + "\n"
        "default,1,BTC-USD,BUY,2023-01-01T00:00:00Z,0.1,BTC,17000,-1706.8,USD\n",
    )
    assert errors(parse, path) == [
        "fills.csv:1: fee: missing column: expected every column of the fills report (trade id, "
        "product, side, created at, size, size unit, price, fee, total, price/fee/total unit)"
    ]


def test_fill_row_truncated(parse, tmp_path: Path) -> None:
    path = write(tmp_path, "fills.csv", FILLS + "\ndefault,1,BTC-USD,BUY\n")
    assert errors(parse, path) == [
        "fills.csv:2: expected 11 cells as in the header (line 1), found 4: the row is truncated"
    ]
