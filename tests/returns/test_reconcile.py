"""Tie-out properties (hypothesis): the rows of a form row add up to its 1f and 1g to the
cent, (h) is our own gain on every row, and cents are shared exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from taxloss import jurisdiction
from taxloss.engine import compute
from taxloss.model import FormRow, Method, SourceRef, Trade, TradeKind
from taxloss.money import quantize
from taxloss.returns.reconcile import reconcile, same_units, split_cents

US = jurisdiction.load_bundled("us")
CENT = Decimal("0.01")
START = datetime(2026, 1, 5, 15, tzinfo=UTC)

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2,
                      allow_nan=False, allow_infinity=False)  # fmt: skip
units = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("5"), places=3,
                    allow_nan=False, allow_infinity=False)  # fmt: skip


@given(st.lists(st.decimals(min_value=0, max_value=10**6, places=6, allow_nan=False,
                            allow_infinity=False), min_size=1, max_size=12), amounts)  # fmt: skip
def test_split_cents_adds_up_exactly(weights, total) -> None:
    shares = split_cents(total, weights, CENT)
    assert sum(shares) == total
    assert all(share == share.quantize(CENT) for share in shares)
    whole = sum(weights)
    if whole:
        for share, weight in zip(shares, weights, strict=True):
            assert abs(share - total * weight / whole) < CENT


def _trade(n: int, kind: TradeKind, quantity: Decimal, value: Decimal, fee: Decimal) -> Trade:
    return Trade(
        timestamp=START + timedelta(days=n), kind=kind, asset="ETH", quantity=quantity,
        wallet="coinbase", source=SourceRef("t.csv", n + 2), quote_asset="USD",
        quote_quantity=value, fee_asset="USD" if fee else "", fee_quantity=fee or None,
    )  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(units, amounts), min_size=1, max_size=6),
    amounts,
    st.decimals(min_value=0, max_value=50, places=2, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-500, max_value=500, places=2, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-500, max_value=500, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from([Method.FIFO, Method.HIFO]),
    st.booleans(),
)
def test_rows_of_a_form_row_add_up_to_it(lots, price, fee, extra_p, extra_c, method, reported):
    trades = [_trade(n, TradeKind.BUY, q, v, Decimal(0)) for n, (q, v) in enumerate(lots)]
    sold = sum(q for q, _ in lots)
    trades.append(_trade(100, TradeKind.SELL, sold, price, fee))
    report = compute(trades, US, method)
    ours_p = sum(quantize(d.proceeds, CENT, "ROUND_HALF_UP") for d in report.disposals)
    ours_c = sum(quantize(d.cost_basis, CENT, "ROUND_HALF_UP") for d in report.disposals)
    form = FormRow(
        broker="Coinbase", wallet="coinbase", form_id="f", checkbox="G" if reported else "H",
        asset="ETH", units=sold, acquired_on=None, sold_on=date(2026, 4, 15),
        proceeds=max(ours_p + extra_p, Decimal(0)), cost_basis=max(ours_c + extra_c, Decimal(0)),
        basis_reported=reported, term="short", noncovered=not reported, withheld=Decimal(0),
        transaction_id="", source=SourceRef("f.csv", 2),
    )  # fmt: skip
    tied = reconcile(report, [form])
    (line,) = tied.lines
    assert line.status != "only_on_form"
    for before, after in zip(report.disposals, tied.disposals, strict=True):
        gain = quantize(before.proceeds, CENT, "ROUND_HALF_UP") - quantize(
            before.cost_basis, CENT, "ROUND_HALF_UP"
        )
        assert after.proceeds - after.cost_basis + after.adjustment == gain
        assert after.box == ("G" if reported else "H")
    column_d = sum(d.proceeds for d in tied.disposals)
    if ours_p <= form.proceeds:
        assert column_d == form.proceeds
    else:
        assert column_d == ours_p
    if reported:
        assert sum(d.cost_basis for d in tied.disposals) == form.cost_basis
    assert ("B" in line.codes) == (form.cost_basis != ours_c)


def test_same_units_rounds_to_the_form_places() -> None:
    assert same_units(Decimal("0.123456789"), Decimal("0.12345679"))
    assert not same_units(Decimal("0.1235"), Decimal("0.123"))
    assert same_units(Decimal("2"), Decimal("2.000"))


def test_returns_imports_only_model_money_and_errors() -> None:
    import ast
    import subprocess
    import sys

    code = (
        "import sys, taxloss.returns.reconcile\n"
        "print(sorted(m for m in sys.modules if m.startswith('taxloss.')))\n"
        "print('pandas' in sys.modules, 'reportlab' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)  # fmt: skip
    modules, heavy = result.stdout.splitlines()
    allowed = {"taxloss.model", "taxloss.money", "taxloss.errors", "taxloss.returns",
               "taxloss.returns.reconcile"}  # fmt: skip
    assert set(ast.literal_eval(modules)) <= allowed
    assert heavy == "False False"
