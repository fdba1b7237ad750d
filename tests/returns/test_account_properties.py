"""Account-statement properties (hypothesis, issue #15): for any futures history in a par
stablecoin, whatever the order of losses, fees, funding, deposits and withdrawals, the build
never fails for a negative balance, every position's result is what the exchange booked, the
debt is exactly the negative balance, and the identity holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from taxloss import jurisdiction
from taxloss.engine import compute
from taxloss.model import DisposalKind, SourceRef, Trade, TradeKind
from taxloss.returns.account import account_statement

US = jurisdiction.load_bundled("us")
START = datetime(2025, 1, 1, tzinfo=UTC)
CENTS = st.decimals(
    min_value=Decimal("-900"), max_value=Decimal("900"), places=2, allow_nan=False,
    allow_infinity=False,
)  # fmt: skip
KINDS = [TradeKind.REALIZED_PNL, TradeKind.LIQUIDATION, TradeKind.FUNDING,
         TradeKind.COMMISSION, TradeKind.INSURANCE_FEE]  # fmt: skip
steps = st.lists(
    st.tuples(
        st.sampled_from(["flow", "flow", "flow", "deposit", "withdraw"]),
        st.sampled_from(KINDS),
        CENTS,
        st.integers(min_value=1, max_value=24 * 40),
    ),
    min_size=1,
    max_size=30,
)


def history(plan: list[tuple]) -> tuple[list[Trade], Decimal, Decimal]:
    """Trades, the exchange's own total of the derivative flows, and the final balance
    (negative: a debt)."""
    trades: list[Trade] = []
    balance = booked = Decimal(0)
    moment = START
    for line, (action, kind, amount, hours) in enumerate(plan, start=2):
        moment += timedelta(hours=hours)
        source = SourceRef("h.csv", line)
        if action == "deposit":
            units = abs(amount) or Decimal(1)
            trades.append(Trade(moment, TradeKind.DEPOSIT, "USDT", units, "bybit", source))
            balance += units
        elif action == "withdraw":
            units = (max(balance, Decimal(0)) * abs(amount) / 900).quantize(Decimal("0.01"))
            if units <= 0:
                continue
            trades.append(Trade(moment, TradeKind.WITHDRAWAL, "USDT", units, "bybit", source))
            balance -= units
        else:
            if kind in (TradeKind.COMMISSION, TradeKind.INSURANCE_FEE):
                amount = -abs(amount)
            if not amount:
                continue
            trades.append(
                Trade(moment, kind, "BTCUSDT-PERP", Decimal(0), "bybit", source,
                      quote_asset="USDT", quote_quantity=amount, position=f"P{line // 4}")
            )  # fmt: skip
            booked += amount
            balance += amount
    return trades, booked, balance


@settings(max_examples=150, deadline=None)
@given(steps)
def test_debts_are_the_negative_balance_and_the_account_adds_up(plan: list[tuple]) -> None:
    trades, booked, balance = history(plan)
    report = compute(trades, US)  # never an EngineError for a negative balance
    positions = [d for d in report.disposals if d.kind is DisposalKind.POSITION]
    assert sum((d.gain for d in positions), Decimal(0)) == booked
    statement = account_statement(report)  # raises InternalError if the identity fails
    total = statement.total
    assert total.owed == max(-balance, Decimal(0))
    assert total.left_at_cost == max(balance, Decimal(0))
    assert total.imbalance() == 0
    assert not [w for w in report.warnings if w.code in ("missing_basis", "reconciliation")]
