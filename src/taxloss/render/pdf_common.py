"""Shared PDF plumbing: repeatable canvases, "page N of M", money text and small drawing aids.

Every PDF taxloss writes uses reportlab's invariant mode (fixed creation date and document id),
the standard Helvetica fonts (no font files needed, text stays selectable), and the same money
format as the forms: ``1,234.56`` and ``(5,100.00)`` for a loss.
Sees only ``Report``; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from reportlab import rl_config
from reportlab.lib.colors import Color, black
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from taxloss import __version__
from taxloss.errors import InternalError
from taxloss.model import Report

FONT = "Helvetica"
BOLD = "Helvetica-Bold"
OBLIQUE = "Helvetica-Oblique"
GREY = Color(0.35, 0.35, 0.35)
LIGHT = Color(0.93, 0.94, 0.96)
RULE_GREY = Color(0.6, 0.6, 0.6)


def money_text(value: Decimal | None, blank_zero: bool = False) -> str:
    """``1,234.56``, ``(5,100.00)`` for a negative amount, ``""`` for None."""
    if value is None or (blank_zero and value == 0):
        return ""
    text = f"{abs(value):,.2f}"
    return f"({text})" if value < 0 else text


#: The most characters a table cell of a summary shows (issue #11): a cell wraps, and one
#: taller than a page would stop the layout; a longer text is clipped with an ellipsis (the
#: full text is in report.json and the workbook).
CELL_CHARS = 400


def clip(text: str, most: int = CELL_CHARS) -> str:
    """``text`` cut to ``most`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= most else text[: most - 1] + "…"


def fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten ``text`` with an ellipsis so it fits ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def metadata(canvas: Canvas, report: Report, title: str, subject: str) -> None:
    """Document properties (fixed, so output is repeatable)."""
    canvas.setTitle(title)
    canvas.setAuthor("taxloss")
    canvas.setSubject(subject)
    canvas.setCreator(f"taxloss {__version__}")
    canvas.setKeywords(f"{report.rule.id} {report.method.value}")


class NumberedCanvas(Canvas):
    """A canvas that knows the page count, for "page N of M" footers.

    ``footer(canvas, number, total)`` draws on each page. With ``total`` (the page count, when
    the caller knows it in advance) each page is finished at once; without it, pages are kept
    until ``save`` (a Form 8949 statement of a million rows has thousands of pages, so its
    writer gives the count: issue #16). The page contents are the same either way.
    """

    def __init__(
        self, *args: Any, footer: Any = None, total: int | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("invariant", 1)
        kwargs.setdefault("pageCompression", 1)
        super().__init__(*args, **kwargs)
        self._saved: list[dict[str, Any]] = []
        self._footer = footer
        self._total = total
        self._number = 0

    def showPage(self) -> None:
        if self._total is None:
            self._saved.append(dict(self.__dict__))
            self._startPage()
            return
        self._number += 1
        if self._number > self._total:
            raise InternalError(f"page {self._number} of a document of {self._total} pages")
        if self._footer is not None:
            self._footer(self, self._number, self._total)
        super().showPage()

    def save(self) -> None:
        if self._total is not None:
            if self._number != self._total:
                raise InternalError(f"{self._number} pages drawn of {self._total} announced")
        else:
            total = len(self._saved)
            for number, state in enumerate(self._saved, start=1):
                self.__dict__.update(state)
                if self._footer is not None:
                    self._footer(self, number, total)
                super().showPage()
            # Each saved page holds the list of all of them (a cycle): clear it, so the pages
            # are freed now even while the cyclic collector is paused (``api.paused_gc``).
            self._saved.clear()
        # Streams are written compressed only, not also in ASCII base-85 (reportlab's
        # ``useA85``, read when the document is written): a fifth smaller and a seventh faster
        # for a Form 8949 statement; every PDF reader reads binary streams (issue #16).
        ascii85 = rl_config.useA85
        rl_config.useA85 = 0
        try:
            super().save()
        finally:
            rl_config.useA85 = ascii85


def draw_right(canvas: Canvas, x: float, y: float, text: str, font: str = FONT,
               size: float = 8) -> None:  # fmt: skip
    """Right-aligned text ending at ``x``."""
    canvas.setFont(font, size)
    canvas.drawRightString(x, y, text)


def draw_text(canvas: Canvas, x: float, y: float, text: str, font: str = FONT,
              size: float = 8, color: Color = black) -> None:  # fmt: skip
    """Left-aligned text at (x, y)."""
    canvas.setFillColor(color)
    canvas.setFont(font, size)
    canvas.drawString(x, y, text)
    canvas.setFillColor(black)


def checkbox(canvas: Canvas, x: float, y: float, checked: bool, size: float = 7) -> None:
    """A small square, with an X when checked."""
    canvas.setLineWidth(0.6)
    canvas.rect(x, y, size, size)
    if checked:
        canvas.setLineWidth(1.1)
        canvas.line(x + 1.2, y + 1.2, x + size - 1.2, y + size - 1.2)
        canvas.line(x + 1.2, y + size - 1.2, x + size - 1.2, y + 1.2)
        canvas.setLineWidth(0.6)
