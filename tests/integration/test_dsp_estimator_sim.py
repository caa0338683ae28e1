"""LiveEstimator end to end on the simulator: runner -> receiver NMEA -> parser -> estimator.

A regression guard for the accuracy claims in docs/algorithms-pace-track.md (the full
figures come from benchmarks/accuracy_pace.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from pacer.dsp.estimator import LiveEstimator
from pacer.gps.nmea import EpochAssembler
from pacer.models import DistanceSource
from pacer.sim.receiver import SimulatedReceiver
from pacer.sim.runner import RunnerModel
from pacer.sim.scenarios import interval_session_efforts


@pytest.mark.parametrize("rate_hz", [1.0, 5.0])
def test_simulated_400m_reps_on_the_track(rate_hz: float) -> None:
    efforts = interval_session_efforts(reps=3, rep_distance_m=400.0, rep_time_s=90.0,
                                       warmup_m=800.0, cooldown_m=200.0)
    runner = RunnerModel(efforts, seed=11, rate_hz=20.0)
    rx = SimulatedReceiver(runner, rate_hz=rate_hz, seed=11)
    asm = EpochAssembler()
    est = LiveEstimator()
    t, dist, speed = [], [], []
    for t_s, data in rx.epochs():
        for line in data.decode("ascii", "replace").splitlines():
            for fix in asm.push(t_s, line):
                est.push_fix(fix)
                out = est.estimate(fix.t_s)
                t.append(fix.t_s)
                dist.append(out.distance_m)
                speed.append(np.nan if out.speed_mps is None else out.speed_mps)
    t_a, d_a, v_a = np.array(t), np.array(dist), np.array(speed)
    assert np.all(np.diff(d_a) >= 0)
    last = est.estimate(float(t_a[-1]))
    assert last.on_track and last.distance_source is DistanceSource.TRACK
    true_total = float(runner.state_at(t_a[-1:]).distance_m[0])
    assert last.distance_m == pytest.approx(true_total, rel=0.01)
    truth_v = runner.state_at(t_a).speed_mps
    for i, eff in enumerate(runner.efforts):
        if not eff.label.startswith("rep"):
            continue
        t0, t1 = float(runner.effort_start_s[i]), float(runner.effort_end_s[i])
        rep_m = np.interp(t1, t_a, d_a) - np.interp(t0, t_a, d_a)
        assert rep_m == pytest.approx(400.0, rel=0.015)
        sel = (t_a >= t0 + 5.0) & (t_a <= t1) & np.isfinite(v_a)
        pace_rms = np.sqrt(np.mean((truth_v[sel] / v_a[sel] - 1.0) ** 2))
        assert pace_rms < 0.03
