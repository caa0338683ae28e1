"""Known-answer properties of the simulated runner (pacer.sim.runner, scenarios, gait_model),
and hypothesis properties of the runner model over arbitrary effort lists."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pacer.dsp import track_geometry as tg
from pacer.errors import InputError
from pacer.sim import gait_model as gm
from pacer.sim.runner import Effort, RunnerModel
from pacer.sim.scenarios import (
    default_session_efforts,
    interval_session_efforts,
    tempo_session_efforts,
)


@pytest.fixture(scope="module")
def session() -> RunnerModel:
    """6 x 400 m, every rep from the finish line: stand, walk, jog recoveries."""
    return RunnerModel(interval_session_efforts(recovery="line"), seed=3)


@pytest.fixture(scope="module")
def default() -> RunnerModel:
    return RunnerModel(default_session_efforts(), seed=3)


def _reps(r: RunnerModel) -> list[int]:
    return [i for i, e in enumerate(r.efforts) if e.label.startswith("rep")]


def test_path_length_of_positions_equals_distance(session: RunnerModel) -> None:
    # positions and distance are computed separately: the path they trace must agree
    tr = session.truth
    path = np.cumsum(np.hypot(np.diff(tr.east_m), np.diff(tr.north_m)))
    assert path[-1] == pytest.approx(tr.distance_m[-1], rel=1e-4)
    mid = len(path) // 2
    assert path[mid] == pytest.approx(tr.distance_m[mid + 1], rel=1e-4)


def test_distance_is_integral_of_speed_on_an_independent_grid(session: RunnerModel) -> None:
    t = np.linspace(0.0, session.duration_s, 7001)  # not the model's own grid
    st = session.state_at(t)
    integral = np.concatenate(([0.0], np.cumsum(0.5 * (st.speed_mps[1:] + st.speed_mps[:-1])
                                                 * np.diff(t))))
    assert np.max(np.abs(integral - st.distance_m)) < 0.002 * session.truth.distance_m[-1]


def test_one_lap_of_lane_one_is_400_m_of_path(session: RunnerModel) -> None:
    tr = session.truth
    first = np.searchsorted(tr.lap, 1)
    second = np.searchsorted(tr.lap, 2)
    seg = slice(first, second + 1)
    path = np.sum(np.hypot(np.diff(tr.east_m[seg]), np.diff(tr.north_m[seg])))
    assert path == pytest.approx(400.0, abs=0.3)
    assert tg.lap_length_m(1) == pytest.approx(400.0, abs=0.01)


def test_reps_cover_400_m_in_about_90_s_from_the_finish_line(session: RunnerModel) -> None:
    reps = _reps(session)
    assert len(reps) == 6
    for i in reps:
        t0, t1 = session.effort_start_s[i], session.effort_end_s[i]
        assert 86.0 < t1 - t0 < 94.0  # target 90 s, personal pacing error ~1 %
        st = session.state_at(np.array([t0, t1]))
        assert st.distance_m[1] - st.distance_m[0] == pytest.approx(400.0, abs=0.05)
        for s in st.s_m:
            assert min(s, 400.0 - s) < 0.5  # starts and ends on the finish line


def test_default_session_alternates_finish_line_and_200_m_start(default: RunnerModel) -> None:
    reps = _reps(default)
    assert len(reps) == 6
    starts = default.state_at(default.effort_start_s[reps]).s_m
    expected = np.array([0.0, 200.0, 0.0, 200.0, 0.0, 200.0])
    dist = np.abs((starts - expected + 200.0) % 400.0 - 200.0)
    assert np.all(dist < 0.5)
    for i in reps:
        assert 86.0 < default.effort_end_s[i] - default.effort_start_s[i] < 94.0
    recoveries = [i for i, e in enumerate(default.efforts) if e.label.startswith("recovery")]
    for i in recoveries:
        st = default.state_at(np.array([default.effort_start_s[i], default.effort_end_s[i]]))
        assert np.diff(st.distance_m)[0] == pytest.approx(200.0, abs=0.05)


def test_rep_start_reaches_pace_in_3_to_5_s(session: RunnerModel) -> None:
    for i in _reps(session):
        t0, t1 = session.effort_start_s[i], session.effort_end_s[i]
        t = np.arange(t0, t0 + 15.0, 0.01)
        v = session.state_at(t).speed_mps
        cruise = np.median(session.state_at(np.linspace(t0 + 10, t1 - 5, 200)).speed_mps)
        reached = t[np.argmax(v >= 0.95 * cruise)] - t0
        assert 2.5 <= reached <= 5.5


def test_rep_fades_and_runner_decelerates_after_the_line(session: RunnerModel) -> None:
    for i in _reps(session):
        t0, t1 = session.effort_start_s[i], session.effort_end_s[i]
        first = session.state_at(np.linspace(t0 + 8, t0 + 28, 100)).speed_mps.mean()
        last = session.state_at(np.linspace(t1 - 20, t1, 100)).speed_mps.mean()
        assert last < first
        if session.efforts[i + 1].kind == "stand":
            after = session.state_at(np.array([t1 + 8.0])).speed_mps[0]
            assert after < 0.5  # the recovery starts standing


@pytest.mark.parametrize(("kind", "low", "high"), [("run", 165, 190), ("walk", 95, 130)])
def test_cadence_in_band_during_steady_efforts(session: RunnerModel, kind: str, low: float,
                                               high: float) -> None:
    for i, e in enumerate(session.efforts):
        if e.kind != kind:
            continue
        t0, t1 = session.effort_start_s[i] + 8, session.effort_end_s[i] - 1
        cad = session.state_at(np.linspace(t0, t1, 100)).cadence_spm
        assert np.all((cad > low) & (cad < high)), (e, cad.min(), cad.max())


def test_standing_has_no_cadence_and_no_steps(session: RunnerModel) -> None:
    for i, e in enumerate(session.efforts):
        if e.kind == "stand" and e.duration_s >= 10:
            t0, t1 = session.effort_start_s[i] + 7, session.effort_end_s[i]
            assert np.all(session.state_at(np.linspace(t0, t1, 50)).cadence_spm == 0)
            assert session.steps_between(t0 + 1, t1) == 0


def test_step_count_follows_cadence(session: RunnerModel) -> None:
    tr = session.truth
    for t0 in np.arange(30.0, session.duration_s - 60, 97.0):
        sel = (tr.t_s >= t0) & (tr.t_s < t0 + 30)
        expected = np.trapezoid(tr.cadence_spm[sel], tr.t_s[sel]) / 60.0
        assert session.steps_between(t0, t0 + 30) == pytest.approx(expected, abs=2.5)


def test_step_times_jitter_but_stay_ordered(session: RunnerModel) -> None:
    st = session.step_times_s
    assert np.all(np.diff(st) > 0)
    i = _reps(session)[2]
    sel = (st > session.effort_start_s[i] + 10) & (st < session.effort_end_s[i] - 10)
    periods = np.diff(st[sel])
    cv = periods.std() / periods.mean()
    assert 0.01 < cv < 0.05  # real step-to-step variability is a few percent
    assert set(np.unique(session.step_foot)) == {0, 1}


def test_gait_model_known_answers() -> None:
    assert gm.cadence_for_speed_spm(3.0) == pytest.approx(165.0)
    assert 185.0 <= gm.cadence_for_speed_spm(6.0) <= 190.0
    assert 105.0 <= gm.cadence_for_speed_spm(1.4) <= 120.0
    assert gm.cadence_for_speed_spm(0.0) == 0.0
    assert gm.gait_for_speed(1.4) == gm.GAIT_WALK and gm.gait_for_speed(3.0) == gm.GAIT_RUN


def test_deterministic_for_a_seed() -> None:
    a = RunnerModel(tempo_session_efforts(300.0), seed=7)
    b = RunnerModel(tempo_session_efforts(300.0), seed=7)
    c = RunnerModel(tempo_session_efforts(300.0), seed=8)
    assert np.array_equal(a.truth.distance_m, b.truth.distance_m)
    assert np.array_equal(a.step_times_s, b.step_times_s)
    assert not np.array_equal(a.step_times_s[:50], c.step_times_s[:50])


def test_tempo_holds_its_speed() -> None:
    r = RunnerModel(tempo_session_efforts(600.0, speed_mps=3.9), seed=1)
    i = [e.label for e in r.efforts].index("tempo")
    t0, t1 = r.effort_start_s[i], r.effort_end_s[i]
    assert t1 - t0 == pytest.approx(600.0)
    d = np.diff(r.state_at(np.array([t0, t1])).distance_m)[0]
    assert d / 600.0 == pytest.approx(3.9, rel=0.03)


def test_state_at_matches_grid_and_position_is_on_lane_one(session: RunnerModel) -> None:
    tr = session.truth
    idx = np.arange(0, len(tr), 997)
    st = session.state_at(tr.t_s[idx])
    assert np.allclose(st.distance_m, tr.distance_m[idx])
    assert np.allclose(st.lat_deg, tr.lat_deg[idx])
    x, y = session.site.track_from_enu(st.east_m, st.north_m)
    _, off = tg.project_to_track(x, y, tg.measure_radius_m(1))
    assert np.max(np.abs(off)) < 0.01


def test_start_point_and_lane_move_the_runner() -> None:
    r = RunnerModel([Effort("jog", distance_m=100.0)], lane=3, start_s_m=50.0, seed=0)
    assert r.truth.s_m[0] == pytest.approx(50.0)
    assert r.lap_length_m == pytest.approx(tg.lap_length_m(3))
    assert r.truth.s_m[-1] == pytest.approx(150.0, abs=0.05)


@pytest.mark.parametrize("kwargs", [
    {"kind": "sprint", "duration_s": 10.0},
    {"kind": "jog"},
    {"kind": "stand", "distance_m": 10.0},
    {"kind": "run", "distance_m": 400.0},
    {"kind": "walk", "duration_s": -1.0},
])
def test_bad_efforts_are_refused(kwargs: dict) -> None:
    kind = kwargs.pop("kind")
    with pytest.raises(InputError):
        Effort(kind, **kwargs)


def test_truth_rate_does_not_change_the_session() -> None:
    coarse = RunnerModel(default_session_efforts(), seed=9, rate_hz=50.0)
    fine = RunnerModel(default_session_efforts(), seed=9, rate_hz=200.0)
    assert np.max(np.abs(coarse.effort_end_s - fine.effort_end_s)) < 0.01
    t = np.linspace(0.0, fine.duration_s, 500)
    assert np.max(np.abs(coarse.state_at(t).distance_m - fine.state_at(t).distance_m)) < 0.05
    assert abs(coarse.step_times_s.size - fine.step_times_s.size) <= 2


# ------------------------------------------------------------------ properties
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
