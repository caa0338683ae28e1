"""Body-worn accelerometer signal of the simulated runner (the fake chips' signal source).

``GaitSignal(runner)(t_s)`` returns the specific force (m/s^2, gravity included, what an
accelerometer reads: +9.81 on the up axis when still) at arbitrary sample times, in a
sensor frame rotated from the body frame. It is a pure function of ``t_s``: the same
time gives the same value whichever chunk it is asked in, so a fake chip may pull
samples at its own (off-nominal) rate in any block sizes.

Notes
-----
Body frame: x forward (anterior), y left (medial-lateral), z up. Each footfall ``k``
(from the runner's step times, so step-to-step jitter and left/right timing asymmetry
come from there) starts one step waveform, with ``tau`` the time since footfall, ``T``
the step period and ``tc`` the ground contact time at the step's speed:

Running (speed >= 2 m/s)
    vertical: an impact transient ``A (tau/ti) exp(1 - tau/ti)``, ``ti`` = 12 ms, ``A``
    ~1.2 g at the hip at 4 m/s growing with speed, plus the active (propulsive) hump, a
    half-sine over stance ``P sin(pi tau / tc)`` with ``P = (g T - A e ti) pi / (2 tc)``,
    so that the mean over a step is g (no net vertical velocity change); zero in flight
    (free fall reads 0); anterior-posterior: braking then
    propulsion, ``-B sin(2 pi tau / tc)`` (B ~ 0.35 g); medial-lateral: a half-sine of
    alternating sign per foot, so its fundamental is the stride frequency (half the step
    frequency). Peaks come out at ~2.3 g at the hip at 4.4 m/s, the low end of measured
    trunk peaks (~2.5-3.5 g; Wundersitz et al. 2013, Sports Biomech 12:403). Flight does
    not read a clean 0 g: a placement's ``flight_floor_g`` (hip 0.3 g, waist and chest
    0.2 g, wrist 0.1 g) wanders by +-80 % over 120 s and the active hump shrinks to keep
    the step's mean at g. Real hips and chests read 0.15-0.3 g at the 5th percentile of
    ``|a|`` while jogging, and a held-out hip run stayed above 0.46 g for minutes.
Walking (0.25-2 m/s)
    inverted-pendulum trunk motion: vertical ``g (1 + 0.25 cos(2 pi tau / T))`` (highest
    at heel strike, lowest at mid-stance; Zijlstra & Hof 2003, Gait Posture 18:1), a
    0.3 g heel-strike transient, AP ``-0.2 g sin(2 pi tau / T)``, ML 0.1 g alternating.
Standing
    gravity only, plus noise (no step for more than 1.5 step periods).

Right-foot steps are scaled by ``1 + asymmetry`` (3-8 %, random sign), every step by a
per-step factor (5 % rms); running, that scales the impact, AP and ML parts (the active
hump keeps the step's impulse at g T), walking the whole oscillation. Placement sets the
gains: hip 1, waist (larger ML sway), chest (impact damped by the spine), wrist (impact
damped, a 1 g arm swing at stride frequency on the AP axis and a vertical part of
it (0.25 g), since the forward swing rises higher than the backward one: that part survives in
``|a|`` at the stride frequency, the wrist's octave trap). Along-track
acceleration of the runner is added on x.
Sensor noise is white, 0.05 m/s^2 rms per axis by default (MPU-6050: 400 ug/sqrt(Hz)),
drawn from a counter-based hash of the sample time (100 ns resolution), not from a
running generator, so it is reproducible per time stamp.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pacer.sim import gait_model as gm
from pacer.sim.runner import RunnerModel
from pacer.units import G_MPS2


@dataclass(frozen=True)
class Placement:
    """Gains of each waveform component at a body location."""

    vertical: float
    impact: float
    ap: float
    ml: float
    arm_swing_g: float = 0.0
    arm_lift_g: float = 0.0  # vertical part of the arm swing (forward swing rises)
    flight_floor_g: float = 0.0  # what flight reads (strap, soft tissue), mean over a run


PLACEMENTS = {
    "hip": Placement(vertical=1.0, impact=1.0, ap=1.0, ml=1.0, flight_floor_g=0.3),
    "waist": Placement(vertical=1.0, impact=0.9, ap=1.0, ml=1.4, flight_floor_g=0.2),
    "chest": Placement(vertical=0.9, impact=0.5, ap=0.8, ml=0.8, flight_floor_g=0.2),
    "wrist": Placement(vertical=0.6, impact=0.4, ap=0.6, ml=0.6, arm_swing_g=1.0,
                       arm_lift_g=0.25, flight_floor_g=0.1),
}
FLOOR_WANDER = 0.8  # the flight floor wanders by +-80 % of its mean ...
FLOOR_PERIOD_S = 120.0  # ... over this period (a strap loosening, a shirt riding up)

_IMPACT_RISE_S = 0.012
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """Vectorised splitmix64 finaliser (uint64 in, well-mixed uint64 out)."""
    with np.errstate(over="ignore"):
        z = (x + np.uint64(0x9E3779B97F4A7C15)) & _MASK64
        z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & _MASK64
        z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & _MASK64
        return z ^ (z >> np.uint64(31))


def hashed_normal(t_s: np.ndarray, key: int | np.ndarray) -> np.ndarray:
    """Standard normal numbers that are a pure function of (``t_s``, ``key``).

    ``key`` may be an integer array that broadcasts against ``t_s`` (one key per axis).
    """
    ticks = np.round(np.asarray(t_s, dtype=float) * 1e7).astype(np.int64).view(np.uint64)
    k = (np.asarray(key, dtype=np.int64) & 0x7FFFFFFFFFFFFFFF).astype(np.uint64)
    with np.errstate(over="ignore"):
        a = _splitmix64(ticks ^ k)
        b = _splitmix64(a ^ np.uint64(0xD1B54A32D192ED03))
    u1 = ((a >> np.uint64(11)).astype(float) + 0.5) / 2.0**53
    u2 = (b >> np.uint64(11)).astype(float) / 2.0**53
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2 * np.pi * u2)


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    """A uniformly random 3-D rotation matrix."""
    q = rng.standard_normal(4)
    w, x, y, z = q / np.linalg.norm(q)
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])


class GaitSignal:
    """Specific force (m/s^2) a body-worn accelerometer reads on the simulated runner.

    Parameters
    ----------
    runner : RunnerModel
    placement : {"hip", "waist", "chest", "wrist"}
    seed : int
        Seeds the mounting rotation, asymmetry, per-step amplitudes and noise.
    orientation : array (3, 3), optional
        Rotation from body (x forward, y left, z up) to sensor axes; random if None.
    noise_mps2 : float
        White sensor noise per axis (rms).
    """

    def __init__(self, runner: RunnerModel, *, placement: str = "hip", seed: int = 0,
                 orientation: np.ndarray | None = None, noise_mps2: float = 0.05) -> None:
        if placement not in PLACEMENTS:
            raise ValueError(f"placement must be one of {', '.join(PLACEMENTS)}, got {placement!r}")
        self.runner = runner
        self.placement = placement
        self.gains = PLACEMENTS[placement]
        self.noise_mps2 = float(noise_mps2)
        rng = np.random.default_rng([int(seed), 0xACC])
        if orientation is None:
            self.orientation = random_rotation(rng)
        else:
            rot = np.asarray(orientation, dtype=float)
            if rot.shape != (3, 3) or not np.allclose(rot @ rot.T, np.eye(3), atol=1e-6):
                raise ValueError("orientation must be a 3x3 rotation matrix")
            self.orientation = rot
        st = runner.step_times_s
        n = st.size
        self._steps = st
        if n:
            cad = np.interp(st, runner.truth.t_s, runner.truth.cadence_spm)
            nominal = 60.0 / np.maximum(cad, 60.0)
            gap = np.append(np.diff(st), np.inf)
            # a step's waveform lasts until the next footfall, or a nominal period at a stop
            self._period = np.where(gap < 1.5 * nominal, gap, nominal)
            self._speed = np.interp(st, runner.truth.t_s, runner.truth.speed_mps)
        else:
            self._period = np.zeros(0)
            self._speed = np.zeros(0)
        asym = float(rng.uniform(0.03, 0.08)) * float(rng.choice([-1.0, 1.0]))
        self.asymmetry = asym
        self._amp = (1.0 + 0.05 * np.clip(rng.standard_normal(n), -3, 3)) * np.where(
            runner.step_foot == 1, 1.0 + asym, 1.0)
        self._side = np.where(runner.step_foot == 0, 1.0, -1.0)
        self._running = runner.step_gait == gm.GAIT_RUN
        self._noise_key = int(rng.integers(0, 2**62))
        # per-step waveform constants (running): contact time, impact amplitude, and the
        # active peak that gives the step an impulse of g T with the impact's share (A e ti)
        g = self.gains
        self._tc = np.minimum(gm.contact_time_s(self._speed), 0.8 * self._period)
        self._imp_amp = 1.2 * G_MPS2 * g.impact * np.clip(self._speed / 4.0, 0.5, 1.6) * self._amp
        # flight does not read a clean 0 g off the foot: strap and soft tissue keep a
        # floor that wanders over minutes (real hips: 0.15-0.5 g for minutes)
        wander = np.sin(2.0 * np.pi * st / FLOOR_PERIOD_S + float(rng.uniform(0, 2 * np.pi)))
        self._floor = g.flight_floor_g * G_MPS2 * np.clip(1.0 + FLOOR_WANDER * wander, 0.0, None)
        impulse = np.maximum((G_MPS2 - self._floor) * self._period
                             - self._imp_amp * np.e * _IMPACT_RISE_S,
                             0.3 * G_MPS2 * self._period)
        self._peak = impulse * np.pi / (2.0 * np.maximum(self._tc, 1e-3))
        # walking: the heel-strike transient's mean over the step, removed to keep g
        self._walk_imp_mean = 0.3 * G_MPS2 * g.impact * np.e * _IMPACT_RISE_S / np.maximum(
            self._period, 1e-3)

    def body_mps2(self, t_s: np.ndarray) -> np.ndarray:
        """Specific force in the body frame (x forward, y left, z up), shape (n, 3)."""
        t = np.asarray(t_s, dtype=float).reshape(-1)
        out = np.zeros((t.size, 3))
        out[:, 2] = G_MPS2
        st = self._steps
        if st.size:
            j = np.searchsorted(st, t, side="right") - 1
            jj = np.clip(j, 0, st.size - 1)
            tau = t - st[jj]
            period = self._period[jj]
            active = (j >= 0) & (tau < 1.5 * period)
            run = active & self._running[jj]
            walk = active & ~self._running[jj]
            amp = self._amp[jj]
            side = self._side[jj]
            g = self.gains
            if np.any(run):
                self._running_wave(out, run, tau[run], jj[run])
            if np.any(walk):
                k = jj[walk]
                tw = tau[walk]
                ph = tw / period[walk]
                a = amp[walk]
                imp = 0.3 * G_MPS2 * g.impact * (tw / _IMPACT_RISE_S) * np.exp(
                    1.0 - tw / _IMPACT_RISE_S)
                out[walk, 2] = (G_MPS2 * (1.0 + 0.25 * g.vertical * a * np.cos(2 * np.pi * ph))
                                + (imp - self._walk_imp_mean[k]) * a)
                out[walk, 0] = -0.2 * G_MPS2 * g.ap * a * np.sin(2 * np.pi * ph)
                out[walk, 1] = (0.1 * G_MPS2 * g.ml * a * side[walk]
                                * np.sin(np.pi * np.clip(ph, 0, 1)))
            if g.arm_swing_g > 0:
                stride_ph = 0.5 * (np.clip(tau / period, 0, 1) + (1 - side) / 2)
                swing = g.arm_swing_g * G_MPS2 * np.sin(2 * np.pi * stride_ph)
                scale = np.where(run, 1.0, np.where(walk, 0.4, 0.0))
                out[:, 0] += swing * scale
                # the forward swing rises higher than the backward one: a vertical part
                # once per stride, which |a| keeps (the wrist's octave trap)
                lift = g.arm_lift_g * G_MPS2 * np.cos(2 * np.pi * stride_ph)
                out[:, 2] += lift * scale
        out[:, 0] += self.runner.acceleration_mps2(t)
        return out

    def _running_wave(self, out: np.ndarray, sel: np.ndarray, tau: np.ndarray,
                      k: np.ndarray) -> None:
        """Running waveform for samples ``sel``: ``tau`` s after footfall ``k``."""
        g = self.gains
        tc, amp = self._tc[k], self._amp[k]
        stance = tau < tc
        u = np.where(stance, tau / tc, 0.0)
        imp = self._imp_amp[k] * (tau / _IMPACT_RISE_S) * np.exp(1.0 - tau / _IMPACT_RISE_S)
        vert = self._floor[k] + np.where(stance, self._peak[k] * np.sin(np.pi * u), 0.0) + imp
        # placement gain scales the oscillation about g, not g itself
        out[sel, 2] = G_MPS2 + (vert - G_MPS2) * g.vertical
        out[sel, 0] = np.where(stance, -0.35 * G_MPS2 * g.ap * amp * np.sin(2 * np.pi * u), 0.0)
        out[sel, 1] = np.where(stance, 0.15 * G_MPS2 * g.ml * amp * self._side[k]
                               * np.sin(np.pi * u), 0.0)

    def __call__(self, t_s: np.ndarray) -> np.ndarray:
        """Specific force (m/s^2) in the sensor frame at ``t_s``, shape (n, 3)."""
        t = np.asarray(t_s, dtype=float).reshape(-1)
        body = self.body_mps2(t)
        rot = self.orientation
        # elementwise, not a matmul: BLAS may round differently for different lengths,
        # and the same t must give the same bits in any chunk
        sensor = np.empty_like(body)
        for i in range(3):
            sensor[:, i] = body[:, 0] * rot[i, 0] + body[:, 1] * rot[i, 1] + body[:, 2] * rot[i, 2]
        if self.noise_mps2 > 0:
            keys = self._noise_key + np.arange(3, dtype=np.int64)
            sensor += self.noise_mps2 * hashed_normal(t[:, None], keys[None, :])
        return sensor

    signal = __call__
