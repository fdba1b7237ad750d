"""The ``[harvest]`` rule section (issue #14): US crypto has no wash-sale rule, as data."""

from __future__ import annotations

from pathlib import Path

import pytest

from taxloss import jurisdiction

from .test_rules import US_TEXT, load_variant


def test_us_rule_has_no_wash_sale_rule_for_crypto_and_cites_its_source() -> None:
    rule = jurisdiction.load_bundled("us")
    assert rule.harvest_wash_sale is False
    assert rule.harvest_window_days == 30
    assert "1091" in rule.harvest_source


def test_a_rule_without_the_section_has_no_wash_sale_rule(tmp_path: Path) -> None:
    start = US_TEXT.index("[harvest]")
    path = tmp_path / "plain.toml"
    path.write_text(US_TEXT[:start], encoding="utf-8")
    rule = jurisdiction.load(path, display="plain.toml")
    assert (rule.harvest_wash_sale, rule.harvest_window_days, rule.harvest_source) == (
        False, 30, "")  # fmt: skip


def test_a_change_of_law_is_a_change_of_data(tmp_path: Path) -> None:
    path = tmp_path / "law.toml"
    path.write_text(US_TEXT.replace("wash_sale = false", "wash_sale = true"), encoding="utf-8")
    assert jurisdiction.load(path, display="law.toml").harvest_wash_sale is True


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("wash_sale = false", 'wash_sale = "no"',
         "variant.toml: harvest.wash_sale: expected true or false, got a string"),
        ("[harvest]\n", "[harvest]\nperiod = 3\n", "variant.toml: harvest.period: unknown key"),
        ("wash_sale_window_days = 30", "wash_sale_window_days = 30.5",
         "variant.toml: harvest.wash_sale_window_days: expected an integer"),
    ],
)  # fmt: skip
def test_harvest_section_errors_name_the_key(tmp_path: Path, old, new, message) -> None:
    error = load_variant(tmp_path, old, new)
    assert message in str(error), str(error)
