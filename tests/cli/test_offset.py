"""The capital-loss offset through the CLI: reference worked examples 2, 3 and 4, and a
carryover flowing from one year into the next (issue #3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from taxloss.cli import main

from ..conftest import SAMPLES

HEADER = "timestamp,type,asset,quantity,quote_asset,quote_quantity,fee_asset,fee_quantity\n"

EXAMPLE_2 = (
    HEADER
    + """\
2023-05-01T15:00:00Z,buy,SOL,100,USD,2000,,
2025-02-01T15:00:00Z,buy,ETH,10,USD,30000,,
2025-04-07T15:00:00Z,forced_sale,ETH,10,USD,15000,USD,150
2025-08-01T15:00:00Z,sell,SOL,100,USD,6000,,
"""
)

# Short-term net (2,000) and long-term net (10,000) in 2025 (reference example 3a/3b).
EXAMPLE_3 = (
    HEADER
    + """\
2023-01-02T15:00:00Z,buy,BTC,1,USD,30000,,
2025-01-02T15:00:00Z,buy,ETH,1,USD,3000,,
2025-02-01T15:00:00Z,sell,ETH,1,USD,1000,,
2025-03-01T15:00:00Z,sell,BTC,1,USD,20000,,
"""
)

# Short-term net (12,000), long-term nil (reference example 3c).
EXAMPLE_3C = (
    HEADER
    + """\
2025-01-02T15:00:00Z,buy,ETH,1,USD,13000,,
2025-02-01T15:00:00Z,sell,ETH,1,USD,1000,,
"""
)


def offset(runner, tmp_path: Path, text: str, *args: str) -> dict:
    source = tmp_path / "trades.csv"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(source), "--out", str(out), *args])
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads((out / "report.json").read_text())["tax_years"]


def test_example_2_liquidation_cap_and_short_term_carryover(runner, tmp_path) -> None:
    years = offset(runner, tmp_path, EXAMPLE_2, "--taxable-income", "50000")
    loss = years["2025"]["loss_offset"]
    assert (loss["net_short_term"], loss["net_long_term"], loss["net_total"]) == (
        "-15150.00",
        "4000.00",
        "-11150.00",
    )
    assert loss["deduction_against_ordinary_income"] == "3000.00"
    assert (loss["carryover_short_term"], loss["carryover_long_term"]) == ("8150.00", "0.00")
    worksheet = {k: v for k, v in loss["worksheet"].items() if v is not None}
    assert worksheet == {
        "1": "50000.00",
        "2": "3000.00",
        "3": "53000.00",
        "4": "3000.00",
        "5": "15150.00",
        "6": "4000.00",
        "7": "7000.00",
        "8": "8150.00",
    }
    assert loss["schedule_d"]["line_3"] == "-15150.00"
    assert loss["schedule_d"]["line_10"] == "4000.00"
    assert loss["schedule_d"]["line_21"] == "-3000.00"


def test_example_3a_cap_charged_to_short_term_first(runner, tmp_path) -> None:
    loss = offset(runner, tmp_path, EXAMPLE_3, "--taxable-income", "40000")["2025"]["loss_offset"]
    assert (loss["net_short_term"], loss["net_long_term"]) == ("-2000.00", "-10000.00")
    assert (loss["carryover_short_term"], loss["carryover_long_term"]) == ("0.00", "9000.00")
    assert [loss["worksheet"][str(n)] for n in range(1, 14)] == [
        "40000.00",
        "3000.00",
        "43000.00",
        "3000.00",
        "2000.00",
        "0.00",
        "3000.00",
        "0.00",
        "10000.00",
        "0.00",
        "1000.00",
        "1000.00",
        "9000.00",
    ]


def test_example_3b_married_filing_separately(runner, tmp_path) -> None:
    loss = offset(
        runner, tmp_path, EXAMPLE_3, "--taxable-income", "40000", "--filing-status", "mfs"
    )["2025"]["loss_offset"]
    assert loss["deduction_against_ordinary_income"] == "1500.00"
    assert (loss["carryover_short_term"], loss["carryover_long_term"]) == ("500.00", "10000.00")


def test_example_3c_negative_taxable_income(runner, tmp_path) -> None:
    loss = offset(runner, tmp_path, EXAMPLE_3C, "--taxable-income", "-2000")["2025"]["loss_offset"]
    assert loss["deduction_against_ordinary_income"] == "3000.00"
    assert [loss["worksheet"][str(n)] for n in range(1, 9)] == [
        "-2000.00",
        "3000.00",
        "1000.00",
        "1000.00",
        "12000.00",
        "0.00",
        "1000.00",
        "11000.00",
    ]
    assert loss["carryover_short_term"] == "11000.00"


def test_example_4_carryover_used_the_next_year(runner, tmp_path) -> None:
    out = tmp_path / "multi"
    result = runner.invoke(
        main,
        [
            "build",
            str(SAMPLES / "us-multi-year.csv"),
            "--out",
            str(out),
            "--taxable-income",
            "50000",
        ],
    )
    assert result.exit_code == 0, result.output
    years = json.loads((out / "report.json").read_text())["tax_years"]
    assert years["2025"]["loss_offset"]["carryover_short_term"] == "8150.00"
    loss = years["2026"]["loss_offset"]
    schedule = loss["schedule_d"]
    assert (schedule["line_3"], schedule["line_6"], schedule["line_7"]) == (
        "5000.00",
        "-8150.00",
        "-3150.00",
    )
    assert (schedule["line_10"], schedule["line_15"], schedule["line_16"], schedule["line_21"]) == (
        "1000.00",
        "1000.00",
        "-2150.00",
        "-2150.00",
    )
    assert (loss["carryover_short_term"], loss["carryover_long_term"]) == ("0.00", "0.00")


def test_carryover_in_and_gap_years(runner, tmp_path) -> None:
    text = HEADER + (
        "2023-01-02T15:00:00Z,buy,ETH,1,USD,20000,,\n"
        "2023-02-01T15:00:00Z,sell,ETH,1,USD,1000,,\n"
        "2025-02-01T15:00:00Z,buy,SOL,1,USD,100,,\n"
        "2025-03-01T15:00:00Z,sell,SOL,1,USD,200,,\n"
    )
    years = offset(runner, tmp_path, text, "--carryover-in-long", "1000")
    assert years["2023"]["loss_offset"]["carryover_short_term"] == "16000.00"
    assert years["2023"]["loss_offset"]["carryover_long_term"] == "1000.00"
    # 2024 has no trades, but the carryover is still used against income that year.
    assert years["2024"]["loss_offset"]["deduction_against_ordinary_income"] == "3000.00"
    assert years["2024"]["loss_offset"]["carryover_short_term"] == "13000.00"
    assert years["2024"]["total"]["rows"] == 0
    assert years["2025"]["loss_offset"]["schedule_d"]["line_6"] == "-13000.00"


@pytest.mark.parametrize(
    ("text", "options", "lines"),
    [
        (EXAMPLE_3, ["--taxable-income", "40000"],
         ["8 Short-term capital loss carryover to next year: line 5 minus line 7 0.00",
          "11 Line 4 minus line 5 (if zero or less, 0) 1,000.00",
          "13 Long-term capital loss carryover to next year: line 9 minus line 12 9,000.00"]),
        (EXAMPLE_3, ["--taxable-income", "40000", "--filing-status", "mfs"],
         ["2 Loss from Schedule D, line 21, as a positive amount 1,500.00",
          "8 Short-term capital loss carryover to next year: line 5 minus line 7 500.00",
          "13 Long-term capital loss carryover to next year: line 9 minus line 12 10,000.00"]),
        (EXAMPLE_3C, ["--taxable-income", "-2000"],
         ["1 Taxable income (Form 1040, line 15); if negative, the negative number (2,000.00)",
          "3 Line 1 plus line 2 (if zero or less, 0) 1,000.00",
          "8 Short-term capital loss carryover to next year: line 5 minus line 7 11,000.00"]),
    ],
)  # fmt: skip
def test_example_3_worksheet_lines_printed_in_the_summary(runner, tmp_path, text, options,
                                                          lines) -> None:  # fmt: skip
    from ..render.test_pdf import pdf_text

    source = tmp_path / "trades.csv"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(source), "--out", str(out), "--outputs", "pdf",
                                  *options])  # fmt: skip
    assert result.exit_code == 0, result.output
    printed = pdf_text(out / "summary-2025.pdf")
    for line in lines:
        assert line in printed, line


def test_terminal_prints_each_years_offset_as_report_json_has_it(runner, tmp_path) -> None:
    source = tmp_path / "trades.csv"
    source.write_text(EXAMPLE_2, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(source), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    loss = json.loads((out / "report.json").read_text())["tax_years"]["2025"]["loss_offset"]
    assert (loss["deduction_against_ordinary_income"], loss["carryover_short_term"]) == (
        "3000.00",
        "8150.00",
    )
    assert (
        "  loss offset: Schedule D line 21 deduction 3,000.00; carried over to 2026: "
        "short-term 8,150.00, long-term 0.00"
    ) in result.output.splitlines()


def test_terminal_prints_a_countrys_headline_and_carry_forward(runner, tmp_path) -> None:
    out = tmp_path / "out"
    sample = str(SAMPLES / "uk-pooling.csv")
    result = runner.invoke(main, ["build", sample, "--country", "uk", "--out", str(out)])
    assert result.exit_code == 0, result.output
    years = json.loads((out / "report.json").read_text())["tax_years"]
    lines = [x for x in result.output.splitlines() if x.startswith("  loss offset: ")]
    assert len(lines) == len(years)
    for line, facts in zip(lines, years.values(), strict=True):
        taxable = f"{float(facts['loss_offset']['taxable_gain']):,.2f}"  # display only
        assert line.startswith(f"  loss offset: taxable gain {taxable}; losses carried forward: ")
