"""The taxloss generic CSV: the sample's golden trades, and every kind of bad input."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from ..conftest import SAMPLES
from .conftest import errors, trades_text

HEADER = "timestamp,type,asset,quantity,quote_asset,quote_quantity,fee_asset,fee_quantity"


def test_sample_golden(parse, golden) -> None:
    trades = parse(SAMPLES / "us-liquidated-trader.csv")
    golden("us-liquidated-trader.trades.txt", trades_text(trades))


def test_row_errors_are_reported_together_with_line_and_column(parse, write_csv) -> None:
    path = write_csv(
        "bad.csv",
        f"""
        {HEADER}
        2025-01-02T00:00:00Z,buy,BTC,1,USD,90000,,
        2025-01-03T00:00:00Z,swap,BTC,1,USD,90000,,
        2025-01-04T00:00:00Z,sell,BTC,1.2.3,USD,90000,,
        yesterday,sell,BTC,1,USD,90000,,
        2025-01-06T00:00:00Z,sell,BTC,-1,USD,90000,,
        2025-01-07T00:00:00Z,sell,BTC,1,,,,
        2025-01-08T00:00:00Z,buy,BTC,1,USD,"90,000",,
        2025-01-09T00:00:00Z,buy,BTC,1,USD,100,USD,
        """,
    )
    assert errors(parse, path) == [
        "bad.csv:3: type: unknown type 'swap': expected one of buy, sell, forced_sale, deposit, "
        "withdrawal, income, spend, fee, realized_pnl, liquidation, funding, insurance_fee, "
        "commission, margin_loan, margin_repay, interest",
        "bad.csv:4: quantity: expected a number like 1234.56, found '1.2.3'",
        "bad.csv:5: timestamp: expected an ISO 8601 date and time like 2025-03-01T14:05:00Z, "
        "found 'yesterday'",
        "bad.csv:6: quantity: expected a positive number (the direction comes from the type), "
        "found '-1'",
        "bad.csv:7: quote_asset: a sell needs the asset paid or received, e.g. USD",
        "bad.csv:7: quote_quantity: a sell needs the amount paid or received",
        "bad.csv:8: quote_quantity: expected a number like 1234.56 (no thousands separators), "
        "found '90,000'",
        "bad.csv:9: fee_quantity: fee_asset and fee_quantity go together: fill both or neither",
    ]


def test_naive_timestamp_needs_a_zone(parse, write_csv) -> None:
    path = write_csv(
        "naive.csv",
        f"""
        {HEADER}
        2025-01-02 10:00:00,buy,BTC,1,USD,90000,,
        """,
    )
    assert errors(parse, path) == [
        "naive.csv:2: timestamp: '2025-01-02 10:00:00' has no time zone: add Z or an offset like "
        "+00:00, or pass --timezone"
    ]
    trades = parse(path, timezone=ZoneInfo("America/New_York"))
    assert trades[0].timestamp.isoformat() == "2025-01-02T15:00:00+00:00"


def test_missing_required_column(parse, write_csv) -> None:
    path = write_csv(
        "missing.csv",
        """
        timestamp,type,asset,quote_asset
        2025-01-02T00:00:00Z,buy,BTC,USD
        """,
    )
    (line,) = errors(parse, path)
    assert line.startswith(
        "missing.csv:1: header: no supported export format recognised from the header row; "
        "supported: "
    )
    assert line.endswith(
        "; nearest: generic (taxloss generic CSV), which needs column(s) quantity, "
        "quote_quantity, fee_asset, fee_quantity, fiat_value, wallet, id, note, position, "
        "opened, side"
    )
    assert "coinbase" in line.split("supported: ")[1]


def test_unknown_column_is_an_error(parse, write_csv) -> None:
    path = write_csv(
        "typo.csv",
        """
        timestamp,type,asset,quantity,fee_qty
        2025-01-02T00:00:00Z,buy,BTC,1,0.1
        """,
    )
    assert errors(parse, path)[0].startswith("typo.csv:1: fee_qty: unknown column: expected only ")


def test_empty_file(parse, write_csv) -> None:
    path = write_csv("empty.csv", "\n")
    assert errors(parse, path) == ["empty.csv:1: the file is empty: expected a header row"]


def test_header_only(parse, write_csv) -> None:
    path = write_csv("header.csv", f"{HEADER}\n")
    assert errors(parse, path) == ["header.csv:1: no data rows below the header: expected trades"]


def test_semicolon_file_is_read_as_columns(parse, write_csv) -> None:
    # Issue #13: a ';'-separated file (European Excel) is read (with a notice, tested in
    # test_encodings.py); its rows' own problems are then reported at their lines.
    path = write_csv(
        "semi.csv",
        """
        timestamp;type;asset;quantity
        2025-01-02T00:00:00Z;buy;BTC;1
        """,
    )
    assert errors(parse, path) == [
        "semi.csv:2: quote_asset: a buy needs the asset paid or received, e.g. USD",
        "semi.csv:2: quote_quantity: a buy needs the amount paid or received",
    ]


def test_bom_is_accepted(parse, tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(("\ufeff" + HEADER + "\n2025-01-02T00:00:00Z,buy,BTC,1,USD,9,,\n").encode())
    assert len(parse(path)) == 1


def test_duplicate_header_names(parse, write_csv) -> None:
    path = write_csv(
        "dup.csv",
        """
        timestamp,type,asset,quantity,Quantity
        2025-01-02T00:00:00Z,buy,BTC,1,1
        """,
    )
    assert errors(parse, path) == [
        "dup.csv:1: Quantity: duplicate column name (also column 4): expected each column once"
    ]


def test_truncated_row(parse, write_csv) -> None:
    path = write_csv(
        "short.csv",
        f"""
        {HEADER}
        2025-01-02T00:00:00Z,buy,BTC,1,USD,9,,
        2025-01-03T00:00:00Z,buy,BTC
        """,
    )
    assert errors(parse, path) == [
        "short.csv:3: expected 8 cells as in the header (line 1), found 3: the row is truncated"
    ]


def test_not_utf8(parse, tmp_path: Path) -> None:
    # Bytes no spreadsheet encoding reads (Windows-1252 text is read: test_encodings.py).
    path = tmp_path / "binary.csv"
    junk = bytes(range(256)) * 4
    path.write_bytes((HEADER + "\n2025-01-02T00:00:00Z,buy,BTC,1,USD,9,,\n").encode() + junk)
    assert errors(parse, path) == ["binary.csv:4: not UTF-8 text: save the export as CSV UTF-8"]


def test_more_than_twenty_errors_are_summarised(parse, write_csv) -> None:
    rows = "\n".join(f"2025-01-02T00:00:00Z,buy,BTC,x{i},USD,9,," for i in range(25))
    path = write_csv("many.csv", f"{HEADER}\n{rows}\n")
    lines = errors(parse, path)
    assert len(lines) == 21
    assert lines[0] == "many.csv:2: quantity: expected a number like 1234.56, found 'x0'"
    assert lines[-1] == "... and 5 more problems like these"


def test_blank_lines_and_quoted_newlines_keep_editor_line_numbers(parse, write_csv) -> None:
    path = write_csv(
        "lines.csv",
        """
        timestamp,type,asset,quantity,quote_asset,quote_quantity,note

        2025-01-02T00:00:00Z,buy,BTC,1,USD,9,"two
        lines"

        2025-01-03T00:00:00Z,buy,BTC,1,USD,9,plain
        2025-01-04T00:00:00Z,buy,BTC,-1,USD,9,bad
        """,
    )
    assert errors(parse, path) == [
        "lines.csv:7: quantity: expected a positive number (the direction comes from the type), "
        "found '-1'"
    ]


def test_wallet_defaults_to_file_stem_and_types_are_case_insensitive(parse, write_csv) -> None:
    path = write_csv(
        "kraken.csv",
        """
        Timestamp, TYPE ,Asset,Quantity,Quote_Asset,Quote_Quantity
        2025-01-02T00:00:00Z,BUY,btc,1,usd,9
        """,
    )
    (trade,) = parse(path)
    assert (trade.wallet, trade.kind.value, trade.asset, trade.quote_asset) == (
        "kraken",
        "buy",
        "BTC",
        "USD",
    )


# The column-at-once reader (``_valid_trades``) must accept exactly the rows the cell-by-cell
# reader (``_trade``) accepts, with equal trades, and leave every message to ``_trade``.
_CELLS = {
    "timestamp": [
        "2025-01-02T03:04:05Z",
        " 2025-01-02T03:04:05+02:00",
        "2025-01-02 03:04:05",
        "2025-01-02",
        "Jan. 28, 2022, 12:13 AM",
        "2025-01-02 03:04:05 UTC",
        "",
        "nope",
        "2025-01-02T03:04:05.123456Z",
    ],
    "type": ["buy", "SELL", " income", "deposit", "funding", "interest", "margin_loan", "x", ""],
    "asset": ["btc", " ETH ", "", "BTCUSDT-PERP"],
    "quantity": ["1", "0", "-1", "1e-8", "+.5", "5.", "1,000", " 2 ", "", "1.2.3", "NaN", "١"],
    "quote_asset": ["", "usd", "USDT"],
    "quote_quantity": ["", "100", "-3", "0", "1e2", "x", "1_000"],
    "fee_asset": ["", "USD", "bnb"],
    "fee_quantity": ["", "0", "0.1", "-1", " 1 ", "E5"],
    "fiat_value": ["", "10", "-1", "00012"],
    "wallet": ["", "ledger", " spaced "],
    "id": ["", " a1 "],
    "side": ["", "long", "SHORT", "up"],
    "opened": ["", "2024-12-01T00:00:00Z", "bad"],
}


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if "," in text or '"' in text else text


def test_column_reader_agrees_with_the_cell_reader(tmp_path: Path) -> None:
    import hypothesis.strategies as st
    from hypothesis import HealthCheck, given, settings

    from taxloss.errors import InputError
    from taxloss.parsers import ParseOptions, generic, read_file

    names = list(_CELLS)
    # A valid row with up to three cells replaced by other values (valid or not): most
    # cases are accepted rows, the rest fail on one or a few cells.
    bases = [
        dict.fromkeys(names, "") | base
        for base in (
            {"timestamp": "2025-01-02T03:04:05Z", "type": "buy", "asset": "btc", "quantity": "1",
             "quote_asset": "usd", "quote_quantity": "100"},
            {"timestamp": "2025-01-02T03:04:05Z", "type": "deposit", "asset": "eth",
             "quantity": "2", "wallet": "ledger", "fee_asset": "ETH", "fee_quantity": "0.1"},
            {"timestamp": "2025-01-02T03:04:05Z", "type": "funding", "asset": "BTCUSDT-PERP",
             "quantity": "0", "quote_asset": "USDT", "quote_quantity": "-3", "side": "long",
             "opened": "2024-12-01T00:00:00Z"},
        )
    ]  # fmt: skip
    changes = st.dictionaries(st.sampled_from(names), st.integers(0, 99), max_size=3)
    row = st.builds(
        lambda base, change: tuple(
            _CELLS[name][change[name] % len(_CELLS[name])] if name in change else base[name]
            for name in names
        ),
        st.sampled_from(bases),
        changes,
    )

    def read(path: Path, fast: bool) -> tuple[list, str]:
        original = generic._valid_trades
        if not fast:
            generic._valid_trades = lambda rows, options: [None] * len(rows.table.lines)
        try:
            options = ParseOptions("w", ZoneInfo("Europe/Berlin"))
            return read_file(path, "h.csv", options, "generic").trades, ""
        except InputError as error:
            return [], str(error)
        finally:
            generic._valid_trades = original

    accepted = []

    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(row, min_size=1, max_size=4))
    def check(rows: list[tuple[str, ...]]) -> None:
        path = tmp_path / "h.csv"
        # Each row on its own (a file with any bad row has no trades), then all together.
        for chosen in [[r] for r in rows] + [rows]:
            lines = [",".join(names)] + [",".join(map(_csv_cell, r)) for r in chosen]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            fast = read(path, fast=True)
            assert fast == read(path, fast=False)
            accepted.append(bool(fast[0]))

    check()
    assert sum(accepted) > 20  # the cases include many valid rows, not only errors
