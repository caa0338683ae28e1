"""The cue policy of docs/cues.md ("Cue policy"), as properties over every workout of the
built-in library and one workout per recovery kind, several seeds, km and miles.

For each simulated session (the scripted runner of coach_runner, with speed noise and a
pace off target that varies with the seed):

* reps recorded == reps run: every work step of the plan is recorded, completed, at its
  distance;
* every drift cue in a rep agrees with the rep's result (helpers.cue_checks.contradictions);
* no two said cues overlap; pace cues (drift, on target) of a step are at least
  ``pace_gap_s`` apart, none in the step's last stretch; position cues (splits, halfway,
  to go, the rep summary) at least MIN_POSITION_GAP_S apart; one "go" per rep;
* spoken units follow the setting: no "k" or "metres" per-km pace in miles, no miles in km.
"""

from __future__ import annotations

import itertools

import pytest
from helpers.coach_runner import Runner
from helpers.cue_checks import contradictions

from pacer.coach.cues import CuePolicy, CueSettings
from pacer.coach.engine import WorkoutEngine
from pacer.coach.language.library import LIBRARY
from pacer.formats.workout_source import resolve_workout
from pacer.models import CueKind, RepKind

MIN_POSITION_GAP_S = 5.0  # docs/cues.md, "Cue policy"
RECOVERY_KINDS = {
    "jog": "4x(400m @80s, 200m jog)",
    "walk": "4x(300m @60s, 100m walk)",
    "stand": "4x(200m @36s, 200m stand)",
    "timed": "4x(600m @2:00, r75s)",
    "timed-stand": "4x(400m @80s, 60s rest)",
    "distance": "3x(1km @3:30/km, 400m jog)",
}
WORKOUTS = {**{name: name for name in LIBRARY}, **RECOVERY_KINDS}
SEEDS = [(1, 1.0), (2, 1.04), (3, 0.97)]  # (seed, pace factor)
POSITION = (CueKind.SPLIT, CueKind.HALFWAY, CueKind.TO_GO, CueKind.REP_SUMMARY)


def _session(workout: str, seed: int, pace_factor: float, miles: bool):
    settings = CueSettings(miles=miles)
    engine = WorkoutEngine(resolve_workout(workout), policy=CuePolicy(settings))
    runner = Runner(seed=seed, pace_factor=pace_factor, speed_noise_mps=0.08, stand_s=45.0)
    return engine, runner.run(engine, until_s=4 * 3600), settings


@pytest.mark.parametrize(("seed", "pace_factor"), SEEDS)
@pytest.mark.parametrize("name", sorted(WORKOUTS))
def test_cue_policy_holds(name, seed, pace_factor):
    miles = seed == 3  # one seed in miles
    engine, log, settings = _session(WORKOUTS[name], seed, pace_factor, miles)
    said = log.said
    # reps recorded == reps run
    work = [r for r in engine.reps if r.kind is RepKind.WORK]
    planned = [p for p in engine.workout.plan(max_s=4 * 3600, max_steps=200)
               if p.kind is RepKind.WORK]
    if engine.workout.rep_count is not None:
        assert len(work) == len(planned)
    assert all(r.completed for r in work)
    for r in work:
        if r.target_distance_m is not None:
            assert r.distance_m == pytest.approx(r.target_distance_m, abs=0.5)
    # drift cues agree with the rep's figure
    assert contradictions(engine, log, slack=0.02) == []
    # no overlaps
    for a, b in itertools.pairwise(said):
        assert a.t_s + a.duration_s <= b.t_s + 1e-6, (a, b)
    # per step: pace cue spacing, last stretch, position cue spacing, one go
    for rep in engine.reps:
        end = rep.start_s + rep.duration_s
        inside = [c for c in said if rep.start_s <= c.t_s < end]
        pace = [c for c in inside if c.kind in (CueKind.DRIFT, CueKind.ON_TARGET)]
        assert all(b.t_s - a.t_s >= settings.pace_gap_s - 1e-6
                   for a, b in itertools.pairwise(pace))  # fmt: skip
        position = [c for c in said if rep.start_s <= c.t_s <= end + 1.0 and c.kind in POSITION]
        assert all(b.t_s - a.t_s >= MIN_POSITION_GAP_S for a, b in itertools.pairwise(position)), \
            [(round(c.t_s, 1), c.text) for c in position]
        if rep.kind is RepKind.WORK:
            gos = [c for c in said if c.kind is CueKind.GO and rep.start_s - 2.0 <= c.t_s < end]
            assert len(gos) <= 1
    # units
    # units: paces, splits and totals follow the setting (a step's own length is said as
    # the workout gives it: "2 k" warm-up, "1 mile" reps)
    texts = " | ".join(c.text for c in said if c.kind is not CueKind.SESSION_START
                       and c.kind is not CueKind.PREVIEW and c.kind is not CueKind.STATUS)
    summary = next(c.text for c in said if c.kind is CueKind.SESSION_SUMMARY)
    if miles:
        assert "per k" not in texts, texts
        assert "mile" in summary or "metres" in summary, summary
    else:
        assert "mile" not in texts, texts


@pytest.mark.parametrize("name", sorted(WORKOUTS))
def test_no_pace_cue_in_the_last_stretch(name):
    engine, log, _ = _session(WORKOUTS[name], 2, 1.04, False)
    steps = {}
    for rep in engine.reps:
        if rep.kind is not RepKind.WORK:
            continue
        end = rep.start_s + rep.duration_s
        late = [c for c in log.said if c.kind in (CueKind.DRIFT, CueKind.ON_TARGET)
                and end - 1.0 <= c.t_s < end]
        steps[rep.label] = late
    assert not any(steps.values()), steps
