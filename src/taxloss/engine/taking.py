"""Taking units out of the book for a disposal or a move, and what a shortfall becomes.

Units the book does not hold are, in this order: a debt to the platform (a settlement paid
beyond a platform balance, issue #15); units of a par stablecoin assumed bought at 1 unit of
its peg currency (``valuation.unmatched_stablecoin_basis = "par"``); zero-basis units with a
warning (``--allow-missing-basis``); otherwise a problem naming the row and the way forward.
"""

from __future__ import annotations

from decimal import Decimal

from taxloss.engine.accounts import Accounts
from taxloss.engine.currency import Converter
from taxloss.engine.dates import Dates
from taxloss.engine.debts import Debts
from taxloss.engine.events import Event
from taxloss.engine.holdings import Holdings
from taxloss.engine.lots import Part, as_part
from taxloss.engine.notes import Notes
from taxloss.errors import Problem
from taxloss.model import BasisScope, DebtKind, EventKind, FlowLine, Lot, Notice, Rule
from taxloss.money import ZERO, plain

#: Enum members as names of this module (cheaper to look up than on their class, per event).
WALLET = BasisScope.WALLET
SETTLE = EventKind.SETTLE


class Taking:
    """Takes units from ``holdings`` and fills a shortfall as the rule and options say."""

    def __init__(
        self,
        rule: Rule,
        allow_missing: bool,
        fx: Converter | None,
        dates: Dates,
        notes: Notes,
        holdings: Holdings,
        debts: Debts,
        accounts: Accounts,
    ) -> None:
        self.rule = rule
        self.allow_missing = allow_missing
        self.fx = fx
        self.dates = dates
        self.notes = notes
        self.holdings = holdings
        self.debts = debts
        self.accounts = accounts

    def par_basis(self, event: Event, units: Decimal) -> Decimal | None:
        """Basis of par stablecoin units with no recorded source: 1 unit of the peg currency
        each, converted at the day's rate under a rule with ``[fx]`` (None: no rate)."""
        policy = self.rule.fx
        if policy is None or self.fx is None or policy.stablecoin_currency == self.rule.fiat:
            return units
        found = self.fx.convert(units, policy.stablecoin_currency, self.dates.day(event.timestamp),
                                event.source)  # fmt: skip
        self.notes.assumptions.extend(self.fx.notices)
        self.fx.notices.clear()
        if isinstance(found, Problem):
            self.notes.problems.append(found)
            return None
        return found

    def take(self, event: Event, quantity: Decimal) -> list[Lot]:
        """Take units for a disposal or move; a shortfall is an error or a flagged zero basis."""
        covered = self.covered(event, quantity)
        holdings = self.holdings
        slices, short = holdings.book.take(holdings.key(event.wallet, event.asset), covered)
        short += quantity - covered
        if short > 0:
            self.shortfall(event, quantity, short, slices)
        return slices

    def take_parts(self, event: Event, quantity: Decimal) -> list[Part]:
        """``take`` as matcher slices (no ``Lot`` records from the lot book)."""
        holdings = self.holdings
        lots = holdings.lots
        if lots is None:
            return [as_part(lot) for lot in self.take(event, quantity)]
        wallet, asset = event.wallet, event.asset
        key = (wallet, asset) if holdings.scope is WALLET else ("", asset)  # (``Holdings.key``)
        covered = quantity if event.kind is not SETTLE else self.covered(event, quantity)
        parts, short = lots.take_parts(key, covered)
        if short or covered is not quantity:  # else no units are short (and none are added)
            short += quantity - covered
            if short > 0:
                extra: list[Lot] = []
                self.shortfall(event, quantity, short, extra)
                parts.extend(as_part(lot) for lot in extra)
        return parts

    def covered(self, event: Event, quantity: Decimal) -> Decimal:
        """The units of a take that come from the book: all of them, except for a settlement
        paid from a platform balance, where units beyond that wallet's balance are owed to the
        platform (issue #15), even when other wallets hold the coin (universal scope)."""
        if event.kind is not EventKind.SETTLE:
            return quantity
        return min(quantity, max(self.holdings.balances[(event.wallet, event.asset)], ZERO))

    def shortfall(self, event: Event, quantity: Decimal, short: Decimal, slices: list[Lot]) -> None:
        """Units a take did not find: an error, or (as the rule or options say) a slice of
        assumed basis added to ``slices``."""
        if short > 0 and event.kind is EventKind.SETTLE and event.quantity > 0:
            # Issue #15: a loss, fee or funding payment larger than the balance leaves a debt
            # to the platform. The exchange booked the whole amount, so the missing units enter
            # at the payment's own value (no gain on them) and the position's result is the
            # exchange's; the debt is listed as owed, never as a missing basis.
            value = event.value * short / event.quantity
            self.debts.incur(event, short, value, DebtKind.NEGATIVE_BALANCE)
            self.holdings.assumed(event.asset, short, value)
            self.holdings.balances[(event.wallet, event.asset)] += short
            slices.append(Lot(event.timestamp, event.asset, short, value, event.source,
                              event.wallet))  # fmt: skip
            return
        if short > 0:
            wallet_scope = self.holdings.scope is BasisScope.WALLET
            where = f"in {event.wallet}" if wallet_scope else "in any wallet"
            message = (
                f"{event.kind.value} of {plain(quantity)} {event.asset} but only "
                f"{plain(quantity - short)} held {where}: {plain(short)} {event.asset} short"
            )
            if event.kind is EventKind.SETTLE:
                what = f"{event.component} of {event.contract}" if event.contract else "interest"
                message = (
                    f"pays {plain(quantity)} {event.asset} ({what}) but only "
                    f"{plain(quantity - short)} held {where}: the balance would go "
                    f"{plain(short)} {event.asset} negative (a debt to the exchange, or a "
                    "missing deposit)"
                )
            par = (
                event.asset in self.rule.usd_equivalent
                and self.rule.unmatched_stablecoin_basis == "par"
                and event.kind is not EventKind.SETTLE  # a loss beyond the balance is a debt
            )
            basis = self.par_basis(event, short) if par else None
            if par and basis is not None:
                peg = self.rule.fx.stablecoin_currency if self.rule.fx else self.rule.fiat
                self.notes.warnings.append(
                    Notice("stablecoin_basis_assumed", f"{plain(short)} {event.asset} used here "
                           f"never arrived in the data ({message}): basis taken as 1 "
                           f"{peg} per unit (valuation.unmatched_stablecoin_basis)",
                           event.source)
                )  # fmt: skip
                self.holdings.assumed(event.asset, short, basis)
                slices.append(Lot(event.timestamp, event.asset, short, basis, event.source,
                                  event.wallet))  # fmt: skip
                # Units with no recorded source, assumed bought at par: money put in.
                self.accounts.flow(event.wallet, event.timestamp, FlowLine.CAPITAL_IN, basis)
            elif par:
                pass  # the missing exchange rate is already a problem
            elif self.allow_missing:
                self.notes.warnings.append(
                    Notice(
                        "missing_basis",
                        message + " (given zero basis: --allow-missing-basis)",
                        event.source,
                    )
                )
                filler = Lot(
                    event.timestamp,
                    event.asset,
                    short,
                    ZERO,
                    event.source,
                    event.wallet,
                    basis_known=False,
                )
                self.holdings.acquired_units[event.asset] += short
                slices.append(filler)
            else:
                self.notes.problems.append(
                    Problem(
                        event.source,
                        message + "; add the missing acquisition or deposit, "
                        "or run with --allow-missing-basis",
                    )
                )
