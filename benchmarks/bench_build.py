"""Benchmark `taxloss build` on generated histories: rows/second, wall time, peak memory.

    python benchmarks/bench_build.py --rows 100000                  # every output (all)
    python benchmarks/bench_build.py --rows 1000000 --outputs all --repeat 2
    python benchmarks/bench_build.py --rows 100000 --outputs json,csv,xlsx -- --jobs 1

``--outputs all`` is JSON, CSV, XLSX and both PDFs; at these sizes every Form 8949 box has
more than 500 rows, so the PDFs are in statement mode. Each run is a fresh subprocess; its
peak memory is the largest resident set of the build's processes (``wait4``), and the CPU
seconds are theirs together. With ``--repeat``, the fastest run is shown and the slowest is
given after it. Targets (issue #16, 2 cores, all outputs): 100,000 rows in <= 6 s and
<= 300 MiB; 1,000,000 rows in <= 60 s and <= 1.5 GiB.

taxloss's modules are compiled to bytecode first (``compileall``), as ``pip install`` does:
each run then starts as an installed taxloss does. From a source checkout where Python writes
no bytecode (``PYTHONDONTWRITEBYTECODE``), every run would otherwise compile them again
(about 0.2 s).
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

#: What ``--outputs all`` asks ``taxloss build`` for.
ALL = "json,csv,xlsx,pdf"


@dataclass(frozen=True)
class Run:
    """One build: wall seconds, CPU seconds of its processes, their largest peak (MiB)."""

    seconds: float
    cpu: float
    peak: float


def build(source: Path, out: Path, outputs: str, extra: list[str]) -> Run:
    """Build ``source`` into ``out`` in a subprocess and measure it."""
    command = [sys.executable, "-m", "taxloss.cli", "build", str(source), "--out", str(out),
               "--outputs", outputs, "--quiet", *extra]  # fmt: skip
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"taxloss build failed (exit {child.returncode}): {' '.join(command)}")
    # wait4's maxrss is the larger of the child's and of its own waited-for children's
    # (the helper processes of --jobs), in KiB on Linux.
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows",
        type=int,
        action="append",
        help="rows to generate (repeatable; default 10k, 100k, 1M)",
    )
    parser.add_argument(
        "--outputs",
        default="all",
        help=f"outputs to write (taxloss build --outputs; all = {ALL}, the default)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (default 1)")
    parser.add_argument("extra", nargs="*", help="further build options, after --")
    args = parser.parse_args()
    outputs = ALL if args.outputs == "all" else args.outputs
    spec = importlib.util.find_spec("taxloss")
    if spec is None or spec.origin is None:
        raise SystemExit("taxloss is not installed (pip install -e .)")
    compileall.compile_dir(Path(spec.origin).parent, quiet=1)
    sizes = args.rows or [10_000, 100_000, 1_000_000]
    print(
        f"{'rows':>10} {'outputs':<18} {'seconds':>8} {'rows/s':>10} {'cpu s':>7} "
        f"{'peak MiB':>9}  slowest of {args.repeat}"
    )
    for rows in sizes:
        with tempfile.TemporaryDirectory() as work:
            source = generate(rows, Path(work) / f"history-{rows}.csv")
            runs = [
                build(source, Path(work) / f"out-{n}", outputs, args.extra)
                for n in range(args.repeat)
            ]
        best = min(runs, key=lambda r: r.seconds)
        worst = max(runs, key=lambda r: r.seconds)
        print(
            f"{rows:>10,} {args.outputs:<18} {best.seconds:>8.2f} {rows / best.seconds:>10,.0f} "
            f"{best.cpu:>7.1f} {best.peak:>9.0f}  {worst.seconds:.2f} s, "
            f"{max(r.peak for r in runs):.0f} MiB",
            flush=True,
        )


if __name__ == "__main__":
    main()
