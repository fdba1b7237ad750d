"""The account statement's running lines (issue #15) and the income and expenses a run
records: money in and out per wallet and tax year, funding, fees, interest."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from taxloss.engine.dates import Dates
from taxloss.engine.events import Event
from taxloss.model import FlowLine, Income, Term


class Accounts:
    """Flow lines per (wallet, tax year, line), and income and expense records."""

    def __init__(self, dates: Dates) -> None:
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
