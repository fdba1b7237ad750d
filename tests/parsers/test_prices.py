"""The ``--prices`` file: CSV ``date,asset,price``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from taxloss.errors import InputError
from taxloss.parsers.prices import read_prices


def test_prices_are_read_by_day_and_asset(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("asset,date,price\nbtc,2025-03-01,84000.5\nETH, 2025-03-01 ,2200\n")
    table = read_prices(path, "p.csv")
    assert table.prices[(date(2025, 3, 1), "BTC")].price == Decimal("84000.5")
    assert str(table.prices[(date(2025, 3, 1), "ETH")].source) == "p.csv:3"


def test_prices_file_errors_are_listed_together(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "date,asset,price\n2025-02-30,BTC,1\n2025-03-01,,1\n2025-03-01,BTC,1.2.3\n"
        "2025-03-01,BTC,-2\n2025-03-02,BTC,100\n2025-03-02,btc,101\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_prices(path, "bad.csv")
    assert str(info.value).splitlines() == [
        "bad.csv:2: date: expected a date like 2025-03-01, found '2025-02-30'",
        "bad.csv:3: asset: expected an asset symbol",
        "bad.csv:4: price: expected a number like 1234.56, found '1.2.3'",
        "bad.csv:5: price: expected a positive price",
        "bad.csv:7: date: BTC on 2025-03-02 already priced at bad.csv:6",
    ]


def test_prices_file_needs_its_header(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("day,coin,usd\n2025-03-01,BTC,1\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_prices(path, "bad.csv")
    assert str(info.value) == "bad.csv:1: header: expected a header row 'date,asset,price'"
