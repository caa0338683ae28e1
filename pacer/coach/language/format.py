"""Workout tree -> canonical workout text (parses back to an equal tree) and display strings."""

from __future__ import annotations

from pacer.coach.language.workout import HrTarget, Repeat, Step, Target, Workout
from pacer.models import RepKind
from pacer.units import M_PER_MILE, format_clock, s_per_km_to_s_per_mile

_KIND_WORD = {
    RepKind.WARMUP: "warmup",
    RepKind.COOLDOWN: "cooldown",
    RepKind.RECOVERY: "recovery",
    RepKind.STEADY: "steady",
    RepKind.WORK: "work",
}
_LABEL_WORD = {"tempo": "tempo", "cruise": "cruise", "strides": "strides", "hill": "hills",
               "progression": "progression"}  # fmt: skip


def _num(value: float) -> str:
    """Shortest text that parses back to ``value`` exactly."""
    text = repr(float(value))
    return text.removesuffix(".0")


def format_distance(distance_m: float) -> str:
    """``400.0`` -> ``"400m"``, ``1609.344`` -> ``"1mi"``, ``2000`` -> ``"2km"``."""
    miles = distance_m / M_PER_MILE
    if abs(miles - round(miles * 4) / 4) < 1e-9 and distance_m >= M_PER_MILE / 4:
        return f"{_num(round(miles * 4) / 4)}mi"
    if distance_m >= 1000 and float(_num(distance_m / 1000)) * 1000 == distance_m:
        return f"{_num(distance_m / 1000)}km"
    return f"{_num(distance_m)}m"


def format_duration(duration_s: float) -> str:
    """``90`` -> ``"90s"``, ``1200`` -> ``"20min"``, ``3600`` -> ``"60min"``."""
    if duration_s % 60 == 0:
        return f"{_num(duration_s / 60)}min"
    return f"{_num(duration_s)}s"


def format_target(target: Target) -> str:
    """``@72s``, ``@4:30/km``, ``@6:00/mi``, ``@5k``."""
    if target.name is not None:
        return f"@{target.name}"
    if target.rep_time_s is not None:
        return f"@{_num(target.rep_time_s)}s"
    assert target.pace_s_per_km is not None
    if target.per_mile:
        per_mile_s = s_per_km_to_s_per_mile(target.pace_s_per_km)
        return f"@{_clock_exact(per_mile_s)}/mi"
    return f"@{_clock_exact(target.pace_s_per_km)}/km"


def format_hr_target(target: HrTarget) -> str:
    """``@hr 150-160`` or ``@z2``."""
    if target.zone is not None:
        return f"@z{target.zone}"
    assert target.low_bpm is not None and target.high_bpm is not None
    return f"@hr {_num(target.low_bpm)}-{_num(target.high_bpm)}"


def _clock_exact(seconds: float) -> str:
    minutes, rest = divmod(round(seconds, 6), 60.0)
    rest = round(rest, 6)
    rest_text = _num(rest)
    if rest < 10:
        rest_text = "0" + rest_text
    return f"{int(minutes)}:{rest_text}"


def format_step(step: Step) -> str:
    words: list[str] = []
    if step.distance_m is not None:
        words.append(format_distance(step.distance_m))
    elif step.duration_s is not None:
        words.append(format_duration(step.duration_s))
    if step.standing:
        words.append("stand")
    elif step.label in _LABEL_WORD and step.kind in (RepKind.WORK, RepKind.STEADY):
        words.append(_LABEL_WORD[step.label])
    else:
        words.append(_KIND_WORD[step.kind])
    if step.target is not None:
        words.append(format_target(step.target))
    if step.hr_target is not None:
        words.append(format_hr_target(step.hr_target))
    if step.until_hr_below_bpm is not None:
        words.append(f"until hr < {_num(step.until_hr_below_bpm)}")
    if step.target_cadence_spm is not None:
        words.append(f"cadence {_num(step.target_cadence_spm)}")
    if step.metronome:
        words.append("metronome")
    return " ".join(words)


def format_items(items: tuple[Step | Repeat, ...]) -> str:
    parts: list[str] = []
    for item in items:
        if isinstance(item, Step):
            parts.append(format_step(item))
            continue
        body = format_items(item.body)
        if item.count is not None:
            parts.append(f"{item.count}x({body})")
        elif item.until_s is not None:
            parts.append(f"until {format_duration(item.until_s)}: ({body})")
        elif item.until_m is not None:
            parts.append(f"until {format_distance(item.until_m)}: ({body})")
        else:
            parts.append(f"until 24h: ({body})")
    return "; ".join(parts)


def describe_planned(distance_m: float | None, duration_s: float | None,
                     target_pace_s_per_km: float | None, target_time_s: float | None,
                     miles: bool = False,
                     until_hr_below_bpm: float | None = None) -> str:  # fmt: skip
    """Human description of a planned step: ``"400 m in 1:12 (3:00/km)"``."""
    if distance_m is not None:
        what = format_distance(distance_m)
    elif duration_s is not None:
        what = format_clock(duration_s)
    elif until_hr_below_bpm is not None:
        what = f"until hr < {_num(until_hr_below_bpm)}"
    else:
        what = "until lap"
    if target_pace_s_per_km is None:
        return what
    unit = "/mi" if miles else "/km"
    pace = s_per_km_to_s_per_mile(target_pace_s_per_km) if miles else target_pace_s_per_km
    if target_time_s is not None:
        tenths = target_time_s < 600 and abs(target_time_s - round(target_time_s)) > 0.05
        clock = format_clock(target_time_s, tenths=tenths)
        return f"{what} in {clock} ({format_clock(pace)}{unit})"
    return f"{what} at {format_clock(pace)}{unit}"


def library_text(library: dict[str, tuple[str, str]]) -> str:
    """The built-in library: each name with its text, and its description below."""
    width = max(len(n) for n in library)
    return "".join(f"{name:<{width}}  {text}\n{'':<{width}}  {description}\n"
                   for name, (text, description) in library.items())


def check_text(workout: Workout) -> str:
    """``OK`` and a one-line summary: steps, reps, estimated duration."""
    plan = workout.plan()
    total_s = sum(s.est_duration_s for s in plan)
    reps = workout.rep_count
    reps_text = f"{reps} reps" if reps is not None else "open-ended reps"
    return f"OK {workout.name}: {len(plan)} steps, {reps_text}, about {format_clock(total_s)}\n"


def plan_text(workout: Workout, *, miles: bool = False) -> str:
    """The workout expanded into its steps, with start times and targets."""
    lines = [workout.name, f"  {workout.to_text()}"]
    t_s = 0.0
    for step in workout.plan():
        what = describe_planned(step.distance_m, step.duration_s, step.target_pace_s_per_km,
                                step.target_time_s, miles=miles,
                                until_hr_below_bpm=step.until_hr_below_bpm)  # fmt: skip
        extras = []
        if step.target_cadence_spm is not None:
            extras.append(f"cadence {step.target_cadence_spm:.0f}")
        if step.metronome:
            extras.append("metronome")
        if step.hr_target is not None:
            extras.append(format_hr_target(step.hr_target).removeprefix("@"))
        if step.until_hr_below_bpm is not None and not what.startswith("until hr"):
            extras.append(f"until hr < {_num(step.until_hr_below_bpm)}")
        extra = f"  [{', '.join(extras)}]" if extras else ""
        lines.append(f"{step.index + 1:>3}  {format_clock(t_s):>7}  {step.kind.value:<9} "
                     f"{step.label:<20} {what}{extra}")  # fmt: skip
        t_s += step.est_duration_s
    lines.append(f"     {format_clock(t_s):>7}  end (estimated)")
    return "\n".join(lines) + "\n"
