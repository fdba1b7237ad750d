"""The shared cell, column and zone helpers every parser reads its rows with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from taxloss.errors import InputError
from taxloss.model import SourceRef
from taxloss.parsers.numbers import loose_number, strict_number
from taxloss.parsers.rows import (
    Columns,
    Rows,
    as_written,
    find_column,
    has_column,
    header_zone,
    require_rows,
    utc_offset,
    words,
    written_names,
)
from taxloss.parsers.table import Table, read_table


def table_of(tmp_path: Path, text: str, *, repeated_columns: bool = False) -> Table:
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    table = read_table(path, "t.csv", lambda header: True, repeated_columns=repeated_columns)
    assert table is not None
    return table


def hours(value: float) -> timezone:
    return timezone(timedelta(hours=value))


# -- zones ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "base", "zone"),
    [
        ("time", "time", None),
        ("date(utc)", "date", UTC),
        ("date (utc)", "date", UTC),
        ("trade time(utc+0)", "trade time", UTC),
        ("time(utc+8)", "time", hours(8)),
        ("filled time(utc+08:00)", "filled time", hours(8)),
        ("time(utc-05:30)", "time", hours(-5.5)),
        ("time(utc-0530)", "time", hours(-5.5)),
        ("time(utc-0:30)", "time", hours(-0.5)),
        ("time( utc + 9 )", "time", hours(9)),
        ("time(gmt+1)", "time", hours(1)),
        (",position closing time(utc+08:00)", "position closing time", hours(8)),
        ("time(utc+15)", "time(utc+15)", None),  # no such zone: not a zone suffix
        ("time(utc+8:75)", "time(utc+8:75)", None),
        ("utc time", "utc time", None),
    ],
)
def test_header_zone(name: str, base: str, zone: timezone | None) -> None:
    assert header_zone(name) == (base, zone)


def test_utc_offset_reads_a_zone_written_as_a_value() -> None:
    assert utc_offset("UTC+8") == hours(8)
    assert utc_offset(" utc-05:30 ") == hours(-5.5)
    assert utc_offset("GMT") == UTC
    assert utc_offset("UTC+14:45") == timezone(timedelta(hours=14, minutes=45))
    for text in ("UTC+15", "UTC+1:60", "CET", "", "+08:00"):
        assert utc_offset(text) is None


# -- columns ----------------------------------------------------------------------------------


def test_find_column_prefers_earlier_aliases_and_ignores_zone_suffixes() -> None:
    header = ("order time", "filled time(utc+8)", "time")
    assert find_column(header, ("filled time", "time")) == "filled time(utc+8)"
    assert find_column(header, ("time", "filled time")) == "time"
    assert find_column(header, ("execution time",)) is None
    assert has_column(header, ("nope", "order time"))
    assert not has_column(header, ("filled",))


def test_columns_keep_the_name_as_written(tmp_path: Path) -> None:
    table = table_of(tmp_path, '\ufeffTime(UTC+8), "Fee Paid" ,Amount,\n1,2,3,4\n')
    columns = Columns(table)
    fee = columns.find(("fee", "fee paid"))
    assert fee == "fee paid"
    assert columns.written[fee] == "Fee Paid"
    time = columns.find(("time",))
    assert time == "time(utc+8)"
    assert columns.written[time] == "Time(UTC+8)"
    assert columns.zone(time) == hours(8)
    assert columns.zone("amount") is None
    assert written_names(table)["column 4"] == "column 4"  # an empty header cell
    assert as_written(' \ufeff"Balance Unit" ') == "Balance Unit"


def test_columns_find_a_repeated_name_by_position(tmp_path: Path) -> None:
    table = table_of(tmp_path, "Amount,Unit,Balance,Unit\n1,BTC,2,USDT\n", repeated_columns=True)
    columns = Columns(table)
    assert columns.every("unit") == ["unit", "unit 2"]
    assert columns.find(("unit",)) == "unit"
    assert Rows(table).cells("unit 2") == ["USDT"]


def test_select_and_require_name_every_missing_column(tmp_path: Path) -> None:
    columns = Columns(table_of(tmp_path, "time,coin\n1,2\n"))
    wanted = {"time": ("date", "time"), "coin": ("coin",), "amount": ("amount", "qty")}
    assert columns.select(wanted) == ({"time": "time", "coin": "coin"}, ["amount"])
    problems: list = []
    assert columns.require(wanted, problems) == {"time": "time", "coin": "coin"}
    assert [p.format() for p in problems] == [
        "t.csv:1: header: missing the amount column: expected a column named 'amount' or 'qty'"
    ]


def test_require_rows(tmp_path: Path) -> None:
    require_rows(table_of(tmp_path, "a,b\n\n1,2\n"), "trades")
    with pytest.raises(InputError) as info:
        require_rows(table_of(tmp_path, "a,b\n\n"), "trades")
    assert str(info.value) == "t.csv:1: no data rows below the header: expected trades"


def test_words() -> None:
    assert words("  Order   Filled ") == "order filled"


# -- rows -------------------------------------------------------------------------------------

CSV = """Time(UTC+8),Qty,Note
2025-01-02 08:00:00, 1.5 ,a

2025-01-03 08:00:00,,b
bad,x,c
2025-01-05 08:00:00,--,d
"""


def test_rows_skip_blank_lines_and_read_cells(tmp_path: Path) -> None:
    rows = Rows(table_of(tmp_path, CSV))
    read = [(row.index, row.source, row.text("note"), row.text("absent")) for row in rows]
    assert read == [
        (0, SourceRef("t.csv", 2), "a", ""),
        (2, SourceRef("t.csv", 4), "b", ""),
        (3, SourceRef("t.csv", 5), "c", ""),
        (4, SourceRef("t.csv", 6), "d", ""),
    ]
    assert rows.problems == []


def test_numbers_times_and_problems_named_as_written(tmp_path: Path) -> None:
    rows = Rows(table_of(tmp_path, CSV), {"when": "time(utc+8)", "quantity": "qty"})
    zone = hours(8)
    got = []
    for row in rows:
        got.append((row.time("when", zone), row.number("quantity", required=True)))
        if row.source.line == 5:
            assert len(row.problems) == 2  # this row's own problems only
    assert got[0] == (datetime(2025, 1, 2, 0, 0, tzinfo=UTC), Decimal("1.5"))
    assert got[1][1] is None
    assert got[2] == (None, None)
    assert [p.format() for p in rows.problems] == [
        "t.csv:4: Qty: expected a number, found an empty cell",
        "t.csv:5: Time(UTC+8): expected an ISO 8601 date and time like 2025-03-01T14:05:00Z, "
        "found 'bad'",
        "t.csv:5: Qty: expected a number, found 'x'",
        "t.csv:6: Qty: expected a number, found '--'",
    ]
    with pytest.raises(InputError):
        rows.finish()


def test_reader_options(tmp_path: Path) -> None:
    table = table_of(tmp_path, CSV)
    rows = Rows(table, number=strict_number, blanks=("", "--"), written=False)
    values = [row.number("qty") for row in rows]
    assert values == [Decimal("1.5"), None, None, None]
    assert [p.format() for p in rows.problems] == [
        "t.csv:5: qty: expected a number like 1234.56, found 'x'"
    ]
    row = next(iter(Rows(table)))
    assert row.number("note", parse=lambda text: Decimal(len(text))) == Decimal(1)
    assert row.value("note", str.upper) == "A"
    boms = table_of(tmp_path, "Asset,Amount\n\ufeffBTC,\ufeff0.5BTC\n")
    (row,) = Rows(boms, strip_boms=True)
    assert (row.text("asset"), row.number("amount", unit="BTC")) == ("BTC", Decimal("0.5"))


def test_a_cell_with_no_number_left_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    (row,) = Rows(table_of(tmp_path, "Qty,Total\nUSDT,\n"))
    assert row.number("qty", unit="USDT") is None
    assert row.value("total", loose_number) is None
    assert [p.format() for p in row.problems] == [
        "t.csv:2: Qty: expected a number, found 'USDT'",
        "t.csv:2: Total: expected a number, found ''",
    ]


def test_an_unknown_role_reads_as_absent(tmp_path: Path) -> None:
    rows = Rows(table_of(tmp_path, CSV), {"quantity": "qty", "missing": None})
    row = next(iter(rows))
    assert (row.text("note"), row.text("missing"), row.text(None)) == ("", "", "")
    row.bad("missing", "m")
    row.bad(None, "whole row")
    assert [p.format() for p in rows.problems] == ["t.csv:2: missing: m", "t.csv:2: whole row"]


def test_finish_lists_problems_in_the_order_found_or_by_line(tmp_path: Path) -> None:
    rows = Rows(table_of(tmp_path, CSV))
    rows.bad(SourceRef("t.csv", 6), "qty", "later")
    rows.bad(SourceRef("t.csv", 2), "note", "earlier")
    with pytest.raises(InputError) as info:
        rows.finish()
    assert str(info.value).splitlines() == ["t.csv:6: Qty: later", "t.csv:2: Note: earlier"]
    with pytest.raises(InputError) as info:
        rows.finish(by_line=True)
    assert str(info.value).splitlines() == ["t.csv:2: Note: earlier", "t.csv:6: Qty: later"]
    Rows(table_of(tmp_path, CSV)).finish()  # nothing collected: no error
