"""Country summaries and workbooks (issue #5): text projections of the PDF and XLSX as goldens,
the same figures as report.json, country columns in the worksheet, byte-identical reruns."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from taxloss.cli import main

from ..conftest import ROOT
from .test_outputs import workbook_text
from .test_pdf import money, pdf_text

#: (country, sample, year shown, extra options)
SAMPLES = {
    "uk": ("uk-pooling.csv", "2024-25", ["--taxpayer-name", "Alex Example"]),
    "ca": ("ca-superficial-loss.csv", "2025", []),
    "au": ("au-trader.csv", "2024-25", ["--losses-brought-forward", "3000"]),
    "de": ("de-trader.csv", "2024", []),
    "de-usdt": ("de-usdt-trader.csv", "2024", []),
}


def run_build(country: str, out: Path) -> Path:
    sample, _, extra = SAMPLES[country]
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(
            main,
            [
                "build",
                "--country",
                country.split("-")[0],
                f"samples/{sample}",
                "--out",
                str(out),
                *extra,
            ],
        )
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output + result.stderr
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("countries")
    return {country: run_build(country, base / country) for country in SAMPLES}


@pytest.mark.parametrize("country", sorted(SAMPLES))
def test_summary_pdf_golden(built, golden, country) -> None:
    sample, year, _ = SAMPLES[country]
    stem = sample.removesuffix(".csv")
    golden(f"{stem}.summary-{year}.pdf.txt", pdf_text(built[country] / f"summary-{year}.pdf"))


@pytest.mark.parametrize("country", sorted(SAMPLES))
def test_workbook_golden(built, golden, country) -> None:
    sample, year, _ = SAMPLES[country]
    stem = sample.removesuffix(".csv")
    path = built[country] / f"capital-gains-{year}.xlsx"
    golden(f"{stem}.capital-gains-{year}.xlsx.txt", workbook_text(path))


@pytest.mark.parametrize("country", sorted(SAMPLES))
def test_pdf_figures_equal_report_json(built, country) -> None:
    _, year, _ = SAMPLES[country]
    data = json.loads((built[country] / "report.json").read_text())
    text = pdf_text(built[country] / f"summary-{year}.pdf")
    loss = data["tax_years"][year]["loss_offset"]
    amounts = [
        v
        for k, v in loss.items()
        if isinstance(v, str) and _is_amount(v) and not k.endswith("_rate")
    ]
    assert amounts
    for value in amounts:
        assert money(value) in text, value
    rows = [d for d in data["disposals"] if d["tax_year"] == year]
    for row in rows:
        assert money(row["gain_loss"]) in text


def _is_amount(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return "." in text


def test_workbook_columns_in_the_country_terms(built) -> None:
    def heads(country: str) -> list[str]:
        _, year, _ = SAMPLES[country]
        sheet = openpyxl.load_workbook(built[country] / f"capital-gains-{year}.xlsx")["Disposals"]
        return [c.value for c in sheet[1]]

    assert "Matched by" in heads("uk")
    assert {"ACB", "ACB per unit", "Superficial loss denied"} <= set(heads("ca"))
    assert "Held at least 12 months (discount)" in heads("au")
    assert {"Held (days)", "Exempt (held more than 1 year)"} <= set(heads("de"))
    book = openpyxl.load_workbook(built["de-usdt"] / "capital-gains-2024.xlsx")
    assert book.sheetnames == ["Summary", "Disposals", "Audit", "FX", "Warnings", "Account"]
    fx = [row for row in book["FX"].iter_rows(min_row=2, values_only=True)]
    assert any(row[-1] == "no rate that day: last earlier rate" for row in fx)
    assert "Pool" in openpyxl.load_workbook(built["uk"] / "capital-gains-2024-25.xlsx").sheetnames


def test_workbook_totals_are_sums_of_rows(built) -> None:
    sheet = openpyxl.load_workbook(built["ca"] / "capital-gains-2025.xlsx")["Disposals"]
    heads = [c.value for c in sheet[1]]
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    body, total = values[:-1], values[-1]
    for name in ("Proceeds", "ACB", "Superficial loss denied", "Gain or (loss)"):
        column = heads.index(name)
        assert sum((Decimal(str(r[column])) for r in body), Decimal(0)) == Decimal(
            str(total[column])
        ), name


def test_country_outputs_are_byte_identical_on_rerun(built, tmp_path) -> None:
    again = run_build("uk", tmp_path / "uk")
    for name in ("summary-2024-25.pdf", "capital-gains-2024-25.xlsx", "report.json"):
        assert (again / name).read_bytes() == (built["uk"] / name).read_bytes(), name
