"""What a crash, a damaged WAL, a live writer or a careless command can do to a session,
and what must survive (SQLite's WAL carries the crash safety; readers never write)."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from pacer.errors import SessionError
from pacer.models import DistanceSource, Estimate
from pacer.session import rows
from pacer.session.rawread import write_nmea_copy
from pacer.session.reader import (
    delete_session,
    iter_raw_nmea,
    open_session,
    prune,
    raw_log_problems,
    read_meta,
    session_overview,
)
from pacer.session.store import SessionWriter


def _est(t_s: float) -> Estimate:
    return Estimate(t_s, None, 4.0 * t_s, 4.0, 0.9, 170.0, 0.8, DistanceSource.GPS, True)


def _committed(directory: Path) -> list[float]:
    """Estimate times in the session as any SQLite tool sees them (read-only)."""
    conn = sqlite3.connect(f"file:{directory / 'session.db'}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT t_s FROM estimates ORDER BY rowid")]
    finally:
        conn.close()


def _crashed(tmp_path: Path, seconds: int, name: str = "crashed") -> tuple[Path, SessionWriter]:
    """A session flushed ``seconds`` times (one estimate each) as a power cut leaves it;
    and the live writer it was copied from (the caller closes it)."""
    live = tmp_path / "live"
    w = SessionWriter.create(live, meta={"workout": "easy"})
    for s in range(seconds):
        w.add_estimate(_est(float(s)))
        w.append_nmea(float(s), b"$GPRMC,x*00\r\n")
        w.set_meta("last", s)
        w.flush()
    crashed = tmp_path / name
    shutil.copytree(live, crashed)
    return crashed, w


def _digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in directory.iterdir() if not p.name.endswith("-shm")}  # fmt: skip


# ------------------------------------------------------------------ a crashed session


def test_every_flush_is_committed_and_a_crash_keeps_all_of_them(tmp_path) -> None:
    crashed, w = _crashed(tmp_path, 25)
    w.add_estimate(_est(25.0))  # queued, never flushed: the crash loses it
    assert _committed(tmp_path / "live") == [float(s) for s in range(25)]
    w.close()
    data = open_session(crashed)
    assert data.ended == "abrupt"
    assert [e.t_s for e in data.estimates] == [float(s) for s in range(25)]
    assert read_meta(crashed)["last"] == 24
    assert _committed(crashed) == [float(s) for s in range(25)]  # any SQLite tool too


def test_readers_never_write_to_a_crashed_session(tmp_path) -> None:
    """Reading (review, list, export, replay) leaves session.db and its WAL byte for
    byte as the crash left them: nothing half applied if a reader dies, nothing that
    makes an old session look recently written."""
    crashed, w = _crashed(tmp_path, 17)
    w.close()
    before = _digests(crashed)
    assert (crashed / "session.db-wal").stat().st_size > 0
    for _ in range(2):
        assert [e.t_s for e in open_session(crashed).estimates] == [
            float(s) for s in range(17)]
        assert session_overview(crashed).ended == "abrupt"
        assert len(list(iter_raw_nmea(crashed))) == 17
    assert _digests(crashed) == before


def test_a_zero_filled_wal_tail_is_a_power_cut_not_damage(tmp_path) -> None:
    crashed, w = _crashed(tmp_path, 13)
    w.close()
    with open(crashed / "session.db-wal", "ab") as f:  # size grew, the data never made it
        f.write(bytes(4096 + 24))
    data = open_session(crashed)
    assert [e.t_s for e in data.estimates] == [float(s) for s in range(13)]
    assert raw_log_problems(crashed) == []


def test_a_flipped_bit_in_the_last_commit_ends_the_session_before_it(tmp_path) -> None:
    crashed, w = _crashed(tmp_path, 13)
    w.close()
    wal = bytearray((crashed / "session.db-wal").read_bytes())
    wal[-100] ^= 0x40  # inside the last frame: its checksum no longer matches
    (crashed / "session.db-wal").write_bytes(bytes(wal))
    assert [e.t_s for e in open_session(crashed).estimates] == [float(s) for s in range(12)]


# ------------------------------------------------------------------ a live session


def test_a_session_being_recorded_is_not_deleted_or_pruned(tmp_path) -> None:
    data_dir = tmp_path / "data"
    w = SessionWriter.create(data_dir / "live", meta={"workout": "easy"})
    w.append_nmea(0.0, b"$GPRMC,x*00\r\n" * 1000)
    w.flush()
    with pytest.raises(SessionError, match="being recorded"):
        delete_session(data_dir / "live")
    assert prune(data_dir, 0) == []
    assert (data_dir / "live" / "session.db").exists()
    w.add_estimate(_est(1.0))
    w.close()
    assert [e.t_s for e in open_session(data_dir / "live").estimates] == [1.0]
    delete_session(data_dir / "live")  # once closed, it may go
    assert not (data_dir / "live").exists()


def test_a_second_writer_on_a_live_session_is_refused(tmp_path) -> None:
    w = SessionWriter.create(tmp_path / "s", meta={})
    with pytest.raises(SessionError):
        SessionWriter.create(tmp_path / "s", meta={})
    w.add_estimate(_est(0.0))
    w.close()
    assert [e.t_s for e in open_session(tmp_path / "s").estimates] == [0.0]


def test_two_writers_racing_for_one_directory_one_is_refused(tmp_path, monkeypatch) -> None:
    """A second writer that creates the session between the first one's check and its
    database (two runs started in the same second): exactly one of them may write."""
    import pacer.session.store as store

    real_connect = sqlite3.connect
    outcomes: list[str] = []

    def connect_after_a_rival(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not outcomes:
            outcomes.append("rival started")
            monkeypatch.setattr(store.sqlite3, "connect", real_connect)
            try:
                rival = SessionWriter.create(tmp_path / "s", meta={"who": "rival"})
            except SessionError:
                outcomes.append("rival refused")
            else:
                outcomes.append("rival writes")
                rival.close()
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(store.sqlite3, "connect", connect_after_a_rival)
    try:
        first = SessionWriter.create(tmp_path / "s", meta={"who": "first"})
    except SessionError:
        outcomes.append("first refused")
    else:
        outcomes.append("first writes")
        first.close()
    assert sum(o.endswith("writes") for o in outcomes) == 1, outcomes


def test_a_session_being_recorded_reads_as_live_not_abrupt(tmp_path) -> None:
    from pacer.review.summary import summarize
    from pacer.review.text import summary_lines

    crashed, w = _crashed(tmp_path, 3)
    live = tmp_path / "live"
    assert open_session(live).ended == "live"
    assert session_overview(live).ended == "live"
    assert "still being recorded" in summary_lines(summarize(open_session(live)))[0]
    assert open_session(crashed).ended == "abrupt"  # the copy: nobody holds it
    w.close()
    assert open_session(live).ended == "normal"


def test_readers_in_a_loop_never_disturb_a_live_writer(tmp_path) -> None:
    """review/list/export opened again and again while a session is recorded: the writer
    sees no error, every reader sees a gap-free prefix, and every flush is committed."""
    import threading

    w = SessionWriter.create(tmp_path / "s", meta={"workout": "easy"})
    stop = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def read_loop() -> None:
        while not stop.is_set():
            try:
                data = open_session(tmp_path / "s")
                times = [e.t_s for e in data.estimates]
                assert times == [float(s) for s in range(len(times))]
                assert data.meta.get("last", -1) == len(times) - 1  # one snapshot
                assert session_overview(tmp_path / "s").ended == "live"
                seen.append(len(times))
            except BaseException as exc:  # reported below
                errors.append(exc)
                return

    reader = threading.Thread(target=read_loop)
    reader.start()
    try:
        for s in range(120):
            w.add_estimate(_est(float(s)))
            w.set_meta("last", s)
            w.flush()
            if s % 10 == 5:  # committed at once: any SQLite tool sees it
                assert len(_committed(tmp_path / "s")) == s + 1
    finally:
        stop.set()
        reader.join(30)
    assert not errors, errors
    assert seen and w.problems == []
    w.close()
    assert _committed(tmp_path / "s") == [float(s) for s in range(120)]


def test_a_commit_while_a_reader_reads_a_live_session_doubles_nothing(tmp_path,
                                                                       monkeypatch) -> None:
    """The writer commits (and flushes on) in the middle of a reader's read: the reader
    still sees every row once, in order, with no gap, and meta from the same snapshot
    (deterministic version of the loop above)."""
    w = SessionWriter.create(tmp_path / "s", meta={})
    for s in range(25):
        w.add_estimate(_est(float(s)))
        w.set_meta("last", s)
        w.flush()
    real_row = rows.estimate_from_row
    more = iter(range(25, 40))

    def row_while_the_writer_goes_on(row):  # type: ignore[no-untyped-def]
        for s in more:  # 15 commits between two rows of one read
            w.add_estimate(_est(float(s)))
            w.set_meta("last", s)
            w.flush()
        return real_row(row)

    monkeypatch.setattr(rows, "estimate_from_row", row_while_the_writer_goes_on)
    data = open_session(tmp_path / "s")
    times = [e.t_s for e in data.estimates]
    assert times == [float(s) for s in range(len(times))] and len(times) >= 25
    assert data.meta["last"] == times[-1]
    w.close()


# ------------------------------------------------------------------ the NMEA copy


def _close_and_die_mid_copy(directory: str) -> None:
    """Child: write a session, die (like kill -9) halfway through the gps.nmea copy."""
    import builtins

    w = SessionWriter.create(Path(directory), meta={})
    for s in range(5):
        w.append_nmea(float(s), b"$GPRMC,x*00\r\n" * 50)
        w.flush()
    real_open = builtins.open

    class DyingFile:
        def __init__(self, f):  # type: ignore[no-untyped-def]
            self.f = f

        def __enter__(self):  # type: ignore[no-untyped-def]
            return self

        def __exit__(self, *a):  # type: ignore[no-untyped-def]
            self.f.close()

        def write(self, data):  # type: ignore[no-untyped-def]
            self.f.write(data[: len(data) // 2])
            self.f.flush()
            os._exit(9)

    def dying_open(path, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        f = real_open(path, mode, *args, **kwargs)
        return DyingFile(f) if "w" in mode and "nmea" in str(path) else f

    builtins.open = dying_open  # type: ignore[assignment]
    w.close()
    os._exit(0)


def test_a_crash_during_the_gps_nmea_copy_leaves_no_partial_copy(tmp_path) -> None:
    ctx = multiprocessing.get_context("fork")
    child = ctx.Process(target=_close_and_die_mid_copy, args=(str(tmp_path / "s"),))
    child.start()
    child.join(30)
    assert child.exitcode == 9
    # gps.nmea is either whole or absent: a half copy would pass for the whole log
    assert not (tmp_path / "s" / "gps.nmea").exists()
    assert len(list(iter_raw_nmea(tmp_path / "s"))) == 5
    assert write_nmea_copy(tmp_path / "s") == 5 * 50 * 13  # made again from the database
    # and the session was whole before the copy started: it ended normally
    assert open_session(tmp_path / "s").ended == "normal"
