"""Gate.io (Gate) exports: the spot account book and the futures account book.

**Spot account book** (``gate-spot``), verified header
``no,time,action_desc,action_data,type,change_amount,amount,total``: one row per balance change.
``type`` is the CURRENCY, ``change_amount`` is signed, ``action_data`` is the order id that
groups the legs of one order, ``amount``/``total`` are balances (not used).

**Futures account book** (``gate-futures``), header NOT verified: no real export was available,
so the parser is built from Gate's API ``account_book`` fields (``time, change, balance, type,
text`` plus ``contract``) and matches columns by alias sets. It must be checked against a real
export from a user before it is relied on.

Time zone: neither file states one. Gate's web UI shows UTC+8 unless the user changed it
(exchange-formats.md, [weak]), so naive times are taken as **UTC+8**. A zone in the header
(``time(UTC)``, ``time(UTC+08:00)``) wins; ``--timezone`` replaces the UTC+8 assumption.

Wallets: ``gate`` (spot), ``gate-futures`` (USDT/USDC-settled contracts), ``gate-coinm``
(coin-settled inverse contracts such as ``BTC_USD``). Columns are found by alias sets and
header zones read with the shared helpers of ``rows.py``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal

from taxloss.errors import InputError, Problem
from taxloss.model import SourceRef, Trade, TradeKind
from taxloss.money import ZERO, plain
from taxloss.parsers import ParseOptions, notes, register
from taxloss.parsers.numbers import fixed_offset
from taxloss.parsers.rows import Columns, Row, Rows, has_column, require_rows, words
from taxloss.parsers.table import Table

#: Gate's web UI default zone (exchange-formats.md, Gate.io: "UTC+8 unless the user changed it").
GATE_DEFAULT_ZONE = fixed_offset(8)


def file_zone(columns: Columns, time_column: str, options: ParseOptions) -> tzinfo:
    """The zone of naive times: the header's, else ``--timezone``, else Gate's UTC+8 (recorded
    as assumed)."""
    return notes.file_zone(
        columns.table,
        options,
        columns.zone(time_column),
        GATE_DEFAULT_ZONE,
        "Gate's default display zone",
        columns.written.get(time_column, time_column),
    )


# -- spot account book ------------------------------------------------------------------------

SPOT_WALLET = "gate"

SPOT_TIME = ("time", "date")
SPOT_COLUMNS = {
    "action_desc": ("action_desc",),
    "action_data": ("action_data",),
    "currency (type)": ("type", "currency"),
    "change_amount": ("change_amount",),
}

#: Every action_desc value Gate is known to write, as written (for the error message).
SPOT_ACTIONS_AS_WRITTEN = (
    "Order Placed",
    "Order Filled",
    "Order Fullfilled",
    "Trading Fees",
    "Trade Fee",
    "Deposits",
    "Deposit",
    "Withdrawals",
    "withdraw",
    "Referral Superior Rebate",
    "Airdrop",
    "Airdrop bonus",
    "HODL Interest",
    "Interest Income",
    "Dust Swap-Small Balances Deducted",
    "Dust Swap-GT Added",
)

#: Rows dropped on purpose. "Order Placed" locks funds for an open order: the units stay the
#: user's and move only when the order fills ("Order Filled" rows carry the legs).
SPOT_NO_EFFECT = frozenset({"order placed"})
SPOT_FILL = frozenset({"order filled", "order fullfilled", "order fulfilled"})
SPOT_FEE = frozenset({"trading fees", "trade fee"})
SPOT_DEPOSIT = frozenset({"deposits", "deposit"})
SPOT_WITHDRAWAL = frozenset({"withdrawals", "withdraw"})
#: Ordinary income received in kind (rebates, airdrops, savings interest).
SPOT_INCOME = frozenset(
    {"referral superior rebate", "airdrop", "airdrop bonus", "hodl interest", "interest income"}
)
SPOT_DUST_OUT = frozenset({"dust swap-small balances deducted"})
SPOT_DUST_IN = frozenset({"dust swap-gt added"})
SPOT_KNOWN = (
    SPOT_NO_EFFECT
    | SPOT_FILL
    | SPOT_FEE
    | SPOT_DEPOSIT
    | SPOT_WITHDRAWAL
    | SPOT_INCOME
    | SPOT_DUST_OUT
    | SPOT_DUST_IN
)

#: Which side of a pair is the quote: the lower the rank, the more quote-like.
QUOTE_RANK = ("USD", "USDT", "USDC", "FDUSD", "BUSD", "TUSD", "DAI", "EUR", "BTC", "ETH", "GT")


def _rank(asset: str) -> int:
    return QUOTE_RANK.index(asset) if asset in QUOTE_RANK else len(QUOTE_RANK)


@dataclass(frozen=True)
class Leg:
    """One balance change of an order, a fee or a dust swap."""

    index: int
    timestamp: datetime
    currency: str
    change: Decimal
    source: SourceRef


def _net(legs: Iterable[Leg]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for leg in legs:
        totals[leg.currency] += leg.change
    return dict(totals)


def _balanced(legs: list[Leg]) -> bool:
    """One currency in, one currency out, nothing that nets to zero."""
    totals = _net(legs)
    return (
        sum(1 for v in totals.values() if v > 0) == 1
        and sum(1 for v in totals.values() if v < 0) == 1
        and all(v != 0 for v in totals.values())
    )


def _describe(totals: dict[str, Decimal]) -> str:
    return ", ".join(f"{plain(v)} {c}" for c, v in totals.items()) or "nothing"


@register("gate-spot")
class GateSpotAccountBook:
    """Gate.io spot account book: order legs grouped by ``action_data``, fees, transfers,
    income and dust swaps.

    Each order (``action_data``) becomes one BUY or SELL: the currency that came in and the
    one that went out, summed over the order's "Order Filled" rows. An order filled at several
    times becomes one trade per time when each time is itself one currency in and one out;
    otherwise one trade at its last fill. Its "Trading Fees" rows are the trade's fee (a second
    fee currency becomes a separate FEE). Of the pair, the more quote-like currency (USDT before
    BTC before others) is the quote: ``BTC +0.1, USDT -4235`` is a BUY of BTC.

    Deposits and withdrawals are crypto units entering/leaving the ``gate`` wallet. Referral
    rebates, airdrops and interest are INCOME (valued by the engine: par for stablecoins, else a
    --prices row). A dust swap ("Small Balances Deducted" rows and one "GT Added" row, grouped by
    ``action_data``, or by time when it is empty) is an exchange of each dust currency for GT:
    one SELL per dust currency; with several, the GT is split equally among them because the
    account book does not say how much GT each bought (the amounts are dust; the split is
    noted on each row).
    """

    title = "Gate.io spot account book"
    layouts = (
        ("no", "time", "action_desc", "action_data", "type", "change_amount", "amount", "total"),
    )
    download = "Gate.io: Wallet > Spot account > Account book (bills) > Export, CSV."

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim a header with Gate's ``action_desc``, ``action_data`` and ``change_amount``."""
        return {"action_desc", "action_data", "change_amount"} <= set(header)

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Read every row; raise all problems at once."""
        columns = Columns(table)
        problems: list[Problem] = []
        time_column = columns.find(SPOT_TIME)
        if time_column is None:
            columns.require({"time": SPOT_TIME}, problems)
        found = columns.require(SPOT_COLUMNS, problems)
        if problems:
            raise InputError(problems)
        assert time_column is not None
        rows = Rows(table)
        require_rows(table, "account book rows")
        zone = file_zone(columns, time_column, options)
        desc_col, data_col = found["action_desc"], found["action_data"]
        currency_col, change_col = found["currency (type)"], found["change_amount"]

        trades: list[tuple[int, Trade]] = []
        fills: dict[str, list[Leg]] = defaultdict(list)
        fees: dict[str, list[Leg]] = defaultdict(list)
        dust: dict[str, list[tuple[bool, Leg]]] = defaultdict(list)

        for row in rows:
            timestamp = row.time(time_column, zone)
            desc_text = row.text(desc_col)
            action = words(desc_text)
            if action not in SPOT_KNOWN:
                row.bad(
                    desc_col,
                    f"unknown action {desc_text!r}: expected one of "
                    + ", ".join(SPOT_ACTIONS_AS_WRITTEN),
                )
                continue
            if action in SPOT_NO_EFFECT:
                continue
            currency = row.text(currency_col).upper()
            if not currency:
                row.bad(currency_col, "expected the currency, found an empty cell")
            change = row.number(change_col, required=True)
            order_id = row.text(data_col)
            if action in SPOT_FILL | SPOT_FEE and not order_id:
                row.bad(data_col, "expected the order id that groups the order's rows")
            if change is not None:
                _check_sign(row, change_col, action, change)
            if row.problems:
                continue
            assert timestamp is not None and change is not None
            leg = Leg(row.index, timestamp, currency, change, row.source)
            if action in SPOT_FILL:
                fills[order_id].append(leg)
            elif action in SPOT_FEE:
                if change != 0:
                    fees[order_id].append(leg)
            elif action in SPOT_DUST_OUT | SPOT_DUST_IN:
                key = order_id or row.text(time_column)
                dust[key].append((action in SPOT_DUST_IN, leg))
            else:
                if action in SPOT_DEPOSIT:
                    kind = TradeKind.DEPOSIT
                elif action in SPOT_WITHDRAWAL:
                    kind = TradeKind.WITHDRAWAL
                else:
                    kind = TradeKind.INCOME
                trades.append(
                    (
                        row.index,
                        Trade(
                            timestamp=timestamp,
                            kind=kind,
                            asset=currency,
                            quantity=abs(change),
                            wallet=SPOT_WALLET,
                            source=leg.source,
                            note=desc_text if kind is TradeKind.INCOME else "",
                        ),
                    )
                )

        trades.extend(_orders(rows, fills, fees, data_col))
        trades.extend(_dust_swaps(rows, dust, currency_col))
        rows.finish()
        for _index, trade in sorted(trades, key=lambda item: item[0]):
            yield trade


def _check_sign(row: Row, column: str, action: str, change: Decimal) -> None:
    """Each action moves units one way; the other sign means the row is not what it says."""
    if action in SPOT_FILL:
        if change == 0:
            row.bad(column, "expected a non-zero change for an order leg")
    elif action in SPOT_FEE:
        if change > 0:
            row.bad(column, f"expected a fee as a negative change, found {plain(change)}")
    elif action in SPOT_WITHDRAWAL | SPOT_DUST_OUT:
        if change >= 0:
            row.bad(column, f"expected a negative change, found {plain(change)}")
    elif change <= 0:  # deposits, income, GT added
        row.bad(column, f"expected a positive change, found {plain(change)}")


def _orders(
    rows: Rows, fills: dict[str, list[Leg]], fees: dict[str, list[Leg]], data_col: str
) -> list[tuple[int, Trade]]:
    """One BUY/SELL per order (or per fill time of an order), with its fees."""
    out: list[tuple[int, Trade]] = []
    for order_id, legs in fees.items():
        if order_id not in fills:
            for leg in legs:
                rows.bad(
                    leg.source,
                    data_col,
                    f"a trading fee of order {order_id} with no Order Filled row of that order "
                    "in the file: expected the order's legs in the same export",
                )
    for order_id, legs in fills.items():
        by_time: dict[datetime, list[Leg]] = defaultdict(list)
        for leg in legs:
            by_time[leg.timestamp].append(leg)
        parts = [by_time[t] for t in sorted(by_time)]
        if len(parts) > 1 and not all(_balanced(p) for p in parts):
            parts = [sorted(legs, key=lambda leg: leg.index)]
        part_fees: list[list[Leg]] = [[] for _ in parts]
        for fee in fees.get(order_id, []):
            # A fee belongs to the fill at its time, else the last fill before it.
            chosen = 0
            for number, part in enumerate(parts):
                if max(leg.timestamp for leg in part) <= fee.timestamp:
                    chosen = number
            part_fees[chosen].append(fee)
        for number, part in enumerate(parts):
            first = min(part, key=lambda leg: leg.index)
            if not _balanced(part):
                rows.bad(
                    first.source,
                    data_col,
                    f"order {order_id}: expected one currency received and one paid, found "
                    f"{_describe(_net(part))}",
                )
                continue
            external = f"gate:{order_id}" if len(parts) == 1 else f"gate:{order_id}:{number + 1}"
            out.extend(_order_trades(part, part_fees[number], first, external))
    return out


def _order_trades(
    part: list[Leg], part_fees: list[Leg], first: Leg, external: str
) -> list[tuple[int, Trade]]:
    totals = _net(part)
    (received,) = [c for c, v in totals.items() if v > 0]
    (given,) = [c for c, v in totals.items() if v < 0]
    timestamp = max(leg.timestamp for leg in part)
    fee_totals: dict[str, Decimal] = {}
    for fee in part_fees:
        fee_totals[fee.currency] = fee_totals.get(fee.currency, ZERO) - fee.change
    fee_asset = ""
    for currency in fee_totals:
        if currency in (received, given):
            fee_asset = currency
            break
    if not fee_asset and fee_totals:
        fee_asset = next(iter(fee_totals))
    if _rank(given) <= _rank(received):
        kind, asset, quantity = TradeKind.BUY, received, totals[received]
        quote, quote_quantity = given, -totals[given]
    else:
        kind, asset, quantity = TradeKind.SELL, given, -totals[given]
        quote, quote_quantity = received, totals[received]
    out = [
        (
            first.index,
            Trade(
                timestamp=timestamp,
                kind=kind,
                asset=asset,
                quantity=quantity,
                wallet=SPOT_WALLET,
                source=first.source,
                quote_asset=quote,
                quote_quantity=quote_quantity,
                fee_asset=fee_asset,
                fee_quantity=fee_totals[fee_asset] if fee_asset else None,
                external_id=external,
            ),
        )
    ]
    for currency, amount in fee_totals.items():
        if currency == fee_asset:
            continue
        fee_row = next(f for f in part_fees if f.currency == currency)
        out.append(
            (
                fee_row.index,
                Trade(
                    timestamp=fee_row.timestamp,
                    kind=TradeKind.FEE,
                    asset=currency,
                    quantity=amount,
                    wallet=SPOT_WALLET,
                    source=fee_row.source,
                    note=f"trading fee of {external}",
                ),
            )
        )
    return out


def _dust_swaps(
    rows: Rows, dust: dict[str, list[tuple[bool, Leg]]], currency_col: str
) -> list[tuple[int, Trade]]:
    """Each dust currency is sold for (its share of) the GT added."""
    out: list[tuple[int, Trade]] = []
    for key, entries in dust.items():
        added = [leg for is_in, leg in entries if is_in]
        deducted = [leg for is_in, leg in entries if not is_in]
        first = min((leg for _, leg in entries), key=lambda leg: leg.index)
        if len(added) != 1 or not deducted:
            rows.bad(
                first.source,
                currency_col,
                f"dust swap {key}: expected Small Balances Deducted rows and one GT Added row, "
                f"found {len(deducted)} deducted and {len(added)} added",
            )
            continue
        (gt,) = added
        totals: dict[str, Decimal] = {}
        sources: dict[str, Leg] = {}
        for leg in deducted:
            totals[leg.currency] = totals.get(leg.currency, ZERO) - leg.change
            sources.setdefault(leg.currency, leg)
        count = len(totals)
        share = gt.change / count
        given_out = ZERO
        for number, (currency, amount) in enumerate(totals.items()):
            portion = gt.change - given_out if number == count - 1 else share
            given_out += portion
            note = "dust swap for GT"
            if count > 1:
                note += (
                    f": {plain(gt.change)} {gt.currency} split equally across {count} dust "
                    "currencies (the account book does not say how much each bought)"
                )
            leg = sources[currency]
            out.append(
                (
                    leg.index,
                    Trade(
                        timestamp=gt.timestamp,
                        kind=TradeKind.SELL,
                        asset=currency,
                        quantity=amount,
                        wallet=SPOT_WALLET,
                        source=leg.source,
                        quote_asset=gt.currency,
                        quote_quantity=portion,
                        note=note,
                    ),
                )
            )
    return out


# -- futures account book ---------------------------------------------------------------------

FUTURES_TIME = ("time", "date", "create time", "created time")
FUTURES_TYPE = ("type", "bill type")
FUTURES_CHANGE = ("change", "change amount", "amount")
FUTURES_BALANCE = ("balance",)
FUTURES_TEXT = ("text", "remark", "details", "detail", "note")
FUTURES_CONTRACT = ("contract", "market")
FUTURES_CURRENCY = ("currency", "settle", "settle currency", "unit", "coin")

#: Type values: Gate's API codes and the human labels the UI is reported to use [weak].
FUTURES_TRANSFER = frozenset({"dnw", "transfer", "transfer in", "transfer out"})
FUTURES_PNL = frozenset({"pnl", "realized pnl", "realised pnl", "close position"})
FUTURES_LIQUIDATION = frozenset({"liquidation", "liquidated"})
FUTURES_FEE = frozenset({"fee", "trading fee", "trade fee", "trading fees"})
FUTURES_FUNDING = frozenset({"fund", "funding", "funding fee", "funding fees"})
FUTURES_REFERRAL = frozenset({"refr", "referral fee", "referral rebate", "rebate"})
#: Dropped on purpose. ``point_*``: Gate's point card, prepaid fee credit bought with USDT in
#: the spot account (that purchase is the taxable event; the credit is not a digital asset we
#: track, so fees paid in points are not deducted: conservative). ``bonus_*``: trial-fund
#: vouchers credited to, or used from, a separate bonus balance that the user cannot withdraw.
FUTURES_NO_EFFECT = frozenset({"point dnw", "point fee", "point refr", "bonus dnw", "bonus offset"})
FUTURES_KNOWN = (
    FUTURES_TRANSFER
    | FUTURES_PNL
    | FUTURES_LIQUIDATION
    | FUTURES_FEE
    | FUTURES_FUNDING
    | FUTURES_REFERRAL
    | FUTURES_NO_EFFECT
)
FUTURES_TYPES_AS_WRITTEN = (
    "dnw, pnl, fee, refr, fund, point_dnw, point_fee, point_refr, bonus_dnw, bonus_offset "
    "(or Transfer, PNL, Trading Fee, Funding Fee, Referral Fee)"
)

_CONTRACT = re.compile(r"^(?P<base>[A-Z0-9]+)_(?P<quote>[A-Z]+)(?:_(?P<date>\d{6,8}))?$")
_LINEAR = ("USDT", "USDC")


@dataclass(frozen=True)
class Contract:
    """A Gate contract as taxloss names it, with its settlement coin and wallet."""

    symbol: str
    asset: str
    settle: str
    wallet: str


def gate_contract(symbol: str) -> Contract | None:
    """``BTC_USDT`` -> ``BTC_USDT-PERP`` settled in USDT (gate-futures); ``BTC_USD`` ->
    ``BTC_USD-PERP`` settled in BTC (gate-coinm); ``BTC_USDT_20250328`` keeps its dated name."""
    match = _CONTRACT.match(symbol.upper())
    if match is None:
        return None
    base, quote, dated = match["base"], match["quote"], match["date"]
    if quote in _LINEAR:
        settle, wallet = quote, "gate-futures"
    elif quote == "USD":
        settle, wallet = base, "gate-coinm"
    else:
        return None
    name = symbol.upper() if dated else f"{symbol.upper()}-PERP"
    return Contract(symbol.upper(), name, settle, wallet)


def _wallet_for(settle: str) -> str:
    return "gate-futures" if settle in _LINEAR else "gate-coinm"


@register("gate-futures")
class GateFuturesAccountBook:
    """Gate.io futures account book (header not verified; see the module docstring).

    ``pnl`` rows are REALIZED_PNL of the contract (quote = signed change in the settlement
    coin); a ``pnl`` row whose text mentions liquidation (contains ``liq``) is a LIQUIDATION:
    the account book has no liquidation label of its own, so this is a guess to confirm on a
    real export. ``fee`` rows are COMMISSION, ``fund`` rows FUNDING (both signed, negative =
    paid). ``dnw`` (a transfer between the spot and futures accounts) is a DEPOSIT into (or
    WITHDRAWAL from) the futures wallet; the spot side appears in the spot account book, if
    given. ``refr`` (referral rebate) is INCOME. Point-card and bonus rows are dropped (see
    FUTURES_NO_EFFECT).

    The contract comes from the ``contract`` column, else from ``text``
    (``BTC_USDT:141231591425`` = contract and order id; funding text is just the contract).
    Transfers carry no contract: their coin is the ``currency`` column if there is one, else the
    settlement coin of the file's contracts (one coin per Gate account book), else USDT. The
    export has no position ids, so the engine groups each contract's flows per day; size and
    side are not in the file (quantity 0).
    """

    title = "Gate.io futures account book"
    layouts = (("time", "contract", "type", "change", "balance", "text"),)
    download = "Gate.io: Futures > Orders > Account book (bills) > Export, CSV."

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim time/type/change/balance plus text or contract, and nothing of other books."""
        cells = set(header)
        if cells & {"action_desc", "refid", "txid", "asset"}:
            return False
        return (
            has_column(header, FUTURES_TIME)
            and has_column(header, FUTURES_TYPE)
            and has_column(header, FUTURES_CHANGE)
            and has_column(header, FUTURES_BALANCE)
            and (has_column(header, FUTURES_TEXT) or has_column(header, FUTURES_CONTRACT))
        )

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Read every row; raise all problems at once."""
        columns = Columns(table)
        problems: list[Problem] = []
        found = columns.require(
            {"time": FUTURES_TIME, "type": FUTURES_TYPE, "change": FUTURES_CHANGE}, problems
        )
        if problems:
            raise InputError(problems)
        rows = Rows(table)
        require_rows(table, "account book rows")
        time_col, type_col, change_col = found["time"], found["type"], found["change"]
        text_col = columns.find(FUTURES_TEXT)
        contract_col = columns.find(FUTURES_CONTRACT)
        currency_col = columns.find(FUTURES_CURRENCY)
        zone = file_zone(columns, time_col, options)

        def contract_of(row: Row) -> tuple[Contract | None, str]:
            """The row's contract (None if it names none) and the rest of its text (for a
            ``BTC_USDT:141231591425`` text: the order id)."""
            named = row.text(contract_col)
            text = row.text(text_col)
            head, _, rest = text.partition(":")
            head = head.strip()
            if gate_contract(head) is not None and (not named or head.upper() == named.upper()):
                return gate_contract(named or head), rest.strip()
            return (gate_contract(named) if named else None), text

        settles = set()
        for row in rows:
            found_contract, _ = contract_of(row)
            if found_contract is not None:
                settles.add(found_contract.settle)
        file_settle = next(iter(settles)) if len(settles) == 1 else "USDT"

        trades: list[Trade] = []
        for row in rows:
            timestamp = row.time(time_col, zone)
            type_text = row.text(type_col)
            kind_word = words(type_text.replace("_", " "))
            change = row.number(change_col, required=True)
            if kind_word not in FUTURES_KNOWN:
                row.bad(
                    type_col,
                    f"unknown type {type_text!r}: expected one of {FUTURES_TYPES_AS_WRITTEN}",
                )
                continue
            if kind_word in FUTURES_NO_EFFECT:
                continue
            contract, reference = contract_of(row)
            named = row.text(contract_col) or row.text(text_col)
            if contract is None and kind_word not in FUTURES_TRANSFER | FUTURES_REFERRAL:
                row.bad(
                    contract_col or text_col,
                    f"expected a contract like BTC_USDT or BTC_USD, found {named!r}",
                )
            if row.problems:
                continue
            assert timestamp is not None and change is not None
            source = row.source
            if kind_word in FUTURES_TRANSFER | FUTURES_REFERRAL:
                coin = row.text(currency_col).upper()
                if not coin:
                    coin = contract.settle if contract is not None else file_settle
                is_transfer = kind_word in FUTURES_TRANSFER
                if change == 0 or (not is_transfer and change < 0):
                    row.bad(
                        change_col,
                        f"expected a {'non-zero' if is_transfer else 'positive'} change, "
                        f"found {plain(change)}",
                    )
                    continue
                if is_transfer:
                    kind = TradeKind.DEPOSIT if change > 0 else TradeKind.WITHDRAWAL
                    note = "transfer between the spot and futures accounts"
                else:
                    kind, note = TradeKind.INCOME, "futures referral rebate"
                trades.append(
                    Trade(timestamp=timestamp, kind=kind, asset=coin, quantity=abs(change),
                          wallet=_wallet_for(coin), source=source, note=note)
                )  # fmt: skip
                continue
            assert contract is not None
            if kind_word in FUTURES_FEE:
                kind = TradeKind.COMMISSION
            elif kind_word in FUTURES_FUNDING:
                kind = TradeKind.FUNDING
            elif kind_word in FUTURES_LIQUIDATION or "liq" in reference.lower():
                kind = TradeKind.LIQUIDATION
            else:
                kind = TradeKind.REALIZED_PNL
            note = f"order {reference}" if reference else ""
            if kind is TradeKind.LIQUIDATION:
                note = f"liquidation (from the text {row.text(text_col)!r})"
            trades.append(
                Trade(timestamp=timestamp, kind=kind, asset=contract.asset, quantity=ZERO,
                      wallet=contract.wallet, source=source, quote_asset=contract.settle,
                      quote_quantity=change, note=note)
            )  # fmt: skip
        rows.finish()
        yield from trades
