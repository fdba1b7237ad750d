"""`taxloss` end to end through click: worked examples, exit codes, atomic and repeatable
outputs, help texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from taxloss.cli import main

from ..conftest import SAMPLES

EXAMPLE_1 = """\
timestamp,type,asset,quantity,quote_asset,quote_quantity,fee_asset,fee_quantity
2024-01-10T15:00:00Z,buy,BTC,1.0,USD,40000,USD,100
2024-11-05T15:00:00Z,buy,BTC,1.0,USD,70000,USD,140
2025-03-01T15:00:00Z,sell,BTC,1.5,USD,90000,USD,90
"""

EXAMPLE_4 = """\
timestamp,type,asset,quantity,quote_asset,quote_quantity
2025-01-10T12:00:00Z,buy,ETH,1,USD,4000
2025-01-09T12:00:00Z,buy,BTC,1,USD,2000
2026-01-10T12:00:00Z,sell,ETH,1,USD,9000
2026-01-10T12:00:00Z,sell,BTC,1,USD,3000
"""


def build(runner: CliRunner, tmp_path: Path, text: str, *args: str) -> dict:
    source = tmp_path / "trades.csv"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(source), "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return json.loads((out / "report.json").read_text())


def summary(data: dict) -> list[tuple]:
    return [
        (
            d["tax_year"],
            d["term"],
            d["box"],
            d["quantity"],
            d["acquired"],
            d["proceeds"],
            d["cost_basis"],
            d["gain_loss"],
        )
        for d in data["disposals"]
    ]


def test_worked_example_1_fifo(runner, tmp_path) -> None:
    data = build(runner, tmp_path, EXAMPLE_1)
    assert summary(data) == [
        ("2025", "long", "L", "1", "2024-01-10", "59940.00", "40100.00", "19840.00"),
        ("2025", "short", "I", "0.5", "2024-11-05", "29970.00", "35070.00", "-5100.00"),
    ]
    year = data["tax_years"]["2025"]
    assert year["boxes"]["I"]["schedule_d_line"] == "3"
    assert year["boxes"]["L"]["schedule_d_line"] == "10"
    assert (
        year["short_term"]["proceeds"],
        year["short_term"]["cost_basis"],
        year["short_term"]["gain_loss"],
    ) == ("29970.00", "35070.00", "-5100.00")
    assert (
        year["long_term"]["proceeds"],
        year["long_term"]["cost_basis"],
        year["long_term"]["gain_loss"],
    ) == ("59940.00", "40100.00", "19840.00")
    assert year["total"]["gain_loss"] == "14740.00"
    assert data["open_lots"][0]["quantity"] == "0.5"


def test_worked_example_1_lifo(runner, tmp_path) -> None:
    data = build(runner, tmp_path, EXAMPLE_1, "--method", "lifo")
    assert summary(data) == [
        ("2025", "short", "I", "1", "2024-11-05", "59940.00", "70140.00", "-10200.00"),
        ("2025", "long", "L", "0.5", "2024-01-10", "29970.00", "20050.00", "9920.00"),
    ]
    assert data["tax_years"]["2025"]["total"]["gain_loss"] == "-280.00"
    (lot,) = data["open_lots"]
    assert (lot["quantity"], lot["cost_basis"], lot["acquired_at"]) == (
        "0.5",
        "20050.00",
        "2024-01-10T15:00:00Z",
    )


def test_worked_example_4_holding_period_boundary(runner, tmp_path) -> None:
    data = build(runner, tmp_path, EXAMPLE_4, "--year", "2026")
    assert summary(data) == [
        ("2026", "short", "I", "1", "2025-01-10", "9000.00", "4000.00", "5000.00"),
        ("2026", "long", "L", "1", "2025-01-09", "3000.00", "2000.00", "1000.00"),
    ]
    year = data["tax_years"]["2026"]
    assert year["short_term"]["gain_loss"] == "5000.00"  # Schedule D line 3
    assert year["long_term"]["gain_loss"] == "1000.00"  # Schedule D line 10
    assert (tmp_path / "out" / "form8949-2026.xlsx").exists()


def test_sample_builds_every_output(runner, tmp_path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        main, ["build", str(SAMPLES / "us-liquidated-trader.csv"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    years = ("2023", "2024", "2025")
    assert names == sorted(
        ["disposals.csv", "report.json"]
        + [f"form8949-{y}.{ext}" for y in years for ext in ("xlsx", "pdf")]
        + [f"summary-{y}.pdf" for y in years]
    )
    assert "net gain or (loss)" in result.output
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_rerun_is_byte_identical(runner, tmp_path) -> None:
    outputs = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = runner.invoke(
            main, ["build", str(SAMPLES / "us-liquidated-trader.csv"), "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]


def test_bad_input_exits_2_with_path_line_and_writes_nothing(runner, tmp_path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(EXAMPLE_1.replace("1.5,USD", "1.5x,USD"), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(source), "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{source.name}:4: quantity: expected a number")
    assert isinstance(result.exception, SystemExit)  # a clean exit, no unhandled error
    assert not out.exists()


def test_missing_basis_is_an_error_unless_allowed(runner, tmp_path) -> None:
    text = EXAMPLE_1.replace("sell,BTC,1.5", "sell,BTC,2.5")
    source = tmp_path / "short.csv"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(source), "--out", str(out)])
    assert result.exit_code == 2
    assert "0.5 BTC short" in result.stderr
    assert not out.exists()
    result = runner.invoke(main, ["build", str(source), "--out", str(out), "--allow-missing-basis"])
    assert result.exit_code == 0
    data = json.loads((out / "report.json").read_text())
    assert [d["missing_basis"] for d in data["disposals"]] == [False, False, True]
    assert data["warnings"][0]["code"] == "missing_basis"
    assert "warning" in result.stderr


def test_existing_outputs_survive_a_failed_build(runner, tmp_path) -> None:
    out = tmp_path / "out"
    good = tmp_path / "good.csv"
    good.write_text(EXAMPLE_1, encoding="utf-8")
    assert runner.invoke(main, ["build", str(good), "--out", str(out)]).exit_code == 0
    before = (out / "report.json").read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text(EXAMPLE_1.replace("buy", "bye"), encoding="utf-8")
    assert runner.invoke(main, ["build", str(bad), "--out", str(out)]).exit_code == 2
    assert (out / "report.json").read_bytes() == before


def test_usage_errors_exit_2(runner, tmp_path) -> None:
    assert runner.invoke(main, ["build"]).exit_code == 2
    assert runner.invoke(main, ["build", str(tmp_path / "none.csv")]).exit_code == 2
    good = tmp_path / "good.csv"
    good.write_text(EXAMPLE_1, encoding="utf-8")
    result = runner.invoke(main, ["build", str(good), "--method", "average"])
    assert result.exit_code == 2
    result = runner.invoke(main, ["build", str(good), "--country", "zz"])
    assert result.exit_code == 2 and "no rule file for country 'zz'" in result.stderr
    result = runner.invoke(main, ["build", str(good), "--timezone", "Mars/Olympus"])
    assert result.exit_code == 2 and "unknown time zone" in result.stderr


def test_internal_errors_exit_1_with_traceback(runner, tmp_path, monkeypatch) -> None:
    from taxloss import api
    from taxloss.errors import InternalError

    def broken(*args, **kwargs):
        raise InternalError("books do not balance")

    monkeypatch.setattr(api, "compute", broken)
    good = tmp_path / "good.csv"
    good.write_text(EXAMPLE_1, encoding="utf-8")
    result = runner.invoke(main, ["build", str(good), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert isinstance(result.exception, InternalError)


@pytest.mark.parametrize("command", ["build", "detect", "rules"])
def test_help_explains_every_option(runner, command) -> None:
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    options = [line.strip() for line in lines if line.strip().startswith("--")]
    for option in options:
        assert len(option.split(None, 1)) == 2 or option.startswith("--help"), option


def test_build_help_names_defaults(runner) -> None:
    text = " ".join(runner.invoke(main, ["build", "--help"]).output.split())
    for phrase in (
        "[default: us]",
        "[default: taxloss-report]",
        "Default: the rule file's",
        "Default: off",
        "Default: none",
    ):
        assert phrase in text


def test_rules_and_version(runner) -> None:
    listing = runner.invoke(main, ["rules"])
    assert listing.exit_code == 0 and listing.output.startswith("us ")
    shown = runner.invoke(main, ["rules", "us"])
    assert "Form 8949 boxes: up to 2024: box C (short) / F (long); 2025 onward: box I" in (
        shown.output
    )
    assert runner.invoke(main, ["rules", "zz"]).exit_code == 2
    assert runner.invoke(main, ["--version"]).output.startswith("taxloss, version ")


def test_detect_names_the_parser_and_why(runner) -> None:
    result = runner.invoke(main, ["detect", str(SAMPLES / "us-liquidated-trader.csv")])
    assert result.exit_code == 0
    assert result.output.endswith(
        "us-liquidated-trader.csv: generic (header row at line 1 matches taxloss generic CSV)\n"
    )


def test_overlapping_exports_are_counted_once(runner, tmp_path) -> None:
    first = tmp_path / "a.csv"
    first.write_text(
        EXAMPLE_1.replace("\n", ",ex\n").replace("fee_quantity,ex", "fee_quantity,wallet"),
        encoding="utf-8",
    )
    second = tmp_path / "b.csv"
    second.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(first), str(second), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text())
    assert len(data["disposals"]) == 2
    (notice,) = [w for w in data["warnings"] if w["code"] == "duplicates_dropped"]
    assert notice["message"].startswith(f"3 row(s) of {second.name} repeat rows of {first.name}")
