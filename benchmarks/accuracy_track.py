"""Track mode on a real session: the Luton 400 m track GPX (1 Hz, 4 sets of 4 x 200 m).

Usage::

    .venv/bin/python benchmarks/accuracy_track.py [GPX]

Default file: ``../shared/data/gps/track_session/track_session.gpx`` (falls back to the
copy in ``tests/data/track/``). The recording was made with auto-pause: there are no
points during the 30 s rests and the 2 min set breaks, so the 16 reps are the runs of
points between time gaps longer than 10 s. The prescription says 200 m each (lane 1;
the whole path covers ~7.98 laps); the author's own GPS splits read 189-208 m.

Per rep, three measurements:

* **live**: :class:`pacer.dsp.estimator.LiveEstimator` (track mode on), fed fix by fix
  exactly as the runtime would: distance at the rep's last point minus at its first;
* **track (offline)**: progress along lane 1 of the oval fitted by the live track mode
  at the end of the session, between the rep's first and last point -- what track mode
  measures once it has seen the track;
* **summed positions**: the naive baseline, the sum of distances between consecutive
  points.

The GPX has no Doppler speed, so the live estimator's speed comes from consecutive
positions (:class:`pacer.dsp.speed.SpeedFilter` falls back to them).
"""

from __future__ import annotations

import datetime as dt
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from pacer.dsp import track_geometry as tg
from pacer.dsp.estimator import LiveEstimator
from pacer.dsp.track import TrackMode, _wrap
from pacer.models import Fix

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "gps" / "track_session" / "track_session.gpx"
LOCAL = REPO / "tests" / "data" / "track" / "track_session.gpx"
NS = {"g": "http://www.topografix.com/GPX/1/1"}
GAP_S = 10.0


def read_gpx(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, dt.datetime]:
    rows = []
    for p in ET.parse(path).getroot().iterfind(".//g:trkpt", NS):
        when = dt.datetime.fromisoformat(p.findtext("g:time", namespaces=NS) or "")
        rows.append((when.timestamp(), float(p.get("lat", "nan")), float(p.get("lon", "nan"))))
    a = np.array(rows)
    start = dt.datetime.fromtimestamp(a[0, 0], tz=dt.UTC)
    return a[:, 0] - a[0, 0], a[:, 1], a[:, 2], start


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else (SHARED if SHARED.exists() else LOCAL)
    t, lat, lon, start = read_gpx(path)
    fixes = [Fix(t_s=float(a), utc=start + dt.timedelta(seconds=float(a)), valid=True,
                 lat_deg=float(b), lon_deg=float(c), fix_quality=1)
             for a, b, c in zip(t, lat, lon, strict=True)]
    est = LiveEstimator(lane=1, track_mode=True)
    tm = TrackMode(lane=1)
    live = np.empty(t.size)
    on = np.zeros(t.size, bool)
    for i, f in enumerate(fixes):
        est.push_fix(f)
        e = est.estimate(f.t_s)
        live[i] = e.distance_m
        on[i] = tm.update(f).on_track
    fit = tm.fit
    first_on = int(np.argmax(on)) if on.any() else None

    # offline progress on the final fitted oval, unwrapped along the whole session
    e_m, n_m = tg.enu_from_latlon(lat, lon, lat[0], lon[0])
    steps = np.concatenate([[0.0], np.hypot(np.diff(e_m), np.diff(n_m))])
    assert tm._ref is not None  # set by the first fix
    e_r, n_r = tg.enu_from_latlon(lat, lon, *tm._ref)
    if fit is not None:
        x, y = tg.enu_to_track(e_r, n_r, fit.centre_east_m, fit.centre_north_m, fit.heading_rad)
        s, off = tg.project_to_track(x, y, tg.measure_radius_m(1))
        lap = tg.lap_length_m(1)
        prog = np.concatenate([[0.0], np.cumsum(_wrap(np.diff(s), lap))])
        if tm.clockwise:
            prog = -prog
    else:
        prog = np.full(t.size, np.nan)
        off = np.full(t.size, np.nan)

    cut = np.flatnonzero(np.diff(t) > GAP_S) + 1
    bounds = list(zip(np.concatenate([[0], cut]), np.concatenate([cut, [t.size]]) - 1, strict=True))
    print(f"File: `{path.name}`, {t.size} points over {t[-1]:.0f} s; {len(bounds)} runs "
          f"between pauses > {GAP_S:.0f} s.\n")
    if fit is not None:
        lat_c, lon_c = tg.latlon_from_enu(fit.centre_east_m, fit.centre_north_m, *tm._ref)
        print(f"Track found after {t[first_on]:.0f} s (point {first_on}); oval centre "
              f"{float(lat_c):.6f}, {float(lon_c):.6f}, straights bearing "
              f"{tm.state.heading_deg:.1f} deg, fitted line {fit.offset_m:+.2f} m from lane 1's "
              f"measure line, inlier RMS {fit.rms_m:.2f} m; points on track after detection "
              f"{100 * on[first_on:].mean():.1f} %; |offset| of all points: median "
              f"{np.median(np.abs(off - fit.offset_m)):.2f} m.")
        print(f"Laps of the oval: live track mode counted {tm.state.laps} whole laps "
              f"({tm.state.progress_m:.1f} m since {tm.state.entry_t_s:.0f} s); whole session "
              f"on the final oval {prog[-1]:.1f} m = {prog[-1] / 400:.3f} laps "
              f"(prescribed 16 x 200 m = 8 laps; the path covers ~7.98); summed positions "
              f"{steps.sum():.1f} m; live estimator total {live[-1]:.1f} m.\n")
    cum_sum = np.cumsum(steps)
    print("Per rep: *run* = first to last point of the rep (auto-pause trims the run-in and "
          "run-out, so this is not the 200 m); *start to start* = from the rep's first point "
          "to the next rep's first point (each rep starts on a 200 m line, so this should be "
          "200 m; the last rep has none).\n")
    print("| rep | start s | run: live m | run: track m | run: summed m | start to start: "
          "live m | start to start: track m | start to start: summed m |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    for k, (i0, i1) in enumerate(bounds, 1):
        run = (live[i1] - live[i0], prog[i1] - prog[i0], cum_sum[i1] - cum_sum[i0])
        if k < len(bounds):
            j = bounds[k][0]
            sts = (live[j] - live[i0], prog[j] - prog[i0], cum_sum[j] - cum_sum[i0])
        else:
            sts = (np.nan, np.nan, np.nan)
        rows.append(run + sts)
        print(f"| {k} | {t[i0]:.0f} | " + " | ".join(f"{v:.1f}" for v in run + sts) + " |")
    a = np.array(rows)[:-1]
    print("\n| start-to-start vs 200 m (15 reps) | mean error % | mean abs error % | "
          "RMS error % | range m |")
    print("|---|---|---|---|---|")
    for name, col in (("live estimator (track mode)", 3), ("track progress, final oval", 4),
                      ("summed positions (baseline)", 5)):
        err = 100 * (a[:, col] / 200.0 - 1.0)
        print(f"| {name} | {err.mean():+.2f} | {np.abs(err).mean():.2f} | "
              f"{np.sqrt(np.mean(err ** 2)):.2f} | {a[:, col].min():.1f}-{a[:, col].max():.1f} |")
    pairs = a[0:14:2] + a[1:15:2]  # reps 1+2, 3+4, ... start to start: one lap each
    print("\n| lap = two reps start to start vs 400 m (7 laps) | mean error % | "
          "mean abs error % | range m |")
    print("|---|---|---|---|")
    for name, col in (("live estimator (track mode)", 3), ("track progress, final oval", 4),
                      ("summed positions (baseline)", 5)):
        err = 100 * (pairs[:, col] / 400.0 - 1.0)
        print(f"| {name} | {err.mean():+.2f} | {np.abs(err).mean():.2f} | "
              f"{pairs[:, col].min():.1f}-{pairs[:, col].max():.1f} |")
    detection_on_generated_ovals()
    return 0


def detection_on_generated_ovals(runs: int = 40) -> None:
    """Path run before track mode starts, on generated ovals (1 Hz, 4.5 m/s, random
    start point, orientation, place and lane offset; correlated 1.5 m position noise)."""
    rng = np.random.default_rng(3)
    path_m = []
    for _ in range(runs):
        t = np.arange(0, 200.0, 1.0)
        s = rng.uniform(0, 400) + 4.5 * t
        x, y = tg.track_xy_m(s, tg.measure_radius_m(1) + rng.uniform(-1.0, 2.0))
        e, n = tg.track_to_enu(x, y, rng.uniform(-500, 500), rng.uniform(-500, 500),
                               rng.uniform(-np.pi, np.pi))
        for arr in (e, n):  # AR(1) noise, rho 0.9, sigma 1.5 m
            w = rng.normal(0, 1.5 * np.sqrt(1 - 0.81), t.size)
            acc = rng.normal(0, 1.5)
            for i in range(t.size):
                acc = 0.9 * acc + w[i]
                arr[i] += acc
        lat, lon = tg.latlon_from_enu(e, n, rng.uniform(-60, 60), rng.uniform(-180, 180))
        tm = TrackMode()
        on = [tm.update(Fix(t_s=float(a), utc=None, valid=True, lat_deg=float(b),
                            lon_deg=float(c))).on_track
              for a, b, c in zip(t, lat, lon, strict=True)]
        path_m.append(4.5 * t[on.index(True)] if any(on) else np.inf)
    p = np.array(path_m)
    print(f"\nGenerated ovals: detected in {np.isfinite(p).sum()} of {runs} runs after a "
          f"median {np.median(p):.0f} m (max {p.max():.0f} m) of running.")


if __name__ == "__main__":
    raise SystemExit(main())
