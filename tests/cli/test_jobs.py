"""Rendering in two processes (--jobs 2) writes the same bytes as one, and a failure in the
second process is reported, not lost (the render queue's and the disposal helper's)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from taxloss import api, workers
from taxloss.cli import main
from taxloss.errors import InternalError, RenderError
from taxloss.render.data import write_parts
from taxloss.returns import printed
from taxloss.workers import render_all

from ..conftest import SAMPLES


@pytest.mark.parametrize("keep", [250_000, 0], ids=["rows-kept", "rows-made-per-use"])
def test_two_processes_write_the_same_bytes(
    runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep: int
) -> None:
    outputs = []
    for jobs, keep_rows in (("1", 250_000), ("2", keep)):  # (--jobs 1 keeps its rows)
        monkeypatch.setattr(printed, "KEEP_ROWS", keep_rows)
        out = tmp_path / jobs
        result = runner.invoke(main, ["build", str(SAMPLES / "us-multi-year.csv"),
                                      "--out", str(out), "--jobs", jobs])  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]
    assert {"form8949-2025.pdf", "form8949-2026.xlsx"} <= set(outputs[0])


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


def test_a_killed_worker_is_an_internal_error(tmp_path: Path) -> None:
    parent = os.getpid()

    def killed(path: Path) -> Path:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return path

    plan = [("report.json", _write("{}")), ("summary-2025.pdf", killed)]
    with pytest.raises(InternalError, match=r"killed\?"):
        render_all(plan, tmp_path, jobs=2)
    assert multiprocessing.active_children() == []


def test_a_failure_here_ends_the_worker_after_its_current_batch(tmp_path: Path) -> None:
    def slow(path: Path) -> Path:
        time.sleep(0.5)
        return _write("summary")(path)

    plan = [
        ("summary-2025.pdf", slow),  # the worker's first batch
        ("form8949-2025.pdf", _fail_user),  # this process's
        ("form8949-2025.xlsx", _write("a")),
        ("form8949-2026.xlsx", _write("b")),
    ]
    with pytest.raises(RenderError, match="cannot draw"):
        render_all(plan, tmp_path, jobs=2)
    assert multiprocessing.active_children() == []  # joined, not left running
    assert (tmp_path / "summary-2025.pdf").read_text() == "summary"  # its batch was finished
    assert not (tmp_path / "form8949-2026.xlsx").exists()  # and it was handed no other


def test_both_processes_render(tmp_path: Path) -> None:
    def mark(path: Path) -> Path:
        path.write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(0.2)
        return path

    plan = [(f"form8949-{year}.pdf", mark) for year in range(2020, 2026)]
    render_all(plan, tmp_path, jobs=2)
    writers = {(tmp_path / name).read_text() for name, _ in plan}
    assert len(writers) == 2 and str(os.getpid()) in writers


def _build(runner, out: Path, *extra: str) -> object:
    return runner.invoke(main, ["build", str(SAMPLES / "us-multi-year.csv"), "--out", str(out),
                                "--taxable-income", "50000", *extra])  # fmt: skip


@pytest.mark.parametrize("outputs", ["json,csv", "json", "csv", "json,csv,xlsx", "json,csv,pdf"])
@pytest.mark.parametrize("country", ["us", "uk"])
def test_the_disposal_helper_writes_the_same_bytes(
    runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outputs: str, country: str
) -> None:
    # The helper formats chunks of report.json's and disposals.csv's disposals; with chunks
    # of two rows and no minimum it runs on a small sample.
    one = tmp_path / "one"
    result = _build(runner, one, "--jobs", "1", "--outputs", outputs, "--country", country)
    assert result.exit_code == 0, result.output
    monkeypatch.setattr(workers, "SPLIT_MIN_ROWS", 1)
    monkeypatch.setattr(workers, "SPLIT_CHUNK_ROWS", 2)
    ran = tmp_path / "helper-ran"  # the helper is another process: it leaves a mark

    def helper(report, split, rows=None) -> None:
        if rows is None:
            ran.write_text("yes")
        write_parts(report, split, rows)

    monkeypatch.setattr(workers, "write_parts", helper)
    two = tmp_path / "two"
    result = _build(runner, two, "--jobs", "2", "--outputs", outputs, "--country", country)
    assert result.exit_code == 0, result.output
    assert ran.read_text() == "yes", "the helper did not run"
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(p.name for p in two.iterdir())  # no part file left behind
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_the_helpers_failure_is_an_error_and_nothing_is_written(
    runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise ValueError("a bug in the helper")

    monkeypatch.setattr(workers, "SPLIT_MIN_ROWS", 1)
    monkeypatch.setattr(workers, "write_parts", broken)
    out = tmp_path / "out"
    result = _build(runner, out, "--outputs", "json,csv")
    assert result.exit_code != 0
    assert isinstance(result.exception, InternalError)
    assert "ValueError: a bug in the helper" in str(result.exception)
    assert list(out.iterdir()) == []


def test_the_helpers_write_error_is_a_render_error(
    runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(workers, "SPLIT_MIN_ROWS", 1)
    monkeypatch.setattr(workers, "write_parts", full)
    out = tmp_path / "out"
    result = _build(runner, out, "--outputs", "json,csv")
    assert result.exit_code == 2
    assert f"{out}: cannot write outputs: No space left on device" in result.output
    assert list(out.iterdir()) == []


def test_a_failing_build_stops_the_running_helper(
    runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow(*args: object) -> None:
        time.sleep(60)  # still formatting when the build fails

    def failing_plan(*args: object, **kwargs: object) -> None:
        raise RenderError("form8949-2025.pdf: cannot draw")

    monkeypatch.setattr(workers, "SPLIT_MIN_ROWS", 1)
    monkeypatch.setattr(workers, "write_parts", slow)
    monkeypatch.setattr(api, "planned_outputs", failing_plan)
    out = tmp_path / "out"
    started = time.monotonic()
    result = _build(runner, out, "--outputs", "json,csv")
    assert result.exit_code == 2
    assert "cannot draw" in result.output
    assert time.monotonic() - started < 30  # the helper was killed, not awaited
    assert list(out.iterdir()) == []


# LIFO runs in the first comparison helper, HIFO in the second, which waits for the first.
@pytest.mark.parametrize("failing", ["lifo", "hifo"])
def test_the_comparison_helpers_user_error_fails_the_build(
    runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    from taxloss.errors import EngineError, Problem

    real = api.compute_report

    def one_fails(session, options, method=None, *args, **kwargs):
        if method is not None and method.value == failing:
            raise EngineError([Problem(None, f"{failing}: cannot match")])
        return real(session, options, method, *args, **kwargs)

    monkeypatch.setattr(api, "compute_report", one_fails)
    out = tmp_path / "out"
    result = _build(runner, out, "--outputs", "pdf", "--jobs", "2")
    assert result.exit_code == 2
    assert f"{failing}: cannot match" in result.output
    assert list(out.iterdir()) == []


def test_a_failing_build_stops_the_comparison_helper(
    runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = api.compute_report

    def slow_others(session, options, method=None, *args, **kwargs):
        if method is not None:
            time.sleep(60)  # the comparison still running when the build fails
        return real(session, options, method, *args, **kwargs)

    def failing_plan(*args: object, **kwargs: object) -> None:
        raise RenderError("form8949-2025.pdf: cannot draw")

    monkeypatch.setattr(api, "compute_report", slow_others)
    monkeypatch.setattr(api, "planned_outputs", failing_plan)
    out = tmp_path / "out"
    started = time.monotonic()
    result = _build(runner, out, "--outputs", "pdf", "--jobs", "2")
    assert result.exit_code == 2
    assert "cannot draw" in result.output
    assert time.monotonic() - started < 30  # the helper was killed, not awaited


def test_each_other_method_runs_in_its_own_helper_one_after_another(
    runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison's methods run in one helper process each (each run consumes its
    history, issue #16), the second starting when the first is done."""
    real = api.compute_report
    log = tmp_path / "runs.log"

    def logged(session, options, method=None, *args, **kwargs):
        if method is None:  # the build's own run
            return real(session, options, method, *args, **kwargs)
        begun = time.monotonic()
        time.sleep(0.3)  # long enough to overlap with another run if both ran at once
        report = real(session, options, method, *args, **kwargs)
        with log.open("a") as out:
            out.write(f"{method.value} {os.getpid()} {begun} {time.monotonic()} "
                      f"{kwargs.get('consume')}\n")  # fmt: skip
        return report

    monkeypatch.setattr(api, "compute_report", logged)
    result = _build(runner, tmp_path / "out", "--outputs", "pdf", "--jobs", "2")
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in log.read_text().splitlines()]
    runs = sorted((float(b), float(e), m, pid, c) for m, pid, b, e, c in lines)
    assert sorted(run[2] for run in runs) == ["hifo", "lifo"]
    assert len({run[3] for run in runs} | {str(os.getpid())}) == 3  # two helpers, not this one
    assert runs[0][1] <= runs[1][0]  # one after the other
    assert all(run[4] == "True" for run in runs)  # each the last run of its history
