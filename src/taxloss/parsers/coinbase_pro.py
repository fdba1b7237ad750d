"""Coinbase Pro account statement (issue #13): every balance change of a Coinbase Pro account.

Statements > Coinbase Pro > Generate custom report > Account, CSV:
``portfolio,type,time,amount,balance,amount/balance unit,transfer id,trade id,order id``.
One row per balance change, ``amount`` signed in ``amount/balance unit``, ``time`` ISO 8601
with ``Z`` (UTC, written in every cell).

* ``match`` rows with the same ``trade id`` are the two legs of one fill (one unit up, one
  down), and ``fee`` rows with that trade id its fee: one BUY or SELL in wallet
  ``coinbase-pro``. Which coin is the quote follows Binance's quote ranking (government
  currencies, then stablecoins, then BTC, ETH ...): the fill buys the other coin when the quote
  went down, and sells it when the quote went up. ``external_id`` = ``coinbase-pro:`` + trade
  id. A trade id whose rows do not make one fill of two coins is an error naming its lines.
* ``deposit``/``withdrawal``: DEPOSIT/WITHDRAWAL of the coin (``external_id`` from the
  transfer id); those of a government currency are dropped (fiat is not tracked). The
  statement does not say whether a crypto deposit came from the user's Coinbase account (a
  move within one custody, which Coinbase's own report drops as ``Pro Withdrawal``) or from
  outside, so each is kept and a warning says how to answer it.
* Any other type is an error naming it (the statement's types are match, fee, deposit,
  withdrawal; a ``conversion`` between USD and USDC, fiat for a par stablecoin, is read as
  a fill of the two).

Times state their zone, so nothing is assumed. pandas is not used.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from taxloss.currencies import FIAT
from taxloss.model import Notice, SourceRef, Trade, TradeKind
from taxloss.money import ZERO, plain
from taxloss.parsers import ParseOptions, register
from taxloss.parsers.binance import QUOTE_RANK
from taxloss.parsers.rows import Columns, Rows, require_rows, words
from taxloss.parsers.table import Table

#: Coinbase Pro was Coinbase's own exchange, one custody with the Coinbase account: the same
#: wallet as the Coinbase report and the Advanced / Pro fills.
WALLET = "coinbase"
EXCHANGE = "coinbase-pro"

COLUMNS: dict[str, tuple[str, ...]] = {
    "type": ("type",),
    "time": ("time",),
    "amount": ("amount",),
    "unit": ("amount/balance unit",),
    "transfer id": ("transfer id",),
    "trade id": ("trade id",),
    "order id": ("order id",),
}
FILL_TYPES = frozenset({"match", "fee", "conversion"})
TRANSFER_TYPES = {"deposit": TradeKind.DEPOSIT, "withdrawal": TradeKind.WITHDRAWAL}


@dataclass(frozen=True, slots=True)
class _Leg:
    source: SourceRef
    time: datetime
    type: str
    unit: str
    amount: Decimal


@register("coinbase-pro")
class CoinbaseProAccount:
    """Coinbase Pro account statement: fills from match and fee rows, deposits, withdrawals."""

    title = "Coinbase Pro account statement"
    layouts = (
        (
            "portfolio",
            "type",
            "time",
            "amount",
            "balance",
            "amount/balance unit",
            "transfer id",
            "trade id",
            "order id",
        ),
    )
    download = (
        "Coinbase: Statements > Coinbase Pro > Generate custom report > Account (all portfolios, "
        "all accounts), CSV."
    )

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim the account columns: amount/balance unit, transfer id and trade id."""
        return {"type", "time", "amount", "amount/balance unit", "transfer id", "trade id"} <= set(
            header
        )

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Read every row, pair the legs of each fill; raise all problems at once."""
        columns = Columns(table)
        found = {key: columns.find(names) for key, names in COLUMNS.items()}
        rows = Rows(table, found)
        require_rows(table, "account rows")
        trades: list[Trade] = []
        fills: dict[str, list[_Leg]] = {}
        for row in rows:
            kind_text = row.text("type")
            kind = words(kind_text)
            if kind not in FILL_TYPES and kind not in TRANSFER_TYPES:
                row.bad(
                    "type",
                    f"unknown type {kind_text!r}: expected match, fee, deposit or withdrawal",
                )
                continue
            time = row.time("time", UTC)
            amount = row.number("amount", required=True)
            unit = row.text("unit").upper()
            if not unit:
                row.bad("unit", "expected the coin of the amount, e.g. BTC")
            if row.problems:
                continue
            assert time is not None and amount is not None
            if kind in TRANSFER_TYPES:
                if unit in FIAT or amount == 0:
                    continue
                transfer = row.text("transfer id")
                trades.append(
                    Trade(
                        timestamp=time,
                        kind=TRANSFER_TYPES[kind],
                        asset=unit,
                        quantity=abs(amount),
                        wallet=WALLET,
                        source=row.source,
                        external_id=f"{EXCHANGE}:{transfer}" if transfer else "",
                    )
                )
                continue
            trade_id = row.text("trade id")
            if kind == "conversion":
                # A USD <-> USDC conversion: its two rows share an id (else their time).
                ids = (row.text("order id"), trade_id, row.text("transfer id"))
                key = "conversion:" + (next((i for i in ids if i), "") or time.isoformat())
            elif trade_id:
                key = trade_id
            else:
                row.bad("trade id", f"a {kind_text} row needs the trade id of its fill")
                continue
            fills.setdefault(key, []).append(_Leg(row.source, time, kind, unit, amount))
        for trade_id, legs in fills.items():
            made = _fill(rows, trade_id, legs)
            if made is not None:
                trades.append(made)
        rows.finish(by_line=True)
        for trade in trades:
            if trade.kind in (TradeKind.DEPOSIT, TradeKind.WITHDRAWAL):
                options.warn(_transfer_notice(trade))
        yield from sorted(trades, key=lambda t: t.source.line)


def _transfer_notice(trade: Trade) -> Notice:
    """The question a Coinbase Pro deposit or withdrawal of a coin leaves open."""
    into = trade.kind is TradeKind.DEPOSIT
    return Notice(
        "coinbase_pro_transfer",
        f"Coinbase Pro {'deposit' if into else 'withdrawal'} of {plain(trade.quantity)} "
        f"{trade.asset}: counted as a transfer {'into' if into else 'out of'} Coinbase. If it "
        f"{'came from' if into else 'went to'} your own Coinbase account, it moved within one "
        "custody (Coinbase's report drops that side as 'Pro "
        f"{'Withdrawal' if into else 'Deposit'}'): skip this row with --overrides, else its "
        "other side is an exchange or wallet to add",
        trade.source,
    )


def _fill(rows: Rows, trade_id: str, legs: list[_Leg]) -> Trade | None:
    """One fill from its match (or conversion) legs and fee rows."""
    moves: dict[str, Decimal] = {}
    for leg in legs:
        if leg.type != "fee":
            moves[leg.unit] = moves.get(leg.unit, ZERO) + leg.amount
    fees: dict[str, Decimal] = {}
    for leg in legs:
        if leg.type == "fee":
            fees[leg.unit] = fees.get(leg.unit, ZERO) - leg.amount
    lines = ", ".join(str(leg.source.line) for leg in legs)
    up = [unit for unit, amount in moves.items() if amount > 0]
    down = [unit for unit, amount in moves.items() if amount < 0]
    if len(moves) != 2 or len(up) != 1 or len(down) != 1 or len(fees) > 1:
        rows.bad(
            legs[0].source,
            "trade id",
            f"trade {trade_id} (lines {lines}): expected one coin received and one paid in its "
            "match rows (and fees in one coin); export the whole period, all accounts",
        )
        return None
    received, given = up[0], down[0]
    rank = len(QUOTE_RANK)
    if QUOTE_RANK.get(given, rank) <= QUOTE_RANK.get(received, rank):
        kind, base, quote = TradeKind.BUY, received, given
    else:
        kind, base, quote = TradeKind.SELL, given, received
    fee_unit, fee = next(iter(fees.items()), ("", ZERO))
    if fee < 0:
        rows.bad(
            legs[0].source,
            "amount",
            f"trade {trade_id}: a fee row credits {plain(-fee)} {fee_unit}: expected a debit",
        )
        return None
    first = min(legs, key=lambda leg: leg.source.line)
    return Trade(
        timestamp=first.time,
        kind=kind,
        asset=base,
        quantity=abs(moves[base]),
        wallet=WALLET,
        source=first.source,
        quote_asset=quote,
        quote_quantity=abs(moves[quote]),
        fee_asset=fee_unit if fee else "",
        fee_quantity=fee if fee else None,
        external_id=f"{EXCHANGE}:{trade_id}",
        note=f"legs at lines {lines}",
    )


__all__ = ["CoinbaseProAccount"]
