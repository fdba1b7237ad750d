"""Progress on stderr: drawn on a terminal, absent when piped or with --quiet, never in any
output file; the api reports it through a ``Progress`` and prints nothing itself."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from taxloss import api, cli
from taxloss.errors import InputError
from taxloss.paths import display_path
from taxloss.progress import SILENT

from ..conftest import SAMPLES

SAMPLE = SAMPLES / "us-liquidated-trader.csv"
STAGES = ("reading", "matching", "printing", "writing")


class FakeTerminal(io.StringIO):
    """A text stream that says it is a terminal, as stderr does in an interactive shell."""

    def isatty(self) -> bool:
        return True


class Recorder:
    """A ``Progress`` that keeps every call."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def stage(self, name: str) -> None:
        self.calls.append(("stage", name))

    def update(self, done: int, total: int, item: str = "") -> None:
        self.calls.append(("update", done, total, item))

    def finish(self) -> None:
        self.calls.append(("finish",))


def run_build(runner: CliRunner, out: Path, *extra: str):
    args = ["build", "--country", "us", str(SAMPLE), "--out", str(out), "--jobs", "1", *extra]
    result = runner.invoke(cli.main, args)
    assert result.exit_code == 0, result.output
    return result


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_terminal_shows_each_stage_with_a_bar(runner, tmp_path, monkeypatch) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr(cli, "_progress_stream", lambda: terminal)
    result = run_build(runner, tmp_path / "shown")
    drawn = terminal.getvalue()
    shown = drawn.replace("\x1b[?25l", "").replace("\x1b[?25h", "")  # cursor off, on
    lines = [line.split("\r")[-1] for line in shown.split("\n") if line.strip()]
    assert [line.split()[0] for line in lines] == list(STAGES)
    for line in lines:  # every stage's line ends complete
        assert "[########################]  100%" in line, line
    assert "us-liquidated-trader.csv" in drawn  # the file being read
    assert "summary-2025.pdf" in drawn  # an output being written
    # Nothing of it reaches stdout, and the outputs are those of a quiet build.
    assert "matching" not in result.stdout
    run_build(runner, tmp_path / "quiet", "--quiet")
    assert files_of(tmp_path / "shown") == files_of(tmp_path / "quiet")


def test_quiet_silences_progress_on_a_terminal(runner, tmp_path, monkeypatch) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr(cli, "_progress_stream", lambda: terminal)
    run_build(runner, tmp_path / "out", "--quiet")
    assert terminal.getvalue() == ""


def test_no_progress_when_stderr_is_piped(runner, tmp_path) -> None:
    # CliRunner's stderr is a pipe-like stream, not a terminal.
    result = run_build(runner, tmp_path / "out")
    for stage in STAGES:
        assert stage not in result.stderr
    assert "%" not in result.stderr and "\r" not in result.stderr


def test_progress_for_chooses_silence_unless_a_terminal(monkeypatch) -> None:
    monkeypatch.setattr(cli, "_progress_stream", io.StringIO)
    assert cli.progress_for(quiet=False) is SILENT
    monkeypatch.setattr(cli, "_progress_stream", FakeTerminal)
    assert isinstance(cli.progress_for(quiet=False), cli.TerminalProgress)
    assert cli.progress_for(quiet=True) is SILENT


def test_api_reports_stages_in_order_and_measures(tmp_path) -> None:
    recorder = Recorder()
    options = api.BuildOptions(files=(SAMPLE,), country="us", jobs=1)
    built = api.build(options, tmp_path / "out", recorder)
    stages = [call[1] for call in recorder.calls if call[0] == "stage"]
    assert stages == list(STAGES)
    assert recorder.calls[-1] == ("finish",)
    assert recorder.calls.count(("finish",)) == 1
    by_stage: dict[str, list[tuple]] = {}
    current = ""
    for call in recorder.calls:
        if call[0] == "stage":
            current = call[1]
        elif call[0] == "update":
            by_stage.setdefault(current, []).append(call)
    size = SAMPLE.stat().st_size
    assert by_stage["reading"][0] == ("update", 0, size, display_path(SAMPLE))
    assert by_stage["reading"][-1] == ("update", size, size, "")
    events = by_stage["matching"][-1][2]
    assert events > 0 and by_stage["matching"][-1][:2] == ("update", events)
    assert "printing" not in by_stage
    writing = by_stage["writing"]
    assert writing[-1][1:3] == (len(built.written), len(built.written))
    assert {call[3] for call in writing} - {""} == {path.name for path in built.written}
    for steps in by_stage.values():  # never backwards
        assert [s[1] for s in steps] == sorted(s[1] for s in steps)


def test_api_finishes_progress_when_the_build_fails(tmp_path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text(
        "timestamp,type,asset,quantity,quote_asset,quote_quantity\nx,buy,BTC,1,USD,1\n"
    )
    recorder = Recorder()
    with pytest.raises(InputError):
        api.build(api.BuildOptions(files=(broken,), jobs=1), tmp_path / "out", recorder)
    assert recorder.calls[0] == ("stage", "reading")
    assert recorder.calls[-1] == ("finish",)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_reading_reports_rows_as_a_large_file_is_parsed(tmp_path) -> None:
    lines = ["timestamp,type,asset,quantity,quote_asset,quote_quantity"]
    lines += [f"2024-01-01T00:00:{n % 60:02d}Z,buy,BTC,1,USD,{n + 1}" for n in range(10_000)]
    source = tmp_path / "big.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    recorder = Recorder()
    api.load_trades([source], None, None, recorder)
    size = source.stat().st_size
    shown = [call[1] for call in recorder.calls]
    assert shown == [0, size * 4096 // 10_000, size * 8192 // 10_000, size]
    assert all(call[2] == size for call in recorder.calls)
