"""Tax dates: local calendar dates, holding periods and tax-year labels.

Holding periods use calendar arithmetic (``relativedelta``), never a day count.
Must not import anything but ``taxloss.model`` and the standard library (and dateutil).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from taxloss.model import Rule, Term


@lru_cache(maxsize=64)
def zone(name: str) -> tzinfo:
    """Return the tzinfo for an IANA zone name (``UTC`` is the fast built-in one)."""
    return UTC if name.upper() == "UTC" else ZoneInfo(name)


def local_date(moment: datetime, tz: tzinfo) -> date:
    """The calendar date of an aware timestamp in the reporting zone.

    Args:
        moment: an aware datetime.
        tz: the reporting zone.

    Returns:
        The local date.
    """
    return moment.astimezone(tz).date() if tz is not UTC else moment.date()


@lru_cache(maxsize=65_536)
def anniversary(acquired: date, years: int, month_end_convention: bool) -> date:
    """The last day on which a disposal is still within the holding threshold.

    Reference §1.3: exclude the acquisition day, include the disposal day; an asset bought on
    the last day of a month counts whole calendar months ([S13] Caspe), so its anniversary is
    the last day of the same month ``years`` later.

    Args:
        acquired: acquisition date.
        years: the threshold in years (``holding.long_term_years``).
        month_end_convention: ``holding.month_end_convention``.

    Returns:
        The anniversary date.
    """
    same_day: date = acquired + relativedelta(years=years)
    if month_end_convention and (acquired + relativedelta(days=1)).day == 1:
        month_end: date = same_day + relativedelta(day=31)
        return month_end
    return same_day


def term_of(acquired: date, disposed: date, rule: Rule) -> Term:
    """Long-term iff the disposal date is after the anniversary (``holding`` in the rule).

    Args:
        acquired: local acquisition date.
        disposed: local disposal date.
        rule: the rule in force.

    Returns:
        ``Term.LONG`` or ``Term.SHORT``.
    """
    limit = anniversary(acquired, rule.long_term_years, rule.month_end_convention)
    return Term.LONG if disposed > limit else Term.SHORT


def tax_year_start(day: date, rule: Rule) -> int:
    """The calendar year in which the tax year containing ``day`` starts (``tax_year``)."""
    start = date(day.year, rule.tax_year_start_month, rule.tax_year_start_day)
    return day.year if day >= start else day.year - 1


def tax_year_label(day: date, rule: Rule) -> str:
    """Label of the tax year containing ``day``: ``"2025"``, or ``"2024-25"`` when the tax
    year does not start on 1 January.

    Args:
        day: a local date.
        rule: the rule in force.

    Returns:
        The label used in report.json and file names.
    """
    first = tax_year_start(day, rule)
    if (rule.tax_year_start_month, rule.tax_year_start_day) == (1, 1):
        return str(first)
    return f"{first}-{(first + 1) % 100:02d}"


def box_for(rule: Rule, year: int, term: Term) -> str:
    """The Form 8949 checkbox for a tax year and term (``forms.boxes``), or ``""``."""
    for period in rule.boxes:
        if (period.first_year is None or year >= period.first_year) and (
            period.last_year is None or year <= period.last_year
        ):
            return period.long if term is Term.LONG else period.short
    return ""
