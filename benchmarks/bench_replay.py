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
# (the largest match: logfile's nested generators are all called ``gen``).
PHASES = [
    ("read NMEA log -> fixes (pacer/gps/logfile)", ("pacer/gps/logfile.py", "gen")),
    ("read accelerometer CSV (pacer/session/inputs)", ("pacer/session/inputs.py",
                                                       "read_accel_csv")),
    ("estimator.push_fix (pacer/dsp)", ("pacer/dsp/estimator.py", "push_fix")),
    ("estimator.push_accel (pacer/dsp)", ("pacer/dsp/estimator.py", "push_accel")),
    ("pipeline ticks: estimate + engine + status (pacer/runtime)",
     ("pacer/runtime.py", "_tick")),
    ("session: append_accel (raw accel.bin)", ("pacer/session/store.py", "append_accel")),
    ("session: add_fix (SQLite queue)", ("pacer/session/store.py", "add_fix")),
    ("session: flush (SQLite commits)", ("pacer/session/store.py", "flush")),
    ("session: close + summary (pacer/runtime finish)", ("pacer/runtime.py", "finish")),
    ("session: create (pacer/app build_session)", ("pacer/app.py", "build_session")),
    ("merge_in_time (pacer/runtime)", ("pacer/runtime.py", "merge_in_time")),
]

AREAS = [  # file path fragment -> area, first match wins
    ("pacer/gps/", "pacer/gps (NMEA)"),
    ("pacer/dsp/", "pacer/dsp (estimator)"),
    ("pacer/session/", "pacer/session (readers, store)"),
    ("pacer/coach/", "pacer/coach (engine)"),
    ("pacer/runtime.py", "pacer/runtime.py"),
    ("pacer/sources.py", "pacer/sources.py"),
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
        runs = [replay(nmea, csv, Path(tmp) / f"session{k}") for k in range(a.repeat)]
        wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
        print(f"pacer replay --nmea --accel --session-dir --quiet, best of {a.repeat}: "
              f"wall {wall:.2f} s ({duration_s / wall:,.0f} x real time), "
              f"CPU {cpu:.2f} s ({duration_s / cpu:,.0f} x real time); "
              f"all walls: {', '.join(f'{r[0]:.2f}' for r in runs)} s")
        print()
        print(profile(nmea, csv, Path(tmp) / "profiled", duration_s, a.top))


if __name__ == "__main__":
    main()
