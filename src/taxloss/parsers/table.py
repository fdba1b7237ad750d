"""Read an export (CSV or XLSX) into a table of strings, with the file line of every row.

Everything is read as text (``dtype=str, keep_default_na=False``) so no number ever passes
through a float. The header row is found by content within the first lines (exports put
metadata above it), a UTF-8 BOM is dropped (also in front of cells), and every data row keeps
the 1-based line an editor shows, so errors can say ``path:line:``.
pandas is allowed here (this is the parsing layer); nothing here knows any exchange.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
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

    def header_source(self) -> SourceRef:
        """The ``SourceRef`` of the header row (for problems about columns or the whole file)."""
        return SourceRef(self.path, self.header_line)

    def column(self, name: str) -> list[str]:
        """All cells of a column (by normalized name) as a list of strings."""
        return self.frame[name].tolist()

    def __len__(self) -> int:
        return len(self.lines)


def normalize(cell: str) -> str:
    """Normalize a header cell: drop BOMs and quotes, trim, lower-case, single spaces."""
    text = cell.replace(BOM, "").strip().strip('"').strip()
    return " ".join(text.split()).lower()


def read_bytes(path: Path, display: str) -> bytes:
    """The file's bytes.

    Raises:
        InputError: if the file cannot be read.
    """
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(
            Problem(SourceRef(display, 1), f"cannot read file: {exc.strerror}")
        ) from None


def decode(data: bytes, display: str) -> str:
    """An export's bytes as text: UTF-8 (a BOM is accepted and dropped), ``\\n`` line ends.

    Raises:
        InputError: if the data is empty or not UTF-8 text.
    """
    if not data or data.isspace():  # as ``not data.strip()``, without copying the data
        raise InputError(Problem(SourceRef(display, 1), "the file is empty: expected a header row"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # The codec reports the position after a BOM it dropped.
        bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        line = data[: bom + exc.start].count(b"\n") + 1
        raise InputError(
            Problem(SourceRef(display, line), "not UTF-8 text: save the export as CSV UTF-8")
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_text(path: Path, display: str) -> str:
    """Read a text export as UTF-8 (a BOM is accepted and dropped).

    Raises:
        InputError: if the file cannot be read, is empty, or is not UTF-8 text.
    """
    return decode(read_bytes(path, display), display)


#: How much of a file ``read_head`` reads at first (grown until the head lines are in).
HEAD_BYTES = 1 << 16


def read_head(path: Path, display: str, lines: int = HEADER_SEARCH_LINES) -> str:
    """The first ``lines`` lines of a text export (all of a shorter file), without reading the
    rest: enough to find its header row.

    Raises:
        InputError: as ``read_text``, for the part read (a file whose head is blank is not
            called empty here: its header is then simply not found).
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(HEAD_BYTES)
            while len(data) % HEAD_BYTES == 0 and data:
                if _line_breaks(data) > lines:
                    break
                more = handle.read(len(data))
                if not more:
                    break
                data += more
            whole = not handle.read(1)
    except OSError as exc:
        raise InputError(
            Problem(SourceRef(display, 1), f"cannot read file: {exc.strerror}")
        ) from None
    if whole:
        return decode(data, display)
    # Cut after the last line end: never inside a UTF-8 sequence, and every line kept whole.
    cut = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
    head = data[:cut]
    return "" if not head or head.isspace() else decode(head, display)


def _line_breaks(data: bytes) -> int:
    """Line ends in ``data`` (``\\r\\n``, ``\\r`` or ``\\n``), as ``decode`` counts them."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def head_lines(text: str, count: int = HEADER_SEARCH_LINES) -> list[str]:
    """The first ``count`` lines of ``text`` (without copying the rest of a large text)."""
    out: list[str] = []
    start = 0
    while len(out) < count:
        end = text.find("\n", start)
        if end < 0:
            out.append(text[start:])
            break
        out.append(text[start:end])
        start = end + 1
    return out


def is_xlsx(source: Path | bytes) -> bool:
    """True if the file (or its bytes) is a ZIP container (XLSX), whatever its extension."""
    try:
        return zipfile.is_zipfile(io.BytesIO(source) if isinstance(source, bytes) else source)
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
        sheet_text: the file's text already read (or an XLSX sheet converted to CSV text), so
            the file is not read again.
        repeated_columns: the format really repeats a column name (OKX's older layout has two
            ``Unit`` columns): the second becomes ``unit 2`` instead of an error.

    Returns:
        The table, or None when no line among the first ``HEADER_SEARCH_LINES`` is accepted.

    Raises:
        InputError: duplicate header names, rows with more or fewer cells than the header.
    """
    text = sheet_text if sheet_text is not None else read_text(path, display)
    head = head_lines(text)
    for index, line in enumerate(head):
        if not line.strip():
            continue
        cells = next(csv.reader([line]), [])
        header = tuple(normalize(c) for c in cells)
        if accept(header):
            return _read_below(
                text, display, index, header, tuple(cells), head[:index], repeated_columns
            )
    return None


def header_candidates(
    path: Path, display: str, sheet_text: str | None = None
) -> list[tuple[int, tuple[str, ...], str]]:
    """The first non-empty lines as (line number, normalized header, raw line), for messages.

    Only the head of the file is read when no text is given.
    """
    return header_rows(sheet_text if sheet_text is not None else read_head(path, display))


def header_rows(text: str) -> list[tuple[int, tuple[str, ...], str]]:
    """``header_candidates`` of a text already read."""
    out = []
    for index, line in enumerate(head_lines(text)):
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
    width = len(header)
    # The body is scanned once for line numbers and row widths, then parsed once by pandas
    # (from UTF-8 bytes: a StringIO would hold four bytes a character). Without quotes every
    # line is one row, and the scan is a few array operations over the bytes.
    data = text.encode("utf-8")
    data_start = len(text[:body_start].encode("utf-8"))
    if text.find('"', body_start) < 0 and text.find("\0", body_start) < 0:
        lines, problems = _scan_plain(data, data_start, display, header_line, width)
    else:
        lines, problems = _scan_quoted(text[body_start:], display, header_line, width)
    if problems:
        raise InputError(problems)
    names = [h or f"column {i + 1}" for i, h in enumerate(header)]
    if any(line > 0 for line in lines):
        body = io.BytesIO(data)
        body.seek(data_start)
        try:
            frame = pd.read_csv(
                body,
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
        except pd.errors.ParserError as exc:
            raise InputError(_quote_problem(text, body_start, display, header_line, exc)) from None
        del body, data
    else:  # no rows, or only blank lines (which pandas cannot read without a cell)
        frame = pd.DataFrame({name: pd.Series([""] * len(lines), dtype=object) for name in names})
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


def _quote_problem(
    text: str, body_start: int, display: str, header_line: int, error: Exception
) -> Problem:
    """The row pandas could not read, as a ``path:line:`` problem (issue #11).

    In practice this is a quote that never closes (``...,USD,"100`` at the end of a file):
    the rest of the file would be one cell. The line where that quote opened is found by
    following the quotes from the header down (``""`` inside a quoted cell is a quote
    character and leaves the cell open).
    """
    opened = _unclosed_quote(text, body_start)
    if opened is not None:
        line = header_line + 1 + text.count("\n", body_start, opened)
        return Problem(
            SourceRef(display, line),
            'a quote (") opens a cell here and is never closed: expected a closing quote '
            "before the end of the cell (or no quote at all)",
        )
    return Problem(  # pragma: no cover - pandas reads everything csv.reader scanned
        SourceRef(display, header_line),
        f"the rows below the header cannot be read as CSV: {error}",
    )


def _unclosed_quote(text: str, start: int) -> int | None:
    """The offset of the quote that is still open at the end of ``text`` (from ``start``),
    or None when every quoted cell closes."""
    opened: int | None = None
    position = text.find('"', start)
    while position >= 0:
        opened = position if opened is None else None
        position = text.find('"', position + 1)
    return opened


def _width_problem(display: str, line: int, header_line: int, width: int, found: int) -> Problem:
    return Problem(
        SourceRef(display, line),
        f"expected {width} cells as in the header (line {header_line}), found "
        f"{found}: the row is {'truncated' if found < width else 'too long'}",
    )


def _fits(cells: list[str], width: int) -> bool:
    """A row of the header's width, or wider with nothing but spaces in the extra cells."""
    return len(cells) == width or (len(cells) > width and not any(c.strip() for c in cells[width:]))


def _scan_quoted(
    body: str, display: str, header_line: int, width: int
) -> tuple[list[int], list[Problem]]:
    """Line numbers (negative: a blank line) and width problems of the rows, read by ``csv``
    (a quoted cell may hold commas and line ends)."""
    lines: list[int] = []
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(body))
    previous = header_line
    for row in reader:
        first = previous + 1
        previous = header_line + reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            lines.append(-first)  # blank line: kept so positions align, skipped by parsers
            continue
        if len(row) != width and not _fits(row, width):
            problems.append(_width_problem(display, first, header_line, width, len(row)))
        lines.append(first)
    return lines, problems


def _scan_plain(
    data: bytes, start: int, display: str, header_line: int, width: int
) -> tuple[list[int], list[Problem]]:
    """``_scan_quoted`` for a body without quotes: each line is a row, its cells split at
    commas, so widths come from counting commas per line (a line end or comma byte is never
    part of a longer UTF-8 sequence)."""
    body = np.frombuffer(data, dtype=np.uint8)[start:]
    if not len(body):
        return [], []
    ends = np.flatnonzero(body == ord("\n"))
    if body[-1] != ord("\n"):
        ends = np.append(ends, len(body))
    starts = np.concatenate(([0], ends[:-1] + 1))
    commas = np.flatnonzero(body == ord(","))
    cells = np.searchsorted(commas, ends) - np.searchsorted(commas, starts) + 1
    numbers = np.arange(header_line + 1, header_line + 1 + len(ends), dtype=np.int64)
    blank = ends == starts
    # Lines that need a closer look: one cell (blank if only spaces) or not the header's width.
    problems: list[Problem] = []
    for index in np.flatnonzero(~blank & ((cells == 1) | (cells != width))).tolist():
        line = data[start + int(starts[index]) : start + int(ends[index])].decode("utf-8")
        row = line.split(",")
        if len(row) == 1 and not row[0].strip():
            blank[index] = True
        elif not _fits(row, width):
            problems.append(
                _width_problem(display, int(numbers[index]), header_line, width, len(row))
            )
    numbers[blank] *= -1  # blank line: kept so positions align, skipped by parsers
    return numbers.tolist(), problems


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
    except Exception as exc:  # a damaged sheet fails only when read (issue #11)
        raise InputError(
            Problem(SourceRef(display, 1), f"cannot read as XLSX: {type(exc).__name__}: {exc}")
        ) from None
    finally:
        workbook.close()
    return sheets


def _cell_text(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if hasattr(value, "isoformat"):  # a date or a time of day
        return str(value.isoformat())
    return str(value)
