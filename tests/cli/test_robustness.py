"""Issue #11, crashes: each input that once ended in a traceback is an exit-2 ``path:line:``
message (nothing written), with its minimal input."""

from __future__ import annotations

import errno
import json
from datetime import date
from pathlib import Path

import pytest

from taxloss import api, limits, plan
from taxloss.api import BuildOptions
from taxloss.cli import main

HEADER = "timestamp,type,asset,quantity,quote_asset,quote_quantity,wallet\n"
BUY = "2025-01-10T15:00:00Z,buy,BTC,1,USD,40000,coinbase\n"


def run(runner, tmp_path: Path, body: str, *args: str, header: str = HEADER):
    source = tmp_path / "t.csv"
    source.write_text(header + body, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(source), "--out", str(out), "--jobs", "1", *args])
    return result, out


def fails(result, out: Path, *expected: str) -> list[str]:
    """Assert exit 2, nothing written, and the stderr lines equal ``expected``."""
    assert result.exit_code == 2, result.output
    assert not out.exists()
    lines = result.stderr.splitlines()
    assert lines == list(expected)
    return lines


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("1e26", "1.000e+26"),
        ("1e+308", "1.000e+308"),
        ("1e999", "1.000e+999"),
        ("123456789012345678901234567890", "1.235e+29"),
        ("1000000000000000000", "1000000000000000000"),
    ],
)
def test_huge_amounts_are_rejected_at_parse_time(runner, tmp_path, cell: str, shown: str) -> None:
    result, out = run(
        runner, tmp_path, BUY + f"2025-02-10T15:00:00Z,sell,BTC,1,USD,{cell},coinbase\n"
    )
    fails(
        result,
        out,
        f"t.csv:3: quote_quantity: {shown} is too large: expected an amount below 10^18 in "
        "size (check the column and its decimal point)",
    )


def test_an_amount_just_below_the_bound_builds(runner, tmp_path) -> None:
    result, out = run(
        runner,
        tmp_path,
        BUY + "2025-02-10T15:00:00Z,sell,BTC,1,USD,999999999999999999.99,coinbase\n",
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text())
    assert data["disposals"][0]["proceeds"] == "999999999999999999.99"


def test_a_product_beyond_the_bound_names_its_row(runner, tmp_path) -> None:
    # Each input is in bounds; 1e17 units at 1e17 USD each is not.
    prices = tmp_path / "prices.csv"
    prices.write_text("date,asset,price\n2025-01-10,DOGE,100000000000000000\n", encoding="utf-8")
    body = "2025-01-10T15:00:00Z,income,DOGE,100000000000000000,,,coinbase\n"
    result, out = run(runner, tmp_path, body, "--prices", str(prices))
    assert result.exit_code == 2, result.output
    assert not out.exists()
    assert result.stderr.splitlines() == [
        "t.csv:2: computed cost basis of the lot 1.000e+34: expected below 10^18 (check the "
        "quantity and price)",
        "t.csv:2: computed value 1.000e+34: expected below 10^18 (check the quantity and price)",
    ]


def test_an_unterminated_quote_names_the_line_it_opened(runner, tmp_path) -> None:
    result, out = run(runner, tmp_path, BUY + '2025-02-10T15:00:00Z,sell,BTC,1,USD,100,"coinbase\n')
    fails(
        result,
        out,
        't.csv:3: a quote (") opens a cell here and is never closed: expected a closing quote '
        "before the end of the cell (or no quote at all)",
    )


@pytest.mark.parametrize(
    "stamp",
    [
        "9999-12-31T23:59:59-01:00",
        "0001-01-01T00:00:00+01:00",
        "9999-06-01T00:00:00Z",
        "2007-12-31T23:59:59Z",
        "2101-01-01T00:00:00Z",
    ],
)
def test_dates_outside_2008_to_2100_are_rejected(runner, tmp_path, stamp: str) -> None:
    result, out = run(runner, tmp_path, BUY + f"{stamp},sell,BTC,1,USD,100,coinbase\n")
    assert result.exit_code == 2, result.output
    assert not out.exists()
    line = result.stderr.splitlines()[0]
    assert line.startswith("t.csv:3: timestamp: ")
    assert line.endswith(
        "is outside the dates taxloss accepts: expected a date from 2008-01-01 to 2100-12-31"
    )


def test_a_far_date_in_an_exchange_export_is_an_error(runner, tmp_path) -> None:
    # A funding row in 9999 once overflowed the holding period; Binance's futures export.
    header = "Date(UTC),type,Amount,Asset,Symbol,Transaction ID\n"
    body = "9999-12-31 23:59:59,FUNDING_FEE,-0.5,USDT,BTCUSDT,1846203310002\n"
    result, out = run(runner, tmp_path, body, header=header)
    assert result.exit_code == 2, result.output
    assert not out.exists()
    assert result.stderr.startswith("t.csv:2: ")
    assert "outside the dates taxloss accepts" in result.stderr


def test_future_and_pre_genesis_dates_are_warnings(tmp_path) -> None:
    source = tmp_path / "t.csv"
    source.write_text(
        HEADER
        + "2008-06-01T00:00:00Z,buy,BTC,1,USD,10,coinbase\n"
        + "2025-03-01T00:00:00Z,sell,BTC,1,USD,90,coinbase\n",
        encoding="utf-8",
    )
    options = BuildOptions(files=(source,), today=date(2025, 2, 1))
    report = api.build_report(options)
    found = [(n.code, str(n.source)) for n in report.warnings if n.code.startswith("date_")]
    assert found == [("date_before_asset", "t.csv:2"), ("date_in_future", "t.csv:3")]
    later = api.build_report(BuildOptions(files=(source,), today=date(2025, 3, 1)))
    assert [n.code for n in later.warnings if n.code == "date_in_future"] == []


def test_a_3000_character_wallet_is_rejected(runner, tmp_path) -> None:
    wallet = "W" * 3000
    result, out = run(runner, tmp_path, f"2025-01-10T15:00:00Z,buy,BTC,1,USD,40000,{wallet}\n")
    fails(
        result,
        out,
        "t.csv:2: wallet: 3000 characters ('WWWWWWWWWWWWWWWWWWWW'...): expected at most 100",
    )


@pytest.mark.parametrize("country", ["us", "uk"])
def test_summary_pdf_wraps_or_clips_very_long_names(
    runner, tmp_path, monkeypatch, country: str
) -> None:
    # Past the parse-time cap (raised here), the PDF tables still lay out: cells wrap and a
    # text longer than a cell can hold is clipped.
    monkeypatch.setattr(limits, "MAX_WALLET", 5000)
    monkeypatch.setattr(limits, "MAX_ASSET", 5000)
    wallet, asset = "W" * 3000, "A" * 3000
    body = (
        f"2025-01-10T15:00:00Z,buy,{asset},1,USD,40000,{wallet}\n"
        f"2025-02-10T15:00:00Z,sell,{asset},1,USD,30000,{wallet}\n"
    )
    result, out = run(runner, tmp_path, body, "--country", country)
    assert result.exit_code == 0, result.output
    pdfs = sorted(p.name for p in out.glob("*.pdf"))
    assert pdfs == (
        ["form8949-2025.pdf", "summary-2025.pdf"] if country == "us" else ["summary-2024-25.pdf"]
    )
    for name in pdfs:
        assert (out / name).stat().st_size > 0


@pytest.mark.parametrize(("cell", "char"), [("１", "U+FF11"), ("٣٤٥.٦", "U+0663")])
def test_non_ascii_digits_are_rejected(runner, tmp_path, cell: str, char: str) -> None:
    result, out = run(runner, tmp_path, f"2025-01-10T15:00:00Z,buy,BTC,{cell},USD,40000,coinbase\n")
    assert result.exit_code == 2, result.output
    assert not out.exists()
    line = result.stderr.splitlines()[0]
    assert line.startswith(
        f"t.csv:2: quantity: expected the digits 0-9, found {cell[0]!r} ({char})"
    )


def test_non_ascii_digits_in_a_timestamp_are_rejected(runner, tmp_path) -> None:
    result, out = run(runner, tmp_path, "２０２５-01-10T15:00:00Z,buy,BTC,1,USD,40000,coinbase\n")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("t.csv:2: timestamp: expected the digits 0-9, found '２'")
    assert not out.exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_disk_full_is_the_same_exit_2_message_with_either_jobs(
    runner, tmp_path, monkeypatch, jobs: str
) -> None:
    def full(*args: object, **kwargs: object) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    # The summary PDFs are the second process's first batch with --jobs 2.
    monkeypatch.setattr(plan, "render_pdf_summary", full)
    result, out = run(runner, tmp_path, BUY + "2025-02-10T15:00:00Z,sell,BTC,1,USD,100,coinbase\n",
                      "--jobs", jobs)  # fmt: skip
    assert result.exit_code == 2, result.output
    assert result.stderr == f"{out}: cannot write outputs: No space left on device\n"
    assert sorted(p.name for p in out.iterdir()) == []


def test_kraken_margin_fills_notice_names_its_line(runner, tmp_path, caplog) -> None:
    header = "txid,ordertxid,pair,time,type,ordertype,price,cost,fee,vol,margin,misc,ledgers\n"
    body = (
        "T1,O1,XXBTZUSD,2024-02-04 10:00:00,buy,limit,43000,4300,11.18,0.1,0,,L1\n"
        "T2,O2,XXBTZUSD,2024-02-05 10:00:00,buy,limit,43000,4300,11.18,0.1,860,,L2\n"
    )
    result, _ = run(runner, tmp_path, body, header=header)
    assert result.exit_code == 0, result.output
    assert any(
        m.startswith("t.csv:3: 1 margin fill(s) skipped (the first on this line)")
        for m in caplog.messages
    )


def test_a_huge_price_is_rejected_in_the_prices_file(runner, tmp_path) -> None:
    prices = tmp_path / "prices.csv"
    prices.write_text("date,asset,price\n2025-01-10,DOGE,1e999\n", encoding="utf-8")
    body = "2025-01-10T15:00:00Z,income,DOGE,5,,,coinbase\n"
    result, out = run(runner, tmp_path, body, "--prices", str(prices))
    fails(
        result,
        out,
        "prices.csv:2: price: 1.000e+999 is too large: expected an amount below 10^18 in size "
        "(check the column and its decimal point)",
    )


def test_a_message_quoting_a_huge_cell_is_cut(runner, tmp_path) -> None:
    result, out = run(runner, tmp_path, f"2025-01-10T15:00:00Z,buy,BTC,{'9x' * 20000},USD,1,a\n")
    assert result.exit_code == 2
    assert not out.exists()
    (line,) = result.stderr.splitlines()
    assert line.startswith("t.csv:2: quantity: expected a number like 1234.56, found '9x9x")
    assert line.endswith("... (36040 more characters)")
    assert len(line) < 4100


def test_date_warnings_are_one_per_file_with_a_count(tmp_path) -> None:
    source = tmp_path / "t.csv"
    source.write_text(
        HEADER
        + "2025-01-10T00:00:00Z,buy,BTC,1,USD,10,coinbase\n"
        + "2026-03-01T00:00:00Z,sell,BTC,0.5,USD,90,coinbase\n"
        + "2026-03-02T00:00:00Z,sell,BTC,0.5,USD,90,coinbase\n",
        encoding="utf-8",
    )
    report = api.build_report(BuildOptions(files=(source,), today=date(2025, 12, 31)))
    found = [(n.source and str(n.source), n.message) for n in report.warnings
             if n.code == "date_in_future"]  # fmt: skip
    assert found == [
        (
            "t.csv:3",
            "dated 2026-03-01, after today (2025-12-31) (2 rows so dated; the first here): check "
            "the date and its format (day and month swapped?)",
        )
    ]


def test_a_quantity_below_1e_30_is_rejected(runner, tmp_path) -> None:
    result, out = run(runner, tmp_path, "2025-01-10T15:00:00Z,buy,BTC,1e-31,USD,40000,coinbase\n")
    fails(
        result,
        out,
        "t.csv:2: quantity: 1.000e-31 is too small: expected 0 or an amount of at least 10^-30 "
        "in size (check the column and its exponent)",
    )


@pytest.mark.parametrize("country", ["uk", "ca", "au", "de"])
def test_a_cost_per_unit_of_10_to_the_47_still_prints(runner, tmp_path, country: str) -> None:
    # The smallest quantity and a large cost: the UK pool table and the CA workbook print a
    # cost per unit of 10^47, past the 28 digits Python rounds in by default.
    cost = "100000000000000000" if country in ("uk", "de") else "100000000000"
    body = (
        f"2024-05-10T15:00:00Z,buy,BTC,1e-30,GBP,{cost},coinbase\n"
        "2024-06-10T15:00:00Z,buy,ETH,1,GBP,100,coinbase\n"
        "2024-07-10T15:00:00Z,sell,ETH,1,GBP,200,coinbase\n"
    )
    result, _ = run(runner, tmp_path, body, "--country", country)
    assert result.exit_code == 0, result.output
