"""United Kingdom (``offset.strategy = "uk_sa108"``, reference §2): SA108-style figures;
in-year losses against in-year gains; the annual exempt amount; losses brought forward used
only down to the exempt amount; the loss carried forward; a CGT estimate at the rates of
``offset.rates`` (split at 30 October 2024).
Imports only ``model``, ``money``, ``returns`` modules and the standard library.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from taxloss.model import RatePeriod, Report
from taxloss.money import ZERO
from taxloss.returns.country import (
    CountryPlan,
    CountryYear,
    Line,
    amount_for,
    disposal_totals,
    json_amount,
    json_lines,
    money_text,
    percent,
    rounded,
    tax_year_end,
)
from taxloss.returns.printed import Printed, Row, year_rows
from taxloss.returns.us import OffsetInputs


def _uk_disposal(row: Row) -> object:
    """HMRC counts all disposals of a token on one day as one disposal (s.105); a derivative
    position is its own disposal."""
    d = row.disposal
    if d.kind.value == "position":
        return ("position", row.number)
    return (d.asset, d.disposed_on)


def _uk_rate(periods: Sequence[RatePeriod], day: date) -> int:
    for index, period in enumerate(periods):
        if (period.start is None or day >= period.start) and (
            period.end is None or day <= period.end
        ):
            return index
    return -1


def plan_uk(report: Report, shown: Printed, inputs: OffsetInputs, labels: list[str]) -> CountryPlan:
    """SA108 figures, exempt amount, losses and a CGT estimate per tax year (reference §2)."""
    rule = report.rule
    o = rule.offset
    fiat = rule.fiat
    carry = inputs.losses_brought_forward
    years = []
    for label in labels:
        rows = year_rows(shown, label)
        t = disposal_totals(rows, _uk_disposal)
        count = len({_uk_disposal(r) for r in rows})
        exempt = amount_for(o.exempt_amounts, label)
        notes: list[str] = []
        if exempt is None:
            notes.append(f"{rule.path} has no annual exempt amount for {label}: none was deducted.")
            exempt = ZERO
        net = t.net
        brought = carry
        used = (
            min(brought, max(net - exempt, ZERO))
            if o.brought_forward_down_to_exempt_amount
            else min(brought, max(net, ZERO))
        )
        taxable = max(net - exempt - used, ZERO)
        carry = brought - used + max(-net, ZERO)
        # Gains per rate period; the exempt amount and all losses go first against the gains
        # taxed at the highest rate (the order most favourable to the taxpayer).
        periods = o.rates
        by_period = [ZERO] * len(periods)
        for key in {_uk_disposal(r) for r in rows}:
            group = [r for r in rows if _uk_disposal(r) == key]
            gain = sum((r.gain for r in group), ZERO)
            where = _uk_rate(periods, group[0].disposed)
            if gain > 0 and where >= 0:
                by_period[where] += gain
        deduction = sum(by_period, ZERO) - taxable
        taxable_by = list(by_period)
        for index in sorted(range(len(periods)), key=lambda i: -periods[i].higher):
            cut = min(deduction, taxable_by[index])
            taxable_by[index] -= cut
            deduction -= cut
        basic = rounded(rule, sum((taxable_by[i] * p.basic for i, p in enumerate(periods)), ZERO))
        higher = rounded(rule, sum((taxable_by[i] * p.higher for i, p in enumerate(periods)), ZERO))
        used_periods = [
            (p, taxable_by[i], by_period[i])
            for i, p in enumerate(periods)
            if by_period[i] or taxable_by[i]
        ]
        deadline = tax_year_end(rule, label)
        deadline = deadline.replace(year=deadline.year + o.claim_deadline_years)
        by_rule: dict[str, list[Row]] = {}
        for row in rows:
            by_rule.setdefault(row.disposal.matching or row.disposal.kind.value, []).append(row)
        return_lines = [
            Line("disposals", "Number of disposals", text=str(count)),
            Line("proceeds", "Disposal proceeds", t.proceeds),
            Line("allowable_costs", "Allowable costs (including purchase price)", t.costs),
            Line("gains", "Gains in the year, before losses", t.gains),
            Line("losses", "Losses in the year", t.losses),
        ]
        offset_lines = [
            Line("net_gain", "Net gain or (loss): gains minus losses of the year", net, bold=True),
            Line("annual_exempt_amount", f"Annual exempt amount {label}", exempt),
            Line("losses_brought_forward", "Losses brought forward from earlier years", brought),
            Line(
                "losses_brought_forward_used",
                "Losses brought forward used (only down to the annual exempt amount)",
                used,
            ),
            Line(
                "taxable_gain",
                "Taxable gain (after the exempt amount and losses)",
                taxable,
                bold=True,
            ),
            Line(
                "loss_carried_forward",
                "Losses carried forward to the next tax year",
                carry,
                bold=True,
            ),
        ]
        for period, part, gross in used_periods:
            span = _span(period)
            offset_lines.append(Line("", f"Gains {span}: {money_text(gross)}; taxable part", part))
        band = inputs.income_band
        if band in (None, "basic"):
            offset_lines.append(
                Line(
                    "cgt_estimate_basic",
                    "CGT estimate if all of it is in the basic rate band "
                    f"({_rates(used_periods, 'basic')})",
                    basic,
                )
            )
        if band in (None, "higher"):
            offset_lines.append(
                Line(
                    "cgt_estimate_higher",
                    f"CGT estimate at the higher rate ({_rates(used_periods, 'higher')})",
                    higher,
                )
            )
        notes += [
            "The CGT figure is an estimate only: the rate depends on how much of the basic rate "
            "band your income leaves unused (--income-band), and on gains outside this data.",
            f"In-year losses are set against the year's gains first; losses brought forward only "
            f"reduce the net gain down to the annual exempt amount. Claim a loss within "
            f"{o.claim_deadline_years} years of the end of the tax year in which it arose (a loss "
            f"of {label}: by {deadline}).",
            "Proceeds are shown net of disposal fees; the gain is the same as with the fees "
            "counted as allowable costs. Same-day disposals of a token count as one disposal.",
        ]
        if len(used_periods) > 1:
            notes.append(
                "Disposals before and after 30 October 2024 are taxed at different rates: the "
                "exempt amount and losses were set against the later gains first. On the "
                "2024-25 return the split-rate adjustment goes in the 'adjustment to CGT' box "
                "(box 51), worked out with HMRC's calculator."
            )
        meaning = (
            f"In {label} your {count} disposal(s) (as SA108 counts them) give a net gain of "
            f"{money_text(net)} {fiat}. "
            f"After the annual exempt amount of {money_text(exempt)}"
            + (f" and {money_text(used)} of losses brought forward" if used else "")
            + f", {money_text(taxable)} {fiat} is taxable."
            if net > 0
            else f"In {label} your {count} disposal(s) (as SA108 counts them) give a net loss of "
            f"{money_text(-net)} {fiat}. Nothing is taxable; {money_text(carry)} {fiat} of "
            "losses carries forward "
            f"(claim it on the return within {o.claim_deadline_years} years)."
            if net < 0
            else f"In {label} your disposals net to zero."
        )
        key_lines = [
            Line("", "Net gain or (loss)", net),
            Line("", f"Annual exempt amount {label}", exempt),
            Line("", "Taxable gain", taxable),
            Line("", "Losses carried forward", carry),
        ]
        if band in (None, "basic"):
            key_lines.append(Line("", "CGT estimate, basic rate band", basic))
        if band in (None, "higher"):
            key_lines.append(Line("", "CGT estimate, higher rate", higher))
        matching = {
            name: {"rows": len(group), "gain_loss": json_amount(sum((r.gain for r in group), ZERO))}
            for name, group in sorted(by_rule.items())
        }
        data = {
            **json_lines(return_lines),
            **json_lines(offset_lines),
            "disposals": count,
            "income_band": band,
            "rate_periods": [
                {
                    "from": str(p.start) if p.start else None,
                    "to": str(p.end) if p.end else None,
                    "gains": json_amount(gross),
                    "taxable": json_amount(part),
                    "basic_rate": str(p.basic),
                    "higher_rate": str(p.higher),
                }
                for p, part, gross in used_periods
            ],
            "matching": matching,
            "loss_claim_deadline": str(deadline),
            "notes": notes,
        }
        data.setdefault("cgt_estimate_basic", None)
        data.setdefault("cgt_estimate_higher", None)
        years.append(
            CountryYear(
                year=label,
                has_data=bool(rows),
                return_title="SA108 Capital Gains Summary: cryptoassets",
                return_lines=return_lines,
                offset_title="Gains, exempt amount and losses",
                offset_lines=offset_lines,
                key_lines=key_lines,
                meaning=meaning,
                notes=notes,
                data=data,
                headline=taxable,
                carry_forward=carry,
                summary=[t.gains, t.losses, net, exempt, used, taxable, carry],
            )
        )
    return CountryPlan(
        "uk_sa108",
        years,
        inputs,
        ["Gains", "Losses", "Net", "Exempt amount", "B/f used", "Taxable", "Carried forward"],
        "Taxable gain",
    )


def _span(period: RatePeriod) -> str:
    if period.start and period.end:
        return f"{period.start} to {period.end}"
    if period.start:
        return f"from {period.start}"
    if period.end:
        return f"up to {period.end}"
    return "all year"


def _rates(used: Sequence[tuple[RatePeriod, Decimal, Decimal]], band: str) -> str:
    rates = [percent(getattr(p, band)) for p, _, _ in used] or ["-"]
    return " / ".join(rates)
