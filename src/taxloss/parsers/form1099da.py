"""Form 1099-DA (digital asset proceeds from broker transactions), as CSV or XLSX (issue #12).

The taxloss layout has one row per form row:
``broker,wallet,form_id,checkbox,asset,units,date_acquired,date_sold,proceeds,cost_basis,
basis_reported,term,noncovered,federal_withheld,transaction_id``. The same fields are also found
under the names exchanges and their form vendors use: box numbers (``1c``, ``1f``, ``box 1g``),
the form's labels (``Proceeds``, ``Cost or other basis``, ``Date sold or disposed``) and
snake_case names (``asset_quantity``, ``disposed_date``, ``is_noncovered_security``).

A form file yields no trades: its rows are ``FormRow`` records that the return's arithmetic
(``taxloss.returns.reconcile``) ties to the disposals. Facts: us-1099da-reference.md §2.
pandas and logging are allowed here; the engine, renderers and CLI never see a DataFrame.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from taxloss.errors import InputError, Problem
from taxloss.model import FormRow, Trade
from taxloss.parsers import ParseOptions, register
from taxloss.parsers.numbers import BadValue
from taxloss.parsers.rows import Columns, Row, Rows, find_column, require_rows
from taxloss.parsers.table import Table

#: Each field's accepted column names (normalized: lower case, single spaces), taxloss name
#: first. Box numbers follow Form 1099-DA (2025/2026): 1b asset name, 1c units, 1d date
#: acquired, 1e date sold, 1f proceeds, 1g basis, 2 basis reported, 4 federal tax withheld,
#: 6 term, 9 noncovered (reference §2).
FIELDS: dict[str, tuple[str, ...]] = {
    "broker": (
        "broker",
        "broker name",
        "broker_name",
        "filer",
        "filer name",
        "filer's name",
        "payer",
        "payer name",
    ),
    "wallet": ("wallet", "taxloss wallet", "taxloss_wallet"),
    "form_id": ("form_id", "form id", "form number", "document id", "document_id"),
    "checkbox": (
        "checkbox",
        "applicable checkbox",
        "applicable check box",
        "form 8949 checkbox",
        "form_8949_checkbox",
        "8949 box",
        "8949 checkbox",
        "box_8949",
        "reporting category",
        "reporting_category",
    ),
    "asset": (
        "asset",
        "1b",
        "box 1b",
        "name of digital asset",
        "digital asset name",
        "digital asset",
        "asset name",
        "asset_name",
        "token",
        "asset_code",
        "1a",
        "box 1a",
        "digital asset code",
        "digital token identifier",
    ),
    "units": (
        "units",
        "1c",
        "box 1c",
        "number of units",
        "units sold",
        "asset_quantity",
        "asset quantity",
        "number of units of digital assets",
        "quantity",
    ),
    "date_acquired": (
        "date_acquired",
        "1d",
        "box 1d",
        "date acquired",
        "acquired_date",
        "acquisition_date",
        "acquired date",
        "acquisition date",
    ),
    "date_sold": (
        "date_sold",
        "1e",
        "box 1e",
        "date sold or disposed",
        "date sold",
        "disposed_date",
        "disposed date",
        "date_disposed",
        "sale_date",
        "sale date",
    ),
    "proceeds": (
        "proceeds",
        "1f",
        "box 1f",
        "gross proceeds",
        "gross_proceeds",
        "proceeds_amount",
        "proceeds amount",
    ),
    "cost_basis": (
        "cost_basis",
        "1g",
        "box 1g",
        "cost or other basis",
        "cost basis",
        "cost_or_other_basis",
    ),
    "basis_reported": (
        "basis_reported",
        "2",
        "box 2",
        "basis reported to irs",
        "check if basis reported to irs",
        "basis reported",
        "is_basis_reported",
        "basis_reported_to_irs",
    ),
    "term": (
        "term",
        "6",
        "box 6",
        "gain or loss",
        "type of gain or loss",
        "gain_loss_type",
        "short-term long-term or ordinary",
        "holding_period",
        "holding period",
        "gain type",
    ),
    "noncovered": (
        "noncovered",
        "9",
        "box 9",
        "noncovered security",
        "check if noncovered security",
        "is_noncovered_security",
        "noncovered_security",
        "is_noncovered",
    ),
    "federal_withheld": (
        "federal_withheld",
        "4",
        "box 4",
        "federal income tax withheld",
        "federal_income_tax_withheld",
        "federal tax withheld",
        "fed_tax_withheld",
    ),
    "transaction_id": (
        "transaction_id",
        "transaction id",
        "trade_id",
        "trade id",
        "sale transaction id",
    ),
}

TAXLOSS_LAYOUT = tuple(aliases[0] for aliases in FIELDS.values())

#: Fields a row cannot do without.
REQUIRED = ("asset", "units", "date_sold", "proceeds")

#: Only these columns mark a table as a Form 1099-DA (with proceeds and date sold): no
#: exchange export has a Form 8949 checkbox, box 2 or box 9.
MARKERS = ("checkbox", "basis_reported", "noncovered")

CHECKBOXES = frozenset("GHJKXY")
TERMS = {
    "short": "short",
    "short-term": "short",
    "short term": "short",
    "s": "short",
    "long": "long",
    "long-term": "long",
    "long term": "long",
    "l": "long",
    "ordinary": "ordinary",
    "o": "ordinary",
    "": "",
}
YES = frozenset({"yes", "y", "true", "x", "1", "checked", "[x]"})
NO = frozenset({"no", "n", "false", "0", "", "unchecked", "[ ]"})

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_day(text: str) -> date:
    """A form date: ``YYYY-MM-DD`` or ``MM/DD/YYYY`` (a time after the date is ignored).

    Raises:
        BadValue: any other text.
    """
    cleaned = text.strip()
    head = cleaned.split("T")[0].split(" ")[0]
    try:
        if _ISO.fullmatch(head):
            return date.fromisoformat(head)
        found = _US.fullmatch(head)
        if found:
            month, day, year = (int(g) for g in found.groups())
            return date(year, month, day)
    except ValueError:
        pass
    raise BadValue(f"expected a date like 2026-03-14 or 03/14/2026, found {cleaned!r}")


def parse_flag(text: str) -> bool:
    """A form checkbox: yes/no (also true/false, x, 1/0; blank is no).

    Raises:
        BadValue: any other text.
    """
    word = text.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise BadValue(f"expected yes or no, found {text.strip()!r}")


@register("1099-da")
class Form1099Da:
    """Form 1099-DA rows (taxloss layout or a broker's own column names)."""

    title = "Form 1099-DA (broker digital asset proceeds)"
    layouts = (TAXLOSS_LAYOUT,)
    #: Its documented dates are MM/DD/YYYY, as on the form: reading them so is no assumption.
    month_first_dates = True
    download = (
        "Your broker's Form 1099-DA as CSV/XLSX (tax documents page), or write it yourself "
        "from the PDF (see 'Forms 1099-DA' in the README)."
    )

    @staticmethod
    def detect(header: tuple[str, ...]) -> bool:
        """Claim a header with proceeds, a date sold, units and a 1099-DA-only column."""
        needed = ("proceeds", "date_sold", "units")
        return all(find_column(header, FIELDS[f]) for f in needed) and any(
            find_column(header, FIELDS[f]) for f in MARKERS
        )

    @staticmethod
    def parse(table: Table, options: ParseOptions) -> Iterator[Trade]:
        """A form has no trades (``parse_forms`` reads its rows); validate it all the same."""
        Form1099Da.parse_forms(table, options)
        return iter(())

    @staticmethod
    def parse_forms(table: Table, options: ParseOptions) -> list[FormRow]:
        """Validate every row; raise all row errors at once.

        Raises:
            InputError: a missing required column, or any bad cell (``path:line: column:``).
        """
        problems: list[Problem] = []
        columns = Columns(table).require({f: FIELDS[f] for f in REQUIRED}, problems)
        if problems:
            raise InputError(problems)
        found, _ = Columns(table).select({f: a for f, a in FIELDS.items() if f not in columns})
        columns.update(found)
        require_rows(table, "Form 1099-DA rows")
        rows = Rows(table, dict(columns))
        forms = [form for row in rows if (form := _form_row(row)) is not None]
        rows.finish()
        return forms


def _form_row(row: Row) -> FormRow | None:
    """One form row, or None (with problems recorded) when a cell is bad."""
    asset = row.text("asset").upper()
    if not asset:
        row.bad("asset", "expected the digital asset's name or code (box 1b), found an empty cell")
    units = row.number("units", required=True)
    if units is not None and units <= 0:
        row.bad("units", f"expected a number of units above zero, found {row.text('units')!r}")
    sold = row.value("date_sold", parse_day)
    if sold is not None and sold.year < 2025:
        row.bad(
            "date_sold",
            f"expected a sale in 2025 or later (Form 1099-DA starts with tax "
            f"year 2025), found {row.text('date_sold')!r}",
        )
    acquired_text = row.text("date_acquired")
    acquired = None
    if acquired_text and acquired_text.lower() not in ("various", "var", "n/a"):
        acquired = row.value("date_acquired", parse_day)
    proceeds = row.number("proceeds", required=True)
    basis = row.number("cost_basis")
    withheld = row.number("federal_withheld") or Decimal(0)
    checkbox = row.text("checkbox").upper().removeprefix("BOX ").strip()
    if checkbox and checkbox not in CHECKBOXES:
        row.bad("checkbox", f"expected the Form 8949 box G, H, J, K, X or Y, found {checkbox!r}")
    term = TERMS.get(row.text("term").lower().replace("_", " "))
    if term is None:
        row.bad("term", f"expected short, long, ordinary or blank, found {row.text('term')!r}")
    reported = row.value("basis_reported", parse_flag)
    noncovered = row.value("noncovered", parse_flag)
    if checkbox in ("G", "J") and reported is False and row.text("basis_reported"):
        row.bad(
            "basis_reported",
            f"box {checkbox} means the basis was reported to the IRS "
            "(box 2 checked): expected yes, or fix the checkbox",
        )
    if checkbox in ("H", "K") and reported:
        row.bad(
            "basis_reported",
            f"box {checkbox} means the basis was not reported (box 2 "
            "unchecked): expected no, or fix the checkbox",
        )
    if checkbox in ("G", "J"):
        reported = True
    if reported and basis is None and not row.problems:
        row.bad(
            "cost_basis",
            "the basis was reported to the IRS (box 2 or box G/J): expected "
            "the amount of box 1g, found an empty cell",
        )
    term = _checkbox_term(checkbox, term or "")
    if row.problems or units is None or sold is None or proceeds is None:
        return None
    return FormRow(
        broker=row.text("broker"),
        wallet=row.text("wallet"),
        form_id=row.text("form_id"),
        checkbox=checkbox,
        asset=asset,
        units=units,
        acquired_on=acquired,
        sold_on=sold,
        proceeds=proceeds,
        cost_basis=basis,
        basis_reported=bool(reported),
        term=term,
        noncovered=bool(noncovered),
        withheld=withheld,
        transaction_id=row.text("transaction_id"),
        source=row.source,
    )


def _checkbox_term(checkbox: str, term: str) -> str:
    """The form's term: from box 6, else from the checkbox (G/H short, J/K long)."""
    if term:
        return term
    return {"G": "short", "H": "short", "J": "long", "K": "long"}.get(checkbox, "")


__all__ = ["FIELDS", "Form1099Da", "parse_day", "parse_flag"]
