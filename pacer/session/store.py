"""Write one session directory: raw logs plus a SQLite (WAL) database of derived records.

Layout of a session directory (see docs/sessions.md)::

    session.db   SQLite, WAL mode: meta, fixes, estimates, reps, cues, events, counters
    raw.log      the raw journal: receiver bytes and accelerometer blocks (rawlog.py)
    gps.nmea     receiver bytes exactly as read: a plain copy of the journal's NMEA
                 written at close, for other tools (the accelerometer samples stay in
                 raw.log only: rawread.accel_samples reads them)

Every ``append_*``/``add_*`` call only queues in memory; :meth:`SessionWriter.flush`
(called by the runtime at least once a second) writes the queued raw records, and the
table rows queued since the last flush, as one frame of ``raw.log`` and syncs it (one
fdatasync). Every ``commit_every`` flushes (10) the rows are committed to SQLite in one
transaction (``synchronous=FULL``); after a crash, readers take the rows of the frames
since the last commit from the journal (:mod:`pacer.session.redo`). A kill -9 or a
power cut therefore loses at most what was queued since the last flush. ``close()``
records ``ended`` in ``meta``; a session without it was ended abruptly.

Failure policy (the live loop must never see an exception from here): a failing raw
write (ENOSPC, EIO) stops the raw journal, truncated to its last good flush; a failing
commit keeps the queued rows for the next flush (bounded) and stops the raw journal so
SQLite gets what space is left. Each problem is recorded once as an event and reported
once through ``on_problem``.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pacer.errors import SessionError
from pacer.models import AccelBlock, Cue, Estimate, Fix, Rep
from pacer.session import redo, rows
from pacer.session.rawlog import (
    Opener,
    RawJournal,
    accel_record,
    nmea_record,
    open_append,
    rows_record,
)
from pacer.session.schema import DB_NAME, NMEA_NAME, RAW_NAME, migrate

#: queued SQL operations kept while commits fail (about 10 minutes of a live session)
MAX_PENDING_OPS = 20_000
#: after failed commits, retry at most this many flushes apart
MAX_COMMIT_BACKOFF = 30
#: raw logging stops when the file system has less free space than this, so the
#: derived tables (what review needs) keep the rest; a 60 min run needs ~5 MB of SQLite
DEFAULT_RESERVE_BYTES = 16 * 1024 * 1024
#: free space is looked up (statvfs) at least every this many flushes, and sooner once
#: this session has written a quarter of what was left above the reserve (see flush)
SPACE_CHECK_EVERY_FLUSHES = 10

_json_sorted = json.JSONEncoder(sort_keys=True).encode
_json_meta = json.JSONEncoder(sort_keys=True, default=str).encode

#: SQLite commits every this many flushes; the rows queued in between reach the disk
#: with each flush in the raw journal (pacer.session.redo). 1 commits every flush.
DEFAULT_COMMIT_EVERY = 10
#: a flush with at least this many rows queued commits them instead of journaling them
#: (a fast replay queues thousands per flush; live runs queue ~8 a second)
COMMIT_NOW_ROWS = 1000

_fix_row = rows.fix_row
_estimate_row = rows.estimate_row
_INSERT_FIX = redo.INSERT_FIX
_INSERT_EST = redo.INSERT_EST
_INSERT_REP = redo.INSERT_REP
_INSERT_CUE = redo.INSERT_CUE
_INSERT_EVENT = redo.INSERT_EVENT
_UPSERT_META = redo.UPSERT_META
_UPSERT_COUNTERS = redo.UPSERT_COUNTERS
_CODES = redo.CODES
_FIX_CODE, _EST_CODE = redo.FIX_CODE, redo.EST_CODE


def new_session_path(data_dir: Path, start_utc: dt.datetime) -> Path:
    """A fresh directory name under ``data_dir`` for a session started at ``start_utc``.

    Names sort by time: ``YYYYmmdd-HHMMSS`` (UTC), with ``-2``, ``-3``... on collision.
    The directory is not created.
    """
    stem = start_utc.astimezone(dt.UTC).strftime("%Y%m%d-%H%M%S")
    path = data_dir / stem
    n = 2
    while path.exists():
        path = data_dir / f"{stem}-{n}"
        n += 1
    return path


class SessionWriter:
    """Appends one session's records; see the module docstring for the guarantees.

    Create with :meth:`create`. Not thread-safe: the runtime thread owns it.
    """

    def __init__(
        self,
        directory: Path,
        conn: sqlite3.Connection,
        raw: RawJournal,
        on_problem: Callable[[str], None] | None,
        reserve_bytes: int = DEFAULT_RESERVE_BYTES,
        commit_every: int = DEFAULT_COMMIT_EVERY,
    ) -> None:
        self.directory = directory
        self._reserve_bytes = reserve_bytes
        self._commit_every = max(1, int(commit_every))
        self._flushes_since_commit = 0
        #: every operation queued since the last flush, as (statement code, params):
        #: what the next journal frame carries for the database (pacer.session.redo)
        self._redo: list[tuple[int | str, tuple[Any, ...]]] = []
        # held until close: tells readers the session is live (no recovery behind us);
        # without such a lock (no flock here) every flush commits
        self._lock_fd = redo.lock_for_writer(directory / RAW_NAME)
        if self._lock_fd is None:
            self._commit_every = 1
        self._conn = conn
        self._raw = raw
        self._flushes_to_space_check = 0  # look up free space at the first flush
        self._space_check_bytes = 0  # journal size at which to look again
        self._last_counters: dict[str, str] = {}
        self._on_problem = on_problem
        self._ops: list[tuple[str, tuple[Any, ...]]] = []
        # Rows of the two append-only tables, queued apart from the other statements:
        # nothing else touches these tables, so inserting them first, each in one
        # executemany, keeps every table's row order (a replay queues 5 fixes and 1
        # estimate per second, interleaved, for 300 s between commits).
        self._fix_rows: list[tuple[Any, ...]] = []
        self._est_rows: list[tuple[Any, ...]] = []
        self._n_queued = 0
        self._next_cue_id = 1
        self._cue_ids: dict[tuple[float, str], list[int]] = {}
        self._last_t_s = 0.0
        self._reported: set[str] = set()
        self._failed_commits = 0
        self._skip_commits = 0
        self._closed = False
        self.ops_dropped = 0  # queued rows lost because commits kept failing
        self.problems: list[str] = []  # one line per problem, in order, each once

    # ------------------------------------------------------------------ creation

    @classmethod
    def create(
        cls,
        directory: Path,
        *,
        meta: dict[str, Any],
        on_problem: Callable[[str], None] | None = None,
        opener: Opener = open_append,
        reserve_bytes: int = DEFAULT_RESERVE_BYTES,
        commit_every: int = DEFAULT_COMMIT_EVERY,
    ) -> SessionWriter:
        """Create ``directory`` (parents too) and start a session in it.

        Parameters
        ----------
        directory
            New or empty directory; an existing session there is an error.
        meta
            JSON-serialisable snapshot: ``workout`` (text or name), ``config``,
            ``versions``, ``sources``, ``start_utc`` (ISO text) when known, ...
            Each key is stored as one ``meta`` row (value as JSON).
        on_problem
            Called once per problem (disk full, write error) with a one-line message,
            so the runtime can say it; it must not raise.
        opener
            Opens the raw journal (tests inject failing files).
        reserve_bytes
            Free space kept for the database: raw logging stops below it.
        commit_every
            Commit SQLite every this many flushes (1: every flush). In between, the
            rows are durable through the raw journal (see :meth:`flush`).

        Raises
        ------
        SessionError
            If the directory cannot be created or already holds a session.
        """
        directory = Path(directory)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            db_path = directory / DB_NAME
            try:  # created exclusively: of two writers started at once, one gets it
                os.close(os.open(db_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            except FileExistsError:
                raise SessionError(f"{db_path}: a session already exists here") from None
            conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            # Bound the WAL (~1 MiB): checkpoint every 256 pages and shrink it back after,
            # so a nearly full disk is not eaten by the log of a long run.
            conn.execute("PRAGMA wal_autocheckpoint=256")
            conn.execute(f"PRAGMA journal_size_limit={1024 * 1024}")
            migrate(conn)
            raw = RawJournal(directory / RAW_NAME, opener=opener)
        except sqlite3.Error as exc:
            raise SessionError(
                f"{directory / DB_NAME}: cannot create session database: {exc}"
            ) from exc
        except OSError as exc:
            if isinstance(exc, SessionError):
                raise
            raise SessionError(
                f"{directory}: cannot create session: {exc.strerror or exc}"
            ) from exc
        writer = cls(directory, conn, raw, on_problem, reserve_bytes, commit_every)
        for key, value in meta.items():
            writer.set_meta(key, value)
        writer.flush(commit=True)  # the session exists on disk from the first moment
        return writer

    # ------------------------------------------------------------------ raw logs

    def append_nmea(self, t_s: float, data: bytes) -> None:
        """Queue raw receiver bytes read at session time ``t_s`` (any chunking)."""
        if not data or self._raw.stopped:
            return
        self._raw.append(nmea_record(t_s, data))
        if t_s > self._last_t_s:
            self._last_t_s = t_s

    def append_accel(self, block: AccelBlock) -> None:
        """Queue one block of samples (m/s^2, stored as float32; the block's t0_s,
        rate_hz and lost_samples with it, so replay gets the very same blocks)."""
        if block.n == 0 or self._raw.stopped:
            return
        self._raw.append(
            accel_record(block.t0_s, block.rate_hz, block.samples_mps2, block.lost_samples)
        )
        if block.t_end_s > self._last_t_s:
            self._last_t_s = block.t_end_s

    # ------------------------------------------------------------------ derived records

    def add_fix(self, fix: Fix) -> None:
        if self._n_queued < MAX_PENDING_OPS and not self._closed:
            self._n_queued += 1
            row = _fix_row(fix)
            self._fix_rows.append(row)
            self._redo.append((_FIX_CODE, row))
        elif not self._closed:
            self.ops_dropped += 1

    def add_estimate(self, est: Estimate) -> None:
        if self._n_queued < MAX_PENDING_OPS and not self._closed:
            self._n_queued += 1
            row = _estimate_row(est)
            self._est_rows.append(row)
            self._redo.append((_EST_CODE, row))
        elif not self._closed:
            self.ops_dropped += 1
        if est.t_s > self._last_t_s:
            self._last_t_s = est.t_s

    def add_rep(self, rep: Rep) -> None:
        self._queue(_INSERT_REP, rows.rep_row(rep))

    def add_cue(self, cue: Cue) -> int:
        """Queue a cue; return its id for :meth:`update_cue`."""
        cue_id = self._next_cue_id
        self._next_cue_id += 1
        self._queue(_INSERT_CUE, rows.cue_row(cue_id, cue))
        self._cue_ids.setdefault((round(cue.t_s, 6), cue.text), []).append(cue_id)
        return cue_id

    def update_cue(
        self,
        cue: int | Any,
        *,
        duration_s: float | None = None,
        dropped: bool | None = None,
    ) -> None:
        """Record the audio outcome of a cue: spoken duration, dropped, and (from an
        outcome) when it started, latency, engine, truncation and why it was dropped.

        ``cue`` is the id :meth:`add_cue` returned, or an outcome record of the audio path
        (``pacer.audio.output.CueOutcome``: ``t_s``, ``text``, ``duration_s``, ``dropped``,
        optionally ``start_s``, ``latency_s``, ``engine``, ``truncated``, ``reason``), matched
        to the stored cue by time and text. An outcome for an unknown cue is ignored.
        """
        if isinstance(cue, int):
            cue_id = cue
            audio: dict[str, Any] = {}
        else:
            ids = self._cue_ids.get((round(float(cue.t_s), 6), str(getattr(cue, "text", ""))))
            if not ids:
                return
            cue_id = ids.pop(0)
            duration_s = getattr(cue, "duration_s", None) if duration_s is None else duration_s
            dropped = getattr(cue, "dropped", None) if dropped is None else dropped
            audio = {k: getattr(cue, k) for k in rows.CUE_AUDIO_FIELDS if hasattr(cue, k)}
        if duration_s is not None:
            self._queue("UPDATE cues SET duration_s = ? WHERE id = ?", (duration_s, cue_id))
        if dropped is not None:
            self._queue("UPDATE cues SET dropped = ? WHERE id = ?", (int(dropped), cue_id))
        if audio:
            cols = ", ".join(f"{k} = ?" for k in audio)
            values = tuple(int(v) if isinstance(v, bool) else v for v in audio.values())
            self._queue(f"UPDATE cues SET {cols} WHERE id = ?", (*values, cue_id))

    def add_event(self, t_s: float, kind: str, message: str) -> None:
        """Record something that happened (device lost, disk full, pause...)."""
        self._queue(_INSERT_EVENT, (t_s, kind, message))

    def set_counters(self, name: str, counters: dict[str, Any]) -> None:
        """Store (replace) the named tally, e.g. ``"nmea"`` -> SkipCounters.as_dict().

        A tally equal to the one last stored under ``name`` is not written again.
        """
        text = _json_sorted(counters)
        if self._last_counters.get(name) == text:
            return
        self._last_counters[name] = text
        self._queue(_UPSERT_COUNTERS, (name, text))

    def set_meta(self, key: str, value: Any) -> None:
        """Store (replace) one meta value, e.g. ``start_utc`` once the first fix has UTC."""
        self._queue(_UPSERT_META, (key, _json_meta(value)))

    def _queue(self, sql: str, params: tuple[Any, ...]) -> None:
        if self._closed:
            return
        if self._n_queued >= MAX_PENDING_OPS:
            self.ops_dropped += 1
            return
        self._n_queued += 1
        self._ops.append((sql, params))
        self._redo.append((_CODES.get(sql, sql), params))

    # ------------------------------------------------------------------ durability

    def flush(self, *, commit: bool = False) -> None:
        """Make everything queued durable; never raises.

        The raw records and the table rows queued since the last flush go into one
        frame of the raw journal, written and synced (one fdatasync). Every
        ``commit_every`` flushes (and at once when ``commit``, when COMMIT_NOW_ROWS rows
        are queued, or whenever the journal has stopped) the queued rows are committed
        to SQLite in one transaction instead of journaled, with the journal mark that
        tells a reader after a crash which rows to take from the journal
        (:func:`pacer.session.redo.recover`).
        """
        raw = self._raw
        self._flushes_since_commit += 1
        commit_now = (commit or self._flushes_since_commit >= self._commit_every
                      or self._n_queued >= COMMIT_NOW_ROWS)
        if not raw.stopped:
            self._check_space()
            if self._redo and not commit_now and not raw.stopped:
                raw.append(rows_record(redo.encode(self._redo)))
            error = raw.flush()
            if error is not None:
                self._raw_failed(error)
        self._redo = []
        if commit_now or raw.stopped:
            self._commit(force=commit)

    def _check_space(self) -> None:
        """Stop the raw journal once free space falls below the reserve.

        statvfs is asked every SPACE_CHECK_EVERY_FLUSHES flushes, and at the next flush
        once the journal has grown by a quarter of what was free above the reserve at
        the last look -- so this session alone cannot write into the reserve between two
        looks, and other writers on the disk are caught within seconds.
        """
        self._flushes_to_space_check -= 1
        if self._flushes_to_space_check > 0 and self._raw.size_bytes < self._space_check_bytes:
            return
        free = self._free_bytes()
        self._flushes_to_space_check = SPACE_CHECK_EVERY_FLUSHES
        if free is None:
            self._space_check_bytes = 1 << 62
            return
        if free < self._reserve_bytes:
            self._stop_raw(
                OSError(errno.ENOSPC, "reserve reached"),
                "disk_full",
                f"disk nearly full ({free // 1024} KiB free): raw logs stopped, "
                "coaching and the session database go on",
            )
        self._space_check_bytes = self._raw.size_bytes + (free - self._reserve_bytes) // 4

    def _free_bytes(self) -> int | None:
        try:
            st = os.statvfs(self.directory)
        except (OSError, AttributeError):  # AttributeError: no statvfs on this OS
            return None
        return st.f_bavail * st.f_frsize

    def _stop_raw(self, error: OSError, kind: str, message: str) -> None:
        # Stop the raw journal: the derived tables matter more than raw bytes.
        self._raw.stop(error)
        self._problem(kind, message)

    def _raw_failed(self, error: OSError) -> None:
        name = self._raw.path.name
        if error.errno == errno.ENOSPC:
            self._stop_raw(
                error,
                "disk_full",
                f"disk full writing {name}: raw logs stopped, coaching goes on",
            )
        else:
            self._stop_raw(
                error,
                "write_error",
                f"write error on {name} ({error.strerror or error}): "
                "raw logs stopped, coaching goes on",
            )

    def _commit(self, *, force: bool = False) -> None:
        if not self._n_queued and not force:
            return
        if self._skip_commits > 0 and not force:  # backing off after failed commits
            self._skip_commits -= 1
            return
        conn = self._conn
        try:
            conn.execute("BEGIN")
            # the journal bytes whose rows this transaction holds (all of them so far)
            conn.execute(_UPSERT_META, (redo.APPLIED_KEY, str(self._raw.size_bytes)))
            if self._fix_rows:
                conn.executemany(_INSERT_FIX, self._fix_rows)
            if self._est_rows:
                conn.executemany(_INSERT_EST, self._est_rows)
            i = 0
            ops = self._ops
            while i < len(ops):  # consecutive identical statements go in one executemany
                j = i + 1
                while j < len(ops) and ops[j][0] == ops[i][0]:
                    j += 1
                conn.executemany(ops[i][0], [p for _, p in ops[i:j]])
                i = j
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            self._db_failed(exc)
            return
        self._ops = []
        self._fix_rows = []
        self._est_rows = []
        self._n_queued = 0
        self._failed_commits = 0
        self._flushes_since_commit = 0

    def _db_failed(self, exc: sqlite3.Error) -> None:
        self._raw.stop(OSError(errno.ENOSPC, str(exc)))  # give SQLite what space is left
        # Retry after 1, 2, 4 ... at most MAX_COMMIT_BACKOFF flushes: a full disk rarely
        # frees itself, and replaying thousands of queued inserts each second costs CPU.
        self._failed_commits += 1
        self._skip_commits = min(2 ** (self._failed_commits - 1), MAX_COMMIT_BACKOFF) - 1
        self._problem(
            "db_error",
            f"session database write failed ({exc}); rows kept in memory and retried",
        )

    def _problem(self, kind: str, message: str) -> None:
        """Record and report a problem once per kind."""
        if kind in self._reported:
            return
        self._reported.add(kind)
        self.problems.append(message)
        event = (self._last_t_s, kind, message)
        self._ops.append((_INSERT_EVENT, event))
        self._redo.append((_CODES[_INSERT_EVENT], event))
        self._n_queued += 1
        if self._on_problem is not None:
            try:
                self._on_problem(message)
            except Exception:  # broad catch on purpose: the live loop must not die for a report
                pass

    @property
    def raw_logging(self) -> bool:
        """False once the raw logs were stopped by a full disk or a write failure."""
        return self._raw.error is None

    def close(self, ended: str = "normal") -> None:
        """Mark the session ended (``"normal"``, or e.g. ``"error"``), flush, close.

        Never raises.
        """
        if self._closed:
            return
        self.set_meta("ended", ended)
        if self.ops_dropped:
            self.set_meta("rows_dropped", self.ops_dropped)
        error = self._raw.close()
        if error is not None:
            self._raw_failed(error)
        self._commit(force=True)  # the session is whole before the optional copy
        self._write_nmea_copy()
        if self._n_queued:  # the copy's failure, as an event
            self._commit(force=True)
        self._closed = True
        try:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass  # a full disk: the WAL stays beside the database and is read back fine
        try:
            self._conn.close()
        except sqlite3.Error:
            pass
        if self._lock_fd is not None:
            try:
                os.close(self._lock_fd)  # the session is no longer live
            except OSError:
                pass
            self._lock_fd = None

    def _write_nmea_copy(self) -> None:
        """gps.nmea from the journal, for other tools (never for replay).

        Skipped when the journal stopped (disk full, write error) or when the copy
        (smaller than raw.log) could eat into the reserve; a failure removes what was
        half written.
        """
        if self._raw.error is not None:
            return
        free = self._free_bytes()
        if free is not None and free - self._raw.size_bytes < self._reserve_bytes:
            return
        from pacer.session.rawread import write_nmea_copy

        try:
            write_nmea_copy(self.directory)  # not synced: raw.log is what counts
        except (OSError, ValueError) as exc:
            try:
                (self.directory / NMEA_NAME).unlink(missing_ok=True)
            except OSError:
                pass
            self._problem("nmea_copy", f"could not write gps.nmea ({exc}); "
                          "raw.log holds the raw data")

    def __enter__(self) -> SessionWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.close("normal" if exc_type is None else "error")
