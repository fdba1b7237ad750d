"""Government currencies are never lots (issue #13): their deposits and withdrawals leave.

A deposit or withdrawal of the rule's fiat or of any ``valuation.other_fiat`` currency (every
ISO 4217 code, filled in by the rule loader) moves cash, not a digital asset: it is dropped
before transfers are matched, and the report says so once per row. Exchange parsers already
drop such rows; this covers the generic CSV and any parser that passes one through.
Must not import anything but ``taxloss.model`` and the standard library.
"""

from __future__ import annotations

from collections.abc import Sequence

from taxloss.model import Notice, Rule, Trade, TradeKind

MOVES = frozenset((TradeKind.DEPOSIT, TradeKind.WITHDRAWAL))


def drop_fiat_moves(trades: Sequence[Trade], rule: Rule) -> tuple[list[Trade], list[Notice]]:
    """The trades without deposits and withdrawals of a government currency, and a notice
    for each one dropped.

    Args:
        trades: validated trades.
        rule: the rule (its ``fiat`` and ``other_fiat``).

    Returns:
        The kept trades (same order) and ``fiat_move_dropped`` notices.
    """
    fiat = {rule.fiat, *rule.other_fiat}
    kept: list[Trade] = []
    notices: list[Notice] = []
    for trade in trades:
        if trade.kind in MOVES and trade.asset in fiat:
            notices.append(
                Notice(
                    "fiat_move_dropped",
                    f"{trade.kind.value} of {trade.quantity} {trade.asset}: a government "
                    "currency is not a digital asset (never a lot); the row was dropped",
                    trade.source,
                )
            )
        else:
            kept.append(trade)
    return kept, notices
