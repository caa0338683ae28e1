"""Open, list, delete and prune session directories written by :mod:`pacer.session.store`.

A session that was not closed (crash, power cut) opens fine and reports
``ended == "abrupt"``. A damaged one raises :class:`~pacer.errors.SessionError` with one
line naming the file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pacer.errors import SessionError
from pacer.models import Cue, Estimate, Fix, Rep
from pacer.session import redo, rows
from pacer.session.rawread import (  # re-exported: replay reads the raw logs from here
    accel_samples as accel_samples,
)
from pacer.session.rawread import iter_raw_accel as iter_raw_accel
from pacer.session.rawread import iter_raw_nmea as iter_raw_nmea
from pacer.session.rawread import raw_log_problems as raw_log_problems
from pacer.session.schema import (
    ACCEL_INDEX_NAME,
    ACCEL_NAME,
    DB_NAME,
    NMEA_INDEX_NAME,
    NMEA_NAME,
    RAW_NAME,
    SCHEMA_VERSION,
)


@dataclass(frozen=True)
class SessionEvent:
    t_s: float
    kind: str
    message: str


@dataclass(frozen=True)
class SessionData:
    """Everything a session holds except the raw logs (read those with ``iter_raw_*``)."""

    directory: Path
    meta: dict[str, Any]
    fixes: tuple[Fix, ...] = ()
    estimates: tuple[Estimate, ...] = ()
    reps: tuple[Rep, ...] = ()
    cues: tuple[Cue, ...] = ()
    events: tuple[SessionEvent, ...] = ()
    counters: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: "normal" | "abrupt" | "live" (still being recorded) | what close() was given
    ended: str = "abrupt"
    #: per cue (same order as ``cues``): what the audio path reported beyond duration and
    #: dropped -- start_s, latency_s, engine, truncated, reason (keys present when known)
    cue_audio: tuple[dict[str, Any], ...] = ()

    @property
    def id(self) -> str:
        return self.directory.name


def default_data_dir() -> Path:
    """Where sessions live: ``$STATE_DIRECTORY/sessions`` for the systemd service
    (``StateDirectory=pacer`` gives ``/var/lib/pacer``), else
    ``$XDG_DATA_HOME/pacer/sessions`` (default ``~/.local/share/pacer/sessions``)."""
    state = os.environ.get("STATE_DIRECTORY")
    if state:
        # systemd may pass several colon-separated directories; the first is ours
        return Path(state.split(":")[0]) / "sessions"
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return base / "pacer" / "sessions"


def is_session(path: Path) -> bool:
    return (Path(path) / DB_NAME).is_file()


def written_time_s(path: Path) -> float:
    """When a session was last written (Unix seconds): the newest modification time of
    its raw journal (``raw.log``; older sessions: the raw-log indexes), else of
    ``session.db``.

    The start time recorded in ``meta`` is the time of the *run* (a replayed 2021 GPX,
    every ``pacer sim`` at its scripted start), so it cannot tell which session is the
    newest. The writer does not record a wall-clock creation time, so the file system
    does: the journal is appended at every flush and only the writer touches it
    (opening a crashed session's database recovers its WAL, which rewrites
    ``session.db`` -- a review must not make an old session "latest").
    """
    path = Path(path)
    times = []
    for name in (RAW_NAME, NMEA_INDEX_NAME, ACCEL_INDEX_NAME):
        try:
            times.append((path / name).stat().st_mtime)
        except OSError:
            continue
    if times:
        return max(times)
    try:
        return (path / DB_NAME).stat().st_mtime
    except OSError:
        return 0.0


def list_sessions(data_dir: Path) -> list[Path]:
    """Session directories directly under ``data_dir``, oldest written first
    (:func:`written_time_s`; the name breaks ties)."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return []
    found = [p for p in data_dir.iterdir() if p.is_dir() and is_session(p)]
    return sorted(found, key=lambda p: (written_time_s(p), p.name))


def latest_session(data_dir: Path) -> Path:
    """The most recently written session under ``data_dir``; SessionError if there is none."""
    sessions = list_sessions(data_dir)
    if not sessions:
        raise SessionError(
            f"{data_dir}: no sessions yet (record one with `pacer sim` or `pacer run`)"
        )
    return sessions[-1]


def _is_bare_name(arg: str) -> bool:
    return os.sep not in arg and (os.altsep is None or os.altsep not in arg) and arg not in (
        ".", ".."
    )  # fmt: skip


def resolve_session(
    arg: str | None, data_dir: Path | None = None, *, for_delete: bool = False
) -> Path:
    """A SESSION argument as a directory.

    * None: the latest session in the data directory.
    * A bare name (no ``/``): the session of that id in the data directory. Only for
      reading (review, export), and only when the data directory has no session of
      that name, a session directory of that name in the current directory is taken.
    * Anything with a ``/`` (``./s1``, ``/tmp/x``, ``runs/s1``): that path.

    With ``for_delete`` a bare name means the data directory and nothing else, so
    ``pacer sessions --data-dir D delete s1`` can never remove ``./s1``.
    """
    data_dir = data_dir or default_data_dir()
    if arg is None:
        return latest_session(data_dir)
    if _is_bare_name(arg):
        if is_session(data_dir / arg):
            return data_dir / arg
        if not for_delete and is_session(Path(arg)):
            return Path(arg)
        raise SessionError(
            f"{arg}: no such session in {data_dir} (give a path with a '/' for a directory "
            f"elsewhere, e.g. ./{arg})"
        )
    path = Path(arg)
    if is_session(path):
        return path
    raise SessionError(f"{arg}: not a session directory (no {DB_NAME})")


def session_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


#: files a session directory may hold besides what users put next to them (plots, exports)
SESSION_FILES = frozenset(
    {DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal",
     RAW_NAME, NMEA_NAME, f"{NMEA_NAME}.part", NMEA_INDEX_NAME, ACCEL_NAME, ACCEL_INDEX_NAME}
)  # fmt: skip


def check_deletable(path: Path) -> None:
    """Raise SessionError unless ``path`` is a pacer session directory.

    A pacer session directory is a real directory (not a symlink) with no
    subdirectories whose ``session.db`` is a pacer database (``PRAGMA user_version``
    >= 1 and a ``meta`` table). A home or project directory that happens to hold a file
    called ``session.db`` is refused, and so is a session a writer still holds (its
    lock on ``raw.log``: a run in progress).
    """
    path = Path(path)
    if path.is_symlink() or not path.is_dir():
        raise SessionError(f"{path}: not a session directory; nothing deleted")
    if not is_session(path):
        raise SessionError(f"{path}: not a session directory (no {DB_NAME}); nothing deleted")
    subdirs = [p.name for p in path.iterdir() if p.is_dir()]
    if subdirs:
        raise SessionError(
            f"{path}: holds directories ({', '.join(sorted(subdirs)[:3])}), so it is not a "
            "pacer session directory; nothing deleted"
        )
    if _stillborn(path):  # killed between creating session.db and writing its schema
        if redo.held_by_writer(path / RAW_NAME):
            raise SessionError(
                f"{path}: is being recorded (a pacer run or sim holds it); nothing deleted"
            )
        return
    try:
        conn = _connect(path / DB_NAME)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            has_meta = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
            ).fetchone()
        finally:
            conn.close()
    except (SessionError, sqlite3.DatabaseError) as exc:
        raise SessionError(
            f"{path}: not a readable pacer session ({exc}); nothing deleted"
        ) from exc
    if version < 1 or not has_meta:
        raise SessionError(f"{path / DB_NAME}: not a pacer session database; nothing deleted")
    if redo.held_by_writer(path / RAW_NAME):
        raise SessionError(
            f"{path}: is being recorded (a pacer run or sim holds it); nothing deleted"
        )


#: every name a session writer creates (older layouts included)
_SESSION_FILE_NAMES = frozenset({
    DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", DB_NAME + "-journal", RAW_NAME,
    NMEA_NAME, NMEA_NAME + ".part", ACCEL_NAME, NMEA_INDEX_NAME, ACCEL_INDEX_NAME,
})


def _stillborn(path: Path) -> bool:
    """An empty ``session.db`` among only pacer's own file names: a writer killed at birth."""
    try:
        if (path / DB_NAME).stat().st_size != 0:
            return False
        return all(p.name in _SESSION_FILE_NAMES for p in path.iterdir())
    except OSError:
        return False


def delete_session(path: Path) -> None:
    """Delete one session directory (refuses anything that is not one: :func:`check_deletable`)."""
    check_deletable(path)
    shutil.rmtree(path)


def prune(data_dir: Path, max_bytes: int, *, keep: Path | None = None) -> list[Path]:
    """Delete the least recently written sessions until the total is at most ``max_bytes``.

    Only called when a cap is configured. ``keep`` (the running session) is never
    deleted; neither is a directory :func:`check_deletable` refuses. Returns the
    deleted directories.
    """
    sessions = list_sessions(data_dir)
    sizes = {p: session_bytes(p) for p in sessions}
    total = sum(sizes.values())
    deleted = []
    for path in sessions:
        if total <= max_bytes:
            break
        if keep is not None and path.resolve() == Path(keep).resolve():
            continue
        try:
            delete_session(path)
        except SessionError:
            continue
        total -= sizes[path]
        deleted.append(path)
    return deleted


def read_meta(directory: Path) -> dict[str, Any]:
    """Only the ``meta`` table of a session (cheap; for listings and matching workouts)."""
    db_path = Path(directory) / DB_NAME
    conn = _connect(db_path)
    try:
        return _meta(conn)
    except (sqlite3.DatabaseError, ValueError) as exc:
        raise SessionError(f"{db_path}: damaged session database ({exc})") from exc
    finally:
        conn.close()


def read_meta_or_empty(
    directory: Path, on_warning: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """``read_meta``, but a missing or damaged ``session.db`` gives ``{}`` (for replay).

    The raw logs replay without the database; ``on_warning`` gets one line saying why
    the meta (workout, start time) is missing. Still a SessionError when the directory
    holds neither a database nor a raw log: then there is nothing to replay.
    """
    directory = Path(directory)
    try:
        return read_meta(directory)
    except SessionError as exc:
        raw = [n for n in (RAW_NAME, NMEA_INDEX_NAME, ACCEL_INDEX_NAME)
               if (directory / n).is_file()]
        if not raw:
            raise
        if on_warning is not None:
            on_warning(f"{exc}; replaying the raw logs without the session's meta")
        return {}


@dataclass(frozen=True)
class SessionOverview:
    """What a listing shows, read with a few aggregate queries (no records loaded)."""

    directory: Path
    meta: dict[str, Any]
    duration_s: float
    distance_m: float
    ended: str
    start_utc: dt.datetime | None

    @property
    def id(self) -> str:
        return self.directory.name


def session_overview(directory: Path) -> SessionOverview:
    """Meta, duration, distance and end of a session, cheaply (for ``pacer sessions``)."""
    directory = Path(directory)
    db_path = directory / DB_NAME
    conn = _connect(db_path)
    try:
        meta = _meta(conn)
        ends = [
            conn.execute("SELECT max(t_s) FROM estimates").fetchone()[0],
            conn.execute("SELECT max(t_s) FROM fixes").fetchone()[0],
            conn.execute("SELECT max(start_s + duration_s) FROM reps").fetchone()[0],
            conn.execute("SELECT max(t_s + coalesce(duration_s, 0)) FROM cues").fetchone()[0],
        ]
        first = (
            conn.execute(
                "SELECT utc, t_s FROM fixes WHERE utc IS NOT NULL ORDER BY rowid LIMIT 1"
            ).fetchone()
            or conn.execute(
                "SELECT utc, t_s FROM estimates WHERE utc IS NOT NULL ORDER BY rowid LIMIT 1"
            ).fetchone()
        )
        distance = conn.execute("SELECT max(distance_m) FROM estimates").fetchone()[0]
        if distance is None:
            distance = conn.execute("SELECT sum(distance_m) FROM reps").fetchone()[0]
    except (sqlite3.DatabaseError, ValueError) as exc:
        raise SessionError(f"{db_path}: damaged session database ({exc})") from exc
    finally:
        conn.close()
    ended = meta.get("ended")
    start = rows.parse_utc(meta["start_utc"]) if isinstance(meta.get("start_utc"), str) else None
    first_utc = rows.parse_utc(first[0]) if first is not None else None
    if start is None and first_utc is not None:
        start = first_utc - dt.timedelta(seconds=float(first[1]))
    return SessionOverview(
        directory=directory, meta=meta, start_utc=start,
        duration_s=max([0.0] + [float(e) for e in ends if e is not None]),
        distance_m=float(distance or 0.0), ended=str(ended) if ended else _unended(directory),
    )  # fmt: skip


def previous_session_of(data_dir: Path, directory: Path) -> Path | None:
    """The last session under ``data_dir`` written before ``directory`` with the same workout."""
    directory = Path(directory)
    workout = read_meta(directory).get("workout")
    if workout is None:
        return None
    me = directory.resolve()
    sessions = list_sessions(data_dir)
    mine = (written_time_s(directory), directory.name)
    earlier = [
        p for p in sessions if (written_time_s(p), p.name) < mine and p.resolve() != me
    ]  # fmt: skip
    for path in reversed(earlier):
        try:
            if read_meta(path).get("workout") == workout:
                return path
        except SessionError:
            continue  # a damaged neighbour does not stop the comparison
    return None


def _meta(conn: sqlite3.Connection) -> dict[str, Any]:
    """The meta table as a dict, without the writer's bookkeeping (redo.APPLIED_KEY)."""
    return {
        k: json.loads(v) for k, v in conn.execute("SELECT key, value FROM meta")
        if k != redo.APPLIED_KEY
    }  # fmt: skip


def _connect(db_path: Path) -> sqlite3.Connection:
    """A connection to a session database, with the journal's table rows a crash left
    out applied (:func:`pacer.session.redo.recover`)."""
    conn = _connect_db(db_path)
    try:
        return redo.recover(conn, db_path.parent)
    except sqlite3.Error:
        return conn  # recovery is best effort; the committed rows are still there


def _connect_db(db_path: Path) -> sqlite3.Connection:
    if not db_path.is_file():
        raise SessionError(f"{db_path.parent}: not a session directory (no {DB_NAME})")
    # Read-write first so SQLite can recover a WAL left by a crashed writer; read-only
    # when this user may not write there (e.g. the service's /var/lib/pacer).
    first_error: sqlite3.Error | None = None
    for uri in (f"file:{db_path}", f"file:{db_path}?mode=ro"):
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        try:
            conn.execute("PRAGMA user_version").fetchone()
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.DatabaseError as exc:
            conn.close()
            if not isinstance(exc, sqlite3.OperationalError):
                raise SessionError(f"{db_path}: damaged session database ({exc})") from exc
            first_error = first_error or exc
    raise SessionError(
        f"{db_path}: cannot open ({first_error}); check the permissions of {db_path.parent}"
    )


def open_session(directory: Path) -> SessionData:
    """Read a session directory.

    Raises
    ------
    SessionError
        One line naming the file: missing, not a database, newer schema, damaged rows.
    """
    directory = Path(directory)
    db_path = directory / DB_NAME
    conn = _connect(db_path)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise SessionError(
                f"{db_path}: schema version {version} is newer than this pacer; upgrade"
            )
        if version < 1:
            raise SessionError(f"{db_path}: not a pacer session database")
        meta = _meta(conn)
        fixes = tuple(
            rows.fix_from_row(r)
            for r in conn.execute(f"SELECT {rows.FIX_COLUMNS} FROM fixes ORDER BY rowid")
        )
        estimates = tuple(
            rows.estimate_from_row(r)
            for r in conn.execute(f"SELECT {rows.ESTIMATE_COLUMNS} FROM estimates ORDER BY rowid")
        )
        # before schema v4 every recorded rep was a completed one
        rep_cols = rows.REP_COLUMNS if version >= 4 else rows.REP_COLUMNS.replace(
            ", completed", ", 1")
        reps = tuple(
            rows.rep_from_row(r)
            for r in conn.execute(f"SELECT {rep_cols} FROM reps ORDER BY start_s, rowid")
        )
        audio_cols = rows.CUE_AUDIO_FIELDS if version >= 3 else ()
        select = ", ".join((rows.CUE_COLUMNS, *audio_cols))
        cue_rows = conn.execute(f"SELECT {select} FROM cues ORDER BY t_s, id").fetchall()
        cues = tuple(rows.cue_from_row(r) for r in cue_rows)
        n_base = len(rows.CUE_COLUMNS.split(","))
        cue_audio = tuple(
            {k: v for k, v in zip(audio_cols, r[n_base:], strict=True) if v is not None}
            for r in cue_rows
        )
        events = tuple(
            SessionEvent(float(t), k, m)
            for t, k, m in conn.execute("SELECT t_s, kind, message FROM events ORDER BY rowid")
        )
        counters: dict[str, dict[str, Any]] = {}
        if version >= 2:
            counters = {
                n: json.loads(v) for n, v in conn.execute("SELECT name, value FROM counters")
            }
    except sqlite3.DatabaseError as exc:
        raise SessionError(f"{db_path}: damaged session database ({exc})") from exc
    except (ValueError, TypeError, KeyError) as exc:
        raise SessionError(f"{db_path}: damaged session record ({exc})") from exc
    finally:
        conn.close()
    ended = meta.get("ended")
    return SessionData(
        directory=directory, meta=meta, fixes=fixes, estimates=estimates, reps=reps,
        cues=cues, cue_audio=cue_audio, events=events, counters=counters,
        ended=str(ended) if ended else _unended(directory),
    )  # fmt: skip


def _unended(directory: Path) -> str:
    """How a session without ``ended`` ended: ``"live"`` while a writer holds it (being
    recorded), else ``"abrupt"`` (a crash, a kill, a power cut)."""
    return "live" if redo.held_by_writer(Path(directory) / RAW_NAME) else "abrupt"
