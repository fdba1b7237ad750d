"""Match withdrawals to deposits between the taxpayer's own wallets.

A withdrawal of an asset from one wallet and a deposit of the same asset into another wallet
form a transfer when the deposit arrives within ``transfers.window_hours`` after the withdrawal
and receives at most the units sent and at least ``transfers.min_received_ratio`` of them. The
matching is greedy and deterministic: withdrawals in time order, each taking the earliest
eligible deposit (then the closest amount, then the first source row).
Must not import anything but ``taxloss.model`` and the standard library.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from taxloss.model import Rule, Trade, TradeKind

#: A deposit at the moment of its withdrawal (an exact match stops the search).
NO_DELAY = timedelta(0)


@dataclass(frozen=True, slots=True)
class Match:
    """A matched pair of trades (indexes into the sorted trade list) and why they matched."""

    withdrawal: int
    deposit: int
    sent: Decimal
    received: Decimal
    reason: str


def units_sent(trade: Trade) -> Decimal:
    """Units leaving the wallet on a withdrawal: quantity plus any fee taken in the same asset."""
    if trade.fee_quantity is not None and trade.fee_asset == trade.asset:
        return trade.quantity + trade.fee_quantity
    return trade.quantity


def units_received(trade: Trade) -> Decimal:
    """Units credited on a deposit: quantity less any fee taken in the same asset."""
    if trade.fee_quantity is not None and trade.fee_asset == trade.asset:
        return trade.quantity - trade.fee_quantity
    return trade.quantity


def match_transfers(trades: list[Trade], rule: Rule) -> list[Match]:
    """Pair withdrawals with deposits in other wallets.

    Args:
        trades: all trades, already sorted by (timestamp, source).
        rule: supplies the time window and the minimum received share.

    Returns:
        The matches, in withdrawal order.
    """
    window = timedelta(hours=rule.transfer_window_hours)
    deposits: dict[str, list[int]] = defaultdict(list)
    deposit_kind, withdrawal_kind = TradeKind.DEPOSIT, TradeKind.WITHDRAWAL  # (looked up once)
    for index, trade in enumerate(trades):
        if trade.kind is deposit_kind:
            deposits[trade.asset].append(index)
    times = {asset: [trades[i].timestamp for i in idx] for asset, idx in deposits.items()}
    taken: set[int] = set()
    matches: list[Match] = []
    for index, trade in enumerate(trades):
        if trade.kind is not withdrawal_kind or trade.asset not in deposits:
            continue
        sent = units_sent(trade)
        least = sent * rule.transfer_min_ratio  # (the same for every candidate)
        moment, wallet = trade.timestamp, trade.wallet
        candidates = deposits[trade.asset]
        start = bisect_left(times[trade.asset], moment)
        best: tuple[timedelta, Decimal, int] | None = None
        for position in range(start, len(candidates)):
            deposit_index = candidates[position]
            deposit = trades[deposit_index]
            delay = deposit.timestamp - moment
            if delay > window:
                break
            if deposit_index in taken or deposit.wallet == wallet:
                continue
            received = units_received(deposit)
            if not (least <= received <= sent):
                continue
            candidate = (delay, sent - received, deposit_index)
            if best is None or candidate < best:
                best = candidate
                if delay == NO_DELAY and received == sent:
                    break
        if best is None:
            continue
        delay, _, deposit_index = best
        taken.add(deposit_index)
        received = units_received(trades[deposit_index])
        share = received / sent * 100 if sent else Decimal(100)
        reason = (
            f"same asset, other wallet, deposit {_duration(delay)} after the withdrawal "
            f"(limit {rule.transfer_window_hours} h), received {share:.2f}% of the units sent"
            f" (limit {rule.transfer_min_ratio * 100:.0f}%)"
        )
        matches.append(Match(index, deposit_index, sent, received, reason))
    return matches


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
