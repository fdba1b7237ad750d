"""``value_history``: one valuation shared by several methods gives the same reports as
valuing each time, and is not changed by the runs (issue #16, the method comparison)."""

from __future__ import annotations

import pytest

from taxloss.api import BuildOptions, prepare
from taxloss.engine import compute, value_history

from ..conftest import ROOT


@pytest.mark.parametrize(
    ("sample", "country"),
    [("us-liquidated-trader.csv", "us"), ("de-usdt-trader.csv", "de"), ("uk-pooling.csv", "uk")],
)
def test_shared_history_gives_the_same_reports(sample: str, country: str) -> None:
    session = prepare(BuildOptions((ROOT / "samples" / sample,), country=country))
    rule, trades = session.rule, session.trades
    kwargs = {"prices": session.prices, "fx": session.fx}
    history = value_history(trades, rule, **kwargs)
    events = list(history.events)
    conversions = list(history.converter.conversions)
    for method in [*rule.methods, *rule.methods]:  # each method twice on the same history
        shared = compute(trades, rule, method, history=history, **kwargs)
        assert shared == compute(trades, rule, method, **kwargs)
        assert shared.disposals
    assert history.events == events  # not consumed or changed by the runs
    assert history.converter.conversions == conversions
    if country == "de":
        assert conversions  # the USDT and USD quotes were converted
