"""OKX exports: the trading account history (bills) and the funding account history.

``okx-trading`` reads the trading account history ("Assets > Bills > Trading account >
Download", also "Order center > Download"): a metadata line
``UID:...,Account Type:Trading,Time Zone:UTC+8`` above one row per balance leg, in every
header variant OKX has shipped: ``Symbol,Action,...,PnL,Fee,Fee Unit,...,Balance Unit``; the
same with ``Filled Price Unit`` and ``Position Unit``; either with the ``-USD`` helper columns
appended (ignored: taxloss values trades through their quote); and the older
``Instrument,Type,Amount,Unit,PL,Fee,...,Balance,Unit``, whose second ``Unit`` is the
balance's unit and whose fee is in that unit. ``okx-funding`` reads the funding account history
``id,Time,Type,Amount,Before Balance,After Balance[,Fee],Symbol``.

Time zone: the ``Time Zone:`` cell of the metadata line above the header (``UTC+8``,
``UTC-05:30``, ``UTC``; a UTF-8 BOM in front of any cell is ignored). When a file has no such
line its times are taken as UTC+8, OKX's default export zone; ``--timezone`` does not apply to
OKX files (add a line ``Time Zone:UTC+N`` above the header to state another zone).

Wallets: the trading account (spot, margin and contracts) is wallet ``okx``; the funding
account and Earn (staking, savings) are wallet ``okx-funding``. A move between the two accounts
is a WITHDRAWAL from one and a DEPOSIT into the other (the trading history's ``Transfer in`` /
``Transfer out`` rows of Trade Type ``Transfer``, the funding history's ``From/To unified trading
account``), which the engine matches as a transfer; a file read alone gets the unmatched side
(a stablecoin deposit then takes a 1 USD basis with a warning). Moves inside one account have no
tax effect and are dropped: ``Transfer in/out`` with another Trade Type (margin into an isolated
position), ``Stake``, ``Redeem staking``, ``Savings subscription`` and ``Savings redemption``.
Unified trading account: OKX settles a contract's PnL, fees and funding in the same balance as
spot trading, with no transfer row, so contracts (``BTC-USDT-SWAP``, ``BTC-USDT-250328``,
inverse ``BTC-USD-SWAP``) are in wallet ``okx`` too: a position is paid from, and pays into, the
same lots as spot trading (one account, as for Bybit's unified account).

Spot and margin fills: the two rows of a fill share ``Order id`` and ``Time`` (several fills of
one order in the same second are added up). The row whose balance rises is the currency
received (``Action`` Buy), the other the currency paid (Sell); with the symbol ``BASE-QUOTE``
that is a BUY (base received) or a SELL (base paid). ``Fee`` is signed (negative = paid) in
``Fee Unit`` (older layout: the row's own unit). ``Balance Change`` may be net of a fee in the
row's currency (``Amount`` + ``Fee``, as OKX writes it) or gross (``Amount``): both are
accepted, any other value is an error; the trade uses ``Amount`` and the fee apart. A maker
rebate (positive fee) in the currency received adds to the units received. A fill whose rows
say liquidation or ADL is a FORCED_SALE (or a BUY noted as forced). Margin fills are spot fills
of the same unified balance (wallet ``okx``); ``Interest deduction`` rows are INTEREST. The
trade's source line and ``external_id`` (``okx:<id>``) are those of the row received.

Derivatives (``Trade Type`` Perpetual/Swap, Futures, Options, any case): ``Open long/short``
(and ``Buy``/``Sell`` without PnL) with a fee -> COMMISSION of ``Fee`` (without a fee it moves
no money and gives nothing); ``Close long/short``, ``Delivery long/short`` (and ``Buy``/``Sell``
with PnL) -> REALIZED_PNL of ``PnL`` (size ``Amount``, in contracts when ``Trading Unit`` is
``cont``) plus a COMMISSION of ``Fee``; an ``Action`` naming liquidation or ADL (``Liquidation``,
``Partial liquidation close long``, ``ADL close short``, ...) -> LIQUIDATION of ``PnL`` plus an
INSURANCE_FEE of ``Fee`` (the liquidation fee); ``Liquidation fee``/``penalty`` rows ->
INSURANCE_FEE; ``Funding fee`` rows -> FUNDING of ``Balance Change`` (else ``Position Change``
for isolated margin, else ``PnL``). The settlement coin is ``Balance Unit`` (else the symbol's
quote, or base for inverse contracts). ``side`` comes from the words long/short. The export has
no position ids, so the engine aggregates a contract's flows per day.

Funding account: ``Deposit`` -> DEPOSIT, ``Withdrawal`` -> WITHDRAWAL (its quantity is what
leaves for the destination; ``Fee``, in ``Symbol``, is paid on top), ``Staking Yield`` and
``Fee rebate`` -> INCOME (the export gives no USD value). When a row has a fee and both
``Before Balance`` and ``After Balance``, their difference says whether ``Amount`` includes the
fee; any other difference is an error. Fiat deposits and withdrawals are not trades (fiat is not
tracked) and are dropped.

Anything else (an unknown ``Trade Type``, ``Action`` or funding ``Type``) is an error listing
the values handled.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from decimal import Decimal

from taxloss.currencies import FIAT as CURRENCIES
from taxloss.errors import InputError, Problem
from taxloss.model import SourceRef, Trade, TradeKind
from taxloss.money import plain
from taxloss.parsers import ParseOptions, notes, register
from taxloss.parsers.numbers import BadValue, loose_number, split_amount
from taxloss.parsers.rows import Columns, Row, Rows, require_rows, utc_offset
from taxloss.parsers.rows import words as _words
from taxloss.parsers.table import BOM, Table, normalize

ZERO = Decimal(0)

#: Spot, margin, funding and Earn balances (one wallet: moves between them are dropped).
WALLET = "okx"
FUNDING_WALLET = "okx-funding"
#: Contracts settled in a stablecoin (USDⓈ-margined, linear).
#: Inverse contracts quoted in USD and settled in the base coin.

#: OKX's default export zone, used when the file has no ``Time Zone:`` metadata line.
DEFAULT_ZONE = timezone(timedelta(hours=8), "UTC+8")

#: Government currencies: their deposits and withdrawals are not trades (fiat is not tracked).
FIAT = CURRENCIES  # every ISO 4217 code (taxloss.currencies)

# -- trading account history ----------------------------------------------------------------

#: Logical column -> the normalized names OKX has used for it, newest first.
TRADING_COLUMNS = {
    "id": ("id",),
    "order id": ("order id",),
    "time": ("time",),
    "trade type": ("trade type",),
    "symbol": ("symbol", "instrument"),
    "action": ("action", "type"),
    "amount": ("amount",),
    "pnl": ("pnl", "pl"),
    "fee": ("fee",),
    "fee unit": ("fee unit",),
    "position change": ("position change",),
    "balance change": ("balance change",),
    "balance unit": ("balance unit",),  # the older layout's second ``Unit``: see _columns
}
TRADING_REQUIRED = (
    "id",
    "order id",
    "time",
    "trade type",
    "symbol",
    "action",
    "amount",
    "fee",
    "balance change",
    "balance unit",
)

TRADING_LAYOUTS = (
    (
        "id", "order id", "time", "trade type", "symbol", "action", "amount", "trading unit",
        "filled price", "pnl", "fee", "fee unit", "position change", "position balance",
        "balance change", "balance", "balance unit",
    ),
    (
        "id", "order id", "time", "trade type", "symbol", "action", "amount", "trading unit",
        "filled price", "filled price unit", "pnl", "fee", "fee unit", "position change",
        "position balance", "position unit", "balance change", "balance", "balance unit",
    ),
    (
        "id", "order id", "time", "trade type", "symbol", "action", "amount", "trading unit",
        "filled price", "pnl", "fee", "fee unit", "position change", "position balance",
        "balance change", "balance", "balance unit", "filled_price-usd", "pnl-usd", "fee-usd",
        "balance-usd", "balance_change-usd",
    ),
    (
        "id", "order id", "time", "trade type", "instrument", "type", "amount", "unit", "pl",
        "fee", "position change", "position balance", "balance change", "balance", "unit",
    ),
)  # fmt: skip

#: ``Trade Type`` (normalized) -> what the row is.
TRADE_TYPES = {
    "spot": "spot",
    "margin": "margin",
    "perpetual": "swap",
    "perpetuals": "swap",
    "perpetual swap": "swap",
    "perpetual futures": "swap",
    "swap": "swap",
    "futures": "futures",
    "future": "futures",
    "expiry futures": "futures",
    "delivery futures": "futures",
    "option": "options",
    "options": "options",
    "transfer": "transfer",
}
TRADE_TYPES_EXPECTED = "Spot, Margin, Perpetual (Swap), Futures, Options, Transfer"

#: Moves between the funding and the trading account (both wallet ``okx``), or of margin into
#: an isolated position: no tax effect, dropped whatever the ``Trade Type``.
TRANSFER_ACTIONS = frozenset({"transfer in", "transfer out"})

SPOT_EXPECTED = (
    "Buy, Sell, Liquidation buy/sell, Partial liquidation buy/sell, ADL buy/sell, "
    "Interest deduction, Transfer in, Transfer out"
)
DERIVATIVE_EXPECTED = (
    "Open long, Open short, Close long, Close short, Buy, Sell, Delivery long, Delivery short, "
    "Funding fee, Liquidation (also Partial liquidation, ADL, Liquidation close long/short), "
    "Liquidation fee, Transfer in, Transfer out"
)
OPEN_ACTIONS = frozenset({"open long", "open short"})
CLOSE_ACTIONS = frozenset({"close long", "close short", "delivery long", "delivery short"})
FILL_ACTIONS = frozenset({"buy", "sell"})

# -- funding account history ----------------------------------------------------------------

FUNDING_COLUMNS = {
    "id": ("id",),
    "time": ("time",),
    "type": ("type",),
    "amount": ("amount",),
    "before balance": ("before balance",),
    "after balance": ("after balance",),
    "fee": ("fee",),
    "symbol": ("symbol",),
}
FUNDING_REQUIRED = ("id", "time", "type", "amount", "symbol")
FUNDING_LAYOUTS = (
    ("id", "time", "type", "amount", "before balance", "after balance", "fee", "symbol"),
    ("id", "time", "type", "amount", "before balance", "after balance", "symbol"),
)
FUNDING_KINDS = {
    "deposit": TradeKind.DEPOSIT,
    "withdrawal": TradeKind.WITHDRAWAL,
    "staking yield": TradeKind.INCOME,
    "fee rebate": TradeKind.INCOME,
    "from unified trading account": TradeKind.DEPOSIT,
    "to unified trading account": TradeKind.WITHDRAWAL,
}
#: Moves between the funding account and Earn, both wallet ``okx-funding``: no tax effect.
FUNDING_DROPPED = frozenset(
    {"stake", "redeem staking", "savings subscription", "savings redemption"}
)
FUNDING_EXPECTED = (
    "Deposit, Withdrawal, Staking Yield, Fee rebate, Stake, Redeem staking, "
    "Savings subscription, Savings redemption, From unified trading account, "
    "To unified trading account"
)


# -- shared helpers -------------------------------------------------------------------------


def words(text: str) -> str:
    """A label in one spelling: lower case, ``_`` as a space, single spaces, no BOMs."""
    return _words(text.replace(BOM, "").replace("_", " "))


def file_zone(table: Table) -> tzinfo:
    """The zone of the metadata line's ``Time Zone:`` cell, or UTC+8 when there is none.

    Args:
        table: the export, with the lines above its header in ``preamble``.

    Returns:
        A fixed-offset zone.

    Raises:
        InputError: the cell is there but is not a zone like ``UTC+8``.
    """
    for number, line in enumerate(table.preamble, start=1):
        for cell in next(csv.reader([line.replace(BOM, "")]), []):
            key, colon, value = cell.partition(":")
            if not colon or normalize(key) != "time zone":
                continue
            text = value.strip()
            zone = utc_offset(text)
            if zone is None:
                raise InputError(
                    Problem(
                        SourceRef(table.path, number),
                        f"expected a time zone like UTC+8 or UTC-05:30, found {text!r}",
                        column="Time Zone",
                    )
                )
            return zone
    return DEFAULT_ZONE


def assumed_zone(table: Table, options: ParseOptions) -> tzinfo:
    """``file_zone``, with OKX's UTC+8 (or ``--timezone``) recorded as an assumption when the
    file has no ``Time Zone:`` line (``file_zone`` returns the very ``DEFAULT_ZONE`` object only
    then: a stated zone is a new object, even when it is UTC+8)."""
    zone = file_zone(table)
    stated = None if zone is DEFAULT_ZONE else zone
    return notes.file_zone(
        table,
        options,
        stated,
        DEFAULT_ZONE,
        "OKX's default display zone, as it has no 'Time Zone:' line; --timezone does not apply",
        documented=True,
    )


def _reader(
    table: Table, wanted: Mapping[str, tuple[str, ...]], required: tuple[str, ...], title: str
) -> Rows:
    """Find each logical column by its aliases, and read the rows (BOMs dropped from cells).

    The older OKX layout has two columns called ``Unit``: the second (the balance's unit) is
    the ``balance unit`` when no column has that name.

    Raises:
        InputError: a required column is missing.
    """
    found = Columns(table)
    columns = {key: found.find(aliases) for key, aliases in wanted.items()}
    units = found.every("unit")
    if "balance unit" in wanted and columns.get("balance unit") is None and units:
        columns["balance unit"] = units[-1]  # older layout: Amount,Unit,...,Balance,Unit
    missing = [key for key in required if columns.get(key) is None]
    if missing:
        listed = ", ".join(_title_case(key) for key in missing)
        raise InputError(
            Problem(
                table.header_source(),
                f"missing column(s) {listed}: expected the columns of the {title}",
                column="header",
            )
        )
    return Rows(table, columns, strip_boms=True)


def _title_case(key: str) -> str:
    return {"pnl": "PnL", "order id": "Order id", "id": "id"}.get(
        key, " ".join(part.capitalize() for part in key.split())
    )


def _is_liquidation(action: str) -> bool:
    """Liquidation and auto-deleveraging labels (``Partial liquidation close long``, ``ADL``)."""
    return (
        "liquidation" in action
        or "liquidated" in action
        or action.split()[:1] == ["adl"]
        or "deleverag" in action
    )


# -- okx-trading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Leg:
    """One balance leg of a spot or margin fill."""

    source: SourceRef
    row_id: str
    order: str
    time_text: str
    timestamp: datetime
    symbol: str
    action: str
    currency: str
    amount: Decimal
    change: Decimal | None
    fee: Decimal
    fee_unit: str

    @property
    def incoming(self) -> bool:
        """True for the currency received: the balance rises (else the Action says Buy)."""
        if self.change:
            return self.change > 0
        return self.action.split()[-1] == "buy"

    @property
    def forced(self) -> bool:
        return _is_liquidation(self.action)


@register("okx-trading")
class OkxTrading:
    """OKX trading account history (bills)."""

    #: The older layout really has two columns called ``Unit`` (amount unit, balance unit).
    repeated_columns = True
    title = "OKX trading account history"
    layouts = TRADING_LAYOUTS
    download = (
        "OKX: Assets > Bills > Trading account (or Order center) > Download, CSV; keep the "
        "first line (UID, Account Type, Time Zone)."
    )

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim a header with OKX's bill columns, in the current or the older naming."""
        have = set(header)
        return {"id", "order id", "time", "trade type", "balance change"} <= have and (
            {"symbol", "action"} <= have or {"instrument", "type"} <= have
        )

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Read every row; raise all row errors at once."""
        rows = _reader(table, TRADING_COLUMNS, TRADING_REQUIRED, "OKX trading history")
        require_rows(table, "OKX trading account rows")
        zone = assumed_zone(table, options)
        out: list[tuple[int, Trade]] = []
        fills: dict[tuple[str, str], list[_Leg]] = {}
        broken: set[tuple[str, str]] = set()
        for row in rows:
            action = words(row.text("action"))
            type_text = row.text("trade type")
            category = TRADE_TYPES.get(words(type_text))
            if action in TRANSFER_ACTIONS and category != "transfer":
                continue  # margin moved into an isolated position: inside one account
            timestamp = row.time("time", zone)
            if action in TRANSFER_ACTIONS:
                transfer = _account_transfer(row, action, timestamp)
                if transfer is not None:
                    out.append((row.source.line, transfer))
                continue
            if category is None or category == "transfer":
                if category is None:
                    row.bad(
                        "trade type",
                        f"unknown Trade Type {type_text!r}: expected {TRADE_TYPES_EXPECTED}",
                    )
                else:
                    row.bad(
                        "action",
                        f"unknown transfer {row.text('action')!r}: expected Transfer in or "
                        "Transfer out",
                    )
            elif category in ("spot", "margin"):
                leg = _spot_row(row, action, timestamp, out)
                key = (row.text("order id"), row.text("time"))
                if leg is not None:
                    fills.setdefault(key, []).append(leg)
                elif row.problems:
                    broken.add(key)  # its other row is not reported again as incomplete
            else:
                _derivative_row(row, action, timestamp, out)
        for key, legs in fills.items():
            if key not in broken:
                _fill(rows, legs, out)
        rows.finish(by_line=True)
        out.sort(key=lambda item: item[0])
        for _, trade in out:
            yield trade


def _spot_row(
    row: Row, action: str, timestamp: datetime | None, out: list[tuple[int, Trade]]
) -> _Leg | None:
    """Read one spot or margin row: a leg of a fill (returned), or interest (added to out)."""
    last = action.split()[-1] if action else ""
    fill = action in FILL_ACTIONS or (_is_liquidation(action) and last in FILL_ACTIONS)
    interest = action.startswith("interest")
    if not fill and not interest:
        row.bad("action", f"unknown spot Action {row.text('action')!r}: expected {SPOT_EXPECTED}")
        return None
    currency = row.text("balance unit").upper()
    if not currency:
        row.bad("balance unit", "expected the currency of the balance, e.g. USDT")
    amount = row.number("amount")
    change = row.number("balance change")
    if interest:
        paid = abs(change) if change else abs(amount or ZERO)
        if not paid:
            row.bad("balance change", "expected the interest paid, found nothing")
        if row.problems or timestamp is None:
            return None
        out.append(
            (
                row.source.line,
                Trade(timestamp, TradeKind.INTEREST, currency, paid, WALLET, row.source,
                      external_id=_id(row.text("id"))),
            )
        )  # fmt: skip
        return None
    fee = row.number("fee") or ZERO
    order = row.text("order id")
    if not order:
        row.bad("order id", "expected the Order id shared by the two rows of a fill")
    if row.problems or timestamp is None:
        return None
    return _Leg(
        source=row.source,
        row_id=row.text("id"),
        order=order,
        time_text=row.text("time"),
        timestamp=timestamp,
        symbol=row.text("symbol").upper(),
        action=action,
        currency=currency,
        amount=abs(amount) if amount is not None else ZERO,
        change=change,
        fee=fee,
        fee_unit=row.text("fee unit").upper() or currency,
    )


def _leg_units(rows: Rows, leg: _Leg) -> Decimal | None:
    """Units of a leg, not counting a fee in its own currency (Amount, checked against the
    Balance Change whether that is net of the fee or gross)."""
    paid = -leg.fee if leg.fee_unit == leg.currency else ZERO  # a rebate is negative
    change = abs(leg.change) if leg.change is not None else None
    net = leg.amount - paid if leg.incoming else leg.amount + paid
    if leg.amount:
        if change is None or change in (leg.amount, net):
            return leg.amount
        expected = f"{leg.amount} or, net of the fee, {net}" if paid else f"{leg.amount}"
        rows.bad(
            leg.source,
            "balance change",
            f"expected a change of {expected} as in Amount, found {leg.change}",
        )
        return None
    if change is None:
        rows.bad(
            leg.source,
            "amount",
            "expected the units traded in Amount or Balance Change, found neither",
        )
        return None
    return change + paid if leg.incoming else change - paid


def _fill(rows: Rows, legs: list[_Leg], out: list[tuple[int, Trade]]) -> None:
    """Turn the legs of one fill (same Order id and Time) into one BUY or SELL."""
    first = legs[0]
    received = [leg for leg in legs if leg.incoming]
    given = [leg for leg in legs if not leg.incoming]
    where = f"Order id {first.order} at {first.time_text}"
    if not received or not given:
        side = "received" if received else "paid"
        rows.bad(
            first.source,
            "order id",
            f"expected two rows for {where}, one for the currency received and one for "
            f"the currency paid: found only the {side} side",
        )
        return
    got = sorted({leg.currency for leg in received})
    gave = sorted({leg.currency for leg in given})
    if len(got) > 1 or len(gave) > 1 or got == gave:
        rows.bad(
            first.source,
            "balance unit",
            f"expected one currency received and another paid for {where}, found "
            f"received {', '.join(got)} and paid {', '.join(gave)}",
        )
        return
    before = len(rows.problems)
    units_in = [_leg_units(rows, leg) for leg in received]
    units_out = [_leg_units(rows, leg) for leg in given]
    if len(rows.problems) > before:
        return
    quantity_in = sum((u for u in units_in if u is not None), ZERO)
    quantity_out = sum((u for u in units_out if u is not None), ZERO)
    fees: dict[str, Decimal] = {}
    for leg in legs:
        if leg.fee:
            fees[leg.fee_unit] = fees.get(leg.fee_unit, ZERO) - leg.fee
    if len(fees) > 1:
        rows.bad(
            first.source,
            "fee unit",
            f"expected the fee of {where} in one currency, found {', '.join(sorted(fees))}",
        )
        return
    fee_asset, fee_paid = next(iter(fees.items()), ("", ZERO))
    currency_in, currency_out = got[0], gave[0]
    if fee_paid < 0:
        if fee_asset != currency_in:
            rows.bad(
                first.source,
                "fee",
                f"a fee rebate is supported only in the currency received ({currency_in}), "
                f"found {fee_asset}",
            )
            return
        quantity_in -= fee_paid  # maker rebate: credited with the units received
        fee_asset, fee_paid = "", ZERO
    parts = first.symbol.split("-")
    base, quote = (parts[0], parts[1]) if len(parts) >= 2 else ("", "")
    if (currency_in, currency_out) == (base, quote):
        kind, asset, quantity = TradeKind.BUY, base, quantity_in
        quote_asset, quote_quantity = quote, quantity_out
    elif (currency_in, currency_out) == (quote, base):
        kind, asset, quantity = TradeKind.SELL, base, quantity_out
        quote_asset, quote_quantity = quote, quantity_in
    else:
        rows.bad(
            first.source,
            "symbol",
            f"expected the currencies of symbol {first.symbol or '(empty)'} for {where}, "
            f"found received {currency_in} and paid {currency_out}",
        )
        return
    note = ""
    if any(leg.forced for leg in legs):
        if kind is TradeKind.SELL:
            kind = TradeKind.FORCED_SALE
        else:
            note = "bought by a liquidation"
    anchor = received[0]
    trade = Trade(
        timestamp=anchor.timestamp,
        kind=kind,
        asset=asset,
        quantity=quantity,
        wallet=WALLET,
        source=anchor.source,
        quote_asset=quote_asset,
        quote_quantity=quote_quantity,
        fee_asset=fee_asset if fee_paid else "",
        fee_quantity=fee_paid if fee_paid else None,
        external_id=_id(anchor.row_id),
        note=note,
    )
    out.append((anchor.source.line, trade))


def _derivative_row(
    row: Row, action: str, timestamp: datetime | None, out: list[tuple[int, Trade]]
) -> None:
    """Read one contract row into its cash flows (and the margin moves they imply)."""
    tokens = set(action.split())
    liquidation = _is_liquidation(action)
    if "funding" in action:
        what = "funding"
    elif liquidation and (tokens & {"fee", "fees", "penalty"}):
        what = "liquidation fee"
    elif liquidation and "transfer" not in tokens:
        what = "liquidation"
    elif action in CLOSE_ACTIONS:
        what = "close"
    elif action in OPEN_ACTIONS or action in FILL_ACTIONS:
        what = "fill"
    else:
        expected = f"expected {DERIVATIVE_EXPECTED}"
        row.bad("action", f"unknown contract Action {row.text('action')!r}: {expected}")
        return
    symbol = row.text("symbol").upper()
    parts = symbol.split("-")
    if len(parts) < 2 or not all(parts[:2]):
        row.bad("symbol", f"expected an OKX instrument like BTC-USDT-SWAP, found {symbol!r}")
        return
    inverse = parts[1] == "USD"
    wallet = WALLET
    coin = row.text("balance unit").upper() or (parts[0] if inverse else parts[1])
    fee_coin = row.text("fee unit").upper() or coin
    amount = row.number("amount")
    size = abs(amount) if amount is not None else ZERO
    pnl = row.number("pnl") or ZERO
    fee = row.number("fee") or ZERO
    change = row.number("balance change") or ZERO
    position_change = row.number("position change") or ZERO
    flows: list[tuple[TradeKind, Decimal, str, Decimal]] = []  # kind, signed amount, coin, size
    if what == "funding":
        paid = change or position_change or pnl
        if not paid:
            row.bad("balance change", "expected the funding amount, found zero")
        flows.append((TradeKind.FUNDING, paid, coin, ZERO))
    elif what == "liquidation fee":
        paid = fee or change
        if not paid:
            row.bad("fee", "expected the liquidation fee, found zero")
        flows.append((TradeKind.INSURANCE_FEE, paid, fee_coin if fee else coin, ZERO))
    else:
        if what == "liquidation":
            flows.append((TradeKind.LIQUIDATION, pnl, coin, size))
        elif what == "close" or pnl:
            flows.append((TradeKind.REALIZED_PNL, pnl, coin, size))
        if fee:
            kind = TradeKind.INSURANCE_FEE if what == "liquidation" else TradeKind.COMMISSION
            flows.append((kind, fee, fee_coin, ZERO))
        # An opening fill without a fee moves no money: it gives no trade.
    if row.problems or timestamp is None:
        return
    side = "long" if "long" in tokens else "short" if "short" in tokens else ""
    row_id = row.text("id")
    trades = [
        Trade(timestamp, kind, symbol, quantity, wallet, row.source, quote_asset=flow_coin,
              quote_quantity=signed, external_id=_id(row_id), side=side)
        for kind, signed, flow_coin, quantity in sorted(flows, key=lambda f: f[1] <= 0)
    ]  # fmt: skip
    for trade in trades:
        out.append((row.source.line, trade))


def _id(row_id: str) -> str:
    return f"okx:{row_id}" if row_id else ""


# -- okx-funding ----------------------------------------------------------------------------


@register("okx-funding")
class OkxFunding:
    """OKX funding account history."""

    title = "OKX funding account history"
    layouts = FUNDING_LAYOUTS
    download = "OKX: Assets > Bills > Funding account > Download, CSV."

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim a header with the funding account's balance columns."""
        return {"id", "time", "type", "amount", "before balance", "after balance", "symbol"} <= set(
            header
        )

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Read every row; raise all row errors at once."""
        rows = _reader(table, FUNDING_COLUMNS, FUNDING_REQUIRED, "OKX funding history")
        require_rows(table, "OKX funding account rows")
        zone = assumed_zone(table, options)
        trades = [trade for row in rows if (trade := _funding_row(row, zone)) is not None]
        rows.finish()
        yield from trades


def _account_transfer(row: Row, action: str, timestamp: datetime | None) -> Trade | None:
    """A move between the funding and the trading account, seen from the trading account."""
    asset = row.text("balance unit").upper()
    amount = row.number("balance change")
    if amount is None or not amount:
        amount = row.number("amount")
    if not asset:
        row.bad("balance unit", "expected the currency moved, e.g. USDT, found an empty cell")
    if amount is None or not amount:
        row.bad("amount", "expected the amount moved, found none")
    if row.problems or timestamp is None or amount is None or asset in FIAT:
        return None
    kind = TradeKind.DEPOSIT if action == "transfer in" else TradeKind.WITHDRAWAL
    return Trade(
        timestamp,
        kind,
        asset,
        abs(amount),
        WALLET,
        row.source,
        external_id=_id(row.text("id")),
        note="funding <-> trading account",
    )


def _funding_row(row: Row, zone: tzinfo) -> Trade | None:
    type_text = row.text("type")
    label = words(type_text)
    if label in FUNDING_DROPPED:
        return None  # funding <-> Earn: one wallet, no tax effect
    kind = FUNDING_KINDS.get(label)
    if kind is None:
        row.bad("type", f"unknown Type {type_text!r}: expected {FUNDING_EXPECTED}")
        return None
    asset = row.text("symbol").upper()
    if not asset:
        row.bad("symbol", "expected the currency, e.g. USDT, found an empty cell")
    timestamp = row.time("time", zone)
    amount = row.number("amount", required=True)
    fee = abs(row.number("fee") or ZERO)
    before = row.number("before balance")
    after = row.number("after balance")
    if amount is not None and not amount:
        row.bad("amount", "expected a non-zero amount, found 0")
    if row.problems or timestamp is None or amount is None:
        return None
    if kind in (TradeKind.DEPOSIT, TradeKind.WITHDRAWAL) and asset in FIAT:
        return None  # fiat is not tracked: its deposits and withdrawals are not trades
    quantity = abs(amount)
    if kind is TradeKind.INCOME:
        if fee:
            row.bad("fee", f"expected no fee on {type_text}, found {fee}")
            return None
        return Trade(timestamp, kind, asset, quantity, FUNDING_WALLET, row.source,
                     external_id=_id(row.text("id")), note=type_text)  # fmt: skip
    if fee and before is not None and after is not None:
        moved = abs(after - before)
        fee_apart, fee_inside = _fee_split(kind, quantity, fee)
        if moved == fee_apart[0]:
            quantity = fee_apart[1]
        elif moved == fee_inside[0]:
            quantity = fee_inside[1]
        else:
            row.bad(
                "after balance",
                f"expected the balance to change by {fee_apart[0]} or {fee_inside[0]} (Amount "
                f"without or with the Fee), found {moved}",
            )
            return None
    return Trade(
        timestamp,
        kind,
        asset,
        quantity,
        FUNDING_WALLET,
        row.source,
        fee_asset=asset if fee else "",
        fee_quantity=fee if fee else None,
        external_id=_id(row.text("id")),
    )


def _fee_split(
    kind: TradeKind, amount: Decimal, fee: Decimal
) -> tuple[tuple[Decimal, Decimal], tuple[Decimal, Decimal]]:
    """(balance change, trade quantity) when Amount excludes the fee, and when it includes it.

    A withdrawal's quantity is what arrives (the fee is sent on top); a deposit's quantity is
    what was sent to OKX (the fee is taken from it).
    """
    if kind is TradeKind.WITHDRAWAL:
        return (amount + fee, amount), (amount, amount - fee)
    return (amount - fee, amount), (amount, amount + fee)


# -- OKEx 2020 spot fills ---------------------------------------------------------------------

FILLS_2020_COLUMNS: dict[str, tuple[str, ...]] = {
    "order id": ("order id",),
    "trade id": ("trade id",),
    "time": ("trade time",),
    "pair": ("pairs", "pair"),
    "amount": ("amount",),
    "price": ("price",),
    "total": ("total",),
    "fee": ("fee",),
    "unit": ("unit",),
}
FILLS_2020_REQUIRED = ("trade id", "time", "pair", "amount", "total")


def _glued(row: Row, key: str, known: set[str]) -> tuple[Decimal, str] | None:
    """A cell such as ``-104.97 USDT`` (unit after the number, with or without a space) or a
    bare number: the signed number and its unit (``""`` when none is written)."""
    text = row.text(key).replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    try:
        if text[-1].isalpha():
            return split_amount(text, known)
        return loose_number(text), ""
    except BadValue as exc:
        row.bad(key, str(exc))
        return None


@register("okex-fills-2020")
class OkexSpotFills2020:
    """OKEx's 2020 spot fills export: one BUY or SELL per fill.

    ``Pairs`` ``ETH-USDT`` = base-quote. ``Amount`` is the base and ``Total`` the quote, each
    with its unit glued on and signed by direction (``0.5 ETH`` received and ``-104.97 USDT``
    paid is a buy; the reverse signs a sale); a unit must be the pair's own coin, and a row
    whose signs do not say the direction is refused. ``Fee`` is the fee charged (sign ignored),
    in the unit glued to it, else in ``unit``, else the coin received (OKEx's rule: the fee is
    taken from what the fill receives). Every cell may start with a byte-order mark (dropped).
    ``Trade Time`` has no zone: UTC+8, OKEx's display zone, is assumed and recorded.
    ``external_id`` = ``okx:`` + Trade ID.
    """

    title = "OKEx spot fills (2020 layout)"
    layouts = (
        (
            "order id",
            "trade id",
            "trade time",
            "pairs",
            "amount",
            "price",
            "total",
            "taker/maker",
            "fee",
            "unit",
        ),
    )
    download = "OKEx (2020): Orders > Spot > Order history > Fills > Export (CSV)."

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim Trade ID, Trade Time, Pairs, Amount and Total."""
        return {"trade id", "trade time", "pairs", "amount", "total"} <= set(header)

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Read every fill; raise all problems at once."""
        rows = _reader(table, FILLS_2020_COLUMNS, FILLS_2020_REQUIRED, "OKEx 2020 spot fills")
        require_rows(table, "OKEx fills")
        zone = assumed_zone(table, options)
        trades: list[Trade] = []
        for row in rows:
            timestamp = row.time("time", zone)
            pair = row.text("pair").upper()
            base, dash, quote = pair.replace("/", "-").partition("-")
            if not (dash and base and quote and "-" not in quote):
                row.bad("pair", f"expected a pair like ETH-USDT, found {pair!r}")
                continue
            known = {base, quote}
            amount = _glued(row, "amount", known)
            total = _glued(row, "total", known)
            fee = _glued(row, "fee", known | {row.text("unit").upper()})
            for key, cell, wanted in (("amount", amount, base), ("total", total, quote)):
                if cell is None:
                    row.bad(key, "expected an amount with its coin, found an empty cell")
                elif cell[1] and cell[1] != wanted:
                    row.bad(key, f"expected an amount in {wanted} ({pair}), found {cell[1]}")
            if row.problems or timestamp is None:
                continue
            assert amount is not None and total is not None
            if amount[0] > 0 > total[0]:
                kind, received = TradeKind.BUY, base
            elif amount[0] < 0 < total[0]:
                kind, received = TradeKind.SELL, quote
            else:
                row.bad(
                    "amount",
                    f"cannot tell a buy from a sale: Amount {plain(amount[0])} {base} and Total "
                    f"{plain(total[0])} {quote} should have opposite signs (received positive, "
                    "paid negative)",
                )
                continue
            fee_quantity = abs(fee[0]) if fee is not None else ZERO
            fee_asset = ""
            if fee_quantity:
                fee_asset = (fee[1] if fee else "") or row.text("unit").upper() or received
            trade_id = row.text("trade id")
            trades.append(
                Trade(
                    timestamp=timestamp,
                    kind=kind,
                    asset=base,
                    quantity=abs(amount[0]),
                    wallet=WALLET,
                    source=row.source,
                    quote_asset=quote,
                    quote_quantity=abs(total[0]),
                    fee_asset=fee_asset,
                    fee_quantity=fee_quantity if fee_quantity else None,
                    external_id=f"okx:{trade_id}" if trade_id else "",
                )
            )
        rows.finish()
        yield from trades
