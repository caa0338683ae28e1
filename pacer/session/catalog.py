"""The sessions of a data directory: where they live, which is latest, delete and prune.

Re-exported by :mod:`pacer.session.reader`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from pacer.errors import SessionError
from pacer.session import db, lock
from pacer.session.schema import DB_NAME, LEGACY_ACCEL_NAME, LEGACY_RAW_NAME, NMEA_NAME

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


def check_deletable(path: Path) -> None:
    """Raise SessionError unless ``path`` is a pacer session directory no writer holds.

    A pacer session directory is a real directory (not a symlink) with no
    subdirectories whose ``session.db`` is a pacer database (``PRAGMA user_version``
    >= 1 and a ``meta`` table). A home or project directory that happens to hold a file
    called ``session.db`` is refused, and so is a session being recorded (its writer's
    lock: a run in progress).
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
    if not _stillborn(path):  # killed between creating session.db and its schema: no test
        _check_pacer_database(path)
    if lock.held_by_writer(path):
        raise SessionError(
            f"{path}: is being recorded (a pacer run or sim holds it); nothing deleted"
        )


def _check_pacer_database(path: Path) -> None:
    try:
        conn = db.connect(path / DB_NAME)
        try:
            version = db.schema_version(conn)
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


def _stillborn(path: Path) -> bool:
    """An empty ``session.db`` among only pacer's own file names: a writer killed at birth."""
    try:
        if (path / DB_NAME).stat().st_size != 0:
            return False
        return all(p.name in SESSION_FILES for p in path.iterdir())
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
