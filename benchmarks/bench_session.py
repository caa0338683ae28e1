"""Measure the session store's cost per live second and the review/export cost of a long run.

Run: .venv/bin/python benchmarks/bench_session.py [DIR]   (DIR: where to write; default
a temp dir -- put it on the SD card / disk you care about). Not a test: prints figures for
docs/sessions.md. Wall time (perf_counter) shows the disk; CPU (thread_time) is what the
live loop pays.
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


def main() -> None:
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
    size = sum(p.stat().st_size for p in (base / "bench").iterdir())
    a, f = np.array(append_s) * 1e3, np.array(flush_s) * 1e3
    print(f"{SECONDS} s session in {base}")
    ac, fc = np.array(append_cpu_s) * 1e3, np.array(flush_cpu_s) * 1e3
    print(f"appends per second: wall median {np.median(a):.3f} ms, max {a.max():.3f} ms; "
          f"CPU mean {ac.mean():.3f} ms")
    print(
        f"flush (1 fdatasync of raw.log; SQLite commit every 10th): wall median "
        f"{np.median(f):.2f} ms, p99 {np.percentile(f, 99):.2f} ms, max {f.max():.2f} ms; "
        f"CPU mean {fc.mean():.3f} ms"
    )
    print(f"store CPU per second of session: {ac.mean() + fc.mean():.3f} ms")
    print(f"session size: {size / 1e6:.1f} MB per hour")
    t0 = time.perf_counter()
    data = open_session(base / "bench")
    t1 = time.perf_counter()
    from pacer.session.export_csv import per_second_csv
    from pacer.session.export_fit import to_fit
    from pacer.session.export_gpx import to_gpx
    from pacer.session.export_tcx import to_tcx
    from pacer.session.summary import review_json

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
