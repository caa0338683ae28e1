"""Track search off the track: searches per hour and CPU on a simulated road run.

Usage::

    .venv/bin/python benchmarks/bench_track_search.py [--minutes 60] [--rate-hz 5]
        [--warmup-road-min 0] [--seeds 3]

The run is simulated (clearly labelled): a road route of straight streets 80-600 m
long joined by turns of 30-120 degrees either way (seeded), run at 3.3 m/s, seen by a
receiver at ``--rate-hz`` with correlated position error (sigma 2 m, ~10 s memory).
``--warmup-road-min N`` makes the first N minutes road and the rest laps of a 400 m
track (lane 2) next to the road's end, so the search that finds the track is in the
run too.

Reported per seed: track searches (``fit_oval`` without a start oval) and pre-checks
per hour of running, when the track was found, and the CPU (``time.thread_time``) of
:meth:`pacer.dsp.track.TrackMode.advance` and of
:meth:`pacer.dsp.estimator.LiveEstimator.push_fix` (which calls it) per second of
running. Run it with another tree first on ``PYTHONPATH`` to compare (a tree without
the pre-check reports its count as "-").
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np

from pacer.dsp import track as track_mod
from pacer.dsp import track_geometry as tg
from pacer.dsp.estimator import LiveEstimator
from pacer.dsp.track import TrackMode
from pacer.models import Fix

SPEED_MPS = 3.3
LAT0, LON0 = 51.86, -0.42


def _noise(rng: np.random.Generator, n: int, sigma_m: float, tau_samples: float) -> np.ndarray:
    """AR(1) position error with stationary sigma ``sigma_m`` (input generation only)."""
    rho = math.exp(-1.0 / tau_samples)
    w = rng.normal(0.0, sigma_m * math.sqrt(1 - rho * rho), n)
    out = np.empty(n)
    acc = rng.normal(0.0, sigma_m)
    for i in range(n):  # input generation, not timed
        acc = rho * acc + w[i]
        out[i] = acc
    return out


def road_route(rng: np.random.Generator, length_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Corners (east, north) of a street route at least ``length_m`` long."""
    pts, heading, total = [(0.0, 0.0)], rng.uniform(0, 2 * math.pi), 0.0
    while total < length_m:
        seg = rng.uniform(80.0, 600.0)
        e, n = pts[-1]
        pts.append((e + seg * math.cos(heading), n + seg * math.sin(heading)))
        total += seg
        heading += rng.choice([-1.0, 1.0]) * math.radians(rng.uniform(30.0, 120.0))
    c = np.asarray(pts)
    return c[:, 0], c[:, 1]


def simulated_run(seed: int, minutes: float, rate_hz: float, warmup_road_min: float
                  ) -> list[Fix]:
    """Fixes of the simulated run (road only, or road then track laps)."""
    rng = np.random.default_rng(seed)
    n_fix = int(minutes * 60 * rate_hz)
    t = np.arange(n_fix) / rate_hz
    road_s = t[-1] + 1 if warmup_road_min <= 0 else warmup_road_min * 60.0
    on_road = t < road_s
    s = SPEED_MPS * t
    ce, cn = road_route(rng, SPEED_MPS * road_s + 1.0)
    at = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(ce), np.diff(cn)))])
    e = np.interp(s, at, ce)
    n = np.interp(s, at, cn)
    if not on_road.all():  # laps of lane 2 of a track whose start is the road's end
        k = int(np.argmin(on_road))
        x, y = tg.track_xy_m(s[k:] - s[k], tg.measure_radius_m(2))
        heading = rng.uniform(-math.pi, math.pi)
        x0, y0 = tg.track_xy_m(np.zeros(1), tg.measure_radius_m(2))
        te, tn = tg.track_to_enu(x - x0[0], y - y0[0], e[k - 1], n[k - 1], heading)
        e[k:], n[k:] = te, tn
    e = e + _noise(rng, n_fix, 2.0, 10.0 * rate_hz)
    n = n + _noise(rng, n_fix, 2.0, 10.0 * rate_hz)
    lat, lon = tg.latlon_from_enu(e, n, LAT0, LON0)
    return [Fix(t_s=float(a), utc=None, valid=True, lat_deg=float(b), lon_deg=float(c),
                fix_quality=1, hdop=0.9, speed_mps=SPEED_MPS)
            for a, b, c in zip(t, lat, lon, strict=True)]


def _counting() -> dict[str, int]:
    """Wrap the track module's fit and pre-check with counters (outside the timed pass)."""
    counts = {"searches": 0, "prechecks": 0}
    fit = track_mod.fit_oval

    def fit_counted(*a, **kw):  # type: ignore[no-untyped-def]
        if kw.get("init") is None:
            counts["searches"] += 1
        return fit(*a, **kw)

    track_mod.fit_oval = fit_counted  # type: ignore[assignment]
    pre = getattr(track_mod, "could_be_track", None)
    if pre is not None:
        def pre_counted(*a, **kw):  # type: ignore[no-untyped-def]
            counts["prechecks"] += 1
            return pre(*a, **kw)

        track_mod.could_be_track = pre_counted
    else:
        counts["prechecks"] = -1
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--rate-hz", type=float, default=5.0)
    ap.add_argument("--warmup-road-min", type=float, default=0.0,
                    help="road minutes before track laps (0: road only)")
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args(argv)
    hours = args.minutes / 60.0
    duration_s = args.minutes * 60.0
    print(f"simulated run (not a recording): {args.minutes:g} min at {args.rate_hz:g} Hz, "
          + ("road only" if args.warmup_road_min <= 0
             else f"{args.warmup_road_min:g} min road then track laps (lane 2)"))
    print(f"{'seed':>4} {'searches/h':>10} {'prechecks/h':>11} {'track found s':>13} "
          f"{'advance ms/s':>12} {'push_fix ms/s':>13}")
    for seed in range(args.seeds):
        fixes = simulated_run(seed, args.minutes, args.rate_hz, args.warmup_road_min)
        # timed passes: the production functions, no counters
        tm = TrackMode()
        c0 = time.thread_time()
        for f in fixes:
            tm.advance(f)
        advance_s = time.thread_time() - c0
        est = LiveEstimator(lane=1, track_mode=True)
        c0 = time.thread_time()
        for f in fixes:
            est.push_fix(f)
        push_s = time.thread_time() - c0
        # counted pass (the same track mode, wrapped)
        saved = track_mod.fit_oval, getattr(track_mod, "could_be_track", None)
        counts = _counting()
        tm = TrackMode()
        found = None
        for f in fixes:
            tm.advance(f)
            if found is None and tm.on_track:
                found = f.t_s
        track_mod.fit_oval = saved[0]  # type: ignore[assignment]
        if saved[1] is not None:
            track_mod.could_be_track = saved[1]
        pre = "-" if counts["prechecks"] < 0 else f"{counts['prechecks'] / hours:.0f}"
        print(f"{seed:4d} {counts['searches'] / hours:10.0f} {pre:>11} "
              f"{'-' if found is None else f'{found:.0f}':>13} "
              f"{1000 * advance_s / duration_s:12.3f} {1000 * push_s / duration_s:13.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
