"""Parser test helpers: trade projections for goldens and a one-call file reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from taxloss.model import Trade
from taxloss.money import plain
from taxloss.parsers import ParseOptions, read_file


def trade_line(trade: Trade) -> str:
    """One parsed trade as a stable, readable line (the golden projection)."""
    parts = [
        f"{trade.source.line}",
        trade.timestamp.isoformat().replace("+00:00", "Z"),
        trade.kind.value,
        f"{plain(trade.quantity)} {trade.asset}",
    ]
    if trade.quote_asset:
        quote = plain(trade.quote_quantity) if trade.quote_quantity is not None else "?"
        parts.append(f"quote {quote} {trade.quote_asset}")
    if trade.fee_quantity is not None:
        parts.append(f"fee {plain(trade.fee_quantity)} {trade.fee_asset}")
    if trade.fiat_value is not None:
        parts.append(f"value {plain(trade.fiat_value)}")
    parts.append(f"wallet {trade.wallet}")
    if trade.external_id:
        parts.append(f"id {trade.external_id}")
    if trade.position:
        parts.append(f"position {trade.position}")
    if trade.opened is not None:
        parts.append("opened " + trade.opened.isoformat().replace("+00:00", "Z"))
    if trade.note:
        parts.append(f"note {trade.note!r}")
    return " | ".join(parts)


def trades_text(trades: list[Trade]) -> str:
    return "".join(trade_line(t) + "\n" for t in trades)


@pytest.fixture
def parse(monkeypatch: pytest.MonkeyPatch):
    """parse(path, format=None, timezone=None) -> list[Trade], with paths shown relative."""

    def go(path: Path, fmt: str | None = None, timezone=None) -> list[Trade]:
        monkeypatch.chdir(path.parent)
        display = path.name
        return read_file(Path(display), display, ParseOptions(path.stem, timezone), fmt).trades

    return go
