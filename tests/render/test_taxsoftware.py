"""Tax-software files (issue #14): TurboTax CSV, TXF v042, TaxAct CSV. Each file read back
must total to the Form 8949 of its year to the cent; layouts as us-1099da-reference §6."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from taxloss import api
from taxloss.cli import main
from taxloss.render.cells import safe_text
from taxloss.render.taxsoftware import (
    TAXACT_HEADER,
    TURBOTAX_HEADER,
    render_taxact,
    render_turbotax,
    render_txf,
)
from taxloss.returns.printed import Printed, printed_row

from ..conftest import SAMPLES

SAMPLE = SAMPLES / "us-liquidated-trader.csv"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _txf_records(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    raw.decode("ascii")
    lines = raw.decode("ascii").split("\r\n")
    assert lines[:2] == ["V042", "Ataxloss " + __import__("taxloss").__version__]
    assert lines[2].startswith("D") and lines[3] == "^"
    records, current = [], []
    for line in lines[4:]:
        if line == "^":
            records.append(current)
            current = []
        elif line:
            current.append(line)
    assert not current
    return records


def test_build_writes_three_files_whose_totals_equal_form_8949(runner, tmp_path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        main,
        ["build", str(SAMPLE), "--out", str(out), "--outputs", "json,turbotax,txf,taxact"],
    )
    assert result.exit_code == 0, result.output
    assert "Tax-software files" in result.output
    figures = Printed(api.build_report(api.BuildOptions(files=(SAMPLE,))))
    for year in ("2023", "2024", "2025"):
        total = figures.year(year).total
        # TurboTax: Proceeds - Cost Basis is column (h); cost basis is (e) - (g).
        rows = _csv(out / f"turbotax-{year}.csv")
        assert list(rows[0]) == list(TURBOTAX_HEADER)
        assert len(rows) == total.rows
        proceeds = sum(Decimal(r["Proceeds"]) for r in rows)
        basis = sum(Decimal(r["Cost Basis"]) for r in rows)
        assert proceeds == total.proceeds
        assert proceeds - basis == total.gain
        assert basis == total.cost_basis - total.adjustment
        # TaxAct: (d), (e), (g) and the box letter.
        rows = _csv(out / f"taxact-{year}.csv")
        assert list(rows[0]) == list(TAXACT_HEADER)
        assert sum(Decimal(r["Sales Proceeds"]) for r in rows) == total.proceeds
        assert sum(Decimal(r["Cost or Other Basis"]) for r in rows) == total.cost_basis
        assert sum(Decimal(r["Adjustment Amount"] or "0") for r in rows) == total.adjustment
        boxes = {s.box for s in figures.year(year).sections}
        assert {r["Reporting Category"] for r in rows} == boxes
        # TXF: $cost, $proceeds (and $adjustment in format 5).
        records = _txf_records(out / f"form8949-{year}.txf")
        assert len(records) == total.rows
        cost = sum(Decimal(r[7][1:]) for r in records)
        sold = sum(Decimal(r[8][1:]) for r in records)
        assert (cost, sold) == (total.cost_basis, total.proceeds)
    records = _txf_records(out / "form8949-2025.txf")
    assert {r[1] for r in records} == {"N712", "N714"}  # box I -> 712, L -> 714
    assert records[0][:5] == ["TD", "N712", "C1", "L1", "P20.06 SOL"]
    assert records[0][5:7] == ["D07/05/2024", "D01/15/2025"]


def test_max_rows_splits_turbotax_files_that_still_add_up(runner, tmp_path) -> None:
    out = tmp_path / "out"
    args = ["build", str(SAMPLE), "--out", str(out), "--outputs", "turbotax", "--max-rows", "3"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "turbotax-2023.csv",
        "turbotax-2024-1.csv",
        "turbotax-2024-2.csv",
        "turbotax-2024-3.csv",
        "turbotax-2025-1.csv",
        "turbotax-2025-2.csv",
        "turbotax-2025-3.csv",
    ]
    figures = Printed(api.build_report(api.BuildOptions(files=(SAMPLE,))))
    parts = [_csv(out / f"turbotax-2025-{n}.csv") for n in (1, 2, 3)]
    assert [len(p) for p in parts] == [3, 3, 2]
    assert (
        sum(Decimal(r["Proceeds"]) for p in parts for r in p) == figures.year("2025").total.proceeds
    )


def test_software_outputs_refused_for_a_rule_without_form_8949(runner, tmp_path) -> None:
    result = runner.invoke(
        main,
        ["build", str(SAMPLES / "uk-pooling.csv"), "--country", "uk", "--out",
         str(tmp_path / "o"), "--outputs", "json,txf"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--outputs txf" in result.output and isinstance(result.exception, SystemExit)
    assert not (tmp_path / "o").exists()


def test_adjusted_row_keeps_columns_adding_up_in_every_file(tmp_path) -> None:
    report = api.build_report(api.BuildOptions(files=(SAMPLE,)))
    disposal = next(d for d in report.disposals if d.tax_year == "2025")
    # A row with a code W adjustment (a disallowed loss, added back in column (g)).
    adjusted = replace(disposal, codes="W", adjustment=Decimal("100.004"))
    row = printed_row(1, adjusted, report.rule)
    assert row.adjustment == Decimal("100.00")
    turbo = _csv(render_turbotax([row], tmp_path / "t.csv"))[0]
    assert Decimal(turbo["Proceeds"]) - Decimal(turbo["Cost Basis"]) == row.gain
    taxact = _csv(render_taxact([row], tmp_path / "a.csv"))[0]
    assert (taxact["Adjustment Code"], taxact["Adjustment Amount"]) == ("W", "100.00")
    assert Decimal(taxact["Cost or Other Basis"]) == row.cost_basis
    record = _txf_records(render_txf([row], tmp_path / "x.txf", date(2026, 2, 1)))[0]
    assert len(record) == 10 and record[9] == "$100.00"  # format 5: the adjustment line
    assert Decimal(record[8][1:]) - Decimal(record[7][1:]) + Decimal(record[9][1:]) == row.gain


def test_text_cells_cannot_become_formulas(tmp_path) -> None:
    for text in ('=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_text(text) == "'" + text
    assert safe_text("0.5 BTC") == "0.5 BTC"
    report = api.build_report(api.BuildOptions(files=(SAMPLE,)))
    disposal = replace(report.disposals[0], description="=cmd|' /C calc'!A0")
    row = printed_row(1, disposal, report.rule)
    assert _csv(render_turbotax([row], tmp_path / "t.csv"))[0]["Currency Name"].startswith("'=")
    assert _csv(render_taxact([row], tmp_path / "a.csv"))[0]["Description"].startswith("'=")


def test_every_box_g_to_l_maps_to_its_refnum_and_category(tmp_path) -> None:
    report = api.build_report(api.BuildOptions(files=(SAMPLE,)))
    base = report.disposals[0]
    expected = {"G": "N321", "H": "N711", "I": "N712", "J": "N323", "K": "N713", "L": "N714"}
    rows = [printed_row(n, replace(base, box=box), report.rule)
            for n, box in enumerate(expected, start=1)]  # fmt: skip
    records = _txf_records(render_txf(rows, tmp_path / "x.txf", date(2026, 2, 1)))
    assert [r[1] for r in records] == list(expected.values())
    taxact = _csv(render_taxact(rows, tmp_path / "a.csv"))
    assert [r["Reporting Category"] for r in taxact] == list(expected)
