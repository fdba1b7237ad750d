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


def _printed(code: str) -> str:
    """What ``code`` prints, run in a fresh interpreter (so only its own imports are loaded)."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_engine_imports_nothing_forbidden() -> None:
    code = (
        "import sys, taxloss.engine\n"
        f"names = {FORBIDDEN!r}\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in names or m.startswith(names)]\n"
        "print(','.join(sorted(bad)))\n"
    )
    assert _printed(code) == ""


def test_render_does_not_import_engine_parsers_or_cli() -> None:
    code = (
        "import sys, taxloss.render.data, taxloss.render.xlsx_8949, taxloss.render.text\n"
        "bad = [m for m in sys.modules if m.startswith(('taxloss.engine', 'taxloss.parsers',"
        " 'taxloss.cli', 'taxloss.api', 'pandas', 'click'))]\n"
        "print(','.join(sorted(bad)))\n"
    )
    assert _printed(code) == ""


#: What the return's arithmetic may import from taxloss (house style §2).
RETURNS_ALLOWED = ("taxloss", "taxloss.model", "taxloss.money", "taxloss.errors")


def test_returns_imports_only_model_money_and_errors() -> None:
    code = (
        "import pkgutil, sys, importlib, taxloss.returns\n"
        "for info in pkgutil.iter_modules(taxloss.returns.__path__):\n"
        "    importlib.import_module('taxloss.returns.' + info.name)\n"
        f"allowed = {RETURNS_ALLOWED!r}\n"
        "bad = [m for m in sys.modules if (m.startswith('taxloss') and m not in allowed\n"
        "       and not m.startswith('taxloss.returns'))\n"
        "       or m.split('.')[0] in ('pandas', 'openpyxl', 'reportlab', 'click', 'dateutil')]\n"
        "print(','.join(sorted(bad)))\n"
    )
    assert _printed(code) == ""


#: The plain-text views the CLI prints with (each renders computed figures as text).
TEXT_VIEWS = (
    "taxloss.render.text",
    "taxloss.render.text_1099da",
    "taxloss.render.harvest",
    "taxloss.render.account",
)


def test_cli_builds_its_options_without_a_renderer() -> None:
    # The CLI's options come from api (and model); only printing may use the text views.
    code = (
        "import ast, inspect, taxloss.cli\n"
        "tree = ast.parse(inspect.getsource(taxloss.cli))\n"
        "names = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]\n"
        "print(','.join(sorted(n for n in names if n and n.startswith(('taxloss.render',"
        f" 'taxloss.returns')) and n not in {TEXT_VIEWS!r})))\n"
    )
    assert _printed(code) == ""
