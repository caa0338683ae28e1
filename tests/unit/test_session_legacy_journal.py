"""Sessions recorded before schema v5 (raw data and a redo log in ``raw.log`` beside
``session.db``) still open, review and replay, and a damaged journal costs only what
is past the damage.

Fixtures, written by the pre-v5 writer:

* ``tests/data/session/journal-v4``: ``pacer sim "200m @35s, 100m jog"``, closed;
  ``journal-v4.review.json`` is what that pacer's ``review --json`` printed for it, and
  ``journal-v4.replay-review.json`` what it printed for ``pacer replay`` of it.
* ``tests/data/session/journal-v4-crashed``: 15 flushes (one NMEA chunk, one 5-sample
  accelerometer block and one estimate each) copied from a live writer: estimates 0..9
  committed to the database, 10..14 only in the journal's redo log.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import zlib
from pathlib import Path

import numpy as np
import pytest

from pacer.cli.main import main
from pacer.session import legacy_journal
from pacer.session.legacy_journal import FILE_HEADER, FRAME_HEADER, KIND_ROWS, ROWS_RECORD
from pacer.session.reader import (
    accel_samples,
    iter_raw_accel,
    iter_raw_nmea,
    open_session,
    raw_log_problems,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "session"


@pytest.fixture
def closed(tmp_path: Path) -> Path:
    copy = tmp_path / "journal-v4"
    shutil.copytree(DATA / "journal-v4", copy)
    return copy


@pytest.fixture
def crashed(tmp_path: Path) -> Path:
    copy = tmp_path / "journal-v4-crashed"
    shutil.copytree(DATA / "journal-v4-crashed", copy)
    return copy


def _review(session: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    capsys.readouterr()
    assert main(["review", str(session), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _old_fields(got: object, want: object) -> object:
    """``got`` without the fields a later pacer added (the review JSON is extended, never
    changed: every field the old pacer printed must read the same)."""
    if isinstance(want, dict) and isinstance(got, dict):
        return {k: _old_fields(got[k], want[k]) if k in got else "<missing>" for k in want}
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        return [_old_fields(g, w) for g, w in zip(got, want, strict=True)]
    return got


def test_an_old_session_reviews_as_the_old_pacer_printed_it(closed, capsys) -> None:
    want = json.loads((DATA / "journal-v4.review.json").read_text(encoding="utf-8"))
    db = (closed / "session.db").read_bytes()
    got = _review(closed, capsys)
    assert _old_fields(got, want) == want  # the fields it printed, unchanged
    assert got["session"]["heart_rate_zones_bpm"] is None  # fields added since: no values
    assert all(r["heart_rate_avg_bpm"] is None for r in got["reps"])
    data = open_session(closed)
    assert data.ended == "normal" and "raw_rows_applied_bytes" not in data.meta
    # read as it is: nothing written (SQLite's read-only open may add an empty WAL)
    assert (closed / "session.db").read_bytes() == db
    wal = closed / "session.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0


def test_an_old_session_gives_its_raw_data_back(closed) -> None:
    nmea = b"".join(c for _t, c in iter_raw_nmea(closed))
    assert nmea == (closed / "gps.nmea").read_bytes()
    data = open_session(closed)
    assert len(accel_samples(closed)) == data.counters["accel"]["samples"] > 7000
    assert sum(b.n for b in iter_raw_accel(closed)) == len(accel_samples(closed))
    assert raw_log_problems(closed) == []


def test_an_old_session_replays_as_the_old_pacer_replayed_it(closed, tmp_path, capsys) -> None:
    out = tmp_path / "replayed"
    assert main(["replay", str(closed), "--session-dir", str(out), "--quiet"]) == 0
    got = _review(out, capsys)
    want = json.loads((DATA / "journal-v4.replay-review.json").read_text(encoding="utf-8"))
    for doc in (got, want):
        del doc["session"]["sources"]  # the path of the session replayed
    assert _old_fields(got, want) == want


def test_a_crashed_old_session_reads_its_journaled_rows_without_writing(crashed) -> None:
    before = {p.name: p.read_bytes() for p in crashed.iterdir()}
    data = open_session(crashed)
    assert data.ended == "abrupt"
    assert [e.t_s for e in data.estimates] == [float(s) for s in range(15)]
    assert [t for t, _c in iter_raw_nmea(crashed)] == [float(s) for s in range(15)]
    blocks = list(iter_raw_accel(crashed))
    assert all(np.all(b.samples_mps2 == b.t0_s) for b in blocks) and len(blocks) == 15
    after = {p.name: p.read_bytes() for p in crashed.iterdir() if p.name in before}
    assert after == before


# ------------------------------------------------------------------ a damaged journal


def _frames(raw: Path) -> list[tuple[int, int]]:
    """(start, end) of every frame of a journal."""
    data = raw.read_bytes()
    pos, out = FILE_HEADER.size, []
    while pos + FRAME_HEADER.size <= len(data):
        _magic, length, _crc = FRAME_HEADER.unpack_from(data, pos)
        out.append((pos, pos + FRAME_HEADER.size + length))
        pos = out[-1][1]
    return out


def _replace_rows_payload(raw: Path, frame_index: int, payload: bytes) -> None:
    """Give one frame's table-rows record another payload, with a valid CRC (what a
    writer whose Python marshals differently would leave)."""
    data = bytearray(raw.read_bytes())
    start, end = _frames(raw)[frame_index]
    body = bytes(data[start + FRAME_HEADER.size : end])
    pos = body.index(bytes([KIND_ROWS, 0, 0, 0]))
    n = ROWS_RECORD.unpack_from(body, pos)[1]
    body = body[:pos] + ROWS_RECORD.pack(KIND_ROWS, len(payload)) + payload + body[
        pos + ROWS_RECORD.size + n :]
    frame = FRAME_HEADER.pack(FRAME_HEADER.unpack_from(data, start)[0], len(body),
                              zlib.crc32(body)) + body
    raw.write_bytes(bytes(data[:start]) + frame + bytes(data[end:]))


def test_rows_this_python_cannot_decode_are_reported_and_the_rest_kept(crashed) -> None:
    _replace_rows_payload(crashed / "raw.log", 12, b"\xfa future marshal")
    data = open_session(crashed)
    assert [e.t_s for e in data.estimates] == [float(s) for s in range(12)]
    said = [e for e in data.events if "left out" in e.message]
    assert len(said) == 1 and "\n" not in said[0].message and "raw.log" in said[0].message


def test_rows_the_schema_refuses_are_reported_and_the_rest_kept(crashed) -> None:
    bad = __import__("marshal").dumps([(1, (None,) * 14)], 4)  # an estimate without time
    _replace_rows_payload(crashed / "raw.log", 12, bad)
    data = open_session(crashed)
    assert [e.t_s for e in data.estimates] == [float(s) for s in range(12)]
    assert any("left out" in e.message for e in data.events)


@pytest.mark.parametrize(
    "ops",
    [[(99, (1.0,))], [("DROP TABLE estimates", ())],
     [("UPDATE cues SET text = ? WHERE id = ?", ("x", 1))], [(0, ([1, 2],))], [(0, 1.0)],
     {"not": "a list"}],
)  # fmt: skip
def test_decode_takes_only_the_old_writers_own_statements(ops) -> None:
    with pytest.raises(ValueError):
        legacy_journal.decode(__import__("marshal").dumps(ops, 4))


def test_a_corrupt_frame_in_the_middle_ends_rows_and_raw_data_there(crashed) -> None:
    raw = crashed / "raw.log"
    start, end = _frames(raw)[12]
    data = bytearray(raw.read_bytes())
    data[(start + end) // 2] ^= 0x40
    raw.write_bytes(bytes(data))
    assert [e.t_s for e in open_session(crashed).estimates] == [float(s) for s in range(12)]
    assert [t for t, _c in iter_raw_nmea(crashed)] == [float(s) for s in range(12)]
    (problem,) = raw_log_problems(crashed)
    assert "fails its CRC" in problem


def test_a_journal_cut_at_every_byte_of_its_last_frames_loses_only_those(crashed,
                                                                         tmp_path) -> None:
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
        assert len(list(iter_raw_nmea(d))) == whole, cut
        shutil.rmtree(d)
    (crashed / "raw.log").write_bytes(raw_bytes[:-3])
    (problem,) = raw_log_problems(crashed)
    assert "cut inside the last frame" in problem


def test_a_zero_filled_tail_is_a_power_cut_not_damage(crashed) -> None:
    with open(crashed / "raw.log", "ab") as f:
        f.write(bytes(4096))
    data = open_session(crashed)
    assert [e.t_s for e in data.estimates] == [float(s) for s in range(15)]
    assert not [e for e in data.events if e.kind == "rows_left_out"]
    assert raw_log_problems(crashed) == []


def test_a_frame_with_an_unknown_record_kind_ends_the_raw_data_in_one_line(crashed) -> None:
    body = bytes([9, 0, 0, 0]) + bytes(12)
    with open(crashed / "raw.log", "ab") as f:
        f.write(FRAME_HEADER.pack(legacy_journal.FRAME_MAGIC, len(body), zlib.crc32(body))
                + body)
    assert len(list(iter_raw_nmea(crashed))) == 15
    (problem,) = raw_log_problems(crashed)
    assert "unknown record kind 9" in problem
    assert len(open_session(crashed).estimates) == 15


def test_an_empty_or_missing_journal_is_reported(crashed) -> None:
    (crashed / "raw.log").write_bytes(b"")
    assert len(open_session(crashed).estimates) == 10  # the committed rows still open
    (problem,) = raw_log_problems(crashed)
    assert "empty" in problem
    (crashed / "raw.log").unlink()
    assert raw_log_problems(crashed) == [f"{crashed / 'raw.log'}: missing; no raw data to replay"]
    assert list(iter_raw_nmea(crashed)) == []


def test_the_old_database_is_read_as_it_is(closed) -> None:
    conn = sqlite3.connect(closed / "session.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
    conn.close()


def test_old_sessions_are_listed_beside_new_ones(closed, crashed, tmp_path) -> None:
    from pacer.session.reader import list_sessions, session_overview
    from pacer.session.store import SessionWriter

    SessionWriter.create(tmp_path / "new", meta={"workout": "easy"}).close()
    assert {p.name for p in list_sessions(tmp_path)} == {"journal-v4", "journal-v4-crashed",
                                                         "new"}
    old = session_overview(closed)
    assert old.ended == "normal" and old.distance_m == pytest.approx(309.4, abs=0.1)
    assert session_overview(crashed).ended == "abrupt"
