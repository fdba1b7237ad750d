"""The engine's events: single-asset movements that valuation derives from trades.

An ``Event`` is engine-internal plumbing, not one of the records of ``taxloss.model``: the
engine makes one or more for every trade and discards them when the report is built. It is a
plain slotted dataclass, not a frozen one, because building a frozen instance sets each of its
23 fields through ``object.__setattr__`` (several microseconds per event, seconds for a
million-row history). Nothing changes an event once it is made; ``dataclasses.replace`` makes
a changed copy.
Must not import anything but ``taxloss.model`` and the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from taxloss.model import DisposalKind, EventKind, SourceRef


@dataclass(slots=True)
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
