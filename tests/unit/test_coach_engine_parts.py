"""The workout engine's parts on their own: step boundaries, the step tally and the Rep
it becomes, the GPS announcements, the countdown, pace and cadence feedback."""

from __future__ import annotations

import dataclasses

import pytest

from pacer.coach.boundaries import (
    arms_next,
    fraction_done,
    start_threshold_mps,
    step_end_s,
)
from pacer.coach.countdown import Countdown
from pacer.coach.crossing import HermitePath
from pacer.coach.cues import CueSettings
from pacer.coach.feedback import CadenceFeedback, PaceFeedback
from pacer.coach.gps_watch import GPS_LOST_AFTER_S, GpsWatch
from pacer.coach.language.workout import PlannedStep
from pacer.coach.narrator import Narrator
from pacer.coach.onset import MOVING_SPEED_MPS
from pacer.coach.step_tally import StepTally, record_rep
from pacer.models import CueKind, DistanceSource, Estimate, RepKind


def step(kind: RepKind = RepKind.WORK, *, distance_m: float | None = None,
         duration_s: float | None = None, pace: float | None = None,
         time_s: float | None = None, target_cadence_spm: float | None = None,
         standing: bool = False) -> PlannedStep:
    return PlannedStep(index=0, kind=kind, distance_m=distance_m, duration_s=duration_s,
                       target_pace_s_per_km=pace, target_time_s=time_s,
                       target_cadence_spm=target_cadence_spm, metronome=False, standing=standing,
                       label="rep 1 of 4", rep_number=1, rep_count=4,
                       est_duration_s=duration_s or 60.0)


def est(t_s: float, d_m: float = 0.0, v_mps: float | None = 4.0, **kw) -> Estimate:
    base = {"utc": None, "speed_confidence": 0.9, "cadence_spm": None,
            "cadence_confidence": 0.0, "distance_source": DistanceSource.GPS, "gps_ok": True}
    base.update(kw)
    return Estimate(t_s=t_s, distance_m=d_m, speed_mps=v_mps, **base)


# ---------------------------------------------------------------- boundaries
@pytest.mark.parametrize(("before", "armed"), [
    (step(RepKind.WARMUP, distance_m=800), True),
    (step(RepKind.STEADY, duration_s=600), True),
    (step(RepKind.COOLDOWN, distance_m=800), True),
    (step(RepKind.RECOVERY, distance_m=200, standing=True), True),
    (step(RepKind.RECOVERY, duration_s=90, standing=True), False),  # counted down
    (step(RepKind.RECOVERY, distance_m=200), False),
    (step(RepKind.WORK, distance_m=400), False),
])
def test_a_rep_waits_after_warmups_and_standing_distance_steps(before, armed) -> None:
    assert arms_next(before) is armed


def test_start_threshold_is_three_quarters_of_rep_speed_at_least_a_jog() -> None:
    assert start_threshold_mps(step(pace=200.0)) == pytest.approx(0.75 * 5.0)
    assert start_threshold_mps(step(pace=600.0)) == MOVING_SPEED_MPS  # 1.25 m/s < a jog
    assert start_threshold_mps(step()) == 3.0  # no target pace
    assert start_threshold_mps(step(RepKind.RECOVERY, pace=200.0)) == MOVING_SPEED_MPS


def test_distance_step_ends_where_the_path_crosses_its_distance() -> None:
    path = HermitePath(10.0, 390.0, 5.0, 11.0, 395.0, 5.0)  # 5 m/s, constant
    # 398 m run of a 400 m step at t0: 2 m to go -> 0.4 s in
    assert step_end_s(step(distance_m=400), path, 70.0, 398.0, 71.0) == pytest.approx(10.4)
    assert step_end_s(step(distance_m=400), path, 70.0, 390.0, 71.0) is None


def test_timed_step_ends_when_its_time_is_up() -> None:
    path = HermitePath(10.0, 0.0, None, 11.0, 4.0, None)
    assert step_end_s(step(duration_s=60), path, 59.5, 0.0, 60.5) == pytest.approx(10.5)
    assert step_end_s(step(duration_s=60), path, 58.5, 0.0, 59.5) is None
    assert step_end_s(step(), path, 1e6, 0.0, 1e6) is None  # open: by the lap button


def test_fraction_done_by_distance_else_time() -> None:
    assert fraction_done(step(distance_m=400), 30.0, 300.0) == 0.75
    assert fraction_done(step(duration_s=60), 30.0, 300.0) == 0.5
    assert fraction_done(step(), 30.0, 300.0) == 1.0


# ---------------------------------------------------------------- tally and Rep
def test_pauses_do_not_count_toward_time_or_distance() -> None:
    tally = StepTally(100.0, 1000.0)
    tally.pause(110.0, 1040.0)
    tally.unpause(130.0, 1045.0)
    assert tally.elapsed_distance(140.0, 1085.0) == (20.0, 80.0)
    assert tally.at_elapsed_s(60.0) == 180.0


def test_cadence_is_confidence_weighted_and_the_main_source_wins() -> None:
    tally = StepTally()
    assert tally.cadence_spm is None and tally.main_source() is None
    tally.accumulate(est(1, cadence_spm=170.0, cadence_confidence=1.0))
    tally.accumulate(est(2, cadence_spm=180.0, cadence_confidence=0.5, on_track=True))
    tally.accumulate(est(3, cadence_spm=250.0, cadence_confidence=0.1, on_track=True))
    assert tally.cadence_spm == pytest.approx((170.0 + 0.5 * 180.0) / 1.5)
    assert tally.main_source() is DistanceSource.TRACK


def test_record_rep_completed_and_stopped_short() -> None:
    tally = StepTally(10.0, 100.0)
    rep = record_rep(step(distance_m=400, time_s=80.0), tally, 90.0, 500.0 - 1e-9, index=3,
                     stopping=False, fallback_source=DistanceSource.STRIDE)
    assert (rep.index, rep.duration_s, rep.distance_m, rep.completed) == (3, 80.0, 400.0, True)
    assert rep.pace_s_per_km == pytest.approx(200.0)
    assert rep.target_duration_s == 80.0
    assert rep.distance_source is DistanceSource.STRIDE  # no estimate counted
    short = record_rep(step(distance_m=400), tally, 60.0, 300.0, index=4, stopping=True,
                       fallback_source=DistanceSource.GPS)
    assert (short.completed, short.label) == (False, "rep 1 of 4, stopped")
    near = record_rep(step(distance_m=400), tally, 90.0, 470.0, index=5, stopping=True,
                      fallback_source=DistanceSource.GPS)
    assert near.completed  # within 10 % of its distance


# ---------------------------------------------------------------- GPS watch
def _texts(cues) -> list[str]:
    return [c.text for c in cues]


def test_gps_lost_after_the_debounce_then_back_once() -> None:
    watch = GpsWatch(Narrator(CueSettings()))
    assert watch.update(0.0, True, session_started=True, immediate=False) == []
    assert watch.update(1.0, False, session_started=True, immediate=False) == []
    said = watch.update(1.0 + GPS_LOST_AFTER_S, False, session_started=True, immediate=False)
    assert _texts(said) == ["GPS lost, timing continues"]
    assert watch.update(9.0, False, session_started=True, immediate=True) == []  # once
    assert _texts(watch.update(10.0, True, session_started=True, immediate=False)) == [
        "GPS back"]
    assert watch.update(11.0, True, session_started=True, immediate=False) == []


def test_gps_ready_only_for_a_session_that_started_without_a_fix() -> None:
    watch = GpsWatch(Narrator(CueSettings()))
    assert watch.update(0.0, False, session_started=True, immediate=True) == []  # never had one
    assert _texts(watch.update(5.0, True, session_started=True, immediate=False)) == [
        "GPS ready"]


# ---------------------------------------------------------------- countdown
def test_countdown_marks_each_once_at_their_exact_times() -> None:
    countdown = Countdown(CueSettings(profile="track"))  # 30, 10, 3, 2, 1, go
    nxt = step(distance_m=400)
    said = []
    for now in range(0, 91):
        said += countdown.cues(float(now), 90.0, nxt, start_s=0.0)
    assert [(c.t_s, c.text) for c in said] == [
        (60.0, "30 seconds"), (80.0, "10"), (87.0, "3"), (88.0, "2"), (89.0, "1"),
        (90.0, "go")]
    assert countdown.next_s(90.0) is None
    countdown.start_step()
    assert countdown.next_s(90.0) == 60.0
    assert countdown.cues(89.0, 90.0, None) == []  # nothing follows


# ---------------------------------------------------------------- feedback
def test_pace_drift_said_after_the_dwell_and_on_target_when_back() -> None:
    settings = CueSettings(profile="tempo")
    feedback = PaceFeedback(settings)
    feedback.start_step(0.0)
    rep = step(duration_s=600, pace=240.0)  # 4:00/km = 4.167 m/s
    said = []
    for t in range(0, 60):
        said += feedback.cues(rep, est(float(t), v_mps=3.7), float(t), short=False)
    kinds = [c.kind for c in said]
    assert kinds and set(kinds) == {CueKind.DRIFT}
    assert said[0].text.endswith("a bit slow, push")
    back = []
    for t in range(60, 90):
        back += feedback.cues(rep, est(float(t), v_mps=1000 / 240.0), float(t), short=False)
    assert back[0].text == "that's it, on pace"


def test_short_reps_get_one_word_drift_cues() -> None:
    feedback = PaceFeedback(CueSettings(profile="track"))
    feedback.start_step(0.0)
    rep = step(distance_m=200, pace=180.0, time_s=36.0)
    said = []
    for t in range(0, 30):
        said += feedback.cues(rep, est(float(t), v_mps=7.0), float(t), short=True)
    assert said and said[0].text == "ease off"


def test_cadence_below_target_asks_for_quicker_steps() -> None:
    feedback = CadenceFeedback(CueSettings(profile="tempo"))
    feedback.start_step(0.0)
    rep = step(duration_s=600, target_cadence_spm=180.0)
    said = []
    for t in range(0, 20):
        said += feedback.cues(rep, est(float(t), cadence_spm=160.0, cadence_confidence=0.9))
    assert said and said[0].text == "cadence 160, quicken your step"
    assert feedback.cues(step(duration_s=600), est(30.0, cadence_spm=160.0,
                                                   cadence_confidence=0.9)) == []


def test_new_settings_reach_the_feedback() -> None:
    """A pace 4 % slow is off target at the default 3 % tolerance, on target at 6 %."""
    rep = step(duration_s=600, pace=240.0)
    slow_mps = 1000 / 240.0 / 1.04

    def drift_cues(feedback: PaceFeedback) -> list:
        feedback.start_step(0.0)
        out = []
        for t in range(0, 60):
            out += feedback.cues(rep, est(float(t), v_mps=slow_mps), float(t), short=False)
        return [c for c in out if c.kind is CueKind.DRIFT]

    settings = CueSettings(profile="tempo")
    assert drift_cues(PaceFeedback(settings))
    relaxed = PaceFeedback(settings)
    relaxed.update_settings(dataclasses.replace(settings, drift_tolerance=0.06,
                                                drift_exit_tolerance=0.03))
    assert drift_cues(relaxed) == []
