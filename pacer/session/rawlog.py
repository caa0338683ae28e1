"""The raw journal (``raw.log``): receiver bytes and accelerometer blocks, crash-safe.

One append-only file holds both sensors' raw data. Appends go to memory; each
:meth:`RawJournal.flush` writes everything queued as **one frame** and syncs the file
once (fdatasync, see ``_datasync``). A frame carries its length and a CRC-32 of its
body, so a reader takes whole frames that check out and stops at the first one that
does not: a crash inside the write (a torn frame) loses that flush only. A failed write
(ENOSPC, EIO) truncates the file back to the last good flush and stops the journal for
good, so what was written is never corrupted.

Format (little-endian; docs/sessions.md has the table)::

    file header  16 B   b"PACERRAW", <u4 version (1), <u4 0
    frame        12 B   <u4 FRAME_MAGIC, <u4 body length, <u4 zlib.crc32(body); then the body
    body         records in the order they were appended:
      NMEA chunk   16 B   <u1 1, 3 x pad, <u4 length, <f8 t_s; then ``length`` bytes
      accel block  32 B   <u1 2, 3 x pad, <u4 n, <f8 t0_s, <f8 rate_hz, <u4 lost, 4 x pad;
                          then n x (<f4 ax, <f4 ay, <f4 az) in m/s^2
      table rows    8 B   <u1 3, 3 x pad, <u4 length; then ``length`` bytes: the session
                          database operations queued since the previous flush (a redo
                          log, see pacer.session.redo), so SQLite may commit less often

Sessions written before this journal (schema v4 sessions up to commit 11a8e0c) keep
their data files with separate index files (``gps.nmea`` + ``gps.idx``, ``accel.bin`` +
``accel.idx``); :mod:`pacer.session.rawread` reads both layouts.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np

Opener = Callable[[Path], BinaryIO]

FILE_MAGIC = b"PACERRAW"
FORMAT_VERSION = 1
FILE_HEADER = struct.Struct("<8sII")
FRAME_MAGIC = 0x4D524650  # b"PFRM" read as <u4
FRAME_HEADER = struct.Struct("<III")
KIND_NMEA = 1
KIND_ACCEL = 2
KIND_ROWS = 3
NMEA_RECORD = struct.Struct("<B3xId")
ACCEL_RECORD = struct.Struct("<B3xIddI4x")
ROWS_RECORD = struct.Struct("<B3xI")
#: one accelerometer sample in the journal: ax, ay, az as float32 (m/s^2)
SAMPLE_DTYPE = np.dtype("<f4")
SAMPLE_BYTES = 3 * SAMPLE_DTYPE.itemsize

#: fdatasync where the OS has it (Linux), else fsync. Safe for this append-only file:
#: fdatasync writes the data and every piece of metadata needed to read it back -- the
#: new file size and block allocation of an append included -- and skips only the time
#: stamps (mtime/ctime), which nothing here relies on. See fdatasync(2).
_datasync: Callable[[int], None] = getattr(os, "fdatasync", os.fsync)

_pack_frame = FRAME_HEADER.pack
_pack_nmea = NMEA_RECORD.pack
_pack_accel = ACCEL_RECORD.pack


def open_append(path: Path) -> BinaryIO:
    """Default opener: create ``path`` and open it for unbuffered binary append."""
    return open(path, "ab", buffering=0)


def nmea_record(t_s: float, data: bytes) -> bytes:
    """The journal record of one chunk of receiver bytes read at ``t_s``."""
    return _pack_nmea(KIND_NMEA, len(data), t_s) + data


def rows_record(payload: bytes) -> bytes:
    """The journal record of encoded table rows (:func:`pacer.session.redo.encode`)."""
    return ROWS_RECORD.pack(KIND_ROWS, len(payload)) + payload


def accel_record(
    t0_s: float, rate_hz: float, samples_mps2: np.ndarray, lost_samples: int
) -> bytes:
    """The journal record of one accelerometer block ((n, 3) samples in m/s^2)."""
    samples = np.asarray(samples_mps2, dtype=SAMPLE_DTYPE)
    return (
        _pack_accel(KIND_ACCEL, samples.shape[0], t0_s, rate_hz, lost_samples)
        + samples.tobytes()
    )


class RawJournal:
    """The session's raw journal: queue records, write and sync one frame per flush.

    Parameters
    ----------
    path
        The journal file (created with its header, or appended to).
    opener
        Opens a path for binary append; tests inject files that fail like a full disk.
    """

    def __init__(self, path: Path, *, opener: Opener = open_append) -> None:
        self.path = path
        self._file = opener(path)
        self._good_bytes = path.stat().st_size if path.exists() else 0
        self._pending: list[bytes] = []
        self.stopped = False
        self.error: OSError | None = None
        if self._good_bytes == 0:
            self._pending_header = FILE_HEADER.pack(FILE_MAGIC, FORMAT_VERSION, 0)
        else:
            self._pending_header = b""

    @property
    def size_bytes(self) -> int:
        """Bytes of the journal on disk after the last good flush."""
        return self._good_bytes

    def append(self, record: bytes) -> None:
        """Queue one record (:func:`nmea_record`, :func:`accel_record`); no IO."""
        if not self.stopped:
            self._pending.append(record)

    def flush(self) -> OSError | None:
        """Write what is queued as one frame and sync; return the error that stopped it.

        Never raises. On the first failure the file is truncated to the last good flush
        and closed, and the journal stops (``stopped`` True, ``error`` set). A flush
        with nothing queued does no IO.
        """
        if self.stopped or not (self._pending or self._pending_header):
            return None
        if self._pending:
            body = b"".join(self._pending)
            frame = b"".join(
                (self._pending_header, _pack_frame(FRAME_MAGIC, len(body), zlib.crc32(body)),
                 body)
            )
        else:
            frame = self._pending_header
        try:
            _write_all(self._file, frame)
            _datasync(self._file.fileno())
        except OSError as exc:
            self._stop(exc)
            return exc
        self._good_bytes += len(frame)
        self._pending.clear()
        self._pending_header = b""
        return None

    def stop(self, exc: OSError) -> None:
        """Stop for good: drop what is queued, truncate to the last good flush, close."""
        if not self.stopped:
            self._stop(exc)

    def _stop(self, exc: OSError) -> None:
        self.stopped = True
        self.error = exc
        self._pending.clear()
        try:
            self._file.truncate(self._good_bytes)
        except OSError:
            pass  # the reader drops a torn frame anyway
        try:
            self._file.close()
        except OSError:
            pass

    def close(self) -> OSError | None:
        """Flush and close (idempotent); return the error if the final flush failed."""
        error = self.flush()
        if not self.stopped:
            self.stopped = True
            try:
                self._file.close()
            except OSError as exc:
                error = error or exc
        return error


def _write_all(handle: BinaryIO, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = handle.write(view)
        if written is None:  # non-blocking file with nothing written: treat as an error
            raise OSError("write returned None")
        view = view[written:]
