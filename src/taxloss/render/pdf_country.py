"""``summary-<year>.pdf`` for rules other than the US: the same report for a tax professional
(cover with key figures, results, the loss offset, the method comparison or matching rules,
breakdowns, data quality and the audit trail), with the US sections (Form 8949 boxes,
Schedule D, the carryover worksheet) replaced by the country's own (``returns.loss_offset``):
UK SA108 figures, Canadian Schedule 3, the Australian CGT schedule, the German Anlage SO.
Every figure comes from ``returns.printed`` / ``returns.loss_offset``, so it equals report.json
and the XLSX to the cent.
Sees only ``Report``; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.platypus import KeepTogether, PageBreak, Spacer, Table

from taxloss import __version__
from taxloss.model import HoldingEffect, Report
from taxloss.money import ROUNDING_CONTEXT, ZERO
from taxloss.render.labels import MATCHING_LABEL, NOT_ADVICE, group_order, method_label
from taxloss.render.pdf_account import account_section
from taxloss.render.pdf_summary import (
    WIDTH,
    MethodResult,
    Summary,
    _esc,
    has_derivatives,
    m,
    para,
    table,
    write_summary,
)
from taxloss.returns.country import CountryPlan, CountryYear, Line, tax_year_end
from taxloss.returns.printed import Printed, Row, Totals, printed, year_rows

#: The appendix lists at most this many rows; the XLSX Audit sheet has all of them.
AUDIT_LIMIT = 400

HOLDING_WORDS = {
    HoldingEffect.DISCOUNT: ("no discount", "discount"),
    HoldingEffect.EXEMPT: ("taxable", "exempt"),
    HoldingEffect.CHARACTER: ("short-term", "long-term"),
    HoldingEffect.NONE: ("", ""),
}


def holding_text(row: Row, effect: HoldingEffect) -> str:
    """The holding category of a row in the rule's terms (``holding.effect``)."""
    d = row.disposal
    if effect is HoldingEffect.DISCOUNT:
        return "discount" if d.discount else "no discount"
    if effect is HoldingEffect.EXEMPT:
        return "exempt" if d.exempt else "taxable"
    if effect is HoldingEffect.CHARACTER:
        return d.term.value
    return ""


def rule_text(row: Row) -> str:
    """How a row was matched: the UK rule, the ACB pool, or the lot method."""
    d = row.disposal
    if d.kind.value == "position":
        return "position"
    return MATCHING_LABEL.get(d.matching, d.matching) or "lot"


def line_rows(lines: Sequence[Line]) -> list[list[Any]]:
    """A table body from figure lines (text values as they are, amounts as money)."""
    out: list[list[Any]] = []
    for line in lines:
        value = line.text if line.amount is None else m(line.amount)
        if line.bold:
            out.append(
                [para(f"<b>{_esc(line.label)}</b>", "cell"), para(f"<b>{_esc(value)}</b>", "num")]
            )
        else:
            out.append([line.label, value])
    return out


class CountrySummary(Summary):
    """The summary with the country's sections (see the module docstring)."""

    def __init__(
        self,
        report: Report,
        year: str,
        shown: Printed,
        plan: CountryPlan,
        comparison: Sequence[MethodResult],
        taxpayer: dict[str, str],
    ) -> None:
        super().__init__(report, year, shown, None, comparison, taxpayer)
        self.plan = plan
        self.country: CountryYear | None = plan.for_year(year)
        self.rows = year_rows(shown, year)
        self.effect = self.rule.holding_effect

    # -- 1. cover ------------------------------------------------------------------------------

    def cover(self) -> list[Any]:
        story = super().cover()
        story[0] = para(f"Capital gains and losses, tax year {self.year_words()}", "title")
        return story

    def year_words(self) -> str:
        rule = self.rule
        if (rule.tax_year_start_month, rule.tax_year_start_day) == (1, 1):
            return self.year
        first = date(int(self.year[:4]), rule.tax_year_start_month, rule.tax_year_start_day)
        last = tax_year_end(rule, self.year)
        return f"{self.year} ({first.day} {first:%B %Y} to {last.day} {last:%B %Y})"

    def key_figures(self) -> Table:
        rows: list[list[str]] = [["Key figures", self.fiat]]
        if self.country is not None:
            rows += [
                [line.label, m(line.amount)]
                for line in self.country.key_lines
                if line.amount is not None
            ]
        total = self.figures.total
        rows.append(["Disposals (rows)", str(total.rows)])
        if self.figures.liquidations:
            rows.append(["Rows from liquidations / forced sales", str(self.figures.liquidations)])
        return table(rows, [WIDTH * 0.7, WIDTH * 0.3], numeric=[1])

    def meaning(self) -> str:
        if self.country is None:
            return f"No disposals in {self.year}."
        return _esc(self.country.meaning)

    def checks(self) -> list[str]:
        rule = self.rule
        items = [f"<b>Identification.</b> {_esc(self.identification())}"]
        if self.report.conversions:
            prior = sum(1 for c in self.report.conversions if c.prior_day)
            items.append(
                f"<b>Exchange rates.</b> {len(self.report.conversions)} amount(s) were converted "
                f"into {self.fiat} at daily rates ({_esc(self.fx_source())}); {prior} used the "
                "last earlier rate because none was published that day. Each conversion names "
                "its rate, date and source in report.json and on the FX sheet of the workbook. "
                "Your tax authority may expect its own rates: give them with --fx-rates."
            )
        if has_derivatives(self.report):
            items.append(
                "<b>Derivatives.</b> Futures and margin results are one disposal per position, "
                f"funding payments: {rule.funding} (rule key derivatives.funding); the "
                "treatment of crypto derivatives is not settled in published guidance: check "
                "them."
            )
        warnings = len(self.report.warnings)
        if warnings:
            items.append(
                f"<b>Data quality.</b> {warnings} warning(s) and "
                f"{len(self.report.assumptions)} recorded assumption(s), listed in section 6 "
                "with their source rows."
            )
        if self.figures.liquidations:
            items.append(
                "<b>Liquidations.</b> Forced sales and liquidated positions are listed in "
                "section 5; liquidation fees are included in the loss."
            )
        if self.report.overrides:
            items.append(
                f"<b>Your answers.</b> {len(self.report.overrides)} row(s) were answered by "
                "your --overrides file instead of the export: each is listed in section 6 "
                "with your note; check them."
            )
        if self.country is not None:
            items += [_esc(note) for note in self.country.notes]
        return items

    def identification(self) -> str:
        rule = self.rule
        if rule.matching.value == "uk_pooling":
            return (
                "HMRC share pooling per token across all your wallets: same-day disposals and "
                f"acquisitions first, then acquisitions in the {rule.forward_window_days} days "
                "after a disposal (bed and breakfast), then the section 104 pool at average "
                "cost. Each row says which rule matched it."
            )
        if rule.matching.value == "average_cost":
            return (
                "Adjusted cost base: one average-cost pool per asset across all your wallets "
                "(identical properties). The pool's history is on the Pool sheet of the "
                "workbook."
            )
        method = self.report.method.value.upper()
        note = rule.method_notes.get(self.report.method.value)
        allowed = ", ".join(m.value for m in rule.methods)
        text = f"{method} was used (rule methods: {allowed}; default {rule.default_method.value})."
        if note:
            text += f" {note}."
        return text

    def fx_source(self) -> str:
        sources = sorted({c.rate.source.path for c in self.report.conversions})
        return ", ".join(sources)

    def facts(self) -> Table:
        rule = self.rule
        generated = self.report.generated_at
        inputs = self.plan.inputs
        rows = [
            [
                "Country and rule file",
                f"{rule.name}: {rule.path}, version {rule.version}, sha256 {rule.sha256}",
            ],
            ["Identification", method_label(self.report)],
            ["Basis scope", self.report.basis_scope],
            ["Tax year", self.year_words()],
            ["Reporting time zone", self.report.timezone],
            ["Currency", self.fiat],
            ["Exchange rates", self.fx_source() or "none needed"],
            ["taxloss version", __version__],
            [
                "Report date",
                generated.strftime("%Y-%m-%d %H:%M UTC") + " (latest input timestamp, or "
                "SOURCE_DATE_EPOCH)"
                if generated
                else "not available",
            ],
            ["Losses brought into the first year", m(inputs.losses_brought_forward)],
        ]
        if rule.offset.strategy == "uk_sa108":
            rows.append(
                [
                    "Income band for the CGT estimate",
                    inputs.income_band or "not given (both rates shown)",
                ]
            )
        return table(rows, [WIDTH * 0.3, WIDTH * 0.7], header=False)

    # -- 2. results ----------------------------------------------------------------------------

    def results(self) -> list[Any]:
        story: list[Any] = []
        title = self.country.return_title if self.country else "Results"
        story.append(para(f"2. {_esc(title)}", "h1"))
        if self.country is not None:
            rows = [["Figure", self.fiat], *line_rows(self.country.return_lines)]
            story.append(table(rows, [WIDTH * 0.75, WIDTH * 0.25], numeric=[1]))
        story.append(Spacer(1, 6))
        story += self.groups_table()
        income = self.income_total()
        story.append(Spacer(1, 6))
        story.append(
            para(
                f"Income received in crypto assets (staking, interest, rewards) in {self.year}: "
                f"<b>{m(income)} {self.fiat}</b>, at its value when received (not a disposal; "
                "it is the cost of those units)."
            )
        )
        return story

    def groups_table(self) -> list[Any]:
        """Rows, proceeds, costs and gains by matching rule (pools) or holding category."""
        key = (
            rule_text
            if self.effect is HoldingEffect.NONE
            else (lambda r: holding_text(r, self.effect))
        )
        title = "By matching rule" if self.effect is HoldingEffect.NONE else "By holding period"
        groups: dict[str, Totals] = defaultdict(Totals)
        for row in self.rows:
            groups[key(row)].add(row)
        if not groups:
            return [para("No disposals in this tax year.")]
        adjusted = any(t.adjustment for t in groups.values())
        rows = [
            [
                title.replace("By ", "").capitalize(),
                "Rows",
                "Proceeds",
                "Cost",
                *(["Loss denied"] if adjusted else []),
                "Gain or (loss)",
            ]
        ]
        total = Totals()
        for name in [*sorted(groups, key=group_order), "Total"]:
            t = total if name == "Total" else groups[name]
            if name != "Total":
                total.merge(t)
            rows.append(
                [
                    name,
                    str(t.rows),
                    m(t.proceeds),
                    m(t.cost_basis),
                    *([m(t.adjustment)] if adjusted else []),
                    m(t.gain),
                ]
            )
        widths = (0.3, 0.08, 0.16, 0.16, 0.14, 0.16) if adjusted else (0.34, 0.1, 0.19, 0.19, 0.18)
        return [
            para(title, "h2"),
            table(
                rows,
                [WIDTH * w for w in widths],
                numeric=list(range(1, len(widths))),
                bold_last=True,
            ),
        ]

    # -- 3. loss offset ------------------------------------------------------------------------

    def loss_offset(self) -> list[Any]:
        c = self.country
        title = c.offset_title if c else "Loss offset"
        story: list[Any] = [para(f"3. {_esc(title)}", "h1")]
        if c is None:
            story.append(para("No figures for this tax year."))
            return story
        rows = [["Step", self.fiat], *line_rows(c.offset_lines)]
        story.append(table(rows, [WIDTH * 0.75, WIDTH * 0.25], numeric=[1]))
        story += self.plan_years()
        return story

    def plan_years(self) -> list[Any]:
        plan = self.plan
        if len(plan.years) < 2:
            return []
        rows = [["Tax year", *plan.columns]]
        for y in plan.years:
            label = y.year + ("" if y.has_data else " (no disposals)")
            rows.append([label, *(m(v) if v is not None else "" for v in y.summary)])
        width = WIDTH / len(rows[0])
        return [
            para("Every tax year in the data (losses flow into the next year)", "h2"),
            table(rows, [width] * len(rows[0]), numeric=list(range(1, len(rows[0])))),
        ]

    # -- 4. method comparison / matching -------------------------------------------------------

    def methods(self) -> list[Any]:
        if len(self.rule.methods) > 1 and self.comparison:
            story: list[Any] = [para("4. Method comparison", "h1")]
            rows = [
                ["Method", "Gains", "Losses", "Net", self.plan.headline_label, "Carried forward"]
            ]
            for r in self.comparison:
                c = r.offset
                gains = sum(
                    (row.gain for s in r.figures.sections for row in s.rows if row.gain > 0), ZERO
                )
                rows.append(
                    [
                        r.method.upper()
                        + (" (used)" if r.method == self.report.method.value else ""),
                        m(gains),
                        m(gains - r.figures.total.gain),
                        m(r.figures.total.gain),
                        m(c.headline) if isinstance(c, CountryYear) else "",
                        m(c.carry_forward) if isinstance(c, CountryYear) else "",
                    ]
                )
            story.append(
                table(
                    rows,
                    [WIDTH * w for w in (0.2, 0.16, 0.16, 0.16, 0.16, 0.16)],
                    numeric=[1, 2, 3, 4, 5],
                )
            )
            story.append(
                para(
                    "Gains and losses are the sums of the year's gaining and losing rows. A "
                    "method must be applied consistently and, where a specific identification "
                    "is required, recorded at the time of each sale; it cannot be chosen "
                    "afterwards to fit the result.",
                    "small",
                )
            )
            return story
        story = [para("4. How disposals were matched", "h1"), para(_esc(self.identification()))]
        if self.report.pool_history:
            story += self.pool_table()
        story += self.superficial_table()
        return story

    def superficial_table(self) -> list[Any]:
        """Every disposal of the year with a denied (superficial) loss."""
        denied = [r for r in self.rows if r.disposal.denied_loss]
        if not denied:
            return []
        rows = [["Row", "Description", "Sold", "Loss before", "Denied", "Allowed loss", "Sale row"]]
        for r in denied:
            rows.append(
                [
                    str(r.number),
                    r.description,
                    r.disposed.isoformat(),
                    m(r.proceeds - r.cost_basis),
                    m(r.adjustment),
                    m(r.gain),
                    str(r.disposal.sale_source),
                ]
            )
        return [
            para("Superficial losses denied", "h2"),
            table(
                rows,
                [WIDTH * w for w in (0.06, 0.18, 0.11, 0.13, 0.12, 0.13, 0.27)],
                numeric=[3, 4, 5],
            ),
            para(
                "Each denied amount is added to the ACB of the pool that holds the substituted "
                "property (shown in the pool history).",
                "small",
            ),
        ]

    def pool_table(self) -> list[Any]:
        """Each pool at the end of the tax year (units and cost), from the pool history."""
        end = tax_year_end(self.rule, self.year)
        last: dict[str, Any] = {}
        for entry in self.report.pool_history:
            if entry.moment.date() <= end:
                last[entry.asset] = entry
        if not last:
            return []
        rows = [["Asset", "Units in the pool", "Pool cost", "Average cost per unit"]]
        for asset in sorted(last):
            e = last[asset]
            if e.units_after == 0 and e.cost_after == 0:
                continue  # sold out: nothing left in the pool
            per_unit = e.cost_after / e.units_after if e.units_after else ZERO
            rows.append(
                [
                    asset,
                    f"{e.units_after.normalize():f}",
                    m(e.cost_after),
                    m(per_unit.quantize(Decimal("0.01"), context=ROUNDING_CONTEXT)),
                ]
            )
        return [
            para(f"Pools at the end of the tax year ({end})", "h2"),
            table(rows, [WIDTH * w for w in (0.2, 0.3, 0.25, 0.25)], numeric=[1, 2, 3]),
            para(
                "Every change of each pool is on the Pool sheet of the workbook and in "
                "report.json pool_history.",
                "small",
            ),
        ]

    # -- 5. breakdown hooks --------------------------------------------------------------------

    def term_text(self, row: Row) -> str:
        return holding_text(row, self.effect) or rule_text(row)

    def term_heading(self) -> str:
        return "Holding" if self.effect is not HoldingEffect.NONE else "Matched by"

    def loss_widths(self) -> tuple[float, ...]:
        return (0.06, 0.18, 0.1, 0.1, 0.12, 0.13, 0.31)

    def month_labels(self) -> list[str]:
        rule = self.rule
        first = int(self.year[:4])
        month = rule.tax_year_start_month
        labels = []
        for n in range(12):
            year, index = divmod(month - 1 + n, 12)
            labels.append(f"{first + year}-{index + 1:02d}")
        if rule.tax_year_start_day > 1:
            labels.append(f"{first + 1}-{month:02d}")
        return labels

    # -- 6. data quality -----------------------------------------------------------------------

    def quality(self) -> list[Any]:
        story = super().quality()
        conversions = self.report.conversions
        if conversions:
            story.append(para("Exchange rates", "h2"))
            by_currency: dict[str, list[Any]] = defaultdict(list)
            for c in conversions:
                by_currency[c.currency].append(c)
            rows = [
                [
                    "Currency",
                    "Conversions",
                    "First rate date",
                    "Last rate date",
                    "Prior-day rates used",
                ]
            ]
            for name in sorted(by_currency):
                items = by_currency[name]
                rows.append(
                    [
                        name,
                        str(len(items)),
                        str(min(c.rate.day for c in items)),
                        str(max(c.rate.day for c in items)),
                        str(sum(1 for c in items if c.prior_day)),
                    ]
                )
            story.append(table(rows, [WIDTH * 0.2] * 5, numeric=[1, 4]))
            story.append(para(f"Source: {_esc(self.fx_source())}.", "small"))
        return story

    # -- 7. audit trail ------------------------------------------------------------------------

    def audit(self) -> list[Any]:
        rows = self.rows
        story: list[Any] = [
            para("7. Appendix: audit trail", "h1"),
            para(
                "Each disposal row, how it was matched, and its source rows (file:line).", "small"
            ),
        ]
        head = "Holding" if self.effect is not HoldingEffect.NONE else "Matched by"
        table_rows = [
            ["Row", head, "Description", "Acquired", "Gain or (loss)", "Sale row", "Lot row"]
        ]
        for r in rows[:AUDIT_LIMIT]:
            acquired = (
                "pool"
                if r.disposal.matching in ("s104_pool", "acb_pool")
                else (r.acquired.isoformat())
            )
            table_rows.append(
                [
                    str(r.number),
                    self.term_text(r),
                    r.description,
                    acquired,
                    m(r.gain),
                    str(r.disposal.sale_source),
                    str(r.disposal.lot_source),
                ]
            )
        story.append(
            table(
                table_rows, [WIDTH * w for w in (0.06, 0.12, 0.2, 0.1, 0.12, 0.2, 0.2)], numeric=[4]
            )
        )
        if len(rows) > AUDIT_LIMIT:
            story.append(
                para(
                    f"The first {AUDIT_LIMIT} of {len(rows)} rows are shown; the "
                    f"complete trail is in capital-gains-{self.year}.xlsx and "
                    "report.json.",
                    "small",
                )
            )
        return story

    def story(self) -> list[Any]:
        return [
            # Issue #15: "Where the money went" comes first, before the tax figures.
            *account_section(self.report, self.year, WIDTH, self.shown),
            PageBreak(),
            *self.cover(),
            PageBreak(),
            *self.results(),
            *self.loss_offset(),
            PageBreak(),
            *self.methods(),
            *self.breakdown(),
            PageBreak(),
            *self.quality(),
            PageBreak(),
            *self.audit(),
            Spacer(1, 8),
            KeepTogether([para(f"<b>{_esc(NOT_ADVICE)}</b>", "small")]),
        ]


def render_pdf_country(
    report: Report,
    out: Path,
    year: str,
    plan: CountryPlan,
    comparison: Sequence[MethodResult] = (),
    taxpayer: dict[str, str] | None = None,
    figures: Printed | None = None,
) -> Path:
    """Write ``summary-<year>.pdf`` for a non-US rule.

    Args:
        report: the report.
        out: the file to write.
        year: the tax-year label (``2025`` or ``2024-25``).
        plan: the country's loss-offset plan (``returns.loss_offset``).
        comparison: the same year under each allowed method (rules with several methods).
        taxpayer: optional ``name`` and ``id``.
        figures: printed rows already computed for this report, if any.

    Returns:
        ``out``.
    """
    shown = printed(report, figures)
    summary = CountrySummary(report, year, shown, plan, comparison, taxpayer or {})
    return write_summary(summary, out)
