"""The UK, Canada, Australia and Germany rule files (issue #5): their values, their plain-words
description, and a negative test for every new key (file and dotted key named)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from taxloss import jurisdiction
from taxloss.errors import RuleError
from taxloss.model import HoldingEffect, LossDisallowance, Matching, Method

from ..conftest import without_fx


def text_of(rule_id: str) -> str:
    return (jurisdiction.bundled_dir() / f"{rule_id}.toml").read_text(encoding="utf-8")


def test_uk_rule_values() -> None:
    rule = jurisdiction.load_bundled("uk")
    assert (rule.fiat, rule.timezone) == ("GBP", "Europe/London")
    assert (rule.tax_year_start_month, rule.tax_year_start_day) == (4, 6)
    assert rule.matching is Matching.UK_POOLING and rule.forward_window_days == 30
    assert rule.methods == (Matching.UK_POOLING,) and rule.default_method is Matching.UK_POOLING
    assert rule.holding_effect is HoldingEffect.NONE
    amounts = {a.year: a.amount for a in rule.offset.exempt_amounts}
    assert amounts == {
        "2020-21": 12300,
        "2021-22": 12300,
        "2022-23": 12300,
        "2023-24": 6000,
        "2024-25": 3000,
        "2025-26": 3000,
        "2026-27": 3000,
    }
    before, after = rule.offset.rates
    assert (before.end, str(before.basic), str(before.higher)) == (
        date(2024, 10, 29),
        "0.10",
        "0.20",
    )
    assert (after.start, str(after.basic), str(after.higher)) == (
        date(2024, 10, 30),
        "0.18",
        "0.24",
    )
    assert rule.offset.brought_forward_down_to_exempt_amount
    assert rule.offset.claim_deadline_years == 4 and rule.offset.carry_back_years == 0
    assert rule.fx is not None and rule.fx.stablecoin_currency == "USD"
    assert "pdf_8949" not in rule.forms and "xlsx_disposals" in rule.forms


def test_ca_rule_values() -> None:
    rule = jurisdiction.load_bundled("ca")
    assert (rule.fiat, rule.timezone, rule.tax_year_start_month) == ("CAD", "America/Toronto", 1)
    assert rule.matching is Matching.AVERAGE_COST
    d = rule.disallowance
    assert d.kind is LossDisallowance.SUPERFICIAL_LOSS
    assert (d.window_before_days, d.window_after_days, d.require_held_at_window_end) == (
        30,
        30,
        True,
    )
    assert rule.offset.inclusion_rate == Decimal("0.5") and rule.offset.carry_back_years == 3
    assert rule.offset.carry_forward == "indefinite"


def test_au_rule_values() -> None:
    rule = jurisdiction.load_bundled("au")
    assert (rule.fiat, rule.timezone) == ("AUD", "Australia/Sydney")
    assert (rule.tax_year_start_month, rule.tax_year_start_day) == (7, 1)
    assert rule.default_method is Method.FIFO and rule.matching is Matching.LOTS
    assert rule.holding_effect is HoldingEffect.DISCOUNT and not rule.month_end_convention
    assert rule.offset.discount_rate == Decimal("0.5") and rule.offset.losses_before_discount


def test_de_rule_values() -> None:
    rule = jurisdiction.load_bundled("de")
    assert (rule.fiat, rule.timezone) == ("EUR", "Europe/Berlin")
    assert rule.methods == (Method.FIFO, Method.LIFO) and rule.default_method is Method.FIFO
    assert "FG Nürnberg" in rule.method_notes["lifo"]
    assert rule.holding_effect is HoldingEffect.EXEMPT
    low, high = rule.offset.thresholds
    assert (low.last_year, low.amount, high.first_year, high.amount) == (2023, 600, 2024, 1000)
    assert rule.offset.threshold_kind == "less_than" and rule.offset.carry_back_years == 1


@pytest.mark.parametrize(
    ("rule_id", "phrases"),
    [
        (
            "uk",
            [
                "tax year starts: 6 April",
                "(1) same day",
                "(2) acquisitions in the 30 days",
                "(3) the section 104 pool",
                "annual exempt amount: 2020-21 12,300",
                "2024-25 3,000",
                "from 2024-10-30: 18% basic / 24% higher",
                "claimed within 4 years",
            ],
        ),
        (
            "ca",
            [
                "adjusted cost base",
                "superficial loss: a loss is denied",
                "inclusion rate: 50%",
                "carried back 3 year(s) or forward indefinitely",
            ],
        ),
        (
            "au",
            [
                "tax year starts: 1 July",
                "lot methods: fifo, lifo, hifo (default fifo)",
                "CGT discount: 50% of discount gains",
                "non-discount gains first",
            ],
        ),
        (
            "de",
            [
                "lifo: flagged for review",
                "exempt: disposed more than 1 year(s)",
                "Freigrenze",
                "up to 2023: 600; 2024 onward: 1,000",
                "carried back 1 year(s)",
            ],
        ),
    ],
)
def test_rules_describe_matching_tax_year_and_limits(rule_id: str, phrases: list[str]) -> None:
    text = jurisdiction.describe(jurisdiction.load_bundled(rule_id))
    for phrase in phrases:
        assert phrase in text, phrase


def load_variant(tmp_path: Path, rule_id: str, old: str, new: str) -> RuleError:
    source = text_of(rule_id)
    assert old in source, old
    path = tmp_path / "variant.toml"
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RuleError) as info:
        jurisdiction.load(path, display="variant.toml")
    return info.value


NEGATIVE = [
    (
        "uk",
        'strategy = "uk_pooling"',
        'strategy = "fifo_pool"',
        "variant.toml: matching.strategy: 'fifo_pool' is not one of",
    ),
    (
        "uk",
        "forward_window_days = 30\n",
        "",
        "variant.toml: matching.forward_window_days: missing (needed by 'uk_pooling')",
    ),
    (
        "uk",
        "forward_window_days = 30",
        "forward_window_days = 400",
        "variant.toml: matching.forward_window_days: expected 0 to 366",
    ),
    (
        "uk",
        "forward_window_days = 30",
        'forward_window_days = "30"',
        "variant.toml: matching.forward_window_days: expected an integer, got a string",
    ),
    (
        "uk",
        'country = "GB"',
        'country = "GB"\nmethods = ["fifo"]',
        "variant.toml: methods: not used with matching.strategy 'uk_pooling'",
    ),
    (
        "uk",
        'scope = "universal"',
        'scope = "wallet"',
        "variant.toml: basis_scope[0].scope: 'wallet' is not possible with matching.strategy",
    ),
    (
        "de",
        'lifo = "LIFO',
        'hifo = "HIFO',
        "variant.toml: matching.method_notes.hifo: not one of the rule's methods",
    ),
    (
        "de",
        "[matching.method_notes]\n",
        "[matching.method_notes]\nfifo = 1\n",
        "variant.toml: matching.method_notes.fifo: expected a string",
    ),
    (
        "de",
        'strategy = "lots"',
        'strategy = "lots"\nsame_day = true',
        "variant.toml: matching.same_day: unknown key",
    ),
    (
        "au",
        'effect = "discount"',
        'effect = "halved"',
        "variant.toml: holding.effect: 'halved' is not one of",
    ),
    (
        "ca",
        'kind = "superficial_loss"',
        'kind = "wash_sale"',
        "variant.toml: loss_disallowance.kind: 'wash_sale' is not one of",
    ),
    (
        "ca",
        "window_before_days = 30",
        "window_before_days = -1",
        "variant.toml: loss_disallowance.window_before_days: expected 0 to 366",
    ),
    (
        "ca",
        "window_after_days = 30",
        "window_after_days = 30.5",
        "variant.toml: loss_disallowance.window_after_days: expected an integer, got a number",
    ),
    (
        "ca",
        "require_held_at_window_end = true",
        'require_held_at_window_end = "yes"',
        "variant.toml: loss_disallowance.require_held_at_window_end: expected true or false",
    ),
    (
        "ca",
        'proration = "min_s_p_b"',
        'proration = "all"',
        "variant.toml: loss_disallowance.proration: 'all' is not one of",
    ),
    (
        "ca",
        "denied_loss_to_basis = true",
        "denied_loss_to_basis = false",
        "variant.toml: loss_disallowance.denied_loss_to_basis: only true is implemented",
    ),
    (
        "ca",
        'strategy = "average_cost"',
        'strategy = "lots"\n',
        "variant.toml: loss_disallowance.kind: 'superficial_loss' adds the denied loss",
    ),
    ("uk", 'source = "ecb"', 'source = "web"', "variant.toml: fx.source: 'web' is not one of"),
    (
        "uk",
        "max_fallback_days = 7",
        "max_fallback_days = 90",
        "variant.toml: fx.max_fallback_days: expected 0 to 31",
    ),
    (
        "uk",
        'stablecoin_currency = "USD"',
        'stablecoin_currency = "DOLLAR"',
        "variant.toml: fx.stablecoin_currency: expected a currency code",
    ),
    ("uk", 'source = "ecb"\n', "", "variant.toml: fx.source: missing"),
    ("de", "[fx]\n", "[fx]\nlive = true\n", "variant.toml: fx.live: unknown key"),
    (
        "au",
        'strategy = "au_cgt"',
        'strategy = "au_cgt_2"',
        "variant.toml: offset.strategy: 'au_cgt_2' is not one of",
    ),
    (
        "uk",
        'year = "2020-21"',
        'year = "2020"',
        "variant.toml: offset.exempt_amounts[0].year: expected a label like 2024-25",
    ),
    (
        "uk",
        'year = "2021-22"',
        'year = "2020-21"',
        "variant.toml: offset.exempt_amounts[1].year: 2020-21 given twice",
    ),
    (
        "uk",
        "amount = 6000",
        "amount = -6000",
        "variant.toml: offset.exempt_amounts[3].amount: expected zero or more",
    ),
    (
        "uk",
        "basic = 0.18",
        "basic = 18",
        "variant.toml: offset.rates[1].basic: expected a fraction",
    ),
    (
        "uk",
        "end = 2024-10-29",
        'end = "29 October"',
        "variant.toml: offset.rates[0].end: expected a date, got a string",
    ),
    (
        "uk",
        "claim_deadline_years = 4",
        "claim_deadline_years = 40",
        "variant.toml: offset.claim_deadline_years: expected 0 to 20",
    ),
    (
        "uk",
        "brought_forward_down_to_exempt_amount = true",
        "brought_forward_down_to_exempt_amount = 1",
        "variant.toml: offset.brought_forward_down_to_exempt_amount: expected true or false",
    ),
    (
        "ca",
        "inclusion_rate = 0.5",
        "inclusion_rate = 1.5",
        "variant.toml: offset.inclusion_rate: expected a fraction from 0 to 1",
    ),
    ("ca", "inclusion_rate = 0.5\n", "", "variant.toml: offset.inclusion_rate: missing"),
    (
        "ca",
        "carry_back_years = 3",
        "carry_back_years = 30",
        "variant.toml: offset.carry_back_years: expected 0 to 10",
    ),
    (
        "ca",
        'carry_forward = "indefinite"',
        'carry_forward = "20 years"',
        "variant.toml: offset.carry_forward: '20 years' is not one of",
    ),
    (
        "au",
        "discount_rate = 0.5",
        "discount_rate = -0.5",
        "variant.toml: offset.discount_rate: expected a fraction from 0 to 1",
    ),
    (
        "au",
        "losses_before_discount = true",
        'losses_before_discount = "yes"',
        "variant.toml: offset.losses_before_discount: expected true or false",
    ),
    (
        "de",
        'threshold_kind = "less_than"',
        'threshold_kind = "up_to"',
        "variant.toml: offset.threshold_kind: 'up_to' is not one of",
    ),
    (
        "de",
        "amount = 600",
        "amount = -600",
        "variant.toml: offset.thresholds[0].amount: expected zero or more",
    ),
    (
        "de",
        "last_year = 2023",
        'last_year = "2023"',
        "variant.toml: offset.thresholds[0].last_year: expected an integer, got a string",
    ),
    (
        "de",
        'fiat = "EUR"',
        'fiat = "EUR"\n[loss_limit]\nsingle = 1',
        "variant.toml: loss_limit.mfj: missing",
    ),
    (
        "de",
        'renderers = ["json"',
        'renderers = ["pdf_8949", "json"',
        "variant.toml: forms.rows_per_page: missing (needed by 'pdf_8949')",
    ),
]


@pytest.mark.parametrize(("rule_id", "old", "new", "message"), NEGATIVE)
def test_new_keys_are_validated(tmp_path, rule_id, old, new, message) -> None:
    error = load_variant(tmp_path, rule_id, old, new)
    assert message in str(error), str(error)


def test_a_rule_without_offset_needs_the_us_loss_limit(tmp_path: Path) -> None:
    source = text_of("us")
    start = source.index("[loss_limit]")
    path = tmp_path / "v.toml"
    path.write_text(source[:start], encoding="utf-8")
    with pytest.raises(RuleError, match=r"v\.toml: loss_limit: missing"):
        jurisdiction.load(path, display="v.toml")


def test_a_non_usd_rule_needs_fx(tmp_path: Path) -> None:
    us = text_of("us")
    source = without_fx(us).replace('fiat = "USD"', 'fiat = "CHF"')
    path = tmp_path / "v.toml"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(RuleError, match=r"v\.toml: fx: missing: a rule whose fiat is not USD"):
        jurisdiction.load(path, display="v.toml")
