"""Input readers refuse non-regular files, oversize files and lines, absurd rates."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from pacer.errors import InputError
from pacer.formats import readers
from pacer.formats.extras import device_series_from_fit, device_series_from_gpx
from pacer.formats.readers import fixes_from_fit, fixes_from_gpx, read_accel_csv

READERS = {
    "accel": lambda p: list(read_accel_csv(p)),
    "gpx": lambda p: list(fixes_from_gpx(p)),
    "fit": lambda p: list(fixes_from_fit(p)),
    "gpx_extras": device_series_from_gpx,
    "fit_extras": device_series_from_fit,
}


@pytest.mark.parametrize("name", sorted(READERS))
def test_fifo_without_writer_is_refused_at_once(tmp_path: Path, name: str) -> None:
    fifo = tmp_path / "in"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="FIFO"):
        READERS[name](fifo)


@pytest.mark.parametrize("name", sorted(READERS))
def test_dev_zero_is_refused(name: str) -> None:
    with pytest.raises(InputError, match="character device"):
        READERS[name]("/dev/zero")


@pytest.mark.parametrize("name", sorted(READERS))
def test_directory_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match="directory"):
        READERS[name](tmp_path)


@pytest.mark.parametrize("name", sorted(READERS))
def test_oversize_file_is_refused(tmp_path: Path, name: str) -> None:
    big = tmp_path / "big"
    with big.open("wb") as f:
        f.truncate(1 << 30)  # sparse
    with pytest.raises(InputError, match="larger than"):
        READERS[name](big)


def test_long_line_named(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_bytes(b"t_s,ax,ay,az\n0,1,2,3\n" + b"1" * 100_000 + b"\n")
    with pytest.raises(InputError, match=r"a\.csv:3: line longer than 4096 bytes"):
        list(read_accel_csv(p))


def test_many_blank_lines_are_an_empty_file_quickly(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_bytes(b"\n" * 5_000_000)
    with pytest.raises(InputError, match="empty file"):
        list(read_accel_csv(p))


@pytest.mark.parametrize("step_s", [1e-9, 1e-6])
def test_tiny_time_step_is_refused(tmp_path: Path, step_s: float) -> None:
    t = np.arange(100) * step_s
    rows = "\n".join(f"{x:.12g},0,0,9.8" for x in t)
    p = tmp_path / "a.csv"
    p.write_text("t_s,ax,ay,az\n" + rows + "\n")
    with pytest.raises(InputError, match="samples per second"):
        list(read_accel_csv(p))


def test_huge_implied_sample_count_is_refused(tmp_path: Path) -> None:
    t = np.concatenate([np.arange(100) * 1e-3, [1e7]])
    p = tmp_path / "a.csv"
    p.write_text("t_s,ax,ay,az\n" + "\n".join(f"{x:.12g},0,0,9.8" for x in t) + "\n")
    with pytest.raises(InputError, match="would be"):
        list(read_accel_csv(p))


def test_bad_rows_still_skipped_and_counted(tmp_path: Path) -> None:
    from pacer.models import SkipCounters

    p = tmp_path / "a.csv"
    body = [f"{k * 0.01:.2f},0,0,9.8" for k in range(200)]
    body[5] = "x,y,z,w"
    p.write_text("t_s,ax,ay,az\n" + "\n".join(body) + "\n")
    counters = SkipCounters()
    blocks = list(read_accel_csv(p, counters=counters))
    assert counters.malformed == 1
    assert sum(b.samples_mps2.shape[0] for b in blocks) == 199
    assert readers.MAX_LINE_BYTES == 4096
