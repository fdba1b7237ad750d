"""What losses are worth outside the US: one loss-offset strategy per country, chosen by the
rule's ``offset.strategy`` (the US Schedule D and carryover worksheet stay in ``returns.us``).

- ``uk_sa108`` (reference §2): SA108-style figures; in-year losses against in-year gains; the
  annual exempt amount; losses brought forward used only down to the exempt amount; the loss
  carried forward; a CGT estimate at the rates of ``offset.rates`` (split at 30 October 2024).
- ``ca_schedule_3`` (reference §4): Schedule 3 totals, superficial losses denied, the inclusion
  rate (taxable capital gain / allowable capital loss), net capital losses applied and carried
  forward, and what a carry-back (Form T1A) could use.
- ``au_cgt`` (reference §5): discount and non-discount gains, current and carried-forward
  losses applied to non-discount gains first, then the discount; net capital gain or loss.
- ``de_anlage_so`` (reference §3): private sales (§23 EStG) within the holding period, exempt
  sales listed, the Freigrenze as a cliff, losses carried back one year (when that year is in
  the data) or forward.

Each strategy works on printed (rounded) rows, as a return does, and rounds each derived
amount (a rate times a total) once with the rule's quantum and mode. Every tax year from the
first to the last year of data is computed, so losses flow from year to year.
Sees only ``Report`` and printed figures; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from taxloss.model import RatePeriod, Report, Rule, YearAmount
from taxloss.money import ZERO
from taxloss.returns.printed import Printed, Row, money, printed, year_rows
from taxloss.returns.us import OffsetInputs, OffsetPlan, plan_offsets


@dataclass(frozen=True)
class Line:
    """One printed figure: a report.json key, a label and an amount (or a text value)."""

    key: str
    label: str
    amount: Decimal | None = None
    text: str = ""
    bold: bool = False


@dataclass
class CountryYear:
    """One tax year's figures in the country's terms."""

    year: str
    has_data: bool
    return_title: str = ""
    return_lines: list[Line] = field(default_factory=list)
    offset_title: str = ""
    offset_lines: list[Line] = field(default_factory=list)
    key_lines: list[Line] = field(default_factory=list)
    meaning: str = ""
    notes: list[str] = field(default_factory=list)
    data: dict[str, object] = field(default_factory=dict)
    #: The taxable (or net) result the comparison and the multi-year table show.
    headline: Decimal = ZERO
    carry_forward: Decimal = ZERO
    #: One row of the multi-year table (``CountryPlan.columns``).
    summary: list[Decimal | None] = field(default_factory=list)


@dataclass
class CountryPlan:
    """Every tax year from the first to the last year of data, in the country's terms."""

    strategy: str
    years: list[CountryYear]
    inputs: OffsetInputs
    columns: list[str] = field(default_factory=list)
    headline_label: str = ""

    def for_year(self, year: str) -> CountryYear | None:
        """The computed year, if it is in the plan."""
        return next((y for y in self.years if y.year == year), None)


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
    labels = _labels(report, inputs.other_year)
    return STRATEGIES[strategy](report, shown, inputs, labels)


def year_json(year: object) -> dict[str, object]:
    """The report.json ``loss_offset`` object of a country year."""
    assert isinstance(year, CountryYear)
    return year.data


# -- shared helpers -----------------------------------------------------------------------------


def _start(label: str) -> int:
    return int(label[:4])


def _label(rule: Rule, first: int) -> str:
    if (rule.tax_year_start_month, rule.tax_year_start_day) == (1, 1):
        return str(first)
    return f"{first}-{(first + 1) % 100:02d}"


def _labels(report: Report, extra: str | None) -> list[str]:
    starts = [_start(y) for y in report.tax_years]
    if extra and extra[:4].isdigit():
        starts.append(_start(extra))
    if not starts:
        return []
    return [_label(report.rule, n) for n in range(min(starts), max(starts) + 1)]


def tax_year_end(rule: Rule, label: str) -> date:
    """The last day of a tax year (the day before the next one starts)."""
    start = date(_start(label) + 1, rule.tax_year_start_month, rule.tax_year_start_day)
    return start - timedelta(days=1)


def _amount_for(amounts: Sequence[YearAmount], label: str) -> Decimal | None:
    first = _start(label)
    for item in amounts:
        if item.year:
            if item.year == label:
                return item.amount
            continue
        if (item.first_year is None or first >= item.first_year) and (
            item.last_year is None or first <= item.last_year
        ):
            return item.amount
    return None


def percent(rate: Decimal) -> str:
    """A fraction as a percentage without trailing zeros: ``0.5`` -> ``50%``."""
    return f"{(rate * 100).normalize():f}%"


def _m(value: Decimal) -> str:
    text = f"{abs(value):,.2f}"
    return f"({text})" if value < 0 else text


def _json(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _round(rule: Rule, value: Decimal) -> Decimal:
    return money(value, rule)


def _json_lines(lines: Sequence[Line]) -> dict[str, object]:
    return {
        line.key: (_json(line.amount) if line.amount is not None else line.text or None)
        for line in lines
        if line.key
    }


@dataclass
class Disposals:
    """A year's rows as the return counts them."""

    rows: list[Row]
    proceeds: Decimal = ZERO
    costs: Decimal = ZERO
    gains: Decimal = ZERO
    losses: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        """Gains minus losses."""
        return self.gains - self.losses


def _totals(rows: Sequence[Row], group: Callable[[Row], object] | None = None) -> Disposals:
    """Proceeds, costs, and gains and losses per disposal (rows grouped by ``group``)."""
    out = Disposals(list(rows))
    results: dict[object, Decimal] = {}
    for row in rows:
        out.proceeds += row.proceeds
        out.costs += row.cost_basis
        key = group(row) if group else row.number
        results[key] = results.get(key, ZERO) + row.gain
    for value in results.values():
        if value > 0:
            out.gains += value
        else:
            out.losses -= value
    return out


# -- United Kingdom -----------------------------------------------------------------------------


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
        t = _totals(rows, _uk_disposal)
        count = len({_uk_disposal(r) for r in rows})
        exempt = _amount_for(o.exempt_amounts, label)
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
        basic = _round(rule, sum((taxable_by[i] * p.basic for i, p in enumerate(periods)), ZERO))
        higher = _round(rule, sum((taxable_by[i] * p.higher for i, p in enumerate(periods)), ZERO))
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
            offset_lines.append(Line("", f"Gains {span}: {_m(gross)}; taxable part", part))
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
            f"In {label} your {count} disposal(s) give a net gain of {_m(net)} {fiat}. "
            f"After the annual exempt amount of {_m(exempt)}"
            + (f" and {_m(used)} of losses brought forward" if used else "")
            + f", {_m(taxable)} {fiat} is taxable."
            if net > 0
            else f"In {label} your {count} disposal(s) give a net loss of {_m(-net)} {fiat}. "
            f"Nothing is taxable; {_m(carry)} {fiat} of losses carries forward (claim it on "
            f"the return within {o.claim_deadline_years} years)."
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
            name: {"rows": len(group), "gain_loss": _json(sum((r.gain for r in group), ZERO))}
            for name, group in sorted(by_rule.items())
        }
        data = {
            **_json_lines(return_lines),
            **_json_lines(offset_lines),
            "disposals": count,
            "income_band": band,
            "rate_periods": [
                {
                    "from": str(p.start) if p.start else None,
                    "to": str(p.end) if p.end else None,
                    "gains": _json(gross),
                    "taxable": _json(part),
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


# -- Canada -------------------------------------------------------------------------------------


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
        t = _totals(rows)
        denied = sum((r.adjustment for r in rows if r.disposal.denied_loss), ZERO)
        superficial = sum(1 for r in rows if r.disposal.denied_loss)
        net = t.net
        taxable_gain = _round(rule, net * rate) if net > 0 else ZERO
        allowable_loss = _round(rule, -net * rate) if net < 0 else ZERO
        brought = balance
        applied = min(brought, taxable_gain)
        after = taxable_gain - applied
        balance = brought - applied + allowable_loss
        taxable_left[label] = after
        back_years = [_label(rule, _start(label) - n) for n in range(1, o.carry_back_years + 1)]
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
            "proposal to raise it to 2/3 was cancelled on 21 March 2025 (reference §4).",
            "A net capital loss can only reduce taxable capital gains: carry it back up to "
            f"{o.carry_back_years} years with Form T1A, or forward indefinitely. This report "
            "carries it forward; a carry-back is your choice.",
            "Superficial losses (identical property bought 30 days before to 30 days after the "
            "sale and still held) are denied in proportion min(sold, bought, held)/sold and "
            "added to the pool's ACB; check purchases by affiliated persons (a spouse), which "
            "are not in this data.",
        ]
        meaning = (
            f"In {label} your disposals give a net capital gain of {_m(net)} {fiat}; "
            f"{_m(taxable_gain)} is the taxable capital gain"
            + (f", {_m(after)} after {_m(applied)} of net capital losses" if applied else "")
            + "."
            if net > 0
            else f"In {label} your disposals give a net capital loss of {_m(-net)} {fiat}: an "
            f"allowable capital loss of {_m(allowable_loss)}. It cannot reduce other income; "
            f"{_m(balance)} of net capital losses carries forward."
            if net < 0
            else f"In {label} your disposals net to zero."
        )
        if denied:
            meaning += f" Superficial losses of {_m(denied)} were denied and added to the ACB."
        key_lines = [
            Line("", "Net capital gain or (loss)", net),
            Line("", "Superficial losses denied", denied),
            Line("", f"Taxable capital gain ({share})", taxable_gain),
            Line("", f"Allowable capital loss ({share})", allowable_loss),
            Line("", "Net capital loss carried forward", balance),
        ]
        data = {
            **_json_lines(return_lines),
            **_json_lines(offset_lines),
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


# -- Australia ----------------------------------------------------------------------------------


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
        discount = _round(rule, (discount_gains - on_discount) * rate)
        net = other_gains - on_other + discount_gains - on_discount - discount
        carry = left
        # The order the reference calls worse (losses to discount gains first), for comparison.
        worse_discount = min(losses, discount_gains)
        worse_other = min(losses - worse_discount, other_gains)
        worse = (other_gains - worse_other) + _round(
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
            f"(here {_m(net)}; applying them to discount gains first would give {_m(worse)}).",
            "Net capital losses carry forward indefinitely and cannot reduce other income.",
            "The ATO treats wash sales (selling to crystallise a loss and buying back) as "
            "potentially caught by Part IVA: check any loss followed by a quick repurchase.",
        ]
        meaning = (
            f"In {label} your capital gains total {_m(discount_gains + other_gains)} {fiat} "
            f"and your capital losses {_m(losses)} (including {_m(brought)} from earlier "
            f"years). After the losses and the {share} discount your net capital gain is "
            f"{_m(net)} {fiat}."
            if net > 0 or not left
            else f"In {label} your capital losses ({_m(losses)} {fiat}, including earlier "
            f"years') exceed your gains: {_m(carry)} carries forward as a net capital loss."
        )
        key_lines = [
            Line("", "Total current year capital gains", discount_gains + other_gains),
            Line("", "Capital losses applied (this year and earlier)", on_other + on_discount),
            Line("", f"CGT discount ({share})", discount),
            Line("", "Net capital gain", net),
            Line("", "Net capital losses carried forward", carry),
        ]
        data = {
            **_json_lines(return_lines),
            **_json_lines(offset_lines),
            "discount_rate": str(rate),
            "discount_events": discount_rows,
            "net_capital_gain_if_losses_applied_to_discount_gains_first": _json(worse),
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


# -- Germany ------------------------------------------------------------------------------------


@dataclass
class _GermanYear:
    label: str
    rows: list[Row]
    gains: Decimal
    losses: Decimal
    net: Decimal
    exempt_rows: list[Row]
    threshold: Decimal
    before_losses: Decimal
    brought: Decimal = ZERO
    brought_used: Decimal = ZERO
    carried_back_in: Decimal = ZERO
    carried_back_out: Decimal = ZERO
    carried_forward: Decimal = ZERO

    @property
    def taxable(self) -> Decimal:
        return self.before_losses - self.brought_used - self.carried_back_in


def plan_de(report: Report, shown: Printed, inputs: OffsetInputs, labels: list[str]) -> CountryPlan:
    """Anlage SO style: private sales within the holding period, the Freigrenze (a cliff) and
    the loss carry-back / carry-forward (reference §3)."""
    rule = report.rule
    o = rule.offset
    fiat = rule.fiat
    states: list[_GermanYear] = []
    carry = inputs.losses_brought_forward
    for label in labels:
        rows = year_rows(shown, label)
        taxed = [r for r in rows if not r.disposal.exempt]
        exempt_rows = [r for r in rows if r.disposal.exempt]
        gains = sum((r.gain for r in taxed if r.gain > 0), ZERO)
        losses = sum((-r.gain for r in taxed if r.gain < 0), ZERO)
        net = gains - losses
        threshold = _amount_for(o.thresholds, label) or ZERO
        below = net < threshold if o.threshold_kind == "less_than" else net <= threshold
        before = ZERO if net <= 0 or below else net
        state = _GermanYear(label, rows, gains, losses, net, exempt_rows, threshold, before)
        state.brought = carry
        state.brought_used = min(carry, before)
        loss = max(-net, ZERO)
        if loss and states and o.carry_back_years:
            previous = states[-1]
            state.carried_back_out = min(loss, previous.taxable)
            previous.carried_back_in = state.carried_back_out
        carry = carry - state.brought_used + loss - state.carried_back_out
        state.carried_forward = carry
        states.append(state)
    years = []
    for index, s in enumerate(states):
        limit = f"{_m(s.threshold)}"
        if s.net <= 0:
            test = "no net gain"
        elif s.before_losses == 0:
            test = f"below the Freigrenze of {limit}: tax-free"
        else:
            test = f"not below the Freigrenze of {limit}: all of it is taxable"
        previous_label = _label(rule, _start(s.label) - 1)
        return_lines = [
            Line(
                "private_sales",
                "Private sales within one year (§23 EStG)",
                text=str(len(s.rows) - len(s.exempt_rows)),
            ),
            Line("private_sales_gains", "Gains from private sales", s.gains),
            Line("private_sales_losses", "Losses from private sales", s.losses),
            Line(
                "net_result",
                "Net result of private sales (Gesamtgewinn / -verlust)",
                s.net,
                bold=True,
            ),
            Line(
                "exempt_sales",
                "Sales after more than one year (not taxable, listed)",
                text=str(len(s.exempt_rows)),
            ),
            Line(
                "exempt_gain_loss",
                "Their gain or (loss), not taxable",
                sum((r.gain for r in s.exempt_rows), ZERO),
            ),
        ]
        offset_lines = [
            Line(
                "freigrenze", f"Freigrenze {s.label} (a threshold, not an allowance)", s.threshold
            ),
            Line("freigrenze_test", "Freigrenze test on the net result", text=test),
            Line("taxable_before_loss_deduction", "Taxable before loss deduction", s.before_losses),
            Line("losses_brought_forward", "Loss carried forward from earlier years", s.brought),
            Line("losses_brought_forward_used", "Loss carryforward used", s.brought_used),
            Line(
                "loss_carried_back_from_next_year",
                "Loss carried back from the next year (§10d)",
                s.carried_back_in,
            ),
            Line("taxable", "Taxable private-sale income (§23)", s.taxable, bold=True),
            Line(
                "loss_carried_back",
                f"This year's loss carried back to {previous_label}",
                s.carried_back_out,
            ),
            Line(
                "loss_carried_forward",
                "Loss carried forward (Verlustvortrag, §23 Abs. 3)",
                s.carried_forward,
                bold=True,
            ),
        ]
        notes = [
            "The Freigrenze is tested on the year's net private-sale result before any loss "
            "deduction: below it nothing is taxable, at or above it all of it is (a cliff).",
            "Private-sale losses only offset private-sale gains: carried back one year "
            "(automatically, unless you limit the carry-back, §10d Abs. 1 Satz 5 EStG) or "
            "forward; the carryforward is assessed separately (Verlustfeststellung).",
            "Crypto derivatives (futures, perpetuals) may be Termingeschäfte under §20 EStG "
            "rather than private sales: check any position rows with a Steuerberater.",
        ]
        loss = max(-s.net, ZERO)
        if loss and index == 0 and o.carry_back_years:
            notes.append(
                f"{previous_label} is not in the data: the loss of {_m(loss)} could be carried "
                f"back to it against its private-sale income; here it is carried forward."
            )
        meaning = (
            f"In {s.label} your private sales within one year give a net result of "
            f"{_m(s.net)} {fiat}; {test}. Taxable private-sale income: {_m(s.taxable)} {fiat}."
        )
        if s.exempt_rows:
            meaning += f" {len(s.exempt_rows)} sale(s) after more than one year are not taxable."
        if s.carried_forward:
            meaning += f" Loss carried forward: {_m(s.carried_forward)} {fiat}."
        key_lines = [
            Line("", "Net result of private sales (§23)", s.net),
            Line("", f"Freigrenze {s.label}", s.threshold),
            Line("", "Taxable private-sale income", s.taxable),
            Line("", "Loss carried forward", s.carried_forward),
        ]
        data = {
            **_json_lines(return_lines),
            **_json_lines(offset_lines),
            "private_sales": len(s.rows) - len(s.exempt_rows),
            "exempt_sales": len(s.exempt_rows),
            "freigrenze_applies": s.net > 0 and s.before_losses == 0,
            "notes": notes,
        }
        years.append(
            CountryYear(
                year=s.label,
                has_data=bool(s.rows),
                return_title="Anlage SO: private Veräußerungsgeschäfte (§23 EStG)",
                return_lines=return_lines,
                offset_title="Freigrenze and loss offset",
                offset_lines=offset_lines,
                key_lines=key_lines,
                meaning=meaning,
                notes=notes,
                data=data,
                headline=s.taxable,
                carry_forward=s.carried_forward,
                summary=[
                    s.net,
                    s.threshold,
                    s.before_losses,
                    s.brought_used + s.carried_back_in,
                    s.taxable,
                    s.carried_back_out,
                    s.carried_forward,
                ],
            )
        )
    return CountryPlan(
        "de_anlage_so",
        years,
        inputs,
        [
            "Net result",
            "Freigrenze",
            "Before losses",
            "Losses used",
            "Taxable",
            "Carried back",
            "Carried forward",
        ],
        "Taxable §23 income",
    )


Strategy = Callable[[Report, Printed, OffsetInputs, list[str]], CountryPlan]

#: ``offset.strategy`` -> the function that plans it (US: ``returns.us.plan_offsets``).
STRATEGIES: dict[str, Strategy] = {
    "uk_sa108": plan_uk,
    "ca_schedule_3": plan_ca,
    "au_cgt": plan_au,
    "de_anlage_so": plan_de,
}
