"""Parser registry: find which export format a file is (from its header row alone) and read it.

Each parser module registers a class with ``@register(name)``. A parser has ``title``,
``layouts`` (known header rows, for messages), ``detect(header) -> bool`` (pure) and
``parse(table, options) -> Iterator[Trade]``. Detection uses the single matching parser; no
match, or several, is an ``InputError`` naming the formats concerned. ``--format`` skips it.
pandas and logging are allowed here; the engine, renderers and CLI never see a DataFrame.
"""

from __future__ import annotations

import csv
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path
from typing import Protocol

from taxloss.errors import InputError, Problem
from taxloss.limits import trade_problems
from taxloss.model import FormRow, InputFile, Notice, SourceRef, Trade
from taxloss.parsers.encodings import (
    DATES_MONTH_FIRST,
    DELIMITER_ASSUMED,
    DELIMITERS,
    decode_export,
    local_dates,
    resplit,
)
from taxloss.parsers.table import (
    Table,
    head_lines,
    header_rows,
    is_xlsx,
    normalize,
    read_bytes,
    read_head,
    read_table,
    read_text,
    xlsx_to_text,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """What a parser needs beyond the file: the wallet name and the zone of naive times.

    ``assumptions`` and ``warnings`` collect what the reading assumed or flagged (an assumed
    zone, encoding or delimiter; a row read in a way the user should check): ``read_file``
    gives each file fresh lists and returns them with its trades.
    """

    wallet: str
    timezone: tzinfo | None = None
    assumptions: list[Notice] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)

    def assume(self, notice: Notice) -> None:
        """Record an assumption once (the same notice from two columns is kept once)."""
        if notice not in self.assumptions:
            self.assumptions.append(notice)

    def warn(self, notice: Notice) -> None:
        """Record a warning about a row."""
        self.warnings.append(notice)

    #: Data lines to leave out before parsing (``skip`` answers of an ``--overrides`` file) ...
    skip_lines: frozenset[int] = frozenset()
    #: ... and those of them the file had (filled by ``read_file``).
    skipped: list[int] = field(default_factory=list)


class Parser(Protocol):
    """The interface every registered parser class provides (as static/class methods)."""

    name: str
    title: str
    layouts: tuple[tuple[str, ...], ...]
    download: str

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool: ...

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]: ...


REGISTRY: dict[str, type[Parser]] = {}


def register(name: str) -> Callable[[type], type]:
    """Class decorator: register a parser under ``name`` (the ``--format`` value)."""

    def wrap(cls: type) -> type:
        if name in REGISTRY:
            raise ValueError(f"parser {name!r} registered twice")
        cls.name = name  # type: ignore[attr-defined]
        REGISTRY[name] = cls
        return cls

    return wrap


def parsers() -> dict[str, type[Parser]]:
    """All registered parsers by name (importing the parser modules on first use)."""
    _load_all()
    return REGISTRY


@dataclass(frozen=True)
class ParsedFile:
    """One input file after parsing: its trades and the facts for the report's cover."""

    trades: list[Trade]
    info: InputFile
    reason: str
    #: Form 1099-DA rows, when the file is a form (issue #12); a form has no trades.
    forms: tuple[FormRow, ...] = ()
    assumptions: list[Notice] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)


@dataclass(frozen=True)
class Detection:
    """Which parser claims a file, and why."""

    name: str
    title: str
    header_line: int
    reason: str
    sheet: str = ""


def _texts(path: Path, display: str) -> list[tuple[str, str]]:
    """(sheet, text) to find the header row in: each sheet of an XLSX file, else the head of
    the text file (the rest is not read)."""
    if is_xlsx(path):
        return xlsx_to_text(path, display)
    return [("", read_head(path, display))]


def _check_forced(registry: dict[str, type[Parser]], forced: str | None, display: str) -> None:
    if forced is not None and forced not in registry:
        raise InputError(
            Problem(
                SourceRef(display, 1),
                f"unknown --format {forced!r}: expected one of {', '.join(sorted(registry))}",
            )
        )


def detect_file(path: Path, display: str, forced: str | None = None) -> Detection:
    """Find the one parser that claims a file by its header row.

    Args:
        path: the file.
        display: the path as the user named it.
        forced: a ``--format`` name: skip detection and use this parser.

    Returns:
        The detection result.

    Raises:
        InputError: unknown format name; no parser, or several, claim the file.
    """
    _check_forced(parsers(), forced, display)
    try:
        texts = _texts(path, display)
    except InputError:
        texts = []  # not UTF-8: read below with the encoding found
    if not texts or (not texts[0][0] and "\0" in texts[0][1]):
        texts = [("", decode_export(read_bytes(path, display), display)[0])]
    return _detect_saved(texts, display, forced)[0]


def _detect_saved(
    texts: list[tuple[str, str]], display: str, forced: str | None
) -> tuple[Detection, list[tuple[str, str]], list[Notice]]:
    """``_detect``, and when no parser claims a comma-separated header of a text file, the same
    with ``;`` or tabs as the separator (issue #13: European Excel, UTF-16 text): the file's
    text is then rewritten comma-separated, and the separator recorded as assumed unless it is
    the format's own (a parser's ``delimiter`` attribute).

    Returns:
        The detection, the texts to read the table from, and the assumptions made.

    Raises:
        InputError: as ``_detect`` (its own message when no separator helps), or numbers that
            read two ways in a file with decimal commas.
    """
    try:
        return _detect(texts, display, forced), texts, []
    except InputError as refusal:
        if len(texts) != 1 or texts[0][0]:
            raise
        text = texts[0][1]
        head = "\n".join(head_lines(text))
        for delimiter in DELIMITERS:
            if delimiter not in head:
                continue
            try:
                trial = resplit(head, delimiter, display, 0, numbers=False)[0]
                detection = _detect([("", trial)], display, forced)
            except InputError:
                continue
            # A format that is written with this separator (Binance's order history) is
            # read as it is: no separator to assume, and its numbers keep their points.
            native = getattr(parsers()[detection.name], "delimiter", ",") == delimiter
            whole, notices = resplit(
                text, delimiter, display, detection.header_line, numbers=not native
            )
            if native:
                notices = [n for n in notices if n.code != DELIMITER_ASSUMED]
            return detection, [("", whole)], notices
        raise refusal from None


def _detect(texts: list[tuple[str, str]], display: str, forced: str | None) -> Detection:
    """``detect_file`` on the texts already read (sheet name, text)."""
    registry = parsers()
    candidates = [registry[forced]] if forced else list(registry.values())
    for sheet, text in texts:
        for line, header, _raw in header_rows(text):
            claimed = [p for p in candidates if p.detect(header)]
            if len(claimed) > 1:
                names = ", ".join(p.name for p in claimed)
                raise InputError(
                    Problem(
                        SourceRef(display, line),
                        f"header matches several formats ({names}): choose one with --format",
                    )
                )
            if claimed:
                parser = claimed[0]
                how = "--format" if forced else "header row"
                where = f" of sheet {sheet!r}" if sheet else ""
                reason = f"{how} at line {line}{where} matches {parser.title}"
                return Detection(parser.name, parser.title, line, reason, sheet)
    raise InputError(_unrecognised(texts, display, candidates))


def _unrecognised(
    texts: list[tuple[str, str]], display: str, candidates: list[type[Parser]]
) -> list[Problem]:
    heads = [h for _, text in texts for h in header_rows(text)]
    if not heads:
        return [Problem(SourceRef(display, 1), "the file is empty: expected a header row")]
    line, _, raw = heads[0]
    for delimiter, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "'|' characters")):
        if delimiter in raw:
            cells = tuple(normalize(c) for c in next(csv.reader([raw], delimiter=delimiter)))
            if any(p.detect(cells) for p in candidates):
                return [
                    Problem(
                        SourceRef(display, line),
                        f"columns are separated by {name}: "
                        "expected commas (save the file as comma-separated CSV)",
                        column="header",
                    )
                ]
    best, best_score, best_layout = None, -1.0, ()
    for _, cand_header, _ in heads:
        have = set(cand_header)
        for parser in candidates:
            for layout in parser.layouts:
                wanted = set(layout)
                score = len(have & wanted) / len(have | wanted) if have | wanted else 0.0
                if score > best_score:
                    best, best_score, best_layout = parser, score, layout
    supported = ", ".join(sorted(p.name for p in candidates))
    message = f"no supported export format recognised from the header row; supported: {supported}"
    if best is not None and best_score > 0:
        missing = [c for c in best_layout if c not in {c for _, h, _ in heads for c in h}]
        message += f"; nearest: {best.name} ({best.title})"
        if missing:
            message += f", which needs column(s) {', '.join(missing)}"
    return [Problem(SourceRef(display, line), message, column="header")]


def _without_lines(table: Table, lines: frozenset[int], found: list[int]) -> Table:
    """``table`` without the data rows on ``lines``; the lines it had are added to ``found``."""
    keep = [index for index, line in enumerate(table.lines) if line not in lines]
    if len(keep) == len(table.lines):
        return table
    found.extend(sorted(set(table.lines) & lines))
    frame = table.frame.iloc[keep].reset_index(drop=True)
    return replace(table, frame=frame, lines=[table.lines[i] for i in keep])


def read_file(
    path: Path,
    display: str,
    options: ParseOptions,
    forced: str | None = None,
    on_rows: Callable[[int, int], None] | None = None,
) -> ParsedFile:
    """Detect a file's format and parse it into validated trades.

    Args:
        path: the file.
        display: the path as the user named it (used in every ``SourceRef``).
        options: wallet name and the zone for naive timestamps.
        forced: a ``--format`` name, or None to detect.
        on_rows: called with (trades made so far, rows in the table) as parsing goes, to show
            progress (an estimate: most formats make one trade per row); default: not called.

    Returns:
        The trades and the file's facts (sha256, row count, first and last date).

    Raises:
        InputError: the format is unknown, or rows are invalid (all of them at once).
    """
    registry = parsers()
    _check_forced(registry, forced, display)
    # The file is read once: its bytes give the sha256 and the text (or XLSX sheets) that
    # detection and the table are read from.
    data = read_bytes(path, display)
    digest = hashlib.sha256(data).hexdigest()
    assumptions: list[Notice] = []
    if is_xlsx(data):
        texts = xlsx_to_text(path, display)
    else:
        text, assumptions = decode_export(data, display)
        texts = [("", text)]
    del data
    original = texts
    detection, texts, saved = _detect_saved(texts, display, forced)
    assumptions += saved
    if texts is original:  # (a re-separated text had its dates rewritten with its numbers)
        sheet_text, dated = local_dates(
            dict(texts)[detection.sheet], display, detection.header_line
        )
        if dated:
            texts = [(detection.sheet, sheet_text)]
            if getattr(registry[detection.name], "month_first_dates", False):
                # The format's own dates are MM/DD/YYYY (a US form): reading them month
                # first is what it documents, not an assumption.
                dated = [n for n in dated if n.code != DATES_MONTH_FIRST]
            assumptions += dated
    parser = registry[detection.name]
    text = dict(texts)[detection.sheet]
    del texts
    table = read_table(
        path,
        display,
        parser.detect,
        sheet_text=text,
        repeated_columns=getattr(parser, "repeated_columns", False),
    )
    if table is not None and options.skip_lines:
        table = _without_lines(table, options.skip_lines, options.skipped)
    del text
    if table is None:  # pragma: no cover - _detect just found this header
        raise InputError(Problem(SourceRef(display, 1), "header row not found"))
    options = replace(options, assumptions=assumptions, warnings=[])
    read_forms = getattr(parser, "parse_forms", None)
    forms: tuple[FormRow, ...] = tuple(read_forms(table, options)) if read_forms else ()
    if read_forms:
        trades: list[Trade] = []
    else:
        made = parser.parse(table, options)
        trades = list(made if on_rows is None else _counted(made, len(table), on_rows))
    bounds = trade_problems(trades)
    if bounds:
        raise InputError(bounds)
    log.info("%s: %d trades from %d rows (%s)", display, len(trades), len(table), parser.name)
    info = InputFile(
        path=display,
        sha256=digest,
        format=parser.name,
        rows=sum(1 for line in table.lines if line > 0),
        first=min((t.timestamp for t in trades), default=None) or _sold_day(forms, min),
        last=max((t.timestamp for t in trades), default=None) or _sold_day(forms, max),
    )
    return ParsedFile(trades, info, detection.reason, forms, options.assumptions, options.warnings)


#: How many trades a parser makes between two ``on_rows`` calls.
TRADES_PER_CALL = 4096


def _counted(
    trades: Iterator[Trade], rows: int, on_rows: Callable[[int, int], None]
) -> Iterator[Trade]:
    """``trades``, calling ``on_rows(made, rows)`` every ``TRADES_PER_CALL`` trades (``made``
    never above ``rows``)."""
    for made, trade in enumerate(trades, start=1):
        if not made % TRADES_PER_CALL:
            on_rows(min(made, rows), rows)
        yield trade


#: Modules in this package that are helpers, not export formats.
HELPERS = frozenset({"table", "numbers", "prices", "rows", "notes", "encodings"})


def _load_all() -> None:
    """Import every parser module (for the side effect of @register), in name order."""
    import importlib
    import pkgutil

    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name not in HELPERS and not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")


__all__ = [
    "Detection",
    "ParseOptions",
    "ParsedFile",
    "Table",
    "detect_file",
    "parsers",
    "read_file",
    "read_text",
    "register",
]


def _sold_day(forms: Sequence[FormRow], pick: Callable[[Iterable[date]], date]) -> datetime | None:
    """The first or last date sold (box 1c) of a broker form file's rows, as midnight UTC
    (a form row has a date, no time), so its inputs line shows the span it covers."""
    if not forms:
        return None
    return datetime.combine(pick(row.sold_on for row in forms), time(), tzinfo=UTC)
