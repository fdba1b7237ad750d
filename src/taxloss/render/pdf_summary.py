"""``summary-<year>.pdf``: the report a taxpayer hands to their tax professional.

Numbers first, then what they mean, then what to check: the key figures and the capital-loss
offset on the cover, then results by part and box, the Schedule D netting and the Capital Loss
Carryover Worksheet line by line, a multi-year projection, a FIFO/LIFO/HIFO comparison, a
breakdown by asset, wallet and month (with a chart), the largest losses and the liquidations,
every warning and assumption with its source row, and the audit trail. Every figure comes from
``returns.printed`` / ``returns.us``, so it equals report.json and the XLSX to the cent.
Sees only ``Report``; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from heapq import nsmallest
from operator import attrgetter
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from taxloss import __version__
from taxloss.model import DisposalKind, Report
from taxloss.money import ZERO, plain
from taxloss.render.labels import NOT_ADVICE, PART, TERM_WORD, method_label
from taxloss.render.pdf_account import account_section, debt_checks
from taxloss.render.pdf_common import BOLD, FONT, GREY, LIGHT, NumberedCanvas, clip, money_text
from taxloss.render.pdf_text import text_width
from taxloss.returns.printed import (
    Printed,
    Row,
    Totals,
    YearFigures,
    income_by_year,
    printed,
    totals_of,
)
from taxloss.returns.reconcile import broker_totals, needs_review, withholding
from taxloss.returns.us import OffsetPlan, YearOffset

#: The appendix lists at most this many rows; the XLSX Audit sheet has all of them.
AUDIT_LIMIT = 400
#: At most this many assumptions are listed per kind (report.json has all of them).
ASSUMPTIONS_LISTED = 15
WIDTH = letter[0] - 1.3 * inch
#: Assumptions made while reading the files (issue #13): one per file, each saying something
#: different (UTC+8 for one file, UTC for another), so each is listed with its own message.
EACH_MESSAGE = frozenset(
    {
        "zone_assumed",
        "encoding_assumed",
        "delimiter_assumed",
        "decimal_comma_assumed",
        "dates_day_first",
        "dates_month_first",
    }
)

#: Plain-words labels of the assumption codes in "Recorded assumptions" (the code follows in
#: brackets, as report.json names it). A code not listed is shown as its words.
ASSUMPTION_LABELS = {
    "stablecoin_at_par": "Stablecoin valued at par",
    "price_from_file": "Price taken from --prices",
    "fx_rate": "Exchange rate applied",
    "fx_rate_prior_day": "Exchange rate of an earlier day applied",
    "zone_assumed": "Time zone assumed",
    "encoding_assumed": "Text encoding assumed",
    "delimiter_assumed": "Column separator assumed",
    "decimal_comma_assumed": "Decimal comma assumed",
    "dates_day_first": "Dates read day first",
    "dates_month_first": "Dates read month first",
    "ticker_read_as_crypto": "Ticker read as a crypto asset",
}


def assumption_label(code: str) -> str:
    """An assumption's kind in plain words, then its code in brackets."""
    words = ASSUMPTION_LABELS.get(code) or code.replace("_", " ").capitalize()
    return f"{words} ({code})"


WORKSHEET_TEXT = {
    "1": "Taxable income (Form 1040, line 15); if negative, the negative number",
    "2": "Loss from Schedule D, line 21, as a positive amount",
    "3": "Line 1 plus line 2 (if zero or less, 0)",
    "4": "Smaller of line 2 or line 3",
    "5": "Loss from Schedule D, line 7, as a positive amount",
    "6": "Gain, if any, from Schedule D, line 15",
    "7": "Line 4 plus line 6",
    "8": "Short-term capital loss carryover to next year: line 5 minus line 7",
    "9": "Loss from Schedule D, line 15, as a positive amount",
    "10": "Gain, if any, from Schedule D, line 7",
    "11": "Line 4 minus line 5 (if zero or less, 0)",
    "12": "Line 10 plus line 11",
    "13": "Long-term capital loss carryover to next year: line 9 minus line 12",
}


@dataclass(frozen=True)
class MethodResult:
    """One method's figures for the comparison table."""

    method: str
    figures: YearFigures
    offset: YearOffset | None


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5),
        "grey": ParagraphStyle("grey", parent=base, fontSize=7.5, leading=9.5, textColor=GREY),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=18, leading=22),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, fontSize=11, leading=14, textColor=GREY
        ),
        "h1": ParagraphStyle(
            "h1", parent=base, fontName=BOLD, fontSize=13, leading=16, spaceBefore=6, spaceAfter=6
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=BOLD, fontSize=10, leading=13, spaceBefore=8, spaceAfter=4
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9),
        "num": ParagraphStyle("num", parent=base, fontSize=7.5, leading=9, alignment=TA_RIGHT),
    }


S = _styles()


def _esc(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def para(text: str, style: str = "base") -> Paragraph:
    """A paragraph (text is escaped unless it already contains markup we wrote)."""
    return Paragraph(text, S[style])


def has_derivatives(report: Report) -> bool:
    """Whether the data has a derivative position or a forced sale (margin): only then does
    the checklist speak of derivatives."""
    disposals = report.disposals
    # Scanned with ``map`` (the whole data, once per summary): a generator costs a build of
    # 100,000 rows a tenth of a second.
    return any(map(attrgetter("liquidation"), disposals)) or DisposalKind.POSITION in set(
        map(attrgetter("kind"), disposals)
    )


#: A table cell's padding left and right (reportlab's default, stated so that ``table`` can
#: tell whether a cell's text fits on one line of its column).
CELL_PADDING = 6


#: How far (points) a text's width must stay below a line's room for ``_cell`` to draw it
#: itself: reportlab measures with its own rounding, so a closer call is left to a paragraph.
_MARGIN = 0.01


def _cell(text: str, bold: bool, room: float, numeric: bool) -> str | Paragraph | list[Any]:
    """A table cell of ``text``: the text itself when it fits on one line of ``room`` points,
    otherwise a small paragraph (so it wraps).

    Why: a table of the appendix has hundreds of rows, and a paragraph per cell (parsed,
    measured and broken into lines at every layout pass) was most of a summary's build time.
    A string cell is drawn by the table itself, from the font, leading and alignment that
    ``table`` sets on its cells, where the paragraph's one line would be drawn: one leading
    tall, the baseline a font size below the cell's top padding, starting at the left padding
    or ending at the right one. Only text that a paragraph would draw unchanged goes this way:
    printable, with no space at either end or doubled (a paragraph joins its words with one
    space). An empty cell is an empty list: nothing is drawn, and the row is no taller than a
    blank paragraph makes it.
    """
    if not text:
        return []
    style = S["cell"]
    if (
        text.isprintable()
        and text[0] != " "
        and text[-1] != " "
        and "  " not in text
        and text_width(text, BOLD if bold else style.fontName, style.fontSize) < room - _MARGIN
    ):
        return text
    words = _esc(text)
    return Paragraph(f"<b>{words}</b>" if bold else words, S["num" if numeric else "cell"])


def table(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    numeric: Sequence[int] = (),
    header: bool = True,
    bold_last: bool = False,
    zebra: bool = True,
) -> Table:
    """A styled table; cells that are strings wrap when they do not fit on one line (``_cell``);
    numeric columns are right-aligned; the header row (and with ``bold_last`` the last row)
    is bold."""
    style = S["cell"]
    rooms = [width - 2 * CELL_PADDING for width in widths]
    last = len(rows) - 1
    body = []
    for r, row in enumerate(rows):
        bold = (header and r == 0) or (bold_last and r == last)
        cells: list[Any] = []
        for c, cell in enumerate(row):
            if isinstance(cell, str):
                cells.append(_cell(clip(cell), bold, rooms[c], c in numeric))
            else:
                cells.append(cell)
        body.append(cells)
    result = Table(body, colWidths=list(widths), repeatRows=1 if header else 0)
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 0), (-1, -1), style.fontName, style.fontSize, style.leading),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.Color(0.8, 0.8, 0.8)),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    commands += [("ALIGN", (c, 0), (c, -1), "RIGHT") for c in numeric]
    if header:
        commands.append(("FONT", (0, 0), (-1, 0), BOLD, style.fontSize, style.leading))
        commands.append(("BACKGROUND", (0, 0), (-1, 0), LIGHT))
        commands.append(("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black))
    if bold_last:
        commands.append(("FONT", (0, -1), (-1, -1), BOLD, style.fontSize, style.leading))
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black))
    if zebra and len(rows) > 6:
        for r in range(2 if header else 1, len(rows), 2):
            commands.append(("BACKGROUND", (0, r), (-1, r), colors.Color(0.975, 0.978, 0.985)))
    result.setStyle(TableStyle(commands))
    return result


def m(value: Decimal | None) -> str:
    """Money as on the forms."""
    return money_text(value)


class Summary:
    """Builds the story (list of flowables) of one tax year's summary."""

    def __init__(
        self,
        report: Report,
        year: str,
        shown: Printed,
        offsets: OffsetPlan | None,
        comparison: Sequence[MethodResult],
        taxpayer: dict[str, str],
    ) -> None:
        self.report = report
        self.rule = report.rule
        self.year = year
        self.shown = shown
        self.figures = (
            shown.year(year)
            if year in report.tax_years
            else YearFigures(year, [], Totals(), Totals())
        )
        self.offsets = offsets
        self.offset = offsets.for_year(year) if offsets else None
        self.comparison = comparison
        self.taxpayer = taxpayer
        self.fiat = self.rule.fiat

    # -- 1. cover ------------------------------------------------------------------------------

    def cover(self) -> list[Any]:
        name = self.taxpayer.get("name", "")
        story: list[Any] = [
            para(f"Capital gains and losses, tax year {self.year}", "title"),
            para(
                "Summary for your tax professional" + (f" &mdash; {_esc(name)}" if name else ""),
                "subtitle",
            ),
            Spacer(1, 10),
        ]
        story.append(self.key_figures())
        story.append(Spacer(1, 8))
        story += [para("What this means", "h2"), para(self.meaning())]
        story += [para("What your tax professional should check", "h2")]
        story += [para(f"&bull; {item}") for item in self.checks()]
        story += [para("How this report was made", "h2"), self.facts(), Spacer(1, 6)]
        story.append(self.inputs_table())
        story += [Spacer(1, 8), para(f"<b>{_esc(NOT_ADVICE)}</b>", "small")]
        return story

    def key_figures(self) -> Table:
        f = self.figures
        rows: list[list[str]] = [["Key figures", f"{self.fiat}"]]
        o = self.offset
        if o is not None:
            rows += [
                ["Net short-term gain or (loss) (Schedule D line 7)", m(o.line7)],
                ["Net long-term gain or (loss) (Schedule D line 15)", m(o.line15)],
                ["Net capital gain or (loss) (Schedule D line 16)", m(o.line16)],
                ["Deducted from ordinary income this year (line 21)", m(o.deduction)],
                [f"Carried over to {int(self.year) + 1}: short-term", m(o.carryover_short)],
                [f"Carried over to {int(self.year) + 1}: long-term", m(o.carryover_long)],
            ]
            saving = self.saving(o.deduction)
            if saving is not None:
                rows.append(
                    [
                        f"Estimated tax saving this year at "
                        f"{plain(self.offsets.inputs.marginal_rate)}% (estimate)",
                        m(saving),
                    ]
                )  # type: ignore[union-attr]
        else:
            rows += [
                ["Net short-term gain or (loss)", m(f.short.gain)],
                ["Net long-term gain or (loss)", m(f.long.gain)],
                ["Net gain or (loss)", m(f.total.gain)],
            ]
        rows.append(["Form 8949 rows (disposals)", str(f.total.rows)])
        if self.report.form_rows or self.report.reported_by:
            review = len(needs_review(self.report, self.year))
            rows.append(["Form 1099-DA differences to review (see 'Your Forms 1099-DA')",
                         str(review)])  # fmt: skip
            held = withholding(self.report).get(self.year)
            if held:
                rows.append(["Federal income tax withheld on Forms 1099-DA (box 4; tax paid)",
                             m(held)])  # fmt: skip
        if f.liquidations:
            rows.append(["Rows from liquidations / forced sales", str(f.liquidations)])
        return table(rows, [WIDTH * 0.7, WIDTH * 0.3], numeric=[1])

    def saving(self, amount: Decimal) -> Decimal | None:
        rate = self.offsets.inputs.marginal_rate if self.offsets else None
        if rate is None:
            return None
        return amount * rate / 100

    def meaning(self) -> str:
        o = self.offset
        f = self.figures
        if o is None:
            return (
                f"In {self.year} your disposals gave a net result of {m(f.total.gain)} "
                f"{self.fiat} ({m(f.short.gain)} short-term, {m(f.long.gain)} long-term)."
            )
        parts = []
        if o.line16 < 0:
            parts.append(
                f"Your {self.year} disposals, with any carryover from earlier years, give a net "
                f"capital loss of {m(-o.line16)} {self.fiat}. Up to {m(o.limit)} of a net loss "
                f"reduces your ordinary income each year ({o.filing_status}); this year that is "
                f"{m(o.deduction)}."
            )
            if o.carryover_total > 0:
                parts.append(
                    f"The remaining {m(o.carryover_total)} carries forward to {int(self.year) + 1} "
                    f"({m(o.carryover_short)} short-term, {m(o.carryover_long)} long-term). "
                    "It offsets capital gains first, then up to the limit of ordinary income, "
                    "every year until it is used up; it does not expire during your lifetime."
                )
                last = self.offsets.projection if self.offsets else []
                if last and self.offsets and self.offsets.years[-1].year == self.year:
                    end = last[-1]
                    if self.offsets.projection_complete:
                        parts.append(
                            f"With the assumptions below it would be used up in {end.year}."
                        )
                    else:
                        parts.append(
                            f"With the assumptions below {m(end.carry_out)} would "
                            f"remain after {end.year}."
                        )
        elif o.line16 > 0:
            parts.append(
                f"Your {self.year} disposals give a net capital gain of {m(o.line16)} {self.fiat} "
                "(after any carryover from earlier years). Long-term gains are usually taxed at "
                "lower rates than short-term gains; the tax computation is on the official "
                "Schedule D (lines 17-22)."
            )
        else:
            parts.append(f"Your {self.year} disposals net to zero.")
        return " ".join(parts)

    def checks(self) -> list[str]:
        rule = self.rule
        items = [
            f"<b>Lot identification.</b> {self.report.method.value.upper()} was used. From 2025 "
            "a method other than FIFO needs a specific identification or standing order "
            "recorded before each sale (Treas. Reg. §1.1012-1(j)); the method comparison below "
            "shows what the choice changes.",
            self.boxes_check(),
        ]
        if has_derivatives(self.report):
            items.append(
                "<b>Derivatives.</b> Perpetual futures and margin results are treated as ordinary "
                "capital gains and losses (not §1256 contracts; no IRS guidance specific to "
                f"crypto derivatives). Funding payments: {rule.funding} (rule key "
                "derivatives.funding)."
            )
        warnings = len(self.report.warnings)
        if warnings:
            items.append(
                f"<b>Data quality.</b> {warnings} warning(s) and "
                f"{len(self.report.assumptions)} recorded assumption(s), listed in "
                "section 6 with their source rows."
            )
        if self.report.conversions:
            currencies = ", ".join(sorted({c.currency for c in self.report.conversions}))
            prior = sum(1 for c in self.report.conversions if c.prior_day)
            items.append(
                f"<b>Exchange rates.</b> {len(self.report.conversions)} amount(s) in "
                f"{_esc(currencies)} were converted into {rule.fiat} at the ECB reference rate "
                f"of their date; {prior} used the last earlier rate because none was published "
                "that day. Each conversion is in report.json (conversions) and in section 6. "
                "Check whether another rate should be used (--fx-rates)."
            )
        if self.report.overrides:
            items.append(
                f"<b>Your answers.</b> {len(self.report.overrides)} row(s) were answered by "
                "your --overrides file instead of the export (skipped, retyped or valued by "
                "you): each is listed in section 6 with your note; check them."
            )
        if self.offset is not None and self.offset.income_assumed:
            items.append(
                "<b>Taxable income.</b> Not given; the carryover worksheet assumed "
                "it was at least zero (use --taxable-income)."
            )
        if self.figures.liquidations:
            items.append(
                "<b>Liquidations.</b> Forced sales and liquidated positions are listed "
                "in section 5; liquidation fees are included in the loss."
            )
        items += debt_checks(self.report, self.shown)  # issue #15
        items.append(
            "<b>Form 1040 digital asset question.</b> "
            + (
                "Answer <b>Yes</b>: there were disposals or income in digital assets this year."
                if self.figures.total.rows or self.income_total()
                else "No disposal or income in digital assets was found for this year."
            )
        )
        return items

    def boxes_check(self) -> str:
        """The checklist item on Form 8949 boxes: assumed none, or the Forms 1099-DA given."""
        if not self.report.form_rows and not self.report.reported_by:
            # Boxes C/F are the years before Form 1099-DA: a broker then sent a 1099-B.
            before_1099da = any(s.box in ("C", "F") for s in self.figures.sections)
            form, boxes = (
                ("1099-B", "A/B (short) or D/E (long)")
                if before_1099da
                else ("1099-DA", "G/H (short) or J/K (long)")
            )
            return (
                "<b>Form 8949 boxes.</b> taxloss assumed no Form 1099-B or 1099-DA was issued "
                f"(box {self.boxes_text()}). If a broker issued a Form {form} for these sales, "
                f"the rows for that broker belong in box {boxes}."
            )
        review = len(needs_review(self.report, self.year))
        return (
            f"<b>Forms 1099-DA.</b> Rows reported on a Form 1099-DA are in box G/H (short) or "
            f"J/K (long), with the form's figures in columns (d) and (e) and codes B, E, T "
            f"where ours differ; other rows in box I/L (boxes used: {self.boxes_text()}). "
            f"{review} difference(s) to review, each listed in 'Your Forms 1099-DA' with its "
            "source rows."
        )

    def forms_1099da(self) -> list[Any]:
        """Section "Your Forms 1099-DA": per broker and box Σ1f vs Σ(d), Σ1g vs Σ(e), Σ(g);
        box 4 withholding; every difference to review with its reason and source rows."""
        report = self.report
        if not report.form_rows and not report.reported_by:
            return []
        story: list[Any] = [para("Your Forms 1099-DA", "h1")]
        totals = broker_totals(report, self.year)
        if totals:
            story.append(para(
                "Form 8949 columns (d) and (e) carry the broker's boxes 1f and 1g; column (g) "
                "corrects them to our own figures, so column (h) is our gain on every row. "
                "Where Σ1f and Σ(d) differ, a form row has no sale of ours (listed below) or we "
                "received more than the form shows."
            ))  # fmt: skip
            rows: list[list[str]] = [["Broker (wallet)", "Box", "Form rows", "Σ1f proceeds",
                                      "Σ(d)", "Σ1g basis", "Σ(e)", "Σ(g)"]]  # fmt: skip
            for entry in totals:
                rows.append([
                    f"{entry.broker} ({entry.wallet})", entry.box, str(entry.form_rows),
                    m(entry.form_proceeds), m(entry.column_d),
                    m(entry.form_basis) if entry.form_basis is not None else "not shown",
                    m(entry.column_e), m(entry.column_g),
                ])  # fmt: skip
            widths = (0.22, 0.06, 0.08, 0.13, 0.13, 0.13, 0.13, 0.12)
            story.append(table(rows, [WIDTH * w for w in widths], numeric=[2, 3, 4, 5, 6, 7]))
        else:
            story.append(para(f"No Form 1099-DA row was given for {self.year}."))
        held = withholding(report).get(self.year, ZERO)
        story.append(Spacer(1, 6))
        story.append(para(
            f"Federal income tax withheld (box 4) in {self.year}: <b>{m(held)} {self.fiat}</b>"
            " (report it as tax paid on Form 1040; it is not part of any gain or loss)."
        ))  # fmt: skip
        review = needs_review(report, self.year)
        story.append(para(f"Differences to review ({len(review)})", "h2"))
        if not review:
            story.append(para("None: every form row matched our sales to the cent."))
            return story
        rows = [["Status", "Sale", "Difference", "Likely reason", "Source rows"]]
        for line in review:
            sources = [str(line.form.source)] if line.form is not None else []
            sources += [str(s) for s in line.sale_sources]
            rows_text = f"; Form 8949 rows {', '.join(map(str, line.rows))}" if line.rows else ""
            rows.append([
                line.status.replace("_", " "),
                f"{line.wallet}: {plain(line.units)} {line.asset} sold "
                f"{line.sold_on.isoformat()}, box {line.box}",
                "; ".join(line.differences), "; ".join(line.reasons),
                ", ".join(sources) + rows_text,
            ])  # fmt: skip
        widths = (0.11, 0.17, 0.24, 0.28, 0.2)
        story.append(table(rows, [WIDTH * w for w in widths]))
        return story

    def boxes_text(self) -> str:
        letters = sorted({s.box for s in self.figures.sections}) or ["-"]
        return ", ".join(letters)

    def income_total(self) -> Decimal:
        return income_by_year(self.report).get(self.year, ZERO)

    def facts(self) -> Table:
        rule = self.rule
        generated = self.report.generated_at
        rows = [
            [
                "Country and rule file",
                f"{rule.name}: {rule.path}, version {rule.version}, sha256 {rule.sha256}",
            ],
            ["Method", self.report.method.value.upper()],
            ["Basis scope", self.report.basis_scope],
            ["Reporting time zone", self.report.timezone],
            ["Currency", self.fiat],
            ["taxloss version", __version__],
            [
                "Report date",
                generated.strftime("%Y-%m-%d %H:%M UTC") + " (latest input "
                "timestamp, or SOURCE_DATE_EPOCH)"
                if generated
                else "not available",
            ],
        ]
        if self.offsets is not None:
            i = self.offsets.inputs
            income = i.taxable_income
            income_text = (
                "not given"
                if income is None
                else ", ".join(f"{k}: {m(v)}" for k, v in income.items())
                if isinstance(income, dict)
                else m(income)
            )
            rows += [
                ["Filing status", i.filing_status],
                ["Taxable income (Form 1040 line 15)", income_text],
                [
                    "Carryover into the first year",
                    f"short-term {m(i.carryover_in_short)}, long-term {m(i.carryover_in_long)}",
                ],
                [
                    "Other gains entered",
                    f"short-term {m(i.other_short_gains)}, long-term "
                    f"{m(i.other_long_gains)} (tax year {i.other_year})",
                ],
                ["Assumed future gains per year", m(i.assume_future_gains)],
            ]
        return table(rows, [WIDTH * 0.3, WIDTH * 0.7], header=False)

    def inputs_table(self) -> Table:
        rows: list[list[str]] = [["Input file", "Format", "Rows", "First", "Last", "sha256"]]
        for i in self.report.inputs:
            rows.append(
                [
                    i.path,
                    i.format,
                    str(i.rows),
                    i.first.date().isoformat() if i.first else "",
                    i.last.date().isoformat() if i.last else "",
                    i.sha256,
                ]
            )
        return table(rows, [WIDTH * w for w in (0.28, 0.15, 0.09, 0.1, 0.1, 0.28)], numeric=[2])

    # -- 2. results ----------------------------------------------------------------------------

    def results(self) -> list[Any]:
        f = self.figures
        story: list[Any] = [para("2. Results by part and box", "h1")]
        rows: list[list[str]] = [
            [
                "Part / box",
                "Schedule D line",
                "Rows",
                "(d) Proceeds",
                "(e) Cost basis",
                "(g) Adjustments",
                "(h) Gain or (loss)",
            ]
        ]
        for section in f.sections:
            t = section.totals
            rows.append(
                [
                    f"{PART[section.term]} ({TERM_WORD[section.term]}), box {section.box}",
                    section.schedule_d_line,
                    str(t.rows),
                    m(t.proceeds),
                    m(t.cost_basis),
                    m(t.adjustment),
                    m(t.gain),
                ]
            )
        for label, t in (("Total short-term", f.short), ("Total long-term", f.long)):
            rows.append(
                [label, "", str(t.rows), m(t.proceeds), m(t.cost_basis), m(t.adjustment), m(t.gain)]
            )
        t = f.total
        rows.append(
            ["Total", "", str(t.rows), m(t.proceeds), m(t.cost_basis), m(t.adjustment), m(t.gain)]
        )
        story.append(
            table(
                rows,
                [WIDTH * w for w in (0.25, 0.1, 0.07, 0.15, 0.15, 0.13, 0.15)],
                numeric=[2, 3, 4, 5, 6],
                bold_last=True,
            )
        )
        if self.offset is not None:
            o = self.offset
            story.append(Spacer(1, 6))
            story.append(
                table(
                    [
                        ["Schedule D", f"{self.fiat}"],
                        [
                            "Line 7: net short-term gain or (loss), after the carryover on line 6",
                            m(o.line7),
                        ],
                        [
                            "Line 15: net long-term gain or (loss), after the carryover on line 14",
                            m(o.line15),
                        ],
                        ["Line 16: lines 7 and 15 combined", m(o.line16)],
                    ],
                    [WIDTH * 0.75, WIDTH * 0.25],
                    numeric=[1],
                )
            )
        income = self.income_total()
        story.append(Spacer(1, 6))
        story.append(
            para(
                f"Ordinary income received in digital assets (staking, interest, "
                f"rewards) in {self.year}: <b>{m(income)} {self.fiat}</b>, at fair "
                "value when received (not on Form 8949; it is the basis of those "
                "units)."
            )
        )
        expenses = [e for e in self.report.expenses if e.tax_year == self.year]
        if expenses:
            total = sum((e.fiat_value for e in expenses), ZERO)
            story.append(
                para(
                    f"Margin interest and other expenses paid in digital assets: "
                    f"{m(total)} {self.fiat} (listed, not deducted as a capital loss; "
                    "investment interest may belong on Form 4952)."
                )
            )
        return story

    # -- 3. capital-loss offset ----------------------------------------------------------------

    def loss_offset(self) -> list[Any]:
        story: list[Any] = [para("3. Capital-loss offset", "h1")]
        o = self.offset
        if o is None or self.offsets is None:
            story.append(para("The capital-loss offset is computed for calendar tax years."))
            return story
        story.append(
            para(
                f"Short-term and long-term results are netted separately (lines 7 and 15), then "
                f"combined (line 16). A net loss reduces ordinary income by at most "
                f"{m(o.limit)} {self.fiat} a year ({o.filing_status}; "
                f"{m(self.rule.loss_limits.get('mfs', ZERO))} if married filing separately), "
                "and the rest carries forward with its short- or "
                "long-term character. The deduction is charged against short-term losses first."
            )
        )
        story.append(para("Schedule D netting", "h2"))
        lines = [["Line", "What", "(h) amount"]]
        for number, what in (
            ("1a", "Other short-term results you entered"),
            ("1b", "Form 8949 box A or G"),
            ("2", "Form 8949 box B or H"),
            ("3", "Form 8949 box C or I"),
        ):
            lines.append([number, what, m(o.lines[number].gain)])
        lines += [
            ["6", "Short-term carryover from last year", m(o.line6)],
            ["7", "Net short-term", m(o.line7)],
        ]
        for number, what in (
            ("8a", "Other long-term results you entered"),
            ("8b", "Form 8949 box D or J"),
            ("9", "Form 8949 box E or K"),
            ("10", "Form 8949 box F or L"),
        ):
            lines.append([number, what, m(o.lines[number].gain)])
        lines += [
            ["14", "Long-term carryover from last year", m(o.line14)],
            ["15", "Net long-term", m(o.line15)],
            ["16", "Net capital gain or (loss)", m(o.line16)],
            [
                "21",
                f"Deduction against ordinary income (limit {m(o.limit)})",
                m(o.line21) if o.line16 < 0 else "",
            ],
        ]
        story.append(table(lines, [WIDTH * 0.1, WIDTH * 0.65, WIDTH * 0.25], numeric=[2]))
        # The worksheet, its notes and its result stay on one page (a line or two used to
        # spill onto a page of their own).
        worksheet: list[Any] = [
            para("Capital Loss Carryover Worksheet (Schedule D instructions)", "h2")
        ]
        rows = [["Line", "What", "Amount"]]
        for number in range(1, 14):
            value = o.worksheet[str(number)]
            rows.append(
                [
                    str(number),
                    WORKSHEET_TEXT[str(number)],
                    m(value) if value is not None else "not needed",
                ]
            )
        worksheet.append(table(rows, [WIDTH * 0.08, WIDTH * 0.67, WIDTH * 0.25], numeric=[2]))
        for note in o.notes:
            worksheet.append(para(_esc(note), "small"))
        worksheet.append(
            para(
                f"Result: carryover to {int(self.year) + 1} of "
                f"<b>{m(o.carryover_short)}</b> short-term and "
                f"<b>{m(o.carryover_long)}</b> long-term.",
                "base",
            )
        )
        story.append(KeepTogether(worksheet))
        story += self.years_table()
        story += self.projection_table()
        return story

    def years_table(self) -> list[Any]:
        assert self.offsets is not None
        if len(self.offsets.years) < 2:
            return []
        rows = [
            [
                "Tax year",
                "Net short-term (7)",
                "Net long-term (15)",
                "Net (16)",
                "Deduction (21)",
                "Carryover short",
                "Carryover long",
            ]
        ]
        for y in self.offsets.years:
            label = y.year + ("" if y.has_data else " (no trades)")
            rows.append(
                [
                    label,
                    m(y.line7),
                    m(y.line15),
                    m(y.line16),
                    m(y.deduction),
                    m(y.carryover_short),
                    m(y.carryover_long),
                ]
            )
        return [
            para("Every year in the data (the carryover flows into the next year)", "h2"),
            table(rows, [WIDTH / 7] * 7, numeric=[1, 2, 3, 4, 5, 6]),
        ]

    def projection_table(self) -> list[Any]:
        assert self.offsets is not None
        plan = self.offsets
        if not plan.projection or plan.years[-1].year != self.year:
            return []
        gains = plan.inputs.assume_future_gains
        rows = [
            [
                "Year",
                "Carryover at start",
                "Used against gains",
                "Used against income",
                "Carryover at end",
            ]
        ]
        if plan.inputs.marginal_rate is not None:
            rows[0].append(f"Tax saving at {plain(plan.inputs.marginal_rate)}% (estimate)")
        for p in plan.projection:
            row = [
                str(p.year),
                m(p.carry_in),
                m(p.against_gains),
                m(p.against_income),
                m(p.carry_out),
            ]
            if plan.inputs.marginal_rate is not None:
                row.append(
                    m((p.against_gains + p.against_income) * plan.inputs.marginal_rate / 100)
                )
            rows.append(row)
        note = (
            f"Assumes {m(gains)} {self.fiat} of long-term capital gains each year "
            "(--assume-future-gains) and the same filing status and limit. "
        )
        if not plan.projection_complete:
            note += (
                f"Shown for {len(plan.projection)} years; "
                f"{m(plan.projection[-1].carry_out)} would remain."
            )
        return [
            para("Projection: using up the carryover", "h2"),
            para(note, "small"),
            table(
                rows, [WIDTH / len(rows[0])] * len(rows[0]), numeric=list(range(1, len(rows[0])))
            ),
        ]

    # -- 4. method comparison ------------------------------------------------------------------

    def methods(self) -> list[Any]:
        story: list[Any] = [para("4. Method comparison", "h1")]
        if not self.comparison:
            story.append(para("Only one method is allowed by the rule file."))
            return story
        rows = [["Method", "Short-term", "Long-term", "Net", "Deduction", "Carryover"]]
        for r in self.comparison:
            o = r.offset
            rows.append(
                [
                    r.method.upper() + (" (used)" if r.method == self.report.method.value else ""),
                    m(r.figures.short.gain),
                    m(r.figures.long.gain),
                    m(r.figures.total.gain),
                    m(o.deduction) if o else "",
                    m(o.carryover_total) if o else "",
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
                "Proceeds are the same under every method; only the basis matched to each sale, "
                "and so the split between short- and long-term, changes. A method must be "
                "identified at "
                "the time of each sale (from 2025, a standing order or a record made before the "
                "sale) and used consistently; it cannot be chosen afterwards to fit the result.",
                "small",
            )
        )
        return story

    # -- 5. breakdown --------------------------------------------------------------------------

    def breakdown(self) -> list[Any]:
        rows = [r for s in self.figures.sections for r in s.rows]
        story: list[Any] = [para("5. Breakdown", "h1")]
        story += self.grouped("By asset", rows, lambda r: r.disposal.asset)
        story += self.grouped("By wallet", rows, lambda r: r.disposal.wallet)
        story += self.monthly(rows)
        # The ten smallest, as ``sorted(...)[:10]`` gives them (row numbers are unique, so
        # no two keys tie), without sorting every loss of the year.
        losses = nsmallest(10, (r for r in rows if r.gain < 0), key=lambda r: (r.gain, r.number))
        if losses:
            table_rows = [
                [
                    "Row",
                    "Description",
                    "Acquired",
                    "Sold",
                    self.term_heading(),
                    "Gain or (loss)",
                    "Source",
                ]
            ]
            table_rows += [
                [
                    str(r.number),
                    r.description,
                    r.acquired.isoformat(),
                    r.disposed.isoformat(),
                    self.term_text(r),
                    m(r.gain),
                    str(r.disposal.sale_source),
                ]
                for r in losses
            ]
            story.append(
                KeepTogether(
                    [
                        para("The 10 largest losses", "h2"),
                        table(
                            table_rows,
                            [WIDTH * w for w in self.loss_widths()],
                            numeric=[5],
                        ),
                    ]
                )
            )
        forced = sorted((r for r in rows if r.disposal.liquidation), key=lambda r: r.number)
        heading = para("Forced sales and liquidations", "h2")
        if forced:
            table_rows = [
                [
                    "Row",
                    "Description",
                    "Date",
                    "Proceeds",
                    "Basis",
                    "Fees included",
                    "Gain or (loss)",
                    "Source",
                ]
            ]
            for r in forced:
                table_rows.append(
                    [
                        str(r.number),
                        r.description,
                        r.disposed.isoformat(),
                        m(r.proceeds),
                        m(r.cost_basis),
                        m(r.disposal.fee.quantize(Decimal("0.01"))),
                        m(r.gain),
                        str(r.disposal.sale_source),
                    ]
                )
            story.append(
                KeepTogether(
                    [
                        heading,
                        table(
                            table_rows,
                            [WIDTH * w for w in (0.06, 0.14, 0.1, 0.1, 0.1, 0.09, 0.11, 0.3)],
                            numeric=[3, 4, 5, 6],
                        ),
                    ]
                )
            )
        else:
            story.append(KeepTogether([heading, para("None in this tax year.")]))
        return story

    def grouped(self, title: str, rows: Sequence[Row], key: Callable[[Row], str]) -> list[Any]:
        groups: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            groups[key(row)].append(row)
        if not groups:
            return []
        table_rows = [
            [
                title.replace("By ", "").capitalize(),
                "Rows",
                "Proceeds",
                "Cost basis",
                "Gain or (loss)",
            ]
        ]
        for name in sorted(groups):
            t = totals_of(groups[name])
            table_rows.append([name, str(t.rows), m(t.proceeds), m(t.cost_basis), m(t.gain)])
        return [
            para(title, "h2"),
            table(
                table_rows, [WIDTH * w for w in (0.34, 0.1, 0.19, 0.19, 0.18)], numeric=[1, 2, 3, 4]
            ),
        ]

    def term_text(self, row: Row) -> str:
        """The holding column of the largest-losses table (a country may say more)."""
        return row.disposal.term.value

    def term_heading(self) -> str:
        """The heading of that column."""
        return "Term"

    def loss_widths(self) -> tuple[float, ...]:
        """Column widths (shares of the page) of the largest-losses table."""
        return (0.06, 0.21, 0.1, 0.1, 0.06, 0.13, 0.34)

    def month_labels(self) -> list[str]:
        """The calendar months of the tax year, ``YYYY-MM`` (12 for a calendar year)."""
        return [f"{self.year[:4]}-{n:02d}" for n in range(1, 13)]

    def monthly(self, rows: Sequence[Row]) -> list[Any]:
        months = {label: ZERO for label in self.month_labels()}
        # Summed and counted by (year, month) and named after: strftime per row cost a build
        # of 100,000 rows a third of a second. Each month's sum is the same additions in the
        # same order.
        sums: dict[tuple[int, int], Decimal] = {}
        tally: dict[tuple[int, int], int] = {}
        for row in rows:
            key = (row.disposed.year, row.disposed.month)
            sums[key] = sums.get(key, ZERO) + row.gain
            tally[key] = tally.get(key, 0) + 1
        counts: dict[str, int] = defaultdict(int)
        for (year, month), total in sums.items():
            label = date(year, month, 1).strftime("%Y-%m")
            months[label] = total
            counts[label] = tally[year, month]
        labels = sorted(months)
        drawing = Drawing(WIDTH, 170)
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 45, 25, WIDTH - 60, 120
        values = [float(months[k]) for k in labels]  # chart geometry only, not money
        chart.data = [values]
        # A tax year across two calendar years (UK, AU) has two Aprils or Julys: add the year.
        two_years = len({k[:4] for k in labels}) > 1
        chart.categoryAxis.categoryNames = [
            f"{k[5:]}/{k[2:4]}" if two_years else k[5:] for k in labels
        ]
        chart.categoryAxis.labels.fontName = FONT
        chart.categoryAxis.labels.fontSize = 7
        chart.valueAxis.labels.fontName = FONT
        chart.valueAxis.labels.fontSize = 7
        chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
        low, high = min([*values, 0.0]), max([*values, 0.0])
        if low == high:
            high = 1.0
        chart.valueAxis.valueMin, chart.valueAxis.valueMax = low * 1.1, high * 1.1
        chart.bars[0].fillColor = colors.Color(0.30, 0.42, 0.62)
        for index, value in enumerate(values):
            if value < 0:
                chart.bars[(0, index)].fillColor = colors.Color(0.75, 0.33, 0.30)
        drawing.add(chart)
        drawing.add(
            String(
                45,
                155,
                f"Realized gain or (loss) by month, {self.year} ({self.fiat})",
                fontName=BOLD,
                fontSize=8,
            )
        )
        half = (len(labels) + 1) // 2
        table_rows = [["Month", "Rows", "Gain or (loss)", "Month", "Rows", "Gain or (loss)"]]
        for left, right in zip(labels[:half], [*labels[half:], ""], strict=False):
            table_rows.append([left, str(counts[left]), m(months[left]),
                               right, str(counts[right]) if right else "",
                               m(months[right]) if right else ""])  # fmt: skip
        return [
            para("By month", "h2"),
            drawing,
            table(
                table_rows,
                [WIDTH * w for w in (0.14, 0.08, 0.28, 0.14, 0.08, 0.28)],
                numeric=[1, 2, 4, 5],
                zebra=False,
            ),
        ]

    # -- 6. data quality -----------------------------------------------------------------------

    def answers(self) -> list[Any]:
        """The user's ``--overrides`` answers, each with its row and note (issue #13)."""
        uses = self.report.overrides
        if not uses:
            return []
        rows = [["Row", "Your answer", "What taxloss did", "Your note"]]
        rows += [[str(u.source), u.action, u.effect, u.note] for u in uses]
        files = ", ".join(dict.fromkeys(u.origin.path for u in uses))
        return [
            para("Your answers (--overrides)", "h2"),
            para(
                f"{len(uses)} row(s) were answered by your overrides file ({_esc(files)}) "
                "instead of the export; taxloss applied each answer as written, before "
                "computing anything. "
                "Check that each note explains the answer.",
                "small",
            ),
            table(rows, [WIDTH * 0.33, WIDTH * 0.14, WIDTH * 0.19, WIDTH * 0.34]),
        ]

    def quality(self) -> list[Any]:
        story: list[Any] = [para("6. Data quality", "h1")]
        warnings = self.report.warnings
        if warnings:
            rows = [["Warning", "Source", "What it means"]]
            rows += [[w.code, str(w.source or ""), w.message] for w in warnings]
            story.append(table(rows, [WIDTH * 0.2, WIDTH * 0.31, WIDTH * 0.49]))
        else:
            story.append(
                para(
                    "No warnings: every disposal was matched to recorded "
                    "acquisitions, and every transfer was matched."
                )
            )
        story += self.answers()
        kinds: dict[str, list[Any]] = defaultdict(list)
        for a in self.report.assumptions:
            kinds[a.code].append(a)
        story.append(para("Recorded assumptions", "h2"))
        if not kinds:
            story.append(para("None."))
        for code in sorted(kinds):
            items = kinds[code]
            if code in EACH_MESSAGE and len(items) <= ASSUMPTIONS_LISTED:
                story.append(
                    para(f"<b>{_esc(assumption_label(code))}</b>: {len(items)} use(s)", "small")
                )
                for a in items:
                    story.append(para(f"{_esc(str(a.source))}: {_esc(a.message)}", "grey"))
                continue
            story.append(
                para(
                    f"<b>{_esc(assumption_label(code))}</b>: {len(items)} use(s), "
                    f"e.g. {_esc(items[0].message)}",
                    "small",
                )
            )
            listed = ", ".join(str(a.source) for a in items[:ASSUMPTIONS_LISTED])
            more = (
                f" and {len(items) - ASSUMPTIONS_LISTED} more (all in report.json)"
                if len(items) > ASSUMPTIONS_LISTED
                else ""
            )
            story.append(para(f"Rows: {_esc(listed)}{more}.", "grey"))
        transfers = [t for t in self.report.transfers if t.matched]
        if transfers:
            story.append(
                para(
                    f"{len(transfers)} transfer(s) between your wallets were matched "
                    "(lots moved with their dates and basis); see report.json "
                    "transfers for each reason.",
                    "small",
                )
            )
        return story

    # -- 7. audit trail ------------------------------------------------------------------------

    def audit(self) -> list[Any]:
        rows = sorted((r for s in self.figures.sections for r in s.rows), key=lambda r: r.number)
        story: list[Any] = [
            para("7. Appendix: audit trail", "h1"),
            para("Each Form 8949 row, the lot it used and the source rows (file:line).", "small"),
        ]
        table_rows = [["Row", "Box", "Description", "Gain or (loss)", "Sale row", "Lot row"]]
        for r in rows[:AUDIT_LIMIT]:
            table_rows.append(
                [
                    str(r.number),
                    r.disposal.box,
                    r.description,
                    m(r.gain),
                    str(r.disposal.sale_source),
                    str(r.disposal.lot_source),
                ]
            )
        # The Row column holds a seven-digit row number on one line (a number split over
        # two lines could be read as another row); the source columns wrap long paths.
        story.append(
            table(
                table_rows,
                [WIDTH * w for w in (0.085, 0.06, 0.17, 0.12, 0.2825, 0.2825)],
                numeric=[3],
            )
        )
        if len(rows) > AUDIT_LIMIT:
            story.append(
                para(
                    f"The first {AUDIT_LIMIT} of {len(rows)} rows are shown; the "
                    f"complete trail is on the Audit sheet of form8949-{self.year}.xlsx "
                    "and in report.json.",
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
            *self.forms_1099da(),
            *self.loss_offset(),
            PageBreak(),
            *self.methods(),
            *self.breakdown(),
            PageBreak(),
            *self.quality(),
            PageBreak(),
            *self.audit(),
        ]


def render_pdf_summary(
    report: Report,
    out: Path,
    year: str,
    offsets: OffsetPlan | None = None,
    comparison: Sequence[MethodResult] = (),
    taxpayer: dict[str, str] | None = None,
    figures: Printed | None = None,
) -> Path:
    """Write ``summary-<year>.pdf``.

    Args:
        report: the report.
        out: the file to write.
        year: the tax-year label.
        offsets: Schedule D and carryover figures (None: no offset section).
        comparison: the same year under each allowed method.
        taxpayer: optional ``name`` and ``id``.
        figures: printed rows already computed for this report, if any.

    Returns:
        ``out``.
    """
    shown = printed(report, figures)
    summary = Summary(report, year, shown, offsets, comparison, taxpayer or {})
    return write_summary(summary, out)


def write_summary(summary: Summary, out: Path) -> Path:
    """Lay out a summary's story as a PDF with numbered footers (shared by every country)."""
    report, year = summary.report, summary.year
    rule = report.rule

    def footer(canvas: Canvas, number: int, total: int) -> None:
        canvas.setFont(FONT, 6.5)
        canvas.setFillColor(GREY)
        canvas.drawString(
            0.65 * inch,
            0.45 * inch,
            f"taxloss summary, tax year {year} · "
            f"{rule.path} v{rule.version} · {method_label(report)} · "
            "not tax advice",
        )
        canvas.drawRightString(letter[0] - 0.65 * inch, 0.45 * inch, f"page {number} of {total}")

    doc = SimpleDocTemplate(
        str(out),
        pagesize=letter,
        leftMargin=0.65 * inch,
        rightMargin=0.65 * inch,
        topMargin=0.6 * inch,
        bottomMargin=0.7 * inch,
        invariant=1,
        title=f"Capital gains and losses {year}",
        author="taxloss",
        subject="Summary for a tax professional",
        creator=f"taxloss {__version__}",
    )
    doc.build(summary.story(), canvasmaker=lambda *a, **k: NumberedCanvas(*a, footer=footer, **k))
    return out
