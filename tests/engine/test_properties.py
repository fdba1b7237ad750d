"""Engine properties (hypothesis): for any feasible history the books balance, gains add up,
proceeds do not depend on the method, HIFO maximises basis for a single sale, and input order
does not matter."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from taxloss import jurisdiction
from taxloss.engine import compute
from taxloss.model import Method, Report, SourceRef, Trade, TradeKind

US = jurisdiction.load_bundled("us")
START = datetime(2023, 6, 1, tzinfo=UTC)
EIGHT = Decimal("0.00000001")

quantities = st.decimals(
    min_value=Decimal("0.0001"),
    max_value=Decimal("50"),
    places=8,
    allow_nan=False,
    allow_infinity=False,
)
prices = st.decimals(
    min_value=Decimal("0.01"),
    max_value=Decimal("90000"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
fees = st.decimals(
    min_value=Decimal("0"), max_value=Decimal("25"), places=2, allow_nan=False, allow_infinity=False
)
fractions = st.decimals(
    min_value=Decimal("0.01"),
    max_value=Decimal("1"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
steps = st.lists(
    st.tuples(
        st.booleans(),
        quantities,
        prices,
        fees,
        fractions,
        st.integers(min_value=1, max_value=24 * 200),
        st.sampled_from(["a", "b"]),
    ),
    min_size=1,
    max_size=25,
)


def history(plan: list[tuple]) -> list[Trade]:
    """Turn a random plan into a feasible history (sales never exceed what a wallet holds)."""
    trades: list[Trade] = []
    held = {"a": Decimal(0), "b": Decimal(0)}
    moment = START
    for line, (is_buy, quantity, price, fee, fraction, hours, wallet) in enumerate(plan, start=2):
        moment += timedelta(hours=hours)
        if not is_buy:
            quantity = (held[wallet] * fraction).quantize(EIGHT)
            if quantity <= 0:
                continue
        kind = TradeKind.BUY if is_buy else TradeKind.SELL
        held[wallet] += quantity if is_buy else -quantity
        trades.append(
            Trade(
                moment,
                kind,
                "BTC",
                quantity,
                wallet,
                SourceRef("h.csv", line),
                quote_asset="USD",
                quote_quantity=(quantity * price).quantize(Decimal("0.01")),
                fee_asset="USD" if fee else "",
                fee_quantity=fee or None,
            )
        )
    return trades


def totals(report: Report) -> tuple[Decimal, Decimal, Decimal]:
    proceeds = sum((d.proceeds for d in report.disposals), Decimal(0))
    basis = sum((d.cost_basis for d in report.disposals), Decimal(0))
    units = sum((d.quantity for d in report.disposals), Decimal(0))
    return proceeds, basis, units


@settings(max_examples=150, deadline=None)
@given(steps, st.sampled_from(list(Method)))
def test_books_balance_and_gains_add_up(plan: list[tuple], method: Method) -> None:
    trades = history(plan)
    report = compute(trades, US, method)  # an imbalance would raise InternalError
    bought = sum((t.quantity for t in trades if t.kind is TradeKind.BUY), Decimal(0))
    paid = sum(
        (t.quote_quantity + (t.fee_quantity or 0) for t in trades if t.kind is TradeKind.BUY),
        Decimal(0),
    )
    _, basis, units = totals(report)
    assert units + sum((lot.quantity for lot in report.open_lots), Decimal(0)) == bought
    open_basis = sum((lot.cost_basis for lot in report.open_lots), Decimal(0))
    assert abs(basis + open_basis - paid) < Decimal("1e-20")
    for disposal in report.disposals:
        assert disposal.gain == disposal.proceeds - disposal.cost_basis
        assert disposal.quantity > 0


@settings(max_examples=100, deadline=None)
@given(steps)
def test_total_proceeds_do_not_depend_on_the_method(plan: list[tuple]) -> None:
    trades = history(plan)
    results = {m: totals(compute(trades, US, m)) for m in Method}
    proceeds = {m: r[0] for m, r in results.items()}
    units = {m: r[2] for m, r in results.items()}
    assert len(set(units.values())) == 1
    first = proceeds[Method.FIFO]
    assert all(abs(p - first) < Decimal("1e-20") for p in proceeds.values())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(quantities, prices, fees), min_size=1, max_size=12), fractions, prices)
def test_hifo_basis_is_highest_for_a_single_sale(buys, fraction, sale_price) -> None:
    plan = [(True, q, p, f, Decimal(1), 24, "a") for q, p, f in buys]
    plan.append((False, Decimal(1), sale_price, Decimal(0), fraction, 24, "a"))
    trades = history(plan)
    basis = {m: totals(compute(trades, US, m))[1] for m in Method}
    assert basis[Method.HIFO] >= basis[Method.FIFO] - Decimal("1e-20")
    assert basis[Method.HIFO] >= basis[Method.LIFO] - Decimal("1e-20")


@settings(max_examples=100, deadline=None)
@given(steps, st.sampled_from(list(Method)), st.integers(min_value=0, max_value=2**32))
def test_input_order_does_not_matter(plan: list[tuple], method: Method, seed: int) -> None:
    trades = history(plan)
    shuffled = list(trades)
    random.Random(seed).shuffle(shuffled)
    assert compute(shuffled, US, method) == compute(trades, US, method)
