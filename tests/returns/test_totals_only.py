"""``TotalsOnly`` (the method comparison's figures) and ``Printed.totals`` equal ``Printed``
without its rows, and a ``Printed`` that keeps no rows gives the same rows and figures as one
that keeps them (``KEEP_ROWS``)."""

from __future__ import annotations

import itertools

import pytest

from taxloss import api
from taxloss.errors import InternalError
from taxloss.returns.printed import Printed, TotalsOnly

from ..conftest import SAMPLES

CASES = [
    ("us-liquidated-trader.csv",),
    ("us-coinbase-1099da-export.csv", "us-coinbase-1099da.csv"),
    ("binance-futures-liquidated.csv",),
]


@pytest.mark.parametrize("names", CASES, ids=lambda names: names[0])
@pytest.mark.parametrize("one_a", [False, True])
def test_totals_only_equals_the_printed_totals(names: tuple[str, ...], one_a: bool) -> None:
    files = tuple(SAMPLES / name for name in names)
    report = api.build_report(api.BuildOptions(files=files, schedule_d_1a=one_a))
    full, totals = Printed(report), TotalsOnly(report)
    assert list(totals.rows()) == [] and totals.year_rows(report.tax_years[0]) == []
    summed = [totals, Printed(report, keep=False), Printed(report, keep=True)]
    for year, shown in itertools.product([*report.tax_years, "1999"], summed):
        want, got = full.year(year), shown.totals(year)
        assert (got.year, got.short, got.long, got.liquidations) == (
            want.year, want.short, want.long, want.liquidations,
        )  # fmt: skip
        assert [(s.term, s.box, s.exception_1, s.totals) for s in got.sections] == [
            (s.term, s.box, s.exception_1, s.totals) for s in want.sections
        ]
        # The same digits too (a Decimal's exponent shows when printed).
        assert [str(s.totals) for s in got.sections] == [str(s.totals) for s in want.sections]
        assert (str(got.short), str(got.long)) == (str(want.short), str(want.long))
        assert all(not section.rows for section in got.sections)
    with pytest.raises(InternalError):
        totals.account()


@pytest.mark.parametrize("names", CASES, ids=lambda names: names[0])
def test_rows_made_on_demand_equal_the_kept_rows(names: tuple[str, ...]) -> None:
    files = tuple(SAMPLES / name for name in names)
    report = api.build_report(api.BuildOptions(files=files))
    kept, made = Printed(report, keep=True), Printed(report, keep=False)
    assert kept.kept_rows is not None and made.kept_rows is None
    assert list(made.rows()) == list(kept.rows()) == kept.kept_rows
    for year in [*report.tax_years, "1999", *report.tax_years]:  # again, after another year
        assert made.year_rows(year) == kept.year_rows(year)
        assert made.year(year) == kept.year(year)
    assert made.account() == kept.account()
