"""Issue #15's last line: the loss as a share of the peak value of holdings, where prices
allow. Hand-computed cases: the peak is the highest value of the units held at the end of a
day whose every asset held has a --prices row; a day missing a row does not count."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from taxloss.api import BuildOptions, build_report
from taxloss.cli import main
from taxloss.model import BasisScope, Report
from taxloss.render.account import account_json, account_rows, account_text
from taxloss.returns.account import OUTSIDE, account_statement

from ..conftest import SAMPLE_EXPORTS

HEADER = "timestamp,type,asset,quantity,quote_asset,quote_quantity,fee_asset,fee_quantity,fiat_value,wallet,id,note\n"  # noqa: E501

#: 1 BTC for 10,000 and 10 ETH for 5,000; half the BTC sold for 3,000 (-2,000) on the 12th,
#: the ETH for 3,000 (-2,000) on the 14th: a net loss of 4,000 on 15,000 put in.
HISTORY = (
    HEADER
    + """\
2025-01-10T10:00:00Z,buy,BTC,1,USD,10000.00,,,,coinbase,a1,
2025-01-10T11:00:00Z,buy,ETH,10,USD,5000.00,,,,coinbase,a2,
2025-01-12T10:00:00Z,sell,BTC,0.5,USD,3000.00,,,,coinbase,a3,
2025-01-14T10:00:00Z,sell,ETH,10,USD,3000.00,,,,coinbase,a4,
"""
)

#: The 11th (no trade that day): 1 x 12,000 + 10 x 600 = 18,000. The 12th has no ETH row: not
#: counted (its BTC alone, 0.5 x 60,000 = 30,000, would be higher). The 13th: 0.5 x 20,000 +
#: 10 x 500 = 15,000. Rows before and after the data are not days of the data.
PRICES = """\
date,asset,price
2025-01-05,BTC,90000
2025-01-11,BTC,12000
2025-01-11,ETH,600
2025-01-12,BTC,60000
2025-01-13,BTC,20000
2025-01-13,ETH,500
2025-01-20,BTC,90000
2025-01-20,ETH,9000
"""

Write = Callable[[str, str], Path]


def build(write_csv: Write, history: str, prices: str | None) -> Report:
    files = (write_csv("history.csv", history),)
    price_file = write_csv("prices.csv", prices) if prices is not None else None
    return build_report(BuildOptions(files=files, country="us", prices=price_file))


def test_peak_and_its_share_hand_computed(write_csv: Write) -> None:
    report = build(write_csv, HISTORY, PRICES)
    total = account_statement(report).total
    assert total.net_result == Decimal("-4000")
    assert total.peak_value == Decimal("18000")
    assert total.peak_date == date(2025, 1, 11)
    assert total.loss_share_of_peak == Decimal(4000) / Decimal(18000)
    assert total.loss_share == Decimal(4000) / Decimal(15000)  # unchanged
    data = account_json(report)
    assert data["peak_note"] is None
    for column in (data["total"], data["years"]["2025"]):
        assert (column["peak_value"], column["peak_date"], column["loss_share_of_peak"]) == (
            "18000.00", "2025-01-11", "0.2222")  # fmt: skip
    assert "peak_value" not in data["wallets"]["coinbase"]
    assert "peak value of holdings 18,000.00 USD on 2025-01-11: the loss is 22.2% of it" in (
        account_text(report)
    )
    rows = {row[0]: row[2:] for row in account_rows(report)}
    assert rows["Peak value of holdings"] == [Decimal("18000.00"), None, Decimal("18000.00")]
    assert rows["Peak day"] == ["2025-01-11", None, "2025-01-11"]
    assert rows["Loss share of peak"] == [Decimal("0.2222"), None, Decimal("0.2222")]


@pytest.mark.parametrize("scope", [None, BasisScope.UNIVERSAL, BasisScope.WALLET])
def test_units_withdrawn_outside_and_in_flight_count_on_the_right_days(
    write_csv: Write, scope: BasisScope | None
) -> None:
    # 2 BTC bought; 1 withdrawn to outside the data on the 3rd; 0.5 leaves coinbase late on
    # the 4th and reaches ledger on the 5th (in flight at the end of the 4th: still held).
    history = (
        HEADER
        + """\
2025-03-01T10:00:00Z,buy,BTC,2,USD,20000.00,,,,coinbase,b1,
2025-03-03T10:00:00Z,withdrawal,BTC,1,,,,,,coinbase,b2,outside the data
2025-03-04T23:00:00Z,withdrawal,BTC,0.5,,,,,,coinbase,b3,
2025-03-05T01:00:00Z,deposit,BTC,0.5,,,,,,ledger,b4,
2025-03-06T10:00:00Z,sell,BTC,0.5,USD,4000.00,,,,ledger,b5,
"""
    )
    prices = "date,asset,price\n2025-03-02,BTC,10000\n2025-03-03,BTC,50000\n" \
        "2025-03-04,BTC,60000\n2025-03-05,BTC,55000\n"  # fmt: skip
    files = (write_csv("history.csv", history),)
    price_file = write_csv("prices.csv", prices)
    options = BuildOptions(files=files, country="us", prices=price_file, basis_scope=scope)
    report = build_report(options)
    held = {d.day.day: dict(d.units)["BTC"] for d in report.priced_days}
    assert held == {2: 2, 3: 1, 4: 1, 5: 1}
    total = account_statement(report).total
    # 2 x 10,000 = 20,000; 1 x 50,000; 1 x 60,000 (not 0.5 or 2 x 60,000); 1 x 55,000.
    assert (total.peak_value, total.peak_date) == (Decimal(60000), date(2025, 3, 4))
    assert total.net_result == Decimal(-1000)  # 0.5 BTC at 5,000 cost sold for 4,000
    assert total.loss_share_of_peak == Decimal(1000) / Decimal(60000)


def test_without_prices_the_peak_is_not_known(write_csv: Write) -> None:
    report = build(write_csv, HISTORY, None)
    assert report.priced_days == ()
    st = account_statement(report)
    assert (st.total.peak_value, st.total.peak_date, st.total.loss_share_of_peak) == (
        None, None, None)  # fmt: skip
    assert st.peak_note == "no --prices row falls on a day of the data"
    data = account_json(report)
    assert data["peak_note"] == st.peak_note
    assert (data["total"]["peak_value"], data["total"]["loss_share_of_peak"]) == (None, None)
    assert "peak value of holdings: not known (no --prices row falls on a day" in (
        account_text(report)
    )


def test_no_fully_priced_day_names_the_missing_asset(write_csv: Write) -> None:
    prices = "date,asset,price\n2025-01-11,BTC,12000\n2025-01-12,BTC,60000\n"
    st = account_statement(build(write_csv, HISTORY, prices))
    assert st.total.peak_value is None and st.total.loss_share_of_peak is None
    assert st.peak_note == "no day of the data has a --prices row for every asset held " \
        "(missing: ETH)"  # fmt: skip


def test_no_net_loss_has_a_peak_but_no_share(write_csv: Write) -> None:
    history = (
        HEADER
        + """\
2025-01-10T10:00:00Z,buy,BTC,1,USD,10000.00,,,,coinbase,a1,
2025-01-12T10:00:00Z,sell,BTC,0.5,USD,8000.00,,,,coinbase,a3,
"""
    )
    prices = "date,asset,price\n2025-01-11,BTC,12000\n"
    report = build(write_csv, history, prices)
    total = account_statement(report).total
    assert (total.peak_value, total.loss_share_of_peak) == (Decimal(12000), None)
    assert account_json(report)["total"]["loss_share_of_peak"] is None
    assert "peak value of holdings 12,000.00 USD on 2025-01-11: no net loss" in (
        account_text(report)
    )


def test_summary_and_sheet_show_the_peak(write_csv: Write, tmp_path: Path) -> None:
    out = tmp_path / "out"
    history, prices = write_csv("h.csv", HISTORY), write_csv("p.csv", PRICES)
    args = ["build", "--country", "us", str(history), "--prices", str(prices), "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "the loss is 22.2% of it" in result.output
    assert json.loads((out / "report.json").read_text())["account"]["total"]["peak_value"] == (
        "18000.00"
    )
    first = " ".join(PdfReader(out / "summary-2025.pdf").pages[0].extract_text().split())
    assert "At their peak, on 2025-01-11, your holdings were worth 18,000.00 USD" in first
    assert "the loss is 22.2% of that" in first
    sheet = openpyxl.load_workbook(out / "form8949-2025.xlsx")["Account"]
    cells = {row[0]: row[2] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert cells["Peak day"] == "2025-01-11"
    assert Decimal(str(cells["Loss share of peak"])) == Decimal("0.2222")


def test_summary_says_why_the_peak_is_not_known(write_csv: Write, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["build", "--country", "us", str(write_csv("h.csv", HISTORY)), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    first = " ".join(PdfReader(out / "summary-2025.pdf").pages[0].extract_text().split())
    assert (
        "The loss as a share of the peak value of holdings is not known: no --prices row falls "
        "on a day of the data." in first
    )


def test_the_readme_sample_peak() -> None:
    # samples/us-multi-year-prices.csv: on 2025-02-01 100 SOL x 220 + 1 DOT x 2,100 + 1 LINK x
    # 4,100 + 10 ETH x 3,000 = 58,200; 2025-03-03 has no DOT row; on 2025-08-01 (SOL sold that
    # day) 1 DOT x 1,800 + 1 LINK x 5,200 = 7,000. Net result -5,150.
    samples = Path(__file__).resolve().parents[2] / "samples"
    report = build_report(
        BuildOptions(
            files=(samples / "us-multi-year.csv",),
            country="us",
            prices=samples / "us-multi-year-prices.csv",
        )
    )
    assert [(d.day.isoformat(), len(d.prices)) for d in report.priced_days] == [
        ("2025-02-01", 4), ("2025-03-03", 3), ("2025-08-01", 2)]  # fmt: skip
    data = account_json(report)
    assert (data["total"]["peak_value"], data["total"]["peak_date"]) == ("58200.00", "2025-02-01")
    assert data["total"]["loss_share_of_peak"] == "0.0885"  # 5,150 / 58,200 = 0.08849
    # Tax year 2025 alone: a net result of -11,150 against the same peak.
    assert data["years"]["2025"]["loss_share_of_peak"] == "0.1916"  # 11,150 / 58,200
    assert data["years"]["2026"]["peak_value"] is None  # no --prices row in 2026


@pytest.mark.parametrize("name", SAMPLE_EXPORTS)
def test_the_last_day_holds_what_the_open_lots_hold(name: str, tmp_path: Path) -> None:
    # The recorder's last snapshot and the report's open lots (outside the data apart) hold
    # the same units of every asset, under every sample's rule and matching.
    samples = Path(__file__).resolve().parents[2] / "samples"
    country = name.split("-")[0] if name.startswith(("uk-", "ca-", "au-", "de-")) else "us"
    options = BuildOptions(files=(samples / name,), country=country)
    plain_report = build_report(options)
    assert plain_report.last_day is not None
    held: dict[str, Decimal] = defaultdict(Decimal)
    for lot in plain_report.open_lots:
        if lot.wallet != OUTSIDE:
            held[lot.asset] += lot.quantity
    prices = tmp_path / "prices.csv"
    day = plain_report.last_day.isoformat()
    rows = "".join(f"{day},{a},1\n" for a in sorted(held))
    prices.write_text(f"date,asset,price\n{rows}{day},ZZZ,1\n")  # a row even when none is held
    report = build_report(replace(options, prices=prices))
    (last,) = [d for d in report.priced_days if d.day == plain_report.last_day]
    assert dict(last.units) == {a: q for a, q in held.items() if q}
