"""Standard track geometry: lap lengths, round trips, and the scalar fast path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pacer.dsp.track_geometry import (
    enu_from_latlon,
    enu_to_track,
    lap_length_m,
    latlon_from_enu,
    measure_radius_m,
    project_to_track,
    track_to_enu,
    track_xy_m,
)


def test_lane_one_is_400m_and_lanes_add_about_7_67m() -> None:
    assert lap_length_m(1) == pytest.approx(400.0, abs=0.01)
    steps = np.diff([lap_length_m(k) for k in range(2, 9)])
    assert steps == pytest.approx(2 * np.pi * 1.22, abs=1e-9)
    assert lap_length_m(2) - lap_length_m(1) == pytest.approx(7.04, abs=0.01)  # 0.30 vs 0.20 m
    with pytest.raises(ValueError):
        measure_radius_m(0)


def test_walking_the_measure_line_covers_the_lap() -> None:
    r = measure_radius_m(1)
    s = np.linspace(0.0, lap_length_m(1), 40001)
    x, y = track_xy_m(s, r)
    assert np.hypot(np.diff(x), np.diff(y)).sum() == pytest.approx(lap_length_m(1), rel=1e-6)
    # finish line at the end of the home straight; first bend turns left (counter-clockwise)
    assert (float(x[0]), float(y[0])) == pytest.approx((84.39 / 2, -r))


@given(st.floats(0.0, 399.99), st.floats(-3.0, 3.0))
def test_projection_inverts_the_parametrisation(s_m: float, offset_m: float) -> None:
    r = measure_radius_m(1)
    # a point offset along the outward normal of the measure line at progress s_m
    x0, y0 = track_xy_m(np.array([s_m - 0.01, s_m + 0.01]), r)
    tx, ty = np.diff(x0)[0], np.diff(y0)[0]
    norm = np.hypot(tx, ty)
    nx, ny = ty / norm, -tx / norm  # right of the counter-clockwise direction = outward
    xc, yc = track_xy_m(np.array([s_m]), r)
    s_back, off = project_to_track(xc + offset_m * nx, yc + offset_m * ny, r)
    lap = lap_length_m(1)
    d = (float(s_back[0]) - s_m + lap / 2) % lap - lap / 2
    assert abs(d) < 1e-3
    assert float(off[0]) == pytest.approx(offset_m, abs=1e-3)


@given(st.floats(-120, 120), st.floats(-80, 80))
def test_scalar_path_equals_array_path(x: float, y: float) -> None:
    r = measure_radius_m(1)
    s_arr, o_arr = project_to_track(np.array([x]), np.array([y]), r)
    s_sc, o_sc = project_to_track(x, y, r)
    assert float(s_sc) == pytest.approx(float(s_arr[0]), abs=1e-9)
    assert float(o_sc) == pytest.approx(float(o_arr[0]), abs=1e-9)


@given(st.floats(-60, 60), st.floats(-179, 179), st.floats(-500, 500), st.floats(-500, 500),
       st.floats(-np.pi, np.pi))
def test_frames_round_trip(lat0: float, lon0: float, e: float, n: float, heading: float) -> None:
    lat, lon = latlon_from_enu(e, n, lat0, lon0)
    e2, n2 = enu_from_latlon(lat, lon, lat0, lon0)
    assert (float(e2), float(n2)) == pytest.approx((e, n), abs=1e-6)
    x, y = enu_to_track(np.array(e), np.array(n), 10.0, -20.0, heading)
    e3, n3 = track_to_enu(x, y, 10.0, -20.0, heading)
    assert (float(e3), float(n3)) == pytest.approx((e, n), abs=1e-6)
