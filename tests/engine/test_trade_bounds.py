"""``limits.trade_problems``: the whole-history test (``_all_within``) lets no value out of
bounds through, and each one is reported once with its field (issue #11, #16)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from taxloss.limits import MAX_ASSET, MAX_TEXT, MAX_WALLET, trade_problems
from taxloss.model import SourceRef, Trade, TradeKind


def trade(line: int) -> Trade:
    return Trade(
        timestamp=datetime(2025, 1, 2, tzinfo=UTC), kind=TradeKind.BUY, asset="BTC",
        quantity=Decimal("0.5"), wallet="w", source=SourceRef("h.csv", line),
        quote_asset="USD", quote_quantity=Decimal("100"), fee_asset="USD",
        fee_quantity=Decimal("0"), fiat_value=Decimal("100.5"),
    )  # fmt: skip


OUT_OF_BOUNDS = [
    ("timestamp", datetime(2007, 12, 31, tzinfo=UTC)),
    ("opened", datetime(2101, 1, 1, tzinfo=UTC)),
    ("quantity", Decimal("1e18")),
    ("quantity", Decimal("1e-31")),
    ("quote_quantity", Decimal("-1e19")),
    ("fee_quantity", Decimal("Infinity")),
    ("fiat_value", Decimal("2e18")),
    ("asset", "X" * (MAX_ASSET + 1)),
    ("quote_asset", "X" * (MAX_ASSET + 1)),
    ("fee_asset", "X" * (MAX_ASSET + 1)),
    ("wallet", "w" * (MAX_WALLET + 1)),
    ("external_id", "i" * (MAX_TEXT + 1)),
    ("note", "n" * (MAX_TEXT + 1)),
    ("position", "p" * (MAX_TEXT + 1)),
]


def test_a_history_within_bounds_has_no_problem() -> None:
    assert trade_problems([trade(n) for n in range(2, 500)]) == []


@pytest.mark.parametrize(("field", "value"), OUT_OF_BOUNDS, ids=lambda v: str(v)[:12])
def test_one_value_out_of_bounds_among_many_is_reported(field: str, value: object) -> None:
    trades = [trade(n) for n in range(2, 500)]
    trades[300] = replace(trades[300], **{field: value})
    problems = trade_problems(trades)
    assert len(problems) == 1
    assert problems[0].source == SourceRef("h.csv", 302)
    assert problems[0].column == ("id" if field == "external_id" else field)  # as documented
