"""Form 8949 statement pages hold every row inside the page (issue #16: 40 rows a page ran
past the bottom edge, out of sight on paper and on screen)."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader

from taxloss.cli import main
from taxloss.render.pdf_8949 import STATEMENT_ROWS

HEADER = (
    "timestamp,type,asset,quantity,quote_asset,quote_quantity,fee_asset,fee_quantity,"
    "fiat_value,wallet"
)
SALES = 2 * STATEMENT_ROWS + 5  # two full pages and a last one


def test_every_statement_row_is_on_the_page(tmp_path: Path, runner) -> None:
    lines = [HEADER, "2025-01-02T10:00:00Z,buy,BTC,100,USD,100000,,,,ex"]
    for n in range(SALES):
        day = 3 + n // 10
        lines.append(f"2025-02-{day:02d}T10:{n % 10:02d}:00Z,sell,BTC,0.{n + 1:03d}1,USD,"
                     f"{1000 + n},,,,ex")  # fmt: skip
    source = tmp_path / "sales.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        main,
        ["build", str(source), "--out", str(out), "--outputs", "pdf", "--statement-threshold",
         "11"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    reader = PdfReader(out / "form8949-2025.pdf")
    seen: set[str] = set()
    statement_pages = 0
    for page in reader.pages:
        top = float(page.mediabox.top)
        placed: list[tuple[str, float]] = []

        def visit(text, cm, tm, font, size, placed=placed) -> None:
            if text.strip():
                placed.append((text.strip(), tm[5]))

        page.extract_text(visitor_text=visit)
        if not any("statement of transactions" in text for text, _ in placed):
            continue
        statement_pages += 1
        for text, y in placed:
            assert 12 <= y <= top, (text, y)  # the footer's two lines sit at 22 and 14
            if re.search(r"\b0\.\d{4} BTC\b", text):
                assert y >= 30, (text, y)  # every row above the footer
            seen.update(re.findall(r"\b0\.\d{4} BTC\b", text))
    assert statement_pages == 3
    assert len(seen) == SALES  # every sale's row, once each quantity
