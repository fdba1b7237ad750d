"""Notices a parser records while reading a file: zones it assumed, and rows it read in a way
the user should check (issue #13: no silent guesses).

Each notice names the file and the row (``path:line``) and goes to report.json
(``assumptions`` or ``warnings``), the summary PDF and the terminal. Nothing here knows an
exchange; pandas is not used.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from taxloss.model import Notice
from taxloss.parsers import ParseOptions
from taxloss.parsers.table import Table

#: Notice codes recorded while reading files (printed by ``taxloss build`` one by one).
ZONE_ASSUMED = "zone_assumed"


def zone_label(zone: tzinfo) -> str:
    """A fixed zone as ``UTC``, ``UTC+8`` or ``UTC-05:30`` (named zones by their key)."""
    key = getattr(zone, "key", None)
    if key:
        return str(key)
    offset = zone.utcoffset(datetime(2000, 1, 1)) or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def file_zone(
    table: Table,
    options: ParseOptions,
    stated: tzinfo | None,
    default: tzinfo,
    why: str,
    column: str = "",
    *,
    documented: bool = False,
) -> tzinfo:
    """The zone of a file's naive times, with the assumption recorded when the file does not
    state it.

    Args:
        table: the export.
        options: where the assumption is recorded; ``options.timezone`` (``--timezone``) wins
            over the default.
        stated: the zone the file itself states (in a header name or a metadata line), if any.
        default: the zone the exchange documents for its exports.
        why: where the default comes from, e.g. "KuCoin's default display zone".
        column: the time column as written, for the message.
        documented: the exchange documents ``default`` as the zone of every export, so
            ``--timezone`` does not apply (Kraken, Bybit: UTC).

    Returns:
        ``stated``, else ``--timezone``, else ``default``.
    """
    if stated is not None:
        return stated
    where = f"column {column!r}" if column else table.path  # the notice's source names the file
    if options.timezone is not None and not documented:
        options.assume(
            Notice(
                ZONE_ASSUMED,
                f"{where} states no time zone: its times were read in "
                f"{zone_label(options.timezone)}, as --timezone says",
                table.header_source(),
            )
        )
        return options.timezone
    options.assume(
        Notice(
            ZONE_ASSUMED,
            f"{where} states no time zone: its times were read as {zone_label(default)} "
            f"({why})"
            + (
                ""
                if documented
                else "; if the export was made in another zone, build again with --timezone"
            ),
            table.header_source(),
        )
    )
    return default


__all__ = ["ZONE_ASSUMED", "file_zone", "zone_label"]
