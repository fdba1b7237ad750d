"""Issue #13, item 3: exchange quirks that used to stop the whole build. Each now builds with a
notice naming its row (or, where the file cannot say, stops with a message that says exactly
why and what to export instead); plus the composed samples of each quirk and of item 4."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from taxloss.parsers import ParseOptions, read_file

from ..conftest import SAMPLES
from .conftest import errors, trade_lines, trades_text, write

QUIRK_SAMPLES = (
    "binance-statement-card-purchase.csv",
    "bybit-funding-card-airdrop.csv",
    "kraken-ledgers-one-asset.csv",
    "us-excel-european.csv",
)


@pytest.mark.parametrize("name", QUIRK_SAMPLES)
def test_sample_golden(parse, golden, name) -> None:
    golden(name.replace(".csv", ".trades.txt"), trades_text(parse(SAMPLES / name)))


def read(path: Path):
    return read_file(path, path.name, ParseOptions(path.stem))


def warning_lines(parsed) -> list[str]:
    return [f"{n.source}: {n.code}" for n in parsed.warnings]


# -- Binance statement --------------------------------------------------------------------------

STATEMENT = "User_ID,UTC_Time,Account,Operation,Coin,Change,Remark\n"


def test_binance_buy_crypto_with_only_the_coin_received(tmp_path: Path) -> None:
    path = write(tmp_path, "st.csv", STATEMENT
                 + "1,2024-04-02 19:12:40,Spot,Buy Crypto,USDT,487.31,\n"
                 + "1,2024-04-05 09:00:00,Spot,Buy Crypto With Card,BTC,0.001,\n")  # fmt: skip
    parsed = read(path)
    assert trade_lines(parsed.trades) == [
        "2 | 2024-04-02T19:12:40Z | buy | 487.31 USDT | wallet binance | "
        "note 'card purchase: only the coin received is in the statement'",
        "3 | 2024-04-05T09:00:00Z | buy | 0.001 BTC | wallet binance | "
        "note 'card purchase: only the coin received is in the statement'",
    ]
    assert warning_lines(parsed) == [
        "st.csv:2: card_purchase_value",
        "st.csv:3: card_purchase_value",
    ]
    assert parsed.warnings[0].message.startswith(
        "Buy Crypto of 487.31 USDT has only the coin received in the statement (paid by card"
    )


def test_binance_card_purchase_builds_with_its_warning(build) -> None:
    report = build(SAMPLES / "binance-statement-card-purchase.csv")
    found = [(w["code"], w["source"]) for w in report["warnings"]]
    assert ("card_purchase_value", "samples/binance-statement-card-purchase.csv:2") in [
        (code, source.replace(str(SAMPLES.parent) + "/", "")) for code, source in found
    ]


def test_binance_two_purchases_paid_from_one_fiat_say_why_they_are_not_split(
    parse, tmp_path: Path
) -> None:
    path = write(tmp_path, "st.csv", STATEMENT
                 + "1,2024-02-02 11:00:00,Spot,Buy Crypto,EUR,-100,\n"
                 + "1,2024-02-02 11:00:00,Spot,Buy Crypto,EUR,-200,\n"
                 + "1,2024-02-02 11:00:00,Spot,Buy Crypto,BTC,0.002,\n"
                 + "1,2024-02-02 11:00:00,Spot,Buy Crypto,ETH,0.08,\n")  # fmt: skip
    assert errors(parse, path) == [
        "st.csv:2: Change: Buy Crypto rows at 2024-02-02 11:00:00 in Spot: 2 purchases paid "
        "from one EUR balance at the same time (paid 300 EUR; received 0.002 BTC, 0.08 ETH): "
        "the statement does not say which payment bought which coin, and splitting the EUR by "
        "the coins' value would need their EUR prices at that moment, which the statement "
        "does not carry. Give Binance's spot trade history or buy crypto history for that day "
        "instead of these rows (one row per order) (lines 2, 3, 4, 5)"
    ]


def test_binance_two_purchases_of_one_coin_paid_in_one_fiat_are_one_buy(tmp_path: Path) -> None:
    path = write(tmp_path, "st.csv", STATEMENT
                 + "1,2024-02-02 11:00:00,Spot,Buy Crypto,EUR,-100,\n"
                 + "1,2024-02-02 11:00:00,Spot,Buy Crypto,EUR,-200,\n"
                 + "1,2024-02-02 11:00:00,Spot,Buy Crypto,BTC,0.001,\n"
                 + "1,2024-02-02 11:00:00,Spot,Buy Crypto,BTC,0.002,\n")  # fmt: skip
    (trade,) = read(path).trades
    assert (trade.quantity, trade.asset, trade.quote_quantity, trade.quote_asset) == (
        Decimal("0.003"), "BTC", Decimal("300"), "EUR")  # fmt: skip


# -- Bybit funding history ----------------------------------------------------------------------

FUNDING = "Date & Time(UTC),Coin,QTY,Type,Account Balance,Description\n"


def test_bybit_airdrop_bonus_and_card_purchase(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "f.csv",
        FUNDING
        + "2024-10-14 00:00:00,USDT,0.4,Airdrop,300.4,Airdrop Bonus\n"
        + "2024-10-11 16:48:27,BTC,0.005,Buy Crypto,0.005,Buy Crypto with Card\n",
    )
    parsed = read(path)
    assert trade_lines(parsed.trades) == [
        "2 | 2024-10-14T00:00:00Z | income | 0.4 USDT | wallet bybit | note 'airdrop bonus'",
        "3 | 2024-10-11T16:48:27Z | buy | 0.005 BTC | wallet bybit | "
        "note 'bought with a card: only the coin received is in the file'",
    ]
    assert warning_lines(parsed) == ["f.csv:3: card_purchase_value"]


def test_bybit_card_purchase_must_be_a_credit(parse, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "f.csv",
        FUNDING + "2024-10-11 16:48:27,BTC,-0.005,Buy Crypto,0.005,Buy Crypto with Card\n",
    )
    assert errors(parse, path) == [
        "f.csv:2: QTY: expected a credit for 'Buy Crypto with Card', found -0.005"
    ]


# -- Kraken ledgers exported for one asset ------------------------------------------------------

LEDGER = (
    '"txid","refid","time","type","subtype","aclass","subclass","asset","wallet","amount","fee",'
    '"balance","amountusd"\n'
)


def test_kraken_trade_with_one_leg_is_counted_and_flagged(tmp_path: Path) -> None:
    path = write(tmp_path, "k.csv", LEDGER
                 + '"L1","R1","2024-02-05 10:14:02","trade","tradespot","currency","crypto",'
                   '"XETH","spot / main",1.5,0.001,1.499,3540.15\n'
                 + '"L2","R2","2024-07-22 16:40:51","trade","tradespot","currency","crypto",'
                   '"XETH","spot / main",-0.5,0,0.999,\n')  # fmt: skip
    parsed = read(path)
    assert trade_lines(parsed.trades) == [
        "2 | 2024-02-05T10:14:02Z | buy | 1.5 ETH | fee 0.001 ETH | value 3540.15 | "
        "wallet kraken | id kraken:R1 | note 'only the ETH leg is in this export'",
        "3 | 2024-07-22T16:40:51Z | sell | 0.5 ETH | wallet kraken | id kraken:R2 | "
        "note 'only the ETH leg is in this export'",
    ]
    assert warning_lines(parsed) == ["k.csv:2: kraken_one_leg", "k.csv:3: kraken_one_leg"]
    assert parsed.warnings[1].message.endswith(
        "It is counted as a sale at its value that day (--prices). Fix: export the ledgers "
        "again with all assets selected (Documents > Export > Ledgers) and build with that file"
    )


def test_kraken_one_asset_sample_builds_with_its_warnings(build) -> None:
    report = build(SAMPLES / "kraken-ledgers-one-asset.csv")
    assert [w["code"] for w in report["warnings"]].count("kraken_one_leg") == 2


def test_bybit_unknown_description_of_a_fiat_row_is_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, "f.csv", FUNDING
                 + "2024-10-11 16:48:27,EUR,500,Fiat,500,Fiat Deposit via SEPA\n"
                 + "2024-10-12 16:48:27,USDT,1,Airdrop,1,Airdrop Bonus\n")  # fmt: skip
    assert [t.asset for t in read(path).trades] == ["USDT"]
