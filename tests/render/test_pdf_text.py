"""``render.pdf_text``: the statement's fast text placement measures and places strings as
reportlab's own calls do (issue #16)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from taxloss.render.pdf_text import TextBlock, fit_text, text_width


@pytest.mark.parametrize("font", ["Helvetica", "Helvetica-Bold"])
@pytest.mark.parametrize(
    "text", ["1,234.56", "(5,100.00)", "12/31/2025", "0.5 BTC", "M", "Page total (x)", "é €"]
)
def test_widths_equal_reportlab(font: str, text: str) -> None:
    assert text_width(text, font, 8) == pytest.approx(stringWidth(text, font, 8), abs=1e-9)


def test_fit_text_equals_fit() -> None:
    from taxloss.render.pdf_common import fit

    long = "123456.12345678 SOMEVERYLONGASSETNAME (tx 0xabcdef0123456789)"
    for width in (20.0, 80.0, 144.0, 400.0):
        assert fit_text(long, "Helvetica", 8, width) == fit(long, "Helvetica", 8, width)


def _placed(draw) -> list[tuple[str, float, float]]:
    """(text, x, y) of every string a drawing function puts on a page."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, pageCompression=0)
    draw(canvas)
    canvas.showPage()
    canvas.save()
    found: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size) -> None:
        if text.strip():
            found.append((text.strip(), round(tm[4], 3), round(tm[5], 3)))

    PdfReader(buffer).pages[0].extract_text(visitor_text=visit)
    return sorted(found)


def test_block_places_text_where_reportlab_does() -> None:
    strings = [("right", 300.0, 700.0, "(1,234.56)"), ("centre", 200.0, 680.0, "12/31/2025"),
               ("left", 40.0, 660.0, "0.5 BTC"), ("right", 300.0, 640.0, "Zürich 5")]  # fmt: skip

    def reportlab(canvas: Canvas) -> None:
        canvas.setFont("Helvetica", 8)
        for how, x, y, text in strings:
            {"right": canvas.drawRightString, "centre": canvas.drawCentredString,
             "left": canvas.drawString}[how](x, y, text)  # fmt: skip
        canvas.drawString(40, 600, "after")

    def block(canvas: Canvas) -> None:
        canvas.setFont("Helvetica-Bold", 11)
        text = TextBlock(canvas)
        text.set_font("Helvetica", 8)
        for how, x, y, value in strings:
            text.row(y, [(how, x, value)])
        text.flush()
        canvas.drawString(40, 600, "after")  # the canvas's own font is set again

    assert _placed(block) == _placed(reportlab)


def test_block_restores_the_canvas_font() -> None:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, pageCompression=0)
    canvas.setFont("Helvetica-Bold", 11)
    text = TextBlock(canvas)
    text.set_font("Helvetica", 8)
    text.row(10, [("left", 10, "a (b) \\ c")])
    text.flush()
    code = "\n".join(canvas._code)
    assert "(a \\(b\\) \\\\ c) Tj" in code
    assert re.search(r"/F\d+ 11 Tf ET$", code)
