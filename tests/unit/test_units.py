"""Unit conversions and formats (pacer.units)."""

from __future__ import annotations

import math

import pytest

from pacer import units


def test_pace_speed_round_trip() -> None:
    assert units.mps_to_s_per_km(4.0) == pytest.approx(250.0)
    assert units.s_per_km_to_mps(250.0) == pytest.approx(4.0)
    assert units.s_per_km_to_s_per_mile(units.s_per_mile_to_s_per_km(360.0)) == pytest.approx(360.0)
    assert units.mps_to_s_per_km(0.0) is None
    assert units.mps_to_s_per_km(float("nan")) is None


@pytest.mark.parametrize(
    ("seconds", "tenths", "text"),
    [(75.3, False, "1:15"), (75.34, True, "1:15.3"), (59.96, True, "1:00.0"),
     (3725, False, "1:02:05"), (None, False, "--:--")],
)
def test_format_clock(seconds: float | None, tenths: bool, text: str) -> None:
    assert units.format_clock(seconds, tenths=tenths) == text


def test_haversine_one_degree_of_latitude() -> None:
    assert units.haversine_m(0, 0, 1, 0) == pytest.approx(math.radians(1) * units.EARTH_RADIUS_M)
