"""FIT workouts round-trip (issue 12, item 6): every library workout written as a FIT
workout with garmin-fit-sdk's encoder reads back as the same tree; pace targets read at
FIT's resolution (``@3:00/km``, not ``@3:00.0018/km``); pacer's own FIT export (an
activity) is refused in one line naming the workout's whole text."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("garmin_fit_sdk")

from garmin_fit_sdk import Encoder, Profile

from pacer.coach.language.format import format_items
from pacer.coach.language.library import LIBRARY
from pacer.coach.language.parser import parse_workout
from pacer.coach.language.workout import Repeat, Step, Target, Workout
from pacer.errors import WorkoutError
from pacer.formats.fit_workout import pace_from_speed_s_per_km, workout_from_fit
from pacer.formats.workout_source import resolve_workout
from pacer.models import RepKind

ROOT = Path(__file__).resolve().parents[2]
MESG = Profile["mesg_num"]
INTENSITY = {RepKind.WORK: "active", RepKind.WARMUP: "warmup", RepKind.COOLDOWN: "cooldown",
             RepKind.STEADY: "other"}  # fmt: skip
BAND = 0.015  # the speed band around the target, as pacer's FIT export writes it


def _step_mesg(step: Step, index: int) -> dict[str, object]:
    intensity = INTENSITY.get(step.kind) or ("rest" if step.standing else "recovery")
    mesg: dict[str, object] = {"mesg_num": MESG["WORKOUT_STEP"], "message_index": index,
                               "intensity": intensity, "target_type": "open"}  # fmt: skip
    if step.label:
        mesg["wkt_step_name"] = step.label
    if step.distance_m is not None:
        mesg |= {"duration_type": "distance", "duration_value": round(step.distance_m * 100)}
    elif step.duration_s is not None:
        mesg |= {"duration_type": "time", "duration_value": round(step.duration_s * 1000)}
    else:
        mesg["duration_type"] = "open"
    pace = step.target.pace_for(step.distance_m) if step.target else None
    if pace is not None:
        speed_mmps = 1e6 / pace
        mesg |= {"target_type": "speed", "target_value": 0,
                 "custom_target_value_low": round(speed_mmps * (1 - BAND)),
                 "custom_target_value_high": round(speed_mmps * (1 + BAND))}  # fmt: skip
    return mesg


def _items(items: tuple[Step | Repeat, ...], out: list[dict[str, object]]) -> None:
    for item in items:
        if isinstance(item, Step):
            out.append(_step_mesg(item, len(out)))
            continue
        first = len(out)
        _items(item.body, out)
        mesg: dict[str, object] = {"mesg_num": MESG["WORKOUT_STEP"], "message_index": len(out),
                                   "duration_value": first}  # fmt: skip
        if item.count is not None:
            mesg |= {"duration_type": "repeat_until_steps_cmplt", "target_value": item.count}
        elif item.until_s is not None:
            mesg |= {"duration_type": "repeat_until_time",
                     "target_value": round(item.until_s * 1000)}  # fmt: skip
        else:
            assert item.until_m is not None
            mesg |= {"duration_type": "repeat_until_distance",
                     "target_value": round(item.until_m * 100)}  # fmt: skip
        out.append(mesg)


def fit_workout_bytes(workout: Workout) -> bytes:
    """A FIT workout file (file_id, workout, workout_step messages) for ``workout``."""
    steps: list[dict[str, object]] = []
    _items(workout.steps, steps)
    enc = Encoder()
    enc.write_mesg({"mesg_num": MESG["FILE_ID"], "type": "workout", "manufacturer": "development",
                    "product": 1, "serial_number": 1,
                    "time_created": dt.datetime(2026, 12, 1, tzinfo=dt.UTC)})  # fmt: skip
    enc.write_mesg({"mesg_num": MESG["WORKOUT"], "sport": "running", "wkt_name": workout.name,
                    "num_valid_steps": len(steps)})  # fmt: skip
    for mesg in steps:
        enc.write_mesg(mesg)
    return bytes(enc.close())


def as_fit_reads(items: tuple[Step | Repeat, ...]) -> tuple[Step | Repeat, ...]:
    """What FIT carries of a tree: targets as paces (no rep time, name, per-mile display)."""
    out: list[Step | Repeat] = []
    for item in items:
        if isinstance(item, Repeat):
            out.append(Repeat(item.count, as_fit_reads(item.body), item.until_s, item.until_m))
            continue
        pace = item.target.pace_for(item.distance_m) if item.target else None
        target = None if pace is None else Target(pace_s_per_km=pace)
        out.append(Step(kind=item.kind, distance_m=item.distance_m, duration_s=item.duration_s,
                        target=target, target_cadence_spm=None, standing=item.standing,
                        label=item.label))  # fmt: skip
    return tuple(out)


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_library_workout_round_trips_through_a_fit_workout(name: str, tmp_path: Path) -> None:
    workout = parse_workout(LIBRARY[name][0], name=LIBRARY[name][0])
    path = tmp_path / f"{name}.fit"
    path.write_bytes(fit_workout_bytes(workout))
    back = workout_from_fit(path)
    assert back.steps == as_fit_reads(workout.steps)
    assert back.name == workout.name  # whole, not cut to 15 characters
    assert parse_workout(back.source_text).steps == back.steps  # canonical text parses back
    assert ".00" not in back.source_text


def test_pace_targets_read_at_fit_resolution(tmp_path: Path) -> None:
    workout = parse_workout("8x(400m @72s, 200m jog)")
    path = tmp_path / "w.fit"
    path.write_bytes(fit_workout_bytes(workout))
    assert format_items(workout_from_fit(path).steps) == (
        "8x(400m work @3:00/km; 200m recovery)")  # fmt: skip
    assert pace_from_speed_s_per_km(5.556) == 180.0  # not 179.9856
    assert pace_from_speed_s_per_km(4.470) == 223.7  # 6:00/mi, to a tenth
    assert pace_from_speed_s_per_km(3.7) == 270.3  # 270.27: a hundredth is not needed


def test_pacer_fit_export_is_refused_with_the_workout_text(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    text = "8x(400m @72s, 200m jog)"
    session = tmp_path / "s"
    subprocess.run([sys.executable, "-m", "pacer", "sim", text, "--session-dir", str(session),
                    "--quiet", "--duration", "200"], check=True, env=env)  # fmt: skip
    out = tmp_path / "out.fit"
    subprocess.run([sys.executable, "-m", "pacer", "export", str(session), "--format", "fit",
                    "-o", str(out)], check=True, env=env)  # fmt: skip
    with pytest.raises(WorkoutError) as info:
        resolve_workout(str(out))
    message = str(info.value)
    assert "\n" not in message
    assert message == (f"{out}: not a FIT workout file: it is an activity (a recorded run); "
                       f"to run its workout again give the text: '{text}'")  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "pacer", "sim", str(out), "--session-dir",
                           str(tmp_path / "again"), "--quiet"],
                          capture_output=True, text=True, env=env)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "not a FIT workout file" in done.stderr
