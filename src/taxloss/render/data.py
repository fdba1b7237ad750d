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
from json.encoder import encode_basestring
from pathlib import Path
from types import GeneratorType
from typing import Any, TextIO

from taxloss import __version__
from taxloss.model import (
    DisposalKind,
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
from taxloss.money import ZERO, plain, quantize
from taxloss.render.figures import (
    NOT_ADVICE,
    Printed,
    Row,
    TimeText,
    Totals,
    income_by_year,
    money,
    printed,
    text_money,
)

SCHEMA = "taxloss.report/1"

#: ``json.dumps(value, ensure_ascii=False)`` without building an encoder for every call.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode

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


def _extra(name: str, row: Row, report: Report) -> object:
    d = row.disposal
    if name == "denied_loss":
        return f"{money(d.denied_loss, report.rule):f}"
    return getattr(d, name)


class DisposalFormat:
    """Writes disposals as report.json objects and disposals.csv lines, fast.

    ``values`` are a row's values in ``fields`` order, with each day formatted once
    (``TimeText``) and a sale's time and source reused by its next slices. ``json`` is
    ``json.dumps(dict(zip(fields, values)), ensure_ascii=False)`` built from one template, and
    ``csv`` the line ``csv.writer`` writes: a million rows take seconds, not minutes.
    tests/render/test_outputs.py compares both with the standard library.
    """

    def __init__(self, report: Report) -> None:
        self.report = report
        rule = report.rule
        self.quantum, self.mode = rule.rounding_quantum, rule.rounding_mode
        self.zero = quantize(ZERO, self.quantum, self.mode)
        self.extra = extra_fields(rule)
        self.fields = DISPOSAL_FIELDS + self.extra
        self.times = TimeText()
        self._template = "{" + ", ".join(f"{json.dumps(f)}: %s" for f in self.fields) + "}"
        self._separators = len(self.fields) - 1
        self._sale: tuple[object, ...] = (None, "", None, "")

    def values(self, row: Row) -> tuple[object, ...]:
        """One disposal's report.json / disposals.csv values, in ``fields`` order."""
        d = row.disposal
        times = self.times
        disposed, disposed_text, sale, sale_text = self._sale
        if d.disposed is not disposed or d.sale_source is not sale:
            disposed, sale = d.disposed, d.sale_source
            disposed_text = times.iso(d.disposed)
            sale_text = f"{d.sale_source.path}:{d.sale_source.line}"
            self._sale = (disposed, disposed_text, sale, sale_text)
        # Rounded as ``money`` does: a fee that rounds to zero is printed as the zero quantum.
        fee = d.fee.quantize(self.quantum, rounding=self.mode) if d.fee else ZERO
        lot = d.lot_source
        values = (
            d.tax_year,
            d.asset,
            row.description,
            plain(d.quantity),
            times.day(row.acquired),
            times.day(row.disposed),
            _WORDS[d.term],
            d.box,
            f"{row.proceeds:f}",
            f"{row.cost_basis:f}",
            f"{row.adjustment:f}",
            row.codes,
            f"{row.gain:f}",
            d.wallet,
            _WORDS[d.kind],
            d.liquidation,
            d.missing_basis,
            f"{fee if fee else self.zero:f}",
            times.iso(d.acquired),
            disposed_text,
            sale_text,
            f"{lot.path}:{lot.line}",
        )
        if self.extra:
            values += tuple(_extra(name, row, self.report) for name in self.extra)
        return values

    def json(self, values: tuple[object, ...]) -> str:
        """The report.json object of a disposal's values (one line).

        Texts taxloss formats itself (numbers, dates, words of its enums) contain nothing JSON
        escapes; the rest (assets, descriptions, box letters, codes, wallets, file paths) is
        escaped as ``json.dumps`` does.
        """
        v = values
        text = encode_basestring
        extra = [text(x) if type(x) is str else _literal(x) for x in v[len(DISPOSAL_FIELDS) :]]
        return self._template % (
            f'"{v[0]}"', text(v[1]), text(v[2]), f'"{v[3]}"', f'"{v[4]}"', f'"{v[5]}"',
            f'"{v[6]}"', text(v[7]), f'"{v[8]}"', f'"{v[9]}"', f'"{v[10]}"', text(v[11]),
            f'"{v[12]}"', text(v[13]), f'"{v[14]}"', _literal(v[15]), _literal(v[16]),
            f'"{v[17]}"', f'"{v[18]}"', f'"{v[19]}"', text(v[20]), text(v[21]), *extra,
        )  # fmt: skip

    def csv(self, values: tuple[object, ...], writer: Any) -> str | None:
        """The disposals.csv line of a disposal's values (``true``/``false`` for flags), or
        None after writing it with ``writer`` (a cell that needs quoting)."""
        cells = ["true" if v is True else "false" if v is False else v for v in values]
        try:
            line: str | None = ",".join(cells)  # type: ignore[arg-type]
        except TypeError:  # a cell that is not text: csv writes it with str()
            line = None
        if (
            line is not None
            and line.count(",") == self._separators
            and '"' not in line
            and "\n" not in line
            and "\r" not in line
        ):
            return line + "\n"  # no cell needs quoting: exactly what csv writes
        writer.writerow(cells)
        return None


#: The words of the enums a disposal row shows (``Term``, ``DisposalKind``).
_WORDS: dict[object, str] = {
    **{term: term.value for term in Term},
    **{kind: kind.value for kind in DisposalKind},
}


def _literal(value: object) -> str:
    """JSON of a value that is not text (a flag, or None)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "null" if value is None else _ENCODE(value)


class DisposalRecords:
    """The disposals of report.json: iterating gives each as a dict (what ``dumps`` and any
    reader of ``build_json`` see), while ``write_json`` writes them through
    ``DisposalFormat`` without making the dicts."""

    def __init__(self, report: Report, figures: Printed) -> None:
        self.report, self.figures = report, figures

    def __iter__(self) -> Iterator[dict[str, object]]:
        fields = fields_for(self.report)
        for values in records(self.report, self.figures):
            yield dict(zip(fields, values, strict=True))

    def lines(self) -> Iterator[str]:
        """Each disposal as its report.json text."""
        form = DisposalFormat(self.report)
        for row in self.figures.rows:
            yield form.json(form.values(row))


def records(report: Report, figures: Printed | None = None) -> Iterator[tuple[object, ...]]:
    """Every disposal's values, made as they are written (a million rows of them would not
    fit comfortably in memory at once)."""
    form = DisposalFormat(report)
    for row in printed(report, figures).rows:
        yield form.values(row)


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
        "disposals": DisposalRecords(report, shown),
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
    if isinstance(value, (GeneratorType, DisposalRecords)):
        value = list(value)
    if isinstance(value, list):
        if not value:
            return "[]"
        items = (f"{pad}{_ENCODE(v)}" for v in value)
        return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    return _ENCODE(value)


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
    elif isinstance(value, (list, GeneratorType, DisposalRecords)):
        pad = " " * (indent + 2)
        texts = value.lines() if isinstance(value, DisposalRecords) else map(_ENCODE, value)
        position = -1
        for position, text in enumerate(texts):
            handle.write(",\n" if position else "[\n")
            handle.write(pad + text)
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
    form = DisposalFormat(report)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(form.fields)
        write = handle.write
        for row in printed(report, figures).rows:
            line = form.csv(form.values(row), writer)
            if line is not None:
                write(line)
    return out
