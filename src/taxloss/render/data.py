"""Machine-readable outputs: ``report.json`` and ``disposals.csv``.

Money is a decimal string rounded once (``returns.printed``); each year's totals are sums of
its rounded rows; quantities are exact. Key order and row order are fixed, and nothing depends
on the clock, so a rerun writes identical bytes.
Sees only ``Report``; must not import the engine, parsers or CLI.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
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
    Reconciled,
    Report,
    Rule,
    SourceRef,
    Term,
    Transfer,
)
from taxloss.money import ZERO, plain
from taxloss.render.account import account_json
from taxloss.render.cells import FORMULA_STARTS, safe_text
from taxloss.render.labels import NOT_ADVICE, TimeText, text_money
from taxloss.returns.printed import (
    Printed,
    Row,
    Totals,
    income_by_year,
    money,
    printed,
    printed_row,
)
from taxloss.returns.reconcile import broker_totals, needs_review, withholding

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
    "sale_id",
    "sale_note",
    "lot_id",
    "lot_note",
)
#: How many fields every rule's disposals have (``DisposalFormat``: then ``extra_fields``).
_BASE = len(DISPOSAL_FIELDS)


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
    """The disposal fields of report.json and disposals.csv for this report's rule (and the
    sale's ``transaction_id`` when the build ties to Forms 1099-DA, issue #12)."""
    return DISPOSAL_FIELDS + extra_fields(report.rule) + form_fields(report)


def form_fields(report: Report) -> tuple[str, ...]:
    """Disposal fields of a build with Forms 1099-DA or ``--reported-by`` (issue #12)."""
    return ("transaction_id",) if report.form_rows or report.reported_by else ()


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

    ``values`` are a row's values in ``fields`` order, with each day and each acquisition time
    formatted once (``TimeText``, ``functools.cache``) and a sale's time, source, id and note
    reused by its next slices. ``json`` is
    ``json.dumps(dict(zip(fields, values)), ensure_ascii=False)`` built from one template, and
    ``csv`` the line ``csv.writer`` writes: a million rows take seconds, not minutes (``csv``
    looks for a formula start in a row's texts from the input once, all joined, and cell by
    cell only in a row that may have one).
    tests/render/test_outputs.py compares both with the standard library.
    """

    def __init__(self, report: Report) -> None:
        self.report = report
        rule = report.rule
        self.rule = rule
        self.quantum = rule.rounding_quantum
        self.zero = money(ZERO, rule)
        self.extra = extra_fields(rule) + form_fields(report)
        self.fields = DISPOSAL_FIELDS + self.extra
        self.times = TimeText()
        self._days = cache(self.times.day)
        #: Acquisition times in UTC (of equal aware times, only UTC ones print the same).
        self._utc_times = cache(self.times.iso)
        # Texts taxloss formats itself (numbers, dates, enum words) are quoted by the template.
        self._template = "{" + ", ".join(
            f'{json.dumps(f)}: {_QUOTED if i in _PLAIN_TEXT else "%s"}'
            for i, f in enumerate(self.fields)
        ) + "}"  # fmt: skip
        self._separators = len(self.fields) - 1
        #: Every text cell from the input, the extra fields' too (a sale's transaction id).
        self._free = _FREE_TEXT + tuple(
            i for i, name in enumerate(self.fields) if name in _FREE_EXTRA
        )
        self._free_extra = len(self._free) > len(_FREE_TEXT)
        # A rounded amount as text: ``str`` writes what ``format(x, "f")`` does (and faster)
        # for every exponent from -6 to 0; other quanta take the long way.
        exponent = self.quantum.as_tuple().exponent
        plain_str = isinstance(exponent, int) and -6 <= exponent <= 0
        self._amount: Callable[[Decimal], str] = str if plain_str else _fixed
        #: The last sale's disposal time and source, and their texts, id and note.
        self._sale: tuple[object, ...] = (None, None, "", "", "", "")
        self.ids, self.notes = report.row_ids, report.row_notes

    def values(self, row: Row) -> tuple[object, ...]:
        """One disposal's report.json / disposals.csv values, in ``fields`` order."""
        d = row.disposal
        disposed, sale, disposed_text, sale_text, sale_id, sale_note = self._sale
        ids, notes = self.ids, self.notes
        if d.disposed is not disposed or d.sale_source is not sale:
            disposed, sale = d.disposed, d.sale_source
            disposed_text = self.times.iso(disposed)
            sale_text = f"{sale.path}:{sale.line}"
            sale_id = ids.get(sale, "")
            sale_note = notes.get(sale, "") if notes else ""
            self._sale = (disposed, sale, disposed_text, sale_text, sale_id, sale_note)
        # Rounded once by the printed figures' rule; a fee that rounds to zero is printed as
        # the zero quantum.
        fee = money(d.fee, self.rule) if d.fee else ZERO
        lot = d.lot_source
        acquired = d.acquired
        amount = self._amount
        days = self._days
        values = (
            d.tax_year,
            d.asset,
            row.description,
            row.quantity,
            days(row.acquired),
            days(row.disposed),
            _WORDS[d.term],
            d.box,
            amount(row.proceeds),
            amount(row.cost_basis),
            amount(row.adjustment),
            row.codes,
            amount(row.gain),
            d.wallet,
            _WORDS[d.kind],
            d.liquidation,
            d.missing_basis,
            amount(fee if fee else self.zero),
            self._utc_times(acquired) if acquired.tzinfo is UTC else self.times.iso(acquired),
            disposed_text,
            sale_text,
            f"{lot.path}:{lot.line}",
            sale_id,
            sale_note,
            ids.get(lot, ""),
            notes.get(lot, "") if notes else "",
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
        flag = _FLAGS
        extra = (
            [text(x) if type(x) is str else _literal(x) for x in v[_BASE:]] if self.extra else ()
        )
        return self._template % (
            v[0], text(v[1]), text(v[2]), v[3], v[4], v[5], v[6], text(v[7]), v[8], v[9],
            v[10], text(v[11]), v[12], text(v[13]), v[14], flag[v[15]], flag[v[16]], v[17],
            v[18], v[19], text(v[20]), text(v[21]), text(v[22]), text(v[23]), text(v[24]),
            text(v[25]), *extra,
        )  # fmt: skip

    def csv(self, values: tuple[object, ...], writer: Any) -> str | None:
        """The disposals.csv line of a disposal's values (``true``/``false`` for flags), or
        None after writing it with ``writer`` (a cell that needs quoting)."""
        v = values
        cells = [*v[:15], _FLAGS[v[15]], _FLAGS[v[16]], *v[17:_BASE]]
        if self.extra:
            cells += ["true" if x is True else "false" if x is False else x
                      for x in v[_BASE:]]  # fmt: skip
        # Each text from the input after a line break: a formula start follows one only if
        # a cell starts with it (or has a line break, which needs quoting anyway).
        starts = (
            f"\n{v[1]}\n{v[2]}\n{v[7]}\n{v[11]}\n{v[13]}\n{v[20]}\n{v[21]}\n{v[22]}\n{v[23]}"
            f"\n{v[24]}\n{v[25]}"
        )
        if self._free_extra or _FORMULA_AFTER_BREAK.search(starts):
            for index in self._free:  # never a formula (``cells.safe_text``)
                cell = cells[index]
                if cell and cell[0] in _FORMULA_FIRST:  # type: ignore[index]
                    cells[index] = safe_text(cell)  # type: ignore[arg-type]
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


#: The disposal fields whose text taxloss formats itself (a number, a date, a word of an enum):
#: nothing in them needs a JSON escape, so the template quotes them.
_PLAIN_TEXT = frozenset({0, 3, 4, 5, 6, 8, 9, 10, 12, 14, 17, 18, 19})
_QUOTED = '"%s"'

#: The disposal fields whose text comes from the input (assets, descriptions, box letters,
#: codes, wallets, file paths, ids, notes): disposals.csv writes them through ``safe_text``.
_FREE_TEXT = (1, 2, 7, 11, 13, 20, 21, 22, 23, 24, 25)
#: Extra (rule- or form-dependent) fields whose text comes from the input.
_FREE_EXTRA = frozenset({"transaction_id"})
_FORMULA_FIRST = frozenset(c[0] for c in FORMULA_STARTS)
_FORMULA_AFTER_BREAK = re.compile("\n(?:" + "|".join(map(re.escape, FORMULA_STARTS)) + ")")
_FLAGS = {True: "true", False: "false"}


def _fixed(value: Decimal) -> str:
    return f"{value:f}"


def _literal(value: object) -> str:
    """JSON of a value that is not text (a flag, or None)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "null" if value is None else _ENCODE(value)


@dataclass(frozen=True)
class Split:
    """The disposals of report.json and disposals.csv, formatted in chunks by two processes.

    Each process takes the next chunk nobody has taken (``take``: its number, or None when
    all are taken) and writes that chunk's report.json items and disposals.csv lines to its
    part files in ``folder`` (``write_parts``). The process writing the two files then waits
    for the other (``wait``: raises its error) and copies the parts in order, so the bytes
    are those one process writes. Chunks are taken from one queue, so neither process waits
    long for the other, however fast each runs.
    """

    #: Rows per chunk, and chunks.
    size: int
    chunks: int
    folder: Path
    #: Which files are written (report.json, disposals.csv).
    json: bool
    csv: bool
    take: Callable[[], int | None]
    wait: Callable[[], None]

    def parts(self, number: int) -> tuple[Path | None, Path | None]:
        """A chunk's report.json and disposals.csv part files (None: file not written)."""
        name = f".disposals-{number:06d}"
        return (
            self.folder / f"{name}.json" if self.json else None,
            self.folder / f"{name}.csv" if self.csv else None,
        )


class DisposalRecords:
    """The disposals of report.json: iterating gives each as a dict (what ``dumps`` and any
    reader of ``build_json`` see), while ``render_data`` writes them through ``write`` without
    making the dicts, together with disposals.csv's lines if ``csv_handle`` is set."""

    def __init__(self, report: Report, figures: Printed, split: Split | None = None) -> None:
        self.report, self.figures, self.split = report, figures, split
        self.csv_handle: TextIO | None = None

    def __iter__(self) -> Iterator[dict[str, object]]:
        fields = fields_for(self.report)
        for values in records(self.report, self.figures):
            yield dict(zip(fields, values, strict=True))

    def write(self, handle: TextIO | None, indent: int) -> None:
        """Write the report.json list (items indented by ``indent``) to ``handle`` and the
        disposals.csv lines (after its header) to ``csv_handle``; either may be None."""
        figures = self.figures
        if handle is not None and not self.report.disposals:
            handle.write("[]")
            return
        pad = " " * indent
        if handle is not None:
            handle.write("[\n" + pad)  # the first item; every later one follows ",\n" + pad
        split = self.split
        if split is None:
            form = DisposalFormat(self.report)
            write_rows(form, figures.rows(), handle, pad, self.csv_handle, first=True)
        else:
            write_parts(self.report, split, figures.kept_rows)
            split.wait()
            for number in range(split.chunks):
                json_part, csv_part = split.parts(number)
                _append(handle, json_part)
                _append(self.csv_handle, csv_part)
        if handle is not None:
            handle.write("\n" + " " * (indent - 2) + "]")


def write_rows(
    form: DisposalFormat,
    rows: Iterable[Row],
    handle: TextIO | None,
    pad: str,
    csv_handle: TextIO | None,
    first: bool = False,
) -> None:
    """Each row's report.json item (after ``,\n`` and ``pad``, except the ``first``) to
    ``handle`` and its disposals.csv line to ``csv_handle``: the values are made once for
    both files. Either handle may be None. The texts are written ``_ROWS_PER_WRITE`` rows at
    a time (one write a row costs more than the joining)."""
    separator = ",\n" + pad
    json_texts = _Texts()
    csv_lines = _Texts()
    # Lines that need quoting go through ``csv.writer``, into the same buffer, in order.
    writer = csv.writer(csv_lines, lineterminator="\n")
    add_json = json_texts.append if handle is not None else None
    add_csv = csv_lines.append if csv_handle is not None else None
    values_of, json_of, csv_of = form.values, form.json, form.csv
    count = 0
    for row in rows:
        values = values_of(row)
        if add_json is not None:
            if first:
                first = False
                add_json(json_of(values))
            else:
                add_json(separator + json_of(values))
        if add_csv is not None:
            line = csv_of(values, writer)
            if line is not None:
                add_csv(line)
        count += 1
        if count == _ROWS_PER_WRITE:
            count = 0
            json_texts.flush(handle)
            csv_lines.flush(csv_handle)
    json_texts.flush(handle)
    csv_lines.flush(csv_handle)


#: How many disposals' texts ``write_rows`` joins into one write.
_ROWS_PER_WRITE = 1000


class _Texts(list[str]):
    """Texts waiting to be written together; ``write`` (what ``csv.writer`` calls) adds one."""

    write = list.append

    def flush(self, handle: TextIO | None) -> None:
        """Write the texts to ``handle`` (if any) as one, and forget them."""
        if handle is not None and self:
            handle.write("".join(self))
        self.clear()


def write_parts(report: Report, split: Split, rows: Sequence[Row] | None = None) -> None:
    """Take chunks of ``split`` until none is left and write their part files.

    Args:
        report: the report.
        split: the chunks.
        rows: the printed rows, if this process has them; else each chunk's rows are printed
            here (``printed_row`` gives the same rows as ``Printed``).
    """
    form = DisposalFormat(report)
    rule = report.rule
    disposals = report.disposals
    while (number := split.take()) is not None:
        start = number * split.size
        end = min(start + split.size, len(disposals))
        chunk: Iterable[Row] = (
            rows[start:end]
            if rows is not None
            else (printed_row(i + 1, disposals[i], rule) for i in range(start, end))
        )
        json_part, csv_part = split.parts(number)
        with contextlib.ExitStack() as files:
            handle = csv_handle = None
            if json_part is not None:
                handle = files.enter_context(json_part.open("w", encoding="utf-8", newline="\n"))
            if csv_part is not None:
                csv_handle = files.enter_context(csv_part.open("w", encoding="utf-8", newline=""))
            write_rows(form, chunk, handle, _DISPOSAL_PAD, csv_handle, first=number == 0)


def _append(handle: TextIO | None, part: Path | None) -> None:
    """Move a finished part file's bytes to the end of ``handle`` (the part is deleted)."""
    if handle is None or part is None:
        return
    handle.flush()
    target = handle.buffer
    target.flush()
    with part.open("rb") as source:
        size = os.fstat(source.fileno()).st_size
        sent = 0
        try:  # in the kernel where it can (Linux), else through a buffer
            while sent < size:
                done = os.sendfile(target.fileno(), source.fileno(), sent, size - sent)
                if not done:
                    break
                sent += done
        except (AttributeError, OSError):
            pass
        if sent < size:
            source.seek(sent)
            shutil.copyfileobj(source, target, _COPY_CHUNK)
    part.unlink()


#: report.json's indent of a disposal (the list is a value of the top-level object).
_DISPOSAL_PAD = " " * 4
_COPY_CHUNK = 1 << 20


def records(report: Report, figures: Printed | None = None) -> Iterator[tuple[object, ...]]:
    """Every disposal's values, made as they are written (a million rows of them would not
    fit comfortably in memory at once)."""
    form = DisposalFormat(report)
    for row in printed(report, figures).rows():
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
    split: Split | None = None,
) -> dict[str, Any]:
    """Assemble report.json as ordered plain data.

    Args:
        report: the report.
        extra_years: per-year objects to merge (e.g. ``loss_offset``), keyed by year label.
        figures: printed rows already computed for this report, if any.
        split: the disposals' chunks, shared with another process (``render_data`` uses it).

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
        figures_of_year = shown.totals(year)
        years[year] = {
            "short_term": _totals(figures_of_year.short),
            "long_term": _totals(figures_of_year.long),
            "total": _totals(figures_of_year.total),
            "boxes": {
                f"{section.box}{'-' + section.schedule_d_line if section.exception_1 else ''}": {
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
        "disposals": DisposalRecords(report, shown, split),
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
        # Issue #15: the account statement, "where the money went".
        "account": account_json(report, shown),
        "warnings": [_notice(n) for n in report.warnings],
        "assumptions": [_notice(n) for n in report.assumptions],
        **_country_extras(report),
        **form_json(report),
        **_overrides(report),
    }


def _country_year(
    report: Report, shown: Printed, year: str, income: dict[str, Decimal]
) -> dict[str, Any]:
    """A tax year of a rule without Form 8949 boxes: totals, and the holding categories its
    ``holding.effect`` gives (AU discount / non-discount, DE exempt / taxable)."""
    rows = shown.year_rows(year)
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


def form_json(report: Report) -> dict[str, Any]:
    """report.json keys of a build with Forms 1099-DA or ``--reported-by`` (issue #12): the
    per-year tie-out totals and withholding, and one ``reconciliation`` object per form row or
    sale on no form."""
    if not report.form_rows and not report.reported_by:
        return {}
    held = withholding(report)
    years = sorted({str(line.sold_on.year) for line in report.reconciliation} | set(held))
    return {
        "forms_1099da": {
            year: {
                "brokers": [
                    {"wallet": b.wallet, "broker": b.broker, "box": b.box,
                     "form_rows": b.form_rows, "rows": b.rows,
                     "form_proceeds": text_money(b.form_proceeds),
                     "column_d": text_money(b.column_d),
                     "form_basis": (
                         text_money(b.form_basis) if b.form_basis is not None else None
                     ),
                     "column_e": text_money(b.column_e),
                     "column_g": text_money(b.column_g)}
                    for b in broker_totals(report, year)
                ],
                "federal_withheld": text_money(held.get(year, money(ZERO, report.rule))),
                "to_review": len(needs_review(report, year)),
            }
            for year in years
        },
        "reconciliation": [_reconciled(line, report) for line in report.reconciliation],
    }  # fmt: skip


def _reconciled(line: Reconciled, report: Report) -> dict[str, Any]:
    """One tie-out line of report.json."""
    form = line.form
    rule = report.rule
    return {
        "status": line.status,
        "review": line.review,
        "wallet": line.wallet,
        "broker": line.broker,
        "asset": line.asset,
        "date_sold": line.sold_on.isoformat(),
        "units": plain(line.units),
        "box": line.box,
        "codes": line.codes,
        "rows": list(line.rows),
        "sale_sources": [str(s) for s in line.sale_sources],
        "form": None if form is None else {
            "source": str(form.source),
            "form_id": form.form_id,
            "checkbox": form.checkbox,
            "units": plain(form.units),
            "date_acquired": form.acquired_on.isoformat() if form.acquired_on else None,
            "date_sold": form.sold_on.isoformat(),
            "proceeds": text_money(line.form_proceeds if line.form_proceeds is not None
                                   else money(form.proceeds, rule)),
            "cost_basis": None if line.form_basis is None else text_money(line.form_basis),
            "basis_reported": form.basis_reported,
            "term": form.term,
            "noncovered": form.noncovered,
            "federal_withheld": text_money(money(form.withheld, rule)),
            "transaction_id": form.transaction_id,
        },
        "ours": {"units": plain(line.our_units), "proceeds": text_money(line.our_proceeds),
                 "cost_basis": text_money(line.our_basis)},
        "columns": {"d": text_money(line.column_d), "e": text_money(line.column_e),
                    "g": text_money(line.column_g)},
        "differences": list(line.differences),
        "reasons": list(line.reasons),
    }  # fmt: skip


def _overrides(report: Report) -> dict[str, Any]:
    """report.json ``overrides``: each ``--overrides`` answer used, with the user's note
    (only when the build had an overrides file, so other reports keep their bytes)."""
    if not report.overrides:
        return {}
    return {
        "overrides": [
            {"source": str(u.source), "action": u.action, "effect": u.effect, "note": u.note,
             "overrides_line": str(u.origin)}
            for u in report.overrides
        ]
    }  # fmt: skip


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


#: Where the disposals go in report.json's texts (``render_data``): a NUL never occurs in
#: JSON text (the encoder escapes it).
_HOLE_TEXT = "\x00"


def render_json(
    report: Report,
    out: Path,
    extra_years: dict[str, dict[str, Any]] | None = None,
    figures: Printed | None = None,
) -> Path:
    """Write report.json (see ``render_data``).

    Returns:
        ``out``.
    """
    render_data(report, out, None, extra_years, figures)
    return out


def render_csv(report: Report, out: Path, figures: Printed | None = None) -> Path:
    """Write disposals.csv: one row per Form 8949 line, the same fields as report.json.

    Returns:
        ``out``.
    """
    render_data(report, None, out, None, figures)
    return out


def render_data(
    report: Report,
    json_out: Path | None,
    csv_out: Path | None,
    extra_years: dict[str, dict[str, Any]] | None = None,
    figures: Printed | None = None,
    split: Split | None = None,
) -> None:
    """Write report.json and disposals.csv (either may be None) in one pass over the rows.

    Args:
        report: the report.
        json_out: where report.json goes.
        csv_out: where disposals.csv goes.
        extra_years: per-year objects to merge into report.json (see ``build_json``).
        figures: printed rows already computed for this report, if any.
        split: the disposals' chunks, shared with another process.
    """
    shown = printed(report, figures)
    with contextlib.ExitStack() as files:
        csv_handle = None
        if csv_out is not None:
            csv_handle = files.enter_context(csv_out.open("w", encoding="utf-8", newline=""))
            csv.writer(csv_handle, lineterminator="\n").writerow(fields_for(report))
        if json_out is None:
            records = DisposalRecords(report, shown, split)
            records.csv_handle = csv_handle
            records.write(None, len(_DISPOSAL_PAD))
            return
        data = build_json(report, extra_years, shown, split)
        records = data["disposals"]
        records.csv_handle = csv_handle
        # Everything but the disposals is made first (while a helper process formats chunks
        # of them), a text per key; the disposals are then written between, never as one
        # string.
        texts = [
            f"  {json.dumps(key)}: {_HOLE_TEXT if key == 'disposals' else dumps(value, 2)}"
            for key, value in data.items()
        ]
        del data
        hole = texts.index(f'  "disposals": {_HOLE_TEXT}')
        with json_out.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write("{\n" + "".join(text + ",\n" for text in texts[:hole]))
            handle.write('  "disposals": ')
            records.write(handle, len(_DISPOSAL_PAD))
            for text in texts[hole + 1 :]:
                handle.write(",\n" + text)
            handle.write("\n}\n")
