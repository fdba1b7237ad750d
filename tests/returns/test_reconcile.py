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


def _trade(n: int, kind: TradeKind, quantity: Decimal, value: Decimal, fee: Decimal,
           days: int | None = None) -> Trade:  # fmt: skip
    return Trade(
        timestamp=START + timedelta(days=n if days is None else days), kind=kind, asset="ETH",
        quantity=quantity, wallet="coinbase", source=SourceRef("t.csv", n + 2),
        quote_asset="USD", quote_quantity=value, fee_asset="USD" if fee else "",
        fee_quantity=fee or None,
    )  # fmt: skip


def _form(units_sold: Decimal, proceeds: Decimal, basis: Decimal | None, reported: bool,
          term: str = "short") -> FormRow:  # fmt: skip
    return FormRow(
        broker="Coinbase", wallet="coinbase", form_id="f", checkbox="G" if reported else "H",
        asset="ETH", units=units_sold, acquired_on=None, sold_on=date(2026, 4, 15),
        proceeds=proceeds, cost_basis=basis, basis_reported=reported, term=term,
        noncovered=not reported, withheld=Decimal(0), transaction_id="",
        source=SourceRef("f.csv", 2),
    )  # fmt: skip


def _cents(value: Decimal) -> Decimal:
    return quantize(value, CENT, "ROUND_HALF_UP")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(units, amounts), min_size=1, max_size=6),
    amounts,
    st.decimals(min_value=0, max_value=50, places=2, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-500, max_value=500, places=2, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-500, max_value=500, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from([Method.FIFO, Method.HIFO]),
    st.booleans(),
    st.booleans(),
)
def test_rows_of_a_form_row_add_up_to_it(lots, price, fee, extra_p, extra_c, method, reported,
                                         old_lot):  # fmt: skip
    # The first lot is bought more than a year before the sale when ``old_lot``.
    trades = [
        _trade(n, TradeKind.BUY, q, v, Decimal(0), days=-400 if old_lot and n == 0 else None)
        for n, (q, v) in enumerate(lots)
    ]
    sold = sum(q for q, _ in lots)
    trades.append(_trade(100, TradeKind.SELL, sold, price, fee))
    report = compute(trades, US, method)
    # The form's figures are built from the exact totals, rounded once, as a broker does.
    exact_p = _cents(sum(d.proceeds for d in report.disposals))
    exact_c = _cents(sum(d.cost_basis for d in report.disposals))
    form = _form(sold, max(exact_p + extra_p, Decimal(0)), max(exact_c + extra_c, Decimal(0)),
                 reported)  # fmt: skip
    tied = reconcile(report, [form])
    (line,) = tied.lines
    assert line.status != "only_on_form"
    for before, after in zip(report.disposals, tied.disposals, strict=True):
        # Our rounded gain: within a cent of the exact proceeds and of the exact basis.
        gain = after.proceeds - after.cost_basis + after.adjustment
        assert abs(gain - (before.proceeds - before.cost_basis)) < 2 * CENT
        assert after.box == {(True, "short"): "G", (True, "long"): "J",
                             (False, "short"): "H", (False, "long"): "K"}[
                                 (reported, before.term.value)]  # fmt: skip
        assert ("T" in after.codes) == (before.term.value == "long")
    # Σ(h) is our exact gain rounded once (proceeds and basis each rounded once).
    assert sum(d.gain for d in tied.disposals) == exact_p - exact_c
    column_d = sum(d.proceeds for d in tied.disposals)
    if exact_p <= form.proceeds:
        assert column_d == form.proceeds
    else:
        assert column_d == exact_p
    assert ("E" in line.codes) == (exact_p < form.proceeds)
    if reported:
        assert sum(d.cost_basis for d in tied.disposals) == form.cost_basis
    assert ("B" in line.codes) == (form.cost_basis != exact_c)


def _three_lots(gross: str, fee: str) -> tuple:
    trades = [_trade(n, TradeKind.BUY, Decimal(1), Decimal(10), Decimal(0)) for n in range(3)]
    trades.append(_trade(100, TradeKind.SELL, Decimal(3), Decimal(gross), Decimal(fee)))
    return compute(trades, US, Method.FIFO), trades


def test_a_sale_over_three_lots_ties_to_the_form_to_the_cent() -> None:
    # 99.50 over three lots: each row alone rounds to 33.17 (99.51 together).
    report, _ = _three_lots("100.00", "0.50")
    assert sum(_cents(d.proceeds) for d in report.disposals) == Decimal("99.51")
    for reported in (True, False):
        tied = reconcile(report, [_form(Decimal(3), Decimal("99.50"), Decimal("30.00"), reported)])
        (line,) = tied.lines
        assert (line.status, line.codes, line.review) == ("matched", "", False)
        assert not line.differences and not tied.notices
        assert line.column_d == Decimal("99.50") and line.column_g == 0
        assert [d.proceeds for d in tied.disposals] == [Decimal("33.17"), Decimal("33.17"),
                                                        Decimal("33.16")]  # fmt: skip
        assert all(not d.codes and d.adjustment == 0 for d in tied.disposals)
        assert sum(d.gain for d in tied.disposals) == Decimal("69.50")


def test_no_false_code_e_when_rows_round_down() -> None:
    # 100.00 over three lots: each row alone rounds to 33.33 (99.99 together).
    report, _ = _three_lots("100.50", "0.50")
    assert sum(_cents(d.proceeds) for d in report.disposals) == Decimal("99.99")
    tied = reconcile(report, [_form(Decimal(3), Decimal("100.00"), Decimal("30.00"), True)])
    (line,) = tied.lines
    assert (line.status, line.codes, line.review) == ("matched", "", False)
    assert line.column_g == 0 and not line.reasons
    assert sum(d.proceeds for d in tied.disposals) == Decimal("100.00")
    assert all("E" not in d.codes and d.adjustment == 0 for d in tied.disposals)


def test_a_real_fee_gap_is_still_code_e() -> None:
    report, _ = _three_lots("100.00", "0.50")
    tied = reconcile(report, [_form(Decimal(3), Decimal("100.00"), Decimal("30.00"), True)])
    (line,) = tied.lines
    assert (line.status, line.codes, line.column_g) == ("proceeds_differ", "E", Decimal("-0.50"))
    assert not line.review


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
