"""Workouts are bounded in nesting, length and planned duration; errors stay short."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pacer.coach.language.parser import parse_workout
from pacer.errors import WorkoutError
from pacer.formats.workout_source import resolve_workout

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("depth", [17, 250, 5000])
def test_deep_nesting_is_a_workout_error(depth: int) -> None:
    text = "1x(" * depth + "400m" + ")" * depth
    with pytest.raises(WorkoutError, match="nested more than 16 deep") as err:
        parse_workout(text)
    assert len(str(err.value)) < 600


def test_sixteen_levels_still_parse() -> None:
    text = "1x(" * 16 + "400m" + ")" * 16
    assert parse_workout(text).steps


def test_ten_megabyte_word_is_refused_with_a_short_message() -> None:
    word = "a" * 10_000_000
    with pytest.raises(WorkoutError) as err:
        resolve_workout(word)
    assert len(str(err.value)) < 300


def test_long_line_error_quotes_an_excerpt() -> None:
    text = "400m " + "x" * 60_000
    with pytest.raises(WorkoutError) as err:
        parse_workout(text)
    assert len(str(err.value)) < 600


@pytest.mark.parametrize("text", ["24h", "100x(2h)", "until 13h: 400m"])
def test_planned_duration_bounded(text: str) -> None:
    with pytest.raises(WorkoutError, match="planned duration"):
        parse_workout(text)


def test_fifo_workout_file_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "w.txt"
    os.mkfifo(fifo)
    with pytest.raises(WorkoutError, match="FIFO"):
        resolve_workout(str(fifo))


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_workout_check_of_a_gigabyte_of_newlines_is_quick(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(1 << 30)  # sparse: costs no disk
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pacer", "workout", "check", str(big)],
        capture_output=True, text=True, timeout=30, preexec_fn=_limit_memory,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert time.monotonic() - start < 15
    assert done.returncode != 0
    assert "larger than a workout file" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
