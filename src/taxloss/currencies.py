"""Which codes name a government currency: the ISO 4217 list maintained by ``pycountry``.

Every active ISO 4217 code is fiat everywhere (parsers, engine, rule files; issue #13 item 1):
fiat is never a lot, its deposits and withdrawals are dropped, and a trade paid in it is valued
through the day's exchange rate. The list comes from pycountry's copy of the ISO 4217 data
(read once, on first use), so a new currency needs a pycountry upgrade, never an edit here.

One exception, named and explained: ``TICKER_CLASHES`` holds ISO codes that the exchanges
taxloss reads also use as the ticker of a listed digital asset (``MNT`` is both the Mongolian
tögrög and Mantle). No supported exchange lists those government currencies, so on an exchange
export these codes are the digital asset, and every build that reads one says so in its
assumptions. A 3-letter code that is in neither list but sits where a currency is expected is
a question for the user, never a lot (``looks_like_currency``).
May import pycountry and ``taxloss.model``; must not import the engine, parsers or renderers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from taxloss.model import Notice, SourceRef, Trade

#: ISO 4217 codes that are also tickers of digital assets traded on supported exchanges, and
#: the asset the exchanges mean by them.
TICKER_CLASHES: dict[str, str] = {
    "MNT": "Mantle (ISO 4217: Mongolian tögrög)",
    "ERN": "Ethernity Chain (ISO 4217: Eritrean nakfa)",
    "TOP": "TOP Network (ISO 4217: Tongan paʻanga)",
    "SOS": "OpenDAO SOS (ISO 4217: Somali shilling)",
    "BOB": "BOB (ISO 4217: Bolivian boliviano)",
}

_CODE = re.compile(r"^[A-Z]{3}$")


@functools.cache
def iso_4217() -> frozenset[str]:
    """Every active ISO 4217 alphabetic code, from pycountry's data."""
    import pycountry  # read lazily: importing taxloss must not load the ISO data

    return frozenset(c.alpha_3.upper() for c in pycountry.currencies)


@functools.cache
def fiat_codes() -> frozenset[str]:
    """The codes taxloss treats as government currencies: ISO 4217 minus ``TICKER_CLASHES``."""
    return iso_4217() - frozenset(TICKER_CLASHES)


def is_fiat(code: str) -> bool:
    """True when ``code`` (any case) names a government currency (see ``fiat_codes``)."""
    return code.strip().upper() in fiat_codes()


def looks_like_currency(code: str) -> bool:
    """True for a 3-letter code that is not ISO 4217: in a currency column it is a question."""
    text = code.strip().upper()
    return bool(_CODE.match(text)) and text not in iso_4217()


class FiatSet:
    """A read-only set of fiat codes for ``code in FIAT`` tests in parsers (loaded on first
    use, so importing a parser reads no data)."""

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in fiat_codes()

    def __repr__(self) -> str:
        return "FiatSet(ISO 4217 via pycountry, minus TICKER_CLASHES)"


#: Shared by every parser: ``asset in FIAT``.
FIAT = FiatSet()


def asset_codes(trades: Sequence[Trade]) -> set[str]:
    """Every code in the ``asset``, ``quote_asset`` and ``fee_asset`` of ``trades`` (``""``
    too, when one is empty), a field at a time (a loop that only reads a slot is cheaper
    than looking at three codes per row, for a history of a million rows)."""
    codes = {trade.asset for trade in trades}
    codes.update({trade.quote_asset for trade in trades})
    codes.update({trade.fee_asset for trade in trades})
    return codes


def clash_notices(trades: Iterable[Trade]) -> list[Notice]:
    """One assumption per ``TICKER_CLASHES`` code read as a digital asset, at its first row.

    Args:
        trades: the parsed trades.

    Returns:
        ``ticker_read_as_crypto`` notices, in code order.
    """
    trades = trades if isinstance(trades, Sequence) else list(trades)
    if TICKER_CLASHES.keys().isdisjoint(asset_codes(trades)):
        return []  # the common case: rows are looked at one by one only when needed
    first: dict[str, SourceRef] = {}
    for trade in trades:
        for code in (trade.asset, trade.quote_asset, trade.fee_asset):
            if code in TICKER_CLASHES:
                source = first.get(code)
                if source is None or trade.source < source:
                    first[code] = trade.source
    return [
        Notice(
            "ticker_read_as_crypto",
            f"{code} is read as the digital asset {TICKER_CLASHES[code]}: exchanges list the "
            f"token under this ticker, and none of them trades the government currency",
            source,
        )
        for code, source in sorted(first.items())
    ]
