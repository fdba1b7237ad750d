"""Benchmark `taxloss build` on generated histories: rows/second, wall time, peak memory.

    python benchmarks/bench_build.py --rows 100000                  # JSON + CSV + XLSX
    python benchmarks/bench_build.py --rows 1000000 --outputs json,csv

Each size runs in a fresh subprocess so the peak RSS is the build's own. Targets (2 cores):
100,000 rows -> JSON + CSV + XLSX in <= 10 s and <= 500 MiB; 1,000,000 rows -> JSON + CSV in
<= 60 s and <= 2 GiB.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate


def run(rows: int, outputs: str, extra: list[str]) -> tuple[float, float]:
    """Generate ``rows`` rows, build them in a subprocess; return (seconds, peak MiB)."""
    with tempfile.TemporaryDirectory() as work:
        source = generate(rows, Path(work) / f"history-{rows}.csv")
        command = [
            sys.executable,
            "-m",
            "taxloss.cli",
            "build",
            str(source),
            "--out",
            str(Path(work) / "out"),
            "--outputs",
            outputs,
            *extra,
        ]
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, peak_kib / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows",
        type=int,
        action="append",
        help="rows to generate (repeatable; default 10k, 100k, 1M)",
    )
    parser.add_argument(
        "--outputs", default="json,csv,xlsx", help="outputs to write (taxloss build --outputs)"
    )
    parser.add_argument("extra", nargs="*", help="further build options, after --")
    args = parser.parse_args()
    sizes = args.rows or [10_000, 100_000, 1_000_000]
    print(f"{'rows':>10} {'outputs':<22} {'seconds':>8} {'rows/s':>10} {'peak MiB':>9}")
    for rows in sizes:
        seconds, peak = run(rows, args.outputs, args.extra)
        print(
            f"{rows:>10,} {args.outputs:<22} {seconds:>8.2f} {rows / seconds:>10,.0f} {peak:>9.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
