"""The Form 1099-DA reader (issue #12): the taxloss layout, brokers' column names, the golden
form rows of the sample, and row errors with their ``path:line: column:``."""

from __future__ import annotations

from pathlib import Path

import pytest

from taxloss.errors import InputError
from taxloss.model import FormRow
from taxloss.money import plain
from taxloss.parsers import ParseOptions, read_file

from ..conftest import SAMPLES


def form_line(form: FormRow) -> str:
    """One form row as a stable line (the golden projection)."""
    parts = [
        str(form.source.line), form.broker, form.wallet or "-", form.form_id or "-",
        form.checkbox or "-", f"{plain(form.units)} {form.asset}",
        form.acquired_on.isoformat() if form.acquired_on else "various",
        form.sold_on.isoformat(), f"1f {plain(form.proceeds)}",
        f"1g {plain(form.cost_basis)}" if form.cost_basis is not None else "1g -",
        f"reported {form.basis_reported}", f"term {form.term or '-'}",
        f"noncovered {form.noncovered}", f"withheld {plain(form.withheld)}",
    ]  # fmt: skip
    if form.transaction_id:
        parts.append(f"id {form.transaction_id}")
    return " | ".join(parts)


def read_forms(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[FormRow, ...]:
    monkeypatch.chdir(path.parent)
    parsed = read_file(Path(path.name), path.name, ParseOptions(path.stem))
    assert parsed.trades == [] and parsed.info.format == "1099-da"
    return parsed.forms


def test_sample_form_rows(golden, monkeypatch) -> None:
    forms = read_forms(SAMPLES / "us-coinbase-1099da.csv", monkeypatch)
    golden("us-coinbase-1099da.forms.txt", "".join(form_line(f) + "\n" for f in forms))


def test_snake_case_vendor_columns(tmp_path, monkeypatch) -> None:
    path = tmp_path / "vendor.csv"
    path.write_text(
        "broker_name,asset_code,asset_quantity,acquired_date,disposed_date,gross_proceeds,"
        "cost_basis,is_basis_reported,gain_loss_type,is_noncovered_security,"
        "federal_income_tax_withheld,transaction_id\n"
        'Kraken,btc,0.5,2026-01-03,2026-04-01,"$30,000.00",25000,true,Short-term,false,'
        "0,T-1\n",
        encoding="utf-8",
    )
    (form,) = read_forms(path, monkeypatch)
    assert form_line(form) == (
        "2 | Kraken | - | - | - | 0.5 BTC | 2026-01-03 | 2026-04-01 | 1f 30000 | 1g 25000 | "
        "reported True | term short | noncovered False | withheld 0 | id T-1"
    )


def test_box_number_columns(tmp_path, monkeypatch) -> None:
    path = tmp_path / "boxes.csv"
    path.write_text(
        "Broker,1b,1c,1d,1e,1f,1g,Box 2,Box 4,Box 6,Box 9\n"
        "Coinbase,ETH,2,VARIOUS,12/30/2025,7000.00,,no,0,long,yes\n",
        encoding="utf-8",
    )
    (form,) = read_forms(path, monkeypatch)
    assert (form.asset, form.acquired_on, form.cost_basis, form.term, form.noncovered) == (
        "ETH", None, None, "long", True,
    )  # fmt: skip


def test_a_missing_required_column(tmp_path, monkeypatch) -> None:
    path = tmp_path / "f.csv"
    path.write_text("checkbox,units,date_sold,proceeds\nH,1,2025-05-01,10\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_forms(path, monkeypatch)
    assert str(info.value) == (
        "f.csv:1: header: missing the asset column: expected a column named 'asset' or '1b' "
        "or 'box 1b' or 'name of digital asset' or 'digital asset name' or 'digital asset' or "
        "'asset name' or 'asset_name' or 'token' or 'asset_code' or '1a' or 'box 1a' or "
        "'digital asset code' or 'digital token identifier'"
    )


def test_basis_reported_needs_box_1g(tmp_path, monkeypatch) -> None:
    path = tmp_path / "f.csv"
    path.write_text(
        "checkbox,asset,units,date_sold,proceeds,cost_basis\nG,BTC,1,2026-05-01,10,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_forms(path, monkeypatch)
    assert str(info.value) == (
        "f.csv:2: cost_basis: the basis was reported to the IRS (box 2 or box G/J): expected "
        "the amount of box 1g, found an empty cell"
    )


def test_us_dates_of_the_form_are_no_assumption(tmp_path, monkeypatch) -> None:
    """MM/DD/YYYY is the form's documented order: the sample reads without a 'dates read as
    month first' notice, while a day-first file (a European spreadsheet) still says so."""
    monkeypatch.chdir(SAMPLES.parent)
    parsed = read_file(
        Path("samples/us-coinbase-1099da.csv"), "samples/us-coinbase-1099da.csv", ParseOptions("x")
    )
    assert [a.code for a in parsed.assumptions] == []
    path = tmp_path / "day-first.csv"
    path.write_text(
        "broker,asset,units,date_acquired,date_sold,proceeds,basis_reported\n"
        "Coinbase,ETH,2,,30/12/2025,7000.00,no\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    parsed = read_file(Path(path.name), path.name, ParseOptions(path.stem))
    assert [a.code for a in parsed.assumptions] == ["dates_day_first"]
    assert parsed.forms[0].sold_on.isoformat() == "2025-12-30"


def test_a_form_file_spans_its_dates_sold(monkeypatch) -> None:
    """The inputs table shows a 1099-DA file's first and last date sold (box 1c), not blanks."""
    monkeypatch.chdir(SAMPLES.parent)
    parsed = read_file(
        Path("samples/us-coinbase-1099da.csv"), "samples/us-coinbase-1099da.csv", ParseOptions("x")
    )
    sold = sorted(form.sold_on for form in parsed.forms)
    assert parsed.info.first is not None and parsed.info.last is not None
    assert (parsed.info.first.date(), parsed.info.last.date()) == (sold[0], sold[-1])
    assert parsed.info.first.isoformat() == f"{sold[0].isoformat()}T00:00:00+00:00"
