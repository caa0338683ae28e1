"""Read-only reader of the raw journal (``raw.log``) of sessions recorded before schema v5.

Those sessions kept their raw data beside ``session.db`` in one append-only file of
CRC-checked frames, and the table rows of the last seconds before a crash in the same
frames (a redo log the database had not committed yet). pacer no longer writes it; this
module lets such sessions open, review and replay. Format (little-endian)::

    file header  16 B   b"PACERRAW", <u4 version (1), <u4 0
    frame        12 B   <u4 0x4D524650, <u4 body length, <u4 zlib.crc32(body); the body
    records      NMEA chunk  16 B  <u1 1, 3 pad, <u4 length, <f8 t_s; then the bytes
                 accel block 32 B  <u1 2, 3 pad, <u4 n, <f8 t0_s, <f8 rate_hz, <u4 lost,
                                   4 pad; then n x (<f4 ax, ay, az) in m/s^2
                 table rows   8 B  <u1 3, 3 pad, <u4 length; then marshalled
                                   (statement code, params) pairs

A reader takes the whole frames that check out, in order, and stops at the first that
does not (a power cut tears only the last one). :func:`with_journal_rows` gives a
crashed session's database, in memory, the rows journaled after its last commit.
"""

from __future__ import annotations

import json
import marshal
import os
import re
import sqlite3
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pacer.errors import InputError
from pacer.formats.safe_read import read_regular_bytes
from pacer.models import AccelBlock
from pacer.session import rows
from pacer.session.marshal_bounds import check_marshal_bounds
from pacer.session.rows import Row

FILE_HEADER = struct.Struct("<8sII")
FRAME_HEADER = struct.Struct("<III")
FRAME_MAGIC = 0x4D524650
NMEA_RECORD = struct.Struct("<B3xId")
ACCEL_RECORD = struct.Struct("<B3xIddI4x")
ROWS_RECORD = struct.Struct("<B3xI")
KIND_NMEA, KIND_ACCEL, KIND_ROWS = 1, 2, 3
SAMPLE_BYTES = 12
#: the largest raw.log read (a v4 session wrote ~10 MB per hour: 50 hours)
MAX_JOURNAL_BYTES = 512 * 1024 * 1024
#: meta key: bytes of ``raw.log`` whose table rows the database holds (hidden by readers)
APPLIED_KEY = "raw_rows_applied_bytes"
#: the writer's statements by the code the journal stores
STATEMENTS = (rows.INSERT_FIX, rows.INSERT_EST, rows.INSERT_REP, rows.INSERT_CUE,
              rows.INSERT_EVENT, rows.UPSERT_META, rows.UPSERT_COUNTERS)  # fmt: skip
_UPDATE_CUE = re.compile(r"UPDATE cues SET (\w+ = \?(?:, \w+ = \?)*) WHERE id = \?")
_CUE_UPDATABLE = frozenset({"duration_s", "dropped", *rows.CUE_AUDIO_FIELDS})
_VALUE_TYPES = (int, float, str, type(None))


@dataclass
class Journal:
    """What a ``raw.log`` holds, per whole frame, and the damage found."""

    nmea: list[tuple[float, bytes]] = field(default_factory=list)
    accel: list[AccelBlock] = field(default_factory=list)
    #: per whole frame: the byte just past it and its table-rows payloads
    row_frames: list[tuple[int, list[bytes]]] = field(default_factory=list)
    #: one line per problem (bad header, torn or corrupt frame)
    problems: list[str] = field(default_factory=list)


def read_journal(path: Path) -> Journal:
    """Parse a ``raw.log``: every record of the whole, intact frames, in order."""
    out = Journal()
    if not os.path.lexists(path):
        out.problems.append(f"{path}: missing; no raw data to replay")
        return out
    try:  # a link to /dev/zero, a FIFO or a 1 GiB file is refused, never read
        data = read_regular_bytes(path, max_bytes=MAX_JOURNAL_BYTES, what="pacer raw journal")
    except InputError as exc:
        out.problems.append(f"{exc}; no raw data")
        return out
    if len(data) < FILE_HEADER.size:
        what = f"cut inside its header ({len(data)} bytes)" if data else "empty (0 bytes)"
        out.problems.append(f"{path}: {what}; no raw data")
        return out
    magic, version, _ = FILE_HEADER.unpack_from(data, 0)
    if magic != b"PACERRAW" or version > 1:
        out.problems.append(f"{path}: not a pacer raw journal (version {version}); skipped")
        return out
    pos, end = FILE_HEADER.size, len(data)
    while pos < end:
        problem = _frame_problem(data, pos)
        if problem is None:
            length = FRAME_HEADER.unpack_from(data, pos)[1]
            body = pos + FRAME_HEADER.size
            problem = _records(data, body, body + length, out)
        if problem is not None:
            if not problem.startswith("zero"):
                out.problems.append(f"{path}: {problem}; the last {end - pos} bytes skipped")
            break
        pos += FRAME_HEADER.size + FRAME_HEADER.unpack_from(data, pos)[1]
    return out


def _frame_problem(data: bytes, pos: int) -> str | None:
    end = len(data)
    if data.count(0, pos) == end - pos:
        return "zero-filled tail (a power cut)"
    if end - pos < FRAME_HEADER.size:
        return "cut inside the last frame header (a power cut mid-flush)"
    magic, length, crc = FRAME_HEADER.unpack_from(data, pos)
    body = pos + FRAME_HEADER.size
    if magic != FRAME_MAGIC:
        return f"no frame at byte {pos}"
    if body + length > end:
        return "cut inside the last frame (a power cut mid-flush)"
    if zlib.crc32(memoryview(data)[body : body + length]) != crc:
        return f"frame at byte {pos} fails its CRC"
    return None


def _records(data: bytes, pos: int, end: int, out: Journal) -> str | None:
    """Append one frame's records to ``out`` (all or none); what stopped it, or None."""
    nmea: list[tuple[float, bytes]] = []
    accel: list[AccelBlock] = []
    payloads: list[bytes] = []
    while pos < end:
        kind = data[pos]
        if kind == KIND_NMEA:
            _, length, t_s = NMEA_RECORD.unpack_from(data, pos)
            pos += NMEA_RECORD.size + length
            nmea.append((t_s, data[pos - length : pos]))
        elif kind == KIND_ACCEL:
            _, n, t0_s, rate_hz, lost = ACCEL_RECORD.unpack_from(data, pos)
            pos += ACCEL_RECORD.size
            xyz = np.frombuffer(data, "<f4", 3 * n, pos).reshape(n, 3).astype(np.float64)
            accel.append(AccelBlock(t0_s=t0_s, rate_hz=rate_hz, samples_mps2=xyz,
                                    lost_samples=lost))
            pos += n * SAMPLE_BYTES
        elif kind == KIND_ROWS:
            length = ROWS_RECORD.unpack_from(data, pos)[1]
            pos += ROWS_RECORD.size + length
            payloads.append(data[pos - length : pos])
        else:  # the frame passed its CRC: a newer format, not damage
            return f"unknown record kind {kind} at byte {pos} (written by a newer pacer?)"
    out.nmea += nmea
    out.accel += accel
    out.row_frames.append((end, payloads))
    return None


def decode(payload: bytes) -> list[tuple[str, Row]]:
    """``(statement, params)`` pairs of a table-rows payload; ValueError unless they are
    the old writer's own statements with plain values (a journal never runs other SQL)."""
    try:
        check_marshal_bounds(payload)  # what loads allocates is bounded by the payload
        ops = marshal.loads(payload)
    except (EOFError, ValueError, TypeError) as exc:
        raise ValueError(f"undecodable table rows ({exc})") from exc
    if type(ops) is not list:
        raise ValueError("table rows: not a list")
    out = []
    for op in ops:
        if type(op) is not tuple or len(op) != 2 or type(op[1]) is not tuple:
            raise ValueError("table rows: not a (statement, params) pair")
        code, params = op
        if type(code) is int and 0 <= code < len(STATEMENTS):
            sql = STATEMENTS[code]
        elif type(code) is str and _is_cue_update(code):
            sql = code
        else:
            raise ValueError(f"table rows: statement {code!r} is not one the writer makes")
        if not all(isinstance(v, _VALUE_TYPES) for v in params):
            raise ValueError("table rows: a value is not a number, text or null")
        out.append((sql, params))
    return out


def _is_cue_update(sql: str) -> bool:
    match = _UPDATE_CUE.fullmatch(sql)
    return match is not None and all(
        part.split(" = ")[0] in _CUE_UPDATABLE for part in match.group(1).split(", "))


def with_journal_rows(conn: sqlite3.Connection, raw: Path) -> sqlite3.Connection:
    """``conn``, or an in-memory copy of it holding the rows journaled in ``raw`` after
    its last commit (a crashed pre-v5 session). Nothing is written to the session.

    Rows are applied frame by frame up to the first frame that cannot be decoded or
    that the schema refuses; what was left out is said as one event of the copy.
    """
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (APPLIED_KEY,)).fetchone()
        mark = int(json.loads(row[0])) if row is not None else None
    except (sqlite3.Error, ValueError, TypeError):
        return conn
    if mark is None or not raw.is_file() or raw.stat().st_size <= mark:
        return conn
    frames = [(e, p) for e, p in read_journal(raw).row_frames if e > mark and p]
    if not frames:
        return conn
    mem = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.backup(mem)
    conn.close()
    problem = None
    for _end, payloads in frames:
        try:
            ops = [op for p in payloads for op in decode(p)]
            mem.execute("SAVEPOINT frame")
            for sql, params in ops:
                mem.execute(sql, params)
            mem.execute("RELEASE frame")
        except (ValueError, sqlite3.Error) as exc:
            if mem.in_transaction:
                mem.execute("ROLLBACK TO frame")
                mem.execute("RELEASE frame")
            problem = f"{raw}: session rows journaled after a crash are left out ({exc})"
            break
    if problem is not None:
        t_s = mem.execute("SELECT coalesce(max(t_s), 0) FROM estimates").fetchone()[0]
        mem.execute(rows.INSERT_EVENT, (t_s, "rows_left_out", problem))
    return mem
