"""Properties of the pooling strategies (hypothesis): for any feasible history under UK
pooling or Canadian ACB the books balance (``compute`` checks units and cost, else raises
``InternalError``), every unit sold is matched exactly once, proceeds are kept, a denied loss
never exceeds the loss, and input order does not matter."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from taxloss import jurisdiction
from taxloss.engine import compute
from taxloss.model import Rule, SourceRef, Trade, TradeKind
from taxloss.money import engine_context

RULES = {"uk": jurisdiction.load_bundled("uk"), "ca": jurisdiction.load_bundled("ca")}
FIAT = {"uk": "GBP", "ca": "CAD"}
START = datetime(2024, 3, 1, 12, tzinfo=UTC)
EIGHT = Decimal("0.00000001")

steps = st.lists(
    st.tuples(
        st.booleans(),
        st.decimals(
            min_value=Decimal("0.001"),
            max_value=Decimal("20"),
            places=6,
            allow_nan=False,
            allow_infinity=False,
        ),
        st.decimals(
            min_value=Decimal("1"),
            max_value=Decimal("5000"),
            places=2,
            allow_nan=False,
            allow_infinity=False,
        ),
        st.decimals(
            min_value=Decimal("0.05"),
            max_value=Decimal("1"),
            places=2,
            allow_nan=False,
            allow_infinity=False,
        ),
        st.integers(min_value=0, max_value=24 * 20),
        st.sampled_from(["a", "b"]),
    ),
    min_size=1,
    max_size=30,
)


def history(plan: list[tuple], fiat: str) -> list[Trade]:
    """A feasible history: sales never exceed what the taxpayer holds (all wallets)."""
    trades: list[Trade] = []
    held = Decimal(0)
    moment = START
    for line, (is_buy, quantity, price, fraction, hours, wallet) in enumerate(plan, start=2):
        moment += timedelta(hours=hours)
        if not is_buy:
            quantity = (held * fraction).quantize(EIGHT)
            if quantity <= 0:
                continue
        held += quantity if is_buy else -quantity
        trades.append(
            Trade(
                moment,
                TradeKind.BUY if is_buy else TradeKind.SELL,
                "ETH",
                quantity,
                wallet,
                SourceRef("h.csv", line),
                quote_asset=fiat,
                quote_quantity=(quantity * price).quantize(Decimal("0.01")),
            )
        )
    return trades


def check(trades: list[Trade], rule: Rule) -> None:
    report = compute(trades, rule)  # raises InternalError if the books do not balance
    with engine_context():  # the engine's precision, so the checks add up exactly
        sold = sum((t.quantity for t in trades if t.kind is TradeKind.SELL), Decimal(0))
        proceeds = sum(
            (t.quote_quantity or 0 for t in trades if t.kind is TradeKind.SELL), Decimal(0)
        )
        units = sum((d.quantity for d in report.disposals), Decimal(0))
        assert abs(units - sold) < Decimal("1e-40")
        assert abs(sum((d.proceeds for d in report.disposals), Decimal(0)) - proceeds) < Decimal(
            "1e-40"
        )
        for d in report.disposals:
            assert d.gain == d.proceeds - d.cost_basis + d.adjustment
            assert 0 <= d.denied_loss <= max(d.cost_basis - d.proceeds, Decimal(0))


@settings(max_examples=120, deadline=None)
@given(steps, st.sampled_from(sorted(RULES)))
def test_pooled_books_balance_and_every_unit_is_matched_once(plan, rule_id) -> None:
    check(history(plan, FIAT[rule_id]), RULES[rule_id])


@settings(max_examples=60, deadline=None)
@given(steps, st.sampled_from(sorted(RULES)), st.integers(min_value=0, max_value=10_000))
def test_input_order_does_not_matter(plan, rule_id, seed) -> None:
    trades = history(plan, FIAT[rule_id])
    shuffled = list(trades)
    random.Random(seed).shuffle(shuffled)
    first, second = compute(trades, RULES[rule_id]), compute(shuffled, RULES[rule_id])
    assert first.disposals == second.disposals
    assert first.open_lots == second.open_lots
