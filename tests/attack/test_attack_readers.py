"""Every input reader against non-regular files, huge files and lines, absurd time steps
and garbage: a one-line PacerError or a result, quickly, within 1 GiB."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from attack_bounded import run_calls, run_pacer, short_message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.attack
ATTACK_CLASS = "readers"

READERS = [
    ("pacer.formats.readers", "read_accel_csv"),
    ("pacer.formats.readers", "fixes_from_gpx"),
    ("pacer.formats.readers", "fixes_from_fit"),
    ("pacer.formats.nmea_log", "fixes_from_nmea_file"),
    ("pacer.formats.extras", "device_series_from_gpx"),
    ("pacer.formats.extras", "device_series_from_fit"),
    ("pacer.formats.workout_source", "resolve_workout"),
    ("pacer.formats.fit_workout", "workout_from_fit"),
    ("pacer.config", "load_config"),
]


def _hostile_files(tmp: Path) -> dict[str, str]:
    files = {"dev_zero": "/dev/zero", "directory": str(tmp)}
    fifo = tmp / "fifo.csv"
    os.mkfifo(fifo)
    files["fifo"] = str(fifo)
    sparse = tmp / "sparse.fit"
    with sparse.open("wb") as f:
        f.truncate(1 << 30)
    files["sparse_1GiB"] = str(sparse)
    newlines = tmp / "newlines.txt"
    newlines.write_bytes(b"\n" * (8 << 20))
    files["8MiB_newlines"] = str(newlines)
    long_line = tmp / "long.csv"
    long_line.write_bytes(b"t_s,ax,ay,az\n" + b"9" * (4 << 20) + b"\n")
    files["4MiB_line"] = str(long_line)
    tiny = tmp / "tiny_step.csv"
    tiny.write_text("t_s,ax,ay,az\n" + "".join(f"{k * 1e-9:.12g},0,0,9.8\n" for k in range(500)))
    files["tiny_time_step"] = str(tiny)
    jumps = tmp / "jumps.csv"
    jumps.write_text("t_s,ax,ay,az\n" + "".join(f"{k * 0.01 + (k // 50) * 1e7:.6f},0,0,9.8\n"
                                                 for k in range(500)))  # fmt: skip
    files["time_jumps"] = str(jumps)
    link = tmp / "to_zero.gpx"
    link.symlink_to("/dev/zero")
    files["symlink_to_dev_zero"] = str(link)
    return files


def _acceptable(result: dict, limit_s: float = 5.0) -> bool:
    if result["s"] > limit_s:
        return False
    if result["ok"]:
        return True
    return "PacerError" in result["bases"] and short_message(result["message"], result["error"])


def test_readers_against_hostile_files(tmp_path: Path, tally) -> None:
    files = _hostile_files(tmp_path)
    calls = [[mod, fn, [path]] for mod, fn in READERS for path in files.values()]
    results = run_calls(calls, tmp_path, timeout_s=60)
    labels = [f"{fn}({name})" for _mod, fn in READERS for name in files]
    for label, result in zip(labels, results, strict=True):
        tally.check(_acceptable(result), f"{label}: {result}")


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["replay", "--accel", "/dev/zero"], "character device"),
        (["replay", "--fit", "{fifo}"], "FIFO"),
        (["replay", "--nmea", "/dev/zero"], "character device"),
        (["replay", "--nmea", "{fifo}"], "FIFO"),
        (["replay", "--nmea", "{sparse}"], "larger than"),
        (["replay", "--gpx", "{sparse}"], "larger than"),
        (["workout", "check", "{sparse}"], "larger than"),
        (["replay", "--accel", "{tiny}"], "samples per second"),
    ],
)
def test_cli_refuses_in_one_line(tmp_path: Path, tally, argv: list[str], fragment: str) -> None:
    fifo = tmp_path / "f.fit"
    os.mkfifo(fifo)
    sparse = tmp_path / "big.txt"
    with sparse.open("wb") as f:
        f.truncate(1 << 30)
    tiny = tmp_path / "tiny.csv"
    tiny.write_text("t_s,ax,ay,az\n" + "".join(f"{k * 1e-9:.12g},0,0,9.8\n" for k in range(500)))
    argv = [a.format(fifo=fifo, sparse=sparse, tiny=tiny) for a in argv]
    done = run_pacer(*argv, "--session-dir", str(tmp_path / "s"), timeout_s=20) if argv[
        0] == "replay" else run_pacer(*argv, timeout_s=20)  # fmt: skip
    lines = done.stderr.strip().splitlines()
    tally.check(done.returncode != 0 and len(lines) == 1 and fragment in lines[0],
                f"{argv}: {done.returncode} {done.stderr[-500:]}")  # fmt: skip


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), reader=st.sampled_from(READERS[:6]))
def test_readers_against_garbage(data: bytes, reader: tuple[str, str], tally) -> None:
    import importlib

    from pacer.errors import PacerError

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "garbage"
        path.write_bytes(data)
        fn = getattr(importlib.import_module(reader[0]), reader[1])
        try:
            out = fn(path)
            if hasattr(out, "__next__"):
                list(out)
            ok = True
        except PacerError as exc:
            ok = short_message(str(exc), type(exc).__name__)
        except Exception as exc:
            ok = False
            out = exc
        tally.check(ok, f"{reader[1]}({data[:40]!r}...): {out!r}"[:300] if not ok else "")
