"""The Form 8949 worksheet (XLSX) for one tax year.

Sheets: Summary (totals per part and box with their Schedule D lines), one sheet per part and
box with columns (a)-(h) as on the form and a totals row, Audit (each row tied to its lot and
source rows, with the exact amounts), and Warnings. Values, not formulas: every total is the
sum of the rounded rows printed above it. Text that starts with ``= + - @`` is stored as text.
Output is deterministic: fixed document dates and fixed ZIP entry times.
Sees only ``Report``; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.writer.excel import ExcelWriter

from taxloss import __version__
from taxloss.model import Report
from taxloss.money import plain
from taxloss.render.figures import (
    NOT_ADVICE,
    PART,
    TERM_WORD,
    Section,
    YearFigures,
    all_rows,
    year_figures,
)

ACCOUNTING = '_($* #,##0.00_);_($* (#,##0.00);_($* "-"??_);_(@_)'
DATE_FORMAT = "mm/dd/yyyy"
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDE4EE")
WRAP = Alignment(wrap_text=True, vertical="top")

#: Column headings of Form 8949 (2025 revision), Parts I and II.
FORM_HEADINGS = (
    "(a) Description of property (Example: 100 sh. XYZ Co.)",
    "(b) Date acquired (Mo., day, yr.)",
    "(c) Date sold or disposed of (Mo., day, yr.)",
    "(d) Proceeds (sales price)",
    "(e) Cost or other basis",
    "(f) Code(s) from instructions",
    "(g) Amount of adjustment",
    "(h) Gain or (loss). Subtract column (e) from column (d) and combine the result with "
    "column (g)",
)
FORM_WIDTHS = (34, 14, 14, 17, 17, 10, 14, 19, 26, 10)

AUDIT_HEADINGS = (
    "Row",
    "Tax year",
    "Part",
    "Box",
    "Asset",
    "Quantity",
    "Acquired (UTC)",
    "Disposed (UTC)",
    "Proceeds (exact)",
    "Cost basis (exact)",
    "Proceeds",
    "Cost basis",
    "Gain or (loss)",
    "Kind",
    "Wallet",
    "Liquidation",
    "Missing basis",
    "Sale source (file:line)",
    "Lot source (file:line)",
)
AUDIT_WIDTHS = (7, 9, 8, 5, 9, 16, 21, 21, 22, 22, 15, 15, 15, 12, 14, 11, 12, 34, 34)

#: A fixed ZIP entry time (the earliest ZIP supports) so reruns are byte-identical.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _cell(
    ws: WriteOnlyWorksheet,
    value: Any,
    *,
    fmt: str | None = None,
    bold: bool = False,
    fill: bool = False,
    wrap: bool = False,
) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    if fmt:
        cell.number_format = fmt
    if bold:
        cell.font = BOLD
    if fill:
        cell.fill = HEAD_FILL
    if wrap:
        cell.alignment = WRAP
    return cell


def _widths(ws: WriteOnlyWorksheet, widths: tuple[int, ...]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def sheet_name(section: Section) -> str:
    """Worksheet name for a part and box, e.g. ``Part I box I``."""
    return f"{PART[section.term]} box {section.box or '-'}"


def _summary(wb: Workbook, report: Report, figures: YearFigures, taxpayer: dict[str, str]) -> None:
    ws = wb.create_sheet("Summary")
    _widths(ws, (34, 12, 16, 8, 18, 18, 16, 18))
    rule = report.rule
    ws.append([_cell(ws, f"Form 8949 worksheet, tax year {figures.year}", bold=True)])
    ws.append([_cell(ws, NOT_ADVICE)])
    ws.append([])
    facts = [
        ("Taxpayer", taxpayer.get("name", "")),
        ("Identifying number", taxpayer.get("id", "")),
        (
            "Country / rule file",
            f"{rule.name}: {rule.path} (version {rule.version}, sha256 {rule.sha256[:16]})",
        ),
        ("Method", report.method.value.upper()),
        ("Basis scope", report.basis_scope),
        ("Reporting time zone", report.timezone),
        ("Currency", rule.fiat),
        ("taxloss version", __version__),
    ]
    for label, value in facts:
        ws.append([_cell(ws, label, bold=True), _cell(ws, value)])
    for item in report.inputs:
        ws.append(
            [
                _cell(ws, "Input file", bold=True),
                _cell(
                    ws, f"{item.path} ({item.format}, {item.rows} rows, sha256 {item.sha256[:16]})"
                ),
            ]
        )
    ws.append([])
    heads = (
        "Part",
        "Box",
        "Schedule D line",
        "Rows",
        "(d) Proceeds",
        "(e) Cost or other basis",
        "(g) Adjustments",
        "(h) Gain or (loss)",
    )
    ws.append([_cell(ws, h, bold=True, fill=True, wrap=True) for h in heads])
    for section in figures.sections:
        t = section.totals
        ws.append(
            [
                _cell(ws, f"{PART[section.term]} ({TERM_WORD[section.term]})"),
                _cell(ws, section.box),
                _cell(ws, section.schedule_d_line),
                _cell(ws, t.rows),
                _cell(ws, t.proceeds, fmt=ACCOUNTING),
                _cell(ws, t.cost_basis, fmt=ACCOUNTING),
                _cell(ws, t.adjustment, fmt=ACCOUNTING),
                _cell(ws, t.gain, fmt=ACCOUNTING),
            ]
        )
    for label, t in (
        ("Total short-term", figures.short),
        ("Total long-term", figures.long),
        ("Total", figures.total),
    ):
        ws.append(
            [
                _cell(ws, label, bold=True),
                _cell(ws, ""),
                _cell(ws, ""),
                _cell(ws, t.rows, bold=True),
                _cell(ws, t.proceeds, fmt=ACCOUNTING, bold=True),
                _cell(ws, t.cost_basis, fmt=ACCOUNTING, bold=True),
                _cell(ws, t.adjustment, fmt=ACCOUNTING, bold=True),
                _cell(ws, t.gain, fmt=ACCOUNTING, bold=True),
            ]
        )
    ws.append([])
    ws.append(
        [
            _cell(ws, "Liquidations / forced sales (rows)", bold=True),
            _cell(ws, figures.liquidations),
        ]
    )
    ws.append(
        [
            _cell(ws, "Warnings", bold=True),
            _cell(ws, f"{len(report.warnings)} (see the Warnings sheet)"),
        ]
    )
    ws.append(
        [
            _cell(ws, "Assumptions recorded", bold=True),
            _cell(ws, f"{len(report.assumptions)} (listed in report.json)"),
        ]
    )


def _section_sheet(wb: Workbook, section: Section) -> None:
    ws = wb.create_sheet(sheet_name(section))
    _widths(ws, FORM_WIDTHS)
    ws.freeze_panes = "A2"
    heads = (*FORM_HEADINGS, "Notes", "Audit row")
    ws.append([_cell(ws, h, bold=True, fill=True, wrap=True) for h in heads])
    for row in section.rows:
        d = row.disposal
        notes = []
        if d.liquidation:
            notes.append("liquidation")
        if d.missing_basis:
            notes.append("zero basis: missing (--allow-missing-basis)")
        ws.append(
            [
                _cell(ws, row.description),
                _cell(ws, row.acquired, fmt=DATE_FORMAT),
                _cell(ws, row.disposed, fmt=DATE_FORMAT),
                _cell(ws, row.proceeds, fmt=ACCOUNTING),
                _cell(ws, row.cost_basis, fmt=ACCOUNTING),
                _cell(ws, row.codes),
                _cell(ws, row.adjustment, fmt=ACCOUNTING),
                _cell(ws, row.gain, fmt=ACCOUNTING),
                _cell(ws, "; ".join(notes)),
                _cell(ws, row.number),
            ]
        )
    last = len(section.rows) + 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{last}"
    t = section.totals
    line = section.schedule_d_line
    ws.append(
        [
            _cell(
                ws,
                f"Totals ({t.rows} rows; Schedule D line {line})"
                if line
                else f"Totals ({t.rows} rows)",
                bold=True,
            ),
            _cell(ws, ""),
            _cell(ws, ""),
            _cell(ws, t.proceeds, fmt=ACCOUNTING, bold=True),
            _cell(ws, t.cost_basis, fmt=ACCOUNTING, bold=True),
            _cell(ws, ""),
            _cell(ws, t.adjustment, fmt=ACCOUNTING, bold=True),
            _cell(ws, t.gain, fmt=ACCOUNTING, bold=True),
        ]
    )


def _audit_sheet(wb: Workbook, report: Report, figures: YearFigures) -> None:
    ws = wb.create_sheet("Audit")
    _widths(ws, AUDIT_WIDTHS)
    ws.freeze_panes = "A2"
    ws.append([_cell(ws, h, bold=True, fill=True, wrap=True) for h in AUDIT_HEADINGS])
    rows = sorted((r for s in figures.sections for r in s.rows), key=lambda r: r.number)
    for row in rows:
        d = row.disposal
        ws.append(
            [
                _cell(ws, row.number),
                _cell(ws, d.tax_year),
                _cell(ws, PART[d.term]),
                _cell(ws, d.box),
                _cell(ws, d.asset),
                _cell(ws, plain(d.quantity)),
                _cell(ws, _utc(d.acquired)),
                _cell(ws, _utc(d.disposed)),
                _cell(ws, plain(d.proceeds)),
                _cell(ws, plain(d.cost_basis)),
                _cell(ws, row.proceeds, fmt=ACCOUNTING),
                _cell(ws, row.cost_basis, fmt=ACCOUNTING),
                _cell(ws, row.gain, fmt=ACCOUNTING),
                _cell(ws, d.kind.value),
                _cell(ws, d.wallet),
                _cell(ws, "yes" if d.liquidation else ""),
                _cell(ws, "yes" if d.missing_basis else ""),
                _cell(ws, str(d.sale_source)),
                _cell(ws, str(d.lot_source)),
            ]
        )
    ws.auto_filter.ref = f"A1:{get_column_letter(len(AUDIT_HEADINGS))}{len(rows) + 1}"


def _warnings_sheet(wb: Workbook, report: Report) -> None:
    ws = wb.create_sheet("Warnings")
    _widths(ws, (24, 34, 110))
    ws.freeze_panes = "A2"
    ws.append([_cell(ws, h, bold=True, fill=True) for h in ("Code", "Source", "Message")])
    for notice in report.warnings:
        ws.append(
            [_cell(ws, notice.code), _cell(ws, str(notice.source or "")), _cell(ws, notice.message)]
        )


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def render_xlsx_8949(
    report: Report, out: Path, year: str, taxpayer: dict[str, str] | None = None
) -> Path:
    """Write ``form8949-<year>.xlsx``.

    Args:
        report: the report.
        out: the file to write.
        year: the tax-year label.
        taxpayer: optional ``name`` and ``id`` for the Summary sheet.

    Returns:
        ``out``.
    """
    figures = year_figures(report, year, all_rows(report))
    wb = Workbook(write_only=True)
    _summary(wb, report, figures, taxpayer or {})
    for section in figures.sections:
        _section_sheet(wb, section)
    _audit_sheet(wb, report, figures)
    _warnings_sheet(wb, report)
    fixed = (
        report.generated_at.replace(tzinfo=None) if report.generated_at else datetime(2000, 1, 1)
    )
    wb.properties.creator = "taxloss"
    wb.properties.title = f"Form 8949 worksheet {year}"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(wb, archive).save()  # not save_workbook(), which stamps the current time
    out.write_bytes(_fixed_zip(buffer.getvalue()))
    return out


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a ZIP with fixed entry times (openpyxl stamps the current time)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return target_buffer.getvalue()
