"""Coinbase exports: the transaction history report and Coinbase Advanced (ex-Pro) fills.

``coinbase`` reads the transaction history report (Statements > Transactions > Generate, CSV) in
every layout Coinbase has shipped, found by its header row below the preamble:

* current (2024+): ``ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,
  Price at Transaction,Subtotal,Total (inclusive of fees and/or spread),Fees and/or Spread,
  Notes`` below three lines (empty, ``Transactions``, ``User,<name>,<uuid>``); money cells carry
  ``$``/``€`` and thousands separators, outgoing rows have negative quantities and amounts;
  later exports append ``Sender Address,Recipient Address`` (extra columns are ignored);
* 2022-2023: no ``ID``, ``Spot Price Currency``/``Spot Price at Transaction``;
* 2021: as 2022-2023 with ``Total (inclusive of fees)`` and ``Fees``;
* oldest: the currency in the column names (``USD Spot Price at Transaction``, ``USD Subtotal``,
  ``USD Total (inclusive of fees)``, ``USD Fees``).

Older layouts sit below a quoted disclaimer line and ``Transactions``/``User`` lines. Times are
UTC: they end in `` UTC`` or ``Z``, and a time without a zone is read as UTC, the zone Coinbase
states for the report. Signs are ignored: the transaction type gives the direction.

What each Transaction Type becomes (wallet ``coinbase``, id ``coinbase:<ID>`` when the layout
has an ID column, note = the type and the row's Notes):

* ``Buy``/``Sell``, ``Advanced Trade Buy``/``Sell`` (also spelt ``Advance Trade``): BUY/SELL.
  Against the price currency (fiat): quote = Price Currency, quote_quantity = Subtotal, fee =
  the rest of the cash that moved (Total - Subtotal for a buy, Subtotal - Total for a sell),
  which is ``Fees and/or Spread`` whenever the row adds up; Coinbase rows that do not add up
  (an unitemised spread) are booked at the cash actually paid or received (Total). Against
  another asset, named in Notes (``Bought 0.25 ETH for 0.0128 BTC on ETH-BTC at 0.0512
  BTC/ETH``, ``Sold 0.4 ETH for 1,210.50 USDC on ETH-USDC at ...``): quote = that asset,
  quote_quantity = quantity x rate (gross), fee = the difference to the amount in Notes (paid
  includes the fee, received excludes it), fiat_value = Subtotal in the price currency
  (a government currency). Notes that do not name the other asset (``Bought ETH``) mean the
  price currency.
* ``Convert``: SELL of the Asset with quote = the asset and amount received from Notes
  (``Converted 0.00363125 BTC to 156.145683 XRP``), fiat_value = Subtotal or Total, whichever
  is net of Coinbase's spread (the smaller: the value of what was received). The spread is in
  the rate, not a separate payment, so it is not a fee (a fee on top would count it twice); it
  is named in the note. A Convert whose two sides are one asset (ETH to ETH2) is dropped.
* ``Staking Income``, ``Rewards Income``, ``Reward Income``, ``Inflation Reward``, ``Learning
  Reward``, ``Coinbase Earn``, ``Subscription Rebate(s)``: INCOME, fiat_value = Subtotal (else
  Total, else quantity x price). A ``Receive`` whose Notes say it came from Coinbase Earn,
  Coinbase Rewards or a Coinbase referral is INCOME too.
* ``Send``/``Receive`` (and ``Withdrawal``/``Deposit`` of a crypto asset): WITHDRAWAL/DEPOSIT,
  fiat_value = quantity x price, so the engine can value a network fee.
* ``Admin Debit`` (Coinbase taking back units, e.g. a reversed credit) and ``Donation`` (a gift
  to charity, not a sale): WITHDRAWAL, units leave with no proceeds.

Dropped, with no tax effect (``DROPPED`` below): ``Deposit``/``Withdrawal`` of a fiat currency
(fiat is not tracked); ``Pro Deposit``/``Pro Withdrawal``/``Exchange Deposit``/``Exchange
Withdrawal`` and ``Vault Withdrawal`` (units move inside Coinbase's custody, same wallet);
``Retail Staking Transfer``/``Retail Unstaking Transfer`` (staked units stay in the same
wallet); ``Retail Eth2 Deprecation``: ETH2 was Coinbase's name for staked ETH, redeemable 1:1,
so taxloss reads the asset ETH2 as ETH everywhere and the deprecation's two rows (ETH2 out, ETH
in) cancel; they must balance within the file, else it is an error.

Any other type is an error. A report kept in another government currency (``Price Currency``
EUR, or column names like ``CZK Spot Price at Transaction``, ``GBP Subtotal``) keeps its values
in that currency (issue #13): a trade's quote is EUR/GBP/CZK, and every fiat_value above is the
row's own amount with ``fiat_currency`` set to it; the engine converts them at the day's ECB
rate (recorded as assumptions). Nothing is converted here. A Buy/Sell of a government currency
for a government currency (``Bought 10 EUR for 10 EUR``) is dropped with a
``fiat_for_fiat_dropped`` notice. A price currency that is not an ISO 4217 code is a question
naming the row. Importing this report together with the Advanced fills of the same period
counts those trades twice (Coinbase lists them in both).

``coinbase-advanced`` reads Coinbase Advanced / Pro fills (``portfolio,trade id,product,side,
created at,size,size unit,price,fee,total,price/fee/total unit``, also without ``portfolio``):
one BUY/SELL per fill of ``size`` base units, quote = the product's quote asset,
quote_quantity = |total| - fee for a buy and total + fee for a sell (the gross), fee = ``fee``
in the quote asset, id ``coinbase:<product>:<trade id>`` (Pro trade ids count per product).
Times are ISO with ``Z``.

Not supported: the Advanced account statement (``portfolio,type,time,amount,...``), the old
per-wallet ``Timestamp,Balance,Amount,Currency,...`` report. pandas and logging are allowed here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from typing import Any

from taxloss.currencies import FIAT as CURRENCIES
from taxloss.currencies import looks_like_currency
from taxloss.errors import InputError, Problem
from taxloss.model import Notice, Trade, TradeKind
from taxloss.parsers import ParseOptions, notes, register
from taxloss.parsers.numbers import BadValue, loose_number, parse_timestamp
from taxloss.parsers.rows import Row, Rows, require_rows
from taxloss.parsers.table import Table

WALLET = "coinbase"
#: The only currency whose amounts become ``fiat_value`` (the US rule's fiat).
USD = "USD"

#: Government currencies (every ISO 4217 code, taxloss.currencies): their deposits and
#: withdrawals are dropped, and a trade of one for another is dropped with a notice.
FIAT = CURRENCIES

#: Coinbase tickers that name the same asset as another ticker.
ALIASES = {"ETH2": "ETH"}

BUY_TYPES = frozenset({"buy", "advanced trade buy", "advance trade buy"})
SELL_TYPES = frozenset({"sell", "advanced trade sell", "advance trade sell"})
INCOME_TYPES = frozenset(
    {
        "staking income",
        "rewards income",
        "reward income",
        "inflation reward",
        "learning reward",
        "coinbase earn",
        "subscription rebate",
        "subscription rebates (24 hours)",
    }
)
#: Known types with no tax effect, and why they are dropped.
DROPPED = {
    "pro deposit": "units moved to Coinbase Pro: same custody, same wallet",
    "pro withdrawal": "units moved from Coinbase Pro: same custody, same wallet",
    "exchange deposit": "units moved to Coinbase Exchange (Pro): same custody, same wallet",
    "exchange withdrawal": "units moved from Coinbase Exchange (Pro): same custody, same wallet",
    "vault withdrawal": "units moved out of a Coinbase vault: same custody, same wallet",
    "retail staking transfer": "units moved into staking: same wallet",
    "retail unstaking transfer": "units moved out of staking: same wallet",
}
ETH2_DEPRECATION = "retail eth2 deprecation"
OUT_TYPES = frozenset({"send", "withdrawal", "admin debit", "donation"})
KNOWN_TYPES = (
    BUY_TYPES
    | SELL_TYPES
    | INCOME_TYPES
    | OUT_TYPES
    | frozenset({"convert", "receive", "deposit", ETH2_DEPRECATION, *DROPPED})
)
#: Transaction Type values as Coinbase spells them (for messages).
DOCUMENTED = (
    "Buy, Sell, Advanced Trade Buy, Advanced Trade Sell, Convert, Send, Receive, Deposit, "
    "Withdrawal, Staking Income, Rewards Income, Reward Income, Inflation Reward, Learning "
    "Reward, Coinbase Earn, Subscription Rebate, Pro Deposit, Pro Withdrawal, Exchange Deposit, "
    "Exchange Withdrawal, Vault Withdrawal, Admin Debit, Donation, Retail Staking Transfer, "
    "Retail Unstaking Transfer, Retail Eth2 Deprecation"
)

_NUMBER = r"[0-9][0-9,]*(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+"
_ASSET = r"[A-Za-z0-9]+"
CONVERTED = re.compile(
    rf"^\s*Converted\s+(?P<given>{_NUMBER})\s+(?P<given_asset>{_ASSET})\s+to\s+"
    rf"(?P<received>{_NUMBER})\s+(?P<received_asset>{_ASSET})\b"
)
TRADED = re.compile(
    rf"^\s*(?P<verb>Bought|Sold)\s+(?P<base_quantity>{_NUMBER})\s+(?P<base>{_ASSET})\s+for\s+"
    rf"[$€£]?\s?(?P<amount>{_NUMBER})\s+(?P<quote>{_ASSET})\b"
    rf"(?:\s+on\s+(?P<product>{_ASSET}-{_ASSET})\s+at\s+[$€£]?\s?(?P<rate>{_NUMBER})"
    rf"\s+(?P<rate_unit>{_ASSET}/{_ASSET}))?"
)
REWARD_RECEIVE = re.compile(r"coinbase (earn|rewards?|referral)", re.IGNORECASE)
DEPRECATION_OUT = re.compile(r"^\s*sent\b", re.IGNORECASE)
DEPRECATION_IN = re.compile(r"^\s*received\b", re.IGNORECASE)
HEADER_CURRENCY = re.compile(r"^([a-z]{3}) spot price at transaction$")
_CODE_PREFIX = re.compile(r"^([-+]?)\s*[A-Za-z]{1,3}(?=[$€£¥₩])")
#: A currency code before or after the amount (``CZK 1,234.50``, ``-1,234.50 CZK``).
_ISO_AFFIX = re.compile(r"^([-+]?)\s*[A-Z]{3}\s*(?=[-+0-9.])|\s+[A-Z]{3}$")

REPORT_CORE = ("timestamp", "transaction type", "asset", "quantity transacted")
REPORT_LAYOUTS = (
    (
        "id",
        *REPORT_CORE,
        "price currency",
        "price at transaction",
        "subtotal",
        "total (inclusive of fees and/or spread)",
        "fees and/or spread",
        "notes",
    ),
    (
        *REPORT_CORE,
        "spot price currency",
        "spot price at transaction",
        "subtotal",
        "total (inclusive of fees and/or spread)",
        "fees and/or spread",
        "notes",
    ),
    (
        *REPORT_CORE,
        "spot price currency",
        "spot price at transaction",
        "subtotal",
        "total (inclusive of fees)",
        "fees",
        "notes",
    ),
    (
        *REPORT_CORE,
        "usd spot price at transaction",
        "usd subtotal",
        "usd total (inclusive of fees)",
        "usd fees",
        "notes",
    ),
)


def _canonical(asset: str) -> str:
    asset = asset.strip().upper()
    return ALIASES.get(asset, asset)


def _money(text: str) -> Decimal:
    """A money cell: ``$1,765.00``, ``-€597.49846``, ``CA$4.00``, ``CZK 1,234.50``,
    ``0.16155124725``."""
    cleaned = _CODE_PREFIX.sub(r"\1", text.strip())
    return loose_number(_ISO_AFFIX.sub(r"\1", cleaned))


@dataclass(frozen=True)
class _ReportColumns:
    """Where each field of the transaction history report is, for the layout at hand."""

    timestamp: str
    type: str
    asset: str
    quantity: str
    notes: str
    price: str
    currency: str | None  # a column, or None when the currency is in the header names
    header_currency: str
    subtotal: str | None
    total: str | None
    fees: str | None
    id: str | None


def _report_columns(table: Table) -> _ReportColumns:
    header = set(table.header)
    header_line = table.header_source()

    def first(*names: str) -> str | None:
        return next((n for n in names if n in header), None)

    problems: list[Problem] = []
    ccy = ""
    for name in table.header:
        found = HEADER_CURRENCY.match(name)
        if found:
            ccy = found.group(1)
            break
    price = first("price at transaction", "spot price at transaction")
    currency = first("price currency", "spot price currency")
    if ccy and price is None:
        price = f"{ccy} spot price at transaction"
    if price is None:
        problems.append(
            Problem(
                header_line,
                "missing column: expected Price at Transaction, Spot Price at Transaction or "
                "'USD Spot Price at Transaction' (the currency in the name)",
                column="Price at Transaction",
            )
        )
    elif currency is None and not ccy:
        problems.append(
            Problem(
                header_line,
                "missing column: expected Price Currency or Spot Price Currency",
                column="Price Currency",
            )
        )
    prefixes = ("", f"{ccy} ") if ccy else ("",)
    subtotal = first(*(p + "subtotal" for p in prefixes))
    total = first(
        *(
            p + name
            for p in prefixes
            for name in (
                "total (inclusive of fees and/or spread)",
                "total (inclusive of fees)",
                "amount transacted (inclusive of coinbase fees)",
            )
        )
    )
    fees = first(*(p + name for p in prefixes for name in ("fees and/or spread", "fees")))
    if subtotal is None and total is None:
        problems.append(
            Problem(
                header_line,
                "missing column: expected Subtotal and Total (inclusive of fees and/or spread)",
                column="Subtotal",
            )
        )
    if "notes" not in header:
        problems.append(
            Problem(
                header_line,
                "missing column: expected Notes (it names the other asset of Convert and "
                "Advanced Trade rows)",
                column="Notes",
            )
        )
    if problems:
        raise InputError(problems)
    assert price is not None
    return _ReportColumns(
        timestamp="timestamp",
        type="transaction type",
        asset="asset",
        quantity="quantity transacted",
        notes="notes",
        price=price,
        currency=currency,
        header_currency=ccy.upper(),
        subtotal=subtotal,
        total=total,
        fees=fees,
        id="id" if "id" in header else None,
    )


@dataclass(frozen=True)
class _Amounts:
    """The numbers of one report row, made positive (the type gives the direction)."""

    quantity: Decimal
    currency: str
    price: Decimal | None
    subtotal: Decimal | None
    total: Decimal | None
    fees: Decimal | None

    @property
    def value_currency(self) -> str:
        """``Trade.fiat_currency`` of this row's values: empty for USD, else the report's
        government currency (the engine converts it at the day's rate)."""
        return "" if self.currency == USD else self.currency

    def usd_value(self, *candidates: Decimal | None) -> Decimal | None:
        """The first candidate amount, or quantity x price, when the row is priced in a
        government currency (USD, or the account's EUR, GBP, CZK ...: ``value_currency``)."""
        if self.currency != USD and self.currency not in FIAT:
            return None
        for candidate in candidates:
            if candidate is not None:
                return candidate
        if self.price is not None:
            return self.quantity * self.price
        return None


def _positive(value: Decimal | None) -> Decimal | None:
    return None if value is None else abs(value)


def _fee(value: Decimal | None) -> Decimal | None:
    return value if value else None


@register("coinbase")
class CoinbaseReport:
    """Coinbase transaction history report (every layout since the oldest USD-column one)."""

    title = "Coinbase transaction history report"
    layouts = REPORT_LAYOUTS
    download = (
        "Coinbase: profile > Statements > Transactions: all assets, all transactions, "
        "custom date range > Generate report (CSV)."
    )

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim a header with Timestamp, Transaction Type, Asset and Quantity Transacted."""
        return set(REPORT_CORE) <= set(header)

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Read every row; raise all row errors at once."""
        # The wallet is always "coinbase"; times are UTC by Coinbase's statement.
        columns = _report_columns(table)
        require_rows(table, "transactions")
        rows = Rows(table)
        trades: list[Trade] = []
        deprecation: list[tuple[Row, Decimal]] = []
        _note_naive_times(table, options, columns.timestamp)
        for row in rows:
            made = _report_row(row, columns, deprecation, options.warnings)
            if made is not None and not row.problems:
                trades.append(made)
        rows.problems.extend(_check_deprecation(deprecation, columns))
        rows.finish()
        yield from trades


def _note_naive_times(table: Table, options: ParseOptions, column: str) -> None:
    """Record UTC as assumed when the file's times carry no zone (issue #13, item 5).

    Coinbase writes `` UTC`` or ``Z`` after each time; a file re-saved by a spreadsheet may
    have lost it. The first row tells (a file's times share one form); an unreadable time is
    reported by the row itself."""
    first = next(iter(Rows(table)), None)
    if first is None:
        return
    try:
        parse_timestamp(first.text(column), None)
    except BadValue as exc:
        if "no time zone" in str(exc):
            notes.file_zone(table, options, None, UTC, "Coinbase's reports are in UTC", column,
                            documented=True)  # fmt: skip


def _report_row(
    row: Row,
    c: _ReportColumns,
    deprecation: list[tuple[Row, Decimal]],
    notices: list[Notice],
) -> Trade | None:
    """One report row as a Trade, None when dropped or bad (problems are left on ``row``)."""
    timestamp = row.time(c.timestamp, UTC)
    type_text = " ".join(row.text(c.type).split())
    kind = type_text.lower()
    asset = _canonical(row.text(c.asset))
    if not asset:
        row.bad(c.asset, "expected an asset symbol such as BTC, found an empty cell")
    quantity_text = row.text(c.quantity)
    quantity = row.number(c.quantity, required=True)
    currency = row.text(c.currency).upper() or c.header_currency
    price = _positive(row.number(c.price, parse=_money))
    subtotal = _positive(row.number(c.subtotal, parse=_money))
    total = _positive(row.number(c.total, parse=_money))
    fees = _positive(row.number(c.fees, parse=_money))
    notes = row.text(c.notes)
    if kind not in KNOWN_TYPES:
        row.bad(c.type, f"unknown transaction type {type_text!r}: expected one of {DOCUMENTED}")
    if row.problems or timestamp is None or quantity is None:
        return None
    if kind == ETH2_DEPRECATION:
        deprecation.append((row, _deprecation_delta(row, c, asset, quantity, notes)))
        return None
    if kind in DROPPED:
        return None
    if kind in ("deposit", "withdrawal") and asset in FIAT:
        return None  # fiat moving in or out of Coinbase: fiat is not tracked
    if (kind in BUY_TYPES or kind in SELL_TYPES) and asset in FIAT:
        found = TRADED.match(notes)
        other = _canonical(found.group("quote")) if found else currency
        if other in FIAT:
            notices.append(
                Notice(
                    "fiat_for_fiat_dropped",
                    f"{type_text} of {quantity_text.lstrip('-')} {asset} against {other} "
                    f"({notes or 'no notes'}): a government currency for a government "
                    "currency is not a digital-asset trade; the row was dropped (no tax effect)",
                    row.source,
                )
            )
            return None
    if currency and looks_like_currency(currency):
        row.bad(
            c.currency or c.price,
            f"{currency!r} is not an ISO 4217 currency code: a Coinbase report states its "
            "values in the account's government currency (USD, EUR, GBP, CZK ...); check "
            "the export, or answer this row in an --overrides file: "
            f"'{row.source},skip,NOTE' (or value AMOUNT)",
        )
        return None
    if quantity == 0:
        row.bad(c.quantity, f"expected a non-zero quantity, found {quantity_text!r}")
        return None
    amounts = _Amounts(abs(quantity), currency, price, subtotal, total, fees)
    note = f"{type_text}: {notes}" if notes else type_text
    identifier = row.text(c.id)
    base: dict[str, Any] = {
        "timestamp": timestamp,
        "asset": asset,
        "quantity": amounts.quantity,
        "wallet": WALLET,
        "source": row.source,
        "external_id": f"coinbase:{identifier}" if identifier else "",
        "note": note,
    }
    if kind in BUY_TYPES or kind in SELL_TYPES:
        return _trade(row, c, base, kind in BUY_TYPES, amounts, notes)
    if kind == "convert":
        return _convert(row, c, base, amounts, notes)
    if kind in INCOME_TYPES or (kind == "receive" and REWARD_RECEIVE.search(notes)):
        value = amounts.usd_value(subtotal, total)
        return Trade(kind=TradeKind.INCOME, fiat_value=value, **_currency(amounts, value), **base)
    if kind in OUT_TYPES:
        value = amounts.usd_value()
        return Trade(
            kind=TradeKind.WITHDRAWAL, fiat_value=value, **_currency(amounts, value), **base
        )
    # receive, or a deposit of a crypto asset
    value = amounts.usd_value()
    return Trade(kind=TradeKind.DEPOSIT, fiat_value=value, **_currency(amounts, value), **base)


def _currency(a: _Amounts, value: Decimal | None) -> dict[str, str]:
    """The ``fiat_currency`` argument for a row valued at ``value`` (none when unvalued)."""
    return {"fiat_currency": a.value_currency} if value is not None else {}


def _trade(
    row: Row, c: _ReportColumns, base: dict[str, Any], buy: bool, a: _Amounts, notes: str
) -> Trade | None:
    """A Buy/Sell or Advanced Trade row: against the price currency or the asset in Notes."""
    kind = TradeKind.BUY if buy else TradeKind.SELL
    found = TRADED.match(notes)
    other = _canonical(found.group("quote")) if found else ""
    if found and other != a.currency:
        if _canonical(found.group("base")) != base["asset"]:
            row.bad(
                c.notes,
                f"Notes trade {found.group('base')} but the row's Asset is {base['asset']}: "
                "expected the same asset",
            )
            return None
        amount = loose_number(found.group("amount"))
        quote_quantity, fee = amount, None
        if found.group("rate"):
            gross = a.quantity * loose_number(found.group("rate"))
            # The amount in Notes is what was paid (fee included) or received (fee deducted).
            if (buy and gross <= amount) or (not buy and gross >= amount):
                quote_quantity, fee = gross, _fee(abs(amount - gross))
            value = a.usd_value(a.subtotal, a.total)
        else:
            value = a.usd_value(a.total, a.subtotal)
        return Trade(
            kind=kind,
            quote_asset=other,
            quote_quantity=quote_quantity,
            fee_asset=other if fee else "",
            fee_quantity=fee,
            fiat_value=value,
            **_currency(a, value),
            **base,
        )
    if not a.currency:
        row.bad(c.currency, "expected the currency the row is priced in, found an empty cell")
        return None
    cash, cash_fee = _cash_legs(buy, a)
    if cash is None or cash == 0:
        row.bad(
            c.subtotal or c.total,
            f"a {row.text(c.type)} needs the amount paid or received: expected Subtotal or Total",
        )
        return None
    return Trade(
        kind=kind,
        quote_asset=a.currency,
        quote_quantity=cash,
        fee_asset=a.currency if cash_fee else "",
        fee_quantity=cash_fee,
        **base,
    )


def _cash_legs(buy: bool, a: _Amounts) -> tuple[Decimal | None, Decimal | None]:
    """(quote_quantity, fee) of a trade against cash: the fee is whatever moved beyond the
    Subtotal, so the cash paid (buy) or received (sell) is always the row's Total."""
    fees = a.fees or Decimal(0)
    if a.total is None:
        return a.subtotal, _fee(fees)
    if a.subtotal is None:
        return a.total, None
    if buy and a.subtotal <= a.total:
        return a.subtotal, _fee(a.total - a.subtotal)
    if not buy and a.subtotal >= a.total:
        return a.subtotal, _fee(a.subtotal - a.total)
    return a.total, None


def _convert(
    row: Row, c: _ReportColumns, base: dict[str, Any], a: _Amounts, notes: str
) -> Trade | None:
    """A Convert row: a SELL of the Asset for the asset named in Notes."""
    found = CONVERTED.match(notes)
    if not found:
        row.bad(
            c.notes,
            "expected Notes like 'Converted 0.00363125 BTC to 156.145683 XRP' (the asset "
            f"received), found {notes!r}",
        )
        return None
    if _canonical(found.group("given_asset")) != base["asset"]:
        row.bad(
            c.notes,
            f"Notes convert {found.group('given_asset')} but the row's Asset is "
            f"{base['asset']}: expected the same asset",
        )
        return None
    received = _canonical(found.group("received_asset"))
    if received == base["asset"]:
        return None  # e.g. ETH to ETH2: one asset under two Coinbase names, nothing changes
    received_quantity = loose_number(found.group("received"))
    if received_quantity == 0:
        row.bad(c.notes, f"expected a non-zero amount received, found {notes!r}")
        return None
    # The value of what was received: the smaller of Subtotal and Total (net of the spread).
    net = min((v for v in (a.subtotal, a.total) if v is not None), default=None)
    note = base["note"]
    if a.subtotal is not None and a.total is not None and a.subtotal != a.total:
        spread = abs(a.subtotal - a.total)
        note += f" (spread {spread} {a.currency} is in the rate)"
    elif a.fees:
        note += f" (spread {a.fees} {a.currency} is in the rate)"
    return Trade(
        kind=TradeKind.SELL,
        quote_asset=received,
        quote_quantity=received_quantity,
        fiat_value=a.usd_value(net),
        **_currency(a, a.usd_value(net)),
        **{**base, "note": note},
    )


def _deprecation_delta(
    row: Row, c: _ReportColumns, asset: str, quantity: Decimal, notes: str
) -> Decimal:
    """Signed ETH units of one Retail Eth2 Deprecation row (out negative)."""
    if asset != "ETH":
        row.bad(c.asset, f"expected ETH2 or ETH on a Retail Eth2 Deprecation row, found {asset}")
        return Decimal(0)
    if DEPRECATION_OUT.match(notes):
        return -abs(quantity)
    if DEPRECATION_IN.match(notes):
        return abs(quantity)
    return quantity


def _check_deprecation(legs: list[tuple[Row, Decimal]], c: _ReportColumns) -> list[Problem]:
    """The ETH2 deprecation's rows must cancel: ETH2 out equals ETH in (1:1)."""
    if not legs or any(row.problems for row, _ in legs):
        return []  # bad rows are reported on their own
    out = -sum((d for _, d in legs if d < 0), Decimal(0))
    into = sum((d for _, d in legs if d > 0), Decimal(0))
    if out == into:
        return []
    first = legs[0][0]
    return [
        Problem(
            first.source,
            f"Retail Eth2 Deprecation rows must balance (ETH2 is read as ETH): found {out} "
            f"ETH2 out and {into} ETH in; export a period that holds both rows",
            column=first.rows.name(c.quantity),
        )
    ]


# -- Coinbase Advanced / Pro fills --------------------------------------------------------------

FILLS_CORE = ("trade id", "product", "side", "created at", "size", "price/fee/total unit")
FILLS_LAYOUT = (
    "portfolio",
    "trade id",
    "product",
    "side",
    "created at",
    "size",
    "size unit",
    "price",
    "fee",
    "total",
    "price/fee/total unit",
)
PRODUCT = re.compile(r"^([A-Z0-9]+)-([A-Z0-9]+)$")


@register("coinbase-advanced")
class CoinbaseAdvancedFills:
    """Coinbase Advanced (ex-Pro) fills report."""

    title = "Coinbase Advanced / Pro fills"
    layouts = (FILLS_LAYOUT, FILLS_LAYOUT[1:])
    download = (
        "Coinbase Advanced: profile > Statements > Advanced Trade / Pro: Fills, all products, "
        "date range > Generate (CSV)."
    )

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim a header with trade id, product, side, created at, size and the unit column."""
        return set(FILLS_CORE) <= set(header)

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """One BUY/SELL per fill; raise all row errors at once."""
        # The wallet is always "coinbase"; times carry their zone (Z), else UTC is recorded.
        _note_naive_times(table, options, "created at")
        missing = [n for n in FILLS_LAYOUT[1:] if n not in table.header]
        if missing:
            raise InputError(
                [
                    Problem(
                        table.header_source(),
                        "missing column: expected every column of the fills report "
                        f"({', '.join(FILLS_LAYOUT[1:])})",
                        column=name,
                    )
                    for name in missing
                ]
            )
        require_rows(table, "fills")
        rows = Rows(table)
        trades = [trade for row in rows if (trade := _fill(row)) is not None]
        rows.finish()
        yield from trades


def _fill(row: Row) -> Trade | None:
    """One fill as a Trade, None when bad (problems are left on ``row``)."""
    timestamp = row.time("created at", UTC)
    product = row.text("product").upper()
    pair = PRODUCT.match(product)
    if not pair:
        row.bad("product", f"expected a product like BTC-USD, found {product!r}")
    side = row.text("side").upper()
    if side not in ("BUY", "SELL"):
        row.bad("side", f"expected BUY or SELL, found {row.text('side')!r}")
    trade_id = row.text("trade id")
    if not trade_id:
        row.bad("trade id", "expected the fill's trade id, found an empty cell")
    size, price, fee, total = (
        row.number(n, required=True) for n in ("size", "price", "fee", "total")
    )
    if size is not None and size <= 0:
        row.bad("size", f"expected a positive size, found {row.text('size')!r}")
    if price is not None and price <= 0:
        row.bad("price", f"expected a positive price, found {row.text('price')!r}")
    if fee is not None and fee < 0:
        row.bad("fee", f"expected a fee of zero or more, found {row.text('fee')!r}")
    if pair:
        base, quote = _canonical(pair.group(1)), _canonical(pair.group(2))
        size_unit = _canonical(row.text("size unit"))
        if size_unit != base:
            row.bad(
                "size unit",
                f"expected the product's base asset {base}, found {row.text('size unit')!r}",
            )
        unit = _canonical(row.text("price/fee/total unit"))
        if unit != quote:
            row.bad(
                "price/fee/total unit",
                f"expected the product's quote asset {quote}, "
                f"found {row.text('price/fee/total unit')!r}",
            )
    if row.problems:
        return None
    assert timestamp is not None and pair is not None
    assert size is not None and fee is not None and total is not None
    buy = side == "BUY"
    # total is the signed cash flow net of the fee: -(gross + fee) on a buy, gross - fee on a sell
    gross = abs(total) - fee if buy else abs(total) + fee
    if gross <= 0:
        row.bad("total", f"expected the fill's cash flow, found {row.text('total')!r}")
        return None
    return Trade(
        timestamp=timestamp,
        kind=TradeKind.BUY if buy else TradeKind.SELL,
        asset=base,
        quantity=size,
        wallet=WALLET,
        source=row.source,
        quote_asset=quote,
        quote_quantity=gross,
        fee_asset=quote if fee else "",
        fee_quantity=_fee(fee),
        external_id=f"coinbase:{product}:{trade_id}",
    )
