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
from typing import Any, TypeVar

import click

from taxloss import __version__, api, jurisdiction
from taxloss.errors import TaxlossError, format_error
from taxloss.model import BasisScope, FilingStatus, Method
from taxloss.money import D
from taxloss.render.offset import OffsetInputs
from taxloss.render.text import comparison_json, comparison_text, render_text

F = TypeVar("F", bound=Callable[..., Any])

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
            sys.exit(2)

    return run  # type: ignore[return-value]


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
            "(uk, ca, au, de). Default: the ECB rates only.",
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
    unknown = [n for n in names if n not in api.OUTPUT_KINDS]
    if unknown or not names:
        kinds = ", ".join(api.OUTPUT_KINDS)
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
        offset=OffsetInputs(
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
    )  # fmt: skip


@main.command()
@FILES
@common_options
@offset_options
@click.option(
    "--method",
    type=click.Choice([m.value for m in Method]),
    help="Lot identification: fifo, lifo or hifo (rules that pool, uk and ca, have no lot "
    "method). Default: the rule file's (US: fifo).",
)
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
    "summary-<year>.pdf).",
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
@user_errors
def build(files: tuple[Path, ...], out_dir: Path, **values: Any) -> None:
    """Build the reports (report.json, disposals.csv, Form 8949 XLSX and PDF, summary PDF;
    other countries: the capital-gains XLSX and the summary PDF in the country's terms)."""
    options = options_from(files, values)
    with api.paused_gc(freeze=True):  # the command ends next: no collection of the report
        built = api.build(options, out_dir)
    click.echo(render_text(built.report, built.years, rows=False, figures=built.figures), nl=False)
    click.echo("")
    click.echo("Wrote:")
    for path in built.written:
        click.echo(f"  {path}")
    if built.removed:
        click.echo("Removed (written by an earlier build, not by this one):")
        for path in built.removed:
            click.echo(f"  {path}")
    if built.report.warnings:
        click.echo(
            f"{len(built.report.warnings)} warning(s): see report.json and the summary.", err=True
        )


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
