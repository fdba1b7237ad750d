"""The ``1099-DA`` sheet of the Form 8949 workbook (issue #12): one row per tie-out line (a
form row and its Form 8949 rows, a form row with no sale, or a sale on no form), then per
broker account and box the totals Σ1f vs Σ(d), Σ1g vs Σ(e) and Σ(g), and the box 4 tax
withheld. Every figure comes from ``taxloss.returns.reconcile``; values, never formulas.
Sees only ``Report``; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

from taxloss.model import Report
from taxloss.money import ZERO, plain
from taxloss.render.xlsx_writer import BOLD, HEAD, MONEY, MONEY_BOLD, Sheet
from taxloss.returns.printed import money
from taxloss.returns.reconcile import broker_totals, withholding

#: Σ1g of a broker and box whose form rows showed no basis (box H/K with 1g blank).
NOT_SHOWN = "not shown"
HEADINGS = (
    "Status", "Review", "Wallet", "Broker", "Box", "Asset", "Units (form)", "Date sold",
    "1f Proceeds", "(d) Proceeds", "1g Basis", "(e) Basis", "(g) Adjustment", "(f) Codes",
    "Form 8949 rows", "Form row (file:line)", "Sale rows (file:line)", "Differences",
    "Likely reasons",
)  # fmt: skip
WIDTHS = (16, 8, 14, 18, 5, 8, 14, 12, 14, 14, 14, 14, 14, 9, 14, 30, 30, 60, 70)


def form_sheets(report: Report, year: str) -> list[Sheet]:
    """The ``1099-DA`` sheet of one tax year, or none when the build has no form."""
    if not report.form_rows and not report.reported_by:
        return []
    rule = report.rule
    sheet = Sheet("1099-DA", widths=WIDTHS, freeze_header=True)
    sheet.append([(h, HEAD) for h in HEADINGS])
    for line in report.reconciliation:
        if str(line.sold_on.year) != year:
            continue
        form = line.form
        form_p = (line.form_proceeds, MONEY) if line.form_proceeds is not None else ""
        form_c: object = ""
        if line.form_basis is not None:
            form_c = (line.form_basis, MONEY)
        sheet.append([
            line.status, "yes" if line.review else "no", line.wallet, line.broker, line.box,
            line.asset, plain(line.units), line.sold_on.isoformat(), form_p,
            (line.column_d, MONEY), form_c, (line.column_e, MONEY), (line.column_g, MONEY),
            line.codes, ", ".join(map(str, line.rows)), str(form.source) if form else "",
            ", ".join(map(str, line.sale_sources)), "; ".join(line.differences),
            "; ".join(line.reasons),
        ])  # fmt: skip
    sheet.append([])
    sheet.append([(h, HEAD) for h in ("Totals per broker and box", "", "Wallet", "Broker",
                  "Box", "Form rows", "Form 8949 rows", "", "Σ1f", "Σ(d)", "Σ1g", "Σ(e)",
                  "Σ(g)")])  # fmt: skip
    for entry in broker_totals(report, year):
        sheet.append([
            "", "", entry.wallet, entry.broker, entry.box, entry.form_rows, entry.rows, "",
            (entry.form_proceeds, MONEY_BOLD), (entry.column_d, MONEY_BOLD),
            (entry.form_basis, MONEY_BOLD) if entry.form_basis is not None else NOT_SHOWN,
            (entry.column_e, MONEY_BOLD),
            (entry.column_g, MONEY_BOLD),
        ])  # fmt: skip
    sheet.append([])
    held = withholding(report).get(year, money(ZERO, rule))
    sheet.append([("Box 4 federal income tax withheld (report as tax paid)", BOLD), "", "", "",
                  "", "", "", "", (held, MONEY_BOLD)])  # fmt: skip
    return [sheet]
