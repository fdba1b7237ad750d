"""How a build tells its caller what it is doing: stages, and how far the long ones are.

``api.build`` reports through a ``Progress`` it is given; it never prints. The CLI passes one
that draws on stderr when stderr is a terminal (and ``--quiet`` is not given); tests and other
callers pass nothing and get ``SILENT``. Progress is never part of any output file, so a
build's outputs do not depend on it.

Imports nothing from taxloss and no third-party package (the engine may be handed a callback
from here without loading anything).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Progress(Protocol):
    """Receives a build's stages, in order, and how far each long one is.

    Stages of a build: ``reading`` (measured in bytes of the input files), ``matching``
    (events the engine applies), ``printing`` (the rounded rows and figures, no measure) and
    ``writing`` (output files). Calls come only from the process that called ``api.build``.
    """

    def stage(self, name: str) -> None:
        """A stage begins (the previous one, if any, has ended)."""

    def update(self, done: int, total: int, item: str = "") -> None:
        """``done`` of ``total`` units of the current stage are done; ``item`` names what is
        being worked on (an input or output file), or is empty."""

    def finish(self) -> None:
        """The last stage has ended (also called when the build fails)."""


class Silent:
    """A ``Progress`` that ignores everything."""

    def stage(self, name: str) -> None:
        """Ignore the stage."""

    def update(self, done: int, total: int, item: str = "") -> None:
        """Ignore the step."""

    def finish(self) -> None:
        """Nothing to end."""


#: The ``Progress`` of a build nobody watches.
SILENT: Progress = Silent()


def event_counter(progress: Progress) -> Callable[[int, int], None] | None:
    """The engine's callback (``compute(on_events=...)``): ``update`` of the matching stage,
    or None for ``SILENT``, so a build nobody watches does no extra work per event."""
    if isinstance(progress, Silent):
        return None
    return progress.update
