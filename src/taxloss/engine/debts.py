"""Debts to a platform and margin loans (issue #15): what is owed, and its repayment.

A payment larger than a wallet's balance leaves a debt (``DebtKind.NEGATIVE_BALANCE``); units
later arriving in that wallet repay it first, oldest first. Borrowed units (``margin_loan``)
are a loan, settled when units are handed back (``margin_repay``). A repayment is never a
disposal: the loss was realized when the debt arose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from taxloss.engine.accounts import Accounts
from taxloss.engine.dates import Dates
from taxloss.engine.events import Event
from taxloss.engine.holdings import Holdings
from taxloss.engine.lots import Key
from taxloss.engine.notes import Notes
from taxloss.errors import InternalError
from taxloss.model import Debt, DebtKind, FlowLine, Lot, Notice, Repayment, Rule, SourceRef
from taxloss.money import ZERO, plain

#: How a debt notice names the row that made the balance negative, by flow component.
DEBT_CAUSES = {
    "pnl": "realized loss",
    "liquidation": "liquidation loss",
    "funding": "funding payment",
    "insurance": "insurance (liquidation) fee",
    "commission": "trading fee",
    "interest": "margin interest",
}


@dataclass
class Owed:
    """A debt while the engine runs (``model.Debt`` once the report is built)."""

    asset: str
    quantity: Decimal
    value: Decimal
    wallet: str
    incurred: datetime
    incurred_on: date
    tax_year: str
    source: SourceRef
    kind: DebtKind
    contract: str = ""
    repaid_quantity: Decimal = ZERO
    repaid_value: Decimal = ZERO
    repayments: list[Repayment] = field(default_factory=list)
    sources: list[SourceRef] = field(default_factory=list)

    @property
    def open_quantity(self) -> Decimal:
        """Units still owed."""
        return self.quantity - self.repaid_quantity

    def share(self, units: Decimal) -> Decimal:
        """The booked value of ``units`` of it (the rest of the value for the last units)."""
        if units >= self.open_quantity:
            return self.value - self.repaid_value
        return self.value * units / self.quantity

    def record(self) -> Debt:
        """The immutable report record."""
        return Debt(self.asset, self.quantity, self.value, self.wallet, self.incurred,
                    self.incurred_on, self.tax_year, self.source, self.kind, self.contract,
                    tuple(self.repayments), tuple(self.sources))  # fmt: skip


class Debts:
    """Debts and margin loans in the order they arose; the open ones per (wallet, asset)."""

    def __init__(
        self, rule: Rule, dates: Dates, notes: Notes, holdings: Holdings, accounts: Accounts
    ) -> None:
        self.rule = rule
        self.dates = dates
        self.notes = notes
        self.holdings = holdings
        self.accounts = accounts
        self.debts: list[Owed] = []
        #: Open debts (negative balances) per (wallet, asset): arriving units repay them.
        self.owing: dict[Key, list[Owed]] = {}
        self.loans: dict[Key, list[Owed]] = {}

    def incur(self, event: Event, units: Decimal, value: Decimal, kind: DebtKind) -> None:
        """Record units owed to the platform ``event.wallet`` (a debt, or a margin loan)."""
        day = self.dates.day(event.timestamp)
        key = (event.wallet, event.asset)
        open_debts = self.owing.get(key, []) if kind is DebtKind.NEGATIVE_BALANCE else []
        last = open_debts[-1] if open_debts else None
        further = last is not None and not last.repayments and last.contract == event.contract
        if last is not None and further:
            # The same shortfall growing (a liquidation and its fees): one debt, several rows.
            last.quantity += units
            last.value += value
            last.sources.append(event.source)
        else:
            owed = Owed(event.asset, units, value, event.wallet, event.timestamp, day,
                        self.dates.year(day), event.source, kind, event.contract,
                        sources=[event.source])  # fmt: skip
            self.debts.append(owed)
            if kind is DebtKind.MARGIN_LOAN:
                self.loans.setdefault(key, []).append(owed)
                return
            self.owing.setdefault(key, []).append(owed)
        what = f"{DEBT_CAUSES.get(event.component, event.component)} of {event.contract}"
        if not event.contract:
            what = DEBT_CAUSES.get(event.component, "a payment")
        self.notes.warnings.append(
            Notice("debt", f"{event.wallet}: the {what} took the {event.asset} balance "
                   f"{'a further ' if further else ''}{plain(units)} {event.asset} below zero: "
                   f"recorded as owed to {event.wallet} "
                   f"({value:.2f} {self.rule.fiat} at the time), not as a missing basis; units "
                   "later arriving there repay it first", event.source)
        )  # fmt: skip

    def pay(self, owed: Owed, units: Decimal, basis: Decimal, event: Event) -> None:
        """Settle ``units`` of a debt with units whose cost was ``basis``."""
        value = owed.share(units)
        day = self.dates.day(event.timestamp)
        owed.repayments.append(
            Repayment(event.timestamp, day, self.dates.year(day), units, value, basis,
                      event.source)
        )  # fmt: skip
        owed.repaid_quantity += units
        owed.repaid_value += value
        # Settled for a different value than booked (the coin's value moved): a difference
        # of its own, so the account still adds up. Zero for a par stablecoin in the US rule.
        self.accounts.flow(event.wallet, event.timestamp, FlowLine.OTHER, value - basis)

    def repay_debts(self, key: Key, event: Event) -> None:
        """Units arrived in a wallet that owes this asset: the platform takes them against the
        debt, oldest first (not a disposal: the loss was realized when the debt arose)."""
        wallet, asset = key
        debts = self.owing[key]
        holdings = self.holdings
        balances = holdings.balances
        while debts and balances[key] > 0:
            owed = debts[0]
            units = min(owed.open_quantity, balances[key])
            slices, short = holdings.book.take(holdings.key(wallet, asset), units)
            units -= short
            if units <= 0:
                break
            holdings.consume(slices)
            balances[key] -= units
            self.pay(owed, units, sum((piece.cost_basis for piece in slices), ZERO), event)
            if owed.open_quantity <= 0:
                debts.pop(0)
            if short > 0:
                break
        if not debts:
            del self.owing[key]

    def repay_loans(self, event: Event, slices: list[Lot]) -> None:
        """Borrowed units handed back (``margin_repay``): settle the wallet's loans of the asset,
        oldest first; units repaying a loan not in the data leave at their cost."""
        units = event.quantity
        basis = sum((piece.cost_basis for piece in slices), ZERO)
        loans = self.loans.get((event.wallet, event.asset), [])
        while loans and units > 0:
            owed = loans[0]
            part = min(owed.open_quantity, units)
            part_basis = basis * part / units
            self.pay(owed, part, part_basis, event)
            units, basis = units - part, basis - part_basis
            if owed.open_quantity <= 0:
                loans.pop(0)
        if units > 0:
            self.accounts.flow(event.wallet, event.timestamp, FlowLine.OTHER, -basis)

    def records(self) -> tuple[Debt, ...]:
        """The report's debt records, in the order the debts arose."""
        return tuple(owed.record() for owed in self.debts)

    def check(self) -> None:
        """Each debt's repayments add up to what it records as repaid.

        Raises:
            InternalError: if a debt does not balance (a bug in taxloss).
        """
        for owed in self.debts:
            paid = sum((r.quantity for r in owed.repayments), ZERO)
            value = sum((r.value for r in owed.repayments), ZERO)
            if (
                paid != owed.repaid_quantity
                or value != owed.repaid_value
                or owed.open_quantity < 0
                or (owed.open_quantity == 0 and value != owed.value)
            ):
                raise InternalError(
                    f"debt at {owed.source} does not balance: {owed.quantity} {owed.asset} "
                    f"owed, {paid} repaid, {owed.value} booked, {value} settled"
                )
