"""The account statement (issue #15): the identity holds to the cent for every sample in
``samples/`` (the list is read when the tests are collected, so a new sample is covered
without editing this file), for each wallet, each tax year and in total."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from taxloss.api import BuildOptions, build_report
from taxloss.model import BasisScope, Method, Report
from taxloss.returns.account import (
    AccountLines,
    Statement,
    account_statement,
    printed_lines,
    share_text,
)

from ..conftest import SAMPLE_EXPORTS, SAMPLE_FORMS, SAMPLE_PRICES, SAMPLES

#: Sample files by the country their name starts with (the rest are US histories).
COUNTRIES = ("uk", "ca", "au", "de")
ALL = SAMPLE_EXPORTS
EXCHANGE = [n for n in ALL if not n.startswith(("us-", "uk-", "ca-", "au-", "de-"))]
CENT = Decimal("0.01")
#: Exact decimals may differ at the 28th digit once summed outside the engine's context.
TINY = Decimal("1e-12")


def country_of(name: str) -> str:
    prefix = name.split("-")[0]
    return prefix if prefix in COUNTRIES else "us"


def build(names: list[str], **options: object) -> Report:
    files = tuple(SAMPLES / name for name in names)
    return build_report(BuildOptions(files=files, country=country_of(names[0]), **options))  # type: ignore[arg-type]


def flows(lines: AccountLines) -> Decimal:
    """In - out + realized + income - expenses + other (+ moved, per wallet)."""
    return (
        lines.capital_in - lines.capital_out + lines.realized + lines.income - lines.expenses
        + lines.other + lines.moved
    )  # fmt: skip


def check(statement: Statement, report: Report) -> None:
    """The identity, exactly and on the printed (rounded) figures, in every column."""
    columns = [statement.total, *statement.wallets.values(), *statement.years.values()]
    for lines in columns:
        start = lines.left_at_start - lines.owed_at_start
        assert abs(start + flows(lines) - (lines.left_at_cost - lines.owed)) <= TINY
        assert abs(lines.imbalance()) <= TINY
        printed = printed_lines(lines, report.rule)
        rounding = printed["rounding"]
        # Each printed line, and each form row's three amounts, is off by at most half a cent.
        bound = CENT / 2 * (10 + 3 * len(report.disposals))
        assert rounding is not None and abs(rounding) <= bound
    assert abs(sum((w.moved for w in statement.wallets.values()), Decimal(0))) <= TINY
    last = max(statement.years) if statement.years else None
    if last is not None:
        assert abs(statement.years[last].left_at_cost - statement.total.left_at_cost) <= TINY
        assert statement.years[last].owed == statement.total.owed
    realized = sum((d.gain for d in report.disposals), Decimal(0))
    assert abs(statement.total.realized - realized) <= TINY
    for lines in columns:  # the parts add up to the printed realized results
        assert sum(lines.realized_parts.values(), Decimal(0)) == lines.realized_rows
    liquidated = sum(
        (d.gain for d in report.disposals if d.liquidation), Decimal(0)
    )  # fmt: skip
    assert abs(statement.total.realized_parts["liquidations"] - liquidated) <= CENT / 2 * (
        1 + 3 * len(report.disposals)
    )


@pytest.mark.parametrize("name", ALL)
def test_identity_holds_for_every_sample(name: str) -> None:
    report = build([name])
    check(account_statement(report), report)


@pytest.mark.parametrize("form", sorted(SAMPLE_FORMS))
def test_identity_holds_with_a_form_1099da(form: str) -> None:
    report = build([SAMPLE_FORMS[form], form])
    assert report.reconciliation  # the tie-out ran: (d) and (g) come from the form
    check(account_statement(report), report)


@pytest.mark.parametrize("prices", SAMPLE_PRICES)
def test_identity_holds_with_closing_prices(prices: str) -> None:
    export = prices.removesuffix("-prices.csv") + ".csv"
    report = build([export], prices=SAMPLES / prices)
    check(account_statement(report), report)


def test_identity_holds_for_all_exchange_samples_as_one_history() -> None:
    report = build(EXCHANGE)
    check(account_statement(report), report)


@pytest.mark.parametrize(
    "options",
    [{"method": Method.HIFO}, {"method": Method.LIFO}, {"basis_scope": BasisScope.UNIVERSAL},
     {"basis_scope": BasisScope.WALLET}],
)  # fmt: skip
def test_identity_does_not_depend_on_method_or_scope(options: dict[str, object]) -> None:
    report = build(["us-liquidated-trader.csv"], **options)
    statement = account_statement(report)
    check(statement, report)
    base = account_statement(build(["us-liquidated-trader.csv"]))
    # Money put in and income do not depend on which lots were sold; results and what is left
    # at cost do (and so does a withdrawal's cost), but the identity holds for each.
    assert statement.total.capital_in == base.total.capital_in
    assert statement.total.income == base.total.income


def test_loss_share_and_its_text() -> None:
    assert share_text(None) == "n/a"
    assert share_text(Decimal("0.83449")) == "83.4%"
    lines = AccountLines(capital_in=Decimal(1000), realized=Decimal(-250))
    assert lines.loss_share == Decimal("0.25")
    assert AccountLines(capital_in=Decimal(1000), realized=Decimal(5)).loss_share == 0
    assert AccountLines(realized=Decimal(-5)).loss_share is None


def test_account_imports_only_model_money_and_errors() -> None:
    code = (
        "import sys, taxloss.returns.account\n"
        "bad = sorted(m for m in sys.modules if m.startswith('taxloss.') and m not in "
        "('taxloss.returns', 'taxloss.returns.account', 'taxloss.model', 'taxloss.money', "
        "'taxloss.errors'))\n"
        "print(','.join(bad))\n"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == ""


def test_every_sample_is_in_the_list(tmp_path: Path) -> None:
    # The parametrised tests read samples/ themselves: every file is an export, a --prices
    # file of an export, or a Form 1099-DA built with its export.
    covered = set(ALL) | set(SAMPLE_PRICES) | set(SAMPLE_FORMS)
    assert covered == {p.name for p in SAMPLES.glob("*") if p.suffix in (".csv", ".xlsx")}


def test_the_debts_total_is_the_sum_of_the_printed_debt_rows() -> None:
    from datetime import UTC, date, datetime

    from taxloss import jurisdiction
    from taxloss.model import Debt, SourceRef
    from taxloss.returns.account import owed_rows_total, rounded

    rule = jurisdiction.load_bundled("us")
    debts = [
        Debt("USDT", Decimal("0.014"), Decimal("0.014"), w, datetime(2025, 1, 2, tzinfo=UTC),
             date(2025, 1, 2), "2025", SourceRef("x.csv", n))
        for n, w in ((2, "a"), (3, "b"))
    ]  # fmt: skip
    # Each row prints 0.01; their total is 0.02, not the exact sum rounded once (0.03).
    assert [rounded(d.open_value, rule) for d in debts] == [Decimal("0.01")] * 2
    assert owed_rows_total(debts, rule) == Decimal("0.02")
