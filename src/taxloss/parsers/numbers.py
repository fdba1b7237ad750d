"""Turn number and timestamp text from exports into exact Decimals and aware UTC datetimes.

Shared by every parser so that a quirk (thousands separators, ``$`` signs, ``0.5BTC``,
``(12.50)`` negatives, ``3.6E-05``) is handled the same way everywhere.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation

from dateutil import parser as dateparser

from taxloss.limits import FIRST_DATE, LAST_DATE
from taxloss.money import D

_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
#: ``_PLAIN`` in ASCII digits only, with nothing around it: the form most cells have, which
#: every parser here reads as ``Decimal(text)`` (the fast path of ``strict_number`` and
#: ``loose_number``; ``\d`` alone would also take digits ``ascii_digits`` refuses).
_ASCII_PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_CURRENCY = "$€£¥₩"


#: The first and the last moment (UTC) of the dates a row may carry (``in_utc``).
_FIRST_MOMENT = datetime.combine(FIRST_DATE, time(), UTC)
_LAST_MOMENT = datetime.combine(LAST_DATE, time.max, UTC)


class BadValue(ValueError):
    """A cell that is not what the column promises; the message says what was expected."""


def ascii_digits(text: str) -> None:
    """Refuse digits other than ASCII 0-9 (issue #11): ``Decimal`` and ``\\d`` take fullwidth
    (``１２３``) and Arabic-Indic (``٣٤٥``) digits as numbers, which would read a cell silently
    in a way the user cannot see in most fonts.

    Raises:
        BadValue: naming the first such character.
    """
    if not text.isascii():
        for char in text:
            if char.isdigit() and not char.isascii():
                raise BadValue(
                    f"expected the digits 0-9, found {char!r} (U+{ord(char):04X}) in "
                    f"{text.strip()!r}: retype the number or save the file with plain digits"
                )


def strict_number(text: str) -> Decimal:
    """Parse a plain number (``-12.5``, ``1e-8``): no separators, symbols or units.

    Raises:
        BadValue: with the expected form.
    """
    if _ASCII_PLAIN.fullmatch(text):
        try:  # the checks below would pass, and ``D`` make this Decimal
            return Decimal(text)
        except InvalidOperation:  # an exponent too large: refused below
            pass
    ascii_digits(text)
    cleaned = text.strip()
    if not _PLAIN.fullmatch(cleaned):
        hint = " (no thousands separators)" if "," in cleaned else ""
        raise BadValue(f"expected a number like 1234.56{hint}, found {text.strip()!r}")
    return D(cleaned)


def loose_number(text: str, unit: str = "") -> Decimal:
    """Parse a number as exchanges print it: ``$1,234.56``, ``-€5``, ``(12.50)``,
    ``0.5BTC``, ``2.00000000 ETH``, ``-3.605E-05``.

    Args:
        text: the cell.
        unit: a unit suffix to strip if present (e.g. the asset).

    Raises:
        BadValue: if nothing numeric remains.
    """
    if _ASCII_PLAIN.fullmatch(text) and not (unit and text.upper().endswith(unit.upper())):
        try:  # a plain number: what the steps below would make of it
            return Decimal(text)
        except InvalidOperation:  # an exponent too large: refused below
            pass
    ascii_digits(text)
    cleaned = text.strip().replace("\u2212", "-")
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, cleaned = True, cleaned[1:-1].strip()
    if unit and cleaned.upper().endswith(unit.upper()):
        cleaned = cleaned[: -len(unit)].strip()
    sign = ""
    if cleaned.startswith(("+", "-")):  # not ``cleaned[:1] in "+-"``: "" is in every string
        sign, cleaned = cleaned[0], cleaned[1:].strip()
    cleaned = cleaned.lstrip(_CURRENCY).strip()
    if cleaned.startswith(("+", "-")) and not sign:
        sign, cleaned = cleaned[0], cleaned[1:]
    cleaned = cleaned.replace(",", "").replace(" ", "").replace("\u00a0", "")
    if not _PLAIN.fullmatch(cleaned):
        raise BadValue(f"expected a number, found {text.strip()!r}")
    try:
        value = D(sign + cleaned)
    except InvalidOperation:
        raise BadValue(f"expected a number, found {text.strip()!r}") from None
    return -value if negative else value


def split_amount(text: str, known_assets: frozenset[str] | set[str]) -> tuple[Decimal, str]:
    """Split a number with the asset glued on (``0.01500000BTC``, ``1,035.75USDT``).

    Tickers may contain digits (``1INCH``, ``1000SATS``), so the asset is the longest known
    ticker that ends the text, else the trailing letters.

    Raises:
        BadValue: if no number precedes the asset.
    """
    ascii_digits(text)
    cleaned = text.strip().replace(" ", "")
    for size in range(min(len(cleaned) - 1, 12), 0, -1):
        tail = cleaned[-size:].upper()
        if tail in known_assets and _PLAIN.fullmatch(cleaned[:-size].replace(",", "")):
            return loose_number(cleaned[:-size]), tail
    match = re.fullmatch(r"([-+]?[\d,]*\.?\d+(?:[eE][-+]?\d+)?)([A-Za-z][A-Za-z0-9]*)", cleaned)
    if not match:
        raise BadValue(f"expected an amount with its asset, like 0.015BTC, found {text.strip()!r}")
    return loose_number(match.group(1)), match.group(2).upper()


def fixed_offset(hours: int, minutes: int = 0) -> tzinfo:
    """A fixed UTC offset such as ``UTC+08:00`` named in an export's header."""
    return timezone(timedelta(hours=hours, minutes=minutes if hours >= 0 else -minutes))


def parse_timestamp(text: str, assume: tzinfo | None, *, day_first: bool | None = None) -> datetime:
    """Parse an export timestamp and convert it to aware UTC.

    Args:
        text: ISO 8601 (``2025-03-01T14:05:00Z``, ``2025-03-01 14:05:00+01:00``), or a
            common export form (``2024-03-12 14:05:09 UTC``, ``Jan. 28, 2022, 12:13 AM``).
        assume: the zone of a timestamp without one (the zone the export documents, or
            ``--timezone``); None makes a naive timestamp an error.
        day_first: the order of an all-numeric ``a/b/yyyy`` date when the caller knows it;
            None makes one whose first number is above 12 an error (it would be read day
            first while ``05/02/2024`` in the same file is read month first).

    Raises:
        BadValue: unparsable, or naive with no zone to assume.
    """
    cleaned = text.strip()
    if not cleaned:
        raise BadValue("expected a date and time, found an empty cell")
    if not cleaned.isascii():
        ascii_digits(cleaned)
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        moment = _loose_timestamp(cleaned, day_first)
    if moment.tzinfo is None:
        if assume is None:
            raise BadValue(
                f"{cleaned!r} has no time zone: add Z or an offset like +00:00, or pass --timezone"
            )
        moment = moment.replace(tzinfo=assume)
    return in_utc(moment, cleaned)


def in_utc(moment: datetime, text: str) -> datetime:
    """An aware time in UTC; a time the calendar cannot move to UTC (``0001-01-01`` east of
    UTC, ``9999-12-31`` west of it) is a ``BadValue`` (issue #11), as is a date outside
    ``limits.FIRST_DATE``..``limits.LAST_DATE``."""
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        moment = datetime.min.replace(tzinfo=UTC)
    if not _FIRST_MOMENT <= moment <= _LAST_MOMENT:  # its UTC date within the two
        raise BadValue(
            f"{text!r} is outside the dates taxloss accepts: expected a date from "
            f"{FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}"
        )
    return moment


#: An all-numeric date written with its year last (``13/01/2024``, ``5-2-2024 10:05``).
_YEAR_LAST = re.compile(r"^(\d{1,2})([./-])\d{1,2}\2\d{4}(?:$|[ T])")
#: A date and time in ISO 8601's own order (year, month, day, with ``-`` or ``/`` between
#: them) and ASCII digits, without a zone: what ``datetime.fromisoformat`` reads (dashes put
#: in) exactly as ``dateutil`` does when days are not first, and several times faster. The
#: common form once a `` UTC`` suffix is cut off (``2024-03-12 14:05:09 UTC``, KuCoin's
#: ``2019/05/11 10:12:13``).
_ISO_LOCAL = re.compile(
    r"[0-9]{4}([-/])[0-9]{2}\1[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)?"
)


def _loose_timestamp(cleaned: str, day_first: bool | None = None) -> datetime:
    text = cleaned
    year_last = _YEAR_LAST.match(text)
    if day_first is None and year_last is not None and int(year_last[1]) > 12:
        raise BadValue(
            f"{cleaned!r} could be read day first or month first (its first number is not a "
            "month, but other dates of the file may be read month first): save the export "
            "again with dates as YYYY-MM-DD"
        )
    zone: tzinfo | None = None
    upper = text.upper()
    for suffix in (" UTC", " GMT", "UTC", " Z"):
        if upper.endswith(suffix):
            text, zone = text[: -len(suffix)].strip(), UTC
            break
    moment = _iso_local(text) if not day_first else None
    try:
        if moment is None:
            moment = dateparser.parse(
                text.replace(".,", ","), dayfirst=bool(day_first), fuzzy=False
            )
    except (ValueError, OverflowError, TypeError):
        raise BadValue(
            f"expected an ISO 8601 date and time like 2025-03-01T14:05:00Z, found {cleaned!r}"
        ) from None
    if zone is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def _iso_local(text: str) -> datetime | None:
    """``text`` read by ``datetime.fromisoformat`` when it has the ``_ISO_LOCAL`` form and is
    a real date and time; else None (``dateutil`` then reads it, or says why not)."""
    if not _ISO_LOCAL.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(f"{text[:4]}-{text[5:7]}-{text[8:]}")
    except ValueError:
        return None
