"""Read an export (CSV or XLSX) into a table of strings, with the file line of every row.

Everything is read as text (``dtype=str, keep_default_na=False``) so no number ever passes
through a float. The header row is found by content within the first lines (exports put
metadata above it), a UTF-8 BOM is dropped (also in front of cells), and every data row keeps
the 1-based line an editor shows, so errors can say ``path:line:``.
pandas is allowed here (this is the parsing layer); nothing here knows any exchange.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from taxloss.errors import InputError, Problem
from taxloss.model import SourceRef

#: Exports put at most this many metadata lines above the header row.
HEADER_SEARCH_LINES = 15

BOM = "\ufeff"


@dataclass(frozen=True)
class Table:
    """One sheet of an export: a normalized header, string cells and the line of each row."""

    path: str
    header: tuple[str, ...]
    header_line: int
    frame: pd.DataFrame
    lines: list[int]
    preamble: tuple[str, ...] = ()
    sheet: str = ""
    raw_header: tuple[str, ...] = field(default=())

    def source(self, index: int) -> SourceRef:
        """The ``SourceRef`` of the data row at DataFrame position ``index``."""
        return SourceRef(self.path, self.lines[index])

    def column(self, name: str) -> list[str]:
        """All cells of a column (by normalized name) as a list of strings."""
        return self.frame[name].tolist()

    def __len__(self) -> int:
        return len(self.lines)


def normalize(cell: str) -> str:
    """Normalize a header cell: drop BOMs and quotes, trim, lower-case, single spaces."""
    text = cell.replace(BOM, "").strip().strip('"').strip()
    return " ".join(text.split()).lower()


def read_text(path: Path, display: str) -> str:
    """Read a text export as UTF-8 (a BOM is accepted and dropped).

    Raises:
        InputError: if the file cannot be read, is empty, or is not UTF-8 text.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            Problem(SourceRef(display, 1), f"cannot read file: {exc.strerror}")
        ) from None
    if not data.strip():
        raise InputError(Problem(SourceRef(display, 1), "the file is empty: expected a header row"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            Problem(SourceRef(display, line), "not UTF-8 text: save the export as CSV UTF-8")
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_xlsx(path: Path) -> bool:
    """True if the file is a ZIP container (XLSX), whatever its extension."""
    try:
        return zipfile.is_zipfile(path)
    except OSError:
        return False


def read_table(
    path: Path,
    display: str,
    accept: Callable[[tuple[str, ...]], bool],
    *,
    sheet_text: str | None = None,
    repeated_columns: bool = False,
) -> Table | None:
    """Find the header row accepted by ``accept`` and read the rows below it.

    Args:
        path: the file.
        display: the path as the user named it (used in every ``SourceRef``).
        accept: says whether a normalized header row is the one wanted.
        sheet_text: already-read text (XLSX converted to CSV text), if any.
        repeated_columns: the format really repeats a column name (OKX's older layout has two
            ``Unit`` columns): the second becomes ``unit 2`` instead of an error.

    Returns:
        The table, or None when no line among the first ``HEADER_SEARCH_LINES`` is accepted.

    Raises:
        InputError: duplicate header names, rows with more or fewer cells than the header.
    """
    text = sheet_text if sheet_text is not None else read_text(path, display)
    head_lines = text.split("\n", HEADER_SEARCH_LINES)[:HEADER_SEARCH_LINES]
    for index, line in enumerate(head_lines):
        if not line.strip():
            continue
        cells = next(csv.reader([line]), [])
        header = tuple(normalize(c) for c in cells)
        if accept(header):
            return _read_below(
                text, display, index, header, tuple(cells), head_lines[:index], repeated_columns
            )
    return None


def header_candidates(
    path: Path, display: str, sheet_text: str | None = None
) -> list[tuple[int, tuple[str, ...], str]]:
    """The first non-empty lines as (line number, normalized header, raw line), for messages."""
    text = sheet_text if sheet_text is not None else read_text(path, display)
    out = []
    for index, line in enumerate(text.split("\n", HEADER_SEARCH_LINES)[:HEADER_SEARCH_LINES]):
        if line.strip():
            cells = next(csv.reader([line]), [])
            out.append((index + 1, tuple(normalize(c) for c in cells), line))
    return out


def _read_below(
    text: str,
    display: str,
    header_index: int,
    header: tuple[str, ...],
    raw: tuple[str, ...],
    preamble: list[str],
    repeated_columns: bool = False,
) -> Table:
    header_line = header_index + 1
    seen: dict[str, int] = {}
    problems = []
    if repeated_columns:
        counts: dict[str, int] = {}
        renamed = []
        for name in header:
            counts[name] = counts.get(name, 0) + 1
            renamed.append(name if counts[name] == 1 else f"{name} {counts[name]}")
        header = tuple(renamed)
    for position, name in enumerate(header):
        if name in seen and name:
            problems.append(
                Problem(
                    SourceRef(display, header_line),
                    f"duplicate column name (also column {seen[name] + 1}): expected each "
                    "column once",
                    column=raw[position].strip() or name,
                )
            )
        seen.setdefault(name, position)
    if problems:
        raise InputError(problems)
    body_start = _offset_of_line(text, header_index + 1)
    body = text[body_start:]
    lines: list[int] = []
    reader = csv.reader(io.StringIO(body))
    width = len(header)
    previous = header_line
    for row in reader:
        first = previous + 1
        previous = header_line + reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            lines.append(-first)  # blank line: kept so positions align, skipped by parsers
            continue
        if len(row) != width and not (len(row) > width and not any(c.strip() for c in row[width:])):
            problems.append(
                Problem(
                    SourceRef(display, first),
                    f"expected {width} cells as in the header (line {header_line}), found "
                    f"{len(row)}: the row is {'truncated' if len(row) < width else 'too long'}",
                )
            )
        lines.append(first)
    if problems:
        raise InputError(problems)
    names = [h or f"column {i + 1}" for i, h in enumerate(header)]
    if lines:
        frame = pd.read_csv(
            io.StringIO(body),
            header=None,
            names=names,
            usecols=range(width),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            na_filter=False,
            engine="c",
            index_col=False,
        )
    else:
        frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in names})
    if len(frame) != len(lines):
        frame = frame.iloc[: len(lines)]
    return Table(
        display,
        tuple(names),
        header_line,
        frame.reset_index(drop=True),
        lines,
        tuple(preamble),
        raw_header=raw,
    )


def _offset_of_line(text: str, line_index: int) -> int:
    offset = 0
    for _ in range(line_index):
        found = text.find("\n", offset)
        if found < 0:
            return len(text)
        offset = found + 1
    return offset


def xlsx_to_text(path: Path, display: str) -> list[tuple[str, str]]:
    """Convert each worksheet of an XLSX file to CSV text (one (sheet name, text) per sheet).

    Numeric cells are stored in XLSX as binary doubles; they are written here with Python's
    shortest round-trip ``repr``, which reproduces the number as the file's XML wrote it.

    Raises:
        InputError: if the workbook cannot be opened.
    """
    import openpyxl  # local: only needed for XLSX inputs

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError(Problem(SourceRef(display, 1), f"cannot open as XLSX: {exc}")) from None
    sheets = []
    try:
        for sheet in workbook.worksheets:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            for row in sheet.iter_rows(values_only=True):
                writer.writerow(["" if v is None else _cell_text(v) for v in row])
            sheets.append((sheet.title, buffer.getvalue()))
    finally:
        workbook.close()
    return sheets


def _cell_text(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()  # type: ignore[call-arg]
    return str(value)
