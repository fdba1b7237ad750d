"""Table-driven engine scenarios: inline CSV + method -> expected Form 8949 rows.

Each expected line reads: tax year, term, box, description, acquired, disposed, proceeds,
basis, gain, wallet, kind. Check any of them by hand.
"""

from __future__ import annotations

import pytest

from taxloss.errors import EngineError, InputError, RuleError
from taxloss.model import BasisScope, Method

from .conftest import rows_text

# Reference §9 example 1 (US, one wallet, fees): trades T1-T3.
EXAMPLE_1 = """
2024-01-10T15:00:00Z,buy,BTC,1.0,USD,40000,USD,100,,ex
2024-11-05T15:00:00Z,buy,BTC,1.0,USD,70000,USD,140,,ex
2025-03-01T15:00:00Z,sell,BTC,1.5,USD,90000,USD,90,,ex
"""

SCENARIOS = {
    "example 1 FIFO": (
        EXAMPLE_1,
        Method.FIFO,
        [
            "2025 long L 1 BTC 2024-01-10 2025-03-01 59940.00 40100.00 19840.00 ex sale",
            "2025 short I 0.5 BTC 2024-11-05 2025-03-01 29970.00 35070.00 -5100.00 ex sale",
        ],
    ),
    "example 1 LIFO": (
        EXAMPLE_1,
        Method.LIFO,
        [
            "2025 short I 1 BTC 2024-11-05 2025-03-01 59940.00 70140.00 -10200.00 ex sale",
            "2025 long L 0.5 BTC 2024-01-10 2025-03-01 29970.00 20050.00 9920.00 ex sale",
        ],
    ),
    "HIFO takes the highest basis per unit, fees included": (
        """
        2024-01-10T00:00:00Z,buy,ETH,1,USD,3000,USD,500,,ex
        2024-02-10T00:00:00Z,buy,ETH,1,USD,3400,USD,0,,ex
        2024-03-10T00:00:00Z,buy,ETH,1,USD,3200,USD,0,,ex
        2024-04-10T00:00:00Z,sell,ETH,1,USD,3300,,,,ex
        """,
        Method.HIFO,
        ["2024 short C 1 ETH 2024-01-10 2024-04-10 3300.00 3500.00 -200.00 ex sale"],
    ),
    "pre-2025 digital assets use box C/F": (
        """
        2022-01-10T00:00:00Z,buy,SOL,10,USD,1000,,,,ex
        2024-06-01T00:00:00Z,sell,SOL,10,USD,1500,,,,ex
        """,
        Method.FIFO,
        ["2024 long F 10 SOL 2022-01-10 2024-06-01 1500.00 1000.00 500.00 ex sale"],
    ),
    "crypto-for-crypto: fee charged to the disposed asset (fees.crypto_to_crypto)": (
        """
        2025-01-02T00:00:00Z,buy,ETH,2,USD,6000,,,,ex
        2025-02-02T00:00:00Z,sell,ETH,1,BTC,0.04,ETH,0.001,4000,ex
        2025-03-02T00:00:00Z,sell,BTC,0.04,USD,4100,,,,ex
        """,
        Method.FIFO,
        [
            # 1 ETH + 0.001 ETH fee leave; amount realized 4000 - fee(4) + fee units(4) = 4000
            "2025 short I 1.001 ETH 2025-01-02 2025-02-02 4000.00 3003.00 997.00 ex exchange",
            "2025 short I 0.04 BTC 2025-02-02 2025-03-02 4100.00 4000.00 100.00 ex sale",
        ],
    ),
    "fee deducted from the units received lowers the units, not the basis": (
        """
        2025-01-02T00:00:00Z,buy,SOL,10,USD,2000,SOL,0.01,,ex
        2025-02-02T00:00:00Z,sell,SOL,9.99,USD,2997,,,,ex
        """,
        Method.FIFO,
        ["2025 short I 9.99 SOL 2025-01-02 2025-02-02 2997.00 2000.00 997.00 ex sale"],
    ),
    "stablecoin quote valued at par and tracked as its own asset": (
        """
        2025-01-02T00:00:00Z,buy,USDT,1000,USD,1000,,,,ex
        2025-01-03T00:00:00Z,buy,ETH,0.3,USDT,999,USDT,1,,ex
        """,
        Method.FIFO,
        ["2025 short I 1000 USDT 2025-01-02 2025-01-03 999.00 1000.00 -1.00 ex exchange"],
    ),
    "forced sale is a disposal flagged as a liquidation (reference example 2)": (
        """
        2023-05-01T00:00:00Z,buy,SOL,100,USD,2000,,,,ex
        2025-02-01T00:00:00Z,buy,ETH,10,USD,30000,,,,ex
        2025-04-07T00:00:00Z,forced_sale,ETH,10,USD,15000,USD,150,,ex
        2025-08-01T00:00:00Z,sell,SOL,100,USD,6000,,,,ex
        """,
        Method.FIFO,
        [
            "2025 short I 10 ETH 2025-02-01 2025-04-07 14850.00 30000.00 -15150.00 ex "
            "forced_sale LIQ",
            "2025 long L 100 SOL 2023-05-01 2025-08-01 6000.00 2000.00 4000.00 ex sale",
        ],
    ),
    "income becomes a lot at fair value; spend and fee are disposals": (
        """
        2025-01-02T00:00:00Z,income,ETH,0.5,,,,,1500,ex
        2025-01-05T00:00:00Z,spend,ETH,0.1,,,,,320,ex
        2025-01-06T00:00:00Z,fee,ETH,0.01,,,,,31,ex
        """,
        Method.FIFO,
        [
            "2025 short I 0.1 ETH 2025-01-02 2025-01-05 320.00 300.00 20.00 ex spend",
            "2025 short I 0.01 ETH 2025-01-02 2025-01-06 31.00 30.00 1.00 ex fee",
        ],
    ),
    "transfer moves lots with their date and basis; the lost units are a fee disposal": (
        """
        2023-01-02T00:00:00Z,buy,BTC,1,USD,20000,,,,a
        2025-03-01T00:00:00Z,withdrawal,BTC,1,,,,,80000,a
        2025-03-01T02:00:00Z,deposit,BTC,0.999,,,,,,b
        2025-03-02T00:00:00Z,sell,BTC,0.999,USD,81000,,,,b
        """,
        Method.FIFO,
        [
            "2025 long L 0.001 BTC 2023-01-02 2025-03-01 80.00 20.00 60.00 a transfer_fee",
            "2025 long L 0.999 BTC 2023-01-02 2025-03-02 81000.00 19980.00 61020.00 b sale",
        ],
    ),
    "wallet scope from 2025: each wallet's own lots": (
        """
        2025-01-02T00:00:00Z,buy,ETH,1,USD,1000,,,,a
        2025-01-03T00:00:00Z,buy,ETH,1,USD,5000,,,,b
        2025-02-01T00:00:00Z,sell,ETH,1,USD,3000,,,,b
        """,
        Method.FIFO,
        ["2025 short I 1 ETH 2025-01-03 2025-02-01 3000.00 5000.00 -2000.00 b sale"],
    ),
    "universal scope before 2025: FIFO across wallets": (
        """
        2024-01-02T00:00:00Z,buy,ETH,1,USD,1000,,,,a
        2024-01-03T00:00:00Z,buy,ETH,1,USD,5000,,,,b
        2024-02-01T00:00:00Z,sell,ETH,1,USD,3000,,,,b
        """,
        Method.FIFO,
        ["2024 short C 1 ETH 2024-01-02 2024-02-01 3000.00 1000.00 2000.00 b sale"],
    ),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario(run, name: str) -> None:
    body, method, expected = SCENARIOS[name]
    assert rows_text(run(body, method)) == expected


def test_fee_in_a_third_asset_is_its_own_disposal_at_fair_value(run) -> None:
    from datetime import date
    from decimal import Decimal

    from taxloss.model import Price, PriceTable, SourceRef

    price = Price(date(2025, 1, 3), "BNB", Decimal("700"), SourceRef("prices.csv", 2))
    report = run(
        """
        2025-01-02T00:00:00Z,buy,BNB,1,USD,600,,,,ex
        2025-01-03T00:00:00Z,buy,ETH,1,USD,3000,BNB,0.01,,ex
        2025-01-04T00:00:00Z,sell,ETH,1,USD,3100,,,,ex
        """,
        prices=PriceTable({(price.day, price.asset): price}),
    )
    # The BNB fee (0.01 x 700 = 7) is a disposal of BNB and adds 7 to the ETH basis.
    assert rows_text(report) == [
        "2025 short I 0.01 BNB 2025-01-02 2025-01-03 7.00 6.00 1.00 ex fee",
        "2025 short I 1 ETH 2025-01-03 2025-01-04 3100.00 3007.00 93.00 ex sale",
    ]
    assert [a.code for a in report.assumptions] == ["price_from_file"]


def test_unknown_basis_sale_is_an_error_naming_both_rows(run) -> None:
    with pytest.raises(EngineError) as info:
        run("""
            2025-01-02T00:00:00Z,deposit,BTC,1,,,,,,a
            2025-02-02T00:00:00Z,sell,BTC,1,USD,90000,,,,a
            """)
    message = str(info.value)
    assert message.startswith("w1.csv:3: sells 1 BTC received by the unmatched deposit at w1.csv:2")


def test_shortfall_is_an_error_with_the_shortfall(run) -> None:
    with pytest.raises(EngineError) as info:
        run("""
            2025-01-02T00:00:00Z,buy,BTC,1,USD,90000,,,,a
            2025-02-02T00:00:00Z,sell,BTC,1.5,USD,90000,,,,a
            2025-02-03T00:00:00Z,sell,ETH,2,USD,6000,,,,a
            """)
    lines = str(info.value).splitlines()
    assert lines == [
        "w1.csv:3: dispose of 1.5 BTC but only 1 held in a: 0.5 BTC short; add the missing "
        "acquisition or deposit, or run with --allow-missing-basis",
        "w1.csv:4: dispose of 2 ETH but only 0 held in a: 2 ETH short; add the missing "
        "acquisition or deposit, or run with --allow-missing-basis",
    ]


def test_allow_missing_basis_gives_zero_basis_short_term_with_warning(run) -> None:
    report = run(
        """
        2023-01-02T00:00:00Z,deposit,BTC,1,,,,,,a
        2025-02-02T00:00:00Z,sell,BTC,1.5,USD,90000,,,,a
        """,
        allow_missing_basis=True,
    )
    assert rows_text(report) == [
        "2025 short I 1 BTC 2025-02-02 2025-02-02 60000.00 0.00 60000.00 a sale MISSING",
        "2025 short I 0.5 BTC 2025-02-02 2025-02-02 30000.00 0.00 30000.00 a sale MISSING",
    ]
    codes = [w.code for w in report.warnings]
    assert codes.count("missing_basis") == 2
    assert "unmatched_deposit" in codes


def test_rows_needing_a_price_are_listed_together(run) -> None:
    with pytest.raises(InputError) as info:
        run("""
            2025-01-02T00:00:00Z,buy,BNB,1,USD,600,,,,ex
            2025-01-03T00:00:00Z,buy,ETH,1,USD,3000,BNB,0.01,,ex
            2025-01-04T00:00:00Z,sell,BNB,0.5,SOL,2,,,,ex
            """)
    assert str(info.value).splitlines() == [
        "w1.csv:3: fiat_value: needs a USD value for the fee of 0.01 BNB on 2025-01-03: give "
        "fiat_value in the row, a --prices row 'date,asset,price', or an --overrides line "
        "'w1.csv:3,value AMOUNT,NOTE' (the row's USD value)",
        "w1.csv:4: fiat_value: needs a USD value for 2 SOL and 0.5 BNB on 2025-01-04: give "
        "fiat_value in the row, a --prices row 'date,asset,price', or an --overrides line "
        "'w1.csv:4,value AMOUNT,NOTE' (the row's USD value)",
    ]


def test_method_not_allowed_is_a_rule_error(run) -> None:
    from dataclasses import replace

    from taxloss import jurisdiction

    rule = replace(jurisdiction.load_bundled("us"), methods=(Method.FIFO,))
    with pytest.raises(RuleError, match="'hifo' is not allowed"):
        run(EXAMPLE_1, Method.HIFO, rule=rule)


def test_forced_universal_scope_ignores_wallets(run) -> None:
    report = run(
        SCENARIOS["wallet scope from 2025: each wallet's own lots"][0],
        basis_scope=BasisScope.UNIVERSAL,
    )
    assert rows_text(report) == [
        "2025 short I 1 ETH 2025-01-02 2025-02-01 3000.00 1000.00 2000.00 b sale"
    ]
    assert report.allocations == ()


def test_allocation_at_the_switch_gives_each_wallet_its_units(run) -> None:
    report = run("""
        2024-01-02T00:00:00Z,buy,ETH,2,USD,2000,,,,a
        2024-06-02T00:00:00Z,buy,ETH,1,USD,3000,,,,b
        2024-07-01T00:00:00Z,withdrawal,ETH,1,,,,,,a
        2024-07-01T01:00:00Z,deposit,ETH,1,,,,,,b
        2025-02-01T00:00:00Z,sell,ETH,2,USD,8000,,,,b
        """)
    allocation = [(a.wallet, str(a.quantity), str(a.cost_basis)) for a in report.allocations]
    # a holds 1 ETH (its own oldest lot); b holds 2: its own 2024-06 lot, then the rest of a's.
    assert allocation == [("a", "1", "1000"), ("b", "1", "3000"), ("b", "1", "1000")]
    assert rows_text(report) == [
        "2025 long L 1 ETH 2024-01-02 2025-02-01 4000.00 1000.00 3000.00 b sale",
        "2025 short I 1 ETH 2024-06-02 2025-02-01 4000.00 3000.00 1000.00 b sale",
    ]


def test_transfers_of_two_assets_in_flight_at_the_switch_keep_their_own_lots(run) -> None:
    # Both withdrawn on 31 Dec 2024 and deposited on 1 Jan 2025: each transfer takes lots of
    # its own asset at the 2025 per-wallet switch (a BTC lot once travelled with the ETH).
    report = run("""
        2024-01-02T00:00:00Z,buy,BTC,1,USD,40000,,,,a
        2024-03-02T00:00:00Z,buy,ETH,1,USD,3000,,,,a
        2024-12-31T23:00:00Z,withdrawal,BTC,1,,,,,,a
        2024-12-31T23:00:00Z,withdrawal,ETH,1,,,,,,a
        2025-01-01T01:00:00Z,deposit,BTC,1,,,,,,b
        2025-01-01T01:00:00Z,deposit,ETH,1,,,,,,b
        2025-02-01T00:00:00Z,sell,ETH,1,USD,3500,,,,b
        """)
    assert rows_text(report) == [
        "2025 short I 1 ETH 2024-03-02 2025-02-01 3500.00 3000.00 500.00 b sale",
    ]
    assert not [w for w in report.warnings if w.code.startswith("allocation")]
    (btc,) = [lot for lot in report.open_lots if lot.asset == "BTC"]
    assert (btc.wallet, btc.cost_basis) == ("b", 40000)


def test_unmatched_withdrawal_leaves_the_books_without_a_disposal(run) -> None:
    report = run("""
        2025-01-02T00:00:00Z,buy,BTC,1,USD,90000,,,,a
        2025-01-03T00:00:00Z,withdrawal,BTC,0.4,,,,,,a
        """)
    assert rows_text(report) == []
    outside = [lot for lot in report.open_lots if lot.wallet == "(outside the data)"]
    assert [(str(lot.quantity), str(lot.cost_basis)) for lot in outside] == [("0.4", "36000.0")]
    assert [w.code for w in report.warnings] == ["unmatched_withdrawal"]


def test_stablecoin_spent_without_a_source_gets_par_basis_with_a_warning(run) -> None:
    report = run("""
        2025-01-02T00:00:00Z,buy,BTC,0.01,USDT,950,,,,ex
        2025-01-03T00:00:00Z,sell,BTC,0.01,USD,1000,,,,ex
        """)
    assert rows_text(report) == [
        "2025 short I 950 USDT 2025-01-02 2025-01-02 950.00 950.00 0.00 ex exchange",
        "2025 short I 0.01 BTC 2025-01-02 2025-01-03 1000.00 950.00 50.00 ex sale",
    ]
    assert [w.code for w in report.warnings] == ["stablecoin_basis_assumed"]


def test_transfer_legs_at_the_same_second_in_either_order(run) -> None:
    report = run("""
        2025-01-02T00:00:00Z,buy,BTC,1,USD,90000,,,,a
        2025-02-01T00:00:00Z,deposit,BTC,1,,,,,,b
        2025-02-01T00:00:00Z,withdrawal,BTC,1,,,,,,a
        2025-02-02T00:00:00Z,sell,BTC,1,USD,95000,,,,b
        """)
    assert rows_text(report) == [
        "2025 short I 1 BTC 2025-01-02 2025-02-02 95000.00 90000.00 5000.00 b sale"
    ]


def test_unmatched_stablecoin_deposit_is_one_notice_saying_both_facts(run) -> None:
    report = run("""
        2025-01-02T00:00:00Z,deposit,USDT,500,,,,,,ex
        2025-01-03T00:00:00Z,buy,BTC,0.005,USDT,500,,,,ex
        """)
    assert [w.code for w in report.warnings] == ["stablecoin_basis_assumed"]
    (notice,) = report.warnings
    assert "no matching withdrawal" in notice.message
    assert "within 72 h" in notice.message
    assert "basis taken as 1 USD per unit" in notice.message
    assert str(notice.source).endswith(":2")
