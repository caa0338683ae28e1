"""Online stride-length model: speed from cadence during GPS gaps.

Pure numpy, no clock reads.

Notes
-----
Step length (metres per step) is ``speed_mps / (cadence_spm / 60)``. While GPS is good,
:meth:`StrideModel.learn` folds each (speed, cadence) pair into the *speed band* it
belongs to (bands of ``band_mps`` = 0.5 m/s): per band an exponentially forgetting
weighted mean of cadence and of step length, plus the weighted variance of step length.
Forgetting is per band and counted in learning weight, not time
(``memory`` = 60: after 60 unit-weight updates an old sample counts 1/e), so a band
learned in the warm-up keeps its value through the reps that use other bands.

:meth:`StrideModel.speed_from_cadence` maps a cadence to a step length by
piecewise-linear interpolation over the learned bands, ordered by their mean cadence.
At training speeds runners go faster mostly by longer strides, not higher cadence
(FIELD_NOTES; Cavanagh & Kram 1989), so one step length for all speeds is badly wrong
in a fast rep: the bands keep each speed's own stride. Confidence falls with

* the distance (in spm) from the nearest learned band's mean cadence,
* the band's spread of step length and its learned weight,
* extrapolation: more than 2 spm beyond the learned cadence range the nearest band's
  step length is used up to ``extrapolate_spm`` further with confidence at most 0.3;
  further out, or with nothing learned, the answer is ``(None, 0.0)``.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["StrideModel"]

# Cadence rises ~7.5 spm per m/s (pacer.sim.gait_model), so a 0.5 m/s band spans ~4 spm:
# a query within 2 spm of a band's mean cadence is inside that band.
BAND_CADENCE_HALF_WIDTH_SPM = 2.0


class StrideModel:
    """Per-speed-band step length learned online while GPS is good.

    Parameters
    ----------
    band_mps : float
        Width of a speed band.
    memory : float
        Forgetting horizon in units of learning weight.
    max_speed_mps : float
        Speeds above this are not learned (no runner; GPS glitch).
    extrapolate_spm : float
        How far beyond the learned cadence range a prediction is still given.
    """

    def __init__(
        self,
        *,
        band_mps: float = 0.5,
        memory: float = 60.0,
        max_speed_mps: float = 12.0,
        extrapolate_spm: float = 8.0,
    ) -> None:
        if band_mps <= 0 or memory <= 0:
            raise ValueError("band_mps and memory must be positive")
        self.band_mps = float(band_mps)
        self.memory = float(memory)
        self.max_speed_mps = float(max_speed_mps)
        self.extrapolate_spm = float(extrapolate_spm)
        n = math.ceil(max_speed_mps / band_mps) + 1
        # per band, as Python lists: learn() runs at every GPS fix and touches one band,
        # where numpy element access costs more than the arithmetic; the queries (only
        # in GPS gaps) take arrays of them
        self._w = [0.0] * n  # forgetting sum of weights per band
        self._cad_spm = [0.0] * n
        self._step_m = [0.0] * n
        self._var_m2 = [0.0] * n

    def learn(self, speed_mps: float, cadence_spm: float, weight: float) -> None:
        """Fold one GPS-good observation in; invalid or standing input is ignored."""
        try:
            if not (math.isfinite(speed_mps) and math.isfinite(cadence_spm)
                    and math.isfinite(weight)):
                return
        except TypeError:  # None or not a number
            return
        if weight <= 0 or cadence_spm < 60 or cadence_spm > 260:
            return
        if speed_mps < 0.5 or speed_mps > self.max_speed_mps:
            return
        step_m = speed_mps / (cadence_spm / 60.0)
        b = int(speed_mps // self.band_mps)
        decay = math.exp(-weight / self.memory)
        w_new = self._w[b] * decay + weight
        frac = weight / w_new
        step_old = self._step_m[b]
        d = step_m - step_old
        self._step_m[b] = step_old + frac * d
        self._var_m2[b] = (1 - frac) * (self._var_m2[b] + frac * d * d)
        cad_old = self._cad_spm[b]
        self._cad_spm[b] = cad_old + frac * (cadence_spm - cad_old)
        self._w[b] = w_new

    def learned_bands(self) -> list[tuple[float, float, float, float]]:
        """(band low speed m/s, mean cadence spm, mean step length m, weight) per band."""
        idx = [i for i, w in enumerate(self._w) if w > 0]
        return [
            (
                float(i * self.band_mps),
                float(self._cad_spm[i]),
                float(self._step_m[i]),
                float(self._w[i]),
            )
            for i in idx
        ]

    def speed_from_cadence(self, cadence_spm: float) -> tuple[float | None, float]:
        """Speed (m/s) and confidence 0..1 for ``cadence_spm``; (None, 0.0) if unknown."""
        if not (isinstance(cadence_spm, (int, float)) and math.isfinite(cadence_spm)):
            return None, 0.0
        if cadence_spm <= 0:
            return None, 0.0
        w_all = np.array(self._w)
        idx = np.flatnonzero(w_all >= 1.0)
        if idx.size == 0:
            return None, 0.0
        cad_all = np.array(self._cad_spm)
        order = np.argsort(cad_all[idx], kind="stable")
        idx = idx[order]
        cad, step, w = cad_all[idx], np.array(self._step_m)[idx], w_all[idx]
        sd = np.sqrt(np.array(self._var_m2)[idx])
        tol = BAND_CADENCE_HALF_WIDTH_SPM
        below, above = cad[0] - tol - cadence_spm, cadence_spm - cad[-1] - tol
        if max(below, above) > self.extrapolate_spm:
            return None, 0.0
        if cadence_spm <= cad[0] or cadence_spm >= cad[-1]:
            j = 0 if cadence_spm <= cad[0] else -1
            step_m = float(step[j])
            conf = self._quality(w[j], sd[j], step[j])
            if max(below, above) > 0:  # outside every learned band: extrapolation
                conf *= 0.3 * (1.0 - max(below, above) / self.extrapolate_spm)
        else:
            k = int(np.searchsorted(cad, cadence_spm))
            lo, hi = k - 1, k
            gap = cad[hi] - cad[lo]
            a = (cadence_spm - cad[lo]) / gap if gap > 0 else 0.5
            step_m = float((1 - a) * step[lo] + a * step[hi])
            dist = min(cadence_spm - cad[lo], cad[hi] - cadence_spm)
            # Far-apart bands with different strides: the line between them is a guess.
            closeness = math.exp(-dist / 6.0) if gap > 4.0 else 1.0
            q = min(self._quality(w[lo], sd[lo], step[lo]), self._quality(w[hi], sd[hi], step[hi]))
            conf = q * (0.4 + 0.6 * closeness)
        return step_m * cadence_spm / 60.0, float(max(0.0, min(1.0, conf)))

    def _quality(self, w: float, sd_m: float, step_m: float) -> float:
        """0..1: enough weight (saturating at 20) and a consistent step length."""
        amount = 1.0 - math.exp(-w / 20.0)
        spread = sd_m / step_m if step_m > 0 else 1.0
        return float(amount * math.exp(-spread / 0.05))
