"""Parser test helpers: trade projections for goldens, a one-call file reader, the lines of an
InputError, and the CLI's ``build``/``detect`` run on files (after a ``chdir`` when asked)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from click.testing import CliRunner

from taxloss.errors import InputError
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
        currency = f" {trade.fiat_currency}" if trade.fiat_currency else ""
        parts.append(f"value {plain(trade.fiat_value)}{currency}")
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


def trade_lines(trades: Iterable[Trade]) -> list[str]:
    """The golden projection of each trade, one string per trade."""
    return [trade_line(t) for t in trades]


def errors(parse: Callable[..., list[Trade]], path: Path, *args, **kwargs) -> list[str]:
    """The lines of the InputError that ``parse(path, ...)`` raises (it must raise one)."""
    with pytest.raises(InputError) as info:
        parse(path, *args, **kwargs)
    return str(info.value).splitlines()


def write(directory: Path, name: str, text: str) -> Path:
    """Write ``text`` as it is (no dedent: preambles and blank lines count) and return the path."""
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def parse(monkeypatch: pytest.MonkeyPatch):
    """parse(path, format=None, timezone=None) -> list[Trade], with paths shown relative."""

    def go(path: Path, fmt: str | None = None, timezone=None) -> list[Trade]:
        monkeypatch.chdir(path.parent)
        display = path.name
        return read_file(Path(display), display, ParseOptions(path.stem, timezone), fmt).trades

    return go


@pytest.fixture
def build(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """build(*files, out=None, extra=(), cwd=None) -> report.json of ``taxloss build --country
    us`` (exit code 0 asserted); ``cwd``: run from there, so relative names are shown as given."""

    from taxloss.cli import main  # here: the reader tests do not need the CLI to import

    def go(
        *files: Path | str,
        out: Path | None = None,
        extra: Iterable[str] = (),
        cwd: Path | None = None,
    ) -> dict:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        out = out or tmp_path / "out"
        args = ["build", "--country", "us", *map(str, files), "--out", str(out), *extra]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        return json.loads((out / "report.json").read_text(encoding="utf-8"))

    return go


@pytest.fixture
def detect(runner: CliRunner, monkeypatch: pytest.MonkeyPatch):
    """detect(*files, cwd=None) -> the output of ``taxloss detect`` (exit code 0 asserted)."""

    from taxloss.cli import main

    def go(*files: Path | str, cwd: Path | None = None) -> str:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        result = runner.invoke(main, ["detect", *map(str, files)])
        assert result.exit_code == 0, result.output
        return result.output

    return go
