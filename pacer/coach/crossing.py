"""Where a runner was between two estimates, and when a distance was crossed.

Notes
-----
Estimates arrive at 1 Hz, so a rep's end almost always falls between two of them; a
400 m rep at 5.6 m/s covers 5.6 m per estimate, and taking the first estimate past the
line is up to a second late. Between estimates ``(t0, d0, v0)`` and ``(t1, d1, v1)`` the
distance is modelled by the cubic Hermite polynomial through both points with the
speeds as slopes (Fritsch & Carlson, "Monotone piecewise cubic interpolation", SIAM J.
Numer. Anal. 17(2), 1980, for the basis). It is exact at constant speed, as the straight
line is, and follows a slow-down or an acceleration inside the second: with a runner
easing off 0.3 s before the line the straight line is 0.07-0.09 s late and the Hermite
path within 0.02 s (checked by the engine's tests). The crossing time is found by a
coarse scan for the first bracket (the cubic can overshoot) and bisection.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HermitePath:
    """Distance between two estimates: a cubic Hermite through (t, d) with slopes = speeds.

    Estimates come at 1 Hz; a rep's end falls between two of them. Using the speeds as
    slopes follows an acceleration or a slow-down inside the second better than a
    straight line (it is exact for constant speed, as the line is). Without both speeds
    it is the straight line.
    """

    t0: float
    d0: float
    v0: float | None
    t1: float
    d1: float
    v1: float | None

    def distance_at(self, t_s: float) -> float:
        h = self.t1 - self.t0
        if h <= 0:
            return self.d1
        s = min(1.0, max(0.0, (t_s - self.t0) / h))
        if self.v0 is None or self.v1 is None:
            return self.d0 + s * (self.d1 - self.d0)
        s2, s3 = s * s, s * s * s
        return ((2 * s3 - 3 * s2 + 1) * self.d0 + (s3 - 2 * s2 + s) * h * self.v0
                + (-2 * s3 + 3 * s2) * self.d1 + (s3 - s2) * h * self.v1)  # fmt: skip

    def time_at(self, d_m: float) -> float:
        """First time in [t0, t1] at which the distance reaches ``d_m`` (bisection)."""
        h = self.t1 - self.t0
        if h <= 0 or d_m <= self.d0:
            return self.t0 if h > 0 else self.t1
        lo, hi = self.t0, self.t1
        # a coarse scan first: the cubic may overshoot, we want the first crossing
        for k in range(1, 9):
            t = self.t0 + h * k / 8
            if self.distance_at(t) >= d_m:
                hi = t
                break
            lo = t
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            if self.distance_at(mid) >= d_m:
                hi = mid
            else:
                lo = mid
        return hi


