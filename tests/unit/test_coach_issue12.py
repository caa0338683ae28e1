"""Issue 12: a coach runners trust on every workout (each case failed before its fix)."""

from __future__ import annotations

import pytest
from helpers.coach_runner import Runner
from helpers.cue_checks import contradictions

from pacer.coach.cues import CuePolicy, CueSettings
from pacer.coach.engine import WorkoutEngine
from pacer.formats.workout_source import resolve_workout
from pacer.models import CueKind, RepKind


def _run(workout: str, *, profile: str = "track", miles: bool = False, **kw):
    engine = WorkoutEngine(resolve_workout(workout),
                           policy=CuePolicy(CueSettings(profile=profile, miles=miles)))
    log = Runner(**kw).run(engine, until_s=4 * 3600)
    return engine, log


@pytest.mark.parametrize("n", [3, 4])
def test_standing_distance_recovery_ends_when_the_runner_sets_off(n):
    engine, log = _run(f"{n}x(200m @32s, 200m stand)", stand_s=60.0)
    work = [r for r in engine.reps if r.kind is RepKind.WORK]
    assert len(work) == n and all(r.completed for r in work)
    assert all(r.distance_m == pytest.approx(200.0) for r in work)
    assert all(28.0 < r.duration_s < 36.0 for r in work)  # no minute of standing in it
    rests = [r for r in engine.reps if r.kind is RepKind.RECOVERY]
    assert all(55.0 < r.duration_s < 66.0 and r.distance_m < 20.0 for r in rests)
    summary = [c.text for c in log.said if c.kind is CueKind.SESSION_SUMMARY]
    assert summary and f"{n} reps" in summary[0] and "stopped" not in summary[0]


def _late_starter(late_s):
    def speed(t_s, engine):
        st = engine.current
        if st.step is not None and st.step.kind is RepKind.WORK and st.phase == "running" \
                and st.elapsed_s < late_s:
            return 0.0
        return None
    return speed


def test_drift_cues_agree_with_the_rep_after_a_late_start():
    """10x200 after timed recoveries, the runner leaving 3 s after "go", then quick: the
    rep ends slow, so no "ease off" may be said in it (it was, judged on speed alone)."""
    engine, log = _run("10x200m @32s r60s", pace_factor=0.95,
                       speed_override=_late_starter(3.0))
    assert contradictions(engine, log) == []
    work = [r for r in engine.reps if r.kind is RepKind.WORK]
    assert len(work) == 10 and all(r.duration_s > 32.0 for r in work[1:])


def test_no_drift_cue_in_the_last_stretch():
    def fading(t_s, engine):  # on pace, then 10 % slow over the last 40 s
        st = engine.current
        if st.step is not None and st.step.kind is RepKind.WORK and st.elapsed_s > 140:
            return 0.9 * 1000 / 180
        return None

    engine, log = _run("4x1000m @3:00/km r90s", speed_override=fading)
    for rep in engine.reps:
        if rep.kind is RepKind.WORK:
            end = rep.start_s + rep.duration_s
            assert not [c for c in log.said if c.kind is CueKind.DRIFT
                        and end - 0.15 * 180 <= c.t_s < end]
    assert contradictions(engine, log) == []


def test_gps_ready_after_the_receiver_reports_itself_up():
    """The live path: the reader reports the receiver up before the first fix (it was
    taken for a fix, and "GPS ready" never said)."""
    from pacer.coach.language.parser import parse_workout
    from pacer.models import DeviceEvent, DeviceState

    engine = WorkoutEngine(parse_workout("10min steady"), start_mode="immediate")
    log = Runner().run(engine, until_s=120, events=[DeviceEvent(0.0, "gps", DeviceState.UP)],
                       gps_ok=lambda t: t >= 6.0)
    assert [c.text for c in log.said if c.kind is CueKind.GPS] == ["GPS ready"]


def test_cadence_off_target_is_reminded_every_minute_in_any_profile():
    """tempo 20 min with a cadence target, the runner at 170 for 178: prompts every
    CADENCE_REPEAT_S (was one in 20 minutes on the track profile), and the rep summary
    says the cadence was low (not "on target")."""
    from pacer.coach.feedback import CADENCE_REPEAT_S

    for profile in ("track", "tempo"):
        engine, log = _run("tempo 20min @4:30/km cadence 178 metronome", profile=profile,
                           cadence_spm=170.0)
        prompts = [c for c in log.said if c.kind is CueKind.CADENCE and "quicken" in c.text]
        assert len(prompts) >= 1200 / CADENCE_REPEAT_S - 2, profile
        gaps = [b.t_s - a.t_s for a, b in zip(prompts, prompts[1:], strict=False)]
        assert min(gaps) >= CADENCE_REPEAT_S - 1.0
        summary = [c.text for c in log.said if c.kind is CueKind.REP_SUMMARY]
        assert summary and summary[0].endswith("cadence 170, 8 low"), summary


def test_mile_repeats_in_miles_speak_miles():
    engine, log = _run("3x(1mi @6:00/mi, r3min)", miles=True)
    texts = [c.text for c in log.said]
    assert not [t for t in texts if " k" in t or t.endswith("k")], texts
    assert "3 by 1 mile at six flat" in texts[0]
    splits = [c.text for c in log.said if c.kind is CueKind.SPLIT]
    assert splits and {t.split(",")[0] for t in splits} == {"quarter", "three quarters"}
    pace_kinds = (CueKind.SPLIT, CueKind.HALFWAY, CueKind.DRIFT, CueKind.ON_TARGET,
                  CueKind.REP_SUMMARY, CueKind.TO_GO)
    said = [c for c in log.said if c.kind in pace_kinds]
    assert all(b.t_s - a.t_s >= 8.0 for a, b in zip(said, said[1:], strict=False)), \
        [(round(c.t_s), c.text) for c in said]


@pytest.mark.parametrize(("workout", "most"), [("4x800m @2:40 r2min", 5),
                                               ("2x1mi @5:40/mi r3min", 5)])
def test_splits_follow_the_rep_length_and_keep_clear_of_the_marks(workout, most):
    """800 m reps had 7 splits (100 m) in 2:26; a mile had its 800 split and halfway 2 s
    apart."""
    engine, log = _run(workout)
    for rep in engine.reps:
        if rep.kind is not RepKind.WORK:
            continue
        end = rep.start_s + rep.duration_s
        inside = [c for c in log.said if rep.start_s <= c.t_s <= end + 2.0
                  and c.kind in (CueKind.SPLIT, CueKind.HALFWAY, CueKind.TO_GO,
                                 CueKind.REP_SUMMARY)]
        assert len(inside) <= most + 1, [c.text for c in inside]
        assert all(b.t_s - a.t_s >= 8.0 for a, b in zip(inside, inside[1:], strict=False)), \
            [(round(c.t_s, 1), c.text) for c in inside]


def test_whole_seconds_under_twenty_said_flat():
    from pacer.coach import phrasing as say

    assert say.rep_time(16.0) == "16 flat" and say.rep_time(16.0, spell=True) == "sixteen flat"


def test_distance_recoveries_are_announced_and_counted_down():
    """The pyramid's 400 m jog: 2:22 of silence, then "go" without warning."""
    engine, log = _run("8x(400m @72s, 200m jog)")
    texts = [c.text for c in log.said]
    assert texts.count("200 recovery, next 400 at 72") == 7
    assert texts.count("next rep in 50 metres") == 7
    gos = [c.t_s for c in log.said if c.kind is CueKind.GO]
    for go in gos[1:]:
        before = [c.text for c in log.said if go - 3.6 < c.t_s < go]
        assert before == ["3", "2", "1"], before
    work = [r for r in engine.reps if r.kind is RepKind.WORK]
    for go, rep in zip(gos[1:], work[1:], strict=False):
        assert abs(go - rep.start_s) < 0.6  # "go" at the projected moment


def test_one_go_after_a_standing_timed_rest():
    """"go" twice 3 s apart after a 90 s standing rest: the countdown's, then the held
    rep's when the runner set off."""
    engine, log = _run("3x(400m @80s, 90s rest)", wait_s=3.0)  # stands 3 s after "go"
    gos = [c.t_s for c in log.said if c.kind is CueKind.GO]
    assert len(gos) == 3, gos
    assert len([r for r in engine.reps if r.kind is RepKind.WORK]) == 3


@pytest.mark.parametrize(("workout", "miles", "labels", "first"),
                         [("5km run", False, [f"km {i}" for i in range(1, 6)], "1 k, "),
                          ("3mi run", True, ["mile 1", "mile 2", "mile 3"], "1 mile, ")])
def test_steady_runs_get_auto_laps_recorded_as_reps(workout, miles, labels, first):
    """"5km run" said only GPS lost / back in 28 minutes; review had no rows."""
    engine, log = _run(workout, miles=miles)
    assert [r.label for r in engine.reps] == labels
    assert sum(r.distance_m for r in engine.reps) == pytest.approx(
        engine.reps[0].distance_m * len(labels), rel=1e-3)
    splits = [c.text for c in log.said if c.kind in (CueKind.SPLIT, CueKind.REP_SUMMARY)]
    assert len(splits) == len(labels) and splits[0].startswith(first)
    assert [c for c in log.said if c.kind is CueKind.STATUS]  # a periodic status


def test_a_free_run_is_coached_with_laps():
    from pacer.coach.auto_lap import free_run_workout

    engine = WorkoutEngine(free_run_workout(), start_mode="immediate")
    log = Runner().run(engine, until_s=1500)
    assert [r.label for r in engine.reps][:4] == ["km 1", "km 2", "km 3", "km 4"]
    assert len([c for c in log.said if c.kind is CueKind.SPLIT]) >= 4
