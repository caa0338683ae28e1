"""A simulated runner's heart rate that lags effort, and a simulated strap's notifications.

Heart rate follows a steady-state value set by running speed through a first-order lag
that rises faster than it falls (on-kinetics ~25 s, recovery ~45 s), plus beat-to-beat
jitter. :func:`strap_notifications` turns it into the bytes a chest strap sends (Heart
Rate Measurement 0x2A37, about once a second, RR intervals of the beats since the last
one), so a simulated session exercises the production decoder. Pure: numpy and a seeded
generator, time as data.

Notes
-----
Steady-state heart rate rises about linearly with running speed between easy running and
the speed at maximum heart rate; the model is ``hr_ss = resting + (max - resting) *
(floor + (1 - floor) * min(v / v_max, 1))`` with ``floor`` the standing share. The lag is
``dhr/dt = (hr_ss - hr) / tau`` with ``tau = rise_tau_s`` when ``hr_ss > hr`` else
``fall_tau_s``, integrated exactly per step for piecewise-constant input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pacer.ble.gatt_codec import HeartRateMeasurement, encode_heart_rate
from pacer.errors import InputError


@dataclass(frozen=True)
class HeartRateModel:
    """A runner's heart-rate response.

    Attributes
    ----------
    resting_hr_bpm, max_hr_bpm : float
        Resting and maximum heart rate.
    speed_at_max_mps : float
        Running speed at which steady-state heart rate reaches the maximum.
    standing_share : float
        Share of the reserve used standing still (0.15: ~71 bpm for 50/190).
    rise_tau_s, fall_tau_s : float
        Time constants of the lag going up and coming down, s.
    jitter_bpm : float
        Standard deviation of beat-to-beat jitter, bpm.
    """

    resting_hr_bpm: float = 50.0
    max_hr_bpm: float = 190.0
    speed_at_max_mps: float = 6.0
    standing_share: float = 0.15
    rise_tau_s: float = 25.0
    fall_tau_s: float = 45.0
    jitter_bpm: float = 1.0

    def __post_init__(self) -> None:
        if not 0 < self.resting_hr_bpm < self.max_hr_bpm:
            raise InputError("heart-rate model: need 0 < resting_hr_bpm < max_hr_bpm")
        if min(self.speed_at_max_mps, self.rise_tau_s, self.fall_tau_s) <= 0:
            raise InputError("heart-rate model: speed_at_max_mps and time constants must be > 0")

    def steady_bpm(self, speed_mps: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Steady-state heart rate at a speed, bpm."""
        share = np.clip(np.asarray(speed_mps, dtype=float) / self.speed_at_max_mps, 0.0, 1.0)
        share = self.standing_share + (1.0 - self.standing_share) * share
        return self.resting_hr_bpm + (self.max_hr_bpm - self.resting_hr_bpm) * share


def simulate_heart_rate_bpm(t_s: npt.ArrayLike, speed_mps: npt.ArrayLike,
                            model: HeartRateModel | None = None, *, seed: int = 0,
                            start_hr_bpm: float | None = None) -> npt.NDArray[np.float64]:
    """Heart rate at each time of a speed trace (speed held between samples).

    Parameters
    ----------
    t_s, speed_mps : array_like
        Increasing times, s, and the runner's speed, m/s.
    model : HeartRateModel, optional
    seed : int
        Seed of the jitter.
    start_hr_bpm : float, optional
        Heart rate at ``t_s[0]``; default the steady state at the first speed.
    """
    model = model or HeartRateModel()
    t = np.asarray(t_s, dtype=float)
    ss = model.steady_bpm(speed_mps)
    if t.shape != ss.shape:
        raise InputError(f"t_s and speed_mps differ in shape: {t.shape} vs {ss.shape}")
    out = np.empty_like(t)
    if t.size == 0:
        return out
    hr = float(ss[0] if start_hr_bpm is None else start_hr_bpm)
    out[0] = hr
    for i in range(1, t.size):
        target = float(ss[i - 1])
        tau = model.rise_tau_s if target > hr else model.fall_tau_s
        hr = target + (hr - target) * math.exp(-max(t[i] - t[i - 1], 0.0) / tau)
        out[i] = hr
    rng = np.random.default_rng(seed)
    return out + rng.normal(0.0, model.jitter_bpm, size=out.shape)


def strap_notifications(t_s: npt.ArrayLike, heart_rate_bpm: npt.ArrayLike, *,
                        interval_s: float = 1.0, contact: bool = True,
                        energy_kj: bool = False) -> list[tuple[float, bytes]]:
    """What a chest strap sends for a heart-rate trace: (time s, 0x2A37 payload) pairs.

    About one notification per ``interval_s``; each carries the current heart rate and
    the RR intervals (60 / heart rate, in 1/1024 s) of the beats since the previous one.
    Energy expended, when asked for, counts 0.35 kJ per beat (about 50 kJ a minute at
    150 bpm; straps estimate it their own way).
    """
    t = np.asarray(t_s, dtype=float)
    hr = np.asarray(heart_rate_bpm, dtype=float)
    out: list[tuple[float, bytes]] = []
    if t.size == 0:
        return out
    next_beat_s = float(t[0])
    next_send_s = float(t[0]) + interval_s
    rr: list[float] = []
    energy = 0.0
    for i in range(t.size):
        bpm = float(hr[i])
        beat_s = 60.0 / bpm if bpm > 0 else math.inf
        while next_beat_s <= t[i]:
            rr.append(beat_s)
            energy += 0.35
            next_beat_s += beat_s
        if t[i] >= next_send_s:
            m = HeartRateMeasurement(int(round(min(max(bpm, 0.0), 255.0))), True, contact,
                                     int(energy) if energy_kj else None,
                                     tuple(min(r, 63.99) for r in rr[-9:]))
            out.append((float(t[i]), encode_heart_rate(m)))
            rr = []
            next_send_s += interval_s
    return out
