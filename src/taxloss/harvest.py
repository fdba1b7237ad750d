"""``taxloss harvest`` (issue #14): the open lots on an as-of date and this year's Schedule D
before and after selling chosen loss lots, and its two files.

It runs the build's first two steps (``api.prepare``, ``api.compute_report``) on the trades up
to the as-of date, and writes like a build (``api.write_outputs``). ``api`` re-exports this
module's names for the CLI, so this module takes the pipeline's steps from ``api`` when it
runs, not when it is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from taxloss.engine.calendar import (
    anniversary,
    box_for,
    local_date,
    tax_year_label,
    tax_year_start,
    term_of,
    zone,
)
from taxloss.errors import RuleError
from taxloss.model import Rule
from taxloss.money import plain
from taxloss.render.harvest import render_harvest_xlsx
from taxloss.render.harvest_pdf import render_harvest_pdf
from taxloss.render.labels import method_label
from taxloss.returns.harvest import Harvest, LotFacts, Target, Valuation, value_lots
from taxloss.returns.harvest import harvest as plan_harvest
from taxloss.workers import Renderer

if TYPE_CHECKING:
    from taxloss.api import BuildOptions


@dataclass(frozen=True)
class HarvestOptions:
    """Everything ``taxloss harvest`` can be told beyond the build options it shares."""

    build: BuildOptions
    as_of: date
    target: Target = field(default_factory=lambda: Target("zero-gains"))
    #: ``--price ASSET=AMOUNT``: overrides of the ``--prices`` rows for the as-of date.
    price_overrides: tuple[tuple[str, Decimal], ...] = ()
    assume_wash_sale: bool = False


@dataclass(frozen=True)
class HarvestRun:
    """A harvest view and what its outputs name: the rule, the method, the input files."""

    result: Harvest
    rule: Rule
    method: str
    inputs: str


def harvest(options: HarvestOptions) -> HarvestRun:
    """``taxloss harvest``: the open lots on the as-of date and this year's Schedule D before
    and after selling chosen loss lots (nothing written).

    Uses the same parsers, rule, method and basis scope as ``build``, on the trades up to the
    as-of date (in the rule's zone or ``--timezone``).

    Raises:
        TaxlossError: any user-fixable problem (files, rule, options).
    """
    from taxloss.api import compute_report, paused_gc, prepare, resolve  # see the docstring

    with paused_gc():
        session = prepare(options.build)
        build_options = resolve(options.build, session.rule)
        rule = session.rule
        if rule.offset.strategy != "us_schedule_d":
            raise RuleError(
                f"taxloss harvest: {rule.path} uses {rule.offset.strategy!r}; the harvest view "
                "computes the US Schedule D and carryover worksheet only (--country us)"
            )
        tz = zone(build_options.timezone or rule.timezone)
        trades = [t for t in session.trades if local_date(t.timestamp, tz) <= options.as_of]
        report = compute_report(replace(session, trades=trades), build_options)
        year = tax_year_label(options.as_of, rule)
        facts = []
        for lot in report.open_lots:
            acquired_on = local_date(lot.acquired, tz)
            term = term_of(acquired_on, options.as_of, rule)
            last_short = anniversary(acquired_on, rule.long_term_years, rule.month_end_convention)
            box = box_for(rule, tax_year_start(options.as_of, rule), term)
            facts.append(LotFacts(acquired_on, term, last_short + timedelta(days=1), box))
        prices: dict[str, Valuation] = {}
        for lot in report.open_lots:
            found = session.prices.get(options.as_of, lot.asset)
            if found is not None:
                prices[lot.asset] = Valuation(found.price, str(found.source), found.source)
        for asset, price in options.price_overrides:
            prices[asset] = Valuation(price, f"--price {asset}={plain(price)}")
        origin = {t.source: t.wallet for t in trades}
        lots = value_lots(report, options.as_of, facts, prices, origin)
        result = plan_harvest(
            report, lots, options.as_of, year, options.target, build_options.offset,
            options.assume_wash_sale,
        )  # fmt: skip
        names = ", ".join(f"{i.path} ({i.format})" for i in report.inputs)
        if build_options.prices is not None:
            names += f", prices {build_options.prices}"
        return HarvestRun(result, rule, method_label(report), names)


def write_harvest(run: HarvestRun, out: Path) -> tuple[Path, ...]:
    """Write ``harvest-<as-of>.xlsx`` and ``harvest-<as-of>.pdf`` into ``out`` (all or
    nothing, like a build).

    Raises:
        RenderError: the directory cannot be written.
    """
    from taxloss.api import write_outputs  # see the module docstring

    stem = f"harvest-{run.result.as_of.isoformat()}"
    plan: list[tuple[str, Renderer]] = [
        (f"{stem}.xlsx",
         lambda path: render_harvest_xlsx(run.result, run.rule, path, run.method, run.inputs)),
        (f"{stem}.pdf",
         lambda path: render_harvest_pdf(run.result, run.rule, path, run.method, run.inputs)),
    ]  # fmt: skip
    return write_outputs(plan, out, jobs=1)
