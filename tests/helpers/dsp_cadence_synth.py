"""A small synthetic gait generator for the cadence tests (not a test module).

Body-worn accelerometer during running or walking, vectorised:

* step times from a cadence profile (phase integral), with Gaussian step jitter;
* vertical acceleration per step, from initial contact: running, a half-sine force over
  ground contact that averages 1 g (flight reads 0 g) plus an impact transient;
  walking, an inverted-pendulum cosine (highest at heel strike) plus a smaller transient,
  alternate steps scaled by ``1 +- asymmetry`` (left/right), plus harmonics of the step
  frequency with random phases;
* lateral sway at the stride frequency and fore-aft wobble at the step frequency;
* gravity, white noise, and a random fixed sensor orientation (orientation-free test);
* the sensor's sample clock runs at ``rate_hz * (1 + rate_error)``.

Truth footfalls are the initial-contact times (what :class:`CadenceTracker` reports).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

G_MPS2 = 9.80665

CONTACT_FRACTION = 0.65  # ground contact / step period while running
IMPACT_RISE_S = 0.012  # impact transient A (t/ti) exp(1 - t/ti), as in pacer.sim.accel
# loading smear (soft tissue), impact transient (g), lateral sway (m/s^2) per placement
PLACEMENTS = {
    "hip": (1.0, 0.8, 1.5),
    "waist": (0.95, 0.6, 1.0),
    "chest": (0.9, 0.4, 0.6),
}


@dataclass(frozen=True)
class Synth:
    t_s: np.ndarray  # true sample times
    samples_mps2: np.ndarray  # (n, 3) sensor frame
    footfalls_s: np.ndarray  # true initial-contact times
    true_rate_hz: float


def step_times_s(profile, duration_s: float, jitter_s: float, rng) -> np.ndarray:
    """Step times for ``profile``: a cadence (spm) or a list of (t_from_s, spm)."""
    if np.isscalar(profile):
        profile = [(0.0, float(profile))]
    grid = np.arange(0.0, duration_s + 1.0, 0.001)
    starts = np.array([p[0] for p in profile])
    spm = np.array([p[1] for p in profile])
    cad = spm[np.searchsorted(starts, grid, side="right") - 1]
    phase = np.concatenate(([0.0], np.cumsum(cad[:-1] / 60.0 * 0.001)))
    first = rng.uniform(0.0, 1.0)
    k = np.arange(first, phase[-1])
    t = np.interp(k, phase, grid) + rng.normal(0.0, jitter_s, k.size)
    return np.sort(t)


def gait(
    profile,
    duration_s: float,
    rate_hz: float,
    *,
    rate_error: float = 0.0,
    placement: str = "hip",
    run: bool = True,
    amplitude: float = 1.0,
    asymmetry: float = 0.1,
    harmonics: tuple[float, ...] = (0.3, 0.15),
    noise_mps2: float = 0.3,
    jitter_s: float = 0.004,
    seed: int = 0,
) -> Synth:
    rng = np.random.default_rng(seed)
    true_rate = rate_hz * (1.0 + rate_error)
    t = np.arange(int(duration_s * true_rate)) / true_rate
    steps = step_times_s(profile, duration_s, jitter_s, rng)
    smear, impact_g, sway = PLACEMENTS[placement]
    sway = sway * amplitude
    i = np.clip(np.searchsorted(steps, t, side="right") - 1, 0, steps.size - 1)
    period = np.diff(steps, append=steps[-1] + (steps[-1] - steps[-2]))[i]
    dt = t - steps[i]
    side = np.where(i % 2 == 0, 1.0 + asymmetry, 1.0 - asymmetry)
    tau = np.maximum(dt, 0.0)
    impact = impact_g * (tau / IMPACT_RISE_S) * np.exp(1.0 - tau / IMPACT_RISE_S)
    if run:
        # Vertical force of the centre of mass: a half sine over ground contact, zero in
        # flight, averaging 1 g over the step (so flight reads ~0 g, stance ~2-2.6 g).
        contact = CONTACT_FRACTION * period
        stance = dt < contact
        force_g = np.where(stance, np.pi / 2 / CONTACT_FRACTION * np.sin(np.pi * dt / contact), 0.0)
        vert = (force_g * smear + impact - 1.0) * amplitude
    else:
        # Inverted pendulum: highest at heel strike, lowest at mid-stance.
        vert = (0.25 * np.cos(2 * np.pi * dt / period) + 0.4 * impact) * amplitude
    vert = vert * side * G_MPS2
    # Within-step harmonics and between-step smearing (smooth phase of the step cycle).
    phase = 2 * np.pi * (i + dt / period)
    for h, a in enumerate(harmonics, start=2):
        vert += a * amplitude * G_MPS2 * 0.3 * np.cos(h * phase + rng.uniform(0, 2 * np.pi))
    vert -= vert.mean()  # the centre of mass neither rises nor sinks on average
    lat = sway * np.sin(np.pi * (i + dt / period))  # stride frequency
    fwd = 0.3 * sway * np.sin(phase + 1.0)
    world = np.stack([lat, fwd, G_MPS2 + vert], axis=1)
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    samples = world @ q.T + rng.normal(0.0, noise_mps2, world.shape)
    truth = steps  # initial contact
    return Synth(t, samples, truth, true_rate)


def blocks(synth: Synth, calibrated_rate_hz: float, block_s: float = 0.25, t0_s: float = 0.0):
    """Cut into AccelBlocks stamped with the calibrated rate (as the sampler would)."""
    from pacer.models import AccelBlock

    n = max(1, round(block_s * synth.true_rate_hz))
    out = []
    for start in range(0, synth.t_s.size, n):
        chunk = synth.samples_mps2[start : start + n]
        out.append(AccelBlock(t0_s + start / calibrated_rate_hz, calibrated_rate_hz, chunk))
    return out
