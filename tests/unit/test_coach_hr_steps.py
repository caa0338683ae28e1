"""Heart rate in the workout language and the engine (issue 14): ``@hr 150-160``, ``@z2``,
``until hr < 120``; heart-rate cues per docs/heart-rate.md; recoveries ending on heart rate."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pacer.coach.engine import WorkoutEngine
from pacer.coach.heart_rate import zones_from_reserve
from pacer.coach.hr_steps import HR_COUNTDOWN_S, HR_STEP_MAX_S, NO_HEART_RATE_TEXT
from pacer.coach.language.lexer import WorkoutSyntaxError
from pacer.coach.language.parser import parse_workout
from pacer.coach.language.workout import HrTarget
from pacer.models import (
    Control,
    ControlEvent,
    Cue,
    CueKind,
    DistanceSource,
    Estimate,
    RepKind,
    StartMode,
)

# ------------------------------------------------------------------ language


def test_hr_range_and_zone_targets_alone_or_beside_a_pace() -> None:
    (tempo,) = parse_workout("tempo 20min @hr 150-160").steps
    assert tempo.kind is RepKind.WORK and tempo.target is None
    assert tempo.hr_target == HrTarget(low_bpm=150.0, high_bpm=160.0)
    (both,) = parse_workout("20min @4:30/km @z2").steps
    assert both.kind is RepKind.WORK and both.target is not None
    assert both.target.pace_s_per_km == 270.0 and both.hr_target == HrTarget(zone=2)
    (bpm,) = parse_workout("tempo 20min @hr 150-160 bpm").steps
    assert bpm.hr_target == tempo.hr_target


def test_until_hr_recovery_in_a_repeat() -> None:
    (rep,) = parse_workout("6x(800m @3:30/km, until hr < 120)").steps
    assert not isinstance(rep, type(None)) and rep.count == 6  # type: ignore[union-attr]
    work, rec = rep.body  # type: ignore[union-attr]
    assert work.kind is RepKind.WORK and work.until_hr_below_bpm is None
    assert rec.kind is RepKind.RECOVERY and rec.until_hr_below_bpm == 120.0
    assert not rec.is_open and rec.distance_m is None and rec.duration_s is None
    (jog,) = parse_workout("jog until hr < 115").steps
    assert jog.until_hr_below_bpm == 115.0 and jog.kind is RepKind.RECOVERY
    plan = parse_workout("6x(800m @3:30/km, until hr < 120)").plan()
    assert [s.until_hr_below_bpm for s in plan[:2]] == [None, 120.0]
    assert plan[1].est_duration_s > 0 and not plan[1].is_open


@pytest.mark.parametrize("text", [
    "tempo 20min @hr 150-160",
    "20min @4:30/km @z2",
    "6x(800m @3:30/km, until hr < 120)",
    "2km jog; 6x(800m @3:30/km; jog until hr < 120 bpm); 1km jog",
    "until 30min: (3min @z4; 2min easy until hr < 125)",
    "10min stand until hr < 110",
    "400m @72s @hr 170-185 cadence 180",
])
def test_canonical_text_round_trips(text: str) -> None:
    w = parse_workout(text)
    again = parse_workout(w.to_text())
    assert again.steps == w.steps
    assert parse_workout(again.to_text()).to_text() == again.to_text()


@pytest.mark.parametrize(("text", "col", "words"), [
    ("tempo 20min @hr 160-150", 17, "from low to high"),
    ("20min @z9", 9, "zones are 1-5"),
    ("800m; until hr < 500", 18, "40-230 bpm"),
    ("20min @hr 150", 14, "range"),
    ("until hr 120", 10, "until hr < 120"),
    ("20min @hr 150-160 @hr 140-150", 20, "one heart-rate target"),
    ("200m stand @z1", 13, "no target"),
])
def test_errors_point_with_a_caret(text: str, col: int, words: str) -> None:
    with pytest.raises(WorkoutSyntaxError) as info:
        parse_workout(text)
    err = info.value
    assert err.col == col and words in str(err)
    caret_line = str(err).splitlines()[-1]
    assert caret_line.index("^") == 4 + col - 1


def test_suggestion_for_a_reversed_range() -> None:
    with pytest.raises(WorkoutSyntaxError) as info:
        parse_workout("tempo 20min @hr 160-150")
    assert info.value.suggestion == "@hr 150-160"


# ------------------------------------------------------------------ engine

def _est(t: float, d: float, v: float, hr: float | None) -> Estimate:
    return Estimate(t, None, d, v, 1.0, 170.0, 1.0, DistanceSource.GPS, True,
                    heart_rate_bpm=hr)


def _run(engine: WorkoutEngine, samples: list[tuple[float, float, float | None]],
         pauses: tuple[tuple[float, float], ...] = ()) -> list[Cue]:  # fmt: skip
    """Feed (t, speed, hr) at 1 Hz; pauses: (press, resume) times. All cues said."""
    out: list[Cue] = []
    d = 0.0
    for t, v, hr in samples:
        for a, b in pauses:
            if t in (a, b):
                out += engine.on_control(ControlEvent(t - 0.5, Control.PAUSE)).cues
        d += v
        out += engine.on_estimate(_est(t, d, v, hr)).cues
    out += engine.finish(samples[-1][0] + 1).cues
    return out


def _hr_cues(cues: list[Cue]) -> list[Cue]:
    return [c for c in cues if c.kind is CueKind.HEART_RATE and not c.dropped]


def test_capped_tempo_heart_rate_cues_follow_the_policy() -> None:
    engine = WorkoutEngine(parse_workout("tempo 20min @hr 150-160"),
                           start_mode=StartMode.IMMEDIATE)  # fmt: skip
    # heart rate climbs from 100 to 172 with a 30 s lag, then stays high
    samples = [(float(t), 4.3, 172 - 72 * math.exp(-t / 30)) for t in range(0, 600)]
    cues = _hr_cues(_run(engine, samples, pauses=((200.0, 260.0),)))
    assert cues, "an ease-off is due"
    assert all("ease off" in c.text for c in cues)
    assert cues[0].t_s >= 15.0  # grace at the start of the step
    assert all(b.t_s - a.t_s >= 10.0 for a, b in zip(cues, cues[1:], strict=False))
    assert not [c for c in cues if 200.0 <= c.t_s < 260.0]  # nothing while paused
    assert len(cues) <= 3  # at most 3 alerts per step


def test_zone_target_uses_the_configured_zones() -> None:
    zones = zones_from_reserve(190, 50)  # zone 2: 134-148
    engine = WorkoutEngine(parse_workout("tempo 10min @z2"), start_mode=StartMode.IMMEDIATE,
                           heart_rate_zones=zones)  # fmt: skip
    cues = _hr_cues(_run(engine, [(float(t), 4.0, 165.0) for t in range(300)]))
    assert cues and cues[0].text == "heart rate 165, ease off" and cues[0].t_s >= 15
    no_zones = WorkoutEngine(parse_workout("tempo 10min @z2"), start_mode=StartMode.IMMEDIATE)
    assert not _hr_cues(_run(no_zones, [(float(t), 4.0, 165.0) for t in range(300)]))


def test_no_heart_rate_cues_on_a_step_without_a_heart_rate_target() -> None:
    engine = WorkoutEngine(parse_workout("tempo 10min @4:00/km"),
                           start_mode=StartMode.IMMEDIATE)  # fmt: skip
    assert not _hr_cues(_run(engine, [(float(t), 4.2, 190.0) for t in range(300)]))


def _recovery_samples(below_at_s: float) -> list[tuple[float, float, float | None]]:
    """200 m at 5 m/s (40 s), then a jog whose heart rate falls below 120 at
    ``below_at_s`` of the recovery, then the next 200 m."""
    out: list[tuple[float, float, float | None]] = []
    for t in range(0, 400):
        if t <= 40:
            out.append((float(t), 5.0, 170.0))
        else:
            rec_t = t - 40
            out.append((float(t), 2.0 if rec_t < below_at_s + 10 else 5.0,
                        150.0 if rec_t < below_at_s else 115.0))
    return out


def test_until_hr_recovery_ends_after_the_dwell_with_a_countdown() -> None:
    engine = WorkoutEngine(parse_workout("2x(200m @3:20/km, until hr < 120)"),
                           start_mode=StartMode.IMMEDIATE)  # fmt: skip
    cues = _run(engine, _recovery_samples(below_at_s=60.0))
    rec = engine.reps[1]
    assert rec.kind is RepKind.RECOVERY
    # first sample below at 100 s; dwell 3 s -> decided at 103 s; "go" 3 s later
    assert rec.start_s + rec.duration_s == pytest.approx(100.0 + 3.0 + HR_COUNTDOWN_S)
    said = [(c.t_s, c.text) for c in cues if c.kind in (CueKind.COUNTDOWN, CueKind.GO)
            and not c.dropped]  # fmt: skip
    assert [x for x in said if 103 <= x[0] <= 107] == [(104.0, "2"), (105.0, "1"),
                                                       (106.0, "go")] or [
        x[1] for x in said if 103 <= x[0] <= 107] == ["3", "2", "1", "go"]
    assert sum(1 for c in cues if c.kind is CueKind.GO and abs(c.t_s - 106.0) < 1.5) == 1
    assert engine.reps[2].kind is RepKind.WORK and engine.reps[2].start_s == pytest.approx(106)


def test_one_sample_below_does_not_end_the_recovery() -> None:
    engine = WorkoutEngine(parse_workout("2x(200m @3:20/km, until hr < 120)"),
                           start_mode=StartMode.IMMEDIATE)  # fmt: skip
    samples = _recovery_samples(below_at_s=60.0)
    samples = [(t, v, 115.0 if t == 70.0 else hr) for t, v, hr in samples]  # a lone dip
    _run(engine, samples)
    rec = engine.reps[1]
    assert rec.start_s + rec.duration_s == pytest.approx(106.0)


def test_without_heart_rate_the_recovery_says_so_once_and_ends_at_the_maximum() -> None:
    engine = WorkoutEngine(parse_workout("2x(200m @3:20/km, until hr < 120)"),
                           start_mode=StartMode.IMMEDIATE)  # fmt: skip
    samples: list[tuple[float, float, float | None]] = [
        (float(t), 5.0 if t <= 40 or t > 360 else 2.0, None) for t in range(0, 420)]
    cues = _run(engine, samples)
    notices = [c for c in cues if c.text == NO_HEART_RATE_TEXT and c.t_s < 350]
    assert len(notices) == 1 and notices[0].t_s < 45  # once a step
    rec = engine.reps[1]
    assert rec.duration_s == pytest.approx(HR_STEP_MAX_S, abs=1.0)
    assert engine.reps[2].kind is RepKind.WORK


def test_without_heart_rate_the_lap_button_ends_the_recovery() -> None:
    engine = WorkoutEngine(parse_workout("2x(200m @3:20/km, until hr < 120)"),
                           start_mode=StartMode.IMMEDIATE)  # fmt: skip
    d = 0.0
    for t in range(0, 90):
        d += 5.0 if t <= 40 else 2.0
        engine.on_estimate(_est(float(t), d, 5.0 if t <= 40 else 2.0, None))
    engine.on_control(ControlEvent(90.0, Control.START_LAP))
    assert engine.reps[1].kind is RepKind.RECOVERY
    assert engine.reps[1].start_s + engine.reps[1].duration_s == pytest.approx(90.0)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.lists(st.tuples(st.integers(20, 900), st.integers(5, 90)),
                                        max_size=3))  # fmt: skip
def test_heart_rate_cues_never_closer_than_10_s(seed: int,
                                                pauses: list[tuple[int, int]]) -> None:  # fmt: skip
    import numpy as np

    rng = np.random.default_rng(seed)
    hr = 140 + np.cumsum(rng.normal(0, 2.5, 1000))
    engine = WorkoutEngine(parse_workout("3x(4min @hr 150-160, 1min jog)"),
                           start_mode=StartMode.IMMEDIATE)  # fmt: skip
    windows = tuple(sorted({(float(a), float(a + b)) for a, b in pauses}))
    windows = tuple(w for i, w in enumerate(windows) if i == 0 or w[0] > windows[i - 1][1] + 1)
    samples = [(float(t), 4.0, float(hr[t])) for t in range(1000)]
    cues = _hr_cues(_run(engine, samples, pauses=windows))
    assert all(b.t_s - a.t_s >= 10.0 for a, b in zip(cues, cues[1:], strict=False))
    assert not [c for c in cues for a, b in windows if a <= c.t_s < b]
    starts = [r.start_s for r in engine.reps]
    assert not [c for c in cues for s in starts if s <= c.t_s < s + 15.0]


def test_plan_and_preview_say_the_heart_rate_target_and_end() -> None:
    from pacer.coach.language.format import plan_text

    text = plan_text(parse_workout("tempo 20min @hr 150-160; 2x(800m @3:30/km, until hr < 120)"))
    assert "[hr 150-160]" in text and "recovery             until hr < 120" in text
    engine = WorkoutEngine(parse_workout("tempo 20min @hr 150-160"))
    cues = engine.on_estimate(_est(0.0, 0.0, 0.0, None)).cues
    assert any("20 minutes, heart rate 150 to 160" in c.text for c in cues)


def test_standing_until_hr_recovery_counts_down_into_the_next_rep() -> None:
    engine = WorkoutEngine(parse_workout("2x(200m @3:20/km, stand until hr < 120)"),
                           start_mode=StartMode.IMMEDIATE)  # fmt: skip
    samples = [(t, 0.0 if 40 < t < 106 else v, hr) for t, v, hr in _recovery_samples(60.0)]
    cues = _run(engine, samples)
    rec = engine.reps[1]
    assert rec.kind is RepKind.RECOVERY and rec.start_s + rec.duration_s == pytest.approx(106)
    assert [c.text for c in cues if c.kind is CueKind.PREVIEW and c.t_s > 100] == []
