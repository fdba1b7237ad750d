"""Canada (``offset.strategy = "ca_schedule_3"``, reference §4): Schedule 3 totals,
superficial losses denied, the inclusion rate (taxable capital gain / allowable capital loss),
net capital losses applied and carried forward, and what a carry-back (Form T1A) could use.
Imports only ``model``, ``money``, ``returns`` modules and the standard library.
"""

from __future__ import annotations

from decimal import Decimal

from taxloss.model import Report
from taxloss.money import ZERO
from taxloss.returns.country import (
    CountryPlan,
    CountryYear,
    Line,
    disposal_totals,
    first_year,
    json_lines,
    label_for,
    money_text,
    percent,
    rounded,
)
from taxloss.returns.printed import Printed, year_rows
from taxloss.returns.us import OffsetInputs


def plan_ca(report: Report, shown: Printed, inputs: OffsetInputs, labels: list[str]) -> CountryPlan:
    """Schedule 3 style totals, the inclusion rate and net capital losses (reference §4)."""
    rule = report.rule
    o = rule.offset
    fiat = rule.fiat
    rate = o.inclusion_rate
    balance = inputs.losses_brought_forward
    taxable_left: dict[str, Decimal] = {}
    years = []
    for label in labels:
        rows = year_rows(shown, label)
        t = disposal_totals(rows)
        denied = sum((r.adjustment for r in rows if r.disposal.denied_loss), ZERO)
        superficial = sum(1 for r in rows if r.disposal.denied_loss)
        net = t.net
        taxable_gain = rounded(rule, net * rate) if net > 0 else ZERO
        allowable_loss = rounded(rule, -net * rate) if net < 0 else ZERO
        brought = balance
        applied = min(brought, taxable_gain)
        after = taxable_gain - applied
        balance = brought - applied + allowable_loss
        taxable_left[label] = after
        back_years = [
            label_for(rule, first_year(label) - n) for n in range(1, o.carry_back_years + 1)
        ]
        room = sum((taxable_left.get(y, ZERO) for y in back_years), ZERO)
        could = min(allowable_loss, room)
        share = percent(rate)
        return_lines = [
            Line("proceeds", "Proceeds of disposition", t.proceeds),
            Line(
                "adjusted_cost_base", "Adjusted cost base (outlays and expenses included)", t.costs
            ),
            Line(
                "superficial_losses_denied",
                f"Superficial losses denied ({superficial} "
                "disposal(s)), added to the ACB of the substituted property",
                denied,
            ),
            Line("capital_gains", "Capital gains", t.gains),
            Line("capital_losses", "Capital losses (after superficial losses)", t.losses),
            Line("net_capital_gain_or_loss", "Net capital gain or (loss)", net, bold=True),
        ]
        offset_lines = [
            Line("inclusion_rate", "Inclusion rate", text=share),
            Line(
                "taxable_capital_gain",
                f"Taxable capital gain ({share} of a net gain)",
                taxable_gain,
            ),
            Line(
                "allowable_capital_loss",
                f"Allowable capital loss ({share} of a net loss)",
                allowable_loss,
            ),
            Line(
                "net_capital_losses_brought_forward",
                "Net capital losses of other years, brought forward",
                brought,
            ),
            Line(
                "net_capital_losses_applied",
                "Applied against this year's taxable capital gain (T1 line 25300)",
                applied,
            ),
            Line(
                "taxable_capital_gain_after_losses",
                "Taxable capital gain after losses",
                after,
                bold=True,
            ),
            Line(
                "net_capital_loss_carried_forward",
                "Net capital loss carried forward",
                balance,
                bold=True,
            ),
            Line(
                "carry_back_possible",
                f"Of this year's loss, usable by a carry-back to "
                f"{', '.join(back_years) or '-'} (Form T1A; in the data)",
                could,
            ),
        ]
        notes = [
            f"The {share} inclusion rate applies to the year's net capital gain; the 2024 "
            "proposal to raise it to 2/3 was cancelled on 21 March 2025.",
            "A net capital loss can only reduce taxable capital gains: carry it back up to "
            f"{o.carry_back_years} years with Form T1A, or forward indefinitely. This report "
            "carries it forward; a carry-back is your choice.",
            "Superficial losses (identical property bought 30 days before to 30 days after the "
            "sale and still held) are denied in proportion min(sold, bought, held)/sold and "
            "added to the pool's ACB; check purchases by affiliated persons (a spouse), which "
            "are not in this data.",
        ]
        meaning = (
            f"In {label} your disposals give a net capital gain of {money_text(net)} {fiat}; "
            f"{money_text(taxable_gain)} is the taxable capital gain"
            + (
                f", {money_text(after)} after {money_text(applied)} of net capital losses"
                if applied
                else ""
            )
            + "."
            if net > 0
            else f"In {label} your disposals give a net capital loss of {money_text(-net)} "
            f"{fiat}: an allowable capital loss of {money_text(allowable_loss)}. It cannot reduce "
            f"other income; {money_text(balance)} of net capital losses carries forward."
            if net < 0
            else f"In {label} your disposals net to zero."
        )
        if denied:
            meaning += (
                f" Superficial losses of {money_text(denied)} were denied and added to the ACB."
            )
        key_lines = [
            Line("", "Net capital gain or (loss)", net),
            Line("", "Superficial losses denied", denied),
            Line("", f"Taxable capital gain ({share})", taxable_gain),
            Line("", f"Allowable capital loss ({share})", allowable_loss),
            Line("", "Net capital loss carried forward", balance),
        ]
        data = {
            **json_lines(return_lines),
            **json_lines(offset_lines),
            "superficial_loss_disposals": superficial,
            "carry_back_years": back_years,
            "notes": notes,
        }
        years.append(
            CountryYear(
                year=label,
                has_data=bool(rows),
                return_title="Schedule 3: capital gains (or losses)",
                return_lines=return_lines,
                offset_title="Inclusion rate and net capital losses",
                offset_lines=offset_lines,
                key_lines=key_lines,
                meaning=meaning,
                notes=notes,
                data=data,
                headline=after,
                carry_forward=balance,
                summary=[net, denied, taxable_gain, allowable_loss, applied, after, balance],
            )
        )
    return CountryPlan(
        "ca_schedule_3",
        years,
        inputs,
        [
            "Net gain/(loss)",
            "Superficial denied",
            "Taxable gain",
            "Allowable loss",
            "Losses applied",
            "Taxable after",
            "Carried forward",
        ],
        "Taxable capital gain",
    )
