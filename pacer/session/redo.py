"""The session database's redo log: table rows carried in the raw journal.

The writer syncs one file per flush for the raw data anyway (``raw.log``). The rows it
queued for SQLite since the previous flush ride in the same frame (a "table rows"
record), so they are on disk after every flush, and SQLite needs a commit (a second
sync, and ~5 page writes) only every ``commit_every`` flushes. Each commit also stores
in ``meta`` how many bytes of the journal it covers (:data:`APPLIED_KEY`).

After a crash the database lacks at most the rows of the journal frames past that
mark. :func:`recover` (run by every reader in :mod:`pacer.session.reader` when it opens
a session) applies them: in place, in one transaction, when no writer holds the
session (so the next reader and any other SQLite tool see a complete database); in an
in-memory copy when the writer is still running (a live session) or the directory is
read-only. The rows are the writer's own statements, marshalled; decoding accepts only
those statements and plain values.
"""

from __future__ import annotations

import json
import marshal
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

from pacer.session import rows
from pacer.session.rawread import journal_row_frames
from pacer.session.schema import RAW_NAME

#: meta key: bytes of ``raw.log`` whose table rows the database holds
APPLIED_KEY = "raw_rows_applied_bytes"
#: event kind a reader adds (in its copy only) when journaled rows are left out
ROWS_LEFT_OUT = "rows_left_out"

INSERT_FIX = f"INSERT INTO fixes ({rows.FIX_COLUMNS}) VALUES ({','.join('?' * 18)})"
INSERT_EST = f"INSERT INTO estimates ({rows.ESTIMATE_COLUMNS}) VALUES ({','.join('?' * 14)})"
INSERT_REP = (
    f"INSERT INTO reps ({rows.REP_COLUMNS}) "
    f"VALUES ({','.join('?' * len(rows.REP_COLUMNS.split(',')))})"
)
INSERT_CUE = f"INSERT INTO cues ({rows.CUE_COLUMNS}) VALUES ({','.join('?' * 8)})"
INSERT_EVENT = "INSERT INTO events (t_s, kind, message) VALUES (?, ?, ?)"
UPSERT_META = "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"
UPSERT_COUNTERS = "INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)"
#: statements by code (the code is what the redo log stores); never reorder, only append
STATEMENTS = (INSERT_FIX, INSERT_EST, INSERT_REP, INSERT_CUE, INSERT_EVENT, UPSERT_META,
              UPSERT_COUNTERS)  # fmt: skip
CODES = {sql: code for code, sql in enumerate(STATEMENTS)}
FIX_CODE, EST_CODE = CODES[INSERT_FIX], CODES[INSERT_EST]
#: the only other statement the writer makes: the audio outcome of a cue
_UPDATE_CUE = re.compile(r"UPDATE cues SET (\w+ = \?(?:, \w+ = \?)*) WHERE id = \?")
_CUE_UPDATABLE = frozenset({"duration_s", "dropped", *rows.CUE_AUDIO_FIELDS})
_VALUE_TYPES = (int, float, str, type(None))


def encode(ops: list[tuple[int | str, tuple[Any, ...]]]) -> bytes:
    """The payload of a table-rows record: ``(code or statement, params)`` pairs."""
    return marshal.dumps(ops, 4)


def decode(payload: bytes) -> list[tuple[str, tuple[Any, ...]]]:
    """``(statement, params)`` pairs of a payload; ValueError unless it is what
    :func:`encode` makes from the writer's statements and plain values."""
    try:
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
    if match is None:
        return False
    return all(part.split(" = ")[0] in _CUE_UPDATABLE for part in match.group(1).split(", "))


def applied_bytes(conn: sqlite3.Connection) -> int | None:
    """The journal mark stored by the last commit, or None (no mark: nothing deferred)."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (APPLIED_KEY,)).fetchone()
        return None if row is None else int(json.loads(row[0]))
    except (sqlite3.Error, ValueError, TypeError):
        return None


def recover(conn: sqlite3.Connection, directory: Path) -> sqlite3.Connection:
    """``conn`` with the journal's table rows past the mark applied (see the module doc).

    Returns ``conn`` itself (nothing to do, or applied in place) or an in-memory copy
    holding the rows (writer still running, or the database cannot be written); the
    caller closes what it gets.

    Rows are taken frame by frame, up to the first frame that is damaged (a torn last
    frame is a power cut: silent) or whose rows cannot be decoded (written by a Python
    whose marshal this one cannot read) or applied (refused by the schema); the mark
    advances only over what was applied, so a pacer that can read the rest still may.
    What was left out is said in one line, as an event of the copy read (``kind``
    :data:`ROWS_LEFT_OUT`), every time the session is read; the rest reads as usual.
    """
    raw = Path(directory) / RAW_NAME
    mark = applied_bytes(conn)
    if mark is None:
        return conn
    try:
        size = raw.stat().st_size  # before the snapshot below: see there
    except OSError:
        return conn
    if size <= mark:
        return conn  # a closed session, or nothing flushed since the last commit
    live = _writer_running(raw)
    if live:
        # The writer may commit at any moment. Read one consistent snapshot and its
        # mark, and the journal only up to where it ended before the snapshot: then the
        # frames past the mark hold exactly the rows the snapshot lacks (a commit after
        # the snapshot is not seen, nor any frame after it: a gap-free prefix).
        conn = _copy(conn)
        mark = applied_bytes(conn)
        if mark is None or size <= mark:
            return conn
    frames, _end, problem = journal_row_frames(raw, mark, size)
    decoded: list[tuple[int, list[tuple[str, tuple[Any, ...]]]]] = []
    start = mark
    for frame_end, payloads in frames:
        try:
            decoded.append((frame_end, [op for p in payloads for op in decode(p)]))
        except ValueError as exc:
            problem = (f"{raw}: the session rows journaled from byte {start} on cannot be "
                       f"read by this Python ({exc}); they are left out")
            break
        start = frame_end
    while decoded and not decoded[-1][1]:
        decoded.pop()  # frames without rows at the end: nothing to apply
    if decoded:
        conn, problem = _recover_frames(conn, raw, mark, decoded, problem, live)
    if problem is not None:
        conn = _with_event(conn, problem)
    return conn


Frames = list[tuple[int, list[tuple[str, tuple[Any, ...]]]]]


def _recover_frames(
    conn: sqlite3.Connection, raw: Path, mark: int, frames: Frames, problem: str | None,
    live: bool,
) -> tuple[sqlite3.Connection, str | None]:
    """Apply ``frames`` in place, in one transaction (a closed or crashed session), or
    in an in-memory copy; the connection to read and what could not be applied."""
    if not live:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # read-only directory, or locked
            pass
        else:
            try:
                if applied_bytes(conn) != mark:  # another reader recovered it meanwhile
                    conn.execute("ROLLBACK")
                    return conn, problem
                problem = _apply(conn, raw, mark, frames) or problem
                conn.execute("COMMIT")
                return conn, problem
            except sqlite3.Error:  # disk full, I/O error: read it from a copy instead
                if conn.in_transaction:  # SQLite rolls back itself when COMMIT fails full
                    conn.execute("ROLLBACK")
    mem = _copy(conn)
    mem.execute("BEGIN")
    problem = _apply(mem, raw, mark, frames) or problem
    mem.execute("COMMIT")
    return mem, problem


def _apply(conn: sqlite3.Connection, raw: Path, mark: int, frames: Frames) -> str | None:
    """Apply whole frames, in order, inside the caller's transaction, and move the mark
    past the last one applied; stop at a frame the schema refuses and say so.

    sqlite3.OperationalError (disk full, I/O) propagates: the caller rolls back.
    """
    end, problem = mark, None
    for frame_end, ops in frames:
        conn.execute("SAVEPOINT frame")
        try:
            for sql, params in ops:
                conn.execute(sql, params)
        except sqlite3.OperationalError:
            raise
        except sqlite3.Error as exc:
            conn.execute("ROLLBACK TO frame")
            conn.execute("RELEASE frame")
            problem = (f"{raw}: the session rows journaled from byte {end} on cannot be "
                       f"applied ({exc}); they are left out")
            break
        conn.execute("RELEASE frame")
        end = frame_end
    if end != mark:
        conn.execute(UPSERT_META, (APPLIED_KEY, json.dumps(end)))
    return problem


def _copy(conn: sqlite3.Connection) -> sqlite3.Connection:
    """An in-memory copy of ``conn`` (closed, unless it is such a copy already)."""
    if conn.execute("PRAGMA database_list").fetchone()[2] == "":
        return conn
    mem = sqlite3.connect(":memory:", isolation_level=None)
    conn.backup(mem)
    conn.close()
    return mem


def _with_event(conn: sqlite3.Connection, message: str) -> sqlite3.Connection:
    """An in-memory copy of ``conn`` with one more event, at the last time recorded."""
    mem = _copy(conn)
    try:
        row = mem.execute("SELECT max(t_s) FROM estimates").fetchone()
        t_s = float(row[0]) if row and row[0] is not None else 0.0
        mem.execute(INSERT_EVENT, (t_s, ROWS_LEFT_OUT, message))
    except sqlite3.Error:
        pass  # an older or odd schema: the rows read are still all there
    return mem


def _writer_lock(raw: Path) -> bool | None:
    """Whether a SessionWriter holds ``raw`` (its exclusive lock): True held, False free,
    None unknown (no flock here, the file cannot be opened, or the probe failed)."""
    try:
        import fcntl

        fd = os.open(raw, os.O_RDONLY)
    except (ImportError, OSError):
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return None
    finally:
        os.close(fd)  # releases the shared lock taken just now
    return False


def _writer_running(raw: Path) -> bool:
    """True unless the session is known to be free: never write behind a writer's back."""
    return _writer_lock(raw) is not False


def held_by_writer(raw: Path) -> bool:
    """True only when a SessionWriter is known to hold ``raw``: what deleting a session
    must respect. A missing file, or no flock here, is False."""
    return _writer_lock(raw) is True


def lock_for_writer(raw: Path) -> int | None:
    """Open ``raw`` and hold an exclusive lock on it (the writer, until it closes the fd)."""
    try:
        import fcntl

        fd = os.open(raw, os.O_RDONLY)
    except (ImportError, OSError):
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd
