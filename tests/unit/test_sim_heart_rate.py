"""The simulated heart rate lags effort; the simulated strap's bytes decode; and the
heart-rate coach on simulated sessions: a capped tempo and 6 x 800 m until hr < 120."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pacer.ble.gatt_codec import decode_heart_rate
from pacer.coach.heart_rate import (
    HeartRateCoach,
    HeartRateTarget,
    RecoveryEnd,
    StepContext,
    zones_from_reserve,
)
from pacer.errors import InputError
from pacer.sim.heart_rate import HeartRateModel, simulate_heart_rate_bpm, strap_notifications

QUIET = HeartRateModel(jitter_bpm=0.0)


def test_heart_rate_lags_effort_with_its_time_constants() -> None:
    t = np.arange(0.0, 400.0, 1.0)
    speed = np.where(t < 200, 4.0, 0.0)
    hr = simulate_heart_rate_bpm(t, speed, QUIET, start_hr_bpm=float(QUIET.steady_bpm(0.0)))
    lo, hi = float(QUIET.steady_bpm(0.0)), float(QUIET.steady_bpm(4.0))
    # 63 % of the jump after one time constant (speed held from the previous sample)
    assert hr[25] - lo == pytest.approx((hi - lo) * (1 - math.exp(-1)), rel=1e-6)
    top = hr[200]
    assert top - hr[245] == pytest.approx((top - lo) * (1 - math.exp(-1)), rel=1e-6)


def test_bad_model_and_shapes_raise() -> None:
    with pytest.raises(InputError):
        HeartRateModel(resting_hr_bpm=200)
    with pytest.raises(InputError):
        simulate_heart_rate_bpm([0.0, 1.0], [1.0])


def test_strap_notifications_decode_with_rr_intervals_of_the_beats() -> None:
    t = np.arange(0.0, 120.0, 0.1)
    hr = np.full(t.size, 150.0)
    sent = strap_notifications(t, hr, energy_kj=True)
    assert 118 <= len(sent) <= 120
    decoded = [decode_heart_rate(p) for _, p in sent]
    assert {m.heart_rate_bpm for m in decoded} == {150}
    rr = np.concatenate([m.rr_intervals_s for m in decoded])
    assert rr.size == pytest.approx(300, abs=3) and np.allclose(rr, 0.4, atol=1 / 1024)
    assert all(m.sensor_contact_detected for m in decoded)
    assert decoded[-1].energy_expended_kj > decoded[0].energy_expended_kj


def _strap_samples(t, speed, seed=1):
    hr = simulate_heart_rate_bpm(t, speed, HeartRateModel(), seed=seed, start_hr_bpm=80.0)
    return [(ts, decode_heart_rate(p).heart_rate_bpm) for ts, p in strap_notifications(t, hr)]


def test_capped_tempo_says_ease_off_after_the_lag_and_not_too_often() -> None:
    # 10 min warm-up at 2.8 m/s, then 15 min tempo at 4.8 m/s capped at 150-160 bpm
    t = np.arange(0.0, 1500.0, 0.5)
    speed = np.where(t < 600, 2.8, 4.8)
    coach = HeartRateCoach(zones=zones_from_reserve(190, 50))
    cues = []
    for ts, bpm in _strap_samples(t, speed):
        step = StepContext(0, 0.0) if ts < 600 else StepContext(1, 600.0,
                                                                HeartRateTarget(150, 160))
        cue = coach.update(ts, bpm, step)
        if cue:
            cues.append(cue)
    alerts = [c for c in cues if c.kind != "zone"]
    assert [c.kind for c in alerts] == ["ease_off"] * 3
    assert alerts[0].t_s > 600 + 15 and alerts[0].heart_rate_bpm > 160
    assert all(b.t_s - a.t_s >= 30 for a, b in zip(alerts, alerts[1:], strict=False))


def test_six_by_800m_recoveries_end_when_heart_rate_is_under_120() -> None:
    model = HeartRateModel()
    t_s, hr_bpm, ends = 0.0, 80.0, []
    for _rep in range(6):
        t = np.arange(t_s, t_s + 160.0, 1.0)              # 800 m at 5 m/s
        hr = simulate_heart_rate_bpm(t, np.full(t.size, 5.0), model, start_hr_bpm=hr_bpm)
        t_s, hr_bpm = t_s + 160.0, float(hr[-1])
        t = np.arange(t_s, t_s + 600.0, 1.0)              # walk until hr < 120
        hr = simulate_heart_rate_bpm(t, np.full(t.size, 1.4), model, start_hr_bpm=hr_bpm)
        recovery = RecoveryEnd(120.0)
        end = next(float(ts) for ts, bpm in zip(t, hr, strict=True)
                   if recovery.update(float(ts), float(bpm)))
        i = int(end - t_s)
        assert (hr[i - 3:i + 1] < 120).all() and hr[:i - 5].min() > 118
        ends.append(end - t_s)
        t_s, hr_bpm = end, float(hr[i])
    # from ~170 bpm towards the walking steady state (~99) with a 45 s time constant
    assert all(45 <= e <= 75 for e in ends), ends
