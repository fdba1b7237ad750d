"""``money.plain``: every Decimal written without an exponent and without trailing zeros,
the fast path through ``str`` agreeing with the fixed-point format (issue #16)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from taxloss.money import plain


def fixed(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@given(st.integers(-(10**20), 10**20), st.integers(-45, 20))
def test_plain_is_the_fixed_point_text(digits: int, exponent: int) -> None:
    value = Decimal(digits).scaleb(exponent)
    assert plain(value) == fixed(value)
    assert "E" not in plain(value) and "e" not in plain(value)


def test_plain_examples() -> None:
    cases = {"1E+2": "100", "1E-7": "0.0000001", "-0.00": "0", "0E-10": "0", "12.500": "12.5"}
    assert {text: plain(Decimal(text)) for text in cases} == cases
