"""Workout language: known answers, errors with line/column/suggestion, round-trip, fuzz."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pacer.coach.language.format import format_items
from pacer.coach.language.lexer import WorkoutSyntaxError
from pacer.coach.language.library import LIBRARY
from pacer.coach.language.parser import parse_workout
from pacer.coach.language.workout import DEFAULT_NAMED_PACES_S_PER_KM, Repeat, Step
from pacer.errors import WorkoutError
from pacer.formats.workout_source import resolve_workout
from pacer.models import RepKind
from pacer.units import M_PER_MILE


def test_track_session_with_jog_warmup_and_cooldown():
    w = parse_workout("2km jog; 8x(400m @72s, 200m jog); 2km jog")
    warm, rep, cool = w.steps
    assert warm == Step(RepKind.WARMUP, distance_m=2000.0)
    assert cool == Step(RepKind.COOLDOWN, distance_m=2000.0)
    assert isinstance(rep, Repeat) and rep.count == 8
    work, jog = rep.body
    assert work.kind is RepKind.WORK and work.distance_m == 400.0
    assert work.target.rep_time_s == 72.0
    assert work.target_pace_s_per_km == pytest.approx(180.0)
    assert jog == Step(RepKind.RECOVERY, distance_m=200.0)


def test_mile_repeats_with_pace_per_mile_and_r_recovery():
    (rep,) = parse_workout("3x1mi @6:00/mi r2:00").steps
    work, rec = rep.body
    assert rep.count == 3
    assert work.distance_m == pytest.approx(M_PER_MILE)
    assert work.target.per_mile
    assert work.target_pace_s_per_km == pytest.approx(360.0 * 1000 / M_PER_MILE)
    assert work.target_time_s == pytest.approx(360.0)
    assert rec == Step(RepKind.RECOVERY, duration_s=120.0)


def test_tempo_with_cadence():
    (tempo,) = parse_workout("tempo 20min @4:30/km cadence 178").steps
    assert tempo.kind is RepKind.WORK and tempo.label == "tempo"
    assert tempo.duration_s == 1200.0 and tempo.target.pace_s_per_km == 270.0
    assert tempo.target_cadence_spm == 178.0 and not tempo.metronome


def test_named_paces_default_and_runner_override():
    (rep,) = parse_workout("10x(1min @5k, 1min easy)").steps
    work, easy = rep.body
    assert work.target.name == "5k"
    assert work.target.pace_s_per_km == DEFAULT_NAMED_PACES_S_PER_KM["5k"]
    assert easy.kind is RepKind.RECOVERY and easy.duration_s == 60.0
    (rep,) = parse_workout("10x(1min @5k, 1min easy)", named_paces_s_per_km={"5K": 231}).steps
    assert rep.body[0].target.pace_s_per_km == 231.0
    (step,) = parse_workout("3km @cv", named_paces_s_per_km={"cv": 250}).steps
    assert step.target.pace_s_per_km == 250.0


def test_until_block():
    (block,) = parse_workout("until 30min: (400m @80s, 200m jog)").steps
    assert block.count is None and block.until_s == 1800.0 and block.until_m is None
    (block,) = parse_workout("until 5km (1km @threshold, r60s)").steps
    assert block.until_m == 5000.0


@pytest.mark.parametrize(
    ("text", "kind", "standing", "distance_m", "duration_s"),
    [
        ("r90s", RepKind.RECOVERY, False, None, 90.0),
        ("r200m", RepKind.RECOVERY, False, 200.0, None),
        ("200m stand", RepKind.RECOVERY, True, 200.0, None),
        ("90s rest", RepKind.RECOVERY, True, None, 90.0),
        ("warm-up 15min", RepKind.WARMUP, False, None, 900.0),
        ("warmup 2km", RepKind.WARMUP, False, 2000.0, None),
        ("cool-down 10 min", RepKind.COOLDOWN, False, None, 600.0),
        ("1min30s recovery", RepKind.RECOVERY, False, None, 90.0),
        ("1:30 walk", RepKind.RECOVERY, False, None, 90.0),
        ("5k steady", RepKind.STEADY, False, 5000.0, None),
        ("1.5 miles", RepKind.STEADY, False, 1.5 * M_PER_MILE, None),
        ("cooldown", RepKind.COOLDOWN, False, None, None),
    ],
)
def test_single_steps(text, kind, standing, distance_m, duration_s):
    (step,) = parse_workout(text).steps
    assert (step.kind, step.standing) == (kind, standing)
    assert step.distance_m == pytest.approx(distance_m) if distance_m else step.distance_m is None
    assert step.duration_s == duration_s


def test_nested_repeats_and_metronome():
    w = parse_workout("3x(4x(200m @35s metronome cadence 184, r200m), 400m stand)")
    (outer,) = w.steps
    inner, stand = outer.body
    assert outer.count == 3 and inner.count == 4 and stand.standing
    assert inner.body[0].metronome and inner.body[0].target_cadence_spm == 184.0
    assert w.rep_count == 12
    labels = [s.label for s in w.plan() if s.kind is RepKind.WORK]
    assert labels[0] == "rep 1 of 12" and labels[-1] == "rep 12 of 12"


def test_untargeted_steps_in_a_repeat_are_work_then_recovery():
    (rep,) = parse_workout("8x(400m, 200m)").steps
    assert [s.kind for s in rep.body] == [RepKind.WORK, RepKind.RECOVERY]


def test_multi_line_file_with_comments():
    text = """# Tuesday track
warm-up 2km        # easy
6 x (
   400m @72s
   r90s
)
cool-down 10min
"""
    w = parse_workout(text, source="tue.txt")
    assert w.name == "tue.txt"
    warm, rep, cool = w.steps
    assert warm.kind is RepKind.WARMUP and cool.duration_s == 600.0
    assert rep.count == 6 and rep.body[1].duration_s == 90.0


def test_plan_labels_and_targets():
    plan = parse_workout("2km jog; 8x(400m @72s, 200m jog); 2km jog").plan()
    assert len(plan) == 1 + 16 + 1
    reps = [s for s in plan if s.kind is RepKind.WORK]
    assert [s.rep_number for s in reps] == list(range(1, 9))
    assert reps[2].label == "rep 3 of 8" and reps[2].rep_count == 8
    assert all(s.target_time_s == pytest.approx(72.0) for s in reps)
    assert [s.index for s in plan] == list(range(18))


def test_plan_expands_until_block_by_estimated_durations():
    # 80 s rep + 200 m easy jog at 345 s/km (69 s) = 149 s per round: 1800 s -> 13 rounds
    plan = parse_workout("until 30min: (400m @80s, 200m jog)").plan()
    assert len([s for s in plan if s.kind is RepKind.WORK]) == 13
    assert plan[0].label == "rep 1"
    assert sum(s.est_duration_s for s in plan[:-1]) < 1800.0 <= sum(s.est_duration_s for s in plan)


def test_plan_stops_open_repeat_at_max_s():
    from pacer.coach.language.workout import Workout

    w = Workout("open", "", (Repeat(None, (Step(RepKind.WORK, duration_s=60.0),)),))
    assert len(w.plan(max_s=600.0)) == 10


def error_of(text: str, **kw) -> WorkoutSyntaxError:
    with pytest.raises(WorkoutSyntaxError) as info:
        parse_workout(text, **kw)
    assert isinstance(info.value, WorkoutError) and isinstance(info.value, ValueError)
    return info.value


@pytest.mark.parametrize(
    ("text", "line", "col", "suggestion"),
    [
        ("8x(400m @72s, 200m jgo)", 1, 20, "jog"),
        ("6x400", 1, 3, "400m"),
        ("3x1mi @6:00/ml", 1, 13, "mi"),
        ("400m @72s; 2kms", 1, 13, "2km"),
        ("400m @5km", 1, 7, "5k"),
        ("400m @thresold", 1, 7, "threshold"),
        ("tempo 20min @4:30/km cadance 178", 1, 22, "cadence"),
        ("warmup 2km\n8x(400m @72s, 200m jog\ncooldown", 2, 3, None),  # the open (
        ("10x1min @72s", 1, 10, "@4:30/km"),
        ("400m @72s 200m", 1, 11, None),
        ("8x[400m]", 1, 3, "("),
        ("400m @4:75", 1, 7, None),
        ("", 1, 1, None),
        ("tempo 20min @4:30/km cadence 300", 1, 30, None),
        ("0x(400m)", 1, 1, None),
    ],
)
def test_errors_point_at_line_and_column(text, line, col, suggestion):
    err = error_of(text)
    assert (err.line, err.col, err.suggestion) == (line, col, suggestion)
    first = str(err).splitlines()[0]
    assert first.startswith(f"<workout>:{line}:{col}: ")
    if suggestion:
        assert first.endswith(f"-- did you mean '{suggestion}'?")


def test_error_message_has_caret_under_the_column():
    err = error_of("2km jog\n8x(400m @72s, 200m jgo)", source="tue.txt")
    head, src, caret = str(err).splitlines()
    assert head == "tue.txt:2:20: unknown word 'jgo' -- did you mean 'jog'?"
    assert src.strip() == "8x(400m @72s, 200m jgo)"
    assert caret.index("^") == src.index("jgo")


def test_library_entries_all_parse_and_have_work():
    for name in LIBRARY:
        w = resolve_workout(name)
        assert w.name == name
        assert any(s.kind is RepKind.WORK for s in w.plan()), name
    plan = resolve_workout("6x400").plan()
    assert [s.kind for s in plan].count(RepKind.WORK) == 6
    assert plan[0].kind is RepKind.WARMUP and plan[-1].kind is RepKind.COOLDOWN


def test_resolve_file_inline_and_unknown(tmp_path):
    f = tmp_path / "thu.txt"
    f.write_text("warmup 10min\n5x(1km @threshold, r60s)\n")
    w = resolve_workout(str(f), named_paces={"threshold": 250})
    assert w.name == "thu" and w.steps[1].body[0].target.pace_s_per_km == 250
    assert resolve_workout("8x(400m @72s, 200m jog)").rep_count == 8
    with pytest.raises(WorkoutError, match="did you mean 'yasso-800s'"):
        resolve_workout("yaso")
    with pytest.raises(WorkoutError, match="no such workout file"):
        resolve_workout(str(tmp_path / "missing.txt"))
    bad = tmp_path / "bad.txt"
    bad.write_text("warmup 2km\n6x(400m @72s, r90)\n")
    with pytest.raises(WorkoutError, match=r"^.*bad.txt:2:16: the number 90 needs a unit"):
        resolve_workout(str(bad))


# ------------------------------------------------------------------ properties

_distance = st.sampled_from([100.0, 200.0, 300.0, 400.0, 600.0, 800.0, 1000.0, 1200.0,
                             2000.0, 5000.0, M_PER_MILE, 2 * M_PER_MILE])  # fmt: skip
_duration = st.integers(1, 240).map(lambda n: n * 15.0)


@st.composite
def _steps(draw):
    kind = draw(st.sampled_from(list(RepKind)))
    by_distance = draw(st.booleans())
    distance = draw(_distance) if by_distance else None
    duration = None if by_distance else draw(_duration)
    standing = kind is RepKind.RECOVERY and draw(st.booleans())
    target = None
    if not standing and draw(st.booleans()):
        from pacer.coach.language.workout import Target

        choice = draw(st.sampled_from(["time", "pace", "mile", "named"]))
        if choice == "time" and distance is not None:
            target = Target(rep_time_s=round(distance * draw(st.integers(150, 400)) / 1000.0, 1))
        elif choice == "mile":
            target = Target(pace_s_per_km=draw(st.integers(300, 600)) * 1000.0 / M_PER_MILE,
                            per_mile=True)  # fmt: skip
        elif choice == "named":
            name = draw(st.sampled_from(sorted(DEFAULT_NAMED_PACES_S_PER_KM)))
            target = Target(pace_s_per_km=DEFAULT_NAMED_PACES_S_PER_KM[name], name=name)
        else:
            target = Target(pace_s_per_km=float(draw(st.integers(180, 480))))
    cadence = draw(st.one_of(st.none(), st.integers(150, 200).map(float)))
    from pacer.coach.language.workout import HrTarget

    hr_target = None
    if not standing and draw(st.booleans()):
        low = float(draw(st.integers(60, 200)))
        high = low + draw(st.integers(1, 30))
        zone = HrTarget(zone=draw(st.integers(1, 5)))
        hr_target = draw(st.sampled_from([zone, HrTarget(low, high)]))
    until_hr = draw(st.one_of(st.none(), st.integers(40, 230).map(float)))
    return Step(kind, distance, duration, target, cadence, draw(st.booleans()), standing,
                hr_target=hr_target, until_hr_below_bpm=until_hr)


_items = st.recursive(
    _steps(),
    lambda inner: st.one_of(
        st.builds(
            lambda count, body: Repeat(count, tuple(body)),
            st.integers(1, 12),
            st.lists(inner, min_size=1, max_size=3),
        ),
        st.builds(
            lambda limit, by_time, body: Repeat(None, tuple(body),
                                                until_s=limit * 60.0 if by_time else None,
                                                until_m=None if by_time else limit * 1000.0),
            st.integers(1, 60), st.booleans(), st.lists(inner, min_size=1, max_size=3),
        ),
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_items, min_size=1, max_size=5))
def test_canonical_text_round_trips(items):
    from hypothesis import assume

    from pacer.coach.language.limits import limit_problem

    assume(limit_problem(tuple(items)) is None)  # past the bounds the parser refuses it
    text = format_items(tuple(items))
    parsed = parse_workout(text).steps
    assert _normalise(parsed) == _normalise(tuple(items))


def _normalise(items):
    """Equal up to float rounding of the mile conversion."""
    out = []
    for item in items:
        if isinstance(item, Repeat):
            out.append(("repeat", item.count, item.until_s, item.until_m, _normalise(item.body)))
        else:
            t = item.target
            tgt = None
            if t is not None:
                pace = None if t.pace_s_per_km is None else round(t.pace_s_per_km, 6)
                tgt = (t.rep_time_s, t.name, t.per_mile, pace)
            dist = None if item.distance_m is None else round(item.distance_m, 6)
            out.append((item.kind, dist, item.duration_s, tgt, item.target_cadence_spm,
                        item.metronome, item.standing, item.hr_target,
                        item.until_hr_below_bpm))  # fmt: skip
    return tuple(out)


_alphabet = st.sampled_from(list("0123456789:@();,/x. \n#mkisnrupt") + [
    "400m", "@72s", "jog", "until", "cadence ", "r90s", "8x(", "stand", "@5k", "mi", "/km",
    "@hr 150-160", "@z2", "@z", "hr", "-", "<", "until hr < 120", " bpm",
])  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_alphabet, max_size=25).map("".join))
def test_fuzz_only_workout_errors(text):
    try:
        w = parse_workout(text)
    except WorkoutError as exc:
        assert str(exc).startswith("<workout>:")
        return
    w.plan(max_s=4 * 3600)
    parse_workout(w.to_text())
