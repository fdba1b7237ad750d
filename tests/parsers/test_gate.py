"""Gate.io parsers: the spot and futures account books (goldens, detection, end-to-end builds
with hand-checked figures, and every kind of bad input with its exact message)."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from ..conftest import SAMPLES
from .conftest import errors, trades_text

SPOT = "no,time,action_desc,action_data,type,change_amount,amount,total"
FUTURES = "time,contract,type,change,balance,text"


# -- spot account book ------------------------------------------------------------------------


def test_spot_sample_golden(parse, golden) -> None:
    trades = parse(SAMPLES / "gate-spot-account-book.csv")
    golden("gate-spot-account-book.trades.txt", trades_text(trades))


def test_spot_sample_is_detected(detect) -> None:
    path = SAMPLES / "gate-spot-account-book.csv"
    title = "Gate.io spot account book"
    assert detect(path) == f"{path}: gate-spot (header row at line 1 matches {title})\n"


def test_spot_sample_builds(build) -> None:
    data = build(SAMPLES / "gate-spot-account-book.csv")
    rows = [
        (d["asset"], d["quantity"], d["acquired"], d["disposed"], d["proceeds"], d["cost_basis"])
        for d in data["disposals"]
        if d["asset"] != "USDT"
    ]
    # By hand. USDT -> BTC is crypto for crypto, so the fee is charged to the USDT disposed
    # (fees.crypto_to_crypto = "disposed_asset"): the 0.0002 BTC fee is worth
    # 0.0002 * 4235 / 0.1 = 8.47 USDT, so the lot is 0.0998 BTC with basis 4235 - 8.47 =
    # 4226.53. The sale of 0.06 BTC: proceeds 3709.23 - 7.41846 = 3701.81; basis
    # 4226.53 * 0.06 / 0.0998 = 2541.00.
    assert rows[0] == ("BTC", "0.06", "2024-01-15", "2024-03-12", "3701.81", "2541.00")
    # ETH: 2 ETH for 5020.80 with a 0.004 ETH fee (10.0416) -> 1.996 ETH, basis 5010.7584,
    # i.e. 2510.40 per ETH. The order sold at two times is two rows: 1 ETH for 3352.70 -
    # 6.7054 = 3345.99, basis 2510.40; 0.5 ETH for 1676.40 - 3.3528 = 1673.05, basis 1255.20.
    assert ("ETH", "1", "2024-02-02", "2024-05-20", "3345.99", "2510.40") in rows
    assert ("ETH", "0.5", "2024-02-02", "2024-05-20", "1673.05", "1255.20") in rows
    # The rest of the BTC: 0.0398 for 2670.81482 - 5.34162964 = 2665.47; basis 1685.53.
    assert rows[-1] == ("BTC", "0.0398", "2024-01-15", "2024-06-20", "2665.47", "1685.53")
    income = [(i["asset"], i["quantity"]) for i in data["income"]]
    assert income == [("USDT", "3.215"), ("USDT", "1.84")]
    assert data["open_lots"][0]["asset"] == "ETH"
    assert data["open_lots"][0]["quantity"] == "0.496"


def test_spot_unknown_action_bad_number_and_missing_id(parse, write_csv) -> None:
    path = write_csv(
        "bad.csv",
        f"""
        {SPOT}
        1,2024-01-08 10:02:11,Deposits,,USDT,100,100,100
        2,2024-01-09 10:02:11,Staking Reward,,USDT,1,101,101
        3,2024-01-10 10:02:11,Deposits,,USDT,1.2.3,101,101
        4,2024-01-11 10:02:11,Order Filled,,BTC,0.001,0.001,0.001
        5,yesterday,Withdrawals,,USDT,-5,96,96
        6,2024-01-12 10:02:11,Withdrawals,,USDT,5,96,96
        7,2024-01-13 10:02:11,Deposits,,,5,96,96
        """,
    )
    assert errors(parse, path) == [
        "bad.csv:3: action_desc: unknown action 'Staking Reward': expected one of Order Placed, "
        "Order Filled, Order Fullfilled, Trading Fees, Trade Fee, Deposits, Deposit, "
        "Withdrawals, withdraw, Referral Superior Rebate, Airdrop, Airdrop bonus, HODL Interest, "
        "Interest Income, Dust Swap-Small Balances Deducted, Dust Swap-GT Added",
        "bad.csv:4: change_amount: expected a number, found '1.2.3'",
        "bad.csv:5: action_data: expected the order id that groups the order's rows",
        "bad.csv:6: time: expected an ISO 8601 date and time like 2025-03-01T14:05:00Z, "
        "found 'yesterday'",
        "bad.csv:7: change_amount: expected a negative change, found 5",
        "bad.csv:8: type: expected the currency, found an empty cell",
    ]


def test_spot_missing_required_column(parse, write_csv) -> None:
    path = write_csv(
        "missing.csv",
        """
        no,time,action_desc,action_data,change_amount,amount,total
        1,2024-01-08 10:02:11,Deposits,,100,100,100
        """,
    )
    assert errors(parse, path) == [
        "missing.csv:1: header: missing the currency (type) column: expected a column named "
        "'type' or 'currency'"
    ]


def test_spot_truncated_row(parse, write_csv) -> None:
    path = write_csv(
        "short.csv",
        f"""
        {SPOT}
        1,2024-01-08 10:02:11,Deposits,,USDT,100,100,100
        2,2024-01-09 10:02:11,Deposits,,USDT
        """,
    )
    assert errors(parse, path) == [
        "short.csv:3: expected 8 cells as in the header (line 1), found 5: the row is truncated"
    ]


def test_spot_orders_must_balance_and_fees_need_their_order(parse, write_csv) -> None:
    path = write_csv(
        "orders.csv",
        f"""
        {SPOT}
        1,2024-01-15 21:31:47,Order Filled,111,BTC,0.1,0.1,0.1
        2,2024-01-15 21:31:47,Order Filled,111,ETH,1,1,1
        3,2024-01-15 21:31:47,Trading Fees,222,USDT,-1,0,0
        4,2024-01-15 21:31:47,Trading Fees,111,BTC,0.0001,0,0
        """,
    )
    assert errors(parse, path) == [
        "orders.csv:5: change_amount: expected a fee as a negative change, found 0.0001",
        "orders.csv:4: action_data: a trading fee of order 222 with no Order Filled row of that "
        "order in the file: expected the order's legs in the same export",
        "orders.csv:2: action_data: order 111: expected one currency received and one paid, "
        "found 0.1 BTC, 1 ETH",
    ]


def test_spot_order_placed_is_dropped_and_sides_follow_the_quote(parse, write_csv) -> None:
    path = write_csv(
        "pairs.csv",
        f"""
        {SPOT}
        1,2024-01-15 21:30:00,Order Placed,111,BTC,-0.1,0,0.1
        2,2024-01-15 21:31:47,Order Filled,111,BTC,-0.1,0,0
        3,2024-01-15 21:31:47,Order Filled,111,ETH,1.9,1.9,1.9
        4,2024-01-15 21:31:47,Trading Fees,111,GT,-0.02,0,0
        5,2024-01-15 21:31:47,Trading Fees,111,POINT,-0.5,0,0
        6,2024-01-16 10:00:00,Order Filled,333,SOL,-10,0,0
        7,2024-01-16 10:00:00,Order Filled,333,USDT,950,950,950
        """,
    )
    assert trades_text(parse(path)) == (
        "3 | 2024-01-15T13:31:47Z | buy | 1.9 ETH | quote 0.1 BTC | fee 0.02 GT | wallet gate "
        "| id gate:111\n"
        "6 | 2024-01-15T13:31:47Z | fee | 0.5 POINT | wallet gate | note 'trading fee of "
        "gate:111'\n"
        "7 | 2024-01-16T02:00:00Z | sell | 10 SOL | quote 950 USDT | wallet gate | id gate:333\n"
    )


def test_spot_partial_fills_at_one_time_or_several(parse, write_csv) -> None:
    path = write_csv(
        "fills.csv",
        f"""
        {SPOT}
        1,2024-01-15 21:31:47,Order Filled,111,BTC,0.1,0.1,0.1
        2,2024-01-15 21:31:48,Order Filled,111,USDT,-4000,0,0
        3,2024-01-15 21:31:48,Trade Fee,111,BTC,-0.0002,0,0
        """,
    )
    # The legs are a second apart: each time alone is not a trade, so the order is one trade at
    # its last fill.
    assert trades_text(parse(path)) == (
        "2 | 2024-01-15T13:31:48Z | buy | 0.1 BTC | quote 4000 USDT | fee 0.0002 BTC "
        "| wallet gate | id gate:111\n"
    )


def test_spot_dust_swaps(parse, write_csv) -> None:
    path = write_csv(
        "dust.csv",
        f"""
        {SPOT}
        1,2024-04-01 09:00:00,Dust Swap-Small Balances Deducted,d-1,SHIB,-12000,0,0
        2,2024-04-01 09:00:00,Dust Swap-GT Added,d-1,GT,0.05,0.05,0.05
        3,2024-05-01 09:00:00,Dust Swap-Small Balances Deducted,,DOGE,-3,0,0
        4,2024-05-01 09:00:00,Dust Swap-Small Balances Deducted,,TRX,-9,0,0
        5,2024-05-01 09:00:00,Dust Swap-GT Added,,GT,0.03,0.08,0.08
        6,2024-06-01 09:00:00,Dust Swap-GT Added,,GT,0.01,0.09,0.09
        """,
    )
    assert errors(parse, path) == [
        "dust.csv:7: type: dust swap 2024-06-01 09:00:00: expected Small Balances Deducted rows "
        "and one GT Added row, found 0 deducted and 1 added"
    ]
    path.write_text("\n".join(path.read_text().splitlines()[:-1]) + "\n")
    note = (
        "note 'dust swap for GT: 0.03 GT split equally across 2 dust currencies (the account "
        "book does not say how much each bought)'"
    )
    assert trades_text(parse(path)) == (
        "2 | 2024-04-01T01:00:00Z | sell | 12000 SHIB | quote 0.05 GT | wallet gate "
        "| note 'dust swap for GT'\n"
        f"4 | 2024-05-01T01:00:00Z | sell | 3 DOGE | quote 0.015 GT | wallet gate | {note}\n"
        f"5 | 2024-05-01T01:00:00Z | sell | 9 TRX | quote 0.015 GT | wallet gate | {note}\n"
    )


def test_spot_income_kinds(parse, write_csv) -> None:
    path = write_csv(
        "income.csv",
        f"""
        {SPOT}
        1,2024-04-01 09:00:00,Airdrop,,ARB,12.5,12.5,12.5
        2,2024-04-02 09:00:00,Airdrop bonus,,ARB,1,13.5,13.5
        3,2024-04-03 09:00:00,Interest Income,,USDT,0.42,0.42,0.42
        4,2024-04-04 09:00:00,Deposit,,BTC,0.01,0.01,0.01
        5,2024-04-05 09:00:00,withdraw,,BTC,-0.01,0,0
        """,
    )
    assert [(t.kind.value, t.asset, t.quantity, t.note) for t in parse(path)] == [
        ("income", "ARB", Decimal("12.5"), "Airdrop"),
        ("income", "ARB", Decimal("1"), "Airdrop bonus"),
        ("income", "USDT", Decimal("0.42"), "Interest Income"),
        ("deposit", "BTC", Decimal("0.01"), ""),
        ("withdrawal", "BTC", Decimal("0.01"), ""),
    ]


def test_spot_time_zone_from_header_or_option(parse, write_csv) -> None:
    row = "1,2024-01-08 10:00:00,Deposits,,USDT,100,100,100"
    utc = write_csv("utc.csv", f"{SPOT.replace('time', 'time(UTC)')}\n{row}\n")
    assert parse(utc)[0].timestamp.isoformat() == "2024-01-08T10:00:00+00:00"
    plain = write_csv("plain.csv", f"{SPOT}\n{row}\n")
    assert parse(plain)[0].timestamp.isoformat() == "2024-01-08T02:00:00+00:00"
    ny = parse(plain, timezone=ZoneInfo("America/New_York"))
    assert ny[0].timestamp.isoformat() == "2024-01-08T15:00:00+00:00"


def test_spot_header_only(parse, write_csv) -> None:
    path = write_csv("empty.csv", f"{SPOT}\n")
    assert errors(parse, path) == [
        "empty.csv:1: no data rows below the header: expected account book rows"
    ]


# -- futures account book ---------------------------------------------------------------------


def test_futures_sample_golden(parse, golden) -> None:
    trades = parse(SAMPLES / "gate-futures-account-book.csv")
    golden("gate-futures-account-book.trades.txt", trades_text(trades))


def test_futures_sample_is_detected(detect) -> None:
    path = SAMPLES / "gate-futures-account-book.csv"
    title = "Gate.io futures account book"
    assert detect(path) == f"{path}: gate-futures (header row at line 1 matches {title})\n"


def test_futures_sample_builds_with_the_liquidation_row(build) -> None:
    data = build(SAMPLES / "gate-futures-account-book.csv")
    (liquidated,) = [d for d in data["disposals"] if d["liquidation"]]
    # By hand: all BTC_USDT flows of 2025-03-10 (UTC): opening fee -8.60, funding -2.15,
    # liquidation PnL -842.00, fee -8.179 = -860.929 USDT paid from lots of the 5000 USDT
    # transferred in at 1 USD each: proceeds 0, basis 860.929 -> 860.93, gain -860.93; fees
    # 8.60 + 8.179 = 16.779 -> 16.78.
    assert (
        liquidated["asset"],
        liquidated["description"],
        liquidated["acquired"],
        liquidated["disposed"],
        liquidated["proceeds"],
        liquidated["cost_basis"],
        liquidated["gain_loss"],
        liquidated["fee"],
        liquidated["wallet"],
        liquidated["term"],
        liquidated["box"],
    ) == (
        "BTC_USDT-PERP",
        "BTC_USDT perpetual, liquidated",
        "2025-03-10",
        "2025-03-10",
        "0.00",
        "860.93",
        "-860.93",
        "16.78",
        "gate-futures",
        "short",
        "I",
    )
    assert liquidated["sale_source"].endswith("gate-futures-account-book.csv:15")
    gains = [d["gain_loss"] for d in data["disposals"]]
    # 2025-02-03 BTC: -4.92 -1.23 -1.18; 02-04 BTC: 312.50 - 5.07625; 02-10 ETH: 0.617 -
    # 4.11315; 02-11 ETH: 185.40 - 4.02045; then the liquidation.
    assert gains == ["-7.33", "307.42", "-3.49", "181.38", "-860.93"]
    assert [(i["asset"], i["quantity"]) for i in data["income"]] == [("USDT", "1.25")]


def test_futures_samples_build_together_with_spot(build) -> None:
    build(SAMPLES / "gate-spot-account-book.csv", SAMPLES / "gate-futures-account-book.csv")


def test_futures_unknown_type_bad_number_and_missing_contract(parse, write_csv) -> None:
    path = write_csv(
        "bad.csv",
        f"""
        {FUTURES}
        2025-02-03 10:15:00,,dnw,5000,5000,
        2025-02-03 10:20:41,BTC_USDT,insurance,-1,4999,BTC_USDT:1
        2025-02-03 10:20:42,BTC_USDT,fee,-4.9x,4994,BTC_USDT:1
        2025-02-03 10:20:43,,fund,-1,4993,
        2025-02-03 10:20:44,,refr,-1,4992,
        2025-02-03 10:20:45,BTC_EUR,pnl,1,4993,BTC_EUR:2
        """,
    )
    assert errors(parse, path) == [
        "bad.csv:3: type: unknown type 'insurance': expected one of dnw, pnl, fee, refr, fund, "
        "point_dnw, point_fee, point_refr, bonus_dnw, bonus_offset (or Transfer, PNL, Trading "
        "Fee, Funding Fee, Referral Fee)",
        "bad.csv:4: change: expected a number, found '-4.9x'",
        "bad.csv:5: contract: expected a contract like BTC_USDT or BTC_USD, found ''",
        "bad.csv:6: change: expected a positive change, found -1",
        "bad.csv:7: contract: expected a contract like BTC_USDT or BTC_USD, found 'BTC_EUR'",
    ]


def test_futures_missing_required_column(parse, write_csv) -> None:
    path = write_csv(
        "missing.csv",
        """
        time,contract,type,balance,text
        2025-02-03 10:15:00,,dnw,5000,
        """,
    )
    assert errors(parse, path, fmt="gate-futures") == [
        "missing.csv:1: header: no supported export format recognised from the header row; "
        "supported: gate-futures; nearest: gate-futures (Gate.io futures account book), which "
        "needs column(s) change"
    ]


def test_futures_truncated_row(parse, write_csv) -> None:
    path = write_csv(
        "short.csv",
        f"""
        {FUTURES}
        2025-02-03 10:15:00,,dnw
        """,
    )
    assert errors(parse, path) == [
        "short.csv:2: expected 6 cells as in the header (line 1), found 3: the row is truncated"
    ]


def test_futures_human_labels_text_only_and_coin_margined(parse, write_csv) -> None:
    path = write_csv(
        "labels.csv",
        """
        Time(UTC),Type,Change,Balance,Text
        2025-01-02 00:00:00,Transfer,0.5,0.5,
        2025-01-02 01:00:00,Trading Fee,-0.0001,0.4999,BTC_USD:55501
        2025-01-02 08:00:00,Funding Fee,0.00002,0.49992,BTC_USD
        2025-01-02 09:00:00,PNL,-0.2,0.29992,BTC_USD:liquidation-55502
        2025-01-02 09:00:01,point_fee,-3,0.29992,BTC_USD:55502
        2025-01-02 09:00:02,bonus_offset,1,0.29992,
        2025-01-02 10:00:00,PNL,0.01,0.30992,BTC_USD:55503
        """,
    )
    assert trades_text(parse(path)) == (
        "2 | 2025-01-02T00:00:00Z | deposit | 0.5 BTC | wallet gate-coinm "
        "| note 'transfer between the spot and futures accounts'\n"
        "3 | 2025-01-02T01:00:00Z | commission | 0 BTC_USD-PERP | quote -0.0001 BTC "
        "| wallet gate-coinm | note 'order 55501'\n"
        "4 | 2025-01-02T08:00:00Z | funding | 0 BTC_USD-PERP | quote 0.00002 BTC "
        "| wallet gate-coinm\n"
        "5 | 2025-01-02T09:00:00Z | liquidation | 0 BTC_USD-PERP | quote -0.2 BTC "
        "| wallet gate-coinm | note \"liquidation (from the text 'BTC_USD:liquidation-55502')\"\n"
        "8 | 2025-01-02T10:00:00Z | realized_pnl | 0 BTC_USD-PERP | quote 0.01 BTC "
        "| wallet gate-coinm | note 'order 55503'\n"
    )


def test_futures_dated_contract_and_currency_column(parse, write_csv) -> None:
    path = write_csv(
        "dated.csv",
        """
        time,contract,currency,type,change,balance,text
        2025-01-02 08:00:00,,USDC,dnw,100,100,
        2025-01-03 08:00:00,BTC_USDT_20250328,,pnl,12.5,112.5,123
        """,
    )
    trades = parse(path)
    assert [(t.kind.value, t.asset, t.wallet, t.quote_asset, t.note) for t in trades] == [
        ("deposit", "USDC", "gate-futures", "", "transfer between the spot and futures accounts"),
        ("realized_pnl", "BTC_USDT_20250328", "gate-futures", "USDT", "order 123"),
    ]
