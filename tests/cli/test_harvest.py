"""`taxloss harvest` (issue #14): lots valued on the as-of date, and this year's Schedule D and
carryover worksheet before and after the chosen loss sales, checked against figures computed by
hand from the reference's worksheet (tax-rules-reference §1.8)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import openpyxl
import pypdfium2

from taxloss import api
from taxloss.cli import main
from taxloss.returns.harvest import Target

from ..conftest import SAMPLES

SAMPLE = SAMPLES / "us-liquidated-trader.csv"
PRICES = SAMPLES / "us-liquidated-trader-prices.csv"
SAMPLE_ARGS = ["harvest", str(SAMPLE), "--country", "us", "--prices", str(PRICES),
               "--as-of", "2025-12-15"]  # fmt: skip

# 2025: a 5,000.00 short-term gain (BTC), an ETH lot 10,000.00 under water on 2025-12-15, a SOL
# lot with no price, and 0.5 ETH bought 14 days before the as-of date.
GAINS = """\
timestamp,type,asset,quantity,quote_asset,quote_quantity,wallet
2025-01-10T12:00:00Z,buy,BTC,1,USD,40000,kraken
2025-02-10T12:00:00Z,sell,BTC,0.5,USD,25000,kraken
2025-03-01T12:00:00Z,buy,ETH,10,USD,40000,kraken
2025-04-01T12:00:00Z,buy,SOL,5,USD,1000,kraken
2025-12-01T12:00:00Z,buy,ETH,0.5,USD,1450,kraken
2026-01-05T12:00:00Z,buy,ETH,1,USD,3500,kraken
"""
GAIN_PRICES = """\
date,asset,price
2025-12-15,BTC,45000
2025-12-15,ETH,3000
"""


def _gains(runner, write_csv, *args: str):
    trades = write_csv("gains.csv", GAINS)
    prices = write_csv("gain-prices.csv", GAIN_PRICES)
    return runner.invoke(
        main,
        ["harvest", str(trades), "--prices", str(prices), "--as-of", "2025-12-15", *args],
    )


def test_sample_max_before_and_after_match_the_worksheet_by_hand(runner, tmp_path) -> None:
    out = tmp_path / "h"
    result = runner.invoke(main, [*SAMPLE_ARGS, "--target", "max", "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["as_of", "lots", "harvestable_loss", "before", "after"]
    assert data["as_of"] == "2025-12-15"
    assert len(data["lots"]) == 9
    assert list(data["lots"][0]) == ["wallet", "asset", "quantity", "acquired", "cost_basis",
                                     "price", "market_value", "unrealized", "term"]  # fmt: skip
    # Losses on 2025-12-15 (prices file): short-term ETH (84.84), (5.00), USDT (4.85), (3.04),
    # (1.49) = 99.22; long-term SOL (61.89); 161.11 in all.
    negatives = [Decimal(x["unrealized"]) for x in data["lots"] if x["unrealized"].startswith("-")]
    assert -sum(negatives) == Decimal(data["harvestable_loss"]) == Decimal("161.11")
    before, after = data["before"], data["after"]
    # Before (build's 2025 figures): line 7 (28,783.73), line 15 7,614.46, line 16 (21,169.27),
    # line 21 (3,000); worksheet: 1 = 0 (income not given), 2 = 3,000, 3 = 3,000, 4 = 3,000,
    # 5 = 28,783.73, 6 = 7,614.46, 7 = 10,614.46, 8 = 28,783.73 - 10,614.46 = 18,169.27.
    assert before["schedule_d"]["line_7"] == "-28783.73"
    assert before["schedule_d"]["line_15"] == "7614.46"
    assert before["schedule_d"]["line_16"] == "-21169.27"
    assert before["schedule_d"]["line_21"] == "-3000.00"
    assert before["worksheet"]["7"] == "10614.46"
    assert before["carryover_short_term"] == "18169.27"
    # After: line 7 = -28,783.73 - 99.22 = -28,882.95; line 15 = 7,614.46 - 61.89 = 7,552.57;
    # line 16 = -21,330.38; line 21 still (3,000); worksheet 5 = 28,882.95, 6 = 7,552.57,
    # 7 = 3,000 + 7,552.57 = 10,552.57, 8 = 28,882.95 - 10,552.57 = 18,330.38; no LT carryover.
    assert after["schedule_d"]["line_7"] == "-28882.95"
    assert after["schedule_d"]["line_15"] == "7552.57"
    assert after["schedule_d"]["line_16"] == "-21330.38"
    assert after["schedule_d"]["line_21"] == "-3000.00"
    assert after["worksheet"]["5"] == "28882.95"
    assert after["worksheet"]["7"] == "10552.57"
    assert after["carryover_short_term"] == "18330.38"
    assert after["carryover_long_term"] == "0.00"
    assert after["deduction_against_ordinary_income"] == "3000.00"
    assert len(after["sales"]) == 6 and after["harvested_loss"] == "161.11"
    # The outputs: a one-page PDF and a workbook with the same figures.
    pdf = pypdfium2.PdfDocument(out / "harvest-2025-12-15.pdf")
    assert len(pdf) == 1
    text = pdf[0].get_textpage().get_text_range()
    assert "Loss harvest view on 2025-12-15" in text and "18,330.38" in text
    assert "Unrealized gain or (loss) by asset" in text
    book = openpyxl.load_workbook(out / "harvest-2025-12-15.xlsx")
    assert book.sheetnames == ["Open lots", "Sales (what-if)", "Schedule D 2025", "Statements"]
    rows = {r[0]: r[1:] for r in book["Schedule D 2025"].iter_rows(values_only=True)}
    assert rows["Carryover to 2026: short-term (worksheet line 8)"] == (18169.27, 18330.38)


def test_sample_table_shows_lots_flags_and_statements(runner) -> None:
    result = runner.invoke(main, SAMPLE_ARGS)
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Harvestable loss (sum of unrealized losses): 161.11" in text
    assert "long-term in 6 d" in text  # ETH bought 2024-12-20 turns long-term on 2025-12-21
    assert "samples/us-liquidated-trader-prices.csv:3" in text  # price source row
    assert "already reaches the 3,000.00 limit" in text  # zero-gains: nothing to sell
    assert "No sale" in text
    for phrase in ("Report only", "no wash-sale rule", "harvest.wash_sale = false",
                   "identify it in your own records before the sale",
                   "on or before 31 December 2025"):  # fmt: skip
        assert phrase in text
    assert "Estimated tax" not in text  # no dollar figure without --marginal-rate


def test_zero_gains_sells_just_enough_then_up_to_the_limit(runner, write_csv) -> None:
    result = _gains(runner, write_csv, "--json", "--taxable-income", "50000",
                    "--marginal-rate", "24")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # The 2026 row is after the as-of date: left out.
    assert {(x["asset"], x["quantity"]) for x in data["lots"]} == {
        ("BTC", "0.5"),
        ("ETH", "10"),
        ("ETH", "0.5"),
        ("SOL", "5"),
    }
    sol = next(x for x in data["lots"] if x["asset"] == "SOL")
    assert (sol["price"], sol["market_value"], sol["unrealized"]) == (None, None, None)
    assert data["harvestable_loss"] == "10000.00"  # ETH 10 x (3,000 - 4,000); SOL not counted
    before, after = data["before"], data["after"]
    assert before["schedule_d"]["line_16"] == "5000.00"
    # Needed: 5,000 gain + 3,000 limit = 8,000 of loss: 8 of the 10 ETH (8 x 1,000).
    assert [(s["asset"], s["quantity"], s["gain_loss"]) for s in after["sales"]] == [
        ("ETH", "8", "-8000.00")
    ]
    # After: line 7 = 5,000 - 8,000 = (3,000) = line 16; line 21 (3,000); worksheet 1 = 50,000,
    # 2 = 3,000, 3 = 53,000, 4 = 3,000, 5 = 3,000, 6 = 0, 7 = 3,000, 8 = 0: nothing carries over.
    assert after["schedule_d"]["line_16"] == "-3000.00"
    assert after["schedule_d"]["line_21"] == "-3000.00"
    assert [after["worksheet"][k] for k in "12345678"] == [
        "50000.00",
        "3000.00",
        "53000.00",
        "3000.00",
        "3000.00",
        "0.00",
        "3000.00",
        "0.00",
    ]
    assert after["carryover_short_term"] == "0.00"
    # Taxable capital result 5,000 before, (3,000) after: 8,000 x 24% = 1,920.00.
    assert after["tax_saving_estimate"] == "1920.00"
    assert "1 lot(s) without a price" in result.stderr


def test_amount_target_sells_part_of_a_lot_rounded_up(runner, write_csv) -> None:
    result = _gains(runner, write_csv, "--json", "--target", "1234.56")
    assert result.exit_code == 0, result.output
    sales = json.loads(result.stdout)["after"]["sales"]
    assert [(s["quantity"], s["proceeds"], s["cost_basis"]) for s in sales] == [
        ("1.23456", "3703.68", "4938.24")
    ]


def test_price_override_and_missing_price_listed(runner, write_csv) -> None:
    result = _gains(runner, write_csv, "--json", "--price", "sol=150", "--target", "max")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    sol = next(x for x in data["lots"] if x["asset"] == "SOL")
    assert (sol["price"], sol["market_value"], sol["unrealized"]) == ("150", "750.00", "-250.00")
    assert data["harvestable_loss"] == "10250.00"


def test_assume_wash_sale_disallows_the_loss_covered_by_recent_units(runner, write_csv) -> None:
    plain = json.loads(_gains(runner, write_csv, "--json", "--target", "max").stdout)
    assert plain["after"]["disallowed_loss"] == "0.00"
    result = _gains(runner, write_csv, "--json", "--target", "max", "--assume-wash-sale")
    assert result.exit_code == 0, result.output
    after = json.loads(result.stdout)["after"]
    # 0.5 ETH bought 2025-12-01 (within 30 days) replace 0.5 of the 10 sold: 10,000 x 0.5 / 10.
    sale = after["sales"][0]
    assert (sale["disallowed"], sale["gain_loss"]) == ("500.00", "-9500.00")
    assert after["schedule_d"]["line_7"] == "-4500.00"  # 5,000 - 10,000 + 500
    text = _gains(runner, write_csv, "--target", "max", "--assume-wash-sale").output
    assert "What-if (--assume-wash-sale)" in text


def test_from_2026_covered_lots_and_the_brokers_fifo_basis(write_csv) -> None:
    trades = write_csv(
        "y2026.csv",
        """\
        timestamp,type,asset,quantity,quote_asset,quote_quantity,wallet
        2026-01-05T12:00:00Z,buy,SOL,1,USD,100,coinbase
        2026-02-05T12:00:00Z,buy,SOL,1,USD,50,coinbase
        2026-03-01T12:00:00Z,buy,ETH,1,USD,3000,ledger
        2026-03-02T12:00:00Z,withdrawal,ETH,1,,,ledger
        2026-03-02T12:30:00Z,deposit,ETH,1,,,coinbase
        2025-11-01T12:00:00Z,buy,BTC,0.1,USD,7000,kraken
        2026-01-10T12:00:00Z,buy,BTC,0.1,USD,9000,kraken
        """,
    )
    run = api.harvest(
        api.HarvestOptions(
            build=api.BuildOptions(files=(trades,)),
            as_of=date(2026, 12, 15),
            target=Target("max"),
            price_overrides=(
                ("SOL", Decimal("80")),
                ("ETH", Decimal("2500")),
                ("BTC", Decimal("60000")),
            ),
        )
    )
    lots = {(r.lot.asset, r.lot.wallet, r.facts.acquired_on.month): r for r in run.result.lots}
    second = lots[("SOL", "coinbase", 2)]
    assert second.covered is True
    assert second.cost_basis == Decimal("50.00") and second.broker_basis == Decimal("100.00")
    assert "broker FIFO basis differs (code B)" in second.flags
    assert lots[("ETH", "coinbase", 3)].covered is False  # moved in from another wallet
    assert lots[("SOL", "coinbase", 1)].broker_basis == Decimal("100.00")  # the oldest: same
    # A 2026 BTC lot behind a 2025 one: FIFO sells the noncovered 2025 units, no basis shown.
    later = lots[("BTC", "kraken", 1)]
    assert later.covered is True and later.broker_basis is None
    assert "broker FIFO takes noncovered units first (no basis on the form)" in later.flags
    assert lots[("BTC", "kraken", 11)].covered is False


def test_harvest_refuses_a_rule_without_schedule_d(runner) -> None:
    result = runner.invoke(
        main,
        ["harvest", str(SAMPLES / "uk-pooling.csv"), "--country", "uk", "--as-of",
         "2025-03-01"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "US Schedule D" in result.output and isinstance(result.exception, SystemExit)


def test_bad_target_and_price_are_usage_errors(runner) -> None:
    for extra in (["--target", "lots"], ["--price", "BTC"], ["--price", "BTC=0"]):
        result = runner.invoke(main, [*SAMPLE_ARGS, *extra])
        assert result.exit_code == 2, extra
        assert isinstance(result.exception, SystemExit), extra
        assert (extra[0] + ":") in result.output, (extra, result.output)


def test_outputs_are_repeatable_and_written_all_or_nothing(runner, tmp_path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        result = runner.invoke(main, [*SAMPLE_ARGS, "--target", "max", "--out", str(out)])
        assert result.exit_code == 0, result.output
    for name in ("harvest-2025-12-15.xlsx", "harvest-2025-12-15.pdf"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    bad = runner.invoke(main, [*SAMPLE_ARGS[:-1], "2025-13-40", "--out", str(tmp_path / "c")])
    assert bad.exit_code == 2 and not (tmp_path / "c").exists()


def test_no_limit_note_for_a_loss_below_the_limit(runner, write_csv) -> None:
    # A net loss of 1,000 with nothing left to sell: the limit (3,000) is not reached, so the
    # view must not say it is.
    source = write_csv(
        "t.csv",
        """
        timestamp,type,asset,quantity,quote_asset,quote_quantity,wallet
        2025-01-02T15:00:00Z,buy,BTC,1,USD,2000,ex
        2025-03-02T15:00:00Z,sell,BTC,1,USD,1000,ex
        """,
    )
    result = runner.invoke(main, ["harvest", str(source), "--as-of", "2025-12-15"])
    assert result.exit_code == 0, result.output
    assert "already reaches" not in result.output
