"""Issue #11, outputs: no formula in a CSV, no stale or mixed report folder, no staging folder
left behind, no home-folder path, and each row's id and note in the accountant's trail."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import openpyxl
import pypdf
import pytest

from taxloss import outdir
from taxloss.cli import main
from taxloss.outdir import OWN_OUTPUTS, is_own, own_name
from taxloss.paths import display_path, display_paths
from taxloss.render.cells import safe_text

from ..conftest import SAMPLES

HEADER = "timestamp,type,asset,quantity,quote_asset,quote_quantity,wallet,id,note\n"
TWO_YEARS = (
    HEADER
    + "2024-01-10T15:00:00Z,buy,BTC,2,USD,40000,coinbase,cb-1,first buy\n"
    + "2025-02-10T15:00:00Z,sell,BTC,1,USD,30000,coinbase,cb-2,\n"
    + "2026-02-10T15:00:00Z,sell,BTC,1,USD,50000,coinbase,cb-3,last one\n"
)
ONE_YEAR = (
    HEADER
    + "2025-01-10T15:00:00Z,buy,ETH,1,USD,4000,coinbase,,\n"
    + ("2025-02-10T15:00:00Z,sell,ETH,1,USD,3000,coinbase,,\n")
)


def build(runner, tmp_path: Path, text: str, out: Path, *args: str):
    source = tmp_path / "t.csv"
    source.write_text(text, encoding="utf-8")
    return runner.invoke(main, ["build", str(source), "--out", str(out), "--jobs", "1", *args])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# -- formulas ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+wallet", "'+wallet"),
        ("-wallet", "'-wallet"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("coinbase", "coinbase"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_safe_text(text: str, written: str) -> None:
    assert safe_text(text) == written


def test_disposals_csv_has_no_formula_and_numbers_stay_numbers(runner, tmp_path) -> None:
    text = (
        HEADER
        + '2025-01-10T15:00:00Z,buy,BTC,1,USD,40000,"=HYPERLINK(""http://x"",""y"")",@SUM(A1),+1\n'
        + '2025-02-10T15:00:00Z,sell,BTC,1,USD,30000,"=HYPERLINK(""http://x"",""y"")",-id,=cmd\n'
    )
    out = tmp_path / "out"
    result = build(runner, tmp_path, text, out, "--outputs", "json,csv")
    assert result.exit_code == 0, result.output
    with (out / "disposals.csv").open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["wallet"] == '\'=HYPERLINK("http://x","y")'
    assert (row["sale_id"], row["sale_note"]) == ("'-id", "'=cmd")
    assert (row["lot_id"], row["lot_note"]) == ("'@SUM(A1)", "'+1")
    assert row["gain_loss"] == "-10000.00"  # a number, not text
    for line in (out / "disposals.csv").read_text(encoding="utf-8").splitlines()[1:]:
        for cell in next(csv.reader([line])):
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
    # report.json keeps the text as it was written.
    (disposal,) = json.loads((out / "report.json").read_text())["disposals"]
    assert disposal["wallet"] == '=HYPERLINK("http://x","y")'
    assert disposal["sale_note"] == "=cmd"


# -- id and note ---------------------------------------------------------------------------------


def test_id_and_note_are_in_json_csv_and_the_audit_sheet(runner, tmp_path) -> None:
    out = tmp_path / "out"
    result = build(runner, tmp_path, TWO_YEARS, out, "--outputs", "json,csv,xlsx")
    assert result.exit_code == 0, result.output
    disposals = json.loads((out / "report.json").read_text())["disposals"]
    trail = [(d["sale_id"], d["sale_note"], d["lot_id"], d["lot_note"]) for d in disposals]
    assert trail == [("cb-2", "", "cb-1", "first buy"), ("cb-3", "last one", "cb-1", "first buy")]
    with (out / "disposals.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["sale_id"], r["sale_note"], r["lot_id"], r["lot_note"]) for r in rows] == trail
    sheet = openpyxl.load_workbook(out / "form8949-2026.xlsx")["Audit"]
    heads = [c.value for c in sheet[1]]
    assert heads[-4:] == ["Sale id", "Sale note", "Lot id", "Lot note"]
    assert [c.value for c in sheet[2]][-4:] == ["cb-3", "last one", "cb-1", "first buy"]


# -- stale files ---------------------------------------------------------------------------------


def test_a_build_removes_an_earlier_builds_files_it_does_not_write(runner, tmp_path) -> None:
    out = tmp_path / "out"
    assert build(runner, tmp_path, TWO_YEARS, out).exit_code == 0
    assert {"form8949-2026.pdf", "summary-2026.pdf", "form8949-2026.xlsx"} <= set(os.listdir(out))
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "summary-2024.pdf").write_bytes(b"%PDF-1.4 the user's own file")  # not taxloss's
    result = build(runner, tmp_path, ONE_YEAR, out)
    assert result.exit_code == 0, result.output
    assert sorted(os.listdir(out)) == [
        "disposals.csv", "form8949-2025.pdf", "form8949-2025.xlsx", "notes.txt", "report.json",
        "summary-2024.pdf", "summary-2025.pdf",
    ]  # fmt: skip
    assert "Removed (written by an earlier build, not by this one):" in result.output
    for name in ("form8949-2026.pdf", "form8949-2026.xlsx", "summary-2026.pdf"):
        assert f"  {out / name}" in result.output


def test_own_outputs_cover_the_planned_tax_software_files() -> None:
    for name in ("turbotax-2025.csv", "turbotax-2025-2.csv", "form8949-2025.txf", "taxact-2025.csv",
                 "capital-gains-2024-25.xlsx", "summary-2024-25.pdf"):  # fmt: skip
        assert own_name(name), name
    for name in ("summary.pdf", "report.json.bak", "form8949-25.pdf", "my-disposals.csv",
                 "harvest-2025-12-01.pdf"):  # fmt: skip
        assert not own_name(name), name
    assert len(OWN_OUTPUTS) == len(set(OWN_OUTPUTS))


def test_only_files_made_by_taxloss_count_as_its_own(runner, tmp_path) -> None:
    out = tmp_path / "out"
    assert build(runner, tmp_path, ONE_YEAR, out).exit_code == 0
    for path in out.iterdir():
        assert is_own(path), path
    other = tmp_path / "other"
    other.mkdir()
    (other / "report.json").write_text('{"schema": "someone-else"}', encoding="utf-8")
    (other / "turbotax-2025.csv").write_text("x", encoding="utf-8")
    assert not is_own(other / "report.json")
    assert not is_own(other / "turbotax-2025.csv")  # no taxloss report.json beside it


# -- all or nothing ------------------------------------------------------------------------------


def test_a_blocked_name_fails_before_anything_is_replaced(runner, tmp_path) -> None:
    out = tmp_path / "out"
    assert build(runner, tmp_path, TWO_YEARS, out).exit_code == 0
    (out / "summary-2025.pdf").unlink()
    (out / "summary-2025.pdf").mkdir()
    before = snapshot(out)
    result = build(runner, tmp_path, ONE_YEAR, out)
    assert result.exit_code == 2
    assert result.stderr == (
        f"{out}: cannot write outputs: summary-2025.pdf is taken by a folder: move it away and "
        "build again (nothing was written)\n"
    )
    assert snapshot(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".taxloss-")]


def test_a_move_failing_half_way_is_undone(runner, tmp_path, monkeypatch) -> None:
    out = tmp_path / "out"
    assert build(runner, tmp_path, TWO_YEARS, out).exit_code == 0
    before = snapshot(out)
    real = os.replace
    calls = {"n": 0}

    def flaky(source: object, target: object) -> None:
        calls["n"] += 1
        if calls["n"] == 9:  # some old files are aside and some new ones in place
            raise OSError(28, "No space left on device")
        real(source, target)

    monkeypatch.setattr(outdir.os, "replace", flaky)
    result = build(runner, tmp_path, ONE_YEAR, out)
    assert calls["n"] > 9
    assert result.exit_code == 2
    assert result.stderr == (
        f"{out}: cannot write outputs: No space left on device (nothing was written)\n"
    )
    assert snapshot(out) == before
    assert sorted(os.listdir(out)) == sorted(before)


# -- killed builds -------------------------------------------------------------------------------


def test_staging_folders_of_killed_builds_are_removed(runner, tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    dead = 2**22 + 12345  # above any pid Linux hands out by default
    for name in (f".taxloss-{dead}-abc123", ".taxloss-x7k2_q9"):  # this one: an older taxloss
        (out / name).mkdir()
        (out / name / "report.json").write_text("{}", encoding="utf-8")
    alive = out / f".taxloss-{os.getppid()}-live"  # a build running now in another process
    alive.mkdir()
    result = build(runner, tmp_path, ONE_YEAR, out)
    assert result.exit_code == 0, result.output
    hidden = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    assert hidden == [alive.name]


# -- paths ---------------------------------------------------------------------------------------


def test_display_path(tmp_path) -> None:
    home = tmp_path / "home" / "alice"
    work = home / "tax"
    assert display_path(Path("x.csv"), cwd=work, home=home) == "x.csv"
    assert display_path(work / "in" / "x.csv", cwd=work, home=home) == "in/x.csv"
    assert display_path(home / "Downloads" / "x.csv", cwd=work, home=home) == "x.csv"
    assert display_path(Path("../Downloads/x.csv"), cwd=work, home=home) == "x.csv"
    # From a folder above home, the relative path would still name it.
    assert display_path(home / "x.csv", cwd=tmp_path, home=home) == "x.csv"
    assert display_path(tmp_path / "y.csv", cwd=tmp_path, home=home) == "y.csv"
    assert display_paths([work / "a" / "x.csv", home / "x.csv", tmp_path / "x.csv"], cwd=work) == [
        "a/x.csv", "x.csv", "x.csv (2)",
    ]  # fmt: skip


def test_outputs_name_inputs_without_their_folders(runner, tmp_path, monkeypatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    source = tmp_path / "private" / "alice" / "history.csv"
    source.parent.mkdir(parents=True)
    source.write_bytes((SAMPLES / "us-liquidated-trader.csv").read_bytes())
    out = work / "out"
    result = runner.invoke(main, ["build", str(source), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text())
    assert data["inputs"][0]["path"] == "history.csv"
    assert len(data["inputs"][0]["sha256"]) == 64
    for path in out.iterdir():
        if path.suffix == ".pdf":  # compressed: read its text
            text = "".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
        elif path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            text = repr([[c.value for c in row] for s in book.worksheets for row in s.iter_rows()])
        else:
            text = path.read_text(encoding="utf-8")
        if not path.name.startswith("form8949-") or path.suffix != ".pdf":  # the form: no paths
            assert "history.csv" in text, path.name
        assert "private" not in text and str(tmp_path) not in text, path.name


def test_a_kraken_pair_name_cannot_become_a_formula(runner, tmp_path) -> None:
    text = (
        "txid,ordertxid,pair,time,type,ordertype,price,cost,fee,vol,margin,misc,ledgers\n"
        "T1,O1,=HYPERLINK(1)/USD,2024-02-04 10:00:00,buy,limit,43000,4300,11.18,0.1,0,,L1\n"
        "T2,O2,=HYPERLINK(1)/USD,2024-02-05 10:00:00,sell,limit,43000,4300,11.18,0.1,0,,L2\n"
    )
    out = tmp_path / "out"
    assert build(runner, tmp_path, text, out, "--outputs", "csv").exit_code == 0
    with (out / "disposals.csv").open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["asset"] == "'=HYPERLINK(1)"
    assert row["description"] == "0.1 =HYPERLINK(1)"  # starts with a digit: no formula


def test_only_a_build_removes_stale_files(tmp_path) -> None:
    from taxloss.api import write_outputs

    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_text('{\n  "schema": "taxloss.report/1"\n}', encoding="utf-8")

    def render(path: Path) -> Path:
        path.write_text("x", encoding="utf-8")
        return path

    write_outputs([("harvest-2025-12-01.pdf", render)], out)  # another command's files
    assert sorted(os.listdir(out)) == ["harvest-2025-12-01.pdf", "report.json"]
    removed: list[Path] = []
    write_outputs([("disposals.csv", render)], out, removed=removed)  # a build's
    assert removed == [out / "report.json"]
    assert sorted(os.listdir(out)) == ["disposals.csv", "harvest-2025-12-01.pdf"]


def test_a_really_killed_build_leaves_nothing_after_the_next(runner, tmp_path) -> None:
    import signal
    import time

    from taxloss import api, plan

    source = tmp_path / "t.csv"
    source.write_text(ONE_YEAR, encoding="utf-8")
    out = tmp_path / "out"
    pid = os.fork()
    if pid == 0:  # the build to kill: it hangs while drawing the summary
        try:
            plan.render_pdf_summary = lambda *a, **k: time.sleep(60)  # type: ignore[assignment]
            api.build(api.BuildOptions(files=(source,), jobs=1), out)
        finally:
            os._exit(0)
    try:
        for _ in range(200):
            if out.exists() and any(p.name.startswith(".taxloss-") for p in out.iterdir()):
                break
            time.sleep(0.05)
        time.sleep(0.2)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    left = [p.name for p in out.iterdir()]  # only the killed build's staging folder
    assert len(left) == 1 and left[0].startswith(f".taxloss-{pid}-"), left
    result = build(runner, tmp_path, ONE_YEAR, out)
    assert result.exit_code == 0, result.output
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
