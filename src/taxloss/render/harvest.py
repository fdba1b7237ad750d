"""The loss-harvest view (issue #14) as a terminal table, ``--json`` and a workbook.

Presents ``returns.harvest.Harvest`` only: every figure (lot values, Schedule D lines, the
carryover worksheet, the estimate) was computed there, on amounts rounded once.
Must not import the engine, parsers or CLI.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path

from taxloss.model import Rule
from taxloss.money import plain
from taxloss.render.labels import NOT_ADVICE
from taxloss.render.text import amount
from taxloss.render.xlsx_writer import BOLD, HEAD, MONEY, MONEY_BOLD, WRAP, Sheet, save
from taxloss.returns.harvest import Harvest, OpenLot, Sale
from taxloss.returns.us import offset_json


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def harvest_json(result: Harvest) -> dict[str, object]:
    """The ``--json`` object: ``as_of``, ``lots``, ``harvestable_loss``, ``before``, ``after``
    (amounts as decimal strings; a lot without a price has null price, value and unrealized).
    ``before``/``after`` are the year's report.json ``loss_offset`` objects; ``after`` also
    lists the chosen ``sales``."""
    after = offset_json(result.after)
    after["sales"] = [_sale_json(s) for s in result.sales]
    after["harvested_loss"] = _text(result.harvested_loss)
    after["disallowed_loss"] = _text(result.disallowed)
    if result.saving is not None:
        after["tax_saving_estimate"] = _text(result.saving)
    return {
        "as_of": result.as_of.isoformat(),
        "lots": [_lot_json(row) for row in result.lots],
        "harvestable_loss": _text(result.harvestable_loss),
        "before": offset_json(result.before),
        "after": after,
    }


def _lot_json(row: OpenLot) -> dict[str, object]:
    return {
        "wallet": row.lot.wallet,
        "asset": row.lot.asset,
        "quantity": plain(row.lot.quantity),
        "acquired": row.facts.acquired_on.isoformat(),
        "cost_basis": _text(row.cost_basis),
        "price": None if row.valuation is None else plain(row.valuation.price),
        "market_value": _text(row.market_value),
        "unrealized": _text(row.unrealized),
        "term": row.term.value,
    }


def _sale_json(sale: Sale) -> dict[str, object]:
    return {
        "wallet": sale.lot.lot.wallet,
        "asset": sale.lot.lot.asset,
        "quantity": plain(sale.quantity),
        "acquired": sale.lot.facts.acquired_on.isoformat(),
        "proceeds": _text(sale.proceeds),
        "cost_basis": _text(sale.cost_basis),
        "gain_loss": _text(sale.proceeds - sale.cost_basis + sale.disallowed),
        "disallowed": _text(sale.disallowed),
        "term": sale.lot.term.value,
        "box": sale.lot.facts.box,
        "lot_source": str(sale.lot.lot.source),
    }


def _money(value: Decimal | None) -> str:
    return "no price" if value is None else amount(value)


def schedule_rows(result: Harvest) -> list[tuple[str, Decimal | None, Decimal | None]]:
    """The before/after comparison: Schedule D lines, the deduction, the carryovers and the
    carryover worksheet (lines the worksheet skips are None)."""
    b, a = result.before, result.after
    nxt = int(result.year) + 1
    rows: list[tuple[str, Decimal | None, Decimal | None]] = [
        ("Sch. D line 6  short-term carryover in", b.line6, a.line6),
        ("Sch. D line 7  net short-term gain or (loss)", b.line7, a.line7),
        ("Sch. D line 14 long-term carryover in", b.line14, a.line14),
        ("Sch. D line 15 net long-term gain or (loss)", b.line15, a.line15),
        ("Sch. D line 16 net gain or (loss)", b.line16, a.line16),
        (f"Sch. D line 21 loss deducted (limit {amount(result.limit)})", b.line21, a.line21),
        ("Deduction against ordinary income", b.deduction, a.deduction),
        (f"Carryover to {nxt}: short-term (worksheet line 8)", b.carryover_short,
         a.carryover_short),
        (f"Carryover to {nxt}: long-term (worksheet line 13)", b.carryover_long,
         a.carryover_long),
    ]  # fmt: skip
    for number in range(1, 14):
        key = str(number)
        before, after = b.worksheet.get(key), a.worksheet.get(key)
        if before is not None or after is not None:
            rows.append((f"Carryover worksheet line {number}", before, after))
    return rows


def _lot_cells(row: OpenLot) -> list[str]:
    price = ""
    if row.valuation is not None:
        price = plain(row.valuation.price)
    return [
        row.lot.wallet,
        row.lot.asset,
        plain(row.lot.quantity),
        row.facts.acquired_on.isoformat(),
        amount(row.cost_basis),
        price or "-",
        row.valuation.source if row.valuation is not None else "MISSING",
        _money(row.market_value),
        _money(row.unrealized),
        row.term.value,
        str(row.days_to_long) if row.days_to_long else "-",
    ]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


LOT_HEADER = (
    "wallet", "asset", "units", "acquired", "cost basis", "price", "price source",
    "value", "unrealized", "term", "days to LT",
)  # fmt: skip


def harvest_text(result: Harvest, rule: Rule, method: str, inputs: str = "") -> str:
    """The terminal view: the lots, the chosen sales, Schedule D before and after, the
    statements and notes."""
    out = [
        f"taxloss harvest: open lots on {result.as_of.isoformat()} "
        f"({rule.name}, {rule.path} version {rule.version}, method {method})",
    ]
    if inputs:
        out.append(f"inputs: {inputs}")
    out.append("")
    rows = []
    for row in result.lots:
        cells = _lot_cells(row)
        if row.covered is not None:
            cells.append("yes" if row.covered else "no")
            cells.append(amount(row.broker_basis) if row.broker_basis is not None else "-")
        cells.append(", ".join(row.flags))
        rows.append(cells)
    header = list(LOT_HEADER)
    if any(r.covered is not None for r in result.lots):
        header += ["covered", "broker FIFO basis"]
    header.append("flags")
    right = {2, 4, 5, 7, 8, 10} | ({11, 12} if len(header) > 12 else set())
    out += _table(header, rows, right)
    out.append("")
    out.append(f"Harvestable loss (sum of unrealized losses): {amount(result.harvestable_loss)}")
    if result.missing:
        out.append(f"Lots without a price on {result.as_of.isoformat()} (not valued, not counted):")
        out += [f"  {r.lot.wallet} {r.lot.asset} {plain(r.lot.quantity)} ({r.lot.source})"
                for r in result.missing]  # fmt: skip
    out += ["", f"Target: {result.target.label}"]
    if result.sales:
        sale_rows = [
            [s.lot.lot.wallet, s.lot.lot.asset, plain(s.quantity),
             s.lot.facts.acquired_on.isoformat(), amount(s.proceeds), amount(s.cost_basis),
             amount(s.disallowed) if s.disallowed else "",
             amount(s.proceeds - s.cost_basis + s.disallowed), s.lot.term.value,
             s.lot.facts.box]
            for s in result.sales
        ]  # fmt: skip
        out += _table(
            ["wallet", "asset", "units", "acquired", "proceeds", "cost basis", "W adj.",
             "gain or (loss)", "term", "box"],
            sale_rows, {2, 4, 5, 6, 7},
        )  # fmt: skip
        out.append(f"Loss realised by these sales: {amount(result.harvested_loss)}")
        if result.disallowed:
            out.append(f"  of which disallowed (wash-sale what-if, code W): "
                       f"{amount(result.disallowed)}")  # fmt: skip
    else:
        out.append("No sale: nothing to harvest for this target.")
    out += ["", f"Tax year {result.year}: Schedule D and the carryover worksheet"]
    table = [[label, _money(b) if b is not None else "-", _money(a) if a is not None else "-"]
             for label, b, a in schedule_rows(result)]  # fmt: skip
    out += _table(["", "before", "after"], table, {1, 2})
    if result.saving is not None:
        out.append(
            f"Estimated tax change at {plain(result.marginal_rate or Decimal(0))}%: "
            f"{amount(result.saving)} less tax (estimate)"
        )
    out.append("")
    out += result.statements
    if result.notes:
        out += ["", "Check:"] + [f"  {n}" for n in result.notes]
    out += ["", NOT_ADVICE, ""]
    return "\n".join(out)


def render_harvest_xlsx(
    result: Harvest, rule: Rule, out: Path, method: str = "", inputs: str = ""
) -> Path:
    """Write ``harvest-<as-of>.xlsx``: the open lots, the chosen sales, Schedule D before and
    after, and the statements. Text cells are inline strings (never formulas).

    Returns:
        ``out``.
    """
    lots = Sheet("Open lots", widths=(14, 8, 16, 12, 14, 12, 30, 14, 14, 8, 10, 9, 16, 40),
                 freeze_header=True, autofilter=True)  # fmt: skip
    header = [*LOT_HEADER, "covered", "broker FIFO basis", "flags"]
    lots.append([(h, HEAD) for h in header])
    for row in result.lots:
        lots.append([
            row.lot.wallet, row.lot.asset, plain(row.lot.quantity), row.facts.acquired_on,
            (row.cost_basis, MONEY),
            row.valuation.price if row.valuation is not None else None,
            row.valuation.source if row.valuation is not None else "MISSING",
            (row.market_value, MONEY), (row.unrealized, MONEY), row.term.value,
            row.days_to_long or None,
            None if row.covered is None else ("yes" if row.covered else "no"),
            (row.broker_basis, MONEY), ", ".join(row.flags),
        ])  # fmt: skip
    lots.append([])
    lots.append([("Harvestable loss", BOLD), *[None] * 7, (result.harvestable_loss, MONEY_BOLD)])
    sales = Sheet("Sales (what-if)", widths=(14, 8, 16, 12, 14, 14, 12, 14, 8, 6, 30))
    sales.append([(h, HEAD) for h in ("wallet", "asset", "units", "acquired", "proceeds",
                  "cost basis", "W adjustment", "gain or (loss)", "term", "box",
                  "lot source")])  # fmt: skip
    for s in result.sales:
        sales.append([
            s.lot.lot.wallet, s.lot.lot.asset, plain(s.quantity), s.lot.facts.acquired_on,
            (s.proceeds, MONEY), (s.cost_basis, MONEY), (s.disallowed, MONEY),
            (s.proceeds - s.cost_basis + s.disallowed, MONEY), s.lot.term.value,
            s.lot.facts.box, str(s.lot.lot.source),
        ])  # fmt: skip
    sales.append([])
    sales.append([(f"Target: {result.target.label}", BOLD)])
    schedule = Sheet(f"Schedule D {result.year}", widths=(52, 16, 16))
    schedule.append([("", HEAD), ("before", HEAD), ("after", HEAD)])
    for label, before, after in schedule_rows(result):
        schedule.append([label, (before, MONEY), (after, MONEY)])
    if result.saving is not None:
        schedule.append([f"Estimated tax change at {plain(result.marginal_rate or Decimal(0))}%"
                         " (estimate)", None, (result.saving, MONEY)])  # fmt: skip
    notes = Sheet("Statements", widths=(120,))
    named = [f"Rule file: {rule.path} (version {rule.version}); method: {method or '-'}; "
             f"inputs: {inputs or '-'}"]  # fmt: skip
    for line in [*result.statements, *result.notes, NOT_ADVICE, *named]:
        notes.append([(line, WRAP)])
    created = datetime.combine(result.as_of, time(0), tzinfo=UTC)
    return save([lots, sales, schedule, notes], out,
                title=f"taxloss harvest {result.as_of.isoformat()}", created=created)  # fmt: skip
