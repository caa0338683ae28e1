"""When did the runner set off? Start detection for steps that wait for the runner.

A runner has set off once two consecutive estimates are at a threshold speed (and at a
running cadence when the cadence is known). The start is then put back to the moment
the speed crossed the threshold, interpolated between the estimates around it -- or,
for a runner starting from standing, to where it crossed a lower speed on the way up,
found in the last few estimates, since the speed estimate lags a runner who sets off.
Pure: estimates in, a (time, distance) out.
"""

from __future__ import annotations

from pacer.models import Estimate

MOVING_SPEED_MPS = 1.8  # a slow jog; walking is ~1.4 m/s
RUNNING_CADENCE_SPM = 130.0
HISTORY_N = 10  # estimates kept to look back for the start from standing


def moving(est: Estimate | None, threshold_mps: float = MOVING_SPEED_MPS) -> bool:
    """The estimate shows the runner moving (a jog or faster); no speed is not moving."""
    return est is not None and (est.speed_mps or 0.0) >= threshold_mps


def distance_after_m(last: Estimate | None, t_s: float) -> float:
    """Session distance (m) at ``t_s``, extrapolated at most 2 s from the ``last``
    estimate at its speed (0 before any estimate)."""
    if last is None:
        return 0.0
    v = last.speed_mps or 0.0
    return last.distance_m + max(0.0, min(t_s - last.t_s, 2.0)) * v


class OnsetDetector:
    """Finds the moment a runner set off (mutable state; call :meth:`reset` on arming)."""

    def __init__(self) -> None:
        self.history: list[Estimate] = []  # the last few estimates, oldest first
        self._qualifying = 0
        self._onset: tuple[Estimate | None, Estimate] | None = None

    def reset(self) -> None:
        self._qualifying = 0
        self._onset = None

    def remember(self, est: Estimate) -> None:
        """Keep ``est`` for later look-backs (once per estimate, after it is handled)."""
        self.history.append(est)
        del self.history[:-HISTORY_N]

    def update(self, prev: Estimate | None, est: Estimate, threshold_mps: float,
               not_before_s: float, back_to_mps: float | None = None,
               ) -> tuple[float, float] | None:  # fmt: skip
        """(t, d) the runner set off, once two consecutive estimates are at
        ``threshold_mps`` (and a running cadence when it is known): the moment the speed
        crossed it (or ``back_to_mps`` on the way up), not before ``not_before_s``;
        None until then."""
        v = est.speed_mps or 0.0
        cadence_ok = (est.cadence_spm is None or est.cadence_confidence < 0.3
                      or est.cadence_spm >= RUNNING_CADENCE_SPM)  # fmt: skip
        if v >= threshold_mps and cadence_ok:
            self._qualifying += 1
            if self._qualifying == 1:
                self._onset = (prev, est)
        else:
            self._qualifying = 0
        if self._qualifying < 2 or self._onset is None:
            return None
        before, first_ok = self._onset
        threshold = threshold_mps
        if back_to_mps is not None and back_to_mps < threshold:
            seq = [e for e in self.history if e.t_s < first_ok.t_s] + [first_ok]
            for i in range(len(seq) - 1, 0, -1):
                if (seq[i - 1].speed_mps or 0.0) < back_to_mps:
                    before, first_ok, threshold = seq[i - 1], seq[i], back_to_mps
                    break
        t0, d0 = first_ok.t_s, first_ok.distance_m
        if before is not None and (before.speed_mps or 0.0) < threshold:
            v0, v1 = before.speed_mps or 0.0, first_ok.speed_mps or 0.0
            frac = (threshold - v0) / (v1 - v0) if v1 > v0 else 1.0
            t0 = before.t_s + frac * (first_ok.t_s - before.t_s)
            d0 = before.distance_m + frac * (first_ok.distance_m - before.distance_m)
        elif before is not None:
            t0, d0 = before.t_s, before.distance_m  # already running when armed
        if t0 < not_before_s:
            frac = (not_before_s - t0) / (first_ok.t_s - t0) if first_ok.t_s > t0 else 1.0
            d0 = d0 + frac * (first_ok.distance_m - d0)
            t0 = not_before_s
        return t0, d0
