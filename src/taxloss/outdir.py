"""The output folder: which files in it are taxloss's own, and how a build's finished files
replace an earlier build's, all or nothing (issue #11).

* ``OWN_OUTPUTS``: the names taxloss writes, the one list of them. A file in the output folder
  with such a name that this build does not write is *stale*: left by an earlier build (of
  other years, another country, other ``--outputs``) and removed, so the folder never mixes two
  builds. Only files that are taxloss's by name *and* by content (``is_own``) are removed.
* ``switch``: move the finished files from the staging folder into place. Every target is
  checked first; then each old file is moved aside into the staging folder, and each new one in;
  if any move fails, every move already made is undone, so the folder is as it was and "nothing
  written" stays true.
* ``clear_abandoned``: a build that was killed leaves its hidden staging folder
  (``.taxloss-<pid>-*``); the next build into the folder removes it once its process is gone.

File-system work only; must not import the engine, parsers or renderers.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from taxloss.errors import RenderError

#: Every file name ``taxloss build`` writes into an output folder, as patterns (``<year>`` is a
#: tax-year label: ``2025`` or ``2024-25``; ``<n>`` a part number). Extend this list when adding
#: a build output. Other commands' files (``harvest-<date>.*``) are not here: a build never
#: removes them.
OWN_OUTPUTS = (
    "report.json",
    "disposals.csv",
    "form8949-<year>.xlsx",
    "form8949-<year>.pdf",
    "summary-<year>.pdf",
    "capital-gains-<year>.xlsx",
    "turbotax-<year>.csv",
    "turbotax-<year>-<n>.csv",
    "form8949-<year>.txf",
    "taxact-<year>.csv",
)

_PLACES = {"<year>": r"\d{4}(?:-\d{2})?", "<n>": r"\d+"}


def _pattern(name: str) -> str:
    text = re.escape(name)
    for place, pattern in _PLACES.items():
        text = text.replace(re.escape(place), pattern)
    return text


_OWN = re.compile("|".join(_pattern(p) for p in OWN_OUTPUTS))

#: The hidden staging folders' prefix; the writing process's id follows it.
STAGING_PREFIX = ".taxloss-"


def own_name(name: str) -> bool:
    """True if ``name`` is one of the names taxloss writes (``OWN_OUTPUTS``)."""
    return _OWN.fullmatch(name) is not None


def is_own(path: Path) -> bool:
    """True if ``path`` is a file taxloss wrote: its name is in ``OWN_OUTPUTS`` and its content
    says so (report.json's schema, the PDF's and workbook's creator, the CSV's first column).
    A file of the user's that happens to share a name is never taken for ours."""
    if not path.is_file() or path.is_symlink() or not own_name(path.name):
        return False
    try:
        if path.suffix == ".json":
            with path.open("rb") as handle:
                text = handle.read(4096).decode("utf-8", "replace")
            return bool(re.match(r'\{\s*"schema":\s*"taxloss\.', text))
        if path.suffix == ".pdf":  # reportlab writes the document info near the start
            with path.open("rb") as handle:
                head = handle.read(1 << 16)
                handle.seek(max(0, path.stat().st_size - (1 << 16)))
                tail = handle.read()
            return head.startswith(b"%PDF") and b"/Creator (taxloss" in head + tail
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                return b"<Application>taxloss</Application>" in book.read("docProps/app.xml")
        if path.name == "disposals.csv":
            with path.open("rb") as handle:
                return handle.readline().startswith(b"tax_year,asset,description,")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    # Tax-software files (turbotax-, taxact-, .txf) carry no mark of ours: theirs by name only
    # when the folder also holds a report.json of taxloss (an earlier build's folder).
    return is_own(path.parent / "report.json")


def stale(out: Path, writing: Sequence[str]) -> list[Path]:
    """The taxloss files in ``out`` that this build does not write (``writing``), by name."""
    if not out.is_dir():
        return []
    keep = set(writing)
    return sorted(p for p in out.iterdir() if p.name not in keep and is_own(p))


def check_targets(out: Path, names: Sequence[str]) -> None:
    """Raise before anything moves if a target name is taken by a folder, which no rename
    can replace (a file, or a link, is replaced).

    Raises:
        RenderError: naming every blocked target.
    """
    blocked = [n for n in names if (out / n).is_dir() and not (out / n).is_symlink()]
    if blocked:
        listed = ", ".join(sorted(blocked))
        raise RenderError(
            f"{out}: cannot write outputs: {listed} is taken by a folder: move it away and "
            "build again (nothing was written)"
        )


def switch(staging: Path, out: Path, names: Sequence[str], remove: Sequence[Path]) -> None:
    """Move ``names`` from ``staging`` into ``out`` and remove ``remove``, all or nothing.

    Old files (those replaced and those removed) are first moved aside into ``staging/old``;
    the new files are then moved in. If any move fails, the moves made are undone in reverse
    order, and the error is raised: ``out`` holds exactly what it held before.

    Raises:
        RenderError: a target is blocked, or a move failed (all undone).
    """
    check_targets(out, names)
    aside = staging / "old"
    done: list[tuple[Path, Path]] = []  # (from, to), in the order made
    try:
        aside.mkdir()
        for number, target in enumerate([*(out / n for n in names), *remove]):
            if target.exists():
                parked = aside / f"{number}-{target.name}"
                os.replace(target, parked)
                done.append((target, parked))
        for name in names:
            os.replace(staging / name, out / name)
            done.append((staging / name, out / name))
    except OSError as exc:
        for source, target in reversed(done):
            with contextlib.suppress(OSError):
                os.replace(target, source)
        raise RenderError(
            f"{out}: cannot write outputs: {exc.strerror or exc} (nothing was written)"
        ) from None


def staging_folder(out: Path) -> Path:
    """Make a new hidden staging folder in ``out``, named after this process.

    Raises:
        OSError: it cannot be made.
    """
    return Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=out))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def clear_abandoned(out: Path) -> list[Path]:
    """Remove the staging folders that killed builds left in ``out`` (their process is gone;
    a folder of an older taxloss, without a process id, counts as abandoned).

    Returns:
        The folders removed.
    """
    removed: list[Path] = []
    if not out.is_dir():
        return removed
    pattern = re.compile(re.escape(STAGING_PREFIX) + r"(?:(\d+)-)?[\w-]+")
    for path in sorted(out.iterdir()):
        match = pattern.fullmatch(path.name)
        if match is None or not path.is_dir() or path.is_symlink():
            continue
        if match[1] is not None and int(match[1]) != os.getpid() and _running(int(match[1])):
            continue  # another build is writing here right now
        if match[1] is not None and int(match[1]) == os.getpid():
            continue  # ours (a build in progress in this process)
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed
