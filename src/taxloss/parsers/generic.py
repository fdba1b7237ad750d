"""The taxloss generic CSV: the documented format anyone can write by hand or script.

Required columns: ``timestamp,type,asset,quantity``. Optional: ``quote_asset,quote_quantity,
fee_asset,fee_quantity,fiat_value,wallet,id,note`` and, for derivatives, ``position,opened``.
Names are case-insensitive; order is free; an unknown column is an error (a misspelt
``fee_quantity`` must not silently drop fees). See the README for what each type means.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from taxloss.errors import InputError, Problem
from taxloss.model import SourceRef, Trade, TradeKind, make_trade
from taxloss.parsers import ParseOptions, register
from taxloss.parsers.numbers import BadValue, parse_timestamp, strict_number
from taxloss.parsers.rows import Row, Rows, require_rows, written_names
from taxloss.parsers.table import Table

T = TypeVar("T")

REQUIRED = ("timestamp", "type", "asset", "quantity")
OPTIONAL = (
    "quote_asset",
    "quote_quantity",
    "fee_asset",
    "fee_quantity",
    "fiat_value",
    "wallet",
    "id",
    "note",
    "position",
    "opened",
    "side",
)
KINDS = {kind.value: kind for kind in TradeKind}
NEEDS_QUOTE = frozenset({TradeKind.BUY, TradeKind.SELL, TradeKind.FORCED_SALE})
DERIVATIVE = frozenset(
    {
        TradeKind.REALIZED_PNL,
        TradeKind.LIQUIDATION,
        TradeKind.FUNDING,
        TradeKind.INSURANCE_FEE,
        TradeKind.COMMISSION,
    }
)
SIDES = ("long", "short")
#: Types whose quantity may be zero (derivative cash flows carry their amount in the quote).
ZERO_QUANTITY_OK = DERIVATIVE | {TradeKind.INTEREST}
#: Other types that may carry a quote (``_trade``: interest and margin rows).
QUOTE_ALLOWED = frozenset({TradeKind.INTEREST, TradeKind.MARGIN_LOAN, TradeKind.MARGIN_REPAY})


@register("generic")
class GenericCsv:
    """taxloss generic CSV."""

    title = "taxloss generic CSV"
    layouts = ((*REQUIRED, *OPTIONAL),)
    download = "Write it yourself (see 'The generic CSV' in the README)."

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim a header that has every required generic column."""
        return set(REQUIRED) <= set(header)

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Validate every row; raise all row errors at once (up to 20 listed)."""
        known = set(REQUIRED) | set(OPTIONAL)
        written = written_names(table)
        unknown = [
            Problem(
                table.header_source(),
                f"unknown column: expected only {', '.join(REQUIRED + OPTIONAL)}",
                column=written[name],
            )
            for name in table.header
            if name not in known
        ]
        if unknown:
            raise InputError(unknown)
        require_rows(table, "trades")
        # The columns are named as documented (lower case) in messages, whatever the case used.
        rows = Rows(table, number=strict_number, written=False)
        trades = _valid_trades(rows, options)
        for index, line in enumerate(table.lines):
            if trades[index] is None and line > 0:
                # A row the column pass could not accept is read again cell by cell: that
                # path records its problems exactly as before (same messages, same order).
                trades[index] = _trade(Row(rows, index, table.source(index)), options)
        rows.finish()
        yield from filter(None, trades)


#: Deletes the characters of a plain number written in ASCII (digits, point, sign, exponent):
#: a column whose text is empty after it has only such numbers (or malformed ones).
_NUMBER_CHARS = str.maketrans("", "", "0123456789.+-eE")


def _numbers(cells: list[str] | None, size: int) -> list[Decimal | bool | None]:
    """A number column read at once: a Decimal per cell, None for an empty cell, False for a
    cell that is not a plain number (its row is then read by ``_trade``, which reports it).

    When every text is made of ASCII digits, point, sign and exponent, ``Decimal`` accepts
    exactly ``strict_number``'s form, so the column is parsed in one pass of ``Decimal``
    (falling back to ``_number`` per text if any is malformed). A column whose values repeat
    (fees, blanks) is parsed once per distinct text, and its rows share the Decimals.
    """
    if cells is None:
        return [None] * size
    plain = not "".join(cells).translate(_NUMBER_CHARS)
    if plain and len(set(cells[:1000])) > 500:  # mostly distinct: nothing to share
        try:
            numbers = map(Decimal, filter(None, cells))
            return [next(numbers) if cell else None for cell in cells]
        except InvalidOperation:
            pass  # a malformed number such as 1.2.3: read each text on its own
    texts = dict.fromkeys(cells)
    texts.pop("", None)
    parsed: dict[str, Decimal | bool | None] | None = None
    with contextlib.suppress(InvalidOperation):  # else read each text on its own
        parsed = dict(zip(texts, map(Decimal, texts), strict=True)) if plain else None
    if parsed is None:
        parsed = {text: _number(text) for text in texts}
    parsed[""] = None
    return list(map(parsed.__getitem__, cells))


def _number(cell: str) -> Decimal | bool | None:
    """One cell as ``_numbers`` reads it."""
    text = cell.strip()
    if not text:
        return None
    try:
        return strict_number(text)
    except BadValue:
        return False


def _mapped(cells: list[str] | None, size: int, change: Callable[[str], T]) -> list[T]:
    """A column with ``change`` applied to each distinct cell once (types, assets and wallets
    repeat, so the trades also share one string per value)."""
    if cells is None:
        cells = [""] * size
    values = {cell: change(cell) for cell in dict.fromkeys(cells)}
    return list(map(values.__getitem__, cells))


def _kind(cell: str) -> TradeKind | None:
    return KINDS.get(cell.strip().lower())


def _upper(cell: str) -> str:
    return cell.strip().upper()


def _lower(cell: str) -> str:
    return cell.strip().lower()


def _texts(cells: list[str] | None, size: int) -> list[str]:
    """A text column stripped (a cell without spaces is kept as it is)."""
    if cells is None:
        return [""] * size
    return list(map(str.strip, cells))


def _times(cells: list[str] | None, size: int, zone: tzinfo | None) -> list[datetime | None]:
    """A timestamp column: aware UTC datetimes, None for a cell ``parse_timestamp`` rejects.

    A column of ISO 8601 timestamps with a zone (the common case) is read in one pass of
    ``datetime.fromisoformat``, which is what ``parse_timestamp`` tries first; any other
    column is read cell by cell with ``parse_timestamp``.
    """
    if cells is None:
        cells = [""] * size
    try:
        moments = list(map(datetime.fromisoformat, cells))
        return [
            moment.astimezone(UTC) if moment.tzinfo is not None else _time(cell, zone)
            for moment, cell in zip(moments, cells, strict=True)
        ]
    except (ValueError, OverflowError):  # a time the calendar cannot hold: say which
        return [_time(cell, zone) for cell in cells]


def _time(cell: str, zone: tzinfo | None) -> datetime | None:
    try:
        return parse_timestamp(cell, zone)
    except BadValue:
        return None


def _valid_trades(rows: Rows, options: ParseOptions) -> list[Trade | None]:
    """The trade of every row that passes all of ``_trade``'s checks, read column by column
    (None for a row with any problem, and for blank lines).

    This is ``_trade`` for the common case, several times faster on large files: each
    column is cleaned and parsed in one pass, and repeated cells (types, assets, wallets,
    fees) are read once. It never records a problem: a row it cannot accept is left to
    ``_trade``, so every message stays as ``_trade`` words it.
    """
    table = rows.table
    size = len(table.lines)
    zone = options.timezone
    columns = zip(
        table.lines,
        _times(rows.cells("timestamp"), size, zone),
        _mapped(rows.cells("type"), size, _kind),
        _mapped(rows.cells("asset"), size, _upper),
        _numbers(rows.cells("quantity"), size),
        _mapped(rows.cells("quote_asset"), size, _upper),
        _numbers(rows.cells("quote_quantity"), size),
        _mapped(rows.cells("fee_asset"), size, _upper),
        _numbers(rows.cells("fee_quantity"), size),
        _numbers(rows.cells("fiat_value"), size),
        _mapped(rows.cells("wallet"), size, str.strip),
        _texts(rows.cells("id"), size),
        _texts(rows.cells("note"), size),
        _texts(rows.cells("position"), size),
        _texts(rows.cells("opened"), size),
        _mapped(rows.cells("side"), size, _lower),
        strict=False,  # a short table leaves the last rows to ``_trade`` (see below)
    )
    path = table.path
    wallet_default = options.wallet
    out: list[Trade | None] = []
    append = out.append
    for (
        line, timestamp, kind, asset, quantity, quote_asset, quote_quantity, fee_asset,
        fee_quantity, fiat_value, wallet, external_id, note, position, opened_text, side,
    ) in columns:  # fmt: skip
        append(None)
        if line <= 0 or timestamp is None or kind is None or not asset:
            continue  # a blank line, or a problem for ``_trade`` to report
        if quantity is None or quantity is False or quantity < 0:
            continue
        if quantity == 0 and kind not in ZERO_QUANTITY_OK:
            continue
        if quote_quantity is False or fee_quantity is False or fiat_value is False:
            continue
        if kind in NEEDS_QUOTE:
            if not quote_asset or quote_quantity is None or quote_quantity <= 0:
                continue
        elif kind in DERIVATIVE:
            if not quote_asset or quote_quantity is None:
                continue
        elif (quote_asset or quote_quantity is not None) and kind not in QUOTE_ALLOWED:
            continue
        if side and side not in SIDES:
            continue
        if (fee_asset == "") != (fee_quantity is None):
            continue
        if (fee_quantity is not None and fee_quantity < 0) or (
            fiat_value is not None and fiat_value < 0
        ):
            continue
        opened = None
        if opened_text:
            opened = _time(opened_text, zone)
            if opened is None:
                continue
        # Positional, in Trade's field order: one is made for every row.
        out[-1] = make_trade(
            timestamp, kind, asset, quantity, wallet or wallet_default, SourceRef(path, line),
            quote_asset, quote_quantity, fee_asset, fee_quantity if fee_quantity else None,
            fiat_value, external_id, note, position, opened, side, "",
        )  # fmt: skip
    out.extend([None] * (size - len(out)))
    return out


def _trade(row: Row, options: ParseOptions) -> Trade | None:
    """One row as a Trade, or None with its problems recorded on ``row``."""
    timestamp = row.time("timestamp", options.timezone)
    kind_text = row.text("type").lower()
    kind = KINDS.get(kind_text)
    if kind is None:
        row.bad("type", f"unknown type {kind_text!r}: expected one of {', '.join(KINDS)}")
    asset = row.text("asset").upper()
    if not asset:
        row.bad("asset", "expected an asset symbol such as BTC, found an empty cell")
    quantity = row.number("quantity", required=True)
    if quantity is not None:
        zero_ok = kind in ZERO_QUANTITY_OK
        if quantity < 0 or (quantity == 0 and not zero_ok):
            row.bad(
                "quantity",
                f"expected a positive number (the direction comes from "
                f"the type), found {row.text('quantity')!r}",
            )
    quote_asset = row.text("quote_asset").upper()
    quote_quantity = row.number("quote_quantity")
    fee_asset = row.text("fee_asset").upper()
    fee_quantity = row.number("fee_quantity")
    fiat_value = row.number("fiat_value")
    opened = None
    if row.text("opened"):
        opened = row.time("opened", options.timezone)
    if kind in NEEDS_QUOTE:
        if not quote_asset:
            row.bad("quote_asset", f"a {kind_text} needs the asset paid or received, e.g. USD")
        if quote_quantity is None and not row.text("quote_quantity"):
            row.bad("quote_quantity", f"a {kind_text} needs the amount paid or received")
        elif quote_quantity is not None and quote_quantity <= 0:
            row.bad("quote_quantity", "expected a positive number")
    elif kind in DERIVATIVE:
        if not quote_asset:
            row.bad("quote_asset", "expected the settlement asset, e.g. USDT")
        if quote_quantity is None and not row.text("quote_quantity"):
            row.bad("quote_quantity", "expected the signed amount settled")
    elif (
        kind is not None
        and (quote_asset or quote_quantity is not None)
        and kind not in QUOTE_ALLOWED
    ):
        row.bad(
            "quote_asset",
            f"not used by type {kind_text}: leave quote_asset and "
            "quote_quantity empty (put a value in fiat_value)",
        )
    side = row.text("side").lower()
    if side and side not in SIDES:
        row.bad("side", f"expected long or short, found {side!r}")
    if (fee_asset == "") != (fee_quantity is None):
        row.bad(
            "fee_asset" if not fee_asset else "fee_quantity",
            "fee_asset and fee_quantity go together: fill both or neither",
        )
    if fee_quantity is not None and fee_quantity < 0:
        row.bad("fee_quantity", "expected a fee of zero or more")
    if fiat_value is not None and fiat_value < 0:
        row.bad("fiat_value", "expected a value of zero or more")
    if row.problems:
        return None
    assert timestamp is not None and kind is not None and quantity is not None
    return Trade(
        timestamp=timestamp,
        kind=kind,
        asset=asset,
        quantity=quantity,
        wallet=row.text("wallet") or options.wallet,
        source=row.source,
        quote_asset=quote_asset,
        quote_quantity=quote_quantity,
        fee_asset=fee_asset,
        fee_quantity=fee_quantity if fee_quantity else None,
        fiat_value=fiat_value,
        external_id=row.text("id"),
        note=row.text("note"),
        position=row.text("position"),
        opened=opened,
        side=side,
    )
