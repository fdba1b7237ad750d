"""Output planning: which files a build writes, and a render function for each.

``planned_outputs`` turns a computed report and the build options into the plan, a list of
(file name, render function) pairs in writing order, that ``api.write_outputs`` renders
(``workers.render_all``) and moves into place all or nothing. Each render function only
draws: the figures come from the report's printed rows (``returns.printed``) and its loss
offset (``offset_plan``), computed once here and shared by every output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from taxloss.errors import RuleError
from taxloss.model import Report, Rule
from taxloss.render.data import Split, render_data
from taxloss.render.pdf_8949 import render_pdf_8949
from taxloss.render.pdf_country import render_pdf_country
from taxloss.render.pdf_summary import MethodResult, render_pdf_summary
from taxloss.render.taxsoftware import SOFTWARE_KINDS, SoftwareFile, planned_files, render_software
from taxloss.render.xlsx_8949 import render_xlsx_8949
from taxloss.render.xlsx_country import render_xlsx_country
from taxloss.returns.country import CountryPlan
from taxloss.returns.loss_offset import plan_for, year_json
from taxloss.returns.printed import Printed, printed
from taxloss.returns.us import OffsetPlan, offset_json
from taxloss.workers import Renderer

if TYPE_CHECKING:
    from taxloss.api import BuildOptions

#: A tax year's results under every method the rule allows, for its summary.
Compared = Callable[[str], list[MethodResult]]


def form_years(report: Report, year: str | None) -> tuple[str, ...]:
    """The tax years to write forms for: ``--year`` or every year with a disposal."""
    if year is not None:
        return (year,)
    return report.tax_years


#: The file names of the machine-readable outputs (``--outputs json,csv``).
DATA_FILES = {"json": "report.json", "csv": "disposals.csv"}


def data_outputs(report: Report, options: BuildOptions) -> tuple[str, ...]:
    """The machine-readable files this build writes (as ``--outputs`` and the rule's
    ``forms`` allow): report.json and/or disposals.csv."""
    forms = report.rule.forms
    return tuple(
        name for kind, name in DATA_FILES.items() if kind in options.outputs and kind in forms
    )


class DataFiles:
    """report.json and disposals.csv, written together in one pass over the disposals by
    whichever of their plan entries runs first (``batches`` keeps both in one batch, so one
    process writes them); the other entry finds its file written."""

    def __init__(
        self,
        report: Report,
        names: tuple[str, ...],
        extra: dict[str, dict[str, object]],
        figures: Printed,
        split: Split | None,
    ) -> None:
        self.report, self.names, self.extra = report, names, extra
        self.figures, self.split = figures, split
        self.written = False

    def render(self, path: Path) -> Path:
        """Write both files into ``path``'s directory (once); return ``path``."""
        if not self.written:
            folder = path.parent
            json_out = folder / "report.json" if "report.json" in self.names else None
            csv_out = folder / "disposals.csv" if "disposals.csv" in self.names else None
            render_data(self.report, json_out, csv_out, self.extra, self.figures, self.split)
            self.written = True
        return path


def planned_outputs(
    report: Report,
    options: BuildOptions,
    figures: Printed | None = None,
    split: Split | None = None,
    comparison: Compared | None = None,
    offsets: OffsetPlan | CountryPlan | None = None,
    software: Software | None = None,
) -> list[tuple[str, Renderer]]:
    """(file name, render function) for every output of a build, in writing order.

    ``figures``: the report's printed rows, if already made. ``split``: the disposals of
    report.json and disposals.csv, shared with a helper process (``workers.split_disposals``).
    ``comparison``: each year's methods for the summaries (``comparison.Comparison.for_year``); none
    given, the summaries show no comparison. ``offsets``: the loss offset plan, if already
    made (``offset_plan``; the CLI prints the same figures). ``software``: the tax-software
    files, if already made (``software_outputs``; the CLI lists them).
    """
    wanted = set(options.outputs)
    forms = report.rule.forms
    figures = printed(report, figures)
    plan: list[tuple[str, Renderer]] = []
    if offsets is None:
        offsets = offset_plan(report, options, figures)
    extra: dict[str, dict[str, object]] = {
        y.year: {"loss_offset": offset_json(y) if isinstance(offsets, OffsetPlan) else year_json(y)}
        for y in offsets.years
    }
    data = DataFiles(report, data_outputs(report, options), extra, figures, split)
    plan.extend((name, data.render) for name in data.names)
    for year in form_years(report, options.year):
        if isinstance(offsets, CountryPlan):
            if "xlsx" in wanted and "xlsx_disposals" in forms:
                country = offsets.for_year(year)
                plan.append(
                    (
                        f"capital-gains-{year}.xlsx",
                        lambda p, y=year, c=country: render_xlsx_country(
                            report, p, y, c, options.taxpayer, figures
                        ),
                    )
                )
            if "pdf" in wanted and "pdf_summary" in forms:
                plan.append(
                    (
                        f"summary-{year}.pdf",
                        _pdf_country(report, year, options, offsets, figures, comparison),
                    )
                )
            continue  # fmt: skip
        if "xlsx" in wanted and "xlsx_8949" in forms:
            plan.append((f"form8949-{year}.xlsx", _xlsx(report, year, options, figures)))
        if "pdf" in wanted and "pdf_8949" in forms:
            plan.append(
                (f"form8949-{year}.pdf", _pdf_8949(report, year, options, offsets, figures))
            )
        if "pdf" in wanted and "pdf_summary" in forms:
            summary = _pdf_summary(report, year, options, offsets, figures, comparison)
            plan.append((f"summary-{year}.pdf", summary))
    plan.extend((software or software_outputs(report, options, figures))[1])
    return plan


def check_software(options: BuildOptions, rule: Rule) -> None:
    """Refuse ``--outputs turbotax,txf,taxact`` for a rule without Form 8949 (they are US
    files), rather than writing nothing without a word.

    Raises:
        RuleError: such an output asked of another country's rule.
    """
    asked = [kind for kind in options.outputs if kind in SOFTWARE_KINDS]
    if asked and not {"pdf_8949", "xlsx_8949"} & set(rule.forms):
        raise RuleError(
            f"--outputs {','.join(asked)}: these are US Form 8949 files; {rule.path} has no "
            "Form 8949 (drop them from --outputs)"
        )


#: The tax-software files of a build and their plan entries (``software_outputs``).
Software = tuple[list[SoftwareFile], list[tuple[str, Renderer]]]


def software_outputs(report: Report, options: BuildOptions, figures: Printed) -> Software:
    """The tax-software files of every form year (``--outputs turbotax,txf,taxact``), with
    their totals and their plan entries."""
    kinds = [kind for kind in options.outputs if kind in SOFTWARE_KINDS]
    if not kinds or not {"pdf_8949", "xlsx_8949"} & set(report.rule.forms):
        return [], []
    files: list[SoftwareFile] = []
    plan: list[tuple[str, Renderer]] = []
    for year in form_years(report, options.year):
        written_on = (
            report.generated_at.date()
            if report.generated_at is not None
            else date(int(year), 12, 31)
        )
        for item, rows in planned_files(figures, year, kinds, options.max_rows):
            files.append(item)
            plan.append(
                (
                    item.name,
                    lambda path, n=item.name, r=rows, w=written_on: render_software(n, r, path, w),
                )
            )
    return files, plan


def offset_plan(
    report: Report, options: BuildOptions, figures: Printed
) -> OffsetPlan | CountryPlan:
    """The rule's loss offset for every year (``offset.strategy``): US Schedule D and
    carryovers, or the country's figures. Other gains (US) go to ``--year``, else the last
    year of data."""
    inputs = options.offset
    if inputs.other_year is None:
        target = options.year or (report.tax_years[-1] if report.tax_years else None)
        inputs = replace(inputs, other_year=target)
    return plan_for(report, inputs, figures)


def _pdf_country(
    report: Report,
    year: str,
    options: BuildOptions,
    offsets: CountryPlan,
    figures: Printed,
    shared: Compared | None,
) -> Renderer:
    def render(path: Path) -> Path:
        several = len(report.rule.methods) > 1
        comparison = shared(year) if shared is not None and several else []
        return render_pdf_country(
            report, path, year, offsets, comparison, options.taxpayer, figures
        )

    return render


def _pdf_8949(
    report: Report, year: str, options: BuildOptions, offsets: OffsetPlan, figures: Printed
) -> Renderer:
    return lambda path: render_pdf_8949(
        report, path, year, offsets, options.taxpayer, options.statement_threshold, figures
    )


def _pdf_summary(
    report: Report,
    year: str,
    options: BuildOptions,
    offsets: OffsetPlan,
    figures: Printed,
    shared: Compared | None,
) -> Renderer:
    def render(path: Path) -> Path:
        comparison = shared(year) if shared is not None else []
        return render_pdf_summary(
            report, path, year, offsets, comparison, options.taxpayer, figures
        )

    return render


def _xlsx(report: Report, year: str, options: BuildOptions, figures: Printed) -> Renderer:
    return lambda path: render_xlsx_8949(report, path, year, options.taxpayer, figures)
