"""Issue #5 through the CLI: reference worked examples 5 (UK), 6 (Canada), 7 (Australia) and
8 (Germany, cases a-e) reproduce in report.json and in the printed summary PDF; every bundled
rule and allowed method builds a sample to PDF and XLSX; a new country is one TOML file."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from taxloss import jurisdiction
from taxloss.cli import main

from ..conftest import SAMPLES
from ..render.test_pdf import pdf_text

HEADER = "timestamp,type,asset,quantity,quote_asset,quote_quantity\n"


def build(runner, tmp_path: Path, text: str, *args: str) -> tuple[dict, Path]:
    source = tmp_path / "trades.csv"
    source.write_text(HEADER + text, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(source), "--out", str(out), *args])
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads((out / "report.json").read_text()), out


EXAMPLE_5 = """\
2023-05-01T12:00:00Z,buy,ETH,10,GBP,15000
2024-01-15T12:00:00Z,buy,ETH,5,GBP,10000
2024-11-10T10:00:00Z,sell,ETH,8,GBP,20000
2024-11-10T15:00:00Z,buy,ETH,2,GBP,4800
2024-11-25T12:00:00Z,buy,ETH,3,GBP,6900
"""


def test_example_5_uk_same_day_30_days_pool_exempt_amount_and_rates(runner, tmp_path) -> None:
    data, out = build(runner, tmp_path, EXAMPLE_5, "--country", "uk")
    rows = [
        (d["matching"], d["quantity"], d["proceeds"], d["cost_basis"], d["gain_loss"])
        for d in data["disposals"]
    ]
    assert rows == [
        ("same_day", "2", "5000.00", "4800.00", "200.00"),
        ("bed_and_breakfast", "3", "7500.00", "6900.00", "600.00"),
        ("s104_pool", "3", "7500.00", "5000.00", "2500.00"),
    ]
    (lot,) = data["open_lots"]
    assert (lot["quantity"], lot["cost_basis"]) == ("12", "20000.00")  # pool after: 12 / 20,000
    loss = data["tax_years"]["2024-25"]["loss_offset"]
    assert (loss["disposals"], loss["proceeds"], loss["allowable_costs"], loss["gains"]) == (
        1,
        "20000.00",
        "16700.00",
        "3300.00",
    )
    assert (loss["annual_exempt_amount"], loss["taxable_gain"]) == ("3000.00", "300.00")
    assert (loss["cgt_estimate_basic"], loss["cgt_estimate_higher"]) == ("54.00", "72.00")
    text = pdf_text(out / "summary-2024-25.pdf")
    for line in (
        "Number of disposals 1",
        "Disposal proceeds 20,000.00",
        "Allowable costs (including purchase price) 16,700.00",
        "Gains in the year, before losses 3,300.00",
        "Annual exempt amount 2024-25 3,000.00",
        "Taxable gain (after the exempt amount and losses) 300.00",
        "CGT estimate if all of it is in the basic rate band (18%) 54.00",
        "CGT estimate at the higher rate (24%) 72.00",
        "same day 1 5,000.00 4,800.00 200.00",
        "30 days (bed and breakfast) 1 7,500.00 6,900.00 600.00",
        "s.104 pool 1 7,500.00 5,000.00 2,500.00",
        "ETH 12 20,000.00 1,666.67",
    ):
        assert line in text, line


def test_example_5_with_the_higher_rate_band_only(runner, tmp_path) -> None:
    data, _ = build(runner, tmp_path, EXAMPLE_5, "--country", "uk", "--income-band", "higher")
    loss = data["tax_years"]["2024-25"]["loss_offset"]
    assert (loss["cgt_estimate_basic"], loss["cgt_estimate_higher"]) == (None, "72.00")


def test_uk_losses_brought_forward_only_down_to_the_exempt_amount(runner, tmp_path) -> None:
    data, _ = build(
        runner, tmp_path, EXAMPLE_5, "--country", "uk", "--losses-brought-forward", "1000"
    )
    loss = data["tax_years"]["2024-25"]["loss_offset"]
    assert (loss["losses_brought_forward_used"], loss["taxable_gain"]) == ("300.00", "0.00")
    assert loss["loss_carried_forward"] == "700.00"


EXAMPLE_6 = """\
2025-01-10T17:00:00Z,buy,BTC,2.0,CAD,100000
2025-03-01T17:00:00Z,buy,BTC,1.0,CAD,80000
2025-06-01T17:00:00Z,sell,BTC,1.5,CAD,75000
2025-06-20T17:00:00Z,buy,BTC,0.5,CAD,24000
"""


def test_example_6_canada_acb_and_partial_superficial_loss(runner, tmp_path) -> None:
    data, out = build(runner, tmp_path, EXAMPLE_6, "--country", "ca")
    (row,) = data["disposals"]
    assert (row["proceeds"], row["cost_basis"], row["adjustments"], row["gain_loss"]) == (
        "75000.00",
        "90000.00",
        "5000.00",
        "-10000.00",
    )
    assert (row["matching"], row["denied_loss"]) == ("acb_pool", "5000.00")
    (lot,) = data["open_lots"]
    assert (lot["quantity"], lot["cost_basis"]) == ("2", "119000.00")  # C$59,500 per BTC
    loss = data["tax_years"]["2025"]["loss_offset"]
    assert loss["superficial_losses_denied"] == "5000.00"
    assert (loss["capital_losses"], loss["allowable_capital_loss"]) == ("10000.00", "5000.00")
    assert loss["net_capital_loss_carried_forward"] == "5000.00"
    text = pdf_text(out / "summary-2025.pdf")
    for line in (
        "Superficial losses denied (1 disposal(s)), added to the ACB of the substituted "
        "property 5,000.00",
        "Capital losses (after superficial losses) 10,000.00",
        "Allowable capital loss (50% of a net loss) 5,000.00",
        "Net capital loss carried forward 5,000.00",
        "BTC 2 119,000.00 59,500.00",
    ):
        assert line in text, line


EXAMPLE_7 = """\
2024-02-15T02:00:00Z,buy,BTC,1,AUD,50000
2024-09-01T02:00:00Z,buy,ETH,2,AUD,6000
2024-10-01T02:00:00Z,buy,SOL,100,AUD,15000
2024-11-12T02:00:00Z,forced_sale,SOL,100,AUD,5000
2025-01-20T02:00:00Z,sell,ETH,2,AUD,10000
2025-03-01T02:00:00Z,sell,BTC,1,AUD,70000
"""


def test_example_7_australia_losses_before_the_discount(runner, tmp_path) -> None:
    data, out = build(
        runner, tmp_path, EXAMPLE_7, "--country", "au", "--losses-brought-forward", "3000"
    )
    loss = data["tax_years"]["2024-25"]["loss_offset"]
    assert (loss["gross_discount_gains"], loss["gross_non_discount_gains"]) == (
        "20000.00",
        "4000.00",
    )
    assert (
        loss["losses_applied_to_non_discount_gains"],
        loss["losses_applied_to_discount_gains"],
    ) == ("4000.00", "9000.00")
    assert (loss["discount"], loss["net_capital_gain"]) == ("5500.00", "5500.00")
    assert loss["net_capital_gain_if_losses_applied_to_discount_gains_first"] == "7500.00"
    assert [d["discount"] for d in data["disposals"]] == [False, False, True]
    text = pdf_text(out / "summary-2024-25.pdf")
    for line in (
        "Net capital losses from earlier years 3,000.00",
        "Losses applied to non-discount gains (first) 4,000.00",
        "CGT discount (50% of the discount gains left) 5,500.00",
        "Net capital gain 5,500.00",
    ):
        assert line in text, line


EXAMPLE_8 = {
    "a": (
        "2024-02-01T10:00:00Z,buy,BTC,1,EUR,10000\n2024-08-01T10:00:00Z,sell,BTC,1,EUR,10950\n",
        "2024",
        "950.00",
        "0.00",
    ),
    "b": (
        "2024-02-01T10:00:00Z,buy,BTC,1,EUR,10000\n2024-08-01T10:00:00Z,sell,BTC,1,EUR,11000\n",
        "2024",
        "1000.00",
        "1000.00",
    ),
    "c": (
        "2023-02-01T10:00:00Z,buy,BTC,1,EUR,10000\n2023-08-01T10:00:00Z,sell,BTC,1,EUR,10650\n",
        "2023",
        "650.00",
        "650.00",
    ),
    "d": (
        "2023-05-10T10:00:00Z,buy,ETH,5,EUR,5000\n2024-02-01T10:00:00Z,buy,BTC,1,EUR,10000\n"
        "2024-05-11T10:00:00Z,sell,ETH,5,EUR,10000\n2024-08-01T10:00:00Z,sell,BTC,1,EUR,10950\n",
        "2024",
        "950.00",
        "0.00",
    ),
    "e": (
        "2024-01-05T10:00:00Z,buy,SOL,100,EUR,10000\n2024-01-06T10:00:00Z,buy,ADA,100,EUR,8000\n"
        "2024-06-01T10:00:00Z,sell,SOL,100,EUR,14000\n2024-06-02T10:00:00Z,sell,ADA,100,EUR,4500\n",
        "2024",
        "500.00",
        "0.00",
    ),
}


@pytest.mark.parametrize("case", sorted(EXAMPLE_8))
def test_example_8_germany_one_year_and_freigrenze(runner, tmp_path, case) -> None:
    text, year, net, taxable = EXAMPLE_8[case]
    data, out = build(runner, tmp_path, text, "--country", "de")
    loss = data["tax_years"][year]["loss_offset"]
    assert (loss["net_result"], loss["taxable"]) == (net, taxable)
    assert loss["freigrenze"] == ("600.00" if year == "2023" else "1000.00")
    if case == "d":
        assert (loss["exempt_sales"], loss["exempt_gain_loss"]) == (1, "5000.00")
    printed = pdf_text(out / f"summary-{year}.pdf")
    shown = f"{float(taxable):,.2f}"  # display only: compare printed strings
    assert f"Taxable private-sale income (§23) {shown}" in printed


def test_germany_loss_carried_back_one_year_then_forward(runner, tmp_path) -> None:
    out = tmp_path / "de"
    result = runner.invoke(
        main, ["build", "--country", "de", str(SAMPLES / "de-trader.csv"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    years = json.loads((out / "report.json").read_text())["tax_years"]
    first, second = years["2023"]["loss_offset"], years["2024"]["loss_offset"]
    assert (
        first["taxable_before_loss_deduction"],
        first["loss_carried_back_from_next_year"],
        first["taxable"],
    ) == ("640.00", "640.00", "0.00")
    assert (second["net_result"], second["loss_carried_back"], second["loss_carried_forward"]) == (
        "-1000.00",
        "640.00",
        "360.00",
    )
    assert second["exempt_sales"] == 1


SAMPLE_BUILDS = [
    ("uk", "uk-pooling.csv", None, ["2023-24", "2024-25", "2025-26"]),
    ("ca", "ca-superficial-loss.csv", None, ["2024", "2025"]),
    ("au", "au-trader.csv", "fifo", ["2024-25"]),
    ("au", "au-trader.csv", "lifo", ["2024-25"]),
    ("au", "au-trader.csv", "hifo", ["2024-25"]),
    ("de", "de-trader.csv", "fifo", ["2023", "2024"]),
    ("de", "de-trader.csv", "lifo", ["2023", "2024"]),
    ("de", "de-usdt-trader.csv", None, ["2024", "2025"]),
    ("us", "us-liquidated-trader.csv", "lifo", ["2023", "2024", "2025"]),
    ("us", "us-liquidated-trader.csv", "hifo", ["2023", "2024", "2025"]),
]


@pytest.mark.parametrize(("country", "sample", "method", "years"), SAMPLE_BUILDS)
def test_every_rule_and_method_builds_a_sample(runner, tmp_path, country, sample, method, years):
    out = tmp_path / "out"
    args = ["build", "--country", country, str(SAMPLES / sample), "--out", str(out)]
    result = runner.invoke(main, args + (["--method", method] if method else []))
    assert result.exit_code == 0, result.output + result.stderr
    data = json.loads((out / "report.json").read_text())
    assert sorted(k for k, v in data["tax_years"].items() if v["total"]["rows"]) == years
    workbook = "form8949" if country == "us" else "capital-gains"
    for year in years:
        assert (out / f"summary-{year}.pdf").stat().st_size > 5000
        book = openpyxl.load_workbook(out / f"{workbook}-{year}.xlsx")
        assert book.sheetnames[0] == "Summary"
    assert data["method"] == method or jurisdiction.load_bundled(country).default_method.value


def test_uk_sample_matches_across_5_april_and_30_october(runner, tmp_path) -> None:
    out = tmp_path / "uk"
    result = runner.invoke(
        main,
        [
            "build",
            "--country",
            "uk",
            str(SAMPLES / "uk-pooling.csv"),
            "--out",
            str(out),
            "--outputs",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text())
    march = [d for d in data["disposals"] if d["disposed"] == "2024-03-28"]
    assert [(d["tax_year"], d["matching"], d["acquired"]) for d in march] == [
        ("2023-24", "bed_and_breakfast", "2024-04-12"),  # a 2024-25 acquisition
        ("2023-24", "s104_pool", "2023-06-01"),
    ]
    assert {d["matching"] for d in data["disposals"]} == {
        "same_day",
        "bed_and_breakfast",
        "s104_pool",
    }
    periods = data["tax_years"]["2024-25"]["loss_offset"]["rate_periods"]
    assert [(p["from"], p["to"]) for p in periods] == [(None, "2024-10-29"), ("2024-10-30", None)]


def test_ca_sample_superficial_and_carry_back(runner, tmp_path) -> None:
    out = tmp_path / "ca"
    result = runner.invoke(
        main,
        [
            "build",
            "--country",
            "ca",
            str(SAMPLES / "ca-superficial-loss.csv"),
            "--out",
            str(out),
            "--outputs",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text())
    denied = [(d["asset"], d["denied_loss"]) for d in data["disposals"] if d["tax_year"] == "2025"]
    assert denied == [("BTC", "5000.00"), ("ETH", "0.00"), ("ETH", "0.00")]
    loss = data["tax_years"]["2025"]["loss_offset"]
    assert loss["carry_back_possible"] == "2985.00"  # half of the 2024 gain of 5,970


def test_a_new_country_is_a_toml_file(runner, tmp_path) -> None:
    """Must show 3: a rule file from us.toml with a 1 July tax year builds end to end."""
    text = (jurisdiction.bundled_dir() / "us.toml").read_text(encoding="utf-8")
    rules = tmp_path / "fy.toml"
    rules.write_text(
        text.replace("start_month = 1", "start_month = 7").replace('id = "us"', 'id = "fy"'),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(
        main,
        [
            "build",
            "--rules",
            str(rules),
            str(SAMPLES / "us-liquidated-trader.csv"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output + result.stderr
    data = json.loads((out / "report.json").read_text())
    assert data["rule"]["id"] == "fy"
    assert sorted(data["tax_years"]) == ["2023-24", "2024-25"]
    liquidation = next(d for d in data["disposals"] if d["disposed"] == "2025-04-07")
    assert liquidation["tax_year"] == "2024-25"  # 1 July 2024 - 30 June 2025
    for name in ("form8949-2024-25.xlsx", "form8949-2024-25.pdf", "summary-2024-25.pdf"):
        assert (out / name).exists(), name
    result = runner.invoke(
        main,
        [
            "build",
            "--rules",
            str(rules),
            str(SAMPLES / "us-liquidated-trader.csv"),
            "--out",
            str(tmp_path / "y"),
            "--year",
            "2024",
            "--outputs",
            "pdf",
        ],
    )
    assert result.exit_code == 0
    assert (tmp_path / "y" / "summary-2024-25.pdf").exists()  # 2024 = the year starting in 2024


@pytest.mark.parametrize(
    ("given", "written"),
    [("2024", "2024-25"), ("2024-25", "2024-25"), ("2024/25", "2024-25"), ("2024-2025", "2024-25")],
)
def test_year_labels_for_a_tax_year_starting_in_april(runner, tmp_path, given, written) -> None:
    result = runner.invoke(
        main,
        [
            "build",
            "--country",
            "uk",
            str(SAMPLES / "uk-pooling.csv"),
            "--out",
            str(tmp_path),
            "--year",
            given,
            "--outputs",
            "pdf",
        ],
    )
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.glob("*.pdf")] == [f"summary-{written}.pdf"]


def test_bad_year_label_is_an_error(runner, tmp_path) -> None:
    result = runner.invoke(
        main,
        [
            "build",
            "--country",
            "uk",
            str(SAMPLES / "uk-pooling.csv"),
            "--out",
            str(tmp_path / "o"),
            "--year",
            "2024-26",
        ],
    )
    assert result.exit_code == 2
    assert "--year: expected a tax year like 2024-25 (or 2024 for it) for rules/uk.toml" in (
        result.stderr
    )
    assert not (tmp_path / "o").exists()


def test_lot_methods_do_not_apply_to_pooling_rules(runner, tmp_path) -> None:
    result = runner.invoke(
        main,
        [
            "build",
            "--country",
            "ca",
            str(SAMPLES / "ca-superficial-loss.csv"),
            "--out",
            str(tmp_path),
            "--method",
            "fifo",
        ],
    )
    assert result.exit_code == 2
    assert "--method: rules/ca.toml matches by average_cost" in result.stderr


def test_compare_for_germany(runner) -> None:
    result = runner.invoke(
        main, ["compare", "--country", "de", str(SAMPLES / "de-trader.csv"), "--year", "2024"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].split() == ["method", "taxable", "exempt", "net", "taxable", "carried", "fwd"]
    assert [line.split()[0] for line in lines[2:4]] == ["FIFO", "LIFO"]


def test_rules_command_lists_and_describes_every_country(runner) -> None:
    listing = runner.invoke(main, ["rules"]).output.splitlines()
    assert [line.split()[0] for line in listing] == ["us", "au", "ca", "de", "uk"]
    shown = runner.invoke(main, ["rules", "uk"]).output
    assert "tax year starts: 6 April" in shown and "(3) the section 104 pool" in shown
