"""The account statement's running lines (issue #15) and the income and expenses a run
records: money in and out per wallet and tax year, funding, fees, interest."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from taxloss.engine.dates import Dates
from taxloss.engine.events import Event
from taxloss.model import FlowLine, Income, Rule, Term

#: The fee-breakdown line of a derivative or margin cash flow (issue #15): paid (debit) adds,
#: received (credit) subtracts; funding has a line each way.
FEE_LINES = {
    "commission": FlowLine.TRADING_FEES,
    "insurance": FlowLine.LIQUIDATION_FEES,
    "interest": FlowLine.MARGIN_INTEREST,
}


class Accounts:
    """Flow lines per (wallet, tax year, line), and income and expense records."""

    def __init__(self, rule: Rule, dates: Dates) -> None:
        self.rule = rule
        self.dates = dates
        self.flows: dict[tuple[str, str, FlowLine], Decimal] = defaultdict(Decimal)
        self.income: list[Income] = []
        self.expenses: list[Income] = []

    def flow(self, wallet: str, moment: datetime, line: FlowLine, amount: Decimal) -> None:
        """Add ``amount`` to an account-statement line of ``wallet``'s tax year."""
        if amount:
            dates = self.dates
            year = dates.labels(dates.day(moment), Term.SHORT)[0]  # (cached per day)
            self.flows[(wallet, year, line)] += amount

    def settled(self, event: Event, amount: Decimal) -> bool:
        """The statement lines of a derivative or margin cash flow of ``amount`` (funding each
        way, fees); interest, and funding under ``derivatives.funding = "ordinary"``, become
        income or expense.

        Returns:
            True if the flow was income or expense (it is then no part of a position).
        """
        component = event.component
        if component == "funding":
            way = FlowLine.FUNDING_RECEIVED if event.credit else FlowLine.FUNDING_PAID
            self.flow(event.wallet, event.timestamp, way, amount)
        elif component in FEE_LINES:
            self.flow(event.wallet, event.timestamp, FEE_LINES[component],
                      -amount if event.credit else amount)  # fmt: skip
        ordinary = component == "interest" or (
            component == "funding" and self.rule.funding == "ordinary"
        )
        if ordinary:
            self.ordinary(event, amount)
        return ordinary

    def ordinary(self, event: Event, amount: Decimal) -> None:
        """Interest or ordinary funding: an income (credit) or expense (debit) record and its
        statement line."""
        self.flow(event.wallet, event.timestamp,
                  FlowLine.INCOME if event.credit else FlowLine.EXPENSES, amount)  # fmt: skip
        day = self.dates.day(event.timestamp)
        record = Income(event.timestamp, day, self.dates.year(day), event.asset,
                        event.quantity, amount, event.wallet, event.source,
                        kind=event.component)  # fmt: skip
        (self.income if event.credit else self.expenses).append(record)
