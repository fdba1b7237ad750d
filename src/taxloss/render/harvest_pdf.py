"""``harvest-<as-of>.pdf``: the loss-harvest view on one page (issue #14).

Numbers first (harvestable loss, the chosen sales, the year's return before and after), then a
chart of unrealized gain or loss by asset, the lots with the largest losses, and the plain
statements (report only; wash sales; identify lots before the sale; settle by 31 December).
Everything is laid out in one frame that shrinks to fit, so the view is always one page; the
workbook has every lot. Presents ``returns.harvest.Harvest`` only; computes nothing.
Must not import the engine, parsers or CLI.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Frame, KeepInFrame, Paragraph, Spacer, Table, TableStyle

from taxloss import __version__
from taxloss.model import Rule
from taxloss.money import ZERO, plain
from taxloss.render.labels import NOT_ADVICE
from taxloss.render.pdf_common import BOLD, FONT, GREY, LIGHT, NumberedCanvas, money_text
from taxloss.returns.harvest import Harvest

PAGE = landscape(letter)
MARGIN = 0.5 * inch
WIDTH = PAGE[0] - 2 * MARGIN
#: Lots shown on the page (largest losses first); the workbook lists every lot.
LOTS_SHOWN = 12

RED = colors.Color(0.75, 0.33, 0.30)
BLUE = colors.Color(0.30, 0.42, 0.62)

_BODY = ParagraphStyle("body", fontName=FONT, fontSize=7.5, leading=9.2)
_SMALL = ParagraphStyle("small", fontName=FONT, fontSize=6.8, leading=8.2, textColor=GREY)
_TITLE = ParagraphStyle("title", fontName=BOLD, fontSize=13, leading=16)
_HEAD = ParagraphStyle("head", fontName=BOLD, fontSize=8.5, leading=11, spaceBefore=4)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _grid(
    rows: list[list[str]], widths: list[float], right: int = 1, last_left: bool = False
) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 7),
                ("FONT", (0, 0), (-1, 0), BOLD, 7),
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("ALIGN", (right, 0), (-1, -1), "RIGHT"),
                *([("ALIGN", (-1, 0), (-1, -1), "LEFT")] if last_left else []),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, GREY),
                ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
            ]
        )
    )
    return table


def by_asset(result: Harvest) -> list[tuple[str, Decimal]]:
    """Unrealized gain or loss per asset (priced lots only), largest loss first."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in result.lots:
        if row.unrealized is not None:
            totals[row.lot.asset] += row.unrealized
    return sorted(totals.items(), key=lambda item: (item[1], item[0]))


def chart(result: Harvest, width: float) -> Drawing:
    """Horizontal bars of unrealized gain (blue) or loss (red) by asset."""
    items = by_asset(result)
    height = 40 + 16 * max(len(items), 1)
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 10, f"Unrealized gain or (loss) by asset on "
                       f"{result.as_of.isoformat()}", fontName=BOLD, fontSize=8))  # fmt: skip
    if not items:
        drawing.add(String(0, height - 26, "No priced lot.", fontName=FONT, fontSize=7))
        return drawing
    bars = HorizontalBarChart()
    bars.x, bars.y = 40, 18
    bars.width, bars.height = width - 60, height - 40
    values = [float(total) for _, total in items]  # chart geometry only, not money
    bars.data = [values]
    bars.categoryAxis.categoryNames = [asset for asset, _ in items]
    bars.categoryAxis.labels.fontName = FONT
    bars.categoryAxis.labels.fontSize = 7
    bars.categoryAxis.reverseDirection = 1
    bars.categoryAxis.joinAxisMode = "left"  # names at the left edge, clear of loss bars
    bars.valueAxis.labels.fontName = FONT
    bars.valueAxis.labels.fontSize = 6.5
    bars.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    low, high = min([*values, 0.0]), max([*values, 0.0])
    if low == high:
        high = 1.0
    span = high - low
    # Room beyond each end for the amount labels (drawn outside the bars).
    pad_low = span * 0.22 if low < 0 else 0.0
    pad_high = span * 0.22 if high > 0 else 0.0
    bars.valueAxis.valueMin, bars.valueAxis.valueMax = low - pad_low, high + pad_high
    bars.bars[0].fillColor = BLUE
    bars.barLabelFormat = lambda v: money_text(Decimal(f"{v:.2f}"))
    bars.barLabels.fontName = FONT
    bars.barLabels.fontSize = 6
    bars.barLabels.boxAnchor = "w"
    bars.barLabels.dx = 3
    for index, value in enumerate(values):
        if value < 0:
            bars.bars[(0, index)].fillColor = RED  # its label flips to the left by itself
    drawing.add(bars)
    return drawing


def story(result: Harvest, rule: Rule, method: str, files: str) -> list[Any]:
    """The page's flowables."""
    b, a = result.before, result.after
    m = money_text
    nxt = int(result.year) + 1
    head = [
        Paragraph(f"Loss harvest view on {result.as_of.isoformat()}: tax year {result.year}",
                  _TITLE),
        Paragraph(_esc(f"{rule.name} ({rule.path} v{rule.version}), method {method}. Inputs: "
                       f"{files}. Report only: no trades. {NOT_ADVICE}"), _SMALL),
        Spacer(1, 5),
    ]  # fmt: skip
    key = [
        ["", "before", "after"],
        ["Net short-term gain or (loss), Sch. D line 7", m(b.line7), m(a.line7)],
        ["Net long-term gain or (loss), Sch. D line 15", m(b.line15), m(a.line15)],
        ["Net gain or (loss), Sch. D line 16", m(b.line16), m(a.line16)],
        [f"Deducted from ordinary income, line 21 (limit {m(result.limit)})",
         m(b.deduction), m(a.deduction)],
        [f"Carryover to {nxt}: short-term", m(b.carryover_short), m(a.carryover_short)],
        [f"Carryover to {nxt}: long-term", m(b.carryover_long), m(a.carryover_long)],
    ]  # fmt: skip
    if result.saving is not None:
        change = (
            f"{m(result.saving)} less"
            if result.saving > 0
            else f"{m(-result.saving)} more"
            if result.saving < 0
            else "no change"
        )
        key.append([f"Estimated tax this year at {plain(result.marginal_rate or ZERO)}% "
                    "(estimate)", "", change])  # fmt: skip
    summary = [
        Paragraph(
            f"<b>Harvestable loss {m(result.harvestable_loss)}</b> (sum of unrealized losses of "
            f"priced lots). Target: {_esc(result.target.label)}. "
            f"Chosen sales realise a loss of <b>{m(result.harvested_loss)}</b>"
            + (f", of which {m(result.disallowed)} is disallowed (wash-sale what-if)"
               if result.disallowed else "")
            + ".", _BODY),
        Spacer(1, 3),
        _grid(key, [WIDTH * 0.30, WIDTH * 0.09, WIDTH * 0.09]),
    ]  # fmt: skip
    if result.missing:
        summary.append(
            Paragraph(f"<b>{len(result.missing)} lot(s) have no price</b> on "
                      f"{result.as_of.isoformat()}: listed, not valued, not counted.", _BODY)
        )  # fmt: skip
    top = Table(
        [[summary, chart(result, WIDTH * 0.46)]],
        colWidths=[WIDTH * 0.51, WIDTH * 0.49],
        style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)],
        hAlign="LEFT",
    )
    sales = [["wallet", "asset", "units", "acquired", "proceeds", "cost basis",
              "W adj. (g)", "gain or (loss)", "term", "box"]]  # fmt: skip
    for s in result.sales[:LOTS_SHOWN]:
        sales.append([s.lot.lot.wallet, s.lot.lot.asset, plain(s.quantity),
                      s.lot.facts.acquired_on.isoformat(), m(s.proceeds), m(s.cost_basis),
                      m(s.disallowed, blank_zero=True),
                      m(s.proceeds - s.cost_basis + s.disallowed), s.lot.term.value,
                      s.lot.facts.box])  # fmt: skip
    shown = sorted(
        result.lots,
        key=lambda r: (r.unrealized is not None, r.unrealized or ZERO, r.lot.wallet),
    )[:LOTS_SHOWN]
    lots = [["wallet", "asset", "units", "acquired", "cost basis", "price", "value",
             "unrealized", "term", "to LT", "flags"]]  # fmt: skip
    for row in shown:
        lots.append([
            row.lot.wallet, row.lot.asset, plain(row.lot.quantity),
            row.facts.acquired_on.isoformat(), m(row.cost_basis),
            plain(row.valuation.price) if row.valuation else "no price",
            m(row.market_value) if row.market_value is not None else "-",
            m(row.unrealized) if row.unrealized is not None else "-",
            row.term.value, f"{row.days_to_long} d" if row.days_to_long else "",
            ", ".join(row.flags),
        ])  # fmt: skip
    lot_widths = [0.09, 0.06, 0.09, 0.08, 0.09, 0.07, 0.09, 0.09, 0.05, 0.05, 0.24]
    body: list[Any] = [*head, top]
    extra = len(result.sales) - LOTS_SHOWN
    body.append(
        Paragraph(
            "Sales chosen (what-if, dated the as-of date)"
            + (f" ({extra} more in the workbook)" if extra > 0 else ""),
            _HEAD,
        )
    )
    if result.sales:
        sale_widths = [0.11, 0.07, 0.11, 0.09, 0.1, 0.1, 0.08, 0.1, 0.07, 0.05]
        body.append(_grid(sales, [WIDTH * w for w in sale_widths], right=2))
    else:
        body.append(Paragraph("None: nothing to harvest for this target.", _BODY))
    more = len(result.lots) - len(shown)
    title = "Open lots: any without a price first, then the largest losses" + (
        f" ({more} more in the workbook)" if more > 0 else ""
    )
    body.append(Paragraph(title, _HEAD))
    body.append(_grid(lots, [WIDTH * w for w in lot_widths], right=2, last_left=True))
    body.append(Paragraph("What to know", _HEAD))
    body += [Paragraph(_esc(line), _BODY) for line in result.statements]
    if result.notes:
        body.append(Paragraph("What to check", _HEAD))
        body += [Paragraph(_esc(line), _BODY) for line in result.notes]
    return body


def render_harvest_pdf(result: Harvest, rule: Rule, out: Path, method: str = "",
                       files: str = "") -> Path:  # fmt: skip
    """Write the one-page harvest PDF.

    Args:
        result: the harvest view.
        rule: the rule file used.
        out: the file to write.
        method: the lot method in words.
        files: the input files, for the header.

    Returns:
        ``out``.
    """

    def footer(canvas: Any, number: int, total: int) -> None:
        canvas.setFont(FONT, 6.5)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, 0.3 * inch, f"taxloss {__version__} harvest view · "
                          f"{rule.path} · report only, not tax advice")  # fmt: skip
        canvas.drawRightString(PAGE[0] - MARGIN, 0.3 * inch, f"page {number} of {total}")

    canvas = NumberedCanvas(str(out), pagesize=PAGE, footer=footer)
    canvas.setTitle(f"taxloss harvest view {result.as_of.isoformat()}")
    canvas.setAuthor("taxloss")
    canvas.setSubject("Loss harvest what-if (report only)")
    canvas.setCreator(f"taxloss {__version__}")
    frame = Frame(MARGIN, 0.45 * inch, WIDTH, PAGE[1] - MARGIN - 0.45 * inch,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip
    content = KeepInFrame(WIDTH, frame._aH, story(result, rule, method, files), mode="shrink")
    frame.addFromList([content], canvas)
    canvas.showPage()
    canvas.save()
    return out
