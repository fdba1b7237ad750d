"""Deterministic synthetic histories for the benchmarks (taxloss generic CSV).

A seeded mix of buys, sells, staking income and transfers between two exchanges, across
several assets and years, always feasible (no sale exceeds what its wallet holds).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

HEADER = (
    "timestamp,type,asset,quantity,quote_asset,quote_quantity,fee_asset,fee_quantity,"
    "fiat_value,wallet,id\n"
)
ASSETS = {"BTC": 40000, "ETH": 2500, "SOL": 90, "ADA": 0.5, "DOT": 7, "LINK": 14}
WALLETS = ("coinbase", "kraken")


def generate(rows: int, path: Path, seed: int = 7) -> Path:
    """Write ``rows`` data rows to ``path`` and return it."""
    rng = random.Random(seed)
    held = {(w, a): Decimal(0) for w in WALLETS for a in ASSETS}
    start = datetime(2022, 1, 1, tzinfo=UTC)
    span = timedelta(days=4 * 365).total_seconds()
    step = span / max(rows, 1)
    moment = start
    written = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        while written < rows:
            moment += timedelta(seconds=step * rng.uniform(0.5, 1.5))
            stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
            asset = rng.choice(list(ASSETS))
            wallet = rng.choice(WALLETS)
            price = Decimal(str(ASSETS[asset])) * Decimal(rng.randint(60, 160)) / 100
            roll = rng.random()
            key = (wallet, asset)
            if roll < 0.45 or held[key] <= 0:
                quantity = (
                    Decimal(rng.randint(1, 5000))
                    / Decimal(1000)
                    * 1000
                    / Decimal(str(ASSETS[asset]))
                )
                quantity = quantity.quantize(Decimal("0.00000001"))
                cost = (quantity * price).quantize(Decimal("0.01"))
                if cost <= 0:
                    continue
                fee = (cost / 200).quantize(Decimal("0.01"))
                out.write(
                    f"{stamp},buy,{asset},{quantity},USD,{cost},USD,{fee},,{wallet},g{written}\n"
                )
                held[key] += quantity
                written += 1
            elif roll < 0.85:
                quantity = (held[key] * Decimal(rng.randint(5, 90)) / 100).quantize(
                    Decimal("0.00000001")
                )
                if quantity <= 0:
                    continue
                proceeds = (quantity * price).quantize(Decimal("0.01"))
                if proceeds <= 0:
                    continue
                fee = (proceeds / 200).quantize(Decimal("0.01"))
                out.write(
                    f"{stamp},sell,{asset},{quantity},USD,{proceeds},USD,{fee},,{wallet},"
                    f"g{written}\n"
                )
                held[key] -= quantity
                written += 1
            elif roll < 0.93:
                quantity = (Decimal(rng.randint(1, 100)) / 10000).quantize(Decimal("0.0001"))
                value = (quantity * price).quantize(Decimal("0.01"))
                out.write(f"{stamp},income,{asset},{quantity},,,,,{value},{wallet},g{written}\n")
                held[key] += quantity
                written += 1
            elif rows - written >= 2:
                quantity = (held[key] / 2).quantize(Decimal("0.00000001"))
                if quantity <= 0:
                    continue
                other = WALLETS[1 - WALLETS.index(wallet)]
                value = (quantity * price).quantize(Decimal("0.01"))
                received = (quantity * Decimal("0.999")).quantize(Decimal("0.00000001"))
                later = (moment + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
                out.write(
                    f"{stamp},withdrawal,{asset},{quantity},,,,,{value},{wallet},g{written}\n"
                )
                out.write(f"{later},deposit,{asset},{received},,,,,,{other},g{written + 1}\n")
                held[key] -= quantity
                held[(other, asset)] += received
                written += 2
    return path
