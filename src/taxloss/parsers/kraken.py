"""Kraken exports: ``ledgers.csv`` (the complete account history) and ``trades.csv`` (fills).

Both files come from Kraken: Documents > Export (or History > Export), one file per report type.
Times are ``YYYY-MM-DD HH:MM:SS`` (older files add fractional seconds) in UTC, which is the zone
Kraken documents for its exports; ``--timezone`` does not change them. Every row becomes a
``Trade`` in the wallet ``kraken``: spot, staking ("earn / bonded", ``.S`` assets), opt-in
rewards (``.M``), Kraken's cash balances (``.HOLD``) and margin collateral are all one account
here, so moves between them have no tax effect and are dropped.

Asset codes: the legacy X/Z codes are mapped by an explicit table (``XXBT``/``XBT`` -> BTC,
``XETH`` -> ETH, ``ZUSD`` -> USD, ``ZEUR`` -> EUR, ``XXDG``/``XDG`` -> DOGE, ``XXRP`` -> XRP,
``XLTC`` -> LTC, ``XXLM`` -> XLM ...), never by stripping a leading X or Z (``XTZ`` is Tezos,
``ZEC`` Zcash). Staking variants ``.S``, ``.M``, ``.P``, ``.HOLD``, ``.F``, ``.B`` map to their
base asset (``ETH2.S`` and ``ETH2`` -> ETH; a bonding-period number is dropped too:
``DOT28.S`` -> DOT, ``KSM07.S`` -> KSM). ``KFEE`` (Kraken fee credits, a promotional balance
with no cost) is not a digital asset: rows in it are dropped.

kraken-ledgers (``txid,refid,time,type,subtype,aclass,[subclass,]asset,[wallet,]amount,fee,
balance``, optionally ``amountusd`` and other extra columns). ``amount`` is signed and ``fee`` is
charged on top (the balance moves by amount - fee). What each ``type`` becomes:

* ``trade``, ``spend``/``receive`` (instant buy/sell), ``settled`` (a margin position settled by
  paying for or delivering the asset) and ``sale``: the rows sharing a ``refid`` are the legs of
  one exchange; they must net to one asset paid and one received. The side that is fiat, else a
  stablecoin, else BTC, else ETH is the quote: receiving the other asset is a BUY, giving it a
  SELL; two other assets make a BUY of the asset received. ``fee`` becomes the trade's fee in the
  leg's asset (a second fee in another asset becomes a FEE row). ``external_id`` is
  ``kraken:<refid>``, which is the ``txid`` of the same fill in trades.csv, so the two exports
  de-duplicate. Fiat-for-fiat conversions are dropped (fiat is not tracked).
* ``deposit``/``withdrawal`` of crypto: DEPOSIT/WITHDRAWAL, the ``fee`` as the row's fee, rows of
  one ``refid`` netted (a failed withdrawal and its reversal cancel out and are dropped). Fiat
  deposits and withdrawals are dropped (fiat is not tracked), and so are deposits/withdrawals of
  a staking variant or with a ``refid`` shared by a ``transfer`` row: older files book a move to
  staking as a withdrawal plus a deposit plus two ``transfer`` rows.
* ``staking``, ``earn``/``reward``, ``dividend``, ``invite bonus`` (a referral reward),
  ``transfer``/``airdrop`` and ``transfer`` with no subtype and a positive amount (forks and
  airdrops credited by Kraken): INCOME of the base asset, valued from ``amountusd`` when the file
  has it (else the build asks for a ``--prices`` row). Rewards paid in fiat (interest on
  ``USD.HOLD``, ``USD.M``) are dropped: fiat interest is ordinary income outside taxloss.
* ``staking`` rows that net to zero per ``refid`` (moves), ``earn`` with subtype
  ``allocation``, ``deallocation``, ``autoallocate`` or ``migration``, and ``transfer`` with
  subtype ``spottostaking``, ``stakingfromspot``, ``spotfromstaking`` or ``stakingtospot``: moves
  between Kraken sub-accounts with the same wallet name, dropped (a crypto fee on one becomes a
  FEE row).
* ``transfer`` ``spotfromfutures``/``spottofutures``: DEPOSIT into / WITHDRAWAL from ``kraken``
  (the other side belongs to ``kraken-futures``). A ``transfer`` with no subtype and a negative
  amount (an asset delisted and removed) is a WITHDRAWAL: the units leave the data without
  proceeds; no loss is claimed for them.
* ``margin``: the realized profit or loss of a margin trade (opening trades show 0 with the
  opening fee; closing trades the signed result), in the quote currency. It becomes
  REALIZED_PNL of the contract ``KRAKEN-MARGIN`` (the ledger does not name the pair), size 0,
  quote = the signed ``amount``, the ``fee`` as its fee. Without position ids the engine puts
  each day's margin results on one Form 8949 row.
* ``rollover``: margin interest: INTEREST of ``fee - amount`` units of the asset (Kraken books
  it as a 0 amount with the charge in ``fee``).
* ``adjustment``: legs of one ``refid`` in two assets are an exchange (a conversion, as above);
  a single credit is INCOME, a single debit a WITHDRAWAL (units removed without proceeds);
  fiat adjustments are dropped.
* Rows with an empty ``txid`` and an empty ``balance`` are requests Kraken had not booked yet
  (the booked row follows with its own txid): dropped. Rows of amount and fee 0 are dropped.

Any other ``type`` (or an unlisted subtype of ``earn``/``transfer``) is an error.

kraken-trades (``txid,ordertxid,pair,time,type,ordertype,price,cost,fee,vol,margin,misc,
ledgers``, optionally the margin-position columns ``postxid,posstatus,cprice,ccost,cfee,cvol,
cmargin,net,trades`` and newer extras such as ``aclass``): a spot fill is a BUY or SELL of the
pair's base (``vol``) for the quote (``cost``), ``fee`` in the quote currency (Kraken's
documented fee currency for trades.csv), ``external_id`` = ``kraken:<txid>``. A margin fill
(``margin`` > 0) opens or closes a leveraged position: no units of the asset are bought or sold,
and trades.csv does not give the realized result of each close, so it becomes no trade (a
warning is logged); the result, fees and interest come from ledgers.csv (``margin`` and
``rollover`` rows). Fiat-for-fiat fills are dropped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from taxloss.currencies import FIAT as CURRENCIES
from taxloss.errors import InputError, Problem
from taxloss.model import Notice, SourceRef, Trade, TradeKind
from taxloss.money import ZERO, plain
from taxloss.parsers import ParseOptions, notes, register
from taxloss.parsers.numbers import strict_number
from taxloss.parsers.rows import Rows
from taxloss.parsers.table import Table

log = logging.getLogger(__name__)

WALLET = "kraken"
PREFIX = "kraken:"

#: Kraken's legacy four-letter codes. Explicit on purpose: a leading X or Z is not a prefix in
#: XTZ (Tezos), ZEC (Zcash), ZRX (0x) or XCN.
LEGACY = {
    "XXBT": "BTC",
    "XETH": "ETH",
    "XETC": "ETC",
    "XLTC": "LTC",
    "XXRP": "XRP",
    "XXLM": "XLM",
    "XXMR": "XMR",
    "XZEC": "ZEC",
    "XXDG": "DOGE",
    "XREP": "REP",
    "XMLN": "MLN",
    "XICN": "ICN",
    "XNMC": "NMC",
    "XXVN": "XVN",
    "ZUSD": "USD",
    "ZEUR": "EUR",
    "ZGBP": "GBP",
    "ZCAD": "CAD",
    "ZJPY": "JPY",
    "ZAUD": "AUD",
    "ZCHF": "CHF",
    "ZKRW": "KRW",
}
#: Current codes that differ from the common ticker.
RENAMED = {"XBT": "BTC", "XDG": "DOGE", "ETH2": "ETH"}
#: Staking / rewards / cash-balance variants of an asset (same wallet, same asset).
STAKING_SUFFIXES = (".HOLD", ".S", ".M", ".P", ".F", ".B")
#: Government currencies Kraken trades (after mapping); fiat is not tracked as lots.
FIAT = CURRENCIES  # every ISO 4217 code (taxloss.currencies)
#: Stablecoins, preferred as the quote of a crypto-for-crypto exchange after fiat.
STABLECOINS = frozenset({"USDT", "USDC", "DAI", "PYUSD", "USDG", "RLUSD", "EURC", "USD1", "TUSD"})
#: Kraken fee credits: a promotional balance, not a digital asset.
FEE_CREDITS = "KFEE"

_BONDED = re.compile(r"([A-Z]{2,})\d{2}")


def kraken_asset(code: str) -> tuple[str, bool]:
    """Map a Kraken asset code to the common ticker.

    Args:
        code: as written, e.g. ``XXBT``, ``ETH2.S``, ``DOT28.S``, ``USD.HOLD``, ``SOL``.

    Returns:
        The ticker and whether the code was a staking variant (``.S``, ``.M`` ...).
    """
    text = code.strip().upper()
    staked = False
    for suffix in STAKING_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text, staked = text[: -len(suffix)], True
            bonded = _BONDED.fullmatch(text)
            if bonded and text not in RENAMED:
                text = bonded.group(1)
            break
    text = LEGACY.get(text, text)
    return RENAMED.get(text, text), staked


#: Quote codes tried at the end of a pair without a slash, longest first.
_PLAIN_QUOTES = (
    "PYUSD",
    "RLUSD",
    "USDT",
    "USDC",
    "USDG",
    "EURC",
    "DAI",
    "USD",
    "EUR",
    "GBP",
    "CAD",
    "JPY",
    "AUD",
    "CHF",
    "AED",
    "XBT",
    "ETH",
    "DOT",
)
#: Non-legacy bases Kraken pairs with a legacy quote (``USDTZUSD``).
_LEGACY_QUOTED = frozenset({"USDT"})


def split_pair(pair: str) -> tuple[str, str] | None:
    """Split a Kraken pair into (base, quote) tickers, or None if it cannot be split.

    ``POL/EUR`` splits at the slash; ``XXBTZEUR`` and ``XETHXXBT`` are two legacy codes;
    ``USDTZUSD`` a base with a legacy quote; ``SOLUSD``, ``XTZUSD``, ``ETHPYUSD`` a base with a
    current quote code (a legacy quote is only taken when the rest is a known code, so ``XTZUSD``
    is XTZ/USD and ``TRXXBT`` is TRX/XBT).
    """
    text = pair.strip().upper()
    if "/" in text:
        base, _, quote = text.partition("/")
        if base and quote and "/" not in quote:
            return kraken_asset(base)[0], kraken_asset(quote)[0]
        return None
    if len(text) == 8 and text[:4] in LEGACY and text[4:] in LEGACY:
        return LEGACY[text[:4]], LEGACY[text[4:]]
    for code in LEGACY:
        rest = text[: -len(code)]
        if text.endswith(code) and (rest in LEGACY or rest in _LEGACY_QUOTED):
            return kraken_asset(rest)[0], LEGACY[code]
    for quote in _PLAIN_QUOTES:
        rest = text[: -len(quote)]
        if text.endswith(quote) and len(rest) >= 2:
            return kraken_asset(rest)[0], kraken_asset(quote)[0]
    return None


def _quote_rank(asset: str) -> int:
    """Lower is more quote-like: fiat, stablecoins, BTC, ETH, then everything else."""
    if asset in FIAT:
        return 0
    if asset in STABLECOINS:
        return 1
    return {"BTC": 2, "ETH": 3}.get(asset, 9)


def _rows(table: Table, required: tuple[str, ...], what: str) -> Rows:
    """The reader of a Kraken export (plain numbers, as Kraken writes them).

    Raises:
        InputError: naming every required column the header lacks.
    """
    missing = [name for name in required if name not in table.header]
    if missing:
        header = table.header_source()
        raise InputError(
            [
                Problem(header, f"missing column: {what} has {', '.join(required)}", column=name)
                for name in missing
            ]
        )
    return Rows(table, number=strict_number)


# -- ledgers.csv ------------------------------------------------------------------------------

LEDGER_REQUIRED = ("txid", "refid", "time", "type", "subtype", "asset", "amount", "fee")
LEDGER_LAYOUTS = (
    (
        "txid",
        "refid",
        "time",
        "type",
        "subtype",
        "aclass",
        "subclass",
        "asset",
        "wallet",
        "amount",
        "fee",
        "balance",
    ),
    (
        "txid",
        "refid",
        "time",
        "type",
        "subtype",
        "aclass",
        "asset",
        "wallet",
        "amount",
        "fee",
        "balance",
    ),
    ("txid", "refid", "time", "type", "subtype", "aclass", "asset", "amount", "fee", "balance"),
)

#: Ledger types whose rows sharing a refid are the legs of one exchange.
EXCHANGE_TYPES = {
    "trade": "trade",
    "spend": "spend",
    "receive": "spend",
    "settled": "settled",
    "sale": "sale",
}
EARN_MOVES = ("allocation", "deallocation", "autoallocate", "migration")
EARN_SUBTYPES = ("reward", *EARN_MOVES)
STAKING_MOVES = ("spottostaking", "stakingfromspot", "spotfromstaking", "stakingtospot")
FUTURES_MOVES = {"spotfromfutures": TradeKind.DEPOSIT, "spottofutures": TradeKind.WITHDRAWAL}
TRANSFER_SUBTYPES = ("", "airdrop", *STAKING_MOVES, *FUTURES_MOVES)
LEDGER_TYPES = (
    "trade",
    "spend",
    "receive",
    "deposit",
    "withdrawal",
    "staking",
    "earn",
    "transfer",
    "margin",
    "rollover",
    "settled",
    "adjustment",
    "dividend",
    "invite bonus",
    "sale",
)
MARGIN_CONTRACT = "KRAKEN-MARGIN"


@dataclass
class LedgerRow:
    """One ledger row, validated."""

    index: int
    source: SourceRef
    txid: str
    refid: str
    timestamp: datetime
    type: str
    subtype: str
    asset: str
    staked: bool
    fiat: bool
    amount: Decimal
    fee: Decimal
    usd: Decimal | None


@dataclass
class Output:
    """Trades made so far (keyed by the row that starts them); problems go to ``rows``."""

    rows: Rows
    trades: list[tuple[int, Trade]] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)

    def add(self, row: LedgerRow, trade: Trade) -> None:
        """Keep ``trade``, ordered by the file position of ``row``."""
        self.trades.append((row.index, trade))

    def bad(self, row: LedgerRow, column: str, message: str) -> None:
        """Record a problem with ``row`` in ``column`` (normalized name)."""
        self.rows.bad(row.source, column, message)


@register("kraken-ledgers")
class KrakenLedgers:
    """Kraken ledgers.csv: every balance change, with refid linking the legs of a trade."""

    title = "Kraken ledgers export (ledgers.csv)"
    layouts = LEDGER_LAYOUTS
    download = "Kraken: Documents > Export > Ledgers, all fields, CSV (ledgers.csv in the ZIP)."

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim a header with Kraken's ledger ids (txid and refid) and an asset column."""
        return {"txid", "refid", "type", "asset"} <= set(header)

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Validate every row, group legs by refid; raise all problems at once."""
        reader = _rows(table, LEDGER_REQUIRED, "a Kraken ledgers export")
        _utc_assumed(table, options)
        rows, failed_refids = _ledger_rows(reader)
        out = Output(reader)
        transfer_refids = {row.refid for row in rows if row.type == "transfer"}
        groups: dict[tuple[str, str], list[LedgerRow]] = {}
        for row in rows:
            family = EXCHANGE_TYPES.get(row.type, row.type)
            ref = row.refid or f"\0{row.index}"  # no refid: a group of its own
            if family in (*EXCHANGE_TYPES.values(), "adjustment", "staking"):
                key = (family, ref)
            elif family in ("deposit", "withdrawal"):
                key = (family, f"{ref}\0{row.asset}")
            else:
                key = (family, f"\0{row.index}")
            groups.setdefault(key, []).append(row)
        for (family, _), legs in groups.items():
            if legs[0].refid in failed_refids:
                continue  # a row of this refid has its own error: check the group once fixed
            _ledger_group(family, legs, transfer_refids, out)
        reader.finish(by_line=True)
        for notice in out.warnings:
            options.warn(notice)
        for _, trade in sorted(out.trades, key=lambda item: item[0]):
            yield trade


def _utc_assumed(table: Table, options: ParseOptions) -> None:
    """Record that the file's times (no zone written) were read as UTC, Kraken's zone."""
    if len(table):
        notes.file_zone(
            table, options, None, UTC, "Kraken documents UTC for its exports", "time",
            documented=True,
        )  # fmt: skip


def _ledger_rows(reader: Rows) -> tuple[list[LedgerRow], set[str]]:
    """Read and validate every row (blank lines and unbooked requests skipped).

    Returns:
        The valid rows and the refids of rows with problems (the problems are in ``reader``).
    """
    rows: list[LedgerRow] = []
    failed: set[str] = set()
    for row in reader:
        txid = row.text("txid")
        if not txid and not row.text("balance"):
            continue  # a request Kraken had not booked yet; the booked row has its own txid
        timestamp = row.time("time", UTC)
        kind = " ".join(row.text("type").split()).lower()
        if kind not in LEDGER_TYPES:
            row.bad("type", f"unknown type {kind!r}: expected one of {', '.join(LEDGER_TYPES)}")
        subtype = row.text("subtype").lower()
        code = row.text("asset")
        if not code:
            row.bad("asset", "expected a Kraken asset code such as XXBT, found an empty cell")
        asset, staked = kraken_asset(code)
        amount = row.number("amount", required=True)
        fee = row.number("fee", required=True)
        usd = row.number("amountusd")
        if fee is not None and fee < 0 and kind not in ("deposit", "withdrawal"):
            row.bad("fee", f"expected a fee of zero or more, found {row.text('fee')!r}")
        refid = row.text("refid")
        if row.problems:
            if refid:
                failed.add(refid)
            continue
        assert timestamp is not None and amount is not None and fee is not None
        fiat = asset in FIAT or row.text("subclass").lower() == "fiat"
        rows.append(
            LedgerRow(
                row.index,
                row.source,
                txid,
                refid,
                timestamp,
                kind,
                subtype,
                asset,
                staked,
                fiat,
                amount,
                fee,
                usd,
            )
        )
    return rows, failed


def _ledger_group(
    family: str, legs: list[LedgerRow], transfer_refids: set[str], out: Output
) -> None:
    """Turn one group of ledger rows (one row, or the rows of one refid) into trades."""
    first = legs[0]
    if all(leg.asset == FEE_CREDITS for leg in legs):
        return  # Kraken fee credits: not a digital asset
    if family in EXCHANGE_TYPES.values():
        _exchange(family, legs, out)
    elif family == "adjustment":
        if len({leg.asset for leg in legs if leg.amount}) >= 2:
            _exchange(family, legs, out)
        else:
            for leg in legs:
                _adjustment(leg, out)
    elif family in ("deposit", "withdrawal"):
        _funding(legs, transfer_refids, out)
    elif family == "staking":
        _staking(legs, out)
    elif family == "earn":
        if first.subtype == "reward":
            _income(first, out, "earn reward")
        elif first.subtype in EARN_MOVES:
            _move_fee(first, out)  # allocation to / from Earn: same wallet
        else:
            out.bad(first, "subtype", _subtype_message("earn", first, EARN_SUBTYPES))
    elif family == "transfer":
        _transfer(first, out)
    elif family == "margin":
        _margin(first, out)
    elif family == "rollover":
        _rollover(first, out)
    else:  # dividend, invite bonus
        _income(first, out, family)


def _subtype_message(kind: str, row: LedgerRow, expected: tuple[str, ...]) -> str:
    listed = ", ".join(s or repr(s) for s in expected)
    return f"unknown {kind} subtype {row.subtype!r}: expected one of {listed}"


def _trade(
    row: LedgerRow, kind: TradeKind, asset: str, quantity: Decimal, **extra: object
) -> Trade:
    fields: dict[str, object] = {"external_id": PREFIX + row.txid if row.txid else ""}
    fields.update(extra)
    return Trade(
        timestamp=row.timestamp,
        kind=kind,
        asset=asset,
        quantity=quantity,
        wallet=WALLET,
        source=row.source,
        **fields,  # type: ignore[arg-type]
    )


#: Notes for exchanges booked under other ledger types than ``trade``.
EXCHANGE_NOTES = {
    "spend": "instant buy/sell",
    "settled": "margin position settled",
    "sale": "sale",
    "adjustment": "conversion by Kraken",
}


def _exchange(family: str, legs: list[LedgerRow], out: Output) -> None:
    """The legs of one trade (or instant buy, settlement, sale, conversion) sharing a refid."""
    first = legs[0]
    nets: dict[str, Decimal] = {}
    fees: dict[str, Decimal] = {}
    for leg in legs:
        if leg.asset == FEE_CREDITS:
            continue  # fee credits used up: no cost to the taxpayer
        nets[leg.asset] = nets.get(leg.asset, ZERO) + leg.amount
        if leg.fee:
            fees[leg.asset] = fees.get(leg.asset, ZERO) + leg.fee
    paid = [asset for asset, net in nets.items() if net < 0]
    got = [asset for asset, net in nets.items() if net > 0]
    if not paid and not got and not fees:
        return  # nothing moved
    lone = len(nets) == 1 and len(paid) + len(got) == 1 and first.type == "trade"
    if lone and not any(asset in FIAT for asset in nets):
        _lone_leg(first, legs, nets, out)
        return
    if len(paid) != 1 or len(got) != 1:
        found = ", ".join(f"{plain(net)} {asset}" for asset, net in nets.items() if net) or "none"
        out.bad(
            first,
            "refid",
            f"expected the {first.type} rows with refid {first.refid!r} to pay one asset and "
            f"receive another, found {found} (rows {', '.join(str(x.source.line) for x in legs)}): "
            + (
                "only one leg is in this file: export the ledgers again with all assets "
                "selected (Documents > Export > Ledgers) and a date range that holds every leg"
                if lone
                else "export a date range that holds every leg"
            ),
        )
        return
    give, take = paid[0], got[0]
    if give in FIAT and take in FIAT:
        return  # a fiat-for-fiat conversion: no digital asset involved
    if _quote_rank(take) < _quote_rank(give):
        kind, base, quote = TradeKind.SELL, give, take
    else:
        kind, base, quote = TradeKind.BUY, take, give
    fee_assets = sorted(fees, key=lambda a: (a != quote, a != base, a))
    extra: dict[str, object] = {}
    if fee_assets:
        extra = {"fee_asset": fee_assets[0], "fee_quantity": fees[fee_assets[0]]}
    note = EXCHANGE_NOTES.get(family, "")
    out.add(
        first,
        Trade(
            timestamp=first.timestamp,
            kind=kind,
            asset=base,
            quantity=abs(nets[base]),
            wallet=WALLET,
            source=first.source,
            quote_asset=quote,
            quote_quantity=abs(nets[quote]),
            external_id=PREFIX + first.refid,
            note=note,
            **extra,  # type: ignore[arg-type]
        ),
    )
    for asset in fee_assets[1:]:
        leg = next(x for x in legs if x.asset == asset and x.fee)
        out.add(
            leg,
            _trade(
                leg,
                TradeKind.FEE,
                asset,
                fees[asset],
                note=f"second fee of {first.type} {first.refid}",
            ),
        )


def _lone_leg(
    first: LedgerRow, legs: list[LedgerRow], nets: dict[str, Decimal], out: Output
) -> None:
    """A trade of which the file holds one asset's rows only (issue #13): the ledgers were
    exported for one asset. Its units still moved, so it is counted as a purchase (units in)
    or a sale (units out) at their value that day (a ``--prices`` row), and flagged."""
    ((asset, net),) = nets.items()
    fee = sum((leg.fee for leg in legs if leg.fee), ZERO)
    lines = ", ".join(str(leg.source.line) for leg in legs)
    kind = TradeKind.BUY if net > 0 else TradeKind.SELL
    what = "a purchase" if net > 0 else "a sale"
    value = _value(first) if len(legs) == 1 else {}
    worth = "the USD value in its amountusd cell" if value else "its value that day (--prices)"
    out.add(
        first,
        Trade(
            timestamp=first.timestamp,
            kind=kind,
            asset=asset,
            quantity=abs(net),
            wallet=WALLET,
            source=first.source,
            external_id=PREFIX + first.refid,
            note=f"only the {asset} leg is in this export",
            **({"fee_asset": asset, "fee_quantity": fee} if fee else {}),  # type: ignore[arg-type]
            **value,  # type: ignore[arg-type]
        ),
    )
    out.warnings.append(
        Notice(
            "kraken_one_leg",
            f"trade {first.refid} has only its {asset} row(s) in this file (line(s) {lines}): "
            f"the ledgers were exported for one asset, so what was paid or received for the "
            f"{plain(abs(net))} {asset} is unknown. It is counted as {what} at {worth}. "
            "Fix: export the ledgers again with all assets selected (Documents > Export > "
            "Ledgers) and build with that file",
            first.source,
        )
    )


def _value(row: LedgerRow) -> dict[str, object]:
    return {"fiat_value": abs(row.usd)} if row.usd is not None else {}


def _income(row: LedgerRow, out: Output, what: str) -> None:
    """A reward credited in kind: INCOME (fiat rewards are dropped: fiat is not tracked)."""
    if row.amount < 0:
        out.bad(
            row,
            "amount",
            f"expected a {what} credit (a positive amount), found {plain(row.amount)}",
        )
        return
    if row.fiat or row.amount == 0:
        return  # interest on a fiat balance (not a digital asset), or nothing credited
    fee = {"fee_asset": row.asset, "fee_quantity": row.fee} if row.fee else {}
    out.add(
        row, _trade(row, TradeKind.INCOME, row.asset, row.amount, note=what, **_value(row), **fee)
    )


def _move_fee(row: LedgerRow, out: Output) -> None:
    """A move between Kraken sub-accounts (same wallet): dropped, but a crypto fee is paid."""
    if row.fee > 0 and not row.fiat:
        out.add(row, _trade(row, TradeKind.FEE, row.asset, row.fee, note=f"{row.type} fee"))


def _staking(legs: list[LedgerRow], out: Output) -> None:
    """Staking rows of one refid: a move if they net to zero per asset, else rewards."""
    nets: dict[str, Decimal] = {}
    for leg in legs:
        nets[leg.asset] = nets.get(leg.asset, ZERO) + leg.amount
    if len(legs) > 1 and all(net == 0 for net in nets.values()):
        for leg in legs:
            _move_fee(leg, out)
        return
    for leg in legs:
        _income(leg, out, "staking reward")


def _funding(legs: list[LedgerRow], transfer_refids: set[str], out: Output) -> None:
    """Deposits or withdrawals of one refid and asset, netted (a reversal cancels a failure)."""
    first = legs[0]
    if first.fiat or first.staked or first.refid in transfer_refids:
        return  # fiat is not tracked; a staking variant or a transfer's refid: a move inside
    amount = sum((leg.amount for leg in legs), ZERO)
    fee = sum((leg.fee for leg in legs), ZERO)
    if amount == 0 and fee == 0:
        return  # failed and reversed
    kind = TradeKind.DEPOSIT if amount > 0 else TradeKind.WITHDRAWAL
    if amount == 0 or fee < 0:
        out.bad(
            first,
            "amount",
            f"expected the {first.type} rows with refid {first.refid!r} to "
            f"move units, found amount {plain(amount)} and fee {plain(fee)}",
        )
        return
    extra: dict[str, object] = _value(first) if len(legs) == 1 else {}
    if fee:
        extra.update(fee_asset=first.asset, fee_quantity=fee)
    out.add(first, _trade(first, kind, first.asset, abs(amount), **extra))


def _transfer(row: LedgerRow, out: Output) -> None:
    if row.subtype not in TRANSFER_SUBTYPES:
        out.bad(row, "subtype", _subtype_message("transfer", row, TRANSFER_SUBTYPES))
    elif row.subtype in STAKING_MOVES:
        _move_fee(row, out)  # spot <-> staking: same wallet
    elif row.fiat or row.amount == 0:
        return  # fiat is not tracked; nothing moved
    elif row.subtype in FUTURES_MOVES:
        kind = FUTURES_MOVES[row.subtype]
        if (row.amount > 0) != (kind is TradeKind.DEPOSIT):
            sign = "positive" if kind is TradeKind.DEPOSIT else "negative"
            out.bad(
                row,
                "amount",
                f"expected a {sign} amount for {row.subtype}, found {plain(row.amount)}",
            )
            return
        fee = {"fee_asset": row.asset, "fee_quantity": row.fee} if row.fee else {}
        out.add(
            row,
            _trade(row, kind, row.asset, abs(row.amount), note=row.subtype, **_value(row), **fee),
        )
    elif row.amount > 0:
        _income(row, out, "airdrop")
    elif row.subtype == "":
        out.add(
            row,
            _trade(
                row,
                TradeKind.WITHDRAWAL,
                row.asset,
                -row.amount,
                note="removed by Kraken (delisting)",
                **_value(row),
            ),
        )
    else:
        out.bad(
            row,
            "amount",
            f"expected an airdrop credit (a positive amount), found {plain(row.amount)}",
        )


def _adjustment(row: LedgerRow, out: Output) -> None:
    if row.fiat or row.amount == 0:
        return  # fiat is not tracked; nothing moved
    if row.amount > 0:
        out.add(
            row,
            _trade(row, TradeKind.INCOME, row.asset, row.amount, note="adjustment", **_value(row)),
        )
    else:
        out.add(
            row,
            _trade(
                row,
                TradeKind.WITHDRAWAL,
                row.asset,
                -row.amount,
                note="adjustment: removed by Kraken",
                **_value(row),
            ),
        )


def _margin(row: LedgerRow, out: Output) -> None:
    """Realized result (signed) and fee of a margin trade, in the position's quote currency."""
    if row.amount == 0 and row.fee == 0:
        return  # nothing realized, nothing paid
    fee = {"fee_asset": row.asset, "fee_quantity": row.fee} if row.fee else {}
    out.add(
        row,
        _trade(
            row,
            TradeKind.REALIZED_PNL,
            MARGIN_CONTRACT,
            ZERO,
            quote_asset=row.asset,
            quote_quantity=row.amount,
            note=f"margin trade {row.refid}",
            **fee,
        ),
    )


def _rollover(row: LedgerRow, out: Output) -> None:
    """Margin interest: the balance falls by fee - amount."""
    charge = row.fee - row.amount
    if charge == 0:
        return  # nothing charged
    if charge < 0:
        out.bad(
            row,
            "amount",
            f"expected a rollover charge, found amount "
            f"{plain(row.amount)} and fee {plain(row.fee)}",
        )
        return
    out.add(
        row,
        _trade(
            row,
            TradeKind.INTEREST,
            row.asset,
            charge,
            note=f"rollover of margin position {row.refid}",
        ),
    )


# -- trades.csv -------------------------------------------------------------------------------

TRADES_REQUIRED = ("txid", "pair", "time", "type", "cost", "fee", "vol", "margin")
TRADES_LAYOUTS = (
    (
        "txid",
        "ordertxid",
        "pair",
        "time",
        "type",
        "ordertype",
        "price",
        "cost",
        "fee",
        "vol",
        "margin",
        "misc",
        "ledgers",
    ),
    (
        "txid",
        "ordertxid",
        "pair",
        "time",
        "type",
        "ordertype",
        "price",
        "cost",
        "fee",
        "vol",
        "margin",
        "misc",
        "ledgers",
        "postxid",
        "posstatus",
        "cprice",
        "ccost",
        "cfee",
        "cvol",
        "cmargin",
        "net",
        "trades",
    ),
)
TRADE_SIDES = {"buy": TradeKind.BUY, "sell": TradeKind.SELL}


@register("kraken-trades")
class KrakenTrades:
    """Kraken trades.csv: one row per fill, pair split into base and quote."""

    title = "Kraken trades export (trades.csv)"
    layouts = TRADES_LAYOUTS
    download = "Kraken: Documents > Export > Trades, all fields, CSV (trades.csv in the ZIP)."

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim a header with Kraken's fill and order ids and a pair column."""
        return {"txid", "ordertxid", "pair"} <= set(header)

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """Validate every row; raise all problems at once."""
        rows = _rows(table, TRADES_REQUIRED, "a Kraken trades export")
        _utc_assumed(table, options)
        trades: list[Trade] = []
        margin_fills = 0
        first_margin = 0
        for row in rows:
            txid = row.text("txid")
            if not txid:
                row.bad("txid", "expected Kraken's trade id, found an empty cell")
            timestamp = row.time("time", UTC)
            side = row.text("type").lower()
            kind = TRADE_SIDES.get(side)
            if kind is None:
                row.bad("type", f"unknown type {side!r}: expected buy or sell")
            pair_text = row.text("pair")
            pair = split_pair(pair_text)
            if pair is None:
                row.bad(
                    "pair",
                    f"cannot split pair {pair_text!r} into base and quote: expected a "
                    "Kraken pair such as XXBTZUSD, SOLUSD or SOL/USD",
                )
            cost, fee, vol, margin = (
                row.number(c, required=True) for c in ("cost", "fee", "vol", "margin")
            )
            for column, value in (("cost", cost), ("vol", vol)):
                if value is not None and value <= 0:
                    row.bad(column, f"expected a positive number, found {plain(value)}")
            if fee is not None and fee < 0:
                row.bad("fee", f"expected a fee of zero or more, found {plain(fee)}")
            if row.problems:
                continue
            assert timestamp is not None and kind is not None and pair is not None
            assert cost is not None and fee is not None and vol is not None
            assert margin is not None
            base, quote = pair
            if margin > 0:
                # A margin fill opens or closes a leveraged position: no units are bought or
                # sold, and the realized result is only in ledgers.csv (type margin).
                margin_fills += 1
                first_margin = first_margin or row.source.line
                continue
            if base in FIAT and quote in FIAT:
                continue  # fiat-for-fiat conversion: no digital asset involved
            trades.append(
                Trade(
                    timestamp=timestamp,
                    kind=kind,
                    asset=base,
                    quantity=vol,
                    wallet=WALLET,
                    source=row.source,
                    quote_asset=quote,
                    quote_quantity=cost,
                    fee_asset=quote if fee else "",
                    fee_quantity=fee if fee else None,
                    external_id=PREFIX + txid,
                )
            )
        rows.finish()
        if margin_fills:
            log.warning(
                "%s:%d: %d margin fill(s) skipped (the first on this line): their realized "
                "results, fees and interest are in Kraken's ledgers.csv (types margin and "
                "rollover); build with that file",
                table.path,
                first_margin,
                margin_fills,
            )
        yield from trades
