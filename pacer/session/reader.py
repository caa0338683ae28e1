"""Open and read session directories written by :mod:`pacer.session.store`.

A session that was not closed (crash, power cut) opens fine and reports
``ended == "abrupt"`` (``"live"`` while its writer still records it). A damaged one
raises :class:`~pacer.errors.SessionError` with one line naming the file. Sessions of
schema v1-v4 open as they are, their raw data read from their ``raw.log`` journal.
Reading never writes to a session (:mod:`pacer.session.db`).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pacer.errors import SessionError
from pacer.models import Cue, Estimate, Fix, HeartRateSample, Rep
from pacer.session import db, legacy_journal, lock, rows
from pacer.session.catalog import (  # re-exported: the CLI and the wiring import them here
    check_deletable as check_deletable,
)
from pacer.session.catalog import default_data_dir as default_data_dir
from pacer.session.catalog import delete_session as delete_session
from pacer.session.catalog import is_session as is_session
from pacer.session.catalog import latest_session as latest_session
from pacer.session.catalog import list_sessions as list_sessions
from pacer.session.catalog import prune as prune
from pacer.session.catalog import resolve_session as resolve_session
from pacer.session.catalog import session_bytes as session_bytes
from pacer.session.catalog import written_time_s as written_time_s
from pacer.session.rawread import accel_samples as accel_samples
from pacer.session.rawread import iter_heart_rate as iter_heart_rate
from pacer.session.rawread import iter_raw_accel as iter_raw_accel
from pacer.session.rawread import iter_raw_nmea as iter_raw_nmea
from pacer.session.rawread import raw_log_problems as raw_log_problems
from pacer.session.rows import JsonDict
from pacer.session.schema import (
    DB_NAME,
    HEART_RATE_VERSION,
    LEGACY_RAW_NAME,
    NMEA_NAME,
    RAW_TABLES_VERSION,
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
    meta: JsonDict
    fixes: tuple[Fix, ...] = ()
    estimates: tuple[Estimate, ...] = ()
    reps: tuple[Rep, ...] = ()
    cues: tuple[Cue, ...] = ()
    events: tuple[SessionEvent, ...] = ()
    counters: dict[str, JsonDict] = field(default_factory=dict)
    #: "normal" | "abrupt" | "live" (still being recorded) | what close() was given
    ended: str = "abrupt"
    #: per cue (same order as ``cues``): what the audio path reported beyond duration and
    #: dropped -- start_s, latency_s, engine, truncated, reason (keys present when known)
    cue_audio: tuple[JsonDict, ...] = ()
    #: heart-rate readings as they arrived (schema v6 on; empty without a strap)
    heart_rate: tuple[HeartRateSample, ...] = ()

    @property
    def id(self) -> str:
        return self.directory.name


def read_meta(directory: Path) -> JsonDict:
    """Only the ``meta`` table of a session (cheap; for listings and matching workouts)."""
    db_path = Path(directory) / DB_NAME
    conn = _connect(db_path)
    try:
        return _meta(conn)
    except (sqlite3.DatabaseError, ValueError) as exc:
        raise SessionError(f"{db_path}: damaged session database ({_short(exc)})") from exc
    finally:
        conn.close()


def read_meta_or_empty(
    directory: Path, on_warning: Callable[[str], None] | None = None
) -> JsonDict:
    """``read_meta``, but a missing or damaged ``session.db`` gives ``{}`` (for replay).

    The raw logs replay without the database; ``on_warning`` gets one line saying why
    the meta (workout, start time) is missing. Still a SessionError when the directory
    holds neither a database nor a raw log: then there is nothing to replay.
    """
    directory = Path(directory)
    try:
        return read_meta(directory)
    except SessionError as exc:
        if not any((directory / n).is_file() for n in (LEGACY_RAW_NAME, NMEA_NAME)):
            raise
        if on_warning is not None:
            on_warning(f"{exc}; replaying the raw logs without the session's meta")
        return {}


@dataclass(frozen=True)
class SessionOverview:
    """What a listing shows, read with a few aggregate queries (no records loaded)."""

    directory: Path
    meta: JsonDict
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
        conn.execute("BEGIN")  # one snapshot: a writer may commit while this reads
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
        raise SessionError(f"{db_path}: damaged session database ({_short(exc)})") from exc
    finally:
        conn.close()
    ended = meta.get("ended")
    try:
        duration_s = max([0.0] + [rows.num(e) for e in ends if e is not None])
        distance_m = rows.num(distance or 0.0)
    except ValueError as exc:
        raise SessionError(f"{db_path}: damaged session record ({_short(exc)})") from exc
    return SessionOverview(
        directory=directory, meta=meta, start_utc=_start_utc(meta, first),
        duration_s=duration_s, distance_m=distance_m,
        ended=str(ended) if ended else _unended(directory),
    )  # fmt: skip


def _start_utc(meta: JsonDict, first: tuple[object, object] | None) -> dt.datetime | None:
    """The start recorded in ``meta``, else the first fix's UTC less its time; None when
    neither reads as a time (a damaged value costs the start, not the listing)."""
    try:
        start = meta.get("start_utc")
        if isinstance(start, str):
            return rows.parse_utc(start)
        if first is not None and isinstance(first[0], str):
            first_utc = rows.parse_utc(first[0])
            if first_utc is not None:
                return first_utc - dt.timedelta(seconds=rows.num(first[1]))
    except (ValueError, OverflowError):
        pass
    return None


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


def _short(exc: BaseException) -> str:
    """An error's text as one short line: a crafted row's megabyte of text in a numeric
    column stays out of the message."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return ascii(text[:160])[1:-1] + ("..." if len(text) > 160 else "")


def _meta(conn: sqlite3.Connection) -> JsonDict:
    """The meta table as a dict, without the pre-v5 writer's bookkeeping."""
    return {
        k: json.loads(v) for k, v in conn.execute("SELECT key, value FROM meta")
        if k != legacy_journal.APPLIED_KEY
    }  # fmt: skip


def _connect(db_path: Path) -> sqlite3.Connection:
    """A read-only connection to a session database; for a crashed pre-v5 session, an
    in-memory copy with the rows its journal holds past the last commit."""
    conn = db.connect(db_path)
    try:
        if db.schema_version(conn) < RAW_TABLES_VERSION:
            return legacy_journal.with_journal_rows(conn, db_path.parent / LEGACY_RAW_NAME)
    except sqlite3.Error:
        pass  # best effort: the committed rows are still there
    return conn


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
        conn.execute("BEGIN")  # one snapshot: a writer may commit while this reads
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
        estimates, heart_rate = _estimates_and_heart_rate(conn, version)
        # before schema v4 every recorded rep was a completed one
        rep_cols = rows.REP_COLUMNS if version >= 4 else rows.REP_COLUMNS.replace(
            ", completed", ", 1")
        reps = tuple(
            rows.rep_from_row(r)
            for r in conn.execute(f"SELECT {rep_cols} FROM reps ORDER BY start_s, rowid")
        )
        cues, cue_audio = _cues(conn, version)
        events = tuple(
            SessionEvent(float(t), k, m)
            for t, k, m in conn.execute("SELECT t_s, kind, message FROM events ORDER BY rowid")
        )
        counters: dict[str, JsonDict] = {}
        if version >= 2:
            counters = {
                n: json.loads(v) for n, v in conn.execute("SELECT name, value FROM counters")
            }
    except sqlite3.DatabaseError as exc:
        raise SessionError(f"{db_path}: damaged session database ({_short(exc)})") from exc
    except (ValueError, TypeError, KeyError) as exc:
        raise SessionError(f"{db_path}: damaged session record ({_short(exc)})") from exc
    finally:
        conn.close()
    ended = meta.get("ended")
    return SessionData(
        directory=directory, meta=meta, fixes=fixes, estimates=estimates, reps=reps,
        cues=cues, cue_audio=cue_audio, events=events, counters=counters,
        heart_rate=heart_rate, ended=str(ended) if ended else _unended(directory),
    )  # fmt: skip


def _estimates_and_heart_rate(conn: sqlite3.Connection, version: int
                              ) -> tuple[tuple[Estimate, ...], tuple[HeartRateSample, ...]]:
    """The estimates, and the heart-rate readings (none before HEART_RATE_VERSION)."""
    est_cols = rows.ESTIMATE_COLUMNS
    heart_rate: tuple[HeartRateSample, ...] = ()
    if version >= HEART_RATE_VERSION:
        est_cols = f"{est_cols}, {rows.ESTIMATE_HR_COLUMN}"
        heart_rate = tuple(rows.heart_rate_from_row(r) for r in conn.execute(
            f"SELECT {rows.HEART_RATE_COLUMNS} FROM heart_rate ORDER BY rowid"))
    estimates = tuple(
        rows.estimate_from_row(r)
        for r in conn.execute(f"SELECT {est_cols} FROM estimates ORDER BY rowid")
    )
    return estimates, heart_rate


def _cues(conn: sqlite3.Connection, version: int) -> tuple[tuple[Cue, ...],
                                                          tuple[JsonDict, ...]]:
    """The cues, and per cue what the audio path reported (schema v3 on)."""
    audio_cols = rows.CUE_AUDIO_FIELDS if version >= 3 else ()
    select = ", ".join((rows.CUE_COLUMNS, *audio_cols))
    cue_rows = conn.execute(f"SELECT {select} FROM cues ORDER BY t_s, id").fetchall()
    n_base = len(rows.CUE_COLUMNS.split(","))
    cue_audio = tuple(
        {k: v for k, v in zip(audio_cols, r[n_base:], strict=True) if v is not None}
        for r in cue_rows
    )
    return tuple(rows.cue_from_row(r) for r in cue_rows), cue_audio


def _unended(directory: Path) -> str:
    """How a session without ``ended`` ended: ``"live"`` while a writer holds it (being
    recorded), else ``"abrupt"`` (a crash, a kill, a power cut)."""
    return "live" if lock.held_by_writer(Path(directory)) else "abrupt"
