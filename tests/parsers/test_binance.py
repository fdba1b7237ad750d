"""Binance parsers: sample goldens, detection, end-to-end builds, grouping rules, bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from taxloss.model import TradeKind
from taxloss.parsers.binance import (
    OPERATION_LIST,
    OPERATIONS,
    Leg,
    Unresolvable,
    contract_name,
    futures_wallet,
    resolve_legs,
)

from ..conftest import SAMPLES
from .conftest import errors, trade_lines, trades_text

STATEMENT = "User_ID,UTC_Time,Account,Operation,Coin,Change,Remark"
FUTURES = "Date(UTC),type,Amount,Asset,Symbol,Transaction ID"
SPOT = "Date(UTC),Pair,Side,Price,Executed,Amount,Fee"
SPOT_OLDER = "Date(UTC),Market,Type,Price,Amount,Total,Fee,Fee Coin"

SAMPLE_FILES = [
    ("binance-statement.csv", "binance-statement.trades.txt", "binance-statement"),
    ("binance-statement.xlsx", "binance-statement-xlsx.trades.txt", "binance-statement"),
    ("binance-futures.csv", "binance-futures.trades.txt", "binance-futures"),
    ("binance-futures-liquidated.csv", "binance-futures-liquidated.trades.txt", "binance-futures"),
    ("binance-spot-trades.csv", "binance-spot-trades.trades.txt", "binance-spot"),
    ("binance-spot-trades-2022.csv", "binance-spot-trades-2022.trades.txt", "binance-spot"),
]
TITLES = {
    "binance-statement": "Binance transaction history statement",
    "binance-futures": "Binance futures transaction history",
    "binance-spot": "Binance spot trade history",
}


def rows(report: dict, asset: str) -> list[dict]:
    return [d for d in report["disposals"] if d["asset"] == asset]


def figures(row: dict) -> tuple[str, ...]:
    keys = ("disposed", "proceeds", "cost_basis", "gain_loss", "fee", "wallet", "description")
    return tuple(str(row[k]) for k in keys)


# -- samples ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("sample", "golden_name", "_"), SAMPLE_FILES)
def test_sample_golden(parse, golden, sample: str, golden_name: str, _: str) -> None:
    golden(golden_name, trades_text(parse(SAMPLES / sample)))


@pytest.mark.parametrize(("sample", "_", "parser"), SAMPLE_FILES)
def test_detect_names_the_parser(detect, sample: str, _: str, parser: str) -> None:
    sheet = " of sheet 'sheet1'" if sample.endswith(".xlsx") else ""
    assert detect(sample, cwd=SAMPLES) == (
        f"{sample}: {parser} (header row at line 1{sheet} matches {TITLES[parser]})\n"
    )


def test_futures_sample_builds_with_the_liquidated_position(build) -> None:
    report = build(SAMPLES / "binance-futures.csv")
    # ETHUSDT closed at a profit: 613.04 PnL less commissions 1.4498 + 1.75632.
    (eth,) = rows(report, "ETHUSDT-PERP")
    assert figures(eth) == (
        "2025-05-08", "613.04", "3.21", "609.83", "3.21", "binance-futures", "ETHUSDT perpetual",
    )  # fmt: skip
    # BTCUSDT liquidated long, one day: debits = commission 4.743 + funding 1.0434 + 0.9961
    # + realized loss 905.40 + insurance clearance 42.903 = 955.0855; no credits.
    (btc,) = rows(report, "BTCUSDT-PERP")
    assert figures(btc) == (
        "2025-06-22", "0.00", "955.09", "-955.09", "47.65", "binance-futures",
        "BTCUSDT perpetual, liquidated",
    )  # fmt: skip
    assert btc["liquidation"] is True
    assert btc["sale_source"].endswith("binance-futures.csv:9")
    usdt = [lot for lot in report["open_lots"] if lot["asset"] == "USDT"]
    # 3000 transferred in + 613.04 - 3.20612 - 955.0855 = 2654.74838 left (the PnL credit is a
    # lot of its own).
    assert {lot["wallet"] for lot in usdt} == {"binance-futures"}
    assert sum(Decimal(lot["quantity"]) for lot in usdt) == Decimal("2654.74838")


def test_statement_csv_sample_builds(build) -> None:
    report = build(SAMPLES / "binance-statement.csv")
    # Liquidated long: fee 2.4761 + funding 0.8421 + loss 412.55 + insurance 6.18 = 422.0482.
    (futures,) = rows(report, "USD-M")
    assert figures(futures) == (
        "2025-02-13", "0.00", "422.05", "-422.05", "8.66", "binance-futures",
        "USD-M futures, liquidated",
    )  # fmt: skip
    # 0.4 ETH sold for 1120.8 USDT less a 1.1208 USDT fee; the 0.7992 ETH bought cost
    # 2693.81 USDT less the ETH fee's share (T.D. 10000: on the USDT given), 2691.11619.
    (eth,) = rows(report, "ETH")
    assert figures(eth) == (
        "2025-02-03", "1119.68", "1346.91", "-227.23", "1.12", "binance", "0.4 ETH",
    )  # fmt: skip
    (transfer,) = [t for t in report["transfers"] if t["matched"]]
    assert (transfer["from_wallet"], transfer["to_wallet"], transfer["sent"]) == (
        "binance",
        "binance-futures",
        "1500",
    )
    futures_usdt = [
        lot["quantity"] for lot in report["open_lots"] if lot["wallet"] == "binance-futures"
    ]
    assert futures_usdt == ["1077.9518"]  # 1500 - 422.0482
    # The BTC deposited on 2025-02-10 (from Coinbase, outside this file) is never sold.
    btc = [lot for lot in report["open_lots"] if lot["asset"] == "BTC"]
    assert [(lot["quantity"], lot["basis_known"]) for lot in btc] == [("0.2495", False)]
    assert [(i["asset"], i["fiat_value"]) for i in report["income"]] == [("USDT", "0.52")]


def test_statement_xlsx_sample_builds(build) -> None:
    report = build(SAMPLES / "binance-statement.xlsx")
    futures = rows(report, "USD-M")
    # 2024-10-08: profit 48.25 less fees 3.9 + 3.95; 2024-10-10: fee 4.12 + funding 0.62
    # + loss 512.3 + insurance 7.7 = 524.74, liquidated.
    assert [figures(row) for row in futures] == [
        ("2024-10-08", "48.25", "7.85", "40.40", "7.85", "binance-futures", "USD-M futures"),
        ("2024-10-10", "0.00", "524.74", "-524.74", "11.82", "binance-futures",
         "USD-M futures, liquidated"),
    ]  # fmt: skip
    # 0.02 of the 0.02997 BTC bought for 1750.5 USDT (less the fee's share: 58,350 USD/BTC).
    (btc,) = rows(report, "BTC")
    assert figures(btc) == (
        "2024-11-12", "1760.64", "1167.00", "593.64", "1.76", "binance", "0.02 BTC",
    )  # fmt: skip


def test_spot_samples_build(build, tmp_path) -> None:
    report = build(SAMPLES / "binance-spot-trades.csv", out=tmp_path / "a")
    # 0.07 BTC for 4987.50 USDT less 4.9875; basis 0.07 of 0.0999 BTC bought for 6315 USDT
    # less the BTC fee's share (6315 - 6.315 = 6308.685): 4420.5.
    (btc,) = rows(report, "BTC")
    assert figures(btc) == (
        "2024-05-20", "4982.51", "4420.50", "562.01", "4.99", "binance", "0.07 BTC",
    )  # fmt: skip
    # 4,995,000 1000SATS kept of 5,000,000 bought for 2107.5 USDT less the fee's share
    # (2.1075): basis 2105.3925; sold for 1433.565 less 1.433565: 1432.131435.
    sats = rows(report, "1000SATS")
    assert [(r["quantity"], r["gain_loss"]) for r in sats] == [("4995000", "-673.26")]
    report = build(SAMPLES / "binance-spot-trades-2022.csv", out=tmp_path / "b")
    (sol,) = rows(report, "SOL")
    # 19.98 SOL for 1398.60 BUSD less 1.3986; basis 1990 BUSD less the SOL fee's share 1.99.
    assert figures(sol) == (
        "2022-05-09", "1397.20", "1988.01", "-590.81", "1.40", "binance", "19.98 SOL",
    )  # fmt: skip


def test_all_binance_samples_build_together(build) -> None:
    files = [*sorted(SAMPLES.glob("binance-*.csv")), SAMPLES / "binance-statement.xlsx"]
    report = build(*files)
    assert len(report["inputs"]) == 9  # with the issue #13 and #15 samples
    assert sum(d["liquidation"] for d in report["disposals"]) == 4


# -- statement: grouping trade legs -----------------------------------------------------------


def test_fills_are_summed_and_the_fee_attached(parse, write_csv) -> None:
    path = write_csv(
        "fills.csv",
        f"""
        {STATEMENT}
        1,2025-03-01 10:00:00,Spot,Transaction Fee,BNB,-3.605E-05,
        1,2025-03-01 10:00:00,Spot,Transaction Sold,BTC,-0.01,
        1,2025-03-01 10:00:00,Spot,Transaction Revenue,USDT,900.5,
        1,2025-03-01 10:00:00,Spot,Transaction Fee,BNB,-0.9049715199999999E-4,
        1,2025-03-01 10:00:00,Spot,Transaction Revenue,USDT,450.25,
        1,2025-03-01 10:00:00,Spot,Transaction Sold,BTC,-0.005,
        """,
    )
    assert trade_lines(parse(path)) == [
        "2 | 2025-03-01T10:00:00Z | sell | 0.015 BTC | quote 1350.75 USDT | "
        "fee 0.00012654715199999999 BNB | wallet binance | note 'lines 2, 3, 4, 5, 6, 7'"
    ]


def test_legs_straddling_a_second_are_joined(parse, write_csv) -> None:
    path = write_csv(
        "split.csv",
        f"""
        {STATEMENT}
        1,2025-03-01 10:00:00,Spot,Transaction Buy,BTC,0.01,
        1,2025-03-01 10:00:01,Spot,Transaction Spend,USDT,-900,
        1,2025-03-01 10:00:01,Spot,Transaction Fee,BTC,-0.00001,
        1,2025-03-01 11:00:00,Spot,Buy,ETH,0.5,
        1,2025-03-01 11:00:00,Spot,Buy,USDT,-1500,
        1,2025-03-01 11:00:01,Spot,Fee,BNB,-0.001,
        """,
    )
    assert trade_lines(parse(path)) == [
        "2 | 2025-03-01T10:00:00Z | buy | 0.01 BTC | quote 900 USDT | fee 0.00001 BTC | "
        "wallet binance | note 'lines 2, 3, 4'",
        "5 | 2025-03-01T11:00:00Z | buy | 0.5 ETH | quote 1500 USDT | fee 0.001 BNB | "
        "wallet binance | note 'lines 5, 6, 7'",
    ]


def test_a_buy_and_a_sell_through_one_quote_coin_are_paired(parse, write_csv) -> None:
    path = write_csv(
        "pair.csv",
        f"""
        {STATEMENT}
        1,2025-03-01 10:00:00,Spot,Transaction Buy,BTC,0.01,
        1,2025-03-01 10:00:00,Spot,Transaction Sold,ETH,-0.5,
        1,2025-03-01 10:00:00,Spot,Transaction Spend,USDT,-900,
        1,2025-03-01 10:00:00,Spot,Transaction Revenue,USDT,1500,
        1,2025-03-01 10:00:00,Spot,Transaction Fee,BTC,-0.00001,
        1,2025-03-01 10:00:00,Spot,Transaction Fee,USDT,-1.5,
        1,2025-03-01 10:00:00,Spot,Transaction Fee,BNB,-0.002,
        """,
    )
    assert trade_lines(parse(path)) == [
        "2 | 2025-03-01T10:00:00Z | buy | 0.01 BTC | quote 900 USDT | fee 0.00001 BTC | "
        "wallet binance | note 'lines 2, 4, 6'",
        "3 | 2025-03-01T10:00:00Z | sell | 0.5 ETH | quote 1500 USDT | fee 1.5 USDT | "
        "wallet binance | note 'lines 3, 5, 7'",
        "8 | 2025-03-01T10:00:00Z | fee | 0.002 BNB | wallet binance | "
        "note 'trade fee not attributable to one trade; lines 8'",
    ]


def test_groups_that_cannot_be_split_are_errors_naming_the_lines(parse, write_csv) -> None:
    path = write_csv(
        "groups.csv",
        f"""
        {STATEMENT}
        1,2025-03-01 10:00:00,Spot,Transaction Buy,BTC,0.01,
        1,2025-03-01 10:00:00,Spot,Transaction Spend,USDT,-900,
        1,2025-03-01 10:00:00,Spot,Transaction Buy,ETH,0.5,
        1,2025-03-01 10:00:00,Spot,Transaction Spend,USDT,-1500,
        1,2025-03-02 10:00:00,Spot,Buy Crypto,BTC,0.01,
        1,2025-03-03 10:00:00,Spot,Small Assets Exchange BNB,DOGE,-30,
        1,2025-03-03 10:00:00,Spot,Small Assets Exchange BNB,SHIB,-90000,
        1,2025-03-03 10:00:00,Spot,Small Assets Exchange BNB,BNB,0.004,
        1,2025-03-04 10:00:00,Spot,Transaction Buy,BTC,0.01,
        1,2025-03-04 10:00:00,Spot,Transaction Sold,BTC,-0.01,
        1,2025-03-04 10:00:00,Spot,Transaction Spend,USDT,-900,
        1,2025-03-05 10:00:00,Funding,Fee,BNB,-0.001,
        """,
    )
    assert errors(parse, path) == [
        "groups.csv:2: Change: Transaction Buy/Transaction Spend rows at 2025-03-01 10:00:00 in "
        "Spot: 2 purchases paid from one USDT balance at the same time (paid 2400 USDT; "
        "received 0.01 BTC, 0.5 ETH): the statement does not say which payment bought which "
        "coin, and splitting the USDT by the coins' value would need their USDT prices at that "
        "moment, which the statement does not carry. Give Binance's spot trade history or buy "
        "crypto history for that day instead of these rows (one row per order) "
        "(lines 2, 3, 4, 5)",
        # line 6, a Buy Crypto with only the coin received, is a card purchase (issue #13)
        "groups.csv:7: Change: Small Assets Exchange BNB rows at 2025-03-03 10:00:00 in Spot: "
        "3 coins changed at the same second (received: BNB; paid: DOGE, SHIB) and the statement "
        "does not say which paid for which (lines 7, 8, 9)",
        "groups.csv:10: Change: Transaction Buy/Transaction Sold/Transaction Spend rows at "
        "2025-03-04 10:00:00 in Spot: BTC and USDT do not balance (received: BTC; paid: BTC, "
        "USDT): cannot pair the rows into trades (lines 10, 11, 12)",
        "groups.csv:13: Change: Fee rows at 2025-03-05 10:00:00 in Funding: only fee rows, no "
        "trade at this second (line 13)",
    ]


def test_convert_orientation_and_forced_sale(parse, write_csv) -> None:
    takeover = "Cross Margin,Cross Margin Liquidation - Small Assets Takeover"
    path = write_csv(
        "convert.csv",
        f"""
        {STATEMENT}
        1,2025-03-01 10:00:00,Funding,Binance Convert,SOL,-3,
        1,2025-03-01 10:00:00,Funding,Binance Convert,ETH,0.15,
        1,2025-03-01 10:00:01,Spot,Binance Convert,PEPE,-1000000,
        1,2025-03-01 10:00:01,Spot,Binance Convert,WIF,12,
        1,2025-03-01 10:00:02,Spot,Stablecoins Auto-Conversion,USDC,-100,
        1,2025-03-01 10:00:02,Spot,Stablecoins Auto-Conversion,FDUSD,100,
        1,2025-03-01 10:00:03,{takeover},USDT,25,
        1,2025-03-01 10:00:03,{takeover},ETH,-0.01,
        1,2025-03-01 10:00:04,Spot,ETH 2.0 Staking,ETH,-1,
        1,2025-03-01 10:00:04,Spot,ETH 2.0 Staking,BETH,1,
        """,
    )
    assert trade_lines(parse(path)) == [
        # ETH ranks above SOL as a quote asset: SOL sold for ETH.
        "2 | 2025-03-01T10:00:00Z | sell | 3 SOL | quote 0.15 ETH | wallet binance | "
        "note 'lines 2, 3'",
        # neither is a known quote asset: the coin given is sold for the coin received.
        "4 | 2025-03-01T10:00:01Z | sell | 1000000 PEPE | quote 12 WIF | wallet binance | "
        "note 'lines 4, 5'",
        # USDC ranks above FDUSD as a quote asset
        "6 | 2025-03-01T10:00:02Z | buy | 100 FDUSD | quote 100 USDC | wallet binance | "
        "note 'lines 6, 7'",
        "8 | 2025-03-01T10:00:03Z | forced_sale | 0.01 ETH | quote 25 USDT | "
        "wallet binance-margin | note 'lines 8, 9'",
        "10 | 2025-03-01T10:00:04Z | buy | 1 BETH | quote 1 ETH | wallet binance | "
        "note 'lines 10, 11'",
    ]


# -- statement: other operations --------------------------------------------------------------


def test_transfers_between_accounts(parse, write_csv) -> None:
    margin = "Transfer Between Main Account/Futures and Margin Account"
    coinm = "Transfer Between Spot Account and CM Futures Account"
    path = write_csv(
        "transfers.csv",
        f"""
        {STATEMENT}
        1,2025-03-01 10:00:00,Funding,Transfer Between Main and Funding Wallet,USDT,100,
        1,2025-03-01 10:00:00,Spot,Transfer Between Main and Funding Wallet,USDT,-100,
        1,2025-03-01 11:00:00,Spot,transfer_out,USDT,-50,
        1,2025-03-01 11:00:00,Funding,transfer_in,USDT,50,
        1,2025-03-01 12:00:00,Cross Margin,{margin},BTC,0.1,
        1,2025-03-01 12:00:00,Spot,{margin},BTC,-0.1,
        1,2025-03-01 13:00:00,Coin-M Futures,{coinm},BTC,0.05,
        """,
    )
    assert trade_lines(parse(path)) == [
        "6 | 2025-03-01T12:00:00Z | deposit | 0.1 BTC | wallet binance-margin | "
        "note 'transfer between Binance accounts'",
        "7 | 2025-03-01T12:00:00Z | withdrawal | 0.1 BTC | wallet binance | "
        "note 'transfer between Binance accounts'",
        "8 | 2025-03-01T13:00:00Z | deposit | 0.05 BTC | wallet binance-coinm | "
        "note 'transfer between Binance accounts'",
    ]


def test_deposits_income_margin_and_fiat(parse, write_csv) -> None:
    path = write_csv(
        "misc.csv",
        f"""
        {STATEMENT}
        1,2025-03-01 10:00:00,Spot,Fiat Deposit,EUR,500,
        1,2025-03-01 10:00:01,Spot,Deposit,EUR,500,
        1,2025-03-01 10:00:02,Spot,Deposit,BTC,0.1,
        1,2025-03-01 10:00:03,Spot,Withdraw,BTC,-0.05,Withdraw fee is included
        1,2025-03-01 10:00:04,Spot,Send,USDT,-20,
        1,2025-03-01 10:00:05,Spot,Send,USDT,15,
        1,2025-03-01 10:00:06,Spot,Staking Rewards,DOT,0.25,
        1,2025-03-01 10:00:07,Spot,Airdrop Assets,ARB,10,
        1,2025-03-01 10:00:08,Spot,Commission Rebate,USDT,0.1,
        1,2025-03-01 10:00:09,Earn,Simple Earn Flexible Redemption,USDT,100,
        1,2025-03-01 10:00:10,Cross Margin,Margin Loan,USDT,1000,
        1,2025-03-01 10:00:11,Cross Margin,Margin Fee,USDT,-0.25,
        1,2025-03-01 10:00:12,Cross Margin,Margin Repayment,USDT,-1000,
        1,2025-03-01 10:00:13,Isolated Margin,Isolated Margin Liquidation - Fee,BTC,-0.0001,
        1,2025-03-01 10:00:14,USD-M Futures,Referrer rebates,USDT,0.3,
        1,2025-03-01 10:00:15,Spot,Deposit,BTC,0,
        """,
    )
    assert trade_lines(parse(path)) == [
        "4 | 2025-03-01T10:00:02Z | deposit | 0.1 BTC | wallet binance",
        "5 | 2025-03-01T10:00:03Z | withdrawal | 0.05 BTC | wallet binance",
        "6 | 2025-03-01T10:00:04Z | withdrawal | 20 USDT | wallet binance",
        "7 | 2025-03-01T10:00:05Z | deposit | 15 USDT | wallet binance",
        "8 | 2025-03-01T10:00:06Z | income | 0.25 DOT | wallet binance",
        "9 | 2025-03-01T10:00:07Z | income | 10 ARB | wallet binance",
        "10 | 2025-03-01T10:00:08Z | income | 0.1 USDT | wallet binance",
        "12 | 2025-03-01T10:00:10Z | margin_loan | 1000 USDT | wallet binance-margin",
        "13 | 2025-03-01T10:00:11Z | interest | 0.25 USDT | wallet binance-margin",
        "14 | 2025-03-01T10:00:12Z | margin_repay | 1000 USDT | wallet binance-margin",
        "15 | 2025-03-01T10:00:13Z | fee | 0.0001 BTC | wallet binance-margin",
        "16 | 2025-03-01T10:00:14Z | income | 0.3 USDT | wallet binance-futures",
    ]


def test_futures_rows_spellings_and_liquidation(parse, write_csv) -> None:
    path = write_csv(
        "futures.csv",
        """
        UTC_Time,Account,Operation,Coin,Change,Remark
        24-03-05 08:00:00,USDT-Futures,FUNDING FEE,USDT,-0.8421,
        24-03-05 09:00:00,USD-MFutures,realize profit and loss,USDT,25,
        24-03-05 09:00:00,USD-M Futures,insurance fund compensation,USDT,-1,
        24-03-05 10:00:00,Coin-M Futures,Realized Profit and Loss,BTC,-0.01,
        24-03-05 10:00:00,USD-M Futures,Insurance Fund Compensation,USDT,-2,
        24-03-05 11:00:00,Coin-Futures,Fee,BTC,0.00001,
        """,
    )
    assert trade_lines(parse(path)) == [
        "2 | 2024-03-05T08:00:00Z | funding | 0 USD-M | quote -0.8421 USDT | "
        "wallet binance-futures",
        # a profit at the same second as an insurance row is not a liquidation
        "3 | 2024-03-05T09:00:00Z | realized_pnl | 0 USD-M | quote 25 USDT | "
        "wallet binance-futures",
        "4 | 2024-03-05T09:00:00Z | insurance_fee | 0 USD-M | quote -1 USDT | "
        "wallet binance-futures",
        # the insurance row at this second is in another account
        "5 | 2024-03-05T10:00:00Z | realized_pnl | 0 COIN-M | quote -0.01 BTC | "
        "wallet binance-coinm",
        "6 | 2024-03-05T10:00:00Z | insurance_fee | 0 USD-M | quote -2 USDT | "
        "wallet binance-futures",
        "7 | 2024-03-05T11:00:00Z | commission | 0 COIN-M | quote 0.00001 BTC | "
        "wallet binance-coinm",
    ]


# -- statement: bad input ---------------------------------------------------------------------


def test_statement_row_errors_are_reported_together(parse, write_csv) -> None:
    path = write_csv(
        "bad.csv",
        f"""
        {STATEMENT}
        1,2025-03-01 10:00:00,Spot,Deposit,BTC,0.1,
        1,2025-03-01 10:00:05,Spot,Teleport,BTC,0.1,
        1,2025-03-01 10:00:06,Spot,Deposit,BTC,"1,000",
        1,yesterday,Moon,Deposit,,-1,
        1,2025-03-01 10:00:08,Spot,Funding Fee,USDT,-1,
        1,2025-03-01 10:00:09,Spot,Withdraw,BTC,0.5,
        1,2025-03-01 10:00:10,Spot,Teleport,BTC,0,
        """,
    )
    assert errors(parse, path) == [
        f"bad.csv:3: Operation: unknown operation 'Teleport': expected one of {OPERATION_LIST}",
        "bad.csv:4: Change: expected a number like -0.125 or -3.6E-05, found '1,000'",
        "bad.csv:5: UTC_Time: expected an ISO 8601 date and time like 2025-03-01T14:05:00Z, "
        "found 'yesterday'",
        "bad.csv:5: Account: unknown account 'Moon': expected one of Spot, Funding, Earn, "
        "Savings, Pool, USD-M Futures, Coin-M Futures, Cross Margin, Isolated Margin",
        "bad.csv:5: Coin: expected a coin such as BTC, found an empty cell",
        "bad.csv:5: Change: Deposit should add to the balance, found '-1'",
        "bad.csv:6: Account: Funding Fee is expected in a USD-M or Coin-M Futures account, found "
        "'Spot'",
        "bad.csv:7: Change: Withdraw should take from the balance, found '0.5'",
        f"bad.csv:8: Operation: unknown operation 'Teleport': expected one of {OPERATION_LIST}",
    ]


def test_operation_list_names_every_documented_operation() -> None:
    assert OPERATION_LIST.startswith("Airdrop Assets, Asset Conversion Transfer, Binance Convert")
    for name in ("Realized Profit and Loss", "Insurance Fund Compensation", "transfer_in"):
        assert name in OPERATIONS
    assert len(OPERATION_LIST.split(", ")) == len(OPERATIONS)


#: Every Operation the format notes (exchange-formats.md, Binance) list, as spelled there.
DOCUMENTED_OPERATIONS = (
    "Buy", "Sell", "Fee", "Transaction Related", "Transaction Buy", "Transaction Spend",
    "Transaction Fee", "Transaction Sold", "Transaction Revenue", "Binance Convert",
    "Large OTC trading", "Small Assets Exchange BNB", "Small assets exchange BNB",
    "Stablecoins Auto-Conversion", "Buy Crypto", "Deposit", "Withdraw", "Fiat Deposit",
    "Fiat Withdraw", "Send", "transfer_in", "transfer_out",
    "Transfer Between Main and Funding Wallet",
    "Transfer Between Spot Account and UM Futures Account",
    "Transfer Between Spot Account and CM Futures Account",
    "Transfer Between Main Account/Futures and Margin Account", "Realized Profit and Loss",
    "Realize profit and loss", "Funding Fee", "Insurance Fund Compensation",
    "Insurance fund compensation", "Referrer rebates", "Referee rebates",
    "Asset Conversion Transfer", "Futures Convert", "Margin Loan", "Margin loan",
    "Margin Repayment", "Isolated Margin Loan", "Isolated Margin Repayment",
    "Simple Earn Flexible Interest", "Simple Earn Locked Rewards",
    "Simple Earn Flexible Subscription", "Simple Earn Flexible Redemption",
    "Simple Earn Locked Subscription", "Simple Earn Locked Redemption", "Staking Rewards",
    "Staking Purchase", "Staking Redemption", "ETH 2.0 Staking", "ETH 2.0 Staking Rewards",
    "POS savings interest", "POS savings purchase", "POS savings redemption",
    "Savings Interest", "Savings distribution", "Launchpool Interest", "BNB Vault Rewards",
    "Liquid Swap rewards", "Airdrop Assets", "Distribution", "Cash Voucher distribution",
    "Mission Reward Distribution", "Commission History", "Referral Kickback",
    "Commission Rebate", "Super BNB Mining", "Swap Farming Rewards",
    "Launchpool Airdrop - System Distribution",
)  # fmt: skip


def test_every_documented_operation_is_known() -> None:
    known = {name.lower() for name in OPERATIONS}
    assert [name for name in DOCUMENTED_OPERATIONS if name.lower() not in known] == []


def test_statement_missing_column(parse, write_csv) -> None:
    path = write_csv(
        "missing.csv",
        """
        User_ID,UTC_Time,Account,Operation,Coin,Remark
        1,2025-03-01 10:00:00,Spot,Deposit,BTC,
        """,
    )
    assert errors(parse, path, "binance-statement") == [
        "missing.csv:1: header: no supported export format recognised from the header row; "
        "supported: binance-statement; nearest: binance-statement (Binance transaction history "
        "statement), which needs column(s) change"
    ]


def test_statement_truncated_row(parse, write_csv) -> None:
    path = write_csv(
        "short.csv",
        f"""
        {STATEMENT}
        1,2025-03-01 10:00:00,Spot,Deposit,BTC,0.1,
        1,2025-03-01 10:00:07,Spot,Deposit,BTC
        """,
    )
    assert errors(parse, path) == [
        "short.csv:3: expected 7 cells as in the header (line 1), found 5: the row is truncated"
    ]


def test_statement_header_only(parse, write_csv) -> None:
    path = write_csv("empty.csv", f"{STATEMENT}\n")
    assert errors(parse, path) == [
        "empty.csv:1: no data rows below the header: expected Binance history rows"
    ]


# -- futures transaction history --------------------------------------------------------------


def test_coin_m_history_swaps_and_income(parse, write_csv) -> None:
    path = write_csv(
        "coinm.csv",
        f"""
        {FUTURES}
        2025-03-01 09:00:00,TRANSFER,0.5,BTC,,900001
        2025-03-01 10:00:00,COMMISSION,-0.0001,BTC,BTCUSD_PERP,900002
        2025-03-01 11:00:00,REALIZED_PNL,0.002,BTC,BTCUSD_250627,900003
        2025-06-27 08:00:00,DELIVERED_SETTELMENT,-0.001,BTC,BTCUSD_250627,900004
        2025-06-28 08:00:00,REFERRAL_KICKBACK,0.00001,BTC,,900005
        2025-06-28 09:00:00,TRANSFER,-0.2,BTC,,900006
        2025-06-28 09:30:00,POSITION_LIMIT_INCREASE_FEE,-0.00002,BTC,BTCUSD_PERP,900007
        """,
    )
    assert trade_lines(parse(path)) == [
        "2 | 2025-03-01T09:00:00Z | deposit | 0.5 BTC | wallet binance-coinm | id binance:900001",
        "3 | 2025-03-01T10:00:00Z | commission | 0 BTCUSD-PERP | quote -0.0001 BTC | "
        "wallet binance-coinm | id binance:900002",
        "4 | 2025-03-01T11:00:00Z | realized_pnl | 0 BTCUSD_250627 | quote 0.002 BTC | "
        "wallet binance-coinm | id binance:900003",
        "5 | 2025-06-27T08:00:00Z | realized_pnl | 0 BTCUSD_250627 | quote -0.001 BTC | "
        "wallet binance-coinm | id binance:900004",
        "6 | 2025-06-28T08:00:00Z | income | 0.00001 BTC | wallet binance-coinm | "
        "id binance:900005",
        "7 | 2025-06-28T09:00:00Z | withdrawal | 0.2 BTC | wallet binance-coinm | "
        "id binance:900006",
        "8 | 2025-06-28T09:30:00Z | commission | 0 BTCUSD-PERP | quote -0.00002 BTC | "
        "wallet binance-coinm | id binance:900007",
    ]


def test_usdm_coin_swaps_auto_exchange_and_liquidation(parse, write_csv) -> None:
    path = write_csv(
        "usdm.csv",
        f"""
        {FUTURES}
        2025-03-01 09:00:00,COIN_SWAP_WITHDRAW,-1,BNB,,800001
        2025-03-01 09:00:00,COIN_SWAP_DEPOSIT,600.5,USDT,,800002
        2025-03-02 09:00:00,AUTO_EXCHANGE,0.01,USDC,,800003
        2025-03-02 09:00:00,AUTO_EXCHANGE,-0.01,BNB,,800004
        2025-03-03 13:02:51,REALIZED_PNL,-412.55,USDT,BTCUSDT,800005
        2025-03-03 13:02:51,INSURANCE_CLEAR,-6.18,USDT,BTCUSDT,800006
        2025-03-03 13:02:51,REALIZED_PNL,-3,USDT,ETHUSDT,800007
        2025-03-04 00:00:00,FUNDING_FEE,0.12,USDT,ETHUSDT,800008
        """,
    )
    assert trade_lines(parse(path)) == [
        "2 | 2025-03-01T09:00:00Z | sell | 1 BNB | quote 600.5 USDT | wallet binance-futures | "
        "id binance:800001 | note 'lines 2, 3'",
        "4 | 2025-03-02T09:00:00Z | sell | 0.01 BNB | quote 0.01 USDC | wallet binance-futures | "
        "id binance:800003 | note 'lines 4, 5'",
        "6 | 2025-03-03T13:02:51Z | liquidation | 0 BTCUSDT-PERP | quote -412.55 USDT | "
        "wallet binance-futures | id binance:800005",
        "7 | 2025-03-03T13:02:51Z | insurance_fee | 0 BTCUSDT-PERP | quote -6.18 USDT | "
        "wallet binance-futures | id binance:800006",
        # the insurance row at this second is for another symbol
        "8 | 2025-03-03T13:02:51Z | realized_pnl | 0 ETHUSDT-PERP | quote -3 USDT | "
        "wallet binance-futures | id binance:800007",
        "9 | 2025-03-04T00:00:00Z | funding | 0 ETHUSDT-PERP | quote 0.12 USDT | "
        "wallet binance-futures | id binance:800008",
    ]


def test_futures_row_errors_are_reported_together(parse, write_csv) -> None:
    path = write_csv(
        "bad.csv",
        f"""
        {FUTURES}
        2025-03-01 09:00:00,REALIZED_PNL,5,USDT,BTCUSDT,1
        2025-03-01 09:00:01,LIQUIDATION,-5,USDT,BTCUSDT,2
        2025-03-01 09:00:02,COMMISSION,-0.5 USDT,USDT,BTCUSDT,3
        2025-03-01 09:00:03,FUNDING_FEE,-0.1,USDT,,4
        2025-03-01 09:00:04,WELCOME_BONUS,-5,USDT,,5
        2025-03-01 25:00:05,COMMISSION,-0.5,,BTCUSDT,6
        2025-03-01 09:00:06,COIN_SWAP_DEPOSIT,5,USDT,,7
        """,
    )
    assert errors(parse, path) == [
        "bad.csv:3: type: unknown type 'LIQUIDATION': expected one of REALIZED_PNL, COMMISSION, "
        "POSITION_LIMIT_INCREASE_FEE, FUNDING_FEE, INSURANCE_CLEAR, DELIVERED_SETTELMENT, "
        "TRANSFER, REFERRAL_KICKBACK, COMMISSION_REBATE, WELCOME_BONUS, CONTEST_REWARD, "
        "COIN_SWAP_DEPOSIT, COIN_SWAP_WITHDRAW, AUTO_EXCHANGE",
        "bad.csv:4: Amount: expected a number like -0.125 or -3.6E-05, found '-0.5 USDT'",
        "bad.csv:5: Symbol: a FUNDING_FEE row needs its contract symbol, e.g. BTCUSDT",
        "bad.csv:6: Amount: a WELCOME_BONUS should add to the balance, found '-5'",
        "bad.csv:7: Date(UTC): expected an ISO 8601 date and time like 2025-03-01T14:05:00Z, "
        "found '2025-03-01 25:00:05'",
        "bad.csv:7: Asset: expected an asset such as USDT, found an empty cell",
    ]
    path.write_text(path.read_text().replace("LIQUIDATION", "REALIZED_PNL"))
    path.write_text("\n".join(line for line in path.read_text().splitlines()[:2]) + "\n"
                    + "2025-03-01 09:00:06,COIN_SWAP_DEPOSIT,5,USDT,,7\n")  # fmt: skip
    assert errors(parse, path) == [
        "bad.csv:3: Amount: coin-swap rows at 2025-03-01 09:00:06: USDT received but nothing "
        "paid at this second (line 3)"
    ]


def test_futures_missing_column_and_truncated_row(parse, write_csv) -> None:
    path = write_csv(
        "missing.csv",
        """
        Date(UTC),type,Amount,Asset,Transaction ID
        2025-03-01 09:00:00,REALIZED_PNL,5,USDT,1
        """,
    )
    assert errors(parse, path, "binance-futures") == [
        "missing.csv:1: header: no supported export format recognised from the header row; "
        "supported: binance-futures; nearest: binance-futures (Binance futures transaction "
        "history), which needs column(s) symbol"
    ]
    path = write_csv(
        "short.csv",
        f"""
        {FUTURES}
        2025-03-01 09:00:00,REALIZED_PNL,5,USDT,BTCUSDT,1
        2025-03-01 09:00:00,REALIZED_PNL,5
        """,
    )
    assert errors(parse, path) == [
        "short.csv:3: expected 6 cells as in the header (line 1), found 3: the row is truncated"
    ]


def test_contract_names_and_wallets() -> None:
    assert contract_name("BTCUSDT") == "BTCUSDT-PERP"
    assert contract_name("btcusd_perp") == "BTCUSD-PERP"
    assert contract_name("BTCUSDT_250627") == "BTCUSDT_250627"
    assert futures_wallet("BTCUSD_PERP") == futures_wallet("ETHUSD_250926") == "binance-coinm"
    assert futures_wallet("BTCUSDT") == futures_wallet("BTCUSDT_250627") == "binance-futures"


# -- spot trade history -----------------------------------------------------------------------


def test_btc_quoted_pairs_in_both_layouts_build_with_prices(build, write_csv) -> None:
    current = write_csv(
        "current.csv",
        f"""
        {SPOT}
        2024-04-01 09:00:00,BTCUSDT,BUY,"70,000.00",0.10000000BTC,"7,000.00USDT",0.00010000BTC
        2024-04-02 11:20:45,ETHBTC,BUY,0.05012,0.50000000ETH,0.02506000BTC,0.00050000ETH
        """,
    )
    older = write_csv(
        "older.csv",
        f"""
        {SPOT_OLDER}
        2024-05-02 10:00:00,ETHBTC,SELL,0.0520,0.4,0.0208,0.0000208,BTC
        """,
    )
    prices = write_csv(
        "prices.csv",
        """
        date,asset,price
        2024-04-02,ETH,3500
        2024-05-02,ETH,3000
        """,
    )
    report = build(current, older, extra=("--prices", str(prices)))
    # Bought 0.5 ETH (valued 0.5 x 3500 = 1750 from --prices) paying 0.02506 BTC; the
    # 0.0005 ETH fee (1.75) is charged to the BTC given (T.D. 10000), so the 0.4995 ETH kept
    # cost 1748.25 = 3500 each: 0.4 ETH -> 1400. Sold for 0.0208 BTC, valued from the ETH
    # price 0.4 x 3000 = 1200, less the BTC fee's share 1.2.
    (eth,) = rows(report, "ETH")
    assert (eth["quantity"], eth["proceeds"], eth["cost_basis"], eth["gain_loss"]) == (
        "0.4",
        "1198.80",
        "1400.00",
        "-201.20",
    )


def test_spot_current_layout_details(parse, write_csv) -> None:
    path = write_csv(
        "zone.csv",
        """
        Date(UTC+8),Pair,Side,Price,Executed,Amount,Fee
        2024-04-02 08:00:00,BTCFDUSD,sell,"70,000",0.01BTC,700FDUSD,0.7FDUSD
        2024-04-02 09:00:00,1000SATSUSDT,BUY,0.0004,"1,000,000.001000SATS",400USDT,0BNB
        """,
    )
    assert trade_lines(parse(path)) == [
        "2 | 2024-04-02T00:00:00Z | sell | 0.01 BTC | quote 700 FDUSD | fee 0.7 FDUSD | "
        "wallet binance",
        "3 | 2024-04-02T01:00:00Z | buy | 1000000 1000SATS | quote 400 USDT | wallet binance",
    ]


def test_spot_row_errors_are_reported_together(parse, write_csv) -> None:
    path = write_csv(
        "bad.csv",
        f"""
        {SPOT}
        2024-04-02 08:00:00,BTCUSDT,BUY,"70,000",0.01BTC,700USDT,0.00001BTC
        2024-04-02 08:00:01,BTCUSDT,HOLD,"70,000",0.01BTC,700USDT,0.00001BTC
        2024-04-02 08:00:02,BTCUSDT,BUY,"70,000",BTC,700USDT,0.00001BTC
        2024-04-02 08:00:03,BTCUSDT,BUY,"70,000",0.01ETH,700USDT,0.00001BTC
        2024-04-02 08:00:04,BTCUSDT,BUY,"70,000",-0.01BTC,700USDT,0.00001BTC
        """,
    )
    assert errors(parse, path) == [
        "bad.csv:3: Side: expected BUY or SELL, found 'HOLD'",
        "bad.csv:4: Executed: expected an amount with its asset, like 0.015BTC, found 'BTC'",
        "bad.csv:5: Pair: Executed is in ETH and Amount in USDT, which do not make the pair "
        "BTCUSDT",
        "bad.csv:6: Executed: expected an amount above zero, found '-0.01BTC'",
    ]


def test_spot_older_layout_errors(parse, write_csv) -> None:
    path = write_csv(
        "older.csv",
        f"""
        {SPOT_OLDER}
        2022-01-10 08:30:00,BTCUSDT,BUY,41850.00,0.12,5022.00,0.00012,BTC
        2022-01-10 08:30:01,BTCXYZ,BUY,41850.00,0.12,5022.00,0.00012,BTC
        2022-01-10 08:30:02,BTCUSDT,BUY,41850.00,0.12,5O22.00,0.00012,BTC
        2022-01-10 08:30:03,BTCUSDT,BUY,41850.00,0.12,5022.00,0.00012,
        2022-01-10 08:30:04,BTCUSDT,BUY,41850.00,0.12
        """,
    )
    assert errors(parse, path) == [
        "older.csv:6: expected 8 cells as in the header (line 1), found 5: the row is truncated"
    ]
    path.write_text("\n".join(path.read_text().splitlines()[:-1]) + "\n")
    assert errors(parse, path) == [
        "older.csv:3: Market: expected a market ending in a known quote asset (USD, EUR, GBP, "
        "AUD, BRL, TRY, RUB, UAH, NGN, ZAR, ARS, PLN, RON, CZK, JPY, MXN, COP, KZT, IDR, INR, "
        "CAD, CHF, USDT, USDC, FDUSD, BUSD, TUSD, USDP, PAX, DAI, USDS, AEUR, EURI, BIDR, IDRT, "
        "BKRW, BVND, VAI, GYEN, BTC, ETH, BNB, XRP, TRX, DOGE, DOT, SOL), found 'BTCXYZ'",
        "older.csv:4: Total: expected a number, found '5O22.00'",
        "older.csv:5: Fee Coin: expected the asset the fee was paid in, found an empty cell",
    ]


def test_spot_missing_column(parse, write_csv) -> None:
    path = write_csv(
        "missing.csv",
        """
        Date(UTC),Pair,Side,Price,Executed,Fee
        2024-04-02 08:00:00,BTCUSDT,BUY,"70,000",0.01BTC,0.00001BTC
        """,
    )
    assert errors(parse, path, "binance-spot") == [
        "missing.csv:1: header: no supported export format recognised from the header row; "
        "supported: binance-spot; nearest: binance-spot (Binance spot trade history), which "
        "needs column(s) amount"
    ]


# -- the leg resolver -------------------------------------------------------------------------


def test_resolver_orientation_and_fees() -> None:
    buy = resolve_legs(
        [Leg("ETH", Decimal("0.5"), 2), Leg("BTC", Decimal("-0.025"), 3),
         Leg("ETH", Decimal("-0.0005"), 4, fee=True)]
    )  # fmt: skip
    (swap,) = buy.swaps
    assert (swap.kind, swap.asset, swap.quote_asset, swap.fee_asset) == (
        TradeKind.BUY,
        "ETH",
        "BTC",
        "ETH",
    )
    with pytest.raises(Unresolvable, match=r"the fee rows of BNB add up to a credit of 0\.1"):
        resolve_legs(
            [Leg("ETH", Decimal("1"), 2), Leg("USDT", Decimal("-3000"), 3),
             Leg("BNB", Decimal("0.1"), 4, fee=True)]
        )  # fmt: skip
    with pytest.raises(Unresolvable, match="only BTC changed, both received and paid"):
        resolve_legs([Leg("BTC", Decimal("1"), 2), Leg("BTC", Decimal("-1"), 3)])
    forced = resolve_legs(
        [Leg("USDT", Decimal("25"), 2), Leg("ETH", Decimal("-0.01"), 3)], forced=True
    )
    assert [(s.kind, s.asset) for s in forced.swaps] == [(TradeKind.FORCED_SALE, "ETH")]
