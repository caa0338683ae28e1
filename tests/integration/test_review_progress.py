"""``pacer review --progress``: the same workout run twice shows both runs, oldest first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

WORKOUT = "2x(200m @36s, 200m jog)"


def _pacer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pacer", *args], capture_output=True,
                          text=True, timeout=300)  # fmt: skip


def test_progress_lists_each_run_of_a_repeated_workout(tmp_path: Path) -> None:
    data = tmp_path / "sessions"
    for seed, name in ((1, "a-first"), (2, "b-second")):
        done = _pacer("sim", WORKOUT, "--seed", str(seed), "--quiet",
                      "--session-dir", str(data / name))  # fmt: skip
        assert done.returncode == 0, done.stderr
    out = _pacer("review", "--progress", "--data-dir", str(data))
    assert out.returncode == 0, out.stderr
    assert "(2 runs)" in out.stdout
    assert out.stdout.count("\n") >= 3  # the workout's title and a line per run


def test_progress_with_no_repeated_workout_says_so(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    out = _pacer("review", "--progress", "--data-dir", str(tmp_path / "empty"))
    assert out.returncode == 0, out.stderr
    assert out.stdout == "no workout run twice yet\n"
