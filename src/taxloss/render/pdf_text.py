"""Many short strings on a PDF page with few reportlab calls (the Form 8949 statement).

reportlab's ``drawString`` / ``drawRightString`` build a text object per call and measure
each string with ``stringWidth``: for a statement of 100,000 rows that is about a million
objects and measurements, and half of a build's time. ``TextBlock`` collects the strings of
one page as PDF text operators in one ``BT ... ET`` object, measuring ASCII strings with the
standard fonts' width tables (a dictionary look-up per character; the digits of Helvetica all
share one width, so amounts cost little). Text that is not ASCII goes through reportlab as
before, so every character is encoded the way reportlab encodes it.

The text and its positions are those of the reportlab calls it replaces; only the PDF
operators differ (one text object instead of one per string).
Sees only strings and a canvas; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas

from taxloss.render.pdf_common import fit


@cache
def _widths(font: str) -> dict[str, int]:
    """The widths (thousandths of the size) of the printable ASCII characters of a standard
    font, whose encoding agrees with ASCII there."""
    table = getFont(font).widths
    return {chr(code): table[code] for code in range(32, 127)}


def text_width(text: str, font: str, size: float) -> float:
    """The width of ``text`` in points, as ``stringWidth`` gives it."""
    try:
        return sum(map(_widths(font).__getitem__, text)) * size * 0.001
    except KeyError:  # not printable ASCII: reportlab encodes and measures it
        return stringWidth(text, font, size)


def fit_text(text: str, font: str, size: float, width: float) -> str:
    """``pdf_common.fit`` with ``text_width``: shorten ``text`` with an ellipsis to fit."""
    if text_width(text, font, size) <= width:
        return text  # the common case, measured without reportlab
    return fit(text, font, size, width)


#: The characters a PDF string escapes with a backslash.
_ESCAPES = str.maketrans({"\\": "\\\\", "(": "\\(", ")": "\\)"})

#: ``fp_str`` of the coordinates placed so far: a statement's rows repeat a few dozen heights
#: and many column positions, and ``fp_str(x, y)`` is ``fp_str(x)`` and ``fp_str(y)`` joined
#: by a space, so each number is formatted once per process.
_NUMBERS: dict[float, str] = {}


#: The start (``1 0 0 1 x``) of a centred string's operators, by (font, size, centre, text).
_CENTRED: dict[tuple[str, float, float, str], str] = {}


def _number(value: float) -> str:
    """``fp_str(value)``, remembered."""
    text = _NUMBERS.get(value)
    if text is None:
        if len(_NUMBERS) > 100_000:  # a bound on a long-lived process's memory
            _NUMBERS.clear()
        text = _NUMBERS[value] = fp_str(value)
    return text


class TextBlock:
    """Strings of one font and size, in black, collected into one PDF text object.

    ``row`` places strings like ``drawString``, ``drawRightString`` and
    ``drawCentredString`` ("left", "right", "centre"); ``flush`` writes the object into the
    canvas's page (and sets the canvas's font again, so later reportlab calls find the text
    state they expect). Strings that are not printable ASCII are drawn by reportlab at once.
    """

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.parts: list[str] = []
        self.font = ""
        self.size = 0.0
        self.widths: dict[str, int] = {}

    def set_font(self, font: str, size: float) -> None:
        """Use ``font`` at ``size`` for the strings that follow."""
        if (font, size) != (self.font, self.size):
            self.font, self.size, self.widths = font, size, _widths(font)
            name = self.canvas._doc.getInternalFontName(font)
            self.parts.append(f"{name} {fp_str(size)} Tf")

    def _reportlab(self, x: float, y: float, text: str, how: str) -> None:
        canvas = self.canvas
        canvas.setFont(self.font, self.size)
        if how == "right":
            canvas.drawRightString(x, y, text)
        elif how == "centre":
            canvas.drawCentredString(x, y, text)
        else:
            canvas.drawString(x, y, text)

    def row(self, y: float, placed: Iterable[tuple[str, float, str]]) -> None:
        """Strings on one baseline ``y``, each ``(how, x, text)`` placed as the reportlab call
        ``how`` names ("left": ``drawString``, "right": ``drawRightString``, "centre":
        ``drawCentredString``) places it, in one loop (a statement has a million cells)."""
        parts, widths, size, font = self.parts, self.widths, self.size, self.font
        tail = f" {_number(y)} Tm ("
        for how, x, text in placed:
            if how == "centre":  # dates and codes: a few thousand texts, placed once each
                key = (font, size, x, text)
                start = _CENTRED.get(key)
                if start is None:
                    try:
                        width = sum(map(widths.__getitem__, text)) * size * 0.001
                    except KeyError:
                        self._reportlab(x, y, text, how)
                        continue
                    if len(_CENTRED) > 100_000:  # a bound on a long-lived process's memory
                        _CENTRED.clear()
                    start = _CENTRED[key] = f"1 0 0 1 {_number(x - width * 0.5)}"
                if "(" in text or ")" in text or "\\" in text:
                    text = text.translate(_ESCAPES)
                parts.append(f"{start}{tail}{text}) Tj")
                continue
            if how == "left":
                if not (text.isascii() and text.isprintable()):
                    self._reportlab(x, y, text, how)
                    continue
            else:
                try:  # the width table has printable ASCII only: anything else raises
                    width = sum(map(widths.__getitem__, text)) * size * 0.001
                except KeyError:
                    self._reportlab(x, y, text, how)
                    continue
                x = x - width if how == "right" else x - width * 0.5
            if "(" in text or ")" in text or "\\" in text:  # most cells need no escape
                text = text.translate(_ESCAPES)
            parts.append(f"1 0 0 1 {_number(x)}{tail}{text}) Tj")

    def flush(self) -> None:
        """Write the collected strings into the page as one text object."""
        if len(self.parts) > 1 or (self.parts and not self.parts[0].endswith("Tf")):
            canvas = self.canvas
            name = canvas._doc.getInternalFontName(canvas._fontname)
            self.parts.append(f"{name} {fp_str(canvas._fontsize)} Tf")
            canvas._code.append("BT " + "\n".join(self.parts) + " ET")
        self.parts = []
        self.font, self.size = "", 0.0
