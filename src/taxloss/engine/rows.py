"""Disposals become Form 8949 rows: the slices a disposal uses (the method's lots, the UK
same-day and 30-day matches then the pool, or the average-cost pool), each with its share of
the proceeds and fee and the facts of its holding period."""

from __future__ import annotations

from decimal import Decimal

from taxloss.engine.dates import Dates
from taxloss.engine.disallowance import Disallowance
from taxloss.engine.events import Event
from taxloss.engine.holdings import Holdings
from taxloss.engine.lots import Part, as_part
from taxloss.engine.notes import Notes
from taxloss.engine.taking import Taking
from taxloss.engine.uk_pooling import POOL
from taxloss.errors import Problem
from taxloss.model import Disposal, Matching, Notice, Rule, SourceRef, make_disposal
from taxloss.money import ZERO, plain


class Rows:
    """The run's Form 8949 rows for disposals of held units, in event order."""

    def __init__(
        self,
        rule: Rule,
        allow_missing: bool,
        dates: Dates,
        notes: Notes,
        holdings: Holdings,
        taking: Taking,
        disallowance: Disallowance,
    ) -> None:
        self.rule = rule
        self.allow_missing = allow_missing
        self.dates = dates
        self.notes = notes
        self.holdings = holdings
        self.taking = taking
        self.disallowance = disallowance
        self.disposals: list[Disposal] = []
        #: The identification rule of every slice outside UK pooling.
        self.label = "acb_pool" if rule.matching is Matching.AVERAGE_COST else ""

    def uk_match(self, event: Event, quantity: Decimal, index: int) -> tuple[list[Part], list[str]]:
        """UK pooling's slices of a disposal (same day, 30 days, then the section 104 pool)
        and the rule that matched each one."""
        assert self.holdings.uk_plan is not None
        planned = self.holdings.uk_plan.planned(index, quantity, event.asset, event.wallet)
        rest = quantity - sum((piece.quantity for piece, _ in planned), ZERO)
        pooled = self.taking.take_parts(event, rest) if rest > 0 else []
        parts = [as_part(piece) for piece, _ in planned] + pooled
        return parts, [label for _, label in planned] + [POOL] * len(pooled)

    def dispose(self, event: Event, quantity: Decimal, proceeds: Decimal, number: int) -> None:
        """Dispose of ``quantity`` units for ``proceeds`` (event ``number`` of the run), one
        Form 8949 row per slice: the method's lots in order (label ``""``), UK pooling's
        matches (``uk_match``), or the average-cost pool (label ``acb_pool``).

        Each slice but the last gets ``amount * its units / quantity`` of the proceeds and of
        the fee; the last gets what is left, so the rows add up to the disposal exactly.
        """
        labels: list[str] | None = None  # None: every slice has ``self.label``
        if self.holdings.uk_plan is None:
            slices = self.taking.take_parts(event, quantity)
        else:
            slices, labels = self.uk_match(event, quantity, number)
        label = self.label
        fee = event.fee
        remaining_proceeds, remaining_fee = proceeds, fee
        # The sale's fields, read once (a disposal has a row per slice).
        asset, sold, wallet, source = event.asset, event.timestamp, event.wallet, event.source
        kind, description, liquidation = event.disposal_kind, event.description, event.liquidation
        dates = self.dates
        utc, day = dates.utc, dates.day
        disposed_on = sold.date() if utc else day(sold)
        day_facts = dates.facts.get(disposed_on)
        if day_facts is None:
            day_facts = dates.facts[disposed_on] = (disposed_on, {})
        disposed_on, facts = day_facts
        disposals = self.disposals
        first_row = len(disposals)
        last = len(slices) - 1
        for index, piece in enumerate(slices):
            piece_acquired, _, piece_quantity, piece_basis, piece_source, _, known = piece
            matching = label if labels is None else labels[index]
            if index == last:
                share, fee_share = remaining_proceeds, remaining_fee
            else:
                share = proceeds * piece_quantity / quantity
                fee_share = fee * piece_quantity / quantity
                remaining_proceeds -= share
                remaining_fee -= fee_share
            if known:
                acquired = piece_acquired
                acquired_on = piece_acquired.date() if utc else day(piece_acquired)
            else:
                self.missing(event, piece_quantity, piece_source)
                acquired, acquired_on = sold, disposed_on
            found = facts.get(acquired_on)
            if found is None:
                found = facts[acquired_on] = (
                    acquired_on,
                    *dates.row_facts(acquired_on, disposed_on),
                )
            acquired_on, term, tax_year, box, discount, exempt = found
            # Positional, in Disposal's field order: one is made for every Form 8949 row.
            disposals.append(
                make_disposal(
                    asset, piece_quantity, acquired, sold, acquired_on, disposed_on, share,
                    piece_basis, term, tax_year, box, wallet, kind, source, piece_source,
                    description, ZERO, "", liquidation, not known, fee_share, matching, ZERO,
                    discount, exempt, "",
                )
            )  # fmt: skip
        if self.disallowance.windows:
            self.disallowance.deny(event, quantity, number, disposals, first_row)

    def missing(self, event: Event, quantity: Decimal, source: SourceRef) -> None:
        """A slice of units of unknown basis (from the unmatched deposit at ``source``) sold:
        a problem, or with ``--allow-missing-basis`` a warning (none for the sale's own
        zero-basis filler)."""
        if not self.allow_missing:
            self.notes.problems.append(
                Problem(
                    event.source,
                    f"sells {plain(quantity)} {event.asset} "
                    f"received by the unmatched deposit at {source}, whose "
                    "basis is unknown; add the transfer's other side or the "
                    "purchase, or run with --allow-missing-basis, or give the "
                    f"deposit its cost with --overrides lines '{source},"
                    f"treat-as buy,NOTE' and '{source},value COST,NOTE'",
                )
            )
        elif source != event.source:
            self.notes.warnings.append(
                Notice(
                    "missing_basis",
                    f"{plain(quantity)} {event.asset} from the "
                    f"unmatched deposit at {source} given zero basis and "
                    "acquired on the sale date (short-term): --allow-missing-basis",
                    event.source,
                )
            )
