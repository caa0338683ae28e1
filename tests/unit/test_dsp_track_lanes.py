"""Track mode in any lane, at any recording rate: rep ends on the line, the lane, the
distance run in it, travel both ways, and sparse recordings that stay on the track."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pacer.dsp import track_geometry as tg
from pacer.dsp.estimator import LiveEstimator
from pacer.dsp.track import TrackMode
from pacer.dsp.track_lane import LaneTracker, lane_of_offset
from pacer.models import Fix

LAT0, LON0 = 51.8628, -0.4240
R1 = tg.measure_radius_m(1)


def lane_line_offset_m(lane: int) -> float:
    """Offset from lane 1's measure line of the middle of a lane (where runners run)."""
    return LANE_MID_M + tg.LANE_WIDTH_M * (lane - 1)


LANE_MID_M = tg.LANE_WIDTH_M / 2 - 0.30  # lane 1's middle is 0.31 m outside its line


def ar1(rng: np.random.Generator, n: int, sigma_m: float, rho: float = 0.9) -> np.ndarray:
    w = rng.normal(0, sigma_m * math.sqrt(1 - rho * rho), n)
    out = np.empty(n)
    acc = rng.normal(0, sigma_m)
    for i in range(n):  # test data generation only
        acc = rho * acc + w[i]
        out[i] = acc
    return out


def runner(offset_m: np.ndarray | float, speed_mps: float, rate_hz: float, duration_s: float,
           *, doppler: bool, sigma_m: float = 1.0, seed: int = 1,
           heading_rad: float = 0.7) -> tuple[list[Fix], np.ndarray, np.ndarray]:
    """A runner on the line ``offset_m`` outside lane 1's measure line (scalar or per
    sample) at a steady ``speed_mps`` along that line: fixes, times and the true
    progress along lane 1's measure line (unwrapped)."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, duration_s, 1.0 / rate_hz)
    off = np.broadcast_to(np.asarray(offset_m, dtype=float), t.shape)
    # integrate the path along the runner's own line: on a bend a metre of it is
    # R1 / (R1 + off) metres of lane-1 progress
    s1 = np.zeros(t.size)
    for i in range(1, t.size):  # test data generation only
        x, _ = tg.track_xy_m(s1[i - 1], R1)
        on_bend = abs(float(x)) > tg.STRAIGHT_M / 2
        scale = R1 / (R1 + off[i - 1]) if on_bend else 1.0
        s1[i] = s1[i - 1] + speed_mps * (t[i] - t[i - 1]) * scale
    x1, y1 = tg.track_xy_m(s1, R1)
    cx = np.clip(x1, -tg.STRAIGHT_M / 2, tg.STRAIGHT_M / 2)
    r = np.hypot(x1 - cx, y1)
    x, y = cx + (x1 - cx) * (R1 + off) / r, y1 * (R1 + off) / r
    e, n = tg.track_to_enu(x, y, 120.0, -80.0, heading_rad)
    e, n = e + ar1(rng, t.size, sigma_m), n + ar1(rng, t.size, sigma_m)
    lat, lon = tg.latlon_from_enu(e, n, LAT0, LON0)
    out = [Fix(t_s=float(a), utc=None, valid=True, lat_deg=float(b), lon_deg=float(c),
               speed_mps=(speed_mps + float(rng.normal(0, 0.1))) if doppler else None,
               fix_quality=1, hdop=0.9, sats=9)
           for a, b, c in zip(t, lat, lon, strict=True)]
    return out, t, s1


def replay_ticks(fixes: list[Fix], est: LiveEstimator) -> tuple[np.ndarray, np.ndarray, list]:
    """Push the fixes and ask for an estimate every whole second, as the runtime does."""
    ticks, dist, states = [], [], []
    i = 0
    for tick in np.arange(1.0, fixes[-1].t_s + 1.0, 1.0):
        while i < len(fixes) and fixes[i].t_s < tick:
            est.push_fix(fixes[i])
            i += 1
        e = est.estimate(float(tick))
        ticks.append(float(tick))
        dist.append(e.distance_m)
        states.append(e)
    return np.array(ticks), np.array(dist), states


def rep_end_errors_m(fixes: list[Fix], t: np.ndarray, s1: np.ndarray, *, first_s: float,
                     reps: int = 3) -> list[float]:
    """Reps of 400 m started every 200 s from ``first_s``: where each ended along lane 1
    (true progress at the moment the measured distance reached start + 400 m) minus
    where it should (start + 400 m)."""
    ticks, dist, _ = replay_ticks(fixes, LiveEstimator())
    out = []
    for k in range(reps):
        t0 = first_s + 200.0 * k
        d0 = float(np.interp(t0, ticks, dist))
        t_end = float(np.interp(d0 + 400.0, dist, ticks))
        out.append(float(np.interp(t_end, t, s1) - np.interp(t0, t, s1)) - 400.0)
    return out


@pytest.mark.parametrize("rate_hz", [1.0, 0.25])
@pytest.mark.parametrize("doppler", [True, False])
@pytest.mark.parametrize("lane", [1, 3, 6, 8])
def test_a_400_m_rep_ends_on_the_line_in_any_lane(lane: int, doppler: bool, rate_hz: float
                                                   ) -> None:
    fixes, t, s1 = runner(lane_line_offset_m(lane), 4.5, rate_hz, 1200.0, doppler=doppler,
                          seed=lane)
    errors = rep_end_errors_m(fixes, t, s1, first_s=300.0)
    assert max(abs(e) for e in errors) < 6.0, errors


def test_a_speed_that_lags_the_positions_does_not_move_rep_ends() -> None:
    fixes, t, s1 = runner(lane_line_offset_m(2), 4.5, 1.0, 1200.0, doppler=True, seed=5)
    # the recorded speed: a 20 s exponential smoothing of a speed that alternates
    # between 5.5 and 3.5 m/s every 50 s (the runner's mean speed is what moves him)
    lagged, v = [], 4.5
    for f in fixes:
        target = 5.5 if int(f.t_s // 50) % 2 == 0 else 3.5
        v += (1.0 - math.exp(-1.0 / 20.0)) * (target - v)
        lagged.append(Fix(t_s=f.t_s, utc=None, valid=True, lat_deg=f.lat_deg,
                          lon_deg=f.lon_deg, speed_mps=v, fix_quality=1))
    errors = rep_end_errors_m(lagged, t, s1, first_s=300.0)
    assert max(abs(e) for e in errors) < 6.0, errors


@pytest.mark.parametrize("lane", [1, 2, 4, 7])
def test_the_lane_is_estimated_from_the_radial_offset(lane: int) -> None:
    fixes, _, _ = runner(lane_line_offset_m(lane), 4.5, 1.0, 500.0, doppler=False,
                         sigma_m=0.3, seed=lane)
    tm = TrackMode()
    for f in fixes:
        state = tm.update(f)
    assert state.on_track
    assert state.lane_run == lane


def test_a_lane_change_is_followed() -> None:
    t = np.arange(0.0, 900.0, 1.0)
    off = np.where(t < 450.0, lane_line_offset_m(1), lane_line_offset_m(5))
    fixes, _, _ = runner(off, 4.5, 1.0, 900.0, doppler=False, sigma_m=0.3, seed=3)
    tm = TrackMode()
    lanes = [tm.update(f).lane_run for f in fixes]
    assert lanes[440] == 1
    assert lanes[-1] == 5


@pytest.mark.parametrize("lane", [1, 4, 8])
def test_the_distance_run_in_the_lane_is_kept(lane: int) -> None:
    fixes, t, s1 = runner(lane_line_offset_m(lane), 4.5, 1.0, 800.0, doppler=False,
                          sigma_m=0.3, seed=lane)
    tm = TrackMode()
    for f in fixes:
        state = tm.update(f)
    assert state.entry_t_s is not None
    own_line_m = 4.5 * (t[-1] - state.entry_t_s)  # the runner runs 4.5 m/s on that line
    assert state.lane_distance_m == pytest.approx(own_line_m, rel=0.01)
    lane1_m = float(s1[-1] - np.interp(state.entry_t_s, t, s1))
    assert state.progress_m == pytest.approx(lane1_m, abs=4.0)


def test_positions_only_replay_keeps_metres_walked_back() -> None:
    fixes, _, _ = runner(lane_line_offset_m(1), 4.0, 1.0, 400.0, doppler=False, sigma_m=0.5)
    # then 60 m walked back the way the runner came, at 1.2 m/s
    back = [Fix(t_s=400.0 + k, utc=None, valid=True, lat_deg=f.lat_deg, lon_deg=f.lon_deg,
                fix_quality=1) for k, f in enumerate(reversed(fixes[-50:]), 1)]
    walked = fixes + back
    ticks, dist, _ = replay_ticks(walked, LiveEstimator())
    d_turn = float(np.interp(399.0, ticks, dist))
    assert dist[-1] - d_turn == pytest.approx(4.0 * 49, rel=0.08)  # the walk back counts


@pytest.mark.parametrize("interval_s", [4.0, 5.0])
def test_a_sparse_recording_stays_on_the_track_between_fixes(interval_s: float) -> None:
    fixes, _, _ = runner(lane_line_offset_m(2), 4.5, 1.0 / interval_s, 900.0, doppler=True)
    _, _, states = replay_ticks(fixes, LiveEstimator())
    after = [e for e in states if e.t_s > 400.0]
    assert all(e.on_track for e in after)
    assert all(e.speed_mps is not None for e in after)


def test_lane_bands() -> None:
    assert lane_of_offset(0.0) == 1
    assert lane_of_offset(-0.29) == 1
    assert lane_of_offset(0.93) == 2  # 1.22 - 0.30 is lane 2's inner line
    assert lane_of_offset(lane_line_offset_m(5)) == 5
    assert lane_of_offset(40.0) == 8


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.lists(st.floats(-3.0, 3.0), min_size=5, max_size=60))
def test_travel_is_never_less_than_signed_progress(steps: list[float]) -> None:
    lanes = LaneTracker()
    lanes.reset(0.0, 0.0)
    p = 0.0
    for ds in steps:
        p += ds * 5.0
        lanes.update(p, ds * 5.0, 0.0, on_bend=False)
        assert lanes.travel_m >= p - 1e-9
        assert lanes.travel_m <= sum(abs(x) * 5.0 for x in steps) + 1e-9
