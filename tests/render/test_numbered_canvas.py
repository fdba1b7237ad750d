"""``NumberedCanvas`` with a page count given in advance (the Form 8949 PDF, issue #16):
the same pages as counting at save, and a wrong count is a bug, never a wrong footer."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
from reportlab.pdfgen.canvas import Canvas

from taxloss.errors import InternalError
from taxloss.render.pdf_common import NumberedCanvas


def footer(canvas: Canvas, number: int, total: int) -> None:
    canvas.drawString(72, 40, f"page {number} of {total}")


def draw(path: Path, pages: int, total: int | None) -> NumberedCanvas:
    canvas = NumberedCanvas(str(path), footer=footer, total=total)
    for number in range(pages):
        canvas.drawString(72, 700, f"body {number + 1}")
        canvas.showPage()
    return canvas


def contents(path: Path) -> list[bytes]:
    return [page.get_contents().get_data() for page in pypdf.PdfReader(path).pages]


def test_a_known_count_draws_the_same_pages(tmp_path: Path) -> None:
    draw(tmp_path / "a.pdf", 3, None).save()
    draw(tmp_path / "b.pdf", 3, 3).save()
    assert contents(tmp_path / "a.pdf") == contents(tmp_path / "b.pdf")
    assert "page 3 of 3" in pypdf.PdfReader(tmp_path / "b.pdf").pages[2].extract_text()


def test_more_pages_than_announced_is_a_bug(tmp_path: Path) -> None:
    with pytest.raises(InternalError, match="page 3 of a document of 2 pages"):
        draw(tmp_path / "c.pdf", 3, 2)


def test_fewer_pages_than_announced_is_a_bug(tmp_path: Path) -> None:
    canvas = draw(tmp_path / "d.pdf", 1, 2)
    with pytest.raises(InternalError, match="1 pages drawn of 2 announced"):
        canvas.save()
