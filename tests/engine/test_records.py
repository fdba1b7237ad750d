"""``model.maker``: the fast positional constructors make the same frozen records."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from taxloss.model import (
    Disposal,
    DisposalKind,
    SourceRef,
    Term,
    Trade,
    TradeKind,
    make_disposal,
    make_trade,
    maker,
)
from taxloss.returns.printed import Row, _make_row

WHEN = datetime(2025, 3, 1, 12, tzinfo=UTC)
SOURCE = SourceRef("a.csv", 7)


def _disposal_values() -> tuple[object, ...]:
    return (
        "BTC", Decimal("0.5"), WHEN, WHEN, date(2025, 3, 1), date(2025, 3, 1), Decimal("100"),
        Decimal("80.5"), Term.SHORT, "2025", "I", "coinbase", DisposalKind.SALE, SOURCE,
        SourceRef("a.csv", 2), "", Decimal(0), "", True, False, Decimal("0.1"), "",
        Decimal(0), False, False, "",
    )  # fmt: skip


def _trade_values() -> tuple[object, ...]:
    return (
        WHEN, TradeKind.SELL, "ETH", Decimal("2"), "kraken", SOURCE, "USD", Decimal("5000"),
        "USD", Decimal("5"), None, "x1", "", "", None, "", "",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("cls", "make", "values"),
    [
        (Disposal, make_disposal, _disposal_values()),
        (Trade, make_trade, _trade_values()),
    ],
)
def test_a_made_record_is_the_frozen_record(cls, make, values) -> None:
    made, built = make(*values), cls(*values)
    assert type(made) is cls
    assert made == built
    assert hash(made) == hash(built)
    assert dataclasses.astuple(made) == dataclasses.astuple(built)
    first = dataclasses.fields(cls)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, first, None)
    assert dataclasses.replace(made) == built


def test_printed_rows_are_made_the_same_way() -> None:
    disposal = make_disposal(*_disposal_values())
    values = (1, disposal, "0.5 BTC", date(2025, 3, 1), date(2025, 3, 1), Decimal("100.00"),
              Decimal("80.50"), "", Decimal("0.00"), Decimal("19.50"), "0.5")  # fmt: skip
    assert _make_row(*values) == Row(*values)
    assert type(_make_row(*values)) is Row


def test_maker_refuses_a_record_it_cannot_copy() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            assert self.a > 0

    for cls in (NoSlots, Checked):
        with pytest.raises(TypeError, match="maker needs a slotted record"):
            maker(cls)
