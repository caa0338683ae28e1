"""Measure what the simulator produces (the figures quoted in docs/simulation.md).

Run ``python -m pacer.sim.characterise [--seeds N]``. Prints, over ``N`` seeds of the
built-in sessions: rep times, time to reach pace, cadence per effort kind, receiver
position and speed errors, how short position-derived rep distances read (1 and 5 Hz),
and how fast the models run on this machine.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from pacer.sim.accel import GaitSignal
from pacer.sim.receiver import SimulatedReceiver
from pacer.sim.runner import RunnerModel
from pacer.sim.scenarios import default_session_efforts, interval_session_efforts


def _rep_stats(r: RunnerModel) -> tuple[list[float], list[float]]:
    times, reach = [], []
    for i, e in enumerate(r.efforts):
        if not e.label.startswith("rep"):
            continue
        t0, t1 = r.effort_start_s[i], r.effort_end_s[i]
        times.append(t1 - t0)
        t = np.arange(t0, t0 + 15.0, 0.01)
        v = r.state_at(t).speed_mps
        cruise = np.median(r.state_at(np.linspace(t0 + 10, t1 - 5, 200)).speed_mps)
        reach.append(float(t[np.argmax(v >= 0.95 * cruise)] - t0))
    return times, reach


def _position_short(r: RunnerModel, rx: SimulatedReceiver) -> list[float]:
    e, n = r.site.enu_from_latlon(rx.lat_deg, rx.lon_deg)
    out = []
    for i, eff in enumerate(r.efforts):
        if eff.label.startswith("rep"):
            sel = (rx.t_s >= r.effort_start_s[i]) & (rx.t_s <= r.effort_end_s[i]) & rx.valid
            path = np.sum(np.hypot(np.diff(e[sel]), np.diff(n[sel])))
            out.append(1.0 - path / np.ptp(rx.truth.distance_m[sel]))
    return out


def _doppler_error(r: RunnerModel, rx: SimulatedReceiver) -> list[float]:
    """Relative error of each rep's distance from integrated Doppler speed."""
    out = []
    for i, eff in enumerate(r.efforts):
        if eff.label.startswith("rep"):
            sel = (rx.t_s >= r.effort_start_s[i]) & (rx.t_s <= r.effort_end_s[i]) & rx.valid
            t, v = rx.t_s[sel], rx.speed_mps[sel]
            d = np.sum(0.5 * (v[1:] + v[:-1]) * np.diff(t))
            out.append(d / np.ptp(rx.truth.distance_m[sel]) - 1.0)
    return out


def _add_effort_cadences(r: RunnerModel, cad: dict[str, list[float]]) -> None:
    """Append the mean cadence (spm) of each effort over 20 s, by kind, to ``cad``."""
    for i, e in enumerate(r.efforts):
        if e.kind in cad and r.effort_end_s[i] - r.effort_start_s[i] > 20:
            t = np.linspace(r.effort_start_s[i] + 8, r.effort_end_s[i] - 1, 50)
            cad[e.kind].append(float(np.mean(r.state_at(t).cadence_spm)))


def _print_accuracy(seeds: int) -> None:
    """Rep times, cadences and receiver errors over ``seeds`` interval sessions."""
    rep_t: list[float] = []
    reach: list[float] = []
    cad: dict[str, list[float]] = {"run": [], "jog": [], "walk": []}
    pos_err: list[np.ndarray] = []
    spd_err: list[np.ndarray] = []
    short1: list[float] = []
    short5: list[float] = []
    dop1: list[float] = []
    dop5: list[float] = []
    for seed in range(seeds):
        r = RunnerModel(interval_session_efforts(recovery="line"), seed=seed)
        a, b = _rep_stats(r)
        rep_t += a
        reach += b
        _add_effort_cadences(r, cad)
        rx = SimulatedReceiver(r, seed=seed)
        e_m, n_m = r.site.enu_from_latlon(rx.lat_deg, rx.lon_deg)
        ok = rx.valid
        pos_err.append(np.hypot(e_m - rx.truth.east_m, n_m - rx.truth.north_m)[ok])
        moving = ok & (rx.truth.speed_mps > 2.0)
        spd_err.append(rx.speed_mps[moving] - rx.truth.speed_mps[moving])
        short1 += _position_short(r, rx)
        rx5 = SimulatedReceiver(r, seed=seed, rate_hz=5.0)
        short5 += _position_short(r, rx5)
        dop1 += _doppler_error(r, rx)
        dop5 += _doppler_error(r, rx5)
    pe = np.concatenate(pos_err)
    se = np.concatenate(spd_err)
    print(f"seeds: {seeds} (6 x 400 m in 90 s, stand/walk/jog recoveries to the line)")
    print(f"rep time: mean {np.mean(rep_t):.2f} s, sd {np.std(rep_t):.2f} s, "
          f"range {np.min(rep_t):.2f}-{np.max(rep_t):.2f} s (target 90)")
    print(f"time to 95% of rep pace: mean {np.mean(reach):.2f} s, "
          f"range {np.min(reach):.2f}-{np.max(reach):.2f} s")
    for k, v in cad.items():
        print(f"cadence {k}: mean {np.mean(v):.1f} spm, range {np.min(v):.1f}-{np.max(v):.1f}")
    print(f"receiver position error (valid epochs): rms {np.sqrt(np.mean(pe**2)):.2f} m, "
          f"95th pct {np.percentile(pe, 95):.2f} m")
    print(f"receiver Doppler speed error (moving > 2 m/s): sd {np.std(se):.3f} m/s, "
          f"mean {np.mean(se):+.3f} m/s")
    print(f"rep distance from summed positions reads short by: 1 Hz {100 * np.mean(short1):.2f} %"
          f" (sd {100 * np.std(short1):.2f}), 5 Hz {100 * np.mean(short5):.2f} % "
          f"(sd {100 * np.std(short5):.2f})")
    print(f"rep distance from integrated Doppler speed, error: 1 Hz {100 * np.mean(dop1):+.2f} % "
          f"(sd {100 * np.std(dop1):.2f}), 5 Hz {100 * np.mean(dop5):+.2f} % "
          f"(sd {100 * np.std(dop5):.2f})")


def _print_speed() -> None:
    """How fast the runner, receiver and gait models run on this machine."""
    c0 = time.perf_counter()
    r = RunnerModel(default_session_efforts(), seed=0)
    build_s = time.perf_counter() - c0
    c0 = time.perf_counter()
    rx = SimulatedReceiver(r, seed=0)
    nbytes = sum(len(d) for _, d in rx.epochs())
    rx_s = time.perf_counter() - c0
    sig = GaitSignal(r, seed=0)
    ts = np.arange(0.0, r.duration_s, 0.01)
    c0 = time.perf_counter()
    sig(ts)
    bulk_s = time.perf_counter() - c0
    chunks = np.array_split(ts[:32_000], 1000)
    c0 = time.perf_counter()
    for c in chunks:
        sig(c)
    chunk_s = time.perf_counter() - c0
    print(f"default session: {r.duration_s:.0f} s, {r.step_times_s.size} steps; runner model "
          f"built in {1000 * build_s:.0f} ms; receiver 1 Hz {len(rx)} epochs, {nbytes} bytes, "
          f"{1000 * rx_s:.0f} ms")
    print(f"gait signal: {ts.size / bulk_s / 1e6:.2f} M samples/s in one call; "
          f"{1e6 * chunk_s / len(chunks):.0f} us per 32-sample chunk")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    args = ap.parse_args(argv)
    _print_accuracy(args.seeds)
    _print_speed()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
