"""Process sharing for a build: where a second process takes part of the work (``--jobs``).

Three jobs run in a forked process, each inheriting the parent's report (nothing of it is
pickled) and each writing only its own files:

- ``render_all``: the outputs of the plan, shared by this process and a fork-context
  ``concurrent.futures.ProcessPoolExecutor`` with one worker, whose tasks are output names;
- ``split_disposals``: report.json's and disposals.csv's disposals, formatted in chunks into
  part files by a helper while this process prints the figures;
- ``Helper`` (``comparison.Comparison``): the other methods' comparison, one helper per
  method, run one after another from the moment the history is valued.

A user-fixable error in another process comes back as a ``RenderError`` with the same message
as in one process, a bug as an ``InternalError`` with the other process's traceback. Every
renderer is deterministic and each file has one writer, so the bytes never depend on
``--jobs`` or on which process wrote what. Without ``os.fork`` everything runs in this process.

Why the two helpers are not executor tasks but a plain ``os.fork`` with a status pipe
(``_start``/``_outcome``):

- A failing build must end them at once (tests/cli/test_jobs.py): each is one long task, the
  whole comparison or all the disposal chunks, still running when the build fails. An
  executor cannot end a running task: ``shutdown`` waits for it or leaves it running, and
  ``kill_workers`` only exists from Python 3.14 (taxloss supports 3.11).
- Their end is awaited by whichever process needs the result, which may be the render
  worker (the summaries wait for the comparison, the data files for the last chunks): a
  status pipe inherited by the fork can be read in either process, a ``Future`` only in the
  process that made it.
- The disposal chunks are taken one at a time from a pipe by the helper and, from inside
  ``render.data``, by whichever process writes the files: a pipe read is one atomic take
  shared by the processes of that moment; an executor's queue has one consumer side.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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
    shares the work: both take batches of outputs from one queue, the longest first
    (``batches``), until it is empty.

    The second process is a fork-context ``ProcessPoolExecutor`` with one worker, forked when
    the first batch is handed to it: it inherits the plan (``_RENDERING``), so its tasks are
    only output names and nothing of the report is pickled. It is handed one batch at a time,
    the next as soon as it is done (``_Sharing``), while this process takes the others.

    Each file is written by exactly one process and every renderer is deterministic, so the
    bytes do not depend on ``jobs`` or on which process wrote what.

    Raises:
        TaxlossError: the worker's error, re-raised here with its message (a ``RenderError``).
        InternalError: the worker failed unexpectedly (a bug, or it was killed).
    """
    queue = batches(plan)
    if jobs < 2 or len(queue) < 2 or not hasattr(os, "fork"):
        for name, render in plan:
            render(staging / name)
        return
    global _RENDERING
    _RENDERING = (dict(plan), staging)
    context = multiprocessing.get_context("fork")
    sharing = _Sharing(ProcessPoolExecutor(max_workers=1, mp_context=context), queue)
    try:
        sharing.hand_on()  # the worker starts with the longest batch
        while (batch := sharing.take()) is not None:
            for name, render in batch:
                render(staging / name)
        sharing.finish()
    finally:
        sharing.stop()
        _RENDERING = None


#: The plan of the ``render_all`` under way (renderers by output name) and its staging folder,
#: set before its worker is forked: the worker finds each task's renderers here.
_RENDERING: tuple[dict[str, Renderer], Path] | None = None


def _render(names: tuple[str, ...]) -> tuple[int, str]:
    """A ``render_all`` task, run in its worker: render the outputs ``names`` of the inherited
    plan.

    Returns:
        0 and ``""`` when done; 2 and the message of a user-fixable error (a file that cannot
        be written gives the message ``write_outputs`` gives in one process); 1 and the
        traceback of a bug. The error itself is not sent back: not every error can be pickled.
    """
    assert _RENDERING is not None
    renderers, staging = _RENDERING
    try:
        try:
            for name in names:
                renderers[name](staging / name)
        except OSError as exc:
            raise RenderError(f"{staging.parent}: cannot write outputs: {exc.strerror}") from None
    except TaxlossError as exc:
        return 2, format_error(exc)
    except BaseException:  # a bug: hand its traceback to the parent
        return 1, traceback.format_exc()
    return 0, ""


class _Sharing:
    """The batches of one ``render_all``, shared by this process (``take``) and the executor's
    worker, which is handed the next batch from its task's done callback (in the executor's
    thread) as soon as its last one is done; a lock keeps each batch to one taker."""

    def __init__(self, executor: ProcessPoolExecutor, queue: list[list[tuple[str, Renderer]]]):
        self.executor = executor
        self.waiting = deque(queue)
        self.lock = threading.Lock()
        self.tasks: list[Future[tuple[int, str]]] = []
        #: No more batches for the worker: it failed, or the rendering ends.
        self.stopped = False

    def hand_on(self, done: Future[tuple[int, str]] | None = None) -> None:
        """Give the worker the next batch (unless its last task ``done`` failed)."""
        with self.lock:
            if done is not None and (
                done.cancelled() or done.exception() is not None or done.result()[0] != 0
            ):
                self.stopped = True  # its error is raised by ``finish``
            if self.stopped or not self.waiting:
                return
            names = tuple(name for name, _ in self.waiting.popleft())
            task = self.executor.submit(_render, names)
            self.tasks.append(task)
        task.add_done_callback(self.hand_on)

    def take(self) -> list[tuple[str, Renderer]] | None:
        """The next batch for this process (None: none left, or the worker failed)."""
        with self.lock:
            if self.stopped or not self.waiting:
                return None
            return self.waiting.popleft()

    def finish(self) -> None:
        """Wait for the worker's tasks and raise its error, as ``_outcome`` does (once
        ``take`` has found nothing left, no task is added)."""
        for task in self.tasks:
            try:
                code, message = task.result()
            except BrokenProcessPool:
                code, message = 1, "it ended without a word (killed?)"
            if code == 2:
                raise RenderError(message)
            if code != 0:
                raise InternalError(f"rendering in the second process failed:\n{message}")

    def stop(self) -> None:
        """Hand out nothing more, let the worker end its current task and exit."""
        with self.lock:
            self.stopped = True
        self.executor.shutdown(wait=True, cancel_futures=True)


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
    writes both at once) and the workbooks. Each other output is a unit of its own: a year's
    workbook drawn with its PDF would share the year's rows when they are not kept
    (``returns.printed.KEEP_ROWS``), but at a million rows such a pair is nine seconds of
    work, and one process was left drawing the last pair alone for up to that long.
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
