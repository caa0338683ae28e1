"""Sessions for the web server: ids checked against a pattern and looked up in the
store's listing (never joined onto a path), and reads cached by the time the session
was last written, so a phone paging through one session opens it once.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pacer.session.reader import SessionData
    from pacer.web.stats import SessionRow

#: what a session id may look like (the store names them ``20261123-180000`` and the like)
SESSION_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: the sessions list's rows, kept in the state directory between runs
ROWS_FILE = "web-rows.json"
#: how many opened sessions stay in memory (a 4-hour session is ~10 MB of records)
OPEN_CACHE_SIZE = 2


def valid_session_id(session_id: str) -> bool:
    return SESSION_ID_RE.fullmatch(session_id) is not None and ".." not in session_id


class SessionIndex:
    """The sessions of one data directory, read through small caches."""

    def __init__(self, data_dir: Path, state_dir: Path | None = None) -> None:
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._open: OrderedDict[tuple[str, float], SessionData] = OrderedDict()
        #: the list's rows survive a restart here (opening 100 sessions takes a while)
        self._rows_file = Path(state_dir) / ROWS_FILE if state_dir is not None else None
        self._rows: dict[str, tuple[float, SessionRow]] = load_rows(self._rows_file)

    def paths(self) -> dict[str, Path]:
        """id -> directory, newest written first."""
        from pacer.session.reader import list_sessions

        return {p.name: p for p in reversed(list_sessions(self.data_dir))}

    def lookup(self, session_id: str) -> Path | None:
        """The directory of ``session_id``, or None when the id is malformed or unknown."""
        if not valid_session_id(session_id):
            return None
        return self.paths().get(session_id)

    def open(self, path: Path) -> SessionData:
        """``open_session`` through the cache (a live session is re-read when written)."""
        from pacer.session.reader import open_session, written_time_s

        key = (path.name, written_time_s(path))
        with self._lock:
            if key in self._open:
                self._open.move_to_end(key)
                return self._open[key]
        data = open_session(path)
        with self._lock:
            self._open[key] = data
            while len(self._open) > OPEN_CACHE_SIZE:
                self._open.popitem(last=False)
        return data

    def rows(self) -> list[SessionRow]:
        """One :class:`~pacer.web.stats.SessionRow` per readable session, newest first."""
        from pacer.errors import SessionError
        from pacer.session.lock import held_by_writer
        from pacer.session.reader import open_session, written_time_s
        from pacer.web.stats import session_row

        out, changed = [], False
        paths = self.paths()
        for name, path in paths.items():
            written = written_time_s(path)
            cached = self._rows.get(name)
            if cached is None or cached[0] != written:
                changed = True
                try:
                    cached = (written, session_row(open_session(path)))
                except SessionError:
                    continue  # a damaged session is left out of the list, not fatal
                self._rows[name] = cached
            row = cached[1]
            if row.ended != "live" and held_by_writer(path):  # recording again? (replay)
                row = replace(row, ended="live")
            out.append(row)
        if changed and self._rows_file is not None:
            save_rows(self._rows_file, {k: v for k, v in self._rows.items() if k in paths})
        return out

    def forget(self, session_id: str) -> None:
        with self._lock:
            self._rows.pop(session_id, None)
            for key in [k for k in self._open if k[0] == session_id]:
                del self._open[key]


def load_rows(path: Path | None) -> dict[str, tuple[float, SessionRow]]:
    """The rows :func:`save_rows` kept ({} when there are none or they do not load)."""
    import datetime as dt
    import json

    from pacer.web.stats import SessionRow

    if path is None:
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        out = {}
        for name, (written, row) in doc.items():
            row["start_utc"] = dt.datetime.fromisoformat(row["start_utc"]) \
                if row["start_utc"] else None
            row["rep_times_s"] = tuple(row["rep_times_s"])
            out[name] = (float(written), SessionRow(**row))
        return out
    except (OSError, ValueError, TypeError, KeyError):
        return {}  # rebuilt from the sessions


def save_rows(path: Path, rows: dict[str, tuple[float, SessionRow]]) -> None:
    import dataclasses
    import json

    from pacer.web.settings import write_atomic

    doc = {}
    for name, (written, row) in rows.items():
        d = dataclasses.asdict(row)
        d["start_utc"] = row.start_utc.isoformat() if row.start_utc else None
        doc[name] = (written, d)
    try:
        write_atomic(path, json.dumps(doc).encode("utf-8"))
    except OSError:
        pass  # a cache: the list still works without it
