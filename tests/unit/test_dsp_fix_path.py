"""The live estimator's per-fix path: the cheaper forms give what the plain ones give.

SpeedFilter.step (no estimate object per fix) against update; the oval fit's where-based
projection and median against track_geometry and numpy; the single-oval refinement
against the search; and track mode's refinement spacing on the track.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from pacer.dsp import oval_fit
from pacer.dsp import track_geometry as tg
from pacer.dsp.speed import SpeedFilter
from pacer.dsp.track import TrackMode, fit_oval
from pacer.models import Fix


def _fix(t_s: float, speed_mps: float | None, **kw: object) -> Fix:
    base: dict[str, object] = {"valid": True, "lat_deg": 51.86, "lon_deg": -0.42,
                               "fix_quality": 1, "hdop": 0.9, "sats": 9}
    base.update(kw)
    return Fix(t_s=t_s, utc=None, speed_mps=speed_mps, **base)  # type: ignore[arg-type]


def _mixed_stream(seed: int) -> list[Fix]:
    """Doppler fixes with every kind of reject, a pace change, and a stretch with
    positions only (speed derived from them)."""
    rng = np.random.default_rng(seed)
    out: list[Fix] = []
    lat = 51.86
    for i in range(400):
        t = 0.2 * i
        v = (3.0 if t < 40 else 5.5) + rng.normal(0, 0.2)
        lat += v * 0.2 / 111_195.0
        kind = rng.integers(0, 14)
        if 200 <= i < 260:  # no Doppler: positions only
            out.append(_fix(t, None, lat_deg=lat))
        elif kind == 0:
            out.append(_fix(t, v, hdop=9.0, lat_deg=lat))
        elif kind == 1:
            out.append(_fix(t, None, valid=False, lat_deg=None, lon_deg=None))
        elif kind == 2:
            out.append(_fix(t, v + 8.0, lat_deg=lat))  # implausible acceleration
        elif kind == 3:
            out.append(_fix(t - 0.3, v, lat_deg=lat))  # time going back
        elif kind == 4:
            out.append(_fix(t, v, fix_quality=6, lat_deg=lat))
        else:
            out.append(_fix(t, v, lat_deg=lat))
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_step_leaves_what_update_returns(seed: int) -> None:
    plain, stepped = SpeedFilter(), SpeedFilter()
    reasons = set()
    for f in _mixed_stream(seed):
        est = plain.update(f)
        accepted = stepped.step(f)
        reasons.add(est.reason)
        assert accepted == est.accepted
        assert (stepped.reason, stepped.source, stepped.measured_mps) == (
            est.reason, est.source, est.measured_mps)
        if est.reason != "time":  # a late fix reports at the filter's own time
            assert stepped.speed_at(f.t_s) == (est.speed_mps, est.confidence)
            assert stepped.speed_at(f.t_s) == (est.speed_mps, est.confidence)  # cached
        assert stepped.last == est
        assert plain.last == est
    # the stream reached every branch that step() shortcuts
    assert {"ok", "hdop", "no_fix", "acceleration", "time", "dead_reckoning"} <= reasons


def test_last_estimate_survives_a_reset_and_predict_replaces_it() -> None:
    f = SpeedFilter()
    assert f.last is None
    for i in range(5):
        f.step(_fix(float(i), 4.0))
    before = f.last
    assert before is not None and before.speed_mps == pytest.approx(4.0)
    f.reset()
    assert f.last == before
    assert f.speed_at(4.0) == (None, 0.0)
    pred = f.predict(5.0)
    assert f.last == pred and pred.speed_mps is None


def test_speed_at_is_not_stale_after_the_state_moves() -> None:
    f = SpeedFilter()
    f.step(_fix(0.0, 3.0))
    v0, _ = f.speed_at(0.0)
    f.step(_fix(1.0, 4.0))
    v1, _ = f.speed_at(1.0)
    assert v0 == pytest.approx(3.0) and v1 is not None and v1 > 3.2
    f.step(_fix(2.0, 4.0))
    assert f.speed_at(1.0)[0] != v1  # same time asked, new state: recomputed


def test_where_projection_is_project_to_track() -> None:
    rng = np.random.default_rng(5)
    half = tg.STRAIGHT_M / 2
    x = np.concatenate([rng.uniform(-120, 120, 3000), [half, -half, 0.0, half, -half]])
    y = np.concatenate([rng.uniform(-70, 70, 3000), [0.0, 0.0, 0.0, -3.0, 5.0]])
    s_ref, _ = tg.project_to_track(x, y, tg.measure_radius_m(1))
    np.testing.assert_array_equal(oval_fit._progress_lane1_m(x, y), s_ref)


@pytest.mark.parametrize("size", [1, 2, 3, 4, 7, 120, 121])
def test_median_is_numpy_median(size: int) -> None:
    x = np.random.default_rng(size).normal(3.0, 1.0, size)
    assert oval_fit._median(x) == float(np.median(x))


def _lap(seed: int, length_m: float = 420.0, lane_offset_m: float = 1.0
         ) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    s = 37.0 + np.arange(0.0, length_m, 3.0)
    x, y = tg.track_xy_m(s, tg.measure_radius_m(1) + lane_offset_m)
    e, n = tg.track_to_enu(x, y, 120.0, -45.0, 0.7)
    return e + rng.normal(0, 1.0, e.size), n + rng.normal(0, 1.0, n.size)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_refinement_from_a_nearby_oval_finds_the_searched_one(seed: int) -> None:
    e, n = _lap(seed)
    found = fit_oval(e, n)
    assert found is not None and found.ok
    start = dataclasses.replace(found, centre_east_m=found.centre_east_m + 2.0,
                                centre_north_m=found.centre_north_m - 1.5,
                                heading_rad=found.heading_rad + 0.03, offset_m=0.0)
    refined = fit_oval(e, n, init=start, iterations=12)
    assert refined is not None and refined.ok
    assert math.hypot(refined.centre_east_m - found.centre_east_m,
                      refined.centre_north_m - found.centre_north_m) < 0.02
    assert abs(math.remainder(refined.heading_rad - found.heading_rad, math.pi)) < 1e-3
    assert refined.offset_m == pytest.approx(found.offset_m, abs=0.02)
    assert refined.rms_m == pytest.approx(found.rms_m, rel=1e-3)
    assert (refined.covered_m, refined.bend_covered_m) == (found.covered_m,
                                                           found.bend_covered_m)


def test_on_the_track_the_oval_is_refined_less_often_after_a_lap() -> None:
    """Refinements every ``refit_every_m`` for the first window of path on the track,
    then every ``refine_every_m``; progress stays the distance run."""
    rng = np.random.default_rng(11)
    v_mps, rate_hz = 4.0, 5.0
    t = np.arange(0, 600.0, 1 / rate_hz)  # 2400 m, 6 laps
    s_true = 50.0 + v_mps * t
    x, y = tg.track_xy_m(s_true, tg.measure_radius_m(1))
    e, n = tg.track_to_enu(x, y, -60.0, 25.0, 1.1)
    e, n = e + rng.normal(0, 0.8, e.size), n + rng.normal(0, 0.8, n.size)
    lat, lon = tg.latlon_from_enu(e, n, 51.86, -0.42)
    tm = TrackMode(refit_every_m=30.0, refine_every_m=120.0, fit_window_m=420.0)
    changes: list[float] = []  # true path run when the oval changed
    entry_m = None
    fit = None
    for ti, si, a, b in zip(t, s_true, lat, lon, strict=True):
        tm.advance(Fix(t_s=float(ti), utc=None, valid=True, lat_deg=float(a),
                       lon_deg=float(b), fix_quality=1))
        if tm.on_track and entry_m is None:
            entry_m, fit = float(si), tm.fit
        if entry_m is not None and tm.fit is not fit:
            changes.append(float(si) - entry_m)
            fit = tm.fit
    assert entry_m is not None and len(changes) > 10
    gaps = np.diff([0.0, *changes])
    early = gaps[np.array(changes) < 400.0]
    late = gaps[np.array(changes) > 480.0]
    # spacing is counted in path between kept points (3 m apart), which position
    # jitter lengthens: in true metres it is somewhat shorter and uneven
    assert early.size >= 8 and np.all(early < 45.0) and np.median(early) > 18.0
    assert late.size >= 10 and np.all(late > 75.0) and np.median(late) < 140.0
    assert np.median(late) > 3.0 * np.median(early)
    state = tm.state
    assert state.progress_m == pytest.approx(v_mps * (t[-1] - state.entry_t_s), abs=5.0)
