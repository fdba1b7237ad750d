"""The summary's first section, "Where the money went" (issue #15).

Numbers first, then one plain sentence for each: the account statement table (whole data and
the summary's tax year), a waterfall chart from the money put in to what is left, the debts
owed to platforms in a box of their own, and the loss as a share of the money put in. Every
figure comes from ``returns.account`` (rounded once), so it equals report.json and the XLSX.
Sees only ``Report``; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from taxloss.model import Debt, Report, Rule
from taxloss.money import ZERO, plain
from taxloss.render.account import LINES as ROWS
from taxloss.render.account import PART_LABELS
from taxloss.render.pdf_common import BOLD, FONT, GREY, LIGHT, money_text
from taxloss.returns.account import (
    FEES,
    AccountLines,
    Statement,
    owed_rows_total,
    printed_lines,
    rounded,
    share_text,
)
from taxloss.returns.printed import Printed, printed

_BASE = ParagraphStyle("account", fontName=FONT, fontSize=9, leading=12)
STYLES = {
    "base": _BASE,
    "h1": ParagraphStyle(
        "account-h1",
        parent=_BASE,
        fontName=BOLD,
        fontSize=13,
        leading=16,
        spaceBefore=6,
        spaceAfter=4,
    ),
    "h2": ParagraphStyle(
        "account-h2",
        parent=_BASE,
        fontName=BOLD,
        fontSize=10,
        leading=13,
        spaceBefore=8,
        spaceAfter=4,
        keepWithNext=1,  # a heading never ends a page without what it heads
    ),
    "grey": ParagraphStyle("account-grey", parent=_BASE, fontSize=7.5, leading=9.5, textColor=GREY),
    "cell": ParagraphStyle("account-cell", parent=_BASE, fontSize=7.5, leading=9),
    "num": ParagraphStyle("account-num", parent=_BASE, fontSize=7.5, leading=9, alignment=TA_RIGHT),
}

#: Bar colours: money in, money out or lost, money gained, and what is left.
IN, DOWN, UP, END = (
    colors.Color(0.30, 0.42, 0.62),
    colors.Color(0.75, 0.33, 0.30),
    colors.Color(0.35, 0.60, 0.40),
    colors.Color(0.35, 0.35, 0.35),
)


def _esc(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _p(text: str, style: str = "base") -> Paragraph:
    return Paragraph(text, STYLES[style])


def _m(value: Decimal | None) -> str:
    return money_text(value)


def _value(lines: AccountLines, shown: dict[str, Decimal | None], key: str, rule: Rule) -> str:
    if key == "net_result":
        return _m(shown["net_result"])
    value = shown.get(key)
    return "not known" if value is None else _m(value)


def _table(rows: list[list[Any]], widths: list[float], bold: set[int]) -> Table:
    """The statement table: a label, one amount column per period, then the sentence."""
    body = []
    amounts = range(1, len(widths) - 1)
    for r, row in enumerate(rows):
        cells = []
        for c, cell in enumerate(row):
            text = _esc(cell)
            if r == 0 or r in bold:
                text = f"<b>{text}</b>"
            cells.append(Paragraph(text, STYLES["num" if c in amounts else "cell"]))
        body.append(cells)
    result = Table(body, colWidths=widths, repeatRows=1)
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.Color(0.8, 0.8, 0.8)),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
    ]
    for r in bold:
        commands.append(("LINEABOVE", (0, r), (-1, r), 0.6, colors.black))
    result.setStyle(TableStyle(commands))
    return result


class AccountSection:
    """Builds the flowables of the first section for one summary (one tax year)."""

    def __init__(
        self, report: Report, year: str, width: float, figures: Printed | None = None
    ) -> None:
        self.report = report
        self.rule = report.rule
        self.year = year
        self.width = width
        self.statement: Statement = printed(report, figures).account()
        self.fiat = self.rule.fiat

    def story(self) -> list[Any]:
        """The whole section (it ends where the tax figures begin)."""
        st = self.statement
        total = st.total
        first, last = self.span()
        story: list[Any] = [
            _p("Where the money went", "h1"),
            _p(f"All wallets in the data, {first} to {last}, in {self.fiat} at the values the "
               "tax figures use. The tax figures for the year follow this section.", "grey"),
            Spacer(1, 4),
            _p(self.headline()),
            Spacer(1, 6),
            self.table(),
            Spacer(1, 6),
            *self.debts_box(),
            Spacer(1, 4),
            KeepTogether([_p("From the money put in to what is left", "h2"), self.waterfall(total),
                          _p(self.waterfall_note(), "grey")]),
        ]  # fmt: skip
        if len(st.wallets) > 1:
            story += [_p("By wallet", "h2"), self.wallets_table()]
        story += [
            Spacer(1, 4),
            _p("Not tax advice. These figures restate your data; they do not judge it. Your "
               "tax professional should confirm whether the platform deducted fees that are not "
               "in the export, and how any debt is treated.", "grey"),
        ]  # fmt: skip
        return story

    def span(self) -> tuple[str, str]:
        """The first and last days of the input files."""
        firsts = [i.first for i in self.report.inputs if i.first is not None]
        lasts = [i.last for i in self.report.inputs if i.last is not None]
        first = min(firsts).date().isoformat() if firsts else "the start"
        last = max(lasts).date().isoformat() if lasts else "the end"
        return first, last

    def headline(self) -> str:
        """Numbers first: put in, taken out, left, owed, and the loss share."""
        st, rule, fiat = self.statement, self.rule, self.fiat
        shown = printed_lines(st.total, rule)
        parts = [
            f"You put in <b>{_m(shown['capital_in'])} {fiat}</b> and took out "
            f"<b>{_m(shown['capital_out'])} {fiat}</b>. At cost, "
            f"<b>{_m(shown['left_at_cost'])} {fiat}</b> is left"
        ]
        market = shown["left_at_market"]
        if market is not None and st.total.left_at_cost != 0:
            parts.append(f" ({_m(market)} {fiat} at your prices for {st.market_day})")
        parts.append(f", and <b>{_m(shown['owed'])} {fiat}</b> is owed to platforms.")
        share = st.total.loss_share
        if share is None:
            parts.append(" The data shows no money put in, so no loss share is given.")
        elif share > 0:
            parts.append(
                f" The net result is {_m(shown['net_result'])} {fiat}: a loss "
                f"of <b>{share_text(share)}</b> of the money put in."
            )
        else:
            parts.append(f" The net result is {_m(shown['net_result'])} {fiat}: no net loss.")
        parts.append(" " + self.peak_sentence())
        return "".join(parts)

    def peak_sentence(self) -> str:
        """The peak value of holdings and the loss share of it, or why it is not known."""
        st, fiat = self.statement, self.fiat
        total = st.total
        if total.peak_value is None:
            what = "The loss as a share of the peak" if total.net_result < 0 else "The peak"
            return f"{what} value of holdings is not known: {_esc(st.peak_note)}."
        text = (
            f"At their peak, on {total.peak_date}, your holdings were worth "
            f"<b>{_m(rounded(total.peak_value, self.rule))} {fiat}</b> at your prices"
        )
        of_peak = total.loss_share_of_peak
        if of_peak is None:
            return text + "."
        return text + f"; the loss is <b>{share_text(of_peak)}</b> of that."

    def table(self) -> Table:
        st, rule = self.statement, self.rule
        year_lines = st.years.get(self.year)
        columns: list[tuple[str, AccountLines]] = [("Whole data", st.total)]
        if year_lines is not None and len(st.years) > 1:
            columns.append((f"Tax year {self.year}", year_lines))
        shown = [printed_lines(lines, rule) for _, lines in columns]
        header = ["Line", *(f"{name} ({self.fiat})" for name, _ in columns), "What it means"]
        rows: list[list[Any]] = [header]
        bold: set[int] = set()
        for key, label, sentence in ROWS:
            if key == "other" and all(lines.other == 0 for _, lines in columns):
                continue
            if key == "left_at_market" and st.total.left_at_cost == 0:
                sentence = "Nothing is held at the end of the data."
            elif key == "left_at_market" and all(s[key] is None for s in shown):
                sentence = (
                    "Not known: no --prices row for the last day for "
                    + ", ".join(st.unpriced[:6])
                    + ("..." if len(st.unpriced) > 6 else "")
                    + "."
                )
            if key in ("net_result", "left_at_cost"):
                bold.add(len(rows))
            rows.append([label, *(_value(lines, s, key, rule) for (_, lines), s in
                                  zip(columns, shown, strict=True)), sentence])  # fmt: skip
            if key == "realized":
                rows += self.part_rows(columns)
        if year_lines is not None and len(columns) > 1:
            rows.append(["Left at the start of the year, at cost", "",
                         _m(rounded(year_lines.left_at_start, rule)),
                         "The year's column starts from here."])  # fmt: skip
        if any(s["rounding"] for s in shown):
            rows.append(["Rounding", *(_m(s["rounding"]) for s in shown),
                         "Cents from rounding each line and form row on its own."])  # fmt: skip
        fee_rows = [
            [f"of which {label}", *(_m(rounded(lines.fees.get(line, ZERO), rule))
                                    for _, lines in columns),
             "Already inside the lines above." if n == 0 else ""]
            for n, (line, label) in enumerate(
                (line, label) for line, label in FEES
                if any(lines.fees.get(line) for _, lines in columns)
            )
        ]  # fmt: skip
        rows += fee_rows
        amount_width = 0.15 if len(columns) > 1 else 0.17
        widths = [self.width * 0.27, *([self.width * amount_width] * len(columns))]
        widths.append(self.width - sum(widths))
        return _table(rows, widths, bold)

    def part_rows(self, columns: list[tuple[str, AccountLines]]) -> list[list[Any]]:
        """The realized results' parts that are not zero, as "of which" rows."""
        rows: list[list[Any]] = []
        for part, label in PART_LABELS.items():
            values = [lines.realized_parts.get(part, ZERO) for _, lines in columns]
            if any(values):
                rows.append([f"   of which {label}", *(_m(v) for v in values), ""])
        return rows

    def debts_box(self) -> list[Any]:
        st, rule, fiat = self.statement, self.rule, self.fiat
        open_debts = st.open_debts
        repaid = [d for d in st.debts if d.open_quantity <= 0]
        if not open_debts:
            text = "Nothing is owed to a platform at the end of the data."
            if repaid:
                text += (
                    f" {len(repaid)} debt(s) or loan(s) arose and were repaid in full "
                    "(report.json account.debts lists them)."
                )
            return [_p(text)]
        owed = owed_rows_total(open_debts, rule)
        rows: list[list[Any]] = [[
            _p(f"<b>Owed to platforms at the end of the data: {_m(owed)} {fiat}</b>"), "", "",
            "", "",
        ]]  # fmt: skip
        heads = ("Platform", "Still owed", f"Value ({fiat})", "Since", "Source rows")
        rows.append([_p(f"<b>{h}</b>", "cell") for h in heads])
        for debt in open_debts:
            rows.append([
                _p(_esc(debt.wallet), "cell"),
                _p(f"{plain(debt.open_quantity)} {_esc(debt.asset)}", "cell"),
                _p(_m(rounded(debt.open_value, rule)), "num"),
                _p(debt.incurred_on.isoformat(), "cell"),
                _p(_esc(", ".join(str(s) for s in (debt.sources or (debt.source,)))), "cell"),
            ])  # fmt: skip
        rows.append([_p(self.debt_sentence(open_debts), "cell"), "", "", "", ""])
        widths = [self.width * w for w in (0.2, 0.18, 0.14, 0.12, 0.36)]
        box = Table(rows, colWidths=widths)
        box.setStyle(TableStyle([
            ("BOX", (0, 0), (-1, -1), 1.2, DOWN),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.98, 0.93, 0.92)),
            ("SPAN", (0, 0), (-1, 0)),
            ("SPAN", (0, -1), (-1, -1)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]))  # fmt: skip
        return [KeepTogether([box])]

    def debt_sentence(self, debts: tuple[Debt, ...]) -> str:
        kinds = {d.kind.value for d in debts}
        parts = []
        if "negative_balance" in kinds:
            parts.append(
                "A loss larger than the balance left the account below zero; the platform may "
                "ask for this amount, or take it from your next deposit there. The loss itself "
                "is already in the realized results (a liquidation is a disposal)."
            )
        if "margin_loan" in kinds:
            parts.append("Borrowed units not handed back are owed as well.")
        parts.append(
            "If a platform forgives a debt, the forgiven amount can be taxable income "
            "(cancellation of debt); ask your tax professional."
        )
        return " ".join(parts)

    def steps(self, lines: AccountLines) -> list[tuple[str, Decimal, str]]:
        """The waterfall: (label, change, kind) from the money put in to what is left."""
        rule = self.rule
        shown = printed_lines(lines, rule)
        put_in = shown["capital_in"] or ZERO
        out = shown["capital_out"] or ZERO
        fees = rounded(lines.fees_paid, rule)
        funding = rounded(lines.funding_net, rule)
        end = (shown["left_at_cost"] or ZERO) - (shown["owed"] or ZERO)
        income = shown["income"] or ZERO
        rest = end - (put_in - out - fees - funding + income)
        steps = [("Put in", put_in, "in")]
        if out:
            steps.append(("Taken out", -out, "step"))
        if fees:
            steps.append(("Fees", -fees, "step"))
        if funding:
            steps.append(("Funding, net", -funding, "step"))
        if income:
            steps.append(("Income", income, "step"))
        steps.append(("Gains and losses before fees", rest, "step"))
        steps.append(("Left minus owed", end, "end"))
        return steps

    def waterfall(self, lines: AccountLines) -> Drawing:
        steps = self.steps(lines)
        height, top_pad, bottom = 170.0, 16.0, 34.0
        drawing = Drawing(self.width, height)
        level = ZERO
        spans: list[tuple[Decimal, Decimal]] = []
        for _, change, kind in steps:
            if kind == "in":
                spans.append((ZERO, change))
                level = change
            elif kind == "end":
                spans.append((ZERO, change))
            else:
                spans.append((level, level + change))
                level += change
        low = min([ZERO, *(min(a, b) for a, b in spans)])
        high = max([ZERO, *(max(a, b) for a, b in spans)])
        if high == low:
            high = low + 1
        plot = height - top_pad - bottom

        def y(value: Decimal) -> float:
            # Chart geometry only (points on the page), never money.
            return bottom + float((value - low) / (high - low)) * plot

        slot = self.width / len(steps)
        bar = min(slot * 0.6, 70.0)
        drawing.add(Line(0, y(ZERO), self.width, y(ZERO), strokeColor=GREY, strokeWidth=0.5))
        for index, ((label, change, kind), (a, b)) in enumerate(zip(steps, spans, strict=True)):
            x = index * slot + (slot - bar) / 2
            colour = IN if kind == "in" else END if kind == "end" else UP if change >= 0 else DOWN
            y0, y1 = sorted((y(a), y(b)))
            drawing.add(Rect(x, y0, bar, max(y1 - y0, 0.8), fillColor=colour, strokeColor=None))
            value = _m(change) if kind == "step" else _m(b)
            drawing.add(String(x + bar / 2, y1 + 3, value, fontName=FONT, fontSize=7,
                               textAnchor="middle"))  # fmt: skip
            for n, text in enumerate(_wrap(label, FONT, 7, slot - 4)[:2]):
                drawing.add(String(x + bar / 2, bottom - 12 - 8 * n, text, fontName=FONT,
                                   fontSize=7, textAnchor="middle", fillColor=GREY))  # fmt: skip
            if index + 1 < len(steps) and kind != "end":
                nxt = (index + 1) * slot + (slot - bar) / 2
                drawing.add(Line(x + bar, y(b), nxt, y(b), strokeColor=GREY, strokeWidth=0.3,
                                 strokeDashArray=[2, 2]))  # fmt: skip
        return drawing

    def waterfall_note(self) -> str:
        return (
            "Fees and funding are shown on their own although they are inside the realized "
            'results or expenses; "gains and losses before fees" is the rest, so the bars add '
            f"up to what is left at cost minus what is owed ({self.fiat})."
        )

    def wallets_table(self) -> Table:
        st, rule = self.statement, self.rule
        header = ["Wallet", "Put in", "Taken out", "Realized", "Moved between wallets",
                  "Left at cost", "Owed"]  # fmt: skip
        rows: list[list[Any]] = [header]
        for name, lines in st.wallets.items():
            shown = printed_lines(lines, rule)
            keys = ("capital_in", "capital_out", "realized", "moved", "left_at_cost", "owed")
            rows.append([name, *(_m(shown[k]) for k in keys)])
        body = []
        for r, row in enumerate(rows):
            cells = []
            for c, cell in enumerate(row):
                text = _esc(cell)
                cells.append(Paragraph(f"<b>{text}</b>" if r == 0 else text,
                                       STYLES["cell" if c == 0 else "num"]))  # fmt: skip
            body.append(cells)
        widths = [self.width * 0.22, *([self.width * 0.13] * 6)]
        result = Table(body, colWidths=widths, repeatRows=1)
        result.setStyle(TableStyle([
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.Color(0.8, 0.8, 0.8)),
            ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]))  # fmt: skip
        return result


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Split ``text`` into lines that fit ``width`` points (chart labels)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and stringWidth(trial, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def account_section(
    report: Report, year: str, width: float, figures: Printed | None = None
) -> list[Any]:
    """The flowables of "Where the money went" for the summary of ``year``."""
    return AccountSection(report, year, width, figures).story()


def debt_checks(report: Report, figures: Printed | None = None) -> list[str]:
    """The summary's "what to check" items for debts to platforms (none without a debt)."""
    st = printed(report, figures).account()
    if not st.debts:
        return []
    rule = report.rule
    open_value = owed_rows_total(st.open_debts, rule)
    return [
        f"<b>Debts to platforms.</b> {len(st.debts)} debt(s) or loan(s) in the data; "
        f"{money_text(open_value)} {rule.fiat} still owed at the end (first section). A "
        "liquidation is a disposal, so its loss is in the realized results; the unpaid part is "
        "a debt, not a further loss. If a platform forgives it, the forgiven amount can be "
        "cancellation-of-debt income (IRC §61(a)(11); IRS Publication 4681, exclusions such "
        "as insolvency under §108); confirm how the platform settled it."
    ]
