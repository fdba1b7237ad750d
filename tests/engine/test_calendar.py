"""Holding period and tax-year labels (reference §1.3 edge-case table, rule `holding`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from taxloss import jurisdiction
from taxloss.engine.calendar import local_date, tax_year_label, term_of, zone
from taxloss.model import Term

US = jurisdiction.load_bundled("us")


@pytest.mark.parametrize(
    ("acquired", "disposed", "term"),
    [
        ("2024-01-10", "2025-01-10", Term.SHORT),  # exactly one year
        ("2024-01-10", "2025-01-11", Term.LONG),
        ("2024-02-29", "2025-02-28", Term.SHORT),  # month end: anniversary 2025-02-28
        ("2024-02-29", "2025-03-01", Term.LONG),
        ("2023-02-28", "2024-02-29", Term.SHORT),  # Feb 28, 2023 is a month end (Caspe)
        ("2023-02-28", "2024-03-01", Term.LONG),
        ("2024-01-31", "2025-01-31", Term.SHORT),
        ("2024-01-31", "2025-02-01", Term.LONG),
        ("2025-01-10", "2026-01-10", Term.SHORT),  # reference example 4, lot A
        ("2025-01-09", "2026-01-10", Term.LONG),  # reference example 4, lot B
    ],
)
def test_reference_holding_period_table(acquired: str, disposed: str, term: Term) -> None:
    assert term_of(date.fromisoformat(acquired), date.fromisoformat(disposed), US) is term


def test_without_month_end_convention_same_day_next_year_is_the_limit() -> None:
    rule = replace(US, month_end_convention=False)
    assert term_of(date(2023, 2, 28), date(2024, 2, 29), rule) is Term.LONG


def test_tax_date_is_taken_in_the_reporting_zone() -> None:
    moment = datetime(2025, 1, 1, 3, 0, tzinfo=UTC)
    assert local_date(moment, zone("UTC")) == date(2025, 1, 1)
    assert local_date(moment, zone("America/New_York")) == date(2024, 12, 31)


def test_tax_year_labels() -> None:
    assert tax_year_label(date(2025, 12, 31), US) == "2025"
    uk_like = replace(US, tax_year_start_month=4, tax_year_start_day=6)
    assert tax_year_label(date(2025, 4, 5), uk_like) == "2024-25"
    assert tax_year_label(date(2025, 4, 6), uk_like) == "2025-26"
    assert tax_year_label(date(2000, 1, 1), uk_like) == "1999-00"
