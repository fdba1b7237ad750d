"""Shared test helpers: golden files, the CLI runner, and inline CSV histories."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"

#: Every sample file (read when the tests are collected, so a new sample is covered).
SAMPLE_FILES = sorted(p.name for p in SAMPLES.iterdir() if p.suffix in (".csv", ".xlsx"))
#: ``--prices`` files (date,asset,price) that go with the export of the same stem.
SAMPLE_PRICES = [name for name in SAMPLE_FILES if name.endswith("-prices.csv")]
#: Forms 1099-DA (issue #12) and the export each goes with (a form alone names a missing export).
SAMPLE_FORMS = {
    "us-coinbase-1099da.csv": "us-coinbase-1099da-export.csv",
    "us-coinbase-1099da-with-send.csv": "us-coinbase-1099da-export.csv",
}
#: The exports: each builds alone.
SAMPLE_EXPORTS = [n for n in SAMPLE_FILES if n not in SAMPLE_PRICES and n not in SAMPLE_FORMS]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="Rewrite tests/golden/* from the current output (review the diff like code).",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """Compare text with tests/golden/<name>, or rewrite it with --update-goldens."""
    update = request.config.getoption("--update-goldens")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"missing golden {path}: run pytest --update-goldens"
        assert text == path.read_text(encoding="utf-8"), f"output differs from golden {name}"

    return check


#: "Today" for every test (issue #11: rows after today are warned about): a fixed day, so no
#: test depends on the clock. A test of the warning passes its own (``BuildOptions.today``).
TODAY = date(2030, 1, 1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    from taxloss import api

    monkeypatch.setattr(api, "today", lambda: TODAY)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def write_csv(tmp_path: Path):
    """Write an inline, dedented CSV into tmp_path and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


def without_fx(rule_text: str) -> str:
    """A rule file's text without its ``[fx]`` section (a rule that converts nothing)."""
    start = rule_text.index("\n[fx]\n")
    end = rule_text.find("\n[", start + 1)
    return rule_text[:start] + (rule_text[end:] if end >= 0 else "\n")
