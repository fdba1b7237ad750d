"""Benchmark the Binance statement parser: rows/second, seconds and peak memory per size.

    python benchmarks/bench_parse_binance.py                      # 10k, 100k and 1M rows
    python benchmarks/bench_parse_binance.py --rows 250000 --seed 7

Each size is generated here (seeded, so runs are comparable) as a realistic statement mix:
spot orders in several fills (legs in random order at one second), converts, Earn interest,
deposits and withdrawals, Spot <-> Funding and Spot <-> USD-M Futures transfers, futures fees,
funding, realized PnL and insurance-fund liquidations, margin loans and repayments, with the
export's number quirks (exponent notation, long float tails). Each size is then parsed by
``taxloss.parsers.read_file`` in a fresh subprocess, so the peak RSS is the parse's own.
``seconds`` is the wall time of ``read_file`` (detection, reading and parsing), ``cpu s`` the
child's CPU time including interpreter start-up (steadier than wall time on a busy machine).
Target (2 cores): 1,000,000 rows in <= 20 s and <= 2 GiB.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

HEADER = ("User_ID", "UTC_Time", "Account", "Operation", "Coin", "Change", "Remark")
BASES = {"BTC": 60000, "ETH": 3000, "SOL": 150, "BNB": 550, "XRP": 0.6, "1INCH": 0.4}

CHILD = """
import json, resource, sys, time
from pathlib import Path
from taxloss.parsers import ParseOptions, read_file

path = sys.argv[1]
start = time.perf_counter()
parsed = read_file(Path(path), path, ParseOptions(wallet="binance"))
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "cpu": time.process_time(), "rows": parsed.info.rows,
                  "trades": len(parsed.trades), "peak": usage.ru_maxrss / 1024}))
"""


def _amount(rng: random.Random, value: float, places: int = 8) -> str:
    """A Change cell the way Binance writes it: plain, exponent, or with a float tail."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".") or "0"
    style = rng.random()
    if style < 0.05 and abs(value) < 0.001 and value != 0:
        return f"{value:.3E}"  # -3.605E-05
    if style < 0.10:
        return repr(float(text) * 1.0000000000000002)  # a long float tail
    return text


def generate(rows: int, path: Path, seed: int = 20250101) -> int:
    """Write a statement of at least ``rows`` rows (whole events only); return the row count."""
    rng = random.Random(seed)
    moment = datetime(2024, 1, 1)
    written = 0
    user = "40111222"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        while written < rows:
            moment += timedelta(seconds=rng.randint(2, 40))
            when = moment.strftime("%Y-%m-%d %H:%M:%S")
            event = rng.random()
            out: list[tuple[str, str, str, float]] = []
            if event < 0.40:  # a spot order in 1-3 fills
                base = rng.choice(list(BASES))
                price = BASES[base] * rng.uniform(0.8, 1.2)
                buy = rng.random() < 0.5
                for _ in range(rng.randint(1, 3)):
                    size = round(rng.uniform(0.01, 2.0) * (1000 / BASES[base]) ** 0.5, 6)
                    cost = round(size * price, 6)
                    if buy:
                        out.append(("Spot", "Transaction Buy", base, size))
                        out.append(("Spot", "Transaction Spend", "USDT", -cost))
                        out.append(("Spot", "Transaction Fee", base, -round(size * 0.001, 8)))
                    else:
                        out.append(("Spot", "Transaction Sold", base, -size))
                        out.append(("Spot", "Transaction Revenue", "USDT", cost))
                        out.append(("Spot", "Transaction Fee", "USDT", -round(cost * 0.001, 8)))
                rng.shuffle(out)
            elif event < 0.45:
                size = round(rng.uniform(10, 500), 2)
                out.append(("Spot", "Binance Convert", "USDT", -size))
                out.append(("Spot", "Binance Convert", "ETH", round(size / 3000, 8)))
            elif event < 0.60:
                out.append(("Earn", "Simple Earn Flexible Interest", "USDT", rng.uniform(0, 2)))
            elif event < 0.72:
                out.append(("USD-M Futures", "Funding Fee", "USDT", rng.uniform(-3, 2)))
            elif event < 0.80:
                out.append(("USD-M Futures", "Fee", "USDT", -rng.uniform(0.1, 5)))
                out.append(("USD-M Futures", "Realized Profit and Loss", "USDT", rng.gauss(0, 80)))
            elif event < 0.82:
                out.append(
                    ("USD-M Futures", "Realized Profit and Loss", "USDT", -rng.uniform(100, 900))
                )
                out.append(
                    ("USD-M Futures", "Insurance Fund Compensation", "USDT", -rng.uniform(1, 9))
                )
            elif event < 0.87:
                coin = rng.choice(["BTC", "ETH", "USDT"])
                size = round(rng.uniform(0.01, 1) * (1 if coin != "USDT" else 5000), 8)
                operation = "Deposit" if rng.random() < 0.6 else "Withdraw"
                out.append(("Spot", operation, coin, size if operation == "Deposit" else -size))
            elif event < 0.93:
                size = round(rng.uniform(50, 2000), 2)
                operation = "Transfer Between Spot Account and UM Futures Account"
                direction = 1 if rng.random() < 0.5 else -1
                out.append(("Spot", operation, "USDT", -direction * size))
                out.append(("USD-M Futures", operation, "USDT", direction * size))
                rng.shuffle(out)
            elif event < 0.98:
                size = round(rng.uniform(50, 2000), 2)
                operation = "Transfer Between Main and Funding Wallet"
                out.append(("Spot", operation, "USDT", -size))
                out.append(("Funding", operation, "USDT", size))
            else:
                size = round(rng.uniform(100, 1000), 2)
                operation = "Margin Loan" if rng.random() < 0.5 else "Margin Repayment"
                sign = 1 if operation == "Margin Loan" else -1
                out.append(("Cross Margin", operation, "USDT", sign * size))
            for account, operation, coin, value in out:
                writer.writerow((user, when, account, operation, coin, _amount(rng, value), ""))
            written += len(out)
    return written


def run(rows: int, seed: int, work: Path) -> dict[str, float]:
    """Generate and parse one size in a subprocess; return its measurements."""
    source = work / f"statement-{rows}.csv"
    written = generate(rows, source, seed)
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(source)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(result.stdout)
    figures["written"] = written
    figures["megabytes"] = source.stat().st_size / 2**20
    source.unlink()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, action="append", help="rows to generate (repeatable; default 10k, "
        "100k, 1M)"
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=20250101, help="generator seed")
    args = parser.parse_args()
    sizes = args.rows or [10_000, 100_000, 1_000_000]
    print(
        f"{'rows':>10} {'file MiB':>9} {'trades':>9} {'seconds':>8} {'cpu s':>7} {'rows/s':>10} "
        f"{'peak MiB':>9}"
    )
    with tempfile.TemporaryDirectory() as work:
        for rows in sizes:
            f = run(rows, args.seed, Path(work))
            print(
                f"{int(f['rows']):>10,} {f['megabytes']:>9.1f} {int(f['trades']):>9,} "
                f"{f['seconds']:>8.2f} {f['cpu']:>7.2f} {f['rows'] / f['seconds']:>10,.0f} "
                f"{f['peak']:>9.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
