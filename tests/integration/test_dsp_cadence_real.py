"""Cadence on real treadmill walking and jogging (Har-Lab HumanActivityData, MIT).

The slice in ``tests/data/running_imu/`` (wrist, subject 028, walk -> jog) runs on a
fresh clone. The full sets run when ``$PACER_SHARED_DATA`` (default ``../shared/data``
next to the repository) holds ``running_imu/``; otherwise those tests skip and say why.
Truth: 10 s windows derived from the ankle sensor (see the data README).
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import numpy as np
import pytest
from helpers.shared_data import needs_shared as _needs_shared
from helpers.shared_data import shared_path

from pacer.dsp.cadence import CadenceEstimate, CadenceTracker
from pacer.models import AccelBlock

REPO = Path(__file__).resolve().parents[2]
SLICE = REPO / "tests" / "data" / "running_imu"
ACTIGRAPH = shared_path("running_imu", "actigraph_treadmill")
G_MPS2 = 9.80665
SPOKEN = 0.5  # the coach speaks a cadence from this confidence (pacer.coach.cues)
JOG_START_028_S = 130.06  # subjects.csv: first impact of subject 028's jog


def replay(path: Path) -> list[CadenceEstimate]:
    """Stream a ``t_s,ax,ay,az`` (g) gzip CSV through the tracker in 0.25 s blocks."""
    with gzip.open(path, "rt") as f:
        d = np.loadtxt(f, delimiter=",", skiprows=1)
    tracker = CadenceTracker()
    out: list[CadenceEstimate] = []
    for start in range(0, d.shape[0], 25):
        block = d[start: start + 25]
        out += tracker.push(AccelBlock(float(block[0, 0]), 100.0, block[:, 1:4] * G_MPS2))
    return out


def truth_windows(path: Path) -> list[tuple[float, float, float, str]]:
    with open(path) as f:
        return [(float(r["t_start_s"]), float(r["t_end_s"]), float(r["cadence_spm"]), r["activity"])
                for r in csv.DictReader(f) if r["cadence_spm"]]


def check(estimates: list[CadenceEstimate], windows, window_s: float = 4.0) -> None:
    """Steady windows: median within 3 %, every spoken estimate within 6 % (a 10 s
    truth averages over a cadence that drifts, at walk onset by ~3 %);
    no spoken estimate anywhere at half or double the truth."""
    t = np.array([e.t_s for e in estimates])
    for t0, t1, truth, activity in windows:
        inside = [e for e, ti in zip(estimates, t, strict=True) if t0 + window_s <= ti <= t1]
        spoken = [e.cadence_spm for e in inside
                  if e.cadence_spm is not None and e.confidence >= SPOKEN]
        for v in spoken:
            assert abs(np.log2(v / truth)) < 0.5, (t0, truth, v)  # never an octave error spoken
        if activity in ("walk", "jog") and len(inside) == 7:
            values = [e.cadence_spm for e in inside if e.cadence_spm is not None]
            assert abs(np.median(values) / truth - 1.0) < 0.03, (t0, truth, values)
            assert all(abs(v / truth - 1.0) < 0.06 for v in spoken), (t0, truth, spoken)


def test_wrist_slice_walk_to_jog():
    """The wrist, where the arm swings once per stride: the jog is read per step, and
    the new cadence is there within 5 s of the first jogging stride."""
    est = replay(SLICE / "actigraph_028_wrist_115-190s.csv.gz")
    windows = [w for w in truth_windows(SLICE / "actigraph_028_truth_cadence_10s.csv")
               if w[0] >= 115.0 and w[1] <= 190.0]
    check(est, windows)
    jog_spm = np.median([w[2] for w in windows if w[3] == "jog"])
    locked = [e.t_s for e in est if e.t_s > JOG_START_028_S and e.cadence_spm is not None
              and abs(e.cadence_spm / jog_spm - 1.0) < 0.03]
    assert locked and locked[0] - JOG_START_028_S <= 5.0
    assert {e.mode for e in est if e.t_s >= JOG_START_028_S + 5.0} == {"run"}


needs_shared = _needs_shared("running_imu", "actigraph_treadmill")


@needs_shared
@pytest.mark.parametrize("placement", ["waist", "wrist", "ankle"])
def test_treadmill_walk_and_jog_at_every_placement(placement):
    with open(ACTIGRAPH / "subjects.csv") as f:
        rows = {r["subject"]: r for r in csv.DictReader(f)}
    paths = sorted(ACTIGRAPH.glob(f"*_{placement}.csv.gz"))
    assert paths
    for path in paths:
        subject = path.name.split("_")[0]
        walk_from_s = float(rows[subject]["treadmill_walk_start_s"]) + 5.0
        jog_from_s = float(rows[subject]["jog_start_s"])
        windows = []
        truth_path = ACTIGRAPH / f"{subject}_truth_cadence_10s.csv"
        for t0, t1, truth, activity in truth_windows(truth_path):
            # steady: the treadmill walk from 5 s after its start, and the jog; the first
            # steps from standing and the uneven walk after the jog are only checked for
            # octave errors
            steady = activity == "jog" or (activity == "walk" and walk_from_s <= t0 < jog_from_s)
            windows.append((t0, t1, truth, activity if steady else "transition"))
        check(replay(path), windows)
