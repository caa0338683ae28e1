"""Sessions for the web server: ids checked against a pattern and looked up in the
store's listing (never joined onto a path); the list's rows and each session's page
made by the child process :mod:`pacer.web.render` and cached by the time the session
was last written (a phone paging through one session renders it once).

No numpy here and no session records held: the server stays small (docs/web.md).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path

from pacer.errors import SessionError
from pacer.session.catalog import list_sessions, written_time_s
from pacer.session.lock import held_by_writer
from pacer.web.exports import ONE_CHILD
from pacer.web.settings import write_atomic
from pacer.web.stats import SessionRow, row_from_json, row_json

#: what a session id may look like (the store names them ``20261123-180000`` and the like)
SESSION_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: the sessions list's rows, kept in the state directory between runs
ROWS_FILE = "web-rows.json"
#: how many session pages stay in memory (a 4-hour session's page is ~340 KB)
PAGE_CACHE_SIZE = 4
#: a child taking longer than this is stopped
RENDER_TIMEOUT_S = 120.0


def valid_session_id(session_id: str) -> bool:
    return SESSION_ID_RE.fullmatch(session_id) is not None and ".." not in session_id


def _render(*args: str) -> str:
    """Run ``python -m pacer.web.render ARGS``; its standard output."""
    try:
        with ONE_CHILD:
            done = subprocess.run([sys.executable, "-m", "pacer.web.render", *args],
                                  capture_output=True, text=True, timeout=RENDER_TIMEOUT_S,
                                  check=False, env=dict(os.environ, PYTHONWARNINGS="ignore"))
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SessionError(f"could not read the session ({exc})") from None
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise SessionError(lines[-1].removeprefix("pacer: error: ") if lines
                           else f"could not read the session ({done.returncode})")
    return done.stdout


class SessionIndex:
    """The sessions of one data directory, read through small caches."""

    def __init__(self, data_dir: Path, state_dir: Path | None = None) -> None:
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._render_lock = threading.Lock()
        self._rows_lock = threading.Lock()
        self._pages: OrderedDict[tuple[str, float], str] = OrderedDict()
        #: the list's rows survive a restart here (opening 100 sessions takes a while)
        self._rows_file = Path(state_dir) / ROWS_FILE if state_dir is not None else None
        self._rows: dict[str, tuple[float, SessionRow]] = load_rows(self._rows_file)

    def paths(self) -> dict[str, Path]:
        """id -> directory, newest written first."""
        return {p.name: p for p in reversed(list_sessions(self.data_dir))}

    def lookup(self, session_id: str) -> Path | None:
        """The directory of ``session_id``, or None when the id is malformed or unknown."""
        if not valid_session_id(session_id):
            return None
        return self.paths().get(session_id)

    def page(self, path: Path) -> str:
        """The session's page (with the CSRF placeholder), rendered once per write."""
        key = (path.name, written_time_s(path))
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        with self._render_lock:  # the prerender and a request: one child, not two
            with self._lock:
                if key in self._pages:
                    return self._pages[key]
            text = _render("page", str(self.data_dir.resolve()), str(path.resolve()))
        with self._lock:
            self._pages[key] = text
            while len(self._pages) > PAGE_CACHE_SIZE:
                self._pages.popitem(last=False)
        return text

    def _prerender(self, path: Path) -> None:
        """Render the newest session's page in the background: it is the one a runner
        opens after a run, and the first render takes a child process (~0.7 s here)."""

        def work() -> None:
            try:
                self.page(path)
            except SessionError:
                pass  # the page request reports it

        threading.Thread(target=work, name="pacer-web-prerender", daemon=True).start()

    def rows(self) -> list[SessionRow]:
        """One :class:`~pacer.web.stats.SessionRow` per readable session, newest first;
        sessions written since their row was made are read again (one child for all)."""
        with self._rows_lock:  # two phones at once: one child reads the new sessions
            return self._rows_now()

    def _rows_now(self) -> list[SessionRow]:
        paths = self.paths()
        written = {name: written_time_s(p) for name, p in paths.items()}
        stale = [name for name in paths
                 if name not in self._rows or self._rows[name][0] != written[name]]
        if stale:
            out = _render("rows", *(str(paths[n].resolve()) for n in stale))
            for line in out.splitlines():
                doc = json.loads(line)
                if "error" not in doc:  # a damaged session is left out, not fatal
                    self._rows[doc["id"]] = (written[doc["id"]], row_from_json(doc))
            self._rows = {k: v for k, v in self._rows.items() if k in paths}
            if self._rows_file is not None:
                save_rows(self._rows_file, self._rows)
            self._prerender(next(iter(paths.values())))
        out_rows = []
        for name, path in paths.items():
            if name in self._rows:
                row = self._rows[name][1]
                if row.ended != "live" and held_by_writer(path):  # being recorded
                    row = replace(row, ended="live")
                out_rows.append(row)
        return out_rows

    def forget(self, session_id: str) -> None:
        with self._lock:
            self._rows.pop(session_id, None)
            for key in [k for k in self._pages if k[0] == session_id]:
                del self._pages[key]


def load_rows(path: Path | None) -> dict[str, tuple[float, SessionRow]]:
    """The rows :func:`save_rows` kept ({} when there are none or they do not load)."""
    if path is None:
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return {name: (float(written), row_from_json(row))
                for name, (written, row) in doc.items()}
    except (OSError, ValueError, TypeError, KeyError):
        return {}  # rebuilt from the sessions


def save_rows(path: Path, rows: dict[str, tuple[float, SessionRow]]) -> None:
    doc = {name: (written, json.loads(row_json(row))) for name, (written, row) in rows.items()}
    try:
        write_atomic(path, json.dumps(doc).encode("utf-8"))
    except OSError:
        pass  # a cache: the list still works without it
