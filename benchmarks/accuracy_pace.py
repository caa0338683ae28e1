"""Pace and distance accuracy on simulated track reps, next to naive baselines.

Usage::

    .venv/bin/python benchmarks/accuracy_pace.py [--seeds 5] [--rates 1 5]

Each session: a simulated runner (:mod:`pacer.sim.runner`) on lane 1 of a standard
track, a simulated receiver (:mod:`pacer.sim.receiver`: wandering position error, bend
cutting, Doppler speed with the within-step wobble, dropouts, corrupted sentences)
emitting NMEA, parsed by :class:`pacer.gps.nmea.EpochAssembler` and fed to
:class:`pacer.dsp.estimator.LiveEstimator` fix by fix (no accelerometer). Truth comes
from the runner model. Per rep (start and end at the runner's true times):

* pace error: RMS of ``v_true / v_est - 1`` from 5 s into the rep to its end, sampled
  at every receiver epoch; baseline: the receiver's raw speed of that epoch;
* rep distance error: measured distance between the true start and end times against
  the true rep distance; baseline: summed distances between consecutive positions;
* time error: when the measured distance since the rep start reaches the rep distance,
  minus the true time the runner got there (+ late, - early).

The last session puts the runner in lane 2 while the estimator measures on lane 1 (its
default): the true rep distance is then the track distance, laps x 400 m, i.e. the
runner's own distance x 400 / 407.67; the speed integral reads ~1.9 % long there.

Prints markdown tables (paste into docs/algorithms-pace-track.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

import numpy as np

from pacer.dsp import track_geometry as tg
from pacer.dsp.estimator import LiveEstimator
from pacer.gps.nmea import EpochAssembler
from pacer.sim.receiver import SimulatedReceiver
from pacer.sim.runner import RunnerModel
from pacer.sim.scenarios import interval_session_efforts

SCENARIOS = {
    "6 x 400 m in 90 s, 200 m jog": {"reps": 6, "rep_distance_m": 400.0, "rep_time_s": 90.0},
    "8 x 200 m in 40 s, 200 m jog": {"reps": 8, "rep_distance_m": 200.0, "rep_time_s": 40.0},
    "3 x 1200 m in 4:30, 400 m jog": {"reps": 3, "rep_distance_m": 1200.0,
                                      "rep_time_s": 270.0, "recovery_m": 400.0},
    "6 x 400 m in 90 s, runner in lane 2": {"reps": 6, "rep_distance_m": 400.0,
                                            "rep_time_s": 90.0, "lane": 2},
}


CPU_US_PER_FIX: dict[float, list[float]] = {}


@dataclass
class Series:
    t_s: np.ndarray
    raw_speed_mps: np.ndarray  # NaN where the receiver gave none
    est_speed_mps: np.ndarray
    est_dist_m: dict[str, np.ndarray]  # per method
    sum_dist_m: np.ndarray


def run_session(efforts: list, seed: int, rate_hz: float,
                lane: int = 1) -> tuple[RunnerModel, Series]:
    runner = RunnerModel(efforts, seed=seed, rate_hz=20.0, lane=lane)
    rx = SimulatedReceiver(runner, rate_hz=rate_hz, seed=seed)
    asm = EpochAssembler()
    fixes = []
    for t_s, data in rx.epochs():
        for line in data.decode("ascii", "replace").splitlines():
            fixes += asm.push(t_s, line)
    fixes += asm.flush()
    ests = {"track": LiveEstimator(track_mode=True), "speed": LiveEstimator(track_mode=False)}
    n = len(fixes)
    t = np.array([f.t_s for f in fixes])
    raw = np.array([np.nan if f.speed_mps is None or not f.valid else f.speed_mps
                    for f in fixes])
    dist = {k: np.empty(n) for k in ests}
    speed = np.empty(n)
    tm = ests["track"]
    t_cpu = time.perf_counter()
    for f in fixes:  # timing: the track-mode estimator alone, one estimate per fix
        tm.push_fix(f)
        tm.estimate(f.t_s)
    CPU_US_PER_FIX.setdefault(rate_hz, []).append((time.perf_counter() - t_cpu) / n * 1e6)
    ests["track"] = LiveEstimator(track_mode=True)
    for i, f in enumerate(fixes):
        for k, est in ests.items():
            est.push_fix(f)
            e = est.estimate(f.t_s)
            dist[k][i] = e.distance_m
            if k == "track":
                speed[i] = np.nan if e.speed_mps is None else e.speed_mps
    # naive: sum of distances between consecutive valid positions
    ok = np.array([f.has_position for f in fixes])
    lat = np.array([f.lat_deg if f.has_position else np.nan for f in fixes])
    lon = np.array([f.lon_deg if f.has_position else np.nan for f in fixes])
    idx = np.flatnonzero(ok)
    e_m, n_m = tg.enu_from_latlon(lat[idx], lon[idx], lat[idx[0]], lon[idx[0]])
    steps = np.concatenate([[0.0], np.hypot(np.diff(e_m), np.diff(n_m))])
    cum = np.zeros(n)
    cum[idx] = np.cumsum(steps)
    cum = np.maximum.accumulate(cum)
    return runner, Series(t, raw, speed, dist, cum)


def crossing_time_s(t: np.ndarray, d: np.ndarray, t0: float, target_m: float) -> float:
    """First time after ``t0`` at which ``d - d(t0)`` reaches ``target_m`` (NaN if never)."""
    d0 = float(np.interp(t0, t, d))
    sel = t >= t0
    tt, dd = t[sel], d[sel] - d0
    k = np.flatnonzero(dd >= target_m)
    if k.size == 0:
        return float("nan")
    j = int(k[0])
    if j == 0:
        return float(tt[0])
    f = (target_m - dd[j - 1]) / max(dd[j] - dd[j - 1], 1e-9)
    return float(tt[j - 1] + f * (tt[j] - tt[j - 1]))


def rep_metrics(runner: RunnerModel, s: Series) -> list[dict[str, float]]:
    rows = []
    truth = runner.state_at(s.t_s)
    for i, eff in enumerate(runner.efforts):
        if not eff.label.startswith("rep"):
            continue
        t0, t1 = float(runner.effort_start_s[i]), float(runner.effort_end_s[i])
        # the estimator measures on lane 1: a runner in another lane covers the track
        # distance (laps x 400 m) times that lane's lap / 400 m
        d_true = float(runner.state_at(np.array([t1])).distance_m[0]
                       - runner.state_at(np.array([t0])).distance_m[0])
        d_true *= tg.lap_length_m(1) / runner.lap_length_m
        sel = (s.t_s >= t0 + 5.0) & (s.t_s <= t1)
        v_true = truth.speed_mps[sel]

        def pace_rms(v: np.ndarray, v_true: np.ndarray = v_true) -> float:
            good = np.isfinite(v) & (v > 0.3)
            return float(np.sqrt(np.mean((v_true[good] / v[good] - 1.0) ** 2)) * 100)

        row = {"pace_est": pace_rms(s.est_speed_mps[sel]),
               "pace_raw": pace_rms(s.raw_speed_mps[sel])}
        for k, d in list(s.est_dist_m.items()) + [("sum", s.sum_dist_m)]:
            got = float(np.interp(t1, s.t_s, d) - np.interp(t0, s.t_s, d))
            row[f"dist_{k}"] = (got / d_true - 1.0) * 100
            row[f"time_{k}"] = crossing_time_s(s.t_s, d, t0, d_true) - t1
        rows.append(row)
    return rows


def summarise(rows: list[dict[str, float]], key: str, kind: str) -> str:
    v = np.array([r[key] for r in rows])
    v = v[np.isfinite(v)]
    if v.size == 0:
        return "n/a"
    if kind == "rms":
        return f"{np.sqrt(np.mean(v ** 2)):.2f}"
    return f"{np.mean(np.abs(v)):.2f} / {np.max(np.abs(v)):.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--rates", type=float, nargs="+", default=[1.0, 5.0])
    args = ap.parse_args(argv)
    t_start = time.perf_counter()
    print("| session | rate | reps | pace RMS % (filter / raw) | rep distance error % "
          "mean abs / max (track / speed integral / summed positions) | time-at-distance "
          "error s mean abs / max (track / speed integral / summed positions) |")
    print("|---|---|---|---|---|---|")
    for name, kw in SCENARIOS.items():
        for rate in args.rates:
            rows: list[dict[str, float]] = []
            for seed in range(args.seeds):
                kw_run = {k: v for k, v in kw.items() if k != "lane"}
                runner, series = run_session(interval_session_efforts(**kw_run), seed, rate,
                                             lane=int(kw.get("lane", 1)))
                rows += rep_metrics(runner, series)
            pace = f"{summarise(rows, 'pace_est', 'rms')} / {summarise(rows, 'pace_raw', 'rms')}"
            methods = ("track", "speed", "sum")
            dist = " ; ".join(summarise(rows, f"dist_{k}", "abs") for k in methods)
            tim = " ; ".join(summarise(rows, f"time_{k}", "abs") for k in ("track", "speed", "sum"))
            print(f"| {name} | {rate:g} Hz | {len(rows)} | {pace} | {dist} | {tim} |")
            sys.stdout.flush()
    print(f"\n({args.seeds} seeds per row; {time.perf_counter() - t_start:.0f} s)")
    for rate, us in sorted(CPU_US_PER_FIX.items()):
        print(f"LiveEstimator (track mode) CPU: {np.mean(us):.0f} us per fix (push_fix + "
              f"estimate) at {rate:g} Hz = {np.mean(us) * rate / 1000:.2f} ms per second of "
              "running on this machine")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
