"""Plain-text views of a report: the CLI's summary and the readable golden for tests.

Same rows and totals as every other output (``returns.printed``).
Sees only ``Report``; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from taxloss.model import HoldingEffect, Report, Rule, Term
from taxloss.render.labels import MATCHING_LABEL, NOT_ADVICE, PART, group_order, method_label
from taxloss.returns.printed import Printed, Row, Totals, printed, year_rows
from taxloss.returns.us import OffsetPlan, YearOffset

if TYPE_CHECKING:
    from taxloss.returns.country import CountryPlan

#: Row groups of rules without Form 8949 boxes, by ``holding.effect``: (flag, held, other).
HOLDING_GROUPS = {
    HoldingEffect.DISCOUNT: ("discount", "discount (held at least 12 months)", "no discount"),
    HoldingEffect.EXEMPT: ("exempt", "exempt (held more than 1 year)", "taxable (within 1 year)"),
}


def amount(value: Decimal) -> str:
    """``1,234.50`` or ``(5,100.00)`` for a loss, as on the forms."""
    text = f"{abs(value):,.2f}"
    return f"({text})" if value < 0 else text


def row_line(row: Row) -> str:
    """One Form 8949 row as a fixed-width line."""
    flags = " LIQ" if row.disposal.liquidation else ""
    flags += " MISSING-BASIS" if row.disposal.missing_basis else ""
    return (
        f"{row.description:<28} {row.acquired.isoformat():>10} {row.disposed.isoformat():>10} "
        f"{amount(row.proceeds):>15} {amount(row.cost_basis):>15} {row.codes:>4} "
        f"{amount(row.adjustment):>10} {amount(row.gain):>15}{flags}"
    )


def rows_text(count: int) -> str:
    """``1 row``, ``3 rows``."""
    return f"{count} row" if count == 1 else f"{count} rows"


def _year_head(year: str) -> str:
    """A tax year's first line, with the names of the totals' columns above them."""
    return (
        f"{'Tax year ' + year:<52} {'proceeds':>15} {'cost basis':>15} {'':>4} "
        f"{'adjustment':>10} {'gain or (loss)':>15}"
    )


def _totals_line(label: str, totals: Totals) -> str:
    return (
        f"{label:<50} {amount(totals.proceeds):>15} {amount(totals.cost_basis):>15} "
        f"{'':>4} {amount(totals.adjustment):>10} {amount(totals.gain):>15}"
    )


def render_text(
    report: Report,
    years: tuple[str, ...] | None = None,
    rows: bool = True,
    figures: Printed | None = None,
    offsets: OffsetPlan | CountryPlan | None = None,
) -> str:
    """The report as text: header facts, then per year each part/box with rows and totals.

    Args:
        report: the report.
        years: tax years to show (default: all with disposals).
        rows: include every row (False: totals only, for the terminal).
        offsets: the build's loss offset plan (``Built.offsets``): adds each year's offset
            line (``offset_line``). None: no such line.

    Returns:
        The text, ending with a newline.
    """
    rule = report.rule
    lines = [
        f"taxloss report: {rule.name} ({rule.path}, version {rule.version})",
        f"method {method_label(report)}; basis scope {report.basis_scope}; "
        f"time zone {report.timezone}; currency {rule.fiat}",
    ]
    for item in report.inputs:
        lines.append(f"input {item.path} ({item.format}, {rows_text(item.rows)})")
    shown = printed(report, figures)
    for year in years if years is not None else report.tax_years:
        if not rule.boxes:
            lines += _country_year(report, shown, year, rows)
            lines += offset_line(offsets, year)
            continue
        year_figures = shown.year(year) if rows else shown.totals(year)
        lines.append("")
        lines.append(_year_head(year))
        if not year_figures.sections:
            lines.append("  no disposals")
        for section in year_figures.sections:
            word = "short-term" if section.term is Term.SHORT else "long-term"
            line = f", Schedule D line {section.schedule_d_line}" if section.schedule_d_line else ""
            lines.append(f"  {PART[section.term]} ({word}), box {section.box}{line}")
            if rows:
                lines.extend("    " + row_line(r) for r in section.rows)
            lines.append(
                "    " + _totals_line(f"total ({rows_text(section.totals.rows)})", section.totals)
            )
        lines.append("  " + _totals_line("short-term total", year_figures.short))
        lines.append("  " + _totals_line("long-term total", year_figures.long))
        lines.append("  " + _totals_line("net gain or (loss)", year_figures.total))
        if year_figures.liquidations:
            lines.append(f"  liquidations / forced sales: {rows_text(year_figures.liquidations)}")
        lines += offset_line(offsets, year)
    if report.warnings:
        lines.append("")
        lines.append(f"Warnings ({len(report.warnings)}):")
        lines.extend(
            f"  {n.source}: {n.message}" if n.source else f"  {n.message}" for n in report.warnings
        )
    lines.append("")
    lines.append(NOT_ADVICE)
    return "\n".join(lines) + "\n"


def offset_line(offsets: OffsetPlan | CountryPlan | None, year: str) -> list[str]:
    """A year's loss offset as the summary PDF prints it, from the same plan: US Schedule D
    line 21 deduction and the carryover to next year (short/long); another country's headline
    figure and the loss carried forward. Empty when the plan has no such year or figure."""
    if offsets is None:
        return []
    found = offsets.for_year(year)
    if found is None:
        return []
    if isinstance(found, YearOffset):
        nxt = int(year) + 1
        return [
            f"  loss offset: Schedule D line 21 deduction {amount(found.deduction)}; carried "
            f"over to {nxt}: short-term {amount(found.carryover_short)}, long-term "
            f"{amount(found.carryover_long)}"
        ]
    label = getattr(offsets, "headline_label", "")
    if not label or not found.has_data:
        return []
    return [
        f"  loss offset: {label[:1].lower()}{label[1:]} {amount(found.headline)}; losses "
        f"carried forward: {amount(found.carry_forward)}"
    ]


def _country_year(report: Report, shown: Printed, year: str, rows: bool) -> list[str]:
    """One tax year of a rule without Form 8949 boxes: rows grouped by the rule's holding
    effect (AU discount, DE exemption) or by matching rule (UK, Canada), with totals."""
    effect = report.rule.holding_effect
    found = year_rows(shown, year)
    lines = ["", _year_head(year)]
    if not found:
        lines.append("  no disposals")
        return lines
    groups: dict[str, list[Row]] = {}
    for row in found:
        d = row.disposal
        if effect in HOLDING_GROUPS:
            flag, held, other = HOLDING_GROUPS[effect]
            name = held if getattr(d, flag) else other
        else:
            name = "matched by " + (MATCHING_LABEL.get(d.matching) or d.kind.value or "lot")
        groups.setdefault(name, []).append(row)
    total = Totals()
    for name in sorted(groups, key=group_order):
        lines.append(f"  {name}")
        group = Totals()
        for row in groups[name]:
            group.add(row)
            if rows:
                lines.append("    " + row_line(row))
        total.merge(group)
        lines.append("    " + _totals_line(f"total ({rows_text(group.rows)})", group))
    lines.append("  " + _totals_line("net gain or (loss)", total))
    liquidations = sum(1 for row in found if row.disposal.liquidation)
    if liquidations:
        lines.append(f"  liquidations / forced sales: {rows_text(liquidations)}")
    return lines


def comparison_text(results: Sequence[Any], year: str, rule: Rule) -> str:
    """The method comparison table for ``taxloss compare``.

    Args:
        results: ``MethodResult`` records (method, year figures, year offset).
        year: the tax-year label.
        rule: the rule used.

    Returns:
        The table and notes, ending with a newline.
    """
    us = rule.offset.strategy == "us_schedule_d"
    first, second = ("deduction", "carryover") if us else ("taxable", "carried fwd")
    held, other = ("short-term", "long-term")
    if rule.holding_effect is HoldingEffect.DISCOUNT:
        held, other = ("no discount", "discount")
    elif rule.holding_effect is HoldingEffect.EXEMPT:
        held, other = ("taxable", "exempt")
    head = (f"{'method':<8} {held:>15} {other:>15} {'net':>15} {first:>12} "
            f"{second:>15}")  # fmt: skip
    lines = [f"Tax year {year}: the same data under each method ({rule.path}, {rule.fiat})", head]
    for result in results:
        offset = result.offset
        first = getattr(offset, "deduction", getattr(offset, "headline", None))
        second = getattr(offset, "carryover_total", getattr(offset, "carry_forward", None))
        lines.append(
            f"{result.method.upper():<8} {amount(result.figures.short.gain):>15} "
            f"{amount(result.figures.long.gain):>15} {amount(result.figures.total.gain):>15} "
            f"{amount(first) if first is not None else '':>12} "
            f"{amount(second) if second is not None else '':>15}"
        )
    lines += [
        "",
        "The method must be identified at the time of each sale (from 2025, a standing order or",
        "a record made before the sale) and used consistently; it cannot be picked afterwards.",
        NOT_ADVICE,
    ]
    return "\n".join(lines) + "\n"


def comparison_json(results: Sequence[Any]) -> list[dict[str, object]]:
    """The method comparison as plain data for ``taxloss compare --json``."""
    out = []
    for result in results:
        offset = result.offset
        if offset is not None and hasattr(offset, "headline"):
            out.append({
                "method": result.method,
                "short_term": f"{result.figures.short.gain:.2f}",
                "long_term": f"{result.figures.long.gain:.2f}",
                "net": f"{result.figures.total.gain:.2f}",
                "taxable": f"{offset.headline:.2f}",
                "carried_forward": f"{offset.carry_forward:.2f}",
            })  # fmt: skip
            continue
        out.append({
            "method": result.method,
            "short_term": f"{result.figures.short.gain:.2f}",
            "long_term": f"{result.figures.long.gain:.2f}",
            "net": f"{result.figures.total.gain:.2f}",
            "deduction": f"{offset.deduction:.2f}" if offset else None,
            "carryover_short_term": f"{offset.carryover_short:.2f}" if offset else None,
            "carryover_long_term": f"{offset.carryover_long:.2f}" if offset else None,
        })  # fmt: skip
    return out
