"""``value_history``: one valuation shared by several methods gives the same reports as
valuing each time, and is not changed by the runs (issue #16, the method comparison)."""

from __future__ import annotations

import contextlib
import gc

import pytest

from taxloss.api import (
    BuildOptions,
    compute_report,
    prepare,
    row_facts,
    start_comparison,
    value_session,
)
from taxloss.engine import compute, value_history
from taxloss.errors import InternalError
from taxloss.model import Trade

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


def test_a_released_session_builds_the_same_report_without_its_trades() -> None:
    """A build lets its trades go once the history is valued (issue #16): the history holds
    no trade, and the report made from the released session is the same."""
    files = (ROOT / "samples" / "us-coinbase-1099da-export.csv",
             ROOT / "samples" / "us-coinbase-1099da.csv")  # fmt: skip
    options = BuildOptions(files)
    session = prepare(options)
    want = compute_report(session, options)
    history = value_session(session, options)
    released = session.released()
    assert released.trades == [] and released.rows == row_facts(session.trades)
    before = sum(isinstance(o, Trade) for o in gc.get_objects())
    del session
    gc.collect()
    assert sum(isinstance(o, Trade) for o in gc.get_objects()) < before  # trades let go
    assert not any(isinstance(o, Trade) for o in gc.get_referents(*vars(history).values()))
    assert compute_report(released, options, history=history) == want
    with pytest.raises(InternalError):
        compute_report(released, options)  # without the history: refused, never empty


@pytest.mark.parametrize(
    ("sample", "country"),
    [
        ("us-liquidated-trader.csv", "us"),
        ("uk-pooling.csv", "uk"),
        ("ca-superficial-loss.csv", "ca"),
    ],
)
def test_a_consuming_run_gives_the_same_report_and_takes_the_events(
    sample: str, country: str
) -> None:
    """The build's last run of a history lets each event go once applied (issue #16): the
    same report, and the history refuses a second run instead of giving an empty one."""
    session = prepare(BuildOptions((ROOT / "samples" / sample,), country=country))
    rule, trades = session.rule, session.trades
    kwargs = {"prices": session.prices, "fx": session.fx}
    want = compute(trades, rule, **kwargs)
    history = value_history(trades, rule, **kwargs)
    events = list(history.events)
    taken = compute(trades, rule, history=history, consume=True, **kwargs)
    assert taken == want and taken.disposals
    assert history.consumed and history.events == [] and events
    with pytest.raises(InternalError):
        compute(trades, rule, history=history, **kwargs)


def test_a_session_released_without_facts_keeps_none() -> None:
    """The comparison's helper keeps no row facts unless a Form 1099-DA is tied out."""
    session = prepare(BuildOptions((ROOT / "samples" / "us-liquidated-trader.csv",)))
    bare = session.released(facts=False)
    assert bare.trades == [] and bare.rows is not None
    assert (bare.rows.ids, bare.rows.notes, bare.rows.held) == ({}, {}, frozenset())


@pytest.mark.parametrize(
    ("sample", "country", "jobs", "needs"),
    [("us-liquidated-trader.csv", "us", 1, True),  # the comparison runs here, later
     ("us-liquidated-trader.csv", "us", 2, False),  # in its helpers
     ("uk-pooling.csv", "uk", 1, False)],  # one method: nothing to compare
)  # fmt: skip
def test_the_builds_own_run_consumes_unless_the_comparison_runs_here_later(
    sample: str, country: str, jobs: int, needs: bool
) -> None:
    options = BuildOptions((ROOT / "samples" / sample,), country=country, jobs=jobs)
    session = prepare(options)
    history = value_session(session, options)
    with contextlib.ExitStack() as cleanup:
        comparison = start_comparison(session, options, cleanup, history)
        assert comparison is not None and comparison.needs_history is needs
