"""Mutate sample exports and check what a build of each does (issue #11).

Shared by the suite's fuzz test (``tests/cli/test_fuzz.py``, a few hundred cases under
hypothesis) and the long run outside CI (``benchmarks/fuzz_samples.py``, thousands).

A mutation is a few random edits of a sample's bytes: truncation, a junk cell (huge numbers,
non-ASCII digits, formulas, far dates, very long names), a lost or added quote, a deleted,
repeated or swapped line, another encoding. ``check_build`` builds the result and returns what
was wrong with the outcome: a traceback (exit 1), an exit-2 line that does not start with
``path:line:``, a file left behind by a failed build, or (with ``timeout``) a hang.
"""

from __future__ import annotations

import datetime
import random
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from taxloss.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"

#: Cells that broke, or could break, a build (issue #11's list and their neighbours).
JUNK = (
    "1e26", "1e+308", "1e999", "-1e999", "123456789012345678901234567890", "0.0000000001e-50",
    "1e-31", "1e-999999", "999999999999999999.99",
    "NaN", "inf", "-0", "", " ", "--", "１２３", "٣٤٥.٦", "12,5", "1.2.3", "$", "()",
    "=HYPERLINK(\"http://x\",\"y\")", "+wallet", "@SUM(A1)", "-2+3", "\tx", "\rx",
    "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "9999-01-01 00:00:00",
    "1970-01-01T00:00:00Z", "2101-01-01T00:00:00Z", "2007-12-31T23:59:59Z", "2025-02-30",
    "W" * 3000, "ＢＴＣ", "BTC\x00", "\"", "\"\"", "a\"b", "\n", "USD", "BTC", "-5",
)  # fmt: skip

ENCODINGS = ("utf-8-sig", "utf-16", "cp1252", "latin-1")


def sample_files() -> list[Path]:
    """Every CSV sample (``mutate``)."""
    return sorted(SAMPLES.glob("*.csv"))


def workbook_files() -> list[Path]:
    """Every XLSX sample (``mutate_workbook``)."""
    return sorted(SAMPLES.glob("*.xlsx"))


#: Typed cell values a workbook can hold besides text (``mutate_workbook``).
TYPED_JUNK = (
    1e300, float("inf"), float("nan"), -0.0, 10**30, True, 0,
    datetime.datetime(9999, 12, 31, 23, 59, 59), datetime.datetime(1900, 1, 1),
    datetime.date(2025, 2, 28), datetime.time(12, 0), datetime.timedelta(days=3),
)  # fmt: skip


def mutate_workbook(path: Path, rng: random.Random, edits: int = 0) -> bytes:
    """A few random cell edits (junk text or typed values, a deleted row) of an XLSX file, or
    (one time in eight) its bytes cut short, as bytes."""
    import io

    import openpyxl

    if rng.randrange(8) == 0:
        data = path.read_bytes()
        return data[: rng.randrange(len(data))]
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    for _ in range(edits or rng.randint(1, 3)):
        if rng.randrange(6) == 0 and sheet.max_row > 2:
            sheet.delete_rows(rng.randint(2, sheet.max_row))
            continue
        row, column = rng.randint(1, sheet.max_row), rng.randint(1, sheet.max_column)
        value = rng.choice(TYPED_JUNK) if rng.randrange(2) else rng.choice(JUNK)
        if isinstance(value, str):
            value = value.replace("\x00", "")  # a character XLSX cannot hold
        sheet.cell(row, column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def country_of(sample: Path) -> str:
    """The ``--country`` a sample is built with (its name's prefix, else us)."""
    prefix = sample.name.split("-", 1)[0]
    return prefix if prefix in {"uk", "ca", "au", "de"} else "us"


def _edit_cell(rng: random.Random, lines: list[str]) -> None:
    if len(lines) < 2:
        return
    index = rng.randrange(1, len(lines))
    cells = lines[index].split(",")
    cells[rng.randrange(len(cells))] = rng.choice(JUNK)
    lines[index] = ",".join(cells)


def sample_text(path: Path) -> str:
    """A sample's text: UTF-8, or the Windows code page a spreadsheet saved it in (issue #13's
    ``us-excel-european.csv``); ``mutate`` writes it back in UTF-8 or a random encoding."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def mutate(text: str, rng: random.Random, edits: int = 0) -> bytes:
    """A few random edits of ``text`` (``edits``: how many; 0 picks 1 to 3), as bytes."""
    lines = text.splitlines()
    encoding = "utf-8"
    truncate = False
    for _ in range(edits or rng.randint(1, 3)):
        choice = rng.randrange(10)
        if choice <= 3:
            _edit_cell(rng, lines)
        elif choice == 4 and lines:  # lose a quote, or open one that never closes
            index = rng.randrange(len(lines))
            line = lines[index]
            lines[index] = line.replace('"', "", 1) if '"' in line else line + ',"' + "100"
        elif choice == 5 and len(lines) > 1:
            del lines[rng.randrange(len(lines))]
        elif choice == 6 and lines:
            index = rng.randrange(len(lines))
            lines.insert(index, lines[index])
        elif choice == 7 and len(lines) > 2:
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
        elif choice == 8:
            encoding = rng.choice(ENCODINGS)
        else:
            truncate = True
    data = ("\n".join(lines) + "\n").encode(encoding, errors="replace")
    if truncate and data:
        data = data[: rng.randrange(len(data))]
    return data


_LOCATED = re.compile(r"^[^\s:][^:]*:\d+: ")


@dataclass(frozen=True)
class Outcome:
    """What one build did: its exit code and everything wrong with how it ended."""

    exit_code: int
    faults: tuple[str, ...]
    output: str


class Hang(Exception):
    """The build ran longer than the allowed time."""


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Raise ``Hang`` in this (main) thread after ``seconds`` (0: no limit)."""
    if not seconds:
        yield
        return

    def alarm(signum: int, frame: object) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check_build(
    source: Path, out: Path, country: str, outputs: str, jobs: int = 1, timeout: int = 0
) -> Outcome:
    """Build ``source`` into ``out`` (which must not exist) and judge the outcome.

    Faults: exit other than 0 or 2 (a traceback), an exit-2 line that does not start with
    ``path:line:``, a file left in ``out`` after exit 2, a hang.
    """
    runner = CliRunner()
    args = ["build", str(source), "--country", country, "--out", str(out), "--outputs", outputs]
    args += ["--jobs", str(jobs)]
    try:
        with deadline(timeout):
            result = runner.invoke(main, args)
    except Hang:
        return Outcome(-1, (f"hang: over {timeout} s",), "")
    faults: list[str] = []
    output = result.output
    if result.exit_code not in (0, 2):
        detail = repr(result.exception)
        if result.exc_info is not None:
            import traceback

            detail = "".join(traceback.format_exception(*result.exc_info))
        faults.append(f"exit {result.exit_code}: {detail}")
    if result.exit_code == 2:
        errors = [line for line in result.stderr.splitlines() if line.strip()]
        unlocated = [
            line for line in errors if not _LOCATED.match(line) and not line.startswith("... and ")
        ]
        if unlocated:
            faults.append(f"exit-2 line without path:line: {unlocated[0]!r}")
        left = sorted(p.name for p in out.iterdir()) if out.exists() else []
        if left:
            faults.append(f"files left after exit 2: {left}")
    return Outcome(result.exit_code, tuple(faults), output)
