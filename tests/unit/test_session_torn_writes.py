"""Power cut during a flush: everything committed before survives, the torn tail of the
SQLite WAL is cut at any byte, and the session still opens and reads back a clean prefix
of its derived rows and raw data."""

from __future__ import annotations

import datetime as dt
import shutil

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacer.errors import SessionError
from pacer.models import AccelBlock, DistanceSource, Estimate
from pacer.session.reader import iter_raw_accel, iter_raw_nmea, open_session
from pacer.session.store import SessionWriter

UTC0 = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
FILES = ("session.db-wal",)
SECONDS = 40


@pytest.fixture(scope="module")
def live_session(tmp_path_factory):
    """A session caught mid-run (never closed) and each file's size after every flush."""
    path = tmp_path_factory.mktemp("live") / "s"
    w = SessionWriter.create(path, meta={"workout": "torn"})
    sizes = [{f: (path / f).stat().st_size for f in FILES}]
    for s in range(SECONDS):
        w.append_nmea(float(s), f"$GPRMC,{s}*00\r\n".encode())
        w.append_accel(AccelBlock(float(s), 50.0, np.full((50, 3), float(s))))
        w.add_estimate(
            Estimate(float(s), UTC0, 4.0 * s, 4.0, 0.9, 170.0, 0.8, DistanceSource.GPS, True)
        )
        w.flush()
        sizes.append({f: (path / f).stat().st_size for f in FILES})
    # no checkpoint happened, so each file only grew: cutting it replays the past
    assert all(sizes[k][f] <= sizes[k + 1][f] for k in range(SECONDS) for f in FILES)
    # The writer stays open (a process that lost power): closing it, or letting it be
    # garbage-collected, would checkpoint the WAL into session.db and delete it.
    yield path, sizes
    w.close()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    flush=st.integers(1, SECONDS),
    torn=st.lists(st.floats(0.0, 1.0), min_size=len(FILES), max_size=len(FILES)),
)
def test_power_cut_during_any_flush(live_session, tmp_path_factory, flush, torn):
    live, sizes = live_session
    cut = tmp_path_factory.mktemp("cut") / "s"
    shutil.copytree(live, cut)
    for name, fraction in zip(FILES, torn, strict=True):
        durable, target = sizes[flush - 1][name], sizes[flush][name]
        f = cut / name
        f.write_bytes(f.read_bytes()[: durable + int((target - durable) * fraction)])
    data = open_session(cut)
    assert data.ended == "abrupt"
    times = [e.t_s for e in data.estimates]
    assert times == [float(s) for s in range(len(times))]  # a prefix: no holes, no garbage
    assert len(times) >= flush - 1  # every second flushed before the cut is there
    chunks = list(iter_raw_nmea(cut))
    assert [c for _, c in chunks] == [f"$GPRMC,{s}*00\r\n".encode() for s in range(len(chunks))]
    assert len(chunks) >= flush - 1
    blocks = list(iter_raw_accel(cut))
    assert [b.t0_s for b in blocks] == [float(s) for s in range(len(blocks))]
    assert all(np.all(b.samples_mps2 == b.t0_s) for b in blocks) and len(blocks) >= flush - 1


def test_untouched_live_session_has_everything(live_session, tmp_path):
    live, _ = live_session
    shutil.copytree(live, tmp_path / "s")
    assert len(open_session(tmp_path / "s").estimates) == SECONDS
    assert len(list(iter_raw_nmea(tmp_path / "s"))) == SECONDS


def test_lost_wal_is_a_one_line_error_not_a_crash(live_session, tmp_path):
    live, _ = live_session
    shutil.copytree(live, tmp_path / "s")
    (tmp_path / "s" / "session.db-wal").write_bytes(b"")  # impossible after fsync; still clean
    with pytest.raises(SessionError, match="session.db") as err:
        open_session(tmp_path / "s")
    assert "\n" not in str(err.value)


def test_a_wal_cut_at_every_byte_of_its_last_commits_loses_only_those(live_session, tmp_path):
    """The kill -9 / power cut case byte by byte: the WAL cut anywhere in its last three
    commits reads every whole commit before the cut and nothing else."""
    live, sizes = live_session
    wal = (live / "session.db-wal").read_bytes()
    ends = [s["session.db-wal"] for s in sizes]
    frame = 24 + 4096  # a WAL frame: its header and one page, after the 32 B WAL header
    cuts = set(range(ends[-4], ends[-1] + 1, 127))  # every 127th byte, and around each
    for start in range(32 + (ends[-4] - 32) // frame * frame, ends[-1], frame):
        cuts |= {start + d for d in (-1, 0, 1, 23, 24, 25) if start + d <= ends[-1]}
    for cut in sorted(cuts):
        d = tmp_path / f"cut{cut}"
        shutil.copytree(live, d)
        (d / "session.db-wal").write_bytes(wal[:cut])
        whole = sum(e <= cut for e in ends[1:])  # commit k holds second k-1 ... of each table
        data = open_session(d)
        assert [e.t_s for e in data.estimates] == [float(s) for s in range(whole)], cut
        assert len(list(iter_raw_nmea(d))) == whole, cut
        assert len(list(iter_raw_accel(d))) == whole, cut
        shutil.rmtree(d)
