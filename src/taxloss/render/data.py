"""Machine-readable outputs: ``report.json`` and ``disposals.csv``.

Money is a decimal string rounded once (``render.figures``); each year's totals are sums of
its rounded rows; quantities are exact. Key order and row order are fixed, and nothing depends
on the clock, so a rerun writes identical bytes.
Sees only ``Report``; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from types import GeneratorType
from typing import Any, TextIO

from taxloss import __version__
from taxloss.model import (
    HoldingEffect,
    LossDisallowance,
    Lot,
    Matching,
    Notice,
    Report,
    Rule,
    SourceRef,
    Term,
    Transfer,
)
from taxloss.money import plain, quantize
from taxloss.render.figures import (
    NOT_ADVICE,
    Printed,
    Row,
    Totals,
    income_by_year,
    money,
    printed,
    text_money,
)

SCHEMA = "taxloss.report/1"

DISPOSAL_FIELDS = (
    "tax_year",
    "asset",
    "description",
    "quantity",
    "acquired",
    "disposed",
    "term",
    "box",
    "proceeds",
    "cost_basis",
    "adjustments",
    "codes",
    "gain_loss",
    "wallet",
    "kind",
    "liquidation",
    "missing_basis",
    "fee",
    "acquired_at",
    "disposed_at",
    "sale_source",
    "lot_source",
)


def extra_fields(rule: Rule) -> tuple[str, ...]:
    """Disposal fields only some rules have (issue #5): the matching rule of a pooling rule,
    the denied superficial loss, the AU discount and DE exemption flags."""
    fields = []
    if rule.matching is not Matching.LOTS:
        fields.append("matching")
    if rule.disallowance.kind is LossDisallowance.SUPERFICIAL_LOSS:
        fields.append("denied_loss")
    if rule.holding_effect is HoldingEffect.DISCOUNT:
        fields.append("discount")
    if rule.holding_effect is HoldingEffect.EXEMPT:
        fields.append("exempt")
    return tuple(fields)


def fields_for(report: Report) -> tuple[str, ...]:
    """The disposal fields of report.json and disposals.csv for this report's rule."""
    return DISPOSAL_FIELDS + extra_fields(report.rule)


def _ts(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def _src(source: SourceRef | None) -> str | None:
    return str(source) if source is not None else None


def disposal_values(row: Row, report: Report) -> tuple[object, ...]:
    """One disposal's report.json / disposals.csv values, in ``DISPOSAL_FIELDS`` order."""
    d = row.disposal
    rule = report.rule
    return (
        d.tax_year,
        d.asset,
        row.description,
        plain(d.quantity),
        row.acquired.isoformat(),
        row.disposed.isoformat(),
        d.term.value,
        d.box,
        f"{row.proceeds:f}",
        f"{row.cost_basis:f}",
        f"{row.adjustment:f}",
        row.codes,
        f"{row.gain:f}",
        d.wallet,
        d.kind.value,
        d.liquidation,
        d.missing_basis,
        f"{quantize(d.fee, rule.rounding_quantum, rule.rounding_mode):f}",
        _ts(d.acquired),
        _ts(d.disposed),
        f"{d.sale_source.path}:{d.sale_source.line}",
        f"{d.lot_source.path}:{d.lot_source.line}",
        *(_extra(name, row, report) for name in extra_fields(rule)),
    )


def _extra(name: str, row: Row, report: Report) -> object:
    d = row.disposal
    if name == "denied_loss":
        return f"{money(d.denied_loss, report.rule):f}"
    return getattr(d, name)


def records(report: Report, figures: Printed | None = None) -> Iterator[tuple[object, ...]]:
    """Every disposal's values, made as they are written (a million rows of them would not
    fit comfortably in memory at once)."""
    for row in printed(report, figures).rows:
        yield disposal_values(row, report)


def disposal_record(row: Row, report: Report) -> dict[str, Any]:
    """One disposal as a report.json object."""
    return dict(zip(fields_for(report), disposal_values(row, report), strict=True))


def _totals(totals: Totals) -> dict[str, Any]:
    return {
        "proceeds": text_money(totals.proceeds),
        "cost_basis": text_money(totals.cost_basis),
        "adjustments": text_money(totals.adjustment),
        "gain_loss": text_money(totals.gain),
        "rows": totals.rows,
    }


def _lot(lot: Lot, report: Report) -> dict[str, Any]:
    return {
        "asset": lot.asset,
        "wallet": lot.wallet,
        "quantity": plain(lot.quantity),
        "cost_basis": text_money(money(lot.cost_basis, report.rule)) if lot.basis_known else None,
        "basis_known": lot.basis_known,
        "acquired_at": _ts(lot.acquired),
        "source": str(lot.source),
    }


def _transfer(transfer: Transfer) -> dict[str, Any]:
    return {
        "asset": transfer.asset,
        "matched": transfer.matched,
        "sent": plain(transfer.sent),
        "received": plain(transfer.received),
        "fee_units": plain(transfer.fee),
        "from_wallet": transfer.from_wallet or None,
        "to_wallet": transfer.to_wallet or None,
        "sent_at": _ts(transfer.sent_at),
        "received_at": _ts(transfer.received_at),
        "withdrawal_source": _src(transfer.withdrawal_source),
        "deposit_source": _src(transfer.deposit_source),
        "reason": transfer.reason,
    }


def _notice(notice: Notice) -> dict[str, Any]:
    return {"code": notice.code, "message": notice.message, "source": _src(notice.source)}


def build_json(
    report: Report,
    extra_years: dict[str, dict[str, Any]] | None = None,
    figures: Printed | None = None,
) -> dict[str, Any]:
    """Assemble report.json as ordered plain data.

    Args:
        report: the report.
        extra_years: per-year objects to merge (e.g. ``loss_offset``), keyed by year label.

    Returns:
        A JSON-ready dict.
    """
    rule = report.rule
    shown = printed(report, figures)
    years: dict[str, Any] = {}
    income = income_by_year(report)
    for year in sorted(set(report.tax_years) | set(income) | set(extra_years or {})):
        if not rule.boxes:
            years[year] = _country_year(report, shown, year, income)
            if extra_years and year in extra_years:
                years[year].update(extra_years[year])
            continue
        figures_of_year = shown.year(year)
        years[year] = {
            "short_term": _totals(figures_of_year.short),
            "long_term": _totals(figures_of_year.long),
            "total": _totals(figures_of_year.total),
            "boxes": {
                f"{section.box}": {
                    "part": "I" if section.term is Term.SHORT else "II",
                    "schedule_d_line": section.schedule_d_line,
                    **_totals(section.totals),
                }
                for section in figures_of_year.sections
            },
            "liquidations": figures_of_year.liquidations,
            "ordinary_income": text_money(income.get(year, Decimal(0))),
        }
        if extra_years and year in extra_years:
            years[year].update(extra_years[year])
    return {
        "schema": SCHEMA,
        "version": __version__,
        "not_tax_advice": NOT_ADVICE,
        "country": rule.country,
        "rule": {
            "id": rule.id,
            "name": rule.name,
            "version": rule.version,
            "file": rule.path,
            "sha256": rule.sha256,
        },
        "method": report.method.value,
        "basis_scope": report.basis_scope,
        "timezone": report.timezone,
        "currency": rule.fiat,
        "inputs": [
            {
                "path": i.path,
                "sha256": i.sha256,
                "format": i.format,
                "rows": i.rows,
                "first": _ts(i.first),
                "last": _ts(i.last),
            }
            for i in report.inputs
        ],
        "tax_years": years,
        "disposals": (
            dict(zip(fields_for(report), values, strict=True)) for values in records(report, shown)
        ),
        "open_lots": [_lot(lot, report) for lot in report.open_lots],
        "transfers": [_transfer(t) for t in report.transfers],
        "allocations": [
            {
                "wallet": a.wallet,
                "asset": a.asset,
                "quantity": plain(a.quantity),
                "cost_basis": text_money(money(a.cost_basis, rule)),
                "acquired_at": _ts(a.acquired),
                "lot_source": str(a.lot_source),
                "rule": a.rule,
            }
            for a in report.allocations
        ],
        "income": [
            {
                "tax_year": i.tax_year,
                "received": i.received_on.isoformat(),
                "asset": i.asset,
                "quantity": plain(i.quantity),
                "fiat_value": text_money(money(i.fiat_value, rule)),
                "wallet": i.wallet,
                "kind": i.kind,
                "source": str(i.source),
            }
            for i in report.income
        ],
        "expenses": [
            {
                "tax_year": e.tax_year,
                "paid": e.received_on.isoformat(),
                "asset": e.asset,
                "quantity": plain(e.quantity),
                "fiat_value": text_money(money(e.fiat_value, rule)),
                "wallet": e.wallet,
                "kind": e.kind,
                "source": str(e.source),
            }
            for e in report.expenses
        ],
        "warnings": [_notice(n) for n in report.warnings],
        "assumptions": [_notice(n) for n in report.assumptions],
        **_country_extras(report),
    }


def _country_year(
    report: Report, shown: Printed, year: str, income: dict[str, Decimal]
) -> dict[str, Any]:
    """A tax year of a rule without Form 8949 boxes: totals, and the holding categories its
    ``holding.effect`` gives (AU discount / non-discount, DE exempt / taxable)."""
    rows = [row for row in shown.rows if row.disposal.tax_year == year]
    total = Totals()
    for row in rows:
        total.add(row)
    data: dict[str, Any] = {"total": _totals(total)}
    effect = report.rule.holding_effect
    flag = {HoldingEffect.DISCOUNT: "discount", HoldingEffect.EXEMPT: "exempt"}.get(effect)
    if flag:
        held, other = Totals(), Totals()
        for row in rows:
            (held if getattr(row.disposal, flag) else other).add(row)
        names = {"discount": ("discount", "non_discount"), "exempt": ("exempt", "taxable")}
        data[names[flag][0]] = _totals(held)
        data[names[flag][1]] = _totals(other)
    data["liquidations"] = sum(1 for row in rows if row.disposal.liquidation)
    data["ordinary_income"] = text_money(income.get(year, Decimal(0)))
    return data


def _country_extras(report: Report) -> dict[str, Any]:
    """report.json keys of rules with ``[fx]`` (every conversion) or a pool (its history)."""
    out: dict[str, Any] = {}
    if report.rule.fx is not None:
        out["fx_source"] = sorted({c.rate.source.path for c in report.conversions})
        out["conversions"] = [
            {"source": str(c.source), "date": c.day.isoformat(), "currency": c.currency,
             "amount": plain(c.amount), "rate": plain(c.rate.rate),
             "rate_date": c.rate.day.isoformat(), "rate_source": str(c.rate.source),
             "value": plain(c.value), "prior_day": c.prior_day}
            for c in report.conversions
        ]  # fmt: skip
    if report.pool_history:
        out["pool_history"] = [
            {"at": _ts(e.moment), "asset": e.asset, "change": e.action, "units": plain(e.units),
             "cost": plain(e.cost), "units_after": plain(e.units_after),
             "cost_after": plain(e.cost_after), "source": str(e.source)}
            for e in report.pool_history
        ]  # fmt: skip
    return out


def dumps(value: Any, indent: int = 0) -> str:
    """JSON text: objects indented, but each object inside a list on one line.

    One disposal per line keeps report.json readable and diffable, and lets the C encoder
    (which ``indent=`` disables) do the bulk of the work.
    """
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = (f"{pad}{json.dumps(k)}: {dumps(v, indent + 2)}" for k, v in value.items())
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(value, GeneratorType):
        value = list(value)
    if isinstance(value, list):
        if not value:
            return "[]"
        items = (f"{pad}{json.dumps(v, ensure_ascii=False)}" for v in value)
        return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    return json.dumps(value, ensure_ascii=False)


def write_json(handle: TextIO, value: Any, indent: int = 0) -> None:
    """Write ``dumps(value)`` to ``handle`` piece by piece (a large report never becomes one
    string in memory); the bytes are the same as ``dumps``."""
    if isinstance(value, dict) and value:
        pad = " " * (indent + 2)
        handle.write("{\n")
        for position, (key, item) in enumerate(value.items()):
            if position:
                handle.write(",\n")
            handle.write(f"{pad}{json.dumps(key)}: ")
            write_json(handle, item, indent + 2)
        handle.write("\n" + " " * indent + "}")
    elif isinstance(value, (list, GeneratorType)):
        pad = " " * (indent + 2)
        position = -1
        for position, item in enumerate(value):
            handle.write(",\n" if position else "[\n")
            handle.write(pad + json.dumps(item, ensure_ascii=False))
        handle.write("[]" if position < 0 else "\n" + " " * indent + "]")
    else:
        handle.write(dumps(value, indent))


def render_json(
    report: Report,
    out: Path,
    extra_years: dict[str, dict[str, Any]] | None = None,
    figures: Printed | None = None,
) -> Path:
    """Write report.json.

    Args:
        report: the report.
        out: the file to write.
        extra_years: per-year objects to merge (see ``build_json``).
        figures: printed rows already computed for this report, if any.

    Returns:
        ``out``.
    """
    data = build_json(report, extra_years, figures)
    with out.open("w", encoding="utf-8", newline="\n") as handle:
        write_json(handle, data)
        handle.write("\n")
    return out


def render_csv(report: Report, out: Path, figures: Printed | None = None) -> Path:
    """Write disposals.csv: one row per Form 8949 line, the same fields as report.json.

    Args:
        report: the report.
        out: the file to write.
        figures: printed rows already computed for this report, if any.

    Returns:
        ``out``.
    """
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(fields_for(report))
        for values in records(report, figures):
            writer.writerow(["true" if v is True else "false" if v is False else v for v in values])
    return out
