"""The ISO-ordered dates that ``parse_timestamp`` reads without dateutil (issue #16) give the
moment dateutil gives, and the ones that are not real dates still go to dateutil's message."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from dateutil import parser as dateparser
from hypothesis import given
from hypothesis import strategies as st

from taxloss.parsers import numbers
from taxloss.parsers.numbers import BadValue, parse_timestamp

moments = st.datetimes(min_value=datetime(2008, 1, 2), max_value=datetime(2100, 12, 30))


@given(
    moments, st.sampled_from(["-", "/"]), st.sampled_from(["date", "minutes", "seconds", "micro"])
)
def test_iso_ordered_texts_read_as_dateutil_reads_them(
    moment: datetime, separator: str, precision: str
) -> None:
    formats = {"date": "%Y{s}%m{s}%d", "minutes": "%Y{s}%m{s}%d %H:%M",
               "seconds": "%Y{s}%m{s}%dT%H:%M:%S", "micro": "%Y{s}%m{s}%d %H:%M:%S.%f"}  # fmt: skip
    text = moment.strftime(formats[precision].format(s=separator)) + " UTC"
    assert numbers._iso_local(text[:-4]) is not None  # the fast path is taken
    want = dateparser.parse(text[:-4]).replace(tzinfo=UTC)
    assert parse_timestamp(text, UTC) == want


@pytest.mark.parametrize(
    "text", ["2025-02-30 10:00:00 UTC", "2025/13/01 UTC", "2025-01-01 25:00 UTC"]
)
def test_an_iso_ordered_text_that_is_no_date_is_refused(text: str) -> None:
    assert numbers._iso_local(text[:-4]) is None
    with pytest.raises(BadValue):
        parse_timestamp(text, UTC)
