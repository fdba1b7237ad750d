"""`taxloss compare`: FIFO, LIFO and HIFO side by side for one year (issue #3)."""

from __future__ import annotations

import json

from taxloss.cli import main

from .test_build import EXAMPLE_1


def test_compare_table_for_worked_example_1(runner, tmp_path) -> None:
    source = tmp_path / "ex1.csv"
    source.write_text(EXAMPLE_1, encoding="utf-8")
    result = runner.invoke(main, ["compare", str(source), "--year", "2025"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[2].split() == ["FIFO", "(5,100.00)", "19,840.00", "14,740.00", "0.00", "0.00"]
    assert lines[3].split() == ["LIFO", "(10,200.00)", "9,920.00", "(280.00)", "280.00", "0.00"]
    # HIFO takes the 2024-11 lot (basis 70,140 per BTC) first, like LIFO here.
    assert lines[4].split() == ["HIFO", "(10,200.00)", "9,920.00", "(280.00)", "280.00", "0.00"]
    assert "identified at the time of each sale" in result.output


def test_compare_json(runner, tmp_path) -> None:
    source = tmp_path / "ex1.csv"
    source.write_text(EXAMPLE_1, encoding="utf-8")
    result = runner.invoke(main, ["compare", str(source), "--year", "2025", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [d["method"] for d in data] == ["fifo", "lifo", "hifo"]
    assert data[1] == {
        "method": "lifo",
        "short_term": "-10200.00",
        "long_term": "9920.00",
        "net": "-280.00",
        "deduction": "280.00",
        "carryover_short_term": "0.00",
        "carryover_long_term": "0.00",
    }


def test_compare_needs_a_year(runner, tmp_path) -> None:
    source = tmp_path / "ex1.csv"
    source.write_text(EXAMPLE_1, encoding="utf-8")
    assert runner.invoke(main, ["compare", str(source)]).exit_code == 2
