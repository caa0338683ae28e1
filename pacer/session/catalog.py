"""The sessions of a data directory: where they live, which is latest, delete and prune.

Re-exported by :mod:`pacer.session.reader`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

from pacer.errors import SessionError
from pacer.session import db, lock
from pacer.session.schema import (
    APPLICATION_ID,
    DB_NAME,
    LEGACY_ACCEL_NAME,
    LEGACY_RAW_NAME,
    NMEA_NAME,
    SESSION_ID_KEY,
)

#: the last schema version written without pacer's application_id (v6 briefly was)
LEGACY_VERSION = 6

#: every name a session writer creates (the pre-v5 layout's included)
SESSION_FILES = frozenset({
    DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal", NMEA_NAME,
    f"{NMEA_NAME}.part", LEGACY_RAW_NAME, LEGACY_ACCEL_NAME,
})  # fmt: skip


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
    ``session.db``, of a non-empty ``session.db-wal`` and of a pre-v5 ``raw.log``.

    The start time recorded in ``meta`` is the time of the *run* (a replayed 2021 GPX,
    every ``pacer sim`` at its scripted start), so it cannot tell which session is the
    newest. Only the writer changes these files: readers open the database read-only
    (an empty WAL a reader may create is not counted).
    """
    path = Path(path)
    times = []
    for name, need_bytes in ((DB_NAME, False), (f"{DB_NAME}-wal", True),
                             (LEGACY_RAW_NAME, False)):  # fmt: skip
        try:
            st = (path / name).stat()
        except OSError:
            continue
        if st.st_size or not need_bytes:
            times.append(st.st_mtime)
    return max(times, default=0.0)


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
    if not arg.isprintable():
        raise SessionError(f"{ascii(arg)[:80]}: not a session id (it holds control "
                           "characters, such as a line end)")
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


#: the names of a database pacer created but was killed before it wrote its schema
_STILLBORN_FILES = frozenset({DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal"})


def _nothing_deleted(path: Path, why: str) -> SessionError:
    return SessionError(f"{path}: {why}; nothing deleted")


def check_deletable(path: Path, data_dir: Path | None = None) -> list[str]:
    """The names to delete in ``path``; SessionError unless it is a session pacer wrote,
    no writer holds, directly inside ``data_dir`` (when given).

    Identified by more than file names: a real folder (no symlink), directly in the data
    directory, holding only regular files with names pacer writes, whose ``session.db``
    (itself no symlink) carries pacer's ``application_id`` and names this folder as its
    ``session_id`` in ``meta``. A session of an earlier pacer (no application id) needs
    a pacer schema (``user_version`` 1-6 and a ``meta`` table). An empty ``session.db``
    beside nothing but its SQLite companions is a writer killed at birth: deletable.
    """
    path = Path(path)
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise _nothing_deleted(path, f"cannot read ({exc.strerror or exc})") from None
    if not stat.S_ISDIR(st.st_mode):
        raise _nothing_deleted(path, "not a session directory (a symlink or not a folder)")
    if data_dir is not None and not _directly_in(path, Path(data_dir)):
        raise _nothing_deleted(path, f"not in the data directory {data_dir}")
    names = _pacer_files(path)
    if not _stillborn(path, names):
        _check_pacer_database(path)
    if lock.held_by_writer(path):
        raise _nothing_deleted(path, "is being recorded (a pacer run or sim holds it)")
    return names


def _directly_in(path: Path, data_dir: Path) -> bool:
    try:
        return os.path.samefile(path.parent, data_dir) and path.name not in ("", ".", "..")
    except OSError:
        return False


def _pacer_files(path: Path) -> list[str]:
    """The entries of ``path``: SessionError unless each is a regular file pacer writes."""
    try:
        entries = list(os.scandir(path))
    except OSError as exc:
        raise _nothing_deleted(path, f"cannot list ({exc.strerror or exc})") from None
    foreign = sorted(e.name for e in entries
                     if e.name not in SESSION_FILES or not e.is_file(follow_symlinks=False))
    if foreign:
        shown = ", ".join(repr(n) if not n.isprintable() else n for n in foreign[:3])
        raise _nothing_deleted(path, f"holds what pacer does not write ({shown}"
                               f"{', ...' if len(foreign) > 3 else ''}), so it is not a "
                               "pacer session directory")
    if DB_NAME not in {e.name for e in entries}:
        raise _nothing_deleted(path, f"not a session directory (no {DB_NAME})")
    return sorted(e.name for e in entries)


def _check_pacer_database(path: Path) -> None:
    try:
        conn = db.connect(path / DB_NAME)
        try:
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            version = db.schema_version(conn)
            has_meta = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
            ).fetchone()
            row = conn.execute("SELECT value FROM meta WHERE key = ?",
                               (SESSION_ID_KEY,)).fetchone() if has_meta else None
        finally:
            conn.close()
    except (SessionError, sqlite3.DatabaseError) as exc:
        text = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise _nothing_deleted(path, f"not a readable pacer session ({text})") from exc
    if version < 1 or not has_meta or app_id not in (0, APPLICATION_ID):
        raise _nothing_deleted(path / DB_NAME, "not a pacer session database")
    if app_id == APPLICATION_ID and (row is None or row[0] != json.dumps(path.name)):
        raise _nothing_deleted(path / DB_NAME, "a pacer database recorded for another "
                               "folder (its session_id does not name this one)")
    if app_id == 0 and version > LEGACY_VERSION:
        raise _nothing_deleted(path / DB_NAME, "not a pacer session database (no pacer mark)")


def _stillborn(path: Path, names: list[str]) -> bool:
    """An empty ``session.db`` beside its SQLite companions only: a writer killed at birth."""
    try:
        return set(names) <= _STILLBORN_FILES and (path / DB_NAME).stat().st_size == 0
    except OSError:
        return False


def delete_session(path: Path, data_dir: Path | None = None) -> None:
    """Delete one session directory: the files pacer wrote, then the folder. Refuses
    anything that is not one (:func:`check_deletable`); a file that appears meanwhile
    keeps the folder (never deleted with it)."""
    path = Path(path)
    for name in check_deletable(path, data_dir):
        try:
            os.unlink(path / name)
        except FileNotFoundError:
            pass  # a reader's empty -shm or -wal may come and go
    try:
        os.rmdir(path)
    except OSError as exc:
        raise SessionError(f"{path}: its session files deleted, the folder kept "
                           f"({exc.strerror or exc}: something else appeared in it)") from exc


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
            delete_session(path, data_dir)
        except SessionError:
            continue
        total -= sizes[path]
        deleted.append(path)
    return deleted
