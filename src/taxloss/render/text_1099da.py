"""``taxloss reconcile``: the Form 1099-DA tie-out as plain text (issue #12).

Per tax year: a table per broker account and box (Σ1f vs Σ(d), Σ1g vs Σ(e), Σ(g)), the box 4
tax withheld, and every difference to review with its reason and source rows. Every figure
comes from ``taxloss.returns.reconcile``.
Sees only ``Report``; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

from taxloss.model import Report
from taxloss.money import ZERO, plain
from taxloss.render.labels import NOT_ADVICE
from taxloss.render.text import amount
from taxloss.returns.reconcile import broker_totals, needs_review, withholding

#: Σ1g of a broker and box whose form rows showed no basis (box H/K with 1g blank).
NOT_SHOWN = "not shown"


def reconcile_text(report: Report, year: str | None = None) -> str:
    """The tie-out of one tax year (or of every year with a form row or a difference)."""
    years = sorted(
        {str(line.sold_on.year) for line in report.reconciliation} | set(withholding(report))
    )
    if year is not None:
        years = [year]
    out: list[str] = []
    for label in years:
        out.append(f"Forms 1099-DA, tax year {label}")
        heads = ("broker (wallet)", "box", "form rows", "Σ1f", "Σ(d)", "Σ1g", "Σ(e)", "Σ(g)")
        out.append(f"  {heads[0]:<30}{heads[1]:>4}{heads[2]:>10}" + "".join(
            f"{h:>14}" for h in heads[3:]))  # fmt: skip
        totals = broker_totals(report, label)
        for entry in totals:
            name = f"{entry.broker} ({entry.wallet})"
            out.append(
                f"  {name[:30]:<30}{entry.box:>4}{entry.form_rows:>10}"
                + "".join(f"{amount(v) if v is not None else NOT_SHOWN:>14}" for v in (
                          entry.form_proceeds, entry.column_d, entry.form_basis, entry.column_e,
                          entry.column_g))
            )  # fmt: skip
        if not totals:
            out.append("  (no form row for this year)")
        held = withholding(report).get(label, ZERO)
        out.append(f"  federal income tax withheld (box 4): {amount(held)} (report as tax paid)")
        review = needs_review(report, label)
        out.append(f"  differences to review: {len(review)}")
        for line in review:
            where = [str(line.form.source)] if line.form is not None else []
            where += [str(s) for s in line.sale_sources]
            rows = f", Form 8949 rows {', '.join(map(str, line.rows))}" if line.rows else ""
            out.append(
                f"  - {line.status}: {line.wallet} {plain(line.units)} {line.asset} sold "
                f"{line.sold_on.isoformat()}, box {line.box} ({', '.join(where)}{rows})"
            )
            out.extend(f"      {text}" for text in line.differences)
            out.extend(f"      likely: {text}" for text in line.reasons)
        out.append("")
    out.append(NOT_ADVICE)
    return "\n".join(out) + "\n"
