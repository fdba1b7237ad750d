"""Which loss offset a rule's ``offset.strategy`` names, and the plan for every year of data.

``us_schedule_d`` is the US Schedule D netting and carryover worksheet (``returns.us``); the
other strategies each have their module: ``uk_sa108`` (``returns.uk``), ``ca_schedule_3``
(``returns.ca``), ``au_cgt`` (``returns.au``) and ``de_anlage_so`` (``returns.de``), all
returning a ``returns.country.CountryPlan``.
Imports only ``model``, ``returns`` modules and the standard library.
"""

from __future__ import annotations

from taxloss.model import Report
from taxloss.returns.au import plan_au
from taxloss.returns.ca import plan_ca
from taxloss.returns.country import CountryPlan, CountryYear, Strategy, plan_years
from taxloss.returns.de import plan_de
from taxloss.returns.printed import Printed, printed
from taxloss.returns.uk import plan_uk
from taxloss.returns.us import OffsetInputs, OffsetPlan, plan_offsets


def plan_for(
    report: Report, inputs: OffsetInputs, figures: Printed | None = None
) -> OffsetPlan | CountryPlan:
    """The rule's loss-offset strategy (``offset.strategy``) for every year of data.

    Args:
        report: the report.
        inputs: the taxpayer's inputs (``other_year`` = ``--year`` or the last year).
        figures: printed figures, if already computed.

    Returns:
        The US Schedule D plan, or the country plan.
    """
    strategy = report.rule.offset.strategy
    if strategy == "us_schedule_d":
        return plan_offsets(report, inputs, figures)
    shown = printed(report, figures)
    labels = plan_years(report, inputs.other_year)
    return STRATEGIES[strategy](report, shown, inputs, labels)


def year_json(year: object) -> dict[str, object]:
    """The report.json ``loss_offset`` object of a country year."""
    assert isinstance(year, CountryYear)
    return year.data


#: ``offset.strategy`` -> the function that plans it (US: ``returns.us.plan_offsets``).
STRATEGIES: dict[str, Strategy] = {
    "uk_sa108": plan_uk,
    "ca_schedule_3": plan_ca,
    "au_cgt": plan_au,
    "de_anlage_so": plan_de,
}
