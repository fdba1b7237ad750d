"""The pipeline every front end drives, in four steps, top to bottom in this module:

1. load: ``load_rule`` and ``prepare`` read the rule file and every input file into a
   ``Session`` (trades, prices, rates, overrides, Forms 1099-DA, reading notices);
2. compute: ``compute_report`` runs the engine on it and ties the report to the broker's
   forms (``build_report`` is steps 1 and 2); ``start_comparison`` starts the summaries'
   method comparison (``comparison.py``) alongside;
3. plan: ``plan.planned_outputs`` names every output and its render function;
4. write: ``write_outputs`` renders the plan into a staging folder, sharing the work with a
   second process (``workers.py``), and moves it into place all or nothing (``outdir.py``),
   so a failure leaves no half-written file.

``build`` runs the four steps in that order. The other commands reuse them: ``compare``,
``reconcile_forms``, ``harvest`` (``harvest.py``: steps 1, 2 and its own view) and ``check``
(``check.py``: step 1 and the engine's checks, nothing written), re-exported here.
May log; must not print or exit (that is ``cli.py``'s job).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from taxloss import jurisdiction
from taxloss.check import CheckResult, Question, check, write_starter
from taxloss.comparison import Comparison
from taxloss.currencies import asset_codes, clash_notices
from taxloss.engine import History, compute, value_history
from taxloss.errors import (
    EngineError,
    InputError,
    InternalError,
    Problem,
    RenderError,
    RuleError,
    TaxlossError,
    raise_collected,
)
from taxloss.fx import load_fx
from taxloss.harvest import HarvestOptions, HarvestRun, harvest, write_harvest
from taxloss.limits import date_notices, report_problems
from taxloss.model import (
    BasisScope,
    FormRow,
    FxTable,
    InputFile,
    Matching,
    Method,
    Notice,
    OverrideUse,
    PriceTable,
    Report,
    Rule,
    SourceRef,
    Trade,
)
from taxloss.outdir import clear_abandoned, staging_folder, stale, switch
from taxloss.overrides import (
    Override,
    apply_overrides,
    read_overrides,
    skipped_lines,
)
from taxloss.parsers import ParseOptions, read_file
from taxloss.parsers.encodings import (
    DATES_DAY_FIRST,
    DATES_MONTH_FIRST,
    DECIMAL_COMMA_ASSUMED,
    DELIMITER_ASSUMED,
    ENCODING_ASSUMED,
)
from taxloss.parsers.notes import ZONE_ASSUMED
from taxloss.parsers.prices import read_prices
from taxloss.paths import display_path, display_paths
from taxloss.plan import (
    check_software,
    data_outputs,
    form_years,
    offset_plan,
    planned_outputs,
    software_outputs,
)
from taxloss.progress import SILENT, Progress, Silent, event_counter
from taxloss.render.pdf_summary import MethodResult
from taxloss.render.taxsoftware import SOFTWARE_KINDS, SoftwareFile
from taxloss.returns.country import CountryPlan
from taxloss.returns.harvest import Target
from taxloss.returns.printed import Printed
from taxloss.returns.reconcile import (
    reconcile,
    resolve_wallets,
    tie_out_rounding,
    transaction_ids,
)
from taxloss.returns.us import OffsetInputs, OffsetPlan
from taxloss.workers import Renderer, render_all, split_disposals

log = logging.getLogger(__name__)

#: What ``--outputs`` can select; each is written only if the rule file's ``forms`` allow it.
OUTPUT_KINDS = ("json", "csv", "xlsx", "pdf")


@dataclass(frozen=True)
class BuildOptions:
    """Everything ``taxloss build`` can be told."""

    files: tuple[Path, ...]
    country: str | None = "us"
    rules_file: Path | None = None
    method: Method | None = None
    basis_scope: BasisScope | None = None
    year: str | None = None
    timezone: str | None = None
    prices: Path | None = None
    allow_missing_basis: bool = False
    format: str | None = None
    taxpayer: dict[str, str] = field(default_factory=dict)
    outputs: tuple[str, ...] = OUTPUT_KINDS
    offset: OffsetInputs = field(default_factory=OffsetInputs)
    statement_threshold: int = 500
    jobs: int = 2
    fx_rates: Path | None = None
    #: ``--max-rows``: split each TurboTax file after this many rows (None: one file a year).
    max_rows: int | None = None
    #: Wallets whose sales a Form 1099-DA not given reported (``--reported-by``, issue #12).
    reported_by: tuple[str, ...] = ()
    #: Schedule D Exception 1 (``--schedule-d-1a``): G/J rows with no adjustment as totals on
    #: lines 1a/8a.
    schedule_d_1a: bool = False
    #: ``--overrides FILE``: the user's answers to refused rows (issue #13).
    overrides: Path | None = None
    #: The day rows after which are warned about (``limits.date_notices``); None: today (UTC).
    #: Tests pass a day, so no test depends on the clock.
    today: date | None = None


@dataclass(frozen=True)
class Built:
    """A report and the files written for it."""

    report: Report
    written: tuple[Path, ...]
    years: tuple[str, ...]
    #: The printed rows and figures the outputs were written from (for the CLI's summary).
    figures: Printed | None = None
    #: The tax-software files written (``--outputs turbotax,txf,taxact``) with their totals.
    software: tuple[SoftwareFile, ...] = ()
    #: Files of an earlier build that this one removed (``outdir.stale``).
    removed: tuple[Path, ...] = ()
    #: The loss offset every output was written from (US Schedule D and carryovers, or the
    #: country's figures), for the CLI's per-year offset line.
    offsets: OffsetPlan | CountryPlan | None = None


# -- 1. load: the rule file and the input files into a Session ---------------------------------


def load_rule(country: str | None, rules_file: Path | None) -> Rule:
    """Load the rule from ``--rules FILE`` or the bundled ``--country`` file.

    Raises:
        RuleError: unknown country, invalid file, or neither given.
    """
    if rules_file is not None:
        return jurisdiction.load(rules_file, display=display_path(rules_file))
    if not country:
        raise RuleError("give --country (e.g. --country us) or --rules FILE")
    return jurisdiction.load_bundled(country)


def check_timezone(name: str | None) -> None:
    """Raise a RuleError for an unknown IANA zone name."""
    if name is None:
        return
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RuleError(
            f"--timezone: unknown time zone {name!r}: expected an IANA name like "
            "America/New_York or UTC"
        ) from None


def drop_duplicates(
    per_file: Sequence[tuple[str, list[Trade]]],
) -> tuple[list[Trade], list[Notice]]:
    """Count rows that two overlapping exports both contain once (issue #4).

    A row repeats an earlier file's row when it has the same exchange id, or (without ids) the
    same wallet, time, type, asset and amounts. Rows are never dropped within one file, where
    identical fills in the same second are real.

    Returns:
        The kept trades and one notice per file that lost rows.
    """
    seen: dict[tuple[object, ...], str] = {}
    kept: list[Trade] = []
    notices: list[Notice] = []
    for number, (path, trades) in enumerate(per_file):
        if not seen:  # nothing earlier to repeat: keep every row (the first file)
            kept.extend(trades)
            if number < len(per_file) - 1:
                seen = {_row_key(trade): path for trade in trades}
            continue
        mine: dict[tuple[object, ...], str] = {}
        dropped: dict[str, int] = {}
        for trade in trades:
            key = _row_key(trade)
            earlier = seen.get(key)
            if earlier is not None:
                dropped[earlier] = dropped.get(earlier, 0) + 1
                continue
            mine[key] = path
            kept.append(trade)
        seen.update(mine)
        for earlier, count in sorted(dropped.items()):
            notices.append(
                Notice("duplicates_dropped", f"{count} row(s) of {path} repeat rows of {earlier} "
                       "(same exchange id, or same wallet, time, asset and amount) and were "
                       "counted once")
            )  # fmt: skip
    return kept, notices


def _row_key(trade: Trade) -> tuple[object, ...]:
    """What makes a row the same as another file's row (``drop_duplicates``)."""
    if trade.external_id:
        return ("id", trade.wallet, trade.kind, trade.external_id)
    return ("row", trade.wallet, trade.timestamp, trade.kind, trade.asset, trade.quantity,
            trade.quote_asset, trade.quote_quantity)  # fmt: skip


def load_trades(
    files: Sequence[Path],
    timezone: str | None,
    forced_format: str | None,
    progress: Progress = SILENT,
    assumptions: list[Notice] | None = None,
    overrides: Sequence[Override] = (),
    skipped: list[SourceRef] | None = None,
) -> tuple[list[Trade], list[InputFile], list[Notice]]:
    """``load_inputs`` without the Form 1099-DA rows."""
    trades, inputs, notices, _ = load_inputs(
        files, timezone, forced_format, progress, assumptions, overrides, skipped
    )
    return trades, inputs, notices


def load_inputs(
    files: Sequence[Path],
    timezone: str | None,
    forced_format: str | None,
    progress: Progress = SILENT,
    assumptions: list[Notice] | None = None,
    overrides: Sequence[Override] = (),
    skipped: list[SourceRef] | None = None,
) -> tuple[list[Trade], list[InputFile], list[Notice], tuple[FormRow, ...]]:
    """Parse every input file; problems from all files are raised together.

    Args:
        files: export files as the user named them.
        timezone: zone for naive timestamps (``--timezone``), or None.
        forced_format: ``--format`` name, or None to detect.
        progress: told how many bytes of the files are read (the ``reading`` stage).
        assumptions: when given, receives what reading the files assumed (zones, encodings,
            separators: issue #13).
        overrides: ``--overrides`` lines; their ``skip`` rows are left out before parsing.
        skipped: filled with the rows left out.

    Returns:
        All trades (overlaps between files counted once), one ``InputFile`` per file, the
        warnings (rows the parsers flagged or dropped, and every file that repeated rows of
        another), and the rows of every Form 1099-DA file among them.

    Raises:
        InputError: every problem in every file.
    """
    tz = ZoneInfo(timezone) if timezone else None
    per_file: list[tuple[str, list[Trade]]] = []
    inputs: list[InputFile] = []
    problems: list[Problem] = []
    forms: list[FormRow] = []
    read_notices: list[Notice] = []
    read_assumptions: list[Notice] = []
    sizes = [_size(path) for path in files]
    for number, (path, display) in enumerate(zip(files, display_paths(files), strict=True)):
        before = sum(sizes[:number])
        progress.update(before, sum(sizes), display)
        options = ParseOptions(
            wallet=path.stem, timezone=tz, skip_lines=skipped_lines(overrides, display)
        )
        try:
            parsed = read_file(
                path,
                display,
                options,
                forced_format,
                _parsing(progress, display, before, sizes[number], sum(sizes)),
            )
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        inputs.append(parsed.info)
        read_notices.extend(parsed.warnings)
        read_assumptions.extend(parsed.assumptions)
        if skipped is not None:
            skipped.extend(SourceRef(display, line) for line in options.skipped)
        if parsed.forms:
            forms.extend(parsed.forms)
            continue
        per_file.append((display, parsed.trades))
    progress.update(sum(sizes), sum(sizes))
    if problems:
        raise InputError(problems)
    trades, notices = drop_duplicates(per_file)
    if assumptions is not None:
        assumptions.extend(read_assumptions)
    return trades, inputs, read_notices + notices + clash_notices(trades), tuple(forms)


def _parsing(
    progress: Progress, display: str, before: int, size: int, total: int
) -> Callable[[int, int], None] | None:
    """The ``reading`` stage's callback while one file is parsed: the file's ``size`` bytes
    (after ``before`` bytes of earlier files) shared out over its rows. None when silent."""
    if isinstance(progress, Silent):
        return None

    def parsed(made: int, rows: int) -> None:
        progress.update(before + size * made // max(rows, 1), total, display)

    return parsed


def _size(path: Path) -> int:
    """A file's size in bytes for progress (0 if unknown: reading it reports the problem)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


#: Assumptions made while reading the input files (issue #13): ``taxloss build`` prints each.
READING_ASSUMPTIONS = frozenset(
    {
        ZONE_ASSUMED,
        ENCODING_ASSUMED,
        DELIMITER_ASSUMED,
        DECIMAL_COMMA_ASSUMED,
        DATES_DAY_FIRST,
        DATES_MONTH_FIRST,
    }
)


def reading_assumptions(report: Report) -> list[Notice]:
    """The report's assumptions made while reading its input files (zones, encodings,
    separators, decimal marks), in input order."""
    return [a for a in report.assumptions if a.code in READING_ASSUMPTIONS]


def generated_at(inputs: Sequence[InputFile]) -> datetime | None:
    """The report's date: ``SOURCE_DATE_EPOCH`` if set, else the newest input timestamp.

    Never the clock, so the same inputs always give the same outputs.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return max((i.last for i in inputs if i.last is not None), default=None)


@dataclass(frozen=True)
class Session:
    """What a build reads once: the rule, the trades, prices and rates (reused per method)."""

    rule: Rule
    trades: list[Trade]
    inputs: list[InputFile]
    notices: list[Notice]
    prices: PriceTable
    fx: FxTable = field(default_factory=FxTable)
    #: Form 1099-DA rows given among the files, their wallets resolved (issue #12).
    forms: tuple[FormRow, ...] = ()
    assumptions: list[Notice] = field(default_factory=list)
    overrides: tuple[OverrideUse, ...] = ()
    #: What the outputs show of the trades' rows, once the trades are let go (``released``).
    rows: RowFacts | None = None

    def facts(self) -> RowFacts:
        """What the outputs show of the trades' rows (kept, or from the trades)."""
        return self.rows if self.rows is not None else row_facts(self.trades)

    def released(self, facts: bool = True) -> Session:
        """This session without its trades, keeping what the outputs show of their rows: for
        a build whose history is valued (``value_session``), which the engine computes
        from, so the memory of the trades serves the disposals (issue #16). ``facts``
        False: keep none, for runs that show no row and tie out no form (the method
        comparison without Forms 1099-DA)."""
        return replace(self, trades=[], rows=self.facts() if facts else NO_FACTS)


@dataclass(frozen=True)
class RowFacts:
    """What the outputs show of the trades' rows: each row's transaction id and note (the
    non-empty ones) and the (wallet, asset) pairs that appear."""

    ids: dict[SourceRef, str]
    notes: dict[SourceRef, str]
    held: frozenset[tuple[str, str]]


#: The row facts of a session released without them (``Session.released``).
NO_FACTS = RowFacts({}, {}, frozenset())


def row_facts(trades: Sequence[Trade]) -> RowFacts:
    """``RowFacts`` of ``trades``."""
    return RowFacts(
        ids={t.source: t.external_id for t in trades if t.external_id},
        notes={t.source: t.note for t in trades if t.note},
        held=frozenset((t.wallet, t.asset) for t in trades),
    )


def prices_of(options: BuildOptions) -> PriceTable:
    """The ``--prices`` table (empty when none was given)."""
    if options.prices is None:
        return PriceTable()
    return read_prices(options.prices, display_path(options.prices))


def answers_of(options: BuildOptions) -> list[Override]:
    """The ``--overrides`` lines (none when no file was given)."""
    if options.overrides is None:
        return []
    return read_overrides(options.overrides, display_path(options.overrides))


def year_label(rule: Rule, text: str | None) -> str | None:
    """Normalise ``--year`` to the rule's tax-year label.

    Calendar tax years are ``2025``. A tax year starting on another day is labelled
    ``2024-25``; for such a rule ``2024`` (or ``2024/25``) means the tax year that starts in
    2024.

    Raises:
        RuleError: text that names no tax year of this rule.
    """
    if text is None:
        return None
    cleaned = text.strip()
    calendar = (rule.tax_year_start_month, rule.tax_year_start_day) == (1, 1)
    single = re.fullmatch(r"(\d{4})", cleaned)
    pair = re.fullmatch(r"(\d{4})[-/](\d{2}|\d{4})", cleaned)
    if single:
        first = int(single.group(1))
        return cleaned if calendar else f"{first}-{(first + 1) % 100:02d}"
    if pair and not calendar:
        first, second = int(pair.group(1)), pair.group(2)
        if int(second) in ((first + 1) % 100, first + 1):
            return f"{first}-{(first + 1) % 100:02d}"
    wanted = "a year like 2025" if calendar else "a tax year like 2024-25 (or 2024 for it)"
    raise RuleError(f"--year: expected {wanted} for {rule.path}, found {text!r}")


def fx_currencies(rule: Rule, trades: Sequence[Trade]) -> set[str]:
    """Currencies a history may need converted: USD (stablecoins, ``fiat_value``) and every
    government currency of the rule's ``valuation.other_fiat`` that appears in a row."""
    if rule.fx is None:
        return set()
    found = {"USD", rule.fx.stablecoin_currency}
    found |= asset_codes(trades) & set(rule.other_fiat)
    found |= {trade.fiat_currency for trade in trades} - {""}
    return found - {rule.fiat}


def checked_rule(options: BuildOptions) -> Rule:
    """The rule, with every option checked against it before any file is read (``build``,
    ``check`` and ``harvest`` alike).

    Raises:
        TaxlossError: an option the rule or the machine cannot honour.
    """
    rule = load_rule(options.country, options.rules_file)
    check_timezone(options.timezone)
    year_label(rule, options.year)
    if options.method is not None and options.method not in rule.methods:
        if rule.matching is not Matching.LOTS:
            raise RuleError(
                f"--method: {rule.path} matches by {rule.matching.value} (matching.strategy); "
                "lot methods do not apply"
            )
        allowed = ", ".join(m.value for m in rule.methods)
        raise RuleError(
            f"--method: {options.method.value!r} is not allowed by {rule.path} (allowed: {allowed})"
        )
    if options.fx_rates is not None and rule.fx is None:
        raise RuleError(
            f"--fx-rates: {rule.path} has no [fx] section: its amounts are already in "
            f"{rule.fiat} (use --prices for other currencies)"
        )
    check_software(options, rule)
    return rule


def prepare(options: BuildOptions, progress: Progress = SILENT) -> Session:
    """Load the rule, check the options against it, read the prices and every input file
    (``progress``: the ``reading`` stage).

    Raises:
        TaxlossError: any user-fixable problem in the options, rule or files.
    """
    rule = checked_rule(options)
    prices = prices_of(options)
    answers = answers_of(options)
    skipped: list[SourceRef] = []
    assumptions: list[Notice] = []
    trades, inputs, notices, forms = load_inputs(
        options.files, options.timezone, options.format, progress, assumptions, answers, skipped
    )
    uses: list[OverrideUse] = []
    if answers:
        trades, uses = apply_overrides(trades, answers, rule.fiat, skipped)
    notices += date_notices(trades, options.today or today())
    fx = FxTable(currency=rule.fiat)
    if rule.fx is not None:
        fx = load_fx(rule.fiat, fx_currencies(rule, trades), options.fx_rates, rule.fx.source)
    forms = check_forms(rule, trades, forms, options)
    return Session(rule, trades, inputs, notices, prices, fx, forms, assumptions, tuple(uses))


# -- 2. compute: the engine's report, tied to the broker's forms -------------------------------


def check_forms(
    rule: Rule, trades: Sequence[Trade], forms: tuple[FormRow, ...], options: BuildOptions
) -> tuple[FormRow, ...]:
    """Give each Form 1099-DA row its wallet and check ``--reported-by`` (issue #12).

    Raises:
        RuleError: forms or ``--reported-by`` with a rule that has no Form 8949 boxes.
        InputError: a form or ``--reported-by`` wallet that no export holds.
    """
    if not forms and not options.reported_by:
        return forms
    if not any(p.short in ("I", "H") for p in rule.boxes):
        raise RuleError(
            f"Form 1099-DA and --reported-by are US forms: {rule.path} has no Form 8949 "
            "boxes G-L (build with --country us)"
        )
    wallets = {t.wallet for t in trades}
    missing = [w for w in options.reported_by if w not in wallets]
    if missing:
        listed = ", ".join(sorted(wallets)) or "none"
        raise InputError(
            [Problem(None, f"--reported-by: no export given holds wallet {w!r} (wallets in the "
                     f"exports: {listed})") for w in missing]
        )  # fmt: skip
    return resolve_wallets(forms, wallets)


def tie_out(report: Report, session: Session, options: BuildOptions) -> Report:
    """The report with its disposals tied to the Forms 1099-DA given (``returns.reconcile``):
    boxes G/H/J/K, columns (d)/(e)/(g), codes, transaction ids, the tie-out lines and their
    notices. Unchanged when no form and no ``--reported-by`` was given."""
    if not session.forms and not options.reported_by:
        return report
    facts = session.facts()
    ids = transaction_ids(facts.ids.items())
    tied = reconcile(report, session.forms, options.reported_by, ids, facts.held)
    return replace(
        report,
        disposals=tied.disposals,
        reconciliation=tied.lines,
        form_rows=session.forms,
        reported_by=tuple(options.reported_by),
        schedule_d_1a=options.schedule_d_1a,
        warnings=report.warnings + tied.notices,
        tie_out_rounding=tie_out_rounding(report.disposals, tied.disposals),
    )


def today() -> date:
    """Today's date in UTC: the one use of the clock (rows after it are warned about). The
    test suite replaces it with a fixed day (tests/conftest.py)."""
    return datetime.now(UTC).date()


def resolve(options: BuildOptions, rule: Rule) -> BuildOptions:
    """``options`` with ``--year`` as the rule's tax-year label (see ``year_label``)."""
    label = year_label(rule, options.year)
    if label == options.year:
        return options
    return replace(options, year=label)


def compute_report(
    session: Session,
    options: BuildOptions,
    method: Method | None = None,
    progress: Progress = SILENT,
    history: History | None = None,
    *,
    references: bool = True,
    consume: bool = False,
) -> Report:
    """Run the engine on a prepared session (``method`` overrides ``options.method``;
    ``progress``: the ``matching`` stage; ``history``: the session's trades already valued,
    ``value_session``; ``references``: look up the ids and notes of the rows the disposals
    name, which only the outputs show; the method comparison needs none; ``consume``: the
    last run of ``history``, which lets its events go as it goes, ``engine.compute``).

    Raises:
        TaxlossError: rows that need a price, or disposals of units never acquired.
    """
    if history is None and session.rows is not None:
        raise InternalError("a released session (no trades) needs its valued history")
    report = compute(
        session.trades,
        session.rule,
        method or options.method,
        prices=session.prices,
        basis_scope=options.basis_scope,
        timezone=options.timezone,
        allow_missing_basis=options.allow_missing_basis,
        fx=session.fx,
        on_events=event_counter(progress),
        history=history,
        consume=consume,
    )
    raise_collected(report_problems(report), EngineError)
    # The ids and notes of the input rows (the outputs show those the disposals name): the
    # row facts' own maps, not a copy of the part used (a million-row history has a million
    # ids; most rows are named). The method comparison shows none.
    facts = session.facts() if references else NO_FACTS
    report = replace(
        report,
        inputs=tuple(session.inputs),
        generated_at=generated_at(session.inputs),
        warnings=tuple(session.notices) + report.warnings,
        assumptions=tuple(session.assumptions) + report.assumptions,
        overrides=session.overrides,
        row_ids=facts.ids,
        row_notes=facts.notes,
    )
    return tie_out(report, session, options)


def value_session(session: Session, options: BuildOptions) -> History:
    """The session's trades ordered, matched and valued once, for every method's run
    (``engine.value_history``).

    Raises:
        TaxlossError: rows that need a price or an exchange rate.
    """
    return value_history(
        session.trades, session.rule, prices=session.prices, timezone=options.timezone,
        fx=session.fx,
    )  # fmt: skip


def build_report(options: BuildOptions) -> Report:
    """Files in, ``Report`` out (nothing written).

    Args:
        options: the build options.

    Returns:
        The report, with its inputs and date filled in.

    Raises:
        TaxlossError: any user-fixable problem (input, rule, engine).
    """
    session = prepare(options)
    return compute_report(session, resolve(options, session.rule))


# -- 2b. the method comparison (comparison.py), and the commands that show it ------------------


def compare_methods(
    session: Session, options: BuildOptions, year: str, base: Report | None = None
) -> list[MethodResult]:
    """The tax year under every method the rule allows (FIFO, LIFO, HIFO for the US; a
    pooling rule has one).

    Args:
        session: the prepared inputs.
        options: build options (scope, time zone, offset inputs...).
        year: the tax-year label.
        base: an already computed report to reuse for its own method.

    Returns:
        One result per method, in the rule's order.
    """
    return Comparison(session, options, base, compute=compute_report).for_year(year)


def start_comparison(
    session: Session, options: BuildOptions, cleanup: contextlib.ExitStack, history: History
) -> Comparison | None:
    """The summaries' method comparison of a build (None without PDFs), on the build's own
    valuation ``history``, started in helper processes with ``--jobs`` 2 or more;
    ``cleanup`` stops them."""
    if "pdf" not in options.outputs:
        return None
    comparison = Comparison(session, options, None, compute=compute_report)
    comparison.history = history
    rule = session.rule
    own = rule.matching if rule.matching is not Matching.LOTS else None
    comparison.skip = own or options.method or rule.default_method
    if options.jobs > 1:
        comparison.start(comparison.skip)
        cleanup.callback(comparison.stop)
    return comparison


def compare(options: BuildOptions, year: str) -> tuple[list[MethodResult], Rule]:
    """``taxloss compare``: one tax year under every allowed method.

    Raises:
        TaxlossError: any user-fixable problem.
    """
    with paused_gc():
        session = prepare(options)
        options = resolve(options, session.rule)
        label = year_label(session.rule, year) or year
        return compare_methods(session, options, label), session.rule


def reconcile_forms(options: BuildOptions, year: str | None) -> Report:
    """``taxloss reconcile``: the report tied to the Forms 1099-DA given; nothing is written.

    Raises:
        TaxlossError: any user-fixable problem, or no form and no ``--reported-by``.
    """
    with paused_gc():
        session = prepare(options)
        if not session.forms and not options.reported_by:
            raise InputError(
                Problem(None, "reconcile: no Form 1099-DA among FILES: give the broker's form "
                        "(taxloss detect names it 1099-da) or --reported-by WALLET")
            )  # fmt: skip
        options = resolve(replace(options, year=year), session.rule)
        return compute_report(session, options)


# -- 4. write: render the plan (3. plan.py), move it into place all or nothing -----------------


@contextmanager
def staging_area(out: Path) -> Iterator[Path]:
    """A temporary directory in ``out`` (created if needed) for the outputs, removed when the
    block ends; ``write_outputs`` moves the finished files out of it.

    Raises:
        RenderError: the directory cannot be created.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        clear_abandoned(out)
        staging = staging_folder(out)
    except OSError as exc:
        raise RenderError(f"{out}: cannot create the output directory: {exc.strerror}") from None
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_outputs(
    plan: Sequence[tuple[str, Renderer]],
    out: Path,
    jobs: int = 1,
    staging: Path | None = None,
    removed: list[Path] | None = None,
) -> tuple[Path, ...]:
    """Render every output into a temporary directory, then move them all into ``out``, all
    or nothing (``outdir.switch``), removing the files of an earlier taxloss build that this
    one does not write (``outdir.stale``).

    Args:
        plan: (file name, render function) pairs.
        out: the output directory (created if needed).
        jobs: processes to render with (see ``render_all``).
        staging: the temporary directory (``staging_area``), if already made.
        removed: given (by ``build``): the files of an earlier build that this plan does not
            write are removed, and added to it; None (another command's files): none is.

    Returns:
        The final paths.

    Raises:
        RenderError: the directory cannot be created or written (nothing is written).
    """
    if staging is None:
        with staging_area(out) as made:
            return write_outputs(plan, out, jobs, made, removed)
    try:
        render_all(plan, staging, jobs)
    except OSError as exc:
        raise RenderError(f"{out}: cannot write outputs: {exc.strerror}") from None
    names = [name for name, _ in plan]
    old = stale(out, names) if removed is not None else []  # only a build replaces a build
    switch(staging, out, names, old)
    if removed is not None:
        removed.extend(old)
    return tuple(out / name for name in names)


def watched(plan: Sequence[tuple[str, Renderer]], progress: Progress) -> list[tuple[str, Renderer]]:
    """The plan, with each render telling ``progress`` which output is being written and how
    many this process has finished. Renders run by another process (``--jobs``) say nothing:
    only the process that called ``build`` draws progress, so the count may jump at the end.
    """
    if isinstance(progress, Silent):
        return list(plan)
    owner, total, done = os.getpid(), len(plan), [0]

    def watch(name: str, render: Renderer) -> Renderer:
        def run(path: Path) -> Path:
            if os.getpid() != owner:
                return render(path)
            progress.update(done[0], total, name)
            result = render(path)
            done[0] += 1
            progress.update(done[0], total, name)
            return result

        return run

    return [(name, watch(name, render)) for name, render in plan]


@contextmanager
def paused_gc(freeze: bool = False) -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building (re-enabled afterwards).

    A build allocates millions of small objects that form no reference cycles (trades, lots,
    disposals, printed rows); reference counting frees them. The collector would still walk
    all of them again and again, for about a third of the engine's time on 100,000 rows, and
    find nothing. Paused, it also leaves the pages of a forked renderer unshared no sooner
    than needed (see ``gc.freeze``).

    ``freeze``: leave the objects that are still alive out of later collections
    (``gc.freeze``), for a command that ends soon after: its first collection would walk all
    of them once more (seconds for a million rows). Reference counting still frees them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


# -- the build: load, compute, plan, write -----------------------------------------------------


def build(options: BuildOptions, out: Path, progress: Progress = SILENT) -> Built:
    """Build the report and write every output into ``out``.

    Args:
        options: the build options.
        out: the output directory.
        progress: told each stage (reading, matching, printing, writing) and how far it is.

    Raises:
        TaxlossError: any user-fixable problem; nothing is written in that case.
    """
    try:
        return _build(options, out, progress)
    finally:
        progress.finish()


def _build(options: BuildOptions, out: Path, progress: Progress) -> Built:
    with paused_gc(), contextlib.ExitStack() as cleanup:
        progress.stage("reading")
        session = prepare(options, progress)
        options = resolve(options, session.rule)
        progress.stage("matching")
        history = value_session(session, options)
        comparison = start_comparison(session, options, cleanup, history)
        # The engine computes from the history: the trades are let go before it makes the
        # disposals (a million trades are several hundred MiB), keeping only what the
        # outputs show of their rows; after the comparison's helpers are forked, so that
        # this runs alongside them (a second at a million rows), not before them.
        session = session.released()
        if comparison is not None:
            comparison.session = session
        # The build's own run is the history's last in this process unless the comparison
        # runs here later (one process): it lets each event go once applied.
        last = comparison is None or not comparison.needs_history
        report = compute_report(session, options, progress=progress, history=history, consume=last)
        if options.year is not None and options.year not in report.tax_years:
            log.info("tax year %s has no disposals; writing empty forms", options.year)
        # Only the summary PDF's method comparison runs the engine again (in its helper
        # processes, or here now); the valued history (its events) is let go here, before the
        # printed rows are made.
        if comparison is not None:
            comparison.detach()
        del session, history
        removed: list[Path] = []
        names = data_outputs(report, options)
        with (
            staging_area(out) as staging,
            split_disposals(report, names, options.jobs, staging) as split,
        ):
            progress.stage("printing")
            figures = Printed(report)
            # The account statement, made once before the render processes fork: the
            # summaries, report.json and the terminal all show it, and whichever process
            # drew them would make it again (at the end of the build, in this one).
            figures.account()
            if comparison is not None:
                comparison.base, comparison.figures = report, figures
            shown = comparison.for_year if comparison is not None else None
            offsets = offset_plan(report, options, figures)
            software = software_outputs(report, options, figures)
            plan = planned_outputs(
                report, options, figures, split, shown, offsets=offsets, software=software
            )
            progress.stage("writing")
            written = write_outputs(watched(plan, progress), out, options.jobs, staging, removed)
            progress.update(len(plan), len(plan))
    return Built(
        report,
        written,
        form_years(report, options.year),
        figures,
        tuple(software[0]),
        tuple(removed),
        offsets,
    )


__all__ = [
    "SOFTWARE_KINDS",
    "BuildOptions",
    "Built",
    "CheckResult",
    "HarvestOptions",
    "HarvestRun",
    "Question",
    "Target",
    "TaxlossError",
    "build",
    "build_report",
    "check",
    "harvest",
    "load_rule",
    "load_trades",
    "write_harvest",
    "write_starter",
]
