"""UK share-pooling identification for cryptoassets (reference §2; HMRC CRYPTO22200 et seq.,
TCGA 1992 ss.104-106A), as a plan made before the run.

Per token, in this order:

1. **Same day** (s.105): all acquisitions of a local day are one acquisition and all disposals
   of that day one disposal; they are matched first.
2. **30 days after** ("bed and breakfast", s.106A): the rest of a day's disposal is matched with
   acquisitions in the ``forward_window_days`` days after it, earliest day first; earlier
   disposals are matched first.
3. **Section 104 pool** (s.104): whatever is left comes from the pool at average cost (the run's
   ``PoolBook``). Acquisitions matched by 1 or 2 never enter the pool.

Matching needs only units and dates, and the cost of a day's acquisitions is known from the
events, so the plan is computed from the sorted event list before the run. The run then gives
each disposal event its share of the day's matches (pro rata by units, since the day's
disposals are one disposal), takes the rest from the pool, and adds to the pool only the
unmatched share of each acquisition.
Must not import anything but ``taxloss.model``, ``taxloss.money``, the engine's own modules
and the standard library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from taxloss.engine.average_cost import unit_change
from taxloss.engine.events import Event
from taxloss.model import Lot, SourceRef
from taxloss.money import ZERO

SAME_DAY = "same_day"
BED_AND_BREAKFAST = "bed_and_breakfast"
POOL = "s104_pool"


@dataclass
class AcquisitionDay:
    """All acquisitions of one token on one local day: one acquisition (s.105)."""

    units: Decimal = ZERO
    cost: Decimal = ZERO
    first: datetime | None = None
    source: SourceRef | None = None
    reserved: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        """Units not yet matched with a disposal (the rest will enter the pool)."""
        return self.units - self.reserved


@dataclass(frozen=True, slots=True)
class Part:
    """Part of a day's disposal matched with a day's acquisition (rule 1 or 2)."""

    matching: str
    units: Decimal
    cost: Decimal
    acquired: datetime
    source: SourceRef


@dataclass
class DisposalDay:
    """All disposals of one token on one local day: one disposal (s.105), and its matches."""

    units: Decimal = ZERO
    parts: list[Part] = field(default_factory=list)

    @property
    def matched(self) -> Decimal:
        """Units matched under rules 1 and 2 (the rest comes from the pool)."""
        return sum((p.units for p in self.parts), ZERO)


@dataclass
class UkPlan:
    """The same-day and 30-day matches, by event index."""

    disposals: dict[int, DisposalDay] = field(default_factory=dict)
    reserved: dict[int, Decimal] = field(default_factory=dict)

    def planned(self, index: int, units: Decimal, asset: str, wallet: str) -> list[tuple[Lot, str]]:
        """This disposal event's share of its day's rule-1 and rule-2 matches, as lot slices.

        Args:
            index: the disposal event's index.
            units: its units (its share of the day is ``units / day units``).
            asset: the token.
            wallet: the wallet it left (slices are labelled with it).

        Returns:
            (slice, matching rule) pairs; the caller takes the rest from the pool.
        """
        day = self.disposals.get(index)
        if day is None or not day.parts or day.units <= 0:
            return []
        out = []
        for part in day.parts:
            share = part.units * units / day.units
            cost = part.cost * units / day.units
            out.append((Lot(part.acquired, asset, share, cost, part.source, wallet), part.matching))
        return out

    def pooled_share(self, index: int) -> Decimal:
        """The share (0 to 1) of an acquisition event's units and cost that enters the pool."""
        return Decimal(1) - self.reserved.get(index, ZERO)


def plan_uk(
    events: Sequence[Event], day_of: Callable[[datetime], date], window_days: int
) -> UkPlan:
    """Match disposals under the same-day and 30-day rules before the run.

    Args:
        events: the run's events, sorted by time.
        day_of: local date of a timestamp (the rule's zone).
        window_days: ``matching.forward_window_days`` (30).

    Returns:
        The plan: per disposal event its day's matches; per acquisition event the share kept
        out of the pool.
    """
    acquisitions: dict[tuple[str, date], AcquisitionDay] = {}
    members: dict[tuple[str, date], list[int]] = {}
    disposals: dict[tuple[str, date], DisposalDay] = {}
    disposal_events: dict[tuple[str, date], list[int]] = {}
    for index, event in enumerate(events):
        acquired, disposed, _ = unit_change(event)
        if acquired <= 0 and disposed <= 0:
            continue
        key = (event.asset, day_of(event.timestamp))
        if acquired > 0:
            day = acquisitions.setdefault(key, AcquisitionDay())
            if day.first is None:
                day.first, day.source = event.timestamp, event.source
            day.units += acquired
            day.cost += event.value
            members.setdefault(key, []).append(index)
        if disposed > 0:
            disposals.setdefault(key, DisposalDay()).units += disposed
            disposal_events.setdefault(key, []).append(index)
    order = sorted(disposals, key=lambda k: (k[1], k[0]))
    # Rule 1: same day.
    for key in order:
        sold, bought = disposals[key], acquisitions.get(key)
        if bought is not None:
            _match(sold, bought, min(sold.units, bought.available), SAME_DAY)
    # Rule 2: acquisitions in the window after the disposal, earliest first; earlier disposals
    # first.
    for asset_day in order:
        sold = disposals[asset_day]
        asset, sold_on = asset_day
        for offset in range(1, window_days + 1):
            left = sold.units - sold.matched
            if left <= 0:
                break
            bought = acquisitions.get((asset, sold_on + timedelta(days=offset)))
            if bought is not None and bought.available > 0:
                _match(sold, bought, min(left, bought.available), BED_AND_BREAKFAST)
    plan = UkPlan()
    for key, indexes in disposal_events.items():
        for index in indexes:
            plan.disposals[index] = disposals[key]
    for key, indexes in members.items():
        bought_day = acquisitions[key]
        if bought_day.reserved > 0:
            share = (
                Decimal(1)
                if bought_day.reserved >= bought_day.units
                else bought_day.reserved / bought_day.units
            )
            for index in indexes:
                plan.reserved[index] = share
    return plan


def _match(sold: DisposalDay, bought: AcquisitionDay, units: Decimal, rule: str) -> None:
    if units <= 0 or bought.first is None or bought.source is None:
        return
    cost = bought.cost if units == bought.units else bought.cost * units / bought.units
    sold.parts.append(Part(rule, units, cost, bought.first, bought.source))
    bought.reserved += units
