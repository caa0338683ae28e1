"""SpeedFilter and DistanceIntegrator: known answers and properties at 1, 5 and 10 Hz."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacer.dsp.distance import DistanceIntegrator, ProgressFollower
from pacer.dsp.speed import SpeedFilter
from pacer.models import Fix

RATES_HZ = [1.0, 5.0, 10.0]


def fix(t_s: float, speed_mps: float | None, **kw: object) -> Fix:
    base: dict[str, object] = {"valid": True, "lat_deg": 51.86, "lon_deg": -0.42,
                               "fix_quality": 1, "hdop": 0.9, "sats": 9}
    base.update(kw)
    return Fix(t_s=t_s, utc=None, speed_mps=speed_mps, **base)  # type: ignore[arg-type]


def run(filt: SpeedFilter, t: np.ndarray, v: np.ndarray) -> np.ndarray:
    out = [filt.update(fix(float(ti), float(vi))).speed_mps for ti, vi in zip(t, v, strict=True)]
    return np.array([np.nan if o is None else o for o in out])


@pytest.mark.parametrize("rate_hz", RATES_HZ)
def test_steady_pace_is_smoother_than_raw_and_unbiased(rate_hz: float) -> None:
    rng = np.random.default_rng(7)
    t = np.arange(0, 120, 1 / rate_hz)
    raw = 4.5 + rng.normal(0, 0.2, t.size)
    est = run(SpeedFilter(), t, raw)[t > 20]
    assert abs(np.mean(est) - 4.5) < 0.03
    assert np.std(est) < 0.5 * np.std(raw[t > 20])


@pytest.mark.parametrize("rate_hz", RATES_HZ)
def test_step_change_reached_within_a_few_seconds(rate_hz: float) -> None:
    """A rep start: 2 m/s jog to 6 m/s; within 10 % of the new pace 3 s after the step."""
    rng = np.random.default_rng(3)
    t = np.arange(0, 60, 1 / rate_hz)
    true = np.where(t < 30, 2.0, 6.0)
    est = run(SpeedFilter(), t, true + rng.normal(0, 0.15, t.size))
    after = (t >= 33) & (t < 45)
    assert np.all(np.abs(est[after] - 6.0) < 0.6)


@pytest.mark.parametrize("rate_hz", RATES_HZ)
def test_response_time_scales_with_time_not_samples(rate_hz: float) -> None:
    t = np.arange(0, 40, 1 / rate_hz)
    est = run(SpeedFilter(), t, np.where(t < 20, 3.0, 5.0))
    t90 = t[(t >= 20) & (est >= 4.8)][0] - 20.0
    assert t90 <= 3.0


def test_outliers_are_rejected_and_say_why() -> None:
    f = SpeedFilter()
    for i in range(10):
        f.update(fix(float(i), 4.0))
    cases = [
        ("acceleration", fix(10.0, 11.0)),
        ("hdop", fix(10.2, 4.0, hdop=9.0)),
        ("sats", fix(10.4, 4.0, sats=3)),
        ("no_fix", fix(10.6, None, valid=False, lat_deg=None, lon_deg=None)),
        ("dead_reckoning", fix(10.8, 4.0, fix_quality=6)),
        ("implausible_speed", fix(11.0, -1.0)),
        ("time", fix(11.0, 4.0)),
    ]
    for reason, fx in cases:
        out = f.update(fx)
        assert not out.accepted and out.reason == reason
        assert out.speed_mps == pytest.approx(4.0, abs=0.05)


def test_a_real_jump_is_accepted_after_repeated_rejections() -> None:
    f = SpeedFilter(reinit_after=3)
    for i in range(5):
        f.update(fix(float(i), 1.0))
    outs = [f.update(fix(4.2 + 0.2 * i, 9.0)) for i in range(10)]
    assert [o.accepted for o in outs[:3]] == [False, False, True]
    assert outs[2].reason == "reinit"
    assert all(o.accepted for o in outs[3:])
    assert outs[-1].speed_mps == pytest.approx(9.0, abs=0.1)


def test_no_estimate_before_a_fix_or_long_after_the_last() -> None:
    f = SpeedFilter(max_hold_s=3.0)
    assert f.predict(0.0).speed_mps is None
    assert f.update(fix(0.0, None, valid=False, lat_deg=None)).speed_mps is None
    f.update(fix(1.0, 3.0))
    assert f.predict(2.0).speed_mps == pytest.approx(3.0)
    assert f.predict(2.0).confidence > f.predict(3.9).confidence
    assert f.predict(4.5).speed_mps is None


def test_speed_from_positions_when_the_receiver_gives_none() -> None:
    f = SpeedFilter()
    lat0 = 51.86
    dlat = 4.0 / 6_371_008.8 * 180 / math.pi  # 4 m north per second
    outs = [f.update(fix(float(i), None, lat_deg=lat0 + i * dlat)) for i in range(20)]
    assert outs[0].speed_mps is None and outs[0].reason == "no_speed"
    assert outs[-1].source == "position"
    assert outs[-1].speed_mps == pytest.approx(4.0, abs=0.05)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.one_of(st.floats(-1e3, 1e3), st.just(math.nan)),
            st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
            st.booleans(),
            st.one_of(st.none(), st.floats(0, 50)),
        ),
        max_size=40,
    )
)
def test_garbage_input_never_raises_and_never_gives_nonsense(rows: list) -> None:
    f = SpeedFilter()
    for t, v, valid, hdop in rows:
        out = f.update(Fix(t_s=t, utc=None, valid=valid, speed_mps=v, hdop=hdop))
        assert 0.0 <= out.confidence <= 1.0
        assert out.speed_mps is None or (math.isfinite(out.speed_mps) and out.speed_mps >= 0.0)


# --------------------------------------------------------------------------- distance


@pytest.mark.parametrize("rate_hz", RATES_HZ)
def test_distance_of_constant_speed_is_speed_times_time(rate_hz: float) -> None:
    d = DistanceIntegrator()
    t = np.arange(0, 100 + 1e-9, 1 / rate_hz)
    for ti in t:
        total = d.update(float(ti), 4.0)
    assert total == pytest.approx(400.0, rel=1e-9)


def test_standing_adds_nothing() -> None:
    rng = np.random.default_rng(1)
    d = DistanceIntegrator()
    f = SpeedFilter()
    for i in range(600):  # ten minutes at rest, Doppler noise 0..0.3 m/s
        est = f.update(fix(float(i), float(abs(rng.normal(0, 0.15)))))
        total = d.update(float(i), est.speed_mps)
    assert total == 0.0


def test_still_flag_and_long_gaps_add_nothing_short_holes_are_bridged() -> None:
    d = DistanceIntegrator(max_step_s=10.0)
    d.update(0.0, 3.0)
    assert d.update(1.0, 3.0, still=True) == pytest.approx(1.5)  # trapezoid into the stop
    assert d.update(2.0, 3.0) == pytest.approx(3.0)  # moving again: ramp out of the stop
    assert d.update(30.0, 3.0) == pytest.approx(3.0)  # a 28 s hole: no guess
    assert d.update(31.0, None) == pytest.approx(3.0)  # no speed: nothing yet
    assert d.update(34.0, 5.0) == pytest.approx(3.0 + 4.0 * 4.0)  # 30..34 s bridged


def test_progress_follower_learns_a_speed_bias_and_never_goes_back() -> None:
    """Speed reads 1.3 % long against the target (runner wide of the line)."""
    f = ProgressFollower(tau_s=60.0, scale_tau_s=90.0)
    f.reset(0.0, 3.0)  # starts 3 m ahead of the target
    out = np.array([f.update(float(t), 5.0 * 1.013, 5.0 * t) for t in range(1, 900)])
    assert np.all(np.diff(out) >= 0)
    assert f.scale == pytest.approx(1 / 1.013, abs=0.002)
    assert out[-1] == pytest.approx(5.0 * 899, abs=0.5)
