"""The ``--prices`` file: CSV ``date,asset,price`` (price of one unit in the rule's fiat).

Prices are looked up by exact local date; taxloss never interpolates or fetches a price.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from taxloss.errors import InputError, Problem
from taxloss.limits import out_of_bounds
from taxloss.model import Price, PriceTable, SourceRef
from taxloss.parsers.numbers import BadValue, strict_number
from taxloss.parsers.table import read_table

COLUMNS = ("date", "asset", "price")


@dataclass(frozen=True, slots=True)
class DailyValue:
    """One row of a ``date,<key>,<value>`` file: a positive number for a key on a day."""

    day: date
    key: str
    value: Decimal
    source: SourceRef


def read_daily_values(
    path: Path,
    display: str,
    columns: tuple[str, str, str],
    key_of: Callable[[str], tuple[str, str | None]],
    duplicate: str,
) -> list[DailyValue]:
    """Read a CSV of positive numbers per key and day (``--prices``, ``--fx-rates``).

    Args:
        path: the CSV file.
        display: the path as the user named it.
        columns: the date, key and value column names, e.g. ``("date", "asset", "price")``.
        key_of: the key of a cell's text and, when the text is not a valid key, what was
            expected (the problem's message).
        duplicate: the verb of the message for a key given twice on one day (``priced``).

    Returns:
        The rows in file order.

    Raises:
        InputError: every bad row at once (header, dates, keys, numbers, duplicates).
    """
    table = read_table(path, display, lambda header: set(columns) <= set(header))
    if table is None:
        expected = f"expected a header row '{','.join(columns)}'"
        raise InputError(Problem(SourceRef(display, 1), expected, "header"))
    problems: list[Problem] = []
    seen: dict[tuple[date, str], SourceRef] = {}
    out: list[DailyValue] = []
    dates, keys, values = (table.column(c) for c in columns)
    key_column, value_column = columns[1], columns[2]
    for index, line in enumerate(table.lines):
        if line < 0:
            continue
        source = table.source(index)
        try:
            day = date.fromisoformat(dates[index].strip())
        except ValueError:
            found = dates[index].strip()
            problems.append(
                Problem(source, f"expected a date like 2025-03-01, found {found!r}", "date")
            )
            continue
        key, bad_key = key_of(keys[index])
        if bad_key is not None:
            problems.append(Problem(source, bad_key, key_column))
            continue
        try:
            value = strict_number(values[index])
        except BadValue as exc:
            problems.append(Problem(source, str(exc), value_column))
            continue
        if value <= 0:
            problems.append(Problem(source, f"expected a positive {value_column}", value_column))
            continue
        bound = out_of_bounds(value)
        if bound is not None:  # issue #11: beyond any price, and past what rounding can hold
            problems.append(Problem(source, bound, value_column))
            continue
        if (day, key) in seen:
            message = f"{key} on {day} already {duplicate} at {seen[(day, key)]}"
            problems.append(Problem(source, message, "date"))
            continue
        seen[(day, key)] = source
        out.append(DailyValue(day, key, value, source))
    if problems:
        raise InputError(problems)
    return out


def _asset(text: str) -> tuple[str, str | None]:
    asset = text.strip().upper()
    return asset, None if asset else "expected an asset symbol"


def read_prices(path: Path, display: str) -> PriceTable:
    """Read a prices file.

    Args:
        path: the CSV file.
        display: the path as the user named it.

    Returns:
        The price table.

    Raises:
        InputError: missing columns, bad dates or numbers, or one (date, asset) given twice.
    """
    rows = read_daily_values(path, display, COLUMNS, _asset, "priced")
    return PriceTable({(r.day, r.key): Price(r.day, r.key, r.value, r.source) for r in rows})
