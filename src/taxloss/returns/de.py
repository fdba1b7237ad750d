"""Germany (``offset.strategy = "de_anlage_so"``, reference §3): private sales (§23 EStG)
within the holding period, exempt sales listed, the Freigrenze as a cliff, losses carried
back one year (when that year is in the data) or forward.
Imports only ``model``, ``money``, ``returns`` modules and the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from taxloss.model import Report
from taxloss.money import ZERO
from taxloss.returns.country import (
    CountryPlan,
    CountryYear,
    Line,
    amount_for,
    first_year,
    json_lines,
    label_for,
    money_text,
)
from taxloss.returns.printed import Printed, Row, year_rows
from taxloss.returns.us import OffsetInputs


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
        threshold = amount_for(o.thresholds, label) or ZERO
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
        limit = f"{money_text(s.threshold)}"
        if s.net <= 0:
            test = "no net gain"
        elif s.before_losses == 0:
            test = f"below the Freigrenze of {limit}: tax-free"
        else:
            test = f"not below the Freigrenze of {limit}: all of it is taxable"
        previous_label = label_for(rule, first_year(s.label) - 1)
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
                f"{previous_label} is not in the data: the loss of {money_text(loss)} could be "
                f"carried back to it against its private-sale income; here it is carried forward."
            )
        meaning = (
            f"In {s.label} your private sales within one year give a net result of "
            f"{money_text(s.net)} {fiat}; {test}. Taxable private-sale income: "
            f"{money_text(s.taxable)} {fiat}."
        )
        if s.exempt_rows:
            meaning += f" {len(s.exempt_rows)} sale(s) after more than one year are not taxable."
        if s.carried_forward:
            meaning += f" Loss carried forward: {money_text(s.carried_forward)} {fiat}."
        key_lines = [
            Line("", "Net result of private sales (§23)", s.net),
            Line("", f"Freigrenze {s.label}", s.threshold),
            Line("", "Taxable private-sale income", s.taxable),
            Line("", "Loss carried forward", s.carried_forward),
        ]
        data = {
            **json_lines(return_lines),
            **json_lines(offset_lines),
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
