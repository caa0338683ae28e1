"""Sessions written before the raw journal (schema v4, gps.nmea + gps.idx, accel.bin +
accel.idx) still open, read back their raw logs and replay.

``tests/data/session/legacy-v4-split-index`` was written by the old writer (commit
11a8e0c) with ``tests/data/session/make_legacy_v4.py``: 6 s, two NMEA chunks and two
25-sample blocks at 50 Hz per second, fixes, estimates, one rep and one cue, closed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from pacer.cli.main import main
from pacer.session.rawread import ACCEL_DTYPE
from pacer.session.reader import (
    accel_samples,
    iter_raw_accel,
    iter_raw_nmea,
    latest_session,
    open_session,
    raw_log_problems,
)

LEGACY = Path(__file__).resolve().parents[1] / "data" / "session" / "legacy-v4-split-index"


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    copy = tmp_path / "legacy"
    shutil.copytree(LEGACY, copy)
    return copy


def test_legacy_session_opens_with_all_its_records(legacy: Path) -> None:
    data = open_session(legacy)
    assert data.ended == "normal" and data.meta["workout"] == "easy"
    assert len(data.fixes) == 12 and len(data.estimates) == 6
    assert len(data.reps) == 1 and [c.text for c in data.cues] == ["on pace"]
    assert latest_session(legacy.parent) == legacy


def test_legacy_raw_logs_read_back_chunks_and_blocks(legacy: Path) -> None:
    chunks = list(iter_raw_nmea(legacy))
    assert [t for t, _ in chunks] == [s + k / 2 for s in range(6) for k in range(2)]
    assert all(c == f"$GPRMC,{t:.1f}*00\r\n".encode() for t, c in chunks)
    blocks = list(iter_raw_accel(legacy))
    assert [(b.t0_s, b.rate_hz, b.n, b.lost_samples) for b in blocks] == [
        (s + k / 2, 50.0, 25, k) for s in range(6) for k in range(2)
    ]
    for b in blocks:
        np.testing.assert_array_equal(b.samples_mps2[:, 0], np.float32(b.t0_s))
        np.testing.assert_array_equal(b.samples_mps2[:, 1], np.arange(25.0))
    assert raw_log_problems(legacy) == []


def test_legacy_accel_samples_are_the_accel_bin_records(legacy: Path) -> None:
    samples = accel_samples(legacy)
    assert samples.dtype == ACCEL_DTYPE
    np.testing.assert_array_equal(samples, np.fromfile(legacy / "accel.bin", ACCEL_DTYPE))
    assert samples.shape == (12 * 25,) and np.all(np.diff(samples["t_s"]) > 0)


def test_legacy_damage_is_counted_and_skipped(legacy: Path) -> None:
    idx = legacy / "gps.idx"
    idx.write_bytes(idx.read_bytes()[:-3])  # power cut inside the last index record
    assert len(list(iter_raw_nmea(legacy))) == 11
    (legacy / "gps.nmea").unlink()
    accel = (legacy / "accel.bin").read_bytes()
    (legacy / "accel.bin").write_bytes(accel[: 60 * 20 + 7])  # mid-sample, inside block 3
    problems = raw_log_problems(legacy)
    assert any("gps.idx: cut mid-record" in p for p in problems)
    assert any("gps.nmea: missing; 11 GPS chunks skipped" in p for p in problems)
    assert any("accel.bin: cut mid-record" in p for p in problems)
    assert any("last 10 of 12 accelerometer blocks skipped" in p for p in problems)
    assert len(list(iter_raw_accel(legacy))) == 2 and list(iter_raw_nmea(legacy)) == []


def test_legacy_session_replays(legacy: Path, tmp_path: Path, capsys) -> None:
    again = tmp_path / "again"
    assert main(["replay", str(legacy), "--session-dir", str(again), "--quiet"]) == 0
    capsys.readouterr()
    data = open_session(again)
    assert data.ended == "normal"
    assert data.counters["accel"]["samples"] == 12 * 25
    assert [t for t, _ in iter_raw_nmea(again)] == [t for t, _ in iter_raw_nmea(legacy)]
    assert (again / "raw.log").is_file() and not (again / "gps.idx").exists()
