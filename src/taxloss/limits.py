"""The bounds every input row and every computed amount must keep (issue #11).

A file can hold anything: ``1e999``, a timestamp in the year 9999, a 3,000-character wallet
name. Such a value is no real trade, and past these bounds the arithmetic that rounds it, the
calendar that dates it or the page that prints it would fail with a traceback. So they are
checked once, right after parsing (``trade_problems``, every parser) and after the engine
(``report_problems``, amounts derived from several rows), and reported as ``path:line:``
problems. A date after today, or before an asset existed, is only a warning
(``date_notices``): the caller passes "today", so no test depends on the clock.

Must not import anything from taxloss except ``model``, ``errors`` and ``money``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from itertools import compress

from taxloss.errors import Problem
from taxloss.model import Notice, Report, Trade
from taxloss.money import ZERO, plain

#: Every quantity and amount, read or computed, must be below this in size. A quintillion is
#: beyond any token supply in units and any fiat sum; it leaves the printed figures (cents) and
#: their totals within the 28 digits of Python's default decimal context.
MAX_MAGNITUDE = Decimal("1e18")

#: A number that is not zero must be at least this in size: no asset has 30 decimals, and a
#: cost per unit of a smaller quantity would be past what a printed figure can be rounded in.
MIN_MAGNITUDE = Decimal("1e-30")

#: The dates a row may carry (in UTC): nothing traded as crypto before 2008, and past 2100 the
#: holding period and tax years would run into the calendar's end in some zones.
FIRST_DATE = date(2008, 1, 1)
LAST_DATE = date(2100, 12, 31)
_FIRST_MOMENT = datetime(FIRST_DATE.year, FIRST_DATE.month, FIRST_DATE.day, tzinfo=UTC)
_END_MOMENT = datetime(LAST_DATE.year + 1, 1, 1, tzinfo=UTC)  # LAST_DATE must be 31 December

#: The longest asset symbol or contract name (``BTCUSDT-PERP``, ``BTC-USD-231229-40000-C``).
MAX_ASSET = 40
#: The longest wallet name.
MAX_WALLET = 100
#: The longest id, note or position id.
MAX_TEXT = 500

#: The first day an asset existed (its genesis block or launch), for the "before it existed"
#: warning: a date earlier than this is a typo or the wrong column.
KNOWN_START = {
    "BTC": date(2009, 1, 3),
    "ETH": date(2015, 7, 30),
    "USDT": date(2014, 10, 6),
    "USDC": date(2018, 9, 26),
    "SOL": date(2020, 3, 16),
}


def out_of_bounds(value: Decimal) -> str | None:
    """The message for a number not below ``MAX_MAGNITUDE`` in size, or not zero and below
    ``MIN_MAGNITUDE``; None for a number within bounds."""
    size = abs(value)
    if size >= MAX_MAGNITUDE:
        shown = f"{value:.3e}" if value.adjusted() > 20 else plain(value)
        return (
            f"{shown} is too large: expected an amount below 10^18 in size (check the column "
            "and its decimal point)"
        )
    if size and size < MIN_MAGNITUDE:
        return (
            f"{value:.3e} is too small: expected 0 or an amount of at least 10^-30 in size "
            "(check the column and its exponent)"
        )
    return None


def _number_problem(value: Decimal | None, field: str, trade: Trade) -> Problem | None:
    message = out_of_bounds(value) if value is not None else None
    return None if message is None else Problem(trade.source, message, column=field)


def _date_problem(moment: datetime | None, field: str, trade: Trade) -> Problem | None:
    if moment is None or FIRST_DATE <= moment.astimezone(UTC).date() <= LAST_DATE:
        return None
    return Problem(
        trade.source,
        f"{moment.isoformat().replace('+00:00', 'Z')!r} is outside the dates taxloss accepts: "
        f"expected a date from "
        f"{FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}",
        column=field,
    )


def _text_problem(text: str, field: str, most: int, trade: Trade) -> Problem | None:
    if len(text) <= most:
        return None
    return Problem(
        trade.source,
        f"{len(text)} characters ({text[:20]!r}...): expected at most {most}",
        column=field,
    )


def _outside_dates_or_texts(trade: Trade, first: datetime, last: datetime) -> bool:
    """Whether a trade's dates or texts may be out of bounds (``_suspect``, ``_all_within``)."""
    return (
        not first <= trade.timestamp < last
        or (trade.opened is not None and not first <= trade.opened < last)
        or len(trade.asset) > MAX_ASSET
        or len(trade.quote_asset) > MAX_ASSET
        or len(trade.fee_asset) > MAX_ASSET
        or len(trade.wallet) > MAX_WALLET
        or len(trade.external_id) > MAX_TEXT
        or len(trade.note) > MAX_TEXT
        or len(trade.position) > MAX_TEXT
    )


def _suspect(trade: Trade) -> bool:
    """A quick test that passes every trade within bounds (most of them): only the trades it
    flags are checked value by value."""
    top, bottom = MAX_MAGNITUDE, MIN_MAGNITUDE
    quantity, quote, fee, fiat = (
        trade.quantity, trade.quote_quantity, trade.fee_quantity, trade.fiat_value
    )  # fmt: skip
    return bool(
        _outside_dates_or_texts(trade, _FIRST_MOMENT, _END_MOMENT)
        or not -top < quantity < top
        or (quantity and -bottom < quantity < bottom)
        or (quote is not None and (not -top < quote < top or (quote and -bottom < quote < bottom)))
        or (fee is not None and (not -top < fee < top or (fee and -bottom < fee < bottom)))
        or (fiat is not None and (not -top < fiat < top or (fiat and -bottom < fiat < bottom)))
    )


#: A number's size against the bounds, from its ``adjusted()`` exponent (the power of ten of
#: its first digit): both bounds are powers of ten, so a finite number that is not zero is
#: below ``MAX_MAGNITUDE`` exactly when its exponent is below this ...
_TOP_EXPONENT = MAX_MAGNITUDE.adjusted()
#: ... and at least ``MIN_MAGNITUDE`` exactly when its exponent is this or more.
_BOTTOM_EXPONENT = MIN_MAGNITUDE.adjusted()


def _all_within(trades: Sequence[Trade]) -> bool:
    """True when no trade has a value out of bounds: ``_suspect`` for a whole history at
    once. False means only "maybe not": ``trade_problems`` then tests each trade.

    The numbers, whose comparisons cost most, are gathered into one list and their sizes
    read from their exponents in passes of C-level calls.
    """
    first, last = _FIRST_MOMENT, _END_MOMENT
    if any(_outside_dates_or_texts(trade, first, last) for trade in trades):
        return False
    numbers: list[Decimal | None] = [trade.quantity for trade in trades]
    numbers += [trade.quote_quantity for trade in trades]
    numbers += [trade.fee_quantity for trade in trades]
    numbers += [trade.fiat_value for trade in trades]
    values = list(filter(None, numbers))  # zero and None are within bounds
    return not values or _numbers_within(values)


def _numbers_within(values: list[Decimal]) -> bool:
    """True when every number (none of them zero) is within bounds; False also for anything
    that ``_suspect`` should look at (infinity, NaN, a value that is not a Decimal)."""
    try:
        if not all(map(Decimal.is_finite, values)):
            return False
        exponents = list(map(Decimal.adjusted, values))
    except TypeError:  # not a Decimal
        return False
    return min(exponents) >= _BOTTOM_EXPONENT and max(exponents) < _TOP_EXPONENT


def trade_problems(trades: Iterable[Trade]) -> list[Problem]:
    """Every value of every trade outside the bounds above, one problem each.

    The column is named by the taxloss field (``quantity``, ``timestamp``...), since a parser
    may have built it from several of the file's columns. A history within bounds (the common
    case) is found so at once (``_all_within``); only otherwise is each trade tested.
    """
    trades = trades if isinstance(trades, Sequence) else list(trades)
    if not trades or _all_within(trades):
        return []
    problems: list[Problem] = []
    for trade in filter(_suspect, trades):
        found = (
            _date_problem(trade.timestamp, "timestamp", trade),
            _date_problem(trade.opened, "opened", trade),
            _number_problem(trade.quantity, "quantity", trade),
            _number_problem(trade.quote_quantity, "quote_quantity", trade),
            _number_problem(trade.fee_quantity, "fee_quantity", trade),
            _number_problem(trade.fiat_value, "fiat_value", trade),
            _text_problem(trade.asset, "asset", MAX_ASSET, trade),
            _text_problem(trade.quote_asset, "quote_asset", MAX_ASSET, trade),
            _text_problem(trade.fee_asset, "fee_asset", MAX_ASSET, trade),
            _text_problem(trade.wallet, "wallet", MAX_WALLET, trade),
            _text_problem(trade.external_id, "id", MAX_TEXT, trade),
            _text_problem(trade.note, "note", MAX_TEXT, trade),
            _text_problem(trade.position, "position", MAX_TEXT, trade),
        )
        problems.extend(p for p in found if p is not None)
    return problems


def _first_dated(rows: list[Trade]) -> tuple[Trade, date, str]:
    """A group's first row (by line), its UTC date, and the words that count the group."""
    first = min(rows, key=lambda t: t.source.line)
    more = f" ({len(rows)} rows so dated; the first here)" if len(rows) > 1 else ""
    return first, first.timestamp.astimezone(UTC).date(), more


#: The first moment after which no asset of ``KNOWN_START`` is "before it existed".
_KNOWN_FROM = datetime.combine(max(KNOWN_START.values()), time(), UTC)


def date_notices(trades: Iterable[Trade], today: date) -> list[Notice]:
    """Warnings for rows dated after ``today`` (UTC) or before their asset existed: one per
    file (and asset), at its first such row, with the count of rows.

    Only the rows that may be so dated are looked at one by one: those after the end of
    ``today`` and those before the last day of ``KNOWN_START`` (found by comparing times,
    in one pass each, and only when the history has any).
    """
    trades = trades if isinstance(trades, Sequence) else list(trades)
    timestamps = [trade.timestamp for trade in trades]
    late = datetime.combine(today, time.max, UTC)
    future: dict[str, list[Trade]] = {}
    early: dict[tuple[str, str], list[Trade]] = {}
    if timestamps and max(timestamps) > late:
        for trade in compress(trades, map(late.__lt__, timestamps)):
            if trade.timestamp.astimezone(UTC).date() > today:
                future.setdefault(trade.source.path, []).append(trade)
    if timestamps and min(timestamps) < _KNOWN_FROM:
        for trade in compress(trades, map(_KNOWN_FROM.__gt__, timestamps)):
            start = KNOWN_START.get(trade.asset)
            if start is not None and trade.timestamp.astimezone(UTC).date() < start:
                early.setdefault((trade.source.path, trade.asset), []).append(trade)
    notices: list[Notice] = []
    for rows in future.values():
        first, day, more = _first_dated(rows)
        notices.append(
            Notice(
                "date_in_future",
                f"dated {day.isoformat()}, after today ({today.isoformat()}){more}: check the "
                "date and its format (day and month swapped?)",
                first.source,
            )
        )
    for (_, asset), rows in early.items():
        first, day, more = _first_dated(rows)
        notices.append(
            Notice(
                "date_before_asset",
                f"{asset} dated {day.isoformat()}, before {asset} existed "
                f"({KNOWN_START[asset].isoformat()}){more}: check the date and the asset",
                first.source,
            )
        )
    return sorted(notices, key=lambda n: (n.source.path, n.source.line) if n.source else ("", 0))


def report_problems(report: Report) -> list[Problem]:
    """Every computed amount (a sale's proceeds or basis, a lot's basis, an income's value)
    that is not below ``MAX_MAGNITUDE``: each input is, but their products (a quantity times
    a price) may not be. One problem per row that caused it."""
    problems: list[Problem] = []
    message = "computed {what} {amount:.3e}: expected below 10^18 (check the quantity and price)"
    top, bottom = MAX_MAGNITUDE, -MAX_MAGNITUDE
    for disposal in report.disposals:
        adjustment = disposal.adjustment
        if (
            bottom < disposal.proceeds < top
            and bottom < disposal.cost_basis < top
            and (adjustment is ZERO or bottom < adjustment < top)  # (most rows: no adjustment)
        ):
            continue  # the quick test, for the million rows that pass
        for what, amount in (
            ("proceeds", disposal.proceeds),
            ("cost basis", disposal.cost_basis),
            ("adjustment", disposal.adjustment),
        ):
            if abs(amount) >= MAX_MAGNITUDE:
                problems.append(
                    Problem(disposal.sale_source, message.format(what=what, amount=amount))
                )
    for lot in report.open_lots:
        if abs(lot.cost_basis) >= MAX_MAGNITUDE:
            problems.append(
                Problem(
                    lot.source, message.format(what="cost basis of the lot", amount=lot.cost_basis)
                )
            )
    for income in (*report.income, *report.expenses):
        if abs(income.fiat_value) >= MAX_MAGNITUDE:
            problems.append(
                Problem(income.source, message.format(what="value", amount=income.fiat_value))
            )
    return problems
