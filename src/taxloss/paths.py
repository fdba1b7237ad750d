"""How an input file is named in every message and output (issue #11: privacy).

A report goes to an accountant: it must not carry the user's home folder. A file is named by
its path relative to the working folder when it lies inside it, else by its file name alone;
report.json ``inputs`` and the summary's cover add the file's sha256, which identifies it
exactly. (A working folder above the home folder, ``/`` say, does not count: its relative paths
would still name the home folder.)

Standard library only.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def display_path(path: Path, cwd: Path | None = None, home: Path | None = None) -> str:
    """The name of ``path`` for messages and outputs.

    Args:
        path: the file as the user gave it (relative or absolute).
        cwd: the working folder (default: the process's).
        home: the home folder (default: ``Path.home()``; None if there is none).

    Returns:
        ``path`` relative to ``cwd`` (``samples/x.csv``) when it is inside ``cwd`` and that
        names no folder above it inside ``home``; else the file name (``x.csv``).
    """
    cwd = Path(os.path.abspath(cwd or Path.cwd()))
    absolute = Path(os.path.abspath(cwd / path))
    if home is None:
        try:
            home = Path(os.path.abspath(Path.home()))
        except (KeyError, RuntimeError):  # no home folder known
            home = None
    if _inside(absolute, cwd):
        reveals_home = home is not None and _inside(absolute, home) and not _inside(cwd, home)
        if not reveals_home and absolute != cwd:
            return absolute.relative_to(cwd).as_posix()
    return absolute.name


def display_paths(paths: Sequence[Path], cwd: Path | None = None) -> list[str]:
    """``display_path`` of each file, made unique: a second file shown as ``x.csv`` (from
    another folder) is ``x.csv (2)``, and so on, so every source row names one file."""
    shown: list[str] = []
    for path in paths:
        name = display_path(path, cwd)
        unique, number = name, 1
        while unique in shown:
            number += 1
            unique = f"{name} ({number})"
        shown.append(unique)
    return shown
