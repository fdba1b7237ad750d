"""The table reader: the file is read once, detection reads only the head, and the fast scan of
an unquoted body finds the same rows, blank lines and width problems as the ``csv`` scan."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from taxloss.errors import InputError
from taxloss.parsers import ParseOptions, detect_file, read_file
from taxloss.parsers.table import (
    HEAD_BYTES,
    _scan_plain,
    _scan_quoted,
    head_lines,
    read_head,
    read_table,
    read_text,
)

from ..conftest import SAMPLES
from .conftest import errors, write

HEADER = "timestamp,type,asset,quantity"
ROW = "2025-01-02T00:00:00Z,deposit,BTC,1"


def scans(body: str, width: int) -> tuple[tuple, tuple]:
    plain = _scan_plain(body.encode("utf-8"), 0, "t.csv", 1, width)
    quoted = _scan_quoted(body, "t.csv", 1, width)
    return (
        (plain[0], [p.format() for p in plain[1]]),
        (quoted[0], [p.format() for p in quoted[1]]),
    )


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_plain_scan_agrees_with_the_csv_scan(width: int) -> None:
    rng = random.Random(width)
    pieces = ["", "a", " ", "é", "x y", "\x0c", "1.5", "  ", "€"]
    for _ in range(300):
        lines = [
            ",".join(rng.choice(pieces) for _ in range(rng.choice([1, 1, width, width + 1, 5])))
            for _ in range(rng.randint(0, 6))
        ]
        body = "\n".join(lines) + rng.choice(["", "\n"])
        plain, quoted = scans(body, width)
        assert plain == quoted, repr(body)


def test_scan_numbers_lines_and_names_bad_widths() -> None:
    plain, quoted = scans("1,2,3\n\n  \n1,2\n1,2,3, ,\n1,2,3,4\n", 3)
    assert plain == quoted
    assert plain == (
        [2, -3, -4, 5, 6, 7],
        [
            "t.csv:5: expected 3 cells as in the header (line 1), found 2: the row is truncated",
            "t.csv:7: expected 3 cells as in the header (line 1), found 4: the row is too long",
        ],
    )


def test_head_lines_does_not_need_the_rest() -> None:
    assert head_lines("a\nb\n", 15) == ["a", "b", ""]
    assert head_lines("a\nb\nc\nd", 2) == ["a", "b"]
    assert head_lines("", 3) == [""]


def test_read_head_stops_after_the_head(tmp_path: Path) -> None:
    # A large file whose tail is not UTF-8: detection reads (and decodes) only the head.
    body = (ROW + "\r\n") * (3 * HEAD_BYTES // len(ROW))
    path = tmp_path / "big.csv"
    path.write_bytes(("\ufeff" + HEADER + "\r\n" + body).encode() + b"\xe9\n")
    head = read_head(path, "big.csv")
    assert len(head) < 2 * HEAD_BYTES
    assert head_lines(head) == [HEADER] + [ROW] * 14
    assert detect_file(path, "big.csv").name == "generic"
    with pytest.raises(InputError) as info:
        read_text(path, "big.csv")
    line = body.count("\n") + 2  # the bad byte starts the line after the last row
    assert str(info.value) == f"big.csv:{line}: not UTF-8 text: save the export as CSV UTF-8"


@pytest.mark.parametrize(
    "data", [b"", b" \n", HEADER.encode() + b"\r\n" + ROW.encode(), b"a\rb\rc", "é\n".encode()]
)
def test_read_head_of_a_short_file_is_its_text(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "short.csv"
    path.write_bytes(data)
    try:
        text = read_text(path, "short.csv")
    except InputError as exc:
        with pytest.raises(InputError) as info:
            read_head(path, "short.csv")
        assert str(info.value) == str(exc)
    else:
        assert read_head(path, "short.csv") == text


def test_read_head_of_blank_lines_then_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_bytes(b"\n" * (HEAD_BYTES + 10) + HEADER.encode() + b"\n")
    assert read_head(path, "blank.csv") == ""
    # Not called empty: the header is not among the first lines.
    assert errors(lambda p: read_file(p, "blank.csv", ParseOptions("w")), path) == [
        "blank.csv:1: the file is empty: expected a header row"
    ]


def test_read_file_reads_the_file_once(tmp_path: Path, monkeypatch) -> None:
    path = write(tmp_path, "once.csv", f"{HEADER}\n{ROW}\n")
    opened: list[str] = []
    open_ = Path.open

    def counted_open(self: Path, *args, **kwargs):
        opened.append(self.name)
        return open_(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counted_open)  # Path.read_bytes opens through it
    parsed = read_file(path, "once.csv", ParseOptions("w"))
    assert opened == ["once.csv"]
    assert parsed.info.rows == 1


def test_header_and_blank_lines_only(tmp_path: Path) -> None:
    path = write(tmp_path, "blank.csv", f"{HEADER}\n\n  \n")
    table = read_table(path, "blank.csv", lambda header: True)
    assert table is not None and table.lines == [-2, -3] and len(table.frame) == 2
    assert errors(lambda p: read_file(p, "blank.csv", ParseOptions("w")), path) == [
        "blank.csv:1: no data rows below the header: expected trades"
    ]


def test_quoted_body_keeps_editor_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", f'{HEADER},note\n{ROW},"two\nlines"\n\n{ROW},"a,b"\n')
    table = read_table(path, "q.csv", lambda header: True)
    assert table is not None
    assert table.lines == [2, -4, 5]
    assert table.column("note") == ["two\nlines", "", "a,b"]


def test_xlsx_sample_is_read_with_its_sha256(tmp_path: Path) -> None:
    import hashlib

    sample = SAMPLES / "binance-statement.xlsx"
    parsed = read_file(sample, sample.name, ParseOptions("binance"))
    assert parsed.info.sha256 == hashlib.sha256(sample.read_bytes()).hexdigest()
    assert parsed.info.format == "binance-statement"
