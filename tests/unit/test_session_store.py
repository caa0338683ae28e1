"""SessionWriter/open_session: round trip, crash safety, full disk, damage, migrations."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from pacer.errors import SessionError
from pacer.models import (
    AccelBlock,
    Cue,
    CueKind,
    DistanceSource,
    Estimate,
    Fix,
    Rep,
    RepKind,
)  # fmt: skip
from pacer.session.rawread import ACCEL_DTYPE, accel_samples
from pacer.session.reader import (
    default_data_dir,
    delete_session,
    iter_raw_accel,
    iter_raw_nmea,
    latest_session,
    list_sessions,
    open_session,
    prune,
    raw_log_problems,
)  # fmt: skip
from pacer.session.schema import DB_NAME, SCHEMA_VERSION, migrate
from pacer.session.store import SessionWriter, new_session_path

REPO = Path(__file__).resolve().parents[2]
UTC0 = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def _est(t_s: float, dist: float = 0.0) -> Estimate:
    return Estimate(
        t_s=t_s,
        utc=UTC0 + dt.timedelta(seconds=t_s),
        distance_m=dist,
        speed_mps=4.0,
        speed_confidence=0.9,
        cadence_spm=176.0,
        cadence_confidence=0.7,
        distance_source=DistanceSource.FUSED,
        gps_ok=True,
        lat_deg=51.5,
        lon_deg=-0.1,
        on_track=False,
    )


def test_round_trip_every_record_kind(tmp_path):
    fix = Fix(
        t_s=1.0,
        utc=UTC0,
        valid=True,
        lat_deg=51.5,
        lon_deg=-0.1,
        alt_m=12.5,
        speed_mps=3.9,
        course_deg=271.0,
        fix_quality=1,
        hdop=0.8,
        sats=11,
        pdop=1.5,
        vdop=1.1,
        sats_in_view=14,
        lat_err_m=1.2,
        lon_err_m=1.3,
        alt_err_m=2.0,
        talker="GN",
    )
    nofix = Fix(t_s=2.0, utc=None, valid=False)
    rep = Rep(
        index=3,
        kind=RepKind.WORK,
        start_s=60.0,
        duration_s=71.8,
        distance_m=400.0,
        start_utc=UTC0,
        target_distance_m=400.0,
        target_duration_s=72.0,
        target_pace_s_per_km=180.0,
        pace_s_per_km=179.5,
        cadence_spm=182.0,
        distance_source=DistanceSource.TRACK,
        label="rep 3 of 8",
    )
    block = AccelBlock(
        t0_s=0.5, rate_hz=98.7, samples_mps2=np.arange(30.0).reshape(10, 3), lost_samples=4
    )
    with SessionWriter.create(
        tmp_path / "s", meta={"workout": "8x400", "sources": {"gps": "x"}}
    ) as w:
        w.append_nmea(0.25, b"$GPGGA,1*00\r\n$GPR")
        w.append_nmea(0.50, b"MC,2*00\r\n")
        w.append_accel(block)
        w.add_fix(fix)
        w.add_fix(nofix)
        w.add_estimate(_est(1.0, 4.0))
        w.add_rep(rep)
        cid = w.add_cue(
            Cue(
                t_s=131.8,
                kind=CueKind.REP_SUMMARY,
                text="71.8, two tenths quick",
                priority=3,
                expires_s=140.0,
            )
        )
        w.update_cue(cid, duration_s=1.7)
        w.update_cue(cid, dropped=True)
        w.add_event(5.0, "device", "gps lost")
        w.set_counters("nmea", {"lines": 10, "bad_checksum": 1})
        w.set_counters("nmea", {"lines": 12, "bad_checksum": 1})
    data = open_session(tmp_path / "s")
    assert data.ended == "normal"
    assert data.meta["workout"] == "8x400" and data.meta["sources"] == {"gps": "x"}
    assert data.fixes == (fix, nofix)
    assert data.estimates == (_est(1.0, 4.0),)
    assert data.reps == (rep,)
    (cue,) = data.cues
    assert (cue.duration_s, cue.dropped, cue.expires_s, cue.text) == (
        1.7,
        True,
        140.0,
        "71.8, two tenths quick",
    )
    assert data.events[0].message == "gps lost"
    assert data.counters == {"nmea": {"lines": 12, "bad_checksum": 1}}
    assert (
        b"".join(c for _, c in iter_raw_nmea(tmp_path / "s")) == b"$GPGGA,1*00\r\n$GPRMC,2*00\r\n"
    )
    assert [t for t, _ in iter_raw_nmea(tmp_path / "s")] == [0.25, 0.5]
    (back,) = iter_raw_accel(tmp_path / "s")
    assert (back.t0_s, back.rate_hz, back.lost_samples) == (0.5, 98.7, 4)
    np.testing.assert_allclose(back.samples_mps2, block.samples_mps2, rtol=1e-6)


def test_unclosed_session_is_abrupt_and_keeps_flushed_rows(tmp_path):
    w = SessionWriter.create(tmp_path / "s", meta={})
    w.add_estimate(_est(1.0))
    w.flush()
    w.add_estimate(_est(2.0))  # queued, never flushed: a crash loses it
    assert open_session(tmp_path / "s").ended == "live"  # the writer still holds it
    shutil.copytree(tmp_path / "s", tmp_path / "crashed")  # what a power cut leaves
    data = open_session(tmp_path / "crashed")
    assert data.ended == "abrupt"
    assert [e.t_s for e in data.estimates] == [1.0]
    w.close()


def test_existing_session_is_not_overwritten(tmp_path):
    SessionWriter.create(tmp_path / "s", meta={}).close()
    with pytest.raises(SessionError, match="already exists"):
        SessionWriter.create(tmp_path / "s", meta={})


CHILD = textwrap.dedent("""
    import sys, datetime as dt
    from pathlib import Path
    import numpy as np
    from pacer.models import AccelBlock, DistanceSource, Estimate
    from pacer.session.store import SessionWriter
    w = SessionWriter.create(Path(sys.argv[1]), meta={"workout": "crash"})
    t = 0.0
    while True:
        for _ in range(10):  # 1 s of session time at 10 Hz, then flush
            t = round(t + 0.1, 1)
            w.append_nmea(t, f"$GPRMC,{t:.1f}*00\\r\\n".encode())
            w.append_accel(AccelBlock(t, 100.0, np.full((10, 3), t)))
            w.add_estimate(Estimate(t, None, t * 4.0, 4.0, 0.9, 170.0, 0.8,
                                    DistanceSource.GPS, True))
        w.flush()
        print(t, flush=True)
""")


def test_sigkill_mid_write_loses_at_most_the_unflushed_second(tmp_path):
    session = tmp_path / "crash"
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(session)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    flushed = [float(proc.stdout.readline()) for _ in range(30)]
    proc.send_signal(signal.SIGKILL)  # the child keeps writing while we read: kill mid-write
    proc.wait()
    proc.stdout.close()
    data = open_session(session)
    assert data.ended == "abrupt"
    times = [e.t_s for e in data.estimates]
    # everything reported flushed is there, in order, without holes
    assert times[-1] >= flushed[-1]
    np.testing.assert_allclose(np.diff(times), 0.1, atol=1e-9)
    # the raw logs read back whole chunks only, consistent with their index
    chunks = list(iter_raw_nmea(session))
    assert chunks[-1][0] >= flushed[-1]
    assert all(c == f"$GPRMC,{t:.1f}*00\r\n".encode() for t, c in chunks)
    blocks = list(iter_raw_accel(session))
    assert blocks[-1].t0_s >= flushed[-1]
    assert all(np.all(b.samples_mps2 == np.float32(b.t0_s)) for b in blocks)


def test_full_disk_stops_raw_logs_keeps_database_and_says_it_once(tmp_path):
    said = []
    w = SessionWriter.create(tmp_path / "s", meta={}, on_problem=said.append)
    # a disk with room for a few seconds of raw data: SQLite's own "disk is full" limit
    pages = w._conn.execute("PRAGMA page_count").fetchone()[0]
    w._conn.execute(f"PRAGMA max_page_count = {pages + 4}")
    for second in range(20):
        for k in range(10):
            t = second + k / 10
            w.append_nmea(t, b"$GPRMC,0123456789*00\r\n")
            w.append_accel(AccelBlock(t, 100.0, np.ones((10, 3))))
        w.add_estimate(_est(float(second)))
        w.flush()  # must not raise
    w.close()
    assert len(said) == 1 and "disk full" in said[0]
    assert not w.raw_logging
    data = open_session(tmp_path / "s")
    assert data.ended == "normal"
    assert [e.t_s for e in data.estimates] == [float(s) for s in range(20)]  # coaching data kept
    assert [e.kind for e in data.events] == ["disk_full"]
    # what the raw tables hold is whole and consistent: whole flushes only
    chunks = list(iter_raw_nmea(tmp_path / "s"))
    assert 0 < len(chunks) < 200 and len(chunks) % 10 == 0  # whole flushes only
    assert all(c == b"$GPRMC,0123456789*00\r\n" for _, c in chunks)
    assert raw_log_problems(tmp_path / "s") == []
    blocks = list(iter_raw_accel(tmp_path / "s"))
    assert len(blocks) == len(chunks) and all(b.n == 10 for b in blocks)
    assert not (tmp_path / "s" / "gps.nmea").exists()  # no plain copy of stopped raw logs


def test_database_full_keeps_rows_queued_and_never_raises(tmp_path):
    said = []
    w = SessionWriter.create(tmp_path / "s", meta={}, on_problem=said.append)
    w._conn.execute("PRAGMA max_page_count = 12")  # SQLite's own "disk is full" limit
    for i in range(400):
        w.add_event(float(i), "note", "x" * 200)
        w.add_estimate(_est(float(i)))
        w.flush()
    assert len(said) == 1 and "database" in said[0]
    assert w.raw_logging is False  # raw logs stopped to leave space for SQLite
    w._conn.execute("PRAGMA max_page_count = 1000000")  # space freed
    w.close()
    data = open_session(tmp_path / "s")
    got = [e.t_s for e in data.estimates]
    assert got == sorted(got) and len(got) + w.ops_dropped // 2 >= 399


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_real_full_tmpfs(tmp_path):
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)], capture_output=True
        ).returncode
        != 0
    ):
        pytest.skip("cannot mount tmpfs here")
    try:
        said = []
        w = SessionWriter.create(
            mnt / "s", meta={"workout": "full"}, on_problem=said.append, reserve_bytes=2560 * 1024
        )
        chunk = b"$GPGSV,3,1,12,01,40,083,46,02,17,308,41,12,07,344,39,14,22,228,45*75\r\n" * 40
        for i in range(400):  # ~1.9 MB of raw data, 1.5 MB before the reserve
            w.append_nmea(float(i), chunk)
            w.append_accel(AccelBlock(float(i), 100.0, np.ones((100, 3))))
            w.add_estimate(_est(float(i)))
            w.flush()
        w.close()
        assert said and "disk nearly full" in said[0]  # raw logs stopped first
        data = open_session(mnt / "s")  # still readable
        assert data.ended == "normal"
        assert [e.t_s for e in data.estimates] == [float(i) for i in range(400)]
        assert all(c == chunk for _, c in iter_raw_nmea(mnt / "s"))
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_damaged_database_is_one_line_session_error(tmp_path):
    s = tmp_path / "bad"
    s.mkdir()
    (s / DB_NAME).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(SessionError) as err:
        open_session(s)
    assert str(s / DB_NAME) in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(SessionError, match="no session.db"):
        open_session(tmp_path / "missing")


def test_an_nmea_copy_is_written_at_close_and_the_closed_session_is_one_file(tmp_path):
    with SessionWriter.create(tmp_path / "s", meta={}) as w:
        w.append_nmea(1.0, b"AAAA")
        w.append_accel(AccelBlock(1.0, 50.0, np.full((5, 3), 2.5), lost_samples=3))
        w.append_accel(AccelBlock(1.2, 50.0, np.full((2, 3), -1.0)))
        w.flush()
        w.append_nmea(2.0, b"BBBB")
    s = tmp_path / "s"
    assert (s / "gps.nmea").read_bytes() == b"AAAABBBB"  # the receiver's bytes, as read
    # closed: the WAL folded in, rollback-journal mode -- one file for any SQLite tool
    assert sorted(p.name for p in s.iterdir()) == ["gps.nmea", "session.db"]
    conn = sqlite3.connect(s / DB_NAME)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("SELECT t_s, data FROM raw_nmea").fetchall() == [
        (1.0, b"AAAA"), (2.0, b"BBBB")]
    conn.close()
    samples = accel_samples(s)  # the accelerometer samples stay in session.db only
    assert samples.dtype == ACCEL_DTYPE
    np.testing.assert_allclose(samples["t_s"], [1.0, 1.02, 1.04, 1.06, 1.08, 1.2, 1.22])
    assert samples["ax"].tolist() == [2.5] * 5 + [-1.0] * 2
    assert list(iter_raw_nmea(s)) == [(1.0, b"AAAA"), (2.0, b"BBBB")]
    block, second = iter_raw_accel(s)
    assert (block.t0_s, block.rate_hz, block.n, block.lost_samples) == (1.0, 50.0, 5, 3)
    assert (second.t0_s, second.n) == (1.2, 2)


def test_migration_from_version_1_to_current(tmp_path):
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db, isolation_level=None)
    from pacer.session.schema import MIGRATIONS

    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO events VALUES (1.0, 'k', 'kept')")
    assert migrate(conn) == 1
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT message FROM events").fetchall() == [("kept",)]
    conn.execute("INSERT INTO counters VALUES ('n', '{}')")
    conn.close()


def test_newer_schema_is_refused(tmp_path):
    SessionWriter.create(tmp_path / "s", meta={}).close()
    conn = sqlite3.connect(tmp_path / "s" / DB_NAME)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SessionError, match="newer"):
        open_session(tmp_path / "s")


def test_data_dir_listing_latest_delete_and_prune(tmp_path, monkeypatch):
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "pacer" / "sessions"
    monkeypatch.setenv("STATE_DIRECTORY", "/var/lib/pacer")
    assert default_data_dir() == Path("/var/lib/pacer/sessions")
    root = tmp_path / "sessions"
    paths = []
    for k in range(3):
        p = new_session_path(root, UTC0 + dt.timedelta(days=k))
        with SessionWriter.create(p, meta={}) as w:
            w.append_nmea(0.0, b"x" * 20_000)
        paths.append(p)
    assert new_session_path(root, UTC0).name == "20261120-100000-2"
    assert list_sessions(root) == paths and latest_session(root) == paths[-1]
    with pytest.raises(SessionError):
        delete_session(tmp_path)  # not a session: refused
    one = sum(f.stat().st_size for f in paths[0].iterdir())
    deleted = prune(root, max_bytes=2 * one + 10, keep=paths[0])
    assert deleted == [paths[1]]  # oldest that is not the running one
    assert list_sessions(root) == [paths[0], paths[2]]


def test_update_cue_from_an_audio_outcome_record(tmp_path):
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Outcome:  # the fields pacer.audio.output.CueOutcome carries
        t_s: float
        start_s: float | None
        duration_s: float
        dropped: bool
        engine: str
        text: str = ""
        truncated: bool = False
        reason: str = ""
        latency_s: float | None = None

    with SessionWriter.create(tmp_path / "s", meta={}) as w:
        w.add_cue(Cue(t_s=10.0, kind=CueKind.SPLIT, text="200, 35 seconds"))
        w.add_cue(Cue(t_s=12.0, kind=CueKind.STATUS, text="gps back"))
        w.update_cue(Outcome(10.0, 10.3, 1.6, False, "pyttsx3", "200, 35 seconds", latency_s=0.3))
        w.update_cue(Outcome(12.0, None, 0.0, True, "", "gps back", reason="expired"))
        w.update_cue(Outcome(99.0, None, 0.0, True, "", "never said"))  # unknown: ignored
    data = open_session(tmp_path / "s")
    assert [(c.duration_s, c.dropped) for c in data.cues] == [(1.6, False), (0.0, True)]
    assert data.cue_audio[0] == {
        "start_s": 10.3,
        "latency_s": 0.3,
        "engine": "pyttsx3",
        "truncated": 0,
        "reason": "",
    }
    assert data.cue_audio[1]["reason"] == "expired"
    from pacer.review.text import cue_lines

    lines = cue_lines(data)
    assert "started 0.3 s late" in lines[0] and "(dropped: expired)" in lines[1]


def test_reader_opens_an_old_version_1_session_without_changing_it(tmp_path):
    from pacer.session import rows
    from pacer.session.schema import MIGRATIONS

    s = tmp_path / "old"
    s.mkdir()
    conn = sqlite3.connect(s / DB_NAME, isolation_level=None)
    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO meta VALUES ('ended', '\"normal\"')")
    conn.execute(
        f"INSERT INTO estimates VALUES ({','.join('?' * 14)})", rows.estimate_row(_est(3.0))[:14]
    )
    conn.execute(
        f"INSERT INTO cues VALUES ({','.join('?' * 8)})",
        rows.cue_row(1, Cue(t_s=1.0, kind=CueKind.GO, text="go")),
    )
    conn.close()
    data = open_session(s)
    assert data.ended == "normal" and data.estimates == (_est(3.0),)
    assert data.counters == {} and data.cue_audio == ({},)
    conn = sqlite3.connect(s / DB_NAME)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1  # read, not migrated
    conn.close()


def test_a_rep_stopped_short_is_kept_but_not_counted_in_the_work_totals(tmp_path) -> None:
    from pacer.models import DistanceSource, Rep, RepKind
    from pacer.review.summary import summarize
    from pacer.session.reader import open_session
    from pacer.session.store import SessionWriter

    w = SessionWriter.create(tmp_path / "s", meta={"workout": "4x(200m @40s, r30s)"})
    w.add_rep(Rep(0, RepKind.WORK, 10.0, 40.0, 200.0, target_distance_m=200.0,
                  distance_source=DistanceSource.GPS, label="rep 1 of 4"))
    w.add_rep(Rep(1, RepKind.WORK, 90.0, 8.0, 41.0, target_distance_m=200.0,
                  distance_source=DistanceSource.GPS, label="rep 2 of 4, stopped",
                  completed=False))
    w.close()
    data = open_session(tmp_path / "s")
    assert [r.completed for r in data.reps] == [True, False]
    s = summarize(data)
    assert s.work_reps == 1 and s.work_distance_m == 200.0
