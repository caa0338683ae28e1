"""QA of the session store's raw journal and redo log: what a crash, a damaged journal,
a future Python or a careless command can do to a session, and what must survive."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sqlite3
import struct
import zlib
from pathlib import Path

import pytest

from pacer.errors import SessionError
from pacer.models import DistanceSource, Estimate
from pacer.session import redo
from pacer.session.rawlog import FILE_HEADER, FRAME_HEADER, KIND_ROWS, ROWS_RECORD
from pacer.session.rawread import raw_log_problems, read_journal
from pacer.session.reader import delete_session, open_session, prune
from pacer.session.store import SessionWriter


def _est(t_s: float) -> Estimate:
    return Estimate(t_s, None, 4.0 * t_s, 4.0, 0.9, 170.0, 0.8, DistanceSource.GPS, True)


def _committed(directory: Path) -> list[float]:
    """Estimate times in session.db itself, as any SQLite tool sees them (read-only)."""
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
        w.flush()
    crashed = tmp_path / name
    shutil.copytree(live, crashed)
    return crashed, w


def _frames(raw: Path) -> list[tuple[int, int]]:
    """(start, end) of every frame of a journal."""
    data = raw.read_bytes()
    pos, out = FILE_HEADER.size, []
    while pos + FRAME_HEADER.size <= len(data):
        _magic, length, _crc = FRAME_HEADER.unpack_from(data, pos)
        end = pos + FRAME_HEADER.size + length
        out.append((pos, end))
        pos = end
    return out


def _replace_rows_payload(raw: Path, frame_index: int, payload: bytes) -> None:
    """Give one frame's table-rows record another payload, with a valid CRC (what a
    writer whose Python marshals differently would leave)."""
    data = bytearray(raw.read_bytes())
    start, end = _frames(raw)[frame_index]
    body = bytes(data[start + FRAME_HEADER.size : end])
    pos = body.index(bytes([KIND_ROWS, 0, 0, 0]))  # the rows record follows the NMEA one
    n = ROWS_RECORD.unpack_from(body, pos)[1]
    body = body[:pos] + ROWS_RECORD.pack(KIND_ROWS, len(payload)) + payload + body[
        pos + ROWS_RECORD.size + n :]
    frame = FRAME_HEADER.pack(FRAME_HEADER.unpack_from(data, start)[0], len(body),
                              zlib.crc32(body)) + body
    raw.write_bytes(bytes(data[:start]) + frame + bytes(data[end:]))


# ------------------------------------------------------------------ marshal payload


def test_rows_a_future_python_cannot_decode_are_reported_and_the_rest_kept(tmp_path) -> None:
    crashed, w = _crashed(tmp_path, 16)  # committed: 0..9; journal rows: 10..15
    w.close()
    # frame k holds estimate k; frame 12's rows are what this Python cannot read
    _replace_rows_payload(crashed / "raw.log", 12, b"\xfa future marshal")
    data = open_session(crashed)
    # everything else: the committed rows and the journal rows before the bad frame
    assert [e.t_s for e in data.estimates] == [float(s) for s in range(12)]
    said = [e for e in data.events if "cannot be read" in e.message]
    assert len(said) == 1 and "\n" not in said[0].message and "raw.log" in said[0].message
    # in place only up to the bad frame, so a pacer that can decode it still may
    assert _committed(crashed) == [float(s) for s in range(12)]
    again = open_session(crashed)  # a second reader says it again and doubles nothing
    assert [e.t_s for e in again.estimates] == [float(s) for s in range(12)]
    assert sum("cannot be read" in e.message for e in again.events) == 1


def test_rows_after_a_corrupt_frame_in_the_middle_are_reported(tmp_path) -> None:
    crashed, w = _crashed(tmp_path, 16)
    w.close()
    raw = crashed / "raw.log"
    start, end = _frames(raw)[12]
    data = bytearray(raw.read_bytes())
    data[(start + end) // 2] ^= 0x40  # one flipped bit inside frame 12 (estimate 12)
    raw.write_bytes(bytes(data))
    data_read = open_session(crashed)
    assert [e.t_s for e in data_read.estimates] == [float(s) for s in range(12)]
    assert any("raw.log" in e.message and "damaged" in e.message for e in data_read.events)
    assert any("CRC" in p for p in raw_log_problems(crashed))


# ------------------------------------------------------------------ torn journal


def test_a_journal_cut_at_every_byte_of_its_last_frames_loses_only_those(tmp_path) -> None:
    crashed, w = _crashed(tmp_path, 14)  # committed: 0..9; journal rows: 10..13
    w.close()
    raw_bytes = (crashed / "raw.log").read_bytes()
    frames = _frames(crashed / "raw.log")
    ends = [e for _s, e in frames]
    for cut in range(frames[-2][0], len(raw_bytes) + 1):
        d = tmp_path / f"cut{cut}"
        shutil.copytree(crashed, d)
        (d / "raw.log").write_bytes(raw_bytes[:cut])
        whole = sum(e <= cut for e in ends)  # frame k holds NMEA chunk and estimate k
        expect = [float(s) for s in range(max(10, whole))]  # 0..9 were committed
        assert [e.t_s for e in open_session(d).estimates] == expect, cut
        assert len(read_journal(d / "raw.log").nmea) == whole, cut
        shutil.rmtree(d)


def test_an_empty_journal_is_reported(tmp_path) -> None:
    crashed, w = _crashed(tmp_path, 3)
    w.close()
    (crashed / "raw.log").write_bytes(b"")  # what delayed allocation can leave
    open_session(crashed)  # still opens: the rows in the lost journal are gone
    problems = raw_log_problems(crashed)
    assert len(problems) == 1 and "empty" in problems[0]


# ------------------------------------------------------------------ recovery itself


def _recover_and_die(directory: str, after_inserts: int) -> None:
    """Child process: start recovering in place, die (like kill -9) midway."""
    real_apply = redo._apply
    inserts = [0]

    def count(sql: str) -> None:
        if sql.startswith("INSERT"):
            inserts[0] += 1
            if inserts[0] > after_inserts:
                os._exit(9)

    def dying_apply(conn, *args):  # type: ignore[no-untyped-def]
        conn.set_trace_callback(count)
        return real_apply(conn, *args)

    redo._apply = dying_apply  # type: ignore[assignment]
    open_session(Path(directory))
    os._exit(0)


def test_a_reader_killed_while_applying_leaves_nothing_half_done(tmp_path) -> None:
    crashed, w = _crashed(tmp_path, 17)  # journal rows: 10..16
    w.close()
    ctx = multiprocessing.get_context("fork")
    child = ctx.Process(target=_recover_and_die, args=(str(crashed), 3))
    child.start()
    child.join(30)
    assert child.exitcode == 9
    assert _committed(crashed) == [float(s) for s in range(10)]  # all or nothing
    for _ in range(2):  # then applied once, and not again
        assert [e.t_s for e in open_session(crashed).estimates] == [
            float(s) for s in range(17)]
    assert _committed(crashed) == [float(s) for s in range(17)]


def test_recovery_that_cannot_be_applied_still_reads_the_committed_rows(tmp_path) -> None:
    crashed, w = _crashed(tmp_path, 14)
    w.close()
    # a journal row that breaks a constraint (an estimate without its time)
    bad = redo.encode([(redo.EST_CODE, (None,) * 14)])
    _replace_rows_payload(crashed / "raw.log", 12, bad)
    data = open_session(crashed)
    assert [e.t_s for e in data.estimates] == [float(s) for s in range(12)]
    assert any("cannot be applied" in e.message for e in data.events)


# ------------------------------------------------------------------ a live session


def test_a_session_being_recorded_is_not_deleted_or_pruned(tmp_path) -> None:
    data_dir = tmp_path / "data"
    w = SessionWriter.create(data_dir / "live", meta={"workout": "easy"})
    w.append_nmea(0.0, b"$GPRMC,x*00\r\n" * 1000)
    w.flush()
    with pytest.raises(SessionError, match="being recorded"):
        delete_session(data_dir / "live")
    assert prune(data_dir, 0) == []
    assert (data_dir / "live" / "raw.log").exists()
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


def test_packed_header_layout_is_what_the_tests_assume() -> None:
    # the helpers above find the rows record by its kind byte and three zero pad bytes
    assert ROWS_RECORD.pack(KIND_ROWS, 5)[:4] == bytes([KIND_ROWS, 0, 0, 0])
    assert struct.calcsize("<B3xI") == ROWS_RECORD.size


def test_a_disk_full_when_recovering_in_place_still_reads_every_row(tmp_path, monkeypatch) -> None:
    crashed, w = _crashed(tmp_path, 14)  # committed: 0..9; journal rows: 10..13
    w.close()
    real_apply = redo._apply
    failed = []

    def apply_then_disk_full(conn, *args):  # type: ignore[no-untyped-def]
        out = real_apply(conn, *args)
        if not failed and conn.execute("PRAGMA database_list").fetchone()[2]:
            # what SQLite does when the WAL cannot grow at COMMIT (SQLITE_FULL):
            # it rolls the transaction back itself and raises
            failed.append(True)
            conn.execute("ROLLBACK")
            raise sqlite3.OperationalError("database or disk is full")
        return out

    monkeypatch.setattr(redo, "_apply", apply_then_disk_full)
    data = open_session(crashed)
    assert failed
    assert [e.t_s for e in data.estimates] == [float(s) for s in range(14)]
    assert _committed(crashed) == [float(s) for s in range(10)]  # nothing half written


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
    from pacer.session.reader import session_overview

    crashed, w = _crashed(tmp_path, 3)
    live = tmp_path / "live"
    assert open_session(live).ended == "live"
    assert session_overview(live).ended == "live"
    assert "still being recorded" in summary_lines(summarize(open_session(live)))[0]
    assert open_session(crashed).ended == "abrupt"  # the copy: nobody holds it
    w.close()
    assert open_session(live).ended == "normal"


def test_a_zero_filled_tail_is_a_power_cut_not_damage(tmp_path) -> None:
    crashed, w = _crashed(tmp_path, 13)
    w.close()
    with open(crashed / "raw.log", "ab") as f:  # size grew, the data never made it
        f.write(bytes(4096))
    data = open_session(crashed)
    assert [e.t_s for e in data.estimates] == [float(s) for s in range(13)]
    assert not [e for e in data.events if e.kind == redo.ROWS_LEFT_OUT]


def test_a_frame_with_an_unknown_record_kind_ends_the_raw_data_in_one_line(tmp_path) -> None:
    crashed, w = _crashed(tmp_path, 5)
    w.close()
    body = bytes([9, 0, 0, 0]) + bytes(12)  # a record kind this pacer does not know
    with open(crashed / "raw.log", "ab") as f:
        f.write(FRAME_HEADER.pack(FRAME_HEADER.unpack_from(
            (crashed / "raw.log").read_bytes(), FILE_HEADER.size)[0], len(body),
            zlib.crc32(body)) + body)
    journal = read_journal(crashed / "raw.log")
    assert len(journal.nmea) == 5  # everything before it
    assert len(journal.problems) == 1 and "unknown record kind 9" in journal.problems[0]
    assert len(open_session(crashed).estimates) == 5


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
    assert len(read_journal(tmp_path / "s" / "raw.log").nmea) == 5
    from pacer.session.rawread import write_nmea_copy

    assert write_nmea_copy(tmp_path / "s") == 5 * 50 * 13  # made again from raw.log
    # and the session was whole before the copy started: it ended normally
    assert open_session(tmp_path / "s").ended == "normal"


def test_readers_in_a_loop_never_disturb_a_live_writer(tmp_path) -> None:
    """review/list/export opened again and again while a session is recorded: the writer
    sees no error, every reader sees a gap-free prefix, and nothing is written behind it."""
    import threading

    from pacer.session.reader import session_overview

    w = SessionWriter.create(tmp_path / "s", meta={"workout": "easy"})
    stop = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def read_loop() -> None:
        while not stop.is_set():
            try:
                times = [e.t_s for e in open_session(tmp_path / "s").estimates]
                assert times == [float(s) for s in range(len(times))]
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
            w.flush()
            if s % 10 == 5:  # not yet committed: the reader takes it from the journal
                assert len(_committed(tmp_path / "s")) < s + 1
    finally:
        stop.set()
        reader.join(30)
    assert not errors, errors
    assert seen and w.problems == []
    w.close()
    assert _committed(tmp_path / "s") == [float(s) for s in range(120)]


def test_a_commit_while_a_reader_reads_a_live_session_doubles_nothing(tmp_path,
                                                                       monkeypatch) -> None:
    """The writer commits (and flushes on) in the middle of a reader's recovery: the
    reader still sees every row once, in order, with no gap (deterministic version of
    the loop above)."""
    w = SessionWriter.create(tmp_path / "s", meta={})
    for s in range(25):  # committed 0..9, 10..19; journal rows 20..24
        w.add_estimate(_est(float(s)))
        w.flush()
    real_frames = redo.journal_row_frames
    more = iter(range(25, 40))

    def frames_while_the_writer_goes_on(*args):  # type: ignore[no-untyped-def]
        for s in more:  # commits at flush 30 (rows 20..29), journals 30..39
            w.add_estimate(_est(float(s)))
            w.flush()
        return real_frames(*args)

    monkeypatch.setattr(redo, "journal_row_frames", frames_while_the_writer_goes_on)
    times = [e.t_s for e in open_session(tmp_path / "s").estimates]
    assert times == [float(s) for s in range(len(times))] and len(times) >= 25
    w.close()
