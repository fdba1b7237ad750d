"""The taxloss vocabulary: immutable records shared by every layer.

A *trade* is one validated input event, a *lot* is a holding (or what is left of one), a
*disposal* is one slice of a sale matched to one lot (one Form 8949 row), and a *report* is
everything a renderer needs. Records change only through ``dataclasses.replace``.
Must not import anything from taxloss, nor any third-party package.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar


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


class Matching(enum.StrEnum):
    """How disposals are matched to acquisitions (rule key ``matching.strategy``).

    ``lots``: the lot matcher with the rule's methods (FIFO/LIFO/HIFO); ``uk_pooling``: the
    UK same-day, 30-day and section 104 pool rules; ``average_cost``: one average-cost pool per
    asset across all wallets (Canada's adjusted cost base).
    """

    LOTS = "lots"
    UK_POOLING = "uk_pooling"
    AVERAGE_COST = "average_cost"


class HoldingEffect(enum.StrEnum):
    """What holding an asset longer than ``holding.long_term_years`` does (``holding.effect``).

    ``character``: short- vs long-term gains (US); ``discount``: the gain is eligible for the
    CGT discount (AU); ``exempt``: the disposal is not taxable (DE §23); ``none``: no effect.
    """

    CHARACTER = "character"
    DISCOUNT = "discount"
    EXEMPT = "exempt"
    NONE = "none"


class LossDisallowance(enum.StrEnum):
    """Loss-denial rule applied by the engine (``loss_disallowance.kind``)."""

    NONE = "none"
    SUPERFICIAL_LOSS = "superficial_loss"


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
    #: The currency of ``fiat_value``: empty means USD (what the exchange parsers give); a
    #: Coinbase report in EUR gives its rows' own EUR values, an ``--overrides`` value is in
    #: the rule's fiat. The engine converts it at the day's rate when it is not the rule's.
    fiat_currency: str = ""


class EventKind(enum.StrEnum):
    """What one engine event does to the lot book (``taxloss.engine.events.Event``)."""

    ACQUIRE = "acquire"
    DISPOSE = "dispose"
    SEND = "send"
    RECEIVE = "receive"
    REMOVE = "remove"
    ADD_UNKNOWN = "add_unknown"
    SETTLE = "settle"


@dataclass(frozen=True, slots=True)
class Price:
    """A user-supplied price of one unit of ``asset`` in the rule's fiat on ``day``."""

    day: date
    asset: str
    price: Decimal
    source: SourceRef


@dataclass(frozen=True, slots=True)
class DayHoldings:
    """The units held at the end of ``day`` (per asset, over all wallets and transfers in
    flight; debts and derivative positions are not holdings) and that day's ``--prices`` rows
    for them (an asset without a row has none here)."""

    day: date
    tax_year: str
    units: tuple[tuple[str, Decimal], ...]
    prices: tuple[Price, ...]


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
    #: Which identification rule matched this slice: ``""`` for the lot matcher (its method
    #: is the report's), else ``same_day``, ``bed_and_breakfast``, ``s104_pool`` (UK) or
    #: ``acb_pool`` (average cost).
    matching: str = ""
    #: A loss denied by ``loss_disallowance`` (positive amount; also in ``adjustment``).
    denied_loss: Decimal = Decimal(0)
    #: Held long enough for the rule's ``holding.effect``: CGT discount (AU) or exempt (DE).
    discount: bool = False
    exempt: bool = False
    #: The sale's exchange transaction id for Form 8949 column (a) (issue #12: set when a
    #: build reconciles Forms 1099-DA; ``""`` otherwise).
    transaction_id: str = ""

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
class OverrideUse:
    """One answer of the user's ``--overrides`` file applied to one input row."""

    #: The input row answered.
    source: SourceRef
    #: The action as written (``skip``, ``treat-as income``, ``value 1250.00``, ``note``).
    action: str
    #: What it did, in plain words (``left out before parsing``, ``valued at 1250.00 USD``).
    effect: str
    #: The user's note, printed with the row in every output.
    note: str
    #: The overrides file's line.
    origin: SourceRef


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
class FxRate:
    """A published exchange rate: ``rate`` units of the report currency per 1 ``currency``.

    ``source`` names the file and line it came from (the ECB file or ``--fx-rates``).
    """

    day: date
    currency: str
    rate: Decimal
    source: SourceRef
    #: The published figures a derived (cross) rate was computed from, e.g.
    #: ``"1 EUR = 1.0772 USD, 1 EUR = 0.83188 GBP"``; empty for a rate given directly.
    basis: str = ""


@dataclass(frozen=True, slots=True)
class FxTable:
    """Daily exchange rates into ``currency`` (the report currency), per foreign currency,
    each tuple sorted by day. Built outside the engine (``taxloss.fx``); looked up in
    ``engine.currency`` (the last published rate on or before a date, never interpolated)."""

    currency: str = ""
    rates: Mapping[str, tuple[FxRate, ...]] = field(default_factory=dict)
    #: Plain words for the report: where the rates come from.
    description: str = ""


@dataclass(frozen=True, slots=True)
class Conversion:
    """One amount converted into the report currency: the audit trail of ``FxTable`` use."""

    source: SourceRef
    day: date
    currency: str
    amount: Decimal
    rate: FxRate
    value: Decimal

    @property
    def prior_day(self) -> bool:
        """True when no rate was published on ``day`` and the last earlier one was used."""
        return self.rate.day != self.day


@dataclass(frozen=True, slots=True)
class PoolEntry:
    """One change of an average-cost pool (UK section 104 pool, Canadian ACB): the audit
    trail of pooled strategies. ``units``/``cost`` are the change; ``*_after`` the pool."""

    moment: datetime
    asset: str
    action: str
    units: Decimal
    cost: Decimal
    units_after: Decimal
    cost_after: Decimal
    source: SourceRef


@dataclass(frozen=True, slots=True)
class FxPolicy:
    """Rule section ``[fx]``: converting other currencies into the report currency."""

    source: str
    max_fallback_days: int
    stablecoin_currency: str


@dataclass(frozen=True, slots=True)
class DisallowanceRule:
    """Rule section ``[loss_disallowance]`` (reference §4 superficial loss)."""

    kind: LossDisallowance = LossDisallowance.NONE
    window_before_days: int = 0
    window_after_days: int = 0
    require_held_at_window_end: bool = True
    proration: str = "min_s_p_b"
    denied_loss_to_basis: bool = True


@dataclass(frozen=True, slots=True)
class RatePeriod:
    """Tax rates (as fractions) for disposals between two dates (inclusive; None = open)."""

    start: date | None
    end: date | None
    basic: Decimal
    higher: Decimal


@dataclass(frozen=True, slots=True)
class YearAmount:
    """An amount in force for tax years ``first_year``..``last_year`` (inclusive; by the
    calendar year in which the tax year starts), or for one labelled tax year ``year``."""

    amount: Decimal
    first_year: int | None = None
    last_year: int | None = None
    year: str = ""


@dataclass(frozen=True, slots=True)
class OffsetRule:
    """Rule section ``[offset]``: the loss-offset strategy and its data (reference §2-5, §8).

    Only the keys a strategy uses are set; the rest keep neutral defaults.
    """

    strategy: str = "us_schedule_d"
    exempt_amounts: tuple[YearAmount, ...] = ()
    thresholds: tuple[YearAmount, ...] = ()
    threshold_kind: str = ""
    rates: tuple[RatePeriod, ...] = ()
    inclusion_rate: Decimal = Decimal(1)
    discount_rate: Decimal = Decimal(0)
    losses_before_discount: bool = False
    carry_back_years: int = 0
    carry_forward: str = "indefinite"
    brought_forward_down_to_exempt_amount: bool = False
    claim_deadline_years: int = 0


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
    #: Lot methods allowed; a pooling rule's only method is its strategy (``matching``).
    methods: tuple[Method | Matching, ...]
    default_method: Method | Matching
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
    matching: Matching = Matching.LOTS
    #: UK 30-day ("bed and breakfast") rule: acquisitions this many days after a disposal.
    forward_window_days: int = 0
    #: Methods the rule allows but flags for review, with the reason (``matching.method_notes``).
    method_notes: Mapping[str, str] = field(default_factory=dict)
    holding_effect: HoldingEffect = HoldingEffect.CHARACTER
    disallowance: DisallowanceRule = field(default_factory=DisallowanceRule)
    fx: FxPolicy | None = None
    offset: OffsetRule = field(default_factory=OffsetRule)
    #: ``[harvest]`` (issue #14): a wash-sale rule for the rule's assets (US crypto: false,
    #: IRC §1091 covers stock and securities only), its window in days before and after a
    #: sale, and the source the rule file cites.
    harvest_wash_sale: bool = False
    harvest_window_days: int = 30
    harvest_source: str = ""


class FlowLine(enum.StrEnum):
    """A line of the account statement (issue #15) that the engine sums per wallet and year.

    The first five carry money across the edge of the books (their sum with the realized
    results equals what is left at cost minus what is owed); the rest are the fee breakdown,
    shown as "of which" lines because those fees are already inside another line.
    """

    CAPITAL_IN = "capital_in"
    CAPITAL_OUT = "capital_out"
    INCOME = "income"
    EXPENSES = "expenses"
    #: A debt or loan settled for a value other than the one it was booked at (+ gain).
    OTHER = "other"
    TRADING_FEES = "trading_fees"
    NETWORK_FEES = "network_fees"
    FUNDING_PAID = "funding_paid"
    FUNDING_RECEIVED = "funding_received"
    LIQUIDATION_FEES = "liquidation_fees"
    MARGIN_INTEREST = "margin_interest"
    OTHER_FEES = "other_fees"


@dataclass(frozen=True, slots=True)
class Flow:
    """One account-statement line summed for one wallet and tax year, in the rule's fiat."""

    wallet: str
    tax_year: str
    line: FlowLine
    amount: Decimal


class DebtKind(enum.StrEnum):
    """Why units are owed to a platform."""

    #: A loss, fee or funding payment larger than the balance took it below zero.
    NEGATIVE_BALANCE = "negative_balance"
    #: Units borrowed on margin (``margin_loan``) and not yet handed back.
    MARGIN_LOAN = "margin_loan"


@dataclass(frozen=True, slots=True)
class Repayment:
    """Units a platform took against a debt (or a loan handed back): never a disposal.

    ``value`` is the share of the debt's booked value settled; ``basis`` the cost of the
    units that settled it (the two differ only when the coin's value moved, e.g. under [fx]).
    """

    repaid: datetime
    repaid_on: date
    tax_year: str
    quantity: Decimal
    value: Decimal
    basis: Decimal
    source: SourceRef


@dataclass(frozen=True, slots=True)
class Debt:
    """Units of ``asset`` owed to the platform ``wallet`` from ``incurred`` (source row), valued
    at ``value`` in the rule's fiat when incurred. A state, not an error (issue #15)."""

    asset: str
    quantity: Decimal
    value: Decimal
    wallet: str
    incurred: datetime
    incurred_on: date
    tax_year: str
    source: SourceRef
    kind: DebtKind = DebtKind.NEGATIVE_BALANCE
    #: The contract whose loss, fee or funding made the balance negative (if any).
    contract: str = ""
    repayments: tuple[Repayment, ...] = ()
    #: Every row that added to it (a loss and its fees in the same moment, say).
    sources: tuple[SourceRef, ...] = ()

    @property
    def open_quantity(self) -> Decimal:
        """Units still owed at the end of the data."""
        return self.quantity - sum((r.quantity for r in self.repayments), Decimal(0))

    @property
    def open_value(self) -> Decimal:
        """Booked value still owed at the end of the data."""
        return self.value - sum((r.value for r in self.repayments), Decimal(0))

    def open_value_on(self, day: date) -> Decimal:
        """Booked value still owed at the end of ``day`` (zero before the debt arose)."""
        if self.incurred_on > day:
            return Decimal(0)
        return self.value - sum((r.value for r in self.repayments if r.repaid_on <= day),
                                Decimal(0))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a renderer needs. Amounts are exact; renderers round once."""

    rule: Rule
    #: The lot method, or the pooling strategy when ``rule.matching`` is not ``lots``.
    method: Method | Matching
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
    conversions: tuple[Conversion, ...] = ()
    pool_history: tuple[PoolEntry, ...] = ()
    #: Forms 1099-DA given among the inputs, and the tie-out of them (issue #12).
    form_rows: tuple[FormRow, ...] = ()
    reconciliation: tuple[Reconciled, ...] = ()
    #: Wallets whose sales from 2025 on a Form 1099-DA not given reported (``--reported-by``).
    reported_by: tuple[str, ...] = ()
    #: Schedule D Exception 1 (``--schedule-d-1a``): box G/J rows without code or adjustment
    #: go on lines 1a/8a as totals, not on Form 8949.
    schedule_d_1a: bool = False
    #: The user's ``--overrides`` answers, one per row answered (issue #13).
    overrides: tuple[OverrideUse, ...] = ()
    #: Per (wallet, tax year): the exact gains of the engine's rows minus the gains of the
    #: rows tied to Forms 1099-DA (whose columns are the forms' cents): the sub-cent part the
    #: tie-out set aside, so the account statement still balances to the engine's books.
    tie_out_rounding: tuple[tuple[str, str, Decimal], ...] = ()
    #: Debts to platforms and margin loans (issue #15), in the order they arose.
    debts: tuple[Debt, ...] = ()
    #: Account-statement flows per wallet, tax year and line (issue #15).
    flows: tuple[Flow, ...] = ()
    #: ``--prices`` rows for the last day of the data, for assets still held (issue #15).
    closing_prices: tuple[Price, ...] = ()
    #: The last day of the data in the reporting zone (None for no trades).
    last_day: date | None = None
    #: Units held at the end of each day of the data that has ``--prices`` rows, with those
    #: rows (issue #15: the peak value of holdings); empty without ``--prices``.
    priced_days: tuple[DayHoldings, ...] = ()

    #: The ``id`` of every input row that has one, and its ``note`` (the accountant's trail:
    #: report.json, disposals.csv and the Audit sheet show those of the rows a disposal names
    #: beside each source row; ``row_reference`` reads both). Two maps: most rows have an
    #: id, few a note.
    row_ids: Mapping[SourceRef, str] = field(default_factory=dict)
    row_notes: Mapping[SourceRef, str] = field(default_factory=dict)

    def row_reference(self, source: SourceRef) -> tuple[str, str]:
        """The ``id`` and ``note`` of an input row ("" where it has none)."""
        return self.row_ids.get(source, ""), self.row_notes.get(source, "")


@dataclass(frozen=True, slots=True)
class FormRow:
    """One row of a Form 1099-DA (one sale a broker reported to the IRS), as read from its file.

    ``checkbox`` is the form's applicable Form 8949 box (G/H/J/K/Y/X, or ``""``), ``term`` its
    box 6 (``short``/``long``/``ordinary`` or ``""``), ``cost_basis`` its box 1g (None when
    blank). ``acquired_on`` is None when box 1d is blank or ``VARIOUS``.
    """

    broker: str
    wallet: str
    form_id: str
    checkbox: str
    asset: str
    units: Decimal
    acquired_on: date | None
    sold_on: date
    proceeds: Decimal
    cost_basis: Decimal | None
    basis_reported: bool
    term: str
    noncovered: bool
    withheld: Decimal
    transaction_id: str
    source: SourceRef


@dataclass(frozen=True, slots=True)
class Reconciled:
    """One line of the 1099-DA tie-out: a form row and the Form 8949 rows it became, or a sale
    of ours on no form given (``status`` ``not_on_form``).

    Amounts are rounded figures: ``form_*`` as on the form, ``our_*`` our own rows before any
    form figure was used, ``column_*`` the printed Form 8949 columns (d), (e), (g) of ``rows``
    (the 1-based row numbers of ``Report.disposals``). ``form_proceeds`` and ``form_basis``
    are the form's 1f and 1g rounded once by the tie-out (the figures it compared and shared
    on the rows; None with no form, ``form_basis`` None when 1g is blank): print these, never
    round ``form`` again.
    """

    status: str
    wallet: str
    broker: str
    asset: str
    sold_on: date
    units: Decimal
    box: str
    codes: str
    rows: tuple[int, ...]
    sale_sources: tuple[SourceRef, ...]
    form: FormRow | None
    our_units: Decimal
    our_proceeds: Decimal
    our_basis: Decimal
    column_d: Decimal
    column_e: Decimal
    column_g: Decimal
    differences: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    review: bool = False
    form_proceeds: Decimal | None = None
    form_basis: Decimal | None = None


R = TypeVar("R")


def maker(cls: type[R]) -> Callable[..., R]:
    """A fast positional constructor for a frozen, slotted record: ``maker(C)(*values)``
    equals ``C(*values)`` with every field given, in field order (defaults are not filled in).

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``: about
    four microseconds for a ``Disposal``, and a large history makes a million trades and a
    million disposals. This one makes an instance of a plain twin class with the same slots,
    in the same order, fills them, then gives the object its real class (Python allows
    ``__class__`` assignment between classes with the same layout). The result is an ordinary
    frozen instance: the same type, fields, equality and hash, and it refuses changes like
    any other. The maker is one generated function (no ``__init__`` call of its own, no
    argument tuple), as it runs for every row.
    Used only where records are made per row; everywhere else records are made by keyword.
    """
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    slots = getattr(cls, "__slots__", None)
    if (
        tuple(names) != slots
        or cls.__dictoffset__
        or hasattr(cls, "__post_init__")
        or any(name.startswith("_") for name in names)
    ):
        raise TypeError(
            f"{cls.__name__}: maker needs a slotted record without __post_init__ whose field "
            "names do not start with _"
        )
    twin: Any = type(f"_{cls.__name__}Maker", (), {"__slots__": slots})
    arguments = ", ".join(names)
    body = "".join(f"    _record.{name} = {name}\n" for name in names)
    # The same technique as dataclasses' own generated __init__ (source compiled once here);
    # its own names start with "_", which no field name of a record does.
    scope: dict[str, Any] = {"_new": object.__new__, "_twin": twin, "_cls": cls}
    exec(
        f"def make({arguments}):\n    _record = _new(_twin)\n{body}"
        "    _record.__class__ = _cls\n    return _record\n",
        scope,
    )
    make: Callable[..., R] = scope["make"]
    make.__doc__ = f"``{cls.__name__}(*values)``, made faster (see ``maker``)."
    return make


#: Positional constructors for the records made once per input row or Form 8949 row.
make_trade = maker(Trade)
make_disposal = maker(Disposal)
