"""Rendering in two processes (--jobs 2) writes the same bytes as one, and a failure in the
second process is reported, not lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from taxloss.api import render_all
from taxloss.cli import main
from taxloss.errors import InternalError, RenderError

from ..conftest import SAMPLES


def test_two_processes_write_the_same_bytes(runner, tmp_path: Path) -> None:
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / jobs
        result = runner.invoke(main, ["build", str(SAMPLES / "us-liquidated-trader.csv"),
                                      "--out", str(out), "--jobs", jobs])  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]
    assert "form8949-2025.pdf" in outputs[0]


def _write(text: str):
    def render(path: Path) -> Path:
        path.write_text(text, encoding="utf-8")
        return path

    return render


def _fail_user(path: Path) -> Path:
    raise RenderError("form8949-2025.pdf: cannot draw")


def _fail_bug(path: Path) -> Path:
    raise ValueError("a bug")


def test_the_childs_user_error_is_raised_in_the_parent(tmp_path: Path) -> None:
    plan = [("report.json", _write("{}")), ("form8949-2025.pdf", _fail_user)]
    with pytest.raises(RenderError, match=r"form8949-2025\.pdf: cannot draw"):
        render_all(plan, tmp_path, jobs=2)
    assert (tmp_path / "report.json").read_text() == "{}"


def test_the_childs_bug_is_an_internal_error(tmp_path: Path) -> None:
    plan = [("report.json", _write("{}")), ("form8949-2025.pdf", _fail_bug)]
    with pytest.raises(InternalError, match="ValueError: a bug"):
        render_all(plan, tmp_path, jobs=2)
