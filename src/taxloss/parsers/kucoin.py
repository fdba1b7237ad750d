"""KuCoin exports: spot filled orders, deposits, withdrawals and futures realized PnL.

KuCoin hands these out as CSV/XLSX files (often in a ZIP "bundle"). Every time column names
its offset in the header, e.g. ``Filled Time(UTC+08:00)`` or ``Time(UTC)``; that offset is
used. A time column without one (older layouts: ``tradeCreatedAt``, ``createdDate``, or a
bundle's bare ``Filled Time``) is taken as UTC+8, KuCoin's default (BittyTax reads those as
Asia/Singapore), unless ``--timezone`` says otherwise.

Wallets: ``kucoin`` for the main/funding/trading accounts (moves between them have no tax
effect and do not appear in these files), ``kucoin-margin`` for trades in a margin account,
``kucoin-futures`` for USDT/USDC-margined futures and ``kucoin-coinm`` for coin-margined ones.
Column aliases and header zones come from the shared helpers in ``rows.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from decimal import Decimal

from taxloss.errors import InputError, Problem
from taxloss.model import Trade, TradeKind
from taxloss.money import ZERO, plain
from taxloss.parsers import ParseOptions, register
from taxloss.parsers.notes import file_zone
from taxloss.parsers.numbers import fixed_offset
from taxloss.parsers.rows import (
    Columns,
    Row,
    Rows,
    has_column,
    header_zone,
    require_rows,
    words,
)
from taxloss.parsers.table import Table

#: KuCoin's default display zone, for time columns that name none.
KUCOIN_DEFAULT_ZONE = fixed_offset(8)

#: A pair read from a row: base, quote, and whether the text had the separator at all.
Pair = tuple[str, str, bool]
#: One filled row: time, side, base, quote, amount, volume, fee, fee asset.
Fill = tuple[datetime, str, str, str, Decimal, Decimal, Decimal, str]

#: Account Type -> wallet. Main, funding and trading accounts share one wallet: transfers
#: between them have no tax effect (and are not in these exports).
ACCOUNT_WALLETS = {
    "": "kucoin",
    "main": "kucoin",
    "main account": "kucoin",
    "funding": "kucoin",
    "funding account": "kucoin",
    "trade": "kucoin",
    "trading": "kucoin",
    "trading account": "kucoin",
    "spot": "kucoin",
    "spot account": "kucoin",
    "trade hf": "kucoin",
    "hf trading": "kucoin",
    "high-frequency trading": "kucoin",
    "high-frequency trading account": "kucoin",
    "margin": "kucoin-margin",
    "margin account": "kucoin-margin",
    "cross margin": "kucoin-margin",
    "cross margin account": "kucoin-margin",
    "isolated": "kucoin-margin",
    "isolated margin": "kucoin-margin",
    "isolated margin account": "kucoin-margin",
    "futures": "kucoin-futures",
    "futures account": "kucoin-futures",
    "contract": "kucoin-futures",
}


def _zone(columns: Columns, name: str, options: ParseOptions) -> tzinfo:
    """The header's offset, else ``--timezone``, else KuCoin's UTC+8 (recorded as assumed)."""
    return file_zone(
        columns.table,
        options,
        columns.zone(name),
        KUCOIN_DEFAULT_ZONE,
        "KuCoin's default display zone",
        columns.written.get(name, name),
    )


def _wallet(row: Row, column: str | None) -> str | None:
    text = row.text(column)
    wallet = ACCOUNT_WALLETS.get(words(text.replace("_", " ")))
    if wallet is None:
        row.bad(
            column,
            f"unknown account type {text!r}: expected Main, Funding, Trading, Margin, Isolated "
            "Margin or Futures",
        )
    return wallet


# -- what the spot and 2019 trade readers share -----------------------------------------------


def _split_pair(row: Row, column: str, separator: str, example: str, also: str = "") -> Pair:
    """The row's pair as (base, quote, well formed): ``BTC-USDT`` split at ``separator``
    (``also``, if given, is read as ``separator`` first); a problem when it is not a pair."""
    text = row.text(column).upper()
    base, mark, quote = (text.replace(also, separator) if also else text).partition(separator)
    if not (mark and base and quote and separator not in quote):
        row.bad(column, f"expected a pair like {example}, found {text!r}")
    return base, quote, bool(mark)


def _side(row: Row, column: str) -> str:
    """``buy`` or ``sell`` (anything else is a problem)."""
    side_text = row.text(column)
    side = side_text.lower()
    if side not in ("buy", "sell"):
        row.bad(column, f"expected buy or sell, found {side_text!r}")
    return side


def _check_fee(
    row: Row, fee: Decimal, column: str, asset: str, asset_column: str | None, noun: str
) -> None:
    """A fee is zero or more, and a non-zero one names its asset (``noun``: its column's word)."""
    if fee < 0:
        row.bad(column, f"expected a fee of zero or more, found {plain(fee)}")
    if fee and not asset:
        row.bad(asset_column, f"a fee needs its {noun}")


def _fill(
    row: Row,
    found: dict[str, str],
    fill: Fill,
    wallet: str,
    external_id: str = "",
    filled: str = "",
) -> Trade | None:
    """The BUY or SELL of one filled row (None, with a problem, unless both amounts are
    positive; ``filled``: the word the message puts before "amounts")."""
    timestamp, side, base, quote, amount, volume, fee, fee_asset = fill
    if amount <= 0 or volume <= 0:
        row.bad(
            found["amount"] if amount <= 0 else found["volume"],
            f"expected positive {filled}amounts, found {plain(amount)} {base} for "
            f"{plain(volume)} {quote}",
        )
        return None
    return Trade(
        timestamp=timestamp,
        kind=TradeKind.BUY if side == "buy" else TradeKind.SELL,
        asset=base,
        quantity=amount,
        wallet=wallet,
        source=row.source,
        quote_asset=quote,
        quote_quantity=volume,
        fee_asset=fee_asset if fee else "",
        fee_quantity=fee if fee else None,
        external_id=external_id,
    )


# -- spot orders ------------------------------------------------------------------------------

#: The three known spot layouts: role -> aliases (normalized header names).
SPOT_LAYOUTS: dict[str, dict[str, tuple[str, ...]]] = {
    "filled orders": {
        "time": ("filled time",),
        "symbol": ("symbol",),
        "side": ("side",),
        "amount": ("filled amount",),
        "volume": ("filled volume",),
        "fee": ("fee",),
        "fee currency": ("fee currency",),
    },
    "trades (tradeCreatedAt)": {
        "time": ("tradecreatedat",),
        "symbol": ("symbol",),
        "side": ("side",),
        "amount": ("size",),
        "volume": ("funds",),
        "fee": ("fee",),
        "fee currency": ("feecurrency",),
    },
    "trades (createdDate)": {
        "time": ("createddate",),
        "symbol": ("symbol",),
        "side": ("direction",),
        "amount": ("amount",),
        "volume": ("dealvalue",),
        "fee": ("fee",),
    },
}
SPOT_MARKERS = {
    "filled orders": ("filled amount", "filled volume"),
    "trades (tradeCreatedAt)": ("tradecreatedat", "funds"),
    "trades (createdDate)": ("oid", "dealvalue", "createddate"),
}


def _spot_layout(header: tuple[str, ...]) -> str | None:
    bases = {header_zone(cell)[0] for cell in header}
    for name, markers in SPOT_MARKERS.items():
        if set(markers) <= bases and "symbol" in bases:
            return name
    return None


@register("kucoin-spot")
class KucoinSpotOrders:
    """KuCoin spot filled orders: one BUY or SELL per row.

    ``Symbol`` ``BTC-USDT`` = base-quote; ``Filled Amount`` is the base, ``Filled Volume`` the
    quote (before the fee), ``Fee`` in ``Fee Currency`` (the quote in the ``createdDate``
    layout, which has no fee currency). A buy's fee taken in the base leaves ``quantity`` gross
    (the engine subtracts it). ``Order ID`` becomes the external id in the filled-orders layout;
    the older layouts list fills (several per order), so they carry no id. A row with nothing
    filled (``Filled Amount`` and ``Filled Volume`` both 0, a cancelled order) is dropped. A
    non-zero ``Tax`` is an error: which asset it was paid in is not known. ``Filled Volume
    (USDT)`` is not used: the engine values a non-USD pair itself (par stablecoin quote, or a
    --prices row), and a USDT figure is not a USD value.
    """

    title = "KuCoin spot orders (filled)"
    layouts = (
        (
            "uid",
            "account type",
            "order id",
            "symbol",
            "side",
            "order type",
            "avg. filled price",
            "filled amount",
            "filled volume",
            "filled volume (usdt)",
            "filled time(utc+08:00)",
            "fee",
            "tax",
            "maker/taker",
            "fee currency",
        ),
        (
            "tradecreatedat",
            "orderid",
            "symbol",
            "side",
            "price",
            "size",
            "funds",
            "fee",
            "liquidity",
            "feecurrency",
            "ordertype",
        ),
        ("oid", "symbol", "dealprice", "dealvalue", "amount", "fee", "direction", "createddate"),
    )
    download = (
        "KuCoin: Orders > Spot Orders > Filled Orders > Export (or Account > Export Data > "
        "Spot Orders, the 'Filled Orders' file of the bundle), CSV or XLSX."
    )

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim any of the three KuCoin spot layouts."""
        return _spot_layout(header) is not None

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Read every row; raise all problems at once."""
        columns = Columns(table)
        layout = _spot_layout(table.header)
        assert layout is not None  # detect() claimed the header
        problems: list[Problem] = []
        found = columns.require(SPOT_LAYOUTS[layout], problems)
        if problems:
            raise InputError(problems)
        rows = Rows(table)
        require_rows(table, "filled orders")
        zone = _zone(columns, found["time"], options)
        account_col = columns.find(("account type",))
        id_col = columns.find(("order id",)) if layout == "filled orders" else None
        tax_col = columns.find(("tax",))
        trades: list[Trade] = []
        for row in rows:
            timestamp = row.time(found["time"], zone)
            base, quote, _ = _split_pair(row, found["symbol"], "-", "BTC-USDT")
            side = _side(row, found["side"])
            amount = row.number(found["amount"], required=True)
            volume = row.number(found["volume"], required=True)
            fee = row.number(found["fee"]) or ZERO
            fee_asset = row.text(found.get("fee currency")).upper()
            if "fee currency" not in found:
                fee_asset = quote
            _check_fee(row, fee, found["fee"], fee_asset, found.get("fee currency"), "currency")
            tax = row.number(tax_col)
            if tax:
                row.bad(
                    tax_col,
                    f"a non-zero tax ({plain(tax)}) is not supported: the export does not say "
                    "in which asset it was paid",
                )
            wallet = _wallet(row, account_col)
            if row.problems:
                continue
            assert timestamp is not None and amount is not None and volume is not None
            assert wallet is not None
            if amount == 0 and volume == 0:
                continue  # nothing filled (a cancelled order): no effect
            order_id = row.text(id_col)
            fill = (timestamp, side, base, quote, amount, volume, fee, fee_asset)
            trade = _fill(
                row, found, fill, wallet, f"kucoin:{order_id}" if order_id else "", "filled "
            )
            if trade is not None:
                trades.append(trade)
        rows.finish()
        yield from trades


# -- deposits and withdrawals -----------------------------------------------------------------

TRANSFER_COLUMNS: dict[str, tuple[str, ...]] = {
    "time": ("time",),
    "coin": ("coin",),
    "amount": ("amount",),
    "status": ("status",),
}
WITHDRAWAL_ADDRESS = ("withdrawal address/account", "withdrawal address")
#: Only completed transfers moved units.
DONE = frozenset({"success", "succeeded", "completed", "complete"})
#: Dropped on purpose: nothing moved (failed or cancelled), or not yet (still in progress at
#: export time: export again once it completes).
NOT_DONE = frozenset(
    {
        "processing",
        "wallet processing",
        "review",
        "failure",
        "failed",
        "fail",
        "cancel",
        "canceled",
        "cancelled",
    }
)


def _is_transfer_file(header: tuple[str, ...]) -> bool:
    return (
        has_column(header, ("time",))
        and {"coin", "status", "transfer network"} <= set(header)
        and "uid" in header
    )


def _transfers(table: Table, options: ParseOptions, kind: TradeKind) -> Iterator[Trade]:
    columns = Columns(table)
    problems: list[Problem] = []
    found = columns.require(TRANSFER_COLUMNS, problems)
    if problems:
        raise InputError(problems)
    rows = Rows(table)
    require_rows(table, "deposits" if kind is TradeKind.DEPOSIT else "withdrawals")
    zone = _zone(columns, found["time"], options)
    fee_col = columns.find(("fee",))
    account_col = columns.find(("account type",))
    remarks_col = columns.find(("remarks", "remark"))
    trades: list[Trade] = []
    for row in rows:
        status_text = row.text(found["status"])
        status = words(status_text.replace("_", " "))
        if status in NOT_DONE:
            continue
        if status not in DONE:
            row.bad(
                found["status"],
                f"unknown status {status_text!r}: expected SUCCESS (counted) or PROCESSING, "
                "WALLET_PROCESSING, REVIEW, FAILURE, CANCEL (not counted)",
            )
            continue
        timestamp = row.time(found["time"], zone)
        coin = row.text(found["coin"]).upper()
        if not coin:
            row.bad(found["coin"], "expected the coin, found an empty cell")
        amount = row.number(found["amount"], required=True)
        if amount is not None and amount <= 0:
            row.bad(found["amount"], f"expected a positive amount, found {plain(amount)}")
        fee = row.number(fee_col) or ZERO
        if fee < 0:
            row.bad(fee_col, f"expected a fee of zero or more, found {plain(fee)}")
        wallet = _wallet(row, account_col)
        if row.problems:
            continue
        assert timestamp is not None and amount is not None and wallet is not None
        trades.append(
            Trade(
                timestamp=timestamp,
                kind=kind,
                asset=coin,
                quantity=amount,
                wallet=wallet,
                source=row.source,
                fee_asset=coin if fee else "",
                fee_quantity=fee if fee else None,
                note=row.text(remarks_col),
            )
        )
    rows.finish()
    yield from trades


@register("kucoin-deposits")
class KucoinDeposits:
    """KuCoin deposit history: each successful deposit is a DEPOSIT of ``Amount`` of ``Coin``.

    ``Fee`` (rarely non-zero) is taken from the units deposited. Rows whose ``Status`` is not
    successful are dropped (see NOT_DONE); an unknown status is an error.
    """

    title = "KuCoin deposit history"
    layouts = (
        (
            "uid",
            "account type",
            "time(utc+08:00)",
            "coin",
            "amount",
            "fee",
            "hash",
            "deposit address",
            "transfer network",
            "status",
            "remarks",
        ),
    )
    download = (
        "KuCoin: Assets > Deposit/Withdrawal History > Deposit > Export (or the 'Deposit "
        "History' file of the Export Data bundle), CSV or XLSX."
    )

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim the deposit layout: the transfer columns without a withdrawal address."""
        return _is_transfer_file(header) and not has_column(header, WITHDRAWAL_ADDRESS)

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Read every row; raise all problems at once."""
        return _transfers(table, options, TradeKind.DEPOSIT)


@register("kucoin-withdrawals")
class KucoinWithdrawals:
    """KuCoin withdrawal history: each successful withdrawal is a WITHDRAWAL of ``Amount`` of
    ``Coin`` plus its ``Fee`` in the same coin (as BittyTax reads it: the fee is on top of the
    amount sent). Unsuccessful statuses are dropped; an unknown status is an error.
    """

    title = "KuCoin withdrawal history"
    layouts = (
        (
            "uid",
            "account type",
            "time(utc+08:00)",
            "coin",
            "amount",
            "fee",
            "hash",
            "withdrawal address/account",
            "transfer network",
            "status",
            "remarks",
        ),
    )
    download = (
        "KuCoin: Assets > Deposit/Withdrawal History > Withdrawal > Export (or the 'Withdrawal "
        "Record' file of the Export Data bundle), CSV or XLSX."
    )

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim the withdrawal layout: the transfer columns with a withdrawal address."""
        return _is_transfer_file(header) and has_column(header, WITHDRAWAL_ADDRESS)

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Read every row; raise all problems at once."""
        return _transfers(table, options, TradeKind.WITHDRAWAL)


# -- futures realized PnL ---------------------------------------------------------------------

FUTURES_COLUMNS: dict[str, tuple[str, ...]] = {
    "symbol": ("symbol",),
    "close type": ("close type",),
    "total funding fees": ("total funding fees", "funding fees"),
    "total trading fees": ("total trading fees", "trading fees"),
    "closing time": ("position closing time", "closing time"),
}
NET_PNL = ("total realized pnl", "total realised pnl")
PNL = ("realized pnl", "realised pnl")
OPENING_TIME = ("position opening time", "opening time")

#: Close Type -> (kind, side). KuCoin's API names them CLOSE_LONG, LIQUID_SHORT, ADL_LONG...;
#: the UI's exact labels are not verified, so both spellings are listed.
CLOSE_TYPES: dict[str, tuple[TradeKind, str]] = {}
for _word, _kind in (
    ("close", TradeKind.REALIZED_PNL),
    ("closed", TradeKind.REALIZED_PNL),
    ("trade", TradeKind.REALIZED_PNL),
    ("take profit", TradeKind.REALIZED_PNL),
    ("stop loss", TradeKind.REALIZED_PNL),
    ("tp/sl", TradeKind.REALIZED_PNL),
    # Auto-deleveraging closes a PROFITABLE position against a liquidated counterparty: the
    # taxpayer's own position was not liquidated, so it is an ordinary close (noted).
    ("adl", TradeKind.REALIZED_PNL),
    ("auto-deleveraging", TradeKind.REALIZED_PNL),
    ("liquid", TradeKind.LIQUIDATION),
    ("liquidation", TradeKind.LIQUIDATION),
    ("liquidated", TradeKind.LIQUIDATION),
    ("forced liquidation", TradeKind.LIQUIDATION),
):
    CLOSE_TYPES[_word] = (_kind, "")
    CLOSE_TYPES[f"{_word} long"] = (_kind, "long")
    CLOSE_TYPES[f"{_word} short"] = (_kind, "short")

_LINEAR_SYMBOL = re.compile(r"^(?P<base>[A-Z0-9]+?)(?P<quote>USDT|USDC)M$")
_INVERSE_SYMBOL = re.compile(r"^(?P<base>[A-Z0-9]+?)USDM$")
_DATED_SYMBOL = re.compile(r"^(?P<base>[A-Z0-9]+?)M(?P<month>[FGHJKMNQUVXZ])(?P<year>\d{2})$")

#: Money differences below this (in the settlement coin) are display rounding, not a mismatch.
TOLERANCE = Decimal("0.01")


def kucoin_contract(symbol: str) -> tuple[str, str, str] | None:
    """(contract name, settlement coin, wallet) for a KuCoin futures symbol.

    ``XBTUSDTM`` -> ``BTCUSDT-PERP`` settled in USDT (kucoin-futures; XBT is KuCoin's BTC, the
    trailing M marks the perpetual); ``XBTUSDM`` -> ``BTCUSD-PERP`` settled in BTC
    (kucoin-coinm); a dated coin-margined future such as ``XBTMH25`` keeps its name
    (``BTCMH25``) and settles in its base coin.
    """
    symbol = symbol.upper()
    if match := _LINEAR_SYMBOL.match(symbol):
        base = _coin(match["base"])
        return f"{base}{match['quote']}-PERP", match["quote"], "kucoin-futures"
    if match := _INVERSE_SYMBOL.match(symbol):
        base = _coin(match["base"])
        return f"{base}USD-PERP", base, "kucoin-coinm"
    if match := _DATED_SYMBOL.match(symbol):
        base = _coin(match["base"])
        return f"{base}M{match['month']}{match['year']}", base, "kucoin-coinm"
    return None


def _coin(code: str) -> str:
    return "BTC" if code == "XBT" else code


@register("kucoin-futures-pnl")
class KucoinFuturesRealizedPnl:
    """KuCoin futures "Orders Realized PNL": one closed position per row.

    Each row becomes up to three trades of one position (id
    ``kucoin:<UID>:<Symbol>:<closing time, UTC>``), opened at ``Position Opening Time``:

    * REALIZED_PNL (LIQUIDATION when ``Close Type`` says liquidation) with the price PnL,
    * FUNDING = ``Total Funding Fees`` as signed (positive = received, negative = paid),
    * COMMISSION = minus ``Total Trading Fees`` (positive = paid, so a negative = a rebate).

    Signs: KuCoin's position history API gives ``pnl = -realisedGrossCost - tradeFee +
    fundingFee`` (its own example rows add up that way), and its help centre says realized PnL
    "includes the position PNL, trading fees as well as funding fees". So ``Total Realized
    PNL`` is taken as the net result and the price PnL is ``Total Realized PNL - Total Funding
    Fees + Total Trading Fees``: the three trades add up to the exchange's net figure.
    ``Realized PNL`` must equal either the net (as BittyTax reads it) or that price PnL, within
    0.01 of display rounding; any other value is an error, because then the columns mean
    something not yet understood.
    Close size and side: size is not in the export (quantity 0); the side comes from the
    Close Type when it names one (``Close Long``, ``LIQUID_SHORT``).
    """

    title = "KuCoin futures realized PnL (closed positions)"
    layouts = (
        (
            "uid",
            "account type",
            "symbol",
            "close type",
            "realized pnl",
            "total realized pnl",
            "total funding fees",
            "total trading fees",
            "position opening time(utc+08:00)",
            "position closing time(utc+08:00)",
        ),
    )
    download = (
        "KuCoin: Orders > Futures Orders > Realized PNL > Export (or the 'Futures Orders_"
        "Realized PNL' file of the Export Data bundle), CSV or XLSX."
    )

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim Symbol, Close Type, the PnL and fee totals and a closing time."""
        return (
            {"symbol", "close type"} <= set(header)
            and (has_column(header, NET_PNL) or has_column(header, PNL))
            and has_column(header, FUTURES_COLUMNS["total funding fees"])
            and has_column(header, FUTURES_COLUMNS["closing time"])
        )

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Read every row; raise all problems at once."""
        columns = Columns(table)
        problems: list[Problem] = []
        found = columns.require(FUTURES_COLUMNS, problems)
        net_col = columns.find(NET_PNL)
        pnl_col = columns.find(PNL)
        if net_col is None and pnl_col is None:
            columns.require({"total realized pnl": NET_PNL}, problems)
        if problems:
            raise InputError(problems)
        rows = Rows(table)
        require_rows(table, "closed positions")
        close_col = found["closing time"]
        open_col = columns.find(OPENING_TIME)
        close_zone = _zone(columns, close_col, options)
        open_zone = _zone(columns, open_col, options) if open_col else close_zone
        uid_col = columns.find(("uid",))
        trades: list[Trade] = []
        for row in rows:
            closed = row.time(close_col, close_zone)
            opened = None
            if open_col and row.text(open_col):
                opened = row.time(open_col, open_zone)
            symbol = row.text(found["symbol"]).upper()
            contract = kucoin_contract(symbol)
            if contract is None:
                row.bad(
                    found["symbol"],
                    "expected a futures symbol like XBTUSDTM, XBTUSDM or XBTMH25, "
                    f"found {symbol!r}",
                )
            type_text = row.text(found["close type"])
            close_type = CLOSE_TYPES.get(words(type_text.replace("_", " ")))
            if close_type is None:
                row.bad(
                    found["close type"],
                    f"unknown close type {type_text!r}: expected Close Long/Short, Liquidation "
                    "(Long/Short), ADL (Long/Short), or KuCoin's CLOSE_LONG, LIQUID_SHORT, ...",
                )
            net = row.number(net_col or pnl_col, required=True)
            realized = row.number(pnl_col) if net_col else None
            funding = row.number(found["total funding fees"]) or ZERO
            fees = row.number(found["total trading fees"]) or ZERO
            if row.problems:
                continue
            assert closed is not None and net is not None
            assert contract is not None and close_type is not None
            gross = net - funding + fees
            if realized is not None and not (
                abs(realized - net) <= TOLERANCE or abs(realized - gross) <= TOLERANCE
            ):
                row.bad(
                    pnl_col,
                    f"expected Realized PNL to equal Total Realized PNL ({plain(net)}) or "
                    f"Total Realized PNL - Total Funding Fees + Total Trading Fees "
                    f"({plain(gross)}), found {plain(realized)}: please report this export",
                )
                continue
            name, settle, wallet = contract
            kind, side = close_type
            uid = row.text(uid_col)
            stamp = closed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            position = ":".join(part for part in ("kucoin", uid, symbol, stamp) if part)
            note = ""
            if words(type_text.replace("_", " ")).startswith(("adl", "auto")):
                note = "closed by auto-deleveraging (ADL)"
            source = row.source
            flows = [(kind, gross), (TradeKind.FUNDING, funding), (TradeKind.COMMISSION, -fees)]
            for flow_kind, amount in flows:
                if flow_kind is not kind and amount == 0:
                    continue
                trades.append(
                    Trade(
                        timestamp=closed,
                        kind=flow_kind,
                        asset=name,
                        quantity=ZERO,
                        wallet=wallet,
                        source=source,
                        quote_asset=settle,
                        quote_quantity=amount,
                        external_id=position,
                        note=note if flow_kind is kind else "",
                        position=position,
                        opened=opened,
                        side=side,
                    )
                )
        rows.finish()
        yield from trades


# -- 2019 trade history -----------------------------------------------------------------------

TRADES_2019_COLUMNS: dict[str, tuple[str, ...]] = {
    "time": ("time",),
    "pair": ("pair",),
    "side": ("side",),
    "amount": ("amount",),
    "amount coin": ("amountcoin",),
    "volume": ("volume",),
    "volume coin": ("volumecoin",),
    "fee": ("fee",),
    "fee coin": ("feecoin",),
}


@register("kucoin-trades-2019")
class KucoinTrades2019:
    """KuCoin's 2019 trade history: one BUY or SELL per fill.

    ``Pair`` ``KCS/BTC`` = base/quote; ``Amount`` is the base (in ``AmountCoin``), ``Volume``
    the quote (in ``VolumeCoin``, before the fee), ``Fee`` in ``FeeCoin``. Each coin column must
    name the pair's own coin, so a file whose columns mean something else is refused, not
    misread. Dates are ``2019/05/11 10:12:13`` with no zone: KuCoin's UTC+8 is assumed (and
    recorded) unless ``--timezone`` says otherwise. The file has no ids.
    """

    title = "KuCoin trade history (2019 layout)"
    layouts = (
        (
            "time",
            "pair",
            "side",
            "filledprice",
            "filledpricecoin",
            "amount",
            "amountcoin",
            "volume",
            "volumecoin",
            "fee",
            "feecoin",
        ),
    )
    download = "KuCoin (2019): Orders > Trade History > Export (the older CSV layout)."

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim the 2019 columns: Pair with AmountCoin, VolumeCoin and FeeCoin."""
        return {"pair", "side", "amountcoin", "volumecoin", "feecoin"} <= set(header) and (
            has_column(header, ("time",))
        )

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Read every row; raise all problems at once."""
        columns = Columns(table)
        problems: list[Problem] = []
        found = columns.require(TRADES_2019_COLUMNS, problems)
        if problems:
            raise InputError(problems)
        require_rows(table, "trades")
        rows = Rows(table)
        zone = _zone(columns, found["time"], options)
        trades: list[Trade] = []
        for row in rows:
            timestamp = row.time(found["time"], zone)
            pair = row.text(found["pair"]).upper()
            base, quote, split = _split_pair(row, found["pair"], "/", "KCS/BTC", also="-")
            side = _side(row, found["side"])
            amount = row.number(found["amount"], required=True)
            volume = row.number(found["volume"], required=True)
            fee = row.number(found["fee"]) or ZERO
            fee_coin = row.text(found["fee coin"]).upper()
            for key, wanted in (("amount coin", base), ("volume coin", quote)):
                coin = row.text(found[key]).upper()
                if split and coin != wanted:
                    row.bad(
                        found[key],
                        f"expected {wanted} (the {'base' if wanted == base else 'quote'} coin of "
                        f"{pair}), found {coin!r}",
                    )
            _check_fee(row, fee, found["fee"], fee_coin, found["fee coin"], "coin")
            if row.problems:
                continue
            assert timestamp is not None and amount is not None and volume is not None
            trade = _fill(
                row, found, (timestamp, side, base, quote, amount, volume, fee, fee_coin), "kucoin"
            )
            if trade is not None:
                trades.append(trade)
        rows.finish()
        yield from trades
