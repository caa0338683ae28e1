"""Workouts against deep nesting, huge texts and absurd durations: a short WorkoutError
or a workout, quickly -- never a RecursionError, never megabytes echoed."""

from __future__ import annotations

import time

import pytest
from attack_bounded import run_pacer, short_message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacer.errors import PacerError
from pacer.formats.workout_source import resolve_workout

pytestmark = pytest.mark.attack
ATTACK_CLASS = "workouts"

_nested = st.builds(
    lambda depth, opener, body: opener * depth + body + ")" * depth,
    st.integers(0, 600), st.sampled_from(["1x(", "2x(", "until 10min: (", "3×("]),
    st.sampled_from(["400m", "400m @72s", "1km r90s", "24h", "8x(400m, 200m jog)"]),
)  # fmt: skip
_long = st.builds(lambda word, n: word * n, st.sampled_from(["a", "400m ", "x(", "@"]),
                  st.integers(1000, 2_000_000))  # fmt: skip
_duration = st.builds(lambda n, unit: f"{n}{unit}", st.integers(1, 10**9),
                      st.sampled_from(["h", "min", "s", "km", "mi", "x(1h)"]))  # fmt: skip


@settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(_nested, _long, _duration))
def test_workout_texts(text: str, tally) -> None:
    start = time.monotonic()
    try:
        resolve_workout(text)
        ok = True
        what = "parsed"
    except PacerError as exc:
        ok = short_message(str(exc), type(exc).__name__) and len(str(exc)) < 800
        what = str(exc)[:200]
    except Exception as exc:
        ok, what = False, repr(exc)[:200]
    ok = ok and time.monotonic() - start < 2.0
    tally.check(ok, f"{text[:60]!r} ({len(text)} chars): {what}")


def test_workout_check_of_a_gigabyte_file(tmp_path, tally) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(1 << 30)
    start = time.monotonic()
    done = run_pacer("workout", "check", str(big), timeout_s=20)
    lines = done.stderr.strip().splitlines()
    tally.check(done.returncode != 0 and len(lines) == 1 and time.monotonic() - start < 10,
                f"{done.returncode} {done.stderr[-300:]}")  # fmt: skip


def test_sim_of_a_day_long_step_is_refused(tmp_path, tally) -> None:
    done = run_pacer("sim", "--fast", "--quiet", "--session-dir", str(tmp_path / "s"), "24h",
                     timeout_s=20)  # fmt: skip
    lines = done.stderr.strip().splitlines()
    tally.check(done.returncode != 0 and len(lines) == 1 and "planned duration" in lines[0],
                f"{done.returncode} {done.stderr[-300:]}")  # fmt: skip
