"""Forms 1099-DA through the CLI (issue #12): the reference's worked examples R1-R5, matching
rules, differences to review, errors, and repeatable outputs."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from taxloss.cli import main

from ..conftest import ROOT

HEADER = (
    "broker,wallet,form_id,checkbox,asset,units,date_acquired,date_sold,proceeds,cost_basis,"
    "basis_reported,term,noncovered,federal_withheld,transaction_id\n"
)

#: us-1099da-reference.md §4, R1-R5, in one history (wallet coinbase has the forms).
TRADES = """\
timestamp,type,asset,quantity,quote_asset,quote_quantity,fee_asset,fee_quantity,wallet,id
2026-01-05T15:00:00Z,buy,BTC,1,USD,900,,,coinbase,c-1
2026-02-05T15:00:00Z,buy,BTC,1,USD,1400,,,coinbase,c-2
2026-06-01T15:00:00Z,sell,BTC,1,USD,1000,,,coinbase,c-3
2025-01-10T15:00:00Z,buy,ETH,1,USD,1500,,,coinbase,c-4
2025-05-01T15:00:00Z,sell,ETH,1,USD,2000,,,coinbase,c-5
2025-01-10T15:00:00Z,buy,SOL,1,USD,700,,,ledger,
2025-02-01T10:00:00Z,withdrawal,SOL,1,,,,,ledger,
2025-02-01T11:00:00Z,deposit,SOL,1,,,,,coinbase,c-6
2025-03-01T15:00:00Z,sell,SOL,1,USD,1000,,,coinbase,c-7
2025-01-12T15:00:00Z,buy,AVAX,1,USD,600,,,coinbase,c-8
2025-07-01T15:00:00Z,sell,AVAX,1,USD,1000,USD,5,coinbase,c-9
2025-01-12T15:00:00Z,buy,LINK,1,USD,800,,,metamask,
2025-08-01T15:00:00Z,sell,LINK,1,USDC,1200,USD,10,metamask,
"""

FORMS = (
    HEADER
    + """\
"Coinbase, Inc.",,2026-1,G,BTC,1,2026-01-05,2026-06-01,1000.00,900.00,yes,short,no,0,
"Coinbase, Inc.",,2025-1,H,ETH,1,,2025-05-01,2000.00,,no,,yes,0,
"Coinbase, Inc.",,2025-1,H,SOL,1,,2025-03-01,1000.00,0.00,no,,yes,0,
"Coinbase, Inc.",,2025-1,H,AVAX,1,VARIOUS,07/01/2025,1000.00,,no,short,yes,24.00,
"Coinbase, Inc.",,2025-1,H,DOGE,100,,2025-09-01,50.00,,no,short,yes,0,
"""
)


def run(runner: CliRunner, tmp_path: Path, trades: str, forms: str | None, *args: str):
    files = [tmp_path / "trades.csv"]
    files[0].write_text(trades, encoding="utf-8")
    if forms is not None:
        files.append(tmp_path / "1099da.csv")
        files[1].write_text(forms, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        main, ["build", "--country", "us", *map(str, files), "--out", str(out), *args]
    )
    return result, out


def build(runner: CliRunner, tmp_path: Path, trades: str, forms: str | None, *args: str) -> dict:
    result, out = run(runner, tmp_path, trades, forms, *args)
    assert result.exit_code == 0, result.output
    return json.loads((out / "report.json").read_text())


def rows(data: dict) -> list[tuple[str, ...]]:
    """(asset, box, (d), (e), (f), (g), (h), column (a)) of every Form 8949 row."""
    return [
        (d["asset"], d["box"], d["proceeds"], d["cost_basis"], d["codes"], d["adjustments"],
         d["gain_loss"], d["description"])
        for d in data["disposals"]
    ]  # fmt: skip


def test_worked_examples_r1_to_r5(runner, tmp_path) -> None:
    data = build(runner, tmp_path, TRADES, FORMS, "--method", "hifo")
    assert rows(data) == [
        # R3: basis 0 on the form for units moved in, box 2 unchecked: H, ours, B, (g) 0.
        ("SOL", "H", "1000.00", "700.00", "B", "0.00", "300.00", "1 SOL (tx c-7)"),
        # R2: TY2025, proceeds only.
        ("ETH", "H", "2000.00", "1500.00", "", "0.00", "500.00", "1 ETH (tx c-5)"),
        # R4: a 5.00 fee the form did not deduct: code E, (g) (5).
        ("AVAX", "H", "1000.00", "600.00", "E", "-5.00", "395.00", "1 AVAX (tx c-9)"),
        # R5: a DEX swap on no form: box I, value received less fees.
        ("LINK", "I", "1190.00", "800.00", "", "0.00", "390.00", "1 LINK"),
        # R1: TY2026 covered lot, broker's FIFO basis 900, ours (HIFO) 1,400: G, B, (500).
        ("BTC", "G", "1000.00", "900.00", "B", "-500.00", "-400.00", "1 BTC (tx c-3)"),
    ]
    assert [d["transaction_id"] for d in data["disposals"]] == ["c-7", "c-5", "c-9", "", "c-3"]
    statuses = [(r["asset"], r["status"], r["review"], r["rows"]) for r in data["reconciliation"]]
    assert statuses == [
        ("SOL", "basis_differ", True, [1]),
        ("ETH", "matched", False, [2]),
        ("AVAX", "proceeds_differ", False, [3]),
        ("DOGE", "only_on_form", True, []),
        ("BTC", "basis_differ", True, [5]),
    ]
    years = data["tax_years"]
    assert years["2025"]["boxes"]["H"]["schedule_d_line"] == "2"
    assert years["2026"]["boxes"]["G"]["schedule_d_line"] == "1b"
    assert years["2026"]["loss_offset"]["schedule_d"]["line_1b"] == "-400.00"


def test_a_form_row_with_no_sale_is_listed_never_a_row(runner, tmp_path) -> None:
    data = build(runner, tmp_path, TRADES, FORMS)
    assert "DOGE" not in {d["asset"] for d in data["disposals"]}
    (doge,) = [r for r in data["reconciliation"] if r["asset"] == "DOGE"]
    assert doge["status"] == "only_on_form"
    assert doge["form"]["source"].endswith("1099da.csv:6")
    assert "no DOGE in wallet coinbase" in doge["reasons"][0]
    assert any(w["code"] == "form_1099da" and w["source"].endswith(":6") for w in data["warnings"])
    assert data["forms_1099da"]["2025"]["federal_withheld"] == "24.00"
    (box_h,) = data["forms_1099da"]["2025"]["brokers"]
    assert (box_h["form_proceeds"], box_h["column_d"]) == ("4050.00", "4000.00")


def test_without_forms_nothing_changes(runner, tmp_path) -> None:
    data = build(runner, tmp_path, TRADES, None)
    assert {d["box"] for d in data["disposals"]} == {"I"}
    assert "reconciliation" not in data and "forms_1099da" not in data
    assert "transaction_id" not in data["disposals"][0]


def test_rerun_is_byte_identical(runner, tmp_path) -> None:
    first, out = run(runner, tmp_path, TRADES, FORMS)
    assert first.exit_code == 0, first.output
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    second, _ = run(runner, tmp_path, TRADES, FORMS)
    assert second.exit_code == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


SPLIT_SALE = """\
timestamp,type,asset,quantity,quote_asset,quote_quantity,fee_asset,fee_quantity,wallet,id
2025-01-20T15:00:00Z,buy,BTC,0.3,USD,30000,,,kraken,k-1
2026-02-02T15:00:00Z,buy,BTC,0.1,USD,8000,,,kraken,k-2
2026-05-04T23:30:00Z,sell,BTC,0.35,USD,31500.01,,,kraken,k-3
"""


def test_covered_and_noncovered_units_of_one_sale(runner, tmp_path) -> None:
    # Two form rows for one sale (the broker's date is a day later: its zone), and a lot row
    # split at their boundary; each form row's (d) adds up to its 1f.
    forms = HEADER + (
        "Kraken,kraken,f1,K,BTC,0.3,,2026-05-05,27000.00,,no,long,yes,0,\n"
        "Kraken,kraken,f1,G,BTC,0.05,2026-02-02,2026-05-05,4500.00,4000.00,yes,short,no,0,\n"
    )
    data = build(runner, tmp_path, SPLIT_SALE, forms)
    # We received 31,500.01: 27,000.0086 for the 0.3 (rounded 27,000.01, a cent more than
    # the K row's 1f, so column (d) shows our larger amount) and 4,500.0014 for the 0.05.
    assert rows(data) == [
        ("BTC", "K", "27000.01", "30000.00", "", "0.00", "-2999.99", "0.3 BTC (tx k-3)"),
        ("BTC", "G", "4500.00", "4000.00", "", "0.00", "500.00", "0.05 BTC (tx k-3)"),
    ]
    lines = data["reconciliation"]
    assert [(r["status"], r["box"], r["rows"]) for r in lines] == [
        ("proceeds_differ", "K", [1]),
        ("matched", "G", [2]),
    ]
    assert "column (d) shows ours" in lines[0]["differences"][0]


def test_one_form_row_for_several_lots_shares_1f_to_the_cent(runner, tmp_path) -> None:
    trades = """\
timestamp,type,asset,quantity,quote_asset,quote_quantity,wallet,id
2026-01-02T15:00:00Z,buy,ETH,1,USD,1000,coinbase,a
2026-01-03T15:00:00Z,buy,ETH,1,USD,1000,coinbase,b
2026-01-04T15:00:00Z,buy,ETH,1,USD,1000,coinbase,c
2026-03-01T15:00:00Z,sell,ETH,3,USD,3000,coinbase,s
"""
    forms = HEADER + "Coinbase,,f,G,ETH,3,VARIOUS,2026-03-01,3100.00,3000.01,yes,short,no,0,\n"
    data = build(runner, tmp_path, trades, forms)
    got = rows(data)
    assert [r[2] for r in got] == ["1033.34", "1033.33", "1033.33"]
    assert [r[3] for r in got] == ["1000.01", "1000.00", "1000.00"]
    assert sum(float(r[2]) for r in got) == pytest.approx(3100)
    # (h) is our own gain on every row: 0.00 each (bought at 1000, sold at 1000).
    assert [r[6] for r in got] == ["0.00", "0.00", "0.00"]
    assert [r[4] for r in got] == ["BE", "BE", "BE"]
    line = data["reconciliation"][0]
    assert (line["status"], line["columns"]["d"], line["columns"]["e"]) == (
        "proceeds_differ",
        "3100.00",
        "3000.01",
    )


def test_wrong_term_on_the_form_is_code_t(runner, tmp_path) -> None:
    trades = """\
timestamp,type,asset,quantity,quote_asset,quote_quantity,wallet
2025-01-02T15:00:00Z,buy,ETH,1,USD,1000,coinbase
2026-03-01T15:00:00Z,sell,ETH,1,USD,3000,coinbase
"""
    forms = HEADER + "Coinbase,,f,H,ETH,1,,2026-03-01,3000.00,,no,short,yes,0,\n"
    data = build(runner, tmp_path, trades, forms)
    assert rows(data) == [("ETH", "K", "3000.00", "1000.00", "T", "0.00", "2000.00", "1 ETH")]
    assert data["reconciliation"][0]["status"] == "term_differs"


def test_a_sale_missing_from_the_forms_stays_in_box_i(runner, tmp_path) -> None:
    trades = TRADES + "2025-10-01T15:00:00Z,buy,ETH,1,USD,10,,,coinbase,c-10\n"
    trades += "2025-10-02T15:00:00Z,sell,ETH,1,USD,20,,,coinbase,c-11\n"
    data = build(runner, tmp_path, trades, FORMS)
    (row,) = [d for d in data["disposals"] if d["transaction_id"] == "c-11"]
    assert row["box"] == "I"
    (line,) = [r for r in data["reconciliation"] if r["status"] == "not_on_form"]
    assert line["sale_sources"][0].endswith("trades.csv:16")


def test_reported_by_puts_a_wallet_in_box_h_k(runner, tmp_path) -> None:
    data = build(runner, tmp_path, TRADES, None, "--reported-by", "metamask")
    boxes = {d["asset"]: d["box"] for d in data["disposals"]}
    assert boxes == {"SOL": "I", "ETH": "I", "AVAX": "I", "LINK": "H", "BTC": "I"}
    (notice,) = [w for w in data["warnings"] if w["code"] == "form_1099da_not_given"]
    assert "metamask 2025" in notice["message"] and "1,190.00" in notice["message"]


def test_vendor_column_names_and_xlsx(runner, tmp_path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Broker name", "Applicable checkbox", "1b", "1c", "Date acquired",
                  "Date sold or disposed", "Proceeds", "Cost or other basis",
                  "Check if basis reported to IRS", "Federal income tax withheld"])  # fmt: skip
    sheet.append(["Coinbase", "G", "BTC", "1", "2026-01-05", "06/01/2026", "1000.00", "900.00",
                  "X", "0"])  # fmt: skip
    path = tmp_path / "vendor.xlsx"
    book.save(path)
    source = tmp_path / "trades.csv"
    source.write_text(TRADES, encoding="utf-8")
    detected = runner.invoke(main, ["detect", str(path)])
    assert "1099-da" in detected.output
    result = runner.invoke(main, ["build", str(source), str(path), "--method", "hifo", "--out",
                                  str(tmp_path / "out"), "--outputs", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert rows(data)[-1][:7] == ("BTC", "G", "1000.00", "900.00", "B", "-500.00", "-400.00")


def test_bad_rows_are_reported_all_at_once(runner, tmp_path) -> None:
    forms = HEADER + (
        "Coinbase,,f,Q,BTC,-1,,2026-13-01,abc,,maybe,soon,no,0,\n"
        "Coinbase,,f,G,BTC,1,,2024-06-01,10.00,,yes,short,no,0,\n"
    )
    result, out = run(runner, tmp_path, TRADES, forms)
    assert result.exit_code == 2
    assert not out.exists() or not any(out.iterdir())
    lines = result.output.strip().splitlines()
    assert all(line.split(":")[0].endswith("1099da.csv") for line in lines[-9:])
    text = result.output
    assert "1099da.csv:2: units: expected a number of units above zero" in text
    assert "1099da.csv:2: date_sold: expected a date like 2026-03-14 or 03/14/2026" in text
    assert "1099da.csv:2: checkbox: expected the Form 8949 box G, H, J, K, X or Y" in text
    assert "1099da.csv:2: basis_reported: expected yes or no, found 'maybe'" in text
    assert "1099da.csv:3: date_sold: expected a sale in 2025 or later" in text
    assert isinstance(result.exception, SystemExit)  # a clean exit, no unhandled error


def test_a_form_whose_wallet_is_in_no_export_is_an_error(runner, tmp_path) -> None:
    forms = HEADER + "Gemini,,f,H,BTC,1,,2026-03-01,10.00,,no,short,yes,0,\n"
    result, _ = run(runner, tmp_path, TRADES, forms)
    assert result.exit_code == 2
    assert "1099da.csv:2: broker: broker 'Gemini' matches no wallet of the exports" in result.output
    forms = HEADER + "Gemini,gemini,f,H,BTC,1,,2026-03-01,10.00,,no,short,yes,0,\n"
    result, _ = run(runner, tmp_path, TRADES, forms)
    assert "1099da.csv:2: wallet: no export given holds wallet 'gemini'" in result.output


def test_the_sample_pair_ties_to_the_forms(runner, tmp_path) -> None:
    out = tmp_path / "out"
    export = ROOT / "samples" / "us-coinbase-1099da-export.csv"
    form = ROOT / "samples" / "us-coinbase-1099da.csv"
    result = runner.invoke(main, ["build", str(export), str(form), "--country", "us", "--out",
                                  str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text())
    assert {d["box"] for d in data["disposals"]} == {"G", "H", "K"}
    # Per broker and box, every year: the (d) total equals the forms' 1f total to the cent.
    for year, facts in data["forms_1099da"].items():
        assert facts["brokers"], year
        for broker in facts["brokers"]:
            assert broker["column_d"] == broker["form_proceeds"], (year, broker)
    # ... and so does each form row's rows.
    for line in data["reconciliation"]:
        assert line["columns"]["d"] == line["form"]["proceeds"]
    statuses = [r["status"] for r in data["reconciliation"]]
    assert statuses == ["matched", "matched", "matched", "proceeds_differ"]
    assert data["forms_1099da"]["2026"]["federal_withheld"] == "96.00"


def test_a_send_the_broker_counted_as_a_sale_is_only_on_form(runner, tmp_path) -> None:
    out = tmp_path / "out"
    export = ROOT / "samples" / "us-coinbase-1099da-export.csv"
    form = ROOT / "samples" / "us-coinbase-1099da-with-send.csv"
    result = runner.invoke(main, ["build", str(export), str(form), "--country", "us", "--out",
                                  str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text())
    statuses = [r["status"] for r in data["reconciliation"]]
    assert statuses == ["matched", "only_on_form", "matched", "matched", "proceeds_differ"]
    (send,) = [r for r in data["reconciliation"] if r["status"] == "only_on_form"]
    assert send["rows"] == [] and send["form"]["proceeds"] == "1550.00"
    # Never turned into a row: the 2025 box H total is the one real sale's.
    (h_2025,) = data["forms_1099da"]["2025"]["brokers"]
    assert (h_2025["form_proceeds"], h_2025["column_d"]) == ("5281.25", "3731.25")


def test_schedule_d_exception_1(runner, tmp_path) -> None:
    trades = """\
timestamp,type,asset,quantity,quote_asset,quote_quantity,wallet,id
2026-01-02T15:00:00Z,buy,ETH,2,USD,2000,coinbase,a
2026-03-01T15:00:00Z,sell,ETH,1,USD,1500,coinbase,s1
2026-03-02T15:00:00Z,sell,ETH,1,USD,1600,coinbase,s2
"""
    forms = (
        "broker,checkbox,asset,units,date_sold,proceeds,cost_basis,basis_reported\n"
        "Coinbase,G,ETH,1,2026-03-01,1500.00,1000.00,yes\n"
        "Coinbase,G,ETH,1,2026-03-02,1600.00,900.00,yes\n"
    )
    plain = build(runner, tmp_path, trades, forms)
    assert plain["tax_years"]["2026"]["loss_offset"]["schedule_d"]["line_1b"] == "1100.00"
    data = build(runner, tmp_path, trades, forms, "--schedule-d-1a")
    year = data["tax_years"]["2026"]
    # The row with no adjustment goes on line 1a as a total; the code-B row stays on 8949.
    assert year["boxes"]["G-1a"]["proceeds"] == "1500.00"
    assert year["boxes"]["G"]["rows"] == 1
    lines = year["loss_offset"]["schedule_d"]
    assert (lines["line_1a"], lines["line_1b"], lines["line_7"]) == ("500.00", "600.00", "1100.00")
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "out" / "form8949-2026.xlsx")
    assert [n for n in book.sheetnames if n.startswith("Part")] == ["Part I box G"]
    assert book["Part I box G"]["A2"].value == "1 ETH (tx s2)"


def test_exception_1_rows_are_not_in_the_tax_software_files(runner, tmp_path) -> None:
    # Reported as totals on line 1a under --schedule-d-1a, a row is not a Form 8949 row: a
    # TurboTax or TaxAct import of it would count it a second time.
    trades = """\
timestamp,type,asset,quantity,quote_asset,quote_quantity,wallet,id
2026-01-02T15:00:00Z,buy,ETH,2,USD,2000,coinbase,a
2026-03-01T15:00:00Z,sell,ETH,1,USD,1500,coinbase,s1
2026-03-02T15:00:00Z,sell,ETH,1,USD,1600,coinbase,s2
"""
    forms = (
        "broker,checkbox,asset,units,date_sold,proceeds,cost_basis,basis_reported\n"
        "Coinbase,G,ETH,1,2026-03-01,1500.00,1000.00,yes\n"
        "Coinbase,G,ETH,1,2026-03-02,1600.00,900.00,yes\n"
    )
    build(runner, tmp_path, trades, forms, "--schedule-d-1a", "--outputs", "json,turbotax,txf")
    lines = (tmp_path / "out" / "turbotax-2026.csv").read_text().splitlines()
    assert len(lines) == 2 and lines[1].split(",")[-1] == "1600.00"  # the code-B row only
    assert (tmp_path / "out" / "form8949-2026.txf").read_text().count("$1600.00") == 1
    assert "$1500.00" not in (tmp_path / "out" / "form8949-2026.txf").read_text()


def test_a_transaction_id_cannot_become_a_formula_in_disposals_csv(runner, tmp_path) -> None:
    trades = """\
timestamp,type,asset,quantity,quote_asset,quote_quantity,wallet,id
2026-01-02T15:00:00Z,buy,ETH,1,USD,1000,coinbase,a
2026-03-01T15:00:00Z,sell,ETH,1,USD,1500,coinbase,=cmd|x
"""
    forms = (
        "broker,checkbox,asset,units,date_sold,proceeds,cost_basis,basis_reported\n"
        "Coinbase,H,ETH,1,2026-03-01,1500.00,,no\n"
    )
    data = build(runner, tmp_path, trades, forms, "--outputs", "json,csv")
    assert data["disposals"][0]["transaction_id"] == "=cmd|x"  # report.json keeps the text
    text = (tmp_path / "out" / "disposals.csv").read_text()
    assert ",'=cmd|x" in text and ",=cmd|x" not in text


def test_reconcile_prints_the_tie_out_and_writes_nothing(runner, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(main, ["reconcile", "samples/us-coinbase-1099da-export.csv",
                                  "samples/us-coinbase-1099da.csv", "--year", "2026"])  # fmt: skip
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Forms 1099-DA, tax year 2026" in text
    assert "Coinbase, Inc. (coinbase)" in text and "34,865.00" in text
    assert "federal income tax withheld (box 4): 96.00" in text
    assert "differences to review: 0" in text
    result = runner.invoke(main, ["reconcile", "samples/us-coinbase-1099da-export.csv"])
    assert result.exit_code == 2
    assert "no Form 1099-DA among FILES" in result.output


def test_same_day_sales_pair_with_the_nearest_figures(runner, tmp_path) -> None:
    trades = """\
timestamp,type,asset,quantity,quote_asset,quote_quantity,wallet,id
2026-01-02T15:00:00Z,buy,ETH,1,USD,1000,coinbase,a
2026-01-03T15:00:00Z,buy,ETH,1,USD,1200,coinbase,b
2026-03-01T10:00:00Z,sell,ETH,1,USD,1500,coinbase,s1
2026-03-01T11:00:00Z,sell,ETH,1,USD,1700,coinbase,s2
"""
    # The broker lists the later sale first.
    forms = HEADER + (
        "Coinbase,,f,G,ETH,1,,2026-03-01,1700.00,1200.00,yes,short,no,0,\n"
        "Coinbase,,f,G,ETH,1,,2026-03-01,1500.00,1000.00,yes,short,no,0,\n"
    )
    data = build(runner, tmp_path, trades, forms)
    assert [r["status"] for r in data["reconciliation"]] == ["matched", "matched"]
    assert [r["rows"] for r in data["reconciliation"]] == [[2], [1]]


def test_the_pdfs_show_the_forms(runner, tmp_path) -> None:
    from ..render.test_pdf import pdf_text

    out = tmp_path / "out"
    export = ROOT / "samples" / "us-coinbase-1099da-export.csv"
    form = ROOT / "samples" / "us-coinbase-1099da-with-send.csv"
    result = runner.invoke(main, ["build", str(export), str(form), "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = " ".join(pdf_text(out / "summary-2025.pdf").split())
    assert "Form 1099-DA differences to review (see 'Your Forms 1099-DA') 1" in summary
    assert "Your Forms 1099-DA" in summary and "5,281.25 3,731.25" in summary
    assert "only on form" in summary and "may have been counted by the broker as a sale" in summary
    form_8949 = " ".join(pdf_text(out / "form8949-2026.pdf").split())
    assert "Totals, box K (2 rows) 34,865.00 36,180.00 (40.00) (1,355.00)" in form_8949
    assert "Totals, box G (1 row) 4,477.50 4,020.00 457.50" in form_8949


def test_reported_by_an_unknown_wallet_is_an_error(runner, tmp_path) -> None:
    result, out = run(runner, tmp_path, TRADES, None, "--reported-by", "gemini")
    assert result.exit_code == 2
    assert "--reported-by: no export given holds wallet 'gemini'" in result.output
    assert isinstance(result.exception, SystemExit) and not out.exists()


def test_forms_need_the_us_rule(runner, tmp_path) -> None:
    result, _ = run(runner, tmp_path, TRADES, FORMS, "--country", "uk")
    assert result.exit_code == 2
    assert "Form 1099-DA and --reported-by are US forms" in result.output


def test_the_workbook_has_a_1099_da_sheet(runner, tmp_path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "out"
    export = ROOT / "samples" / "us-coinbase-1099da-export.csv"
    form = ROOT / "samples" / "us-coinbase-1099da.csv"
    result = runner.invoke(main, ["build", str(export), str(form), "--out", str(out),
                                  "--outputs", "xlsx"])  # fmt: skip
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out / "form8949-2026.xlsx")["1099-DA"]
    values = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    assert [row[0] for row in values[1:4]] == ["matched", "matched", "proceeds_differ"]
    totals = {row[4]: row[8:13] for row in values if row[2] == "coinbase" and row[0] is None}
    assert totals == {
        "G": (4477.5, 4477.5, 4020, 4020, 0),
        "K": (34865, 34865, "not shown", 36180, -40),  # the K rows showed no 1g
    }
    assert values[-1][0].startswith("Box 4 federal income tax withheld") and values[-1][8] == 96


def test_sum_1g_is_not_shown_when_no_form_row_showed_a_basis(runner, tmp_path) -> None:
    forms = (
        HEADER
        + """\
"Coinbase, Inc.",,2026-1,G,BTC,1,2026-01-05,2026-06-01,1000.00,900.00,yes,short,no,0,
"Coinbase, Inc.",,2025-1,H,ETH,1,,2025-05-01,2000.00,,no,,yes,0,
"""
    )
    data = build(runner, tmp_path, TRADES, forms)
    basis = {
        (year, b["box"]): b["form_basis"]
        for year, facts in data["forms_1099da"].items()
        for b in facts["brokers"]
    }
    assert basis == {("2025", "H"): None, ("2026", "G"): "900.00"}
    files = [str(tmp_path / "trades.csv"), str(tmp_path / "1099da.csv")]
    result = runner.invoke(main, ["reconcile", *files, "--year", "2025"])
    assert result.exit_code == 0, result.output
    (line,) = [x for x in result.output.splitlines() if x.startswith("  Coinbase")]
    assert line.split()[-5:] == ["2,000.00", "not", "shown", "1,500.00", "0.00"]


def test_a_sale_over_short_and_long_lots_totals_each_box(runner, tmp_path) -> None:
    """A form row over a lot older than a year and a younger one: its rows fall in G and J;
    Σ(d), Σ(e), Σ(g) per box are those of the Form 8949 boxes, 1f and 1g count in the form's
    own box (G, short on the form)."""
    from openpyxl import load_workbook

    trades = """\
timestamp,type,asset,quantity,quote_asset,quote_quantity,wallet,id
2025-01-02T15:00:00Z,buy,ETH,1,USD,1000,coinbase,a
2026-01-03T15:00:00Z,buy,ETH,2,USD,2000,coinbase,b
2026-03-01T15:00:00Z,sell,ETH,3,USD,9000.01,coinbase,s
"""
    forms = HEADER + "Coinbase,,f,G,ETH,3,VARIOUS,2026-03-01,9000.01,3000.00,yes,short,no,0,\n"
    data = build(runner, tmp_path, trades, forms, "--outputs", "json,xlsx")
    assert {r[1] for r in rows(data)} == {"G", "J"}
    boxes = data["tax_years"]["2026"]["boxes"]
    brokers = {b["box"]: b for b in data["forms_1099da"]["2026"]["brokers"]}
    assert set(brokers) == {"G", "J"}
    for box, entry in brokers.items():
        assert entry["column_d"] == boxes[box]["proceeds"]
        assert entry["column_e"] == boxes[box]["cost_basis"]
        assert entry["column_g"] == boxes[box]["adjustments"]
        assert entry["rows"] == boxes[box]["rows"]
    assert (brokers["G"]["form_proceeds"], brokers["G"]["form_basis"]) == ("9000.01", "3000.00")
    assert (brokers["J"]["form_proceeds"], brokers["J"]["form_rows"]) == ("0.00", 0)
    assert (brokers["G"]["form_rows"], brokers["G"]["rows"], brokers["J"]["rows"]) == (1, 1, 1)
    sums = [brokers[b]["column_d"] for b in "GJ"]
    assert sum(Decimal(s) for s in sums) == Decimal("9000.01")
    sheet = load_workbook(tmp_path / "out" / "form8949-2026.xlsx")["1099-DA"]
    values = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    totals = {row[4]: row[8:13] for row in values if row[2] == "coinbase" and row[0] is None}
    assert {box: Decimal(str(t[1])) for box, t in totals.items()} == {
        box: Decimal(boxes[box]["proceeds"]) for box in "GJ"
    }


def test_outputs_print_the_form_figures_the_tie_out_rounded(runner, tmp_path) -> None:
    """report.json and the 1099-DA sheet print the 1f/1g carried on the tie-out line, never
    the form's figures rounded again."""
    from dataclasses import replace

    from taxloss.engine import compute
    from taxloss.jurisdiction import load_bundled
    from taxloss.model import FormRow, Method, SourceRef, Trade, TradeKind
    from taxloss.render.data import form_json
    from taxloss.render.xlsx_1099da import form_sheets
    from taxloss.returns.reconcile import reconcile

    def trade(day: int, kind: TradeKind, value: str) -> Trade:
        return Trade(
            timestamp=datetime(2026, 1, day, 15, tzinfo=UTC), kind=kind, asset="ETH",
            quantity=Decimal(1), wallet="coinbase", source=SourceRef("t.csv", day),
            quote_asset="USD", quote_quantity=Decimal(value),
        )  # fmt: skip

    report = compute([trade(2, TradeKind.BUY, "10"), trade(9, TradeKind.SELL, "20.004")],
                     load_bundled("us"), Method.FIFO)  # fmt: skip
    form = FormRow(
        broker="Coinbase", wallet="coinbase", form_id="f", checkbox="G", asset="ETH",
        units=Decimal(1), acquired_on=None, sold_on=date(2026, 1, 9),
        proceeds=Decimal("20.004"), cost_basis=Decimal("9.996"), basis_reported=True,
        term="short", noncovered=False, withheld=Decimal(0), transaction_id="",
        source=SourceRef("f.csv", 2),
    )  # fmt: skip
    tied = reconcile(report, [form])
    (line,) = tied.lines
    assert (line.form_proceeds, line.form_basis) == (Decimal("20.00"), Decimal("10.00"))
    # Mark the carried figures so that a second rounding of the form would show.
    marked = replace(line, form_proceeds=Decimal("20.01"), form_basis=Decimal("9.99"))
    report = replace(report, disposals=tied.disposals, reconciliation=(marked,),
                     form_rows=(form,))  # fmt: skip
    shown = form_json(report)["reconciliation"][0]["form"]
    assert (shown["proceeds"], shown["cost_basis"]) == ("20.01", "9.99")
    (sheet,) = form_sheets(report, "2026")
    first = sheet._rows[1]  # columns I and K: 1f Proceeds and 1g Basis
    assert re.search(r'<c r="I2" s="\d+"><v>20\.01</v>', first), first
    assert re.search(r'<c r="K2" s="\d+"><v>9\.99</v>', first), first


def test_a_basis_finer_than_a_cent_in_a_wallet_with_forms_builds(runner, tmp_path) -> None:
    # The tied rows print whole cents; the account statement keeps the engine's exact gains
    # (it stopped the build with "does not balance ... -0.004", exit 1).
    trades = """\
timestamp,type,asset,quantity,quote_asset,quote_quantity,wallet,id
2026-01-02T15:00:00Z,buy,ETH,1,USD,1000.004,coinbase,a
2026-03-01T15:00:00Z,sell,ETH,1,USD,1500,coinbase,s1
"""
    forms = (
        "broker,checkbox,asset,units,date_sold,proceeds,cost_basis,basis_reported\n"
        "Coinbase,H,ETH,1,2026-03-01,1500.00,,no\n"
    )
    data = build(runner, tmp_path, trades, forms)
    assert data["disposals"][0]["box"] == "H"
    total = data["account"]["total"]
    assert (total["realized"], total["capital_in"], total["capital_out"]) == (
        "500.00",
        "1000.00",
        "1500.00",
    )
