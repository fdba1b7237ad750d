"""The taxloss generic CSV: the documented format anyone can write by hand or script.

Required columns: ``timestamp,type,asset,quantity``. Optional: ``quote_asset,quote_quantity,
fee_asset,fee_quantity,fiat_value,wallet,id,note`` and, for derivatives, ``position,opened``.
Names are case-insensitive; order is free; an unknown column is an error (a misspelt
``fee_quantity`` must not silently drop fees). See the README for what each type means.
"""

from __future__ import annotations

from collections.abc import Iterator

from taxloss.errors import InputError, Problem
from taxloss.model import Trade, TradeKind
from taxloss.parsers import ParseOptions, register
from taxloss.parsers.numbers import strict_number
from taxloss.parsers.rows import Row, Rows, require_rows, written_names
from taxloss.parsers.table import Table

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
        trades = [trade for row in rows if (trade := _trade(row, options)) is not None]
        rows.finish()
        yield from trades


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
        and kind not in (TradeKind.INTEREST, TradeKind.MARGIN_LOAN, TradeKind.MARGIN_REPAY)
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
