"""LiveEstimator: distance sources (gps, track, stride), gaps, standing, rates."""

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
from pacer.dsp.estimator import LiveEstimator
from pacer.models import AccelBlock, DeviceEvent, DeviceState, DistanceSource, Fix

LAT0, LON0 = 51.86, -0.42


def gait_block(t0_s: float, n: int, rate_hz: float, cadence_spm: float) -> AccelBlock:
    """Trunk-like vertical impacts at ``cadence_spm`` plus a stride-rate sway."""
    t = t0_s + np.arange(n) / rate_hz
    phase = np.mod(t * cadence_spm / 60.0, 1.0)
    samples = np.zeros((n, 3))
    samples[:, 2] = 9.81 + 25.0 * np.exp(-(((phase - 0.2) / 0.08) ** 2)) - 8.75
    samples[:, 0] = 0.5 * np.sin(2 * np.pi * t * cadence_spm / 120.0)
    return AccelBlock(t0_s=t0_s, rate_hz=rate_hz, samples_mps2=samples)


def still_block(t0_s: float, n: int, rate_hz: float, rng: np.random.Generator) -> AccelBlock:
    samples = rng.normal(0, 0.05, (n, 3))
    samples[:, 2] += 9.81
    return AccelBlock(t0_s=t0_s, rate_hz=rate_hz, samples_mps2=samples)


def line_fix(t_s: float, north_m: float, speed_mps: float | None) -> Fix:
    lat, lon = tg.latlon_from_enu(0.0, north_m, LAT0, LON0)
    return Fix(t_s=t_s, utc=None, valid=True, lat_deg=float(lat), lon_deg=float(lon),
               speed_mps=speed_mps, fix_quality=1, hdop=0.8, sats=10)


@pytest.mark.parametrize("rate_hz", [1.0, 5.0, 10.0])
def test_steady_run_on_a_road_distance_is_speed_times_time(rate_hz: float) -> None:
    rng = np.random.default_rng(int(rate_hz))
    est = LiveEstimator()
    t = np.arange(0, 300.0 + 1e-9, 1 / rate_hz)
    for ti in t:
        est.push_fix(line_fix(float(ti), 4.0 * ti, 4.0 + rng.normal(0, 0.2)))
    out = est.estimate(300.0)
    assert out.distance_m == pytest.approx(1200.0, rel=0.01)
    assert out.distance_source is DistanceSource.GPS and out.gps_ok and not out.on_track
    assert out.speed_mps == pytest.approx(4.0, abs=0.15)
    assert out.pace_s_per_km == pytest.approx(250.0, rel=0.04)
    assert out.lat_deg is not None and out.track_lap is None


def test_standing_still_adds_no_distance_and_cadence_is_none() -> None:
    rng = np.random.default_rng(4)
    est = LiveEstimator()
    for k in range(300):
        est.push_accel(still_block(float(k), 100, 100.0, rng))
        north = rng.normal(0, 2.0)  # position jitter of a receiver at rest
        est.push_fix(line_fix(float(k), north, abs(rng.normal(0, 0.2))))
        out = est.estimate(float(k))
    assert out.distance_m == 0.0
    assert out.cadence_spm is None
    assert out.pace_s_per_km is None


def test_no_input_and_garbage_give_no_estimate_not_an_exception() -> None:
    est = LiveEstimator()
    out = est.estimate(0.0)
    assert out.distance_m == 0.0 and out.speed_mps is None and not out.gps_ok
    est.push_fix(Fix(t_s=math.nan, utc=None, valid=True, speed_mps=3.0))
    est.push_fix(Fix(t_s=1.0, utc=None, valid=False))
    est.push_fix(Fix(t_s=2.0, utc=None, valid=True, speed_mps=math.inf))
    est.push_accel(AccelBlock(t0_s=2.0, rate_hz=0.0, samples_mps2=np.zeros((0, 3))))
    out = est.estimate(3.0)
    assert out.distance_m == 0.0 and out.speed_mps is None and out.cadence_spm is None
    assert est.estimate(1.0).distance_m == 0.0  # asking about the past is harmless


def test_gps_gap_bridged_by_cadence_and_learned_stride_with_smooth_handback() -> None:
    rng = np.random.default_rng(9)
    est = LiveEstimator(track_mode=False)
    v_mps, cad_spm = 4.5, 172.0
    outs = []
    for k in range(200):
        t = float(k)
        est.push_accel(gait_block(t, 100, 100.0, cad_spm))
        gap = 120 <= k < 150
        if k == 120:
            est.push_device(DeviceEvent(t_s=t, device="gps", state=DeviceState.LOST))
        if not gap:
            est.push_fix(line_fix(t, v_mps * t, v_mps + rng.normal(0, 0.15)))
        outs.append(est.estimate(t + 0.5))
    in_gap = outs[125:149]
    assert all(o.distance_source is DistanceSource.STRIDE and not o.gps_ok for o in in_gap)
    assert all(o.speed_mps == pytest.approx(v_mps, rel=0.05) for o in in_gap)
    gap_m = outs[149].distance_m - outs[120].distance_m
    assert gap_m == pytest.approx(v_mps * 29.0, rel=0.05)
    assert outs[160].distance_source is DistanceSource.GPS
    speeds = np.array([o.speed_mps for o in outs[100:200]])
    assert np.max(np.abs(np.diff(speeds))) < 0.5  # no jump into or out of the gap
    assert outs[-1].distance_m == pytest.approx(v_mps * 199.5, rel=0.02)
    assert len(est.footfalls()) > 500 and est.footfalls() == []


def oval_fixes(t: np.ndarray, s_m: np.ndarray, radius_m: float, speed_mps: np.ndarray,
               rng: np.random.Generator) -> list[Fix]:
    x, y = tg.track_xy_m(s_m, radius_m)
    e, n = tg.track_to_enu(x, y, 40.0, 25.0, 2.2)
    # receiver-like position error: first-order Gauss-Markov, sigma 1.5 m, tau 10 s (the
    # same in seconds at any rate), plus 0.1 m white noise
    rho = math.exp(-float(t[1] - t[0]) / 10.0)
    for arr in (e, n):
        w = rng.normal(0, 1.5 * math.sqrt(1 - rho * rho), arr.size)
        acc = rng.normal(0, 1.5)
        for i in range(arr.size):  # test data generation only
            acc = rho * acc + w[i]
            arr[i] += acc + rng.normal(0, 0.1)
    lat, lon = tg.latlon_from_enu(e, n, LAT0, LON0)
    return [Fix(t_s=float(a), utc=None, valid=True, lat_deg=float(b), lon_deg=float(c),
                speed_mps=float(v), fix_quality=1, hdop=0.9, sats=9)
            for a, b, c, v in zip(t, lat, lon, speed_mps, strict=True)]


@pytest.mark.parametrize("rate_hz", [1.0, 5.0, 10.0])
def test_on_the_track_distance_is_lane_progress_not_the_speed_integral(rate_hz: float) -> None:
    """The runner runs 0.8 m outside the lane-1 line (Doppler integral reads ~1.3 % long
    per lap); track mode measures along lane 1."""
    rng = np.random.default_rng(int(rate_hz) + 20)
    r_run = tg.measure_radius_m(1) + 0.8
    lap_run = 2 * tg.STRAIGHT_M + 2 * np.pi * r_run
    t = np.arange(0, 480.0, 1 / rate_hz)
    s_run = 5.0 * t  # 2400 m on the runner's line = 6 laps
    fixes = oval_fixes(t, s_run, r_run, 5.0 + rng.normal(0, 0.15, t.size), rng)
    est = LiveEstimator()
    dist = []
    for f in fixes:
        est.push_fix(f)
        dist.append(est.estimate(f.t_s).distance_m)
    out = est.estimate(float(t[-1]))
    truth_lane1_m = s_run[-1] / lap_run * 400.0
    assert out.on_track and out.distance_source is DistanceSource.TRACK
    assert out.distance_m == pytest.approx(truth_lane1_m, rel=0.004)
    assert abs(s_run[-1] - truth_lane1_m) / truth_lane1_m > 0.01  # the integral would miss
    assert np.all(np.diff(dist) >= 0.0)
    entry_s = est.track.state.entry_t_s
    laps_since_entry = (s_run[-1] - 5.0 * entry_s) / lap_run
    assert out.track_lap == int(laps_since_entry)
    assert 0.0 <= out.track_position_m < 400.01


def test_track_mode_off_uses_the_speed_integral() -> None:
    rng = np.random.default_rng(30)
    t = np.arange(0, 240.0, 1.0)
    fixes = oval_fixes(t, 5.0 * t, tg.measure_radius_m(1), np.full(t.size, 5.0), rng)
    est = LiveEstimator(track_mode=False)
    for f in fixes:
        est.push_fix(f)
    out = est.estimate(float(t[-1]))
    assert not out.on_track and out.distance_source is DistanceSource.GPS
    assert out.distance_m == pytest.approx(5.0 * t[-1], rel=0.005)


def test_real_track_session_distance_is_the_laps_run() -> None:
    """Luton GPX (1 Hz, positions only, auto-paused): 16 x 200 m, ~7.98 laps of lane 1."""
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    root = ET.parse(Path(__file__).resolve().parents[1] / "data" / "track" / "track_session.gpx")
    rows = [(dt.datetime.fromisoformat(p.findtext("g:time", namespaces=ns) or "").timestamp(),
             float(p.get("lat", "nan")), float(p.get("lon", "nan")))
            for p in root.getroot().iterfind(".//g:trkpt", ns)]
    t, lat, lon = np.array(rows).T
    t = t - t[0]
    est = LiveEstimator()
    for a, b, c in zip(t, lat, lon, strict=True):
        est.push_fix(Fix(t_s=float(a), utc=None, valid=True, lat_deg=float(b), lon_deg=float(c)))
    out = est.estimate(float(t[-1]))
    assert out.on_track and out.distance_source is DistanceSource.TRACK
    assert out.distance_m == pytest.approx(7.98 * 400.0, rel=0.01)


_event = st.one_of(
    st.tuples(st.just("fix"), st.floats(0, 5), st.booleans(),
              st.one_of(st.none(), st.floats(-1, 20), st.just(math.nan)),
              st.floats(-30, 30)),
    st.tuples(st.just("accel"), st.floats(0, 5), st.sampled_from([0.0, 50.0, 100.0]),
              st.integers(0, 120), st.floats(0, 200)),
    st.tuples(st.just("device"), st.floats(0, 5),
              st.sampled_from(list(DeviceState)), st.just(None), st.just(0.0)),
    st.tuples(st.just("estimate"), st.floats(-2, 5), st.just(None), st.just(None),
              st.just(0.0)),
)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_event, max_size=60))
def test_any_sequence_of_inputs_gives_sane_estimates(events: list) -> None:
    est = LiveEstimator()
    t = 0.0
    last_m = 0.0
    for kind, dt_s, a, b, c in events:
        t += dt_s
        if kind == "fix":
            est.push_fix(line_fix(t, 4.0 * t + c, b) if a else Fix(t_s=t, utc=None, valid=False))
        elif kind == "accel":
            n = int(b)
            est.push_accel(AccelBlock(t0_s=t, rate_hz=a, samples_mps2=np.full((n, 3), c / 10)))
        elif kind == "device":
            est.push_device(DeviceEvent(t_s=t, device="gps", state=a))
        out = est.estimate(t + (dt_s if kind == "estimate" else 0.0))
        assert out.distance_m >= last_m and math.isfinite(out.distance_m)
        last_m = out.distance_m
        assert 0.0 <= out.speed_confidence <= 1.0 and 0.0 <= out.cadence_confidence <= 1.0
        assert out.speed_mps is None or (math.isfinite(out.speed_mps) and out.speed_mps >= 0)
