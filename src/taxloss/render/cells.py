"""Text cells for the CSV files taxloss writes: never a formula (issue #11).

A spreadsheet opening a CSV runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (``=HYPERLINK(...)`` from a crafted pair name), and a leading tab or carriage return can
hide such a start. ``safe_text`` puts an apostrophe before every such text cell: spreadsheets
show the text as written (the apostrophe marks "text" and is not displayed in Excel or
LibreOffice), and a program reading the CSV sees the text with one leading ``'``. Numbers that
taxloss formats itself (``-12.50``) are written as numbers, never through ``safe_text``.

Every CSV writer in ``render/`` passes each text cell it did not format itself through
``safe_text``. The XLSX writers store text as text already.
"""

from __future__ import annotations

#: What a text cell must not start with: the formula starts and the characters that can hide
#: one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: The mark put before such a cell.
TEXT_MARK = "'"


def safe_text(value: str) -> str:
    """A text cell that no spreadsheet takes for a formula.

    Args:
        value: the text (an asset, a description, a wallet, a note, a file path).

    Returns:
        ``value`` itself, or ``value`` with ``TEXT_MARK`` in front when it starts with one of
        ``FORMULA_STARTS``.
    """
    if value.startswith(FORMULA_STARTS):
        return TEXT_MARK + value
    return value
