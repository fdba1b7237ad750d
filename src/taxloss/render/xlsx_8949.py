"""The Form 8949 worksheet (XLSX) for one tax year.

Sheets: Summary (totals per part and box with their Schedule D lines), one sheet per part and
box with columns (a)-(h) as on the form and a totals row, Audit (each row tied to its lot and
source rows, with the exact amounts), and Warnings. Values, not formulas: every total is the
sum of the rounded rows printed above it. Text is always stored as text, never as a formula.
Output is deterministic (see ``render.xlsx_writer``).
Sees only ``Report``; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from operator import attrgetter
from pathlib import Path

from taxloss import __version__
from taxloss.model import DisposalKind, Report, SourceRef
from taxloss.money import plain
from taxloss.render.account import account_sheet
from taxloss.render.labels import NOT_ADVICE, PART, TERM_WORD, TimeText
from taxloss.render.xlsx_1099da import form_sheets
from taxloss.render.xlsx_writer import (
    BOLD,
    DATE,
    HEAD,
    MONEY,
    MONEY_BOLD,
    PLAIN,
    RowTemplate,
    Sheet,
    all_plain,
    cell_text,
    excel_serial,
    save,
)
from taxloss.returns.printed import Printed, Row, Section, YearFigures, printed

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
    "Row", "Part", "Box", "Asset", "Quantity", "Acquired (UTC)", "Disposed (UTC)",
    "Proceeds (exact)", "Cost basis (exact)", "Gain or (loss)", "Kind", "Wallet", "Notes",
    "Sale source (file:line)", "Lot source (file:line)", "Sale id", "Sale note", "Lot id",
    "Lot note",
)  # fmt: skip
AUDIT_WIDTHS = (7, 8, 5, 9, 16, 20, 20, 22, 22, 15, 12, 14, 14, 36, 36, 18, 30, 18, 30)


#: Bulk row layouts: (kind, style) per column (see ``xlsx_writer.RowTemplate``).
#: "t" marks text formatted here (numbers, times, fixed words): it never needs escaping.
SECTION_ROW = RowTemplate((
    ("s", PLAIN), ("d", DATE), ("d", DATE), ("n", MONEY), ("n", MONEY), ("s", PLAIN),
    ("n", MONEY), ("n", MONEY), ("t", PLAIN), ("n", PLAIN),
))  # fmt: skip
AUDIT_ROW = RowTemplate((
    ("n", PLAIN), ("t", PLAIN), ("s", PLAIN), ("s", PLAIN), ("t", PLAIN), ("t", PLAIN),
    ("t", PLAIN), ("t", PLAIN), ("t", PLAIN), ("n", MONEY), ("t", PLAIN), ("s", PLAIN),
    ("t", PLAIN), ("s", PLAIN), ("s", PLAIN), ("s", PLAIN), ("s", PLAIN), ("s", PLAIN),
    ("s", PLAIN),
))  # fmt: skip


def sheet_name(section: Section) -> str:
    """Worksheet name for a part and box, e.g. ``Part I box I``."""
    return f"{PART[section.term]} box {section.box or '-'}"


def notes(liquidation: bool, missing_basis: bool) -> str:
    """The Notes cell: flags an accountant should see next to the row."""
    flags = []
    if liquidation:
        flags.append("liquidation")
    if missing_basis:
        flags.append("zero basis: missing (--allow-missing-basis)")
    return "; ".join(flags)


#: ``notes`` of every pair of flags, made once.
_NOTES = {(a, b): notes(a, b) for a in (False, True) for b in (False, True)}
#: The word of each kind of disposal (``DisposalKind.value``).
_KIND_WORD = {kind: kind.value for kind in DisposalKind}


def _summary(report: Report, figures: YearFigures, taxpayer: dict[str, str]) -> Sheet:
    sheet = Sheet("Summary", widths=(34, 14, 16, 8, 18, 18, 16, 18))
    rule = report.rule
    sheet.append([(f"Form 8949 worksheet, tax year {figures.year}", BOLD)])
    sheet.append([NOT_ADVICE])
    sheet.append([])
    facts = [
        ("Taxpayer", taxpayer.get("name", "")),
        ("Identifying number", taxpayer.get("id", "")),
        ("Country / rule file", f"{rule.name}: {rule.path} (version {rule.version}, "
                                f"sha256 {rule.sha256[:16]})"),
        ("Method", report.method.value.upper()),
        ("Basis scope", report.basis_scope),
        ("Reporting time zone", report.timezone),
        ("Currency", rule.fiat),
        ("taxloss version", __version__),
    ]  # fmt: skip
    facts += [
        ("Input file", f"{i.path} ({i.format}, {i.rows} rows, sha256 {i.sha256[:16]})")
        for i in report.inputs
    ]
    for label, value in facts:
        sheet.append([(label, BOLD), value])
    sheet.append([])
    heads = ("Part", "Box", "Schedule D line", "Rows", "(d) Proceeds", "(e) Cost or other basis",
             "(g) Adjustments", "(h) Gain or (loss)")  # fmt: skip
    sheet.append([(h, HEAD) for h in heads])
    for section in figures.sections:
        t = section.totals
        sheet.append([
            f"{PART[section.term]} ({TERM_WORD[section.term]})", section.box,
            section.schedule_d_line, t.rows, (t.proceeds, MONEY), (t.cost_basis, MONEY),
            (t.adjustment, MONEY), (t.gain, MONEY),
        ])  # fmt: skip
    for label, t in (("Total short-term", figures.short), ("Total long-term", figures.long),
                     ("Total", figures.total)):  # fmt: skip
        sheet.append([
            (label, BOLD), "", "", (t.rows, BOLD), (t.proceeds, MONEY_BOLD),
            (t.cost_basis, MONEY_BOLD), (t.adjustment, MONEY_BOLD), (t.gain, MONEY_BOLD),
        ])  # fmt: skip
    sheet.append([])
    sheet.append([("Liquidations / forced sales (rows)", BOLD), figures.liquidations])
    sheet.append([("Warnings", BOLD), f"{len(report.warnings)} (see the Warnings sheet)"])
    sheet.append([("Assumptions recorded", BOLD),
                  f"{len(report.assumptions)} (listed in report.json)"])  # fmt: skip
    return sheet


def _section_sheet(section: Section) -> Sheet:
    sheet = Sheet(sheet_name(section), widths=FORM_WIDTHS, freeze_header=True, autofilter=True)
    sheet.append([(h, HEAD) for h in (*FORM_HEADINGS, "Notes", "Audit row")])
    sheet.extend(SECTION_ROW, _section_cells(section.rows))
    sheet.filter_last = len(section.rows) + 1
    t = section.totals
    line = f"; Schedule D line {section.schedule_d_line}" if section.schedule_d_line else ""
    sheet.append([
        (f"Totals ({t.rows} rows{line})", BOLD), "", "", (t.proceeds, MONEY_BOLD),
        (t.cost_basis, MONEY_BOLD), "", (t.adjustment, MONEY_BOLD), (t.gain, MONEY_BOLD),
    ])  # fmt: skip
    return sheet


def _section_cells(rows: Sequence[Row]) -> Iterator[tuple[object, ...]]:
    """Each row of a part and box as ``SECTION_ROW`` cells, ready for ``Sheet.extend``: the
    texts a table repeats (codes) and the days escaped or converted once each."""
    plain_descriptions = all_plain(row.description for row in rows)
    codes = cache(cell_text)
    days = cache(excel_serial)
    for row in rows:
        d = row.disposal
        description = row.description if plain_descriptions else cell_text(row.description)
        yield (
            description, days(row.acquired), days(row.disposed), row.proceeds, row.cost_basis,
            codes(row.codes), row.adjustment, row.gain, _NOTES[d.liquidation, d.missing_basis],
            row.number,
        )  # fmt: skip


def _audit_sheet(figures: YearFigures, report: Report | None = None) -> Sheet:
    """Every row tied to its lot and source rows, with those rows' ``id`` and ``note``."""
    sheet = Sheet("Audit", widths=AUDIT_WIDTHS, freeze_header=True, autofilter=True)
    sheet.append([(h, HEAD) for h in AUDIT_HEADINGS])
    rows = sorted((r for s in figures.sections for r in s.rows), key=attrgetter("number"))
    sheet.extend(AUDIT_ROW, _audit_cells(rows, report))
    return sheet


def _audit_cells(rows: Sequence[Row], report: Report | None) -> Iterator[tuple[object, ...]]:
    """Each row as ``AUDIT_ROW`` cells, ready for ``Sheet.extend``.

    A large year has tens of thousands of rows, so the texts it repeats (box, asset, wallet,
    file, acquisition time) are escaped or formatted once each (``functools.cache``), a
    sale's cells once for its consecutive slices, and the input rows' ids and notes escaped
    only if one needs it.
    """
    ids = _cell_map(report.row_ids) if report is not None else {}
    notes_of = _cell_map(report.row_notes) if report is not None else {}
    times = TimeText()
    clock = cache(times.clock)  # only UTC times: equal then means the same wall time
    texts = cache(cell_text)
    sale: SourceRef | None = None
    disposed: datetime | None = None
    sale_cells: tuple[str, str, str, str] = ("", "", "", "")
    for row in rows:
        d = row.disposal
        if d.sale_source is not sale or d.disposed is not disposed:
            sale, disposed = d.sale_source, d.disposed
            sale_cells = (
                times.clock(disposed), f"{texts(sale.path)}:{sale.line}", ids.get(sale, ""),
                notes_of.get(sale, "") if notes_of else "",
            )  # fmt: skip
        lot = d.lot_source
        acquired = d.acquired
        yield (
            row.number, PART[d.term], texts(d.box), texts(d.asset), row.quantity,
            clock(acquired) if acquired.tzinfo is UTC else times.clock(acquired), sale_cells[0],
            plain(d.proceeds), plain(d.cost_basis), row.gain, _KIND_WORD[d.kind],
            texts(d.wallet), _NOTES[d.liquidation, d.missing_basis], sale_cells[1],
            f"{texts(lot.path)}:{lot.line}", sale_cells[2], sale_cells[3], ids.get(lot, ""),
            notes_of.get(lot, "") if notes_of else "",
        )  # fmt: skip


def _cell_map(texts: Mapping[SourceRef, str]) -> Mapping[SourceRef, str]:
    """``texts`` (input rows' ids or notes) as cells hold them: itself unless one needs
    ``cell_text``."""
    if all_plain(texts.values()):
        return texts
    return {source: cell_text(text) for source, text in texts.items()}


def warnings_sheet(report: Report) -> Sheet:
    """The Warnings sheet of every workbook: each warning with its source ``file:line``."""
    sheet = Sheet("Warnings", widths=(24, 36, 110), freeze_header=True)
    sheet.append([(h, HEAD) for h in ("Code", "Source", "Message")])
    for notice in report.warnings:
        sheet.append([notice.code, str(notice.source or ""), notice.message])
    return sheet


def render_xlsx_8949(
    report: Report,
    out: Path,
    year: str,
    taxpayer: dict[str, str] | None = None,
    figures: Printed | None = None,
) -> Path:
    """Write ``form8949-<year>.xlsx``.

    Args:
        report: the report.
        out: the file to write.
        year: the tax-year label.
        taxpayer: optional ``name`` and ``id`` for the Summary sheet.
        figures: printed rows already computed for this report, if any.

    Returns:
        ``out``.
    """
    year_figures = printed(report, figures).year(year)
    sheets = [_summary(report, year_figures, taxpayer or {})]
    sheets += [_section_sheet(s) for s in year_figures.sections if not s.exception_1]
    sheets += [_audit_sheet(year_figures, report), warnings_sheet(report)]
    sheets.append(account_sheet(report, figures))  # issue #15: where the money went
    sheets += form_sheets(report, year)
    created = report.generated_at or datetime(2000, 1, 1)
    return save(sheets, out, title=f"Form 8949 worksheet {year}", created=created)
