"""A small streaming XLSX (SpreadsheetML) writer for large, simple, deterministic workbooks.

Why not openpyxl for writing: our worksheets are plain tables with a handful of styles, and
openpyxl spends 17-33 microseconds per cell (even in write-only mode), so a 100,000-row history
took over a minute. Writing the XML directly costs about 2 microseconds per cell. openpyxl is
still how the tests read every workbook back, and how taxloss reads XLSX exports.

The output is deterministic by construction: fixed document dates and ZIP entry times, sheets
and styles in a fixed order, inline strings (no shared-string table whose order could vary).
Text is always written as text, so a cell starting with ``= + - @`` can never become a formula.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

#: Fixed ZIP entry time (the earliest ZIP allows): reruns are byte-identical.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
EXCEL_EPOCH = date(1899, 12, 30)
ACCOUNTING = '_($* #,##0.00_);_($* (#,##0.00);_($* "-"??_);_(@_)'
DATE_FORMAT = "mm/dd/yyyy"

# Style ids (cellXfs order in STYLES_XML).
PLAIN, BOLD, HEAD, MONEY, MONEY_BOLD, DATE, WRAP = range(7)
# Currency-neutral amounts and ISO dates, for reports in other currencies (issue #5).
AMOUNT, AMOUNT_BOLD, ISO_DATE = range(7, 10)
AMOUNT_FORMAT = "#,##0.00;(#,##0.00)"
ISO_DATE_FORMAT = "yyyy-mm-dd"

#: Rows a sheet holds as text before it spools them to its temporary file (``Sheet._spill``).
SPOOL_ROWS = 2000


_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_LETTERS = [column_letter(i) for i in range(1, 61)]


def cell_text(value: str) -> str:
    """A text as a cell's XML holds it: without the characters XML forbids, and with
    ``& < > "`` escaped."""
    if not value.isprintable():
        value = _ILLEGAL.sub("", value)
    if "&" in value or "<" in value or ">" in value or '"' in value:
        return value.translate(_ESCAPES)
    return value


def all_plain(texts: Iterable[str]) -> bool:
    """Whether ``cell_text`` leaves every one of ``texts`` as it is: then a bulk table can
    write a whole column of them without a call per cell (``Sheet.extend``). One check of
    the texts joined, which has the same characters."""
    joined = "".join(texts)
    return joined.isprintable() and not (
        "&" in joined or "<" in joined or ">" in joined or '"' in joined
    )


def excel_serial(day: date) -> int:
    """A date as the day number a cell of a date style holds."""
    return (day - EXCEL_EPOCH).days


class RowTemplate:
    """A row layout for ``Sheet.extend``: per column ``(kind, style)`` where kind is
    ``"s"`` (text), ``"t"`` (text taxloss formatted itself, e.g. a number, date or fixed
    label, which never needs escaping), ``"n"`` (a number) or ``"d"`` (a date). Cells carry
    no ``r`` attribute: SpreadsheetML places them in order."""

    def __init__(self, columns: Sequence[tuple[str, int]]) -> None:
        self.kinds = tuple(kind for kind, _ in columns)
        cells = []
        for kind, style in columns:
            if kind in ("s", "t"):
                cells.append(
                    f'<c s="{style}" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>'
                )
            elif kind == "d":
                cells.append(f'<c s="{DATE if style == PLAIN else style}"><v>%s</v></c>')
            else:
                cells.append(f'<c s="{style}"><v>%s</v></c>')
        #: The %-format string of a whole row (its first field is the row number).
        self.text = '<row r="%s">' + "".join(cells) + "</row>"


@dataclass
class Sheet:
    """One worksheet: column widths, an optional frozen header row and autofilter, and rows.

    A row is a sequence of cells; a cell is a value (str, int, Decimal, date or None) or a
    ``(value, style)`` pair.
    """

    name: str
    widths: Sequence[float] = ()
    freeze_header: bool = False
    autofilter: bool = False
    filter_last: int | None = None
    #: The XML of the rows not yet spooled (``_spill``), and how many rows were spooled.
    _rows: list[str] = field(default_factory=list)
    _spooled: int = 0
    #: The encoded XML of the spooled rows: a temporary file (deleted when closed, or at
    #: once where the system allows), made at the first ``SPOOL_ROWS`` rows.
    _spool: IO[bytes] | None = None
    _width: int = 0

    @property
    def rows(self) -> int:
        """How many rows the sheet has."""
        return self._spooled + len(self._rows)

    def _spill(self) -> None:
        """Move the rows held as text into the spool file, encoded: a workbook of a million
        rows is never in memory whole (issue #16); its bytes are the same."""
        if self._spool is None:
            self._spool = tempfile.TemporaryFile()  # noqa: SIM115 (lives with the sheet)
        self._spool.write("".join(self._rows).encode())
        self._spooled += len(self._rows)
        self._rows.clear()

    def append(self, cells: Iterable[object]) -> None:
        """Add one row."""
        number = self.rows + 1
        parts = []
        count = 0
        letters = _LETTERS
        for count, cell in enumerate(cells, start=1):
            if type(cell) is tuple:
                value, style = cell
            else:
                value, style = cell, PLAIN
            if value is None or value == "":
                if style != PLAIN:
                    parts.append(f'<c r="{letters[count - 1]}{number}" s="{style}"/>')
                continue
            kind = type(value)
            if kind is str:
                parts.append(
                    f'<c r="{letters[count - 1]}{number}" s="{style}" t="inlineStr"><is><t '
                    f'xml:space="preserve">{cell_text(value)}</t></is></c>'  # type: ignore[arg-type]
                )
            elif kind is Decimal or kind is int:
                parts.append(f'<c r="{letters[count - 1]}{number}" s="{style}"><v>{value}</v></c>')
            elif kind is date:
                serial = (value - EXCEL_EPOCH).days  # type: ignore[operator]
                style = DATE if style == PLAIN else style
                parts.append(f'<c r="{letters[count - 1]}{number}" s="{style}"><v>{serial}</v></c>')
            elif kind is bool:
                parts.append(
                    f'<c r="{letters[count - 1]}{number}" s="{style}" t="b"><v>{int(value)}</v></c>'  # type: ignore[call-overload]
                )
            else:
                raise TypeError(f"cannot write {kind.__name__} to a worksheet")
        self._width = max(self._width, count)
        self._rows.append(f'<row r="{number}">{"".join(parts)}</row>')
        if len(self._rows) >= SPOOL_ROWS:
            self._spill()

    def extend(self, template: RowTemplate, rows: Iterable[Sequence[object]]) -> None:
        """Add the rows of a bulk table whose cells come ready, with one %-format a row
        (issue #16).

        Each row has a value for every column of ``template``: the text of each ``"s"``
        column already through ``cell_text`` (or known to need nothing: ``all_plain``), each
        ``"d"`` column an ``excel_serial``, numbers as ``str`` writes them. A row of another
        length raises TypeError.
        """
        text = template.text
        number = start = self.rows
        append = self._rows.append
        for values in rows:
            number += 1
            append(text % (number, *values))
            if not number % SPOOL_ROWS:
                self._spill()
        if number > start:
            self._width = max(self._width, len(template.kinds))

    def xml(self) -> str:
        """The worksheet XML."""
        buffer = io.BytesIO()
        self.write_xml(buffer)
        return buffer.getvalue().decode()

    def write_xml(self, stream: IO[bytes]) -> None:
        """Write ``xml()`` into ``stream``, encoded: the spooled rows copied from their file,
        then the rest (a workbook of 100,000 rows is never one string, nor its bytes, in
        memory: issue #16)."""
        head, tail = self._frame()
        stream.write((head + "<sheetData>").encode())
        if self._spool is not None:
            self._spool.seek(0)
            shutil.copyfileobj(self._spool, stream)
        stream.write("".join(self._rows).encode())
        stream.write(("</sheetData>" + tail).encode())

    def _frame(self) -> tuple[str, str]:
        """The worksheet XML before and after its ``sheetData``."""
        head = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
            'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r='
            '"http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        ]
        last_column = _LETTERS[max(self._width, 1) - 1]
        rows = max(self.rows, 1)
        head.append(f'<dimension ref="A1:{last_column}{rows}"/>')
        if self.freeze_header:
            head.append(
                '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" '
                'topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
                "</sheetView></sheetViews>"
            )
        else:
            head.append('<sheetViews><sheetView workbookViewId="0"/></sheetViews>')
        head.append('<sheetFormatPr defaultRowHeight="15"/>')
        if self.widths:
            cols = "".join(
                f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                for i, w in enumerate(self.widths, start=1)
            )
            head.append(f"<cols>{cols}</cols>")
        tail = []
        if self.autofilter and self.rows:
            tail.append(f'<autoFilter ref="{self.filter_ref}"/>')
        tail.append(
            '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" '
            'header="0.3" footer="0.3"/><pageSetup orientation="landscape"/>'
        )
        return "".join(head), "".join(tail) + "</worksheet>"

    @property
    def filter_ref(self) -> str:
        """The autofilter range: header row through ``filter_last`` (default: the last row)."""
        last = self.filter_last or self.rows
        return f"A1:{_LETTERS[max(self._width, 1) - 1]}{last}"

    @property
    def filter_absolute(self) -> str:
        """``filter_ref`` as an absolute reference, e.g. ``$A$1:$J$12``."""
        end = self.filter_ref.split(":")[1]
        column = end.rstrip("0123456789")
        return f"$A$1:${column}${end[len(column) :]}"


STYLES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="4">'
    f'<numFmt numFmtId="164" formatCode="{ACCOUNTING.replace(chr(34), "&quot;")}"/>'
    f'<numFmt numFmtId="165" formatCode="{DATE_FORMAT}"/>'
    f'<numFmt numFmtId="166" formatCode="{AMOUNT_FORMAT}"/>'
    f'<numFmt numFmtId="167" formatCode="{ISO_DATE_FORMAT}"/>'
    "</numFmts>"
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDE4EE"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="10">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" '
    'applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    'applyFont="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    'applyFont="1"/>'
    '<xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def save(sheets: Sequence[Sheet], out: Path, *, title: str, created: datetime) -> Path:
    """Write a workbook.

    Args:
        sheets: worksheets in tab order (names unique, at most 31 characters).
        out: the file to write.
        title: document title (docProps).
        created: the document date (from the data, never the clock).

    Returns:
        ``out``.
    """
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>'
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/extended-properties" Target="docProps/app.xml"/></Relationships>'
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://'
        'purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{cell_text(title)}</dc:title><dc:creator>taxloss</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    app = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-'
        'properties"><Application>taxloss</Application></Properties>'
    )
    defined = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"'{cell_text(s.name)}'!{s.filter_absolute}"
        "</definedName>"
        for i, s in enumerate(sheets)
        if s.autofilter and s.rows
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r='
        '"http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<bookViews><workbookView activeTab="0"/></bookViews><sheets>'
        + "".join(
            f'<sheet name="{cell_text(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, s in enumerate(sheets, start=1)
        )
        + "</sheets>"
        + (f"<definedNames>{defined}</definedNames>" if defined else "")
        + "</workbook>"
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + f'<Relationship Id="rId{len(sheets) + 1}" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>'
    )
    parts = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", root_rels),
        ("docProps/core.xml", core),
        ("docProps/app.xml", app),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", workbook_rels),
        ("xl/styles.xml", STYLES_XML),
    ]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts:
            archive.writestr(_entry(name), text.encode("utf-8"), compresslevel=1)
        for i, sheet in enumerate(sheets, start=1):
            # The same deflate stream as ``writestr`` of the whole XML, written in slices.
            entry = _entry(f"xl/worksheets/sheet{i}.xml")
            entry._compresslevel = 1  # what writestr(compresslevel=1) sets
            with archive.open(entry, "w") as stream:  # under 2 GiB: no ZIP64, as before
                sheet.write_xml(stream)
    return out


def _entry(name: str) -> zipfile.ZipInfo:
    """A ZIP entry with the fixed time and permissions (repeatable bytes)."""
    entry = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o600 << 16
    return entry
