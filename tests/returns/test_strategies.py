"""The return's arithmetic: every ``offset.strategy`` a rule file may name has its own module."""

from __future__ import annotations

import importlib

from taxloss import jurisdiction
from taxloss.returns.loss_offset import STRATEGIES

#: ``offset.strategy`` -> the module that computes it.
MODULES = {
    "us_schedule_d": "us",
    "uk_sa108": "uk",
    "ca_schedule_3": "ca",
    "au_cgt": "au",
    "de_anlage_so": "de",
}


def test_every_strategy_a_rule_may_name_is_planned() -> None:
    assert set(STRATEGIES) | {"us_schedule_d"} == set(jurisdiction.OFFSET_STRATEGIES)


def test_each_strategy_lives_in_its_own_module() -> None:
    for strategy, name in MODULES.items():
        module = importlib.import_module(f"taxloss.returns.{name}")
        if strategy == "us_schedule_d":
            assert hasattr(module, "plan_offsets")
        else:
            assert STRATEGIES[strategy].__module__ == module.__name__
