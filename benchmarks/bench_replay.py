"""Fast replay of a simulated hour: ``pacer replay`` end to end, and where the time goes.

Usage::

    .venv/bin/python benchmarks/bench_replay.py [--minutes 60] [--repeat 3] [--seed 0]
        [--keep DIR] [--top 25]

Input (generated untimed into a temporary directory, clearly simulated): a runner's
steady hour on the track (``pacer.sim.RunnerModel``), the NMEA log of a 5 Hz receiver
(``SimulatedReceiver(rate_hz=5).write_log``: RMC, GGA, GSA, VTG, GST per epoch, a few
damaged sentences and dropouts) and a 100 Hz accelerometer CSV (``t_s,ax,ay,az`` in
m/s^2, relative seconds, from ``pacer.sim.accel.GaitSignal``).

Timed: ``pacer replay --nmea FILE --accel FILE.csv --session-dir DIR --quiet`` in-process
(``pacer.cli.main.main``), wall and CPU time, best of ``--repeat`` (a new session
directory each time): reading both files, the live pipeline (framing, estimator, workout
engine, status) and writing the session (raw logs, SQLite). Issue 3 section 6 asks for
1000x real time or more. Then one more run under cProfile attributes the time: per phase
(cumulative time of the entry points) and per area (self time of every function, grouped
by the package that owns it).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import platform
import pstats
import tempfile
import time
from collections import defaultdict
from pathlib import Path

# Phases: (label, (file suffix, function name)) -- cumulative time of these entry points
# (the largest match: nmea_log's nested generators are all called ``gen``).
PHASES = [
    ("read NMEA log -> fixes (pacer/formats/nmea_log)", ("pacer/formats/nmea_log.py", "gen")),
    ("read accelerometer CSV (pacer/formats/readers)", ("pacer/formats/readers.py",
                                                       "read_accel_csv")),
    ("estimator.push_fix (pacer/dsp)", ("pacer/dsp/estimator.py", "push_fix")),
    ("estimator.push_accel (pacer/dsp)", ("pacer/dsp/estimator.py", "push_accel")),
    ("pipeline ticks: estimate + engine + status (pacer/runtime)",
     ("pacer/runtime.py", "_tick")),
    ("session: append_accel (queue)", ("pacer/session/queue.py", "append_accel")),
    ("session: add_fix (queue)", ("pacer/session/queue.py", "add_fix")),
    ("session: flush (one SQLite transaction)", ("pacer/session/store.py", "flush")),
    ("session: close + summary (pacer/runtime finish)", ("pacer/runtime.py", "finish")),
    ("session: create (pacer/wiring build_session)", ("pacer/wiring/session.py", "build_session")),
    ("merge_in_time (pacer/wiring/merge)", ("pacer/wiring/merge.py", "merge_in_time")),
]

AREAS = [  # file path fragment -> area, first match wins
    ("pacer/gps/", "pacer/gps (NMEA)"),
    ("pacer/dsp/", "pacer/dsp (estimator)"),
    ("pacer/session/", "pacer/session (readers, store)"),
    ("pacer/coach/", "pacer/coach (engine)"),
    ("pacer/runtime.py", "pacer/runtime.py"),
    ("pacer/wiring/replay.py", "pacer/wiring/replay.py"),
    ("pacer/", "pacer (other)"),
    ("numpy", "numpy (Python part)"),
    ("sqlite3", "sqlite3"),
]


def generate(out: Path, minutes: float, seed: int) -> tuple[Path, Path, float, int, int]:
    """Write gps.nmea and accel.csv of a simulated steady run; untimed."""
    from pacer.sim.accel import GaitSignal
    from pacer.sim.dataset import write_accel_csv
    from pacer.sim.effort import Effort
    from pacer.sim.receiver import SimulatedReceiver
    from pacer.sim.runner import RunnerModel

    duration_s = 60.0 * minutes
    efforts = [Effort("stand", duration_s=10.0),
               Effort("jog", duration_s=duration_s - 40.0, speed_mps=3.6),
               Effort("walk", duration_s=25.0), Effort("stand", duration_s=5.0)]
    runner = RunnerModel(efforts, seed=seed, rate_hz=50.0)
    receiver = SimulatedReceiver(runner, rate_hz=5.0, seed=seed)
    nmea, csv = out / "gps.nmea", out / "accel.csv"
    receiver.write_log(nmea)
    rows = write_accel_csv(GaitSignal(runner, seed=seed), csv, 100.0, runner.duration_s)
    return nmea, csv, float(runner.duration_s), len(receiver), rows


def replay(nmea: Path, csv: Path, session_dir: Path) -> tuple[float, float]:
    """One in-process ``pacer replay``; returns (wall s, CPU s)."""
    from pacer.cli.main import main

    argv = ["replay", "--nmea", str(nmea), "--accel", str(csv),
            "--session-dir", str(session_dir), "--quiet"]
    sink = io.StringIO()
    w0, c0 = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        rc = main(argv)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    if rc != 0:
        raise SystemExit(f"pacer replay failed ({rc}):\n{sink.getvalue()}")
    return wall, cpu


def phases(nmea: Path, csv: Path, session_dir: Path, duration_s: float) -> str:
    """CPU time of each stage run on its own, without a profiler (best of 2).

    The same code ``pacer replay`` runs: ``replay_records`` (both readers and the time
    merge), then the records through a ``Pipeline`` with the live estimator, with and
    without a ``SessionWriter`` (flushed every 300 ticks as replay does); the estimator's
    two entry points are timed by ``pacer.tools.bench``'s per-call proxy.
    """
    from collections import defaultdict as dd

    from pacer.dsp.estimator import LiveEstimator
    from pacer.formats.nmea_log import fixes_from_nmea_file
    from pacer.formats.readers import read_accel_csv
    from pacer.runtime import Pipeline, run_records
    from pacer.session.store import SessionWriter
    from pacer.tools.bench import _Timed
    from pacer.wiring.replay import replay_records

    walls_s: dict[str, float] = {}

    def cpu(name, fn):  # type: ignore[no-untyped-def]
        best, wall, out = float("inf"), float("inf"), None
        for _ in range(2):
            c0, w0 = time.process_time(), time.perf_counter()
            out = fn()
            best = min(best, time.process_time() - c0)
            wall = min(wall, time.perf_counter() - w0)
        walls_s[name] = wall
        return best, out

    t_nmea, _ = cpu("nmea", lambda: list(fixes_from_nmea_file(nmea)))
    t_accel, _ = cpu("accel", lambda: list(read_accel_csv(csv)))
    t_read, records = cpu("read", lambda: list(replay_records(nmea=nmea, accel=csv)[0]))
    t_pipe, _ = cpu("pipe", lambda: run_records(Pipeline(estimator=LiveEstimator()), records))
    totals: dict[str, float] = dd(float)
    counts: dict[str, int] = dd(int)
    walls: dict[str, float] = dd(float)
    run_records(Pipeline(estimator=_Timed(LiveEstimator(), "estimator", totals, counts, walls)),
                records)
    k = [0]

    def with_store() -> None:
        k[0] += 1
        store = SessionWriter.create(session_dir / f"phase{k[0]}", meta={"bench": True})
        run_records(Pipeline(estimator=LiveEstimator(), store=store, flush_every_ticks=300),
                    records)

    t_store, _ = cpu("store", with_store)
    w = walls_s
    rows = [
        ("read NMEA log -> fixes (pacer/formats/nmea_log)", t_nmea, w["nmea"]),
        ("read accelerometer CSV (pacer/formats/readers)", t_accel, w["accel"]),
        ("replay_records: both readers + merge (pacer/wiring/sources)", t_read, w["read"]),
        ("pipeline without a store (pacer/runtime + pacer/dsp)", t_pipe, w["pipe"]),
        ("  of which estimator.push_fix", totals["estimator.push_fix"], None),
        ("  of which estimator.push_accel", totals["estimator.push_accel"], None),
        ("  of which estimator.estimate (1 Hz ticks)", totals["estimator.estimate"], None),
        ("pipeline with the session store", t_store, w["store"]),
        ("session writes (with store minus without)", t_store - t_pipe,
         w["store"] - w["pipe"]),
        ("sum: replay_records + pipeline with store", t_read + t_store,
         w["read"] + w["store"]),
    ]
    lines = [(f"{'stage, run alone (best of 2)':54} {'CPU s':>6} {'ms/s run':>9}"
              f" {'x real':>8} {'wall s':>7}")]
    for label, t, wall in rows:
        lines.append(f"{label:54} {t:6.2f} {1000 * t / duration_s:9.3f} "
                     f"{duration_s / max(t, 1e-9):8,.0f} "
                     + (f"{wall:7.2f}" if wall is not None else f"{'':>7}"))
    return "\n".join(lines)


def store_parts(nmea: Path, csv: Path, session_dir: Path, repeat: int = 3) -> str:
    """The session/runtime share of a replay, CPU best of ``repeat``, with a null
    estimator (so the estimator's own cost and noise stay out): the accelerometer CSV,
    the two-stream merge, the Pipeline's per-record overhead, the session writes."""
    import datetime as dt

    from pacer.formats.nmea_log import fixes_from_nmea_file
    from pacer.formats.readers import read_accel_csv
    from pacer.models import DistanceSource, Estimate
    from pacer.runtime import Pipeline, run_records
    from pacer.session.store import SessionWriter
    from pacer.wiring.merge import merge_in_time

    utc0 = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)

    class Null:  # the estimator's interface, doing nothing
        def push_fix(self, fix: object) -> None: ...
        def push_accel(self, block: object) -> None: ...
        def push_device(self, ev: object) -> None: ...
        def footfalls(self) -> list[object]:
            return []

        def estimate(self, t_s: float) -> Estimate:
            return Estimate(t_s, utc0 + dt.timedelta(seconds=t_s), 3.6 * t_s, 3.6, 0.9,
                            170.0, 0.8, DistanceSource.GPS, True, 51.5, -0.1)

    fixes = list(fixes_from_nmea_file(nmea))
    blocks = list(read_accel_csv(csv))
    records = list(merge_in_time(iter(fixes), iter(blocks)))
    k = [0]

    def with_store() -> None:
        k[0] += 1
        store = SessionWriter.create(session_dir / f"parts{k[0]}", meta={"bench": True})
        run_records(Pipeline(estimator=Null(), store=store, flush_every_ticks=300), records)

    def best(fn) -> float:  # type: ignore[no-untyped-def]
        out = float("inf")
        for _ in range(repeat):
            c0 = time.process_time()
            fn()
            out = min(out, time.process_time() - c0)
        return out

    res = {
        "read_accel_csv": best(lambda: list(read_accel_csv(csv))),
        "merge_in_time (fixes + blocks)": best(
            lambda: list(merge_in_time(iter(fixes), iter(blocks)))),
        "pipeline, null estimator, no store": best(
            lambda: run_records(Pipeline(estimator=Null()), records)),
        "pipeline, null estimator, with store": best(with_store),
    }
    res["session writes (with store minus without)"] = (
        res["pipeline, null estimator, with store"] - res["pipeline, null estimator, no store"])
    return "\n".join(f"{name:54} {1e3 * t:7.0f} ms CPU" for name, t in res.items())


def _area(filename: str, name: str) -> str:
    key = filename.replace("\\", "/") if filename != "~" else name
    for fragment, area in AREAS:
        if fragment in key:
            return area
    return "stdlib / builtins"


def profile(nmea: Path, csv: Path, session_dir: Path, duration_s: float, top: int) -> str:
    prof = cProfile.Profile()
    prof.enable()
    replay(nmea, csv, session_dir)
    prof.disable()
    st = pstats.Stats(prof)
    total = max(st.total_tt, 1e-9)  # type: ignore[attr-defined]
    rows = st.stats  # type: ignore[attr-defined]
    lines = [(f"cProfile run: {total:.2f} s of profiled time (profiling inflates Python "
              "calls; use the shares, not the seconds)"), "",
             f"{'phase (cumulative, entry points)':62} {'s':>7} {'share':>6}"]
    for label, (suffix, func) in PHASES:
        cum = max((v[3] for (f, _, n), v in rows.items()
                   if n == func and f.replace("\\", "/").endswith(suffix)), default=0.0)
        lines.append(f"{label:62} {cum:7.2f} {100 * cum / total:5.1f}%")
    by_area: dict[str, float] = defaultdict(float)
    for (f, _, n), v in rows.items():
        by_area[_area(f, n)] += v[2]
    lines += ["", f"{'area (self time)':62} {'s':>7} {'share':>6}"]
    for area, tt in sorted(by_area.items(), key=lambda kv: -kv[1]):
        lines.append(f"{area:62} {tt:7.2f} {100 * tt / total:5.1f}%")
    lines += ["", f"top {top} functions by self time:"]
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    body = buf.getvalue()
    lines.append(body[body.find("   ncalls"):].rstrip())
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", metavar="DIR", help="generate into DIR and keep the files")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--store-parts", action="store_true",
                    help="only the session/runtime share (null estimator), then stop")
    a = ap.parse_args()
    print(f"machine: {platform.machine()} {platform.processor() or ''} "
          f"python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(a.keep) if a.keep else Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        nmea, csv, duration_s, n_epochs, n_rows = generate(out, a.minutes, a.seed)
        print(f"input (simulated): {duration_s / 60:.1f} min, {n_epochs} epochs at 5 Hz in "
              f"{nmea.stat().st_size / 1e6:.1f} MB of NMEA, {n_rows} accelerometer rows at "
              f"100 Hz in {csv.stat().st_size / 1e6:.1f} MB of CSV")
        if a.store_parts:
            print(store_parts(nmea, csv, Path(tmp), a.repeat))
            return
        runs = [replay(nmea, csv, Path(tmp) / f"session{k}") for k in range(a.repeat)]
        wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
        print(f"pacer replay --nmea --accel --session-dir --quiet, best of {a.repeat}: "
              f"wall {wall:.2f} s ({duration_s / wall:,.0f} x real time), "
              f"CPU {cpu:.2f} s ({duration_s / cpu:,.0f} x real time); "
              f"all walls: {', '.join(f'{r[0]:.2f}' for r in runs)} s")
        print()
        print(phases(nmea, csv, Path(tmp), duration_s))
        print()
        print(profile(nmea, csv, Path(tmp) / "profiled", duration_s, a.top))


if __name__ == "__main__":
    main()
