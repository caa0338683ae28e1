"""Accuracy of pacer's cadence tracker and footfalls, next to a naive peak counter.

Not part of the test run. Prints markdown tables for docs/algorithms-cadence.md::

    .venv/bin/python benchmarks/accuracy_cadence.py            # both parts
    .venv/bin/python benchmarks/accuracy_cadence.py --part sim --seeds 6
    .venv/bin/python benchmarks/accuracy_cadence.py --part oxford

(a) ``sim``: simulated running sessions (pacer.sim.runner.RunnerModel +
    pacer.sim.accel.GaitSignal) at hip, waist and chest, 50 and 100 Hz nominal, with the
    sensor's true rate 3 % fast or slow. The runtime's rate calibration (regression of
    burst time stamps on sample counts) is modelled as giving the true rate to 0.1 %:
    blocks carry ``rate_hz = true_rate * (1 + 0.001)``. Each session: 40 s jog, then
    three 60 s runs at random speeds (2.3-7.0 m/s, cadence ~155-205 spm) separated by a
    30 s jog, so there are cadence changes to settle after.
(b) ``oxford``: step counts on ../shared/data/accel/oxford_step_counter/ (Samsung S6,
    ~100 Hz, walking) against the foot-switch ``steps_truth``, per recording.

The baseline is a simple peak counter on the acceleration magnitude: 50 ms moving
average, local maxima above the mean + 0.5 standard deviations of the surrounding 4 s,
at least 0.25 s apart; its cadence is 60 / (mean interval of the peaks in the last 4 s).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pacer.dsp.cadence import CadenceTracker
from pacer.dsp.steps import smooth
from pacer.models import AccelBlock
from pacer.sim.accel import GaitSignal
from pacer.sim.runner import Effort, RunnerModel

REPO = Path(__file__).resolve().parents[1]

OXFORD = REPO.parent / "shared" / "data" / "accel" / "oxford_step_counter"
CAL_ERROR = 0.001
WINDOW_S = 4.0
STEADY_AFTER_S = 8.0  # estimates this long after an effort boundary count as steady
SETTLE_TOL_SPM = 3.0


# --------------------------------------------------------------------------- baseline


def naive_peaks(mag: np.ndarray, rate_hz: float) -> np.ndarray:
    """Indices of a simple peak counter's steps on the magnitude ``mag``."""
    y = smooth(mag, round(0.05 * rate_hz))
    n_win = round(WINDOW_S * rate_hz)
    k = np.arange(y.size) // n_win
    mean = np.bincount(k, y) / np.bincount(k)
    sd = np.sqrt(np.maximum(np.bincount(k, y * y) / np.bincount(k) - mean**2, 0.0))
    thr = mean[k] + 0.5 * sd[k]
    cand = np.flatnonzero((y[1:-1] > y[:-2]) & (y[1:-1] >= y[2:]) & (y[1:-1] > thr[1:-1])) + 1
    keep: list[int] = []
    refractory = round(0.25 * rate_hz)
    for i in cand:  # benchmark baseline, not pacer's hot path
        if not keep or i - keep[-1] >= refractory:
            keep.append(int(i))
    return np.asarray(keep, dtype=int)


def naive_cadence(peak_t_s: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    """Baseline cadence at times ``t_s`` from the peaks of the preceding window."""
    out = np.full(t_s.size, np.nan)
    lo = np.searchsorted(peak_t_s, t_s - WINDOW_S)
    hi = np.searchsorted(peak_t_s, t_s)
    for i, (a, b) in enumerate(zip(lo, hi, strict=True)):
        if b - a >= 3:
            out[i] = 60.0 * (b - a - 1) / (peak_t_s[b - 1] - peak_t_s[a])
    return out


# --------------------------------------------------------------------------- (a) simulation


def sim_session(seed: int) -> RunnerModel:
    rng = np.random.default_rng(1000 + seed)
    speeds = rng.uniform(2.3, 7.0, 3)
    efforts = [Effort("jog", duration_s=40.0)]
    for i, v in enumerate(speeds):
        if i:
            efforts.append(Effort("jog", duration_s=30.0))
        efforts.append(Effort("run", speed_mps=float(v), duration_s=60.0))
    return RunnerModel(efforts, seed=seed)


def run_sim(runner: RunnerModel, placement: str, rate_hz: float, rate_error: float, seed: int):
    true_hz = rate_hz * (1.0 + rate_error)
    cal_hz = true_hz * (1.0 + CAL_ERROR)
    t_true = np.arange(int(runner.duration_s * true_hz)) / true_hz
    samples = GaitSignal(runner, placement=placement, seed=seed)(t_true)
    tracker = CadenceTracker(window_s=WINDOW_S)
    est, ff = [], []
    n = max(1, round(0.2 * true_hz))
    t_cpu = time.process_time()
    for start in range(0, t_true.size, n):
        est += tracker.push(AccelBlock(start / cal_hz, cal_hz, samples[start : start + n]))
        ff += tracker.footfalls()
    cpu_s = time.process_time() - t_cpu
    scale = cal_hz / true_hz
    t_est = np.array([e.t_s for e in est]) * scale  # back to true seconds
    val = np.array([np.nan if e.cadence_spm is None else e.cadence_spm for e in est])
    mag = np.linalg.norm(samples, axis=1)
    base = naive_cadence(t_true[naive_peaks(mag, true_hz)], t_est)
    ff_t = np.array([f.t_s for f in ff]) * scale
    return t_est, val, base, ff_t, cpu_s


def sim_metrics(runner: RunnerModel, t_s: np.ndarray, val: np.ndarray):
    """Per-estimate errors in steady running, octave flags, and settle times."""
    truth = np.interp(t_s, runner.truth.t_s, runner.truth.cadence_spm)
    starts, ends = runner.effort_start_s, runner.effort_end_s
    steady = np.zeros(t_s.size, dtype=bool)
    for a, b in zip(starts, ends, strict=True):
        steady |= (t_s >= a + STEADY_AFTER_S) & (t_s <= b)
    running = (truth > 140.0) & (t_s >= WINDOW_S)
    ratio = val / truth
    octave = running & ((np.abs(ratio - 2.0) < 0.3) | (np.abs(ratio - 0.5) < 0.075))
    missing = running & np.isnan(val)
    err = (val - truth)[steady & running]
    settle = []
    for a, b in zip(starts[1:], ends[1:], strict=True):
        before = np.interp(a - 1.0, runner.truth.t_s, runner.truth.cadence_spm)
        after = np.interp(b - 1.0, runner.truth.t_s, runner.truth.cadence_spm)
        if abs(after - before) < 8.0:
            continue
        sel = (t_s >= a) & (t_s <= b)
        bad = ~(np.abs(val[sel] - truth[sel]) <= SETTLE_TOL_SPM)
        last_bad = np.flatnonzero(bad)
        settle.append(0.0 if last_bad.size == 0 else t_s[sel][last_bad[-1]] + 1.0 - a)
        # the runner's own change: time for the truth to cover 90 % of it
    return err, octave[t_s >= WINDOW_S], missing[t_s >= WINDOW_S], settle


def truth_t90(runner: RunnerModel) -> list[float]:
    out = []
    tr = runner.truth
    for a, b in zip(runner.effort_start_s[1:], runner.effort_end_s[1:], strict=True):
        before = np.interp(a - 1.0, tr.t_s, tr.cadence_spm)
        after = np.interp(b - 1.0, tr.t_s, tr.cadence_spm)
        if abs(after - before) < 8.0:
            continue
        sel = (tr.t_s >= a) & (tr.t_s <= b)
        frac = (tr.cadence_spm[sel] - before) / (after - before)
        out.append(float(tr.t_s[sel][np.argmax(frac >= 0.9)] - a))
    return out


def footfall_errors(runner: RunnerModel, ff_t: np.ndarray) -> np.ndarray:
    steps = runner.step_times_s
    run = (steps > WINDOW_S + 1.0) & (steps < runner.duration_s - 2.0)
    s = steps[run]
    if ff_t.size == 0:
        return np.full(s.size, np.inf)
    j = np.clip(np.searchsorted(ff_t, s), 1, ff_t.size - 1)
    nearest = np.where(np.abs(ff_t[j] - s) < np.abs(ff_t[j - 1] - s), ff_t[j], ff_t[j - 1])
    return nearest - s


def fmt(x: float, digits: int = 2) -> str:
    return "–" if not np.isfinite(x) else f"{x:.{digits}f}"


def part_sim(seeds: int) -> None:
    print(f"### (a) Cadence on simulated running ({seeds} sessions per row)\n")
    print(
        "| placement | rate | sensor rate error | pacer MAE spm | pacer P95 spm | pacer octave % "
        "| pacer none % | settle s (median / max) | baseline MAE spm | baseline P95 spm "
        "| baseline octave % | footfall offset ms (median / P95 abs) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    all_err, all_base, cpu, audio = [], [], 0.0, 0.0
    t90 = []
    for placement in ("hip", "waist", "chest"):
        for rate_hz in (50.0, 100.0):
            for rate_error in (-0.03, 0.03):
                errs, oct_, miss, settle, berrs, boct, ffe = [], [], [], [], [], [], []
                for seed in range(seeds):
                    runner = sim_session(seed)
                    t_s, val, base, ff_t, cpu_s = run_sim(
                        runner, placement, rate_hz, rate_error, seed
                    )
                    cpu += cpu_s
                    audio += runner.duration_s
                    e, o, m, st = sim_metrics(runner, t_s, val)
                    be, bo, _, _ = sim_metrics(runner, t_s, base)
                    errs.append(e)
                    oct_.append(o)
                    miss.append(m)
                    settle += st
                    berrs.append(be)
                    boct.append(bo)
                    ffe.append(footfall_errors(runner, ff_t))
                    if placement == "hip" and rate_hz == 100.0 and rate_error < 0:
                        t90 += truth_t90(runner)
                e = np.abs(np.concatenate(errs))
                be = np.abs(np.concatenate(berrs))
                be_f = be[np.isfinite(be)]
                f = np.concatenate(ffe)
                all_err.append(e)
                all_base.append(be_f)
                st_arr = np.array(settle) if settle else np.array([np.nan])
                print(
                    f"| {placement} | {rate_hz:.0f} Hz | {rate_error:+.0%} "
                    f"| {fmt(e.mean())} | {fmt(np.percentile(e, 95))} "
                    f"| {fmt(100 * np.concatenate(oct_).mean(), 1)} "
                    f"| {fmt(100 * np.concatenate(miss).mean(), 1)} "
                    f"| {fmt(np.median(st_arr), 0)} / {fmt(st_arr.max(), 0)} "
                    f"| {fmt(be_f.mean())} | {fmt(np.percentile(be_f, 95))} "
                    f"| {fmt(100 * np.concatenate(boct).mean(), 1)} "
                    f"| {fmt(1e3 * np.median(f), 1)} "
                    f"/ {fmt(1e3 * np.percentile(np.abs(f), 95), 1)} |"
                )
    e = np.concatenate(all_err)
    be = np.concatenate(all_base)
    print(
        f"\nAll rows: pacer MAE {e.mean():.2f} spm, P95 {np.percentile(e, 95):.2f} spm "
        f"(n = {e.size} steady estimates); baseline MAE {be.mean():.2f}, "
        f"P95 {np.percentile(be, 95):.2f}."
    )
    print(
        f"The simulated runner's own cadence change takes {np.median(t90):.1f} s (median "
        f"time to 90 % of the change after an effort boundary), included in the settle times."
    )
    print(
        f"Tracker CPU (process time, 0.2 s blocks): {1e6 * cpu / audio:.0f} us per second "
        "of signal "
        f"({audio / cpu:.0f}x real time, this machine).\n"
    )


def step_change(placement: str, rate_hz: float, seed: int, v1: float, v2: float):
    """Settle time after an instantaneous cadence step (two steady runners spliced)."""
    r1 = RunnerModel([Effort("run", speed_mps=v1, duration_s=60.0)], seed=seed)
    r2 = RunnerModel([Effort("run", speed_mps=v2, duration_s=60.0)], seed=seed + 1)
    true_hz = rate_hz * 1.03
    cal_hz = true_hz * (1.0 + CAL_ERROR)
    t = np.arange(int(60.0 * true_hz)) / true_hz
    splice_s = 30.0
    first = t < splice_s
    samples = np.empty((t.size, 3))
    samples[first] = GaitSignal(r1, placement=placement, seed=seed)(t[first] + 20.0)
    samples[~first] = GaitSignal(r2, placement=placement, seed=seed)(t[~first] - splice_s + 20.0)
    tracker = CadenceTracker(window_s=WINDOW_S)
    est = []
    n = round(0.2 * true_hz)
    for start in range(0, t.size, n):
        est += tracker.push(AccelBlock(start / cal_hz, cal_hz, samples[start : start + n]))
    t_est = np.array([e.t_s for e in est]) * cal_hz / true_hz
    val = np.array([np.nan if e.cadence_spm is None else e.cadence_spm for e in est])
    after = t_est >= splice_s
    truth = np.interp(t_est[after] - splice_s + 20.0, r2.truth.t_s, r2.truth.cadence_spm)
    bad = np.flatnonzero(~(np.abs(val[after] - truth) <= SETTLE_TOL_SPM))
    step_spm = float(np.mean(truth) - np.interp(45.0, r1.truth.t_s, r1.truth.cadence_spm))
    settle = 0.0 if bad.size == 0 else float(t_est[after][bad[-1]] + 1.0 - splice_s)
    return step_spm, settle


def part_step(seeds: int) -> None:
    print("### Settle time after an instantaneous cadence step (+3 % sensor rate error)\n")
    print("| change | placement | rate | steps of (spm) | settle s (median / max) |")
    print("|---|---|---|---|---|")
    for v1, v2 in ((3.0, 6.0), (6.0, 3.0), (3.5, 4.5)):
        for placement in ("hip", "chest"):
            for rate_hz in (50.0, 100.0):
                res = [step_change(placement, rate_hz, s, v1, v2) for s in range(seeds)]
                steps = np.array([r[0] for r in res])
                settle = np.array([r[1] for r in res])
                print(
                    f"| {v1:.1f} -> {v2:.1f} m/s | {placement} | {rate_hz:.0f} Hz "
                    f"| {np.mean(steps):+.0f} | {np.median(settle):.0f} / {settle.max():.0f} |"
                )
    print(
        f"\nSettled = every later estimate within {SETTLE_TOL_SPM:.0f} spm of the truth; "
        "estimates come once a second, so 4 means the estimate at 4 s was the first good one.\n"
    )


def part_hard(n: int) -> None:
    """Octave robustness on harder waveforms: the test suite's generator with random
    harmonics, left/right asymmetry and attenuation (tests/helpers/dsp_cadence_synth.py)."""
    sys.path.insert(0, str(REPO / "tests"))
    from helpers.dsp_cadence_synth import gait

    rng = np.random.default_rng(7)
    errs, berrs = [], []
    octv, boct = 0, 0
    total = 0
    for i in range(n):
        cad = float(rng.uniform(150, 210))
        rate_hz = float(rng.choice([50.0, 100.0]))
        synth = gait(
            cad,
            20.0,
            rate_hz,
            rate_error=float(rng.uniform(-0.03, 0.03)),
            placement=str(rng.choice(["hip", "waist", "chest"])),
            amplitude=float(rng.uniform(0.8, 1.2)),
            asymmetry=float(rng.uniform(0.0, 0.25)),
            harmonics=(float(rng.uniform(0, 0.8)), float(rng.uniform(0, 0.5))),
            seed=i,
        )
        cal = synth.true_rate_hz * (1.0 + CAL_ERROR)
        tracker = CadenceTracker(window_s=WINDOW_S)
        est = []
        step = round(0.25 * synth.true_rate_hz)
        for start in range(0, synth.t_s.size, step):
            block = AccelBlock(start / cal, cal, synth.samples_mps2[start : start + step])
            est += tracker.push(block)
        t_est = np.array([e.t_s for e in est]) * cal / synth.true_rate_hz
        val = np.array([np.nan if e.cadence_spm is None else e.cadence_spm for e in est])
        mag = np.linalg.norm(synth.samples_mps2, axis=1)
        peaks = synth.t_s[naive_peaks(mag, synth.true_rate_hz)]
        base = naive_cadence(peaks, t_est)
        keep = t_est >= WINDOW_S
        for v, e_list in ((val[keep], errs), (base[keep], berrs)):
            e_list.append(np.abs(v - cad))
        octv += int(np.sum(np.abs(val[keep] / cad - 1.0) > 0.25))
        boct += int(np.sum(~(np.abs(base[keep] / cad - 1.0) <= 0.25)))
        total += int(keep.sum())
    e = np.concatenate(errs)
    be = np.concatenate(berrs)
    print(f"### Harder synthetic running ({n} random 20 s gaits, {total} estimates)\n")
    print("| method | MAE spm | P95 spm | off by > 25 % (octave or lost) |")
    print("|---|---|---|---|")
    print(
        f"| pacer | {np.nanmean(e):.2f} | {np.nanpercentile(e, 95):.2f} "
        f"| {100 * octv / total:.1f} % |"
    )
    print(
        f"| baseline | {np.nanmean(be):.2f} | {np.nanpercentile(be, 95):.2f} "
        f"| {100 * boct / total:.1f} % |\n"
    )


# --------------------------------------------------------------------------- (b) Oxford


def replay_oxford(path: Path):
    d = np.loadtxt(path, delimiter=",")
    t_s = (d[:, 0] - d[0, 0]) / 1e9
    idx = np.arange(t_s.size)
    slope_s, t0_s = np.polyfit(idx, t_s, 1)  # the sampler's rate regression
    rate_hz = 1.0 / slope_s
    tracker = CadenceTracker(window_s=WINDOW_S)
    est, ff = [], []
    for start in range(0, t_s.size, 100):
        block = AccelBlock(t0_s + start * slope_s, rate_hz, d[start : start + 100, 1:4])
        est += tracker.push(block)
        ff += tracker.footfalls()
    truth = int(d[-1, 5] - d[0, 5])
    valid = [e for e in est if e.cadence_spm is not None]
    integral = sum(e.cadence_spm / 60.0 * tracker.hop_s for e in valid)  # type: ignore[operator]
    if valid:  # the first estimate also speaks for the window before it
        integral += valid[0].cadence_spm / 60.0 * (WINDOW_S - tracker.hop_s)  # type: ignore[operator]
    naive = naive_peaks(np.linalg.norm(d[:, 1:4], axis=1), rate_hz).size
    modes = {m: sum(e.mode == m for e in est) for m in ("walk", "run", "still", "unknown")}
    return truth, len(ff), integral, naive, modes


def part_oxford() -> None:
    if not OXFORD.exists():
        print(f"(b) skipped: {OXFORD} not found")
        return
    print("### (b) Step counts on the Oxford Step Counter recordings (walking)\n")
    print(
        "| recording | placement | truth steps | pacer footfalls | error % | pacer cadence "
        "integral | error % | baseline peaks | error % | estimates walk/run/unknown/still |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    body_ff, body_int, body_naive, hand_ff, hand_naive = [], [], [], [], []
    for path in sorted(OXFORD.glob("*.csv")):
        user, placement = path.stem.split("_")[:2]
        truth, n_ff, integral, naive, modes = replay_oxford(path)
        e_ff = 100.0 * (n_ff - truth) / truth
        e_int = 100.0 * (integral - truth) / truth
        e_nv = 100.0 * (naive - truth) / truth
        if placement == "hand":
            hand_ff.append(abs(e_ff))
            hand_naive.append(abs(e_nv))
        else:
            body_ff.append(abs(e_ff))
            body_int.append(abs(e_int))
            body_naive.append(abs(e_nv))
        print(
            f"| {user} | {placement} | {truth} | {n_ff} | {e_ff:+.1f} | {integral:.0f} "
            f"| {e_int:+.1f} | {naive} | {e_nv:+.1f} "
            f"| {modes['walk']}/{modes['run']}/{modes['unknown']}/{modes['still']} |"
        )
    print(
        f"\nBody-carried (10 recordings): mean |error| pacer footfalls "
        f"{np.mean(body_ff):.1f} %, max {np.max(body_ff):.1f} %; "
        f"{sum(x <= 3.0 for x in body_ff)}/10 within 3 %; cadence integral mean "
        f"{np.mean(body_int):.1f} %; baseline mean {np.mean(body_naive):.1f} %, "
        f"max {np.max(body_naive):.1f} %."
    )
    print(
        f"Hand (2 recordings): pacer mean |error| {np.mean(hand_ff):.1f} %, "
        f"baseline {np.mean(hand_naive):.1f} %.\n"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--part", choices=("sim", "oxford", "all"), default="all")
    ap.add_argument("--seeds", type=int, default=6, help="simulated sessions per row")
    args = ap.parse_args(argv)
    if args.part in ("sim", "all"):
        part_sim(args.seeds)
        part_step(args.seeds)
        part_hard(60)
    if args.part in ("oxford", "all"):
        part_oxford()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
