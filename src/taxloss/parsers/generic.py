"""The taxloss generic CSV: the documented format anyone can write by hand or script.

Required columns: ``timestamp,type,asset,quantity``. Optional: ``quote_asset,quote_quantity,
fee_asset,fee_quantity,fiat_value,wallet,id,note`` and, for derivatives, ``position,opened``.
Names are case-insensitive; order is free; an unknown column is an error (a misspelt
``fee_quantity`` must not silently drop fees). See the README for what each type means.
"""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Callable, Collection, Iterator
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from itertools import compress, repeat
from typing import NamedTuple, TypeVar, cast

from taxloss.errors import InputError, Problem
from taxloss.model import Trade, TradeKind, make_trade
from taxloss.parsers import ParseOptions, register
from taxloss.parsers.numbers import BadValue, parse_timestamp, strict_number
from taxloss.parsers.rows import Row, Rows, make_source, require_rows, written_names
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
#: Types that must leave the quote empty (``_trade``: "not used by type ...").
NO_QUOTE = frozenset(TradeKind) - NEEDS_QUOTE - DERIVATIVE - QUOTE_ALLOWED
#: The side cells ``_trade`` accepts, as ``_valid_trades`` reads them (lower case, stripped).
SIDE_CELLS = frozenset({"", *SIDES})


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
        if any(map(operator.is_, trades, repeat(None))):
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


class _Numbers(NamedTuple):
    """A number column as ``_numbers`` reads it, and what it holds as a whole (so that
    ``_all_pass`` needs no pass over the column to know it)."""

    #: A Decimal per cell, None for an empty cell, False for a cell that is not a plain number.
    values: list[Decimal | bool | None]
    #: Some cell is empty (a None in ``values``).
    blank: bool
    #: Some cell is not a plain number (a False in ``values``).
    malformed: bool
    #: Some cell is a number (a Decimal in ``values``).
    filled: bool


def _numbers(cells: list[str] | None, size: int) -> _Numbers:
    """A number column read at once: a Decimal per cell, None for an empty cell, False for a
    cell that is not a plain number (its row is then read by ``_trade``, which reports it).

    When every text is made of ASCII digits, point, sign and exponent, ``Decimal`` accepts
    exactly ``strict_number``'s form, so the column is parsed in one pass of ``Decimal``
    (falling back to ``_number`` per text if any is malformed). A column whose values repeat
    (fees, blanks) is parsed once per distinct text, and its rows share the Decimals.
    """
    if cells is None:
        return _Numbers([None] * size, size > 0, False, False)
    plain = not "".join(cells).translate(_NUMBER_CHARS)
    if plain and len(set(cells[:1000])) > 500:  # mostly distinct: nothing to share
        try:
            if "" not in cells:
                return _Numbers(list(map(Decimal, cells)), False, False, bool(cells))
            numbers = map(Decimal, filter(None, cells))
            values = [next(numbers) if cell else None for cell in cells]
            return _Numbers(values, True, False, any(cells))
        except InvalidOperation:
            pass  # a malformed number such as 1.2.3: read each text on its own
    texts = dict.fromkeys(cells)
    blank = "" in texts
    texts.pop("", None)
    parsed: dict[str, Decimal | bool | None] | None = None
    with contextlib.suppress(InvalidOperation):  # else read each text on its own
        parsed = dict(zip(texts, map(Decimal, texts), strict=True)) if plain else None
    if parsed is None:
        parsed = {text: _number(text) for text in texts}
    kinds = set(map(type, parsed.values()))
    found = _Numbers([], blank or type(None) in kinds, bool in kinds, Decimal in kinds)
    parsed[""] = None
    return found._replace(values=list(map(parsed.__getitem__, cells)))


def _number(cell: str) -> Decimal | bool | None:
    """One cell as ``_numbers`` reads it."""
    text = cell.strip()
    if not text:
        return None
    try:
        return strict_number(text)
    except BadValue:
        return False


def _mapped(
    cells: list[str] | None, size: int, change: Callable[[str], T]
) -> tuple[list[T], Collection[T]]:
    """A column with ``change`` applied to each distinct cell once (types, assets and wallets
    repeat, so the trades also share one string per value), and its distinct values."""
    if cells is None:
        value = change("")
        return [value] * size, (value,) if size else ()
    values = {cell: change(cell) for cell in dict.fromkeys(cells)}
    return list(map(values.__getitem__, cells)), values.values()


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
        if {moment.tzinfo for moment in moments} == {UTC}:
            return moments  # already in UTC (``astimezone`` would return each as it is)
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


class _Columns(NamedTuple):
    """Every column of the file as ``_valid_trades`` reads it, one item per table row."""

    lines: list[int]
    times: list[datetime | None]
    kinds: list[TradeKind | None]
    assets: list[str]
    quantities: _Numbers
    quote_assets: list[str]
    quote_quantities: _Numbers
    fee_assets: list[str]
    fee_quantities: _Numbers
    fiat_values: _Numbers
    #: The wallet of each row: its cell, or the default wallet when the cell is empty.
    wallets: list[str]
    ids: list[str]
    notes: list[str]
    positions: list[str]
    opened: list[str]
    sides: list[str]


def _valid_trades(rows: Rows, options: ParseOptions) -> list[Trade | None]:
    """The trade of every row that passes all of ``_trade``'s checks, read column by column
    (None for a row with any problem, and for blank lines).

    This is ``_trade`` for the common case, several times faster on large files: each
    column is cleaned and parsed in one pass, and repeated cells (types, assets, wallets,
    fees) are read once. When every row passes (``_all_pass``, checked a column at a time),
    the trades are made without a check per row; otherwise each row is checked on its own
    (``_each_trade``). It never records a problem: a row it cannot accept is left to
    ``_trade``, so every message stays as ``_trade`` words it.
    """
    table = rows.table
    size = len(table.lines)
    zone = options.timezone
    wallet = options.wallet
    kinds, kind_values = _mapped(rows.cells("type"), size, _kind)
    assets, asset_values = _mapped(rows.cells("asset"), size, _upper)
    fee_assets, fee_asset_values = _mapped(rows.cells("fee_asset"), size, _upper)
    sides, side_values = _mapped(rows.cells("side"), size, _lower)
    columns = _Columns(
        table.lines,
        _times(rows.cells("timestamp"), size, zone),
        kinds,
        assets,
        _numbers(rows.cells("quantity"), size),
        _mapped(rows.cells("quote_asset"), size, _upper)[0],
        _numbers(rows.cells("quote_quantity"), size),
        fee_assets,
        _numbers(rows.cells("fee_quantity"), size),
        _numbers(rows.cells("fiat_value"), size),
        _mapped(rows.cells("wallet"), size, lambda cell: cell.strip() or wallet)[0],
        _texts(rows.cells("id"), size),
        _texts(rows.cells("note"), size),
        _texts(rows.cells("position"), size),
        _texts(rows.cells("opened"), size),
        sides,
    )
    opened = _all_pass(
        columns, kinds=kind_values, assets=asset_values, fee_assets=fee_asset_values,
        sides=side_values, zone=zone,
    )  # fmt: skip
    if opened is not None:
        return _all_trades(columns, opened, table.path)
    return _each_trade(columns, table.path, zone)


def _all_opened(columns: _Columns, zone: tzinfo | None) -> list[datetime | None] | None:
    """Each row's ``opened`` time (None where the cell is empty), or None when a cell that is
    not empty is not a time ``_trade`` accepts."""
    texts = columns.opened
    if not any(texts):
        return [None] * len(texts)
    opened = [_time(text, zone) if text else None for text in texts]
    return opened if list(map(bool, texts)) == list(map(bool, opened)) else None


def _all_pass(
    columns: _Columns,
    *,
    kinds: Collection[TradeKind | None],
    assets: Collection[str],
    fee_assets: Collection[str],
    sides: Collection[str],
    zone: tzinfo | None,
) -> list[datetime | None] | None:
    """Whether every row passes every check of ``_each_trade`` (and so of ``_trade``), found
    a column at a time: a file without a single problem (the common case) is then made into
    trades without a check per row.

    Args:
        columns: the file's columns.
        kinds, assets, fee_assets, sides: the distinct values of those columns.
        zone: the zone of naive times.

    Returns:
        The ``opened`` time of every row (None where the cell is empty) when every row
        passes; None when some row does not (``_each_trade`` then finds which).
    """
    if None in kinds or "" in assets or not SIDE_CELLS.issuperset(sides):
        return None
    opened = _all_opened(columns, zone)
    if opened is None:
        return None
    size = len(columns.lines)
    quantity, quote, fee, fiat = (
        columns.quantities, columns.quote_quantities, columns.fee_quantities, columns.fiat_values
    )  # fmt: skip
    cells = (
        columns.times, columns.kinds, columns.assets, columns.quote_assets, columns.fee_assets,
        columns.wallets, columns.ids, columns.notes, columns.positions, columns.sides,
        quantity.values, quote.values, fee.values, fiat.values,
    )  # fmt: skip
    if any(len(column) != size for column in cells):
        return None  # a short table: its last rows are read cell by cell
    if not size or min(columns.lines) <= 0 or not all(columns.times):
        return None  # a blank line, or a timestamp for ``_trade`` to report
    if quantity.blank or quantity.malformed or quote.malformed or fee.malformed or fiat.malformed:
        return None
    quantities: list[Decimal] = quantity.values  # type: ignore[assignment]
    if min(quantities) < 0:
        return None
    if not all(quantities) and not ZERO_QUANTITY_OK.issuperset(
        compress(columns.kinds, map(operator.not_, quantities))
    ):
        return None  # a zero quantity of a type that needs more
    types = cast(set[TradeKind], set(kinds))
    if not (
        _quotes_pass(columns, types, types & NEEDS_QUOTE, positive=True)
        and _quotes_pass(columns, types, types & DERIVATIVE, positive=False)
        and _no_quotes(columns, types, types & NO_QUOTE)
    ):
        return None
    # A fee asset goes with a fee quantity: both in every row, in none, or row by row.
    if "" not in fee_assets:
        fees_pair = not fee.blank
    elif len(fee_assets) == 1:
        fees_pair = not fee.filled
    else:
        fees_pair = list(map(operator.not_, columns.fee_assets)) == list(
            map(operator.is_, fee.values, repeat(None))
        )
    if (
        fees_pair
        and min(filter(None, fee.values), default=0) >= 0  # type: ignore[type-var]
        and min(filter(None, fiat.values), default=0) >= 0  # type: ignore[type-var]
    ):
        return opened
    return None


def _quotes_of(
    columns: _Columns, kinds: set[TradeKind], chosen: set[TradeKind]
) -> tuple[list[str], list[Decimal | bool | None]]:
    """The quote assets and quote quantities of the rows whose type is in ``chosen`` (all of
    ``kinds``, the file's types, or some of them)."""
    assets, quantities = columns.quote_assets, columns.quote_quantities.values
    if chosen == kinds:
        return assets, quantities
    rows = list(map(chosen.__contains__, columns.kinds))
    return list(compress(assets, rows)), list(compress(quantities, rows))


def _quotes_pass(
    columns: _Columns, kinds: set[TradeKind], chosen: set[TradeKind], *, positive: bool
) -> bool:
    """Every row of a type in ``chosen`` has a quote asset and a quote quantity (above zero
    when ``positive``): ``_each_trade``'s checks of the types that need a quote."""
    if not chosen:
        return True
    assets, quantities = _quotes_of(columns, kinds, chosen)
    if not all(assets):
        return False
    if positive:
        return all(quantities) and min(quantities) > 0  # type: ignore[type-var]
    return None not in quantities


def _no_quotes(columns: _Columns, kinds: set[TradeKind], chosen: set[TradeKind]) -> bool:
    """No row of a type in ``chosen`` has a quote asset or a quote quantity."""
    if not chosen:
        return True
    assets, quantities = _quotes_of(columns, kinds, chosen)
    return not any(assets) and all(map(operator.is_, quantities, repeat(None)))


def _all_trades(columns: _Columns, opened: list[datetime | None], path: str) -> list[Trade | None]:
    """The trade of every row, once ``_all_pass`` has found that every row passes."""
    fees = columns.fee_quantities.values
    if not all(fees):
        fees = [fee or None for fee in fees]  # a zero fee is no fee
    # Positional, in Trade's field order.
    return list(
        map(
            make_trade, columns.times, columns.kinds, columns.assets, columns.quantities.values,
            columns.wallets, map(make_source, repeat(path), columns.lines), columns.quote_assets,
            columns.quote_quantities.values, columns.fee_assets, fees,
            columns.fiat_values.values, columns.ids, columns.notes, columns.positions, opened,
            columns.sides, repeat(""),
        )
    )  # fmt: skip


def _each_trade(columns: _Columns, path: str, zone: tzinfo | None) -> list[Trade | None]:
    """``_valid_trades`` row by row: the trade of each row that passes every check."""
    size = len(columns.lines)
    rows = zip(
        columns.lines, columns.times, columns.kinds, columns.assets, columns.quantities.values,
        columns.quote_assets, columns.quote_quantities.values, columns.fee_assets,
        columns.fee_quantities.values, columns.fiat_values.values, columns.wallets, columns.ids,
        columns.notes, columns.positions, columns.opened, columns.sides,
        strict=False,  # a short table leaves the last rows to ``_trade`` (see below)
    )  # fmt: skip
    out: list[Trade | None] = []
    append = out.append
    for (
        line, timestamp, kind, asset, quantity, quote_asset, quote_quantity, fee_asset,
        fee_quantity, fiat_value, wallet, external_id, note, position, opened_text, side,
    ) in rows:  # fmt: skip
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
            timestamp, kind, asset, quantity, wallet, make_source(path, line), quote_asset,
            quote_quantity, fee_asset, fee_quantity if fee_quantity else None, fiat_value,
            external_id, note, position, opened, side, "",
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
