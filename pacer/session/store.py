"""Write one session directory: a SQLite database that SQLite alone keeps crash-safe.

Layout of a session directory (see docs/sessions.md)::

    session.db   SQLite: meta, fixes, estimates, reps, cues, events, counters, and the
                 raw data -- receiver bytes (raw_nmea) and accelerometer blocks (raw_accel)
    gps.nmea     receiver bytes exactly as read: a plain copy written at close, for
                 other tools (replay reads the database)

The database runs in WAL mode with ``synchronous=FULL`` while the session is recorded.
Every ``append_*``/``add_*`` call only queues in memory; :meth:`SessionWriter.flush`
(called by the runtime once a second live, less often in a fast replay) commits what
was queued in **one** transaction, which SQLite makes durable before the commit
returns (one fsync of the WAL). A kill -9 or a power cut therefore loses at most what
was queued since the last flush, and SQLite's own recovery gives every reader a
consistent database. ``close()`` records ``ended`` in ``meta``, folds the WAL into the
database and leaves it in rollback-journal mode: a closed session is one file any
SQLite tool reads. A session without ``ended`` was ended abruptly.

Failure policy (the live loop must never see an exception from here): the raw data is
what fills a disk, so raw logging stops when free space falls below a reserve or a
commit fails; a failing commit keeps the queued derived rows for the next flush
(bounded) and retries with back-off. Each problem is recorded once as an event and
reported once through ``on_problem``.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from pacer.errors import SessionError
from pacer.session import lock
from pacer.session.queue import MAX_PENDING_OPS as MAX_PENDING_OPS
from pacer.session.queue import RowQueue
from pacer.session.rows import INSERT_EVENT, JsonDict
from pacer.session.schema import APPLICATION_ID, DB_NAME, NMEA_NAME, SESSION_ID_KEY, migrate

#: after failed commits, retry at most this many flushes apart
MAX_COMMIT_BACKOFF = 30
#: raw logging stops when the file system has less free space than this, so the
#: derived tables (what review needs) keep the rest; a 60 min run needs ~2 MB of them
DEFAULT_RESERVE_BYTES = 16 * 1024 * 1024
#: free space is looked up (statvfs) at least every this many flushes, and sooner once
#: this session has queued a quarter of what was left above the reserve (_check_space)
SPACE_CHECK_EVERY_FLUSHES = 10
#: checkpoint the WAL into the database every this many pages (4 KiB each: ~35 s of a
#: live run), and cut the WAL file back to that size (1 MiB) after a checkpoint, so it
#: stays well inside the free-space reserve
WAL_CHECKPOINT_PAGES = 256
#: the largest a session may grow (session.db with its WAL) unless the config caps it
#: lower ([session] max_bytes): 512 MiB is ~50 hours at ~10 MB per hour. Past it nothing
#: more is recorded (a crafted input cannot fill the disk through one session)
DEFAULT_MAX_SESSION_BYTES = 512 * 1024 * 1024
#: SQLite's result code for "database or disk is full"
_SQLITE_FULL = 13


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


#: sessions are private: where and when the runner runs (0700 folders, 0600 files,
#: whatever the umask; SQLite gives its -wal, -shm and -journal files the database's mode)
DIR_MODE = 0o700
FILE_MODE = 0o600


def make_private_dirs(directory: Path) -> None:
    """Create ``directory`` and its missing parents, each created one 0700 (the umask
    cannot widen or narrow it); folders that exist are left as they are."""
    missing = []
    path = Path(directory)
    while not path.is_dir():
        missing.append(path)
        if path.parent == path:
            break
        path = path.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=DIR_MODE)
        except FileExistsError:
            if not path.is_dir():
                raise
            continue  # made by another writer meanwhile: theirs
        os.chmod(path, DIR_MODE)


def _open_database(directory: Path) -> tuple[sqlite3.Connection, int | None]:
    """Create ``directory``, take the writer's lock and create its database."""
    make_private_dirs(directory)
    try:
        lock_fd = lock.lock_for_writer(directory)
    except BlockingIOError:
        raise SessionError(f"{directory}: being recorded by another pacer") from None
    db_path = directory / DB_NAME
    try:
        try:  # created exclusively: of two writers started at once, one gets it
            fd = os.open(db_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                         FILE_MODE)
        except FileExistsError:
            raise SessionError(f"{db_path}: a session already exists here") from None
        try:
            os.fchmod(fd, FILE_MODE)  # whatever the umask
        finally:
            os.close(fd)
        conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        conn.execute(f"PRAGMA journal_size_limit={WAL_CHECKPOINT_PAGES * 4096}")
        migrate(conn)
    except BaseException:
        lock.release(lock_fd)
        raise
    return conn, lock_fd


class SessionWriter(RowQueue):
    """Appends one session's records; see the module docstring for the guarantees.

    Create with :meth:`create`. Not thread-safe: the runtime thread owns it.
    """

    def __init__(
        self,
        directory: Path,
        conn: sqlite3.Connection,
        lock_fd: int | None,
        on_problem: Callable[[str], None] | None,
        reserve_bytes: int = DEFAULT_RESERVE_BYTES,
        max_bytes: int | None = DEFAULT_MAX_SESSION_BYTES,
        max_bytes_source: str = "the default cap per session",
    ) -> None:
        super().__init__()
        self._max_bytes = max_bytes
        self._max_bytes_source = max_bytes_source
        #: the session reached its size cap: closed, nothing more is recorded
        self.capped = False
        self.directory = directory
        self._conn = conn
        self._lock_fd = lock_fd  # held until close: readers see the session as live
        self._on_problem = on_problem
        self._reserve_bytes = reserve_bytes
        self._flushes_to_space_check = 0  # look up free space at the first flush
        self._space_check_bytes = 0  # raw bytes queued at which to look again
        self._reported: set[str] = set()
        self._failed_commits = 0
        self._skip_commits = 0
        self.problems: list[str] = []  # one line per problem, in order, each once

    @classmethod
    def create(
        cls,
        directory: Path,
        *,
        meta: JsonDict,
        on_problem: Callable[[str], None] | None = None,
        reserve_bytes: int = DEFAULT_RESERVE_BYTES,
        max_bytes: int | None = DEFAULT_MAX_SESSION_BYTES,
        max_bytes_source: str = "the default cap per session",
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
        reserve_bytes
            Free space kept for the derived tables: raw logging stops below it.
        max_bytes
            Size cap of this session (``session.db`` and its WAL), looked at each flush;
            reaching it records a ``size_cap`` event and closes the session as
            ``ended = "size_cap"`` (:attr:`capped`). None: no cap.
        max_bytes_source
            Where the cap comes from, for the message (``[session] max_bytes``).

        Raises
        ------
        SessionError
            If the directory cannot be created or already holds a session.
        """
        directory = Path(directory)
        try:
            conn, lock_fd = _open_database(directory)
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
        writer = cls(directory, conn, lock_fd, on_problem, reserve_bytes, max_bytes,
                     max_bytes_source)
        writer.set_meta(SESSION_ID_KEY, directory.name)  # the folder it belongs in
        for key, value in meta.items():
            writer.set_meta(key, value)
        writer.flush()  # the session exists on disk from the first moment
        return writer

    # ------------------------------------------------------------------ durability

    def flush(self, *, commit: bool = True) -> None:
        """Commit everything queued in one transaction, durable on return; never raises.

        ``commit`` is accepted for callers of the earlier API; every flush commits. A
        flush with nothing queued does no IO.
        """
        if self._closed:
            return
        if not self._raw_stopped and (self._nmea_rows or self._accel_rows):
            self._check_space()
        self._commit()
        if self._max_bytes is not None and self._size_bytes() >= self._max_bytes:
            self._cap()

    def _size_bytes(self) -> int:
        total = 0
        for name in (DB_NAME, f"{DB_NAME}-wal"):
            try:
                total += os.stat(self.directory / name).st_size
            except OSError:
                pass
        return total

    def _cap(self) -> None:
        """The session reached its size cap: say so once, close it (no gps.nmea copy)."""
        cap_mb = self._max_bytes / 1e6 if self._max_bytes is not None else 0.0
        self._problem("size_cap", f"session reached its size cap ({cap_mb:.1f} MB, "
                      f"{self._max_bytes_source}): nothing more recorded")
        self.capped = True
        self.drop_raw()  # and no gps.nmea copy beside a capped session
        self.close("size_cap")

    def _check_space(self) -> None:
        """Stop raw logging once free space falls below the reserve.

        statvfs is asked every SPACE_CHECK_EVERY_FLUSHES flushes, and at the next flush
        once the raw data queued has grown by a quarter of what was free above the
        reserve at the last look -- so this session alone cannot write into the reserve
        between two looks, and other writers on the disk are caught within seconds.
        """
        self._flushes_to_space_check -= 1
        if self._flushes_to_space_check > 0 and self._raw_bytes < self._space_check_bytes:
            return
        free = self._free_bytes()
        self._flushes_to_space_check = SPACE_CHECK_EVERY_FLUSHES
        if free is None:
            self._space_check_bytes = 1 << 62
            return
        if free < self._reserve_bytes:
            self._stop_raw("disk_full", f"disk nearly full ({free // 1024} KiB free): raw "
                           "logs stopped, coaching and the session database go on")
        self._space_check_bytes = self._raw_bytes + (free - self._reserve_bytes) // 4

    def _free_bytes(self) -> int | None:
        try:
            st = os.statvfs(self.directory)
        except (OSError, AttributeError):  # AttributeError: no statvfs on this OS
            return None
        return st.f_bavail * st.f_frsize

    def _stop_raw(self, kind: str, message: str) -> None:
        """Stop raw logging for good (the derived tables matter more), say it once."""
        self.drop_raw()
        self._problem(kind, message)

    def _commit(self, *, force: bool = False) -> None:
        if not self.queued:
            return
        if self._skip_commits > 0 and not force:  # backing off after failed commits
            self._skip_commits -= 1
            return
        try:
            self.write_all(self._conn)
        except sqlite3.Error as exc:
            self._rollback()
            if not (self._nmea_rows or self._accel_rows):
                self._db_failed(exc)
                return
            # the raw data is what fills a disk: drop it and commit the rest at once
            full = getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL
            what = "disk full" if full else "session database write error"
            self._stop_raw("disk_full" if full else "write_error",
                           f"{what} ({exc}): raw logs stopped, coaching goes on")
            try:
                self.write_all(self._conn)
            except sqlite3.Error as exc2:
                self._rollback()
                self._db_failed(exc2)
                return
        self.clear()
        self._failed_commits = 0

    def _rollback(self) -> None:
        if self._conn.in_transaction:  # SQLite rolls back itself on some errors (FULL)
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def _db_failed(self, exc: sqlite3.Error) -> None:
        self.drop_raw()  # give the derived rows what space is left
        # Retry after 1, 2, 4 ... at most MAX_COMMIT_BACKOFF flushes: a full disk rarely
        # frees itself, and replaying thousands of queued inserts each second costs CPU.
        self._failed_commits += 1
        self._skip_commits = min(2 ** (self._failed_commits - 1), MAX_COMMIT_BACKOFF) - 1
        self._problem("db_error", f"session database write failed ({exc}); rows kept "
                      "in memory and retried")

    def _problem(self, kind: str, message: str) -> None:
        """Record and report a problem once per kind."""
        if kind in self._reported:
            return
        self._reported.add(kind)
        self.problems.append(message)
        self._ops.append((INSERT_EVENT, (self._last_t_s, kind, message)))
        self._n_queued += 1
        if self._on_problem is not None:
            try:
                self._on_problem(message)
            except Exception:  # broad catch on purpose: the live loop must not die for a report
                pass

    @property
    def raw_logging(self) -> bool:
        """False once raw logging was stopped by a full disk or a write failure."""
        return not self._raw_stopped

    def close(self, ended: str = "normal") -> None:
        """Mark the session ended (``"normal"``, or e.g. ``"error"``), commit, close.

        Never raises.
        """
        if self._closed:
            return
        self.set_meta("ended", ended)
        if self.ops_dropped:
            self.set_meta("rows_dropped", self.ops_dropped)
        self._commit(force=True)  # the session is whole before the optional copy
        self._write_nmea_copy()
        self._commit(force=True)  # the copy's failure, as an event
        self._closed = True
        conn = self._conn
        try:  # one file for other tools: the WAL folded in, rollback-journal mode
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.Error:
            pass  # a full disk or a reader: the WAL stays and is read back fine
        try:
            conn.close()
        except sqlite3.Error:
            pass
        lock.release(self._lock_fd)  # the session is no longer live
        self._lock_fd = None

    def _write_nmea_copy(self) -> None:
        """gps.nmea from the database, for other tools (never for replay).

        Skipped when raw logging stopped or when the copy could eat into the reserve;
        a failure removes what was half written.
        """
        if self._raw_stopped:
            return
        from pacer.session.rawread import write_nmea_copy

        try:
            (size,) = self._conn.execute("SELECT coalesce(sum(length(data)), 0) "
                                         "FROM raw_nmea").fetchone()
            free = self._free_bytes()
            if free is not None and free - int(size) < self._reserve_bytes:
                return
            write_nmea_copy(self.directory, self._conn)  # not synced: session.db counts
        except (OSError, ValueError, sqlite3.Error) as exc:
            try:
                (self.directory / NMEA_NAME).unlink(missing_ok=True)
            except OSError:
                pass
            self._problem("nmea_copy", f"could not write gps.nmea ({exc}); "
                          "session.db holds the raw data")

    def __enter__(self) -> SessionWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.close("normal" if exc_type is None else "error")
