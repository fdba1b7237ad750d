"""The account statement ("Where the money went", issue #15) as report.json data, terminal
lines and spreadsheet rows. Every figure comes from ``returns.account``, rounded once.
Sees only ``Report``; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from taxloss.model import Debt, Report, Rule
from taxloss.money import ZERO, plain, quantize
from taxloss.render.labels import NOT_ADVICE
from taxloss.render.xlsx_writer import AMOUNT, BOLD, HEAD, Sheet
from taxloss.returns.account import (
    FEES,
    LINE_KEYS,
    PARTS,
    AccountLines,
    Statement,
    printed_lines,
    rounded,
    share_text,
)
from taxloss.returns.printed import Printed, printed

#: The statement's lines in the order every output shows them: key, label and one plain
#: sentence (``net_result`` is computed from the others; it is not in report.json's lines).
LINES: tuple[tuple[str, str, str], ...] = (
    ("capital_in", "Put in",
     "Money paid for crypto, and deposits from outside the data, at their value then."),
    ("capital_out", "Taken out",
     "Money received for crypto, spending, and withdrawals to outside the data (at cost)."),
    ("realized", "Realized results",
     "Gains minus losses on everything sold, swapped or closed, liquidations included."),
    ("income", "Income", "Staking, rewards and interest received, at value when received."),
    ("expenses", "Expenses outside any sale",
     "Network fees, standalone fees, and interest or funding paid as expenses."),
    ("other", "Debt settled at another value",
     "A debt or loan repaid with units worth more or less than when it arose."),
    ("net_result", "Net result", "Realized results plus income, minus expenses."),
    ("left_at_cost", "Left, at cost", "What the data shows you still hold, at what it cost."),
    ("left_at_market", "Left, at market value", "The same holdings at your --prices rows."),
    ("owed", "Owed to platforms",
     "Negative balances after a liquidation, and margin loans not repaid."),
)  # fmt: skip

IDENTITY = (
    "capital_in - capital_out + realized + income - expenses + other "
    "= left_at_cost - owed (per wallet also + moved; per tax year also "
    "- left_at_start + owed_at_start)"
)

#: How the realized results' parts are named in tables.
PART_LABELS = {
    "spot": "spot sales and swaps",
    "positions": "derivative positions",
    "liquidations": "liquidations and forced sales",
}

#: A loss share is printed as a fraction with this many places (0.8345 = 83.45%).
SHARE_QUANTUM = Decimal("0.0001")


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def printed_share(value: Decimal | None) -> Decimal | None:
    """A loss share as printed: a fraction with four places (None stays None)."""
    return None if value is None else quantize(value, SHARE_QUANTUM, "ROUND_HALF_EVEN")


def peak_json(lines: AccountLines, rule: Rule) -> dict[str, Any]:
    """The peak value of holdings, its day and the loss share of it (decimal strings or null)."""
    peak = lines.peak_value
    return {
        "peak_value": None if peak is None else f"{rounded(peak, rule):f}",
        "peak_date": lines.peak_date.isoformat() if lines.peak_date else None,
        "loss_share_of_peak": _text(printed_share(lines.loss_share_of_peak)),
    }


def lines_json(
    lines: AccountLines, rule: Rule, extra: tuple[str, ...] = (), peak: bool = False
) -> dict[str, Any]:
    """One column of the statement as report.json data (decimal strings, rounded once); with
    ``peak`` (the total and the tax years) also the peak value of holdings."""
    shown = printed_lines(lines, rule)
    out: dict[str, Any] = {}
    for key in LINE_KEYS:
        if key == "left_at_cost":
            out["net_result"] = _text(shown["net_result"])
            out["fees"] = {
                line.value: f"{rounded(lines.fees.get(line, ZERO), rule):f}" for line, _ in FEES
            }
        out[key] = _text(shown[key])
        if key == "realized":
            out["realized_parts"] = {
                part: f"{rounded(lines.realized_parts.get(part, ZERO), rule):f}" for part in PARTS
            }
    for key in extra:
        out[key] = _text(shown[key])
    share = lines.loss_share
    out["loss_share"] = (
        None if share is None else f"{quantize(share, SHARE_QUANTUM, 'ROUND_HALF_EVEN'):f}"
    )
    if peak:
        out.update(peak_json(lines, rule))
    out["rounding"] = _text(shown["rounding"])
    return out


def debt_json(debt: Debt, rule: Rule) -> dict[str, Any]:
    """One debt or margin loan as report.json data."""
    return {
        "kind": debt.kind.value,
        "asset": debt.asset,
        "amount": plain(debt.quantity),
        "value": f"{rounded(debt.value, rule):f}",
        "platform": debt.wallet,
        "date": debt.incurred_on.isoformat(),
        "tax_year": debt.tax_year,
        "contract": debt.contract or None,
        "source_rows": [str(s) for s in (debt.sources or (debt.source,))],
        "open_amount": plain(debt.open_quantity),
        "open_value": f"{rounded(debt.open_value, rule):f}",
        "repayments": [
            {
                "date": r.repaid_on.isoformat(),
                "amount": plain(r.quantity),
                "value": f"{rounded(r.value, rule):f}",
                "cost_of_units": f"{rounded(r.basis, rule):f}",
                "source": str(r.source),
            }
            for r in debt.repayments
        ],
    }


def statement_of(report: Report, figures: Printed | None = None) -> Statement:
    """The account statement, shared through the printed figures when there are some."""
    return printed(report, figures).account()


def account_json(report: Report, figures: Printed | None = None) -> dict[str, Any]:
    """report.json ``account``: total, wallets, years and debts (issue #15)."""
    rule = report.rule
    st = statement_of(report, figures)
    return {
        "currency": st.currency,
        "identity": IDENTITY,
        "market_day": st.market_day.isoformat() if st.market_day else None,
        "unpriced_assets": list(st.unpriced),
        "peak_note": st.peak_note or None,
        "total": lines_json(st.total, rule, peak=True),
        "wallets": {
            name: lines_json(lines, rule, ("moved",)) for name, lines in st.wallets.items()
        },
        "years": {
            label: lines_json(lines, rule, ("left_at_start", "owed_at_start"), peak=True)
            for label, lines in st.years.items()
        },
        "debts": [debt_json(d, rule) for d in st.debts],
    }


def amount(value: Decimal) -> str:
    """``1,234.50`` or ``(5,100.00)``, as on the forms."""
    text = f"{abs(value):,.2f}"
    return f"({text})" if value < 0 else text


def account_text(report: Report, figures: Printed | None = None) -> str:
    """The terminal's four account lines and the loss share (after the tax totals)."""
    rule = report.rule
    st = statement_of(report, figures)
    total = st.total
    shown = printed_lines(total, rule)
    fiat = rule.fiat

    def line(label: str, value: Decimal | None, note: str = "") -> str:
        return f"  {label:<34} {amount(value or ZERO):>15} {fiat}{note}"

    lines = ["", "Where the money went (all wallets, whole data)"]
    lines.append(line("put in", shown["capital_in"]))
    lines.append(line("taken out", shown["capital_out"]))
    market = shown["left_at_market"]
    held = st.total.left_at_cost != 0
    note = f" (at market {amount(market)})" if market is not None and held else ""
    lines.append(line("left, at cost", shown["left_at_cost"], note))
    open_debts = st.open_debts
    owed_note = ""
    if open_debts:
        where = ", ".join(sorted({d.wallet for d in open_debts}))
        owed_note = f" (to {where}: {len(open_debts)} open debt(s), see the summary)"
    lines.append(line("owed to platforms", shown["owed"], owed_note))
    share = total.loss_share
    if share is None:
        lines.append("  loss share: n/a (nothing put in that the data shows)")
    else:
        result = amount(shown["net_result"] or ZERO)
        verdict = f"a loss of {share_text(share)} of the money put in" if share else "no net loss"
        lines.append(f"  net result {result} {fiat}: {verdict}")
    lines.append(peak_text(st, rule))
    return "\n".join(lines) + "\n"


def peak_text(st: Statement, rule: Rule) -> str:
    """The terminal's line on the peak value of holdings and the loss share of it."""
    total = st.total
    if total.peak_value is None:
        return f"  peak value of holdings: not known ({st.peak_note})"
    peak = f"{amount(rounded(total.peak_value, rule))} {rule.fiat} on {total.peak_date}"
    of_peak = total.loss_share_of_peak
    verdict = "no net loss" if of_peak is None else f"the loss is {share_text(of_peak)} of it"
    return f"  peak value of holdings {peak}: {verdict}"


def account_rows(report: Report, statement: Statement | None = None) -> list[list[Any]]:
    """The statement as spreadsheet rows: a header, one row per line, a column per wallet,
    per tax year and the total (amounts as rounded Decimals; None for an unknown value)."""
    rule = report.rule
    st = statement or statement_of(report)
    columns: list[tuple[str, AccountLines, tuple[str, ...]]] = [("Total", st.total, ())]
    columns += [(f"Wallet: {n}", lines, ("moved",)) for n, lines in st.wallets.items()]
    columns += [
        (f"Tax year {y}", lines, ("left_at_start", "owed_at_start"))
        for y, lines in st.years.items()
    ]
    shown = [printed_lines(lines, rule) for _, lines, _ in columns]
    header = ["Line", "What it means", *(name for name, _, _ in columns)]
    rows: list[list[Any]] = [header]
    for key, label, sentence in LINES:
        if key == "net_result":  # the sheet gives it below, after the rounding line
            continue
        if key == "left_at_cost":
            rows.append(["Moved between your wallets (at cost)",
                         "Cost carried in (+) or out (-) by transfers between your own wallets.",
                         *(s["moved"] if "moved" in extra else None
                           for s, (_, _, extra) in zip(shown, columns, strict=True))])  # fmt: skip
            rows.append(["Left at the start of the year, at cost", "Tax-year columns only.",
                         *(s["left_at_start"] if extra and "left_at_start" in extra else None
                           for s, (_, _, extra) in zip(shown, columns, strict=True))])  # fmt: skip
        rows.append([label, sentence, *(s[key] for s in shown)])
        if key == "realized":
            for part, part_label in PART_LABELS.items():
                values = [rounded(lines.realized_parts.get(part, ZERO), rule)
                          for _, lines, _ in columns]  # fmt: skip
                rows.append([f"of which {part_label}", "Inside the realized results.", *values])
    rows.append(["Rounding", "Cents that make the rounded lines add up (usually 0).",
                 *(s["rounding"] for s in shown)])  # fmt: skip
    rows.append(["Net result", "Realized results + income - expenses + other.",
                 *(s["net_result"] for s in shown)])  # fmt: skip
    rows.append(["Loss share", "Net loss as a fraction of the money put in.",
                 *(None if lines.loss_share is None
                   else quantize(lines.loss_share, SHARE_QUANTUM, "ROUND_HALF_EVEN")
                   for _, lines, _ in columns)])  # fmt: skip
    peaks = [None if extra == ("moved",) else lines for _, lines, extra in columns]
    rows.append(["Peak value of holdings",
                 "Highest value at the end of a day with a --prices row for every asset held.",
                 *(None if p is None or p.peak_value is None else rounded(p.peak_value, rule)
                   for p in peaks)])  # fmt: skip
    rows.append(["Peak day", "The day of that value.",
                 *(None if p is None or p.peak_date is None else p.peak_date.isoformat()
                   for p in peaks)])  # fmt: skip
    rows.append(["Loss share of peak", "Net loss as a fraction of the peak value.",
                 *(None if p is None else printed_share(p.loss_share_of_peak)
                   for p in peaks)])  # fmt: skip
    for line, label in FEES:
        values = [rounded(lines.fees.get(line, ZERO), rule) for _, lines, _ in columns]
        rows.append([f"of which {label}", "Already inside another line.", *values])
    return rows


def debt_rows(report: Report, statement: Statement | None = None) -> list[list[Any]]:
    """Debts and margin loans as spreadsheet rows (header first)."""
    rule = report.rule
    st = statement or statement_of(report)
    rows: list[list[Any]] = [["Debt", "Asset", "Amount", f"Value ({rule.fiat})", "Platform",
                              "Date", "Source rows", "Still owed (amount)",
                              f"Still owed ({rule.fiat})", "Repaid by"]]  # fmt: skip
    for debt in st.debts:
        rows.append([
            debt.kind.value.replace("_", " "), debt.asset, plain(debt.quantity),
            rounded(debt.value, rule), debt.wallet, debt.incurred_on.isoformat(),
            ", ".join(str(s) for s in (debt.sources or (debt.source,))),
            plain(debt.open_quantity), rounded(debt.open_value, rule),
            ", ".join(f"{r.source} ({r.repaid_on})" for r in debt.repayments),
        ])  # fmt: skip
    return rows


def account_sheet(report: Report, figures: Printed | None = None) -> Sheet:
    """The workbook's ``Account`` sheet: the statement table, then every debt."""
    st = statement_of(report, figures)
    table = account_rows(report, st)
    sheet = Sheet("Account", widths=(40, 60, *([16] * (len(table[0]) - 2))), freeze_header=False)
    sheet.append([(f"Where the money went ({report.rule.fiat}, the values the tax figures use)",
                   BOLD)])  # fmt: skip
    sheet.append([NOT_ADVICE])
    sheet.append([])
    sheet.append([(h, HEAD) for h in table[0]])
    for row in table[1:]:
        plain_cells = row[0] in ("Loss share", "Loss share of peak", "Peak day")
        sheet.append([
            (row[0], BOLD), row[1],
            *(value if plain_cells or value is None else (value, AMOUNT) for value in row[2:]),
        ])  # fmt: skip
    sheet.append([])
    debts = debt_rows(report, st)
    sheet.append([("Debts to platforms and margin loans", BOLD)])
    sheet.append([(h, HEAD) for h in debts[0]])
    for row in debts[1:]:
        sheet.append([(v, AMOUNT) if isinstance(v, Decimal) else v for v in row])
    if len(debts) == 1:
        sheet.append(["none"])
    return sheet
