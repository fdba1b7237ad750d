"""A worksheet's rows spooled to a temporary file (issue #16) give the same workbook bytes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from taxloss.render import xlsx_writer
from taxloss.render.xlsx_writer import PLAIN, RowTemplate, Sheet, save


def workbook(path: Path) -> bytes:
    sheet = Sheet("Rows", widths=(10, 20, 12), freeze_header=True, autofilter=True)
    sheet.append(["Day", "Text", "Amount"])
    template = RowTemplate([("d", PLAIN), ("s", PLAIN), ("n", PLAIN)])
    for n in range(2500):
        if n % 2 == 0:
            sheet.append([date(2025, 1, 1 + n % 28), f"row {n} & <{n}>", Decimal(n) / 100])
        else:
            serial = xlsx_writer.excel_serial(date(2025, 3, 1 + n % 28))
            sheet.extend(template, [(serial, f"row {n}", str(Decimal(n)))])
    assert sheet.rows == 2501
    save([sheet], path, title="t", created=datetime(2025, 1, 1, tzinfo=UTC))
    return path.read_bytes()


def test_spooled_rows_give_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    in_memory = workbook(tmp_path / "a.xlsx")  # 2,500 rows: one spill at 2,000
    monkeypatch.setattr(xlsx_writer, "SPOOL_ROWS", 7)  # hundreds of spills, some mid-extend
    assert workbook(tmp_path / "b.xlsx") == in_memory
    monkeypatch.setattr(xlsx_writer, "SPOOL_ROWS", 10**9)  # never spooled
    assert workbook(tmp_path / "c.xlsx") == in_memory
