"""Bybit exports: the Unified Trading Account transaction log, closed P&L, spot trade history and
the funding account's deposit/withdrawal history.

Every Bybit export states or documents UTC: a zone in a column name (``Trade Time(UTC+0)``,
``Date & Time(UTC)``, ``Time(UTC)``) is used as written; a bare ``Time`` column is UTC (Bybit's
documentation of the transaction log), never ``--timezone``.

Wallets (house rule: exchange name for spot/funding, ``-futures`` for linear derivatives,
``-coinm`` for inverse):

* ``bybit`` - the Funding account and the spot trade history (``bybit-spot``).
* ``bybit-futures`` - the Unified Trading Account (UTA) of the transaction log: USDT/USDC
  settled contracts, the UTA's transfers, deposits, spot legs, converts, bonuses and airdrops.
* ``bybit-coinm`` - inverse contracts settled in a coin (``BTCUSD`` settled in BTC). Cash rows of
  the transaction log (transfers, deposits) in a coin that settles an inverse contract of the same
  file also go to ``bybit-coinm``, so the margin and the losses paid from it share a wallet.

Transfers between the Funding account (``bybit``) and the UTA / derivatives account
(``bybit-futures``) change wallet names, so each side is a WITHDRAWAL and a DEPOSIT that the
engine matches (the funding history shows one side, the transaction log the other). Transfers
between the Funding and the classic Spot account (both ``bybit``) have no tax effect and are
dropped; so are the older funding export's ``internalAccountTransfer*`` rows, which do not say
which account they went to (dropping, as BittyTax does, keeps the units where a later spot sale
will look for them; a transfer to derivatives then shows only the incoming side, a DEPOSIT).

Transaction log (``bybit-transaction-log``), one row per balance change:

* ``trade`` with Direction ``Open Long/Short``: COMMISSION (the fee, negative = paid);
  ``Close Long/Short``: REALIZED_PNL (Cash Flow = PnL, Fee Paid = commission, a negative fee is a
  rebate), ``side`` from the Direction (``Close Long`` closes a long). An opening fill that still
  carries a Cash Flow becomes a REALIZED_PNL too, so no amount is lost.
* ``trade`` with Direction ``Buy``/``Sell`` is one leg of a spot trade: the two rows with the same
  Trade ID (one per coin) become one BUY/SELL; a lone leg is an error (use ``bybit-spot``).
* ``funding``: FUNDING (signed, negative = paid). The sign of the Funding column differs between
  Bybit documents, so it is decided per file: every row with Funding must satisfy
  ``Change = Cash Flow + Funding - Fee Paid`` (positive = received) or, for the whole file,
  ``Change = Cash Flow - Funding - Fee Paid`` (positive = paid), within 1e-8. Every other
  contract row must satisfy ``Change = Cash Flow - Fee Paid``, so a file whose columns mean
  something else is rejected (naming the line) rather than misread.
* ``liquidation``: LIQUIDATION (loss in Cash Flow) plus INSURANCE_FEE (the liquidation fee in Fee
  Paid); ``ADL`` (auto-deleveraging, a forced close): LIQUIDATION with its fee as commission.
* ``DELIVERY`` (dated futures expiry) and ``SETTLEMENT`` (USDC contracts' session settlement):
  REALIZED_PNL with Cash Flow and the fee.
* ``deposit``/``withdraw``/``transferIn``/``transferOut``: DEPOSIT/WITHDRAWAL of ``Change``
  (fiat currencies are not tracked: dropped). ``exchangeOut`` + ``exchangeIn`` (a convert, paired
  by Order ID, else Trade ID, else time): one BUY. ``AIRDROP``: INCOME. ``BONUS``: INCOME when
  credited, FEE when Bybit takes a bonus back (units leave at fair value).
* Contracts: USDT/USDC-settled perpetuals ``<SYMBOL>-PERP`` (``BTCUSDT-PERP``), inverse
  perpetuals ``BTCUSD-PERP``; ``BTCPERP`` (USDC perpetual) and dated futures keep their symbol.
* Positions: the log has no position id, so one is derived from the ``Position`` column (size
  after each fill): a position opens when an opening order starts from zero and ends when a close
  leaves zero. Each closing order ends one segment; funding and fees since the previous close
  belong to it, so every Form 8949 row is realized when its close happened. ``opened`` is the
  first opening fill. Rows of a position already open when the export starts (or with an empty
  Position) get no id and the engine aggregates them per contract per day. Funding is attached
  only when exactly one side of the contract is open.
* ``external_id`` = ``bybit:`` + Trade ID (else Order ID).

Closed P&L (``bybit-closed-pnl``): one REALIZED_PNL per row (LIQUIDATION for Exit Type
Liquidation/BustTrade/ADL/AdlTrade); ``Closed P&L`` is already net of fees and funding, so no fee
is attached. It describes the same closes as the transaction log: use one or the other for a
period, never both. Settlement coin = the contract's quote (USDT, USDC for ``BTCPERP`` and
``BTC-27DEC24``), or its base for inverse contracts (BTC for ``BTCUSD``, ``BTCUSDH25``).

Spot trade history (``bybit-spot``, header [weak], matched by alias sets): BUY/SELL of the base
coin for the quote; the fee in ``Fee Currency`` (without that column: the base coin on a buy, the
quote on a sell, Bybit's default). ``Filled Value`` (else price x quantity) is the gross quote.

Funding history (``bybit-funding``): Deposit/Withdrawal -> DEPOSIT/WITHDRAWAL in ``bybit``;
``Transfer to/from Derivatives Account`` or ``... Unified Trading Account`` -> WITHDRAWAL/DEPOSIT
(matched against the UTA side); ``Transfer to/from Spot Account`` dropped (same wallet). Older
layout: ``userDeposit``/``userWithdraw`` -> DEPOSIT/WITHDRAWAL, ``internalAccountTransfer*``
dropped (see above).

pandas and logging are allowed here; nothing here knows the engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from decimal import Decimal

from taxloss.currencies import FIAT as CURRENCIES
from taxloss.errors import InputError, Problem
from taxloss.model import Notice, SourceRef, Trade, TradeKind
from taxloss.money import ZERO, plain
from taxloss.parsers import ParseOptions, notes, register
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

EXCHANGE = "bybit"
FUNDING_WALLET = "bybit"
LINEAR_WALLET = "bybit-futures"
INVERSE_WALLET = "bybit-coinm"

#: Settlement coins of linear contracts; any other settlement coin means an inverse contract.
LINEAR_SETTLE = frozenset({"USDT", "USDC"})

#: Government currencies: never tracked as lots, so their deposits and withdrawals are dropped.
FIAT = CURRENCIES  # every ISO 4217 code (taxloss.currencies)

#: ``Change = Cash Flow +/- Funding - Fee Paid`` must hold to this tolerance (Bybit rounds to 8).
FUNDING_TOLERANCE = Decimal("1e-8")

#: Cells that mean "no number" in Bybit exports.
BLANKS = ("", "--", "-")


# -- shared helpers ----------------------------------------------------------------------------


def zone_of(column: str) -> tzinfo:
    """The zone a column name states (``time(utc+8)``, ``trade time(utc+0)``), else UTC.

    Bybit documents UTC for every export, so a bare ``Time`` column is UTC.
    """
    return header_zone(column)[1] or UTC


def _neg(value: Decimal) -> Decimal:
    """Negate without producing a negative zero."""
    return -value if value else ZERO


def _reader(
    table: Table,
    aliases: Mapping[str, tuple[str, ...]],
    times: tuple[str, ...] = (),
    options: ParseOptions | None = None,
) -> tuple[Rows, tzinfo]:
    """Find an export's columns by alias (role ``time`` by ``times``, when given): the row
    reader, and the zone of the time column (UTC unless its name states one; with
    ``options``, a UTC the name does not state is recorded as assumed)."""
    found = Columns(table)
    columns = {key: found.find(names) for key, names in aliases.items()}
    if times:
        columns["time"] = found.find(times)
    time_column = columns.get("time")
    zone = found.zone(time_column) if time_column else None
    if options is not None and time_column:
        zone = notes.file_zone(
            table,
            options,
            zone,
            UTC,
            "Bybit documents UTC for its exports",
            found.written.get(time_column, time_column),
            documented=True,
        )
    return Rows(table, columns, blanks=BLANKS), zone or UTC


def _require(rows: Rows, names: Mapping[str, str]) -> None:
    """Raise one problem per missing required column (``names``: key -> name as written),
    then require data rows."""
    missing = [
        Problem(
            rows.table.header_source(),
            f"missing column {shown!r}: expected it in this export",
            column="header",
        )
        for key, shown in names.items()
        if rows.column(key) is None
    ]
    if missing:
        raise InputError(missing)
    require_rows(rows.table, "rows")


def contract_asset(symbol: str, settle: str) -> tuple[str, str]:
    """The taxloss contract name and wallet of a Bybit derivative symbol.

    USDT/USDC-settled perpetuals (``BTCUSDT``) and inverse perpetuals (``BTCUSD``) get ``-PERP``;
    ``BTCPERP`` (USDC perpetual) and dated futures (``BTCUSDH25``, ``BTC-27DEC24``) keep their
    symbol. Inverse contracts (settled in a coin) go to ``bybit-coinm``.
    """
    wallet = LINEAR_WALLET if settle in LINEAR_SETTLE else INVERSE_WALLET
    if re.fullmatch(r"[A-Z0-9]+(USDT|USDC|USD)", symbol):
        return f"{symbol}-PERP", wallet
    return symbol, wallet


def settlement_coin(symbol: str) -> str | None:
    """The coin a Bybit contract settles in, from its symbol alone (None if unknown)."""
    linear = re.fullmatch(r"([A-Z0-9]+?)(USDT|USDC)(-[0-9A-Z]+)?", symbol)
    if linear:
        return linear.group(2)
    if symbol.endswith("PERP") and len(symbol) > 4:
        return "USDC"
    inverse = re.fullmatch(r"([A-Z0-9]+?)USD([FGHJKMNQUVXZ]\d{2})?", symbol)
    if inverse:
        return inverse.group(1)
    if re.fullmatch(r"[A-Z0-9]+-\d{1,2}[A-Z]{3}\d{2}", symbol):
        return "USDC"
    return None


# -- transaction log ---------------------------------------------------------------------------

LOG_COLUMNS = {
    "time": ("time",),
    "currency": ("currency", "coin"),
    "contract": ("contract", "symbol"),
    "type": ("type",),
    "direction": ("direction", "side"),
    "quantity": ("quantity", "qty"),
    "position": ("position", "size"),
    "price": ("filled price", "trade price"),
    "funding": ("funding",),
    "fee": ("fee paid", "fee"),
    "cash_flow": ("cash flow",),
    "change": ("change",),
    "balance": ("wallet balance", "cash balance"),
    "fee_rate": ("fee rate",),
    "trade_id": ("trade id",),
    "order_id": ("order id",),
}
LOG_REQUIRED = {
    "time": "Time",
    "currency": "Currency",
    "contract": "Contract",
    "type": "Type",
    "direction": "Direction",
    "quantity": "Quantity",
    "position": "Position",
    "funding": "Funding",
    "fee": "Fee Paid",
    "cash_flow": "Cash Flow",
    "change": "Change",
}
#: Type values as Bybit writes them (matched case-insensitively).
LOG_TYPES = (
    "trade",
    "funding",
    "liquidation",
    "deposit",
    "withdraw",
    "transferIn",
    "transferOut",
    "exchangeIn",
    "exchangeOut",
    "SETTLEMENT",
    "DELIVERY",
    "BONUS",
    "ADL",
    "AIRDROP",
)
_LOG_TYPES = {t.lower(): t.lower() for t in LOG_TYPES}
#: The same types as the unified account log of Bybit EU (and Bybit's API) spells them
#: (``TRADE``, ``TRANSFER_IN``): upper case with underscores (issue #13).
_LOG_TYPES.update({"transfer in": "transferin", "transfer out": "transferout",
                   "exchange in": "exchangein", "exchange out": "exchangeout",
                   "withdrawal": "withdraw"})  # fmt: skip
_SIDES = {
    "open long": ("open", "long"),
    "open short": ("open", "short"),
    "close long": ("close", "long"),
    "close short": ("close", "short"),
}
_SPOT = {"buy": "buy", "sell": "sell"}
#: Cash rows: (kind when the balance grows, kind when it shrinks, note).
_CASH = {
    "deposit": (TradeKind.DEPOSIT, None, "deposit"),
    "withdraw": (None, TradeKind.WITHDRAWAL, "withdrawal"),
    "transferin": (TradeKind.DEPOSIT, None, "transfer in from another Bybit account"),
    "transferout": (None, TradeKind.WITHDRAWAL, "transfer out to another Bybit account"),
    "airdrop": (TradeKind.INCOME, None, "Bybit airdrop"),
    "bonus": (TradeKind.INCOME, TradeKind.FEE, "Bybit bonus"),
}


@dataclass
class LogRow:
    """One parsed transaction-log row (numbers still signed as Bybit wrote them)."""

    index: int
    source: SourceRef
    time: datetime
    type: str
    currency: str
    symbol: str
    direction: str
    quantity: Decimal | None
    position: Decimal | None
    funding: Decimal
    fee: Decimal
    cash_flow: Decimal
    change: Decimal | None
    trade_id: str
    order_id: str
    asset: str = ""
    wallet: str = LINEAR_WALLET
    external_id: str = ""
    # Filled in by the position pass:
    position_id: str = ""
    opened: datetime | None = None
    side: str = ""

    @property
    def derivative(self) -> bool:
        """True for rows that belong to a contract (fills, funding, forced closes)."""
        if self.type in ("funding", "liquidation", "adl", "settlement", "delivery"):
            return True
        return self.type == "trade" and self.direction in _SIDES


@dataclass
class _Position:
    """A position being followed through the log (``base`` empty = its start is not in the
    file, so its rows get no id)."""

    base: str
    opened: datetime | None
    segment: int = 1
    closing: object = None

    def ident(self) -> str:
        return f"{self.base}-{self.segment}" if self.base else ""

    def close_event(self, token: object) -> None:
        """A closing order (or forced close): a new one after another close starts a segment."""
        if self.closing is not None and self.closing != token:
            self.segment += 1
        self.closing = token

    def other_event(self) -> None:
        """An opening fill or funding after a close belongs to the next segment."""
        if self.closing is not None:
            self.segment += 1
            self.closing = None


@register("bybit-transaction-log")
class BybitTransactionLog:
    """Bybit Unified Trading Account transaction log."""

    title = "Bybit transaction log (Unified Trading Account)"
    layouts = (
        (
            "time",
            "currency",
            "contract",
            "type",
            "direction",
            "quantity",
            "position",
            "filled price",
            "funding",
            "fee paid",
            "cash flow",
            "change",
            "wallet balance",
            "fee rate",
            "trade id",
            "order id",
        ),
    )
    download = (
        "Bybit: Assets > Unified Trading Account > Transaction Log (or Orders > Derivatives > "
        "Transaction Log) > Export, one period at a time (CSV or XLSX)."
    )

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim a header with Bybit's cash-flow columns next to contract and direction."""
        need = ("currency", "contract", "type", "direction", "cash flow", "change")
        # ``Time`` or, in Bybit EU's unified account log, ``Time(UTC)`` (issue #13).
        return set(need) <= set(header) and has_column(header, ("time",))

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Read every row, decide the Funding sign, follow positions, then build trades."""
        rows, zone = _reader(table, LOG_COLUMNS, options=options)
        _require(rows, LOG_REQUIRED)
        parsed: list[LogRow] = []
        failed: set[str] = set()  # ids of unreadable rows: their partners are not "lone" legs
        for cells in rows:
            row = _log_row(cells, zone)
            if row is None:
                failed.update(i for i in (cells.text("trade_id"), cells.text("order_id")) if i)
            else:
                parsed.append(row)
        funding_sign = _funding_sign(rows, parsed)
        _check_changes(rows, parsed)
        inverse_coins = {r.currency for r in parsed if r.derivative and r.wallet == INVERSE_WALLET}
        _follow_positions(parsed)
        trades: list[tuple[int, int, Trade]] = []
        spot: dict[str, list[LogRow]] = {}
        converts: dict[str, list[LogRow]] = {}
        for row in parsed:
            if row.type == "trade" and row.direction in _SPOT:
                # Without ids (Bybit EU's log has none) the legs of one fill share their
                # second, contract and direction.
                key = row.trade_id or row.order_id or f"{row.time.isoformat()} {row.symbol}"
                spot.setdefault(key, []).append(row)
            elif row.type in ("exchangein", "exchangeout"):
                key = row.order_id or row.trade_id or row.time.isoformat()
                converts.setdefault(key, []).append(row)
            elif row.derivative:
                made = _derivative_trades(row, funding_sign)
                trades.extend((row.source.line, n, t) for n, t in enumerate(made))
            else:
                cash = _cash_trade(rows, row, inverse_coins)
                if cash is not None:
                    trades.append((row.source.line, 0, cash))
        for key, legs in spot.items():
            if key in failed:
                continue
            made_spot = _spot_trade(rows, key, legs)
            if made_spot is not None:
                trades.append((made_spot.source.line, 0, made_spot))
        for key, legs in converts.items():
            if key in failed:
                continue
            made_convert = _convert_trade(rows, key, legs)
            if made_convert is not None:
                trades.append((made_convert.source.line, 0, made_convert))
        rows.finish(by_line=True)
        trades.sort(key=lambda item: (item[0], item[1]))
        yield from (trade for _, _, trade in trades)


def _log_row(cells: Row, zone: tzinfo) -> LogRow | None:
    """Parse one row's cells; record problems and return None if any cell is bad."""
    time = cells.time("time", zone)
    kind_text = cells.text("type")
    kind = _LOG_TYPES.get(kind_text.lower()) or _LOG_TYPES.get(words(kind_text.replace("_", " ")))
    if kind is None:
        found = repr(kind_text) if kind_text else "an empty cell"
        cells.bad("type", f"unknown type {found}: expected one of {', '.join(LOG_TYPES)}")
    direction = " ".join(cells.text("direction").lower().split())
    if kind == "trade" and direction not in _SIDES and direction not in _SPOT:
        found = repr(cells.text("direction")) if cells.text("direction") else "an empty cell"
        cells.bad(
            "direction",
            f"unknown direction {found} for a trade: expected Open Long, Open Short, Close Long, "
            "Close Short (contracts) or Buy, Sell (spot)",
        )
    currency = cells.text("currency").upper()
    if not currency:
        cells.bad("currency", "expected the coin of the balance change, e.g. USDT")
    symbol = cells.text("contract").upper()
    quantity = cells.number("quantity")
    position = cells.number("position")
    funding = cells.number("funding") or ZERO
    fee = cells.number("fee") or ZERO
    cash_flow = cells.number("cash_flow") or ZERO
    change = cells.number("change")
    if cells.problems:
        return None
    assert time is not None and kind is not None
    trade_id, order_id = cells.text("trade_id"), cells.text("order_id")
    row = LogRow(
        index=cells.index,
        source=cells.source,
        time=time,
        type=kind,
        currency=currency,
        symbol=symbol,
        direction=direction,
        quantity=abs(quantity) if quantity is not None else None,
        position=abs(position) if position is not None else None,
        funding=funding,
        fee=fee,
        cash_flow=cash_flow,
        change=change,
        trade_id=trade_id,
        order_id=order_id,
        external_id=f"{EXCHANGE}:{trade_id or order_id}" if trade_id or order_id else "",
    )
    if row.derivative:
        if not symbol:
            cells.bad("contract", f"a {kind_text} row needs its contract, e.g. BTCUSDT")
            return None
        row.asset, row.wallet = contract_asset(symbol, currency)
    if kind == "trade" and direction in _SIDES and quantity is None:
        cells.bad("quantity", "expected the filled quantity, found an empty cell")
        return None
    return row


def _funding_sign(rows: Rows, parsed: list[LogRow]) -> int:
    """+1 if positive Funding is received in this file, -1 if it is paid (see module doc).

    Every row with a non-zero Funding must fit one convention and all must fit the same one.
    """
    sign, first = 0, 0
    for row in parsed:
        if not row.funding:
            continue
        if row.change is None:
            rows.bad(
                row.source,
                "change",
                "expected the row's balance change (needed to tell the sign of Funding)",
            )
            continue
        received = row.cash_flow + row.funding - row.fee
        paid = row.cash_flow - row.funding - row.fee
        fits_received = abs(received - row.change) <= FUNDING_TOLERANCE
        fits_paid = abs(paid - row.change) <= FUNDING_TOLERANCE
        if not fits_received and not fits_paid:
            rows.bad(
                row.source,
                "change",
                f"expected Cash Flow + Funding - Fee Paid ({plain(received)}) or Cash Flow - "
                f"Funding - Fee Paid ({plain(paid)}), found {plain(row.change)}: cannot tell "
                "the sign of Funding",
            )
            continue
        this = 1 if fits_received else -1
        if not sign:
            sign, first = this, row.source.line
        elif this != sign:
            here, there = ("+", "-") if this > 0 else ("-", "+")
            rows.bad(
                row.source,
                "funding",
                f"Change = Cash Flow {here} Funding - Fee Paid here, but Cash Flow {there} "
                f"Funding - Fee Paid at line {first}: expected one sign convention for Funding "
                "in the whole file",
            )
    return sign or 1


def _check_changes(rows: Rows, parsed: list[LogRow]) -> None:
    """Contract rows without funding must satisfy ``Change = Cash Flow - Fee Paid``: a file
    whose fee sign or columns mean something else is rejected rather than misread."""
    for row in parsed:
        if not row.derivative or row.funding or row.change is None:
            continue
        expected = row.cash_flow - row.fee
        if abs(expected - row.change) > FUNDING_TOLERANCE:
            rows.bad(
                row.source,
                "change",
                f"expected Cash Flow - Fee Paid ({plain(expected)}), found {plain(row.change)}: "
                "the row's amounts do not add up",
            )


def _follow_positions(parsed: list[LogRow]) -> None:
    """Derive position ids, open times and sides from the Position column (see module doc)."""
    rows = [r for r in parsed if r.derivative]
    if len(rows) > 1 and rows[0].time > rows[-1].time:
        rows.reverse()  # Bybit lists the newest row first; same-second rows keep their order
    rows.sort(key=lambda r: r.time)
    groups: dict[tuple[str, ...], list[LogRow]] = {}
    for row in rows:
        if row.type == "trade" and row.order_id:
            action, side = _SIDES[row.direction]
            groups.setdefault((row.asset, row.wallet, side, action, row.order_id), []).append(row)
    state: dict[tuple[str, str, str], _Position] = {}
    done: set[int] = set()

    def open_side(row: LogRow) -> str:
        sides = [s for s in ("long", "short") if (row.asset, row.wallet, s) in state]
        return sides[0] if len(sides) == 1 else ""

    def assign(members: list[LogRow], held: _Position | None, side: str) -> None:
        for member in members:
            member.side = side
            if held is not None:
                member.position_id, member.opened = held.ident(), held.opened

    for row in rows:
        if row.index in done:
            continue
        if row.type == "trade":
            action, side = _SIDES[row.direction]
            key = (row.asset, row.wallet, side, action, row.order_id)
            members = groups.get(key, [row]) if row.order_id else [row]
            done.update(m.index for m in members)
            slot = (row.asset, row.wallet, side)
            sizes = [m.position for m in members]
            if action == "open":
                held = state.get(slot)
                if held is None:
                    filled = sum((m.quantity or ZERO for m in members), ZERO)
                    fresh = None not in sizes and max(s or ZERO for s in sizes) == filled
                    start = members[0].time
                    base = f"{row.symbol}-{side}-{start:%Y%m%dT%H%M%SZ}" if fresh else ""
                    held = state[slot] = _Position(base, start if fresh else None)
                else:
                    held.other_event()
                assign(members, held, side)
            else:
                held = state.setdefault(slot, _Position("", None))
                held.close_event(row.order_id or ("row", row.index))
                assign(members, held, side)
                known = [s for s in sizes if s is not None]
                if known and min(known) == 0:
                    del state[slot]
        elif row.type in ("liquidation", "adl", "delivery", "settlement"):
            side = ""
            if row.direction in _SIDES:
                side = _SIDES[row.direction][1]
            side = side or open_side(row)
            if not side:
                continue
            slot = (row.asset, row.wallet, side)
            held = state.setdefault(slot, _Position("", None))
            held.close_event(("row", row.index))
            assign([row], held, side)
            if row.type != "settlement" and not row.position:
                del state[slot]  # a forced close or expiry leaves no position unless it says so
        else:  # funding
            side = open_side(row)
            if side:
                held = state[(row.asset, row.wallet, side)]
                held.other_event()
                assign([row], held, side)


def _derivative_trades(row: LogRow, funding_sign: int) -> list[Trade]:
    """The trades of one contract row: PnL or liquidation, fees, funding."""
    flow = Trade(
        timestamp=row.time,
        kind=TradeKind.FUNDING,
        asset=row.asset,
        quantity=ZERO,
        wallet=row.wallet,
        source=row.source,
        quote_asset=row.currency,
        external_id=row.external_id,
        position=row.position_id,
        opened=row.opened,
        side=row.side,
    )
    size = row.quantity or ZERO
    fee_asset, fee = (row.currency, row.fee) if row.fee else ("", None)
    out: list[Trade] = []
    if row.type == "trade":
        if _SIDES[row.direction][0] == "close" or row.cash_flow:
            out.append(
                replace(flow, kind=TradeKind.REALIZED_PNL, quantity=size,
                        quote_quantity=row.cash_flow, fee_asset=fee_asset, fee_quantity=fee)
            )  # fmt: skip
        else:
            out.append(replace(flow, kind=TradeKind.COMMISSION, quote_quantity=_neg(row.fee)))
    elif row.type == "liquidation":
        out.append(
            replace(flow, kind=TradeKind.LIQUIDATION, quantity=size, quote_quantity=row.cash_flow,
                    note="liquidated by Bybit")
        )  # fmt: skip
        if row.fee:
            out.append(
                replace(flow, kind=TradeKind.INSURANCE_FEE, quote_quantity=_neg(row.fee),
                        note="liquidation fee")
            )  # fmt: skip
    elif row.type in ("adl", "delivery", "settlement"):
        kind = TradeKind.LIQUIDATION if row.type == "adl" else TradeKind.REALIZED_PNL
        note = {
            "adl": "auto-deleveraged by Bybit",
            "delivery": "futures delivery",
            "settlement": "session settlement",
        }[row.type]
        out.append(
            replace(flow, kind=kind, quantity=size, quote_quantity=row.cash_flow, note=note,
                    fee_asset=fee_asset, fee_quantity=fee)
        )  # fmt: skip
    if row.funding or row.type == "funding":
        out.append(replace(flow, quote_quantity=row.funding * funding_sign))
    return out


def _cash_trade(rows: Rows, row: LogRow, inverse_coins: set[str]) -> Trade | None:
    """Deposits, withdrawals, transfers, airdrops and bonuses (one coin, amount = Change)."""
    received_kind, given_kind, note = _CASH[row.type]
    amount = row.change if row.change is not None else row.cash_flow
    if row.currency in FIAT:
        return None  # fiat is not tracked (no lots): its deposits and withdrawals are dropped
    kind = received_kind if amount > 0 else given_kind if amount < 0 else None
    if kind is None:
        wanted = "a positive" if given_kind is None else "a negative"
        if received_kind is not None and given_kind is not None:
            wanted = "a non-zero"
        rows.bad(
            row.source,
            "change",
            f"expected {wanted} balance change for a {rows_type(row)} row, found {plain(amount)}",
        )
        return None
    units = abs(amount)
    fee_asset, fee = "", None
    if kind is TradeKind.WITHDRAWAL and row.fee > 0:
        if row.fee >= units:
            rows.bad(row.source, "fee", "expected a fee smaller than the amount withdrawn")
            return None
        units -= row.fee
        fee_asset, fee = row.currency, row.fee
    if kind is TradeKind.FEE:
        note = "Bybit bonus taken back"
    wallet = INVERSE_WALLET if row.currency in inverse_coins else LINEAR_WALLET
    return Trade(
        timestamp=row.time,
        kind=kind,
        asset=row.currency,
        quantity=units,
        wallet=wallet,
        source=row.source,
        external_id=row.external_id,
        note=note,
        fee_asset=fee_asset,
        fee_quantity=fee,
    )


def rows_type(row: LogRow) -> str:
    """The Type value as Bybit spells it, for messages."""
    return next(t for t in LOG_TYPES if t.lower() == row.type)


def _legs_trade(
    rows: Rows, legs: list[LogRow], received: LogRow, given: LogRow, base_is_received: bool
) -> Trade | None:
    """One BUY/SELL from a received and a given leg (amounts from Change, fees per leg)."""
    for leg in legs:
        if leg.change is None:
            rows.bad(leg.source, "change", "expected the leg's balance change, found an empty cell")
        if leg.fee < 0:
            rows.bad(leg.source, "fee", "expected a fee of zero or more on a spot leg")
    if received.change is None or given.change is None or received.fee < 0 or given.fee < 0:
        return None
    if received.fee and given.fee:
        rows.bad(given.source, "fee", "expected the fee on one leg only, found fees on both")
        return None
    got = received.change + received.fee  # fee taken from the coin received
    paid = -given.change - given.fee  # fee added to the coin given
    if got <= 0 or paid <= 0:
        rows.bad(
            min(received.source, given.source),
            "change",
            f"expected one leg to gain and the other to lose, found {plain(received.change)} "
            f"{received.currency} and {plain(given.change)} {given.currency}",
        )
        return None
    fee_leg = received if received.fee else given if given.fee else None
    fee_asset, fee = (fee_leg.currency, fee_leg.fee) if fee_leg is not None else ("", None)
    first = min(legs, key=lambda leg: leg.source.line)
    other = max(legs, key=lambda leg: leg.source.line)
    if base_is_received:
        kind, asset, units, quote, quote_units = (
            TradeKind.BUY, received.currency, got, given.currency, paid)  # fmt: skip
    else:
        kind, asset, units, quote, quote_units = (
            TradeKind.SELL, given.currency, paid, received.currency, got)  # fmt: skip
    return Trade(
        timestamp=first.time,
        kind=kind,
        asset=asset,
        quantity=units,
        wallet=LINEAR_WALLET,
        source=first.source,
        quote_asset=quote,
        quote_quantity=quote_units,
        external_id=first.external_id,
        note=f"legs at lines {first.source.line} and {other.source.line}",
        fee_asset=fee_asset,
        fee_quantity=fee,
    )


def _spot_trade(rows: Rows, key: str, legs: list[LogRow]) -> Trade | None:
    """Pair the two legs of a spot trade (same Trade ID, one row per coin)."""
    coins = {leg.currency for leg in legs}
    if len(legs) != 2 or len(coins) != 2:
        rows.bad(
            legs[0].source,
            "trade_id",
            f"spot trade {key} has {len(legs)} row(s) in this log: expected two rows with this "
            "Trade ID, one per coin (export the whole period, or use the spot trade history "
            "export, bybit-spot, for spot trades)",
        )
        return None
    buy = legs[0].direction == "buy"
    if any((leg.direction == "buy") != buy for leg in legs):
        rows.bad(
            legs[1].source,
            "direction",
            f"spot trade {key} has legs with different directions",
        )
        return None
    up = [leg for leg in legs if (leg.change or ZERO) > 0]
    down = [leg for leg in legs if (leg.change or ZERO) < 0]
    if len(up) != 1 or len(down) != 1:
        rows.bad(
            legs[0].source,
            "change",
            f"spot trade {key}: expected one leg to gain and the other to lose",
        )
        return None
    received, given = up[0], down[0]
    symbol = next((leg.symbol for leg in legs if leg.symbol), "")
    base = received.currency if buy else given.currency
    quote = given.currency if buy else received.currency
    if symbol and symbol.replace("/", "").replace("-", "") != base + quote:
        rows.bad(
            legs[0].source,
            "contract",
            f"spot trade {key}: a {'buy' if buy else 'sell'} of {symbol} should "
            f"{'receive' if buy else 'give'} {symbol} base coin, found {base} for {quote}",
        )
        return None
    return _legs_trade(rows, legs, received, given, base_is_received=buy)


def _convert_trade(rows: Rows, key: str, legs: list[LogRow]) -> Trade | None:
    """Pair exchangeOut (coin given) with exchangeIn (coin received) into one BUY."""
    outs = [leg for leg in legs if leg.type == "exchangeout"]
    ins = [leg for leg in legs if leg.type == "exchangein"]
    if len(outs) != 1 or len(ins) != 1:
        rows.bad(
            min(leg.source for leg in legs),
            "type",
            f"convert {key} has {len(outs)} exchangeOut and {len(ins)} exchangeIn row(s): "
            "expected one of each with the same Order ID (or Trade ID, or time)",
        )
        return None
    given, received = outs[0], ins[0]
    if given.currency in FIAT and received.currency in FIAT:
        return None  # fiat for fiat: nothing taxloss tracks
    return _legs_trade(rows, legs, received, given, base_is_received=True)


# -- closed P&L --------------------------------------------------------------------------------

PNL_COLUMNS = {
    "contract": ("contracts", "contract", "symbol"),
    "direction": ("closing direction", "direction", "side"),
    "quantity": ("qty", "quantity", "closed qty"),
    "entry": ("entry price",),
    "exit": ("exit price",),
    "pnl": ("closed p&l", "closed pnl", "closed p & l"),
    "exit_type": ("exit type", "exec type"),
    "order": ("order no.", "order no", "order id"),
}
PNL_REQUIRED = {
    "contract": "Contracts",
    "direction": "Closing Direction",
    "quantity": "Qty",
    "pnl": "Closed P&L",
    "exit_type": "Exit Type",
    "time": "Trade Time(UTC+0)",
}
#: Exit Type values (case-insensitive) and whether the close was forced.
EXIT_TYPES = {
    "trade": False,
    "blocktrade": False,
    "delivery": False,
    "settle": False,
    "liquidation": True,
    "busttrade": True,
    "adl": True,
    "adltrade": True,
}
#: Closing Direction: ``Close Long`` closes a long; the older Buy/Sell name the closing order
#: (a Sell closes a long) [weak].
CLOSING = {"close long": "long", "close short": "short", "sell": "long", "buy": "short"}


@register("bybit-closed-pnl")
class BybitClosedPnl:
    """Bybit derivatives Closed P&L export."""

    title = "Bybit closed P&L"
    layouts = (
        (
            "contracts",
            "closing direction",
            "qty",
            "entry price",
            "exit price",
            "closed p&l",
            "exit type",
            "trade time(utc+0)",
        ),
    )
    download = (
        "Bybit: Orders > Derivatives Order > Closed P&L > Export (CSV or XLSX), one period at a "
        "time."
    )

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim a header with a contract, a closing direction and a closed P&L column."""
        return (
            has_column(header, PNL_COLUMNS["contract"])
            and has_column(header, ("closing direction",))
            and has_column(header, PNL_COLUMNS["pnl"])
        )

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """One REALIZED_PNL (or LIQUIDATION) per closed position portion."""
        rows, zone = _reader(table, PNL_COLUMNS, ("trade time", "time", "close time"), options)
        _require(rows, PNL_REQUIRED)
        trades: list[Trade] = []
        for row in rows:
            time = row.time("time", zone)
            symbol = row.text("contract").upper()
            coin = settlement_coin(symbol) if symbol else None
            if coin is None:
                row.bad(
                    "contract",
                    f"expected a Bybit contract such as BTCUSDT, BTCUSD or BTC-27DEC24, found "
                    f"{symbol!r}: cannot tell its settlement coin",
                )
            direction = " ".join(row.text("direction").lower().split())
            side = CLOSING.get(direction)
            if side is None:
                row.bad(
                    "direction",
                    f"unknown closing direction {row.text('direction')!r}: expected Close Long, "
                    "Close Short (or Sell, Buy)",
                )
            exit_text = row.text("exit_type")
            forced = EXIT_TYPES.get(exit_text.lower().replace(" ", ""))
            if forced is None:
                row.bad(
                    "exit_type",
                    f"unknown exit type {exit_text!r}: expected one of Trade, BlockTrade, "
                    "Delivery, Settle, Liquidation, BustTrade, ADL, AdlTrade",
                )
            quantity = row.number("quantity", required=True)
            pnl = row.number("pnl", required=True, unit=coin or "")
            if row.problems:
                continue
            assert time is not None and coin is not None and quantity is not None
            assert pnl is not None
            asset, wallet = contract_asset(symbol, coin)
            order = row.text("order")
            trades.append(
                Trade(
                    timestamp=time,
                    kind=TradeKind.LIQUIDATION if forced else TradeKind.REALIZED_PNL,
                    asset=asset,
                    quantity=abs(quantity),
                    wallet=wallet,
                    source=row.source,
                    quote_asset=coin,
                    quote_quantity=pnl,
                    external_id=f"{EXCHANGE}:{order}" if order else "",
                    note=f"exit type {exit_text}, net of fees and funding",
                    side=side or "",
                )
            )
        rows.finish(by_line=True)
        yield from trades


# -- spot trade history ------------------------------------------------------------------------

SPOT_COLUMNS = {
    "execution": ("execution id", "exec id", "trade id", "transaction id"),
    "order": ("order no.", "order no", "order id"),
    "symbol": ("symbol", "spot pairs", "trading pair", "pair"),
    "side": ("side", "direction", "order direction"),
    "price": ("filled price", "avg. filled price", "exec price", "price"),
    "quantity": ("filled qty", "filled quantity", "exec qty"),
    "value": ("filled value", "exec value", "order value", "total"),
    "fee": ("trading fee", "trading fees", "fee", "fees", "exec fee"),
    "fee_coin": ("fee currency", "fee coin", "fee asset"),
}
SPOT_TIMES = ("execution time", "trade time", "filled time", "transaction time", "time")
SPOT_REQUIRED = {
    "symbol": "Symbol",
    "side": "Side",
    "quantity": "Filled Qty",
    "fee": "Trading Fee",
    "time": "Execution Time",
}
#: Quote coins of Bybit spot pairs, longest first so ``BTCUSDT`` splits as BTC/USDT.
SPOT_QUOTES = (
    "FDUSD", "USDT", "USDC", "USDE", "USDQ", "EUR", "BRL", "TRY", "PLN", "DAI", "BTC", "ETH",
    "MNT",
)  # fmt: skip


def split_pair(symbol: str) -> tuple[str, str] | None:
    """Split ``BTCUSDT``, ``BTC/USDT`` or ``BTC-USDT`` into (base, quote), or None."""
    for separator in ("/", "-", "_"):
        if separator in symbol:
            base, _, quote = symbol.partition(separator)
            return (base, quote) if base and quote else None
    for quote in SPOT_QUOTES:
        if symbol.endswith(quote) and len(symbol) > len(quote):
            return symbol[: -len(quote)], quote
    return None


@register("bybit-spot")
class BybitSpot:
    """Bybit spot trade history."""

    title = "Bybit spot trade history"
    layouts = (
        (
            "order no.",
            "symbol",
            "side",
            "filled price",
            "filled qty",
            "filled value",
            "trading fee",
            "fee currency",
            "execution time",
        ),
    )
    download = "Bybit: Orders > Spot Order > Trade History > Export (CSV or XLSX)."

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim a header with a pair, a side, Bybit's ``Filled Qty`` and a trade time."""
        return (
            has_column(header, SPOT_COLUMNS["symbol"])
            and has_column(header, SPOT_COLUMNS["side"])
            and has_column(header, SPOT_COLUMNS["quantity"])
            and has_column(header, SPOT_TIMES)
        )

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """One BUY or SELL per row; the fee in its own coin."""
        rows, zone = _reader(table, SPOT_COLUMNS, SPOT_TIMES, options)
        _require(rows, SPOT_REQUIRED)
        has_value = rows.column("value") is not None
        if rows.column("price") is None and not has_value:
            raise InputError(
                Problem(
                    table.header_source(),
                    "missing column 'Filled Value' (or 'Filled Price'): expected it in this export",
                    column="header",
                )
            )
        trades: list[Trade] = []
        for row in rows:
            time = row.time("time", zone)
            symbol = row.text("symbol").upper()
            pair = split_pair(symbol)
            if pair is None:
                row.bad(
                    "symbol",
                    f"expected a spot pair such as BTCUSDT or BTC/USDT, found {symbol!r}",
                )
            base, quote = pair or ("", "")
            side = row.text("side").lower()
            if side not in ("buy", "sell"):
                row.bad("side", f"unknown side {row.text('side')!r}: expected Buy or Sell")
            quantity = row.number("quantity", required=True, unit=base)
            value = row.number("value", unit=quote)
            if value is None:
                price = row.number("price", required=True, unit=quote)
                if price is not None and quantity is not None:
                    value = price * quantity
            fee = row.number("fee", unit=row.text("fee_coin")) or ZERO
            fee_coin = row.text("fee_coin").upper() or (base if side == "buy" else quote)
            if quantity is not None and quantity <= 0:
                row.bad("quantity", f"expected a positive quantity, found {plain(quantity)}")
            if value is not None and value <= 0:
                row.bad(
                    "value" if has_value else "price",
                    f"expected a positive amount, found {plain(value)}",
                )
            if fee < 0:
                row.bad("fee", f"expected a fee of zero or more, found {plain(fee)}")
            if row.problems:
                continue
            assert time is not None and quantity is not None and value is not None
            ident = row.text("execution") or row.text("order")
            trades.append(
                Trade(
                    timestamp=time,
                    kind=TradeKind.BUY if side == "buy" else TradeKind.SELL,
                    asset=base,
                    quantity=quantity,
                    wallet=FUNDING_WALLET,
                    source=row.source,
                    quote_asset=quote,
                    quote_quantity=value,
                    external_id=f"{EXCHANGE}:{ident}" if ident else "",
                    fee_asset=fee_coin if fee else "",
                    fee_quantity=fee if fee else None,
                )
            )
        rows.finish(by_line=True)
        yield from trades


# -- funding account deposits and withdrawals ---------------------------------------------------

FUNDING_COLUMNS = {
    "coin": ("coin", "currency"),
    "quantity": ("qty", "quantity", "amount"),
    "type": ("type",),
    "description": ("description",),
    "balance": ("account balance", "wallet balance"),
}
#: The note of a Funding-account card purchase (issue #13).
CARD_NOTE = "bought with a card: only the coin received is in the file"
#: Description values (lower case) -> (kind, note); None = dropped (same wallet, no tax effect).
DESCRIPTIONS: dict[str, tuple[TradeKind, str] | None] = {
    "deposit": (TradeKind.DEPOSIT, "deposit"),
    "withdrawal": (TradeKind.WITHDRAWAL, "withdrawal"),
    "transfer to derivatives account": (TradeKind.WITHDRAWAL, "to the derivatives account"),
    "transfer from derivatives account": (TradeKind.DEPOSIT, "from the derivatives account"),
    "transfer to unified trading account": (TradeKind.WITHDRAWAL, "to the Unified Trading Account"),
    "transfer from unified trading account": (
        TradeKind.DEPOSIT,
        "from the Unified Trading Account",
    ),
    # Funding <-> classic Spot account: both are the wallet "bybit", so no tax effect.
    "transfer to spot account": None,
    "transfer from spot account": None,
    # Issue #13: airdrops and bonuses credited to the Funding account are income at their
    # value when received; a card purchase is a BUY whose cost is the coin's value that day
    # (the card payment is not in the file), flagged.
    "airdrop": (TradeKind.INCOME, "airdrop"),
    "airdrop bonus": (TradeKind.INCOME, "airdrop bonus"),
    "buy crypto with card": (TradeKind.BUY, CARD_NOTE),
    "buy crypto": (TradeKind.BUY, CARD_NOTE),
}
#: Older layout's Type values (lower case); the internal transfers do not name the other
#: account, so they are dropped (see the module docstring).
OLD_TYPES: dict[str, tuple[TradeKind, str] | None] = {
    "userdeposit": (TradeKind.DEPOSIT, "deposit"),
    "userwithdraw": (TradeKind.WITHDRAWAL, "withdrawal"),
    "userwithdrawal": (TradeKind.WITHDRAWAL, "withdrawal"),
    "internalaccounttransferdeposit": None,
    "internalaccounttransferwithdrawal": None,
}
_OLD_HEADER = frozenset({"type", "coin", "amount", "wallet balance", "time(utc)", "time"})


@register("bybit-funding")
class BybitFunding:
    """Bybit funding account deposit/withdrawal history."""

    title = "Bybit funding account history (deposits, withdrawals, transfers)"
    layouts = (
        ("date & time(utc)", "coin", "qty", "type", "account balance", "description"),
        ("type", "coin", "amount", "wallet balance", "time(utc)"),
    )
    download = (
        "Bybit: Assets > Funding > History (Deposit / Withdrawal / Transfer) > Export; older "
        "accounts: Assets > Asset history > Export."
    )

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim the current layout (Coin, QTY, Description, Account Balance) or exactly the
        older five columns."""
        have = set(header)
        if {"coin", "qty", "description", "account balance"} <= have:
            return True
        return {"type", "coin", "amount", "wallet balance"} <= have and have <= _OLD_HEADER

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Deposits and withdrawals of the Funding account; transfers to the UTA/derivatives
        account become withdrawals and deposits so the engine can match the other side."""
        rows, zone = _reader(table, FUNDING_COLUMNS, ("date & time", "time", "date"), options)
        old = rows.column("description") is None
        required = {"coin": "Coin", "quantity": "QTY", "description": "Description",
                    "time": "Date & Time(UTC)"}  # fmt: skip
        if old:
            required = {"type": "Type", "coin": "Coin", "quantity": "Amount", "time": "Time(UTC)"}
        _require(rows, required)
        key, table_of = ("type", OLD_TYPES) if old else ("description", DESCRIPTIONS)
        trades: list[Trade] = []
        for row in rows:
            time = row.time("time", zone)
            what = row.text(key)
            known = what.lower() in table_of
            if not known and row.text("coin").upper() in FIAT:
                continue  # a government currency, whatever moved it: fiat is not tracked
            if not known:
                shown = ", ".join(
                    _spelled(name) if not old else _old_spelled(name) for name in table_of
                )
                row.bad(key, f"unknown {key} {what!r}: expected one of {shown}" + (
                    "" if old else ". taxloss does not know what Bybit paid or took here: if "
                    "it is income (a reward, bonus or interest), a purchase, or a move between "
                    "your own Bybit accounts, answer this line with --overrides (treat-as "
                    "income, buy, deposit or withdrawal; or skip), and tell us the description "
                    "so a later version knows it"))  # fmt: skip
            coin = row.text("coin").upper()
            if not coin:
                row.bad("coin", "expected a coin such as USDT, found an empty cell")
            quantity = row.number("quantity", required=True, unit=coin)
            if quantity is not None and quantity == 0:
                row.bad("quantity", "expected a non-zero amount, found 0")
            if row.problems:
                continue
            assert time is not None and quantity is not None
            found = table_of[what.lower()]
            if found is None or coin in FIAT:
                continue  # same-wallet transfer, or fiat (not tracked): no tax effect
            kind, note = found
            if kind in (TradeKind.INCOME, TradeKind.BUY) and quantity < 0:
                row.bad("quantity", f"expected a credit for {what!r}, found {plain(quantity)}")
                continue
            if note == CARD_NOTE:
                options.warn(
                    Notice(
                        "card_purchase_value",
                        f"{what} of {plain(abs(quantity))} {coin}: the file shows only the coin "
                        "received (the card payment is not a Bybit balance). It is counted as a "
                        "purchase at its value that day (par for a stablecoin such as USDT, else "
                        "a --prices row); check the cost against the card statement",
                        row.source,
                    )
                )
            trades.append(
                Trade(
                    timestamp=time,
                    kind=kind,
                    asset=coin,
                    quantity=abs(quantity),
                    wallet=FUNDING_WALLET,
                    source=row.source,
                    note=note,
                )
            )
        rows.finish(by_line=True)
        yield from trades


def _spelled(name: str) -> str:
    words = name.split()
    special = {"unified": "Unified", "trading": "Trading", "account": "Account",
               "derivatives": "Derivatives", "spot": "Spot", "crypto": "Crypto",
               "card": "Card", "bonus": "Bonus"}  # fmt: skip
    return " ".join([words[0].capitalize(), *(special.get(w, w) for w in words[1:])])


def _old_spelled(name: str) -> str:
    return {
        "userdeposit": "userDeposit",
        "userwithdraw": "userWithdraw",
        "userwithdrawal": "userWithdrawal",
        "internalaccounttransferdeposit": "internalAccountTransferDeposit",
        "internalaccounttransferwithdrawal": "internalAccountTransferWithdrawal",
    }[name]


__all__ = [
    "BybitClosedPnl",
    "BybitFunding",
    "BybitSpot",
    "BybitTransactionLog",
    "contract_asset",
    "settlement_coin",
    "split_pair",
    "zone_of",
]
