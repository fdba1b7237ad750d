"""Rule files: every bundled file loads; every validation error names the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from taxloss import jurisdiction
from taxloss.errors import RuleError
from taxloss.model import BasisScope, Method

US_TEXT = (jurisdiction.bundled_dir() / "us.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("rule_id", jurisdiction.bundled_ids())
def test_every_bundled_rule_loads(rule_id: str) -> None:
    rule = jurisdiction.load_bundled(rule_id)
    assert rule.id == rule_id
    assert rule.default_method in rule.methods
    assert len(rule.sha256) == 64
    assert jurisdiction.describe(rule).startswith(f"{rule_id}: ")


def test_us_rule_values() -> None:
    rule = jurisdiction.load_bundled("us")
    assert rule.methods == (Method.FIFO, Method.LIFO, Method.HIFO)
    assert [p.scope for p in rule.scope_periods] == [BasisScope.UNIVERSAL, BasisScope.WALLET]
    assert rule.loss_limits["mfs"] == 1500 and rule.loss_limits["single"] == 3000
    assert str(rule.transfer_min_ratio) == "0.95" and str(rule.rounding_quantum) == "0.01"
    assert "USDT" in rule.usd_equivalent


def load_variant(tmp_path: Path, old: str, new: str) -> RuleError:
    assert old in US_TEXT, old
    path = tmp_path / "variant.toml"
    path.write_text(US_TEXT.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RuleError) as info:
        jurisdiction.load(path, display="variant.toml")
    return info.value


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('fiat = "USD"', 'fiat = "USD"\ncolour = "blue"', "variant.toml: colour: unknown key"),
        (
            "long_term_years = 1",
            'long_term_years = "one"',
            "variant.toml: holding.long_term_years: expected an integer, got a string",
        ),
        (
            'default_method = "fifo"',
            'default_method = "average"',
            "variant.toml: default_method: unknown method 'average'",
        ),
        (
            'methods = ["fifo", "lifo", "hifo"]',
            'methods = ["lifo", "hifo"]',
            "variant.toml: default_method: 'fifo' is not in methods",
        ),
        (
            'methods = ["fifo", "lifo", "hifo"]',
            'methods = ["fifo", "best"]',
            "variant.toml: methods[1]: unknown value 'best'",
        ),
        ("[rounding]\n", "[rounding]\nextra = 1\n", "variant.toml: rounding.extra: unknown key"),
        (
            'mode = "ROUND_HALF_UP"',
            'mode = "NEAREST"',
            "variant.toml: rounding.mode: 'NEAREST' is not one of",
        ),
        (
            'timezone = "UTC"',
            'timezone = "Mars/Base"',
            "variant.toml: timezone: unknown time zone 'Mars/Base'",
        ),
        ("start_month = 1", "start_month = 13", "variant.toml: tax_year.start_month: expected 1"),
        (
            'scope = "universal"',
            'scope = "galactic"',
            "variant.toml: basis_scope[0].scope: unknown scope 'galactic'",
        ),
        (
            "min_received_ratio = 0.95",
            "min_received_ratio = 1.5",
            "variant.toml: transfers.min_received_ratio: expected 0 < ratio <= 1",
        ),
        (
            'funding = "capital"',
            'funding = "maybe"',
            "variant.toml: derivatives.funding: 'maybe' is not one of",
        ),
        ("mfs = 1500\n", "", "variant.toml: loss_limit.mfs: missing"),
        (
            'crypto_to_crypto = "disposed_asset"',
            'crypto_to_crypto = "split"',
            "variant.toml: fees.crypto_to_crypto: 'split' is not one of",
        ),
        ('renderers = ["json"', 'renderers = ["fax"', "variant.toml: forms.renderers: 'fax'"),
        (
            "quantum = 0.01",
            "quantum = -0.01",
            "variant.toml: rounding.quantum: expected a positive number",
        ),
        (
            'id = "us"',
            'id = "us"\nsources = 1',
            "variant.toml: sources: expected a table, got an integer",
        ),
    ],
)
def test_validation_errors_name_file_and_key(tmp_path, old, new, message) -> None:
    error = load_variant(tmp_path, old, new)
    assert message in str(error), str(error)


def test_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("id = \n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"^broken.toml: not valid TOML"):
        jurisdiction.load(path, display="broken.toml")


def test_unknown_country() -> None:
    with pytest.raises(RuleError, match="no rule file for country 'xx'; bundled rule files: "):
        jurisdiction.load_bundled("xx")


def test_user_rule_file_with_another_tax_year_start(tmp_path: Path) -> None:
    path = tmp_path / "fy.toml"
    path.write_text(
        US_TEXT.replace("start_month = 1", "start_month = 7").replace('id = "us"', 'id = "us-fy"'),
        encoding="utf-8",
    )
    rule = jurisdiction.load(path)
    assert (rule.id, rule.tax_year_start_month, rule.path) == ("us-fy", 7, str(path))


def test_every_schema_key_belongs_to_one_section() -> None:
    owned = [key for section in jurisdiction.SECTIONS for key in section.keys]
    assert sorted(owned) == sorted(jurisdiction.SCHEMA), "a key no loader reads, or two do"


def test_problems_of_several_sections_are_reported_together(tmp_path) -> None:
    text = (
        US_TEXT.replace('timezone = "UTC"', 'timezone = "Mars/Olympus"')
        .replace("quantum = 0.01", "quantum = -0.01")
        .replace('crypto_to_crypto = "disposed_asset"', 'crypto_to_crypto = "split"')
    )
    path = tmp_path / "variant.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        jurisdiction.load(path, display="variant.toml")
    assert str(caught.value).splitlines() == [
        "variant.toml: timezone: unknown time zone 'Mars/Olympus'",
        "variant.toml: rounding.quantum: expected a positive number",
        "variant.toml: fees.crypto_to_crypto: 'split' is not one of "
        "['acquired_asset', 'disposed_asset']",
    ]
