"""The ``--prices`` file: CSV ``date,asset,price`` (price of one unit in the rule's fiat).

Prices are looked up by exact local date; taxloss never interpolates or fetches a price.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from taxloss.errors import InputError, Problem
from taxloss.model import Price, PriceTable, SourceRef
from taxloss.parsers.numbers import BadValue, strict_number
from taxloss.parsers.table import read_table

COLUMNS = ("date", "asset", "price")


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
    table = read_table(path, display, lambda header: set(COLUMNS) <= set(header))
    if table is None:
        raise InputError(
            Problem(SourceRef(display, 1), "expected a header row 'date,asset,price'", "header")
        )
    problems: list[Problem] = []
    prices: dict[tuple[date, str], Price] = {}
    dates, assets, values = (table.column(c) for c in COLUMNS)
    for index, line in enumerate(table.lines):
        if line < 0:
            continue
        source = table.source(index)
        try:
            day = date.fromisoformat(dates[index].strip())
        except ValueError:
            problems.append(
                Problem(
                    source,
                    f"expected a date like 2025-03-01, found {dates[index].strip()!r}",
                    "date",
                )
            )
            continue
        asset = assets[index].strip().upper()
        if not asset:
            problems.append(Problem(source, "expected an asset symbol", "asset"))
            continue
        try:
            price = strict_number(values[index])
        except BadValue as exc:
            problems.append(Problem(source, str(exc), "price"))
            continue
        if price <= 0:
            problems.append(Problem(source, "expected a positive price", "price"))
            continue
        if (day, asset) in prices:
            first = prices[(day, asset)].source
            problems.append(Problem(source, f"{asset} on {day} already priced at {first}", "date"))
            continue
        prices[(day, asset)] = Price(day, asset, price, source)
    if problems:
        raise InputError(problems)
    return PriceTable(prices)
