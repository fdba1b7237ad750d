"""Australia (``offset.strategy = "au_cgt"``, reference §5): discount and non-discount
gains, current and carried-forward losses applied to non-discount gains first, then the
discount; net capital gain or loss.
Imports only ``model``, ``money``, ``returns`` modules and the standard library.
"""

from __future__ import annotations

from taxloss.model import Report
from taxloss.money import ZERO
from taxloss.returns.country import (
    CountryPlan,
    CountryYear,
    Line,
    json_amount,
    json_lines,
    money_text,
    percent,
    rounded,
)
from taxloss.returns.printed import Printed, year_rows
from taxloss.returns.us import OffsetInputs


def plan_au(report: Report, shown: Printed, inputs: OffsetInputs, labels: list[str]) -> CountryPlan:
    """Gross gains, losses applied (non-discount gains first), the discount, net capital gain
    or loss carried forward (reference §5)."""
    rule = report.rule
    o = rule.offset
    fiat = rule.fiat
    rate = o.discount_rate
    share = percent(rate)
    carry = inputs.losses_brought_forward
    years = []
    for label in labels:
        rows = year_rows(shown, label)
        discount_gains = sum((r.gain for r in rows if r.gain > 0 and r.disposal.discount), ZERO)
        other_gains = sum((r.gain for r in rows if r.gain > 0 and not r.disposal.discount), ZERO)
        current = sum((-r.gain for r in rows if r.gain < 0), ZERO)
        brought = carry
        losses = current + brought
        on_other = min(losses, other_gains)
        on_discount = min(losses - on_other, discount_gains)
        left = losses - on_other - on_discount
        discount = rounded(rule, (discount_gains - on_discount) * rate)
        net = other_gains - on_other + discount_gains - on_discount - discount
        carry = left
        # The order the reference calls worse (losses to discount gains first), for comparison.
        worse_discount = min(losses, discount_gains)
        worse_other = min(losses - worse_discount, other_gains)
        worse = (other_gains - worse_other) + rounded(
            rule, (discount_gains - worse_discount) * (1 - rate)
        )
        proceeds = sum((r.proceeds for r in rows), ZERO)
        costs = sum((r.cost_basis for r in rows), ZERO)
        discount_rows = sum(1 for r in rows if r.disposal.discount)
        return_lines = [
            Line("proceeds", "Capital proceeds", proceeds),
            Line("cost_base", "Cost base", costs),
            Line(
                "gross_discount_gains",
                f"Capital gains on assets held at least 12 months "
                f"({discount_rows} CGT event(s) eligible for the discount)",
                discount_gains,
            ),
            Line("gross_non_discount_gains", "Other capital gains (no discount)", other_gains),
            Line(
                "total_current_year_capital_gains",
                "Total current year capital gains",
                discount_gains + other_gains,
                bold=True,
            ),
            Line("capital_losses_current_year", "Capital losses of this year", current),
        ]
        offset_lines = [
            Line("capital_losses_current_year", "Capital losses of this year", current),
            Line(
                "net_capital_losses_brought_forward",
                "Net capital losses from earlier years",
                brought,
            ),
            Line(
                "losses_applied_to_non_discount_gains",
                "Losses applied to non-discount gains (first)",
                on_other,
            ),
            Line(
                "losses_applied_to_discount_gains", "Losses applied to discount gains", on_discount
            ),
            Line("discount", f"CGT discount ({share} of the discount gains left)", discount),
            Line("net_capital_gain", "Net capital gain", net, bold=True),
            Line(
                "net_capital_loss_carried_forward",
                "Net capital losses carried forward",
                carry,
                bold=True,
            ),
        ]
        notes = [
            "Losses are applied before the discount; you may choose which gains they reduce, "
            "and applying them to non-discount gains first gives the lowest net capital gain "
            f"(here {money_text(net)}; applying them to discount gains first would give "
            f"{money_text(worse)}).",
            "Net capital losses carry forward indefinitely and cannot reduce other income.",
            "The ATO treats wash sales (selling to crystallise a loss and buying back) as "
            "potentially caught by Part IVA: check any loss followed by a quick repurchase.",
        ]
        meaning = (
            f"In {label} your capital gains total "
            f"{money_text(discount_gains + other_gains)} {fiat} and your capital losses "
            f"{money_text(losses)} (including {money_text(brought)} from earlier years). After "
            f"the losses and the {share} discount your net capital gain is {money_text(net)} "
            f"{fiat}."
            if net > 0 or not left
            else f"In {label} your capital losses ({money_text(losses)} {fiat}, including earlier "
            f"years') exceed your gains: {money_text(carry)} carries forward as a net capital loss."
        )
        key_lines = [
            Line("", "Total current year capital gains", discount_gains + other_gains),
            Line("", "Capital losses applied (this year and earlier)", on_other + on_discount),
            Line("", f"CGT discount ({share})", discount),
            Line("", "Net capital gain", net),
            Line("", "Net capital losses carried forward", carry),
        ]
        data = {
            **json_lines(return_lines),
            **json_lines(offset_lines),
            "discount_rate": str(rate),
            "discount_events": discount_rows,
            "net_capital_gain_if_losses_applied_to_discount_gains_first": json_amount(worse),
            "notes": notes,
        }
        years.append(
            CountryYear(
                year=label,
                has_data=bool(rows),
                return_title="CGT schedule summary",
                return_lines=return_lines,
                offset_title="Losses and the CGT discount",
                offset_lines=offset_lines,
                key_lines=key_lines,
                meaning=meaning,
                notes=notes,
                data=data,
                headline=net,
                carry_forward=carry,
                summary=[discount_gains, other_gains, current, brought, discount, net, carry],
            )
        )
    return CountryPlan(
        "au_cgt",
        years,
        inputs,
        [
            "Discount gains",
            "Other gains",
            "Losses",
            "Losses b/f",
            "Discount",
            "Net gain",
            "Carried forward",
        ],
        "Net capital gain",
    )
