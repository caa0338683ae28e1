"""Bounds on a workout: text length, nesting of repeats and planned duration.

A workout comes from a file, the command line or the config; none of them may make
pacer recurse without end, hold megabytes or plan a day of running. Past a bound the
parser raises a one-line :class:`~pacer.errors.WorkoutError` (docs/workouts.md, Limits).
"""

from __future__ import annotations

from pacer.coach.language.workout import Repeat, Step

#: longest workout text, in characters
MAX_TEXT_CHARS = 64 * 1024
#: deepest nesting of repeat / until blocks
MAX_NESTING = 16
#: longest planned workout (and step), in seconds
MAX_PLANNED_S = 12 * 3600.0
#: pace assumed for a distance without a target when estimating the plan (s/km)
PLAN_PACE_S_PER_KM = 360.0
#: characters of a text quoted in an error message
EXCERPT_CHARS = 60


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` cut to ``limit`` characters, marked with '...' when cut."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def step_s(step: Step) -> float:
    """A step's duration: its time, or its distance at its target pace (or a jog)."""
    if step.duration_s is not None:
        return step.duration_s
    if step.distance_m is not None:
        pace = step.target_pace_s_per_km or PLAN_PACE_S_PER_KM
        return step.distance_m * pace / 1000.0
    return 0.0


def planned_s(items: tuple[Step | Repeat, ...] | list[Step | Repeat], depth: int = 0) -> float:
    """Estimated duration of ``items`` (an open-ended repeat counts its body once)."""
    if depth > MAX_NESTING:
        return float("inf")
    total = 0.0
    for item in items:
        if isinstance(item, Step):
            total += step_s(item)
            continue
        body = planned_s(item.body, depth + 1)
        if item.until_s is not None:
            total += item.until_s
        elif item.until_m is not None:
            total += item.until_m * PLAN_PACE_S_PER_KM / 1000.0
        else:
            total += body * (item.count or 1)
    return total


def nesting(items: tuple[Step | Repeat, ...] | list[Step | Repeat], depth: int = 0) -> int:
    """Deepest repeat nesting of ``items`` (0: no repeats); stops counting past the bound."""
    if depth > MAX_NESTING:
        return depth
    deepest = depth
    for item in items:
        if isinstance(item, Repeat):
            deepest = max(deepest, nesting(item.body, depth + 1))
    return deepest


def limit_problem(items: tuple[Step | Repeat, ...] | list[Step | Repeat]) -> str | None:
    """Why ``items`` break a bound (nesting, planned duration), or None."""
    if nesting(items) > MAX_NESTING:
        return f"repeats nested more than {MAX_NESTING} deep"
    total_s = planned_s(items)
    if total_s > MAX_PLANNED_S:
        return (f"planned duration {total_s / 3600:.3g} h is longer than "
                f"{MAX_PLANNED_S / 3600:g} h")  # fmt: skip
    return None
