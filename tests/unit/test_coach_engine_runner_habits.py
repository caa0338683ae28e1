"""The workout engine with runners as they are: going straight from the warm-up (a
preview never holds up the "go"), stopping short or halfway, standing between reps (watch
auto-pause holes), a track that locks late, no speed at all; splits of timed reps."""

from __future__ import annotations

import re

import pytest
from helpers.coach_runner import Runner

from pacer.coach.cues import CuePolicy, CueSettings
from pacer.coach.engine import WorkoutEngine
from pacer.coach.language.parser import parse_workout
from pacer.coach.phrasing import rep_time
from pacer.models import Control, ControlEvent, CueKind, RepKind


def _engine(text: str, profile: str = "track", start_mode: str = "auto") -> WorkoutEngine:
    return WorkoutEngine(parse_workout(text), policy=CuePolicy(CueSettings(profile=profile)),
                         start_mode=start_mode)  # fmt: skip


# ---------------------------------------------------------------- 1. preview vs "go"
@pytest.mark.parametrize("workout", [
    "10min jog; 3x(1min @4:00/km, 1min easy)",  # timed warm-up (fartlek)
    "10min jog; 3x(100m @22s, 100m walk)",  # strides after a timed warm-up
    "800m jog; 3x(400m @90s, 200m jog)",  # distance warm-up
])  # fmt: skip
def test_runner_going_straight_from_the_warmup_hears_go_on_time(workout):
    engine = _engine(workout)
    log = Runner(wait_s=0.0).run(engine, until_s=1200)  # no pause after the warm-up
    warmup, rep1 = engine.reps[0], engine.reps[1]
    assert warmup.kind is RepKind.WARMUP and rep1.kind is RepKind.WORK
    gos = [c for c in log.cues if c.kind is CueKind.GO]
    assert gos and not any(c.dropped for c in gos)
    first_go = min(gos, key=lambda c: c.t_s)
    assert first_go.t_s - rep1.start_s < 2.5  # said as the rep starts, not after a preview
    preview = next(c for c in log.said if c.kind is CueKind.PREVIEW and "rep 1 of 3" in c.text)
    assert "Start when ready" in preview.text
    assert preview.t_s + preview.duration_s <= rep1.start_s  # ended before the rep began
    # nothing said ever overlaps
    said = sorted(log.said, key=lambda c: c.t_s)
    assert all(a.t_s + a.duration_s <= b.t_s + 1e-6 for a, b in zip(said, said[1:], strict=False))


# ---------------------------------------------------------------- 2. splits of timed reps
def _split_marks_m(cues) -> list[float]:
    out = []
    for c in cues:
        if c.kind is CueKind.SPLIT:
            head = c.text.split(",")[0]
            m = re.fullmatch(r"([\d.]+)( k)?", head)
            assert m, c.text
            out.append(float(m.group(1)) * (1000.0 if m.group(2) else 1.0))
    return out


def test_timed_tempo_on_a_track_gets_long_rep_splits():
    engine = _engine("tempo 20min @4:30/km cadence 178")
    log = Runner(wait_s=0.0).run(engine, until_s=1300)
    marks = _split_marks_m(log.said)
    # 20 min at 4:30/km is ~4.4 km: 1 km splits (issue 12: by the rep length)
    assert marks[:3] == [1000.0, 2000.0, 3000.0]
    assert all(b - a == 1000.0 for a, b in zip(marks, marks[1:], strict=False))
    splits = [c.t_s for c in log.said if c.kind is CueKind.SPLIT]
    assert min(b - a for a, b in zip(splits, splits[1:], strict=False)) > 200.0


def test_short_timed_rep_keeps_200m_track_splits_from_the_first():
    engine = _engine("3min @4:00/km")  # ~750 m: 200 m splits by its distance (issue 12)
    log = Runner(wait_s=0.0).run(engine, until_s=300)
    marks = _split_marks_m(log.said)
    assert marks[:2] == [200.0, 400.0]
    halfway = next(c.text for c in log.said if c.kind is CueKind.HALFWAY)
    assert re.match(r"halfway, \d+ metres, ", halfway), halfway  # a distance with its unit


# ---------------------------------------------------------------- 3. stopped mid-rep
def test_end_in_the_middle_of_a_rep_records_it_stopped():
    engine = _engine("4x(200m @40s, r30s)", start_mode="immediate")
    log = Runner().run(engine, until_s=9.0)  # finish() mid rep 1
    (rep,) = engine.reps
    assert not rep.completed and "stopped" in rep.label
    assert 20.0 < rep.distance_m < 60.0
    summary = next(c.text for c in log.said if c.kind is CueKind.REP_SUMMARY)
    assert summary == f"rep 1 stopped at {round(rep.distance_m)} metres"
    done = next(c.text for c in log.said if c.kind is CueKind.SESSION_SUMMARY)
    assert "average" not in done and "1 rep stopped short" in done
    assert done.endswith("metres in total")


def test_stopped_rep_is_left_out_of_the_average():
    engine = _engine("4x(200m @40s, r30s)", start_mode="immediate")
    log = Runner().run(engine, until_s=75.0)  # rep 1 done, stopped in rep 2
    work = [r for r in engine.reps if r.kind is RepKind.WORK]
    assert [r.completed for r in work] == [True, False]
    done = next(c.text for c in log.said if c.kind is CueKind.SESSION_SUMMARY)
    assert done.startswith(f"session done, 1 rep, average {rep_time(work[0].duration_s)}, "
                           "1 rep stopped short")  # fmt: skip


# ---------------------------------------------------------------- 4. auto-pause holes
RUN_S, REP_MPS = 36.0, 5.4  # each run ~194 m: short of 200 m by position noise


def _holes_schedule(rests_s):
    """Run segments (start, end) separated by the given rests, from t = 2 s."""
    segs, t = [], 2.0
    for rest in [*rests_s, None]:
        segs.append((t, t + RUN_S))
        if rest is not None:
            t += RUN_S + rest
    return segs


@pytest.mark.parametrize("fix_in_holes", [False, True])
def test_reps_with_standing_rests_stay_in_step(fix_in_holes):
    """4x(4x(200m, r30s), r2:00) run as the watch recorded it: runs of ~194 m, 34-47 s
    standing rests (longer than the 30 s recovery) and ~125 s ones (shorter than the
    planned 2:30). Either the fix is gone in the holes (auto-pause) or the runner just
    stands with a fix."""
    rests = []
    for block in range(4):
        rests += [40.0, 35.0, 46.0]
        if block < 3:
            rests.append(125.0)
    segs = _holes_schedule(rests)

    def running(t):
        return any(a <= t < b for a, b in segs)

    engine = _engine("4x(4x(200m @36s, r30s), r2:00)")
    runner = Runner(tau_s=0.3, wait_s=0.0,
                    speed_override=lambda t, _engine: REP_MPS if running(t) else 0.0)  # fmt: skip
    runner.run(engine, until_s=segs[-1][1] + 10.0,
               gps_ok=None if fix_in_holes else running)  # fmt: skip
    work = [r for r in engine.reps if r.kind is RepKind.WORK]
    assert len(work) == 16
    for rep, (a, _b) in zip(work, segs, strict=True):
        assert abs(rep.start_s - a) < 1.5
        assert 180.0 <= rep.distance_m <= 200.0
        assert abs(rep.duration_s - RUN_S) < 2.0
        assert rep.completed


def test_a_runner_stopping_halfway_does_not_end_the_rep():
    segs = [(2.0, 20.0), (35.0, 80.0)]  # stands 15 s at ~95 m

    def v(t, _engine):
        return REP_MPS if any(a <= t < b for a, b in segs) else 0.0

    engine = _engine("200m @36s; 200m jog")
    Runner(tau_s=0.3, wait_s=0.0, speed_override=v).run(engine, until_s=60.0)
    rep = engine.reps[0]
    assert rep.distance_m == pytest.approx(200.0)
    assert rep.duration_s > 50.0  # the stop is part of the rep


def test_button_mode_go_still_starts_the_rep_of_a_standing_runner():
    engine = _engine("2x(200m @36s, r30s)", start_mode="button")
    segs = [(5.0, 45.0), (90.0, 130.0)]
    def v(t, _engine):
        return REP_MPS if any(a <= t < b for a, b in segs) else 0.0

    runner = Runner(tau_s=0.3, wait_s=0.0, speed_override=v)
    runner.run(engine, until_s=140.0, events=[ControlEvent(5.0, Control.START_LAP)])
    rec, rep2 = engine.reps[1], engine.reps[2]
    assert rep2.start_s == pytest.approx(rec.start_s + 30.0)  # at the "go", as before


def test_splits_keep_one_interval_when_the_track_locks_late():
    """Off the track the track profile splits every 200 m; a track lock after the first
    100 m must not switch the rep to 100 m splits from the middle (200, 300, 400...)."""
    from pacer.models import DistanceSource, Estimate

    engine = _engine("800m @2:40")
    said = []
    for i in range(200):
        t = 0.5 + i
        d = max(0.0, (t - 2.0) * 5.0)
        est = Estimate(t_s=t, utc=None, distance_m=d, speed_mps=5.0 if t > 2.0 else 0.0,
                       speed_confidence=0.9, cadence_spm=None, cadence_confidence=0.0,
                       distance_source=DistanceSource.GPS, gps_ok=True, on_track=d > 150.0)
        said += [c for c in engine.on_estimate(est).cues if not c.dropped]
    assert _split_marks_m(said) == [200.0, 600.0]  # 400 is "halfway"
    assert any(c.kind is CueKind.HALFWAY for c in said)


@pytest.mark.parametrize(("back_to", "expected_t"), [(None, 3.75), (1.8, 2.0 + 0.8 / 1.5)])
def test_onset_put_back_to_where_the_runner_set_off(back_to, expected_t):
    from pacer.coach.onset import OnsetDetector
    from pacer.models import DistanceSource, Estimate

    det = OnsetDetector()
    prev, found = None, None
    for t, v in enumerate([0.0, 0.0, 1.0, 2.5, 4.5, 5.0]):
        est = Estimate(t_s=float(t), utc=None, distance_m=2.0 * t, speed_mps=v,
                       speed_confidence=0.9, cadence_spm=None, cadence_confidence=0.0,
                       distance_source=DistanceSource.GPS, gps_ok=True)  # fmt: skip
        found = det.update(prev, est, 4.0, 0.0, back_to_mps=back_to) or found
        det.remember(est)
        prev = est
    assert found is not None and found[0] == pytest.approx(expected_t)


def test_a_session_without_speed_still_starts_reps_at_go():
    """No speed at all (no fix, no step-based speed): "go" cannot be checked against
    movement, so it starts the rep as before rather than waiting for ever."""
    from pacer.models import DistanceSource, Estimate

    engine = _engine("2x(1min, r30s)", start_mode="immediate")
    for i in range(200):
        engine.on_estimate(Estimate(t_s=0.5 + i, utc=None, distance_m=0.0, speed_mps=None,
                                    speed_confidence=0.0, cadence_spm=None,
                                    cadence_confidence=0.0, distance_source=DistanceSource.GPS,
                                    gps_ok=False))  # fmt: skip
    work = [r for r in engine.reps if r.kind is RepKind.WORK]
    assert len(work) == 2 and work[1].start_s == pytest.approx(0.5 + 60.0 + 30.0)
