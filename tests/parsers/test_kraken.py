"""Kraken: ledgers.csv (2024+, 2023-24 and older layouts) and trades.csv.

Goldens of the three samples, detection, end-to-end builds with hand-checked figures (alone and
together, where the trades export repeats two ledger trades), what each ledger type becomes,
the asset and pair codes, and every kind of bad input with its exact message.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from taxloss.parsers.kraken import kraken_asset, split_pair

from ..conftest import SAMPLES
from .conftest import errors, trade_lines, trades_text, write

NEW = (
    '"txid","refid","time","type","subtype","aclass","subclass","asset","wallet","amount","fee",'
    '"balance"'
)
MID = '"txid","refid","time","type","subtype","aclass","asset","wallet","amount","fee","balance"'
OLD = '"txid","refid","time","type","subtype","aclass","asset","amount","fee","balance","amountusd"'
TRADES = (
    '"txid","ordertxid","pair","time","type","ordertype","price","cost","fee","vol","margin",'
    '"misc","ledgers"'
)

SAMPLE_FILES = (
    ("kraken-ledgers.csv", "kraken-ledgers", "Kraken ledgers export (ledgers.csv)"),
    ("kraken-ledgers-2022.csv", "kraken-ledgers", "Kraken ledgers export (ledgers.csv)"),
    ("kraken-trades.csv", "kraken-trades", "Kraken trades export (trades.csv)"),
)


def export(tmp_path: Path, name: str, header: str, rows: str) -> Path:
    """A Kraken export: ``header``, then ``rows``."""
    return write(tmp_path, name, header + "\n" + rows)


def new_row(txid: str, refid: str, time: str, kind: str, subtype: str, asset: str,
            amount: str, fee: str = "0", wallet: str = "spot / main",
            balance: str = "0") -> str:  # fmt: skip
    """One row of the 2024+ layout."""
    subclass = "fiat" if asset in ("ZUSD", "ZEUR", "USD.HOLD") else "crypto"
    return (
        f'"{txid}","{refid}","{time}","{kind}","{subtype}","currency","{subclass}","{asset}",'
        f'"{wallet}",{amount},{fee},{balance}\n'
    )


# -- samples -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [s[0] for s in SAMPLE_FILES])
def test_sample_golden(parse, golden, name: str) -> None:
    trades = parse(SAMPLES / name)
    assert {t.wallet for t in trades} == {"kraken"}
    golden(name.replace(".csv", ".trades.txt"), trades_text(trades))


@pytest.mark.parametrize(("name", "parser", "title"), SAMPLE_FILES)
def test_detect_names_the_parser(detect, name: str, parser: str, title: str) -> None:
    output = detect(SAMPLES / name)
    assert output.endswith(f"{name}: {parser} (header row at line 1 matches {title})\n")


def disposal(data: dict, asset: str, disposed: str) -> tuple[str, ...]:
    (row,) = [d for d in data["disposals"] if d["asset"] == asset and d["disposed"] == disposed]
    return (row["quantity"], row["acquired"], row["proceeds"], row["cost_basis"],
            row["gain_loss"], row["kind"])  # fmt: skip


def test_build_ledgers_sample(build) -> None:
    data = build(SAMPLES / "kraken-ledgers.csv")
    # Sell 0.04 of the 0.1 BTC bought for 9,731.50 + 25.3019 fee (basis 0.4 x 9,756.8019 =
    # 3,902.72076) for 3,914.00 less the 10.1764 fee.
    assert disposal(data, "BTC", "2025-02-03") == (
        "0.04", "2025-01-06", "3903.82", "3902.72", "1.10", "sale",
    )  # fmt: skip
    # Margin: the opening fee (13.608) on the 10th; the -95.00 close plus its 12.389 fee on
    # the 11th. The two 0.972 rollovers are interest, not part of the position.
    assert disposal(data, "KRAKEN-MARGIN", "2025-02-10") == (
        "0", "2025-02-10", "0.00", "13.61", "-13.61", "position",
    )  # fmt: skip
    assert disposal(data, "KRAKEN-MARGIN", "2025-02-11") == (
        "0", "2025-02-11", "0.00", "107.39", "-107.39", "position",
    )  # fmt: skip
    assert data["tax_years"]["2025"]["total"]["gain_loss"] == "-119.90"
    # Five weekly DOT rewards valued from amountusd: 1.4772 + 1.4663 + 1.3277 + 1.0972 + 1.1431.
    assert [(i["asset"], i["quantity"], i["fiat_value"]) for i in data["income"]] == [
        ("DOT", "0.2301", "1.48"),
        ("DOT", "0.2298", "1.47"),
        ("DOT", "0.2305", "1.33"),
        ("DOT", "0.231", "1.10"),
        ("DOT", "0.2314", "1.14"),
    ]
    assert data["tax_years"]["2025"]["ordinary_income"] == "6.52"
    (transfer,) = data["transfers"]
    assert (transfer["asset"], transfer["sent"], transfer["matched"]) == ("BTC", "0.05015", False)
    # The instant buy: 106.383 DOT for 700.00 + 10.50; the staked 100 DOT stays in the lot.
    dot = [lot for lot in data["open_lots"] if lot["source"].endswith(":7")]
    assert [(lot["quantity"], lot["cost_basis"]) for lot in dot] == [("106.383", "710.50")]


def test_build_2022_ledgers_sample(build) -> None:
    data = build(SAMPLES / "kraken-ledgers-2022.csv")
    # 0.08 of 0.2 BTC bought for 8,412.36 + 21.8721 (basis 3,373.69284); sold for 3,528.00
    # less 9.1728.
    assert disposal(data, "BTC", "2022-02-08") == (
        "0.08", "2022-01-11", "3518.83", "3373.69", "145.14", "sale",
    )  # fmt: skip
    # 0.5 of 2.5 ETH bought for 8,112.75 + 21.0932 (basis 1,626.76864); sold for 1,475.00 less
    # 3.835. The withdrawal of 1 ETH + 0.0035 fee before it is not a disposal.
    assert disposal(data, "ETH", "2022-03-02") == (
        "0.5", "2022-01-12", "1471.17", "1626.77", "-155.60", "sale",
    )  # fmt: skip
    assert [(i["asset"], i["fiat_value"]) for i in data["income"]] == [
        ("DOT", "6.28"),
        ("DOT", "5.19"),
        ("DOT", "5.94"),
    ]
    (transfer,) = data["transfers"]
    assert (transfer["asset"], transfer["sent"], transfer["matched"]) == ("ETH", "1.0035", False)


def test_build_trades_sample(build) -> None:
    data = build(SAMPLES / "kraken-trades.csv")
    # 15 of 40 SOL bought for 6,894.00 + 17.9244 (basis 2,591.97165); sold for 1,968 - 5.1168.
    assert disposal(data, "SOL", "2024-08-05") == (
        "15", "2024-03-20", "1962.88", "2591.97", "-629.09", "sale",
    )  # fmt: skip
    # 0.05 of 0.15 BTC bought for 9,972.00 + 25.9272 (basis 3,332.6424); sold 4,382.50 - 11.3945.
    assert disposal(data, "BTC", "2024-11-12") == (
        "0.05", "2024-03-04", "4371.11", "3332.64", "1038.47", "sale",
    )  # fmt: skip
    # The margin short (open 2024-06-10, close 2024-06-14) is neither a purchase nor a sale.
    assert not [d for d in data["disposals"] if d["disposed"] in ("2024-06-10", "2024-06-14")]
    assert len(data["disposals"]) == 3


def test_all_kraken_samples_build_together(build) -> None:
    data = build(
        SAMPLES / "kraken-ledgers.csv",
        SAMPLES / "kraken-ledgers-2022.csv",
        SAMPLES / "kraken-trades.csv",
    )
    (duplicates,) = [w for w in data["warnings"] if w["code"] == "duplicates_dropped"]
    assert duplicates["message"].startswith("2 row(s) of ")
    # The 2025 sale is counted once; FIFO now takes the 2022 lot: 0.04/0.2 x 8,434.2321.
    assert disposal(data, "BTC", "2025-02-03") == (
        "0.04", "2022-01-11", "3903.82", "1686.85", "2216.97", "sale",
    )  # fmt: skip
    assert sorted({d["tax_year"] for d in data["disposals"]}) == ["2022", "2024", "2025"]
    assert len(data["income"]) == 8


def test_ledger_trade_and_trades_row_share_kind_and_id(parse) -> None:
    ledger = {t.external_id: t for t in parse(SAMPLES / "kraken-ledgers.csv")}
    fills = [t for t in parse(SAMPLES / "kraken-trades.csv") if t.timestamp.year == 2025]
    assert len(fills) == 2
    for fill in fills:
        twin = ledger[fill.external_id]
        assert (twin.wallet, twin.kind, twin.asset, twin.quantity, twin.quote_quantity) == (
            fill.wallet, fill.kind, fill.asset, fill.quantity, fill.quote_quantity,
        )  # fmt: skip
        assert (twin.fee_asset, twin.fee_quantity) == (fill.fee_asset, fill.fee_quantity)


# -- codes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "asset", "staked"),
    [
        ("XXBT", "BTC", False),
        ("XBT", "BTC", False),
        ("XBT.M", "BTC", True),
        ("XETH", "ETH", False),
        ("ETH2.S", "ETH", True),
        ("ETH2", "ETH", False),
        ("ZUSD", "USD", False),
        ("USD.HOLD", "USD", True),
        ("ZEUR", "EUR", False),
        ("XXDG", "DOGE", False),
        ("XDG", "DOGE", False),
        ("XXRP", "XRP", False),
        ("XLTC", "LTC", False),
        ("XXLM", "XLM", False),
        ("XTZ", "XTZ", False),
        ("XTZ.S", "XTZ", True),
        ("ZEC", "ZEC", False),
        ("DOT.S", "DOT", True),
        ("DOT28.S", "DOT", True),
        ("KSM07.S", "KSM", True),
        ("USDC.M", "USDC", True),
        ("SOL.F", "SOL", True),
        ("ETH.B", "ETH", True),
        ("ADA.P", "ADA", True),
        ("1INCH", "1INCH", False),
    ],
)
def test_asset_codes(code: str, asset: str, staked: bool) -> None:
    assert kraken_asset(code) == (asset, staked)


@pytest.mark.parametrize(
    ("pair", "split"),
    [
        ("XXBTZEUR", ("BTC", "EUR")),
        ("XETHZUSD", ("ETH", "USD")),
        ("XETHXXBT", ("ETH", "BTC")),
        ("XXDGZUSD", ("DOGE", "USD")),
        ("USDTZUSD", ("USDT", "USD")),
        ("XTZUSD", ("XTZ", "USD")),
        ("XTZEUR", ("XTZ", "EUR")),
        ("CHZEUR", ("CHZ", "EUR")),
        ("TRXXBT", ("TRX", "BTC")),
        ("SNXETH", ("SNX", "ETH")),
        ("ETHPYUSD", ("ETH", "PYUSD")),
        ("XBTUSDT", ("BTC", "USDT")),
        ("USDCUSD", ("USDC", "USD")),
        ("XDGUSD", ("DOGE", "USD")),
        ("SOLUSD", ("SOL", "USD")),
        ("POL/EUR", ("POL", "EUR")),
        ("SOL/USD", ("SOL", "USD")),
        ("XBT/USDC", ("BTC", "USDC")),
        ("ZEURZUSD", ("EUR", "USD")),
        ("NOPE", None),
        ("A/", None),
    ],
)
def test_pairs(pair: str, split: tuple[str, str] | None) -> None:
    assert split_pair(pair) == split


# -- what each ledger row becomes ----------------------------------------------------------------


EARN = "earn / bonded"
#: (txid, refid, time, type, subtype, asset, amount, fee, wallet, balance) of the row-types
#: ledger. W4 has no txid and no balance: a request Kraken had not booked yet.
ROW_TYPES = [
    ("L01", "Q1", "2025-03-01 10:00:00", "deposit", "", "ZUSD", "1000"),
    ("L02", "Q2", "2025-03-01 10:05:00", "deposit", "", "XETH", "1.5", "0.001"),
    ("L03", "T1", "2025-03-02 10:00:00", "trade", "tradespot", "XETH", "-0.5"),
    ("L04", "T1", "2025-03-02 10:00:00", "trade", "tradespot", "XXBT", "0.018", "0.00003"),
    ("L05", "T2", "2025-03-02 11:00:00", "trade", "tradespot", "ZUSD", "-100"),
    ("L06", "T2", "2025-03-02 11:00:00", "trade", "tradespot", "SOL", "0.7", "0.002"),
    ("L07", "S1", "2025-03-03 10:00:00", "spend", "", "XXBT", "-0.01", "0.0001"),
    ("L08", "S1", "2025-03-03 10:00:00", "receive", "", "ZEUR", "900"),
    ("L09", "E1", "2025-03-04 10:00:00", "earn", "allocation", "SOL", "-0.7"),
    ("L10", "E1", "2025-03-04 10:00:00", "earn", "allocation", "SOL", "0.7", "0", EARN),
    ("L11", "E2", "2025-03-05 10:00:00", "earn", "reward", "SOL", "0.001", "0", EARN),
    ("L12", "E3", "2025-03-05 10:00:00", "earn", "autoallocate", "USDC", "-5"),
    ("L13", "E4", "2025-03-05 10:00:00", "earn", "migration", "DOT.S", "3"),
    ("L14", "R1", "2025-03-06 10:00:00", "staking", "", "ETH2.S", "0.0004"),
    ("L15", "R2", "2025-03-06 10:00:00", "staking", "", "USD.HOLD", "1.21"),
    ("L16", "R3", "2025-03-06 11:00:00", "staking", "", "DOT.S", "-2"),
    ("L17", "R3", "2025-03-06 11:00:00", "staking", "", "DOT", "2"),
    ("L18", "X1", "2025-03-07 10:00:00", "transfer", "spottostaking", "DOT", "-2"),
    ("L19", "X2", "2025-03-07 10:00:00", "transfer", "stakingfromspot", "DOT.S", "2"),
    ("L20", "X3", "2025-03-07 11:00:00", "transfer", "spotfromfutures", "XXBT", "0.02"),
    ("L21", "X4", "2025-03-07 12:00:00", "transfer", "spottofutures", "USDT", "-50"),
    ("L22", "X5", "2025-03-07 13:00:00", "transfer", "airdrop", "FLR", "12.5"),
    ("L23", "X6", "2025-03-07 14:00:00", "transfer", "", "ETHW", "1.5"),
    ("L24", "X7", "2025-03-07 15:00:00", "transfer", "", "LUNA", "-40"),
    ("L25", "I1", "2025-03-08 10:00:00", "invite bonus", "", "XXBT", "0.0001"),
    ("L26", "D1", "2025-03-08 11:00:00", "dividend", "", "ETH2.S", "0.002"),
    ("L27", "A1", "2025-03-09 10:00:00", "adjustment", "", "MATIC", "-100"),
    ("L28", "A1", "2025-03-09 10:00:00", "adjustment", "", "POL", "100"),
    ("L29", "A2", "2025-03-09 11:00:00", "adjustment", "", "ADA", "0.5"),
    ("L30", "A3", "2025-03-09 12:00:00", "adjustment", "", "ZUSD", "-0.01"),
    ("L31", "A4", "2025-03-09 13:00:00", "adjustment", "", "ADA", "-0.2"),
    ("L32", "W1", "2025-03-10 10:00:00", "withdrawal", "", "XETH", "-0.5", "0.0035"),
    ("L33", "W1", "2025-03-10 10:30:00", "withdrawal", "", "XETH", "0.5", "-0.0035"),
    ("L34", "W2", "2025-03-10 11:00:00", "withdrawal", "", "ZUSD", "-200", "5"),
    ("L35", "W3", "2025-03-10 12:00:00", "withdrawal", "", "XXBT", "-0.01", "0.0002"),
    ("", "W4", "2025-03-10 13:00:00", "withdrawal", "", "XXBT", "-1", "0", "spot / main", '""'),
    ("L37", "TM1", "2025-03-11 10:00:00", "margin", "", "ZUSD", "0", "2.5"),
    ("L38", "TM1", "2025-03-11 14:00:00", "rollover", "", "ZUSD", "0", "0.4"),
    ("L39", "TM2", "2025-03-12 10:00:00", "margin", "", "ZUSD", "310.25", "2.6"),
    ("L40", "TM3", "2025-03-12 11:00:00", "margin", "", "XXBT", "-0.001", "0.00001"),
    ("L41", "P1", "2025-03-13 10:00:00", "settled", "", "ZUSD", "-960"),
    ("L42", "P1", "2025-03-13 10:00:00", "settled", "", "XXBT", "0.01"),
    ("L43", "V1", "2025-03-14 10:00:00", "sale", "", "LUNA2", "-10"),
    ("L44", "V1", "2025-03-14 10:00:00", "sale", "", "ZUSD", "4.5", "0.05"),
    ("L45", "F1", "2025-03-15 10:00:00", "trade", "", "ZEUR", "-100", "0.2"),
    ("L46", "F1", "2025-03-15 10:00:00", "trade", "", "ZUSD", "104"),
    ("L47", "K1", "2025-03-15 11:00:00", "trade", "", "ZUSD", "-50"),
    ("L48", "K1", "2025-03-15 11:00:00", "trade", "", "SOL", "0.35"),
    ("L49", "K1", "2025-03-15 11:00:00", "trade", "", "KFEE", "0", "12.5"),
    ("L50", "Z1", "2025-03-16 10:00:00", "staking", "", "DOT.S", "0"),
]


def test_ledger_row_types(parse, tmp_path: Path) -> None:
    rows = "".join(new_row(*row) for row in ROW_TYPES)
    path = export(tmp_path, "ledgers.csv", NEW, rows)
    assert trade_lines(parse(path)) == [
        "3 | 2025-03-01T10:05:00Z | deposit | 1.5 ETH | fee 0.001 ETH | wallet kraken | "
        "id kraken:L02",
        "4 | 2025-03-02T10:00:00Z | sell | 0.5 ETH | quote 0.018 BTC | fee 0.00003 BTC | "
        "wallet kraken | id kraken:T1",
        "6 | 2025-03-02T11:00:00Z | buy | 0.7 SOL | quote 100 USD | fee 0.002 SOL | "
        "wallet kraken | id kraken:T2",
        "8 | 2025-03-03T10:00:00Z | sell | 0.01 BTC | quote 900 EUR | fee 0.0001 BTC | "
        "wallet kraken | id kraken:S1 | note 'instant buy/sell'",
        "12 | 2025-03-05T10:00:00Z | income | 0.001 SOL | wallet kraken | id kraken:L11 | "
        "note 'earn reward'",
        "15 | 2025-03-06T10:00:00Z | income | 0.0004 ETH | wallet kraken | id kraken:L14 | "
        "note 'staking reward'",
        "21 | 2025-03-07T11:00:00Z | deposit | 0.02 BTC | wallet kraken | id kraken:L20 | "
        "note 'spotfromfutures'",
        "22 | 2025-03-07T12:00:00Z | withdrawal | 50 USDT | wallet kraken | id kraken:L21 | "
        "note 'spottofutures'",
        "23 | 2025-03-07T13:00:00Z | income | 12.5 FLR | wallet kraken | id kraken:L22 | "
        "note 'airdrop'",
        "24 | 2025-03-07T14:00:00Z | income | 1.5 ETHW | wallet kraken | id kraken:L23 | "
        "note 'airdrop'",
        "25 | 2025-03-07T15:00:00Z | withdrawal | 40 LUNA | wallet kraken | id kraken:L24 | "
        "note 'removed by Kraken (delisting)'",
        "26 | 2025-03-08T10:00:00Z | income | 0.0001 BTC | wallet kraken | id kraken:L25 | "
        "note 'invite bonus'",
        "27 | 2025-03-08T11:00:00Z | income | 0.002 ETH | wallet kraken | id kraken:L26 | "
        "note 'dividend'",
        "28 | 2025-03-09T10:00:00Z | buy | 100 POL | quote 100 MATIC | wallet kraken | "
        "id kraken:A1 | note 'conversion by Kraken'",
        "30 | 2025-03-09T11:00:00Z | income | 0.5 ADA | wallet kraken | id kraken:L29 | "
        "note 'adjustment'",
        "32 | 2025-03-09T13:00:00Z | withdrawal | 0.2 ADA | wallet kraken | id kraken:L31 | "
        "note 'adjustment: removed by Kraken'",
        "36 | 2025-03-10T12:00:00Z | withdrawal | 0.01 BTC | fee 0.0002 BTC | wallet kraken | "
        "id kraken:L35",
        "38 | 2025-03-11T10:00:00Z | realized_pnl | 0 KRAKEN-MARGIN | quote 0 USD | fee 2.5 USD | "
        "wallet kraken | id kraken:L37 | note 'margin trade TM1'",
        "39 | 2025-03-11T14:00:00Z | interest | 0.4 USD | wallet kraken | id kraken:L38 | "
        "note 'rollover of margin position TM1'",
        "40 | 2025-03-12T10:00:00Z | realized_pnl | 0 KRAKEN-MARGIN | quote 310.25 USD | "
        "fee 2.6 USD | wallet kraken | id kraken:L39 | note 'margin trade TM2'",
        "41 | 2025-03-12T11:00:00Z | realized_pnl | 0 KRAKEN-MARGIN | quote -0.001 BTC | "
        "fee 0.00001 BTC | wallet kraken | id kraken:L40 | note 'margin trade TM3'",
        "42 | 2025-03-13T10:00:00Z | buy | 0.01 BTC | quote 960 USD | wallet kraken | "
        "id kraken:P1 | note 'margin position settled'",
        "44 | 2025-03-14T10:00:00Z | sell | 10 LUNA2 | quote 4.5 USD | fee 0.05 USD | "
        "wallet kraken | id kraken:V1 | note 'sale'",
        "48 | 2025-03-15T11:00:00Z | buy | 0.35 SOL | quote 50 USD | wallet kraken | id kraken:K1",
    ]


def test_older_layouts_and_amountusd(parse, tmp_path: Path) -> None:
    path = export(
        tmp_path,
        "old.csv",
        OLD,
        '"LA","STA","2021-11-02 01:10:12.4051","staking","","currency","DOT.S",0.1234000000,0,'
        "10.1234000000,5.3021\n"
        '"LB","QB","2021-11-03 09:00:00.0001","deposit","","currency","XXDG",500.0,2.0,498.0,'
        "129.9000\n"
        '"LC","QC","2021-11-04 09:00:00","withdrawal","","currency","XXDG",-100.0,4.0,394.0,'
        "-25.0000\n"
        '"LD","QD","2021-11-05 09:00:00","dividend","","currency","ZUSD",1.5,0,1.5,1.5\n',
    )
    assert trade_lines(parse(path)) == [
        "2 | 2021-11-02T01:10:12.405100Z | income | 0.1234 DOT | value 5.3021 | wallet kraken | "
        "id kraken:LA | note 'staking reward'",
        "3 | 2021-11-03T09:00:00.000100Z | deposit | 500 DOGE | fee 2 DOGE | value 129.9 | "
        "wallet kraken | id kraken:LB",
        "4 | 2021-11-04T09:00:00Z | withdrawal | 100 DOGE | fee 4 DOGE | value 25 | "
        "wallet kraken | id kraken:LC",
    ]
    mid = export(
        tmp_path,
        "mid.csv",
        MID,
        '"LE","TE","2023-05-01 12:00:00","trade","","currency","XXBT","spot / main",-0.01,0,0\n'
        '"LF","TE","2023-05-01 12:00:00","trade","","currency","ZEUR","spot / main",270.5,0.7,'
        "269.8\n",
    )
    assert trade_lines(parse(mid)) == [
        "2 | 2023-05-01T12:00:00Z | sell | 0.01 BTC | quote 270.5 EUR | fee 0.7 EUR | "
        "wallet kraken | id kraken:TE",
    ]


def test_old_staking_flow_is_dropped(parse) -> None:
    # Lines 10-13 of the 2022 sample: unbooked withdrawal/deposit requests (no txid, no
    # balance) and the two transfer rows of the move to staking: nothing is a trade.
    trades = parse(SAMPLES / "kraken-ledgers-2022.csv")
    assert not [t for t in trades if 10 <= t.source.line <= 13]
    assert not [t for t in trades if t.source.line == 2]  # the unbooked fiat deposit


# -- what each trades.csv row becomes ------------------------------------------------------------


def test_trades_rows(parse, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = export(
        tmp_path,
        "trades.csv",
        TRADES,
        '"TA","OA","XETHXXBT","2024-02-01 10:00:00.1234","sell","limit",0.0555,0.0555,0.0001443,'
        '1.0,0.0,"","LA1,LA2"\n'
        '"TB","OB","POL/EUR","2024-02-02 10:00:00","buy","market",0.45,45.0,0,100.0,0.0,"",'
        '"LB1,LB2"\n'
        '"TC","OC","ZEURZUSD","2024-02-03 10:00:00","sell","market",1.08,108.0,0.2,100.0,0.0,"",'
        '"LC1,LC2"\n'
        '"TD","OD","XXBTZUSD","2024-02-04 10:00:00","buy","limit",43000,4300,11.18,0.1,860,"",'
        '"LD1"\n',
    )
    with caplog.at_level(logging.WARNING, logger="taxloss.parsers.kraken"):
        assert trade_lines(parse(path)) == [
            "2 | 2024-02-01T10:00:00.123400Z | sell | 1 ETH | quote 0.0555 BTC | "
            "fee 0.0001443 BTC | wallet kraken | id kraken:TA",
            "3 | 2024-02-02T10:00:00Z | buy | 100 POL | quote 45 EUR | wallet kraken | "
            "id kraken:TB",
        ]
    assert caplog.messages == [
        "trades.csv:5: 1 margin fill(s) skipped (the first on this line): their realized results, "
        "fees and interest are in Kraken's ledgers.csv (types margin and rollover); build with "
        "that file"
    ]


# -- bad input -----------------------------------------------------------------------------------


def test_ledger_missing_column(parse, tmp_path: Path) -> None:
    path = export(
        tmp_path,
        "nofee.csv",
        '"txid","refid","time","type","subtype","aclass","asset","amount","balance"',
        '"L1","T1","2025-01-02 00:00:00","trade","","currency","XXBT",0.1,0.1\n',
    )
    assert errors(parse, path) == [
        "nofee.csv:1: fee: missing column: a Kraken ledgers export has txid, refid, time, type, "
        "subtype, asset, amount, fee"
    ]


def test_ledger_row_errors_are_reported_together(parse, tmp_path: Path) -> None:
    rows = (
        new_row("L1", "T1", "2025-01-02 10:00:00", "trade", "", "ZUSD", "-100")
        + new_row("L2", "T1", "2025-01-02 10:00:00", "trade", "", "XXBT", "0.001x")
        + new_row("L3", "Q1", "2025-01-03 10:00:00", "swap", "", "XXBT", "1")
        + new_row("L4", "Q2", "yesterday", "deposit", "", "XXBT", "1")
        + new_row("L5", "E1", "2025-01-04 10:00:00", "earn", "bonus", "DOT", "1")
        + new_row("L6", "T2", "2025-01-05 10:00:00", "trade", "", "ZUSD", "-100")
        + new_row("L7", "Q3", "2025-01-06 10:00:00", "deposit", "", "", "1", "")
        + new_row("L8", "R1", "2025-01-07 10:00:00", "staking", "", "DOT.S", "-1")
        + new_row("L9", "X1", "2025-01-08 10:00:00", "transfer", "spottomars", "DOT", "-1")
        + new_row("L10", "M1", "2025-01-09 10:00:00", "rollover", "", "ZUSD", "1", "0.5")
        + new_row("L11", "T3", "2025-01-10 10:00:00", "trade", "", "XXBT", "1", "-0.1")
    )
    path = export(tmp_path, "bad.csv", NEW, rows)
    assert errors(parse, path) == [
        "bad.csv:3: amount: expected a number like 1234.56, found '0.001x'",
        "bad.csv:4: type: unknown type 'swap': expected one of trade, spend, receive, deposit, "
        "withdrawal, staking, earn, transfer, margin, rollover, settled, adjustment, dividend, "
        "invite bonus, sale",
        "bad.csv:5: time: expected an ISO 8601 date and time like 2025-03-01T14:05:00Z, found "
        "'yesterday'",
        "bad.csv:6: subtype: unknown earn subtype 'bonus': expected one of reward, allocation, "
        "deallocation, autoallocate, migration",
        "bad.csv:7: refid: expected the trade rows with refid 'T2' to pay one asset and receive "
        "another, found -100 USD (rows 7): only one leg is in this file: export the ledgers "
        "again with all assets selected (Documents > Export > Ledgers) and a date range that "
        "holds every leg",
        "bad.csv:8: asset: expected a Kraken asset code such as XXBT, found an empty cell",
        "bad.csv:8: fee: expected a number, found an empty cell",
        "bad.csv:9: amount: expected a staking reward credit (a positive amount), found -1",
        "bad.csv:10: subtype: unknown transfer subtype 'spottomars': expected one of '', "
        "airdrop, spottostaking, stakingfromspot, spotfromstaking, stakingtospot, "
        "spotfromfutures, spottofutures",
        "bad.csv:11: amount: expected a rollover charge, found amount 1 and fee 0.5",
        "bad.csv:12: fee: expected a fee of zero or more, found '-0.1'",
    ]


def test_ledger_truncated_row(parse, tmp_path: Path) -> None:
    path = export(
        tmp_path,
        "short.csv",
        NEW,
        new_row("L1", "Q1", "2025-01-02 10:00:00", "deposit", "", "XXBT", "1")
        + '"L2","Q2","2025-01-03 10:00:00","deposit"\n',
    )
    assert errors(parse, path) == [
        "short.csv:3: expected 12 cells as in the header (line 1), found 4: the row is truncated"
    ]


def test_trades_missing_column(parse, tmp_path: Path) -> None:
    path = export(
        tmp_path,
        "novol.csv",
        '"txid","ordertxid","pair","time","type","ordertype","price","cost","fee","margin"',
        '"T1","O1","XXBTZUSD","2025-01-02 00:00:00","buy","limit",1,1,0,0\n',
    )
    assert errors(parse, path) == [
        "novol.csv:1: vol: missing column: a Kraken trades export has txid, pair, time, type, "
        "cost, fee, vol, margin"
    ]


def test_trades_row_errors_are_reported_together(parse, tmp_path: Path) -> None:
    path = export(
        tmp_path,
        "bad.csv",
        TRADES,
        '"T1","O1","XXBTZUSD","2025-01-02 00:00:00","swap","limit",1,1,0,1,0,"",""\n'
        '"T2","O2","FOO","2025-01-02 00:00:00","buy","limit",1,1,0,1,0,"",""\n'
        '"T3","O3","SOLUSD","2025-01-02","buy","limit",1,"1,000",0,1,0,"",""\n'
        '"T4","O4","SOLUSD","2025-01-02 00:00:00","buy","limit",1,1,-1,0,0,"",""\n'
        '"","O5","SOLUSD","","buy","limit",1,1,0,1,,"",""\n'
        '"T6","O6","SOLUSD","2025-01-02 00:00:00","sell","limit",1,1,0,1,0\n',
    )
    assert errors(parse, path) == [
        "bad.csv:7: expected 13 cells as in the header (line 1), found 11: the row is truncated"
    ]
    fixed = path.read_text(encoding="utf-8").replace(",1,0\n", ',1,0,"",""\n')
    path.write_text(fixed, encoding="utf-8")
    assert errors(parse, path) == [
        "bad.csv:2: type: unknown type 'swap': expected buy or sell",
        "bad.csv:3: pair: cannot split pair 'FOO' into base and quote: expected a Kraken pair "
        "such as XXBTZUSD, SOLUSD or SOL/USD",
        "bad.csv:4: cost: expected a number like 1234.56 (no thousands separators), found '1,000'",
        "bad.csv:5: vol: expected a positive number, found 0",
        "bad.csv:5: fee: expected a fee of zero or more, found -1",
        "bad.csv:6: txid: expected Kraken's trade id, found an empty cell",
        "bad.csv:6: time: expected a date and time, found an empty cell",
        "bad.csv:6: margin: expected a number, found an empty cell",
    ]
