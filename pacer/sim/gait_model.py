"""How real runners' cadence and ground contact follow speed (used by the runner model).

Pure functions of speed; the runner model and the accelerometer signal share them so
that the step times and the gait waveform agree.

Notes
-----
Cadence rises slowly with running speed because runners go faster mostly by longer
strides (Cavanagh & Kram 1989, "Stride length in distance running: velocity, body
dimensions, and added mass effects", Med Sci Sports Exerc 21:467; Dorn, Schache & Pandy
2012, J Exp Biol 215:1944: stride length carries the speed increase up to ~7 m/s,
cadence only afterwards). The running line used here, 165 spm at 3 m/s plus 7.5 spm per
m/s, gives ~176 spm at 4.44 m/s (90 s per 400 m) and ~188 spm at 6 m/s, the usual range
of trained runners. Walking cadence is ~100-130 spm at 1.0-1.8 m/s (Tudor-Locke et al.
2018, "How fast is fast enough? Walking cadence (steps/min) as a practical estimate of
intensity in adults", Br J Sports Med 52:776): 112 spm at 1.4 m/s plus 25 spm per m/s.
The walk-run transition sits near 2.0 m/s (Hreljac 1993, "Preferred and energetically
optimal gait transition speeds in human locomotion", Med Sci Sports Exerc 25:1158).
Ground contact time falls from ~0.27 s at 3 m/s to ~0.18 s at 6 m/s (Nummela et al.
2007, "Factors related to top running speed and economy", Int J Sports Med 28:655).
"""

from __future__ import annotations

import numpy as np

GAIT_STAND = 0
GAIT_WALK = 1
GAIT_RUN = 2

STAND_BELOW_MPS = 0.25  # below this the runner is standing (no steps)
RUN_FROM_MPS = 2.0  # walk-run transition speed

RUN_CADENCE_AT_3_SPM = 165.0
RUN_CADENCE_SLOPE_SPM_PER_MPS = 7.5
WALK_CADENCE_AT_1P4_SPM = 112.0
WALK_CADENCE_SLOPE_SPM_PER_MPS = 25.0


def gait_for_speed(speed_mps: np.ndarray | float) -> np.ndarray:
    """Gait code per speed: ``GAIT_STAND`` (0), ``GAIT_WALK`` (1) or ``GAIT_RUN`` (2)."""
    v = np.asarray(speed_mps, dtype=float)
    moving = np.where(v < RUN_FROM_MPS, GAIT_WALK, GAIT_RUN)
    return np.where(v < STAND_BELOW_MPS, GAIT_STAND, moving)


def cadence_for_speed_spm(speed_mps: np.ndarray | float, offset_spm: float = 0.0) -> np.ndarray:
    """Steady-state cadence (steps per minute) of a runner moving at ``speed_mps``.

    ``offset_spm`` is the runner's personal offset (applied to running only; walking
    cadence varies less between people at a given speed). Zero when standing.
    """
    v = np.asarray(speed_mps, dtype=float)
    run = np.clip(
        RUN_CADENCE_AT_3_SPM + RUN_CADENCE_SLOPE_SPM_PER_MPS * (v - 3.0) + offset_spm, 150.0, 210.0
    )
    walk = np.clip(
        WALK_CADENCE_AT_1P4_SPM + WALK_CADENCE_SLOPE_SPM_PER_MPS * (v - 1.4), 85.0, 132.0
    )
    gait = gait_for_speed(v)
    return np.where(gait == GAIT_RUN, run, np.where(gait == GAIT_WALK, walk, 0.0))


def contact_time_s(speed_mps: np.ndarray | float) -> np.ndarray:
    """Ground contact time of one running step (s); ~0.27 s at 3 m/s, ~0.18 s at 6 m/s."""
    v = np.asarray(speed_mps, dtype=float)
    return np.clip(0.27 - 0.03 * (v - 3.0), 0.15, 0.30)
