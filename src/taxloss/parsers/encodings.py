"""How an export was saved: its text encoding, its column separator and its decimal mark.

Exports reach taxloss after a spreadsheet has saved them again (issue #13, item 4):

* Excel on Windows saves "CSV" in the Windows code page (cp1252: ``€`` is byte 0x80), and its
  "Unicode text" in UTF-16 (with tabs between columns);
* European Excel separates columns with ``;`` and writes ``1,5`` for one and a half.

``decode_export`` reads UTF-8 as before (silently: it is what the exchanges write) and any other
encoding with an assumption recorded. The encoding is identified by charset-normalizer, a
maintained detector that scores every candidate code page by how plausible the decoded text is,
instead of a hand-made list of byte patterns; the candidates are limited to what spreadsheets
save (UTF-16 and the Windows code pages), so a short file is not read as DOS or Mac text.
``resplit`` turns a ``;`` or tab separated text into comma separated text (cells and line
numbers kept) and, when the file writes decimal commas, writes its numbers with a point; both
are recorded. A number that reads two ways (``1.234`` in a file with decimal commas) is an
error naming its cell, never a guess.
Nothing here knows an exchange; pandas is not used.
"""

from __future__ import annotations

import codecs
import csv
import io
import re

from taxloss.errors import InputError, Problem
from taxloss.model import Notice, SourceRef
from taxloss.parsers.table import HEADER_SEARCH_LINES, decode, head_lines

#: Notice codes recorded while reading how a file was saved.
ENCODING_ASSUMED = "encoding_assumed"
DELIMITER_ASSUMED = "delimiter_assumed"
DECIMAL_COMMA_ASSUMED = "decimal_comma_assumed"
DATES_DAY_FIRST = "dates_day_first"
DATES_MONTH_FIRST = "dates_month_first"

#: What spreadsheets save text as (charset-normalizer's codec names): the candidates tried.
SPREADSHEET_ENCODINGS = (
    "utf_16",
    "utf_16_le",
    "utf_16_be",
    "cp1252",
    "cp1250",
    "cp1251",
    "cp1253",
    "cp1254",
    "cp1257",
)

#: Readable names for the notice.
ENCODING_NAMES = {
    "utf_16": "UTF-16",
    "utf_16_le": "UTF-16 (little-endian, no byte-order mark)",
    "utf_16_be": "UTF-16 (big-endian, no byte-order mark)",
    "cp1252": "Windows-1252 (Western European: Excel on Windows)",
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "cp1253": "Windows-1253 (Greek)",
    "cp1254": "Windows-1254 (Turkish)",
    "cp1257": "Windows-1257 (Baltic)",
}

#: Separators tried when no parser claims the comma-separated header, with their names.
DELIMITERS = {";": "semicolons", "\t": "tabs"}


def decode_export(data: bytes, display: str) -> tuple[str, list[Notice]]:
    """An export's bytes as text, and the encoding assumed when it is not UTF-8.

    Args:
        data: the file's bytes.
        display: the path as the user named it.

    Returns:
        The text (``\\n`` line ends, no byte-order mark) and the notices (none for UTF-8).

    Raises:
        InputError: an empty file, or bytes that no spreadsheet encoding reads.
    """
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    # UTF-16 text without a byte-order mark has a zero byte in most pairs; a stray zero in
    # UTF-8 text is left to the table reader.
    sample = data[:4096]
    if not utf16 and (not sample or sample.count(b"\0") * 4 < len(sample)):
        try:
            return decode(data, display), []
        except InputError as exc:
            if not data or data.isspace():
                raise
            refusal = exc
    else:
        line = 1 if utf16 else data[: data.index(b"\0")].count(b"\n") + 1
        refusal = InputError(
            Problem(SourceRef(display, line), "not UTF-8 text: save the export as CSV UTF-8")
        )
    if utf16:
        encoding = "utf_16"
    else:
        encoding = _detected(data)
        if encoding is None:
            raise refusal
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:  # pragma: no cover - the detector decoded it
        raise refusal from None
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    how = "its byte-order mark" if utf16 else "detected by charset-normalizer"
    line = _first_non_ascii_line(text) if not encoding.startswith("utf_16") else 1
    notice = Notice(
        ENCODING_ASSUMED,
        f"the file is not UTF-8: read as {ENCODING_NAMES[encoding]} ({how}); check names "
        "with accents and currency signs, and save the export as 'CSV UTF-8' to avoid this",
        SourceRef(display, line),
    )
    return text, [notice]


def _detected(data: bytes) -> str | None:
    """The spreadsheet encoding charset-normalizer finds most plausible, or None.

    A Western file decodes to the same text in several code pages (cp1250 and cp1252 share
    ``€``, ``ä``, ``ß``...); it is then called cp1252, the code page Excel uses in the West.
    """
    from charset_normalizer import from_bytes  # local: only for files that are not UTF-8

    best = from_bytes(data, cp_isolation=list(SPREADSHEET_ENCODINGS)).best()
    if best is None or best.encoding not in ENCODING_NAMES:
        return None
    encoding: str = best.encoding
    if encoding != "cp1252" and not encoding.startswith("utf_16"):
        try:
            if data.decode("cp1252") == data.decode(encoding):
                return "cp1252"
        except UnicodeDecodeError:
            pass
    return encoding


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _first_non_ascii_line(text: str) -> int:
    """The line of the first character the encoding decided (1 when there is none)."""
    found = _NON_ASCII.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


# -- separators and decimal commas --------------------------------------------------------------

_UNIT = r"[A-Za-z€$£¥]{1,10}"
#: A number with a decimal comma: ``1,5``, ``-0,00012``, ``1.234,56``, ``1 234,56``,
#: ``2,75E-05`` (Excel's scientific form), with an optional currency sign before or a unit
#: after (``12,50 €``, ``0,5BTC``).
_COMMA_NUMBER = re.compile(
    rf"^(?P<pre>(?:[-+]?[€$£¥]\s?)?)(?P<sign>[-+]?)"
    r"(?P<whole>\d{1,3}(?:(?P<group>[.\s\u00a0\u202f'])\d{3})(?:(?P=group)\d{3})*|\d+)"
    rf",(?P<fraction>\d+)(?P<exponent>(?:[eE][-+]?\d+)?)(?P<post>(?:\s?{_UNIT})?)$"
)
#: A number grouped with points and no comma (``1.234``, ``12.345.678``): in a file with
#: decimal commas it reads as a thousands-grouped whole number or as a decimal.
_POINT_GROUPED = re.compile(rf"^[-+]?\d{{1,3}}\.\d{{3}}(?:\s?{_UNIT})?$")
#: A plain number with a decimal point (``0.5``, ``-12.75``); one that is also
#: ``_POINT_GROUPED`` (``1.234``) is not counted as a decimal point.
_POINT_DECIMAL = re.compile(r"^[-+]?\d+\.\d+$")
#: A number with one comma and three digits after it (``1,234``): a thousands group in a
#: file of decimal points, or a decimal comma.
_COMMA_GROUPED = re.compile(rf"^[-+]?\d{{1,3}},\d{{3}}(?:\s?{_UNIT})?$")
#: Two or more point groups (``1.000.000``) can only be thousands separators.
_POINT_THOUSANDS = re.compile(rf"^[-+]?\d{{1,3}}(?:\.\d{{3}}){{2,}}(?:\s?{_UNIT})?$")


def _comma_to_point(cell: str) -> str | None:
    """``cell`` with its decimal comma as a point and group separators dropped, or None when it
    is not a number with a decimal comma."""
    if _POINT_THOUSANDS.match(cell.strip()):
        return cell.strip().replace(".", "")
    match = _COMMA_NUMBER.match(cell.strip())
    if match is None:
        return None
    whole = match["whole"]
    if match["group"]:
        whole = whole.replace(match["group"], "")
    number = f"{match['sign']}{whole}.{match['fraction']}{match['exponent']}"
    return f"{match['pre']}{number}{match['post']}"


def _name(header: list[str], position: int) -> str:
    """The header cell above ``position`` as written, else ``column N``."""
    if position < len(header) and header[position].strip():
        return header[position].replace("\ufeff", "").strip()
    return f"column {position + 1}"


def _numbered_rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Each CSV row with the file line it starts on (a quoted cell may span lines)."""
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    line = 1
    for row in reader:
        rows.append((line, row))
        line = reader.line_num + 1
    return rows


def _comma_text(rows: list[tuple[int, list[str]]]) -> str:
    """The rows written back as comma-separated text, one ``\\n`` per row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for _, row in rows:
        writer.writerow(row)
    return out.getvalue()


def resplit(
    text: str, delimiter: str, display: str, header_line: int, *, numbers: bool = True
) -> tuple[str, list[Notice]]:
    """A ``delimiter``-separated text as comma-separated text, and what was assumed.

    Cells and line numbers are kept (a quoted cell may still span lines). Below the header,
    when any cell is a number with a decimal comma, every such cell is rewritten with a point.

    Args:
        text: the whole file as text.
        delimiter: ``;`` or a tab.
        display: the path as the user named it.
        header_line: the 1-based line of the header row (numbers are read below it).
        numbers: look for decimal commas (False: only split the cells, e.g. to find the
            header).

    Returns:
        The comma-separated text and the notices (separator; decimal commas if any).

    Raises:
        InputError: number cells that read two ways (``1.234`` with decimal commas elsewhere).
    """
    rows = _numbered_rows(text, delimiter)
    names = next((row for number, row in rows if number == header_line), [])
    comma_cells = [
        (number, position)
        for number, row in rows
        if numbers and number > header_line
        for position, cell in enumerate(row)
        if "," in cell and _comma_to_point(cell) is not None
    ]
    notices = [
        Notice(
            DELIMITER_ASSUMED,
            f"the file separates its columns with {DELIMITERS.get(delimiter, repr(delimiter))}, "
            "not commas (as a spreadsheet saves CSV in some languages): read as columns",
            SourceRef(display, header_line),
        )
    ]
    if comma_cells:
        rows_by_line = dict(rows)
        problems = [
            Problem(
                SourceRef(display, number),
                f"{cell!r} reads as a thousands-grouped whole number or as a decimal, and the "
                "file writes decimal commas elsewhere: save the export again without thousands "
                "separators (or as 'CSV UTF-8' from an English-language spreadsheet)",
                column=_name(names, position),
            )
            for number, row in rows
            if number > header_line
            for position, cell in enumerate(row)
            if _POINT_GROUPED.match(cell.strip())
        ]
        if problems:
            raise InputError(problems)
        point = next(
            (
                (number, cell.strip())
                for number, row in rows
                if number > header_line
                for cell in row
                if _POINT_DECIMAL.match(cell.strip()) and not _POINT_GROUPED.match(cell.strip())
            ),
            None,
        )
        grouped = [
            (number, position)
            for number, position in comma_cells
            if _COMMA_GROUPED.match(rows_by_line[number][position].strip())
        ]
        if point is not None and grouped:
            # ``1,234`` beside ``0.5``: a thousands group in a file of decimal points, or a
            # decimal comma; the file does not tell.
            raise InputError(
                [
                    Problem(
                        SourceRef(display, number),
                        f"{rows_by_line[number][position]!r} reads as a thousands-grouped "
                        "whole number or as a decimal, and the file writes decimal points "
                        f"elsewhere (line {point[0]}: {point[1]!r}): save the export again "
                        "without thousands separators (or as 'CSV UTF-8' from an "
                        "English-language spreadsheet)",
                        column=_name(names, position),
                    )
                    for number, position in grouped
                ]
            )
        first = comma_cells[0][0]
        notices.append(
            Notice(
                DECIMAL_COMMA_ASSUMED,
                "the file writes numbers with a decimal comma (1,5 = one and a half): "
                f"{len(comma_cells)} cell(s) read that way, the first on line {first}",
                SourceRef(display, first),
            )
        )
        # With decimal commas, ``1.000.000`` is a million (two point groups are thousands).
        converting = set(comma_cells) | {
            (number, position)
            for number, row in rows
            if number > header_line
            for position, cell in enumerate(row)
            if _POINT_THOUSANDS.match(cell.strip())
        }
        rows = [
            (
                number,
                [
                    (_comma_to_point(cell) or cell) if (number, position) in converting else cell
                    for position, cell in enumerate(row)
                ],
            )
            for number, row in rows
        ]
    if numbers:
        european = delimiter == ";" or bool(comma_cells)
        rows = _day_first_dates(rows, header_line, names, display, european, notices)
    return _comma_text(rows), notices


#: A date written day first by a spreadsheet's regional settings: ``12.07.2024``,
#: ``12/07/2024 10:05``, ``12-07-2024 10:05:09`` (with an optional time).
#: A UTC suffix (``10:05 UTC``, ``10:05:09Z``) is kept with the time it follows.
_LOCAL_DATE_BODY = (
    r"(?P<first>\d{1,2})(?P<sep>[./-])(?P<second>\d{1,2})(?P=sep)(?P<year>\d{4})"
    r"(?P<time>[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?(?:UTC|GMT|Z))?)?"
)
_LOCAL_DATE = re.compile(rf"^{_LOCAL_DATE_BODY}$")


def _day_first_dates(
    rows: list[tuple[int, list[str]]],
    header_line: int,
    names: list[str],
    display: str,
    european: bool,
    notices: list[Notice],
) -> list[tuple[int, list[str]]]:
    """Rewrite dates a spreadsheet wrote in its regional form (``12.07.2024 10:05``,
    ``3/4/2024``) as ISO (``2024-07-12 10:05``), so their order is decided once, in view.

    Dotted dates are day first wherever they are written. For slashes and hyphens the file
    decides: a date whose first number is above 12 means day first, one whose second number
    is above 12 means month first. When no date tells, the order is assumed from the file:
    day first in a European file (``;``-separated or decimal commas), else month first (US),
    and the notice says it was assumed.

    Raises:
        InputError: dates written both ways in one file.
    """
    found = [
        (number, position, match)
        for number, row in rows
        if number > header_line
        for position, cell in enumerate(row)
        if (match := _LOCAL_DATE.match(cell.strip())) is not None
    ]
    if not found:
        return rows
    other = [item for item in found if item[2]["sep"] != "."]
    day_first = any(int(m["first"]) > 12 for _, _, m in other)
    month_first = any(int(m["second"]) > 12 for _, _, m in other)
    if day_first and month_first:
        number, position, match = other[0]
        raise InputError(
            Problem(
                SourceRef(display, number),
                f"dates are written both day first and month first (e.g. {match.group(0)!r}): "
                "save the export again with dates as YYYY-MM-DD",
                column=_name(names, position),
            )
        )
    if day_first:
        how = "a date of the file has a first number above 12"
    elif month_first:
        how = "a date of the file has a second number above 12"
    elif other:
        day_first = european
        how = (
            "assumed: no date of the file tells, and it is a European file"
            if european
            else "assumed (US order): no date of the file tells; if it was saved with day-first "
            "dates, save it again with dates as YYYY-MM-DD"
        )
    else:
        how = "dotted dates are day first"
    converted = 0
    first: tuple[int, str] | None = None
    out = []
    for number, row in rows:
        if number <= header_line:
            out.append((number, row))
            continue
        cells = list(row)
        for position, cell in enumerate(cells):
            match = _LOCAL_DATE.match(cell.strip())
            if match is None:
                continue
            day_then = day_first or match["sep"] == "."
            day, month = (
                (match["first"], match["second"]) if day_then else (match["second"], match["first"])
            )
            time = match["time"] or ""
            time = " " + time[1:] if time.startswith("T") else time
            cells[position] = f"{match['year']}-{int(month):02d}-{int(day):02d}{time}"
            converted += 1
            if first is None:
                first = (
                    number,
                    f"{match.group(0)!r} = {match['year']}-{int(month):02d}-{int(day):02d}",
                )
        out.append((number, cells))
    assert first is not None
    notices.append(
        Notice(
            DATES_DAY_FIRST if day_first or not other else DATES_MONTH_FIRST,
            f"dates in a spreadsheet's regional form read as "
            f"{'day' if day_first or not other else 'month'} first ({first[1]}; {how}): "
            f"{converted} cell(s)",
            SourceRef(display, first[0]),
        )
    )
    return out


#: A cell anywhere in a text that ``_LOCAL_DATE`` accepts (the same forms, so a file whose
#: dates carry fractions of a second or a zone is rewritten too).
_LOCAL_DATE_ANYWHERE = re.compile(
    rf"(?:^|[,;\t\"])\s*{_LOCAL_DATE_BODY}\s*(?:$|[,;\t\"])",
    re.MULTILINE,
)


def local_dates(text: str, display: str, header_line: int) -> tuple[str, list[Notice]]:
    """A comma-separated text with its regional dates rewritten as ISO (``_day_first_dates``,
    US order when the file does not tell), and the notice; the text as it is when the first
    lines below the header hold no such date (the whole file is only read then).

    Raises:
        InputError: dates written both ways.
    """
    head = "\n".join(head_lines(text, header_line + HEADER_SEARCH_LINES)[header_line:])
    if not _LOCAL_DATE_ANYWHERE.search(head):
        return text, []
    rows = _numbered_rows(text, ",")
    names = next((row for number, row in rows if number == header_line), [])
    notices: list[Notice] = []
    rows = _day_first_dates(rows, header_line, names, display, False, notices)
    return _comma_text(rows), notices


__all__ = [
    "DATES_DAY_FIRST",
    "DATES_MONTH_FIRST",
    "DECIMAL_COMMA_ASSUMED",
    "DELIMITERS",
    "DELIMITER_ASSUMED",
    "ENCODING_ASSUMED",
    "decode_export",
    "local_dates",
    "resplit",
]
