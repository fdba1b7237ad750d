"""The ``taxloss`` command line. The only module that prints or exits.

User-fixable problems (``TaxlossError``) print one ``path:line:`` line each to stderr and exit
2 with no traceback; usage errors exit 2 (click); anything else is a bug and exits 1 with its
traceback. All logic lives in ``api.py``.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from taxloss import __version__, api, jurisdiction
from taxloss.errors import EngineError, InputError, TaxlossError, format_error
from taxloss.model import BasisScope, FilingStatus, Method, Notice, Report
from taxloss.money import D
from taxloss.paths import display_path, display_paths
from taxloss.progress import SILENT, Progress
from taxloss.render.account import account_text
from taxloss.render.harvest import harvest_json, harvest_text
from taxloss.render.text import amount as amount_text
from taxloss.render.text import comparison_json, comparison_text, render_text
from taxloss.render.text_1099da import reconcile_text

F = TypeVar("F", bound=Callable[..., Any])

#: ``--method`` of every command that computes lots (build, reconcile, harvest, check).
METHOD = click.option(
    "--method",
    type=click.Choice([m.value for m in Method]),
    help="Lot identification: fifo, lifo or hifo (rules that pool, uk and ca, have no lot "
    "method). Default: the rule file's (US: fifo).",
)

FILES = click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)


def user_errors(command: F) -> F:
    """Print a TaxlossError as its ``path:line:`` lines and exit 2."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except TaxlossError as exc:
            click.echo(format_error(exc), err=True)
            hint = answer_hint(exc, kwargs)
            if hint and interactive():
                click.echo(hint, err=True)
            sys.exit(2)

    return run  # type: ignore[return-value]


def interactive() -> bool:
    """True when stderr is a person's terminal: hints (and progress) are shown only there, so
    that every line a script or a log receives after a refusal starts with ``path:line:``."""
    return _progress_stream().isatty()


def answer_hint(error: TaxlossError, values: dict[str, Any]) -> str:
    """After refusals of input rows (issue #13): how to answer them without editing the
    export. Empty for other errors, for check (it lists the answers itself) and for problems
    in the overrides file."""
    if "write_overrides" in values or not isinstance(error, (InputError, EngineError)):
        return ""
    overrides = display_path(values["overrides"]) if values.get("overrides") else ""
    files = set(display_paths(values.get("files", ())))
    rows = [
        p
        for p in error.problems
        if p.source is not None and p.source.path in files and p.source.path != overrides
    ]
    if not rows:
        return ""
    return (
        "Each row above can be answered without editing the export: run 'taxloss check' on "
        "the same files with --write-overrides answers.csv, fill in each action (skip, "
        "treat-as TYPE, value AMOUNT or note) and note, and pass --overrides answers.csv."
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="taxloss")
def main() -> None:
    """taxloss: crypto capital gains and losses from exchange exports, computed locally.

    Not tax advice: review the results with a tax professional.
    """


def common_options(command: F) -> F:
    """Options shared by build and compare."""
    options = [
        click.option(
            "--country",
            default="us",
            show_default=True,
            help="Bundled rule file to use (see 'taxloss rules').",
        ),
        click.option(
            "--rules",
            "rules_file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Use this rule file instead of --country.",
        ),
        click.option(
            "--basis-scope",
            type=click.Choice([s.value for s in BasisScope]),
            help="Pool lots across all wallets (universal) or per wallet, for all years. "
            "Default: the rule file (US: universal to 2024-12-31, wallet from 2025).",
        ),
        click.option(
            "--timezone",
            help="IANA zone for tax dates and for timestamps without a "
            "zone, e.g. America/New_York. Default: the rule file's (UTC).",
        ),
        click.option(
            "--prices",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="CSV 'date,asset,price' of fair values for rows with no fiat value. "
            "Default: none (such rows are an error).",
        ),
        click.option(
            "--fx-rates",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="CSV 'date,currency,rate' of exchange rates (report currency per 1 unit) "
            "that add to or replace the bundled ECB rates, for rules with an [fx] section "
            "(every bundled rule). Default: the ECB rates only.",
        ),
        click.option(
            "--allow-missing-basis",
            is_flag=True,
            help="Give units with no matching "
            "acquisition a zero basis (short-term), with a warning on every output, "
            "instead of stopping. Default: off.",
        ),
        click.option(
            "--format",
            "format_name",
            help="Skip detection and read every file with "
            "this parser (see 'taxloss detect'). Default: detect from the header.",
        ),
        click.option(
            "--overrides",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="CSV 'source,action,note' of your answers to rows taxloss refuses: source "
            "path:line or an exchange id; action skip, treat-as TYPE, value AMOUNT or note. "
            "Each use is listed in report.json and the summary (see 'taxloss check'). "
            "Default: none.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def amount(option: str, text: str, positive: bool = False) -> Decimal:
    """Parse a money option (``50000``, ``50,000``, ``$-2,000.50``) exactly."""
    cleaned = text.replace(",", "").replace("$", "").replace("%", "").strip()
    try:
        value = D(cleaned)
    except (ArithmeticError, ValueError):
        raise click.BadParameter(
            f"expected an amount like 50000 or -2000, found {text!r}", param_hint=option
        ) from None
    if positive and value < 0:
        raise click.BadParameter(f"expected zero or more, found {text!r}", param_hint=option)
    return value


def parse_income(text: str | None) -> Decimal | dict[str, Decimal] | None:
    """``--taxable-income``: one amount, or YEAR:AMOUNT pairs separated by commas."""
    if text is None:
        return None
    if ":" not in text:
        return amount("--taxable-income", text)
    values = {}
    for part in text.split(","):
        year, _, value = part.partition(":")
        if not year.strip().isdigit():
            raise click.BadParameter(
                f"expected YEAR:AMOUNT, found {part!r}", param_hint="--taxable-income"
            )
        values[year.strip()] = amount("--taxable-income", value)
    return values


def parse_outputs(text: str) -> tuple[str, ...]:
    """Split and check ``--outputs``."""
    names = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    known = api.OUTPUT_KINDS + api.SOFTWARE_KINDS
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        kinds = ", ".join(known)
        raise click.BadParameter(
            f"expected a comma-separated list of {kinds}", param_hint="--outputs"
        )
    return names


def offset_options(command: F) -> F:
    """Options for the capital-loss offset (shared by build and compare)."""
    options = [
        click.option("--filing-status", type=click.Choice([s.value for s in FilingStatus]),
                     default="single", show_default=True,
                     help="US filing status; sets the capital-loss limit (mfs: 1,500, else "
                     "3,000)."),
        click.option("--taxable-income", help="Taxable income as on Form 1040 line 15 "
                     "(negative if it would be), for the carryover worksheet: one amount for "
                     "every year, or YEAR:AMOUNT,YEAR:AMOUNT (no thousands separators). "
                     "Default: not given (assumed at least zero)."),
        click.option("--carryover-in-short", default="0", show_default=True,
                     help="Short-term capital loss carried into the first year of the data."),
        click.option("--carryover-in-long", default="0", show_default=True,
                     help="Long-term capital loss carried into the first year of the data."),
        click.option("--other-short-gains", default="0", show_default=True,
                     help="Net short-term gain (negative for a loss) from elsewhere, e.g. a "
                     "broker's 1099-B, for --year (else the last year of data)."),
        click.option("--other-long-gains", default="0", show_default=True,
                     help="Net long-term gain (negative for a loss) from elsewhere, for --year."),
        click.option("--assume-future-gains", default="0", show_default=True,
                     help="Capital gains you expect each future year, for the carryover "
                     "projection."),
        click.option("--marginal-rate", help="Your marginal tax rate in percent, to estimate "
                     "the tax saving. Default: none (no dollar figure of tax is shown)."),
        click.option("--losses-brought-forward", default="0", show_default=True,
                     help="Other countries: losses carried into the first tax year of the data "
                     "(UK, AU, DE: unused losses; CA: net capital losses at the allowable "
                     "amount)."),
        click.option("--income-band", type=click.Choice(["basic", "higher"]),
                     help="UK: the income tax band your gains fall in, for the CGT estimate. "
                     "Default: none (both rates are shown)."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def options_from(files: tuple[Path, ...], values: dict[str, Any]) -> api.BuildOptions:
    """Turn parsed click values into BuildOptions (options not given keep their defaults)."""
    rate = values.get("marginal_rate")
    return api.BuildOptions(
        files=files,
        country=values["country"],
        rules_file=values["rules_file"],
        method=Method(values["method"]) if values.get("method") else None,
        basis_scope=BasisScope(values["basis_scope"]) if values["basis_scope"] else None,
        year=values.get("year"),
        timezone=values["timezone"],
        prices=values["prices"],
        allow_missing_basis=values["allow_missing_basis"],
        format=values["format_name"],
        taxpayer={"name": values.get("taxpayer_name", ""), "id": values.get("taxpayer_id", "")},
        outputs=parse_outputs(values.get("outputs") or ",".join(api.OUTPUT_KINDS)),
        offset=api.OffsetInputs(
            filing_status=values["filing_status"],
            taxable_income=parse_income(values["taxable_income"]),
            carryover_in_short=amount("--carryover-in-short", values["carryover_in_short"], True),
            carryover_in_long=amount("--carryover-in-long", values["carryover_in_long"], True),
            other_short_gains=amount("--other-short-gains", values["other_short_gains"]),
            other_long_gains=amount("--other-long-gains", values["other_long_gains"]),
            assume_future_gains=amount("--assume-future-gains", values["assume_future_gains"],
                                       True),
            marginal_rate=amount("--marginal-rate", rate, True) if rate else None,
            losses_brought_forward=amount("--losses-brought-forward",
                                          values["losses_brought_forward"], True),
            income_band=values.get("income_band"),
        ),
        statement_threshold=values.get("statement_threshold", 500),
        jobs=values.get("jobs", 1),
        fx_rates=values.get("fx_rates"),
        max_rows=values.get("max_rows"),
        reported_by=tuple(values.get("reported_by") or ()),
        schedule_d_1a=values.get("schedule_d_1a", False),
        overrides=values.get("overrides"),
    )  # fmt: skip


class TerminalProgress:
    """Draws a build's stages on a terminal, one line each, with click's progress bar for the
    stages that measure how far they are (reading, matching, writing): a ``Progress``."""

    #: Widest file name shown next to a bar (longer ones keep their end).
    ITEM_WIDTH = 36

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.bar: Any = None

    def stage(self, name: str) -> None:
        """End the previous stage's line (complete) and start this one's."""
        if self.bar is not None:
            self.bar.update(max(0, self.bar.length - self.bar.pos))
        self._end()
        self.bar = click.progressbar(
            length=1,
            label=f"{name:<9}",
            file=self.stream,
            width=24,
            item_show_func=self._item,
        )
        self.bar.render_progress()

    def update(self, done: int, total: int, item: str = "") -> None:
        """Move the bar to ``done`` of ``total``, naming ``item``."""
        bar = self.bar
        if bar is None:
            return
        bar.length = max(total, 1)
        bar.update(max(0, done - bar.pos), item or None)

    def finish(self) -> None:
        """End the last line (as far as it got: a failed build leaves its bar short)."""
        self._end()

    def _end(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()
            self.bar = None

    def _item(self, item: str | None) -> str | None:
        if not item or len(item) <= self.ITEM_WIDTH:
            return item
        return "..." + item[-(self.ITEM_WIDTH - 3) :]


def _progress_stream() -> TextIO:
    """Where progress goes: stderr (a function so tests can stand in a terminal)."""
    return sys.stderr


def progress_for(quiet: bool) -> Progress:
    """Progress on stderr when it is a terminal and ``--quiet`` was not given; else nothing
    (never into a pipe, a log file or any output)."""
    stream = _progress_stream()
    if quiet or not stream.isatty():
        return SILENT
    return TerminalProgress(stream)


def form_options(command: F) -> F:
    """The Form 1099-DA options (issue #12) of ``build`` and ``reconcile``."""
    options = [
        click.option("--reported-by", "reported_by", multiple=True, metavar="WALLET",
                     help="That wallet's sales from 2025 on were reported on a Form 1099-DA "
                     "you have not given as a file: they go in box H/K (basis not reported), "
                     "with a notice to check the form's totals. Repeatable."),
        click.option("--schedule-d-1a", "schedule_d_1a", is_flag=True,
                     help="Schedule D Exception 1: report box G/J rows with no adjustment as "
                     "totals on Schedule D lines 1a/8a instead of on Form 8949."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


@main.command()
@FILES
@common_options
@offset_options
@form_options
@METHOD
@click.option(
    "--year",
    help="Write forms only for this tax year (report.json always has all "
    "years): 2025, or 2024-25 for a tax year starting on 6 April (uk) or 1 July (au), where "
    "2024 means the tax year that starts in 2024. Default: every year with a disposal.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("taxloss-report"),
    show_default=True,
    help="Output directory.",
)
@click.option(
    "--outputs",
    default=",".join(api.OUTPUT_KINDS),
    show_default=True,
    help="Comma-separated outputs to write: json (report.json), csv "
    "(disposals.csv), xlsx (form8949-<year>.xlsx), pdf (form8949-<year>.pdf and "
    "summary-<year>.pdf); US tax software, not written unless named: turbotax "
    "(turbotax-<year>.csv), txf (form8949-<year>.txf), taxact (taxact-<year>.csv).",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    help="Split each TurboTax file into numbered files of at most this many rows "
    "(turbotax-<year>-1.csv, -2 ...). Default: one file per year.",
)
@click.option(
    "--statement-threshold",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="Above this many rows in one Form 8949 box, print one "
    "summary line (code M) and attach a statement.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Processes to render with: 2 draws the Form 8949 PDFs alongside the other "
    "outputs and, from 20,000 disposals on, shares the writing of report.json and "
    "disposals.csv (same bytes either way).",
)
@click.option("--taxpayer-name", default="", help="Name printed on the forms. Default: blank.")
@click.option(
    "--taxpayer-id", default="", help="Identifying number printed on the forms. Default: blank."
)
@click.option(
    "--quiet",
    is_flag=True,
    help="Show no progress. Default: stages and bars on stderr when it is a terminal "
    "(never when piped or redirected).",
)
@user_errors
def build(files: tuple[Path, ...], out_dir: Path, quiet: bool, **values: Any) -> None:
    """Build the reports (report.json, disposals.csv, Form 8949 XLSX and PDF, summary PDF;
    other countries: the capital-gains XLSX and the summary PDF in the country's terms)."""
    options = options_from(files, values)
    with api.paused_gc(freeze=True):  # the command ends next: no collection of the report
        built = api.build(options, out_dir, progress_for(quiet))
    click.echo(
        render_text(
            built.report, built.years, rows=False, figures=built.figures, offsets=built.offsets
        ),
        nl=False,
    )
    click.echo(
        account_text(built.report, built.figures), nl=False
    )  # issue #15: put in, out, left, owed
    click.echo("")
    click.echo("Wrote:")
    for path in built.written:
        click.echo(f"  {path}")
    if built.software:
        click.echo(software_text(built.software), nl=False)
    if built.report.overrides:
        click.echo(f"Your answers applied (--overrides, {len(built.report.overrides)}):")
        for use in built.report.overrides:
            click.echo(f"  {use.source}: {use.action}: {use.effect} (note: {use.note})")
    if built.removed:
        click.echo("Removed (written by an earlier build, not by this one):")
        for path in built.removed:
            click.echo(f"  {path}")
    if built.report.warnings:
        click.echo(
            f"{len(built.report.warnings)} warning(s): see report.json and the summary.", err=True
        )
    for assumed in api.reading_assumptions(built.report):
        click.echo(f"Assumed: {assumed.source}: {assumed.message}", err=True)
    for line in other_assumptions_text(built.report):
        click.echo(line, err=True)


def other_assumptions_text(report: Report) -> list[str]:
    """The report's other assumptions (stablecoins at par, exchange rates, ...), one line per
    kind: the first with its source row and how many there are. Each is printed, as every
    assumption must be, without a line per converted amount."""
    kinds: dict[str, list[Notice]] = {}
    for assumed in report.assumptions:
        if assumed.code not in api.READING_ASSUMPTIONS:
            kinds.setdefault(assumed.code, []).append(assumed)
    lines = []
    for code, items in kinds.items():
        first = items[0]
        where = f"{first.source}: " if first.source else ""
        more = (
            f" ({len(items)} like this, code {code}: each with its row in report.json "
            "assumptions and the summary, section 6)"
            if len(items) > 1
            else ""
        )
        lines.append(f"Assumed: {where}{first.message}{more}")
    return lines


def software_text(files: tuple[api.SoftwareFile, ...]) -> str:
    """The closing totals of the tax-software files (each equals its year's Form 8949)."""
    lines = ["Tax-software files (totals equal Form 8949 of their year; proceeds, cost basis, "
             "adjustment, gain or loss):"]  # fmt: skip
    for item in files:
        lines.append(
            f"  {item.name:<26} {item.rows:>6} rows {amount_text(item.proceeds):>15} "
            f"{amount_text(item.cost_basis):>15} {amount_text(item.adjustment):>12} "
            f"{amount_text(item.gain):>15}"
        )
    return "\n".join(lines) + "\n"


@main.command()
@FILES
@common_options
@offset_options
@click.option("--year", required=True, help="The tax year to compare, e.g. 2025 or 2024-25.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@user_errors
def compare(files: tuple[Path, ...], year: str, as_json: bool, **values: Any) -> None:
    """Compare FIFO, LIFO and HIFO for one tax year (same data and options)."""
    options = options_from(files, {**values, "year": year})
    results, rule = api.compare(options, year)
    if as_json:
        click.echo(json.dumps(comparison_json(results), indent=2))
    else:
        click.echo(comparison_text(results, year, rule), nl=False)


def parse_target(text: str) -> api.Target:
    """``--target``: ``zero-gains``, ``max`` or an amount of loss (``5000``)."""
    word = text.strip().lower()
    if word in ("zero-gains", "max"):
        return api.Target(word)
    try:
        value = amount("--target", text, positive=True)
    except click.BadParameter:
        raise click.BadParameter(
            f"expected zero-gains, max or an amount of loss like 5000, found {text!r}",
            param_hint="--target",
        ) from None
    return api.Target("amount", value)


def parse_prices(texts: tuple[str, ...]) -> tuple[tuple[str, Decimal], ...]:
    """``--price ASSET=AMOUNT`` (repeatable): one unit's price on the as-of date."""
    out = []
    for text in texts:
        asset, sign, value = text.partition("=")
        if not sign or not asset.strip():
            raise click.BadParameter(
                f"expected ASSET=AMOUNT like BTC=61000, found {text!r}", param_hint="--price"
            )
        price = amount("--price", value, positive=True)
        if price == 0:
            raise click.BadParameter(
                f"expected a price above zero, found {text!r}", param_hint="--price"
            )
        out.append((asset.strip().upper(), price))
    return tuple(out)


@main.command()
@FILES
@common_options
@offset_options
@click.option(
    "--as-of",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The date the lots are valued and the sales would happen, e.g. 2026-12-15; trades "
    "after it are left out.",
)
@click.option(
    "--price",
    "price_texts",
    multiple=True,
    metavar="ASSET=AMOUNT",
    help="Price of one unit on the as-of date, e.g. BTC=61000 (repeatable); replaces that "
    "asset's --prices row. Default: the --prices rows of the as-of date.",
)
@click.option(
    "--target",
    default="zero-gains",
    show_default=True,
    help="Which losses to sell: zero-gains (just enough to cancel the year's net gain, then "
    "up to the loss limit), max (every loss) or an amount of loss, e.g. 5000.",
)
@METHOD
@click.option(
    "--assume-wash-sale",
    is_flag=True,
    help="What-if: apply a 30-day wash-sale rule (not law for crypto today): losses on units "
    "bought within 30 days before the sale are disallowed. Default: off.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write harvest-<as-of>.xlsx and harvest-<as-of>.pdf here. Default: print only.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of the table.")
@user_errors
def harvest(
    files: tuple[Path, ...],
    as_of: Any,
    price_texts: tuple[str, ...],
    target: str,
    assume_wash_sale: bool,
    out_dir: Path | None,
    as_json: bool,
    **values: Any,
) -> None:
    """Show open lots valued on --as-of and this year's Schedule D before and after selling
    loss lots (US; report only, no trades). Lots are valued with the --prices rows dated
    --as-of (or --price); a lot without one is listed, never valued at zero."""
    options = api.HarvestOptions(
        build=options_from(files, {**values, "outputs": "json"}),
        as_of=as_of.date(),
        target=parse_target(target),
        price_overrides=parse_prices(price_texts),
        assume_wash_sale=assume_wash_sale,
    )
    run = api.harvest(options)
    written = api.write_harvest(run, out_dir) if out_dir is not None else ()
    if as_json:
        click.echo(json.dumps(harvest_json(run.result), indent=2, ensure_ascii=False))
    else:
        click.echo(harvest_text(run.result, run.rule, run.method, run.inputs), nl=False)
    if written:
        click.echo("Wrote:", err=as_json)
        for path in written:
            click.echo(f"  {path}", err=as_json)
    if run.result.missing:
        click.echo(
            f"{len(run.result.missing)} lot(s) without a price on {options.as_of.isoformat()}: "
            "listed, not valued (see the table).",
            err=True,
        )


@main.command()
@FILES
@common_options
@form_options
@METHOD
@click.option("--year", help="The tax year to show, e.g. 2026. Default: every year with a form.")
@user_errors
def reconcile(files: tuple[Path, ...], **values: Any) -> None:
    """Tie Forms 1099-DA to the exports: per-broker totals and the differences to review
    (nothing is written). Give the exports and the forms as FILES."""

    options = options_from(files, {**values, **_offset_defaults()})
    report = api.reconcile_forms(options, values.get("year"))
    click.echo(reconcile_text(report, values.get("year")), nl=False)


def _offset_defaults() -> dict[str, Any]:
    """The offset options ``reconcile`` and ``check`` do not take, at their defaults."""
    return {"filing_status": "single", "taxable_income": None, "carryover_in_short": "0",
            "carryover_in_long": "0", "other_short_gains": "0", "other_long_gains": "0",
            "assume_future_gains": "0", "losses_brought_forward": "0"}  # fmt: skip


@main.command()
@FILES
@common_options
@METHOD
@click.option(
    "--write-overrides",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a starter overrides file (a new file): one line per question, with the "
    "question and a suggested answer; fill in action and note, then pass it with "
    "--overrides. Default: none.",
)
@user_errors
def check(files: tuple[Path, ...], write_overrides: Path | None, **values: Any) -> None:
    """List every question about FILES at once (rows taxloss cannot use as they are, each with
    what would answer it); write nothing else. Exit 0 with none, 2 with questions."""
    result = api.check(options_from(files, {**_offset_defaults(), **values}))
    for use in result.overrides:
        click.echo(f"answered by --overrides: {use.source}: {use.action} (note: {use.note})")
    if not result.questions:
        click.echo(
            f"No questions: {result.files} file(s), {result.trades} row(s) read; "
            "taxloss build will run."
        )
        return
    click.echo(f"{len(result.questions)} question(s) (answer each, or fix the export):")
    for question in result.questions:
        click.echo(f"  {question.problem.format()}")
        if question.suggestion:
            click.echo(f"      answer: {question.suggestion} ({question.reason})")
    if result.pending:
        click.echo(f"Not yet checked: {result.pending}.")
    if write_overrides is not None:
        written = api.write_starter(result, write_overrides)
        click.echo(
            f"Wrote {written}: fill in action and note on each line, then run again with "
            f"--overrides {written}."
        )
    sys.exit(2)


@main.command()
@FILES
@click.option("--format", "format_name", help="Check that FILES parse with this parser.")
@user_errors
def detect(files: tuple[Path, ...], format_name: str | None) -> None:
    """Show which export format claims each file, and why."""
    from taxloss.parsers import detect_file

    for path in files:
        found = detect_file(path, str(path), format_name)
        click.echo(f"{path}: {found.name} ({found.reason})")


@main.command()
@click.argument("rule_id", required=False)
@user_errors
def rules(rule_id: str | None) -> None:
    """List the bundled rule files, or describe one (e.g. 'taxloss rules us')."""
    if rule_id is None:
        # The default country (--country us) first, then the others by id.
        for name in sorted(jurisdiction.bundled_ids(), key=lambda n: (n != "us", n)):
            rule = jurisdiction.load_bundled(name)
            click.echo(f"{rule.id:<4} {rule.name} (version {rule.version}, rules/{name}.toml)")
        return
    click.echo(jurisdiction.describe(jurisdiction.load_bundled(rule_id)))


if __name__ == "__main__":  # pragma: no cover
    main()
