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
from taxloss.model import Disposal, Matching, Notice, Rule, make_disposal
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

    def match(self, event: Event, quantity: Decimal, index: int) -> list[tuple[Part, str]]:
        """The slices a disposal uses, each with the identification rule that matched it.

        Lots: the method's order (label ``""``). UK pooling: the event's share of its day's
        same-day and 30-day matches, then the section 104 pool. Average cost: the pool.
        """
        if self.holdings.uk_plan is not None:
            planned = self.holdings.uk_plan.planned(index, quantity, event.asset, event.wallet)
            rest = quantity - sum((piece.quantity for piece, _ in planned), ZERO)
            pooled = self.taking.take_parts(event, rest) if rest > 0 else []
            return [(as_part(piece), label) for piece, label in planned] + [
                (part, POOL) for part in pooled
            ]
        label = "acb_pool" if self.rule.matching is Matching.AVERAGE_COST else ""
        return [(part, label) for part in self.taking.take_parts(event, quantity)]

    def dispose(self, event: Event, quantity: Decimal, proceeds: Decimal, number: int) -> None:
        """Dispose of ``quantity`` units for ``proceeds`` (event ``number`` of the run), one
        Form 8949 row per lot slice."""
        slices = self.match(event, quantity, number)
        remaining_proceeds, remaining_fee = proceeds, event.fee
        dates = self.dates
        disposed_on = dates.day(event.timestamp)
        first_row = len(self.disposals)
        last = len(slices) - 1
        utc, day, facts = dates.utc, dates.day, dates.facts
        for index, (piece, matching) in enumerate(slices):
            piece_acquired, _, piece_quantity, piece_basis, piece_source, _, known = piece
            if index == last:
                share, fee_share = remaining_proceeds, remaining_fee
            else:
                share = proceeds * piece_quantity / quantity
                fee_share = event.fee * piece_quantity / quantity
            remaining_proceeds -= share
            remaining_fee -= fee_share
            missing = not known
            if missing:
                if not self.allow_missing:
                    self.notes.problems.append(
                        Problem(
                            event.source,
                            f"sells {plain(piece_quantity)} {event.asset} "
                            f"received by the unmatched deposit at {piece_source}, whose "
                            "basis is unknown; add the transfer's other side or the "
                            "purchase, or run with --allow-missing-basis, or give the "
                            f"deposit its cost with --overrides lines '{piece_source},"
                            f"treat-as buy,NOTE' and '{piece_source},value COST,NOTE'",
                        )
                    )
                elif piece_source != event.source:
                    self.notes.warnings.append(
                        Notice(
                            "missing_basis",
                            f"{plain(piece_quantity)} {event.asset} from the "
                            f"unmatched deposit at {piece_source} given zero basis and "
                            "acquired on the sale date (short-term): --allow-missing-basis",
                            event.source,
                        )
                    )
            acquired = event.timestamp if missing else piece_acquired
            if missing:
                acquired_on = disposed_on
            else:
                acquired_on = piece_acquired.date() if utc else day(piece_acquired)
            found = facts.get((acquired_on, disposed_on))
            if found is None:
                found = dates.row_facts(acquired_on, disposed_on)
                facts[(acquired_on, disposed_on)] = found
            term, tax_year, box, discount, exempt = found
            # Positional, in Disposal's field order: one is made for every Form 8949 row.
            self.disposals.append(
                make_disposal(
                    event.asset, piece_quantity, acquired, event.timestamp, acquired_on,
                    disposed_on, share, piece_basis, term, tax_year, box, event.wallet,
                    event.disposal_kind, event.source, piece_source, event.description, ZERO,
                    "", event.liquidation, missing, fee_share, matching, ZERO, discount, exempt, "",
                )
            )  # fmt: skip
        if self.disallowance.windows:
            self.disallowance.deny(event, quantity, number, self.disposals, first_row)
