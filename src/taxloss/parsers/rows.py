"""Reading an export's cells: the column, zone and row helpers every parser shares.

* ``Columns`` (and ``find_column``/``has_column`` for a bare header row) finds a column by an
  alias set, ignoring a zone suffix such as ``(UTC+8)``, and keeps each column's name as
  written in the header, so messages name the column the user sees.
* ``header_zone`` reads the fixed zone a header name states (``Time(UTC+08:00)``,
  ``Date(UTC+8)``, ``time(utc)``); ``utc_offset`` reads a zone written as a value (``UTC-05:30``).
* ``Rows`` walks the data rows (blank lines skipped) and yields a ``Row`` per row, whose
  ``text``/``number``/``time``/``value`` read one cell and record a ``Problem`` (path, line,
  column as written) for a bad one; ``Rows.finish`` raises every problem at once.
* ``require_rows`` rejects an export with a header and no rows; ``words`` puts a label such as
  an operation or type name into one spelling for matching.

Nothing here knows an exchange; pandas is not used (cells come from ``Table.column``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import TypeVar

from taxloss.errors import InputError, Problem
from taxloss.model import SourceRef, maker
from taxloss.parsers.numbers import BadValue, loose_number, parse_timestamp
from taxloss.parsers.table import BOM, Table, normalize

T = TypeVar("T")

_OFFSET = r"(?:utc|gmt)\s*(?:(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?)?"
_OFFSET_TEXT = re.compile(_OFFSET, re.IGNORECASE)
_ZONED_NAME = re.compile(rf"^(?P<base>.*?)\s*\(\s*{_OFFSET}\s*\)$", re.IGNORECASE)

#: The largest offset a real zone has (UTC+14, Kiribati); anything beyond is not a zone.
_MAX_HOURS = 14


def _zone(match: re.Match[str]) -> tzinfo | None:
    hours, minutes = int(match["hours"] or 0), int(match["minutes"] or 0)
    if hours > _MAX_HOURS or minutes >= 60:
        return None
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if match["sign"] == "-" else offset)


def utc_offset(text: str) -> tzinfo | None:
    """The fixed zone a value such as ``UTC+8``, ``UTC-05:30``, ``GMT`` or ``utc`` names.

    Args:
        text: the value (case and spaces around the sign do not matter).

    Returns:
        The zone, or None when the text is not such a zone (or its offset is impossible).
    """
    match = _OFFSET_TEXT.fullmatch(text.strip())
    return _zone(match) if match else None


def header_zone(name: str) -> tuple[str, tzinfo | None]:
    """Split a normalized header name into its base name and the zone its suffix states.

    ``filled time(utc+08:00)`` is (``filled time``, UTC+8), ``date(utc)`` (``date``, UTC),
    ``time`` (``time``, None). Stray commas around the name are dropped (BittyTax saw
    ``,Position Closing Time(...)``).

    Args:
        name: a header cell as ``normalize`` returns it.

    Returns:
        The base name, and the zone (None when the name states none).
    """
    match = _ZONED_NAME.match(name)
    zone = _zone(match) if match else None
    if match is None or zone is None:
        return name.strip(" ,"), None
    return match["base"].strip(" ,"), zone


def as_written(cell: str) -> str:
    """A header cell as the user sees it: without BOMs, quotes and surrounding spaces."""
    return cell.replace(BOM, "").strip().strip('"').strip()


def written_names(table: Table) -> dict[str, str]:
    """Each column's name in ``table.header`` -> its name as written in the file (messages).

    A column whose written name is empty keeps the table's name for it (``column 3``).
    """
    raw = table.raw_header or table.header
    return {name: as_written(cell) or name for name, cell in zip(table.header, raw, strict=False)}


def _first(bases: Sequence[tuple[str, str]], aliases: Iterable[str]) -> str | None:
    """The first (name, base) whose base is an alias, trying the aliases in their order."""
    for alias in aliases:
        for name, base in bases:
            if base == alias:
                return name
    return None


def find_column(header: Sequence[str], aliases: Iterable[str]) -> str | None:
    """The column of a normalized header row named by the first alias present.

    A zone suffix does not count (``time(utc+8)`` is found as ``time``); earlier aliases win.

    Args:
        header: the normalized header row (what ``detect`` sees).
        aliases: the names the column goes by, preferred first.

    Returns:
        The header name as in ``header``, or None.
    """
    return _first([(name, header_zone(name)[0]) for name in header], aliases)


def has_column(header: Sequence[str], aliases: Iterable[str]) -> bool:
    """True if a normalized header row has a column named by one of ``aliases``."""
    return find_column(header, aliases) is not None


class Columns:
    """The columns of one table, found by alias sets, with their names as written."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.written = written_names(table)
        # Found by the header as written, so that a name the table had to rename (the second
        # ``Unit`` of OKX's older layout is ``unit 2`` in the table) is still found as ``unit``.
        raw = table.raw_header if len(table.raw_header) == len(table.header) else table.header
        self._zones: dict[str, tzinfo | None] = {}
        self._bases: list[tuple[str, str]] = []
        for name, cell in zip(table.header, raw, strict=True):
            base, zone = header_zone(normalize(cell))
            self._bases.append((name, base))
            self._zones[name] = zone

    def find(self, aliases: Iterable[str]) -> str | None:
        """The column named by the first alias present (zone suffixes ignored), or None.

        Returns:
            The column's name in ``table.header`` (the key of its cells).
        """
        return _first(self._bases, aliases)

    def every(self, alias: str) -> list[str]:
        """Every column named ``alias``, in header order (a format may repeat a name)."""
        return [name for name, base in self._bases if base == alias]

    def zone(self, name: str) -> tzinfo | None:
        """The zone a column's header name states, if any."""
        return self._zones.get(name)

    def select(self, wanted: Mapping[str, Iterable[str]]) -> tuple[dict[str, str], list[str]]:
        """Find each wanted column (role -> aliases).

        Returns:
            role -> column name for those found, and the roles not found (in ``wanted`` order).
        """
        found: dict[str, str] = {}
        missing: list[str] = []
        for role, aliases in wanted.items():
            name = self.find(aliases)
            if name is None:
                missing.append(role)
            else:
                found[role] = name
        return found, missing

    def require(
        self, wanted: Mapping[str, tuple[str, ...]], problems: list[Problem]
    ) -> dict[str, str]:
        """``select``, with a header problem for each missing column added to ``problems``."""
        found, missing = self.select(wanted)
        problems.extend(
            Problem(
                self.table.header_source(),
                f"missing the {role} column: expected a column named "
                + " or ".join(repr(a) for a in wanted[role]),
                column="header",
            )
            for role in missing
        )
        return found


def words(text: str) -> str:
    """A label in one spelling for matching: lower case, single spaces (``Order  Filled``)."""
    return " ".join(text.lower().split())


def require_rows(table: Table, what: str) -> None:
    """Raise if the table has no data row at all.

    An empty export is a mistake, not a year without trades: the user would otherwise get an
    empty report without noticing.

    Raises:
        InputError: ``no data rows below the header: expected <what>``.
    """
    if not any(line > 0 for line in table.lines):
        raise InputError(
            Problem(table.header_source(), f"no data rows below the header: expected {what}")
        )


#: Marks a column not read from the table yet (None means: not in this file).
_UNREAD: list[str] = []

#: ``SourceRef(path, line)``, made faster: one is made for every row (see ``model.maker``).
make_source = maker(SourceRef)


def _strip(text: str) -> str:
    return text.strip()


def _strip_boms(text: str) -> str:
    return text.replace(BOM, "").strip()


class Rows:
    """The data rows of one table, read cell by cell, with every problem collected.

    A cell is addressed by a key: a role of ``columns`` (role -> column name, None when the
    file lacks it) when the parser finds its columns by alias, else a column name of the
    table. An absent column (or unknown role) reads as ``""``.
    """

    def __init__(
        self,
        table: Table,
        columns: Mapping[str, str | None] | None = None,
        *,
        number: Callable[..., Decimal] = loose_number,
        blanks: Iterable[str] = ("",),
        strip_boms: bool = False,
        written: bool = True,
    ) -> None:
        """Read ``table``.

        Args:
            table: the export.
            columns: role -> column name (None: not in this file), for parsers that find
                their columns by alias; without it, keys are column names.
            number: the default parser of ``Row.number`` (``loose_number``, ``strict_number``).
            blanks: cell texts that mean "no number" (Bybit writes ``--``).
            strip_boms: drop BOMs anywhere in a cell (OKX puts them in front of cells).
            written: name columns in messages as written in the header (False: by the table's
                normalized name, as the generic CSV documents its columns).
        """
        self.table = table
        self.columns: dict[str, str | None] = dict(columns or {})
        self.names = written_names(table) if written else {}
        self.problems: list[Problem] = []
        self.number = number
        self.blanks = frozenset(blanks)
        self.clean = _strip_boms if strip_boms else _strip
        self.strip_boms = strip_boms
        self._cells: dict[str | None, list[str] | None] = {}
        self._texts: dict[str | None, list[str] | None] = {}

    def column(self, key: str | None) -> str | None:
        """The column name a key reads from (None: absent)."""
        if key is None:
            return None
        if self.columns:
            return self.columns.get(key)
        return key if key in self.table.header else None

    def name(self, key: str | None) -> str:
        """The column as written in the file, for messages (the key when the file lacks it)."""
        if key is None:
            return ""
        column = self.columns.get(key, key) or key
        return self.names.get(column, column)

    def cells(self, key: str | None) -> list[str] | None:
        """Every cell of a column (None: absent), read from the table once."""
        try:
            return self._cells[key]
        except KeyError:
            column = self.column(key)
            cells = self._cells[key] = None if column is None else self.table.column(column)
            return cells

    def texts(self, key: str | None) -> list[str] | None:
        """Every cell of a column as ``Row.text`` reads it (None: absent), cleaned once for
        the whole column: a parser reads most cells, and many more than once."""
        try:
            return self._texts[key]
        except KeyError:
            cells = self.cells(key)
            texts: list[str] | None = None
            if cells is not None and self.strip_boms:
                texts = [cell.replace(BOM, "").strip() for cell in cells]
            elif cells is not None:
                texts = list(map(str.strip, cells))
            self._texts[key] = texts
            return texts

    def __iter__(self) -> Iterator[Row]:
        """A ``Row`` for each data row, in file order (blank lines skipped)."""
        path = self.table.path
        for index, line in enumerate(self.table.lines):
            if line > 0:
                yield Row(self, index, make_source(path, line))

    def bad(self, source: SourceRef, key: str | None, message: str) -> None:
        """Record a problem found after the row pass (e.g. rows that do not pair up)."""
        self.problems.append(Problem(source, message, column=self.name(key)))

    def finish(self, *, by_line: bool = False) -> None:
        """Raise every collected problem at once.

        Args:
            by_line: list them in file-line order (else in the order found).

        Raises:
            InputError: when there is any problem.
        """
        if self.problems:
            if by_line:
                self.problems.sort(key=_line)
            raise InputError(self.problems)


def _line(problem: Problem) -> int:
    return problem.source.line if problem.source is not None else 0


class Row:
    """One data row being read: its cells by key, its source, and the problems found in it."""

    __slots__ = ("index", "problems", "rows", "source")

    def __init__(self, rows: Rows, index: int, source: SourceRef) -> None:
        self.rows = rows
        self.index = index
        self.source = source
        self.problems: list[Problem] = []

    def text(self, key: str | None) -> str:
        """The cell without surrounding spaces ("" when the column is absent)."""
        texts = self.rows._texts.get(key, _UNREAD)
        if texts is _UNREAD:
            texts = self.rows.texts(key)
        return "" if texts is None else texts[self.index]

    def bad(self, key: str | None, message: str) -> None:
        """Record a problem with one cell of this row (``key`` None: the row as a whole)."""
        problem = Problem(self.source, message, column=self.rows.name(key))
        self.problems.append(problem)
        self.rows.problems.append(problem)

    def value(self, key: str | None, parse: Callable[[str], T]) -> T | None:
        """The cell read by ``parse``; None, with a problem, when it raises ``BadValue``."""
        try:
            return parse(self.text(key))
        except BadValue as exc:
            self.bad(key, str(exc))
            return None

    def number(
        self,
        key: str | None,
        *,
        required: bool = False,
        unit: str = "",
        parse: Callable[..., Decimal] | None = None,
    ) -> Decimal | None:
        """The cell as an exact Decimal.

        Args:
            key: the column.
            required: an empty cell is a problem (else it reads as None).
            unit: a unit suffix to drop (``loose_number``'s ``unit``).
            parse: the number parser, instead of the reader's.

        Returns:
            The number, or None when the cell is empty or bad (a problem is recorded).
        """
        text = self.text(key)
        if text in self.rows.blanks:
            if required:
                self.bad(key, "expected a number, found an empty cell")
            return None
        read = parse or self.rows.number
        try:
            return read(text, unit) if unit else read(text)
        except BadValue as exc:
            self.bad(key, str(exc))
            return None

    def time(
        self,
        key: str | None,
        zone: tzinfo | None,
        *,
        parse: Callable[[str, tzinfo | None], datetime] = parse_timestamp,
    ) -> datetime | None:
        """The cell as an aware UTC datetime, a time without a zone taken in ``zone``."""
        try:
            return parse(self.text(key), zone)
        except BadValue as exc:
            self.bad(key, str(exc))
            return None


__all__ = [
    "Columns",
    "Row",
    "Rows",
    "as_written",
    "find_column",
    "has_column",
    "header_zone",
    "require_rows",
    "utc_offset",
    "words",
    "written_names",
]
