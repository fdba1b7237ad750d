"""``taxloss check`` (issue #13): every question about the input files at once, with a
suggested answer where the user's own files give one, and a starter overrides file.

It runs the build's first step (the loaders of ``api``) file by file and the engine's checks;
nothing is written but the starter file. ``api`` re-exports this module's names for the CLI,
so this module takes the loaders from ``api`` when it runs, not when it is imported.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from taxloss.engine import compute
from taxloss.errors import EngineError, InputError, Problem, TaxlossError
from taxloss.fx import load_fx
from taxloss.model import FxTable, OverrideUse, Rule, SourceRef, Trade, TradeKind
from taxloss.money import plain
from taxloss.overrides import Override, apply_overrides, starter_text
from taxloss.paths import display_path

if TYPE_CHECKING:
    from taxloss.api import BuildOptions


#: How far apart in time a trade of the user's own files may be to suggest a price.
SUGGESTION_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Question:
    """One row taxloss cannot use as it is, what would answer it, and a suggested answer."""

    problem: Problem
    #: A suggested overrides action (``value 1234.56``, ``skip``), or ``""``.
    suggestion: str = ""
    #: Where the suggestion comes from, in plain words.
    reason: str = ""


@dataclass(frozen=True)
class CheckResult:
    """What ``taxloss check`` found: every question, and which checks could not run yet."""

    questions: tuple[Question, ...]
    files: int
    trades: int
    #: Checks that wait for earlier answers (plain words; empty when everything ran).
    pending: str = ""
    overrides: tuple[OverrideUse, ...] = ()


def check(options: BuildOptions) -> CheckResult:
    """Read every file and run every check a build runs, listing all questions at once.

    Nothing is written. Rows a parser refuses, rows the engine cannot value or convert,
    overrides that match nothing and (once every row is read and valued) sales of units with
    no recorded acquisition are each a ``Question`` with the row. Where the user's own files
    price an asset within ``SUGGESTION_WINDOW`` of a row that needs a value, that value is
    offered as the suggestion (never applied).

    Raises:
        TaxlossError: problems that are not about a row (options, rule file, overrides file).
    """
    from taxloss.api import (  # see the module docstring
        answers_of,
        checked_rule,
        drop_duplicates,
        fx_currencies,
        load_trades,
        prices_of,
    )

    rule = checked_rule(options)
    prices = prices_of(options)
    answers = answers_of(options)
    problems: list[Problem] = []
    per_file: list[tuple[str, list[Trade]]] = []
    skipped: list[SourceRef] = []
    for path in options.files:
        try:
            trades, _, _ = load_trades(
                [path], options.timezone, options.format, overrides=answers, skipped=skipped
            )
        except InputError as exc:
            problems.extend(exc.problems)
            # Read the file's other rows anyway (the refused ones left out), so their own
            # questions are asked now too; nothing read this way is ever written.
            shown = display_path(path)
            refused = [
                Override(SourceRef("check", 0), "", shown, p.source.line, "skip")
                for p in exc.problems
                if p.source is not None
                and p.source.path == display_path(path)
                and p.source.line > 0
            ]
            try:
                trades, _, _ = load_trades(
                    [path],
                    options.timezone,
                    options.format,
                    overrides=[*answers, *refused],
                    skipped=skipped,
                )
            except InputError:
                continue  # not a row problem (a header, a layout): the file stays unread
        per_file.append((display_path(path), trades))
    trades, _ = drop_duplicates(per_file)
    uses: list[OverrideUse] = []
    if answers:
        try:
            trades, uses = apply_overrides(trades, answers, rule.fiat, skipped)
        except InputError as exc:
            problems.extend(exc.problems)
    unread = bool(problems)
    pending = ""
    fx = FxTable(currency=rule.fiat)
    if rule.fx is not None:
        fx = load_fx(rule.fiat, fx_currencies(rule, trades), options.fx_rates, rule.fx.source)

    def run(history: list[Trade]) -> None:
        compute(
            history,
            rule,
            options.method,
            prices=prices,
            basis_scope=options.basis_scope,
            timezone=options.timezone,
            allow_missing_basis=options.allow_missing_basis,
            fx=fx,
        )

    try:
        run(trades)
    except InputError as exc:  # rows with no value or rate: they do not depend on other rows
        problems.extend(exc.problems)
        pending = (
            "units sold with no recorded acquisition are checked once every file is read and "
            "every row has a value: run taxloss check again after answering these"
        )
        if not unread:
            # The lot checks, without the rows that need a value: a sale is a question only
            # if none of those rows touches its assets (else it waits for their answers).
            blocked = {p.source for p in exc.problems}
            touched = {
                a
                for t in trades
                if t.source in blocked
                for a in (t.asset, t.quote_asset, t.fee_asset)
                if a
            }
            try:
                run([t for t in trades if t.source not in blocked])
            except TaxlossError as later:
                sources = {t.source: t for t in trades}
                for problem in later.problems:
                    trade = sources.get(problem.source) if problem.source else None
                    if trade is not None and not {trade.asset, trade.quote_asset} & touched:
                        problems.append(problem)
            pending = (
                f"sales of {', '.join(sorted(touched))} are checked for units with no recorded "
                "acquisition once the rows above have a value: run taxloss check again after "
                "answering them"
            )
    except EngineError as exc:
        if unread:
            pending = (
                "units sold with no recorded acquisition are checked once every file is read: "
                "run taxloss check again after answering these"
            )
        else:
            problems.extend(exc.problems)
    by_source = {trade.source: trade for trade in trades}
    timeline = sorted(trades, key=lambda t: (t.timestamp, t.source))
    overrides_name = display_path(options.overrides) if options.overrides else ""
    questions = [
        _question(problem, by_source, timeline, rule, overrides_name)
        for problem in sorted(problems, key=lambda p: (p.source is None, p.source or ("", 0)))
    ]
    return CheckResult(tuple(questions), len(options.files), len(trades), pending, tuple(uses))


def _question(
    problem: Problem,
    by_source: dict[SourceRef, Trade],
    timeline: list[Trade],
    rule: Rule,
    overrides_file: str,
) -> Question:
    """A problem as a question, with a suggested overrides action."""
    source = problem.source
    if source is None or source.line < 1:
        return Question(problem)
    if problem.column in ("fiat_value", "fx"):
        trade = by_source.get(source)
        found = _suggest_value(trade, timeline, rule) if trade is not None else None
        if found is not None:
            value, reason = found
            return Question(problem, f"value {value}", reason)
        return Question(problem, "value AMOUNT", f"the row's value in {rule.fiat}")
    if source.path == overrides_file or not problem.column:
        # An overrides line that matches nothing (fix that file), or a sale of units with no
        # recorded acquisition (the message says what would answer it).
        return Question(problem)
    return Question(problem, "skip", "only if the row should not count")


def _priced(code: str, rule: Rule) -> bool:
    """True when an amount of ``code`` is a value in the report currency without conversion."""
    return code == rule.fiat or (rule.fiat == "USD" and code in rule.usd_equivalent)


def _suggest_value(trade: Trade, timeline: list[Trade], rule: Rule) -> tuple[str, str] | None:
    """A value for ``trade`` from a trade of the user's own files in the same hour that prices
    one of its assets in the report currency (the nearest in time), and where it came from."""
    legs = [(trade.asset, trade.quantity)]
    if trade.quote_asset and trade.quote_quantity:
        legs.append((trade.quote_asset, trade.quote_quantity))
    times = [t.timestamp for t in timeline]
    start = bisect_left(times, trade.timestamp - SUGGESTION_WINDOW)
    end = bisect_right(times, trade.timestamp + SUGGESTION_WINDOW)
    best: tuple[timedelta, Decimal, str] | None = None
    for other in timeline[start:end]:
        if other is trade or other.kind not in (TradeKind.BUY, TradeKind.SELL):
            continue
        if not other.quote_quantity or not other.quantity:
            continue
        for asset, quantity in legs:
            if _priced(asset, rule):
                continue
            if other.asset == asset and _priced(other.quote_asset, rule):
                price, pair = other.quote_quantity / other.quantity, other.quote_asset
            elif other.quote_asset == asset and _priced(other.asset, rule):
                price, pair = other.quantity / other.quote_quantity, other.asset
            else:
                continue
            gap = abs(other.timestamp - trade.timestamp)
            if best is None or gap < best[0]:
                minutes = int(gap.total_seconds() // 60)
                reason = (
                    f"{plain(quantity)} {asset} at {price:.2f} {rule.fiat} per unit from your own "
                    f"{asset}/{pair} trade at {other.source}, {minutes} min "
                    f"{'before' if other.timestamp <= trade.timestamp else 'after'}"
                    + ("" if pair == rule.fiat else f" ({pair} taken as 1 {rule.fiat})")
                    + "; not applied: copy it into the action if it is right"
                )
                best = (gap, quantity * price, reason)
    if best is None:
        return None
    cents = best[1].quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{cents}", best[2]


def write_starter(result: CheckResult, path: Path) -> Path:
    """Write a starter overrides file: one line per question about a row, the action empty.

    Raises:
        InputError: the file exists (it may hold answers) or cannot be written.
    """
    if path.exists():
        raise InputError(
            Problem(
                SourceRef(str(path), 1),
                "--write-overrides: the file exists (it may hold your answers): choose another "
                "name or remove it",
            )
        )
    rows = [
        (str(q.problem.source), q.problem.format(), f"{q.suggestion}: {q.reason}".strip(": "))
        for q in result.questions
        if q.problem.source is not None and q.problem.source.line > 0
    ]
    try:
        path.write_text(starter_text(rows), encoding="utf-8")
    except OSError as exc:
        raise InputError(
            Problem(SourceRef(str(path), 1), f"--write-overrides: cannot write ({exc})")
        ) from None
    return path
