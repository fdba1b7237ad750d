"""Engine test helpers: run an inline generic CSV through parse + compute."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from taxloss import jurisdiction
from taxloss.api import load_trades
from taxloss.engine import compute
from taxloss.model import Report
from taxloss.returns.printed import all_rows

HEADER = (
    "timestamp,type,asset,quantity,quote_asset,quote_quantity,fee_asset,fee_quantity,"
    "fiat_value,wallet"
)


def rows_text(report: Report) -> list[str]:
    """Each disposal as 'year term box desc acquired disposed proceeds basis gain [flags]'."""
    lines = []
    for row in all_rows(report):
        d = row.disposal
        flags = (" LIQ" if d.liquidation else "") + (" MISSING" if d.missing_basis else "")
        lines.append(
            f"{d.tax_year} {d.term.value} {d.box} {row.description} {row.acquired} {row.disposed} "
            f"{row.proceeds} {row.cost_basis} {row.gain} {d.wallet} {d.kind.value}{flags}"
        )
    return lines


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """run(csv_body, method=None, **compute_kwargs) -> Report; the body omits the header."""
    counter = {"n": 0}
    monkeypatch.chdir(tmp_path)

    def go(body: str, method=None, header: str = HEADER, **kwargs) -> Report:
        counter["n"] += 1
        path = Path(f"w{counter['n']}.csv")
        path.write_text(header + "\n" + textwrap.dedent(body).strip() + "\n", encoding="utf-8")
        trades, _, _ = load_trades([path], None, None)
        rule = kwargs.pop("rule", None) or jurisdiction.load_bundled("us")
        return compute(trades, rule, method, **kwargs)

    return go
