"""Read a session's raw data back for replay, and say what a damaged log will lose.

Two layouts (docs/sessions.md):

* ``raw.log`` -- the journal written by :mod:`pacer.session.rawlog`: frames with a
  length and a CRC-32; a reader takes the whole frames that check out, in order, and
  stops at the first that does not (a power cut mid-flush tears only the last frame).
* the older layout (sessions written up to commit 11a8e0c): ``gps.nmea`` + ``gps.idx``
  and ``accel.bin`` + ``accel.idx``; a reader trusts only whole index records that point
  inside their data file.

A session holding ``raw.log`` is read from it; ``gps.nmea`` beside it is a plain copy
of the receiver's bytes written at close (:func:`write_nmea_copy`) for other tools, and
:func:`accel_samples` gives every accelerometer sample of either layout as one array.
(Sessions written by the first versions of the raw journal also hold an ``accel.bin``
copy; with ``raw.log`` beside it, it is never read.) Re-exported by
:mod:`pacer.session.reader`.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pacer.models import AccelBlock
from pacer.session.rawlog import (
    ACCEL_RECORD,
    FILE_HEADER,
    FILE_MAGIC,
    FORMAT_VERSION,
    FRAME_HEADER,
    FRAME_MAGIC,
    KIND_ACCEL,
    KIND_NMEA,
    KIND_ROWS,
    NMEA_RECORD,
    ROWS_RECORD,
    SAMPLE_BYTES,
    SAMPLE_DTYPE,
)
from pacer.session.schema import (
    ACCEL_INDEX_NAME,
    ACCEL_NAME,
    NMEA_INDEX_NAME,
    NMEA_NAME,
    RAW_NAME,
)

#: where :func:`write_nmea_copy` writes before renaming to ``gps.nmea``
NMEA_PART_NAME = NMEA_NAME + ".part"
#: the older layout's index and sample records
LEGACY_NMEA_INDEX = struct.Struct("<dQI")  # t_s, byte offset into gps.nmea, length
LEGACY_ACCEL_INDEX = struct.Struct("<ddII")  # t0_s, rate_hz, n, lost_samples
#: one accelerometer sample: t_s, ax, ay, az in m/s^2 (the older layout's ``accel.bin``
#: records, and what :func:`accel_samples` returns)
ACCEL_DTYPE = np.dtype([("t_s", "<f8"), ("ax", "<f4"), ("ay", "<f4"), ("az", "<f4")])


@dataclass
class Journal:
    """What a ``raw.log`` holds: NMEA chunks and accelerometer blocks, and its damage."""

    nmea: list[tuple[float, bytes]] = field(default_factory=list)
    #: per accelerometer block: (t0_s, rate_hz, n, lost_samples, byte offset of its samples)
    accel_records: list[tuple[float, float, int, int, int]] = field(default_factory=list)
    frames: int = 0
    #: one line per problem (bad header, torn or corrupt frame, bytes skipped)
    problems: list[str] = field(default_factory=list)
    data: bytes = b""

    @property
    def accel(self) -> list[AccelBlock]:
        """The accelerometer blocks as they were sampled (float32 precision, as float64)."""
        return [
            AccelBlock(t0_s=t0_s, rate_hz=rate_hz, lost_samples=lost,
                       samples_mps2=np.frombuffer(self.data, SAMPLE_DTYPE, 3 * n, offset)
                       .reshape(n, 3).astype(np.float64))
            for t0_s, rate_hz, n, lost, offset in self.accel_records
        ]  # fmt: skip


def read_journal(path: Path) -> Journal:
    """Parse a ``raw.log``: every record of the whole, intact frames, in order."""
    out = Journal()
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        out.problems.append(f"{path}: missing; no raw data to replay")
        return out
    out.data = data
    if len(data) < FILE_HEADER.size:
        if data:
            out.problems.append(f"{path}: cut inside its header ({len(data)} bytes); no raw data")
        else:  # the writer puts the header there at once: the file system lost it
            out.problems.append(f"{path}: empty (0 bytes); no raw data")
        return out
    magic, version, _ = FILE_HEADER.unpack_from(data, 0)
    if magic != FILE_MAGIC or version > FORMAT_VERSION:
        out.problems.append(f"{path}: not a pacer raw journal (version {version}); skipped")
        return out
    pos, end = FILE_HEADER.size, len(data)
    view = memoryview(data)
    while pos < end:
        if end - pos < FRAME_HEADER.size:
            out.problems.append(_torn(path, end - pos, "frame header"))
            break
        frame_magic, length, crc = FRAME_HEADER.unpack_from(data, pos)
        start = pos + FRAME_HEADER.size
        if frame_magic != FRAME_MAGIC:
            out.problems.append(f"{path}: no frame at byte {pos}; the last {end - pos} bytes "
                                "skipped")
            break
        if start + length > end:
            out.problems.append(_torn(path, end - pos, "frame"))
            break
        if zlib.crc32(view[start : start + length]) != crc:
            out.problems.append(f"{path}: frame at byte {pos} fails its CRC; the last "
                                f"{end - pos} bytes skipped")
            break
        n_nmea, n_accel = len(out.nmea), len(out.accel_records)
        bad = _records(data, start, start + length, out)
        if bad is not None:  # a whole frame this reader cannot parse: keep what came before
            del out.nmea[n_nmea:], out.accel_records[n_accel:]
            out.problems.append(f"{path}: {bad} in the frame at byte {pos} (written by a "
                                f"newer pacer?); the last {end - pos} bytes skipped")
            break
        out.frames += 1
        pos = start + length
    return out


def _torn(path: Path, n: int, what: str) -> str:
    return (f"{path}: cut inside the last {what} (a power cut mid-flush); its {n} bytes "
            "skipped")


def _records(data: bytes, pos: int, end: int, out: Journal) -> str | None:
    """Append the frame's records to ``out``; what stopped it, or None."""
    unpack_nmea, unpack_accel = NMEA_RECORD.unpack_from, ACCEL_RECORD.unpack_from
    nmea_size, accel_size = NMEA_RECORD.size, ACCEL_RECORD.size
    nmea, accel = out.nmea, out.accel_records
    while pos < end:
        kind = data[pos]
        if kind == KIND_NMEA:
            _, length, t_s = unpack_nmea(data, pos)
            pos += nmea_size
            nmea.append((t_s, data[pos : pos + length]))
            pos += length
        elif kind == KIND_ACCEL:
            _, n, t0_s, rate_hz, lost = unpack_accel(data, pos)
            pos += accel_size
            accel.append((t0_s, rate_hz, n, lost, pos))
            pos += n * SAMPLE_BYTES
        elif kind == KIND_ROWS:  # table rows: for the database (pacer.session.redo)
            pos += ROWS_RECORD.size + ROWS_RECORD.unpack_from(data, pos)[1]
        else:  # a frame passed its CRC: a writer bug or a newer format, not damage
            return f"unknown record kind {kind} at byte {pos}"
    return None


def journal_rows(path: Path, start: int) -> tuple[list[bytes], int]:
    """The table-rows payloads of the whole, intact frames from byte ``start`` (a frame
    boundary) on, and the byte just past the last such frame."""
    frames, end, _damage = journal_row_frames(path, start)
    return [p for _end, payloads in frames for p in payloads], end


def journal_row_frames(
    path: Path, start: int, stop: int | None = None
) -> tuple[list[tuple[int, list[bytes]]], int, str | None]:
    """Per whole, intact frame from byte ``start`` (a frame boundary) on, up to byte
    ``stop`` (default: the end): the byte just past it and its table-rows payloads; the
    byte past the last such frame; and one line when the scan stopped at damage rather
    than at the end or a torn last frame (a power cut mid-flush), else None."""
    start = max(start, FILE_HEADER.size)
    try:
        with open(path, "rb") as f:
            f.seek(start)
            data = f.read() if stop is None else f.read(max(0, stop - start))
    except OSError:
        return [], start, None
    frames: list[tuple[int, list[bytes]]] = []
    pos, end = 0, len(data)
    view = memoryview(data)
    while end - pos >= FRAME_HEADER.size:
        frame_magic, length, crc = FRAME_HEADER.unpack_from(data, pos)
        body, body_end = pos + FRAME_HEADER.size, pos + FRAME_HEADER.size + length
        if frame_magic != FRAME_MAGIC or body_end > end or zlib.crc32(view[body:body_end]) != crc:
            if frame_magic == FRAME_MAGIC and body_end >= end or data.count(0, pos) == end - pos:
                break  # the last frame torn by a power cut (or a zero-filled tail): silent
            return frames, start + pos, (
                f"{path}: damaged at byte {start + pos} (a frame fails its check); the "
                f"session rows journaled in its last {end - pos} bytes are left out")
        payloads: list[bytes] = []
        while body < body_end:
            kind = data[body]
            if kind == KIND_NMEA:
                body += NMEA_RECORD.size + NMEA_RECORD.unpack_from(data, body)[1]
            elif kind == KIND_ACCEL:
                body += ACCEL_RECORD.size + ACCEL_RECORD.unpack_from(data, body)[1] * SAMPLE_BYTES
            elif kind == KIND_ROWS:
                length = ROWS_RECORD.unpack_from(data, body)[1]
                body += ROWS_RECORD.size
                payloads.append(data[body : body + length])
                body += length
            else:
                return frames, start + pos, (
                    f"{path}: unknown record kind {kind} at byte {start + body}; the session "
                    f"rows journaled in its last {end - pos} bytes are left out")
        frames.append((start + body_end, payloads))
        pos = body_end
    return frames, start + pos, None


def iter_raw_nmea(directory: Path) -> Iterator[tuple[float, bytes]]:
    """The receiver bytes of a session as (t_s, chunk), in the order they were read.

    A torn last frame (``raw.log``) or an incomplete chunk (older layout) ends the log.
    """
    directory = Path(directory)
    if (directory / RAW_NAME).exists():
        yield from read_journal(directory / RAW_NAME).nmea
        return
    index = _whole_records(directory / NMEA_INDEX_NAME, LEGACY_NMEA_INDEX.size)
    data_path = directory / NMEA_NAME
    data = data_path.read_bytes() if data_path.exists() else b""
    for t_s, offset, length in LEGACY_NMEA_INDEX.iter_unpack(index):
        if offset + length > len(data):
            break
        yield t_s, data[offset : offset + length]


def iter_raw_accel(directory: Path) -> Iterator[AccelBlock]:
    """The accelerometer blocks of a session as they were sampled (m/s^2, float32 precision)."""
    directory = Path(directory)
    if (directory / RAW_NAME).exists():
        yield from read_journal(directory / RAW_NAME).accel
        return
    index = _whole_records(directory / ACCEL_INDEX_NAME, LEGACY_ACCEL_INDEX.size)
    samples = np.frombuffer(
        _whole_records(directory / ACCEL_NAME, ACCEL_DTYPE.itemsize), ACCEL_DTYPE
    )
    start = 0
    for t0_s, rate_hz, n, lost in LEGACY_ACCEL_INDEX.iter_unpack(index):
        if start + n > samples.shape[0]:
            break
        chunk = samples[start : start + n]
        xyz = np.column_stack([chunk["ax"], chunk["ay"], chunk["az"]]).astype(np.float64)
        yield AccelBlock(t0_s=t0_s, rate_hz=rate_hz, samples_mps2=xyz, lost_samples=lost)
        start += n


def accel_samples(directory: Path) -> np.ndarray:
    """Every accelerometer sample of a session, in time order, as one structured array
    of :data:`ACCEL_DTYPE`: ``t_s`` (seconds since session start; sample i of a block at
    ``t0_s + i / rate_hz``), ``ax``, ``ay``, ``az`` (m/s^2, float32 as recorded).

    Reads ``raw.log``, or the older layout where there is none (the same blocks as
    :func:`iter_raw_accel`). For a CSV that ``pacer replay --accel`` reads back::

        s = accel_samples(dir)
        np.savetxt("accel.csv", np.column_stack([s["t_s"], s["ax"], s["ay"], s["az"]]),
                   fmt="%.6f", delimiter=",", header="t_s,ax,ay,az", comments="")
    """
    directory = Path(directory)
    if (directory / RAW_NAME).exists():
        journal = read_journal(directory / RAW_NAME)
        blocks = [(t0_s, rate_hz, n, off) for t0_s, rate_hz, n, _lost, off
                  in journal.accel_records]  # fmt: skip
        data = journal.data
    else:
        legacy = list(iter_raw_accel(directory))
        blocks, offset = [], 0
        for b in legacy:
            blocks.append((b.t0_s, b.rate_hz, b.n, offset))
            offset += b.n * SAMPLE_BYTES
        data = b"".join(b.samples_mps2.astype(SAMPLE_DTYPE).tobytes() for b in legacy)
    counts = np.array([n for _t, _r, n, _o in blocks], dtype=np.int64)
    total = int(counts.sum())
    out = np.empty(total, dtype=ACCEL_DTYPE)
    if total:
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        t0_s = np.repeat([b[0] for b in blocks], counts)
        rate_hz = np.repeat([b[1] for b in blocks], counts)
        out["t_s"] = t0_s + (np.arange(total) - starts) / rate_hz
        xyz = np.frombuffer(
            b"".join(data[off : off + n * SAMPLE_BYTES] for _t, _r, n, off in blocks),
            SAMPLE_DTYPE,
        ).reshape(total, 3)
        out["ax"], out["ay"], out["az"] = xyz[:, 0], xyz[:, 1], xyz[:, 2]
    return out


def write_nmea_copy(directory: Path, *, sync: bool = False) -> int:
    """Write ``gps.nmea``, the receiver's bytes exactly as read, from ``raw.log``.

    A plain NMEA log for other tools (``pacer replay --nmea``, gpsd, any NMEA viewer);
    replay reads ``raw.log``. The writer makes it at close; after a crash, call this to
    make it. ``sync``: fsync it before returning. Returns its size in bytes.
    """
    directory = Path(directory)
    nmea = b"".join(chunk for _, chunk in read_journal(directory / RAW_NAME).nmea)
    # written under another name and renamed: a crash or full disk mid-copy never
    # leaves a half gps.nmea that other tools would take for the whole log
    part = directory / NMEA_PART_NAME
    try:
        with open(part, "wb") as f:
            f.write(nmea)
            if sync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(part, directory / NMEA_NAME)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return len(nmea)


def _whole_records(path: Path, size: int) -> bytes:
    data = path.read_bytes() if path.exists() else b""
    return data[: len(data) - len(data) % size]


def raw_log_problems(directory: Path) -> list[str]:
    """What the raw-data readers will skip, one line each with counts (empty when intact).

    ``raw.log``: a torn or corrupt last frame (a power cut mid-flush leaves one), a
    damaged header. Older layout: a missing data or index file, an index or data file
    cut mid-record, and index records that point past the end of their data file.
    """
    directory = Path(directory)
    if (directory / RAW_NAME).exists():
        return read_journal(directory / RAW_NAME).problems
    if any((directory / n).exists() for n in (NMEA_INDEX_NAME, ACCEL_INDEX_NAME)):
        return _legacy_problems(directory)
    return [f"{directory / RAW_NAME}: missing; no raw data to replay"]


def _legacy_problems(directory: Path) -> list[str]:
    out: list[str] = []
    specs = (
        ("GPS", NMEA_NAME, NMEA_INDEX_NAME, LEGACY_NMEA_INDEX.size, 1, "chunks"),
        ("accelerometer", ACCEL_NAME, ACCEL_INDEX_NAME, LEGACY_ACCEL_INDEX.size,
         ACCEL_DTYPE.itemsize, "blocks"),
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
            ends = [off + n for _t, off, n in LEGACY_NMEA_INDEX.iter_unpack(index)]
            data_bytes = data_path.stat().st_size if data_path.is_file() else 0
            usable = next((k for k, e in enumerate(ends) if e > data_bytes), len(ends))
        else:
            counts = np.cumsum([n for _t, _r, n, _l in LEGACY_ACCEL_INDEX.iter_unpack(index)])
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
