"""``form8949-<year>.pdf``: a substitute Form 8949 (Parts I and II) and a Schedule D page.

Laid out like the official form: the taxpayer's name and number, the checkbox of each box
(C/F before 2025, I/L from 2025, per the rule file), columns (a)-(h) with the form's headings,
the rule file's rows per page (11 on the 2025 revision, reference §1.6), page totals, and the
line 2 (Part I) / line 4 (Part II) totals on the last page of each box. A box with more rows
than the statement threshold is printed as one summary line with code M ("see attached
statement", Exception 2, reference §1.6) followed by the statement in the same columns, with
totals per page and a grand total equal to the form line. Numbers come from ``returns.printed``
and ``returns.us``, so they equal report.json and the XLSX to the cent.
Sees only ``Report``; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from taxloss.model import Report, Term
from taxloss.money import ZERO
from taxloss.render.labels import NOT_ADVICE
from taxloss.render.pdf_common import (
    BOLD,
    FONT,
    GREY,
    LIGHT,
    OBLIQUE,
    NumberedCanvas,
    checkbox,
    draw_right,
    draw_text,
    fit,
    metadata,
    money_text,
)
from taxloss.render.pdf_text import TextBlock, fit_text, text_width
from taxloss.render.text import rows_text
from taxloss.returns.printed import Printed, Row, Section, Totals, printed
from taxloss.returns.us import LineAmounts, OffsetPlan, YearOffset

WIDTH, HEIGHT = letter
LEFT = 30.0
RIGHT = WIDTH - 30.0
ROW_HEIGHT = 17.0
#: Rows on a statement page: with the page total and the last page's grand total below
#: them, they end above the footer (40 ran off the bottom of the page; issue #16).
STATEMENT_ROWS = 32
#: Where a statement page's first row starts (below the heading, note and column heads).
STATEMENT_TOP = HEIGHT - 36 - 62 - 18 - 58

#: (heading, width) of columns (a)-(h); widths add up to RIGHT - LEFT.
COLUMNS = (
    ("(a)\nDescription of property\n(Example: 100 sh. XYZ Co.)", 150.0),
    ("(b)\nDate acquired\n(Mo., day, yr.)", 52.0),
    ("(c)\nDate sold or\ndisposed of\n(Mo., day, yr.)", 52.0),
    ("(d)\nProceeds\n(sales price)\n(see instructions)", 72.0),
    (
        "(e)\nCost or other basis.\nSee the Note below\nand see Column (e)\nin the instructions",
        72.0,
    ),
    ("(f)\nCode(s)\nfrom\ninstruc-\ntions", 30.0),
    ("(g)\nAmount of\nadjustment", 56.0),
    (
        "(h)\nGain or (loss).\nSubtract column (e)\nfrom column (d) and\ncombine the result\n"
        "with column (g)",
        68.0,
    ),
)

#: Left edge of each column, and the inner vertical rules between columns.
#: ``us_date``'s texts by day: a statement of 100,000 rows has a few thousand dates.
_US_DATES: dict[date, str] = {}


def us_date(day: date) -> str:
    """``day`` as MM/DD/YYYY (``strftime`` once per day)."""
    text = _US_DATES.get(day)
    if text is None:
        text = _US_DATES[day] = day.strftime("%m/%d/%Y")
    return text


COLUMN_LEFT = tuple(LEFT + sum(width for _, width in COLUMNS[:i]) for i in range(len(COLUMNS)))
COLUMN_EDGES = COLUMN_LEFT[1:]
#: How and where ``row_line`` places each column's text: amounts end 3 points inside their
#: column, dates and codes are centred, the description starts 3 points in.
PLACES = tuple(
    ("right", left + width - 3)
    if index in (3, 4, 6, 7)
    else ("centre", left + width / 2)
    if index in (1, 2, 5)
    else ("left", left + 3)
    for index, (left, (_, width)) in enumerate(zip(COLUMN_LEFT, COLUMNS, strict=True))
)

BOX_TEXT = {
    "A": "transactions reported on Form(s) 1099-B showing basis was reported to the IRS",
    "B": "transactions reported on Form(s) 1099-B showing basis wasn't reported to the IRS",
    "C": "transactions not reported to you on Form 1099-B",
    "G": "digital asset transactions reported on Form(s) 1099-DA showing basis was reported "
    "to the IRS",
    "H": "digital asset transactions reported on Form(s) 1099-DA showing basis wasn't "
    "reported to the IRS",
    "I": "digital asset transactions not reported to you on Form 1099-DA",
}
LONG_OF = {"A": "D", "B": "E", "C": "F", "G": "J", "H": "K", "I": "L"}
SHORT_OF = {v: k for k, v in LONG_OF.items()}


@dataclass
class Page:
    """One page to draw: a form page for a box, a statement page, or the Schedule D page."""

    kind: str
    section: Section | None = None
    rows: Sequence[Row] = ()
    last_of_box: bool = False
    page_in_box: int = 1
    pages_in_box: int = 1
    summary: bool = False


def two_lines(canvas: Canvas, text: str, font: str, x: float, y: float, width: float) -> None:
    """Column (a) with a transaction id too long for one line (issue #12): the property on
    the first line, the id below it in a smaller size."""
    head, _, rest = text.partition(" (tx ")
    canvas.setFont(font, 7)
    canvas.drawString(x, y - 8, fit(head, font, 7, width))
    canvas.setFont(font, 6)
    canvas.drawString(x, y - 15, fit(f"tx {rest.removesuffix(')')}", font, 6, width))
    canvas.setFont(font, 8)


def boxes_for(year: int, term: Term) -> list[str]:
    """The checkbox letters printed in a part: A-C (and G-I from 2025), D-F (and J-L)."""
    short = ["A", "B", "C"] + (["G", "H", "I"] if year >= 2025 else [])
    return short if term is Term.SHORT else [LONG_OF[b] for b in short]


def plan_pages(sections: Sequence[Section], rows_per_page: int, threshold: int) -> list[Page]:
    """Split each box into form pages (or a summary line and statement pages)."""
    pages: list[Page] = []
    statements: list[Page] = []
    for section in sections:
        if len(section.rows) > threshold:
            pages.append(Page("form", section, (), True, 1, 1, summary=True))
            chunks = [
                section.rows[i : i + STATEMENT_ROWS]
                for i in range(0, len(section.rows), STATEMENT_ROWS)
            ]
            for number, chunk in enumerate(chunks, start=1):
                statements.append(
                    Page("statement", section, chunk, number == len(chunks), number, len(chunks))
                )
            continue
        chunks = [
            section.rows[i : i + rows_per_page] for i in range(0, len(section.rows), rows_per_page)
        ] or [[]]
        for number, chunk in enumerate(chunks, start=1):
            pages.append(Page("form", section, chunk, number == len(chunks), number, len(chunks)))
    return pages + statements


def _sum(rows: Sequence[Row]) -> Totals:
    totals = Totals()
    for row in rows:
        totals.add(row)
    return totals


class Form8949Writer:
    """Draws the pages of one tax year."""

    def __init__(
        self,
        report: Report,
        figures: Printed,
        year: str,
        offset: YearOffset | None,
        taxpayer: dict[str, str],
        threshold: int,
    ) -> None:
        self.report = report
        self.figures = figures
        self.year = year
        self.year_number = int(year[:4])
        self.offset = offset
        self.taxpayer = taxpayer
        self.threshold = threshold
        #: Form objects already defined in this document, and the page content of each
        #: box's statement heading (``statement_page``).
        self._forms: set[str] = set()
        self._heads: dict[tuple[Term, str], str] = {}
        self._inputs: str | None = None

    # -- page furniture ----------------------------------------------------------------------

    def footer(self, canvas: Canvas, number: int, total: int) -> None:
        rule = self.report.rule
        canvas.setFont(FONT, 6.5)
        canvas.setFillColor(GREY)
        canvas.drawString(
            LEFT,
            22,
            f"Substitute form produced by taxloss from {rule.path} "
            f"(version {rule.version}), method {self.report.method.value.upper()}. "
            "Not the official IRS form; not tax advice.",
        )
        canvas.drawRightString(RIGHT, 22, f"page {number} of {total}")
        canvas.setFont(FONT, 6)
        canvas.drawString(LEFT, 14, self.inputs_line)
        canvas.setFillColor((0, 0, 0))

    @property
    def inputs_line(self) -> str:
        """The input files this form was computed from (name and sha256 prefix), cut to one
        line with a count of the rest: every output names its inputs."""
        if self._inputs is None:
            names = [f"{i.path} (sha256 {i.sha256[:12]})" for i in self.report.inputs]
            width = RIGHT - LEFT
            line = "Inputs: none"
            for kept in range(len(names), 0, -1):
                rest = len(names) - kept
                line = "Inputs: " + ", ".join(names[:kept])
                if rest:
                    line += f", and {rest} more (listed in the summary PDF and report.json)"
                if stringWidth(line, FONT, 6) <= width:
                    break
            while stringWidth(line, FONT, 6) > width:  # one very long name
                line = line[:-2] + "…"
            self._inputs = line
        return self._inputs

    def header(
        self, canvas: Canvas, title: str, subtitle: str, sequence: str, note: str = ""
    ) -> float:
        """The form heading and the name / identifying number line; returns the next y."""
        top = HEIGHT - 36
        canvas.setLineWidth(0.8)
        draw_text(canvas, LEFT, top - 4, title.split("|")[0], BOLD, 15)
        if "|" in title:
            draw_text(canvas, LEFT, top - 14, title.split("|")[1], FONT, 7)
        draw_text(canvas, LEFT, top - 24, "Department of the Treasury", FONT, 6)
        draw_text(canvas, LEFT, top - 31, "Internal Revenue Service", FONT, 6)
        canvas.setFont(BOLD, 11)
        canvas.drawCentredString(WIDTH / 2, top - 4, subtitle)
        canvas.setFont(FONT, 6.5)
        canvas.drawCentredString(
            WIDTH / 2, top - 15, "Go to www.irs.gov for instructions and the latest information."
        )
        canvas.drawCentredString(
            WIDTH / 2,
            top - 23,
            note
            or "File with your Schedule D to list your transactions for lines 1b, 2, 3, 8b, 9, "
            "and 10 of Schedule D.",
        )
        draw_right(canvas, RIGHT, top + 2, "OMB No. 1545-0074", FONT, 6.5)
        draw_right(canvas, RIGHT, top - 14, self.year, BOLD, 16)
        draw_right(canvas, RIGHT, top - 26, sequence, FONT, 6.5)
        canvas.line(LEFT, top - 36, RIGHT, top - 36)
        name = self.taxpayer.get("name", "")
        number = self.taxpayer.get("id", "")
        draw_text(canvas, LEFT, top - 44, "Name(s) shown on return", FONT, 6.5)
        draw_text(
            canvas,
            400,
            top - 44,
            "Social security number or taxpayer identification number",
            FONT,
            6.5,
        )
        draw_text(canvas, LEFT + 2, top - 57, name or "_" * 55, FONT, 9)
        draw_text(canvas, 402, top - 57, number or "_" * 28, FONT, 9)
        canvas.line(395, top - 36, 395, top - 62)
        canvas.line(LEFT, top - 62, RIGHT, top - 62)
        return top - 62

    def part_banner(self, canvas: Canvas, y: float, term: Term) -> float:
        part = "Part I" if term is Term.SHORT else "Part II"
        canvas.setFillColor((0, 0, 0))
        canvas.rect(LEFT, y - 13, 40, 12, fill=1)
        canvas.setFillColor((1, 1, 1))
        canvas.setFont(BOLD, 8.5)
        canvas.drawString(LEFT + 4, y - 10, part)
        canvas.setFillColor((0, 0, 0))
        if term is Term.SHORT:
            text = (
                "Short-Term. Transactions involving capital assets you held 1 year or less "
                "are generally short-term (see instructions)."
            )
        else:
            text = (
                "Long-Term. Transactions involving capital assets you held more than 1 year "
                "are generally long-term (see instructions)."
            )
        draw_text(canvas, LEFT + 46, y - 10, text, BOLD, 7.5)
        return y - 17

    def checkboxes(self, canvas: Canvas, y: float, term: Term, box: str) -> float:
        letters = boxes_for(self.year_number, term)
        draw_text(
            canvas,
            LEFT,
            y - 8,
            "You must check one box below. Complete a separate page "
            "for each applicable box. If more than one box applies, use as many pages as "
            "you need.",
            FONT,
            6.5,
        )
        y -= 12
        word = "Short-term" if term is Term.SHORT else "Long-term"
        for choice in letters:
            short = choice if term is Term.SHORT else SHORT_OF[choice]
            text = BOX_TEXT[short]
            if short == "C" and self.year_number >= 2025:
                text += " (not for digital assets)"
            y -= 10
            checkbox(canvas, LEFT + 2, y, choice == box)
            draw_text(canvas, LEFT + 13, y + 1, f"({choice})", BOLD, 7)
            draw_text(canvas, LEFT + 30, y + 1, f"{word} {text}", FONT, 7)
        return y - 6

    def table_head(self, canvas: Canvas, y: float, line: str) -> float:
        height = 58.0
        canvas.setFillColor(LIGHT)
        canvas.rect(LEFT, y - height, RIGHT - LEFT, height, fill=1, stroke=0)
        canvas.setFillColor((0, 0, 0))
        canvas.setLineWidth(0.5)
        canvas.rect(LEFT, y - height, RIGHT - LEFT, height)
        x = LEFT
        draw_text(canvas, LEFT + 2, y - 8, line, BOLD, 8)
        span_left = LEFT + sum(width for _, width in COLUMNS[:5])
        span_width = COLUMNS[5][1] + COLUMNS[6][1]
        for n, text in enumerate(
            (
                "Adjustment, if any, to gain",
                "or loss. If you enter an",
                "amount in (g), enter a",
                "code in (f).",
            )
        ):
            canvas.setFont(FONT, 5)
            canvas.drawCentredString(span_left + span_width / 2, y - 6 - 5.5 * n, text)
        canvas.line(span_left, y - 24, span_left + span_width, y - 24)
        for index, (heading, width) in enumerate(COLUMNS):
            if index:
                top = y - 24 if index == 6 else y
                canvas.line(x, top, x, y - height)
            start = y - 31 if index in (5, 6) else y - 9
            lines = heading.split("\n")
            for n, text in enumerate(lines):
                font = BOLD if n == 0 else FONT
                canvas.setFont(font, 6)
                canvas.drawCentredString(x + width / 2, start - 6.5 * n, text)
            x += width
        return y - height

    def row_line(
        self, canvas: Canvas, y: float, cells: Sequence[str], bold: bool = False, fill: bool = False
    ) -> float:
        """One table row; amounts right-aligned in their columns."""
        self.row_grid(canvas, y, 1, fill)
        font = BOLD if bold else FONT
        canvas.setFont(font, 8)  # one font per row: each cell below only places its text
        base = y - 11.5
        for index, text in enumerate(cells):
            if not text:
                continue
            left, width = COLUMN_LEFT[index], COLUMNS[index][1]
            if index in (3, 4, 6, 7):
                canvas.drawRightString(left + width - 3, base, text)
            elif index in (1, 2, 5):
                canvas.drawCentredString(left + width / 2, base, text)
            elif index == 0 and " (tx " in text and stringWidth(text, font, 8) > width - 6:
                two_lines(canvas, text, font, left + 3, y, width - 6)
            else:
                canvas.drawString(left + 3, base, fit(text, font, 8, width - 6))
        return y - ROW_HEIGHT

    @staticmethod
    def cells(row: Row) -> list[str]:
        return [
            row.description,
            us_date(row.acquired),
            us_date(row.disposed),
            money_text(row.proceeds),
            money_text(row.cost_basis),
            row.codes,
            money_text(row.adjustment, blank_zero=True),
            money_text(row.gain),
        ]

    @staticmethod
    def total_cells(label: str, totals: Totals, code: str = "") -> list[str]:
        return [
            label,
            "",
            "",
            money_text(totals.proceeds),
            money_text(totals.cost_basis),
            code,
            money_text(totals.adjustment, blank_zero=True),
            money_text(totals.gain),
        ]

    def totals_text(self, canvas: Canvas, y: float, term: Term) -> float:
        if term is Term.SHORT:
            number, lines = "2", ("1b", "2", "3")
            boxes = ("A or G", "B or H", "C or I") if self.year_number >= 2025 else ("A", "B", "C")
        else:
            number, lines = "4", ("8b", "9", "10")
            boxes = ("D or J", "E or K", "F or L") if self.year_number >= 2025 else ("D", "E", "F")
        text = (
            f"{number}  Totals. Add the amounts in columns (d), (e), (g), and (h) (subtract "
            "negative amounts). Enter each total here and include on your Schedule D, "
            f"line {lines[0]} (if Box {boxes[0]} above is checked), line {lines[1]} (if Box "
            f"{boxes[1]} above is checked), or line {lines[2]} (if Box {boxes[2]} above is "
            "checked)."
        )
        return wrap(canvas, LEFT, y - 9, text, FONT, 6.5, RIGHT - LEFT)

    # -- pages -------------------------------------------------------------------------------

    def form_page(self, canvas: Canvas, page: Page) -> None:
        assert page.section is not None
        section = page.section
        term = section.term
        sequence = "Attachment Sequence No. 12A"
        y = self.header(
            canvas,
            "Form 8949|(substitute)",
            "Sales and Other Dispositions of Capital Assets",
            sequence,
        )
        y = self.part_banner(canvas, y - 4, term)
        draw_text(
            canvas,
            LEFT,
            y - 8,
            f"Note: You may aggregate all {'short' if term is Term.SHORT else 'long'}-term "
            "transactions reported on Form(s) 1099-B showing basis was reported to the IRS and "
            "for which no adjustments or codes are required (Schedule D, line "
            f"{'1a' if term is Term.SHORT else '8a'}).",
            OBLIQUE,
            6,
        )
        y = self.checkboxes(canvas, y - 10, term, section.box)
        line = "1" if term is Term.SHORT else "3"
        y = self.table_head(canvas, y - 4, line)
        if page.summary:
            label = f"See attached statement ({len(section.rows)} rows)"
            y = self.row_line(canvas, y, self.total_cells(label, section.totals, "M"))
            blank = self.report.rule.rows_per_page - 1
        else:
            for row in page.rows:
                y = self.row_line(canvas, y, self.cells(row))
            blank = self.report.rule.rows_per_page - len(page.rows)
        for _ in range(blank):
            y = self.row_line(canvas, y, [])
        if page.pages_in_box > 1:
            label = (
                f"Page total (page {page.page_in_box} of {page.pages_in_box} for box {section.box})"
            )
            y = self.row_line(canvas, y, self.total_cells(label, _sum(page.rows)), fill=True)
        if page.last_of_box:
            y = self.totals_text(canvas, y - 2, term)
            number = "2" if term is Term.SHORT else "4"
            y = self.row_line(
                canvas,
                y - 2,
                self.total_cells(
                    f"{number}  Totals, box {section.box} ({rows_text(section.totals.rows)})",
                    section.totals,
                    "M" if page.summary else "",
                ),
                bold=True,
                fill=True,
            )
        else:
            draw_text(
                canvas,
                LEFT,
                y - 12,
                f"Continued on the next page: box {section.box} "
                "totals (line 2/4) are on its last page.",
                OBLIQUE,
                7,
            )
        draw_text(
            canvas,
            LEFT,
            40,
            "Note: If you checked Box A, D, G or J above but the basis "
            "reported to the IRS was incorrect, enter in column (e) the basis as reported "
            "to the IRS, and enter an adjustment in column (g) to correct the basis.",
            OBLIQUE,
            6,
        )

    def statement_page(self, canvas: Canvas, page: Page) -> None:
        """One page of an attached statement, drawn with few reportlab calls (issue #16).

        What every page of a box repeats (the heading, the line above the table, the column
        heads) is drawn once per box and its page content reused (in a ``q ... Q`` pair, so it
        leaves the graphics state as it found it; not a form object, whose text pypdf's and
        other extractors do not read); the frames and rules of a full page's rows are one form
        object per document; the page adds its rows' text as one text object
        (``TextBlock``). The text and its positions are those ``row_line`` gives.
        """
        assert page.section is not None
        section = page.section
        key = (section.term, section.box)
        head = self._heads.get(key)
        if head is None:
            start = len(canvas._code)
            canvas.saveState()
            self.statement_head(canvas, section)
            canvas.restoreState()
            self._heads[key] = "\n".join(canvas._code[start:])
        else:
            canvas._code.append(head)
        y = STATEMENT_TOP
        if len(page.rows) == STATEMENT_ROWS:
            if "StatementGrid" not in self._forms:
                canvas.beginForm("StatementGrid")
                low = self.row_grid(canvas, y, STATEMENT_ROWS)
                self.row_grid(canvas, low, 1, fill=True)
                canvas.endForm()
                self._forms.add("StatementGrid")
            canvas.doForm("StatementGrid")
        else:
            low = self.row_grid(canvas, y, len(page.rows))
            self.row_grid(canvas, low, 1, fill=True)
        block = TextBlock(canvas)
        block.set_font(FONT, 8)
        for row in page.rows:
            y = self.row_text(canvas, block, y, self.cells(row))
        label = f"Page total (statement page {page.page_in_box} of {page.pages_in_box})"
        y = self.row_text(canvas, block, y, self.total_cells(label, _sum(page.rows)))
        if page.last_of_box:
            self.row_grid(canvas, y - 4, 1, fill=True)
            block.set_font(BOLD, 8)
            line = "2" if section.term is Term.SHORT else "4"
            cells = self.total_cells(f"All pages = Form 8949 line {line}", section.totals, "M")
            self.row_text(canvas, block, y - 4, cells)
        block.flush()

    def statement_head(self, canvas: Canvas, section: Section) -> None:
        """The heading, note and column heads of a box's statement pages."""
        part = "Part I (short-term)" if section.term is Term.SHORT else "Part II (long-term)"
        y = self.header(
            canvas,
            "Statement|attached to Form 8949",
            f"Form 8949 {part}, Box {section.box}: statement of transactions",
            "Exception 2 statement",
        )
        draw_text(
            canvas,
            LEFT,
            y - 12,
            "Attached to Form 8949, which reports these "
            f"{section.totals.rows} transactions on one line with code M. Totals are given "
            "per page; the total of all pages equals that Form 8949 line.",
            FONT,
            7,
        )
        self.table_head(canvas, y - 18, "")

    @staticmethod
    def row_grid(canvas: Canvas, y: float, rows: int, fill: bool = False) -> float:
        """The frames and column rules of ``rows`` rows from ``y`` down (each row of
        ``row_line``, and a statement page's grid); returns the y below them."""
        for _ in range(rows):
            if fill:
                canvas.setFillColor(LIGHT)
                canvas.rect(LEFT, y - ROW_HEIGHT, RIGHT - LEFT, ROW_HEIGHT, fill=1, stroke=0)
                canvas.setFillColor((0, 0, 0))
            canvas.setLineWidth(0.4)
            canvas.rect(LEFT, y - ROW_HEIGHT, RIGHT - LEFT, ROW_HEIGHT)
            canvas.lines([(x, y, x, y - ROW_HEIGHT) for x in COLUMN_EDGES])
            y -= ROW_HEIGHT
        return y

    @staticmethod
    def row_text(canvas: Canvas, block: TextBlock, y: float, cells: Sequence[str]) -> float:
        """The text of one row (as ``row_line`` places it) into ``block``."""
        font = block.font
        placed = []
        for index, text in enumerate(cells):
            if not text:
                continue
            how, x = PLACES[index]
            if index == 0:
                width = COLUMNS[0][1]
                if " (tx " in text and text_width(text, font, 8) > width - 6:
                    two_lines(canvas, text, font, x, y, width - 6)
                    continue
                text = fit_text(text, font, 8, width - 6)
            placed.append((how, x, text))
        block.row(y - 11.5, placed)
        return y - ROW_HEIGHT

    def schedule_d_page(self, canvas: Canvas) -> None:
        y = self.header(
            canvas,
            "SCHEDULE D|(Form 1040)",
            "Capital Gains and Losses",
            "Attachment Sequence No. 12",
            "Attach to Form 1040, 1040-SR, or 1040-NR. Use Form 8949 to list your transactions "
            "for lines 1b, 2, 3, 8b, 9, and 10.",
        )
        offset = self.offset
        if offset is None:
            draw_text(
                canvas, LEFT, y - 20, "Schedule D is computed only for calendar tax years.", FONT, 9
            )
            return
        draw_text(
            canvas,
            LEFT,
            y - 11,
            "Filled from the Form 8949 totals in this file and the "
            "carryover worksheet; lines taxloss does not compute are left blank for your "
            "tax professional.",
            OBLIQUE,
            6.5,
        )
        y -= 16
        later = self.year_number >= 2025
        short_lines = [
            (
                "1a",
                "Totals for all short-term transactions reported on Form 1099-B (or 1099-DA) "
                "with basis reported and no adjustments (other gains you entered)",
                True,
            ),
            (
                "1b",
                f"Totals for all transactions reported on Form(s) 8949 with Box A"
                f"{' or G' if later else ''} checked",
                True,
            ),
            ("2", f"Totals ... Form(s) 8949 with Box B{' or H' if later else ''} checked", True),
            ("3", f"Totals ... Form(s) 8949 with Box C{' or I' if later else ''} checked", True),
            (
                "4",
                "Short-term gain from Form 6252 and short-term gain or (loss) from Forms 4684, "
                "6781, and 8824",
                False,
            ),
            (
                "5",
                "Net short-term gain or (loss) from partnerships, S corporations, estates, "
                "and trusts from Schedule(s) K-1",
                False,
            ),
            (
                "6",
                "Short-term capital loss carryover (line 8 of your Capital Loss Carryover "
                "Worksheet)",
                False,
            ),
            (
                "7",
                "Net short-term capital gain or (loss). Combine lines 1a through 6 in column (h)",
                False,
            ),
        ]
        long_lines = [
            (
                "8a",
                "Totals for all long-term transactions reported on Form 1099-B (or 1099-DA) "
                "with basis reported and no adjustments (other gains you entered)",
                True,
            ),
            (
                "8b",
                f"Totals for all transactions reported on Form(s) 8949 with Box D"
                f"{' or J' if later else ''} checked",
                True,
            ),
            ("9", f"Totals ... Form(s) 8949 with Box E{' or K' if later else ''} checked", True),
            ("10", f"Totals ... Form(s) 8949 with Box F{' or L' if later else ''} checked", True),
            (
                "11",
                "Gain from Form 4797, Part I; long-term gain from Forms 2439 and 6252; and "
                "long-term gain or (loss) from Forms 4684, 6781, and 8824",
                False,
            ),
            (
                "12",
                "Net long-term gain or (loss) from partnerships, S corporations, estates, and "
                "trusts from Schedule(s) K-1",
                False,
            ),
            ("13", "Capital gain distributions", False),
            (
                "14",
                "Long-term capital loss carryover (line 13 of your Capital Loss Carryover "
                "Worksheet)",
                False,
            ),
            (
                "15",
                "Net long-term capital gain or (loss). Combine lines 8a through 14 in column (h)",
                False,
            ),
        ]
        values = {
            "6": offset.line6,
            "7": offset.line7,
            "14": offset.line14,
            "15": offset.line15,
            "4": ZERO,
            "5": ZERO,
            "11": ZERO,
            "12": ZERO,
            "13": ZERO,
        }
        for term, lines in ((Term.SHORT, short_lines), (Term.LONG, long_lines)):
            y = self.part_banner(canvas, y - 4, term)
            y = self.schedule_head(canvas, y - 2)
            for number, text, columns in lines:
                amounts = offset.lines.get(number) if columns else None
                y = self.schedule_row(
                    canvas, y, number, text, amounts, values.get(number), bold=number in ("7", "15")
                )
        y -= 6
        canvas.setFillColor((0, 0, 0))
        canvas.rect(LEFT, y - 13, 44, 12, fill=1)
        canvas.setFillColor((1, 1, 1))
        canvas.setFont(BOLD, 8.5)
        canvas.drawString(LEFT + 4, y - 10, "Part III")
        canvas.setFillColor((0, 0, 0))
        draw_text(canvas, LEFT + 50, y - 10, "Summary", BOLD, 8)
        y -= 17
        y = self.schedule_row(
            canvas,
            y,
            "16",
            "Combine lines 7 and 15 and enter the result",
            None,
            offset.line16,
            bold=True,
        )
        if offset.line16 < 0:
            limit = money_text(-offset.limit)
            text = (
                f"If line 16 is a loss, enter the smaller of the loss on line 16 or {limit} "
                f"({offset.filing_status}; Form 1040, line {'7a' if later else '7'})"
            )
            y = self.schedule_row(canvas, y, "21", text, None, offset.line21, bold=True)
            carry = (
                f"Carryover to {self.year_number + 1}: short-term "
                f"{money_text(offset.carryover_short)}, long-term "
                f"{money_text(offset.carryover_long)} (Capital Loss Carryover Worksheet "
                "lines 8 and 13)."
            )
            draw_text(canvas, LEFT, y - 12, carry, BOLD, 8)
            y -= 14
        else:
            draw_text(
                canvas,
                LEFT,
                y - 12,
                "Line 16 is a gain: lines 17-20 and the tax "
                "computation are for your tax professional on the official form.",
                FONT,
                7.5,
            )
            y -= 14
        for note in offset.notes:
            y = wrap(canvas, LEFT, y - 10, note, OBLIQUE, 7, RIGHT - LEFT)
        wrap(canvas, LEFT, y - 12, NOT_ADVICE, OBLIQUE, 7, RIGHT - LEFT)

    def schedule_head(self, canvas: Canvas, y: float) -> float:
        heads = ("(d) Proceeds", "(e) Cost or other basis", "(g) Adjustments", "(h) Gain or (loss)")
        canvas.setFillColor(LIGHT)
        canvas.rect(LEFT, y - 12, RIGHT - LEFT, 12, fill=1, stroke=0)
        canvas.setFillColor((0, 0, 0))
        x = RIGHT - 4 * 66
        for head in heads:
            canvas.setFont(BOLD, 6.5)
            canvas.drawCentredString(x + 33, y - 9, head)
            x += 66
        return y - 12

    def schedule_row(
        self,
        canvas: Canvas,
        y: float,
        number: str,
        text: str,
        amounts: LineAmounts | None,
        total: Decimal | None,
        bold: bool = False,
    ) -> float:
        """One Schedule D line: number, wrapped text, columns (d), (e), (g), (h)."""
        font = BOLD if bold else FONT
        parts = simpleSplit(text, font, 6.5, RIGHT - LEFT - 4 * 66 - 24)[:2]
        height = 15.0 if len(parts) == 1 else 19.0
        canvas.setLineWidth(0.4)
        canvas.line(LEFT, y - height, RIGHT, y - height)
        draw_text(canvas, LEFT + 2, y - 10, number, BOLD, 8)
        for n, part in enumerate(parts):
            draw_text(canvas, LEFT + 20, y - 8 - 7.5 * n, part, font, 6.5)
        x = RIGHT - 4 * 66
        for _ in range(4):
            canvas.line(x, y, x, y - height)
            x += 66
        if amounts is not None:
            form_line = number in ("1b", "2", "3", "8b", "9", "10")
            used = form_line and any((amounts.proceeds, amounts.cost_basis, amounts.gain))
            # Exception 1 (--schedule-d-1a): box G/J totals on line 1a/8a, with (d) and (e).
            used = used or (number in ("1a", "8a") and any((amounts.proceeds, amounts.cost_basis)))
            cells = [
                money_text(amounts.proceeds) if used else "",
                money_text(amounts.cost_basis) if used else "",
                money_text(amounts.adjustment, blank_zero=True) if used else "",
                money_text(amounts.gain) if used or amounts.gain else "",
            ]
            x = RIGHT - 4 * 66
            for cell in cells:
                draw_right(canvas, x + 63, y - 10, cell, font, 8)
                x += 66
        elif total is not None:
            draw_right(canvas, RIGHT - 3, y - 10, money_text(total, blank_zero=not bold), font, 8)
        return y - height


def wrap(
    canvas: Canvas, x: float, y: float, text: str, font: str, size: float, width: float
) -> float:
    """Draw ``text`` wrapped to ``width``; returns the y below the last line."""
    for line in simpleSplit(text, font, size, width):
        draw_text(canvas, x, y, line, font, size)
        y -= size + 2
    return y


def render_pdf_8949(
    report: Report,
    out: Path,
    year: str,
    offsets: OffsetPlan | None = None,
    taxpayer: dict[str, str] | None = None,
    threshold: int = 500,
    figures: Printed | None = None,
) -> Path:
    """Write ``form8949-<year>.pdf``.

    Args:
        report: the report.
        out: the file to write.
        year: the tax-year label.
        offsets: Schedule D figures per year (for lines 6, 14, 16, 21); None skips them.
        taxpayer: optional ``name`` and ``id``.
        threshold: rows per box above which the box goes on an attached statement.
        figures: printed rows already computed for this report, if any.

    Returns:
        ``out``.
    """
    shown = printed(report, figures)
    writer = Form8949Writer(
        report, shown, year, offsets.for_year(year) if offsets else None, taxpayer or {}, threshold
    )
    sections = [s for s in shown.year(year).sections if not s.exception_1]
    pages = plan_pages(sections, report.rule.rows_per_page, threshold)
    # The pages (or the one saying there are none), then Schedule D: counted in advance,
    # so each page is finished as it is drawn.
    total = max(len(pages), 1) + 1
    canvas = NumberedCanvas(str(out), pagesize=letter, footer=writer.footer, total=total)
    metadata(
        canvas,
        report,
        f"Form 8949 and Schedule D {year}",
        "Substitute Form 8949 and Schedule D produced by taxloss",
    )
    draw: dict[str, Callable[[Canvas, Page], None]] = {
        "form": writer.form_page,
        "statement": writer.statement_page,
    }
    if not pages:
        draw_text(canvas, LEFT, HEIGHT - 80, f"No disposals in tax year {year}.", BOLD, 12)
        canvas.showPage()
    for page in pages:
        draw[page.kind](canvas, page)
        canvas.showPage()
    writer.schedule_d_page(canvas)
    canvas.showPage()
    canvas.save()
    return out
