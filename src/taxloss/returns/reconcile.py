"""The Form 1099-DA tie-out: Form 8949 rows that agree with what brokers reported (issue #12).

Each form row is matched to our disposals by wallet (the broker account), asset, sale date
(the broker's calendar date, one day either side for time zones) and units: one form row to
the lot rows of one sale (or of several sales that day), or several form rows (covered and
noncovered units) to one sale, whose lot rows are then split at the form rows' boundaries.
The rows of one form row share its box 1f (and 1g for G/J) with the cents placed so that
their sum equals the form exactly. Columns and codes follow us-1099da-reference.md §3-§4:

- box G/J when the form reports the basis (box 2), H/K when not, by our own term; a form
  term that differs from ours is code T;
- (d) is the form's 1f; where we received less than 1f (a fee the broker did not deduct),
  code E and a negative (g); where we received more, (d) is our larger, correct amount;
- (e) is 1g as shown on G/J (code B and (g) = reported - correct basis when it differs),
  our own basis on H/K (code B with (g) = 0 when the form shows a different basis);
- (h) = (d) - (e) + (g) equals our own rounded gain on every row (asserted).

Nothing is invented from a form row (a row with no sale is ``only_on_form``, listed with its
likely reasons) and nothing of ours is dropped (``not_on_form``). Works on rounded figures, as
a return does. Imports only ``taxloss.model``, ``taxloss.money`` and ``taxloss.errors``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal, localcontext

from taxloss.errors import InputError, InternalError, Problem
from taxloss.model import (
    Disposal,
    DisposalKind,
    FormRow,
    Notice,
    Reconciled,
    Report,
    Rule,
    SourceRef,
    Term,
    Transfer,
)
from taxloss.money import ENGINE_PRECISION, ZERO, engine_context, plain, quantize

#: The first tax year with Forms 1099-DA (reference §1).
FIRST_YEAR = 2025

#: Statuses of a tie-out line, in the order the issue lists them.
STATUSES = (
    "matched",
    "proceeds_differ",
    "basis_differ",
    "term_differs",
    "only_on_form",
    "not_on_form",
)

#: Form 8949 box by (basis reported to the IRS, our term) (reference §3).
BOX = {
    (True, Term.SHORT): "G",
    (True, Term.LONG): "J",
    (False, Term.SHORT): "H",
    (False, Term.LONG): "K",
}

#: Disposals a broker never reports on a 1099-DA here (derivative positions and their cash).
NOT_REPORTED = frozenset({DisposalKind.POSITION, DisposalKind.SETTLEMENT})

ONE_DAY = 1


@dataclass(frozen=True)
class Tieout:
    """The reconciled disposals (Form 8949 rows), the tie-out lines and the notices."""

    disposals: tuple[Disposal, ...]
    lines: tuple[Reconciled, ...]
    notices: tuple[Notice, ...]


@dataclass
class _Sale:
    """The lot rows of one sale of ours (same wallet and sale row)."""

    wallet: str
    asset: str
    day: date
    units: Decimal
    indices: list[int]
    source: SourceRef
    claimed: bool = False
    proceeds: Decimal = ZERO
    basis: Decimal = ZERO


@dataclass
class _Group:
    """Form rows matched to sales."""

    forms: list[FormRow]
    sales: list[_Sale]
    pieces: dict[int, list[Disposal]] = field(default_factory=dict)
    #: Which form row (its position in ``forms``) each piece belongs to, by ``id(piece)``.
    owners: dict[int, int] = field(default_factory=dict)


def resolve_wallets(forms: Sequence[FormRow], wallets: Iterable[str]) -> tuple[FormRow, ...]:
    """Give every form row the taxloss wallet of its broker account.

    A row names its wallet, or its broker's name matches exactly one wallet of the exports
    (``Coinbase, Inc.`` matches ``coinbase``).

    Raises:
        InputError: a wallet no export has (an export is missing), or a broker that matches
            no wallet or several; every such row at once.
    """
    known = sorted(set(wallets))
    problems: list[Problem] = []
    resolved = []
    listed = ", ".join(known) or "none"
    for form in forms:
        if form.wallet:
            if form.wallet not in known:
                problems.append(
                    Problem(
                        form.source,
                        f"no export given holds wallet "
                        f"{form.wallet!r} (wallets in the exports: {listed}): give the "
                        "export of this broker account among FILES",
                        column="wallet",
                    )
                )
            resolved.append(form)
            continue
        key = _broker_key(form.broker)
        found = [w for w in known if key and (key in w.lower() or w.lower() in key)]
        if len(found) == 1:
            resolved.append(replace(form, wallet=found[0]))
            continue
        what = f"broker {form.broker!r}" if form.broker else "a row without broker or wallet"
        if found:
            message = (
                f"{what} matches several wallets ({', '.join(found)}): name the "
                "account's wallet in a 'wallet' column"
            )
        else:
            message = (
                f"{what} matches no wallet of the exports ({listed}): give the export "
                "of this broker account among FILES, or name its wallet in a 'wallet' "
                "column"
            )
        problems.append(Problem(form.source, message, column="broker" if form.broker else ""))
        resolved.append(form)
    if problems:
        raise InputError(problems)
    return tuple(resolved)


def _broker_key(broker: str) -> str:
    """The broker's first word, lower case (``Coinbase, Inc.`` -> ``coinbase``)."""
    words = re.findall(r"[a-z0-9]+", broker.lower())
    return words[0] if words else ""


def same_units(ours: Decimal, theirs: Decimal) -> bool:
    """True when our units, rounded to the form's decimal places, are the form's units."""
    if ours == theirs:
        return True
    exponent = theirs.as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= 0:
        return False
    return ours.quantize(Decimal(1).scaleb(exponent)) == theirs


def split_cents(total: Decimal, weights: Sequence[Decimal], quantum: Decimal) -> list[Decimal]:
    """Share ``total`` (a multiple of ``quantum``) in proportion to ``weights``: each share a
    multiple of ``quantum``, the leftover quanta to the largest remainders (ties: first row),
    so that the shares add up to ``total`` exactly.

    Weights that are all zero share equally.
    """
    if not weights:
        return []
    whole = sum(weights, ZERO)
    if whole == 0:
        weights, whole = [Decimal(1)] * len(weights), Decimal(len(weights))
    with localcontext() as context:
        context.prec = ENGINE_PRECISION
        exact = [total * w / whole for w in weights]
        floors = [x.quantize(quantum, rounding=ROUND_FLOOR) for x in exact]
        left = int((total - sum(floors, ZERO)) / quantum)
        order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
        for i in order[:left]:
            floors[i] += quantum
    return floors


def _split(disposal: Disposal, units: Decimal) -> tuple[Disposal, Disposal]:
    """Cut a lot row into ``units`` and the rest; amounts shared by units, conserved exactly."""
    with localcontext() as context:
        context.prec = ENGINE_PRECISION
        whole = disposal.quantity
        parts = {}
        for name in ("proceeds", "cost_basis", "fee", "adjustment", "denied_loss"):
            value = getattr(disposal, name)
            parts[name] = value * units / whole if value else value
        first = replace(disposal, quantity=units, **parts)
        rest = replace(
            disposal,
            quantity=whole - units,
            **{name: getattr(disposal, name) - part for name, part in parts.items()},
        )
    return first, rest


def transaction_ids(pairs: Iterable[tuple[SourceRef, str]]) -> dict[SourceRef, str]:
    """Sale row -> the exchange's transaction id for column (a) (a ``coinbase:`` style prefix
    that taxloss adds to make ids unique is removed)."""
    found = {}
    for source, external in pairs:
        if external:
            found[source] = re.sub(r"^[a-z][a-z0-9-]*:", "", external)
    return found


def reconcile(
    report: Report,
    forms: Sequence[FormRow],
    reported_by: Sequence[str] = (),
    ids: Mapping[SourceRef, str] | None = None,
    held: Iterable[tuple[str, str]] = (),
) -> Tieout:
    """Tie the report's disposals to the given Form 1099-DA rows.

    Args:
        report: the engine's report (its disposals are not yet tied to any form).
        forms: form rows with their wallets resolved (``resolve_wallets``).
        reported_by: wallets whose sales from 2025 on a form not given reported
            (``--reported-by``): their rows go in box H/K.
        ids: sale row -> transaction id for column (a) (``transaction_ids``).
        held: every (wallet, asset) the exports show, for the reasons of a form row with no
            sale.

    Returns:
        The disposals as Form 8949 rows, one tie-out line per form row and per sale of a
        form's wallet on no form, and a notice for each line that needs review.

    Raises:
        InternalError: a row whose (h) is not our own gain (a bug).
    """
    rule = report.rule
    ids = ids or {}
    disposals = list(report.disposals)
    sales = _sales(disposals)
    groups, unmatched = _match(forms, sales)
    for group in groups:
        _pieces(group, disposals)
    # The final rows: each matched lot row replaced by its pieces, in place.
    replaced = {index: pieces for group in groups for index, pieces in group.pieces.items()}
    reported = set(reported_by)
    form_years = {(f.wallet, f.sold_on.year) for f in forms}
    rows: list[Disposal] = []
    for index, disposal in enumerate(disposals):
        pieces = replaced.get(index)
        if pieces is None:
            rows.append(_not_on_form_row(disposal, reported, ids, rule))
            continue
        for piece in pieces:
            rows.append(piece)
    # Columns of every form row's pieces (pieces know their form through ``_Group.pieces``).
    lines: list[Reconciled] = []
    notices: list[Notice] = []
    position = {id(row): number for number, row in enumerate(rows, start=1)}
    final = list(rows)
    for group in groups:
        for form, pieces in _by_form(group):
            numbers = [position[id(p)] for p in pieces]
            tied, line = _tie(form, pieces, numbers, rule, ids)
            for number, row in zip(numbers, tied, strict=True):
                final[number - 1] = row
            lines.append(line)
    known = set(held)
    fees = [d for d in report.disposals if d.kind in (DisposalKind.FEE, DisposalKind.TRANSFER_FEE)]
    for form in unmatched:
        lines.append(_only_on_form(form, report, sales, known, fees))
    lines.extend(_not_on_form_lines(final, sales, groups, reported, form_years, report))
    lines.sort(key=_line_order)
    for line in lines:
        if line.review:
            source = line.form.source if line.form is not None else line.sale_sources[0]
            notices.append(Notice("form_1099da", _notice_text(line, rule), source))
    notices.extend(_reported_by_notices(final, reported, rule))
    return Tieout(tuple(final), tuple(lines), tuple(notices))


def _sales(disposals: Sequence[Disposal]) -> dict[tuple[str, str], list[_Sale]]:
    """Our sales from 2025 on, by (wallet, asset), in report order."""
    by_key: dict[tuple[str, SourceRef, str], _Sale] = {}
    for index, d in enumerate(disposals):
        if d.kind in NOT_REPORTED or d.disposed_on.year < FIRST_YEAR:
            continue
        key = (d.wallet, d.sale_source, d.asset)
        sale = by_key.get(key)
        if sale is None:
            sale = by_key[key] = _Sale(d.wallet, d.asset, d.disposed_on, ZERO, [], d.sale_source)
        sale.units += d.quantity
        sale.proceeds += d.proceeds
        sale.basis += d.cost_basis
        sale.indices.append(index)
    grouped: dict[tuple[str, str], list[_Sale]] = defaultdict(list)
    for sale in by_key.values():
        grouped[(sale.wallet, sale.asset)].append(sale)
    return grouped


def _near(form: FormRow, sale: _Sale) -> int | None:
    """Days between the form's sale date and ours, if within one day."""
    gap = abs((sale.day - form.sold_on).days)
    return gap if gap <= ONE_DAY else None


def _match(
    forms: Sequence[FormRow], sales: Mapping[tuple[str, str], list[_Sale]]
) -> tuple[list[_Group], list[FormRow]]:
    """Match form rows to sales (reference §5): one form row to one sale of the same units,
    then several form rows to one sale, then one form row to several sales of a day.

    Sales and form rows are looked up by (wallet, asset, day), so a large history with many
    form rows is matched in time proportional to its size.
    """
    ordered = [sale for listed in sales.values() for sale in listed]
    rank = {id(sale): n for n, sale in enumerate(ordered)}
    sales_on: dict[tuple[str, str, date], list[_Sale]] = defaultdict(list)
    for sale in ordered:
        sales_on[(sale.wallet, sale.asset, sale.day)].append(sale)
    forms_on: dict[tuple[str, str, date], list[int]] = defaultdict(list)
    for number, form in enumerate(forms):
        forms_on[(form.wallet, form.asset, form.sold_on)].append(number)
    open_forms = dict.fromkeys(range(len(forms)))  # insertion-ordered set of unmatched rows
    groups: list[_Group] = []

    def near_sales(form: FormRow, width: int) -> list[_Sale]:
        found = [
            sale
            for gap in range(-width, width + 1)
            for sale in sales_on.get((form.wallet, form.asset, form.sold_on + _days(gap)), [])
            if not sale.claimed
        ]
        return sorted(found, key=lambda s: (abs((s.day - form.sold_on).days), rank[id(s)]))

    def near_forms(sale: _Sale, width: int) -> list[int]:
        found = [
            number
            for gap in range(-width, width + 1)
            for number in forms_on.get((sale.wallet, sale.asset, sale.day + _days(gap)), [])
            if number in open_forms
        ]
        return sorted(found)

    # One form row, one sale: the nearest date first; of several sales of the same units
    # that day, the one whose proceeds (then basis) are nearest the form's (the broker's rows
    # may come in another order than ours).
    for number, form in enumerate(forms):
        candidates = sorted(
            near_sales(form, ONE_DAY),
            key=lambda s: (
                abs((s.day - form.sold_on).days),
                abs(s.proceeds - form.proceeds),
                abs(s.basis - form.cost_basis) if form.cost_basis is not None else ZERO,
            ),
        )
        for sale in candidates:
            if same_units(sale.units, form.units):
                sale.claimed = True
                del open_forms[number]
                groups.append(_Group([form], [sale]))
                break
    # Several form rows, one sale (covered and noncovered units reported apart).
    for sale in ordered:
        if sale.claimed:
            continue
        for width in (0, ONE_DAY):
            numbers = near_forms(sale, width)
            total = sum((forms[n].units for n in numbers), ZERO)
            if len(numbers) > 1 and same_units(sale.units, total):
                sale.claimed = True
                for n in numbers:
                    del open_forms[n]
                groups.append(_Group([forms[n] for n in numbers], [sale]))
                break
    # One form row, several sales of one day (the broker added them up).
    for number in list(open_forms):
        form = forms[number]
        for width in (0, ONE_DAY):
            chosen = sorted(near_sales(form, width), key=lambda s: rank[id(s)])
            total = sum((s.units for s in chosen), ZERO)
            if len(chosen) > 1 and same_units(total, form.units):
                for s in chosen:
                    s.claimed = True
                del open_forms[number]
                groups.append(_Group([form], chosen))
                break
    return groups, [forms[n] for n in open_forms]


def _days(count: int) -> timedelta:
    return timedelta(days=count)


def _pieces(group: _Group, disposals: Sequence[Disposal]) -> None:
    """Give each form row of the group its lot rows, splitting a lot row at a boundary.

    Several form rows for one sale are filled in order, older lots first, noncovered form
    rows (older units) before covered ones; a form row with an acquisition date takes the
    lot rows of that date first.
    """
    indices = [i for sale in group.sales for i in sale.indices]
    if len(group.forms) == 1:
        group.pieces = {i: [disposals[i]] for i in indices}
        _tag(group, {i: [0] for i in indices})
        return
    forms = sorted(
        range(len(group.forms)),
        key=lambda n: (not group.forms[n].noncovered, group.forms[n].acquired_on or date.min, n),
    )
    order = sorted(indices, key=lambda i: (disposals[i].acquired_on, i))
    pieces: dict[int, list[Disposal]] = {i: [] for i in indices}
    owners: dict[int, list[int]] = {i: [] for i in indices}
    need = {n: group.forms[n].units for n in forms}
    queue = [(i, disposals[i]) for i in order]
    slot = 0
    while queue:
        index, row = queue.pop(0)
        while slot < len(forms) - 1 and need[forms[slot]] <= 0:
            slot += 1
        form_number = forms[slot]
        wanted = need[form_number]
        if slot < len(forms) - 1 and 0 < wanted < row.quantity:
            first, rest = _split(row, wanted)
            pieces[index].append(first)
            owners[index].append(form_number)
            need[form_number] = ZERO
            queue.insert(0, (index, rest))
            continue
        pieces[index].append(row)
        owners[index].append(form_number)
        need[form_number] -= row.quantity
    group.pieces = pieces
    _tag(group, owners)


def _tag(group: _Group, owners: Mapping[int, list[int]]) -> None:
    """Record which form row each piece belongs to."""
    for index, numbers in owners.items():
        for piece, number in zip(group.pieces[index], numbers, strict=True):
            group.owners[id(piece)] = number


def _by_form(group: _Group) -> list[tuple[FormRow, list[Disposal]]]:
    """Each form row of a group with its pieces, in report order."""
    owners = group.owners
    per_form: dict[int, list[Disposal]] = defaultdict(list)
    for index in sorted(group.pieces):
        for piece in group.pieces[index]:
            per_form[owners[id(piece)]].append(piece)
    return [(group.forms[n], per_form.get(n, [])) for n in range(len(group.forms))]


def _money(value: Decimal, rule: Rule) -> Decimal:
    rounded = quantize(value, rule.rounding_quantum, rule.rounding_mode)
    return rounded if rounded else rounded.copy_abs()


def _rounded_once(amounts: Sequence[Decimal], rule: Rule) -> list[Decimal]:
    """Round the exact total of ``amounts`` once and share it by the exact amounts (cents to
    the largest remainders), so that the rows add up to the rounded total exactly."""
    with localcontext() as context:
        context.prec = ENGINE_PRECISION
        total = sum(amounts, ZERO)
    return split_cents(_money(total, rule), amounts, rule.rounding_quantum)


def _tie(
    form: FormRow,
    pieces: list[Disposal],
    numbers: list[int],
    rule: Rule,
    ids: Mapping[SourceRef, str],
) -> tuple[list[Disposal], Reconciled]:
    """The Form 8949 columns of one form row's lot rows, and its tie-out line.

    The form is compared with our exact totals rounded once (proceeds with 1f, basis with
    1g), never with the sum of lot rows rounded one by one: a sale of 100.00 with a 0.50 fee
    over three lots is 99.50, as on the form, though its three rows rounded alone may add up
    to 99.51. Our rounded row figures are those totals shared by the rows' exact amounts,
    the leftover cents to the largest remainders (``split_cents``), the same sharing that
    places the form's 1f and 1g on the rows. So when the rounded total equals the form,
    (d) (and (e) on G/J) are the form's figures cent for cent and also ours: no (g), no code,
    no notice, and (h) = (d) - (e) + (g) is our rounded gain on every row.

    Why not keep rows rounded alone and move the cent elsewhere: (d) must be the form's 1f
    and (e) on G/J its 1g (reference §4), and the only place left for a cent, column (g),
    needs a code (E or B), which would tell the IRS of a selling expense or a basis error
    that does not exist. How a sale's total is placed on its lot rows is ours to choose
    (the 8949 instructions ask only that (h) = (d) - (e) + (g) and that the form's figures
    be shown); placing cents by largest remainder keeps each row within a cent of its exact
    amount, and every output's totals still agree with the sum of its rows.
    """
    quantum = rule.rounding_quantum
    # Our figures rounded once per form row (the exact totals), the cents then placed on the
    # rows by their exact amounts: rows rounded one by one could differ from the form by a cent.
    our_p = _rounded_once([p.proceeds for p in pieces], rule)
    our_c = _rounded_once([p.cost_basis for p in pieces], rule)
    our_g = [_money(p.adjustment, rule) for p in pieces]
    units = [p.quantity for p in pieces]
    sum_p, sum_c = sum(our_p, ZERO), sum(our_c, ZERO)
    form_p = _money(form.proceeds, rule)
    form_c = _money(form.cost_basis, rule) if form.cost_basis is not None else None
    differences: list[str] = []
    reasons: list[str] = []
    flags: set[str] = set()
    fee = _money(sum((p.fee for p in pieces), ZERO), rule)
    # Column (d): the form's 1f, unless we received more (then the correct, larger amount).
    if sum_p == form_p:
        column_d = our_p
    elif sum_p < form_p:
        column_d = split_cents(form_p, [p.proceeds for p in pieces] if sum_p else units, quantum)
        flags.add("proceeds")
        gap = form_p - sum_p
        differences.append(
            f"proceeds: form {_amount(form_p)}, ours {_amount(sum_p)}: code E, "
            f"({_amount(gap)}) in column (g)"
        )
        if gap <= fee:
            reasons.append(
                f"the broker did not deduct {_amount(gap)} of the {_amount(fee)} "
                "fees we paid on this sale (a selling expense, code E)"
            )
        else:
            reasons.append(
                f"the form's proceeds exceed ours by {_amount(gap)}, more than our "
                f"fees ({_amount(fee)}): check the sale's price and fees"
            )
    else:
        column_d = our_p
        flags.add("proceeds")
        differences.append(
            f"proceeds: form {_amount(form_p)}, ours {_amount(sum_p)}: column (d) "
            "shows ours (the correct, larger amount)"
        )
        reasons.append(
            "the form shows less than we received: keep the sale's records with "
            "the return and ask the broker for a corrected form"
        )
    # Column (e): 1g as shown when the basis was reported (G/J), else our own basis.
    reported = form.basis_reported and form.checkbox not in ("X", "Y")
    codes_b = False
    if reported and form_c is not None:
        column_e = (
            our_c
            if sum_c == form_c
            else split_cents(form_c, [p.cost_basis for p in pieces] if sum_c else units, quantum)
        )
        if sum_c != form_c:
            codes_b = True
            differences.append(
                f"basis: form {_amount(form_c)}, ours {_amount(sum_c)}: code B, "
                f"{_amount(form_c - sum_c)} in column (g)"
            )
            reasons.append(
                "the broker's basis is not ours (its lot order, units moved in, "
                "or fees): column (e) shows the form's figure, (g) corrects it"
            )
    else:
        column_e = our_c
        if form_c is not None and form_c != sum_c:
            codes_b = True
            differences.append(
                f"basis: form {_amount(form_c)}, ours {_amount(sum_c)}: code B, "
                "(g) 0 (basis not reported to the IRS)"
            )
            reasons.append(
                "the form shows a basis that is not ours (box 2 unchecked): column "
                "(e) shows ours, code B marks the difference"
            )
    tied: list[Disposal] = []
    term_differs = False
    txid = ""
    for n, piece in enumerate(pieces):
        codes = set(piece.codes)
        g = our_p[n] - column_d[n] + column_e[n] - our_c[n] + our_g[n]
        if column_d[n] != our_p[n]:
            codes.add("E")
        if codes_b:
            codes.add("B")
        form_term = form.term if form.term in ("short", "long") else ""
        if form_term and form_term != piece.term.value:
            codes.add("T")
            term_differs = True
        box = BOX[(reported, piece.term)]
        txid = ids.get(piece.sale_source, "") or form.transaction_id
        row = replace(
            piece,
            proceeds=column_d[n],
            cost_basis=column_e[n],
            adjustment=g,
            codes="".join(sorted(codes)),
            box=box,
            transaction_id=txid,
            description=piece.description or _description(piece, txid),
        )
        if row.gain != our_p[n] - our_c[n] + our_g[n]:  # (h) = (d) - (e) + (g): our gain
            raise InternalError(
                f"{piece.sale_source}: Form 8949 (h) {row.gain} is not our "
                f"gain {our_p[n] - our_c[n] + our_g[n]}"
            )
        tied.append(row)
    if form.term == "ordinary":
        term_differs = True
        differences.append(
            "term: the form says ordinary (box 6); the rows are reported as "
            "capital gains by our own holding period"
        )
        reasons.append(
            "a broker marks ordinary gain or loss for some contracts: check with "
            "the broker what the sale was"
        )
    elif term_differs:
        differences.append(
            f"term: form {form.term}-term, ours otherwise: code T (reported in "
            "the Part of our own holding period)"
        )
        reasons.append(
            "the form's holding period is not ours (units moved in, or its lot "
            "order): check the acquisition dates"
        )
    if "proceeds" in flags:
        status = "proceeds_differ"
    elif codes_b:
        status = "basis_differ"
    elif term_differs:
        status = "term_differs"
    else:
        status = "matched"
    explained = (
        status == "proceeds_differ"
        and not codes_b
        and not term_differs
        and (0 < form_p - sum_p <= fee)
    )
    line = Reconciled(
        status=status,
        wallet=form.wallet,
        broker=form.broker or form.wallet,
        asset=form.asset,
        sold_on=form.sold_on,
        units=form.units,
        box=_line_box(tied, reported, form),
        codes="".join(sorted({c for row in tied for c in row.codes})),
        rows=tuple(numbers),
        sale_sources=tuple(dict.fromkeys(p.sale_source for p in pieces)),
        form=form,
        our_units=sum(units, ZERO),
        our_proceeds=sum_p,
        our_basis=sum_c,
        column_d=sum((r.proceeds for r in tied), ZERO),
        column_e=sum((r.cost_basis for r in tied), ZERO),
        column_g=sum((r.adjustment for r in tied), ZERO),
        differences=tuple(differences),
        reasons=tuple(reasons),
        review=status != "matched" and not explained,
        form_proceeds=form_p,
        form_basis=form_c,
    )
    return tied, line


def _line_box(rows: Sequence[Disposal], reported: bool, form: FormRow) -> str:
    """The box of a form row's rows (the first row's; the form's own if it has none)."""
    if rows:
        return rows[0].box
    term = Term.LONG if form.term == "long" else Term.SHORT
    return BOX[(reported, term)]


def _description(disposal: Disposal, txid: str) -> str:
    """Column (a): ``0.5 BTC``, with the sale's transaction id when known."""
    text = f"{plain(disposal.quantity)} {disposal.asset}"
    return f"{text} (tx {txid})" if txid else text


def _amount(value: Decimal) -> str:
    """An amount for messages: ``1,234.50``, negative as ``-5.00``."""
    return f"{value:,.2f}"


def _not_on_form_row(
    disposal: Disposal, reported: set[str], ids: Mapping[SourceRef, str], rule: Rule
) -> Disposal:
    """A row on no form given: its id in column (a); box H/K for a ``--reported-by`` wallet."""
    txid = ids.get(disposal.sale_source, "")
    changes: dict[str, object] = {}
    if txid:
        changes["transaction_id"] = txid
        if not disposal.description:
            changes["description"] = _description(disposal, txid)
    if (
        disposal.wallet in reported
        and disposal.kind not in NOT_REPORTED
        and disposal.disposed_on.year >= FIRST_YEAR
    ):
        changes["box"] = BOX[(False, disposal.term)]
    return replace(disposal, **changes) if changes else disposal  # type: ignore[arg-type]


def _only_on_form(
    form: FormRow,
    report: Report,
    sales: Mapping[tuple[str, str], list[_Sale]],
    held: set[tuple[str, str]],
    fees: Sequence[Disposal],
) -> Reconciled:
    """A form row with no sale of ours: listed with its most likely reasons, never a row."""
    rule = report.rule
    reasons: list[str] = []
    if (form.wallet, form.asset) not in held:
        reasons.append(
            f"the exports show no {form.asset} in wallet {form.wallet}: an export "
            "(or part of one) may be missing"
        )
    for sale in sales.get((form.wallet, form.asset), []):
        if _near(form, sale) is not None:
            reasons.append(
                f"our sale at {sale.source} sold {plain(sale.units)} {form.asset}, "
                f"the form {plain(form.units)}: the units differ"
            )
    for transfer in report.transfers:
        if _transfer_near(transfer, form):
            where = transfer.withdrawal_source
            reasons.append(
                f"the withdrawal at {where} ({plain(transfer.sent)} {form.asset}) may "
                "have been counted by the broker as a sale: a transfer between your "
                "own wallets is not a sale"
            )
    for d in fees:
        if (
            d.wallet == form.wallet
            and d.asset == form.asset
            and abs((d.disposed_on - form.sold_on).days) <= ONE_DAY
        ):
            reasons.append(
                f"the fee paid in {form.asset} at {d.sale_source} may have been counted as a sale"
            )
    if not reasons:
        reasons.append(
            f"no sale of {form.asset} in wallet {form.wallet} within a day of "
            f"{form.sold_on.isoformat()}: an export may be missing, or the broker "
            "counted a transfer or a fee as a sale"
        )
    reported = form.basis_reported and form.checkbox not in ("X", "Y")
    form_p = _money(form.proceeds, rule)
    return Reconciled(
        status="only_on_form",
        wallet=form.wallet,
        broker=form.broker or form.wallet,
        asset=form.asset,
        sold_on=form.sold_on,
        units=form.units,
        box=_line_box([], reported, form),
        codes="",
        rows=(),
        sale_sources=(),
        form=form,
        our_units=ZERO,
        our_proceeds=_money(ZERO, rule),
        our_basis=_money(ZERO, rule),
        column_d=_money(ZERO, rule),
        column_e=_money(ZERO, rule),
        column_g=_money(ZERO, rule),
        differences=(
            f"proceeds: form {_amount(form_p)}, no Form 8949 row (nothing is made "
            "up from a form row)",
        ),
        reasons=tuple(reasons),
        review=True,
        form_proceeds=form_p,
        form_basis=_money(form.cost_basis, rule) if form.cost_basis is not None else None,
    )


def _transfer_near(transfer: Transfer, form: FormRow) -> bool:
    if transfer.asset != form.asset or transfer.from_wallet != form.wallet:
        return False
    if transfer.sent_at is None or transfer.withdrawal_source is None:
        return False
    return abs((transfer.sent_at.date() - form.sold_on).days) <= ONE_DAY


def _not_on_form_lines(
    rows: Sequence[Disposal],
    sales: Mapping[tuple[str, str], list[_Sale]],
    groups: Sequence[_Group],
    reported: set[str],
    form_years: set[tuple[str, int]],
    report: Report,
) -> list[Reconciled]:
    """A line per sale (of a wallet with forms that year, or a ``--reported-by`` wallet) that
    no form given lists."""
    rule = report.rule
    by_sale: dict[tuple[str, SourceRef, str], list[int]] = defaultdict(list)
    for number, row in enumerate(rows, start=1):
        if row.kind in NOT_REPORTED or row.disposed_on.year < FIRST_YEAR:
            continue
        by_sale[(row.wallet, row.sale_source, row.asset)].append(number)
    lines = []
    for listed in sales.values():
        for sale in listed:
            if sale.claimed:
                continue
            mine = sale.wallet in reported
            if not mine and (sale.wallet, sale.day.year) not in form_years:
                continue
            numbers = by_sale[(sale.wallet, sale.source, sale.asset)]
            chosen = [rows[n - 1] for n in numbers]
            if mine:
                reason = (
                    f"reported on a Form 1099-DA not given (--reported-by {sale.wallet}): "
                    "box H/K; check the form's totals against these rows"
                )
            else:
                reason = (
                    f"the Forms 1099-DA of {sale.wallet} for {sale.day.year} do not list "
                    "this sale: check that every form of this account was given, else "
                    "it stays in box I/L (no form received)"
                )
            proceeds = sum((_money(r.proceeds, rule) for r in chosen), ZERO)
            basis = sum((_money(r.cost_basis, rule) for r in chosen), ZERO)
            lines.append(
                Reconciled(
                    status="not_on_form",
                    wallet=sale.wallet,
                    broker=sale.wallet,
                    asset=sale.asset,
                    sold_on=sale.day,
                    units=sale.units,
                    box=chosen[0].box if chosen else "",
                    codes="",
                    rows=tuple(numbers),
                    sale_sources=(sale.source,),
                    form=None,
                    our_units=sale.units,
                    our_proceeds=proceeds,
                    our_basis=basis,
                    column_d=proceeds,
                    column_e=basis,
                    column_g=sum((_money(r.adjustment, rule) for r in chosen), ZERO),
                    differences=("no form row given for this sale",),
                    reasons=(reason,),
                    review=True,
                )
            )
    return lines


def _line_order(line: Reconciled) -> tuple[object, ...]:
    """Tie-out lines by tax year, wallet, date, then form row or sale row."""
    where = line.form.source if line.form is not None else line.sale_sources[0]
    return (line.sold_on.year, line.wallet, line.sold_on, where.path, where.line)


def _notice_text(line: Reconciled, rule: Rule) -> str:
    """One notice line for a tie-out line that needs review."""
    rows = f" (Form 8949 rows {', '.join(map(str, line.rows))})" if line.rows else ""
    what = "; ".join(line.differences)
    why = "; ".join(line.reasons)
    return (
        f"Form 1099-DA {line.status}: {line.wallet} {plain(line.units)} {line.asset} sold "
        f"{line.sold_on.isoformat()}{rows}: {what}. Likely: {why}"
    )


def _reported_by_notices(rows: Sequence[Disposal], reported: set[str], rule: Rule) -> list[Notice]:
    """One notice per ``--reported-by`` wallet and year: the totals to check the form against."""
    totals: dict[tuple[str, str], list[Decimal]] = {}
    for row in rows:
        if row.wallet in reported and row.box in ("H", "K"):
            entry = totals.setdefault((row.wallet, row.tax_year), [ZERO, ZERO])
            entry[0] += _money(row.proceeds, rule)
            entry[1] += 1
    return [
        Notice(
            "form_1099da_not_given",
            f"{wallet} {year}: sales reported on a Form 1099-DA that "
            f"was not given (--reported-by): {int(count)} rows in box H/K, proceeds "
            f"{_amount(proceeds)} {rule.fiat}; check the form's box 1f total against them",
        )
        for (wallet, year), (proceeds, count) in sorted(totals.items())
    ]


def withholding(report: Report) -> dict[str, Decimal]:
    """Box 4 federal income tax withheld, per tax year (report it as tax paid)."""
    zero = _money(ZERO, report.rule)
    totals: dict[str, Decimal] = defaultdict(lambda: zero)
    for form in report.form_rows:
        totals[str(form.sold_on.year)] += _money(form.withheld, report.rule)
    return dict(sorted(totals.items()))


@dataclass
class BrokerBox:
    """Tie-out totals of one broker account and Form 8949 box in one year."""

    year: str
    wallet: str
    broker: str
    box: str
    form_proceeds: Decimal = ZERO
    #: Σ1g; None when no form row of this broker and box showed a basis (box H/K with 1g
    #: blank): printed "not shown", never 0.00.
    form_basis: Decimal | None = None
    column_d: Decimal = ZERO
    column_e: Decimal = ZERO
    column_g: Decimal = ZERO
    form_rows: int = 0
    rows: int = 0


def broker_totals(report: Report, year: str | None = None) -> list[BrokerBox]:
    """Σ1f vs Σ(d), Σ1g vs Σ(e), Σ(g) per tax year, broker account and box, over the form
    rows given (``only_on_form`` rows count in Σ1f with no row).

    Σ(d), Σ(e) and Σ(g) are summed per box from the tied Form 8949 rows themselves (a sale
    over short- and long-term lots puts rows in two boxes), so that they equal the Form 8949
    box totals; 1f and 1g count in the form row's own box (its box 6 term, else its check
    box, else the box of its rows).
    """
    found: dict[tuple[str, str, str], BrokerBox] = {}
    rule = report.rule
    zero = _money(ZERO, rule)

    def entry_of(label: str, line: Reconciled, box: str) -> BrokerBox:
        key = (label, line.wallet, box)
        entry = found.get(key)
        if entry is None:
            entry = found[key] = BrokerBox(
                label, line.wallet, line.broker, box, zero, None, zero, zero, zero
            )
        return entry

    for line in report.reconciliation:
        form = line.form
        if form is None:
            continue
        label = str(line.sold_on.year)
        if year is not None and label != year:
            continue
        own = entry_of(label, line, _form_box(form, line.box))
        own.form_proceeds += _form_figure(line.form_proceeds, form.proceeds, rule)
        if form.cost_basis is not None:
            own.form_basis = (own.form_basis or zero) + _form_figure(
                line.form_basis, form.cost_basis, rule
            )
        own.form_rows += 1
        for number in line.rows:
            row = report.disposals[number - 1]
            entry = entry_of(label, line, row.box)
            entry.column_d += _money(row.proceeds, rule)
            entry.column_e += _money(row.cost_basis, rule)
            entry.column_g += _money(row.adjustment, rule)
            entry.rows += 1
            if form.cost_basis is not None and entry.form_basis is None:
                entry.form_basis = zero  # the form showed a basis, counted in its own box
    return [found[k] for k in sorted(found)]


def _form_figure(rounded: Decimal | None, exact: Decimal, rule: Rule) -> Decimal:
    """A form figure as the tie-out rounded it (rounded here only for a line built by hand)."""
    return rounded if rounded is not None else _money(exact, rule)


def _form_box(form: FormRow, fallback: str) -> str:
    """The Form 8949 box a form row itself names: by whether its basis was reported and its
    box 6 term, else its check box's term, else ``fallback`` (the box of our rows)."""
    reported = form.basis_reported and form.checkbox not in ("X", "Y")
    if form.term in ("short", "long"):
        return BOX[(reported, Term(form.term))]
    if form.checkbox in ("G", "H"):
        return BOX[(reported, Term.SHORT)]
    if form.checkbox in ("J", "K"):
        return BOX[(reported, Term.LONG)]
    return fallback


def needs_review(report: Report, year: str | None = None) -> list[Reconciled]:
    """The tie-out lines that need review (of one tax year, or all)."""
    return [
        line
        for line in report.reconciliation
        if line.review and (year is None or str(line.sold_on.year) == year)
    ]


def exception_1(disposal: Disposal) -> bool:
    """True for a row Schedule D Exception 1 lets go on line 1a/8a as a total, without Form
    8949 (``--schedule-d-1a``): box G or J, no code and no adjustment (reference §3)."""
    return disposal.box in ("G", "J") and not disposal.codes and not disposal.adjustment


__all__ = [
    "STATUSES",
    "BrokerBox",
    "Tieout",
    "broker_totals",
    "exception_1",
    "needs_review",
    "reconcile",
    "resolve_wallets",
    "same_units",
    "split_cents",
    "transaction_ids",
    "withholding",
]


def tie_out_rounding(
    before: Sequence[Disposal], after: Sequence[Disposal]
) -> tuple[tuple[str, str, Decimal], ...]:
    """Per (wallet, tax year), the exact gains of the engine's rows (``before``) minus the
    gains of the tied rows (``after``, in whole cents): what the tie-out rounded away.

    Args:
        before: the engine's disposals.
        after: the same disposals tied to the forms (split or not; same wallets and years).

    Returns:
        ``(wallet, tax year, amount)`` for each pair with a nonzero amount, in sorted order.
    """
    with engine_context():
        left: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for disposal in before:
            left[(disposal.wallet, disposal.tax_year)] += disposal.gain
        for disposal in after:
            left[(disposal.wallet, disposal.tax_year)] -= disposal.gain
        return tuple((w, y, v) for (w, y), v in sorted(left.items()) if v)
