"""Session lookup, deletion safety, "latest" by write time, replay of damaged sessions."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from pacer.errors import SessionError
from pacer.models import AccelBlock
from pacer.session.reader import (
    delete_session,
    iter_raw_accel,
    iter_raw_nmea,
    latest_session,
    list_sessions,
    open_session,
    previous_session_of,
    prune,
    raw_log_problems,
    read_meta_or_empty,
    resolve_session,
    session_bytes,
)
from pacer.session.store import SessionWriter


def _session(path: Path, start_utc: dt.datetime, mtime_s: float, workout: str = "w") -> Path:
    with SessionWriter.create(
        path, meta={"start_utc": start_utc.isoformat(), "workout": workout}
    ) as w:
        w.append_nmea(0.0, b"$GPRMC,x*00\r\n" * 10)
        w.append_accel(AccelBlock(0.0, 100.0, np.zeros((50, 3))))
    for f in path.iterdir():
        os.utime(f, (mtime_s, mtime_s))
    return path


def test_latest_and_prune_go_by_when_the_session_was_written(tmp_path):
    now_s = 1_790_000_000.0
    # every `pacer sim` starts at 2026-05-16 09:00; a replayed GPX is from 2021
    old_sim = _session(
        tmp_path / "20260516-090000", dt.datetime(2026, 5, 16, 9, tzinfo=dt.UTC), now_s - 7200
    )
    replay = _session(
        tmp_path / "20210617-180000", dt.datetime(2021, 6, 17, 18, tzinfo=dt.UTC), now_s
    )
    assert list_sessions(tmp_path) == [old_sim, replay]
    assert latest_session(tmp_path) == replay
    assert resolve_session(None, tmp_path) == replay
    assert previous_session_of(tmp_path, replay) == old_sim
    cap = session_bytes(replay) + 1
    assert prune(tmp_path, max_bytes=cap) == [old_sim]  # the one written first goes first
    assert list_sessions(tmp_path) == [replay]


def test_reading_a_crashed_session_does_not_make_it_latest(tmp_path):
    start = dt.datetime(2026, 5, 16, 9, tzinfo=dt.UTC)
    live = tmp_path / "live"
    w = SessionWriter.create(live, meta={"start_utc": start.isoformat()})
    w.append_nmea(0.0, b"x" * 100)
    w.flush()
    root = tmp_path / "data"
    crashed = root / "a"  # what a power cut leaves: the database with its WAL not merged
    crashed.mkdir(parents=True)
    for f in live.iterdir():
        shutil.copy2(f, crashed / f.name)
        os.utime(crashed / f.name, (1_700_000_000.0, 1_700_000_000.0))
    w.close()
    assert (crashed / "session.db-wal").exists()
    later = _session(root / "b", start, 1_700_000_100.0)
    open_session(crashed)  # recovers the WAL into session.db: its mtime becomes now
    assert latest_session(root) == later


def test_a_bare_name_means_the_data_directory(tmp_path, monkeypatch):
    data_dir = tmp_path / "D"
    t0 = dt.datetime(2026, 5, 16, 9, tzinfo=dt.UTC)
    in_data = _session(data_dir / "s1", t0, 1_700_000_000.0)
    monkeypatch.chdir(tmp_path)
    _session(tmp_path / "s1", t0, 1_700_000_000.0)
    _session(tmp_path / "only_here", t0, 1_700_000_000.0)
    assert resolve_session("s1", data_dir) == in_data
    assert resolve_session("./s1", data_dir) == Path("./s1")
    # reading: a session only in the current directory is still found by name ...
    assert resolve_session("only_here", data_dir) == Path("only_here")
    # ... deleting: never
    with pytest.raises(SessionError, match="no such session in"):
        resolve_session("only_here", data_dir, for_delete=True)
    delete_session(resolve_session("s1", data_dir, for_delete=True))
    assert not in_data.exists() and (tmp_path / "s1" / "session.db").exists()


def test_delete_refuses_what_is_not_a_pacer_session(tmp_path):
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    sqlite3.connect(project / "session.db").close()  # some other program's database
    with pytest.raises(SessionError, match="nothing deleted"):
        delete_session(project)
    plain = tmp_path / "plain"
    plain.mkdir()
    conn = sqlite3.connect(plain / "session.db")
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(SessionError, match="not a pacer session database"):
        delete_session(plain)
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / "session.db").write_bytes(b"not sqlite" * 200)
    with pytest.raises(SessionError, match="nothing deleted"):
        delete_session(garbage)
    assert (project / "src").is_dir() and (plain / "session.db").exists()
    assert (garbage / "session.db").exists()


def test_damaged_database_still_replays_from_the_nmea_copy(tmp_path):
    s = _session(tmp_path / "s", dt.datetime(2026, 5, 16, 9, tzinfo=dt.UTC), 1_700_000_000.0)
    nmea = (s / "gps.nmea").read_bytes()
    assert [c for _t, c in iter_raw_nmea(s)] == [nmea]
    assert len(list(iter_raw_accel(s))) == 1 and raw_log_problems(s) == []
    (s / "session.db").write_bytes(b"\0garbage" * 512)
    for extra in ("session.db-wal", "session.db-shm"):
        (s / extra).unlink(missing_ok=True)
    warnings: list[str] = []
    assert read_meta_or_empty(s, on_warning=warnings.append) == {}
    assert len(warnings) == 1 and "session.db" in warnings[0] and "\n" not in warnings[0]
    # the raw data lived in the database: what is left is the NMEA copy (GPS only),
    # which replay takes (tests/integration/test_end_to_end.py replays such a session)
    (problem,) = raw_log_problems(s)
    assert "session.db" in problem and "\n" not in problem
    assert list(iter_raw_nmea(s)) == [] and list(iter_raw_accel(s)) == []
    assert (s / "gps.nmea").read_bytes() == nmea
    with pytest.raises(SessionError):
        read_meta_or_empty(tmp_path / "nothing-here")


def test_a_session_killed_at_birth_can_be_deleted_but_not_a_folder_with_other_files(
    tmp_path: Path,
) -> None:
    # a writer killed between creating session.db (O_EXCL) and writing its schema
    stillborn = tmp_path / "stillborn"
    stillborn.mkdir()
    (stillborn / "session.db").touch()
    (stillborn / "session.db-wal").touch()
    delete_session(stillborn)
    assert not stillborn.exists()
    # the same empty database beside a file pacer never writes: refused, nothing deleted
    other = tmp_path / "other"
    other.mkdir()
    (other / "session.db").touch()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SessionError, match="nothing deleted"):
        delete_session(other)
    assert (other / "notes.txt").exists()
