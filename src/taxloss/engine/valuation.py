"""Value trades in the rule's fiat and turn them into single-asset engine events.

Fair value of an exchange comes from, in order (issue #2): a fiat quote; the row's
``fiat_value``; a quote in a stablecoin the rule lists in ``valuation.usd_equivalent`` (recorded
as an assumption); a ``--prices`` row for the asset received, then for the asset given. When
none applies, the row is reported as needing a price; nothing is ever valued at zero silently.

Currencies (issue #5): when the rule has an ``[fx]`` section, an amount in another government
currency is converted at the day's rate (``engine.currency``), a par stablecoin is worth 1 unit
of ``fx.stablecoin_currency`` converted the same way, and ``fiat_value`` is converted from its
``fiat_currency`` (USD when empty, as most parsers give it). The US rule has ``[fx]`` too (issue
#13: a Coinbase report kept in EUR); a rule without it converts nothing, and refuses a
``fiat_value`` stated in another currency.

Fees (reference §1.2): an acquisition fee adds to basis, a disposal fee reduces the amount
realized, a crypto-for-crypto fee is charged to the side named by ``fees.crypto_to_crypto``, and
a fee paid in a digital asset is itself a disposal of those units at fair value.
Must not import anything but ``taxloss.model``, ``taxloss.errors``, the engine's own modules
and the standard library.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, tzinfo
from decimal import Decimal

from taxloss.engine.calendar import local_date, tax_year_label
from taxloss.engine.currency import Converter
from taxloss.engine.events import Event
from taxloss.engine.transfers import Match, units_received, units_sent
from taxloss.errors import Problem
from taxloss.model import (
    DisposalKind,
    EventKind,
    FlowLine,
    FxTable,
    Income,
    Notice,
    PriceTable,
    Rule,
    Trade,
    TradeKind,
)
from taxloss.money import ZERO, plain

FIAT, OTHER_FIAT, STABLE, CRYPTO = "fiat", "other_fiat", "stable", "crypto"

#: Enum members used for every trade, as names of this module: looking a member up on its
#: class costs several times a global's lookup.
ACQUIRE, DISPOSE = EventKind.ACQUIRE, EventKind.DISPOSE
BUY, SELL, FORCED_SALE, INCOME, FEE = (
    TradeKind.BUY, TradeKind.SELL, TradeKind.FORCED_SALE, TradeKind.INCOME, TradeKind.FEE
)  # fmt: skip
DEPOSIT, WITHDRAWAL = TradeKind.DEPOSIT, TradeKind.WITHDRAWAL
EXCHANGE, SALE = DisposalKind.EXCHANGE, DisposalKind.SALE
TRADING_FEES, CAPITAL_IN, CAPITAL_OUT = (
    FlowLine.TRADING_FEES, FlowLine.CAPITAL_IN, FlowLine.CAPITAL_OUT
)  # fmt: skip

#: The currency of ``Trade.fiat_value`` when ``Trade.fiat_currency`` is empty (README).
FIAT_VALUE_CURRENCY = "USD"


@dataclass(slots=True)
class Valued:
    """What valuation produced: engine events, income records, assumptions and problems."""

    events: list[Event] = field(default_factory=list)
    income: list[Income] = field(default_factory=list)
    expenses: list[Income] = field(default_factory=list)
    assumptions: list[Notice] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    #: Account-statement flows (issue #15) per (wallet, tax year, line).
    flows: dict[tuple[str, str, FlowLine], Decimal] = field(
        default_factory=lambda: defaultdict(Decimal)
    )


#: One side of an exchange: (asset, positive quantity). A plain pair, not a record: two are
#: made for every trade.
Leg = tuple[str, Decimal]


class Valuer:
    """Values trades for one rule, price table and reporting zone."""

    def __init__(
        self, rule: Rule, prices: PriceTable, tz: tzinfo, fx: Converter | None = None
    ) -> None:
        self.rule = rule
        self.prices = prices
        self.tz = tz
        self.fx = fx or Converter(rule, FxTable())
        self.out = Valued()
        self.fiat = rule.fiat
        #: The reporting zone is UTC, the zone of every timestamp: a local date is the date.
        self.utc = tz is UTC
        self._fiat_like = {rule.fiat, *rule.other_fiat}
        self._classes: dict[str, str] = {}
        self._fx_failed: set[object] = set()
        self._years: dict[date, str] = {}

    def flow(self, wallet: str, day: date, line: FlowLine, amount: Decimal) -> None:
        """Add ``amount`` to an account-statement line (issue #15) of ``wallet``'s tax year."""
        if not amount:
            return
        year = self._years.get(day)
        if year is None:
            year = self._years[day] = tax_year_label(day, self.rule)
        self.out.flows[(wallet, year, line)] += amount

    def spot_flows(self, trade: Trade, start: int, value: Decimal, fee: Decimal, day: date) -> None:
        """Where the value of a spot trade's events crossed the edge of the books.

        Acquired basis minus disposal proceeds is what came in from outside (fiat paid, a fee
        paid in fiat, income) or, when negative, what left (fiat received, goods bought, a
        standalone fee). Exchanges of one asset for another net to zero: their proceeds are
        the new lot's basis. Summing the events keeps this exact whatever the fee allocation.
        (Written out, not through ``flow``: this runs for every spot trade.)
        """
        events = self.out.events
        net = ZERO
        for index in range(start, len(events)):
            event = events[index]
            net = net + event.value if event.kind is ACQUIRE else net - event.value
        year = self._years.get(day)
        if year is None:
            year = self._years[day] = tax_year_label(day, self.rule)
        flows, wallet, kind = self.out.flows, trade.wallet, trade.kind
        if kind is FEE:
            flows[(wallet, year, FlowLine.EXPENSES)] -= net
            flows[(wallet, year, FlowLine.OTHER_FEES)] -= net
            return
        if kind is INCOME:
            flows[(wallet, year, FlowLine.INCOME)] += value
            net -= value
        if fee:
            flows[(wallet, year, TRADING_FEES)] += fee
        if net > ZERO:
            flows[(wallet, year, CAPITAL_IN)] += net
        elif net < ZERO:
            flows[(wallet, year, CAPITAL_OUT)] -= net

    def classify(self, asset: str) -> str:
        """Say whether an asset is the rule's fiat, another fiat, a par stablecoin or crypto
        (once per asset: ``other_fiat`` lists every ISO 4217 code)."""
        found = self._classes.get(asset)
        if found is None:
            rule = self.rule
            if asset == rule.fiat:
                found = FIAT
            elif asset in rule.other_fiat:
                found = OTHER_FIAT
            elif asset in rule.usd_equivalent:
                found = STABLE
            else:
                found = CRYPTO
            self._classes[asset] = found
        return found

    def is_fiat_like(self, asset: str) -> bool:
        """True for government currencies, which taxloss never tracks as lots."""
        return asset in self._fiat_like

    # -- pricing -----------------------------------------------------------------------------

    def price_of(self, trade: Trade, asset: str, quantity: Decimal, day: date) -> Decimal | None:
        """Value ``quantity`` of ``asset`` from the rule (fiat, stablecoin) or ``--prices``.

        Returns None when no source applies (the caller reports the row).
        """
        kind = self.classify(asset)
        if kind == FIAT:
            return quantity
        if kind == OTHER_FIAT and self.fx.active:
            return self.to_fiat(trade, quantity, asset, day)
        if kind == STABLE:
            peg = self.rule.fx.stablecoin_currency if self.rule.fx else self.rule.fiat
            self.assume(
                Notice(
                    "stablecoin_at_par",
                    f"{asset} valued at 1 {peg} per unit "
                    f"(valuation.usd_equivalent in {self.rule.path})",
                    trade.source,
                )
            )
            return self.to_fiat(trade, quantity, peg, day)
        found = self.prices.get(day, asset)
        if found is None:
            return None
        self.assume(
            Notice(
                "price_from_file",
                f"{asset} at {plain(found.price)} {self.rule.fiat} on {day} "
                f"from --prices {found.source}",
                trade.source,
            )
        )
        return quantity * found.price

    def to_fiat(self, trade: Trade, amount: Decimal, currency: str, day: date) -> Decimal | None:
        """``amount`` of ``currency`` in the rule's fiat at the day's rate (``[fx]``).

        Without ``[fx]`` the amount is returned as it is (a rule whose amounts are all in its
        fiat). A missing
        rate is recorded as a problem naming the row and date, and None is returned.
        """
        if currency == self.rule.fiat or not self.fx.active:
            return amount
        found = self.fx.convert(amount, currency, day, trade.source)
        self.out.assumptions.extend(self.fx.notices)
        self.fx.notices.clear()
        if isinstance(found, Problem):
            if trade.source not in self._fx_failed:
                self._fx_failed.add(trade.source)
                self.out.problems.append(found)
            return None
        return found

    def fiat_value(self, trade: Trade, day: date) -> Decimal | None:
        """The row's ``fiat_value`` (in ``fiat_currency``, USD when empty) in the rule's fiat."""
        if trade.fiat_value is None:
            return None
        currency = trade.fiat_currency or FIAT_VALUE_CURRENCY
        if currency != self.rule.fiat and trade.fiat_currency and not self.fx.active:
            if trade.source not in self._fx_failed:
                self._fx_failed.add(trade.source)
                self.out.problems.append(
                    Problem(
                        trade.source,
                        f"the row's value is in {currency} and {self.rule.path} has no [fx] "
                        f"section to convert it into {self.rule.fiat}: add one, or answer the "
                        f"row in an --overrides file: '{trade.source},value AMOUNT,NOTE'",
                        column="fiat_value",
                    )
                )
            return None
        return self.to_fiat(trade, trade.fiat_value, currency, day)

    def assume(self, notice: Notice) -> None:
        """Record an assumption once per row (a row may use the same one for two legs)."""
        if not self.out.assumptions or self.out.assumptions[-1] != notice:
            self.out.assumptions.append(notice)

    def exchange_value(
        self, trade: Trade, legs: list[Leg], day: date
    ) -> tuple[Decimal | None, str]:
        """Fair value of an exchange of ``legs`` (received leg first) and where it came from."""
        fiat = self.rule.fiat
        for asset, quantity in legs:
            if asset == fiat:
                return quantity, "fiat quote"
        if trade.fiat_value is not None:
            return self.fiat_value(trade, day), "fiat_value"
        for wanted in (STABLE, OTHER_FIAT, CRYPTO):
            for asset, quantity in legs:
                if self.classify(asset) == wanted:
                    value = self.price_of(trade, asset, quantity, day)
                    if value is not None:
                        return value, f"{asset} price"
        return None, ""

    def fee_value(
        self, trade: Trade, legs: list[Leg], value: Decimal | None, day: date
    ) -> Decimal | None:
        """Fiat value of the row's fee, or None if it cannot be valued."""
        assert trade.fee_quantity is not None
        asset, quantity = trade.fee_asset, trade.fee_quantity
        if asset == self.rule.fiat:
            return quantity  # as ``price_of`` values the rule's fiat
        if self.classify(asset) in (FIAT, STABLE, OTHER_FIAT):
            return self.price_of(trade, asset, quantity, day)
        for leg_asset, leg_quantity in legs:
            if leg_asset == asset and value is not None and leg_quantity > 0:
                # The trade's own exchange rate is the fair value of its fee units.
                return quantity * value / leg_quantity
        return self.price_of(trade, asset, quantity, day)

    def need_price(self, trade: Trade, what: str) -> None:
        """Record that a row cannot be valued, with what would fix it."""
        if trade.source in self._fx_failed:
            return  # the missing exchange rate is already reported for this row
        self.out.problems.append(
            Problem(
                trade.source,
                f"needs a {self.rule.fiat} value for {what} on "
                f"{local_date(trade.timestamp, self.tz)}: give fiat_value in the row, a "
                f"--prices row 'date,asset,price', or an --overrides line "
                f"'{trade.source},value AMOUNT,NOTE' (the row's {self.rule.fiat} value)",
                column="fiat_value",
            )
        )

    # -- events ------------------------------------------------------------------------------

    def spot(self, trade: Trade) -> None:
        """Turn a spot trade (buy, sell, forced sale, spend, fee, income) into events."""
        kind = trade.kind
        main = (trade.asset, trade.quantity)
        quote = (
            (trade.quote_asset, trade.quote_quantity)
            if trade.quote_asset and trade.quote_quantity is not None
            else None
        )
        received: Leg | None
        given: Leg | None
        if kind is BUY:
            received, given = main, quote
        elif kind is INCOME:
            received, given = main, None
        elif kind is SELL or kind is FORCED_SALE:
            received, given = quote, main
        else:  # spend, fee: units leave for goods or services
            received, given = None, main
        if received is None:
            legs = [] if given is None else [given]
        else:
            legs = [received] if given is None else [received, given]
        moment = trade.timestamp
        day = moment.date() if self.utc else local_date(moment, self.tz)
        events = self.out.events
        start = len(events)
        fiat = self.fiat
        value: Decimal | None
        for asset, quantity in legs:  # (``exchange_value``'s first source, written out)
            if asset == fiat:
                value = quantity
                break
        else:
            value, _ = self.exchange_value(trade, legs, day)
        if value is None:
            self.need_price(trade, " and ".join(f"{plain(q)} {a}" for a, q in legs))
            return
        fee = ZERO
        fee_asset = trade.fee_asset if trade.fee_quantity else ""
        if fee_asset == fiat:  # (``fee_value``'s first case, written out)
            fee = trade.fee_quantity  # type: ignore[assignment]
        elif fee_asset:
            found = self.fee_value(trade, legs, value, day)
            if found is None:
                self.need_price(
                    trade, f"the fee of {plain(trade.fee_quantity or ZERO)} {fee_asset}"
                )
                return
            fee = found
        if kind is FEE:
            fee, fee_asset = ZERO, ""
        fiat_like = self._fiat_like
        given_fiat = given is None or given[0] in fiat_like
        received_fiat = received is None or received[0] in fiat_like
        if given is not None and received is not None and given_fiat and received_fiat:
            self.out.problems.append(
                Problem(trade.source, "both sides are fiat: not a digital-asset trade", "type")
            )
            return
        # Who bears the fee: the acquisition when paying fiat (or receiving income), the
        # disposal when receiving fiat, and the rule's choice for crypto-for-crypto.
        if kind is INCOME or given_fiat:
            on_disposal = False
        elif received_fiat:
            on_disposal = True
        else:
            on_disposal = self.rule.crypto_fee_allocation == "disposed_asset"
        step = 0
        if given is not None and not given_fiat:
            given_asset, units = given
            proceeds = value - fee if on_disposal else value
            if fee_asset == given_asset:
                units += trade.fee_quantity or ZERO
                proceeds += fee
            disposal_kind = DISPOSAL_KINDS.get(kind, EXCHANGE if not received_fiat else SALE)
            events.append(
                Event(moment, DISPOSE, given_asset, units, proceeds, trade.wallet, trade.source,
                      step, fee if on_disposal else ZERO, disposal_kind, kind is FORCED_SALE)
            )  # fmt: skip
            step += 1
        if received is not None and not received_fiat:
            received_asset, units = received
            basis = value if on_disposal else value + fee
            if fee_asset == received_asset:
                units -= trade.fee_quantity or ZERO
                basis -= fee
            if units <= 0 or basis < 0:
                self.out.problems.append(
                    Problem(
                        trade.source, "the fee is larger than the units received", "fee_quantity"
                    )
                )
                return
            events.append(
                Event(moment, ACQUIRE, received_asset, units, basis, trade.wallet, trade.source,
                      step, ZERO if on_disposal else fee)
            )  # fmt: skip
            step += 1
            if kind is INCOME:
                self.out.income.append(
                    Income(
                        trade.timestamp,
                        day,
                        tax_year_label(day, self.rule),
                        received_asset,
                        received[1],
                        value,
                        trade.wallet,
                        trade.source,
                    )
                )
        if fee_asset and fee_asset not in fiat_like and all(leg[0] != fee_asset for leg in legs):
            # Reference §1.1 / Treas. Reg. §1.1001-7(b)(1)(ii): paying a fee in a digital asset
            # disposes of those units; the amount realized is their fair value.
            self.emit(
                trade,
                EventKind.DISPOSE,
                fee_asset,
                trade.fee_quantity or ZERO,
                fee,
                step,
                ZERO,
                DisposalKind.FEE,
            )
        self.spot_flows(trade, start, value, fee, day)

    def settlement_value(
        self, trade: Trade, coin: str, units: Decimal, day: date
    ) -> tuple[Decimal | None, bool, bool]:
        """Value of ``units`` of a settlement coin: (value, valued at par, moves lots)."""
        kind = self.classify(coin)
        if kind in (FIAT, OTHER_FIAT):
            return self.price_of(trade, coin, units, day), True, False
        if kind == STABLE:
            # At par only when the peg is the report currency (the US rule); elsewhere a
            # stablecoin paid out is a disposal of it at the day's converted value.
            policy = self.rule.fx
            par = policy is None or policy.stablecoin_currency == self.rule.fiat
            return self.price_of(trade, coin, units, day), par, True
        return self.price_of(trade, coin, units, day), False, True

    def derivative(self, trade: Trade) -> None:
        """A derivative cash flow (realized PnL, liquidation, funding, fees) of one contract.

        The settlement coin moves with every flow; the flows of one position (by ``position``
        id, else per contract per local day) become one Form 8949 row in the engine.
        """
        component = COMPONENTS[trade.kind]
        day = local_date(trade.timestamp, self.tz)
        tail = f"id:{trade.position}" if trade.position else f"day:{day.isoformat()}"
        group = f"{trade.wallet}|{trade.asset}|{tail}"
        flows: list[tuple[str, Decimal, str]] = []
        if trade.quote_quantity:
            flows.append((trade.quote_asset, trade.quote_quantity, component))
        if trade.fee_quantity:
            flows.append((trade.fee_asset, -trade.fee_quantity, "commission"))
        for step, (coin, amount, part) in enumerate(flows):
            units = abs(amount)
            value, par, lots = self.settlement_value(trade, coin, units, day)
            if value is None:
                self.need_price(trade, f"{plain(units)} {coin} settled")
                return
            self.out.events.append(
                Event(trade.timestamp, EventKind.SETTLE, coin, units, value, trade.wallet,
                      trade.source, step, contract=trade.asset, component=part,
                      credit=amount > 0, group=group, side=trade.side,
                      size=trade.quantity if part in ("pnl", "liquidation") else ZERO,
                      acquired=trade.opened, par=par, lots=lots,
                      liquidation=part in ("liquidation", "insurance"),
                      disposal_kind=DisposalKind.POSITION)
            )  # fmt: skip

    def interest(self, trade: Trade) -> None:
        """Margin interest paid in ``asset``: an expense (and, for crypto, a disposal)."""
        day = local_date(trade.timestamp, self.tz)
        if trade.fiat_value is not None:
            value: Decimal | None = self.fiat_value(trade, day)
            par, lots = self.classify(trade.asset) == STABLE, not self.is_fiat_like(trade.asset)
        else:
            value, par, lots = self.settlement_value(trade, trade.asset, trade.quantity, day)
        if value is None:
            self.need_price(trade, f"interest of {plain(trade.quantity)} {trade.asset}")
            return
        self.out.events.append(
            Event(trade.timestamp, EventKind.SETTLE, trade.asset, trade.quantity, value,
                  trade.wallet, trade.source, component="interest", par=par, lots=lots,
                  disposal_kind=DisposalKind.FEE)
        )  # fmt: skip

    def margin(self, trade: Trade) -> None:
        """A margin loan or repayment: borrowed units in or out, never a disposal."""
        day = local_date(trade.timestamp, self.tz)
        if trade.kind is TradeKind.MARGIN_LOAN:
            if self.is_fiat_like(trade.asset):
                return
            value = self.fiat_value(trade, day)
            if value is None and trade.fiat_value is None:
                value = self.price_of(trade, trade.asset, trade.quantity, day)
            if value is None:
                self.need_price(trade, f"the borrowed {plain(trade.quantity)} {trade.asset}")
                return
            self.out.events.append(
                Event(trade.timestamp, EventKind.ACQUIRE, trade.asset, trade.quantity, value,
                      trade.wallet, trade.source, component="loan")
            )  # fmt: skip
        elif not self.is_fiat_like(trade.asset):
            self.out.events.append(
                Event(trade.timestamp, EventKind.REMOVE, trade.asset, trade.quantity, ZERO,
                      trade.wallet, trade.source, component="repay")
            )  # fmt: skip

    def emit(
        self,
        trade: Trade,
        kind: EventKind,
        asset: str,
        quantity: Decimal,
        value: Decimal,
        step: int,
        fee: Decimal = ZERO,
        disposal_kind: DisposalKind = DisposalKind.SALE,
        liquidation: bool = False,
    ) -> None:
        """Append one event for ``trade`` (``spot`` writes its exchange's two events out, as
        it runs for nearly every trade)."""
        self.out.events.append(
            Event(trade.timestamp, kind, asset, quantity, value, trade.wallet, trade.source,
                  step, fee, disposal_kind, liquidation)
        )  # fmt: skip

    def transfer(self, trades: list[Trade], match: Match, number: int) -> None:
        """Events for a matched transfer: units leave at the withdrawal, arrive at the deposit.

        Units lost on the way are a fee, which is a disposal in the US (issue #2, reference
        §1.1): it needs a fair value like any other disposal.
        """
        withdrawal, deposit = trades[match.withdrawal], trades[match.deposit]
        lost = match.sent - match.received
        fee = ZERO
        if lost > 0:
            day = local_date(withdrawal.timestamp, self.tz)
            total = self.fiat_value(withdrawal, day)
            if total is not None and withdrawal.quantity > 0:
                fee = total * lost / withdrawal.quantity
            else:
                found = None
                if withdrawal.source not in self._fx_failed:
                    found = self.price_of(withdrawal, withdrawal.asset, lost, day)
                if found is None:
                    self.need_price(
                        withdrawal, f"the transfer fee of {plain(lost)} {withdrawal.asset}"
                    )
                    return
                fee = found
        if fee:
            day = local_date(withdrawal.timestamp, self.tz)
            self.flow(withdrawal.wallet, day, FlowLine.EXPENSES, fee)
            self.flow(withdrawal.wallet, day, FlowLine.NETWORK_FEES, fee)
        self.out.events.append(
            Event(
                withdrawal.timestamp,
                EventKind.SEND,
                withdrawal.asset,
                match.sent,
                fee,
                withdrawal.wallet,
                withdrawal.source,
                transfer=number,
                received=match.received,
                disposal_kind=DisposalKind.TRANSFER_FEE,
            )
        )
        self.out.events.append(
            Event(
                deposit.timestamp,
                EventKind.RECEIVE,
                deposit.asset,
                match.received,
                ZERO,
                deposit.wallet,
                deposit.source,
                transfer=number,
            )
        )

    def unmatched(self, trade: Trade) -> None:
        """An unmatched withdrawal leaves our books; an unmatched deposit has unknown basis
        (or, for a par stablecoin, a basis of 1 per unit if the rule says so)."""
        if trade.kind is TradeKind.WITHDRAWAL:
            event = Event(trade.timestamp, EventKind.REMOVE, trade.asset, units_sent(trade), ZERO,
                          trade.wallet, trade.source)  # fmt: skip
        elif self.classify(trade.asset) == STABLE and self.rule.unmatched_stablecoin_basis == "par":
            units = units_received(trade)
            peg = self.rule.fx.stablecoin_currency if self.rule.fx else self.rule.fiat
            day = local_date(trade.timestamp, self.tz)
            basis = self.to_fiat(trade, units, peg, day)
            if basis is None:
                return
            self.out.notices.append(
                Notice("stablecoin_basis_assumed", f"{plain(units)} {trade.asset} deposited with "
                       f"no matching withdrawal (none of {trade.asset} from another wallet "
                       f"within {self.rule.transfer_window_hours} h before it): basis taken "
                       f"as 1 {peg} per unit "
                       f"(valuation.unmatched_stablecoin_basis in {self.rule.path})",
                       trade.source)
            )  # fmt: skip
            event = Event(trade.timestamp, EventKind.ACQUIRE, trade.asset, units, basis,
                          trade.wallet, trade.source)  # fmt: skip
            self.flow(trade.wallet, day, FlowLine.CAPITAL_IN, basis)
        else:
            event = Event(trade.timestamp, EventKind.ADD_UNKNOWN, trade.asset,
                          units_received(trade), ZERO, trade.wallet, trade.source)  # fmt: skip
        self.out.events.append(event)


def value_trades(
    trades: list[Trade],
    matches: list[Match],
    rule: Rule,
    prices: PriceTable,
    tz: tzinfo,
    fx: Converter | None = None,
) -> Valued:
    """Value every trade and build the engine's event list (unsorted).

    Args:
        trades: all trades, sorted.
        matches: matched transfers (indexes into ``trades``).
        rule: the rule in force.
        prices: user prices.
        tz: reporting zone (for price dates and tax years).
        fx: the exchange-rate converter (rules with ``[fx]``).

    Returns:
        Events, income, assumptions and any rows that could not be valued.
    """
    valuer = Valuer(rule, prices, tz, fx)
    matched: dict[int, int] = {}
    for number, match in enumerate(matches):
        matched[match.withdrawal] = number
        matched[match.deposit] = number
    spot = valuer.spot
    for index, trade in enumerate(trades):
        kind = trade.kind
        if kind in SPOT_KINDS:
            spot(trade)
        elif kind is DEPOSIT or kind is WITHDRAWAL:
            if index in matched:
                number = matched[index]
                if matches[number].withdrawal == index:
                    valuer.transfer(trades, matches[number], number)
            else:
                valuer.unmatched(trade)
        elif kind in COMPONENTS:
            valuer.derivative(trade)
        elif kind is TradeKind.INTEREST:
            valuer.interest(trade)
        else:
            valuer.margin(trade)
    return valuer.out


#: What a disposal of the given asset is called, by trade type (else exchange or sale).
DISPOSAL_KINDS = {
    TradeKind.FORCED_SALE: DisposalKind.FORCED_SALE,
    TradeKind.SPEND: DisposalKind.SPEND,
    TradeKind.FEE: DisposalKind.FEE,
}

#: Derivative row types and the part of a position's result each one is.
COMPONENTS = {
    TradeKind.REALIZED_PNL: "pnl",
    TradeKind.LIQUIDATION: "liquidation",
    TradeKind.FUNDING: "funding",
    TradeKind.INSURANCE_FEE: "insurance",
    TradeKind.COMMISSION: "commission",
}

SPOT_KINDS = frozenset(
    {
        TradeKind.BUY,
        TradeKind.SELL,
        TradeKind.FORCED_SALE,
        TradeKind.SPEND,
        TradeKind.FEE,
        TradeKind.INCOME,
    }
)
