"""The XLSX workbooks open in LibreOffice (converted headless to PDF without error).

Runs where LibreOffice is installed (`soffice` on PATH); skipped elsewhere, e.g. in CI.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from taxloss.cli import main

from ..conftest import SAMPLES

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")


@pytest.mark.parametrize(("country", "sample", "workbook"), [
    ("us", "us-liquidated-trader.csv", "form8949-2025.xlsx"),
    ("uk", "uk-pooling.csv", "capital-gains-2024-25.xlsx"),
])  # fmt: skip
def test_workbook_opens_in_libreoffice(runner, tmp_path: Path, country, sample, workbook) -> None:
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", "--country", country, str(SAMPLES / sample), "--out",
                                  str(out), "--outputs", "xlsx"])  # fmt: skip
    assert result.exit_code == 0, result.output
    converted = tmp_path / "converted"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "pdf", "--outdir", str(converted), str(out / workbook)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    assert (converted / workbook.replace(".xlsx", ".pdf")).stat().st_size > 10_000
