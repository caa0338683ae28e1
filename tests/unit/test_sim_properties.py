"""Hypothesis properties of the runner model over arbitrary effort lists."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pacer.dsp import track_geometry as tg
from pacer.sim.runner import Effort, RunnerModel


@st.composite
def efforts(draw: st.DrawFn) -> list[Effort]:
    out = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["stand", "walk", "jog", "run"]))
        if kind == "stand":
            out.append(Effort(kind, duration_s=draw(st.floats(3.0, 30.0))))
            continue
        speed = {"walk": st.floats(0.8, 1.9), "jog": st.floats(2.2, 3.5),
                 "run": st.floats(3.5, 7.0)}[kind]
        if draw(st.booleans()):
            out.append(Effort(kind, distance_m=draw(st.floats(20.0, 450.0)),
                              speed_mps=draw(speed)))
        else:
            out.append(Effort(kind, duration_s=draw(st.floats(5.0, 60.0)),
                              speed_mps=draw(speed)))
    return out


@settings(max_examples=25, deadline=None)
@given(efforts(), st.integers(0, 2**16), st.floats(0.0, 399.0), st.integers(1, 8))
def test_runner_invariants(effs: list[Effort], seed: int, start_s_m: float, lane: int) -> None:
    r = RunnerModel(effs, seed=seed, start_s_m=start_s_m, lane=lane, rate_hz=50.0)
    tr = r.truth
    # efforts tile the timeline and end where they say
    assert r.effort_start_s[0] == 0.0
    assert np.allclose(r.effort_start_s[1:], r.effort_end_s[:-1])
    ends = r.state_at(np.concatenate(([0.0], r.effort_end_s))).distance_m
    for i, e in enumerate(effs):
        span = r.effort_end_s[i] - r.effort_start_s[i]
        if e.distance_m is not None:
            assert abs((ends[i + 1] - ends[i]) - e.distance_m) < 0.05
        else:
            assert abs(span - e.duration_s) < 1e-9
    # physical sanity
    assert np.all(tr.speed_mps >= 0) and np.all(tr.speed_mps < 8.5)
    assert np.all(np.diff(tr.distance_m) >= 0)
    assert np.all((tr.cadence_spm == 0) | ((tr.cadence_spm > 80) & (tr.cadence_spm < 215)))
    assert np.all(np.abs(np.diff(tr.speed_mps)) * 50.0 < 3.0)  # |acceleration| < 3 m/s^2
    # positions trace the distance along the lane's measure line
    path = np.sum(np.hypot(np.diff(tr.east_m), np.diff(tr.north_m)))
    assert abs(path - tr.distance_m[-1]) < 1e-3 * tr.distance_m[-1] + 0.01
    x, y = r.site.track_from_enu(tr.east_m, tr.north_m)
    _, off = tg.project_to_track(x, y, tg.measure_radius_m(lane))
    assert np.max(np.abs(off)) < 0.01
    # footfalls ordered, inside the session, none while standing still
    st_ = r.step_times_s
    assert np.all(np.diff(st_) > 0)
    if st_.size:
        assert st_[0] >= 0 and st_[-1] <= r.duration_s
        assert np.all(r.state_at(st_).speed_mps > 0.02)
