"""Renderer test helpers: the sample's report, built once per test module."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from taxloss.api import BuildOptions, build_report
from taxloss.model import Report

from ..conftest import ROOT


def sample_report(name: str = "us-liquidated-trader.csv", **options) -> Report:
    """Build a sample's report with paths shown relative to the repository root."""
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        return build_report(BuildOptions(files=(Path("samples") / name,), **options))
    finally:
        os.chdir(here)


@pytest.fixture(scope="module")
def report() -> Report:
    return sample_report()
