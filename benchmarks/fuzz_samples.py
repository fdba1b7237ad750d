"""The long fuzz run (issue #11), outside CI: mutate every sample (CSV and XLSX) thousands of
times and build each mutation; report every traceback, unlocated error line, file left behind,
or hang.

    nice python benchmarks/fuzz_samples.py --builds 5000 --seed 1
    nice python benchmarks/fuzz_samples.py --builds 500 --full-every 10 --jobs-every 5

Each build runs in this process (click's test runner) with a time limit (``--timeout``). Most
builds write report.json and disposals.csv; every ``--full-every``-th writes every output (the
PDFs and workbooks), and every ``--jobs-every``-th of those uses ``--jobs 2``. Exit status 1
if any build failed a check. The mutations are in ``tests/fuzz.py`` (shared with the suite's
fuzz test).
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fuzz import (
    check_build,
    country_of,
    mutate,
    mutate_workbook,
    sample_files,
    sample_text,
    workbook_files,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--builds", type=int, default=5000, help="mutations to build")
    parser.add_argument("--seed", type=int, default=1, help="random seed (the run repeats)")
    parser.add_argument("--timeout", type=int, default=60, help="seconds before a hang")
    parser.add_argument("--full-every", type=int, default=20, help="every Nth: all outputs")
    parser.add_argument("--jobs-every", type=int, default=2, help="of those, every Nth: --jobs 2")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    samples: list[tuple[Path, str | None]] = [(path, sample_text(path)) for path in sample_files()]
    samples += [(path, None) for path in workbook_files()]  # None: mutated as a workbook
    codes: collections.Counter[int] = collections.Counter()
    failures: list[str] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="taxloss-fuzz-") as work:
        for number in range(args.builds):
            path, text = rng.choice(samples)
            source = Path(work) / f"{number}" / path.name
            source.parent.mkdir()
            data = mutate_workbook(path, rng) if text is None else mutate(text, rng)
            source.write_bytes(data)
            full = number % args.full_every == 0
            jobs = 2 if full and (number // args.full_every) % args.jobs_every == 0 else 1
            outputs = "json,csv,xlsx,pdf" if full else "json,csv"
            outcome = check_build(
                source, source.parent / "out", country_of(path), outputs, jobs, args.timeout
            )
            codes[outcome.exit_code] += 1
            for fault in outcome.faults:
                failures.append(f"build {number} ({path.name}, seed {args.seed}): {fault}")
                print(failures[-1], file=sys.stderr, flush=True)
            if number % 250 == 249:
                print(f"{number + 1} builds, {len(failures)} faults", flush=True)
    seconds = time.monotonic() - started
    summary = ", ".join(f"exit {code}: {count}" for code, count in sorted(codes.items()))
    print(f"{args.builds} builds in {seconds:.0f} s ({summary}); {len(failures)} faults")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
