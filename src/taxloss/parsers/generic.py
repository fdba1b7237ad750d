"""The taxloss generic CSV: the documented format anyone can write by hand or script.

Required columns: ``timestamp,type,asset,quantity``. Optional: ``quote_asset,quote_quantity,
fee_asset,fee_quantity,fiat_value,wallet,id,note`` and, for derivatives, ``position,opened``.
Names are case-insensitive; order is free; an unknown column is an error (a misspelt
``fee_quantity`` must not silently drop fees). See the README for what each type means.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from taxloss.errors import InputError, Problem
from taxloss.model import SourceRef, Trade, TradeKind
from taxloss.parsers import ParseOptions, register
from taxloss.parsers.numbers import BadValue, parse_timestamp, strict_number
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
        problems: list[Problem] = []
        known = set(REQUIRED) | set(OPTIONAL)
        for name, raw in zip(table.header, table.raw_header or table.header, strict=False):
            if name not in known:
                problems.append(
                    Problem(
                        _header_ref(table),
                        f"unknown column: expected only {', '.join(REQUIRED + OPTIONAL)}",
                        column=raw.strip() or name,
                    )
                )
        if problems:
            raise InputError(problems)
        if not any(line > 0 for line in table.lines):
            raise InputError(
                Problem(_header_ref(table), "no data rows below the header: expected trades")
            )
        columns = {name: table.column(name) for name in table.header}
        empty = [""] * len(table.lines)
        get = {name: columns.get(name, empty) for name in (*REQUIRED, *OPTIONAL)}
        trades: list[Trade] = []
        for index, line in enumerate(table.lines):
            if line < 0:
                continue
            source = table.source(index)
            row_problems: list[Problem] = []

            def bad(column: str, message: str, row_problems: list[Problem] = row_problems) -> None:
                row_problems.append(Problem(source, message, column=column))  # noqa: B023

            def number(column: str, required: bool = False) -> Decimal | None:
                text = get[column][index].strip()  # noqa: B023
                if not text:
                    if required:
                        bad(column, "expected a number, found an empty cell")
                    return None
                try:
                    return strict_number(text)
                except BadValue as exc:
                    bad(column, str(exc))
                    return None

            timestamp = None
            try:
                timestamp = parse_timestamp(get["timestamp"][index], options.timezone)
            except BadValue as exc:
                bad("timestamp", str(exc))
            kind_text = get["type"][index].strip().lower()
            kind = KINDS.get(kind_text)
            if kind is None:
                bad("type", f"unknown type {kind_text!r}: expected one of {', '.join(KINDS)}")
            asset = get["asset"][index].strip().upper()
            if not asset:
                bad("asset", "expected an asset symbol such as BTC, found an empty cell")
            quantity = number("quantity", required=True)
            if quantity is not None:
                zero_ok = kind in ZERO_QUANTITY_OK
                if quantity < 0 or (quantity == 0 and not zero_ok):
                    bad(
                        "quantity",
                        f"expected a positive number (the direction comes from "
                        f"the type), found {get['quantity'][index].strip()!r}",
                    )
            quote_asset = get["quote_asset"][index].strip().upper()
            quote_quantity = number("quote_quantity")
            fee_asset = get["fee_asset"][index].strip().upper()
            fee_quantity = number("fee_quantity")
            fiat_value = number("fiat_value")
            opened = None
            if get["opened"][index].strip():
                try:
                    opened = parse_timestamp(get["opened"][index], options.timezone)
                except BadValue as exc:
                    bad("opened", str(exc))
            if kind in NEEDS_QUOTE:
                if not quote_asset:
                    bad("quote_asset", f"a {kind_text} needs the asset paid or received, e.g. USD")
                if quote_quantity is None and not get["quote_quantity"][index].strip():
                    bad("quote_quantity", f"a {kind_text} needs the amount paid or received")
                elif quote_quantity is not None and quote_quantity <= 0:
                    bad("quote_quantity", "expected a positive number")
            elif kind in DERIVATIVE:
                if not quote_asset:
                    bad("quote_asset", "expected the settlement asset, e.g. USDT")
                if quote_quantity is None and not get["quote_quantity"][index].strip():
                    bad("quote_quantity", "expected the signed amount settled")
            elif (
                kind is not None
                and (quote_asset or quote_quantity is not None)
                and kind not in (TradeKind.INTEREST, TradeKind.MARGIN_LOAN, TradeKind.MARGIN_REPAY)
            ):
                bad(
                    "quote_asset",
                    f"not used by type {kind_text}: leave quote_asset and "
                    "quote_quantity empty (put a value in fiat_value)",
                )
            side = get["side"][index].strip().lower()
            if side and side not in SIDES:
                bad("side", f"expected long or short, found {side!r}")
            if (fee_asset == "") != (fee_quantity is None):
                bad(
                    "fee_asset" if not fee_asset else "fee_quantity",
                    "fee_asset and fee_quantity go together: fill both or neither",
                )
            if fee_quantity is not None and fee_quantity < 0:
                bad("fee_quantity", "expected a fee of zero or more")
            if fiat_value is not None and fiat_value < 0:
                bad("fiat_value", "expected a value of zero or more")
            if row_problems:
                problems.extend(row_problems)
                continue
            assert timestamp is not None and kind is not None and quantity is not None
            trades.append(
                Trade(
                    timestamp=timestamp,
                    kind=kind,
                    asset=asset,
                    quantity=quantity,
                    wallet=get["wallet"][index].strip() or options.wallet,
                    source=source,
                    quote_asset=quote_asset,
                    quote_quantity=quote_quantity,
                    fee_asset=fee_asset,
                    fee_quantity=fee_quantity if fee_quantity else None,
                    fiat_value=fiat_value,
                    external_id=get["id"][index].strip(),
                    note=get["note"][index].strip(),
                    position=get["position"][index].strip(),
                    opened=opened,
                    side=side,
                )
            )
        if problems:
            raise InputError(problems)
        yield from trades


def _header_ref(table: Table) -> SourceRef:
    return SourceRef(table.path, table.header_line)
