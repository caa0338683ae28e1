"""Cadence on real recordings: pacer's live tracker next to an FFT baseline, same windows.

Not part of the test run. Prints one markdown table per data set::

    PYTHONPATH=. .venv/bin/python benchmarks/accuracy_real.py            # every set (~1 min)
    PYTHONPATH=. .venv/bin/python benchmarks/accuracy_real.py --set waist --set wrist

The data come from ``$PACER_SHARED_DATA`` (default ``../shared/data`` next to the
repository); a set whose folder is missing is skipped with a line saying so.

Sets (see the data READMEs for how each truth was made and where it is weak):

* ``waist``, ``wrist``, ``ankle``: ``running_imu/actigraph_treadmill`` (7 people, 100 Hz,
  treadmill walk 2.5 mph then jog 5.5 mph). Truth: the set's own 10 s windows, derived
  from ankle impacts (not independent; for the ankle set it is the same sensor).
* ``chest``: ``running_imu/hexoskin_shirt`` (12 sessions, 64 Hz). Truth: 10 s windows
  from the shirt's own step log (the vendor's algorithm). Session 006's run is left out
  of the run rows (its log drops steps; README).
* ``oxford``: ``accel/oxford_step_counter`` (12 walks, phone in hand, pockets, armband,
  neck pouch, bag, ~100 Hz). Truth: 10 s windows from the foot-switch step count.

Method. Each recording is streamed through :class:`pacer.dsp.cadence.CadenceTracker`
exactly as live (0.25 s blocks, rate from the regression of sample times on sample
index, |a| in m/s^2). pacer's value for a window is the median of the estimates whose
analysis window lies inside it (one per second); a window where every one of them is
``None`` counts as missing. Single estimates are also scored against their window's
truth ("single est." columns): that is what the coach would speak. The **baseline** is
the peak of a Hann-windowed, zero-padded FFT of |a| over the whole 10 s window,
restricted to the band of the window's *labelled* activity (run 130-240 spm, walk
70-140 spm: the baseline is told the activity; pacer is not). An octave error is an
estimate off by more than a factor 2^(1/2) from the truth (half, double, or worse).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import math
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pacer.dsp.cadence import CadenceTracker
from pacer.models import AccelBlock

REPO = Path(__file__).resolve().parents[1]
G_MPS2 = 9.80665
WINDOW_S = 10.0
BLOCK_S = 0.25
RUN_BAND_SPM = (130.0, 240.0)
WALK_BAND_SPM = (70.0, 140.0)
SPOKEN_CONFIDENCE = 0.5  # pacer.coach.cues: min_cadence_confidence
LOCK_TOL = 0.03  # locked: this close to the jog cadence, and the next 3 estimates too
CONF_BINS = (0.4, 0.5, 0.7, 0.9, 1.01)


def shared_data() -> Path:
    """``$PACER_SHARED_DATA`` or ``../shared/data`` relative to the repository root."""
    env = os.environ.get("PACER_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


@dataclass
class Window:
    t0_s: float
    t1_s: float
    truth_spm: float
    activity: str  # "run" | "walk" | "transition"


@dataclass
class Recording:
    name: str
    t_s: np.ndarray  # sample times, s
    acc_mps2: np.ndarray  # (n, 3)
    windows: list[Window]
    jog_start_s: float | None = None  # first jogging impact
    strides: np.ndarray | None = None  # (n, 2): ankle impact time s, cadence spm (truth)


# --------------------------------------------------------------------------- loaders


def _read_gz_xyz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with gzip.open(path, "rt") as f:
        d = np.loadtxt(f, delimiter=",", skiprows=1)
    return d[:, 0], d[:, 1:4] * G_MPS2


def actigraph(placement: str, root: Path) -> Iterator[Recording]:
    folder = root / "running_imu" / "actigraph_treadmill"
    with open(folder / "subjects.csv") as f:
        jogs = {r["subject"]: float(r["jog_start_s"]) for r in csv.DictReader(f)}
    for path in sorted(folder.glob(f"*_{placement}.csv.gz")):
        subject = path.name.split("_")[0]
        t_s, acc = _read_gz_xyz(path)
        windows = []
        with open(folder / f"{subject}_truth_cadence_10s.csv") as f:
            for row in csv.DictReader(f):
                if not row["cadence_spm"]:
                    continue
                act = {"jog": "run", "walk": "walk"}.get(row["activity"], "transition")
                windows.append(Window(float(row["t_start_s"]), float(row["t_end_s"]),
                                      float(row["cadence_spm"]), act))
        strides = np.genfromtxt(folder / f"{subject}_truth_strides.csv", delimiter=",",
                                skip_header=1, usecols=(0, 2))
        yield Recording(f"{subject} {placement}", t_s, acc, windows, jogs.get(subject),
                        strides[np.isfinite(strides[:, 1])])


def windows_from_steps(step_t_s: np.ndarray, duration_s: float,
                       label: callable) -> list[Window]:  # type: ignore[valid-type]
    """10 s windows of cadence from step times (intervals counted in proportion to the
    part inside the window; intervals over 1.6 s or 1.6 x their neighbours' median
    are gaps); windows with less than 9 s covered are left out."""
    iv = np.diff(step_t_s)
    med = np.array([np.median(iv[max(0, i - 3): i + 4]) for i in range(iv.size)])
    ok = (iv < 1.6) & (iv < 1.6 * med)
    a, b = step_t_s[:-1][ok], step_t_s[1:][ok]
    out = []
    for t0 in np.arange(0.0, duration_s - WINDOW_S + 1e-9, WINDOW_S):
        t1 = t0 + WINDOW_S
        inside = np.clip(np.minimum(b, t1) - np.maximum(a, t0), 0.0, None)
        moving_s = float(inside.sum())
        if moving_s < 9.0:
            continue
        steps = float((inside / (b - a)).sum())
        out.append(Window(float(t0), float(t1), 60.0 * steps / moving_s, label(t0, t1)))
    return out


def hexoskin(root: Path) -> Iterator[Recording]:
    folder = root / "running_imu" / "hexoskin_shirt"
    with open(folder / "subjects.csv") as f:
        subjects = list(csv.DictReader(f))
    for row in subjects:
        sid = row["subject"]
        t_s, acc = _read_gz_xyz(folder / f"{sid}_chest.csv.gz")
        steps = np.loadtxt(folder / f"{sid}_steps.csv", skiprows=1)
        bouts = [tuple(float(v) for v in b.split("-")) for b in row["run_bouts_s"].split(";")
                 if b]

        def label(t0: float, t1: float, bouts: list = bouts, sid: str = sid) -> str:
            # run: inside a bout trimmed by 5 s at each end (the log lags the start)
            if any(a + 5.0 <= t0 and t1 <= b - 5.0 for a, b in bouts):
                return "skip" if sid == "006" else "run"  # 006: the log drops steps
            if all(t1 <= a - 5.0 or t0 >= b + 5.0 for a, b in bouts):
                return "walk"
            return "transition"

        windows = [w for w in windows_from_steps(steps, float(t_s[-1]), label)
                   if w.activity != "skip"]
        yield Recording(f"{sid} chest", t_s, acc, windows)


def oxford(root: Path) -> Iterator[Recording]:
    folder = root / "accel" / "oxford_step_counter"
    for path in sorted(folder.glob("*.csv")):
        d = np.loadtxt(path, delimiter=",")
        t_s = (d[:, 0] - d[0, 0]) / 1e9
        steps = t_s[1:][np.diff(d[:, 5]) > 0]
        windows = windows_from_steps(steps, float(t_s[-1]), lambda t0, t1: "walk")
        user, placement = path.stem.split("_")[:2]
        yield Recording(f"{user} {placement}", t_s, d[:, 1:4], windows)


SETS = {
    "waist": ("running_imu/actigraph_treadmill waist (hip), 100 Hz",
              lambda r: actigraph("waist", r)),
    "wrist": ("running_imu/actigraph_treadmill wrist, 100 Hz", lambda r: actigraph("wrist", r)),
    "ankle": ("running_imu/actigraph_treadmill ankle, 100 Hz (truth from this sensor)",
              lambda r: actigraph("ankle", r)),
    "chest": ("running_imu/hexoskin_shirt chest, 64 Hz", hexoskin),
    "oxford": ("accel/oxford_step_counter, phone in 6 placements, ~100 Hz, walking", oxford),
}


# --------------------------------------------------------------------------- methods


def stream_pacer(rec: Recording) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t_s, cadence_spm or NaN, confidence) of every estimate of a live replay."""
    idx = np.arange(rec.t_s.size)
    slope_s, t0_s = np.polyfit(idx, rec.t_s, 1)
    rate_hz = 1.0 / slope_s
    n = max(1, round(BLOCK_S * rate_hz))
    tracker = CadenceTracker()
    est = []
    for start in range(0, rec.t_s.size, n):
        est += tracker.push(AccelBlock(t0_s + start * slope_s, rate_hz,
                                       rec.acc_mps2[start: start + n]))
    t = np.array([e.t_s for e in est])
    v = np.array([math.nan if e.cadence_spm is None else e.cadence_spm for e in est])
    c = np.array([e.confidence for e in est])
    return t, v, c


def fft_peak_spm(mag: np.ndarray, rate_hz: float, band_spm: tuple[float, float]) -> float:
    """Peak of the Hann-windowed, zero-padded spectrum of ``mag`` inside ``band_spm``."""
    x = (mag - mag.mean()) * np.hanning(mag.size)
    n_fft = 1 << int(math.ceil(math.log2(mag.size * 16)))
    p = np.abs(np.fft.rfft(x, n_fft))
    f_spm = 60.0 * np.fft.rfftfreq(n_fft, 1.0 / rate_hz)
    sel = np.flatnonzero((f_spm >= band_spm[0]) & (f_spm <= band_spm[1]))
    i = int(sel[np.argmax(p[sel])])
    ym, y0, yp = p[i - 1], p[i], p[i + 1]
    den = ym - 2 * y0 + yp
    d = 0.5 * (ym - yp) / den if den != 0 else 0.0
    return float(f_spm[i] + d * (f_spm[1] - f_spm[0]))


@dataclass
class Scores:
    truth: list[float]
    pacer: list[float]
    base: list[float]
    single: list[float]  # single estimate / truth ratios
    single_conf: list[float]  # their confidences
    activity: list[str]
    single_activity: list[str]
    lock_s: list[float]  # walk -> jog: seconds from the first jogging stride to lock-on


def lock_time_s(t: np.ndarray, v: np.ndarray, start_s: float, strides: np.ndarray) -> float:
    """Seconds from the first jogging stride until an estimate within ``LOCK_TOL`` of
    the truth (median stride cadence of the 4 s before it) that the next three
    estimates confirm (NaN: never)."""
    truth = np.array([np.median(strides[(strides[:, 0] > ti - 4.0) & (strides[:, 0] <= ti), 1])
                      if np.any((strides[:, 0] > ti - 4.0) & (strides[:, 0] <= ti)) else np.nan
                      for ti in t])
    ok = np.abs(v / truth - 1.0) <= LOCK_TOL  # NaN compares False
    for i in np.flatnonzero((t > start_s) & ok):
        if ok[i: i + 4].all():
            return float(t[i] - start_s)
    return math.nan


def score_recording(rec: Recording, window_s: float, sc: Scores) -> None:
    t, v, c = stream_pacer(rec)
    if rec.jog_start_s is not None and rec.strides is not None:
        sc.lock_s.append(lock_time_s(t, v, rec.jog_start_s, rec.strides))
    mag = np.linalg.norm(rec.acc_mps2, axis=1)
    rate_hz = 1.0 / np.median(np.diff(rec.t_s))
    for w in rec.windows:
        inside = (t >= w.t0_s + window_s - 1e-6) & (t <= w.t1_s + 1e-6)
        vals = v[inside]
        sc.pacer.append(float(np.median(vals[np.isfinite(vals)]))
                        if np.isfinite(vals).any() else math.nan)
        sel = (rec.t_s >= w.t0_s) & (rec.t_s < w.t1_s)
        band = RUN_BAND_SPM if w.activity == "run" else WALK_BAND_SPM
        if w.activity == "transition":
            band = RUN_BAND_SPM if w.truth_spm >= 135.0 else WALK_BAND_SPM
        sc.base.append(fft_peak_spm(mag[sel], rate_hz, band))
        sc.truth.append(w.truth_spm)
        sc.activity.append(w.activity)
        sc.single += list(vals / w.truth_spm)
        sc.single_conf += list(c[inside])
        sc.single_activity += [w.activity] * vals.size


def _row(label: str, est: np.ndarray, truth: np.ndarray) -> str:
    ok = np.isfinite(est)
    err = est[ok] - truth[ok]
    ratio = est[ok] / truth[ok]
    octave = np.abs(np.log2(ratio)) > 0.5
    miss = 100.0 * (1.0 - ok.mean()) if est.size else math.nan
    if err.size == 0:
        return f"| {label} | {est.size} | - | - | - | - | {miss:.0f} |"
    return (f"| {label} | {est.size} | {np.mean(np.abs(err)):.2f} "
            f"| {np.percentile(np.abs(err), 95):.2f} | {np.mean(err):+.2f} "
            f"| {100.0 * octave.mean():.1f} | {miss:.0f} |")


def report(name: str, title: str, sc: Scores) -> None:
    print(f"### {name}: {title}\n")
    print("| activity, method | windows | MAE spm | P95 spm | bias spm | octave % | none % |")
    print("|---|---|---|---|---|---|---|")
    truth = np.array(sc.truth)
    pacer = np.array(sc.pacer)
    base = np.array(sc.base)
    act = np.array(sc.activity)
    for a in ("run", "walk", "transition"):
        sel = act == a
        if not sel.any():
            continue
        print(_row(f"{a}, pacer", pacer[sel], truth[sel]))
        if a != "transition":
            print(_row(f"{a}, FFT baseline", base[sel], truth[sel]))
    single = np.array(sc.single)
    conf = np.array(sc.single_conf)
    s_act = np.array(sc.single_activity)
    print("\nSingle pacer estimates, one a second (spoken: confidence >= "
          f"{SPOKEN_CONFIDENCE}, the coach's floor):\n")
    print("| activity | estimates | octave % | within 3 % | spoken | spoken octave "
          "| spoken within 3 % |")
    print("|---|---|---|---|---|---|---|")
    for a in ("run", "walk", "transition"):
        sel = (s_act == a) & np.isfinite(single)
        if not sel.any():
            continue
        s, spoken = single[sel], conf[sel] >= SPOKEN_CONFIDENCE
        octave = np.abs(np.log2(s)) > 0.5
        within = np.abs(s - 1.0) <= 0.03
        print(f"| {a} | {s.size} | {100 * octave.mean():.1f} | {100 * within.mean():.0f} % "
              f"| {spoken.sum()} | {octave[spoken].sum()} "
              f"| {100 * within[spoken].mean() if spoken.any() else math.nan:.0f} % |")
    if sc.lock_s:
        lock = np.array(sc.lock_s)
        print(f"\nWalk -> jog: locked on the running cadence (within {100 * LOCK_TOL:.0f} % "
              "of the ankle truth's median stride cadence over the last 4 s, confirmed by "
              f"the next 3 estimates) {np.nanmedian(lock):.0f} s after the first jogging "
              f"stride (median; max {np.nanmax(lock):.0f} s; never: "
              f"{int(np.isnan(lock).sum())} of {lock.size}).")
    print()


def report_confidence(ratio: np.ndarray, conf: np.ndarray) -> None:
    """Error by confidence, over the single estimates of every steady window."""
    print("### Confidence against error (every set, steady run and walk windows)\n")
    print("| confidence | estimates | within 3 % | octave % |")
    print("|---|---|---|---|")
    for lo, hi in zip(CONF_BINS[:-1], CONF_BINS[1:], strict=True):
        sel = (conf >= lo) & (conf < hi) & np.isfinite(ratio)
        if sel.any():
            r = ratio[sel]
            print(f"| {lo:.1f}-{min(hi, 1.0):.1f} | {r.size} "
                  f"| {100 * np.mean(np.abs(r - 1.0) <= 0.03):.1f} % "
                  f"| {100 * np.mean(np.abs(np.log2(r)) > 0.5):.2f} |")
    print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", action="append", choices=sorted(SETS), help="default: all")
    args = ap.parse_args(argv)
    root = shared_data()
    window_s = CadenceTracker().window_s
    all_ratio: list[np.ndarray] = []
    all_conf: list[np.ndarray] = []
    for name in args.set or list(SETS):
        title, loader = SETS[name]
        try:
            recs = list(loader(root))
        except FileNotFoundError as exc:
            print(f"### {name}: skipped ({exc})\n")
            continue
        if not recs:
            print(f"### {name}: skipped (no files under {root})\n")
            continue
        sc = Scores([], [], [], [], [], [], [], [])
        for rec in recs:
            score_recording(rec, window_s, sc)
        report(name, title, sc)
        steady = np.isin(np.array(sc.single_activity), ("run", "walk"))
        all_ratio.append(np.array(sc.single)[steady])
        all_conf.append(np.array(sc.single_conf)[steady])
    if all_ratio:
        report_confidence(np.concatenate(all_ratio), np.concatenate(all_conf))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
