"""Distance from filtered speed, and a follower that pins it to track progress.

Pure: time arrives with every call.

Notes
-----
:class:`DistanceIntegrator` integrates speed with the trapezoid rule between
consecutive updates. Standing adds nothing: a hysteresis deadband declares the runner
stopped below ``stop_speed_mps`` and moving again above ``resume_speed_mps`` (Doppler
speed of a receiver at rest wanders 0.05-0.3 m/s; a walking recovery is >= 1 m/s), and
the caller may force "still" (the cadence tracker saw no steps). Intervals longer than
``max_step_s`` (a gap with no speed at all) add nothing rather than a guess.

:class:`ProgressFollower` is a complementary filter for track mode: distance advances
at the measured speed (smooth, no lag) and is pulled toward the target given by
progress along the fitted track with time constant ``tau_s`` (right on average, free
of the bend cutting and lane-offset errors of speed or summed positions). Increments
are never negative, so cumulative distance never runs backwards.
"""

from __future__ import annotations

import math

__all__ = ["DistanceIntegrator", "ProgressFollower"]


class DistanceIntegrator:
    """Cumulative distance (m) from speed samples, with a standstill deadband."""

    def __init__(
        self,
        *,
        stop_speed_mps: float = 0.5,
        resume_speed_mps: float = 0.8,
        max_step_s: float = 5.0,
    ) -> None:
        if resume_speed_mps < stop_speed_mps:
            raise ValueError("resume_speed_mps must be >= stop_speed_mps")
        self.stop_speed_mps = stop_speed_mps
        self.resume_speed_mps = resume_speed_mps
        self.max_step_s = max_step_s
        self.distance_m = 0.0
        self.moving = False
        self._t_s: float | None = None
        self._v_mps: float | None = None

    def effective_speed(self, speed_mps: float | None, still: bool = False) -> float | None:
        """Speed after the deadband (0 when stopped); updates the moving state."""
        if speed_mps is None or not math.isfinite(speed_mps):
            return None
        if still or (self.moving and speed_mps < self.stop_speed_mps):
            self.moving = False
        elif not self.moving and speed_mps >= self.resume_speed_mps:
            self.moving = True
        return max(0.0, speed_mps) if self.moving else 0.0

    def update(self, t_s: float, speed_mps: float | None, *, still: bool = False) -> float:
        """Advance to ``t_s`` with the speed there; return cumulative distance (m)."""
        v = self.effective_speed(speed_mps, still)
        if self._t_s is not None and t_s <= self._t_s:
            return self.distance_m
        if self._t_s is not None and v is not None and self._v_mps is not None:
            dt = t_s - self._t_s
            if dt <= self.max_step_s:
                self.distance_m += 0.5 * (v + self._v_mps) * dt
        self._t_s = t_s
        self._v_mps = v
        return self.distance_m

    def add(self, distance_m: float) -> None:
        """Add distance measured elsewhere (e.g. by track progress), keeping the time base."""
        self.distance_m += max(0.0, distance_m)


class ProgressFollower:
    """Distance that moves at the measured speed and converges on a target distance.

    Parameters
    ----------
    tau_s
        Time constant of the pull toward the target (s). Shorter follows the target's
        position noise; longer keeps speed errors longer.
    """

    def __init__(self, *, tau_s: float = 4.0) -> None:
        self.tau_s = tau_s
        self.distance_m: float | None = None
        self._t_s: float | None = None

    def reset(self, t_s: float, distance_m: float) -> None:
        self.distance_m = distance_m
        self._t_s = t_s

    def update(self, t_s: float, speed_mps: float, target_m: float) -> float:
        """Advance to ``t_s`` at ``speed_mps`` and pull toward ``target_m``; return distance."""
        if self.distance_m is None or self._t_s is None:
            self.reset(t_s, target_m)
            return target_m
        dt = t_s - self._t_s
        if dt <= 0:
            return self.distance_m
        pred = self.distance_m + max(0.0, speed_mps) * dt
        k = 1.0 - math.exp(-dt / self.tau_s)
        self.distance_m = max(self.distance_m, pred + k * (target_m - pred))
        self._t_s = t_s
        return self.distance_m
