"""Files for tax software (US, issue #14): the TurboTax Online gains CSV, TXF v042 for
TurboTax desktop, and the TaxAct 1099-B CSV.

Each file has one line per printed Form 8949 row of one tax year, in the order of the form
(short-term boxes, then long-term, boxes in letter order, rows in report order). Every figure
is the printed row's (``returns.printed.printed_row``): proceeds (d), cost basis (e), codes (f)
and adjustment (g) as rounded once for the form, so each file's totals equal the Form 8949
totals to the cent. Nothing here computes a figure that is not on the form; the TurboTax
layout has no adjustment column, so there the cost basis is (e) minus (g), which keeps
Proceeds minus Cost Basis equal to column (h).

Layouts (us-1099da-reference §6): TurboTax ``Currency Name,Purchase Date,Cost Basis,Date
Sold,Proceeds`` (used by many exporters; no Intuit page); TXF v042 records with refnums by box
(G/H/I -> 321/711/712, J/K/L -> 323/713/714; TXF has no digital-asset refnums); TaxAct's
"create your own spreadsheet" columns (support article 882) with the box letter as Reporting
Category.
Sees only printed figures; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from taxloss import __version__
from taxloss.model import Term
from taxloss.money import ZERO
from taxloss.render.cells import safe_text
from taxloss.returns.printed import Printed, Row, YearFigures

#: The ``--outputs`` names of the tax-software files.
SOFTWARE_KINDS = ("turbotax", "txf", "taxact")

TURBOTAX_HEADER = ("Currency Name", "Purchase Date", "Cost Basis", "Date Sold", "Proceeds")
TAXACT_HEADER = (
    "Description",
    "Date Acquired",
    "Date Sold",
    "Sales Proceeds",
    "Cost or Other Basis",
    "Adjustment Code",
    "Adjustment Amount",
    "Reporting Category",
    "Long/Short",
    "Federal Tax Withheld",
)

#: TXF refnums (TXF v042, last revised 2011, has no digital-asset refnums): short-term with
#: basis reported (321), basis not reported (711), no form (712); long-term 323/713/714.
#: Boxes G-L are mapped onto them (us-1099da-reference §6), A-F are the same categories.
TXF_REFNUM = {
    "A": "321",
    "G": "321",
    "B": "711",
    "H": "711",
    "C": "712",
    "I": "712",
    "D": "323",
    "J": "323",
    "E": "713",
    "K": "713",
    "F": "714",
    "L": "714",
}


def us_date(day: date) -> str:
    """``MM/DD/YYYY``."""
    return f"{day.month:02d}/{day.day:02d}/{day.year:04d}"


def cents(value: Decimal) -> str:
    """A printed amount as a plain number with two decimals: ``1234.50``, ``-5.00``."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def form_rows(figures: YearFigures) -> list[Row]:
    """The year's printed rows in the order of the form (boxes in order, rows in report
    order within a box); rows reported under Schedule D Exception 1 (``--schedule-d-1a``) are
    totals on line 1a/8a, not Form 8949 rows, so they are left out as the form leaves them."""
    return [row for s in figures.sections if not s.exception_1 for row in s.rows]


def turbotax_parts(count: int, max_rows: int | None) -> int:
    """How many TurboTax files ``count`` rows make with ``--max-rows`` (at least one)."""
    if not max_rows or count <= max_rows:
        return 1
    return -(-count // max_rows)


def software_names(kind: str, year: str, rows: int, max_rows: int | None) -> list[str]:
    """The file names one kind writes for a tax year: ``turbotax-2025.csv`` (or
    ``turbotax-2025-1.csv``, ``-2`` ... when split by ``--max-rows``), ``form8949-2025.txf``,
    ``taxact-2025.csv``."""
    if kind == "turbotax":
        parts = turbotax_parts(rows, max_rows)
        if parts == 1:
            return [f"turbotax-{year}.csv"]
        return [f"turbotax-{year}-{n}.csv" for n in range(1, parts + 1)]
    if kind == "txf":
        return [f"form8949-{year}.txf"]
    if kind == "taxact":
        return [f"taxact-{year}.csv"]
    raise ValueError(f"unknown tax-software kind {kind!r}")


def _csv_text(header: Sequence[str], lines: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(lines)
    return buffer.getvalue()


def turbotax_line(row: Row) -> list[str]:
    """One TurboTax row: the cost basis carries the adjustment, (e) - (g), so that Proceeds -
    Cost Basis = column (h)."""
    return [
        safe_text(row.description),
        us_date(row.acquired),
        cents(row.cost_basis - row.adjustment),
        us_date(row.disposed),
        cents(row.proceeds),
    ]


def render_turbotax(rows: Sequence[Row], out: Path) -> Path:
    """Write one TurboTax Online gains CSV.

    Args:
        rows: printed rows (one part of a year when split by ``--max-rows``).
        out: the file to write.

    Returns:
        ``out``.
    """
    text = _csv_text(TURBOTAX_HEADER, [turbotax_line(row) for row in rows])
    out.write_bytes(text.encode("utf-8"))
    return out


def taxact_line(row: Row) -> list[str]:
    """One TaxAct row: (d), (e), (f), (g), the box letter and the term."""
    term = row.disposal.term
    return [
        safe_text(row.description),
        us_date(row.acquired),
        us_date(row.disposed),
        cents(row.proceeds),
        cents(row.cost_basis),
        safe_text(row.codes),
        cents(row.adjustment) if row.adjustment or row.codes else "",
        row.disposal.box,
        "Long" if term is Term.LONG else "Short",
        "",
    ]


def render_taxact(rows: Sequence[Row], out: Path) -> Path:
    """Write the TaxAct CSV of one tax year.

    Returns:
        ``out``.
    """
    text = _csv_text(TAXACT_HEADER, [taxact_line(row) for row in rows])
    out.write_bytes(text.encode("utf-8"))
    return out


def _txf_text(value: str) -> str:
    """Description text for a TXF line: ASCII only, no line breaks or caret (the record end)."""
    cleaned = value.encode("ascii", "replace").decode("ascii")
    return "".join(" " if ch in "\r\n^" or not ch.isprintable() else ch for ch in cleaned)


def txf_record(row: Row) -> list[str]:
    """One TXF sale record: format 4, or format 5 (with the adjustment) when (g) is not
    zero."""
    refnum = TXF_REFNUM.get(row.disposal.box)
    if refnum is None:
        raise ValueError(f"row {row.number}: no TXF refnum for box {row.disposal.box!r}")
    lines = [
        "TD",
        f"N{refnum}",
        "C1",
        "L1",
        f"P{_txf_text(row.description)}",
        f"D{us_date(row.acquired)}",
        f"D{us_date(row.disposed)}",
        f"${cents(row.cost_basis)}",
        f"${cents(row.proceeds)}",
    ]
    if row.adjustment:
        lines.append(f"${cents(row.adjustment)}")
    lines.append("^")
    return lines


def render_txf(rows: Sequence[Row], out: Path, written_on: date) -> Path:
    """Write the TXF v042 file of one tax year (ASCII, CRLF line ends).

    Args:
        rows: the year's printed rows.
        out: the file to write.
        written_on: the date in the header (the report's date, never the clock).

    Returns:
        ``out``.
    """
    lines = ["V042", f"Ataxloss {__version__}", f"D{us_date(written_on)}", "^"]
    for row in rows:
        lines.extend(txf_record(row))
    out.write_bytes(("\r\n".join(lines) + "\r\n").encode("ascii"))
    return out


@dataclass(frozen=True)
class SoftwareFile:
    """One tax-software file of a build and the totals of its rows (the CLI lists them)."""

    name: str
    year: str
    rows: int
    proceeds: Decimal
    cost_basis: Decimal
    adjustment: Decimal
    gain: Decimal


def planned_files(
    figures: Printed, year: str, kinds: Sequence[str], max_rows: int | None
) -> list[tuple[SoftwareFile, list[Row]]]:
    """Every tax-software file of one tax year with the rows it holds, in ``kinds`` order.

    Args:
        figures: the report's printed figures.
        year: the tax-year label.
        kinds: the wanted names of ``SOFTWARE_KINDS``.
        max_rows: ``--max-rows`` (TurboTax files only), or None.

    Returns:
        (file, rows) pairs; the totals are sums of the printed rows.
    """
    known = year in figures.report.tax_years
    rows = form_rows(figures.year(year)) if known else []
    planned: list[tuple[SoftwareFile, list[Row]]] = []
    for kind in SOFTWARE_KINDS:
        if kind not in kinds:
            continue
        names = software_names(kind, year, len(rows), max_rows)
        size = max_rows if kind == "turbotax" and len(names) > 1 and max_rows else len(rows)
        for number, name in enumerate(names):
            part = rows[number * size : (number + 1) * size] if len(names) > 1 else rows
            planned.append((_totals(name, year, part), part))
    return planned


def _totals(name: str, year: str, rows: Sequence[Row]) -> SoftwareFile:
    proceeds = sum((r.proceeds for r in rows), ZERO)
    basis = sum((r.cost_basis for r in rows), ZERO)
    adjustment = sum((r.adjustment for r in rows), ZERO)
    gain = sum((r.gain for r in rows), ZERO)
    return SoftwareFile(name, year, len(rows), proceeds, basis, adjustment, gain)


def render_software(name: str, rows: Sequence[Row], out: Path, written_on: date) -> Path:
    """Write one planned file (its kind from its name)."""
    if name.startswith("turbotax-"):
        return render_turbotax(rows, out)
    if name.endswith(".txf"):
        return render_txf(rows, out, written_on)
    return render_taxact(rows, out)
