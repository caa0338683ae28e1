"""Distance along positions (sparse recordings): chords plus the arc they cut, and the
speed held for the recording's own interval."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pacer.dsp import track_geometry as tg
from pacer.dsp.distance import PositionPath
from pacer.dsp.estimator import LiveEstimator
from pacer.dsp.speed import SpeedFilter
from pacer.models import Fix

LAT0, LON0 = 47.3, 8.5


def path_m(e: np.ndarray, n: np.ndarray) -> float:
    lat, lon = tg.latlon_from_enu(e, n, LAT0, LON0)
    pp = PositionPath()
    for a, b in zip(lat, lon, strict=True):
        total = pp.update(float(a), float(b))
    return total


@pytest.mark.parametrize("chord_m", [8.0, 14.0, 20.0])
def test_chords_on_a_track_bend_get_their_arc_back(chord_m: float) -> None:
    s = np.arange(0.0, 2000.0, chord_m)
    x, y = tg.track_xy_m(s, tg.measure_radius_m(1))
    chords = float(np.sum(np.hypot(np.diff(x), np.diff(y))))
    true_m = float(s[-1] - s[0])
    got = path_m(x, y)
    assert abs(got - true_m) < 0.4 * abs(chords - true_m)  # most of the cut is back
    assert got <= true_m + 0.001 * true_m


def test_no_correction_on_a_noisy_straight_or_at_square_corners() -> None:
    rng = np.random.default_rng(4)
    e = np.arange(0.0, 3000.0, 15.0)
    n = rng.normal(0.0, 0.5, e.size)
    chords = float(np.sum(np.hypot(np.diff(e), np.diff(n))))
    assert path_m(e, n) == pytest.approx(chords, rel=0.002)
    # a 200 m square walked twice, a point every 50 m: corners, not a bend
    side = np.arange(0.0, 200.0, 50.0)
    sq_e = np.concatenate([side, np.full(4, 200.0), 200.0 - side, np.zeros(4)])
    sq_n = np.concatenate([np.zeros(4), side, np.full(4, 200.0), 200.0 - side])
    e2, n2 = np.tile(sq_e, 2), np.tile(sq_n, 2)
    chords = float(np.sum(np.hypot(np.diff(e2), np.diff(n2))))
    assert path_m(e2, n2) == pytest.approx(chords, rel=0.01)


def test_the_speed_is_held_for_a_sparse_recordings_interval() -> None:
    sf = SpeedFilter()
    for k in range(10):
        sf.update(Fix(t_s=5.0 * k, utc=None, valid=True, speed_mps=3.0, fix_quality=1))
    assert sf.speed_at(45.0 + 4.0)[0] == pytest.approx(3.0)
    assert sf.speed_at(45.0 + 30.0)[0] is None
    live = SpeedFilter()
    for k in range(10):
        live.update(Fix(t_s=0.2 * k, utc=None, valid=True, speed_mps=3.0, fix_quality=1))
    assert live.hold_s == live.max_hold_s  # a streaming receiver: unchanged


def test_a_sparse_file_with_a_lagging_speed_measures_the_positions() -> None:
    """A smart recording (a point every 4 s) of intervals on a winding road, with a
    recorded speed smoothed over 15 s: each fast rep's distance within 2 % of the true
    path (the speed integral is short at every rep start and long after its end)."""
    t = np.arange(0.0, 1200.0, 4.0)
    v_true = np.where((t // 120) % 2 == 0, 5.0, 2.0)
    s = np.concatenate([[0.0], np.cumsum(v_true[:-1] * 4.0)])
    heading = 0.8 * np.sin(s / 150.0)  # bends of ~190 m radius
    ds = np.diff(s, prepend=0.0)
    e = np.cumsum(ds * np.cos(heading))
    n = np.cumsum(ds * np.sin(heading))
    lat, lon = tg.latlon_from_enu(e, n, LAT0, LON0)
    est, v = LiveEstimator(track_mode=False), 2.0
    dist = []
    for a, la, lo, vt in zip(t, lat, lon, v_true, strict=True):
        v += (1.0 - math.exp(-4.0 / 15.0)) * (vt - v)
        est.push_fix(Fix(t_s=float(a), utc=None, valid=True, lat_deg=float(la),
                         lon_deg=float(lo), speed_mps=v, fix_quality=1))
        dist.append(est.estimate(float(a)).distance_m)
    for k in range(1, 5):  # the fast reps after the first: 240 k .. 240 k + 120 s
        i0, i1 = int(240 * k / 4), int((240 * k + 120) / 4)
        assert dist[i1] - dist[i0] == pytest.approx(s[i1] - s[i0], rel=0.02)
