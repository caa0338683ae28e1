"""Words of the workout language: units, step kinds, modifiers and limits."""

from __future__ import annotations

from pacer.models import RepKind
from pacer.units import M_PER_MILE

DISTANCE_UNITS_M: dict[str, float] = {
    "m": 1.0, "meter": 1.0, "meters": 1.0, "metre": 1.0, "metres": 1.0,
    "k": 1000.0, "km": 1000.0, "kilometer": 1000.0, "kilometers": 1000.0,
    "kilometre": 1000.0, "kilometres": 1000.0,
    "mi": M_PER_MILE, "mile": M_PER_MILE, "miles": M_PER_MILE,
}  # fmt: skip
TIME_UNITS_S: dict[str, float] = {
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
    "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
}  # fmt: skip

#: word -> (kind, standing, label, inferable). "Inferable" recovery words at the top level
#: become warm-up before the first work step and cool-down after the last.
KIND_WORDS: dict[str, tuple[RepKind, bool, str, bool]] = {
    "warmup": (RepKind.WARMUP, False, "", False),
    "warm-up": (RepKind.WARMUP, False, "", False),
    "wu": (RepKind.WARMUP, False, "", False),
    "cooldown": (RepKind.COOLDOWN, False, "", False),
    "cool-down": (RepKind.COOLDOWN, False, "", False),
    "warmdown": (RepKind.COOLDOWN, False, "", False),
    "cd": (RepKind.COOLDOWN, False, "", False),
    "jog": (RepKind.RECOVERY, False, "", True),
    "easy": (RepKind.RECOVERY, False, "", True),
    "walk": (RepKind.RECOVERY, False, "", True),
    "recovery": (RepKind.RECOVERY, False, "", False),
    "rec": (RepKind.RECOVERY, False, "", False),
    "stand": (RepKind.RECOVERY, True, "", False),
    "standing": (RepKind.RECOVERY, True, "", False),
    "rest": (RepKind.RECOVERY, True, "", False),
    "work": (RepKind.WORK, False, "", False),
    "rep": (RepKind.WORK, False, "", False),
    "fast": (RepKind.WORK, False, "", False),
    "hard": (RepKind.WORK, False, "", False),
    "tempo": (RepKind.WORK, False, "tempo", False),
    "cruise": (RepKind.WORK, False, "cruise", False),
    "stride": (RepKind.WORK, False, "strides", False),
    "strides": (RepKind.WORK, False, "strides", False),
    "hill": (RepKind.WORK, False, "hill", False),
    "hills": (RepKind.WORK, False, "hill", False),
    "steady": (RepKind.STEADY, False, "", False),
    "run": (RepKind.STEADY, False, "", False),
    "progression": (RepKind.WORK, False, "progression", False),
}
MODIFIER_WORDS = ("cadence", "metronome", "until", "x", "r")
SEPARATORS = frozenset({";", ","})
MAX_DISTANCE_M = 100_000.0
MAX_DURATION_S = 24 * 3600.0
MIN_PACE_S_PER_KM = 90.0  # 1:30/km: faster than any human
MAX_PACE_S_PER_KM = 1200.0  # 20:00/km


