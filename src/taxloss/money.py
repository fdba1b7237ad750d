"""Exact money: the one way to make a Decimal, and the engine's decimal context.

Every quantity and amount in taxloss is a ``Decimal`` built from the text in an input file.
Floats are refused outright so that no binary rounding error can enter a tax figure.
Must not import anything outside the standard library.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

ZERO = Decimal(0)

#: Digits of precision inside the engine: far beyond any exchange's 18 decimals times any price.
ENGINE_PRECISION = 60

#: The context printed figures are rounded in: wide enough that rounding never fails for a
#: value taxloss accepts (amounts below 10^18, quantities from 10^-30: a cost per unit can reach
#: 10^48), and round half even like Python's default when no mode is given (issue #11).
ROUNDING_CONTEXT = decimal.Context(prec=2 * ENGINE_PRECISION, rounding=decimal.ROUND_HALF_EVEN)


def D(text: str | int | Decimal) -> Decimal:
    """Make a Decimal from text (or an int or Decimal), never from a float.

    Args:
        text: the number as written in the file, e.g. ``"-0.125"`` or ``"1E-8"``.

    Returns:
        The exact Decimal.

    Raises:
        TypeError: if given a float (or bool), which would carry binary rounding error.
        decimal.InvalidOperation: if the text is not a number.
    """
    if isinstance(text, (bool, float)):
        raise TypeError(f"money.D() refuses {type(text).__name__} {text!r}: pass the text")
    if isinstance(text, Decimal):
        return text
    if isinstance(text, int):
        return Decimal(text)
    value = Decimal(text.strip())
    if not value.is_finite():
        raise decimal.InvalidOperation(f"not a finite number: {text!r}")
    return value


@contextmanager
def engine_context() -> Iterator[decimal.Context]:
    """A local decimal context for exact engine arithmetic.

    High precision, and the FloatOperation trap on so any float that sneaks in raises.

    Returns:
        The active context (as a context manager).
    """
    with decimal.localcontext() as ctx:
        ctx.prec = ENGINE_PRECISION
        ctx.rounding = decimal.ROUND_HALF_EVEN
        ctx.traps[decimal.FloatOperation] = True
        ctx.traps[decimal.InvalidOperation] = True
        ctx.traps[decimal.DivisionByZero] = True
        yield ctx


def quantize(value: Decimal, quantum: Decimal, mode: str) -> Decimal:
    """Round once, for presentation, with the rule file's quantum and mode.

    Args:
        value: the exact amount.
        quantum: e.g. ``Decimal("0.01")``.
        mode: a ``decimal`` rounding constant name, e.g. ``"ROUND_HALF_UP"``.

    Returns:
        The rounded amount (negative zero normalised to zero).
    """
    rounded = value.quantize(quantum, rounding=mode, context=ROUNDING_CONTEXT)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def plain(value: Decimal) -> str:
    """Write a Decimal without exponent notation and without trailing zeros after the point.

    Args:
        value: any finite Decimal.

    Returns:
        Text such as ``"0.00000001"`` or ``"12.5"``.
    """
    text = str(value)  # the same as format(value, "f") when it writes no exponent, and faster
    if "E" in text:
        text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text
