"""Workout engine on scripted estimate sequences: reps, crossing times, starts, controls."""

from __future__ import annotations

import itertools

import pytest
from helpers.coach_runner import Runner
from hypothesis import given, settings
from hypothesis import strategies as st

from pacer.coach.cues import CuePolicy, CueSettings
from pacer.coach.engine import WorkoutEngine
from pacer.coach.language.parser import parse_workout
from pacer.coach.outputs import MetronomeSetting
from pacer.formats.workout_source import resolve_workout
from pacer.models import (
    Control,
    ControlEvent,
    CueKind,
    DeviceEvent,
    DeviceState,
    DistanceSource,
    Estimate,
    MetronomeMode,
    Phase,
    RepKind,
)


def est(t_s: float, d_m: float, v_mps: float, **kw) -> Estimate:
    base = {"utc": None, "speed_confidence": 0.9, "cadence_spm": 180.0, "cadence_confidence": 0.9,
                "distance_source": DistanceSource.GPS, "gps_ok": True}  # fmt: skip
    base.update(kw)
    return Estimate(t_s=t_s, distance_m=d_m, speed_mps=v_mps, **base)


def test_6x400_reps_recorded_with_targets_and_actuals():
    engine = WorkoutEngine(resolve_workout("6x400"))
    log = Runner().run(engine, until_s=3000)
    reps = engine.reps
    assert engine.finished
    assert [r.kind for r in reps] == (
        [RepKind.WARMUP] + [RepKind.WORK, RepKind.RECOVERY] * 6 + [RepKind.COOLDOWN]
    )
    work = [r for r in reps if r.kind is RepKind.WORK]
    assert [r.label for r in work] == [f"rep {i} of 6" for i in range(1, 7)]
    for r in work:
        assert r.target_distance_m == 400.0 and r.target_pace_s_per_km == pytest.approx(225.0)
        assert r.distance_m == pytest.approx(400.0)
        true = log.true_time_at(r.start_s and _session_d(log, r.start_s) + 400.0)
        assert r.start_s + r.duration_s == pytest.approx(true, abs=0.1)
        assert r.pace_s_per_km == pytest.approx(r.duration_s * 2.5)
        assert r.cadence_spm == pytest.approx(172.0)
        assert r.distance_source is DistanceSource.TRACK
    # continuous: each step starts where the previous ended
    for a, b in itertools.pairwise(reps[1:]):  # rep 1 waits for the runner
        assert b.start_s == pytest.approx(a.start_s + a.duration_s, abs=1e-6)
    # runs at target speed after a ~1 s speed lag from the recovery jog: a bit slow
    assert all(90.0 < r.duration_s < 91.5 for r in work)
    summaries = [c.text for c in log.said if c.kind is CueKind.REP_SUMMARY]
    assert len(summaries) == 6 and all(" slow" in s for s in summaries)


def _session_d(log, t_s):
    import numpy as np

    return float(np.interp(t_s, log.t_s, log.d_m))


@pytest.mark.parametrize("offset_s", [0.0, 0.13, 0.5, 0.87])
def test_crossing_time_interpolated_between_estimates(offset_s):
    # constant 5.6 m/s, button press at 10 s: the 400 m is done at 10 + 400/5.6 exactly
    engine = WorkoutEngine(parse_workout("400m @72s"), start_mode="button")
    v = 5.6
    t = offset_s
    cues = []
    while t < 100:
        cues += engine.on_estimate(est(t, v * t, v)).cues
        if t < 10.0 <= t + 1.0:
            cues += engine.on_control(ControlEvent(10.0, Control.START_LAP)).cues
        t += 1.0
    (rep,) = engine.reps
    assert rep.start_s == 10.0
    assert rep.duration_s == pytest.approx(400 / v, abs=0.01)
    assert rep.distance_m == pytest.approx(400.0)
    summary = next(c for c in cues if c.kind is CueKind.REP_SUMMARY)
    assert summary.text == "71.4, six tenths quick"


@pytest.mark.parametrize("offset_s", [0.1, 0.8])
def test_crossing_follows_a_slowdown_inside_the_second(offset_s):
    """The runner eases off 0.3 s before the line (time constant 0.5 s).

    Straight-line interpolation between the two estimates is 0.07-0.09 s late here; the
    speed-aware (Hermite) path stays within 0.02 s of the truth.
    """
    import math

    import numpy as np

    v_rep, t_line = 5.6, 10.0 + 400 / 5.6

    def speed(t):
        return np.where(t < t_line - 0.3, v_rep,
                        2.5 + (v_rep - 2.5) * np.exp(-(t - t_line + 0.3) / 0.5))  # fmt: skip

    ts = np.arange(0, 90_000) / 1000.0
    d = np.concatenate([[0.0], np.cumsum(speed(ts[1:]) * 0.001)])
    engine = WorkoutEngine(parse_workout("400m @72s"), start_mode="button")
    d_start = float(np.interp(10.0, ts, d))
    for t in np.arange(offset_s, 90.0, 1.0):
        engine.on_estimate(est(float(t), float(np.interp(t, ts, d)), float(speed(t))))
        if t < 10.0 <= t + 1.0:
            engine.on_control(ControlEvent(10.0, Control.START_LAP))
    (rep,) = engine.reps
    true_end = float(ts[np.searchsorted(d, d_start + 400.0)])
    assert rep.start_s == 10.0
    assert rep.start_s + rep.duration_s == pytest.approx(true_end, abs=0.02)
    assert math.isfinite(rep.pace_s_per_km)


def test_countdown_then_go_at_the_end_of_a_timed_recovery():
    engine = WorkoutEngine(parse_workout("2x(400m @72s, r60s)"), start_mode="immediate")
    log = Runner().run(engine, until_s=400)
    _rep1, rec, rep2 = engine.reps[:3]
    end = rec.start_s + 60.0
    assert rec.duration_s == pytest.approx(60.0)
    assert rep2.start_s == pytest.approx(end)
    countdown = [(c.text, c.t_s) for c in log.said if c.kind in (CueKind.COUNTDOWN, CueKind.GO)
                 and rec.start_s < c.t_s <= end + 0.01]  # fmt: skip
    assert countdown == [("30 seconds", pytest.approx(end - 30)), ("10", pytest.approx(end - 10)),
                         ("3", pytest.approx(end - 3)), ("2", pytest.approx(end - 2)),
                         ("1", pytest.approx(end - 1)), ("go", pytest.approx(end))]  # fmt: skip
    previews = [c.text for c in log.said if c.kind is CueKind.PREVIEW]
    assert "rep 2 of 2, 400 at 72" in previews


def test_auto_start_when_the_runner_sets_off():
    engine = WorkoutEngine(parse_workout("400m @80s; 200m jog"), start_mode="auto")
    log = Runner(wait_s=20.0, tau_s=0.7).run(engine, until_s=200)
    rep = engine.reps[0]
    # the runner sets off at ~20 s (first tick the runner sees waiting is t=0)
    moving = next(t for t, d in zip(log.t_s, log.d_m, strict=True) if d > 0.5)
    assert moving - 0.5 < rep.start_s < moving + 1.5
    assert rep.distance_m == pytest.approx(400.0)
    assert any(c.kind is CueKind.PREVIEW and "Start when ready" in c.text for c in log.cues)


def test_button_mode_ignores_running_until_pressed():
    engine = WorkoutEngine(parse_workout("400m @80s"), start_mode="button")
    log = Runner(wait_s=5.0).run(engine, until_s=60,
                                 events=[ControlEvent(30.0, Control.START_LAP)])  # fmt: skip
    assert _session_d(log, 29.0) > 50.0  # running for ~20 s before the press
    (rep,) = engine.reps  # finished by the runner at 60 s
    assert rep.start_s == 30.0 and rep.duration_s == pytest.approx(30.0, abs=0.06)


def test_lap_pause_skip_end():
    w = parse_workout("3x(400m @72s, r60s)")
    events = [
        ControlEvent(5.0, Control.START_LAP),  # start rep 1
        ControlEvent(40.0, Control.START_LAP),  # lap: rep 1 ends early
        ControlEvent(50.0, Control.SKIP),  # skip the recovery: rep 2 starts
        ControlEvent(60.0, Control.PAUSE),
        ControlEvent(75.0, Control.PAUSE),  # resume after 15 s
        ControlEvent(200.0, Control.END),
    ]
    engine = WorkoutEngine(w, start_mode="button")
    log = Runner(wait_s=0.0).run(engine, until_s=300, events=events)
    assert engine.finished
    rep1, rec1, rep2 = engine.reps[:3]
    assert rep1.start_s == 5.0 and rep1.duration_s == pytest.approx(35.0)
    assert rep1.distance_m < 400.0
    assert rec1.kind is RepKind.RECOVERY and rec1.duration_s == pytest.approx(10.0)
    assert rep2.start_s == pytest.approx(50.0)
    # the 15 s pause does not count, nor the distance covered meanwhile
    assert rep2.distance_m == pytest.approx(400.0)
    true_end = log.true_time_at(_session_d(log, 50.0) + 400.0 + _paused_distance(log, 60.0, 75.0))
    assert rep2.start_s + rep2.duration_s + 15.0 == pytest.approx(true_end, abs=0.1)
    kinds = [c.kind for c in log.said]
    assert kinds[-1] is CueKind.SESSION_SUMMARY
    texts = [c.text for c in log.said]
    assert "paused" in texts and "resumed" in texts and "skipped" in texts
    # nothing after END
    assert engine.on_estimate(est(300.0, 0.0, 0.0)).cues == []


def _paused_distance(log, a, b):
    return _session_d(log, b) - _session_d(log, a)


def test_metronome_setting_follows_the_running_step():
    engine = WorkoutEngine(parse_workout("tempo 2min @4:30/km cadence 178 metronome; 2min jog"),
                           start_mode="immediate", metronome_mode="locked")  # fmt: skip
    out = engine.on_estimate(est(0.0, 0.0, 3.7))
    assert out.metronome == MetronomeSetting(178.0, MetronomeMode.LOCKED)
    t = 1.0
    while t < 125:
        out = engine.on_estimate(est(t, 3.7 * t, 3.7))
        t += 1.0
    assert out.status.step.kind is RepKind.COOLDOWN
    assert out.metronome.target_cadence_spm is None


def test_metronome_off_never_asks_for_clicks():
    engine = WorkoutEngine(parse_workout("tempo 2min cadence 178 metronome"),
                           start_mode="immediate", metronome_mode=MetronomeMode.OFF)
    outs = [engine.on_estimate(est(float(t), 3.7 * t, 3.7)) for t in range(30)]
    assert outs[-1].status.phase is Phase.RUNNING
    assert {o.metronome.target_cadence_spm for o in outs} == {None}


def test_outputs_carry_phase_changes_reps_and_the_end():
    engine = WorkoutEngine(parse_workout("400m @80s; r30s"), start_mode="button")
    outs = [engine.on_estimate(est(0.5, 0.0, 0.0))]
    outs.append(engine.on_control(ControlEvent(1.0, Control.START_LAP)))
    assert [(c.phase, c.step.kind) for c in outs[-1].phase_changes] == [
        (Phase.RUNNING, RepKind.WORK)]
    for k in range(1, 130):
        outs.append(engine.on_estimate(est(1.0 + k, 5.0 * k, 5.0)))
    outs.append(engine.finish(140.0))
    changes = [(c.t_s, c.phase, c.step.kind if c.step else None)
               for o in outs for c in o.phase_changes]
    assert changes == [(0.5, Phase.WAITING, RepKind.WORK), (1.0, Phase.RUNNING, RepKind.WORK),
                       (81.0, Phase.WAITING, RepKind.WORK),
                       (81.0, Phase.RUNNING, RepKind.RECOVERY),
                       (111.0, Phase.WAITING, RepKind.RECOVERY), (111.0, Phase.FINISHED, None)]
    assert [r for o in outs for r in o.reps] == engine.reps
    done = [o.finished for o in outs]
    first = done.index(True)  # the output that carries FINISHED; every later one too
    assert any(c.phase is Phase.FINISHED for c in outs[first].phase_changes)
    assert all(done[first:]) and outs[-1].status.phase is Phase.FINISHED
    assert engine.on_estimate(est(150.0, 700.0, 0.0)).finished


def test_an_unknown_start_mode_is_refused():
    with pytest.raises(ValueError, match="start_mode must be one of auto, button, immediate"):
        WorkoutEngine(parse_workout("400m"), start_mode="sometimes")


def test_gps_lost_and_back_said_once_each():
    engine = WorkoutEngine(parse_workout("10min steady"), start_mode="immediate")

    def gps_ok(t):
        return not 100 <= t < 160

    events = [
        DeviceEvent(100.2, "gps", DeviceState.LOST),
        DeviceEvent(160.1, "gps", DeviceState.BACK),
    ]
    log = Runner().run(engine, until_s=300, events=events, gps_ok=gps_ok)
    gps = [c.text for c in log.said if c.kind is CueKind.GPS]
    assert gps == ["GPS lost, timing continues", "GPS back"]


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ([(100, 102)], []),  # a 2 s dropout is not worth a word
        ([(100, 105)], []),  # nor a 5 s one (issue 12: "GPS lost" / "GPS back" 2 s apart)
        ([(100, 115)], ["GPS lost, timing continues", "GPS back"]),
        ([(0, 20)], ["GPS ready"]),  # the session started before the first fix
        (
            [(0, 20), (100, 115), (200, 201)],
            ["GPS ready", "GPS lost, timing continues", "GPS back"],
        ),
    ],
)
def test_gps_from_estimates_is_debounced(bad, expected):
    engine = WorkoutEngine(parse_workout("10min steady"), start_mode="immediate")

    def gps_ok(t):
        return not any(a <= t < b for a, b in bad)

    log = Runner().run(engine, until_s=300, gps_ok=gps_ok)
    assert [c.text for c in log.said if c.kind is CueKind.GPS] == expected


def test_cue_settings_change_mid_session_keeps_the_rep():
    engine = WorkoutEngine(parse_workout("800m @2:40"), start_mode="immediate")
    v = 5.0
    texts = []
    for k in range(200):
        t = 0.5 + k
        if k == 50:
            engine.set_cue_settings(CueSettings(profile="track", disabled=frozenset({"split"})))
        out = engine.on_estimate(est(t, v * t, v, on_track=True))
        texts += [(c.kind, c.text) for c in out.cues]
    splits = [x for k, x in texts if k is CueKind.SPLIT]
    assert splits == ["200, 40"]  # 200 m splits on an 800 (issue 12); switched off at 50 s
    assert [x for k, x in texts if k is CueKind.HALFWAY] == ["halfway, 80, on pace for two forty"]
    assert engine.reps[0].duration_s == pytest.approx(160.0)


def test_until_block_ends_at_its_time_limit():
    w = parse_workout("until 5min: (400m @80s, 200m jog); 1km jog")
    engine = WorkoutEngine(w, start_mode="immediate")
    Runner().run(engine, until_s=1000)
    reps = engine.reps
    block = [r for r in reps if r.kind in (RepKind.WORK, RepKind.RECOVERY)]
    last = block[-1]
    # no step of the block starts after the 300 s limit; the one in progress finishes
    assert all(r.start_s < 300.0 for r in block)
    assert last.start_s + last.duration_s >= 300.0 - 160.0
    assert reps[-1].kind is RepKind.COOLDOWN and reps[-1].distance_m == pytest.approx(1000.0)
    assert [r.label for r in block if r.kind is RepKind.WORK][:2] == ["rep 1", "rep 2"]


def test_halfway_with_projected_finish():
    engine = WorkoutEngine(parse_workout("400m @72s"), start_mode="button")
    v = 400 / 71.2
    t = 0.25
    cues = []
    while t < 90:
        cues += engine.on_estimate(est(t, v * t, v, on_track=True)).cues
        if t < 5.0 <= t + 1.0:
            cues += engine.on_control(ControlEvent(5.0, Control.START_LAP)).cues
        t += 1.0
    halfway = [c.text for c in cues if c.kind is CueKind.HALFWAY]
    assert halfway == ["halfway, 35.6, on pace for 71.2"]
    splits = [c.text for c in cues if c.kind is CueKind.SPLIT]
    assert splits == ["17.8"]  # at 100 m; 200 is halfway, 300 is "100 to go", 400 the summary
    assert [c.text for c in cues if c.kind is CueKind.TO_GO] == ["100 to go"]


def test_policy_settings_reach_the_engine():
    settings = CueSettings(profile="minimal")
    engine = WorkoutEngine(resolve_workout("6x400"), policy=CuePolicy(settings))
    log = Runner().run(engine, until_s=3000)
    kinds = {c.kind for c in log.cues}
    assert kinds <= settings.profile_spec.kinds
    assert CueKind.REP_SUMMARY in kinds and CueKind.SPLIT not in kinds


def test_no_countdown_into_another_recovery():
    # after the last 200 of a set comes r30s, then the set recovery r2:00: the countdown
    # and "go" belong to the end of the r2:00 only
    w = parse_workout("2x(2x(200m @32s, r30s), r2:00)")
    engine = WorkoutEngine(w, start_mode="immediate")
    log = Runner().run(engine, until_s=800)
    reps = engine.reps
    gos = [c.t_s for c in log.said if c.kind is CueKind.GO]
    work_starts = [r.start_s for r in reps if r.kind is RepKind.WORK]
    assert len(gos) == len(work_starts) == 4
    for go, start in zip(gos, work_starts, strict=True):
        assert go == pytest.approx(start, abs=1.0)
    assert [c.text for c in log.said if c.kind is CueKind.TO_GO] == []  # 200s: halfway only


def test_lap_press_ending_an_open_warmup_starts_rep_1():
    engine = WorkoutEngine(parse_workout("warmup; 2x(400m @80s, r60s)"), start_mode="button")
    events = [ControlEvent(2.0, Control.START_LAP), ControlEvent(300.0, Control.START_LAP)]
    Runner(wait_s=0.0).run(engine, until_s=400, events=events)
    warm, rep1 = engine.reps[:2]
    assert warm.kind is RepKind.WARMUP and warm.start_s == 2.0 and warm.duration_s == 298.0
    assert rep1.kind is RepKind.WORK and rep1.start_s == 300.0


_WORKOUTS = ["6x400", "2x(400m @72s, r30s)", "warmup; 3x(1min @5k, 200m stand); cooldown",
             "until 3min: (200m @40s, r20s)", "tempo 3min @4:30/km cadence 178 metronome"]


@settings(max_examples=60, deadline=None)
@given(
    workout=st.sampled_from(_WORKOUTS),
    mode=st.sampled_from(["auto", "button", "immediate"]),
    speeds=st.lists(st.one_of(st.none(), st.floats(0.0, 9.0)), min_size=5, max_size=400),
    conf=st.floats(0.0, 1.0),
    events=st.lists(st.tuples(st.floats(0.0, 400.0), st.sampled_from(list(Control))),
                    max_size=8),
    gps=st.lists(st.booleans(), min_size=1, max_size=20),
)  # fmt: skip
def test_any_estimates_and_buttons_keep_the_engine_consistent(workout, mode, speeds, conf,
                                                              events, gps):  # fmt: skip
    engine = WorkoutEngine(resolve_workout(workout), start_mode=mode)
    pending = sorted(events, key=lambda e: e[0])
    cues = []
    d = 0.0
    for k, v in enumerate(speeds):
        t = 0.5 + k
        while pending and pending[0][0] <= t:
            te, control = pending.pop(0)
            cues += engine.on_control(ControlEvent(te, control)).cues
        d += v or 0.0
        cues += engine.on_estimate(est(t, d, v, speed_confidence=conf,
                                       gps_ok=gps[k % len(gps)])).cues  # fmt: skip
    last = engine.finish(0.5 + len(speeds))
    cues += last.cues
    assert engine.finished and last.finished and last.status.phase is Phase.FINISHED
    said = sorted((c for c in cues if not c.dropped), key=lambda c: c.t_s)
    for a, b in itertools.pairwise(said):
        assert b.t_s >= a.t_s + a.duration_s - 1e-9
    for a, b in itertools.pairwise(engine.reps):
        assert b.start_s >= a.start_s + a.duration_s - 1e-6
    for r in engine.reps:
        assert r.duration_s >= 0.0 and r.distance_m >= 0.0
        if r.target_distance_m is not None:
            assert r.distance_m <= r.target_distance_m + 1e-6


def test_late_button_event_never_makes_a_negative_step():
    engine = WorkoutEngine(parse_workout("400m @72s; r60s"), start_mode="immediate")
    for k in range(80):
        engine.on_estimate(est(0.5 + k, 5.6 * k, 5.6))
    # the rep ended at ~72 s; a lap press stamped 70 s arrives after the recovery began
    engine.on_control(ControlEvent(70.0, Control.START_LAP))
    engine.finish(60.0)
    assert all(r.duration_s >= 0 for r in engine.reps)
    assert [r.kind for r in engine.reps] == [RepKind.WORK, RepKind.RECOVERY]


def test_until_block_ending_after_a_recovery_has_no_countdown():
    # 400 m in 80 s + r60s = 140 s a round: the 4 min limit is reached at the end of the
    # second recovery, so no countdown or "go" then (the cool-down follows, not a rep)
    engine = WorkoutEngine(parse_workout("until 4min: (400m @80s, r60s); 1km jog"),
                           start_mode="immediate")  # fmt: skip
    log = Runner().run(engine, until_s=900)
    kinds = [r.kind for r in engine.reps]
    assert kinds == [RepKind.WORK, RepKind.RECOVERY] * 2 + [RepKind.COOLDOWN]
    gos = [c for c in log.said if c.kind is CueKind.GO]
    assert len(gos) == 2
