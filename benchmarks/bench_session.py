"""Measure the session store's cost per live second and the review/export cost of a long run.

Run: .venv/bin/python benchmarks/bench_session.py [DIR]   (DIR: where to write; default
a temp dir -- put it on the SD card / disk you care about). Not a test: prints figures for
docs/sessions.md. ``--parts [DIR]``: instead, what one second's commit costs (tight
loops of SQLite commits of one live second -- raw BLOB rows and derived rows -- with
WAL and synchronous=FULL or NORMAL, and the earlier design's journal append + fdatasync,
alternating rounds). ``--kill N [DIR]``: kill -9 a writer N times at random moments and
count the seconds it had reported committed that a reader then lacks. Wall time
(perf_counter) shows the disk; CPU (thread_time) is what the live loop pays.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from pacer.models import AccelBlock, Cue, CueKind, DistanceSource, Estimate, Fix
from pacer.session.reader import open_session
from pacer.session.store import SessionWriter

UTC0 = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
SECONDS = 3600
NMEA_SECOND = b"$GNRMC,100000.00,A,5151.76740,N,00025.38732,W,7.1,90.0,201126,,,A*6B\r\n" * 6
RATE_HZ = 100.0


def one_second(w: SessionWriter, s: int, accel: np.ndarray) -> None:
    utc = UTC0 + dt.timedelta(seconds=s)
    for k in range(5):  # the receiver's bytes arrive in ~5 reads per epoch
        w.append_nmea(s + k / 5, NMEA_SECOND[k * 85 : (k + 1) * 85])
    for k in range(4):  # 4 FIFO bursts of 25 samples
        w.append_accel(AccelBlock(s + k / 4, RATE_HZ, accel))
    w.add_fix(Fix(float(s), utc, True, 51.86, -0.42, 120.0, 3.6, 90.0, 1, 0.9, 10))
    w.add_estimate(
        Estimate(
            float(s), utc, 3.6 * s, 3.6, 0.9, 176.0, 0.8, DistanceSource.GPS, True, 51.86, -0.42
        )
    )
    if s % 15 == 0:
        w.update_cue(w.add_cue(Cue(float(s), CueKind.SPLIT, "200, 35 seconds")), duration_s=1.2)


def flush_parts(base: Path, rounds: int = 6, calls: int = 100) -> None:
    """Thread CPU per call of each step a flush can make, alternating rounds."""
    import os
    import sqlite3
    import statistics

    base.mkdir(parents=True, exist_ok=True)
    d = Path(tempfile.mkdtemp(dir=base))
    fds = [os.open(d / f"f{k}", os.O_WRONLY | os.O_CREAT | os.O_APPEND) for k in range(5)]
    parts = (b"n" * 430, b"i" * 100, b"a" * 2000, b"j" * 96)  # one second of the old logs

    def four(_i: int) -> None:
        for fd, data in zip(fds, parts, strict=False):
            os.write(fd, data)
        for fd in fds[:4]:
            os.fdatasync(fd)

    def one(_i: int) -> None:
        os.write(fds[4], b"".join(parts))
        os.fdatasync(fds[4])

    def database(sync: str, extra: tuple[str, ...] = (), indexes: bool = True):  # type: ignore[no-untyped-def]
        conn = sqlite3.connect(Path(tempfile.mkdtemp(dir=base)) / "s.db", isolation_level=None)
        for pragma in ("journal_mode=WAL", f"synchronous={sync}", *extra):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("CREATE TABLE fixes (t_s REAL, utc TEXT, a REAL, b REAL, c REAL, d REAL, "
                     "e REAL, f REAL, g INT, h REAL, i INT, j REAL, k REAL, l INT, m REAL, "
                     "n REAL, o REAL, p TEXT)")
        conn.execute("CREATE TABLE est (t_s REAL, utc TEXT, a REAL, b REAL, c REAL, d REAL, "
                     "e REAL, f TEXT, g INT, h REAL, i REAL, j INT, k INT, l REAL)")
        if indexes:
            conn.execute("CREATE INDEX fixes_t ON fixes(t_s)")
            conn.execute("CREATE INDEX est_t ON est(t_s)")
        conn.execute("CREATE TABLE counters (name TEXT PRIMARY KEY, value TEXT)")
        conn.execute("CREATE TABLE raw_nmea (t_s REAL, data BLOB)")
        conn.execute("CREATE TABLE raw_accel (t0_s REAL, rate_hz REAL, n INT, lost INT, "
                     "samples BLOB)")
        nmea, accel = (0.0, NMEA_SECOND[:85]), (0.0, 100.0, 25, 0, bytes(300))
        fix = ("2026-11-20T10:00:00.200000+00:00", 1, 51.8, -0.4, 120.0, 3.6, 90.0, 1, 0.9,
               10, 1.2, 1.0, 12, 2.0, 2.0, 3.0, "GN")
        est = ("2026-11-20T10:00:00+00:00", 3.6, 3.6, 0.9, 176.0, 0.8, "gps", 1, 51.8, -0.4,
               1, 3, 100.0)
        n = [0]

        def commit(_i: int) -> None:
            n[0] += 1
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO raw_nmea VALUES (?, ?)", [nmea] * 5)
            conn.executemany("INSERT INTO raw_accel VALUES (?, ?, ?, ?, ?)", [accel] * 4)
            conn.executemany(f"INSERT INTO fixes VALUES ({','.join('?' * 18)})",
                             [(n[0] + k / 5, *fix) for k in range(5)])
            conn.execute(f"INSERT INTO est VALUES ({','.join('?' * 14)})", (float(n[0]), *est))
            conn.execute("INSERT OR REPLACE INTO counters VALUES (?, ?)",
                         ("nmea", f'{{"lines": {n[0]}}}'))
            conn.execute("COMMIT")

        return commit

    cases = {
        "os.statvfs": lambda _i: os.statvfs(d),
        "4 appends + 4 fdatasync (split raw files)": four,
        "1 append + 1 fdatasync (a raw journal)": one,
        "SQLite commit of 1 s, WAL, synchronous=FULL": database("FULL"),
        "SQLite commit of 1 s, WAL, synchronous=NORMAL": database("NORMAL"),
        "SQLite commit of 1 s, FULL, no t_s indexes": database("FULL", indexes=False),
    }
    res: dict[str, list[float]] = {k: [] for k in cases}
    wall: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            c0, w0 = time.thread_time(), time.perf_counter()
            for i in range(calls):
                fn(i)
            res[name].append(1e6 * (time.thread_time() - c0) / calls)
            wall[name].append(1e6 * (time.perf_counter() - w0) / calls)
    print(f"us per call, {rounds} alternating rounds of {calls} calls, in {d}")
    for name, v in res.items():
        print(f"{name:46} CPU median {statistics.median(v):6.1f} (range {min(v):6.1f}-"
              f"{max(v):6.1f}); wall median {statistics.median(wall[name]):7.1f}")


KILL_CHILD = """
import sys, time
from pathlib import Path
import numpy as np
from benchmarks.bench_session import one_second
from pacer.session.store import SessionWriter
w = SessionWriter.create(Path(sys.argv[1]), meta={"workout": "kill"})
accel = np.zeros((25, 3))
s = 0
while True:
    one_second(w, s, accel)
    w.flush()
    print(s, flush=True)
    s += 1
    time.sleep(0.01)
"""


def kill_loss(base: Path, runs: int) -> None:
    """kill -9 a writer at random moments; seconds reported committed but missing."""
    import os
    import random
    import signal
    import subprocess

    from pacer.session.rawread import iter_raw_accel

    rng = random.Random(0)
    repo = Path(__file__).resolve().parents[1]
    lost, extra = [], []
    for k in range(runs):
        d = base / f"kill{k}"
        proc = subprocess.Popen([sys.executable, "-c", KILL_CHILD, str(d)], cwd=repo,
                                stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": str(repo)})
        assert proc.stdout is not None
        deadline = time.monotonic() + rng.uniform(0.3, 2.0)
        last = -1
        while time.monotonic() < deadline:
            last = int(proc.stdout.readline())
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        data = open_session(d)
        seconds = {int(e.t_s) for e in data.estimates}
        blocks = {int(b.t0_s) for b in iter_raw_accel(d)}
        assert data.ended == "abrupt" and seconds == blocks  # rows and raw data together
        lost.append(sum(s not in seconds for s in range(last + 1)))
        extra.append(len(seconds) - (last + 1))  # committed, not yet reported: <= 1
    print(f"kill -9 at {runs} random moments: seconds reported committed but lost: "
          f"{max(lost)} (all runs); committed beyond the last report: {sorted(set(extra))}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--parts":
        flush_parts(Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp()))
        return
    if len(sys.argv) > 2 and sys.argv[1] == "--kill":
        kill_loss(Path(sys.argv[3]) if len(sys.argv) > 3 else Path(tempfile.mkdtemp()),
                  int(sys.argv[2]))
        return
    base = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    accel = np.random.default_rng(0).normal(0, 3, (25, 3))
    w = SessionWriter.create(base / "bench", meta={"workout": "bench"})
    append_s, flush_s, append_cpu_s, flush_cpu_s = [], [], [], []
    for s in range(SECONDS):
        t0, c0 = time.perf_counter(), time.thread_time()
        one_second(w, s, accel)
        t1, c1 = time.perf_counter(), time.thread_time()
        w.flush()
        t2, c2 = time.perf_counter(), time.thread_time()
        append_s.append(t1 - t0)
        flush_s.append(t2 - t1)
        append_cpu_s.append(c1 - c0)
        flush_cpu_s.append(c2 - c1)
    w.close()
    sizes = {p.name: p.stat().st_size for p in (base / "bench").iterdir()}
    size = sum(sizes.values())
    a, f = np.array(append_s) * 1e3, np.array(flush_s) * 1e3
    print(f"{SECONDS} s session in {base}")
    ac, fc = np.array(append_cpu_s) * 1e3, np.array(flush_cpu_s) * 1e3
    print(f"appends per second: wall median {np.median(a):.3f} ms, max {a.max():.3f} ms; "
          f"CPU mean {ac.mean():.3f} ms")
    print(
        f"flush (one SQLite commit, WAL, synchronous=FULL): wall median "
        f"{np.median(f):.2f} ms, p99 {np.percentile(f, 99):.2f} ms, max {f.max():.2f} ms; "
        f"CPU mean {fc.mean():.3f} ms"
    )
    print(f"store CPU per second of session: {ac.mean() + fc.mean():.3f} ms")
    print(f"session size: {size / 1e6:.1f} MB per hour ({sizes})")
    t0 = time.perf_counter()
    data = open_session(base / "bench")
    t1 = time.perf_counter()
    from pacer.formats.csv_export import per_second_csv
    from pacer.formats.fit_export import to_fit
    from pacer.formats.gpx_export import to_gpx
    from pacer.formats.tcx_export import to_tcx
    from pacer.review.summary import review_json

    timings = {"open_session": t1 - t0}
    for name, fn in (
        ("review_json", review_json),
        ("csv", per_second_csv),
        ("gpx", to_gpx),
        ("tcx", to_tcx),
        ("fit", to_fit),
    ):
        t0 = time.perf_counter()
        fn(data)
        timings[name] = time.perf_counter() - t0
    print("1 h session: " + ", ".join(f"{k} {v * 1e3:.0f} ms" for k, v in timings.items()))


if __name__ == "__main__":
    main()
