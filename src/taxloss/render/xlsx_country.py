"""``capital-gains-<year>.xlsx``: the disposals worksheet in the country's terms (rules other
than the US).

Sheets: Summary (facts, the return's figures and the loss offset, notes), Disposals (one row
per slice with the country's columns: UK the matching rule; Canada the ACB and superficial-loss
adjustments; Australia discount eligibility; Germany the holding period and exemption) with a
totals row, Audit (exact amounts, sources and the exchange rate of each source row), FX (every
conversion: amount, rate, the rate's date and source), Pool (pooling rules: every change of
each pool) and Warnings. Values, not formulas; totals are sums of the rounded rows above them.
Amounts use a currency-neutral format and dates ISO 8601. Deterministic (``render.xlsx_writer``).
Sees only ``Report``; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from taxloss import __version__
from taxloss.model import Conversion, HoldingEffect, LossDisallowance, Matching, Report, SourceRef
from taxloss.money import plain
from taxloss.render.account import account_sheet
from taxloss.render.labels import NOT_ADVICE, method_label
from taxloss.render.pdf_country import holding_text, rule_text
from taxloss.render.xlsx_8949 import warnings_sheet
from taxloss.render.xlsx_writer import (
    AMOUNT,
    AMOUNT_BOLD,
    BOLD,
    HEAD,
    ISO_DATE,
    WRAP,
    Sheet,
    save,
)
from taxloss.returns.country import CountryYear, Line, tax_year_end
from taxloss.returns.printed import Printed, Row, Totals, money, printed
from taxloss.returns.printed import year_rows as rows_of_year


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def fx_notes(report: Report) -> dict[SourceRef, str]:
    """Per source row, the exchange rates used for it (for the Audit sheet)."""
    found: dict[SourceRef, list[Conversion]] = defaultdict(list)
    for conversion in report.conversions:
        found[conversion.source].append(conversion)
    out = {}
    for source, items in found.items():
        seen = []
        for c in items:
            text = f"{plain(c.rate.rate)} {report.rule.fiat}/{c.currency} of {c.rate.day}"
            if c.prior_day:
                text += f" (for {c.day})"
            if text not in seen:
                seen.append(text)
        out[source] = "; ".join(seen)
    return out


def _lines(sheet: Sheet, title: str, lines: Sequence[Line]) -> None:
    sheet.append([])
    sheet.append([(title, HEAD), ("Amount", HEAD)])
    for line in lines:
        label = (line.label, BOLD) if line.bold else line.label
        if line.amount is None:
            sheet.append([label, line.text])
        else:
            sheet.append([label, (line.amount, AMOUNT_BOLD if line.bold else AMOUNT)])


def _summary(
    report: Report, year: str, country: CountryYear | None, taxpayer: dict[str, str]
) -> Sheet:
    rule = report.rule
    sheet = Sheet("Summary", widths=(62, 22, 16, 16))
    sheet.append([(f"Capital gains worksheet, tax year {year} ({rule.name})", BOLD)])
    sheet.append([NOT_ADVICE])
    sheet.append([])
    sources = sorted({c.rate.source.path for c in report.conversions})
    facts = [
        ("Taxpayer", taxpayer.get("name", "")),
        ("Identifying number", taxpayer.get("id", "")),
        (
            "Country / rule file",
            f"{rule.name}: {rule.path} (version {rule.version}, sha256 {rule.sha256[:16]})",
        ),
        ("Identification", method_label(report)),
        ("Basis scope", report.basis_scope),
        ("Tax year ends", str(tax_year_end(rule, year))),
        ("Reporting time zone", report.timezone),
        ("Currency", rule.fiat),
        ("Exchange rates", ", ".join(sources) or "none needed"),
        ("taxloss version", __version__),
    ]
    facts += [
        ("Input file", f"{i.path} ({i.format}, {i.rows} rows, sha256 {i.sha256[:16]})")
        for i in report.inputs
    ]
    for label, value in facts:
        sheet.append([(label, BOLD), value])
    if country is not None:
        _lines(sheet, country.return_title, country.return_lines)
        _lines(sheet, country.offset_title, country.offset_lines)
        sheet.append([])
        sheet.append([("Notes", HEAD)])
        for note in country.notes:
            sheet.append([(note, WRAP)])
    sheet.append([])
    sheet.append([("Warnings", BOLD), f"{len(report.warnings)} (see the Warnings sheet)"])
    sheet.append(
        [("Assumptions recorded", BOLD), f"{len(report.assumptions)} (listed in report.json)"]
    )
    return sheet


def _columns(report: Report) -> list[str]:
    rule = report.rule
    heads = ["Row", "Asset", "Description", "Quantity"]
    if rule.matching is not Matching.LOTS:
        heads.append("Matched by")
    heads += ["Acquired", "Disposed"]
    if rule.holding_effect is HoldingEffect.DISCOUNT:
        heads.append("Held at least 12 months (discount)")
    if rule.holding_effect is HoldingEffect.EXEMPT:
        heads += ["Held (days)", "Exempt (held more than 1 year)"]
    heads += ["Proceeds", "ACB" if rule.matching is Matching.AVERAGE_COST else "Cost"]
    if rule.matching is Matching.AVERAGE_COST:
        heads.append("ACB per unit")
    if rule.disallowance.kind is LossDisallowance.SUPERFICIAL_LOSS:
        heads.append("Superficial loss denied")
    heads += ["Gain or (loss)", "Wallet", "Kind", "Notes"]
    return heads


def _cells(row: Row, report: Report) -> list[object]:
    rule = report.rule
    d = row.disposal
    pooled = d.matching in ("s104_pool", "acb_pool")
    cells: list[object] = [row.number, d.asset, row.description, plain(d.quantity)]
    if rule.matching is not Matching.LOTS:
        cells.append(rule_text(row))
    cells += ["pool" if pooled else (row.acquired, ISO_DATE), (row.disposed, ISO_DATE)]
    if rule.holding_effect is HoldingEffect.DISCOUNT:
        cells.append("yes" if d.discount else "no")
    if rule.holding_effect is HoldingEffect.EXEMPT:
        cells += [(d.disposed_on - d.acquired_on).days, "yes" if d.exempt else "no"]
    cells += [(row.proceeds, AMOUNT), (row.cost_basis, AMOUNT)]
    if rule.matching is Matching.AVERAGE_COST:
        per_unit = d.cost_basis / d.quantity if d.quantity else d.cost_basis
        cells.append((money(per_unit, rule), AMOUNT))
    if rule.disallowance.kind is LossDisallowance.SUPERFICIAL_LOSS:
        cells.append((row.adjustment, AMOUNT))
    flags = []
    if d.liquidation:
        flags.append("liquidation")
    if d.missing_basis:
        flags.append("zero basis: missing (--allow-missing-basis)")
    if d.denied_loss:
        flags.append("superficial loss: denied part added to the pool's ACB")
    cells += [(row.gain, AMOUNT), d.wallet, d.kind.value, "; ".join(flags)]
    return cells


def _disposals(report: Report, rows: Sequence[Row]) -> Sheet:
    heads = _columns(report)
    widths = [7 if h == "Row" else 14 if h not in ("Description", "Notes") else 30 for h in heads]
    sheet = Sheet("Disposals", widths=widths, freeze_header=True, autofilter=True)
    sheet.append([(h, HEAD) for h in heads])
    total = Totals()
    for row in rows:
        sheet.append(_cells(row, report))
        total.add(row)
    sheet.filter_last = len(rows) + 1
    totals: list[object] = [(f"Totals ({total.rows} rows)", BOLD)] + [""] * (len(heads) - 1)
    totals[heads.index("Proceeds")] = (total.proceeds, AMOUNT_BOLD)
    cost_head = "ACB" if "ACB" in heads else "Cost"
    totals[heads.index(cost_head)] = (total.cost_basis, AMOUNT_BOLD)
    if "Superficial loss denied" in heads:
        totals[heads.index("Superficial loss denied")] = (total.adjustment, AMOUNT_BOLD)
    totals[heads.index("Gain or (loss)")] = (total.gain, AMOUNT_BOLD)
    sheet.append(totals)
    return sheet


def _audit(report: Report, rows: Sequence[Row]) -> Sheet:
    notes = fx_notes(report)
    heads = (
        "Row",
        "Asset",
        "Quantity",
        "Matched by / holding",
        "Acquired (UTC)",
        "Disposed (UTC)",
        "Proceeds (exact)",
        "Cost (exact)",
        "Gain or (loss)",
        "Kind",
        "Wallet",
        "Sale source (file:line)",
        "Lot source (file:line)",
        "Exchange rate (sale row)",
        "Exchange rate (lot row)",
        "Sale id",
        "Sale note",
        "Lot id",
        "Lot note",
    )
    sheet = Sheet(
        "Audit",
        widths=(7, 9, 16, 18, 20, 20, 22, 22, 15, 12, 14, 36, 36, 40, 40, 18, 30, 18, 30),
        freeze_header=True,
        autofilter=True,
    )
    sheet.append([(h, HEAD) for h in heads])
    effect = report.rule.holding_effect
    for row in rows:
        d = row.disposal
        sheet.append(
            (
                row.number,
                d.asset,
                plain(d.quantity),
                holding_text(row, effect) or rule_text(row),
                _utc(d.acquired),
                _utc(d.disposed),
                plain(d.proceeds),
                plain(d.cost_basis),
                (row.gain, AMOUNT),
                d.kind.value,
                d.wallet,
                str(d.sale_source),
                str(d.lot_source),
                notes.get(d.sale_source, ""),
                notes.get(d.lot_source, ""),
                *report.row_reference(d.sale_source),
                *report.row_reference(d.lot_source),
            )
        )
    return sheet


def _fx(report: Report) -> Sheet:
    sheet = Sheet(
        "FX", widths=(36, 12, 10, 18, 24, 12, 48, 22, 30), freeze_header=True, autofilter=True
    )
    heads = (
        "Source row",
        "Date",
        "Currency",
        "Amount",
        f"Rate ({report.rule.fiat} per unit)",
        "Rate date",
        "Rate source (file:line)",
        f"Value in {report.rule.fiat} (exact)",
        "Note",
    )
    sheet.append([(h, HEAD) for h in heads])
    for c in report.conversions:
        note = "no rate that day: last earlier rate" if c.prior_day else ""
        sheet.append(
            (
                str(c.source),
                (c.day, ISO_DATE),
                c.currency,
                plain(c.amount),
                plain(c.rate.rate),
                (c.rate.day, ISO_DATE),
                str(c.rate.source),
                plain(c.value),
                note,
            )
        )
    return sheet


def _pool(report: Report, year: str) -> Sheet:
    end = tax_year_end(report.rule, year)
    sheet = Sheet(
        "Pool", widths=(20, 9, 30, 16, 18, 16, 18, 36), freeze_header=True, autofilter=True
    )
    heads = (
        "When (UTC)",
        "Asset",
        "Change",
        "Units",
        "Cost",
        "Units after",
        "Cost after",
        "Source (file:line)",
    )
    sheet.append([(h, HEAD) for h in heads])
    for e in report.pool_history:
        if e.moment.date() > end:
            break
        sheet.append(
            (
                _utc(e.moment),
                e.asset,
                e.action,
                plain(e.units),
                plain(e.cost),
                plain(e.units_after),
                plain(e.cost_after),
                str(e.source),
            )
        )
    return sheet


def render_xlsx_country(
    report: Report,
    out: Path,
    year: str,
    country: CountryYear | None,
    taxpayer: dict[str, str] | None = None,
    figures: Printed | None = None,
) -> Path:
    """Write ``capital-gains-<year>.xlsx``.

    Args:
        report: the report.
        out: the file to write.
        year: the tax-year label.
        country: the year's figures in the country's terms (``returns.country``).
        taxpayer: optional ``name`` and ``id``.
        figures: printed rows already computed for this report, if any.

    Returns:
        ``out``.
    """
    rows = rows_of_year(printed(report, figures), year)
    sheets = [
        _summary(report, year, country, taxpayer or {}),
        _disposals(report, rows),
        _audit(report, rows),
    ]
    if report.conversions:
        sheets.append(_fx(report))
    if report.pool_history:
        sheets.append(_pool(report, year))
    sheets.append(warnings_sheet(report))
    sheets.append(account_sheet(report, figures))  # issue #15: where the money went
    created = report.generated_at or datetime(2000, 1, 1)
    return save(sheets, out, title=f"Capital gains worksheet {year}", created=created)
