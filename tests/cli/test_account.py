"""Issue #15 end to end: the liquidated futures trader whose history ends with a debt to the
exchange builds without --allow-missing-basis, and the debt is in report.json, on the first
page of the summary, in the Account sheet and in the terminal."""

from __future__ import annotations

import json
import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from taxloss.cli import main

from ..conftest import ROOT

SAMPLE = "samples/binance-futures-liquidated.csv"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("debt")
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(main, ["build", "--country", "us", SAMPLE, "--out", str(out)])
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output + result.stderr
    return out, result.output


def test_the_debt_is_in_report_json(built: tuple[Path, str]) -> None:
    data = json.loads((built[0] / "report.json").read_text())
    account = data["account"]
    (debt,) = account["debts"]
    assert debt["platform"] == "binance-futures"
    assert (debt["asset"], debt["amount"], debt["value"]) == ("USDT", "109.7617", "109.76")
    assert debt["source_rows"] == [f"{SAMPLE}:10", f"{SAMPLE}:11"]
    assert (debt["open_amount"], debt["open_value"]) == ("49.7617", "49.76")
    assert [r["source"] for r in debt["repayments"]] == [f"{SAMPLE}:12"]
    total = account["total"]
    assert (total["capital_in"], total["owed"], total["left_at_cost"]) == (
        "2060.00",
        "49.76",
        "0.00",
    )
    # The realized loss is the loss the exchange booked: its PnL, fees and funding rows.
    assert total["realized"] == "-2109.76" == data["tax_years"]["2025"]["total"]["gain_loss"]
    assert total["loss_share"] == "1.0242"  # 2109.7617 / 2060
    assert total["realized_parts"] == {
        "spot": "0.00", "positions": "171.99", "liquidations": "-2281.75"}  # fmt: skip
    assert total["fees"]["liquidation_fees"] == "65.52"
    assert not [w for w in data["warnings"] if w["code"] in ("missing_basis", "reconciliation")]
    assert [w["source"] for w in data["warnings"] if w["code"] == "debt"] == [
        f"{SAMPLE}:10", f"{SAMPLE}:11"]  # fmt: skip


def test_the_debt_is_on_the_first_page_of_the_summary(built: tuple[Path, str]) -> None:
    page = PdfReader(str(built[0] / "summary-2025.pdf")).pages[0].extract_text()
    assert "Where the money went" in page
    assert "Owed to platforms at the end of the data: 49.76 USD" in page
    assert "49.7617 USDT" in page
    assert "a loss of 102.4% of the money put in" in " ".join(page.split())


def test_the_terminal_shows_put_in_taken_out_left_owed(built: tuple[Path, str]) -> None:
    output = built[1]
    lines = [" ".join(line.split()) for line in output.splitlines()]
    start = lines.index("Where the money went (all wallets, whole data)")
    assert lines[start + 1 : start + 5] == [
        "put in 2,060.00 USD",
        "taken out 0.00 USD",
        "left, at cost 0.00 USD",
        "owed to platforms 49.76 USD (to binance-futures: 1 open debt(s), see the summary)",
    ]
    assert lines[start + 5] == "net result (2,109.76) USD: a loss of 102.4% of the money put in"


def test_the_account_sheet_has_the_same_table(built: tuple[Path, str]) -> None:
    book = openpyxl.load_workbook(built[0] / "form8949-2025.xlsx")
    sheet = book["Account"]
    values = {row[0]: row[2] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert values["Put in"] == 2060
    assert values["Owed to platforms"] == 49.76
    assert values["Realized results"] == -2109.76


def test_the_summary_asks_the_accountant_about_the_debt(built: tuple[Path, str]) -> None:
    page = " ".join(PdfReader(str(built[0] / "summary-2025.pdf")).pages[1].extract_text().split())
    assert "Debts to platforms. 1 debt(s) or loan(s) in the data; 49.76 USD still owed" in page
    assert "cancellation-of-debt income (IRC §61(a)(11)" in page
