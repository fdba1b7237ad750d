"""Issue #11: mutated samples never give a traceback (hypothesis).

Parse-level for every sample (cheap: each parser reads a few hundred mutations of its own
sample), and whole builds through the CLI for a few samples. The asserts: a build exits 0 or 2,
every exit-2 line starts with ``path:line:``, and a failed build writes nothing; parsing either
gives trades or an ``InputError`` whose every problem has its ``path:line``.

The long run (thousands of builds of every sample) is ``benchmarks/fuzz_samples.py``.
"""

from __future__ import annotations

import random
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taxloss.errors import InputError
from taxloss.parsers import ParseOptions, read_file

from ..fuzz import (
    check_build,
    country_of,
    mutate,
    mutate_workbook,
    sample_files,
    sample_text,
    workbook_files,
)

SAMPLES = sample_files()


def fuzz(examples: int) -> settings:
    """``examples`` cases, the same on every run (CI stays repeatable), no deadline."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


_LOCATED = re.compile(r"^[^\s:][^:]*:\d+: ")


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
@fuzz(100)
@given(rng=st.randoms(use_true_random=False))
def test_parsing_a_mutated_sample_is_trades_or_located_errors(
    sample: Path, rng: random.Random
) -> None:
    data = mutate(sample_text(sample), rng)
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / sample.name
        path.write_bytes(data)
        try:
            parsed = read_file(path, sample.name, ParseOptions(wallet=sample.stem))
        except InputError as exc:
            for problem in exc.problems:
                assert _LOCATED.match(problem.format()), problem.format()
        else:
            assert all(t.source.path == sample.name for t in parsed.trades)


@pytest.mark.parametrize("sample", workbook_files(), ids=[p.stem for p in workbook_files()])
@fuzz(40)
@given(rng=st.randoms(use_true_random=False))
def test_parsing_a_mutated_workbook_is_trades_or_located_errors(
    sample: Path, rng: random.Random
) -> None:
    data = mutate_workbook(sample, rng)
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / sample.name
        path.write_bytes(data)
        try:
            read_file(path, sample.name, ParseOptions(wallet=sample.stem))
        except InputError as exc:
            for problem in exc.problems:
                assert _LOCATED.match(problem.format()), problem.format()


BUILT = [p for p in SAMPLES if p.stem in {
    "us-liquidated-trader", "kraken-trades", "binance-statement", "bybit-transaction-log",
    "okx-trading-history", "uk-pooling",
}]  # fmt: skip


@pytest.mark.parametrize("sample", BUILT, ids=[p.stem for p in BUILT])
@fuzz(12)
@given(rng=st.randoms(use_true_random=False), full=st.booleans())
def test_building_a_mutated_sample_exits_0_or_2_and_writes_nothing_on_failure(
    sample: Path, rng: random.Random, full: bool
) -> None:
    data = mutate(sample_text(sample), rng)
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / sample.name
        path.write_bytes(data)
        outputs = "json,csv,xlsx,pdf" if full else "json,csv"
        outcome = check_build(path, Path(work) / "out", country_of(sample), outputs)
    assert outcome.exit_code in (0, 2)
    assert outcome.faults == ()


def test_the_fuzz_checks_can_fail(tmp_path) -> None:
    # A build that writes and then fails would be a fault: the check is not vacuous.
    source = tmp_path / "t.csv"
    source.write_text("timestamp,type\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "left.txt").write_text("x", encoding="utf-8")
    outcome = check_build(source, out, "us", "json")
    assert outcome.exit_code == 2
    assert outcome.faults == ("files left after exit 2: ['left.txt']",)
