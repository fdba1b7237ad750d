"""Issue #13, item 6: export layouts found in users' real files (Coinbase Pro account statement,
Binance buy-crypto and order histories, Bybit EU's unified account log, KuCoin 2019 trades,
OKEx 2020 spot fills): goldens of the composed samples, detection, and each layout's checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import SAMPLES
from .conftest import errors, trade_lines, trades_text, write

SAMPLES_13 = {
    "coinbase-pro-account.csv": ("coinbase-pro", "Coinbase Pro account statement", 1),
    "binance-buy-crypto.csv": ("binance-buy-crypto", "Binance buy crypto history", 1),
    "binance-order-history.csv": (
        "binance-orders",
        "Binance spot order history (orders with nested fills)",
        1,
    ),
    "bybit-eu-account-log.csv": (
        "bybit-transaction-log",
        "Bybit transaction log (Unified Trading Account)",
        2,
    ),
    "kucoin-trades-2019.csv": ("kucoin-trades-2019", "KuCoin trade history (2019 layout)", 1),
    "okex-spot-fills-2020.csv": ("okex-fills-2020", "OKEx spot fills (2020 layout)", 1),
}


@pytest.mark.parametrize("name", sorted(SAMPLES_13))
def test_sample_golden(parse, golden, name) -> None:
    golden(name.replace(".csv", ".trades.txt"), trades_text(parse(SAMPLES / name)))


@pytest.mark.parametrize("name", sorted(SAMPLES_13))
def test_sample_is_detected(detect, name) -> None:
    parser, title, line = SAMPLES_13[name]
    path = SAMPLES / name
    assert detect(path) == f"{path}: {parser} (header row at line {line} matches {title})\n"


# -- Coinbase Pro -------------------------------------------------------------------------------

CBP = "portfolio,type,time,amount,balance,amount/balance unit,transfer id,trade id,order id\n"


def test_coinbase_pro_sale_for_usdc_and_fee_in_the_quote(parse, tmp_path: Path) -> None:
    path = write(tmp_path, "cbp.csv", CBP
                 + "default,match,2022-01-03T10:00:00.000Z,-1.5,0,ETH,,9001,o1\n"
                 + "default,match,2022-01-03T10:00:00.000Z,5400.5,5400.5,USDC,,9001,o1\n"
                 + "default,fee,2022-01-03T10:00:00.000Z,-2.7,5397.8,USDC,,9001,o1\n"
                 + "default,deposit,2022-01-02T10:00:00.000Z,1.5,1.5,ETH,t-1,,\n")  # fmt: skip
    assert trade_lines(parse(path)) == [
        "2 | 2022-01-03T10:00:00Z | sell | 1.5 ETH | quote 5400.5 USDC | fee 2.7 USDC | "
        "wallet coinbase | id coinbase-pro:9001 | note 'legs at lines 2, 3, 4'",
        "5 | 2022-01-02T10:00:00Z | deposit | 1.5 ETH | wallet coinbase | id coinbase-pro:t-1",
    ]


def test_coinbase_pro_transfers_are_flagged(tmp_path: Path) -> None:
    from taxloss.parsers import ParseOptions, read_file

    path = write(tmp_path, "cbp.csv", CBP
                 + "default,deposit,2022-01-02T10:00:00.000Z,1.5,1.5,ETH,t-1,,\n"
                 + "default,deposit,2022-01-02T11:00:00.000Z,100,100,USD,t-2,,\n")  # fmt: skip
    parsed = read_file(path, "cbp.csv", ParseOptions("cbp"))
    (notice,) = parsed.warnings
    assert (notice.code, str(notice.source)) == ("coinbase_pro_transfer", "cbp.csv:2")
    assert notice.message == (
        "Coinbase Pro deposit of 1.5 ETH: counted as a transfer into Coinbase. If it came from "
        "your own Coinbase account, it moved within one custody (Coinbase's report drops that "
        "side as 'Pro Withdrawal'): skip this row with --overrides, else its other side is an "
        "exchange or wallet to add"
    )


def test_coinbase_pro_unknown_type_and_lone_leg(parse, tmp_path: Path) -> None:
    path = write(tmp_path, "cbp.csv", CBP
                 + "default,rebate,2022-01-03T10:00:00.000Z,1,1,USD,,,\n"
                 + "default,match,2022-01-04T10:00:00.000Z,0.1,0.1,BTC,,77,o2\n")  # fmt: skip
    assert errors(parse, path) == [
        "cbp.csv:2: type: unknown type 'rebate': expected match, fee, deposit or withdrawal",
        "cbp.csv:3: trade id: trade 77 (lines 3): expected one coin received and one paid in "
        "its match rows (and fees in one coin); export the whole period, all accounts",
    ]


# -- Binance buy crypto -------------------------------------------------------------------------

BUY = "Date(UTC),Method,Amount,Price,Fees,Final Amount,Status,Transaction ID\n"


def test_binance_buy_crypto_fee_inside_or_on_top(parse, tmp_path: Path) -> None:
    path = write(tmp_path, "buy.csv", BUY
                 + "2021-05-01 10:00:00,Card,1000.00 CAD,1.3000000 USDT/CAD,20.00 CAD,"
                   "753.84615385 USDT,Successful,A1\n"
                 + "2021-05-02 10:00:00,Card,1000.00 CAD,1.3000000 USDT/CAD,20.00 CAD,"
                   "769.23076923 USDT,Completed,A2\n"
                 + "2021-05-03 10:00:00,Card,50.00 CAD,1.3000000 USDT/CAD,1.00 CAD,"
                   "37.69 USDT,Pending,A3\n")  # fmt: skip
    assert trade_lines(parse(path)) == [
        # 753.85 USDT x 1.30 = 980 CAD = Amount - Fees: the fee was inside the 1000 CAD.
        "2 | 2021-05-01T10:00:00Z | buy | 753.84615385 USDT | quote 980 CAD | fee 20 CAD | "
        "wallet binance | id binance:A1 | note 'bought with Card'",
        # 769.23 USDT x 1.30 = 1000 CAD = Amount: the fee was charged on top.
        "3 | 2021-05-02T10:00:00Z | buy | 769.23076923 USDT | quote 1000 CAD | "
        "fee 20 CAD | wallet binance | id binance:A2 | note 'bought with Card'",
    ]


def test_binance_buy_crypto_unknown_status(parse, tmp_path: Path) -> None:
    path = write(tmp_path, "buy.csv", BUY + "2021-05-01 10:00:00,Card,10 EUR,1 USDT/EUR,0 EUR,"
                 "10 USDT,Approved,A1\n")  # fmt: skip
    assert errors(parse, path) == [
        "buy.csv:2: Status: unknown status 'Approved': expected Successful or Completed "
        "(counted), or Failed, Expired, Cancelled, Refunded, Processing, Pending (not counted)"
    ]


# -- Binance order history ----------------------------------------------------------------------

ORDERS = "Date(UTC);Pair;Type;Order Price;Order Amount;AvgTrading Price;Filled;Total;status\n"
FILLS = ";Date(UTC);Trading Price;Filled;Total;Fee;;;\n"


def test_binance_orders_thousands_separators_keep_their_meaning(parse, tmp_path: Path) -> None:
    path = write(tmp_path, "orders.csv", ORDERS
                 + "2023-05-12 06:02:54;BTCUSDT;BUY;27,000;0.1;27,000;0.1;2,700;Filled\n"
                 + FILLS
                 + ";2023-05-12 06:03:14;27,000.00;0.1;2,700.00;0.0001BTC;;;\n")  # fmt: skip
    parsed = parse(path)
    assert trade_lines(parsed) == [
        "4 | 2023-05-12T06:03:14Z | buy | 0.1 BTC | quote 2700 USDT | fee 0.0001 BTC | "
        "wallet binance | note 'fill of the order at line 2'"
    ]


def test_binance_orders_fills_must_add_up(parse, tmp_path: Path) -> None:
    path = write(tmp_path, "orders.csv", ORDERS
                 + "2023-05-12 06:02:54;CAKEUSDT;BUY;1.787;22.38;1.787;22.38;39.99;Filled\n"
                 + FILLS
                 + ";2023-05-12 06:03:14;1.787;20;35.74;0.00009936BNB;;;\n"
                 + "2023-05-13 06:02:54;AVAXUSDT;BUY;15;2;15;2;30;Filled\n")  # fmt: skip
    assert errors(parse, path) == [
        "orders.csv:2: Filled: the order's Filled (22.38) is not the sum of its fill lines (20): "
        "export the order history again (a fill line is missing)",
        "orders.csv:5: Filled: the order filled 2 but no fill lines follow it: expected the "
        "';Date(UTC);Trading Price;Filled;Total;Fee' lines below the order",
    ]


# -- Bybit EU -----------------------------------------------------------------------------------

BYBIT_EU = (
    "UID: 1,Company Name: ,Country: \n"
    "Uid,Currency,Contract,Type,Direction,Quantity,Position,Filled Price,Funding,Fee Paid,"
    "Cash Flow,Change,Wallet Balance,Action,Time(UTC)\n"
)


def test_bybit_eu_types_in_api_spelling(parse, tmp_path: Path) -> None:
    path = write(tmp_path, "eu.csv", BYBIT_EU
                 + "1,BTC,,TRANSFER_OUT,,,,,0,0,-0.1,-0.1,0,,2025-01-02 10:00:00\n"
                 + "1,BTC,,TRANSFER_IN,,,,,0,0,0.1,0.1,0.1,,2025-01-01 10:00:00\n"
                 + "1,BTC,,REWARD_PAYOUT,,,,,0,0,0.1,0.1,0.1,,2025-01-01 10:00:00\n")  # fmt: skip
    assert errors(parse, path) == [
        "eu.csv:5: Type: unknown type 'REWARD_PAYOUT': expected one of trade, funding, "
        "liquidation, deposit, withdraw, transferIn, transferOut, exchangeIn, exchangeOut, "
        "SETTLEMENT, DELIVERY, BONUS, ADL, AIRDROP"
    ]


# -- KuCoin 2019 --------------------------------------------------------------------------------

KUCOIN_2019 = (
    "Time,Pair,Side,FilledPrice,FilledPriceCoin,Amount,AmountCoin,Volume,VolumeCoin,Fee,FeeCoin\n"
)


def test_kucoin_2019_crypto_pair_and_zone(parse, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "k.csv",
        KUCOIN_2019 + "2019/05/11 10:40:02,KCS/BTC,buy,0.000231,BTC,400,KCS,0.0924,BTC,0.4,KCS\n",
    )
    assert trade_lines(parse(path)) == [
        "2 | 2019-05-11T02:40:02Z | buy | 400 KCS | quote 0.0924 BTC | fee 0.4 KCS | wallet kucoin"
    ]


def test_kucoin_2019_coin_columns_must_match_the_pair(parse, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "k.csv",
        KUCOIN_2019 + "2019/05/11 10:40:02,KCS/BTC,buy,0.000231,BTC,400,BTC,0.0924,KCS,0.4,KCS\n",
    )
    assert errors(parse, path) == [
        "k.csv:2: AmountCoin: expected KCS (the base coin of KCS/BTC), found 'BTC'",
        "k.csv:2: VolumeCoin: expected BTC (the quote coin of KCS/BTC), found 'KCS'",
    ]


def test_kucoin_2019_row_checks(parse, tmp_path: Path) -> None:
    # The pair, side, fee and amount checks (shared with the spot orders reader).
    rows = [
        "2019/05/11 10:40:02,KCSBTC,hold,0.000231,BTC,400,KCS,0.0924,BTC,-0.4,KCS",
        "2019/05/11 10:41:02,KCS-BTC,SELL,0.000231,BTC,400,KCS,0.0924,BTC,0.4,",
        "2019/05/11 10:42:02,KCS/BTC,buy,0.000231,BTC,0,KCS,0.0924,BTC,0,KCS",
        "2019/05/11 10:43:02,KCS/BTC,buy,0.000231,BTC,400,KCS,-1,BTC,0,KCS",
    ]
    path = write(tmp_path, "k.csv", KUCOIN_2019 + "\n".join(rows) + "\n")
    assert errors(parse, path) == [
        "k.csv:2: Pair: expected a pair like KCS/BTC, found 'KCSBTC'",
        "k.csv:2: Side: expected buy or sell, found 'hold'",
        "k.csv:2: Fee: expected a fee of zero or more, found -0.4",
        "k.csv:3: FeeCoin: a fee needs its coin",
        "k.csv:4: Amount: expected positive amounts, found 0 KCS for 0.0924 BTC",
        "k.csv:5: Volume: expected positive amounts, found 400 KCS for -1 BTC",
    ]


# -- OKEx 2020 ----------------------------------------------------------------------------------

OKEX = "Order ID,Trade ID,Trade Time,Pairs,Amount,Price,Total,taker/maker,Fee,unit\n"


def test_okex_2020_signs_must_say_the_direction(parse, tmp_path: Path) -> None:
    bom = "\ufeff"
    row = ["1", "2", "2020-06-01 09:15:22", "ETH-USDT", "0.5 ETH", "209.94 USDT", "104.97 USDT",
           "taker", "-0.0005 ETH", "ETH"]  # fmt: skip
    path = write(tmp_path, "okex.csv", bom + OKEX.replace(",", "," + bom)
                 + ",".join(bom + cell for cell in row) + "\n")  # fmt: skip
    assert errors(parse, path) == [
        "okex.csv:2: Amount: cannot tell a buy from a sale: Amount 0.5 ETH and Total 104.97 USDT "
        "should have opposite signs (received positive, paid negative)"
    ]


def test_okex_2020_unit_must_be_the_pairs_coin(parse, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "okex.csv",
        OKEX + "1,2,2020-06-01 09:15:22,ETH-USDT,0.5 BTC,209.94,-104.97 USDT,taker,0,\n",
    )
    assert errors(parse, path) == [
        "okex.csv:2: Amount: expected an amount in ETH (ETH-USDT), found BTC",
    ]
