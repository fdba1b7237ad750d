"""What a run has to say besides its rows: warnings, problems and assumptions, in the order
they arose (every collaborator of ``core.Run`` appends to the same three lists, so the order of
the report's notices is the order of the events)."""

from __future__ import annotations

from dataclasses import dataclass, field

from taxloss.errors import Problem
from taxloss.model import Notice


@dataclass
class Notes:
    """The run's notices: ``warnings`` are printed, ``problems`` fail the build,
    ``assumptions`` record a rate or zone taken without the user saying so."""

    warnings: list[Notice] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    assumptions: list[Notice] = field(default_factory=list)
