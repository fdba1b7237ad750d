"""The taxloss vocabulary: immutable records shared by every layer.

A *trade* is one validated input event, a *lot* is a holding (or what is left of one), a
*disposal* is one slice of a sale matched to one lot (one Form 8949 row), and a *report* is
everything a renderer needs. Records change only through ``dataclasses.replace``.
Must not import anything from taxloss, nor any third-party package.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


class Method(enum.StrEnum):
    """How lots are chosen for a sale. Values are the words used in TOML and on the CLI."""

    FIFO = "fifo"
    LIFO = "lifo"
    HIFO = "hifo"


class Term(enum.StrEnum):
    """Holding-period character of a disposal."""

    SHORT = "short"
    LONG = "long"


class BasisScope(enum.StrEnum):
    """Whether lots are pooled across all wallets or tracked wallet by wallet."""

    UNIVERSAL = "universal"
    WALLET = "wallet"


class TradeKind(enum.StrEnum):
    """The generic input types (the ``type`` column of the taxloss CSV)."""

    BUY = "buy"
    SELL = "sell"
    FORCED_SALE = "forced_sale"
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    INCOME = "income"
    SPEND = "spend"
    FEE = "fee"
    REALIZED_PNL = "realized_pnl"
    LIQUIDATION = "liquidation"
    FUNDING = "funding"
    INSURANCE_FEE = "insurance_fee"
    COMMISSION = "commission"
    MARGIN_LOAN = "margin_loan"
    MARGIN_REPAY = "margin_repay"
    INTEREST = "interest"


class DisposalKind(enum.StrEnum):
    """Why units left the taxpayer's hands (shown in the audit trail)."""

    SALE = "sale"
    EXCHANGE = "exchange"
    FORCED_SALE = "forced_sale"
    SPEND = "spend"
    FEE = "fee"
    TRANSFER_FEE = "transfer_fee"
    POSITION = "position"
    SETTLEMENT = "settlement"


class FilingStatus(enum.StrEnum):
    """US filing status (only the capital-loss limit depends on it here)."""

    SINGLE = "single"
    MFJ = "mfj"
    MFS = "mfs"
    HOH = "hoh"


@dataclass(frozen=True, slots=True, order=True)
class SourceRef:
    """Where a fact came from: a file path as the user named it, and a 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Trade:
    """One validated input event, as the taxloss generic CSV describes it.

    ``quantity`` is always positive; direction comes from ``kind``. For derivative kinds,
    ``asset`` is the contract and ``quote_quantity`` the signed amount of the settlement coin.
    """

    timestamp: datetime
    kind: TradeKind
    asset: str
    quantity: Decimal
    wallet: str
    source: SourceRef
    quote_asset: str = ""
    quote_quantity: Decimal | None = None
    fee_asset: str = ""
    fee_quantity: Decimal | None = None
    fiat_value: Decimal | None = None
    external_id: str = ""
    note: str = ""
    position: str = ""
    opened: datetime | None = None
    side: str = ""


class EventKind(enum.StrEnum):
    """What one engine event does to the lot book (engine-internal, built by valuation)."""

    ACQUIRE = "acquire"
    DISPOSE = "dispose"
    SEND = "send"
    RECEIVE = "receive"
    REMOVE = "remove"
    ADD_UNKNOWN = "add_unknown"
    SETTLE = "settle"


@dataclass(frozen=True, slots=True)
class Event:
    """One valued, single-asset movement derived from a trade. ``value`` is the basis of an
    acquisition or the amount realized by a disposal, in the rule's fiat; ``fee`` is the part
    of it that is a transaction cost (shown, already included in ``value``)."""

    timestamp: datetime
    kind: EventKind
    asset: str
    quantity: Decimal
    value: Decimal
    wallet: str
    source: SourceRef
    step: int = 0
    fee: Decimal = Decimal(0)
    disposal_kind: DisposalKind = DisposalKind.SALE
    liquidation: bool = False
    transfer: int = -1
    received: Decimal = Decimal(0)
    description: str = ""
    acquired: datetime | None = None
    contract: str = ""
    component: str = ""
    credit: bool = False
    group: str = ""
    side: str = ""
    size: Decimal = Decimal(0)
    par: bool = False
    lots: bool = True


@dataclass(frozen=True, slots=True)
class Price:
    """A user-supplied price of one unit of ``asset`` in the rule's fiat on ``day``."""

    day: date
    asset: str
    price: Decimal
    source: SourceRef


@dataclass(frozen=True, slots=True)
class PriceTable:
    """Prices from ``--prices``, looked up by exact (day, asset); never interpolated."""

    prices: Mapping[tuple[date, str], Price] = field(default_factory=dict)

    def get(self, day: date, asset: str) -> Price | None:
        """Return the price for ``asset`` on ``day``, or None."""
        return self.prices.get((day, asset))


@dataclass(frozen=True, slots=True)
class Lot:
    """A holding, or what is left of one. ``cost_basis`` is the total, never per unit."""

    acquired: datetime
    asset: str
    quantity: Decimal
    cost_basis: Decimal
    source: SourceRef
    wallet: str
    basis_known: bool = True


@dataclass(frozen=True, slots=True)
class Disposal:
    """One slice of a sale matched to one lot: one Form 8949 row. A loss is a negative gain."""

    asset: str
    quantity: Decimal
    acquired: datetime
    disposed: datetime
    acquired_on: date
    disposed_on: date
    proceeds: Decimal
    cost_basis: Decimal
    term: Term
    tax_year: str
    box: str
    wallet: str
    kind: DisposalKind
    sale_source: SourceRef
    lot_source: SourceRef
    description: str = ""
    adjustment: Decimal = Decimal(0)
    codes: str = ""
    liquidation: bool = False
    missing_basis: bool = False
    fee: Decimal = Decimal(0)

    @property
    def gain(self) -> Decimal:
        """Proceeds minus basis plus the column (g) adjustment."""
        return self.proceeds - self.cost_basis + self.adjustment


@dataclass(frozen=True, slots=True)
class Transfer:
    """A withdrawal matched (or not) to a deposit in another of the taxpayer's wallets."""

    asset: str
    sent: Decimal
    received: Decimal
    from_wallet: str
    to_wallet: str
    sent_at: datetime | None
    received_at: datetime | None
    withdrawal_source: SourceRef | None
    deposit_source: SourceRef | None
    reason: str

    @property
    def matched(self) -> bool:
        """True when both sides were found."""
        return self.withdrawal_source is not None and self.deposit_source is not None

    @property
    def fee(self) -> Decimal:
        """Units lost in transit (the network fee) for a matched transfer."""
        return self.sent - self.received if self.matched else Decimal(0)


@dataclass(frozen=True, slots=True)
class Allocation:
    """One line of the Rev. Proc. 2024-28 allocation of unused basis to a wallet."""

    wallet: str
    asset: str
    quantity: Decimal
    cost_basis: Decimal
    acquired: datetime
    lot_source: SourceRef
    rule: str


@dataclass(frozen=True, slots=True)
class Income:
    """Ordinary income received in kind (staking, interest, airdrops) at fair value."""

    received: datetime
    received_on: date
    tax_year: str
    asset: str
    quantity: Decimal
    fiat_value: Decimal
    wallet: str
    source: SourceRef
    kind: str = "income"


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning or recorded assumption, tied to the row that caused it."""

    code: str
    message: str
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input file as read: for the cover page and report.json ``inputs``."""

    path: str
    sha256: str
    format: str
    rows: int
    first: datetime | None
    last: datetime | None


@dataclass(frozen=True, slots=True)
class ScopePeriod:
    """Basis scope in force between two dates (inclusive; None = open-ended)."""

    scope: BasisScope
    start: date | None
    end: date | None


@dataclass(frozen=True, slots=True)
class BoxPeriod:
    """Form 8949 checkbox letters for tax years ``first_year``..``last_year`` (inclusive)."""

    short: str
    long: str
    first_year: int | None
    last_year: int | None


@dataclass(frozen=True, slots=True)
class Rule:
    """A jurisdiction rule file, parsed and validated. Pure data: no algorithm lives here."""

    id: str
    name: str
    version: str
    path: str
    sha256: str
    country: str
    fiat: str
    timezone: str
    methods: tuple[Method, ...]
    default_method: Method
    tax_year_start_month: int
    tax_year_start_day: int
    long_term_years: int
    month_end_convention: bool
    scope_periods: tuple[ScopePeriod, ...]
    usd_equivalent: tuple[str, ...]
    other_fiat: tuple[str, ...]
    unmatched_stablecoin_basis: str
    crypto_fee_allocation: str
    transfer_window_hours: int
    transfer_min_ratio: Decimal
    rounding_quantum: Decimal
    rounding_mode: str
    boxes: tuple[BoxPeriod, ...]
    loss_limits: Mapping[str, Decimal]
    forms: tuple[str, ...]
    rows_per_page: int
    funding: str
    sources: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a renderer needs. Amounts are exact; renderers round once."""

    rule: Rule
    method: Method
    basis_scope: str
    timezone: str
    disposals: tuple[Disposal, ...]
    open_lots: tuple[Lot, ...]
    transfers: tuple[Transfer, ...]
    allocations: tuple[Allocation, ...]
    income: tuple[Income, ...]
    warnings: tuple[Notice, ...]
    assumptions: tuple[Notice, ...]
    inputs: tuple[InputFile, ...] = ()
    tax_years: tuple[str, ...] = ()
    expenses: tuple[Income, ...] = ()
    generated_at: datetime | None = None
