"""The Form 8949 / Schedule D PDF and the summary PDF: text projections (goldens), the same
numbers as report.json to the cent, statement mode, and byte-identical reruns (issue #3)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from taxloss.cli import main

from ..conftest import ROOT

SAMPLE = "samples/us-liquidated-trader.csv"


def pdf_text(path: Path) -> str:
    """The text of every page, whitespace normalised, one block per page."""
    reader = PdfReader(str(path))
    pages = []
    for number, page in enumerate(reader.pages, start=1):
        text = re.sub(r"[ \t]+", " ", page.extract_text(extraction_mode="layout") or "")
        text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
        pages.append(f"=== page {number} ===\n{text}")
    return "\n".join(pages) + "\n"


def money(text: str) -> str:
    """A report.json amount as printed: 1,234.56 or (1,234.56)."""
    value = float(text)  # display only: compare printed strings
    shown = f"{abs(value):,.2f}"
    return f"({shown})" if text.startswith("-") else shown


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("pdf") / "out"
    runner = CliRunner()
    here = Path.cwd()
    import os

    os.chdir(ROOT)
    try:
        result = runner.invoke(
            main,
            [
                "build",
                SAMPLE,
                "--out",
                str(out),
                "--taxable-income",
                "50000",
                "--taxpayer-name",
                "Alex Example",
            ],
        )
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output
    return out


def test_text_projections(built: Path, golden) -> None:
    golden("us-liquidated-trader.form8949-2025.pdf.txt", pdf_text(built / "form8949-2025.pdf"))
    golden("us-liquidated-trader.summary-2025.pdf.txt", pdf_text(built / "summary-2025.pdf"))


def test_form_numbers_equal_report_json(built: Path) -> None:
    data = json.loads((built / "report.json").read_text())
    text = pdf_text(built / "form8949-2025.pdf")
    for row in (d for d in data["disposals"] if d["tax_year"] == "2025"):
        line = " ".join([money(row["proceeds"]), money(row["cost_basis"]), money(row["gain_loss"])])
        assert line in text, line
    year = data["tax_years"]["2025"]
    for box in year["boxes"].values():
        assert f"{money(box['proceeds'])} {money(box['cost_basis'])} {money(box['gain_loss'])}" in (
            text
        )
    schedule = year["loss_offset"]["schedule_d"]
    for line in ("line_7", "line_15", "line_16", "line_21"):
        assert money(schedule[line]) in text
    assert "Alex Example" in text


def test_summary_key_figures_equal_report_json(built: Path) -> None:
    data = json.loads((built / "report.json").read_text())
    loss = data["tax_years"]["2025"]["loss_offset"]
    text = pdf_text(built / "summary-2025.pdf")
    assert f"Net capital gain or (loss) (Schedule D line 16) {money(loss['net_total'])}" in text
    assert (
        "Deducted from ordinary income this year (line 21) "
        f"{money(loss['deduction_against_ordinary_income'])}"
    ) in text
    assert f"Carried over to 2026: short-term {money(loss['carryover_short_term'])}" in text
    assert "Not tax advice" in text and "rules/us.toml" in text


def test_reruns_are_byte_identical(built: Path, tmp_path: Path) -> None:
    import os

    from click.testing import CliRunner

    here = Path.cwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(
            main,
            [
                "build",
                SAMPLE,
                "--out",
                str(tmp_path),
                "--outputs",
                "pdf",
                "--taxable-income",
                "50000",
                "--taxpayer-name",
                "Alex Example",
            ],
        )
    finally:
        os.chdir(here)
    assert result.exit_code == 0
    for name in ("form8949-2025.pdf", "summary-2025.pdf", "form8949-2024.pdf"):
        assert (tmp_path / name).read_bytes() == (built / name).read_bytes(), name


def test_statement_mode_totals_equal_the_form_line(tmp_path: Path, runner) -> None:
    result = runner.invoke(
        main,
        [
            "build",
            str(ROOT / SAMPLE),
            "--out",
            str(tmp_path),
            "--outputs",
            "json,pdf",
            "--year",
            "2025",
            "--statement-threshold",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "report.json").read_text())
    text = pdf_text(tmp_path / "form8949-2025.pdf")
    box = data["tax_years"]["2025"]["boxes"]["I"]
    assert "See attached statement (3 rows)" in text
    totals = f"{money(box['proceeds'])} {money(box['cost_basis'])} M {money(box['gain_loss'])}"
    assert text.count(totals) >= 3  # the summary line, line 2, and the statement's total
    assert "All pages = Form 8949 line 2" in text
    assert "Form 8949 Part II (long-term), Box L: statement of transactions" in text


def test_worksheet_lines_printed_for_example_2(tmp_path: Path, runner) -> None:
    source = tmp_path / "example2.csv"
    source.write_text(
        "timestamp,type,asset,quantity,quote_asset,quote_quantity,fee_asset,fee_quantity\n"
        "2023-05-01T15:00:00Z,buy,SOL,100,USD,2000,,\n"
        "2025-02-01T15:00:00Z,buy,ETH,10,USD,30000,,\n"
        "2025-04-07T15:00:00Z,forced_sale,ETH,10,USD,15000,USD,150\n"
        "2025-08-01T15:00:00Z,sell,SOL,100,USD,6000,,\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        main,
        [
            "build",
            str(source),
            "--out",
            str(tmp_path / "o"),
            "--outputs",
            "pdf",
            "--taxable-income",
            "50000",
        ],
    )
    assert result.exit_code == 0, result.output
    text = pdf_text(tmp_path / "o" / "summary-2025.pdf")
    for line in (
        "1 Taxable income (Form 1040, line 15); if negative, the negative number 50,000.00",
        "4 Smaller of line 2 or line 3 3,000.00",
        "7 Line 4 plus line 6 7,000.00",
        "8 Short-term capital loss carryover to next year: line 5 minus line 7 8,150.00",
    ):
        assert line in text, line


def test_recorded_assumptions_are_labelled_in_plain_words(tmp_path: Path, runner) -> None:
    out = tmp_path / "o"
    sample = str(ROOT / "samples" / "binance-futures-liquidated.csv")
    result = runner.invoke(main, ["build", sample, "--out", str(out), "--outputs", "pdf"])
    assert result.exit_code == 0, result.output
    text = pdf_text(out / "summary-2025.pdf")
    assert "Stablecoin valued at par (stablecoin_at_par): 9 use(s)" in text
