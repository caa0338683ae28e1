"""Issue 12: a coach runners trust on every workout (each case failed before its fix)."""

from __future__ import annotations

import pytest
from coach_runner import Runner

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
