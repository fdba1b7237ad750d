"""The return's results are frozen: renderers and report.json can only print them."""

from __future__ import annotations

import dataclasses

import pytest

from taxloss import api
from taxloss.returns.loss_offset import plan_for
from taxloss.returns.printed import Printed
from taxloss.returns.us import OffsetInputs

from ..conftest import SAMPLES


def assert_frozen(record: object) -> None:
    name = dataclasses.fields(record)[0].name  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, name, None)


def test_us_schedule_d_results_are_frozen() -> None:
    report = api.build_report(api.BuildOptions(files=(SAMPLES / "us-liquidated-trader.csv",)))
    figures = Printed(report)
    plan = plan_for(report, OffsetInputs(other_year="2025"), figures)
    year = plan.for_year("2025")
    assert year is not None
    for record in (plan, year, year.lines["3"], figures.year("2025")):
        assert_frozen(record)
    assert_frozen(figures.year("2025").sections[0])
    assert isinstance(plan.years, tuple) and isinstance(year.notes, tuple)


def test_country_results_are_frozen() -> None:
    options = api.BuildOptions(files=(SAMPLES / "uk-pooling.csv",), country="uk")
    report = api.build_report(options)
    plan = plan_for(report, OffsetInputs(), Printed(report))
    assert_frozen(plan)
    assert_frozen(plan.years[0])
