"""Garmin FIT workout files -> Workout, through garmin-fit-sdk's decoder."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("garmin_fit_sdk")

from dataclasses import replace

from pacer.coach.language.parser import parse_workout
from pacer.coach.language.workout import HrTarget, Repeat
from pacer.errors import WorkoutError
from pacer.formats.fit_workout import workout_from_fit
from pacer.formats.workout_source import resolve_workout
from pacer.models import RepKind

DATA = Path(__file__).resolve().parent.parent / "data" / "coach"


def test_individual_steps():
    w = workout_from_fit(DATA / "WorkoutIndividualSteps.fit")
    assert w.name == "Example 1"
    warm, b1, b2, cool = w.steps
    assert warm.kind is RepKind.WARMUP and warm.duration_s == 60.0
    assert (b1.kind, b1.distance_m, b1.label) == (RepKind.WORK, 500.0, "B1_")
    assert b2.distance_m == 500.0
    # "hr_less_than 225": FIT stores bpm + 100, so until heart rate is below 125
    assert cool.kind is RepKind.COOLDOWN and cool.until_hr_below_bpm == 125.0
    assert not cool.is_open
    # heart-rate and power targets are not pace targets; the heart-rate zone is kept
    assert all(s.target is None for s in w.steps)
    assert warm.hr_target == HrTarget(zone=2)
    assert b1.hr_target is None  # a power target: dropped
    again = parse_workout(w.to_text())
    assert again.steps == tuple(replace(s, label="") for s in w.steps)


def test_custom_heart_rate_targets_in_bpm_and_percent():
    from pacer.formats.fit_workout import _hr_target, _step

    bpm = {"target_type": "heart_rate", "target_value": 0, "custom_target_heart_rate_low": 250,
           "custom_target_heart_rate_high": 260, "duration_type": "time",
           "duration_time": 600.0}  # fmt: skip
    assert _step(bpm).hr_target == HrTarget(low_bpm=150.0, high_bpm=160.0)
    percent = dict(bpm, custom_target_heart_rate_low=50, custom_target_heart_rate_high=60)
    assert _hr_target(percent) is None  # % of max heart rate: no max in the file
    assert _hr_target({"target_hr_zone": 4}) == HrTarget(zone=4)
    assert _hr_target({"target_hr_zone": 80}) is None


def test_repeat_steps_become_a_counted_repeat():
    w = workout_from_fit(DATA / "WorkoutRepeatSteps.fit")
    _warm, rep, _cool = w.steps
    assert isinstance(rep, Repeat) and rep.count == 3
    assert [s.label for s in rep.body] == ["B1_", "B2_"]
    plan = w.plan()
    assert len(plan) == 1 + 6 + 1
    assert plan[1].label == "B1_, rep 1 of 6"


def test_repeat_until_heart_rate_becomes_an_open_repeat():
    w = workout_from_fit(DATA / "WorkoutRepeatGreaterThanStep.fit")
    rep = w.steps[1]
    assert isinstance(rep, Repeat) and rep.count is None and rep.until_s is None
    assert w.rep_count is None
    assert 2 < len(w.plan(max_s=3600)) < 100


def test_custom_targets_file_and_resolve_by_path():
    w = resolve_workout(str(DATA / "WorkoutCustomTargetValues.fit"))
    assert [s.kind for s in w.steps] == [RepKind.WARMUP, RepKind.WORK, RepKind.WORK,
                                         RepKind.COOLDOWN]  # fmt: skip


def test_not_a_workout_file(tmp_path):
    junk = tmp_path / "junk.fit"
    junk.write_bytes(b"not a fit file at all")
    with pytest.raises(WorkoutError, match="junk.fit: not a FIT file"):
        workout_from_fit(junk)
    with pytest.raises(WorkoutError, match="cannot read FIT file"):
        workout_from_fit(tmp_path / "missing.fit")
