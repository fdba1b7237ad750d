"""Binance exports: spot trade history, the transaction-history statement, futures history.

Three parsers, all with times in UTC (the headers say ``Date(UTC)`` / ``UTC_Time``; a header
such as ``Date(UTC+8)`` is honoured; ``--timezone`` is not needed). Two-digit years
(``25-01-31 10:00:00``, seen in newer exports) are read as 20yy.

``binance-spot`` - Orders > Spot Order > Trade History > Export. Two layouts:
  current ``Date(UTC),Pair,Side,Price,Executed,Amount,Fee`` (the asset is glued to each number,
  e.g. ``0.01500000BTC``, ``1,035.75USDT``; the pair says where base ends and quote begins, so
  tickers with digits such as ``1INCH`` or ``1000SATS`` split correctly), and older
  ``Date(UTC),Market,Type,Price,Amount,Total,Fee,Fee Coin`` (``Market`` split at a known quote
  asset). Each row is one BUY or SELL in wallet ``binance``: the base quantity (gross) is
  ``Executed`` (current) or ``Amount`` (older), the quote ``Amount`` or ``Total``, the fee as
  charged (``Fee``, or ``Fee`` + ``Fee Coin``). No row ids, so overlapping exports of this
  layout are matched on time and amounts.

``binance-statement`` - Orders > Transaction History > Generate all statements (CSV, or XLSX),
  ``User_ID,UTC_Time,Account,Operation,Coin,Change,Remark`` (``User_ID`` optional). One row per
  balance change. Operations are matched case-insensitively (spellings vary by year); an unknown
  operation or account is an error. What each becomes:

  * Spot-trade legs (``Buy``, ``Sell``, ``Transaction Buy/Spend/Sold/Revenue/Related``,
    ``Fee``/``Transaction Fee`` outside futures accounts, ``Binance Convert``,
    ``Large OTC trading``, ``Small Assets Exchange BNB``, ``Stablecoins Auto-Conversion``,
    ``Buy Crypto (With Card)``, ``ETH 2.0 Staking`` (ETH given for BETH), futures ``Asset Conversion
    Transfer``/``Futures Convert``): grouped by (second, account, operation family) and summed
    per coin: the coin that increased is bought, the one that decreased is paid, fee rows are
    the fee. A group whose legs are all on one side is merged with the same account's group one
    second later when that completes it (fills that straddle a second), and a fee-only group
    joins the trade one second before or after. Which coin is the quote follows
    ``QUOTE_PRIORITY`` (fiat, then stablecoins, then BTC, ETH, BNB ...). A group of three or more
    coins is split only when it is one buy and one sell through the same quote coin (pairing by
    that coin's credits and debits); anything else (e.g. two purchases paid from one USDT
    balance in the same second, or several dust coins converted to BNB at once) is an error
    naming the lines, because the statement does not say which debit paid for which credit.
    ``Cross Margin Liquidation - Small Assets Takeover`` becomes a FORCED_SALE.
  * ``Deposit``/``Withdraw`` -> DEPOSIT/WITHDRAWAL (``Change`` includes any withdrawal fee);
    ``Send`` by its sign; the same operations in a fiat currency, and ``Fiat Deposit``/
    ``Fiat Withdraw``, are dropped (fiat is not tracked).
  * Transfers between accounts (``transfer_in``/``transfer_out``, ``Transfer Between Spot
    Account and UM/CM Futures Account``, ``... Main Account/Futures and Margin Account``, ...):
    summed per (second, coin, wallet); wallets that net to zero (e.g. Spot <-> Funding, both
    ``binance``) are dropped, the rest become WITHDRAWAL from one wallet and DEPOSIT into the
    other (both legs carry the same second, in either line order; the engine applies a matched
    transfer's departure before its arrival). A leg whose other side is not in the file is kept
    as it is.
  * Moves within Spot/Funding/Earn/Savings/Pool (``Transfer Between Main and Funding Wallet``,
    Simple Earn/Staking/Savings subscriptions and redemptions, ...) are dropped: same wallet.
  * Earn, staking, savings, launchpool, airdrops, distributions, referral and commission rebates
    (also the futures ``Referrer rebates``/``Referee rebates``) -> INCOME.
  * Futures accounts: ``Realized Profit and Loss`` -> REALIZED_PNL, ``Funding Fee`` -> FUNDING,
    ``Fee`` -> COMMISSION, ``Insurance Fund Compensation`` -> INSURANCE_FEE, all with the signed
    change. The statement does not name the contract, so every flow of a USD-M account uses
    the contract ``USD-M`` and of a COIN-M account ``COIN-M`` (``STATEMENT_CONTRACTS``; the
    engine aggregates them per contract per day, Form 8949 "USD-M futures"). A negative
    realized PnL with an ``Insurance Fund Compensation`` at the same second in the same
    account is a LIQUIDATION.
  * Margin: ``(Isolated) Margin Loan`` -> MARGIN_LOAN, ``(Isolated) Margin Repayment`` and
    ``Cross Margin Liquidation - Repayment`` -> MARGIN_REPAY, ``Margin Fee`` -> INTEREST (other
    tools read it as the periodic margin interest; not confirmed by Binance documentation),
    ``Isolated Margin Liquidation - Fee`` -> FEE.
  * A row whose ``Change`` is zero moves nothing and is dropped (after its operation is checked).

  Accounts: Spot, Funding, Earn, Savings, Pool -> wallet ``binance``; USD-M Futures (also
  ``USDT-Futures``, ``USD-MFutures``) -> ``binance-futures``; Coin-M Futures (``Coin-Futures``,
  ``Coin-MFutures``) -> ``binance-coinm``; Cross Margin (``CrossMargin``), Isolated Margin ->
  ``binance-margin`` (case, spaces and hyphens are ignored). Operations that belong to one
  kind of account (futures flows, margin loans, moves within ``binance``) found in another are
  errors. The statement has no row ids. Do not give a statement and a futures
  history (below) for the same period: they describe the same flows under different contract
  names, so they cannot be recognised as duplicates.

``binance-futures`` - USDⓈ-M / COIN-M Futures > Transaction History > Export,
  ``Date(UTC),type,Amount,Asset,Symbol,Transaction ID``. ``REALIZED_PNL`` -> REALIZED_PNL
  (LIQUIDATION when an ``INSURANCE_CLEAR`` has the same second and symbol), ``COMMISSION`` and
  ``POSITION_LIMIT_INCREASE_FEE`` -> COMMISSION, ``FUNDING_FEE`` -> FUNDING, ``INSURANCE_CLEAR``
  -> INSURANCE_FEE, ``DELIVERED_SETTELMENT`` (sic) -> REALIZED_PNL of the dated contract,
  ``TRANSFER`` -> DEPOSIT (positive) / WITHDRAWAL (negative) of the futures wallet,
  ``REFERRAL_KICKBACK``/``COMMISSION_REBATE``/``WELCOME_BONUS``/``CONTEST_REWARD`` -> INCOME,
  ``COIN_SWAP_DEPOSIT``/``COIN_SWAP_WITHDRAW`` and ``AUTO_EXCHANGE`` -> a trade between the two
  assets (grouped by second like statement legs). Contract = Symbol + ``-PERP`` for a perpetual
  (``BTCUSDT`` -> ``BTCUSDT-PERP``, ``BTCUSD_PERP`` -> ``BTCUSD-PERP``); dated symbols
  (``BTCUSD_250627``) stay as they are. COIN-M symbols (``...USD_PERP``, ``...USD_yymmdd``) use
  wallet ``binance-coinm``, the rest ``binance-futures``; a row without symbol (a transfer) takes
  the file's kind. ``external_id`` = ``binance:`` + Transaction ID. A zero amount moves nothing
  and is dropped.

pandas is used for column-wise work on large statements; nothing here prints or touches the
engine, the renderers or the CLI.
"""

from __future__ import annotations

import gc
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd

from taxloss.currencies import FIAT as CURRENCIES
from taxloss.errors import InputError, Problem
from taxloss.model import Notice, SourceRef, Trade, TradeKind
from taxloss.money import ZERO, plain
from taxloss.parsers import ParseOptions, register
from taxloss.parsers.numbers import (
    BadValue,
    ascii_digits,
    fixed_offset,
    loose_number,
    parse_timestamp,
    split_amount,
)
from taxloss.parsers.rows import Row, Rows, header_zone, require_rows, written_names
from taxloss.parsers.table import Table

WALLET = "binance"
FUTURES_WALLET = "binance-futures"
COINM_WALLET = "binance-coinm"
MARGIN_WALLET = "binance-margin"

#: Contract names for statement futures flows, which never name their symbol.
STATEMENT_CONTRACTS = {FUTURES_WALLET: "USD-M", COINM_WALLET: "COIN-M"}

#: A transfer's arriving leg is dated this much after its second (see the module docstring).

#: Coins that quote a trade, best first: the better-ranked coin of a trade is its quote.
QUOTE_PRIORITY = (
    # government currencies
    "USD", "EUR", "GBP", "AUD", "BRL", "TRY", "RUB", "UAH", "NGN", "ZAR", "ARS", "PLN", "RON",
    "CZK", "JPY", "MXN", "COP", "KZT", "IDR", "INR", "CAD", "CHF",
    # stablecoins and fiat tokens
    "USDT", "USDC", "FDUSD", "BUSD", "TUSD", "USDP", "PAX", "DAI", "USDS", "AEUR", "EURI",
    "BIDR", "IDRT", "BKRW", "BVND", "VAI", "GYEN",
    # crypto quote markets
    "BTC", "ETH", "BNB", "XRP", "TRX", "DOGE", "DOT", "SOL",
)  # fmt: skip
QUOTE_RANK = {coin: rank for rank, coin in enumerate(QUOTE_PRIORITY)}
#: Quote assets longest first, for splitting a market such as ``ETHBTC`` or ``BTCFDUSD``.
QUOTES_LONGEST_FIRST = tuple(sorted(QUOTE_PRIORITY, key=lambda q: (-len(q), q)))

#: Government currencies: deposits/withdrawals of these are dropped (fiat is not tracked).
FIAT_CURRENCIES = CURRENCIES  # every ISO 4217 code (taxloss.currencies)

#: Tickers the number-glued cells of the spot history may end with (the pair adds its own).
KNOWN_TICKERS = frozenset(
    {
        *QUOTE_PRIORITY,
        "1INCH", "1000SATS", "1000CAT", "1000CHEEMS", "1MBABYDOGE", "1000PEPE", "1000SHIB",
        "1000BONK", "1000FLOKI", "ADA", "AVAX", "LINK", "LTC", "BCH", "MATIC", "POL", "ATOM",
        "NEAR", "APT", "ARB", "OP", "SUI", "SEI", "TIA", "INJ", "FIL", "ICP", "ETC", "XLM",
        "HBAR", "VET", "ALGO", "SHIB", "PEPE", "WIF", "FLOKI", "BONK", "UNI", "AAVE", "MKR",
        "CRV", "LDO", "SAND", "MANA", "AXS", "GALA", "APE", "GMT", "FTM", "CAKE", "RUNE", "EGLD",
        "THETA", "QNT", "GRT", "FET", "RNDR", "RENDER", "STX", "ORDI", "WLD", "JUP", "PYTH",
        "ENA", "TON", "NOT", "BOME", "PENDLE", "BETH", "WBETH", "WBTC",
    }
)  # fmt: skip


# -- shared helpers ---------------------------------------------------------------------------


def _date_column(header: Sequence[str]) -> tuple[str, tzinfo] | None:
    """The ``Date(UTC)`` column and the zone its header states (``Date(UTC+8)`` = UTC+8)."""
    for name in header:
        base, zone = header_zone(name)
        if base == "date" and zone is not None:
            return name, zone
    return None


_SHORT_YEAR = re.compile(r"\d{2}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(:\d{2})?")


def _timestamp(text: str, zone: tzinfo) -> datetime:
    """Parse a Binance time in ``zone``; newer files may write a two-digit year (yy-mm-dd)."""
    cleaned = text.strip()
    if _SHORT_YEAR.fullmatch(cleaned):
        cleaned = "20" + cleaned
    return parse_timestamp(cleaned, zone)


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _plain_number(text: str) -> Decimal:
    """A plain signed number as Binance writes it (``-3.605E-05``, ``-0.9049715199999999``)."""
    cleaned = text.strip()
    ascii_digits(cleaned)
    if not _NUMBER.fullmatch(cleaned):
        raise BadValue(f"expected a number like -0.125 or -3.6E-05, found {cleaned!r}")
    return Decimal(cleaned)


def _lines_text(lines: Sequence[int]) -> str:
    return ", ".join(map(str, sorted(set(lines))))


def _lines_phrase(lines: Sequence[int]) -> str:
    """``line 6`` or ``lines 2, 3, 5``."""
    return f"line{'s' if len(set(lines)) > 1 else ''} {_lines_text(lines)}"


def _check_data(table: Table) -> None:
    require_rows(table, "Binance history rows")


def _split_market(market: str) -> tuple[str, str] | None:
    """Split ``ETHBTC`` into (ETH, BTC) at the longest known quote asset it ends with."""
    for quote in QUOTES_LONGEST_FIRST:
        if market.endswith(quote) and len(market) > len(quote):
            return market[: -len(quote)], quote
    return None


# -- turning balance changes into trades -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Leg:
    """One balance change that is part of an exchange: signed ``amount`` of ``coin``."""

    coin: str
    amount: Decimal
    line: int
    fee: bool = False


@dataclass(slots=True)
class Swap:
    """A trade made from legs, before it becomes a ``Trade``."""

    kind: TradeKind
    asset: str
    quantity: Decimal
    quote_asset: str
    quote_quantity: Decimal
    lines: list[int]
    fee_asset: str = ""
    fee_quantity: Decimal | None = None

    @property
    def received(self) -> str:
        return self.asset if self.kind is TradeKind.BUY else self.quote_asset

    @property
    def given(self) -> str:
        return self.quote_asset if self.kind is TradeKind.BUY else self.asset


@dataclass(slots=True)
class Resolved:
    """Trades made from one group of legs, and fees that belong to none of them."""

    swaps: list[Swap] = field(default_factory=list)
    fees: list[tuple[str, Decimal, list[int]]] = field(default_factory=list)


class Unresolvable(ValueError):
    """A group of legs that cannot be turned into trades without guessing."""


def _rank(coin: str) -> int:
    return QUOTE_RANK.get(coin, len(QUOTE_RANK))


def _coins(coins: Sequence[str] | set[str]) -> str:
    return ", ".join(sorted(coins))


def resolve_legs(legs: Sequence[Leg], forced: bool = False) -> Resolved:
    """Turn the legs of one exchange (one second, one account) into trades.

    Args:
        legs: the balance changes; ``fee`` legs are the fee.
        forced: the exchange was forced by the exchange (a FORCED_SALE of the coin given).

    Returns:
        The trades, and fees that could not be attached to exactly one of them.

    Raises:
        Unresolvable: legs on one side only, or a pairing the legs do not determine.
    """
    return _resolve(
        [leg.coin for leg in legs],
        [leg.amount for leg in legs],
        [leg.line for leg in legs],
        [leg.fee for leg in legs],
        forced,
    )


def _resolve(
    coin_list: Sequence[str],
    amounts: Sequence[Decimal],
    lines: Sequence[int],
    fees: Sequence[bool],
    forced: bool = False,
) -> Resolved:
    """``resolve_legs`` on parallel lists (the statement's fast path: no ``Leg`` objects)."""
    got: dict[str, Decimal] = {}
    gave: dict[str, Decimal] = {}
    got_lines: dict[str, list[int]] = {}
    gave_lines: dict[str, list[int]] = {}
    fee_net: dict[str, Decimal] = {}
    fee_lines: dict[str, list[int]] = {}
    for coin, amount, line, fee in zip(coin_list, amounts, lines, fees, strict=True):
        if fee:
            fee_net[coin] = fee_net.get(coin, ZERO) + amount
            fee_lines.setdefault(coin, []).append(line)
        elif amount > 0:
            got[coin] = got.get(coin, ZERO) + amount
            got_lines.setdefault(coin, []).append(line)
        elif amount < 0:
            gave[coin] = gave.get(coin, ZERO) - amount
            gave_lines.setdefault(coin, []).append(line)
    if not got and not gave:
        raise Unresolvable("only fee rows, no trade at this second")
    if not gave:
        raise Unresolvable(f"{_coins(got)} received but nothing paid at this second")
    if not got:
        raise Unresolvable(f"{_coins(gave)} paid but nothing received at this second")
    if not forced and len(got) == 1 and len(gave) == 1 and len(fee_net) <= 1:
        (received,) = got
        (paid,) = gave
        if received != paid:
            return _one_for_another(received, paid, got, gave, got_lines, gave_lines, fee_net,
                                    fee_lines)  # fmt: skip
    coins = set(got) | set(gave)
    if len(coins) == 1:
        raise Unresolvable(f"only {_coins(coins)} changed, both received and paid")
    swaps: list[Swap] = []

    def buy(base: str, quote: str) -> None:
        swaps.append(
            Swap(TradeKind.BUY, base, got[base], quote, gave[quote],
                 got_lines[base] + gave_lines[quote])
        )  # fmt: skip

    def sell(base: str, quote: str, kind: TradeKind = TradeKind.SELL) -> None:
        swaps.append(
            Swap(kind, base, gave[base], quote, got[quote], gave_lines[base] + got_lines[quote])
        )

    if forced:
        if len(got) != 1 or len(gave) != 1 or coins != {*got, *gave} or len(coins) != 2:
            raise Unresolvable(
                f"a forced sale needs one coin given and one received, found {_coins(coins)}"
            )
        sell(next(iter(gave)), next(iter(got)), TradeKind.FORCED_SALE)
    elif len(coins) == 2:
        first, second = sorted(coins, key=lambda c: (_rank(c), c))
        if _rank(first) == _rank(second) and len(got) == 1 and len(gave) == 1:
            quote = next(iter(got))  # two unranked coins, one direction: sell what was given
        else:
            quote = first
        (base,) = coins - {quote}
        if (base in got) != (quote in gave) or (base in gave) != (quote in got):
            raise Unresolvable(
                f"{base} and {quote} do not balance (received: {_coins(got)}; paid: "
                f"{_coins(gave)}): cannot pair the rows into trades"
            )
        if base in got:
            buy(base, quote)
        if base in gave:
            sell(base, quote)
    else:
        hub = min(coins, key=lambda c: (_rank(c), c))
        others = coins - {hub}
        bought = sorted(c for c in others if c in got)
        sold = sorted(c for c in others if c in gave)
        ambiguous = (
            _rank(hub) == len(QUOTE_RANK)
            or set(bought) & set(sold)
            or len(bought) > 1
            or len(sold) > 1
            or bool(bought) != (hub in gave)
            or bool(sold) != (hub in got)
        )
        if ambiguous and len(bought) > 1 and not sold and _rank(hub) < len(QUOTE_RANK):
            raise Unresolvable(
                f"{len(bought)} purchases paid from one {hub} balance at the same time (paid "
                f"{plain(gave[hub])} {hub}; received "
                f"{', '.join(f'{plain(got[b])} {b}' for b in bought)}): the statement does not "
                f"say which payment bought which coin, and splitting the {hub} by the coins' "
                f"value would need their {hub} prices at that moment, which the statement does "
                "not carry. Give Binance's spot trade history or buy crypto history for that "
                "day instead of these rows (one row per order)"
            )
        if ambiguous:
            raise Unresolvable(
                f"{len(coins)} coins changed at the same second (received: {_coins(got)}; "
                f"paid: {_coins(gave)}) and the statement does not say which paid for which"
            )
        if bought:
            buy(bought[0], hub)
        if sold:
            sell(sold[0], hub)
    resolved = Resolved(swaps)
    for coin in sorted(fee_net, key=lambda c: (c not in coins, c)):
        net = fee_net[coin]
        if net > 0:
            raise Unresolvable(f"the fee rows of {coin} add up to a credit of {plain(net)}")
        if net == 0:
            continue
        owners = [s for s in swaps if s.received == coin] or [s for s in swaps if s.given == coin]
        if not owners and len(swaps) == 1:
            owners = swaps
        if len(owners) == 1 and owners[0].fee_quantity is None:
            owners[0].fee_asset, owners[0].fee_quantity = coin, -net
            owners[0].lines = owners[0].lines + fee_lines[coin]
        else:
            resolved.fees.append((coin, -net, fee_lines[coin]))
    return resolved


def _one_for_another(
    received: str,
    paid: str,
    got: dict[str, Decimal],
    gave: dict[str, Decimal],
    got_lines: dict[str, list[int]],
    gave_lines: dict[str, list[int]],
    fee_net: dict[str, Decimal],
    fee_lines: dict[str, list[int]],
) -> Resolved:
    """The common case of ``_resolve``: one coin for another, at most one fee coin."""
    lines = got_lines[received] + gave_lines[paid]
    if QUOTE_RANK.get(paid, len(QUOTE_RANK)) < QUOTE_RANK.get(received, len(QUOTE_RANK)):
        swap = Swap(TradeKind.BUY, received, got[received], paid, gave[paid], lines)
    else:  # the received coin quotes the pair (or neither is a known quote): sell the other
        swap = Swap(TradeKind.SELL, paid, gave[paid], received, got[received], lines)
    for coin, net in fee_net.items():
        if net > 0:
            raise Unresolvable(f"the fee rows of {coin} add up to a credit of {plain(net)}")
        if net < 0:
            swap.fee_asset, swap.fee_quantity = coin, -net
            swap.lines = lines + fee_lines[coin]
    return Resolved([swap])


def _swap_trades(
    resolved: Resolved,
    timestamp: datetime,
    wallet: str,
    path: str,
    external_id: str = "",
) -> list[Trade]:
    """Trades (and standalone FEE trades) from a resolved group; source = its first line."""
    trades = []
    for swap in resolved.swaps:
        lines = sorted(set(swap.lines))
        trades.append(
            Trade(
                timestamp=timestamp,
                kind=swap.kind,
                asset=swap.asset,
                quantity=swap.quantity,
                wallet=wallet,
                source=SourceRef(path, lines[0]),
                quote_asset=swap.quote_asset,
                quote_quantity=swap.quote_quantity,
                fee_asset=swap.fee_asset,
                fee_quantity=swap.fee_quantity,
                external_id=external_id,
                note=f"lines {_lines_text(lines)}" if len(lines) > 1 else "",
            )
        )
    for coin, quantity, fee_lines in resolved.fees:
        lines = sorted(set(fee_lines))
        trades.append(
            Trade(
                timestamp=timestamp,
                kind=TradeKind.FEE,
                asset=coin,
                quantity=quantity,
                wallet=wallet,
                source=SourceRef(path, lines[0]),
                note=f"trade fee not attributable to one trade; lines {_lines_text(lines)}",
            )
        )
    return trades


# -- binance-spot -----------------------------------------------------------------------------

SPOT_CURRENT = ("pair", "side", "price", "executed", "amount", "fee")
SPOT_OLDER = ("market", "type", "price", "amount", "total", "fee", "fee coin")
SIDES = {"BUY": TradeKind.BUY, "SELL": TradeKind.SELL}


@register("binance-spot")
class BinanceSpotTrades:
    """Binance spot trade history (current and older layouts)."""

    title = "Binance spot trade history"
    layouts = (("date(utc)", *SPOT_CURRENT), ("date(utc)", *SPOT_OLDER))
    download = "Binance: Orders > Spot Order > Trade History > Export (CSV)."

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """A ``Date(UTC)`` column plus the current or the older column set."""
        have = set(header)
        if _date_column(header) is None:
            return False
        current = {"pair", "side", "executed", "amount", "fee"} <= have
        older = {"market", "type", "amount", "total", "fee", "fee coin"} <= have
        return current or older

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """One BUY or SELL per row; all row errors raised together."""
        _check_data(table)
        found = _date_column(table.header)
        assert found is not None
        date_column, zone = found
        current = "pair" in table.header
        side_column = "side" if current else "type"
        rows = Rows(table)
        trades: list[Trade] = []
        for row in rows:
            timestamp = row.time(date_column, zone, parse=_timestamp)
            kind = SIDES.get(row.text(side_column).upper())
            if kind is None:
                row.bad(side_column, f"expected BUY or SELL, found {row.text(side_column)!r}")
            parsed = _spot_current_row(row) if current else _spot_older_row(row)
            if row.problems or parsed is None:
                continue
            assert timestamp is not None and kind is not None
            base, quantity, quote, quote_quantity, fee_asset, fee_quantity = parsed
            trades.append(
                Trade(
                    timestamp=timestamp,
                    kind=kind,
                    asset=base,
                    quantity=quantity,
                    wallet=WALLET,
                    source=row.source,
                    quote_asset=quote,
                    quote_quantity=quote_quantity,
                    fee_asset=fee_asset if fee_quantity else "",
                    fee_quantity=fee_quantity if fee_quantity else None,
                )
            )
        rows.finish()
        yield from trades


SpotRow = tuple[str, Decimal, str, Decimal, str, Decimal | None]


def _positive(row: Row, column: str, value: Decimal) -> bool:
    if value <= 0:
        row.bad(column, f"expected an amount above zero, found {row.text(column)!r}")
        return False
    return True


def _spot_current_row(row: Row) -> SpotRow | None:
    """``Pair,Executed,Amount,Fee`` of the current layout: amounts with their asset glued on."""
    pair = row.text("pair").upper().replace("/", "").replace("-", "")
    if not pair:
        row.bad("pair", "expected a trading pair such as BTCUSDT, found an empty cell")
        return None
    known = set(KNOWN_TICKERS)
    split = _split_market(pair)
    if split is not None:
        known.update(split)
    values: dict[str, tuple[Decimal, str]] = {}
    for column in ("executed", "amount", "fee"):
        if column == "fee" and not row.text(column):
            continue
        value = row.value(column, lambda text: split_amount(text, known))
        if value is not None:
            values[column] = value
    if "executed" not in values or "amount" not in values:
        return None
    (quantity, base), (quote_quantity, quote) = values["executed"], values["amount"]
    if base + quote != pair:
        row.bad(
            "pair",
            f"Executed is in {base} and Amount in {quote}, which do not make the pair {pair}",
        )
        return None
    if not _positive(row, "executed", quantity) or not _positive(row, "amount", quote_quantity):
        return None
    fee_quantity, fee_asset = values.get("fee", (None, ""))
    if fee_quantity is not None and fee_quantity < 0:
        row.bad("fee", f"expected a fee of zero or more, found {row.text('fee')!r}")
        return None
    return base, quantity, quote, quote_quantity, fee_asset, fee_quantity


def _spot_older_row(row: Row) -> SpotRow | None:
    """``Market,Amount,Total,Fee,Fee Coin`` of the older layout."""
    market = row.text("market").upper().replace("/", "").replace("-", "")
    split = _split_market(market)
    if split is None:
        row.bad(
            "market",
            f"expected a market ending in a known quote asset ({', '.join(QUOTE_PRIORITY)}), "
            f"found {row.text('market')!r}",
        )
    numbers: dict[str, Decimal] = {}
    for column in ("amount", "total", "fee"):
        if column == "fee" and not row.text(column):
            continue
        number = row.value(column, loose_number)
        if number is not None:
            numbers[column] = number
    fee_asset = row.text("fee coin").upper()
    if split is None or "amount" not in numbers or "total" not in numbers:
        return None
    if not _positive(row, "amount", numbers["amount"]) or not _positive(
        row, "total", numbers["total"]
    ):
        return None
    fee_quantity = numbers.get("fee")
    if fee_quantity is not None and fee_quantity < 0:
        row.bad("fee", f"expected a fee of zero or more, found {row.text('fee')!r}")
        return None
    if fee_quantity and not fee_asset:
        row.bad("fee coin", "expected the asset the fee was paid in, found an empty cell")
        return None
    base, quote = split
    return base, numbers["amount"], quote, numbers["total"], fee_asset, fee_quantity


# -- binance-statement ------------------------------------------------------------------------

# Categories of statement operations.
TRADE = "trade"  # a leg of an exchange, grouped by second (family in the second field)
TRADE_FEE = "trade_fee"  # Fee / Transaction Fee: a trade's fee, or a futures COMMISSION
COMMISSION = "commission"  # Fee / Transaction Fee in a futures account (signed)
DEPOSIT, WITHDRAW, SEND, FIAT_MOVE = "deposit", "withdraw", "send", "fiat"
TRANSFER = "transfer"  # between accounts that may have different wallets: netted per wallet
INTERNAL = "internal"  # within the binance wallet (Spot/Funding/Earn...): no tax effect
INCOME = "income"
PNL, FUNDING, INSURANCE = "pnl", "funding", "insurance"
LOAN, REPAY, INTEREST, FEE = "loan", "repay", "interest", "fee"

#: Every statement operation taxloss knows (display spelling -> category, trade family).
OPERATIONS: dict[str, tuple[str, str]] = {
    # spot trades: legs of one order at one second
    "Buy": (TRADE, "order"),
    "Sell": (TRADE, "order"),
    "Transaction Related": (TRADE, "order"),
    "Transaction Buy": (TRADE, "order"),
    "Transaction Spend": (TRADE, "order"),
    "Transaction Sold": (TRADE, "order"),
    "Transaction Revenue": (TRADE, "order"),
    "Fee": (TRADE_FEE, "order"),
    "Transaction Fee": (TRADE_FEE, "order"),
    "Binance Convert": (TRADE, "convert"),
    "Large OTC trading": (TRADE, "otc"),
    "Small Assets Exchange BNB": (TRADE, "dust"),
    "Stablecoins Auto-Conversion": (TRADE, "auto-conversion"),
    "Buy Crypto": (TRADE, "buy-crypto"),
    "Buy Crypto With Card": (TRADE, "buy-crypto"),
    # ETH given for BETH: an exchange of one token for another
    "ETH 2.0 Staking": (TRADE, "eth2"),
    # futures multi-asset mode conversions
    "Asset Conversion Transfer": (TRADE, "futures-convert"),
    "Futures Convert": (TRADE, "futures-convert"),
    "Cross Margin Liquidation - Small Assets Takeover": (TRADE, "forced"),
    # deposits, withdrawals
    "Deposit": (DEPOSIT, ""),
    "Withdraw": (WITHDRAW, ""),
    "Send": (SEND, ""),
    "Fiat Deposit": (FIAT_MOVE, ""),
    "Fiat Withdraw": (FIAT_MOVE, ""),
    "Fiat Withdrawal": (FIAT_MOVE, ""),
    # transfers between accounts (Spot <-> futures or margin: different wallets)
    "transfer_in": (TRANSFER, ""),
    "transfer_out": (TRANSFER, ""),
    "Transfer Between Spot Account and UM Futures Account": (TRANSFER, ""),
    "Transfer Between Spot Account and CM Futures Account": (TRANSFER, ""),
    "Transfer Between Spot and UM Futures": (TRANSFER, ""),
    "Transfer Between Spot and CM Futures": (TRANSFER, ""),
    "Transfer Between UM Futures and Funding Account": (TRANSFER, ""),
    "Transfer Between Main Account/Futures and Margin Account": (TRANSFER, ""),
    # moves inside the binance wallet (Spot, Funding, Earn, Savings, Pool): dropped
    "Transfer Between Main and Funding Wallet": (INTERNAL, ""),
    "Transfer Between Spot and Funding": (INTERNAL, ""),
    "Simple Earn Flexible Subscription": (INTERNAL, ""),
    "Simple Earn Flexible Redemption": (INTERNAL, ""),
    "Simple Earn Locked Subscription": (INTERNAL, ""),
    "Simple Earn Locked Redemption": (INTERNAL, ""),
    "Staking Purchase": (INTERNAL, ""),
    "Staking Redemption": (INTERNAL, ""),
    "POS savings purchase": (INTERNAL, ""),
    "POS savings redemption": (INTERNAL, ""),
    "Savings purchase": (INTERNAL, ""),
    "Savings Principal redemption": (INTERNAL, ""),
    "Launchpool Subscription/Redemption": (INTERNAL, ""),
    # income: earn, staking, rewards, airdrops, distributions, rebates
    "Simple Earn Flexible Interest": (INCOME, ""),
    "Simple Earn Locked Rewards": (INCOME, ""),
    "Simple Earn Flexible Airdrop": (INCOME, ""),
    "Staking Rewards": (INCOME, ""),
    "ETH 2.0 Staking Rewards": (INCOME, ""),
    "POS savings interest": (INCOME, ""),
    "Savings Interest": (INCOME, ""),
    "Savings distribution": (INCOME, ""),
    "Launchpool Interest": (INCOME, ""),
    "Launchpool Airdrop - System Distribution": (INCOME, ""),
    "Launchpool Airdrop - User Claim Distribution": (INCOME, ""),
    "BNB Vault Rewards": (INCOME, ""),
    "Liquid Swap rewards": (INCOME, ""),
    "Swap Farming Rewards": (INCOME, ""),
    "Super BNB Mining": (INCOME, ""),
    "Airdrop Assets": (INCOME, ""),
    "HODLer Airdrops Distribution": (INCOME, ""),
    "Megadrop Rewards": (INCOME, ""),
    "Distribution": (INCOME, ""),
    "Cash Voucher distribution": (INCOME, ""),
    "Mission Reward Distribution": (INCOME, ""),
    "Campaign Related Reward": (INCOME, ""),
    "Commission History": (INCOME, ""),
    "Commission Fee Shared With You": (INCOME, ""),
    "Referral Kickback": (INCOME, ""),
    "Commission Rebate": (INCOME, ""),
    "Referrer rebates": (INCOME, ""),
    "Referee rebates": (INCOME, ""),
    # futures accounts
    "Realized Profit and Loss": (PNL, ""),
    "Realize profit and loss": (PNL, ""),
    "Funding Fee": (FUNDING, ""),
    "Insurance Fund Compensation": (INSURANCE, ""),
    # margin accounts
    "Margin Loan": (LOAN, ""),
    "Isolated Margin Loan": (LOAN, ""),
    "Margin Repayment": (REPAY, ""),
    "Isolated Margin Repayment": (REPAY, ""),
    "Cross Margin Liquidation - Repayment": (REPAY, ""),
    "Margin Fee": (INTEREST, ""),
    "Isolated Margin Liquidation - Fee": (FEE, ""),
}


def _operation_key(text: str) -> str:
    return " ".join(text.split()).lower()


OPERATION_BY_KEY = {_operation_key(name): value for name, value in OPERATIONS.items()}
OPERATION_LIST = ", ".join(sorted(OPERATIONS, key=str.lower))

#: Statement accounts (lower case, without spaces, hyphens or underscores) -> wallet.
ACCOUNTS = {
    "spot": WALLET,
    "funding": WALLET,
    "earn": WALLET,
    "savings": WALLET,
    "pool": WALLET,
    "usdmfutures": FUTURES_WALLET,
    "usdtfutures": FUTURES_WALLET,
    "coinmfutures": COINM_WALLET,
    "coinfutures": COINM_WALLET,
    "crossmargin": MARGIN_WALLET,
    "isolatedmargin": MARGIN_WALLET,
}
ACCOUNT_LIST = (
    "Spot, Funding, Earn, Savings, Pool, USD-M Futures, Coin-M Futures, Cross Margin, "
    "Isolated Margin"
)
DERIVATIVE_WALLETS = frozenset({FUTURES_WALLET, COINM_WALLET})

#: Which wallets an operation category may appear in (others: any), and how to say so.
ALLOWED_WALLETS = {
    PNL: (DERIVATIVE_WALLETS, "a USD-M or Coin-M Futures account"),
    FUNDING: (DERIVATIVE_WALLETS, "a USD-M or Coin-M Futures account"),
    INSURANCE: (DERIVATIVE_WALLETS, "a USD-M or Coin-M Futures account"),
    LOAN: (frozenset({MARGIN_WALLET}), "a Cross or Isolated Margin account"),
    REPAY: (frozenset({MARGIN_WALLET}), "a Cross or Isolated Margin account"),
    INTEREST: (frozenset({MARGIN_WALLET}), "a Cross or Isolated Margin account"),
    INTERNAL: (frozenset({WALLET}), "a Spot, Funding, Earn, Savings or Pool account"),
}
#: The sign each category's Change must have (+1 credit, -1 debit).
SIGNS = {DEPOSIT: 1, WITHDRAW: -1, INCOME: 1, LOAN: 1, REPAY: -1, INTEREST: -1, FEE: -1}

STATEMENT_REQUIRED = ("utc_time", "account", "operation", "coin", "change")


def _account_key(text: str) -> str:
    return re.sub(r"[\s_-]+", "", text).lower()


@register("binance-statement")
class BinanceStatement:
    """Binance transaction history statement ("Generate all statements"), CSV or XLSX."""

    title = "Binance transaction history statement"
    layouts = (
        ("user_id", "utc_time", "account", "operation", "coin", "change", "remark"),
        ("utc_time", "account", "operation", "coin", "change", "remark"),
    )
    download = (
        "Binance: Orders > Transaction History > Generate all statements (CSV or XLSX; "
        "several files for long periods)."
    )

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """``UTC_Time,Account,Operation,Coin,Change`` (``User_ID`` and ``Remark`` optional)."""
        return set(STATEMENT_REQUIRED) <= set(header)

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Validate every row, group trade legs, raise all problems together."""
        trades = parse_statement(table)
        for notice in card_notices(trades):
            options.warn(notice)
        yield from trades


#: Category and wallet codes for the column-wise statement pass.
CATEGORIES = (
    TRADE, TRADE_FEE, COMMISSION, DEPOSIT, WITHDRAW, SEND, FIAT_MOVE, TRANSFER, INTERNAL, INCOME,
    PNL, FUNDING, INSURANCE, LOAN, REPAY, INTEREST, FEE,
)  # fmt: skip
CATEGORY_CODE = {name: code for code, name in enumerate(CATEGORIES)}
WALLETS = (WALLET, FUTURES_WALLET, COINM_WALLET, MARGIN_WALLET)
WALLET_CODE = {name: code for code, name in enumerate(WALLETS)}
FAMILIES = tuple(sorted({family for _, family in OPERATIONS.values()}))
FAMILY_CODE = {name: code for code, name in enumerate(FAMILIES)}
#: ALLOWED[category, wallet]: may this category appear in an account of this wallet?
ALLOWED = np.ones((len(CATEGORIES), len(WALLETS)), dtype=bool)
for _category, (_wallets, _) in ALLOWED_WALLETS.items():
    ALLOWED[CATEGORY_CODE[_category]] = [w in _wallets for w in WALLETS]
#: The sign a category's Change must have (0: either).
REQUIRED_SIGN = np.array([SIGNS.get(c, 0) for c in CATEGORIES], dtype=np.int8)
#: Categories that become one trade per row: (category, kind, sign of the quantity).
SINGLE_ROW = (
    (INCOME, TradeKind.INCOME, 1),
    (LOAN, TradeKind.MARGIN_LOAN, 1),
    (REPAY, TradeKind.MARGIN_REPAY, -1),
    (INTEREST, TradeKind.INTEREST, -1),
    (FEE, TradeKind.FEE, -1),
)
DERIVATIVE_ROW = (
    (COMMISSION, TradeKind.COMMISSION),
    (FUNDING, TradeKind.FUNDING),
    (INSURANCE, TradeKind.INSURANCE_FEE),
)


def _factorize(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    codes, uniques = pd.factorize(values, sort=False)
    return codes, [str(u) for u in np.asarray(uniques, dtype=object).tolist()]


def _statement_times(texts: list[str]) -> tuple[list[datetime | None], list[str]]:
    """Each distinct ``UTC_Time`` as aware UTC, or the reason it is not a time.

    The export's own form (``2025-01-31 23:59:59``) is parsed column-wise; anything else
    (``25-01-31 ...`` two-digit years, ISO forms, fractions of a second) goes through
    ``_timestamp`` one value at a time.
    """
    cleaned = pd.Series(texts, dtype=object).str.strip()
    parsed = pd.DatetimeIndex(
        pd.to_datetime(cleaned, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    ).tz_localize(UTC)
    times: list[datetime | None] = parsed.to_pydatetime().tolist()
    errors = [""] * len(texts)
    utc = fixed_offset(0)
    for index in np.flatnonzero(parsed.isna()).tolist():
        times[index] = None
        try:
            times[index] = _timestamp(texts[index], utc)
        except BadValue as exc:
            errors[index] = str(exc)
    return times, errors


def _decimal(text: str) -> Decimal | None:
    if not text.isascii():  # other digits: left to the checked path, which says why
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@dataclass
class _Columns:
    """The statement's columns, factorized (each distinct value worked out once)."""

    path: str
    names: dict[str, str]
    lines: np.ndarray
    valid: np.ndarray
    op_codes: np.ndarray
    op_texts: list[str]
    account_codes: np.ndarray
    account_texts: list[str]
    coin_codes: np.ndarray
    coins: list[str]
    time_codes: np.ndarray
    times: list[datetime | None]
    time_errors: list[str]
    epochs: np.ndarray
    change_texts: list[str]
    changes: list[Decimal | None]
    signs: np.ndarray
    category: np.ndarray
    wallet: np.ndarray
    family: np.ndarray


def _columns(table: Table) -> _Columns:
    frame = table.frame
    lines = np.asarray(table.lines, dtype=np.int64)
    op_codes, op_texts = _factorize(frame["operation"])
    op_info = [OPERATION_BY_KEY.get(_operation_key(text)) for text in op_texts]
    op_category = np.array([CATEGORY_CODE[i[0]] if i else -1 for i in op_info], dtype=np.int16)
    op_family = np.array([FAMILY_CODE[i[1]] if i else 0 for i in op_info], dtype=np.int16)
    account_codes, account_texts = _factorize(frame["account"])
    account_wallet = np.array(
        [WALLET_CODE.get(ACCOUNTS.get(_account_key(t), ""), -1) for t in account_texts],
        dtype=np.int16,
    )
    coin_codes, coin_texts = _factorize(frame["coin"])
    time_codes, time_texts = _factorize(frame["utc_time"])
    times, time_errors = _statement_times(time_texts)
    epochs = np.array([int(t.timestamp()) if t else 0 for t in times], dtype=np.int64)
    change_texts = frame["change"].tolist()
    changes = list(map(_decimal, change_texts))
    signs = np.array([(v > 0) - (v < 0) if v is not None else 0 for v in changes], np.int8)
    wallet = account_wallet[account_codes] if len(account_wallet) else account_codes
    category = op_category[op_codes] if len(op_category) else op_codes
    derivative = (wallet == WALLET_CODE[FUTURES_WALLET]) | (wallet == WALLET_CODE[COINM_WALLET])
    category = np.where(
        (category == CATEGORY_CODE[TRADE_FEE]) & derivative, CATEGORY_CODE[COMMISSION], category
    )
    return _Columns(
        path=table.path,
        names=written_names(table),
        lines=lines,
        valid=lines > 0,
        op_codes=op_codes,
        op_texts=op_texts,
        account_codes=account_codes,
        account_texts=account_texts,
        coin_codes=coin_codes,
        coins=[text.strip().upper() for text in coin_texts],
        time_codes=time_codes,
        times=times,
        time_errors=time_errors,
        epochs=epochs,
        change_texts=change_texts,
        changes=changes,
        signs=signs,
        category=category,
        wallet=wallet,
        family=op_family[op_codes] if len(op_family) else op_codes,
    )


def parse_statement(table: Table) -> list[Trade]:
    """Turn a Binance statement into trades, in file-line order.

    The work is column-wise: every distinct operation, account, coin and time is worked out
    once, rows are checked with array masks (a message is built only for a bad row), and trade
    legs are grouped by sorting, so that a statement of a million rows parses in seconds.

    Args:
        table: the statement.

    Returns:
        The trades.

    Raises:
        InputError: every bad row, unknown operation or account, and every group of trade rows
            that does not make a trade.
    """
    _check_data(table)
    # The pass creates millions of objects and no reference cycles: pausing the cyclic
    # collector (restored below) saves it rescanning them all, a third of the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse_statement(table)
    finally:
        if collecting:
            gc.enable()


def _parse_statement(table: Table) -> list[Trade]:
    c = _columns(table)
    _check_rows(c)
    good = c.valid & (c.signs != 0)  # a zero change moves nothing
    out: list[tuple[int, Trade]] = []
    path = c.path

    def rows_of(category: str) -> np.ndarray:
        return np.flatnonzero(good & (c.category == CATEGORY_CODE[category]))

    def columns_of(rows: np.ndarray) -> Iterator[tuple[int, datetime, str, str, Decimal]]:
        times = [c.times[t] for t in c.time_codes[rows].tolist()]
        coins = [c.coins[k] for k in c.coin_codes[rows].tolist()]
        wallets = [WALLETS[w] for w in c.wallet[rows].tolist()]
        changes = [c.changes[r] for r in rows.tolist()]
        yield from zip(c.lines[rows].tolist(), times, coins, wallets, changes, strict=True)  # type: ignore[misc]

    moves = np.sort(np.concatenate([rows_of(DEPOSIT), rows_of(WITHDRAW), rows_of(SEND)]))
    for line, when, coin, wallet, change in columns_of(moves):
        if coin in FIAT_CURRENCIES:
            continue  # fiat is not tracked
        kind = TradeKind.DEPOSIT if change > 0 else TradeKind.WITHDRAWAL
        out.append((line, Trade(when, kind, coin, abs(change), wallet, SourceRef(path, line))))
    # FIAT_MOVE and INTERNAL rows are dropped: fiat is not tracked, and moves within one wallet
    # have no tax effect.
    for category, kind, sign in SINGLE_ROW:
        for line, when, coin, wallet, change in columns_of(rows_of(category)):
            trade = Trade(when, kind, coin, change * sign, wallet, SourceRef(path, line))
            out.append((line, trade))
    for category, kind in DERIVATIVE_ROW:
        for line, when, coin, wallet, change in columns_of(rows_of(category)):
            out.append((line, _statement_derivative(path, line, when, wallet, coin, change, kind)))
    # Liquidation: a realized loss and an insurance-fund row at one second in one account.
    pnl = rows_of(PNL)
    insurance = rows_of(INSURANCE)
    span = max(len(c.account_texts), 1)
    cleared = c.epochs[c.time_codes[insurance]] * span + c.account_codes[insurance]
    keys = c.epochs[c.time_codes[pnl]] * span + c.account_codes[pnl]
    forced = (np.isin(keys, cleared) & (c.signs[pnl] < 0)).tolist()
    for (line, when, coin, wallet, change), liquidated in zip(columns_of(pnl), forced, strict=True):
        kind = TradeKind.LIQUIDATION if liquidated else TradeKind.REALIZED_PNL
        out.append((line, _statement_derivative(path, line, when, wallet, coin, change, kind)))
    out.extend(_statement_transfers(c, rows_of(TRANSFER)))
    trade_rows = np.flatnonzero(
        good & ((c.category == CATEGORY_CODE[TRADE]) | (c.category == CATEGORY_CODE[TRADE_FEE]))
    )
    exchanges, problems = _statement_exchanges(c, trade_rows)
    if problems:
        raise InputError(sorted(problems, key=_problem_order))
    out.extend(exchanges)
    out.sort(key=_first)
    return [trade for _, trade in out]


def _first(item: tuple[int, Trade]) -> int:
    return item[0]


def _problem_order(problem: Problem) -> int:
    return problem.source.line if problem.source is not None else 0


def _statement_derivative(
    path: str, line: int, when: datetime, wallet: str, coin: str, change: Decimal, kind: TradeKind
) -> Trade:
    return Trade(
        timestamp=when,
        kind=kind,
        asset=STATEMENT_CONTRACTS[wallet],
        quantity=ZERO,
        wallet=wallet,
        source=SourceRef(path, line),
        quote_asset=coin,
        quote_quantity=change,
    )


def _check_rows(c: _Columns) -> None:
    """Raise every row problem at once: masks first, messages only for the bad rows."""
    category = c.category
    known = category >= 0
    wallet_known = c.wallet >= 0
    bad_time = np.array([bool(e) for e in c.time_errors], dtype=bool)[c.time_codes]
    bad_coin = np.array([not coin for coin in c.coins], dtype=bool)[c.coin_codes]
    bad_change = np.fromiter((v is None for v in c.changes), dtype=bool, count=len(c.changes))
    safe_category = np.where(known, category, 0)
    safe_wallet = np.where(wallet_known, c.wallet, 0)
    wrong_wallet = known & wallet_known & ~ALLOWED[safe_category, safe_wallet]
    wrong_sign = known & (REQUIRED_SIGN[safe_category] * c.signs < 0) & ~bad_change
    bad = c.valid & (
        ~known | ~wallet_known | bad_time | bad_coin | bad_change | wrong_wallet | wrong_sign
    )
    if not bad.any():
        return
    names, problems = c.names, []
    for row in np.flatnonzero(bad).tolist():
        source = SourceRef(c.path, int(c.lines[row]))
        operation = c.op_texts[c.op_codes[row]].strip()
        account = c.account_texts[c.account_codes[row]].strip()
        if bad_time[row]:
            problems.append(Problem(source, c.time_errors[c.time_codes[row]], names["utc_time"]))
        if not wallet_known[row]:
            problems.append(
                Problem(source, f"unknown account {account!r}: expected one of {ACCOUNT_LIST}",
                        names["account"])
            )  # fmt: skip
        if not known[row]:
            found = f"unknown operation {operation!r}" if operation else "empty operation"
            problems.append(
                Problem(source, f"{found}: expected one of {OPERATION_LIST}", names["operation"])
            )
        if bad_coin[row]:
            problems.append(
                Problem(source, "expected a coin such as BTC, found an empty cell", names["coin"])
            )
        if bad_change[row]:
            text = c.change_texts[row].strip()
            problems.append(
                Problem(source, f"expected a number like -0.125 or -3.6E-05, found {text!r}",
                        names["change"])
            )  # fmt: skip
        if wrong_wallet[row]:
            where = ALLOWED_WALLETS[CATEGORIES[category[row]]][1]
            problems.append(
                Problem(source, f"{operation} is expected in {where}, found {account!r}",
                        names["account"])
            )  # fmt: skip
        if wrong_sign[row]:
            verb = "add to" if REQUIRED_SIGN[category[row]] > 0 else "take from"
            text = c.change_texts[row].strip()
            problems.append(
                Problem(source, f"{operation} should {verb} the balance, found {text!r}",
                        names["change"])
            )  # fmt: skip
    raise InputError(problems)


def _statement_transfers(c: _Columns, rows: np.ndarray) -> list[tuple[int, Trade]]:
    """Net transfer legs per (second, coin, wallet): one wallet's in and out cancel."""
    net: dict[tuple[int, int, int], list[Decimal | int]] = {}
    keys = zip(
        c.time_codes[rows].tolist(),
        c.coin_codes[rows].tolist(),
        c.wallet[rows].tolist(),
        c.lines[rows].tolist(),
        rows.tolist(),
        strict=True,
    )
    for time_code, coin_code, wallet, line, row in keys:
        change = c.changes[row]
        assert change is not None
        entry = net.get((time_code, coin_code, wallet))
        if entry is None:
            net[(time_code, coin_code, wallet)] = [change, line]
        else:
            entry[0] += change
            entry[1] = min(entry[1], line)
    out = []
    for (time_code, coin_code, wallet), (amount, line) in net.items():
        assert isinstance(amount, Decimal) and isinstance(line, int)
        timestamp = c.times[time_code]
        assert timestamp is not None
        if amount == 0:
            continue
        arriving = amount > 0
        trade = Trade(
            timestamp=timestamp,
            kind=TradeKind.DEPOSIT if arriving else TradeKind.WITHDRAWAL,
            asset=c.coins[coin_code],
            quantity=abs(amount),
            wallet=WALLETS[wallet],
            source=SourceRef(c.path, line),
            note="transfer between Binance accounts",
        )
        out.append((line, trade))
    return out


def _statement_exchanges(
    c: _Columns, rows: np.ndarray
) -> tuple[list[tuple[int, Trade]], list[Problem]]:
    """Group trade legs by (second, account, family); merge split seconds; resolve each."""
    if not len(rows):
        return [], []
    families = len(FAMILIES)
    accounts = max(len(c.account_texts), 1)
    second = accounts * families  # one second in the combined key
    epochs = c.epochs[c.time_codes[rows]]
    keys = (epochs - epochs.min()) * second + c.account_codes[rows] * families + c.family[rows]
    order = np.lexsort((c.lines[rows], keys))
    rows, keys = rows[order], keys[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(rows)]
    fee = c.category[rows] == CATEGORY_CODE[TRADE_FEE]
    signs = c.signs[rows]
    has_pos = np.maximum.reduceat(((signs > 0) & ~fee).astype(np.int8), starts) > 0
    has_neg = np.maximum.reduceat(((signs < 0) & ~fee).astype(np.int8), starts) > 0
    group_keys = keys[starts]
    joined = _merge_split_seconds(group_keys, has_pos, has_neg, second)

    coins = [c.coins[k] for k in c.coin_codes[rows].tolist()]
    changes = [c.changes[r] for r in rows.tolist()]
    lines = c.lines[rows].tolist()
    fees = fee.tolist()
    first_rows = rows[starts].tolist()
    out: list[tuple[int, Trade]] = []
    problems: list[Problem] = []
    forced_family = FAMILY_CODE["forced"]
    for group, (start, end) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        members = joined.get(group)
        if members is None:
            g_coins, g_changes = coins[start:end], changes[start:end]
            g_lines, g_fees = lines[start:end], fees[start:end]
        elif not members:
            continue  # merged into another group
        else:
            spans = [(start, end)] + [(int(starts[m]), int(ends[m])) for m in members]
            g_coins = [x for a, b in spans for x in coins[a:b]]
            g_changes = [x for a, b in spans for x in changes[a:b]]
            g_lines = [x for a, b in spans for x in lines[a:b]]
            g_fees = [x for a, b in spans for x in fees[a:b]]
        row = first_rows[group]
        timestamp = c.times[c.time_codes[row]]
        assert timestamp is not None
        wallet = WALLETS[c.wallet[row]]
        try:
            resolved = _resolve(
                g_coins, g_changes, g_lines, g_fees, forced=c.family[row] == forced_family
            )  # type: ignore[arg-type]
        except Unresolvable as exc:
            card = None
            if c.family[row] == FAMILY_CODE["buy-crypto"]:
                card = _card_purchase(g_coins, g_changes, g_lines, g_fees, timestamp, wallet,
                                      c.path)  # fmt: skip
            if card is not None:
                out.append((card.source.line, card))
                continue
            rows_here = [int(r) for r in rows[start:end]] + [
                int(r) for m in (members or []) for r in rows[starts[m] : ends[m]]
            ]
            operations = "/".join(sorted({c.op_texts[c.op_codes[r]].strip() for r in rows_here}))
            where = c.account_texts[c.account_codes[row]].strip()
            problems.append(
                Problem(
                    SourceRef(c.path, min(g_lines)),
                    f"{operations} rows at {timestamp:%Y-%m-%d %H:%M:%S} in {where}: {exc} "
                    f"({_lines_phrase(g_lines)})",
                    column=c.names["change"],
                )
            )
            continue
        for trade in _swap_trades(resolved, timestamp, wallet, c.path):
            out.append((trade.source.line, trade))
    return out, problems


#: The note of a statement ``Buy Crypto`` with only the coin received (issue #13).
CARD_NOTE = "card purchase: only the coin received is in the statement"


def _card_purchase(
    coins: Sequence[str],
    changes: Sequence[Decimal | None],
    lines: Sequence[int],
    fees: Sequence[bool],
    timestamp: datetime,
    wallet: str,
    path: str,
) -> Trade | None:
    """A ``Buy Crypto`` group with only the coin received (a card purchase: the card payment
    is not a Binance balance, so the statement has no leg for it), as a BUY with no
    counter-asset: its cost is the coin's value that day. None for any other shape."""
    legs = [(coin, change) for coin, change, fee in zip(coins, changes, fees, strict=True)
            if not fee]  # fmt: skip
    if any(fees) or not legs or any(change is None or change <= 0 for _, change in legs):
        return None
    if len({coin for coin, _ in legs}) != 1:
        return None
    total = sum((change for _, change in legs if change is not None), ZERO)
    return Trade(
        timestamp=timestamp,
        kind=TradeKind.BUY,
        asset=legs[0][0],
        quantity=total,
        wallet=wallet,
        source=SourceRef(path, min(lines)),
        note=CARD_NOTE,
    )


def card_notices(trades: Sequence[Trade]) -> list[Notice]:
    """A warning for each card purchase read from the statement (``_card_purchase``)."""
    return [
        Notice(
            "card_purchase_value",
            f"Buy Crypto of {plain(t.quantity)} {t.asset} has only the coin received in the "
            "statement (paid by card: the payment is not a Binance balance). It is counted as "
            "a purchase at its value that day (par for a stablecoin such as USDT, else a "
            "--prices row); check the cost against the card statement or Binance's buy crypto "
            "history export",
            t.source,
        )
        for t in trades
        if t.note == CARD_NOTE
    ]


def _merge_split_seconds(
    keys: np.ndarray, has_pos: np.ndarray, has_neg: np.ndarray, second: int
) -> dict[int, list[int]]:
    """Join trade groups that straddle a second (see the module docstring).

    Returns:
        group -> the groups merged into it; a merged-away group maps to an empty list.
    """
    joined: dict[int, list[int]] = {}
    incomplete = np.flatnonzero(~(has_pos & has_neg)).tolist()
    if not incomplete:
        return joined
    count = len(keys)
    pos, neg = has_pos.tolist(), has_neg.tolist()

    def find(key: int) -> int:
        index = int(np.searchsorted(keys, key))
        return index if index < count and int(keys[index]) == key else -1

    for group in incomplete:
        if joined.get(group) == []:
            continue  # already merged into another group
        key = int(keys[group])
        if not pos[group] and not neg[group]:  # fee rows only: join the trade next to them
            for other in (find(key - second), find(key + second)):
                if other >= 0 and joined.get(other) != [] and (pos[other] or neg[other]):
                    joined.setdefault(other, []).append(group)
                    joined[group] = []
                    break
            continue
        later = find(key + second)
        if later < 0 or joined.get(later) == [] or (pos[later] and neg[later]):
            continue
        if (pos[group] or pos[later]) and (neg[group] or neg[later]):
            joined.setdefault(group, []).extend([later, *joined.get(later, [])])
            joined[later] = []
            pos[group] = neg[group] = True
    return joined


# -- binance-futures --------------------------------------------------------------------------

FUTURES_REQUIRED = ("type", "amount", "asset", "symbol", "transaction id")

#: Futures income types -> what they become.
FUTURES_TYPES = {
    "REALIZED_PNL": TradeKind.REALIZED_PNL,
    "COMMISSION": TradeKind.COMMISSION,
    "POSITION_LIMIT_INCREASE_FEE": TradeKind.COMMISSION,
    "FUNDING_FEE": TradeKind.FUNDING,
    "INSURANCE_CLEAR": TradeKind.INSURANCE_FEE,
    "DELIVERED_SETTELMENT": TradeKind.REALIZED_PNL,
    "DELIVERED_SETTLEMENT": TradeKind.REALIZED_PNL,
    "TRANSFER": TradeKind.DEPOSIT,  # or WITHDRAWAL, by sign
    "REFERRAL_KICKBACK": TradeKind.INCOME,
    "COMMISSION_REBATE": TradeKind.INCOME,
    "WELCOME_BONUS": TradeKind.INCOME,
    "CONTEST_REWARD": TradeKind.INCOME,
    "COIN_SWAP_DEPOSIT": TradeKind.BUY,  # legs of a swap, paired by second
    "COIN_SWAP_WITHDRAW": TradeKind.BUY,
    "AUTO_EXCHANGE": TradeKind.BUY,
}
FUTURES_TYPE_LIST = ", ".join(t for t in FUTURES_TYPES if t != "DELIVERED_SETTLEMENT")
_COINM_SYMBOL = re.compile(r"[A-Z0-9]+USD_(PERP|\d{6})")
_DATED_SYMBOL = re.compile(r"[A-Z0-9]+_\d{6}")


def contract_name(symbol: str) -> str:
    """The taxloss contract for a Binance futures symbol.

    Args:
        symbol: e.g. ``BTCUSDT``, ``BTCUSD_PERP``, ``BTCUSD_250627``.

    Returns:
        ``BTCUSDT-PERP``, ``BTCUSD-PERP``, ``BTCUSD_250627``.
    """
    text = symbol.strip().upper()
    if text.endswith("_PERP"):
        return text[: -len("_PERP")] + "-PERP"
    if _DATED_SYMBOL.fullmatch(text):
        return text
    return text + "-PERP"


def futures_wallet(symbol: str) -> str:
    """``binance-coinm`` for COIN-M symbols (``BTCUSD_PERP``), else ``binance-futures``."""
    return COINM_WALLET if _COINM_SYMBOL.fullmatch(symbol.strip().upper()) else FUTURES_WALLET


@register("binance-futures")
class BinanceFutures:
    """Binance USDⓈ-M / COIN-M futures transaction history."""

    title = "Binance futures transaction history"
    layouts = (("date(utc)", *FUTURES_REQUIRED),)
    download = (
        "Binance: Derivatives > USDⓈ-M (or COIN-M) Futures > Transaction History > Export (CSV)."
    )

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """``Date(UTC),type,Amount,Asset,Symbol,Transaction ID``."""
        return _date_column(header) is not None and set(FUTURES_REQUIRED) <= set(header)

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """One trade per row (swap legs paired); all row errors raised together."""
        yield from parse_futures(table)


def parse_futures(table: Table) -> list[Trade]:
    """Turn a Binance futures transaction history into trades.

    Args:
        table: the export.

    Returns:
        The trades, in file-line order.

    Raises:
        InputError: bad dates, numbers, unknown types, missing symbols; swap legs that do not
            pair.
    """
    _check_data(table)
    found = _date_column(table.header)
    assert found is not None
    date_column, zone = found
    reader = Rows(table)
    symbols = {s.strip().upper() for s in reader.cells("symbol") or () if s.strip()}
    coinm_only = bool(symbols) and all(futures_wallet(s) == COINM_WALLET for s in symbols)
    file_wallet = COINM_WALLET if coinm_only else FUTURES_WALLET
    rows: list[tuple[int, datetime, str, Decimal, str, str, str]] = []
    for row in reader:
        timestamp = row.time(date_column, zone, parse=_timestamp)
        kind_text = row.text("type").upper()
        if kind_text not in FUTURES_TYPES:
            row.bad(
                "type", f"unknown type {row.text('type')!r}: expected one of {FUTURES_TYPE_LIST}"
            )
        amount = row.value("amount", _plain_number)
        asset = row.text("asset").upper()
        if not asset:
            row.bad("asset", "expected an asset such as USDT, found an empty cell")
        symbol = row.text("symbol").upper()
        kind = FUTURES_TYPES.get(kind_text)
        derivative = kind in (
            TradeKind.REALIZED_PNL,
            TradeKind.COMMISSION,
            TradeKind.FUNDING,
            TradeKind.INSURANCE_FEE,
        )
        if derivative and not symbol:
            row.bad("symbol", f"a {kind_text} row needs its contract symbol, e.g. BTCUSDT")
        if kind is TradeKind.INCOME and amount is not None and amount < 0:
            row.bad(
                "amount", f"a {kind_text} should add to the balance, found {row.text('amount')!r}"
            )
        if row.problems:
            continue
        assert timestamp is not None and amount is not None
        if amount == 0:
            continue  # moves nothing
        line = row.source.line
        rows.append((line, timestamp, kind_text, amount, asset, symbol, row.text("transaction id")))
    reader.finish()

    path = table.path
    cleared = {(r[1], r[5]) for r in rows if r[2] == "INSURANCE_CLEAR"}
    trades: list[tuple[int, int, Trade]] = []
    swaps: dict[tuple[datetime, str, str], list[tuple[int, Decimal, str, str]]] = defaultdict(list)
    for line, timestamp, kind_text, amount, asset, symbol, transaction in rows:
        kind = FUTURES_TYPES[kind_text]
        wallet = futures_wallet(symbol) if symbol else file_wallet
        external_id = f"binance:{transaction}" if transaction else ""
        source = SourceRef(path, line)
        if kind is TradeKind.BUY:  # swap legs
            family = "auto-exchange" if kind_text == "AUTO_EXCHANGE" else "coin-swap"
            swaps[(timestamp, wallet, family)].append((line, amount, asset, external_id))
            continue
        if kind is TradeKind.DEPOSIT:
            trade = Trade(
                timestamp=timestamp,
                kind=TradeKind.DEPOSIT if amount > 0 else TradeKind.WITHDRAWAL,
                asset=asset,
                quantity=abs(amount),
                wallet=wallet,
                source=source,
                external_id=external_id,
            )
        elif kind is TradeKind.INCOME:
            trade = Trade(
                timestamp=timestamp,
                kind=kind,
                asset=asset,
                quantity=amount,
                wallet=wallet,
                source=source,
                external_id=external_id,
            )
        else:
            if kind_text == "REALIZED_PNL" and (timestamp, symbol) in cleared:
                kind = TradeKind.LIQUIDATION
            trade = Trade(
                timestamp=timestamp,
                kind=kind,
                asset=contract_name(symbol),
                quantity=ZERO,
                wallet=wallet,
                source=source,
                quote_asset=asset,
                quote_quantity=amount,
                external_id=external_id,
            )
        trades.append((line, len(trades), trade))
    for (timestamp, wallet, family), members in swaps.items():
        legs = [Leg(asset, amount, line) for line, amount, asset, _ in members]
        first = min(members)
        try:
            resolved = resolve_legs(legs)
        except Unresolvable as exc:
            reader.bad(
                SourceRef(path, first[0]),
                "amount",
                f"{family} rows at {timestamp:%Y-%m-%d %H:%M:%S}: {exc} "
                f"({_lines_phrase([m[0] for m in members])})",
            )
            continue
        for trade in _swap_trades(resolved, timestamp, wallet, path, first[3]):
            trades.append((trade.source.line, len(trades), trade))
    reader.finish(by_line=True)
    trades.sort(key=lambda item: (item[0], item[1]))
    return [trade for _, _, trade in trades]


__all__ = [
    "BinanceFutures",
    "BinanceSpotTrades",
    "BinanceStatement",
    "Leg",
    "Unresolvable",
    "contract_name",
    "futures_wallet",
    "parse_futures",
    "parse_statement",
    "resolve_legs",
]
