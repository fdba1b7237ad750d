"""The account statement, "Where the money went" (issue #15).

For each wallet, each tax year and in total: the money put in and taken out, the realized
results, income and expenses outside any disposal, the fee breakdown, what is left at cost
(and at market where ``--prices`` has the last day), what is owed to platforms, and the loss
as a share of the money put in. The lines obey one identity, asserted here to far below a cent:

    capital in - capital out + realized + income - expenses + other = left at cost - owed

``other`` is non-zero only when a debt or loan was settled for a value other than the one it
was booked at. Per wallet a further line, ``moved``, is the cost carried in (+) or out (-) by
transfers between the taxpayer's own wallets and by lots used across wallets; it sums to zero
over the wallets. Fees are "of which" lines: each is already inside another line.
Imports only ``taxloss.model``, ``taxloss.money`` and ``taxloss.errors``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from taxloss.errors import InternalError
from taxloss.model import (
    DayHoldings,
    Debt,
    Disposal,
    DisposalKind,
    Flow,
    FlowLine,
    Lot,
    Report,
    Rule,
)
from taxloss.money import ZERO, engine_context, quantize

#: Where the engine keeps units withdrawn to an address outside the data (engine.core).
OUTSIDE = "(outside the data)"

#: The identity must hold to far below a cent: the lines are exact decimals.
TOLERANCE = Decimal("1e-12")

#: The fee breakdown, in the order it is shown, with its label.
FEES: tuple[tuple[FlowLine, str], ...] = (
    (FlowLine.TRADING_FEES, "trading fees"),
    (FlowLine.NETWORK_FEES, "network (transfer) fees"),
    (FlowLine.FUNDING_PAID, "funding paid"),
    (FlowLine.FUNDING_RECEIVED, "funding received"),
    (FlowLine.LIQUIDATION_FEES, "liquidation and insurance fees"),
    (FlowLine.MARGIN_INTEREST, "margin interest"),
    (FlowLine.OTHER_FEES, "other fees"),
)

#: The main lines, in report.json order (their words are the renderers': ``render.account``).
LINE_KEYS: tuple[str, ...] = (
    "capital_in", "capital_out", "realized", "income", "expenses", "other", "left_at_cost",
    "left_at_market", "owed",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class AccountLines:
    """One column of the statement (a wallet, a tax year or the total). Exact amounts."""

    capital_in: Decimal = ZERO
    capital_out: Decimal = ZERO
    realized: Decimal = ZERO
    income: Decimal = ZERO
    expenses: Decimal = ZERO
    other: Decimal = ZERO
    #: Cost moved in (+) or out (-) from the taxpayer's other wallets (per wallet only).
    moved: Decimal = ZERO
    fees: Mapping[FlowLine, Decimal] = field(default_factory=dict)
    left_at_cost: Decimal = ZERO
    left_at_market: Decimal | None = None
    owed: Decimal = ZERO
    #: For a tax year: what was left at cost and owed when it began (else zero).
    left_at_start: Decimal = ZERO
    owed_at_start: Decimal = ZERO
    #: Realized results as the forms print them: the sum of the rounded Form 8949 rows.
    realized_rows: Decimal | None = None
    #: The printed realized results split: spot disposals, derivative positions, and
    #: liquidations (liquidated positions and forced sales) apart.
    realized_parts: Mapping[str, Decimal] = field(default_factory=dict)
    #: The highest value of the holdings at the end of a day whose every asset held has a
    #: ``--prices`` row (total and tax years only; None when no such day), and that day.
    peak_value: Decimal | None = None
    peak_date: date | None = None

    @property
    def net_result(self) -> Decimal:
        """Realized results plus income, minus expenses, plus any settlement difference."""
        return self.realized + self.income - self.expenses + self.other

    @property
    def loss_share(self) -> Decimal | None:
        """The net loss as a fraction of the money put in (0 without a loss; None when
        nothing was put in)."""
        if self.capital_in <= 0:
            return None
        net = self.net_result
        return -net / self.capital_in if net < 0 else ZERO

    @property
    def loss_share_of_peak(self) -> Decimal | None:
        """The net loss as a fraction of the peak value of holdings (None when no day is fully
        priced, the peak is zero, or there is no net loss)."""
        net = self.net_result
        if self.peak_value is None or self.peak_value <= 0 or net >= 0:
            return None
        return -net / self.peak_value

    @property
    def fees_paid(self) -> Decimal:
        """All fees in the breakdown except funding (trading, network, liquidation, interest,
        other)."""
        return sum((v for k, v in self.fees.items() if k not in FUNDING), ZERO)

    @property
    def funding_net(self) -> Decimal:
        """Funding paid minus funding received."""
        return self.fees.get(FlowLine.FUNDING_PAID, ZERO) - self.fees.get(
            FlowLine.FUNDING_RECEIVED, ZERO
        )

    def imbalance(self) -> Decimal:
        """Left at cost - owed - (in - out + net result + moved): zero when the books agree."""
        flows = self.capital_in - self.capital_out + self.net_result + self.moved
        start = self.left_at_start - self.owed_at_start
        return self.left_at_cost - self.owed - start - flows


FUNDING = frozenset({FlowLine.FUNDING_PAID, FlowLine.FUNDING_RECEIVED})


@dataclass(frozen=True, slots=True)
class Statement:
    """The whole statement: total, per wallet, per tax year, and every debt."""

    currency: str
    total: AccountLines
    wallets: Mapping[str, AccountLines]
    years: Mapping[str, AccountLines]
    debts: tuple[Debt, ...]
    #: The day the market value refers to (the last day of the data), if any.
    market_day: date | None
    #: Assets held at the end with no --prices row for that day (market value unknown).
    unpriced: tuple[str, ...]
    #: Why the whole data's peak value is not known ("" when it is).
    peak_note: str = ""

    @property
    def open_debts(self) -> tuple[Debt, ...]:
        """Debts and loans not fully repaid by the end of the data."""
        return tuple(d for d in self.debts if d.open_quantity > 0)


def _held(report: Report) -> list[Lot]:
    return [lot for lot in report.open_lots if lot.wallet != OUTSIDE]


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


class _Column:
    """Running sums for one column."""

    def __init__(self) -> None:
        self.lines: dict[str, Decimal] = defaultdict(Decimal)
        self.fees: dict[FlowLine, Decimal] = defaultdict(Decimal)

    def add_flow(self, flow: Flow) -> None:
        if flow.line in FEE_KEYS:
            self.fees[flow.line] += flow.amount
        else:
            self.lines[flow.line.value] += flow.amount

    def finish(
        self,
        left: Decimal,
        market: Decimal | None,
        owed: Decimal,
        moved: bool,
        start: tuple[Decimal, Decimal] = (ZERO, ZERO),
    ) -> AccountLines:
        lines = self.lines
        base = AccountLines(
            capital_in=lines["capital_in"],
            capital_out=lines["capital_out"],
            realized=lines["realized"],
            income=lines["income"],
            expenses=lines["expenses"],
            other=lines["other"],
            fees={line: self.fees[line] for line, _ in FEES if self.fees.get(line)},
            left_at_cost=left,
            left_at_market=market,
            owed=owed,
            left_at_start=start[0],
            owed_at_start=start[1],
        )
        if not moved:
            return base
        flows = base.capital_in - base.capital_out + base.net_result
        return AccountLines(
            base.capital_in, base.capital_out, base.realized, base.income, base.expenses,
            base.other, left - owed - flows, base.fees, left, market, owed,
        )  # fmt: skip


FEE_KEYS = frozenset(line for line, _ in FEES)


def _market(lots: list[Lot], report: Report) -> tuple[Decimal | None, tuple[str, ...]]:
    """Value of ``lots`` at the closing prices; None if any asset has no price (or par)."""
    rule = report.rule
    prices = {p.asset: p.price for p in report.closing_prices}
    par = rule.fx is None or rule.fx.stablecoin_currency == rule.fiat
    missing: set[str] = set()
    value = ZERO
    for lot in lots:
        if lot.asset in prices:
            value += lot.quantity * prices[lot.asset]
        elif par and lot.asset in rule.usd_equivalent:
            value += lot.quantity
        else:
            missing.add(lot.asset)
    if missing:
        return None, tuple(sorted(missing))
    return value, ()


@dataclass(frozen=True, slots=True)
class Peak:
    """The highest fully priced value of the holdings among some days, or why there is none."""

    value: Decimal | None
    day: date | None
    #: Priced days, and assets held on a priced day with no --prices row that day.
    days: int
    unpriced: tuple[str, ...]

    @property
    def note(self) -> str:
        """Why the peak is not known ("" when it is)."""
        if self.value is not None:
            return ""
        if not self.days:
            return "no --prices row falls on a day of the data"
        return (
            "no day of the data has a --prices row for every asset held (missing: "
            + ", ".join(self.unpriced[:6])
            + (", ..." if len(self.unpriced) > 6 else "")
            + ")"
        )


def peak_of(days: Iterable[DayHoldings], rule: Rule) -> Peak:
    """The peak value of holdings over ``days``.

    Each ``DayHoldings`` carries the units held at the end of a day that has ``--prices``
    rows (recorded by the engine from its running balances, ``engine.peak``: exact, where
    lots alone lose the day units left for outside the data). A day counts only when every
    asset held has a row that day (a par stablecoin counts at 1, as for ``left_at_market``);
    its value is the sum of units x price, exact. The highest wins; on a tie, the earliest day.
    """
    par = rule.fx is None or rule.fx.stablecoin_currency == rule.fiat
    best: Decimal | None = None
    best_day: date | None = None
    count = 0
    missing: set[str] = set()
    for held in days:
        count += 1
        prices = {p.asset: p.price for p in held.prices}
        value = ZERO
        complete = True
        for asset, units in held.units:
            if asset in prices:
                value += units * prices[asset]
            elif par and asset in rule.usd_equivalent:
                value += units
            else:
                complete = False
                missing.add(asset)
        if complete and (best is None or value > best):
            best, best_day = value, held.day
    return Peak(best, best_day, count, tuple(sorted(missing)))


def account_statement(
    report: Report, row_gains: Iterable[tuple[Disposal, Decimal]] | None = None
) -> Statement:
    """Compute the account statement of a report.

    Args:
        report: the engine's report (flows, disposals, open lots, debts, closing prices).
        row_gains: each disposal with its printed (rounded) gain on Form 8949, so the
            printed realized line equals the forms' totals; rounded here when not given.

    Returns:
        The statement, total, per wallet and per tax year.

    Raises:
        InternalError: if the identity does not hold (a bug in taxloss, never the user's).
    """
    with engine_context():
        return _statement(report, row_gains)


def _row_gains(report: Report) -> Iterable[tuple[Disposal, Decimal]]:
    """Each disposal with its gain as the forms print it (amounts rounded one by one)."""
    rule = report.rule
    for d in report.disposals:
        gain = rounded(d.proceeds, rule) - rounded(d.cost_basis, rule)
        yield d, gain + rounded(d.adjustment, rule)


#: The realized results' parts (``realized_parts``), in the order they are shown.
PARTS = ("spot", "positions", "liquidations")


def _statement(report: Report, row_gains: Iterable[tuple[Disposal, Decimal]] | None) -> Statement:
    total = _Column()
    wallets: dict[str, _Column] = defaultdict(_Column)
    years: dict[str, _Column] = defaultdict(_Column)
    for flow in report.flows:
        total.add_flow(flow)
        wallets[flow.wallet].add_flow(flow)
        years[flow.tax_year].add_flow(flow)
    for disposal in report.disposals:
        gain = disposal.gain
        total.lines["realized"] += gain
        wallets[disposal.wallet].lines["realized"] += gain
        years[disposal.tax_year].lines["realized"] += gain
    # Rows tied to Forms 1099-DA print whole cents; the statement keeps the engine's exact
    # gains (the sub-cent part shows in the printed statement's rounding line).
    for wallet, year, amount in report.tie_out_rounding:
        total.lines["realized"] += amount
        wallets[wallet].lines["realized"] += amount
        years[year].lines["realized"] += amount
    printed_total = ZERO
    printed_by: dict[str, Decimal] = defaultdict(Decimal)
    parts: dict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(PARTS, ZERO))
    # One sum per (wallet, year, part), then the columns: a history can have a million rows.
    sums: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    position = DisposalKind.POSITION
    for d, gain in _row_gains(report) if row_gains is None else row_gains:
        part = "liquidations" if d.liquidation else "positions" if d.kind is position else "spot"
        sums[(d.wallet, d.tax_year, part)] += gain
    for (wallet, year, part), gain in sums.items():
        printed_total += gain
        printed_by["w:" + wallet] += gain
        printed_by["y:" + year] += gain
        for scope in ("", "w:" + wallet, "y:" + year):
            parts[scope][part] += gain
    held = _held(report)
    by_wallet: dict[str, list[Lot]] = defaultdict(list)
    for lot in held:
        by_wallet[lot.wallet].append(lot)
    for debt in report.debts:
        # A wallet or year with only a debt still gets a column.
        _ = wallets[debt.wallet], years[debt.tax_year]
    left = _sum(lot.cost_basis for lot in held)
    market, unpriced = _market(held, report)
    owed = _sum(d.open_value for d in report.debts)
    peak = peak_of(report.priced_days, report.rule)
    whole = replace(
        total.finish(left, market, owed, moved=False),
        realized_rows=printed_total,
        realized_parts=parts[""],
        peak_value=peak.value,
        peak_date=peak.day,
    )
    if abs(whole.imbalance()) > TOLERANCE:
        raise InternalError(
            f"account statement does not balance: left at cost {left} - owed {owed} differs "
            f"from the flows by {whole.imbalance()}"
        )
    wallet_lines = {}
    for name in sorted(set(wallets) | set(by_wallet)):
        lots = by_wallet.get(name, [])
        owed_here = _sum(d.open_value for d in report.debts if d.wallet == name)
        value, _ = _market(lots, report)
        wallet_lines[name] = replace(
            wallets[name].finish(_sum(lot.cost_basis for lot in lots), value, owed_here, True),
            realized_rows=printed_by["w:" + name],
            realized_parts=parts["w:" + name],
        )
    moved = _sum(lines.moved for lines in wallet_lines.values())
    if abs(moved) > TOLERANCE:
        raise InternalError(f"account statement: moves between wallets sum to {moved}, not 0")
    year_lines = {}
    running = ZERO
    start = (ZERO, ZERO)
    labels = sorted(years)
    year_days: dict[str, list[DayHoldings]] = defaultdict(list)
    for day in report.priced_days:
        year_days[day.tax_year].append(day)
    for label in labels:
        column = years[label]
        owed_then = _sum(_owed_at(d, label) for d in report.debts)
        flows = column.lines
        running += (
            flows["capital_in"] - flows["capital_out"] + flows["realized"] + flows["income"]
            - flows["expenses"] + flows["other"]
        )  # fmt: skip
        last = label == labels[-1]
        # What is left at a year's end follows from the flows (the engine keeps no yearly
        # snapshot); the last year must end exactly where the open lots are (checked below).
        year_peak = peak_of(year_days.get(label, ()), report.rule)
        year_lines[label] = replace(
            column.finish(running + owed_then, market if last else None, owed_then, False, start),
            realized_rows=printed_by["y:" + label],
            realized_parts=parts["y:" + label],
            peak_value=year_peak.value,
            peak_date=year_peak.day,
        )
        start = (running + owed_then, owed_then)
    if labels and abs(year_lines[labels[-1]].left_at_cost - left) > TOLERANCE:
        raise InternalError("account statement: the last tax year does not end where the data does")
    return Statement(
        currency=report.rule.fiat,
        total=whole,
        wallets=wallet_lines,
        years=year_lines,
        debts=report.debts,
        market_day=report.last_day,
        unpriced=unpriced,
        peak_note=peak.note,
    )


def _owed_at(debt: Debt, label: str) -> Decimal:
    """A debt's booked value still owed at the end of tax year ``label``."""
    if debt.tax_year > label:
        return ZERO
    return debt.value - _sum(r.value for r in debt.repayments if r.tax_year <= label)


def rounded(value: Decimal, rule: Rule) -> Decimal:
    """An amount rounded once, as every output prints it."""
    return quantize(value, rule.rounding_quantum, rule.rounding_mode)


def owed_rows_total(debts: Iterable[Debt], rule: Rule) -> Decimal:
    """What the open debts' rows add up to as printed: each debt's open value rounded once,
    then summed (the total of a table of debts equals the sum of its printed rows)."""
    return sum((rounded(d.open_value, rule) for d in debts), ZERO)


def share_text(share: Decimal | None) -> str:
    """A loss share as a percentage with one decimal, e.g. ``"83.4%"``, or ``"n/a"``."""
    if share is None:
        return "n/a"
    return f"{quantize(share * 100, Decimal('0.1'), 'ROUND_HALF_EVEN')}%"


def printed_lines(lines: AccountLines, rule: Rule) -> dict[str, Decimal | None]:
    """The main lines rounded once (realized: the sum of the rounded Form 8949 rows), plus
    ``rounding``: the cents that make the rounded lines obey the identity (each line, and
    each form row, is rounded on its own; usually a cent or two at most)."""
    out: dict[str, Decimal | None] = {}
    for key in LINE_KEYS:
        value = getattr(lines, key)
        out[key] = None if value is None else rounded(value, rule)
    if lines.realized_rows is not None:  # as the forms print it: the sum of the rounded rows
        out["realized"] = lines.realized_rows
    # The net result of the printed lines, so the table adds up as printed.
    out["net_result"] = (
        (out["realized"] or ZERO) + (out["income"] or ZERO) - (out["expenses"] or ZERO)
        + (out["other"] or ZERO)
    )  # fmt: skip
    out["moved"] = rounded(lines.moved, rule)
    out["left_at_start"] = rounded(lines.left_at_start, rule)
    out["owed_at_start"] = rounded(lines.owed_at_start, rule)
    left, owed = out["left_at_cost"], out["owed"]
    assert left is not None and owed is not None
    plus = ("capital_in", "realized", "income", "other", "moved")
    flows = _sum(out[k] or ZERO for k in plus) - _sum(
        out[k] or ZERO for k in ("capital_out", "expenses")
    )
    start = (out["left_at_start"] or ZERO) - (out["owed_at_start"] or ZERO)
    out["rounding"] = left - owed - start - flows
    return out
