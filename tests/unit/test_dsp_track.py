"""Track mode: fitting generated ovals anywhere, laps, lanes, leaving, and a real session."""

from __future__ import annotations

import datetime as dt
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacer.dsp import track_geometry as tg
from pacer.dsp.track import TrackMode, fit_oval
from pacer.models import Fix

DATA = Path(__file__).resolve().parents[1] / "data" / "track" / "track_session.gpx"


def ar1_noise(rng: np.random.Generator, n: int, sigma_m: float, rho: float = 0.9) -> np.ndarray:
    """Correlated position noise like a receiver's (stationary sigma ``sigma_m``)."""
    w = rng.normal(0, sigma_m * math.sqrt(1 - rho * rho), n)
    out = np.empty(n)
    acc = rng.normal(0, sigma_m)
    for i in range(n):  # test data generation only
        acc = rho * acc + w[i]
        out[i] = acc
    return out


def oval_path(s_m: np.ndarray, radius_m: float, ce: float, cn: float, heading_rad: float,
              rng: np.random.Generator, sigma_m: float = 1.5) -> tuple[np.ndarray, np.ndarray]:
    x, y = tg.track_xy_m(s_m, radius_m)
    e, n = tg.track_to_enu(x, y, ce, cn, heading_rad)
    return e + ar1_noise(rng, e.size, sigma_m), n + ar1_noise(rng, n.size, sigma_m)


def fixes(t_s: np.ndarray, e: np.ndarray, n: np.ndarray, lat0: float, lon0: float) -> list[Fix]:
    lat, lon = tg.latlon_from_enu(e, n, lat0, lon0)
    return [Fix(t_s=float(t), utc=None, valid=True, lat_deg=float(a), lon_deg=float(b),
                fix_quality=1) for t, a, b in zip(t_s, lat, lon, strict=True)]


def heading_error_rad(a: float, b: float) -> float:
    return abs(math.remainder(a - b, math.pi))


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(
    heading=st.floats(-math.pi, math.pi),
    ce=st.floats(-2000, 2000),
    cn=st.floats(-2000, 2000),
    start_m=st.floats(0, 400),
    length_m=st.floats(230, 800),
    lane_offset_m=st.floats(-1.5, 4.0),
    spacing_m=st.floats(2.0, 7.0),
    seed=st.integers(0, 2**16),
)
def test_fit_recovers_any_oval_from_partial_laps(heading: float, ce: float, cn: float,
                                                 start_m: float, length_m: float,
                                                 lane_offset_m: float, spacing_m: float,
                                                 seed: int) -> None:
    rng = np.random.default_rng(seed)
    s = start_m + np.arange(0, length_m, spacing_m)
    e, n = oval_path(s, tg.measure_radius_m(1) + lane_offset_m, ce, cn, heading, rng)
    fit = fit_oval(e, n)
    assert fit is not None and fit.ok
    # Noise is correlated (sigma 1.5 m, ~10-point memory), so the shorter the part of
    # the lap seen, the less the centre is pinned down; tolerances scale with 1/length
    # (3000 random cases: 99th percentile 3.7 m / 3.0 deg at 230-300 m, 2.2 m / 2.1 deg
    # beyond 400 m; the hardest case, one bend plus one straight, reaches ~6 m).
    tol = 400.0 / min(length_m, 400.0)
    assert math.hypot(fit.centre_east_m - ce, fit.centre_north_m - cn) < 4.0 * tol
    assert heading_error_rad(fit.heading_rad, heading) < math.radians(4.0 * tol)
    assert fit.offset_m == pytest.approx(lane_offset_m, abs=3.5)


@pytest.mark.parametrize("shape", ["line", "circle", "block", "wander"])
def test_other_paths_are_not_a_track(shape: str) -> None:
    rng = np.random.default_rng(5)
    u = np.arange(0, 600, 4.0)
    if shape == "line":
        e, n = u * 0.8, u * 0.6
    elif shape == "circle":  # a 100 m radius park loop
        e, n = 100 * np.cos(u / 100), 100 * np.sin(u / 100)
    elif shape == "block":  # round a 150 x 150 m block
        side = np.mod(u, 600) // 150
        f = np.mod(u, 150)
        e = np.select([side == 0, side == 1, side == 2], [f, 150 + 0 * f, 150 - f], 0 * f)
        n = np.select([side == 0, side == 1, side == 2], [0 * f, f, 150 + 0 * f], 150 - f)
    else:
        ang = np.cumsum(rng.normal(0, 0.25, u.size))
        e, n = np.cumsum(4 * np.cos(ang)), np.cumsum(4 * np.sin(ang))
    e = e + rng.normal(0, 1.0, e.size)
    n = n + rng.normal(0, 1.0, n.size)
    fit = fit_oval(e, n)
    assert fit is None or not fit.ok
    tm = TrackMode()
    states = [tm.update(f) for f in fixes(u / 4.0, e, n, 48.1, 11.5)]
    assert not any(s.on_track for s in states)


def test_too_few_points_give_no_fit() -> None:
    assert fit_oval(np.zeros(5), np.zeros(5)) is None
    assert fit_oval(np.full(30, np.nan), np.zeros(30)) is None


@pytest.mark.parametrize("rate_hz", [1.0, 5.0, 10.0])
@pytest.mark.parametrize("lat0,lon0,heading", [(51.86, -0.42, 0.4), (-33.9, 151.2, 2.0),
                                               (64.1, -21.9, -1.0), (0.0, 179.99, 1.4)])
def test_laps_and_progress_anywhere_at_any_rate(rate_hz: float, lat0: float, lon0: float,
                                                heading: float) -> None:
    rng = np.random.default_rng(int(rate_hz * 10 + abs(lat0)))
    v_mps = 5.0
    t = np.arange(0, 410.0, 1 / rate_hz)  # 2050 m: 5 laps and 50 m
    s_true = 123.0 + v_mps * t
    e, n = oval_path(s_true, tg.measure_radius_m(1), 30.0, -80.0, heading, rng)
    tm = TrackMode()
    states = [tm.update(f) for f in fixes(t, e, n, lat0, lon0)]
    last = states[-1]
    assert last.on_track
    run_m = v_mps * (t[-1] - last.entry_t_s)
    # progress telescopes: its error is the along-track error of the first and the last
    # position (sigma 1.5 m each), not a sum over the run
    assert last.progress_m == pytest.approx(run_m, abs=8.0)
    assert last.laps == int(run_m // 400.0)
    assert tm.fit is not None
    assert heading_error_rad(tm.fit.heading_rad, heading) < math.radians(3.0)
    detected_at = next(s.t_s for s in states if s.on_track)
    assert v_mps * detected_at < 450.0  # found within about a lap of running
    assert 0.0 <= last.position_m < last.lap_length_m


@pytest.mark.parametrize("lane", [1, 3, 6])
def test_progress_is_measured_on_the_selected_lane(lane: int) -> None:
    """The runner runs the lane-3 line; each TrackMode measures along its own lane."""
    rng = np.random.default_rng(lane)
    r3 = tg.measure_radius_m(3)
    lap3 = tg.lap_length_m(3)
    t = np.arange(0, 400.0, 1.0)
    s3 = 5.0 * t  # progress on lane 3, 5 laps
    e, n = oval_path(s3, r3, 0.0, 0.0, 0.9, rng, sigma_m=1.0)
    tm = TrackMode(lane=lane)
    last = [tm.update(f) for f in fixes(t, e, n, 40.0, -3.7)][-1]
    laps_run = 5.0 * (t[-1] - last.entry_t_s) / lap3
    assert last.progress_m == pytest.approx(laps_run * tg.lap_length_m(lane), rel=0.01)
    assert last.lap_length_m == pytest.approx(tg.lap_length_m(lane))


def test_clockwise_running_counts_forward() -> None:
    rng = np.random.default_rng(11)
    t = np.arange(0, 300.0, 1.0)
    e, n = oval_path(500.0 - 5.0 * t, tg.measure_radius_m(1), 0.0, 0.0, 0.2, rng)
    tm = TrackMode()
    last = [tm.update(f) for f in fixes(t, e, n, 51.0, 0.0)][-1]
    assert last.on_track and last.clockwise
    assert last.progress_m == pytest.approx(5.0 * (t[-1] - last.entry_t_s), abs=8.0)


def test_leaving_the_track_ends_track_mode_and_coming_back_resumes() -> None:
    rng = np.random.default_rng(2)
    r1 = tg.measure_radius_m(1)
    t1 = np.arange(0, 200.0, 1.0)
    e1, n1 = oval_path(5.0 * t1, r1, 0.0, 0.0, 0.0, rng)  # 1000 m on the track
    # off along the home-straight line and beyond, then far away
    x_end, y_end = tg.track_xy_m(5.0 * t1[-1], r1)
    t2 = np.arange(200.0, 260.0, 1.0)
    e2 = float(x_end) + 0 * t2
    n2 = float(y_end) - 4.0 * (t2 - 199.0)
    t3 = np.arange(260.0, 300.0, 1.0)  # jog back to the same point, then rejoin the track
    e3 = float(x_end) + 0 * t3
    n3 = n2[-1] + 6.0 * (t3 - 259.0)
    t4 = np.arange(300.0, 360.0, 1.0)
    e4, n4 = oval_path(5.0 * t1[-1] + 5.0 * (t4 - 299.0), r1, 0.0, 0.0, 0.0, rng)
    t = np.concatenate([t1, t2, t3, t4])
    states = [tm_s for tm_s in _run(t, np.concatenate([e1, e2, e3, e4]),
                                    np.concatenate([n1, n2, n3, n4]))]
    on = np.array([s.on_track for s in states])
    assert on[150:200].all()
    assert not on[(t > 215) & (t < 280)].any()
    assert on[t >= 330].all()


def _run(t: np.ndarray, e: np.ndarray, n: np.ndarray) -> list:
    tm = TrackMode()
    return [tm.update(f) for f in fixes(t, e, n, 52.0, 5.0)]


def test_fixes_without_position_keep_the_state() -> None:
    tm = TrackMode()
    st0 = tm.update(Fix(t_s=0.0, utc=None, valid=False))
    assert not st0.on_track and st0.position_m is None


def read_gpx(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    rows = []
    for p in ET.parse(path).getroot().iterfind(".//g:trkpt", ns):
        when = dt.datetime.fromisoformat(p.findtext("g:time", namespaces=ns))
        rows.append((when.timestamp(), float(p.get("lat")), float(p.get("lon"))))
    a = np.array(rows)
    return a[:, 0] - a[0, 0], a[:, 1], a[:, 2]


def test_real_session_on_the_luton_track() -> None:
    """4 sets of 4 x 200 m, ~7.98 laps of lane 1 (markpattison/ParseGPX, MIT)."""
    t, lat, lon = read_gpx(DATA)
    tm = TrackMode()
    states = [tm.update(Fix(t_s=float(a), utc=None, valid=True, lat_deg=float(b),
                            lon_deg=float(c))) for a, b, c in zip(t, lat, lon, strict=True)]
    on = np.array([s.on_track for s in states])
    first = int(np.argmax(on))
    assert t[first] < 200.0  # found during the first set
    assert on[first:].mean() > 0.97
    last = states[-1]
    # The oval is found where the track is, with its straights' bearing; progress over
    # the session (minus the part run before detection) is within 2 % of 7.98 laps.
    assert last.centre_lat_deg == pytest.approx(51.86283, abs=0.0001)
    assert last.centre_lon_deg == pytest.approx(-0.42400, abs=0.00015)
    assert last.heading_deg == pytest.approx(136.0, abs=3.0)
    assert last.laps == 7
    head_m = 0.0 if last.entry_t_s is None else _path_before(t, lat, lon, last.entry_t_s)
    assert last.progress_m + head_m == pytest.approx(7.98 * 400.0, rel=0.03)


def _path_before(t: np.ndarray, lat: np.ndarray, lon: np.ndarray, t_end: float) -> float:
    sel = t <= t_end
    e, n = tg.enu_from_latlon(lat[sel], lon[sel], float(lat[0]), float(lon[0]))
    return float(np.sum(np.hypot(np.diff(e), np.diff(n))))


def test_scalar_and_vectorised_projection_agree() -> None:
    rng = np.random.default_rng(8)
    tm = TrackMode(lane=2)
    tm.update(Fix(t_s=0.0, utc=None, valid=True, lat_deg=10.0, lon_deg=20.0))
    fit = fit_oval(*oval_path(np.arange(0, 400, 4.0), tg.measure_radius_m(1), 3.0, -2.0, 0.7,
                              rng))
    assert fit is not None
    e, n = rng.uniform(-120, 120, 500), rng.uniform(-120, 120, 500)
    s_vec, off_vec = tm._project(fit, e, n)
    one = np.array([tm._project_one(fit, float(a), float(b)) for a, b in zip(e, n, strict=True)])
    ds = np.abs(one[:, 0] - s_vec)
    assert np.all(np.minimum(ds, tm.lap_m - ds) < 1e-6)
    assert np.allclose(one[:, 1], off_vec, atol=1e-6)
    lat, lon = tg.latlon_from_enu(e[:3], n[:3], 10.0, 20.0)
    for a, b, ee, nn in zip(lat, lon, e[:3], n[:3], strict=True):
        assert tm._enu_one(float(a), float(b)) == pytest.approx((ee, nn), abs=1e-6)


def test_poor_fixes_do_not_move_progress() -> None:
    rng = np.random.default_rng(12)
    t = np.arange(0, 300.0, 1.0)
    e, n = oval_path(5.0 * t, tg.measure_radius_m(1), 0.0, 0.0, 0.5, rng)
    fx = fixes(t, e, n, 45.0, 7.0)
    tm = TrackMode()
    for f in fx:
        tm.update(f)
    before = tm.state.progress_m
    far_lat, far_lon = tg.latlon_from_enu(300.0, 300.0, 45.0, 7.0)
    for k, extra in enumerate([{"hdop": 12.0}, {"fix_quality": 6}]):
        st_ = tm.update(Fix(t_s=300.0 + k, utc=None, valid=True, lat_deg=float(far_lat),
                            lon_deg=float(far_lon), **extra))  # type: ignore[arg-type]
        assert st_.on_track and st_.position_m is None
    assert tm.state.progress_m == before


def test_found_at_10_hz_with_white_position_jitter() -> None:
    """1 m of independent noise per fix at 10 Hz (a cheap receiver): more jitter than
    motion between fixes; decimation and 10 m path steps keep it out of the path."""
    rng = np.random.default_rng(21)
    t = np.arange(0, 150.0, 0.1)
    x, y = tg.track_xy_m(5.0 * t, tg.measure_radius_m(1))
    e, n = tg.track_to_enu(x, y, 0.0, 0.0, -0.6)
    e, n = e + rng.normal(0, 1.0, e.size), n + rng.normal(0, 1.0, n.size)
    tm = TrackMode()
    states = [tm.update(f) for f in fixes(t, e, n, 30.0, 120.0)]
    last = states[-1]
    assert last.on_track
    assert last.progress_m == pytest.approx(5.0 * (t[-1] - last.entry_t_s), abs=8.0)


def test_advance_then_state_is_update() -> None:
    """``advance`` + ``state`` (asked now and then) equals ``update`` at every fix."""
    rng = np.random.default_rng(7)
    t = np.arange(0, 300.0, 0.2)
    e, n = oval_path(40.0 + 4.5 * t, tg.measure_radius_m(1), 10.0, 20.0, 0.7, rng)
    fx = fixes(t, e, n, 51.5, -0.1)
    fx[700] = Fix(t_s=fx[700].t_s, utc=None, valid=False)  # a no-fix epoch on the way
    eager, lazy = TrackMode(), TrackMode()
    asked = 0
    for i, f in enumerate(fx):
        s_eager = eager.update(f)
        lazy.advance(f)
        assert lazy.on_track == s_eager.on_track
        if lazy.on_track:
            assert lazy.progress_m == s_eager.progress_m
            assert lazy.entry_t_s == s_eager.entry_t_s
        if i % 5 == 0 or i == 700:
            assert lazy.state == s_eager
            asked += 1
    assert eager.state.on_track and asked > 100
