"""Export the simulated runner's truth beside the simulated data, for benchmarks.

``truth.csv`` (one row per ``1 / rate_hz`` s)::

    t_s,distance_m,speed_mps,cadence_spm,lap,s_m,lat_deg,lon_deg,effort,label

``steps.csv`` (one row per footfall)::

    t_s,foot,gait

``epochs.csv`` (one row per simulated receiver epoch: what it reported, before NMEA
rounding, and the truth at the epoch)::

    t_s,utc,valid,lat_deg,lon_deg,speed_mps,true_lat_deg,true_lon_deg,true_speed_mps,
    true_distance_m,corrupted_sentences

``foot`` is ``L`` or ``R``; ``gait`` is ``walk`` or ``run``. ``t_s`` is the runner's
timeline (the simulated receiver's epoch times and the accelerometer's sample times
are on the same one). ``effort`` is the 0-based index into the runner's efforts.
"""

from __future__ import annotations

import csv
import os

import numpy as np

from pacer.sim import gait_model as gm
from pacer.sim.receiver import SimulatedReceiver
from pacer.sim.runner import RunnerModel

TRUTH_COLUMNS = ("t_s", "distance_m", "speed_mps", "cadence_spm", "lap", "s_m", "lat_deg",
                 "lon_deg", "effort", "label")
STEP_COLUMNS = ("t_s", "foot", "gait")
EPOCH_COLUMNS = ("t_s", "utc", "valid", "lat_deg", "lon_deg", "speed_mps", "true_lat_deg",
                 "true_lon_deg", "true_speed_mps", "true_distance_m", "corrupted_sentences")


def write_truth_csv(runner: RunnerModel, path: str | os.PathLike[str], rate_hz: float = 1.0) -> int:
    """Write the runner's truth sampled at ``rate_hz``; returns the number of rows."""
    if rate_hz <= 0:
        raise ValueError(f"rate_hz must be positive, got {rate_hz}")
    t = np.arange(int(np.floor(runner.duration_s * rate_hz)) + 1) / rate_hz
    st = runner.state_at(t)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(TRUTH_COLUMNS)
        for i in range(t.size):
            e = int(st.effort_index[i])
            w.writerow([f"{t[i]:.3f}", f"{st.distance_m[i]:.3f}", f"{st.speed_mps[i]:.3f}",
                        f"{st.cadence_spm[i]:.2f}", int(st.lap[i]), f"{st.s_m[i]:.3f}",
                        f"{st.lat_deg[i]:.8f}", f"{st.lon_deg[i]:.8f}", e,
                        runner.efforts[e].label])
    return int(t.size)


def write_steps_csv(runner: RunnerModel, path: str | os.PathLike[str]) -> int:
    """Write every footfall (time, foot, gait); returns the number of rows."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(STEP_COLUMNS)
        steps = zip(runner.step_times_s, runner.step_foot, runner.step_gait, strict=True)
        for t, foot, gait in steps:
            w.writerow([f"{t:.4f}", "R" if foot else "L",
                        "run" if gait == gm.GAIT_RUN else "walk"])
    return int(runner.step_times_s.size)


def write_epochs_csv(receiver: SimulatedReceiver, path: str | os.PathLike[str]) -> int:
    """Write the receiver's reported values and the truth per epoch; returns rows."""
    n = 0
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(EPOCH_COLUMNS)
        for ep in receiver.records():
            w.writerow([
                f"{ep.t_s:.3f}", ep.utc.isoformat().replace("+00:00", "Z"), int(ep.valid),
                "" if ep.lat_deg is None else f"{ep.lat_deg:.8f}",
                "" if ep.lon_deg is None else f"{ep.lon_deg:.8f}",
                "" if ep.speed_mps is None else f"{ep.speed_mps:.3f}",
                f"{ep.true_lat_deg:.8f}", f"{ep.true_lon_deg:.8f}", f"{ep.true_speed_mps:.3f}",
                f"{ep.true_distance_m:.3f}", sum(ep.corrupted)])
            n += 1
    return n
