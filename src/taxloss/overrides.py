"""The ``--overrides`` file: the user's own answers to rows taxloss refuses (issue #13 item 7).

A refusal must never be a dead end, and an answer must never be a silent guess: the user writes
it down, and every output lists it with the user's note. The file is a CSV with the columns
``source,action,note`` (any other column, such as the ``question`` and ``suggestion`` that
``taxloss check --write-overrides`` writes, is ignored):

* ``source``: the row, as ``path:line`` (the path as given on the command line, or just the
  file's name) or the exchange's id as taxloss reads it (``coinbase:65a6a1b7...``);
* ``action``:

  - ``skip``: the row is left out before its file is parsed (it may be a row the parser
    cannot read);
  - ``treat-as TYPE``: the row's trades take the type ``TYPE`` (a generic CSV type such as
    ``income``, ``buy``, ``withdrawal``);
  - ``value AMOUNT``: the row's fair value in the report currency (``fiat_value``), e.g. a
    crypto-for-crypto trade with no price in the data;
  - ``note``: no change; the note is listed with the row (an explanation for the accountant);

* ``note``: why, in the user's words (required: it is printed with the row in every output).

Several lines may name one row (``treat-as buy`` and ``value 1200`` give an unmatched deposit
its cost). An override that matches no row is an error, so a typo cannot pass unnoticed. The
rows are applied before the engine; what was applied is returned as ``OverrideUse`` records.
May read files; must not print, exit or import the engine or renderers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path, PurePath

from taxloss.errors import InputError, Problem
from taxloss.model import OverrideUse, SourceRef, Trade, TradeKind
from taxloss.money import D
from taxloss.render.cells import safe_text

COLUMNS = ("source", "action", "note")
#: The columns ``taxloss check --write-overrides`` writes (the last two are ignored on reading).
STARTER_COLUMNS = (*COLUMNS, "question", "suggestion")
ACTIONS = ("skip", "treat-as TYPE", "value AMOUNT", "note")
_LOCATION = re.compile(r"^(?P<path>.+):(?P<line>[0-9]+)$")
_AMOUNT = re.compile(r"^([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.[0-9]+)?$")


@dataclass(frozen=True, slots=True)
class Override:
    """One line of the overrides file."""

    origin: SourceRef
    target: str
    path: str
    line: int
    action: str
    kind: TradeKind | None = None
    amount: Decimal | None = None
    note: str = ""

    @property
    def by_location(self) -> bool:
        """True when ``source`` is ``path:line`` (else an exchange id)."""
        return self.line > 0

    def describe(self) -> str:
        """The action as written: ``skip``, ``treat-as income``, ``value 1200.00``, ``note``."""
        if self.kind is not None:
            return f"treat-as {self.kind.value}"
        if self.amount is not None:
            return f"value {self.amount}"
        return self.action


def read_overrides(path: Path, display: str) -> list[Override]:
    """Read and validate an overrides file.

    Args:
        path: the file.
        display: its name as the user gave it (used in every message).

    Returns:
        The overrides, in file order.

    Raises:
        InputError: a missing column, or every bad line at once.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            Problem(SourceRef(display, 1), f"cannot read the overrides file ({exc})")
        ) from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise InputError(
            Problem(SourceRef(display, 1), f"expected a header row {','.join(COLUMNS)}")
        )
    header = [cell.strip().lower() for cell in rows[0]]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise InputError(
            Problem(
                SourceRef(display, 1),
                f"missing column(s) {', '.join(missing)}: expected a header row "
                f"{','.join(COLUMNS)}",
                column="header",
            )
        )
    where = {name: header.index(name) for name in COLUMNS}
    problems: list[Problem] = []
    out: list[Override] = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        origin = SourceRef(display, number)
        if len(cells) > len(header):
            problems.append(
                Problem(
                    origin,
                    f"expected {len(header)} cells as in the header, found {len(cells)}: put "
                    'a note that contains a comma in double quotes ("...")',
                    column="note",
                )
            )
            continue
        cell = {n: cells[i].strip() if i < len(cells) else "" for n, i in where.items()}
        made = _override(origin, cell["source"], cell["action"], cell["note"], problems)
        if made is not None:
            out.append(made)
    if problems:
        raise InputError(problems)
    return out


def _override(
    origin: SourceRef, source: str, action: str, note: str, problems: list[Problem]
) -> Override | None:
    """One line's override, or None with its problems appended."""
    before = len(problems)
    if not source:
        problems.append(
            Problem(origin, "expected the row as path:line or an exchange id", column="source")
        )
    found = _LOCATION.match(source)
    path, line = (found.group("path").strip(), int(found.group("line"))) if found else ("", 0)
    if found and line < 1:
        problems.append(
            Problem(origin, f"expected a line of 1 or more, found {source!r}", "source")
        )
    words = action.split()
    verb = words[0].lower() if words else ""
    kind: TradeKind | None = None
    amount: Decimal | None = None
    if verb == "treat-as" and len(words) == 2:
        try:
            kind = TradeKind(words[1].lower())
        except ValueError:
            choices = ", ".join(k.value for k in TradeKind)
            problems.append(
                Problem(
                    origin, f"treat-as: expected one of {choices}, found {words[1]!r}", "action"
                )
            )
    elif verb == "value" and len(words) == 2:
        # A comma only groups thousands (1,250.50): "1250,5" or "1.250,50" is refused, never
        # read as 12505 or 1.2505.
        if _AMOUNT.match(words[1]):
            amount = D(words[1].replace(",", ""))
        else:
            problems.append(
                Problem(
                    origin,
                    f"value: expected an amount in the report currency like 1250.00, found "
                    f"{words[1]!r}",
                    "action",
                )
            )
    elif not (verb in ("skip", "note") and len(words) == 1):
        problems.append(
            Problem(
                origin,
                f"expected one of {', '.join(ACTIONS)}, found {action!r}"
                + (" (choose the answer to the question on this line)" if not action else ""),
                column="action",
            )
        )
    if not note:
        problems.append(
            Problem(
                origin,
                "expected a note saying why (it is printed with the row in every output)",
                column="note",
            )
        )
    if len(problems) > before:
        return None
    return Override(origin, source, path, line, verb, kind, amount, note)


def same_file(given: str, display: str) -> bool:
    """True when an override's ``path`` names the input file shown as ``display``: the same
    path, the same file on disk, or (a bare name) the same file name."""
    if given == display or PurePath(given).as_posix() == PurePath(display).as_posix():
        return True
    if PurePath(given).name == given and PurePath(display).name == given:
        return True
    try:
        return Path(given).resolve() == Path(display).resolve()
    except OSError:
        return False


def skipped_lines(overrides: Sequence[Override], display: str) -> frozenset[int]:
    """Lines of the input file ``display`` that ``skip`` overrides leave out."""
    return frozenset(
        o.line
        for o in overrides
        if o.action == "skip" and o.by_location and same_file(o.path, display)
    )


def _matches(override: Override, trade: Trade) -> bool:
    # An id may look like a location (``coinbase:BTC-USD:12345``): either reading may match.
    if trade.external_id and trade.external_id == override.target:
        return True
    return (
        override.by_location
        and override.line == trade.source.line
        and same_file(override.path, trade.source.path)
    )


def apply_overrides(
    trades: Sequence[Trade],
    overrides: Sequence[Override],
    fiat: str,
    skipped: Iterable[SourceRef] = (),
) -> tuple[list[Trade], list[OverrideUse]]:
    """Apply ``treat-as``, ``value`` and ``note`` overrides to the parsed trades.

    Args:
        trades: the trades of every input file.
        overrides: the overrides file's lines.
        fiat: the report currency (a ``value`` is in it).
        skipped: the rows ``skip`` left out while parsing (``path:line`` of each).

    Returns:
        The trades with overrides applied, and one ``OverrideUse`` per row answered, in
        source order.

    Raises:
        InputError: every override that matches no row.
    """
    skipped = set(skipped)
    uses: list[OverrideUse] = []
    problems: list[Problem] = []
    out = list(trades)
    for override in overrides:
        if override.action == "skip":
            hits = [
                s for s in skipped if s.line == override.line and same_file(override.path, s.path)
            ]
            if hits:
                uses.extend(_use(override, source, "left out before parsing") for source in hits)
                continue
            problems.append(_unmatched(override))
            continue
        indexes = [i for i, trade in enumerate(out) if _matches(override, trade)]
        if not indexes:
            problems.append(_unmatched(override))
            continue
        for index in indexes:
            trade = out[index]
            if override.kind is not None:
                effect = f"type {trade.kind.value} read as {override.kind.value}"
                out[index] = replace(trade, kind=override.kind)
            elif override.amount is not None:
                effect = f"valued at {override.amount} {fiat}"
                out[index] = replace(trade, fiat_value=override.amount, fiat_currency=fiat)
            else:
                effect = "no change"
            uses.append(_use(override, trade.source, effect))
    if problems:
        raise InputError(problems)
    uses.sort(key=lambda u: (u.source, u.origin))
    return out, _unique(uses)


def _unique(uses: list[OverrideUse]) -> list[OverrideUse]:
    """One use per (row, override line): a row that made two trades is listed once."""
    seen: set[tuple[SourceRef, SourceRef]] = set()
    out = []
    for use in uses:
        if (use.source, use.origin) not in seen:
            seen.add((use.source, use.origin))
            out.append(use)
    return out


def _use(override: Override, source: SourceRef, effect: str) -> OverrideUse:
    return OverrideUse(source, override.describe(), effect, override.note, override.origin)


def _unmatched(override: Override) -> Problem:
    what = "path:line of a data row" if override.by_location else "an exchange id"
    return Problem(
        override.origin,
        f"{override.target!r} matches no row read from the input files: expected {what} as "
        "taxloss check lists it (a skip needs the row's line; the other actions need a row "
        "that was read into a trade)",
        column="source",
    )


def starter_text(rows: Iterable[tuple[str, str, str]]) -> str:
    """The text of a starter overrides file: one line per question, the action left empty.

    Args:
        rows: (source, question, suggested action) per question.

    Returns:
        CSV text with the columns ``STARTER_COLUMNS``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(STARTER_COLUMNS)
    for source, question, suggestion in rows:
        writer.writerow([safe_text(source), "", "", safe_text(question), safe_text(suggestion)])
    return buffer.getvalue()
