"""Load and validate jurisdiction rule files (``rules/*.toml``) into frozen ``Rule`` objects.

A rule file is pure data. Anything wrong in it (an unknown key, a wrong type, a default method
that is not allowed) is a ``RuleError`` naming the file and the dotted key.
Must not import pandas, openpyxl, reportlab or click.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from taxloss.errors import Problem, RuleError
from taxloss.model import BasisScope, BoxPeriod, Method, Rule, ScopePeriod

ROUNDING_MODES = frozenset(
    {
        "ROUND_HALF_UP",
        "ROUND_HALF_EVEN",
        "ROUND_HALF_DOWN",
        "ROUND_DOWN",
        "ROUND_UP",
        "ROUND_FLOOR",
        "ROUND_CEILING",
    }
)
FEE_ALLOCATIONS = frozenset({"disposed_asset", "acquired_asset"})
FUNDING_TREATMENTS = frozenset({"capital", "ordinary"})
KNOWN_RENDERERS = frozenset({"json", "csv", "xlsx_8949", "pdf_8949", "pdf_summary"})


@dataclass(frozen=True, slots=True)
class Field:
    """One expected key: its accepted Python types and whether it must be present."""

    types: tuple[type, ...]
    required: bool = True


Schema = Mapping[str, "Field | Mapping[str, Any] | list[Mapping[str, Any]]"]

_STR = Field((str,))
_INT = Field((int,))
_BOOL = Field((bool,))
_NUM = Field((int, Decimal))
_LIST = Field((list,))

SCHEMA: Schema = {
    "id": _STR,
    "name": _STR,
    "version": _STR,
    "country": _STR,
    "fiat": _STR,
    "timezone": _STR,
    "methods": _LIST,
    "default_method": _STR,
    "tax_year": {"start_month": _INT, "start_day": _INT},
    "holding": {"long_term_years": _INT, "month_end_convention": _BOOL},
    "basis_scope": [{"scope": _STR, "start": Field((date,), False), "end": Field((date,), False)}],
    "valuation": {"usd_equivalent": _LIST, "other_fiat": _LIST, "unmatched_stablecoin_basis": _STR},
    "fees": {"crypto_to_crypto": _STR},
    "transfers": {"window_hours": _INT, "min_received_ratio": _NUM},
    "derivatives": {"funding": _STR},
    "rounding": {"quantum": _NUM, "mode": _STR},
    "forms": {
        "renderers": _LIST,
        "rows_per_page": _INT,
        "boxes": [
            {
                "short": _STR,
                "long": _STR,
                "first_year": Field((int,), False),
                "last_year": Field((int,), False),
            }
        ],
    },
    "loss_limit": {"single": _NUM, "mfj": _NUM, "mfs": _NUM, "hoh": _NUM},
    "sources": Field((dict,), False),
}


def bundled_dir() -> Path:
    """Return the directory of the rule files shipped with taxloss.

    Returns:
        ``taxloss/rules`` inside the installed wheel, or the source tree's ``rules/``.
    """
    packaged = Path(str(resources.files("taxloss") / "rules"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


def bundled_ids() -> list[str]:
    """List the ids of the bundled rule files, sorted."""
    return sorted(p.stem for p in bundled_dir().glob("*.toml"))


def load_bundled(rule_id: str) -> Rule:
    """Load a bundled rule file by id (e.g. ``"us"``).

    Args:
        rule_id: the file stem under ``rules/``.

    Returns:
        The validated rule.

    Raises:
        RuleError: if there is no such rule file, or it is invalid.
    """
    path = bundled_dir() / f"{rule_id.lower()}.toml"
    if not path.is_file():
        known = ", ".join(bundled_ids())
        raise RuleError(f"no rule file for country {rule_id!r}; bundled rule files: {known}")
    return load(path, display=f"rules/{path.name}")


def load(path: Path, display: str | None = None) -> Rule:
    """Parse and validate one rule file.

    Args:
        path: the TOML file.
        display: how to name the file in messages and reports (default: ``path`` as given).

    Returns:
        The validated, frozen rule.

    Raises:
        RuleError: naming the file and dotted key of every problem found.
    """
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RuleError(f"{name}: cannot read rule file: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"), parse_float=Decimal)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleError(f"{name}: not valid TOML: {exc}") from None
    problems: list[Problem] = []
    _check(data, SCHEMA, "", name, problems)
    if problems:
        raise RuleError(problems)
    return _build(data, name, hashlib.sha256(raw).hexdigest(), problems)


def _problem(file: str, key: str, message: str) -> Problem:
    return Problem(None, f"{file}: {key}: {message}")


def _check(
    data: Mapping[str, Any], schema: Schema, prefix: str, file: str, problems: list[Problem]
) -> None:
    for key in data:
        if key not in schema:
            problems.append(_problem(file, prefix + key, "unknown key"))
    for key, spec in schema.items():
        dotted = prefix + key
        if key not in data:
            required = spec.required if isinstance(spec, Field) else True
            if required:
                problems.append(_problem(file, dotted, "missing"))
            continue
        value = data[key]
        if isinstance(spec, Field):
            if isinstance(value, bool) and bool not in spec.types:
                ok = False
            else:
                ok = isinstance(value, spec.types)
            if not ok:
                wanted = " or ".join(_type_word(t) for t in spec.types)
                problems.append(
                    _problem(file, dotted, f"expected {wanted}, got {_type_word(type(value))}")
                )
        elif isinstance(spec, list):
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                problems.append(_problem(file, dotted, "expected an array of tables"))
                continue
            for index, item in enumerate(value):
                _check(item, spec[0], f"{dotted}[{index}].", file, problems)
        else:
            if not isinstance(value, dict):
                problems.append(_problem(file, dotted, "expected a table"))
                continue
            _check(value, spec, dotted + ".", file, problems)


def _type_word(kind: type) -> str:
    return {
        str: "a string",
        int: "an integer",
        bool: "true or false",
        Decimal: "a number",
        list: "an array",
        dict: "a table",
        date: "a date",
    }.get(kind, kind.__name__)


def _build(data: Mapping[str, Any], file: str, sha256: str, problems: list[Problem]) -> Rule:
    def choice(key: str, value: str, allowed: frozenset[str] | set[str]) -> str:
        if value not in allowed:
            problems.append(_problem(file, key, f"{value!r} is not one of {sorted(allowed)}"))
        return value

    def enum_list(key: str, values: list[Any], make: Callable[[str], Any]) -> tuple[Any, ...]:
        out = []
        for index, value in enumerate(values):
            try:
                out.append(make(value))
            except ValueError:
                problems.append(_problem(file, f"{key}[{index}]", f"unknown value {value!r}"))
        return tuple(out)

    def strings(key: str, values: list[Any]) -> tuple[str, ...]:
        bad = [v for v in values if not isinstance(v, str)]
        if bad:
            problems.append(_problem(file, key, "expected an array of strings"))
        return tuple(str(v).upper() for v in values)

    methods = enum_list("methods", data["methods"], Method)
    try:
        default = Method(data["default_method"])
    except ValueError:
        problems.append(
            _problem(file, "default_method", f"unknown method {data['default_method']!r}")
        )
        default = Method.FIFO
    if default not in methods:
        problems.append(
            _problem(file, "default_method", f"{default.value!r} is not in methods {list(methods)}")
        )
    try:
        ZoneInfo(data["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(_problem(file, "timezone", f"unknown time zone {data['timezone']!r}"))

    tax_year = data["tax_year"]
    if not 1 <= tax_year["start_month"] <= 12:
        problems.append(_problem(file, "tax_year.start_month", "expected 1 to 12"))
    if not 1 <= tax_year["start_day"] <= 28:
        problems.append(_problem(file, "tax_year.start_day", "expected 1 to 28"))

    periods = []
    for index, item in enumerate(data["basis_scope"]):
        key = f"basis_scope[{index}]"
        try:
            scope = BasisScope(item["scope"])
        except ValueError:
            problems.append(_problem(file, key + ".scope", f"unknown scope {item['scope']!r}"))
            continue
        periods.append(ScopePeriod(scope, item.get("start"), item.get("end")))
    if not periods:
        problems.append(_problem(file, "basis_scope", "needs at least one period"))

    boxes = tuple(
        BoxPeriod(b["short"], b["long"], b.get("first_year"), b.get("last_year"))
        for b in data["forms"]["boxes"]
    )
    renderers = strings("forms.renderers", data["forms"]["renderers"])
    for name in renderers:
        choice("forms.renderers", name.lower(), KNOWN_RENDERERS)

    rounding = data["rounding"]
    quantum = Decimal(rounding["quantum"])
    if quantum <= 0:
        problems.append(_problem(file, "rounding.quantum", "expected a positive number"))
    ratio = Decimal(data["transfers"]["min_received_ratio"])
    if not 0 < ratio <= 1:
        problems.append(_problem(file, "transfers.min_received_ratio", "expected 0 < ratio <= 1"))
    sources = data.get("sources", {})
    if not all(isinstance(v, str) for v in sources.values()):
        problems.append(_problem(file, "sources", "expected a table of strings"))

    rule = Rule(
        id=data["id"],
        name=data["name"],
        version=data["version"],
        path=file,
        sha256=sha256,
        country=data["country"],
        fiat=data["fiat"].upper(),
        timezone=data["timezone"],
        methods=methods,
        default_method=default,
        tax_year_start_month=tax_year["start_month"],
        tax_year_start_day=tax_year["start_day"],
        long_term_years=data["holding"]["long_term_years"],
        month_end_convention=data["holding"]["month_end_convention"],
        scope_periods=tuple(periods),
        usd_equivalent=strings("valuation.usd_equivalent", data["valuation"]["usd_equivalent"]),
        other_fiat=strings("valuation.other_fiat", data["valuation"]["other_fiat"]),
        unmatched_stablecoin_basis=choice(
            "valuation.unmatched_stablecoin_basis",
            data["valuation"]["unmatched_stablecoin_basis"],
            frozenset({"par", "unknown"}),
        ),
        crypto_fee_allocation=choice(
            "fees.crypto_to_crypto", data["fees"]["crypto_to_crypto"], FEE_ALLOCATIONS
        ),
        transfer_window_hours=data["transfers"]["window_hours"],
        transfer_min_ratio=ratio,
        rounding_quantum=quantum,
        rounding_mode=choice("rounding.mode", rounding["mode"], ROUNDING_MODES),
        boxes=boxes,
        loss_limits={k: Decimal(v) for k, v in data["loss_limit"].items()},
        forms=tuple(r.lower() for r in renderers),
        rows_per_page=data["forms"]["rows_per_page"],
        funding=choice("derivatives.funding", data["derivatives"]["funding"], FUNDING_TREATMENTS),
        sources=dict(sources),
    )
    if problems:
        raise RuleError(problems)
    return rule


def describe(rule: Rule) -> str:
    """Describe a rule in plain words for ``taxloss rules ID``.

    Args:
        rule: a loaded rule.

    Returns:
        Several lines of text.
    """
    month_names = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    start = f"{rule.tax_year_start_day} {month_names[rule.tax_year_start_month - 1]}"
    scopes = "; ".join(
        f"{p.scope.value} {_span(p.start, p.end)}".strip() for p in rule.scope_periods
    )
    boxes = "; ".join(
        f"{_years(b.first_year, b.last_year)}: box {b.short} (short) / {b.long} (long)"
        for b in rule.boxes
    )
    limits = ", ".join(f"{k} {v}" for k, v in rule.loss_limits.items())
    lines = [
        f"{rule.id}: {rule.name} (version {rule.version})",
        f"  file: {rule.path}  sha256 {rule.sha256[:16]}",
        f"  currency: {rule.fiat}; reporting time zone: {rule.timezone}",
        f"  tax year starts: {start}",
        f"  lot methods: {', '.join(m.value for m in rule.methods)} "
        f"(default {rule.default_method.value})",
        f"  long-term: held more than {rule.long_term_years} year(s)"
        + (", month-end acquisitions count whole months" if rule.month_end_convention else ""),
        f"  basis scope: {scopes}",
        f"  stablecoins valued at 1 {rule.fiat}: {', '.join(rule.usd_equivalent)}",
        f"  stablecoins deposited with no known purchase: basis {rule.unmatched_stablecoin_basis}",
        f"  fee on a crypto-for-crypto trade charged to: {rule.crypto_fee_allocation}",
        f"  transfers: deposit within {rule.transfer_window_hours} h, receiving "
        f"{rule.transfer_min_ratio:%} to 100% of the units sent",
        f"  derivatives funding payments: {rule.funding}",
        f"  Form 8949 boxes: {boxes}",
        f"  capital-loss limit against ordinary income: {limits}",
        f"  rounding: {rule.rounding_quantum} {rule.rounding_mode}",
    ]
    return "\n".join(lines)


def _span(start: date | None, end: date | None) -> str:
    if start and end:
        return f"from {start} to {end}"
    if start:
        return f"from {start}"
    if end:
        return f"until {end}"
    return "always"


def _years(first: int | None, last: int | None) -> str:
    if first and last:
        return f"{first}-{last}"
    if first:
        return f"{first} onward"
    if last:
        return f"up to {last}"
    return "all years"
