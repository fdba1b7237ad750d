"""The engine is pure: importing it loads no I/O, dataframe, rendering or CLI module."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = (
    "pandas",
    "openpyxl",
    "reportlab",
    "click",
    "logging",
    "taxloss.parsers",
    "taxloss.render",
    "taxloss.cli",
    "taxloss.api",
    "taxloss.jurisdiction",
)


def test_engine_imports_nothing_forbidden() -> None:
    code = (
        "import sys, taxloss.engine\n"
        f"names = {FORBIDDEN!r}\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in names or m.startswith(names)]\n"
        "print(','.join(sorted(bad)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_render_does_not_import_engine_parsers_or_cli() -> None:
    code = (
        "import sys, taxloss.render.data, taxloss.render.xlsx_8949, taxloss.render.text\n"
        "bad = [m for m in sys.modules if m.startswith(('taxloss.engine', 'taxloss.parsers',"
        " 'taxloss.cli', 'taxloss.api', 'pandas', 'click'))]\n"
        "print(','.join(sorted(bad)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
