"""Process sharing for a build: where a second process takes part of the work (``--jobs``).

Three jobs run in a forked process, each inheriting the parent's report (nothing of it is
pickled) and each writing only its own files:

- ``render_all``: the outputs of the plan, shared by this process and a second one;
- ``split_disposals``: report.json's and disposals.csv's disposals, formatted in chunks into
  part files by a helper while this process prints the figures;
- ``Helper`` (``api.Comparison``): the other methods' comparison, computed in a helper from the
  moment the files are read.

Each job reports its end through a status pipe (``_start``/``_outcome``): a user-fixable error
comes back as a ``RenderError`` with the same message, a bug as an ``InternalError`` with the
child's traceback. Every renderer is deterministic and each file has one writer, so the bytes
never depend on ``--jobs`` or on which process wrote what. Without ``os.fork`` everything runs
in this process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from taxloss.errors import InternalError, RenderError, TaxlossError, format_error
from taxloss.model import Report
from taxloss.render.data import Split, write_parts

Renderer = Callable[[Path], Path]

#: The file names of the machine-readable outputs, which ``render.data`` writes together.
DATA_NAMES = ("report.json", "disposals.csv")


def render_all(plan: Sequence[tuple[str, Renderer]], staging: Path, jobs: int) -> None:
    """Render the plan into ``staging``; with ``jobs`` > 1 (and ``os.fork``), a second process
    shares the work: both take outputs from one queue, the longest first (``batches``), until
    it is empty.

    Each file is written by exactly one process and every renderer is deterministic, so the
    bytes do not depend on ``jobs`` or on which process wrote what.

    Raises:
        TaxlossError: the child's error, re-raised here with its message.
        InternalError: the child failed unexpectedly.
    """
    queue = batches(plan)
    if jobs < 2 or len(queue) < 2 or not hasattr(os, "fork"):
        for name, render in plan:
            render(staging / name)
        return
    # The child starts with the longest batch; the rest wait in a pipe, one number (two
    # bytes) each: a read takes one number, atomically, so each batch goes to one process.
    tasks, feed = os.pipe()
    os.write(feed, b"".join(number.to_bytes(2, "big") for number in range(1, len(queue))))
    os.close(feed)

    def child() -> None:
        try:
            for name, render in queue[0]:
                render(staging / name)
            _work(tasks, queue, staging)
        except OSError as exc:  # the same message as ``write_outputs`` gives in one process
            raise RenderError(f"{staging.parent}: cannot write outputs: {exc.strerror}") from None

    pid, status = _start(child)
    try:
        _work(tasks, queue, staging)
    finally:
        os.close(tasks)
        try:
            _outcome(status, "rendering in the second process")
        finally:
            os.waitpid(pid, 0)


def _start(job: Callable[[], None]) -> tuple[int, int]:
    """Run ``job`` in a forked process.

    Returns:
        Its pid and the read end of its status pipe, where it writes one byte (0 done, 2 a
        user-fixable error, 1 a bug) and its message when it ends; ``_outcome`` reads it.
    """
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report any failure through the pipe
        os.close(reader)
        code, message = 0, b""
        try:
            job()
        except TaxlossError as exc:
            code, message = 2, format_error(exc).encode()
        except BaseException:  # a bug: hand its traceback to the parent
            code, message = 1, traceback.format_exc().encode()
        report = bytes([code]) + message
        while report:
            report = report[os.write(writer, report) :]
        os.close(writer)
        os._exit(code)
    os.close(writer)
    return pid, reader


def _outcome(status: int, what: str) -> None:
    """Wait for a ``_start`` job to end (any process holding ``status`` can) and raise its
    error: a user-fixable one as a ``RenderError``, anything else as an ``InternalError``."""
    with os.fdopen(status, "rb") as pipe:
        report = pipe.read()
    code = report[0] if report else 1
    message = report[1:].decode() if report else "it ended without a word (killed?)"
    if code == 2:
        raise RenderError(message)
    if code != 0:
        raise InternalError(f"{what} failed:\n{message}")


#: The fewest disposals for which a helper process shares the formatting of report.json and
#: disposals.csv (fewer: not worth a process).
SPLIT_MIN_ROWS = 20_000

#: Disposals per chunk of that work (a chunk takes a process about half a second).
SPLIT_CHUNK_ROWS = 20_000


class Helper:
    """A ``_start`` job whose outcome may be awaited in this process or a forked one."""

    def __init__(self, job: Callable[[], None], what: str) -> None:
        self.what = what
        self.pid, self.status = _start(job)
        self.open = True

    def wait(self) -> None:
        """Return when the job is done; raise its error."""
        if self.open:
            self.open = False
            _outcome(self.status, self.what)

    def stop(self) -> None:
        """End the job (killed if still running) and reap it."""
        if self.open:
            self.open = False
            os.close(self.status)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)  # a no-op once it has exited
        os.waitpid(self.pid, 0)


@contextmanager
def split_disposals(
    report: Report, names: tuple[str, ...], jobs: int, staging: Path
) -> Iterator[Split | None]:
    """Start a helper process that formats report.json's and disposals.csv's disposals in
    chunks (``render.data.Split``), with part files in ``staging``, while this process prints
    the figures; this process joins in when it writes the files (``names``: which of the two
    this build writes). None when not worth it (``jobs`` 1, no ``names``, fewer than
    ``SPLIT_MIN_ROWS`` disposals, or no ``os.fork``). The helper is stopped when the block ends.
    """
    rows = len(report.disposals)
    if jobs < 2 or not names or rows < SPLIT_MIN_ROWS or not hasattr(os, "fork"):
        yield None
        return
    size = max(SPLIT_CHUNK_ROWS, -(-rows // 10_000))  # chunk numbers must fit in the pipe
    chunks = -(-rows // size)
    tasks, feed = os.pipe()  # the chunk numbers, four bytes each (a read takes one)
    os.write(feed, b"".join(number.to_bytes(4, "big") for number in range(chunks)))
    os.close(feed)

    def take() -> int | None:
        number = os.read(tasks, 4)
        return int.from_bytes(number, "big") if number else None

    helper: Helper | None = None

    def wait() -> None:
        assert helper is not None
        helper.wait()

    split = Split(size, chunks, staging, "report.json" in names, "disposals.csv" in names,
                  take, wait)  # fmt: skip

    def job() -> None:
        try:
            write_parts(report, split)
        except OSError as exc:
            raise RenderError(f"{staging.parent}: cannot write outputs: {exc.strerror}") from None

    try:
        helper = Helper(job, "formatting disposals in the second process")
        yield split
    finally:
        if helper is not None:
            helper.stop()
        os.close(tasks)


def batches(plan: Sequence[tuple[str, Renderer]]) -> list[list[tuple[str, Renderer]]]:
    """The plan as units of work for ``render_all``, the longest first.

    The summary PDFs form one unit (they share the method comparison, which computes the
    whole history again under each other method, so one process does that once). Then come
    the Form 8949 PDFs (the most drawing), report.json with disposals.csv (``DataFiles``
    writes both at once) and the workbooks.
    """
    Batch = list[tuple[str, Renderer]]
    summaries: Batch = []
    data: Batch = []
    pdfs: list[Batch] = []
    rest: list[Batch] = []
    for item in plan:
        name = item[0]
        if name.startswith("summary-"):
            summaries.append(item)
        elif name in DATA_NAMES:
            data.append(item)
        else:
            (pdfs if name.endswith(".pdf") else rest).append([item])
    return [batch for batch in [summaries, *pdfs, data, *rest] if batch]


def _work(tasks: int, queue: list[list[tuple[str, Renderer]]], staging: Path) -> None:
    """Render batches taken from the ``tasks`` pipe until it is empty."""
    while number := os.read(tasks, 2):
        for name, render in queue[int.from_bytes(number, "big")]:
            render(staging / name)
