"""Garmin FIT workout files (``workout`` + ``workout_step`` messages) -> Workout.

Decoded with Garmin's own ``garmin-fit-sdk`` (the ``review`` extra), imported inside the
function. The mapping, step by step:

* duration ``time`` / ``distance`` -> a timed or measured step; ``hr_less_than`` (FIT
  stores bpm + 100) -> ``until hr < X``; ``open``, ``calories``, ``hr_greater_than`` and
  power conditions -> an open step (ended by the lap button);
* ``repeat_until_steps_cmplt`` -> ``Repeat(count)`` over the steps from ``duration_step``;
  ``repeat_until_time`` / ``repeat_until_distance`` -> ``until`` blocks; other repeat
  conditions (heart rate, power, calories) -> a repeat the runner ends;
* target ``speed`` (custom low/high in m/s, or the speed zone's) -> a pace target at the
  middle of the range, rounded as far as FIT's resolution (whole mm/s) allows;
  ``cadence`` (FIT counts strides, rpm) -> ``cadence_spm`` = 2 x the
  middle; ``heart_rate`` -> ``@hr LOW-HIGH`` from custom low/high in bpm (FIT stores
  bpm + 100; values of 100 or less are % of max heart rate, which the file does not
  give: dropped) or ``@zN`` from the heart-rate zone (1-5; resolved from the runner's
  configured zones); power targets are dropped;
* intensity ``warmup``/``cooldown``/``rest``/``recovery``/``active``/``interval`` -> the
  step kind; the step name becomes its label.

A FIT file of another type (``file_id.type`` not ``workout``: an activity, a course) is
refused with one line saying what it is.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, SupportsFloat, SupportsIndex

from pacer.coach.language.format import format_items
from pacer.coach.language.limits import limit_problem
from pacer.coach.language.workout import (
    DEFAULT_NAMED_PACES_S_PER_KM,
    MAX_HR_BPM,
    MAX_HR_ZONE,
    MIN_HR_BPM,
    HrTarget,
    Repeat,
    Step,
    Target,
    Workout,
)
from pacer.errors import InputError, WorkoutError
from pacer.formats.fit_message import FitMessage
from pacer.formats.safe_read import read_regular_bytes
from pacer.models import RepKind
from pacer.units import M_PER_MILE

if TYPE_CHECKING:
    from garmin_fit_sdk.mesgs import FitMessages, WorkoutStepMesg

#: a workout file is small; anything larger is not one
MAX_FIT_WORKOUT_BYTES = 1 << 20

_INTENSITY_KIND = {
    "warmup": RepKind.WARMUP,
    "cooldown": RepKind.COOLDOWN,
    "rest": RepKind.RECOVERY,
    "recovery": RepKind.RECOVERY,
    "active": RepKind.WORK,
    "interval": RepKind.WORK,
}


def _positive(value: object) -> float | None:
    if not isinstance(value, (str, bytes, bytearray, SupportsFloat, SupportsIndex)):
        return None  # what float() refuses with a TypeError
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if v > 0 else None


#: FIT speeds are whole mm/s: the middle of a low/high band is known to half of that
SPEED_RESOLUTION_MPS = 0.0005


def pace_from_speed_s_per_km(speed_mps: float) -> float:
    """The roundest pace (whole seconds, then tenths, hundredths, thousandths per km)
    whose speed is within FIT's resolution of ``speed_mps``: 5.556 m/s (5556 mm/s) reads
    180 s/km (``@3:00/km``), not 179.9856 (``@2:59.9856/km``)."""
    for digits in range(4):
        pace = round(1000.0 / speed_mps, digits)
        if abs(1000.0 / pace - speed_mps) <= SPEED_RESOLUTION_MPS + 1e-12:
            return pace
    return 1000.0 / speed_mps


#: FIT distances are whole centimetres
DISTANCE_RESOLUTION_M = 0.005


def distance_from_fit_m(distance_m: float) -> float:
    """A FIT distance (whole cm), as the workout meant it: 1609.34 m is the mile it was
    (a quarter mile multiple within FIT's resolution reads back exact)."""
    quarters = round(distance_m / (M_PER_MILE / 4))
    exact_m = quarters * M_PER_MILE / 4
    near = quarters > 0 and abs(distance_m - exact_m) <= DISTANCE_RESOLUTION_M
    return exact_m if near else distance_m


def _speed_target(msg: FitMessage) -> Target | None:
    low = _positive(msg.get("custom_target_speed_low"))
    high = _positive(msg.get("custom_target_speed_high"))
    if low is None or high is None:
        mid_mps = low if low is not None else high
    else:
        mid_mps = (low + high) / 2.0
    return None if mid_mps is None else Target(pace_s_per_km=pace_from_speed_s_per_km(mid_mps))


def _cadence_spm(msg: FitMessage) -> float | None:
    low = _positive(msg.get("custom_target_cadence_low"))
    high = _positive(msg.get("custom_target_cadence_high"))
    if low is None or high is None:
        return low * 2.0 if low is not None else (high * 2.0 if high is not None else None)
    return low + high  # 2 x the middle, strides/min -> steps/min


#: FIT heart rates above this are bpm + 100; at or below, % of max heart rate
FIT_HR_BPM_OFFSET = 100


def _fit_bpm(value: object) -> float | None:
    """A FIT ``workout_hr`` value in bpm (stored bpm + 100), or None (a % of max, or out
    of the language's 40-230 bpm)."""
    v = _positive(value)
    if v is None or v <= FIT_HR_BPM_OFFSET:
        return None
    bpm = v - FIT_HR_BPM_OFFSET
    return bpm if MIN_HR_BPM <= bpm <= MAX_HR_BPM else None


def _hr_target(msg: FitMessage) -> HrTarget | None:
    """A heart-rate target: custom low/high bpm, else the zone (1-5), else None."""
    zone = msg.get("target_hr_zone", msg.get("target_value"))
    low = _fit_bpm(msg.get("custom_target_heart_rate_low", msg.get("custom_target_value_low")))
    high = _fit_bpm(msg.get("custom_target_heart_rate_high",
                            msg.get("custom_target_value_high")))  # fmt: skip
    if low is not None and high is not None and low < high:
        return HrTarget(low_bpm=low, high_bpm=high)
    if isinstance(zone, int) and 1 <= zone <= MAX_HR_ZONE:
        return HrTarget(zone=zone)
    return None


def _step(msg: FitMessage) -> Step:
    intensity = str(msg.get("intensity", "active"))
    kind = _INTENSITY_KIND.get(intensity, RepKind.STEADY)
    duration_type = str(msg.get("duration_type", "open"))
    distance_m = duration_s = None
    if duration_type == "time":
        duration_s = _positive(msg.get("duration_time"))
    elif duration_type == "distance":
        distance_m = _positive(msg.get("duration_distance"))
        distance_m = None if distance_m is None else distance_from_fit_m(distance_m)
    target_type = str(msg.get("target_type", "open"))
    target = _speed_target(msg) if target_type == "speed" else None
    cadence = _cadence_spm(msg) if target_type == "cadence" else None
    hr_target = _hr_target(msg) if target_type == "heart_rate" else None
    until_hr = None
    if duration_type == "hr_less_than":
        until_hr = _fit_bpm(msg.get("duration_hr", msg.get("duration_value")))
    label = str(msg.get("wkt_step_name") or "").strip()
    return Step(
        kind=kind,
        distance_m=distance_m,
        duration_s=duration_s,
        target=target,
        target_cadence_spm=cadence,
        standing=(intensity == "rest" and target is None and hr_target is None
                  and distance_m is None),
        label=label,
        hr_target=hr_target,
        until_hr_below_bpm=until_hr,
    )


def _refuse_other_file_types(path: str, messages: FitMessages) -> None:
    """A FIT file that is not a workout (an activity: a recorded run, such as
    ``pacer export --format fit`` writes) is refused in one line that says what to run
    instead: the workout text the activity names, when it names one."""
    ids = messages.get("file_id_mesgs", [])
    kind = str(ids[0].get("type", "")) if ids else ""
    if kind in ("", "workout"):
        return
    name = ""
    for msg in messages.get("workout_mesgs", []):
        name = str(msg.get("wkt_name") or "").strip()
    hint = f"; to run its workout again give the text: '{name}'" if name else ""
    what = "an activity (a recorded run)" if kind == "activity" else f"a FIT {kind} file"
    raise WorkoutError(f"{path}: not a FIT workout file: it is {what}{hint}")


def _nest_repeats(path: str, msgs: list[WorkoutStepMesg]) -> list[tuple[int, Step | Repeat]]:
    """The workout steps in order, each ``repeat_*`` message folding the steps from its
    ``duration_step`` on into a :class:`Repeat` (by count, time in s or distance in m),
    each item with the index of its first message."""
    items: list[tuple[int, Step | Repeat]] = []
    for msg in msgs:
        index = int(msg.get("message_index", len(items)))
        duration_type = str(msg.get("duration_type", ""))
        if not duration_type.startswith("repeat_"):
            items.append((index, _step(dict(msg))))
            continue
        first = int(msg.get("duration_step", msg.get("duration_value", 0)))
        body = tuple(item for i, item in items if i >= first)
        if not body:
            raise WorkoutError(
                f"{path}: step {index} repeats from step {first}, which is not before it"
            )
        items = [(i, item) for i, item in items if i < first]
        repeat: Repeat
        if duration_type == "repeat_until_steps_cmplt":
            count = int(msg.get("repeat_steps", msg.get("target_value", 1)) or 1)
            repeat = Repeat(count=max(1, count), body=body)
        elif duration_type == "repeat_until_time" and _positive(msg.get("repeat_time")):
            repeat = Repeat(count=None, body=body, until_s=_positive(msg.get("repeat_time")))
        elif duration_type == "repeat_until_distance" and _positive(msg.get("repeat_distance")):
            until_m = distance_from_fit_m(float(msg["repeat_distance"]))
            repeat = Repeat(count=None, body=body, until_m=until_m)
        else:
            repeat = Repeat(count=None, body=body)
        items.append((first, repeat))
    return items


def workout_from_fit(path: str | os.PathLike[str]) -> Workout:
    """Read a Garmin FIT workout file.

    Raises
    ------
    WorkoutError
        The file is missing, not a FIT file, another kind of FIT file (an activity), has
        no workout steps, or garmin-fit-sdk is not installed.
    """
    try:
        from garmin_fit_sdk import Decoder, Stream
    except ImportError as exc:
        raise WorkoutError(
            f"{path}: reading FIT workouts needs garmin-fit-sdk (pip install 'pacer[review]')"
        ) from exc
    path = os.fspath(path)
    try:
        data = read_regular_bytes(path, max_bytes=MAX_FIT_WORKOUT_BYTES, what="FIT workout file")
    except InputError as exc:
        raise WorkoutError(
            str(exc).replace(": cannot read (", ": cannot read FIT file (", 1)
        ) from None
    stream = Stream.from_byte_array(bytearray(data))
    try:
        decoder = Decoder(stream)
        if not decoder.is_fit():
            raise WorkoutError(f"{path}: not a FIT file (no FIT header)")
        messages, errors = decoder.read()
    finally:
        stream.close()
    _refuse_other_file_types(path, messages)
    msgs = sorted(messages.get("workout_step_mesgs", []), key=lambda m: m.get("message_index", 0))
    if not msgs:
        problem = f"decoder said: {errors[0]}" if errors else "it has no workout_step messages"
        raise WorkoutError(f"{path}: not a FIT workout file ({problem})")
    items = _nest_repeats(path, msgs)
    steps = tuple(item for _, item in items)
    too_big = limit_problem(steps)
    if too_big is not None:
        raise WorkoutError(f"{path}: {too_big}")
    workouts = messages.get("workout_mesgs", [])
    name = str(workouts[0].get("wkt_name", "")) if workouts else ""
    name = name or os.path.splitext(os.path.basename(path))[0]
    return Workout(
        name=name,
        source_text=format_items(steps),
        steps=steps,
        named_paces_s_per_km=dict(DEFAULT_NAMED_PACES_S_PER_KM),
    )
