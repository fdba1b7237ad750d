"""Engine strategies of issue #5: UK share pooling, Canadian ACB with superficial losses, and
the lot matcher with the AU discount / DE exemption flags. Inline CSV in, rows out.

Each expected line reads: tax year, matching rule (or holding flag), description, acquired,
disposed, proceeds, cost, adjustment, gain. Check any of them by hand.
"""

from __future__ import annotations

import pytest

from taxloss import jurisdiction
from taxloss.errors import EngineError, RuleError
from taxloss.model import BasisScope, Matching, Method, Report
from taxloss.returns.printed import all_rows

UK = jurisdiction.load_bundled("uk")
CA = jurisdiction.load_bundled("ca")
AU = jurisdiction.load_bundled("au")
DE = jurisdiction.load_bundled("de")


def rows(report: Report) -> list[str]:
    out = []
    for row in all_rows(report):
        d = row.disposal
        label = d.matching or ("discount" if d.discount else "exempt" if d.exempt else "-")
        acquired = "pool" if d.matching in ("s104_pool", "acb_pool") else str(row.acquired)
        out.append(
            f"{d.tax_year} {label} {row.description} {acquired} {row.disposed} {row.proceeds} "
            f"{row.cost_basis} {row.adjustment} {row.gain}"
        )
    return out


# Reference §9 example 5 (UK, GBP, net of fees).
EXAMPLE_5 = """
2023-05-01T12:00:00Z,buy,ETH,10,GBP,15000,,,,ex
2024-01-15T12:00:00Z,buy,ETH,5,GBP,10000,,,,ex
2024-11-10T10:00:00Z,sell,ETH,8,GBP,20000,,,,ex
2024-11-10T15:00:00Z,buy,ETH,2,GBP,4800,,,,ex
2024-11-25T12:00:00Z,buy,ETH,3,GBP,6900,,,,ex
"""


def test_uk_example_5_same_day_30_days_and_pool(run) -> None:
    report = run(EXAMPLE_5, rule=UK)
    assert rows(report) == [
        "2024-25 same_day 2 ETH 2024-11-10 2024-11-10 5000.00 4800.00 0.00 200.00",
        "2024-25 bed_and_breakfast 3 ETH 2024-11-25 2024-11-10 7500.00 6900.00 0.00 600.00",
        "2024-25 s104_pool 3 ETH pool 2024-11-10 7500.00 5000.00 0.00 2500.00",
    ]
    (lot,) = report.open_lots
    assert (lot.quantity, lot.cost_basis) == (12, 20000)  # the 2 + 3 never entered the pool
    assert report.method is Matching.UK_POOLING


def test_uk_same_day_disposals_are_one_disposal_shared_pro_rata(run) -> None:
    report = run(
        """
        2024-05-01T09:00:00Z,buy,BTC,1,GBP,30000,,,,a
        2024-06-03T08:00:00Z,sell,BTC,0.3,GBP,12000,,,,a
        2024-06-03T12:00:00Z,buy,BTC,0.2,GBP,9000,,,,b
        2024-06-03T18:00:00Z,sell,BTC,0.1,GBP,4100,,,,b
        """,
        rule=UK,
    )
    # Day's disposal 0.4 against the day's acquisition 0.2 (cost 9000): each sale takes half
    # of its units from the same-day match and half from the pool (30000 per BTC).
    assert rows(report) == [
        "2024-25 same_day 0.15 BTC 2024-06-03 2024-06-03 6000.00 6750.00 0.00 -750.00",
        "2024-25 s104_pool 0.15 BTC pool 2024-06-03 6000.00 4500.00 0.00 1500.00",
        "2024-25 same_day 0.05 BTC 2024-06-03 2024-06-03 2050.00 2250.00 0.00 -200.00",
        "2024-25 s104_pool 0.05 BTC pool 2024-06-03 2050.00 1500.00 0.00 550.00",
    ]


def test_uk_30_day_rule_takes_the_earliest_acquisition_across_5_april(run) -> None:
    report = run(
        """
        2023-06-01T10:00:00Z,buy,ETH,10,GBP,10000,,,,a
        2024-03-28T10:00:00Z,sell,ETH,4,GBP,8000,,,,a
        2024-04-12T10:00:00Z,buy,ETH,1,GBP,2500,,,,a
        2024-04-20T10:00:00Z,buy,ETH,5,GBP,11000,,,,a
        2024-05-20T10:00:00Z,buy,ETH,1,GBP,3000,,,,a
        """,
        rule=UK,
    )
    assert rows(report) == [
        "2023-24 bed_and_breakfast 1 ETH 2024-04-12 2024-03-28 2000.00 2500.00 0.00 -500.00",
        "2023-24 bed_and_breakfast 3 ETH 2024-04-20 2024-03-28 6000.00 6600.00 0.00 -600.00",
    ]
    (lot,) = report.open_lots  # 10 + 2 unmatched of 2024-04-20 + 1 (outside the 30 days)
    assert (lot.quantity, lot.cost_basis) == (13, 10000 + 4400 + 3000)


def test_uk_same_day_acquisitions_beyond_the_disposal_enter_the_pool(run) -> None:
    report = run(
        """
        2024-06-03T08:00:00Z,buy,SOL,10,GBP,1000,,,,a
        2024-06-03T09:00:00Z,sell,SOL,4,GBP,600,,,,a
        2024-07-01T09:00:00Z,sell,SOL,6,GBP,660,,,,a
        """,
        rule=UK,
    )
    assert rows(report) == [
        "2024-25 same_day 4 SOL 2024-06-03 2024-06-03 600.00 400.00 0.00 200.00",
        "2024-25 s104_pool 6 SOL pool 2024-07-01 660.00 600.00 0.00 60.00",
    ]
    assert report.open_lots == ()


def test_uk_selling_more_than_the_pool_holds_is_an_error(run) -> None:
    with pytest.raises(EngineError, match=r"w1.csv:3: dispose of 2 ETH but only 1 held"):
        run(
            """
            2024-06-01T08:00:00Z,buy,ETH,1,GBP,1000,,,,a
            2024-06-10T08:00:00Z,sell,ETH,2,GBP,2200,,,,a
            """,
            rule=UK,
        )


def test_pooling_rules_reject_lot_methods_and_wallet_scope(run) -> None:
    with pytest.raises(RuleError, match="lot method 'fifo' does not apply"):
        run(EXAMPLE_5, Method.FIFO, rule=UK)
    with pytest.raises(RuleError, match="--basis-scope wallet does not apply"):
        run(EXAMPLE_5, rule=CA, basis_scope=BasisScope.WALLET)


# Reference §9 example 6 (Canada, CAD).
EXAMPLE_6 = """
2025-01-10T17:00:00Z,buy,BTC,2.0,CAD,100000,,,,a
2025-03-01T17:00:00Z,buy,BTC,1.0,CAD,80000,,,,b
2025-06-01T17:00:00Z,sell,BTC,1.5,CAD,75000,,,,a
2025-06-20T17:00:00Z,buy,BTC,0.5,CAD,24000,,,,b
"""


def test_ca_example_6_partial_superficial_loss_added_to_the_acb(run) -> None:
    report = run(EXAMPLE_6, rule=CA)
    assert rows(report) == [
        "2025 acb_pool 1.5 BTC pool 2025-06-01 75000.00 90000.00 5000.00 -10000.00"
    ]
    assert report.disposals[0].denied_loss == 5000
    (lot,) = report.open_lots
    assert (lot.quantity, lot.cost_basis) == (2, 119000)
    actions = [(e.action, e.units_after, e.cost_after) for e in report.pool_history]
    assert actions[-2:] == [
        ("superficial loss added to cost", 1.5, 95000),
        ("acquisition", 2, 119000),
    ]


def test_ca_no_superficial_loss_when_nothing_is_held_at_the_window_end(run) -> None:
    report = run(
        """
        2025-01-10T17:00:00Z,buy,ETH,6,CAD,18000,,,,a
        2025-09-01T17:00:00Z,sell,ETH,6,CAD,12000,,,,a
        2025-09-21T17:00:00Z,buy,ETH,6,CAD,12600,,,,a
        2025-09-25T17:00:00Z,sell,ETH,6,CAD,12300,,,,a
        """,
        rule=CA,
    )
    assert rows(report) == [
        "2025 acb_pool 6 ETH pool 2025-09-01 12000.00 18000.00 0.00 -6000.00",
        "2025 acb_pool 6 ETH pool 2025-09-25 12300.00 12600.00 0.00 -300.00",
    ]


def test_ca_whole_loss_denied_when_repurchased_and_held(run) -> None:
    report = run(
        """
        2025-01-10T17:00:00Z,buy,SOL,10,CAD,3000,,,,a
        2025-05-01T17:00:00Z,sell,SOL,10,CAD,2000,,,,a
        2025-05-05T17:00:00Z,buy,SOL,10,CAD,2100,,,,b
        """,
        rule=CA,
    )
    assert rows(report) == ["2025 acb_pool 10 SOL pool 2025-05-01 2000.00 3000.00 1000.00 0.00"]
    (lot,) = report.open_lots
    assert (lot.quantity, lot.cost_basis) == (10, 3100)  # the pool was empty: cost waits


def test_ca_gains_are_never_denied(run) -> None:
    report = run(
        """
        2025-01-10T17:00:00Z,buy,SOL,10,CAD,1000,,,,a
        2025-05-01T17:00:00Z,sell,SOL,5,CAD,2000,,,,a
        2025-05-05T17:00:00Z,buy,SOL,10,CAD,2100,,,,a
        """,
        rule=CA,
    )
    assert rows(report) == ["2025 acb_pool 5 SOL pool 2025-05-01 2000.00 500.00 0.00 1500.00"]


def test_au_discount_from_the_second_day_after_the_anniversary(run) -> None:
    report = run(
        """
        2024-03-01T02:00:00Z,buy,SOL,3,AUD,300,,,,a
        2025-03-01T02:00:00Z,sell,SOL,1,AUD,150,,,,a
        2025-03-02T02:00:00Z,sell,SOL,1,AUD,150,,,,a
        """,
        rule=AU,
    )
    assert rows(report) == [
        "2024-25 - 1 SOL 2024-03-01 2025-03-01 150.00 100.00 0.00 50.00",
        "2024-25 discount 1 SOL 2024-03-01 2025-03-02 150.00 100.00 0.00 50.00",
    ]


def test_de_exempt_after_more_than_one_year_and_lifo_is_flagged(run) -> None:
    body = """
        2023-05-10T10:00:00Z,buy,ETH,1,EUR,1000,,,,a
        2023-06-10T10:00:00Z,buy,ETH,1,EUR,1500,,,,a
        2024-05-10T10:00:00Z,sell,ETH,1,EUR,2000,,,,a
        2024-05-11T10:00:00Z,sell,ETH,1,EUR,2000,,,,a
        """
    assert rows(run(body, rule=DE)) == [
        "2024 - 1 ETH 2023-05-10 2024-05-10 2000.00 1000.00 0.00 1000.00",
        "2024 - 1 ETH 2023-06-10 2024-05-11 2000.00 1500.00 0.00 500.00",
    ]
    report = run(body.replace("2023-06-10", "2023-04-10"), Method.LIFO, rule=DE)
    assert rows(report)[1] == "2024 exempt 1 ETH 2023-04-10 2024-05-11 2000.00 1500.00 0.00 500.00"
    assert report.warnings[0].code == "method_flagged"
    assert "FG Nürnberg" in report.warnings[0].message


def test_uk_derivative_position_and_settlement_coin_through_the_pool(run) -> None:
    header = (
        "timestamp,type,asset,quantity,quote_asset,quote_quantity,fee_asset,fee_quantity,"
        "wallet,position,opened"
    )
    report = run(
        """
        2024-06-03T08:00:00Z,buy,USDC,1000,GBP,800,,,a,,
        2024-06-10T08:00:00Z,realized_pnl,BTCUSDC-PERP,0.1,USDC,150,USDC,2,a,p1,2024-06-05T08:00:00Z
        2024-06-20T08:00:00Z,realized_pnl,BTCUSDC-PERP,0.1,USDC,-300,USDC,2,a,p2,2024-06-15T08:00:00Z
        """,
        header=header,
        rule=UK,
        fx=_fx_table("GBP", {"USD": "0.8"}, ["2024-06-10", "2024-06-20"]),
    )
    kinds = [(d.kind.value, d.matching, d.asset) for d in report.disposals]
    assert ("position", "", "BTCUSDC-PERP") in kinds
    # Paying 302 USDC for the loss is a disposal of USDC through the pool (not at par in GBP).
    assert ("settlement", "s104_pool", "USDC") in kinds


def _fx_table(target: str, rates: dict[str, str], days: list[str]):
    from datetime import date
    from decimal import Decimal

    from taxloss.model import FxRate, FxTable, SourceRef

    series = {
        currency: tuple(
            FxRate(date.fromisoformat(day), currency, Decimal(rate), SourceRef("rates.csv", n))
            for n, day in enumerate(days, start=2)
        )
        for currency, rate in rates.items()
    }
    return FxTable(target, series, "test rates")
