"""Coinbase reports kept in EUR, GBP or CZK (issue #13 items 1-3).

Goldens of the three samples; builds under the US rule with no --prices, each value converted
at the day's ECB rate and recorded; no government currency ever becomes a lot; the fiat-for-fiat
row dropped with its notice; a price currency that is not ISO 4217 is a question.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from taxloss import jurisdiction
from taxloss.currencies import TICKER_CLASHES, fiat_codes, is_fiat, looks_like_currency

from ..conftest import SAMPLES, without_fx
from .conftest import errors, trades_text, write
from .test_coinbase import CURRENT, PREAMBLE

NAMES = ("coinbase-eur.csv", "coinbase-czk.csv", "coinbase-gbp.csv")


@pytest.mark.parametrize("name", NAMES)
def test_sample_golden(parse, golden, name: str) -> None:
    golden(name.replace(".csv", ".trades.txt"), trades_text(parse(SAMPLES / name)))


@pytest.mark.parametrize("name", NAMES)
def test_no_government_currency_is_ever_a_lot(build, name: str) -> None:
    data = build(SAMPLES / name)
    held = {d["asset"] for d in data["disposals"]} | {lot["asset"] for lot in data["open_lots"]}
    assert held and not any(is_fiat(asset) for asset in held)
    assert data["conversions"], "every value is converted into USD and recorded"
    assert all(a["code"].startswith("fx_rate") for a in data["assumptions"])


def test_eur_report_builds_under_the_us_rule_with_ecb_rates(build) -> None:
    data = build(SAMPLES / "coinbase-eur.csv")
    (btc,) = [d for d in data["disposals"] if d["asset"] == "BTC"]
    # Sold 0.02 BTC: 1,640.00 EUR less the 19.68 EUR fee at 1.0617 USD/EUR (2024-11-12);
    # basis 0.02/0.05 of 1,998.70 EUR at 1.0814 (2024-02-01) = 864.5576 USD.
    assert (btc["proceeds"], btc["cost_basis"], btc["fee"]) == ("1720.29", "864.56", "20.89")
    # Income in EUR at the day's rate: 8.25 EUR x 1.0849, 1.50 EUR x 1.086, 0.7812 x 1.0698.
    assert [(i["asset"], i["fiat_value"]) for i in data["income"]] == [
        ("ETH", "8.95"),
        ("XLM", "1.63"),
        ("USDC", "0.84"),
    ]
    # The Saturday purchase uses Friday's rate, and says so.
    prior = [c for c in data["conversions"] if c["prior_day"]]
    assert {(c["date"], c["rate_date"], c["rate"]) for c in prior} == {
        ("2024-02-03", "2024-02-02", "1.0883")
    }
    (dropped,) = [w for w in data["warnings"] if w["code"] == "fiat_for_fiat_dropped"]
    assert dropped["source"] == "samples/coinbase-eur.csv:12" or dropped["source"].endswith(
        "coinbase-eur.csv:12"
    )
    assert "Bought 10 EUR for 10 EUR" in dropped["message"]


def test_eur_report_under_the_german_rule_uses_the_rows_own_values(build) -> None:
    data = build(SAMPLES / "coinbase-eur.csv", extra=("--country", "de"))
    assert [(i["asset"], i["fiat_value"]) for i in data["income"]] == [
        ("ETH", "8.25"),
        ("XLM", "1.50"),
        ("USDC", "0.78"),
    ]
    assert data["conversions"] == []


def test_czk_report_never_makes_czk_rows(build) -> None:
    data = build(SAMPLES / "coinbase-czk.csv")
    assert "CZK" not in {d["asset"] for d in data["disposals"]}
    assert {c["currency"] for c in data["conversions"]} == {"CZK"}
    (dropped,) = [w for w in data["warnings"] if w["code"] == "fiat_for_fiat_dropped"]
    assert dropped["source"].endswith("coinbase-czk.csv:16")
    # 73 CZK bought for 73 CZK: dropped, never a lot.
    assert "73 CZK" in dropped["message"]


def test_a_price_currency_outside_iso_4217_is_a_question(tmp_path: Path, parse) -> None:
    path = write(
        tmp_path,
        "cb.csv",
        PREAMBLE + CURRENT + "\n"
        "a1,2024-03-01 10:00:00 UTC,Buy,BTC,0.1,XYZ,100,10,10,0,Bought 0.1 BTC for 10 XYZ\n",
    )
    assert errors(parse, path) == [
        "cb.csv:5: Price Currency: 'XYZ' is not an ISO 4217 currency code: a Coinbase report "
        "states its values in the account's government currency (USD, EUR, GBP, CZK ...); "
        "check the export, or answer this row in an --overrides file: 'cb.csv:5,skip,NOTE' "
        "(or value AMOUNT)",
    ]


def test_fiat_list_is_iso_4217() -> None:
    codes = fiat_codes()
    assert {"USD", "EUR", "GBP", "CZK", "HUF", "ZAR", "XOF"} <= codes
    assert len(codes) > 150  # the maintained list, not a hand-typed one
    assert not codes & set(TICKER_CLASHES)  # MNT is Mantle on the exchanges
    assert looks_like_currency("XYZ") and not looks_like_currency("CZK")
    assert not looks_like_currency("USDT")
    rule = jurisdiction.load_bundled("us")
    assert "CZK" in rule.other_fiat and "MNT" not in rule.other_fiat
    assert "USD" not in rule.other_fiat
    assert rule.fx is not None and rule.fx.stablecoin_currency == "USD"


def test_a_ticker_clash_is_said(build, tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text(
        "timestamp,type,asset,quantity,quote_asset,quote_quantity\n"
        "2024-01-02T10:00:00Z,buy,MNT,100,USD,80\n"
        "2024-02-02T10:00:00Z,sell,MNT,100,USD,90\n",
        encoding="utf-8",
    )
    data = build(path)
    (notice,) = [w for w in data["warnings"] if w["code"] == "ticker_read_as_crypto"]
    assert notice["source"].endswith("g.csv:2") and "Mantle" in notice["message"]
    (row,) = data["disposals"]
    assert (row["asset"], Decimal(row["gain_loss"])) == ("MNT", Decimal("10.00"))


def test_a_rule_without_fx_refuses_foreign_values(runner, tmp_path: Path) -> None:
    from taxloss.cli import main

    us = (SAMPLES.parent / "rules" / "us.toml").read_text(encoding="utf-8")
    rule = tmp_path / "nofx.toml"
    rule.write_text(without_fx(us), encoding="utf-8")
    result = runner.invoke(
        main, ["build", "--rules", str(rule), str(SAMPLES / "coinbase-gbp.csv"), "--out",
               str(tmp_path / "o")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert (
        f"coinbase-gbp.csv:10: fiat_value: the row's value is in GBP and {rule.name} has no [fx] "
        "section to convert it into USD: add one, or answer the row in an --overrides file: "
    ) in result.stderr


@pytest.mark.parametrize("name", ["coinbase-eur.csv", "coinbase-czk.csv"])
def test_report_golden_under_the_us_rule(golden, monkeypatch, name: str) -> None:
    from taxloss.api import BuildOptions, build_report
    from taxloss.render.text import render_text

    monkeypatch.chdir(SAMPLES.parent)
    report = build_report(BuildOptions(files=(Path("samples") / name,)))
    golden(name.replace(".csv", ".report.txt"), render_text(report))


def test_czk_summary_pdf_golden(runner, golden, monkeypatch, tmp_path: Path) -> None:
    from taxloss.cli import main

    from ..render.test_pdf import pdf_text

    monkeypatch.chdir(SAMPLES.parent)
    out = tmp_path / "o"
    result = runner.invoke(main, ["build", "samples/coinbase-czk.csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    golden("coinbase-czk.summary-2024.pdf.txt", pdf_text(out / "summary-2024.pdf"))


def test_fiat_moves_in_the_generic_csv_are_never_lots(build, tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text(
        "timestamp,type,asset,quantity,quote_asset,quote_quantity\n"
        "2025-01-02T00:00:00Z,deposit,CZK,1000,,\n"
        "2025-01-03T00:00:00Z,buy,BTC,0.001,CZK,1000\n"
        "2025-01-04T00:00:00Z,withdrawal,EUR,50,,\n",
        encoding="utf-8",
    )
    data = build(path)
    assert [(w["code"], w["source"][-5:]) for w in data["warnings"]] == [
        ("fiat_move_dropped", "csv:2"),
        ("fiat_move_dropped", "csv:4"),
    ]
    assert [lot["asset"] for lot in data["open_lots"]] == ["BTC"]
    assert data["transfers"] == []


def test_a_header_currency_outside_iso_4217_is_a_question(tmp_path: Path, parse) -> None:
    header = (
        "Timestamp,Transaction Type,Asset,Quantity Transacted,XYZ Spot Price at Transaction,"
        "XYZ Subtotal,XYZ Total (inclusive of fees and/or spread),XYZ Fees and/or Spread,Notes"
    )
    path = write(
        tmp_path,
        "cb.csv",
        PREAMBLE + header + "\n2024-03-01T10:00:00Z,Staking Income,ETH,0.01,100,1,1,0,\n",
    )
    (line,) = errors(parse, path)
    assert line.startswith(
        "cb.csv:5: XYZ Spot Price at Transaction: 'XYZ' is not an ISO 4217 currency code"
    )


def test_a_currency_the_ecb_does_not_publish_asks_for_a_rate(runner, tmp_path: Path) -> None:
    from taxloss.cli import main

    text = (SAMPLES / "coinbase-eur.csv").read_text(encoding="utf-8")
    path = tmp_path / "ars.csv"
    path.write_text(text.replace("EUR", "ARS").replace("€", ""), encoding="utf-8")
    result = runner.invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert (
        f"  {path.name}:6: fx: no USD rate for ARS in ECB euro reference rates (none published for "
        f"ARS); add a row '2024-02-01,ARS,RATE' (USD per 1 ARS) to an --fx-rates file, or "
        f"answer the row with an --overrides line '{path.name}:6,value AMOUNT,NOTE' (its USD value)"
    ) in result.output
    rates = tmp_path / "rates.csv"
    rates.write_text(
        "date,currency,rate\n"
        + "".join(
            f"{day},ARS,0.0012\n"
            for day in (
                "2024-02-01",
                "2024-02-03",
                "2024-03-05",
                "2024-04-10",
                "2024-05-02",
                "2024-06-14",
                "2024-11-12",
                "2025-01-15",
                "2025-03-20",
            )
        ),
        encoding="utf-8",
    )
    result = runner.invoke(main, ["check", str(path), "--fx-rates", str(rates)])
    assert result.exit_code == 0, result.output
