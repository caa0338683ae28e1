"""Read a session's raw logs back for replay, and say what a damaged log will lose.

Written by :mod:`pacer.session.rawlog` (via the store); see docs/sessions.md for the
layout. A reader trusts only whole index records that point inside their data file.
Re-exported by :mod:`pacer.session.reader`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from pacer.models import AccelBlock
from pacer.session.schema import ACCEL_INDEX_NAME, ACCEL_NAME, NMEA_INDEX_NAME, NMEA_NAME
from pacer.session.store import ACCEL_DTYPE, ACCEL_INDEX, NMEA_INDEX


def _whole_records(path: Path, size: int) -> bytes:
    data = path.read_bytes() if path.exists() else b""
    return data[: len(data) - len(data) % size]


def iter_raw_nmea(directory: Path) -> Iterator[tuple[float, bytes]]:
    """The receiver bytes of a session as (t_s, chunk), in the order they were read.

    A chunk whose index record or data is incomplete (crash mid-write) ends the log.
    """
    directory = Path(directory)
    index = _whole_records(directory / NMEA_INDEX_NAME, NMEA_INDEX.size)
    data_path = directory / NMEA_NAME
    data = data_path.read_bytes() if data_path.exists() else b""
    for t_s, offset, length in NMEA_INDEX.iter_unpack(index):
        if offset + length > len(data):
            break
        yield t_s, data[offset : offset + length]


def iter_raw_accel(directory: Path) -> Iterator[AccelBlock]:
    """The accelerometer blocks of a session as they were sampled (m/s^2, float32 precision)."""
    directory = Path(directory)
    index = _whole_records(directory / ACCEL_INDEX_NAME, ACCEL_INDEX.size)
    samples = np.frombuffer(
        _whole_records(directory / ACCEL_NAME, ACCEL_DTYPE.itemsize), ACCEL_DTYPE
    )
    start = 0
    for t0_s, rate_hz, n, lost in ACCEL_INDEX.iter_unpack(index):
        if start + n > samples.shape[0]:
            break
        chunk = samples[start : start + n]
        xyz = np.column_stack([chunk["ax"], chunk["ay"], chunk["az"]]).astype(np.float64)
        yield AccelBlock(t0_s=t0_s, rate_hz=rate_hz, samples_mps2=xyz, lost_samples=lost)
        start += n


def raw_log_problems(directory: Path) -> list[str]:
    """What the raw-log readers will skip, one line each with counts (empty when intact).

    Reports a missing data or index file, an index or data file cut mid-record (a
    crash or power cut mid-write leaves that; the torn part is skipped), and index
    records that point past the end of their data file (data file truncated or lost).
    """
    directory = Path(directory)
    out: list[str] = []
    specs = (
        ("GPS", NMEA_NAME, NMEA_INDEX_NAME, NMEA_INDEX.size, 1, "chunks"),
        ("accelerometer", ACCEL_NAME, ACCEL_INDEX_NAME, ACCEL_INDEX.size, ACCEL_DTYPE.itemsize,
         "blocks"),
    )  # fmt: skip
    for what, data_name, index_name, index_size, record_size, unit in specs:
        data_path, index_path = directory / data_name, directory / index_name
        if not index_path.is_file() and not data_path.is_file():
            out.append(f"{directory}: no {what} raw log ({data_name}, {index_name} missing)")
            continue
        if not index_path.is_file():
            out.append(f"{index_path}: missing; the {what} raw log cannot be read (0 {unit})")
            continue
        index_bytes = index_path.stat().st_size
        n_index = index_bytes // index_size
        if index_bytes % index_size:
            out.append(
                f"{index_path}: cut mid-record ({index_bytes % index_size} of {index_size} "
                f"bytes); 1 partial index record skipped"
            )
        index = _whole_records(index_path, index_size)
        if data_name == NMEA_NAME:
            ends = [off + n for _t, off, n in NMEA_INDEX.iter_unpack(index)]
            data_bytes = data_path.stat().st_size if data_path.is_file() else 0
            usable = next((k for k, e in enumerate(ends) if e > data_bytes), len(ends))
        else:
            counts = np.cumsum([n for _t, _r, n, _l in ACCEL_INDEX.iter_unpack(index)])
            data_bytes = data_path.stat().st_size if data_path.is_file() else 0
            n_samples = data_bytes // record_size
            usable = int(np.searchsorted(counts, n_samples, side="right"))
            if data_bytes % record_size:
                out.append(
                    f"{data_path}: cut mid-record ({data_bytes % record_size} of {record_size} "
                    "bytes); 1 partial sample skipped"
                )
        lost = n_index - usable
        if not data_path.is_file() and n_index:
            out.append(f"{data_path}: missing; {n_index} {what} {unit} skipped")
        elif lost:
            out.append(
                f"{data_path}: truncated ({data_bytes} bytes); the last {lost} of {n_index} "
                f"{what} {unit} skipped"
            )
    return out
