"""report.json, disposals.csv, the Form 8949 XLSX and the text view: values read back, totals
equal the sums of the printed rows, goldens, determinism and formula safety."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from taxloss.api import BuildOptions, build_report
from taxloss.model import Report
from taxloss.render import data
from taxloss.render.data import Split, render_csv, render_data, render_json, write_parts
from taxloss.render.text import render_text
from taxloss.render.xlsx_8949 import render_xlsx_8949

from .conftest import sample_report


def test_json_year_totals_are_sums_of_rounded_rows(report: Report, tmp_path: Path) -> None:
    data = json.loads(render_json(report, tmp_path / "r.json").read_text())
    assert data["schema"] == "taxloss.report/1"
    assert set(data["tax_years"]) == {"2023", "2024", "2025"}
    for year, figures in data["tax_years"].items():
        rows = [d for d in data["disposals"] if d["tax_year"] == year]
        for term in ("short", "long"):
            mine = [d for d in rows if d["term"] == term]
            block = figures[f"{term}_term"]
            for field in ("proceeds", "cost_basis", "adjustments", "gain_loss"):
                assert Decimal(block[field]) == sum((Decimal(d[field]) for d in mine), Decimal(0))
            assert block["rows"] == len(mine)
        box_gain = sum((Decimal(b["gain_loss"]) for b in figures["boxes"].values()), Decimal(0))
        assert box_gain == Decimal(figures["total"]["gain_loss"])
    for row in data["disposals"]:
        assert Decimal(row["gain_loss"]) == (
            Decimal(row["proceeds"]) - Decimal(row["cost_basis"]) + Decimal(row["adjustments"])
        )


def test_csv_has_the_same_rows_as_json(report: Report, tmp_path: Path) -> None:
    data = json.loads(render_json(report, tmp_path / "r.json").read_text())
    with render_csv(report, tmp_path / "d.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(data["disposals"])
    for mine, theirs in zip(rows, data["disposals"], strict=True):
        assert mine["gain_loss"] == theirs["gain_loss"]
        assert mine["sale_source"] == theirs["sale_source"]
        assert mine["liquidation"] == ("true" if theirs["liquidation"] else "false")


def workbook_text(path: Path) -> str:
    """Every non-empty cell of every sheet, as 'sheet!A1 = value' lines."""
    book = openpyxl.load_workbook(path)
    lines = []
    for sheet in book.worksheets:
        lines.append(f"[{sheet.title}] freeze={sheet.freeze_panes} filter={sheet.auto_filter.ref}")
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None and cell.value != "":
                    fmt = f" ({cell.number_format})" if cell.number_format != "General" else ""
                    lines.append(f"{cell.coordinate} = {cell.value!r}{fmt}")
    return "\n".join(lines) + "\n"


def test_xlsx_sheets_rows_and_totals(report: Report, tmp_path: Path, golden) -> None:
    path = render_xlsx_8949(report, tmp_path / "f.xlsx", "2025")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Part I box I", "Part II box L", "Audit", "Warnings",
                               "Account"]  # fmt: skip
    for name in ("Part I box I", "Part II box L"):
        sheet = book[name]
        values = list(sheet.iter_rows(min_row=2, values_only=True))
        body, total = values[:-1], values[-1]
        for column in (3, 4, 6, 7):  # (d), (e), (g), (h)
            assert sum((Decimal(str(r[column])) for r in body), Decimal(0)) == Decimal(
                str(total[column])
            )
        for row in body:
            assert round(row[3] - row[4] + row[6], 2) == round(row[7], 2)
    assert "liquidation" in [c.value for c in book["Part I box I"]["I"]]
    golden("us-liquidated-trader.form8949-2025.xlsx.txt", workbook_text(path))


def test_xlsx_is_byte_identical_on_rerun(report: Report, tmp_path: Path) -> None:
    first = render_xlsx_8949(report, tmp_path / "a.xlsx", "2025").read_bytes()
    second = render_xlsx_8949(report, tmp_path / "b.xlsx", "2025").read_bytes()
    assert first == second


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("evil.csv").write_text(
        "timestamp,type,asset,quantity,quote_asset,quote_quantity,wallet\n"
        "2025-01-02T00:00:00Z,buy,=HYPERLINK(1),1,USD,10,@cmd\n"
        "2025-01-03T00:00:00Z,sell,=HYPERLINK(1),1,USD,12,@cmd\n",
        encoding="utf-8",
    )
    report = build_report(BuildOptions(files=(Path("evil.csv"),)))
    path = render_xlsx_8949(report, tmp_path / "e.xlsx", "2025")
    sheet = openpyxl.load_workbook(path)["Part I box I"]
    assert sheet["A2"].value == "1 =HYPERLINK(1)"
    audit = openpyxl.load_workbook(path)["Audit"]
    assert audit["D2"].value == "=HYPERLINK(1)" and audit["D2"].data_type == "s"
    assert audit["L2"].value == "@cmd" and audit["L2"].data_type == "s"


def test_text_view_golden(report: Report, golden) -> None:
    golden("us-liquidated-trader.report.txt", render_text(report))


def test_streamed_json_is_the_same_text_as_dumps(report: Report, tmp_path: Path) -> None:
    from taxloss.render.data import build_json, dumps

    written = render_json(report, tmp_path / "r.json").read_text(encoding="utf-8")
    assert written == dumps(build_json(report)) + "\n"
    assert json.loads(written)["disposals"]


def _fast_writer_cases(tmp_path: Path) -> list[Report]:
    """Reports whose rows need JSON escapes and CSV quoting, plus a country's extra columns."""
    odd = tmp_path / "odd.csv"
    odd.write_text(
        "timestamp,type,asset,quantity,quote_asset,quote_quantity,wallet\n"
        '2024-01-02T00:00:00.250Z,buy,ÉTH,1.5,USD,10,"Ledger ""cold"" ü\\ 🔒"\n'
        '2025-01-03T09:08:07Z,sell,ÉTH,1.5,USD,12,"Ledger ""cold"" ü\\ 🔒"\n'
        '2025-02-03T00:00:00Z,buy,BTC,1,USD,100,"a,b"\n'
        '2025-02-04T23:59:59Z,sell,BTC,0.4,USD,30,"a,b"\n'
        '2025-02-04T23:59:59Z,sell,BTC,0.6,USD,70,"a,b"\n',
        encoding="utf-8",
    )
    return [
        build_report(BuildOptions(files=(odd,))),
        sample_report(),
        sample_report("binance-futures.csv"),
        sample_report("ca-superficial-loss.csv", country="ca"),
    ]


def test_fast_disposal_writer_matches_the_standard_library(tmp_path: Path) -> None:
    import io

    from taxloss.render.data import DisposalFormat
    from taxloss.returns.printed import printed

    checked = 0
    for report in _fast_writer_cases(tmp_path):
        form = DisposalFormat(report)
        for row in printed(report).rows():
            values = form.values(row)
            d = row.disposal
            assert values[4] == row.acquired.isoformat() and values[5] == row.disposed.isoformat()
            assert values[18] == d.acquired.isoformat().replace("+00:00", "Z")
            assert values[19] == d.disposed.isoformat().replace("+00:00", "Z")
            expected = json.dumps(dict(zip(form.fields, values, strict=True)), ensure_ascii=False)
            assert form.json(values) == expected
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            line = form.csv(values, writer)
            reference = io.StringIO()
            cells = ["true" if v is True else "false" if v is False else v for v in values]
            csv.writer(reference, lineterminator="\n").writerow(cells)
            assert (line if line is not None else buffer.getvalue()) == reference.getvalue()
            checked += 1
    assert checked > 10


@pytest.mark.parametrize("sendfile", [True, False])
def test_chunks_written_by_two_processes_give_the_same_files(
    report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sendfile: bool
) -> None:
    # What --jobs 2 does on a large history (workers.split_disposals), in one process: the odd
    # chunks are written first, printing their rows as the helper does; the file writer
    # takes the even ones from the printed rows, then copies every chunk in order (with
    # os.sendfile, or through a buffer where the kernel refuses it).
    if not sendfile:

        def refused(*args: object) -> int:
            raise OSError(22, "Invalid argument")

        monkeypatch.setattr(data.os, "sendfile", refused, raising=False)
    render_data(report, tmp_path / "one.json", tmp_path / "one.csv")
    size = 3
    chunks = -(-len(report.disposals) // size)
    assert chunks >= 4

    def split_taking(numbers: list[int]) -> Split:
        queue = iter(numbers)
        return Split(size, chunks, tmp_path, True, True, lambda: next(queue, None), lambda: None)

    write_parts(report, split_taking(list(range(1, chunks, 2))))  # the helper's chunks
    render_data(report, tmp_path / "two.json", tmp_path / "two.csv",
                split=split_taking(list(range(0, chunks, 2))))  # fmt: skip
    for suffix in ("json", "csv"):
        assert (tmp_path / f"two.{suffix}").read_bytes() == (
            tmp_path / f"one.{suffix}"
        ).read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "one.csv",
        "one.json",
        "two.csv",
        "two.json",
    ]
