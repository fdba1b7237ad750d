"""Binance's order-level exports (issue #13): the buy-crypto history and the order history
with its nested fill rows.

``binance-buy-crypto`` - Orders > Buy Crypto History > Export,
  ``Date(UTC),Method,Amount,Price,Fees,Final Amount,Status,Transaction ID``. Amounts carry
  their currency (``1000.00 CAD``, ``753.84615385 USDT``) and the price names both
  (``1.3000000 USDT/CAD``: CAD per USDT). A completed row is one BUY of ``Final Amount`` in
  wallet ``binance``. Whether ``Amount`` includes ``Fees`` is read from the row itself: when
  ``Final Amount x Price`` is nearer ``Amount - Fees`` the fee was taken out of ``Amount``
  (paid: ``Amount``), else it was charged on top (paid: ``Amount + Fees``); either way the
  fee is the row's fee and the BUY's cost is what left the card. Rows whose Status says
  nothing was bought (``Failed``, ``Expired``, ``Cancelled``, ``Refunded``) or not yet
  (``Processing``, ``Pending``) are dropped; an unknown status is an error.
  ``external_id`` = ``binance:`` + Transaction ID.

``binance-orders`` - Orders > Spot Order > Order History > Export, ``;``-separated:
  ``Date(UTC);Pair;Type;Order Price;Order Amount;AvgTrading Price;Filled;Total;status`` (an
  ``OrderNo`` column after the date in some years). Below each order, a line
  ``;Date(UTC);Trading Price;Filled;Total;Fee;;;`` introduces its fills, one per line with
  the first cell empty. Each fill is one BUY or SELL (the order's ``Type``) of ``Filled`` base
  for ``Total`` quote, the fee as glued to its cell (``0.00009936BNB``), at the fill's own
  time. The order row's own figures are checked against its fills (``Filled`` = the sum of
  fill amounts), so a file whose lines mean something else is refused. An order without
  fills (cancelled) moves nothing. ``Pair`` ``CAKEUSDT`` is split at a known quote asset.
  Numbers are written with points (``1,035.75`` has a thousands separator); such a file is
  never read as having decimal commas.

Both files state UTC in the header (``Date(UTC)``). pandas is not used; nothing here touches
the engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import tzinfo
from decimal import Decimal

from taxloss.model import Trade, TradeKind
from taxloss.money import ZERO, plain
from taxloss.parsers import ParseOptions, register
from taxloss.parsers.binance import KNOWN_TICKERS, _date_column, _split_market, _timestamp
from taxloss.parsers.numbers import BadValue, loose_number, split_amount
from taxloss.parsers.rows import Row, Rows, require_rows, words
from taxloss.parsers.table import Table

WALLET = "binance"

# -- buy crypto history ------------------------------------------------------------------------

BUY_COLUMNS = ("method", "amount", "price", "fees", "final amount", "status")
#: Status -> counted (True) or dropped (False).
BUY_STATUSES = {
    "successful": True,
    "success": True,
    "completed": True,
    "complete": True,
    "failed": False,
    "failure": False,
    "expired": False,
    "cancelled": False,
    "canceled": False,
    "refunded": False,
    "processing": False,
    "pending": False,
}


def _amount(row: Row, key: str) -> tuple[Decimal, str] | None:
    """``1000.00 CAD`` as (1000.00, CAD); an empty cell is None (a problem if required)."""
    text = row.text(key)
    if not text:
        row.bad(key, "expected an amount with its currency, like 1000.00 CAD")
        return None
    number, _, unit = text.partition(" ")
    try:
        if unit:
            return loose_number(number), unit.strip().upper()
        return split_amount(text, KNOWN_TICKERS)
    except BadValue:
        row.bad(key, f"expected an amount with its currency, like 1000.00 CAD, found {text!r}")
        return None


@register("binance-buy-crypto")
class BinanceBuyCrypto:
    """Binance buy-crypto history: card and bank purchases, one BUY per completed row."""

    title = "Binance buy crypto history"
    layouts = (
        (
            "date(utc)",
            "method",
            "amount",
            "price",
            "fees",
            "final amount",
            "status",
            "transaction id",
        ),
    )
    download = "Binance: Orders > Buy Crypto History > Export (CSV)."

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim a ``Date(UTC)`` column with Method, Fees and Final Amount."""
        return set(BUY_COLUMNS) <= set(header) and _date_column(header) is not None

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Read every row; raise all problems at once."""
        found = _date_column(table.header)
        assert found is not None  # detect() claimed the header
        date_column, zone = found
        require_rows(table, "purchases")
        rows = Rows(table)
        trades: list[Trade] = []
        for row in rows:
            status_text = row.text("status")
            counted = BUY_STATUSES.get(words(status_text))
            if counted is None:
                row.bad(
                    "status",
                    f"unknown status {status_text!r}: expected Successful or Completed (counted), "
                    "or Failed, Expired, Cancelled, Refunded, Processing, Pending (not counted)",
                )
                continue
            if not counted:
                continue
            timestamp = row.time(date_column, zone, parse=_timestamp)
            paid = _amount(row, "amount")
            received = _amount(row, "final amount")
            fees = _amount(row, "fees") if row.text("fees") else (ZERO, paid[1] if paid else "")
            price = loose_number_or_none(row, "price")
            if row.problems:
                continue
            assert timestamp is not None and paid is not None and received is not None
            assert fees is not None
            if fees[0] and fees[1] != paid[1]:
                row.bad("fees", f"expected the fee in {paid[1]} (the Amount's currency)")
                continue
            if paid[0] <= 0 or received[0] <= 0 or fees[0] < 0:
                row.bad("amount", "expected positive amounts and a fee of zero or more")
                continue
            fee = fees[0]
            cost = paid[0] - fee
            if price is not None and fee:
                # Which reading the row's own price supports: the fee inside Amount or on top.
                spent = received[0] * price
                if abs(spent - paid[0]) < abs(spent - cost):
                    cost = paid[0]
            trade_id = row.text("transaction id")
            trades.append(
                Trade(
                    timestamp=timestamp,
                    kind=TradeKind.BUY,
                    asset=received[1],
                    quantity=received[0],
                    wallet=WALLET,
                    source=row.source,
                    quote_asset=paid[1],
                    quote_quantity=cost,
                    fee_asset=paid[1] if fee else "",
                    fee_quantity=fee if fee else None,
                    external_id=f"binance:{trade_id}" if trade_id else "",
                    note=f"bought with {row.text('method')}" if row.text("method") else "",
                )
            )
        rows.finish()
        yield from trades


def loose_number_or_none(row: Row, key: str) -> Decimal | None:
    """The number in front of a price such as ``1.3000000 USDT/CAD`` (None if not readable;
    the price is only used to tell whether the fee was inside the amount)."""
    text = row.text(key).split(" ")[0]
    try:
        return loose_number(text) if text else None
    except BadValue:
        return None


# -- order history with nested fills ------------------------------------------------------------

ORDER_COLUMNS = ("pair", "type", "order price", "order amount", "avgtrading price", "filled")


@register("binance-orders")
class BinanceOrderHistory:
    """Binance spot order history with its fills nested under each order (``;``-separated)."""

    title = "Binance spot order history (orders with nested fills)"
    delimiter = ";"
    layouts = (
        (
            "date(utc)",
            "pair",
            "type",
            "order price",
            "order amount",
            "avgtrading price",
            "filled",
            "total",
            "status",
        ),
    )
    download = (
        "Binance: Orders > Spot Order > Order History > Export (the file lists each order with "
        "its fills below it)."
    )

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim a ``Date(UTC)`` column with the order columns (Order Price, AvgTrading Price)."""
        return set(ORDER_COLUMNS) <= set(header) and _date_column(header) is not None

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Read each order and its fills; raise all problems at once."""
        found = _date_column(table.header)
        assert found is not None
        date_column, zone = found
        require_rows(table, "orders")
        header = list(table.header)
        rows = Rows(table)
        trades: list[Trade] = []
        order: _Order | None = None
        for row in rows:
            cells = [row.text(name) for name in header]
            if cells[0]:  # an order line
                if order is not None:
                    trades.extend(order.finish(rows))
                order = _Order.read(row, date_column)
                continue
            if normalize_cell(cells[1]) == "date(utc)":
                continue  # the line that names the fill columns
            if order is None:
                row.bad(None, "a fill line before any order line: expected an order first")
                continue
            order.fill(row, header, zone)
        if order is not None:
            trades.extend(order.finish(rows))
        rows.finish(by_line=True)
        yield from sorted(trades, key=lambda t: t.source.line)


def normalize_cell(text: str) -> str:
    return "".join(text.lower().split())


class _Order:
    """One order line and the fills read below it."""

    def __init__(self, row: Row, pair: tuple[str, str] | None, kind: TradeKind | None) -> None:
        self.row = row
        self.pair = pair
        self.kind = kind
        self.filled = row.number("filled", unit=pair[0] if pair else "")
        self.fills: list[Trade] = []
        self.broken = bool(row.problems)

    @classmethod
    def read(cls, row: Row, date_column: str) -> _Order:
        market = row.text("pair").upper().replace("/", "").replace("-", "")
        pair = _split_market(market)
        if pair is None:
            row.bad(
                "pair", f"expected a pair like BTCUSDT ending in a known quote, found {market!r}"
            )
        side = row.text("type").lower()
        kind = {"buy": TradeKind.BUY, "sell": TradeKind.SELL}.get(side)
        if kind is None:
            row.bad("type", f"expected BUY or SELL, found {row.text('type')!r}")
        return cls(row, pair, kind)

    def fill(self, row: Row, header: list[str], zone: tzinfo) -> None:
        """Read one fill line: (empty), time, price, filled, total, fee."""
        if self.broken or self.pair is None or self.kind is None:
            return  # the order line's own problem is reported
        cells = [row.text(name) for name in header]
        base, quote = self.pair
        time_text, _, amount_text, total_text, fee_text = (cells + [""] * 6)[1:6]
        problems = []
        try:
            timestamp = _timestamp(time_text, zone)
        except BadValue as exc:
            problems.append(f"fill time: {exc}")
        try:
            amount = _number(amount_text, base)
            total = _number(total_text, quote)
        except BadValue as exc:
            problems.append(f"fill amounts: {exc}")
        fee, fee_asset = ZERO, ""
        if fee_text:
            try:
                fee, fee_asset = split_amount(fee_text, KNOWN_TICKERS | {base, quote})
            except BadValue as exc:
                problems.append(f"fill fee: {exc}")
        if problems:
            for problem in problems:
                row.bad(None, problem)
            return
        if amount <= 0 or total <= 0 or fee < 0:
            row.bad(None, "expected a fill of positive amounts and a fee of zero or more")
            return
        self.fills.append(
            Trade(
                timestamp=timestamp,
                kind=self.kind,
                asset=base,
                quantity=amount,
                wallet=WALLET,
                source=row.source,
                quote_asset=quote,
                quote_quantity=total,
                fee_asset=fee_asset if fee else "",
                fee_quantity=fee if fee else None,
                note=f"fill of the order at line {self.row.source.line}",
            )
        )

    def finish(self, rows: Rows) -> list[Trade]:
        """The fills, once the order's ``Filled`` agrees with them."""
        if self.broken or self.row.problems:
            return []
        got = sum((t.quantity for t in self.fills), ZERO)
        if self.filled is not None and self.fills and got != self.filled:
            rows.bad(
                self.row.source,
                "filled",
                f"the order's Filled ({plain(self.filled)}) is not the sum of its fill lines "
                f"({plain(got)}): export the order history again (a fill line is missing)",
            )
            return []
        if not self.fills and self.filled:
            rows.bad(
                self.row.source,
                "filled",
                f"the order filled {plain(self.filled)} but no fill lines follow it: expected "
                "the ';Date(UTC);Trading Price;Filled;Total;Fee' lines below the order",
            )
            return []
        return self.fills


def _number(text: str, unit: str) -> Decimal:
    return loose_number(text.replace(" ", ""), unit)


__all__ = ["BinanceBuyCrypto", "BinanceOrderHistory"]
