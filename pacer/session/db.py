"""Open a session database for reading, without ever writing to it.

Readers connect read-only (``mode=ro``): SQLite still reads a crashed session's WAL (its
own recovery, rebuilt in the shared-memory index, never written back), a session being
recorded reads as one consistent snapshot of its last commit, and reading never changes
``session.db`` -- so a review cannot make an old session look recently written. On a
read-only medium, where SQLite cannot create the WAL index beside a closed database,
the database is opened ``immutable``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pacer.errors import SessionError
from pacer.session.schema import DB_NAME


def connect(db_path: Path) -> sqlite3.Connection:
    """A read-only connection to a session database; SessionError (one line) if there is
    none or it is not a database."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise SessionError(f"{db_path.parent}: not a session directory (no {DB_NAME})")
    first_error: sqlite3.Error | None = None
    for uri in (f"file:{db_path}?mode=ro", f"file:{db_path}?mode=ro&immutable=1"):
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        try:
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


def schema_version(conn: sqlite3.Connection) -> int:
    """``PRAGMA user_version`` of a session database."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])
