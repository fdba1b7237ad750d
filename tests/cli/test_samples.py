"""Every sample builds on its own, and all exchange samples build together as one history
with the Coinbase -> Binance transfer matched and repeated Kraken rows counted once (issue #4)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from taxloss.cli import main

from ..conftest import ROOT, SAMPLE_EXPORTS, SAMPLE_FORMS, SAMPLE_PRICES

ALL = SAMPLE_EXPORTS
PRICES = SAMPLE_PRICES
FORMS = SAMPLE_FORMS
EXCHANGE = [name for name in ALL if not name.startswith(("us-", "uk-", "ca-", "au-", "de-"))]


def build(files: list[str], out: Path, *extra: str) -> dict:
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(
            main, ["build", "--country", "us", *[f"samples/{f}" for f in files], "--out",
                   str(out), "--outputs", "json", *extra],
        )  # fmt: skip
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads((out / "report.json").read_text())


@pytest.mark.parametrize("name", [n for n in ALL if n.startswith("us-") or n in EXCHANGE])
def test_each_sample_builds_alone(name: str, tmp_path: Path) -> None:
    data = build([name], tmp_path)
    assert data["inputs"][0]["rows"] > 0


@pytest.mark.parametrize("name", PRICES)
def test_each_prices_sample_goes_with_its_export(name: str, tmp_path: Path) -> None:
    export = name.removesuffix("-prices.csv") + ".csv"
    assert export in ALL
    build([export], tmp_path, "--prices", f"samples/{name}")


@pytest.mark.parametrize("form", sorted(FORMS))
def test_each_form_sample_builds_with_its_export(form: str, tmp_path: Path) -> None:
    data = build([FORMS[form], form], tmp_path)
    assert [i["format"] for i in data["inputs"]][1] == "1099-da"
    assert data["reconciliation"]


def test_all_exchange_samples_build_as_one_history(tmp_path: Path) -> None:
    data = build(EXCHANGE, tmp_path)
    matched = [(t["from_wallet"], t["to_wallet"], t["asset"], t["sent"], t["received"])
               for t in data["transfers"] if t["matched"]]  # fmt: skip
    assert ("coinbase", "binance", "BTC", "0.25", "0.2495") in matched
    (duplicates,) = [w for w in data["warnings"] if w["code"] == "duplicates_dropped"]
    assert duplicates["message"].startswith(
        "2 row(s) of samples/kraken-trades.csv repeat rows of samples/kraken-ledgers.csv"
    )
    formats = {i["format"] for i in data["inputs"]}
    assert {"coinbase", "coinbase-advanced", "binance-spot", "binance-statement",
            "binance-futures", "kraken-ledgers", "kraken-trades", "bybit-transaction-log",
            "bybit-closed-pnl", "bybit-spot", "bybit-funding", "okx-trading", "okx-funding",
            "gate-spot", "gate-futures", "kucoin-spot", "kucoin-deposits", "kucoin-withdrawals",
            "kucoin-futures-pnl"} <= formats  # fmt: skip
    liquidated = [d for d in data["disposals"] if d["liquidation"] and d["kind"] == "position"]
    assert {d["wallet"] for d in liquidated} >= {"binance-futures", "bybit-futures", "okx",
                                                 "gate-futures", "kucoin-futures"}  # fmt: skip
