"""The loss-harvest view (issue #14): open lots valued on an as-of date, and this year's
Schedule D and carryover worksheet before and after selling chosen loss lots.

A report only: nothing here trades or advises a trade. The chosen sales become hypothetical
Form 8949 rows (``Disposal`` records dated the as-of date) added to the year's real ones, and
the return's existing arithmetic (``returns.us.plan_offsets``: Schedule D, the line-21
limit, the carryover worksheet, carryovers from earlier years) computes both columns, so the
"before" column is exactly what ``taxloss build`` reports for the year so far.

Facts used (us-1099da-reference §7, tax-rules-reference §1.7-1.9): no wash-sale rule for crypto
property under current law (rule key ``harvest.wash_sale``; ``--assume-wash-sale`` shows the
what-if with the rule's 30-day window); a net capital loss offsets at most the rule's
``loss_limit`` of ordinary income, the rest carries forward with its character; a harvest must
be a sale on or before 31 December; a specific lot at a broker is identified in the taxpayer's
records before the sale (Notice 2026-20), while the broker's form likely shows FIFO basis in
that account from 2026 (covered assets: acquired from 2026 in that account).
Imports model, money, errors and the rest of ``returns`` (``returns.us``,
``returns.printed``); must not import the engine, parsers, API or CLI.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import ROUND_UP, Decimal

from taxloss.errors import InternalError
from taxloss.model import Disposal, DisposalKind, Lot, Report, SourceRef, Term
from taxloss.money import ZERO, plain
from taxloss.returns.printed import Printed, money
from taxloss.returns.us import OffsetInputs, YearOffset, plan_offsets

#: Days before the as-of date in which a lot turning long-term is flagged.
SOON_DAYS = 30

#: The first tax year in which brokers report basis for covered digital assets
#: (us-1099da-reference §1).
BASIS_REPORTING_FROM = 2026

#: Finest unit a partial sale is rounded up to (a lot's own finer precision wins).
UNIT_QUANTUM = Decimal("0.00000001")


@dataclass(frozen=True)
class LotFacts:
    """Calendar facts of selling a lot on the as-of date, from the rule (computed by the
    caller with the engine's calendar): its term, the first day a sale would be long-term,
    the Form 8949 box, and the lot's local acquisition date."""

    acquired_on: date
    term: Term
    long_term_on: date
    box: str


@dataclass(frozen=True)
class Valuation:
    """A price for one unit on the as-of date and where it came from."""

    price: Decimal
    source: str
    ref: SourceRef | None = None


@dataclass(frozen=True)
class Target:
    """``--target``: ``zero-gains`` (cancel the year's net gain, then up to the loss limit),
    ``max`` (every loss) or an amount of loss to realise."""

    kind: str
    amount: Decimal | None = None

    @property
    def label(self) -> str:
        """The target in words."""
        if self.kind == "max":
            return "every unrealized loss (max)"
        if self.kind == "amount":
            return f"losses of {self.amount:,.2f} (amount)"
        return "losses just enough to cancel this year's net gain, then up to the limit"


@dataclass(frozen=True)
class OpenLot:
    """One open lot on the as-of date: the harvest table's row. Amounts are rounded once
    (cents); ``unrealized`` is the rounded value minus the rounded basis, so rows add up."""

    lot: Lot
    facts: LotFacts
    valuation: Valuation | None
    cost_basis: Decimal
    market_value: Decimal | None
    unrealized: Decimal | None
    days_to_long: int
    recent: bool
    covered: bool | None
    broker_basis: Decimal | None
    flags: tuple[str, ...]

    @property
    def term(self) -> Term:
        """The term if sold on the as-of date."""
        return self.facts.term


@dataclass(frozen=True)
class Sale:
    """One hypothetical sale of the harvest: a lot (or part of it) sold on the as-of date."""

    lot: OpenLot
    quantity: Decimal
    proceeds: Decimal
    cost_basis: Decimal
    disallowed: Decimal
    disposal: Disposal

    @property
    def whole(self) -> bool:
        """True when the whole lot is sold."""
        return self.quantity == self.lot.lot.quantity


@dataclass
class Harvest:
    """The harvest view of one as-of date."""

    as_of: date
    year: str
    target: Target
    lots: list[OpenLot]
    sales: list[Sale]
    before: YearOffset
    after: YearOffset
    harvestable_loss: Decimal
    harvested_loss: Decimal
    disallowed: Decimal
    wash_sale: bool
    wash_sale_assumed: bool
    limit: Decimal
    marginal_rate: Decimal | None
    saving: Decimal | None
    statements: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[OpenLot]:
        """Lots with no price on the as-of date (listed, never valued at zero)."""
        return [lot for lot in self.lots if lot.valuation is None]


def value_lots(
    report: Report,
    as_of: date,
    facts: Sequence[LotFacts],
    prices: Mapping[str, Valuation],
    origin_wallet: Mapping[SourceRef, str],
) -> list[OpenLot]:
    """The open lots of ``report`` valued on ``as_of``.

    Args:
        report: the report of every trade up to the as-of date.
        as_of: the as-of date.
        facts: each open lot's ``LotFacts``, in ``report.open_lots`` order.
        prices: per asset, its price on the as-of date (missing: not priced).
        origin_wallet: the wallet of each acquisition row (a lot in another wallet was
            transferred in, so it is not a covered lot at the broker).

    Returns:
        One row per open lot with a positive quantity, ordered by wallet, asset, acquisition.
    """
    rule = report.rule
    rows: list[OpenLot] = []
    lots = list(report.open_lots)
    if len(facts) != len(lots):
        raise InternalError("harvest: calendar facts do not match the open lots")
    reporting = as_of.year >= BASIS_REPORTING_FROM
    covers = [
        reporting and is_covered(lot, fact, origin_wallet)
        for lot, fact in zip(lots, facts, strict=True)
    ]
    fifo = broker_fifo(lots, covers) if reporting else {}
    for index, lot in enumerate(lots):
        if lot.quantity <= 0:
            continue
        fact = facts[index]
        valuation = prices.get(lot.asset)
        basis = money(lot.cost_basis, rule)
        value = unrealized = None
        if valuation is not None:
            value = money(valuation.price * lot.quantity, rule)
            unrealized = value - basis
        days = max((fact.long_term_on - as_of).days, 0) if fact.term is Term.SHORT else 0
        recent = (as_of - fact.acquired_on).days <= rule.harvest_window_days
        covered: bool | None = None
        broker: Decimal | None = None
        if reporting:
            covered = covers[index]
            found = fifo[index]
            broker = None if found is None else money(found, rule)
        flags = []
        if valuation is None:
            flags.append("no price")
        if 0 < days <= SOON_DAYS:
            flags.append(f"long-term in {days} d")
        if recent:
            flags.append(f"bought <= {rule.harvest_window_days} d ago")
        if not lot.basis_known:
            flags.append("basis unknown")
        if covered and broker is not None and broker != basis:
            flags.append("broker FIFO basis differs (code B)")
        elif covered and broker is None:
            flags.append("broker FIFO takes noncovered units first (no basis on the form)")
        rows.append(
            OpenLot(lot, fact, valuation, basis, value, unrealized, days, recent, covered,
                    broker, tuple(flags))
        )  # fmt: skip
    rows.sort(key=lambda r: (r.lot.wallet, r.lot.asset, r.lot.acquired, r.lot.source))
    return rows


def is_covered(lot: Lot, fact: LotFacts, origin_wallet: Mapping[SourceRef, str]) -> bool:
    """Covered at the broker (basis reported from 2026): acquired from 2026 in the wallet that
    holds it, never moved in from elsewhere (us-1099da-reference §1)."""
    moved = origin_wallet.get(lot.source, lot.wallet) != lot.wallet
    return fact.acquired_on.year >= BASIS_REPORTING_FROM and not moved


def broker_fifo(lots: Sequence[Lot], covered: Sequence[bool]) -> dict[int, Decimal | None]:
    """The basis a broker would likely show for selling each lot's units: FIFO within the
    lot's wallet and asset (the oldest units of that account first). None when FIFO would
    take units the broker has no basis for (noncovered: bought before 2026 or moved in), which
    it reports without basis. Exact amounts (the caller rounds them once), keyed by index."""
    by_account: dict[tuple[str, str], list[int]] = {}
    for index, lot in enumerate(lots):
        by_account.setdefault((lot.wallet, lot.asset), []).append(index)
    out: dict[int, Decimal | None] = {}
    for indexes in by_account.values():
        queue = sorted(indexes, key=lambda i: (lots[i].acquired, lots[i].source))
        for index in indexes:
            wanted = lots[index].quantity
            basis: Decimal | None = ZERO
            for other in queue:
                if wanted <= 0:
                    break
                take = min(wanted, lots[other].quantity)
                if not covered[other]:
                    basis = None
                    break
                assert basis is not None
                basis += lots[other].cost_basis * take / lots[other].quantity
                wanted -= take
            out[index] = basis
    return out


def harvest(
    report: Report,
    lots: list[OpenLot],
    as_of: date,
    year: str,
    target: Target,
    inputs: OffsetInputs,
    assume_wash_sale: bool = False,
) -> Harvest:
    """Choose the loss lots for ``target`` and compute the year's return before and after.

    Args:
        report: the report of every trade up to the as-of date.
        lots: ``value_lots`` of that report.
        as_of: the date the sales would happen.
        year: the tax-year label of ``as_of``.
        target: ``--target``.
        inputs: the taxpayer's offset inputs (filing status, taxable income, carryovers).
        assume_wash_sale: apply a wash-sale rule although the rule file has none (what-if).

    Returns:
        The harvest view.
    """
    rule = report.rule
    inputs = replace(inputs, other_year=inputs.other_year or year)
    limit = rule.loss_limits.get(inputs.filing_status, rule.loss_limits.get("single", ZERO))
    before = _year(report, inputs, year)
    losses = [lot for lot in lots if lot.unrealized is not None and lot.unrealized < 0]
    harvestable = -sum((lot.unrealized for lot in losses if lot.unrealized is not None), ZERO)
    wanted = _wanted(target, before, limit, harvestable)
    wash = rule.harvest_wash_sale or assume_wash_sale
    sales = _choose(report, losses, wanted, as_of, year)
    if wash:
        sales = _wash_sales(report, sales, lots, as_of)
    after_report = replace(
        report,
        disposals=report.disposals + tuple(s.disposal for s in sales),
        tax_years=tuple(sorted(set(report.tax_years) | ({year} if sales else set()))),
    )
    after = _year(after_report, inputs, year) if sales else before
    harvested = -sum((s.proceeds - s.cost_basis for s in sales), ZERO)
    disallowed = sum((s.disallowed for s in sales), ZERO)
    saving = None
    if inputs.marginal_rate is not None:
        saving = money((taxed(before) - taxed(after)) * inputs.marginal_rate / 100, rule)
    result = Harvest(
        as_of=as_of,
        year=year,
        target=target,
        lots=lots,
        sales=sales,
        before=before,
        after=after,
        harvestable_loss=harvestable,
        harvested_loss=harvested,
        disallowed=disallowed,
        wash_sale=rule.harvest_wash_sale,
        wash_sale_assumed=assume_wash_sale,
        limit=limit,
        marginal_rate=inputs.marginal_rate,
        saving=saving,
    )
    result.statements = statements(result, rule.harvest_window_days, rule.harvest_source)
    result.notes = notes(result)
    return result


def taxed(year: YearOffset) -> Decimal:
    """What the year's capital results add to taxable income: a net gain (line 16), or the
    deducted loss (line 21, negative)."""
    return year.line16 if year.line16 > 0 else year.line21


def _year(report: Report, inputs: OffsetInputs, year: str) -> YearOffset:
    found = plan_offsets(report, inputs, Printed(report)).for_year(year)
    if found is None:  # plan_offsets covers other_year, which is the as-of year
        raise InternalError(f"no Schedule D computed for {year}")
    return found


def _wanted(target: Target, before: YearOffset, limit: Decimal, harvestable: Decimal) -> Decimal:
    """The loss to realise: the year's net gain plus the loss limit (zero-gains), every
    loss (max), or the amount."""
    if target.kind == "max":
        return harvestable
    if target.kind == "amount" and target.amount is not None:
        return min(target.amount, harvestable)
    return min(max(before.line16 + limit, ZERO), harvestable)


def _choose(
    report: Report, losses: list[OpenLot], wanted: Decimal, as_of: date, year: str
) -> list[Sale]:
    """Sell loss lots until ``wanted`` is reached: short-term losses first (they offset
    short-term gains first, reference §1.8), the largest loss first, then the oldest lot; the
    last lot only in part (its units rounded up, so the loss reaches the target)."""
    order = sorted(
        losses,
        key=lambda r: (r.term is Term.LONG, r.unrealized, r.lot.acquired, r.lot.source),
    )
    sales: list[Sale] = []
    remaining = wanted
    for row in order:
        if remaining <= 0:
            break
        loss = -(row.unrealized or ZERO)
        quantity = row.lot.quantity
        if loss > remaining:
            exponent = row.lot.quantity.as_tuple().exponent
            quantum = UNIT_QUANTUM
            if isinstance(exponent, int):
                quantum = min(quantum, Decimal(1).scaleb(exponent))
            quantity = min((quantity * remaining / loss).quantize(quantum, ROUND_UP), quantity)
        sale = _sale(report, row, quantity, as_of, year)
        sales.append(sale)
        remaining -= -(sale.proceeds - sale.cost_basis)
    return sales


def _sale(report: Report, row: OpenLot, quantity: Decimal, as_of: date, year: str) -> Sale:
    """A hypothetical sale of ``quantity`` units of the lot at the as-of price, rounded as a
    printed row (basis taken in proportion, as the engine splits a lot)."""
    rule = report.rule
    lot = row.lot
    assert row.valuation is not None
    if quantity == lot.quantity:
        proceeds, basis = row.market_value or ZERO, row.cost_basis
        exact_proceeds, exact_basis = row.valuation.price * quantity, lot.cost_basis
    else:
        exact_proceeds = row.valuation.price * quantity
        exact_basis = lot.cost_basis * quantity / lot.quantity
        proceeds, basis = money(exact_proceeds, rule), money(exact_basis, rule)
    moment = datetime.combine(as_of, time(12), tzinfo=lot.acquired.tzinfo)
    source = row.valuation.ref or SourceRef("--price", 0)
    disposal = Disposal(
        asset=lot.asset,
        quantity=quantity,
        acquired=lot.acquired,
        disposed=moment,
        acquired_on=row.facts.acquired_on,
        disposed_on=as_of,
        proceeds=exact_proceeds,
        cost_basis=exact_basis,
        term=row.facts.term,
        tax_year=year,
        box=row.facts.box,
        wallet=lot.wallet,
        kind=DisposalKind.SALE,
        sale_source=source,
        lot_source=lot.source,
        description=f"{plain(quantity)} {lot.asset} (harvest, {lot.wallet})",
    )
    return Sale(row, quantity, proceeds, basis, ZERO, disposal)


def _wash_sales(report: Report, sales: list[Sale], lots: list[OpenLot], as_of: date) -> list[Sale]:
    """The wash-sale what-if: a loss is disallowed (code W, added back in column (g)) in the
    proportion of units of the same asset bought within the rule's window before the sale and
    still held after it. Buying back within the window after the sale would do the same; that
    cannot be known from the data and is said in the statements."""
    rule = report.rule
    sold: dict[int, Decimal] = {}
    for sale in sales:
        sold[id(sale.lot)] = sold.get(id(sale.lot), ZERO) + sale.quantity
    pool: dict[str, Decimal] = {}
    for row in lots:
        if row.recent:
            kept = row.lot.quantity - sold.get(id(row), ZERO)
            pool[row.lot.asset] = pool.get(row.lot.asset, ZERO) + max(kept, ZERO)
    out = []
    for sale in sales:
        available = pool.get(sale.lot.lot.asset, ZERO)
        covered = min(available, sale.quantity)
        loss = sale.cost_basis - sale.proceeds
        if covered <= 0 or loss <= 0:
            out.append(sale)
            continue
        pool[sale.lot.lot.asset] = available - covered
        disallowed = money(loss * covered / sale.quantity, rule)
        disposal = replace(sale.disposal, codes="W", adjustment=disallowed)
        out.append(replace(sale, disallowed=disallowed, disposal=disposal))
    return out


def statements(result: Harvest, window: int, source: str) -> list[str]:
    """The plain statements every harvest output carries."""
    wash = (
        f"Wash sales: the rule file applies a {window}-day wash-sale rule (harvest.wash_sale); "
        "losses on units bought back within the window are disallowed (code W)."
        if result.wash_sale
        else "Wash sales: no wash-sale rule applies to crypto that is property under current "
        "law (IRC §1091 covers stock and securities; tokenized securities are covered). The "
        "rule file says so (harvest.wash_sale = false"
        + (f"; {source}" if source else "")
        + "), so a change of law is a change of data."
    )
    lines = [
        "Report only: taxloss makes no trades and gives no advice; these are what-if figures "
        "from your exports and the stated prices.",
        wash,
    ]
    if result.wash_sale_assumed and not result.wash_sale:
        lines.append(
            f"What-if (--assume-wash-sale): a {window}-day wash-sale rule is applied as if it "
            f"were law: losses on units of the same asset bought within {window} days before "
            f"the sale and still held are disallowed (code W, column (g)); buying back within "
            f"{window} days after the sale would disallow them too."
        )
    lines += [
        "Lots: to sell a specific lot at a broker, identify it in your own records before the "
        "sale (Notice 2026-20); otherwise the broker's FIFO order decides which units are sold.",
        f"Timing: the sale must be made (and settle) on or before 31 December {result.year} to "
        f"count for {result.year}; a crypto-for-crypto swap is itself a sale.",
        "Every sale counts: there is no de minimis exemption.",
    ]
    return lines


def notes(result: Harvest) -> list[str]:
    """What the accountant should check: missing prices, estimates, partial lots."""
    out = []
    if (
        result.target.kind == "zero-gains"
        and not result.sales
        and result.before.line16 <= -result.limit
    ):
        out.append(
            f"This year's net capital loss ({-result.before.line16:,.2f}) already reaches the "
            f"{result.limit:,.2f} limit: more losses would only add to the carryover "
            "(--target max shows by how much)."
        )
    for row in result.missing:
        out.append(
            f"{row.lot.source}: no price for {row.lot.asset} on {result.as_of.isoformat()} "
            f"(wallet {row.lot.wallet}, {plain(row.lot.quantity)} units): not valued, not "
            "counted; add a --prices row or --price "
            f"{row.lot.asset}=AMOUNT."
        )
    for sale in result.sales:
        if not sale.whole:
            out.append(
                f"{sale.lot.lot.source}: only {plain(sale.quantity)} of "
                f"{plain(sale.lot.lot.quantity)} {sale.lot.lot.asset} in {sale.lot.lot.wallet} "
                "are sold to reach the target."
            )
    if result.saving is not None:
        out.append(
            "Tax estimate: the change in taxable income times "
            f"{plain(result.marginal_rate or ZERO)}%; long-term gains are usually taxed at "
            "lower rates, so where the harvest offsets them the real saving is smaller. "
            "Not tax advice."
        )
    out.extend(result.after.notes[:1] if result.after.income_assumed else [])
    return out
