"""SQLite commits every few flushes; the rows in between live in the raw journal and a
reader puts them back (pacer.session.redo): nothing flushed is lost, nothing doubled."""

from __future__ import annotations

import marshal
import shutil
import sqlite3
from pathlib import Path

import pytest

from pacer.models import DistanceSource, Estimate
from pacer.session import redo
from pacer.session.reader import open_session, read_meta
from pacer.session.store import SessionWriter


def _est(t_s: float) -> Estimate:
    return Estimate(t_s, None, 4.0 * t_s, 4.0, 0.9, 170.0, 0.8, DistanceSource.GPS, True)


def _committed(directory: Path) -> int:
    """Estimates in session.db itself, as any SQLite tool sees them (read-only)."""
    conn = sqlite3.connect(f"file:{directory / 'session.db'}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM estimates").fetchone()[0])
    finally:
        conn.close()


def _run(directory: Path, seconds: int, commit_every: int = 10) -> SessionWriter:
    w = SessionWriter.create(directory, meta={"workout": "easy"}, commit_every=commit_every)
    for s in range(seconds):
        w.add_estimate(_est(float(s)))
        w.set_meta("last", s)
        w.flush()
    return w


def test_commits_every_n_flushes_and_the_rows_between_are_in_the_journal(tmp_path) -> None:
    w = _run(tmp_path / "s", 25)
    assert _committed(tmp_path / "s") == 20  # commits after flushes 10 and 20
    w.close()
    assert _committed(tmp_path / "s") == 25
    data = open_session(tmp_path / "s")
    assert [e.t_s for e in data.estimates] == [float(s) for s in range(25)]
    assert redo.APPLIED_KEY not in data.meta and data.meta["last"] == 24


def test_a_crashed_session_is_recovered_once_in_place(tmp_path) -> None:
    w = _run(tmp_path / "live", 25)
    w.add_estimate(_est(25.0))  # queued, never flushed: the crash loses it
    crashed = tmp_path / "crashed"
    shutil.copytree(tmp_path / "live", crashed)  # what a power cut leaves (no writer)
    w.close()
    assert _committed(crashed) == 20
    data = open_session(crashed)
    assert data.ended == "abrupt"
    assert [e.t_s for e in data.estimates] == [float(s) for s in range(25)]
    assert read_meta(crashed)["last"] == 24
    assert _committed(crashed) == 25  # written back: other SQLite tools see it all
    again = open_session(crashed)  # a second reader applies nothing twice
    assert [e.t_s for e in again.estimates] == [float(s) for s in range(25)]


def test_a_live_session_is_read_whole_and_left_alone(tmp_path) -> None:
    w = _run(tmp_path / "s", 15)
    data = open_session(tmp_path / "s")  # the writer holds the session
    assert [e.t_s for e in data.estimates] == [float(s) for s in range(15)]
    assert _committed(tmp_path / "s") == 10  # the reader wrote nothing behind the writer
    w.close()
    assert [e.t_s for e in open_session(tmp_path / "s").estimates] == [
        float(s) for s in range(15)
    ]


def test_every_flush_commits_when_asked(tmp_path) -> None:
    w = _run(tmp_path / "s", 7, commit_every=1)
    assert _committed(tmp_path / "s") == 7
    w.close()


@pytest.mark.parametrize(
    "ops",
    [
        [(99, (1.0,))],  # no such statement
        [("DROP TABLE estimates", ())],
        [("UPDATE cues SET text = ? WHERE id = ?", ("x", 1))],  # not an audio column
        [(0, ([1, 2],))],  # not a plain value
        [(0, 1.0)],
        {"not": "a list"},
    ],
)
def test_decode_takes_only_the_writers_own_statements(ops) -> None:
    with pytest.raises(ValueError):
        redo.decode(marshal.dumps(ops, 4))


def test_decode_round_trip_and_garbage() -> None:
    ops = [(redo.EST_CODE, (1.0, None, 2.0, "gps")),
           ("UPDATE cues SET duration_s = ?, engine = ? WHERE id = ?", (1.5, "espeak", 3))]
    assert redo.decode(redo.encode(ops)) == [(redo.INSERT_EST, ops[0][1]), ops[1]]
    with pytest.raises(ValueError):
        redo.decode(b"\x00garbage")


def test_a_bulk_flush_commits_instead_of_journaling(tmp_path) -> None:
    from pacer.session.rawread import journal_rows

    w = SessionWriter.create(tmp_path / "s", meta={})
    for s in range(1500):  # a fast replay: many rows between two flushes
        w.add_estimate(_est(float(s)))
    w.flush()
    assert _committed(tmp_path / "s") == 1500
    payloads, _ = journal_rows(tmp_path / "s" / "raw.log", 0)
    assert payloads == []  # create() commits too: no table rows in the journal at all
    w.close()
