"""Distance on real recordings: pacer's replay against summed positions, per lap.

Usage::

    PACER_SHARED_DATA=../shared/data .venv/bin/python benchmarks/accuracy_real_distance.py

``PACER_SHARED_DATA`` defaults to ``../shared/data`` next to the repository. Every
distance of pacer is what ``pacer replay`` stores: the fixes go through
:class:`pacer.runtime.Pipeline` with a :class:`pacer.dsp.estimator.LiveEstimator`, one
estimate per second plus the final one, and a distance at any moment is read from those
estimates (linear between two). The baseline is the simplest honest method: the sum of
the distances between consecutive recorded positions, over the same time span.

Two kinds of truth:

* **watch laps** (FIT activities): each lap message's own distance over its start and
  end time. This is the watch's measurement, not surveyed truth; it is what the issue's
  sparse-watch figures are judged against. The 1 km auto-laps of the Forerunner 110 file
  are recorded every 4 s (a "smart recording").
* **track revolutions** (the Luton GPX): one revolution of the 400 m oval is 400 m on
  lane 1's measure line, in any lane. Revolution ends are the moments the runner's
  lane-1 progress on an oval fitted to the whole file passes 100 m + k x 400 m from the
  first point (a reference fit of all points, not pacer's live one; a few metres of
  error in it move a mark by a fraction of a second). Every rep of the session starts
  0 or 200 m from the first point, so the marks fall mid-rep while the runner runs, as
  a lap button pressed on the fly (marks at a standing start after an auto-pause would
  measure the recording's pause, not the distance). The same file is replayed as GPX (positions
  only), as NMEA (RMC + GGA lines through pacer's parser, speed from the positions
  either side) and, labelled *semi-synthetic*, as fixes with a speed that lags the
  positions (exponential smoothing, 10 s) and with every position moved 7 m outward
  (a runner far outside lane 1).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pacer.dsp import track_geometry as tg
from pacer.dsp.estimator import LiveEstimator
from pacer.dsp.oval_fit import R1_M, fit_oval
from pacer.formats.readers import fixes_from_fit, fixes_from_gpx
from pacer.models import Estimate, Fix
from pacer.runtime import Pipeline
from pacer.sim import nmea_out

REPO = Path(__file__).resolve().parents[1]
WATCH_FILES = ("2013-02-06-12-11-14.fit", "activity-small-fenix2-run.fit",
               "garmin-fenix-5-run.fit")
TRACK_GPX = Path("gps") / "track_session" / "track_session.gpx"
# revolutions are counted from 100 m after the first point: every rep of the session
# starts 0 or 200 m from it, so the marks fall mid-rep, where the runner is running
REV_ORIGIN_M = 100.0


def data_dir() -> Path:
    """The shared data folder: ``$PACER_SHARED_DATA`` or ``../shared/data``."""
    env = os.environ.get("PACER_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


class _Collect:
    """A status printer that keeps every estimate."""

    def __init__(self) -> None:
        self.t_s: list[float] = []
        self.d_m: list[float] = []

    def estimate(self, est: Estimate, engine: Any) -> None:
        if self.t_s and est.t_s == self.t_s[-1]:  # the final estimate, at the last fix
            self.d_m[-1] = est.distance_m
            return
        self.t_s.append(est.t_s)
        self.d_m.append(est.distance_m)

    def cue(self, cue: Any) -> None:  # pragma: no cover - no engine
        pass

    def event(self, t_s: float, text: str) -> None:
        pass


def replay(records: Iterable[Fix | tuple[float, str]]) -> tuple[np.ndarray, np.ndarray]:
    """Estimates (t_s, distance_m) of a replay of fixes or (t_s, NMEA line) pairs."""
    out = _Collect()
    pipe = Pipeline(estimator=LiveEstimator(), printer=out, store_raw=False)
    for rec in records:
        if isinstance(rec, Fix):
            pipe.push(rec)
        else:
            pipe.advance_to(rec[0])
            pipe.on_line(rec[0], rec[1])
    pipe.finish()
    return np.array(out.t_s), np.array(out.d_m)


def summed_positions(fixes: Sequence[Fix]) -> tuple[np.ndarray, np.ndarray]:
    """(t_s, cumulative m) of the sum of distances between consecutive positions."""
    pts = [(f.t_s, f.lat_deg, f.lon_deg) for f in fixes if f.has_position]
    a = np.array(pts, dtype=float)
    e, n = tg.enu_from_latlon(a[:, 1], a[:, 2], a[0, 1], a[0, 2])
    return a[:, 0], np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(e), np.diff(n)))])


def span_m(t: np.ndarray, d: np.ndarray, t0: float, t1: float) -> float:
    """Distance between two moments (linear between samples)."""
    return float(np.interp(t1, t, d) - np.interp(t0, t, d))


def _pct(x: np.ndarray, q: float) -> float:
    return float(np.percentile(x, q)) if x.size else math.nan


# ---------------------------------------------------------------------- watch laps


def watch_laps(path: Path) -> list[tuple[float, float, float]]:
    """(start s, end s, distance m) of each lap of a FIT activity (session timeline)."""
    from garmin_fit_sdk import Decoder, Stream

    msgs, _ = Decoder(Stream.from_file(str(path))).read()
    first = next(r["timestamp"] for r in msgs["record_mesgs"] if "timestamp" in r)
    laps = []
    for lap in msgs.get("lap_mesgs", []):
        t0 = (lap["start_time"] - first).total_seconds()
        t1 = t0 + float(lap["total_elapsed_time"])
        if "timestamp" in lap:  # the lap's end (its last record)
            t1 = max(t1, (lap["timestamp"] - first).total_seconds())
        laps.append((t0, t1, float(lap["total_distance"])))
    return laps


def watch_table(folder: Path) -> None:
    print("### Watch files: distance per watch lap (truth: the watch's own lap distance)\n")
    print("| file | median interval s | laps | lap m | pacer m | summed m | "
          "pacer err % | summed err % |")
    print("|---|---|---|---|---|---|---|---|")
    summary = []
    for name in WATCH_FILES:
        path = folder / "fit" / name
        fixes = list(fixes_from_fit(path))
        t_est, d_est = replay(fixes)
        t_sum, d_sum = summed_positions(fixes)
        dt_med = float(np.median(np.diff([f.t_s for f in fixes])))
        errs_p, errs_s = [], []
        for k, (t0, t1, truth) in enumerate(watch_laps(path), 1):
            p, s = span_m(t_est, d_est, t0, t1), span_m(t_sum, d_sum, t0, t1)
            errs_p.append(100 * (p / truth - 1))
            errs_s.append(100 * (s / truth - 1))
            print(f"| {name} | {dt_med:.0f} | {k} | {truth:.1f} | {p:.1f} | {s:.1f} | "
                  f"{errs_p[-1]:+.2f} | {errs_s[-1]:+.2f} |")
        summary.append((name, np.abs(errs_p), np.abs(errs_s)))
    print("\n| file | laps | median abs err % pacer / summed | worst pacer / summed |")
    print("|---|---|---|---|")
    for name, ep, es in summary:
        print(f"| {name} | {ep.size} | {np.median(ep):.2f} / {np.median(es):.2f} | "
              f"{ep.max():.2f} / {es.max():.2f} |")


# ---------------------------------------------------------------------- track revolutions


def _enu(fixes: Sequence[Fix]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a = np.array([(f.t_s, f.lat_deg, f.lon_deg) for f in fixes if f.has_position], dtype=float)
    e, n = tg.enu_from_latlon(a[:, 1], a[:, 2], a[0, 1], a[0, 2])
    return a[:, 0], e, n


def revolutions(fixes: Sequence[Fix]) -> tuple[list[tuple[float, float]], float, Any]:
    """Revolution (start s, end s) pairs, lane-1 progress of the whole file (m) and the
    reference oval (fitted to every position)."""
    t, e, n = _enu(fixes)
    fit = fit_oval(e, n)
    assert fit is not None and fit.ok, "the reference oval does not fit"
    x, y = tg.enu_to_track(e, n, fit.centre_east_m, fit.centre_north_m, fit.heading_rad)
    s, _ = tg.project_to_track(x, y, R1_M)
    lap = float(tg.lap_length_m(1))
    ds = s[1:] - s[:-1]
    prog = np.concatenate([[0.0], np.cumsum(ds - lap * np.round(ds / lap))])
    prog = prog if prog[-1] > 0 else -prog
    marks = [float(np.interp(REV_ORIGIN_M + k * lap, prog, t))
             for k in range(int((prog[-1] - REV_ORIGIN_M) // lap) + 1)]
    return list(zip(marks[:-1], marks[1:], strict=True)), float(prog[-1]), fit


def nmea_lines(fixes: Sequence[Fix]) -> list[tuple[float, str]]:
    """RMC + GGA lines of the fixes, speed from the positions either side."""
    t, e, n = _enu(fixes)
    v = np.empty(t.size)
    v[1:-1] = np.hypot(e[2:] - e[:-2], n[2:] - n[:-2]) / (t[2:] - t[:-2])
    v[0], v[-1] = v[1], v[-2]
    lines = []
    for f, sp in zip(fixes, v, strict=True):
        assert f.utc is not None
        for s in (nmea_out.rmc("GP", f.utc, f.lat_deg, f.lon_deg, float(sp), None),
                  nmea_out.gga("GP", f.utc, f.lat_deg, f.lon_deg, 8, 1.0, 0.0, 0.0)):
            lines.append((f.t_s, s.decode("ascii").strip()))
    return lines


def lagging_speed(fixes: Sequence[Fix], tau_s: float = 10.0) -> list[Fix]:
    """The fixes with a recorded speed that lags the positions (semi-synthetic)."""
    t, e, n = _enu(fixes)
    raw = np.concatenate([[0.0], np.hypot(np.diff(e), np.diff(n)) / np.diff(t)])
    v, out = 0.0, []
    for i, f in enumerate(fixes):
        w = 1.0 - math.exp(-(t[i] - t[i - 1]) / tau_s) if i else 1.0
        v += w * (raw[i] - v)
        out.append(Fix(t_s=f.t_s, utc=f.utc, valid=True, lat_deg=f.lat_deg,
                       lon_deg=f.lon_deg, speed_mps=v, fix_quality=1))
    return out


def moved_outward(fixes: Sequence[Fix], fit: Any, out_m: float) -> list[Fix]:
    """The fixes with every position moved ``out_m`` away from the oval (semi-synthetic)."""
    lat0, lon0 = float(fixes[0].lat_deg), float(fixes[0].lon_deg)  # type: ignore[arg-type]
    _, e, n = _enu(fixes)
    x, y = tg.enu_to_track(e, n, fit.centre_east_m, fit.centre_north_m, fit.heading_rad)
    cx = np.clip(x, -tg.STRAIGHT_M / 2, tg.STRAIGHT_M / 2)
    r = np.hypot(x - cx, y)
    x2, y2 = cx + (x - cx) * (r + out_m) / r, y * (r + out_m) / r
    e2, n2 = tg.track_to_enu(x2, y2, fit.centre_east_m, fit.centre_north_m, fit.heading_rad)
    lat, lon = tg.latlon_from_enu(e2, n2, lat0, lon0)
    return [Fix(t_s=f.t_s, utc=f.utc, valid=True, lat_deg=float(a), lon_deg=float(b),
                speed_mps=f.speed_mps, fix_quality=1)
            for f, a, b in zip(fixes, lat, lon, strict=True)]


def track_table(folder: Path) -> None:
    path = folder / TRACK_GPX
    fixes = list(fixes_from_gpx(path))
    revs, total_m, fit = revolutions(fixes)
    print(f"\n### Real track: `{TRACK_GPX.name}`, {len(fixes)} points at 1 Hz, "
          f"{len(revs)} whole revolutions ({total_m / 400:.3f} laps on lane 1; reference "
          f"oval {fit.offset_m:+.2f} m from lane 1's line). Truth: 400 m per revolution\n")
    print("| input | revolutions | per-rev median abs err % pacer / summed | P90 pacer / "
          "summed | worst pacer / summed | whole session err % pacer / summed |")
    print("|---|---|---|---|---|---|")
    inputs: list[tuple[str, list[Any], list[Fix]]] = [
        ("GPX (positions only)", list(fixes), fixes),
        ("NMEA (RMC+GGA, speed from positions)", list(nmea_lines(fixes)), fixes),
        ("semi-synthetic: speed lagging 10 s", list(lagging_speed(fixes)), fixes),
    ]
    sparse = [f for f in fixes if round(f.t_s) % 4 == 0]
    inputs.append(("GPX thinned to a point every 4 s (as a watch's smart recording)",
                   sparse, sparse))
    wide = moved_outward(fixes, fit, 7.0)
    inputs.append(("semi-synthetic: 7 m outside lane 1, lagging speed",
                   lagging_speed(wide), wide))
    inputs.append(("semi-synthetic: 7 m outside lane 1, as NMEA", nmea_lines(wide), wide))
    for label, records, pos in inputs:
        t_est, d_est = replay(records)
        t_sum, d_sum = summed_positions(pos)
        ep = np.array([100 * (span_m(t_est, d_est, a, b) / 400 - 1) for a, b in revs])
        es = np.array([100 * (span_m(t_sum, d_sum, a, b) / 400 - 1) for a, b in revs])
        t_end = pos[-1].t_s
        whole_p = 100 * (span_m(t_est, d_est, 0.0, t_end) / total_m - 1)
        whole_s = 100 * (span_m(t_sum, d_sum, 0.0, t_end) / total_m - 1)
        print(f"| {label} | {ep.size} | {np.median(np.abs(ep)):.2f} / "
              f"{np.median(np.abs(es)):.2f} | {_pct(np.abs(ep), 90):.2f} / "
              f"{_pct(np.abs(es), 90):.2f} | {np.abs(ep).max():.2f} / "
              f"{np.abs(es).max():.2f} | {whole_p:+.2f} / {whole_s:+.2f} |")


def false_tracks(folder: Path) -> None:
    """Track detections in every non-track recording of the shared folder."""
    from pacer.dsp.track import TrackMode
    from pacer.formats.nmea_log import fixes_from_nmea_file

    files = sorted((folder / "nmea").rglob("*.log")) + sorted((folder / "fit").glob("*.fit"))
    found, read = [], 0
    for path in files:
        try:
            fixes = list(fixes_from_nmea_file(path) if path.suffix == ".log"
                         else fixes_from_fit(path))
        except Exception:  # a workout file, a damaged log: not a recording of a run
            continue
        read += 1
        tm = TrackMode()
        if any(tm.update(f).on_track for f in fixes if f.has_position):
            found.append(path.name)
    print(f"\nTrack detections in the {read} non-track recordings of `nmea/` and `fit/`: "
          f"{len(found)}{' (' + ', '.join(found) + ')' if found else ''}.")


def main(argv: list[str] | None = None) -> int:
    folder = Path(argv[0]) if argv else data_dir()
    if not (folder / TRACK_GPX).exists():
        print(f"no shared data at {folder} (set PACER_SHARED_DATA)", file=sys.stderr)
        return 2
    started = dt.datetime.now(dt.UTC)
    watch_table(folder)
    track_table(folder)
    false_tracks(folder)
    print(f"\n({(dt.datetime.now(dt.UTC) - started).total_seconds():.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
