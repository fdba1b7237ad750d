"""The taxloss error hierarchy and its one formatter.

``TaxlossError`` and its children are the user's problem (bad input, bad rule file, a history
the engine cannot reconcile): the CLI prints them and exits 2. ``InternalError`` is ours: a bug.
Every message line starts with ``path:line:`` so editors and CI can jump to the spot.
Must not import anything from taxloss except ``model`` (for ``SourceRef``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from taxloss.model import SourceRef

#: How many problems one error message lists before it summarises the rest as a count.
MAX_LISTED = 20

#: The most characters of one problem's message (issue #11: a message may quote a huge cell;
#: the longest taxloss writes itself, a list of known operations, is about 2,100).
MAX_MESSAGE = 4000


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong at one place: ``path:line: column: message``."""

    source: SourceRef | None
    message: str
    column: str = ""

    def format(self) -> str:
        """Render as one line, starting with ``path:line:`` when the place is known.

        A message longer than ``MAX_MESSAGE`` (it quotes a 40,000-character cell, say) is cut
        there, with the count of characters left out.
        """
        where = f"{self.source}: " if self.source is not None else ""
        column = f"{self.column}: " if self.column else ""
        message = self.message
        if len(message) > MAX_MESSAGE:
            message = f"{message[:MAX_MESSAGE]}... ({len(message) - MAX_MESSAGE} more characters)"
        return f"{where}{column}{message}"


class TaxlossError(Exception):
    """A problem the user can fix. Carries one or more ``Problem`` lines."""

    def __init__(self, problems: Sequence[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(None, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(format_error(self))


class InputError(TaxlossError):
    """An input file (export, prices file) cannot be read as promised."""


class RuleError(TaxlossError):
    """A rule file is invalid, or an option conflicts with it."""


class EngineError(TaxlossError):
    """The history cannot be computed (e.g. a sale of units never acquired)."""


class RenderError(TaxlossError):
    """An output cannot be written."""


class InternalError(Exception):
    """A bug in taxloss (e.g. the engine's books do not balance). Never the user's fault."""


def format_error(error: TaxlossError) -> str:
    """Format an error as one line per problem, at most ``MAX_LISTED`` lines plus a count.

    Args:
        error: any TaxlossError.

    Returns:
        The message text, without a trailing newline.
    """
    problems: Sequence[Problem] = error.problems
    lines = [p.format() for p in problems[:MAX_LISTED]]
    rest = len(problems) - MAX_LISTED
    if rest > 0:
        lines.append(f"... and {rest} more problem{'s' if rest != 1 else ''} like these")
    return "\n".join(lines)


def raise_collected(problems: Sequence[Problem], kind: type[TaxlossError]) -> None:
    """Raise ``kind`` with all collected problems, if there are any.

    Args:
        problems: problems gathered in one pass over a file or history.
        kind: the error class to raise.

    Raises:
        TaxlossError: of the given kind, when ``problems`` is not empty.
    """
    if problems:
        raise kind(problems)
