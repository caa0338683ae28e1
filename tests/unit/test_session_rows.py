"""The cheaper row conversions give exactly the text the plain ones gave."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from pacer.session.rows import parse_utc, utc_text

ZONES = st.sampled_from(
    [dt.UTC, dt.timezone(dt.timedelta(0), "Z"), dt.timezone(dt.timedelta(hours=2)),
     dt.timezone(dt.timedelta(hours=-9, minutes=-30)), None]
)  # fmt: skip


@given(
    st.datetimes(min_value=dt.datetime(1980, 1, 2), max_value=dt.datetime(2200, 1, 1)),
    ZONES,
)
def test_utc_text_is_isoformat_in_utc(naive: dt.datetime, zone: dt.tzinfo | None) -> None:
    when = naive if zone is None else naive.replace(tzinfo=zone)
    aware = when.replace(tzinfo=dt.UTC) if zone is None else when
    expected = aware.astimezone(dt.UTC).isoformat()
    assert utc_text(when) == expected
    assert utc_text(when) == expected  # second call: from the per-second cache
    assert parse_utc(utc_text(when)) == aware


def test_utc_text_across_a_second_and_a_day_boundary() -> None:
    t0 = dt.datetime(2026, 12, 31, 23, 59, 59, 800_000, tzinfo=dt.UTC)
    for k in range(8):  # 5 Hz epochs over midnight and the new year
        when = t0 + dt.timedelta(microseconds=200_000 * k)
        assert utc_text(when) == when.isoformat()
    assert utc_text(None) is None
