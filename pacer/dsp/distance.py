"""Distance from filtered speed, and a follower that pins it to track progress.

Pure: time arrives with every call.

Notes
-----
:class:`DistanceIntegrator` integrates speed with the trapezoid rule between
consecutive known speeds; a hole with no speed at all (a GPS dropout with no stride
estimate) shorter than ``max_step_s`` is bridged by the trapezoid between the speeds on
either side (the runner did not stop because the receiver did), longer holes add
nothing rather than a guess. "Longer" depends on the recording: a live receiver
(1-10 Hz) or a 1 Hz file (whose auto-pause gaps are standing, not running) has
``max_step_s``; a watch's "smart recording" (FIT files: a point only when the motion
changes, 1-8 s apart while running, 10-20 s on a steady stretch or standing) has
``sparse_max_step_s``, as its 12 s interval is data, not a dropout. A recording is sparse
when the median of its last ``intervals_kept`` sample intervals is
``sparse_median_s`` or more (no receiver streams that slowly).

Standing adds nothing: a hysteresis deadband declares the runner
stopped below ``stop_speed_mps`` and moving again above ``resume_speed_mps`` (Doppler
speed of a receiver at rest wanders 0.05-0.3 m/s; a walking recovery is >= 1 m/s), and
the caller may force "still" (the cadence tracker saw no steps). The gate is the
filtered speed (``gate_speed_mps``), which reacts to a change from the sample after it:
a lag of one sample interval. When the previous sample is more than ``lag_interval_s``
old that lag is seconds of running, so the measurement itself may end a stop.

:class:`ProgressFollower` is a complementary filter for track mode: distance advances
at the measured speed (smooth, no lag, precise over seconds) times a learned scale, and
is pulled toward the target given by progress along the fitted track (right over
minutes, free of the lane-offset bias of the speed integral and of the bend cutting of
summed positions, but carrying the ~2 m wandering error of single positions). A
proportional-integral loop: ``tau_s`` for the pull, ``scale_tau_s`` for the scale.
Increments are never negative, so cumulative distance never runs backwards.

:class:`PositionPath` is the distance along positions for sparse recordings (points 2 s
or more apart, where the speed a watch stores is smoothed and lags while the positions
are the watch's own track): each chord between consecutive points, plus the arc the
chord cuts where the path curves. Three points fix a circle; the chord ``c`` between two
of them subtends the inscribed angle ``a`` at the third, and the arc over that chord is
``c a / sin a`` (exact on a circle). A bend is sustained curvature, a street corner is a
single vertex: the correction of a chord is taken from the circles through the point
before it and through the point after it, only when both turn the same way (an S-bend,
a turnaround or position noise on a straight adds nothing), as the mean of their two
angles, capped at ``max_angle_rad``. So the correction of a chord is known one point
later. On a 400 m track recorded every 3-4 s (chords of 12-20 m on a 36.8 m bend) the
chords alone are 0.4-0.8 % short per lap; the correction brings back all but the
bend's first and last chord.
"""

from __future__ import annotations

import math
from collections import deque

__all__ = ["DistanceIntegrator", "PositionPath", "ProgressFollower"]

_M_PER_DEG = math.pi / 180.0 * 6_371_008.8  # metres per degree of a great circle


class DistanceIntegrator:
    """Cumulative distance (m) from speed samples, with a standstill deadband."""

    def __init__(
        self,
        *,
        stop_speed_mps: float = 0.5,
        resume_speed_mps: float = 0.8,
        max_step_s: float = 10.0,
        sparse_max_step_s: float = 30.0,
        sparse_median_s: float = 2.0,
        intervals_kept: int = 8,
        lag_interval_s: float = 2.0,
    ) -> None:
        if resume_speed_mps < stop_speed_mps:
            raise ValueError("resume_speed_mps must be >= stop_speed_mps")
        self.stop_speed_mps = stop_speed_mps
        self.resume_speed_mps = resume_speed_mps
        self.max_step_s = max_step_s
        self.sparse_max_step_s = sparse_max_step_s
        self.sparse_median_s = sparse_median_s
        self.lag_interval_s = lag_interval_s
        self.distance_m = 0.0
        self.moving = False
        self._t_s: float | None = None
        self._v_mps: float | None = None
        # the last intervals between samples (s): how sparse the recording is
        self._intervals_s: deque[float] = deque(maxlen=intervals_kept)

    def bridges(self, dt_s: float) -> bool:
        """Whether a hole of ``dt_s`` without speed is bridged (else it adds nothing):
        up to ``max_step_s``, or ``sparse_max_step_s`` in a sparse recording (the median
        interval is looked at only for a hole longer than ``max_step_s``: rare live)."""
        if dt_s <= self.max_step_s:
            return True
        if dt_s > self.sparse_max_step_s or not self._intervals_s:
            return False
        ivs = sorted(self._intervals_s)
        k = len(ivs) // 2
        median_s = ivs[k] if len(ivs) % 2 else 0.5 * (ivs[k - 1] + ivs[k])
        return median_s >= self.sparse_median_s

    @property
    def sparse(self) -> bool:
        """Whether the median of the last intervals between speed samples is
        ``sparse_median_s`` or more (a watch's recording, not a streaming receiver)."""
        if not self._intervals_s:
            return False
        ivs = sorted(self._intervals_s)
        return ivs[len(ivs) // 2] >= self.sparse_median_s

    def effective_speed(self, speed_mps: float | None, still: bool = False) -> float | None:
        """Speed after the deadband (0 when stopped); updates the moving state."""
        if speed_mps is None or not math.isfinite(speed_mps):
            return None
        if still or (self.moving and speed_mps < self.stop_speed_mps):
            self.moving = False
        elif not self.moving and speed_mps >= self.resume_speed_mps:
            self.moving = True
        return max(0.0, speed_mps) if self.moving else 0.0

    def update(self, t_s: float, speed_mps: float | None, *, still: bool = False,
               gate_speed_mps: float | None = None) -> float:
        """Advance to ``t_s`` with the speed there; return cumulative distance (m).

        ``gate_speed_mps`` (e.g. the filtered speed) decides moving/stopped when given;
        ``speed_mps`` (e.g. the raw, lag-free measurement) is what is integrated. After
        more than ``lag_interval_s`` without a sample a measurement above the gate
        speed may end a stop (the gate lags one sample).
        """
        g = speed_mps if gate_speed_mps is None else gate_speed_mps
        if (not self.moving and gate_speed_mps is not None and speed_mps is not None
                and self._t_s is not None and t_s - self._t_s > self.lag_interval_s
                and speed_mps > gate_speed_mps):
            g = speed_mps
        v = None
        if g is not None and math.isfinite(g):
            # effective_speed(g, still), inline (this runs at every fix)
            if still or (self.moving and g < self.stop_speed_mps):
                self.moving = False
            elif not self.moving and g >= self.resume_speed_mps:
                self.moving = True
            if speed_mps is not None:
                v = speed_mps if self.moving and g > 0.0 and speed_mps > 0.0 else 0.0
        if self._t_s is not None and t_s <= self._t_s:
            return self.distance_m
        if v is None:
            return self.distance_m  # keep the last known sample: a short hole is bridged
        if self._t_s is not None and self._v_mps is not None:
            dt = t_s - self._t_s
            if dt <= self.max_step_s or self.bridges(dt):
                self.distance_m += 0.5 * (v + self._v_mps) * dt
            self._intervals_s.append(dt)
        self._t_s = t_s
        self._v_mps = v
        return self.distance_m

    def add(self, distance_m: float) -> None:
        """Add distance measured elsewhere (e.g. by track progress), keeping the time base."""
        self.distance_m += max(0.0, distance_m)


class ProgressFollower:
    """Distance that moves at the measured speed and is locked onto a target distance.

    A second-order (proportional-integral) loop: distance advances at ``scale * speed``
    and is pulled toward the target with time constant ``tau_s``; ``scale`` integrates
    the remaining error with time constant ``scale_tau_s``, so a steady bias of the
    speed integral against the target (the runner running wide of the measure line,
    ~1.3 % per metre outside lane 1) is learned and leaves no lag error. Damping ratio
    ``scale_tau_s / (2 tau_s)`` (0.75 by default).

    Parameters
    ----------
    tau_s
        Time constant of the pull toward the target (s). Shorter follows the target's
        position noise; longer keeps speed errors longer.
    scale_tau_s
        Time constant of the scale integrator (s); ``scale`` stays within +-``max_scale``
        (0.15: a runner in lane 8 covers 13.7 % more than lane 1's 400 m per lap).
    """

    def __init__(self, *, tau_s: float = 60.0, scale_tau_s: float = 90.0,
                 max_scale: float = 0.15) -> None:
        self.tau_s = tau_s
        self.scale_tau_s = scale_tau_s
        self.max_scale = max_scale
        self.scale = 1.0
        self.distance_m: float | None = None
        self._t_s: float | None = None

    def reset(self, t_s: float, distance_m: float) -> None:
        """Continue from ``distance_m`` at ``t_s`` (the learned scale is kept)."""
        self.distance_m = distance_m
        self._t_s = t_s

    def update(self, t_s: float, speed_mps: float, target_m: float,
               tau_s: float | None = None) -> float:
        """Advance to ``t_s`` at ``speed_mps`` and pull toward ``target_m``; return distance.

        ``tau_s`` overrides the pull's time constant for this step.
        """
        if self.distance_m is None or self._t_s is None:
            self.reset(t_s, target_m)
            return target_m
        dt = t_s - self._t_s
        if dt <= 0:
            return self.distance_m
        v = speed_mps if speed_mps > 0.0 else 0.0  # max(0.0, .) without the call
        pred = self.distance_m + self.scale * v * dt
        err = target_m - pred
        k = 1.0 - math.exp(-dt / (self.tau_s if tau_s is None else tau_s))
        pulled = pred + k * err
        if pulled > self.distance_m:  # never backwards
            self.distance_m = pulled
        if v > 1.0:  # learn the scale only while moving
            self.scale += dt * err / (v * self.scale_tau_s**2)
            self.scale = min(max(self.scale, 1.0 - self.max_scale), 1.0 + self.max_scale)
        self._t_s = t_s
        return self.distance_m


class PositionPath:
    """Cumulative distance (m) along positions, with the arc cut by chords on a curve.

    Parameters
    ----------
    max_angle_rad
        Largest inscribed angle a correction uses (0.5 rad: an arc 4.3 % longer than its
        chord; a 20 m chord on a 36.8 m track bend subtends 0.27 rad).
    """

    def __init__(self, *, max_angle_rad: float = 0.5) -> None:
        self.max_angle_rad = max_angle_rad
        self.distance_m = 0.0
        self._pts: list[tuple[float, float]] = []  # the last 4 points, local metres
        self._ref: tuple[float, float] | None = None  # lat, lon of the local origin
        self._cos_lat = 1.0
        self._taken_m = 0.0  # distance_m at the last take()
        self._measured_prev: float | None = None  # the speed given to the last take()

    def reset(self) -> None:
        """Forget the points (a gap: the next chord is not bridged)."""
        self._pts = []

    def update(self, lat_deg: float, lon_deg: float) -> float:
        """Add one position; return the cumulative distance (m)."""
        if self._ref is None or abs(lat_deg - self._ref[0]) + abs(lon_deg - self._ref[1]) > 0.05:
            self._rebase(lat_deg, lon_deg)  # keep the local frame within ~5 km
        assert self._ref is not None
        p = ((lon_deg - self._ref[1]) * _M_PER_DEG * self._cos_lat,
             (lat_deg - self._ref[0]) * _M_PER_DEG)
        pts = self._pts
        if pts:
            self.distance_m += math.hypot(p[0] - pts[-1][0], p[1] - pts[-1][1])
        pts.append(p)
        if len(pts) > 4:
            del pts[0]
        if len(pts) == 4:
            self.distance_m += self._arc_excess_m(*pts)
        return self.distance_m

    def take(self, dt_s: float, measured_mps: float, *, moving: bool, stop_speed_mps: float,
             max_speed_mps: float) -> float | None:
        """The path since the last call (m) as distance run over ``dt_s``.

        It counts while the speed gate says ``moving``, or while the recorded speed at
        either end (``measured_mps`` now, the previous call's) is ``stop_speed_mps`` or
        more: a slow walk the gate's hysteresis holds as stopped, or a restart it sees a
        sample late; else 0.0 (standing: position drift). None for a step faster than
        ``max_speed_mps`` (a position jump) or a first call: use another measurement.
        """
        step_m, self._taken_m = self.distance_m - self._taken_m, self.distance_m
        v_prev, self._measured_prev = self._measured_prev, measured_mps
        if dt_s <= 0.0 or step_m > max_speed_mps * dt_s:
            return None
        if moving or measured_mps >= stop_speed_mps or (
                v_prev is not None and v_prev >= stop_speed_mps):
            return step_m
        return 0.0

    def _rebase(self, lat_deg: float, lon_deg: float) -> None:
        if self._ref is not None and self._pts:
            old_lat, old_lon = self._ref
            de = (old_lon - lon_deg) * _M_PER_DEG * math.cos(math.radians(lat_deg))
            dn = (old_lat - lat_deg) * _M_PER_DEG
            self._pts = [(e + de, n + dn) for e, n in self._pts]
        self._ref = (lat_deg, lon_deg)
        self._cos_lat = math.cos(math.radians(lat_deg))

    def _arc_excess_m(self, p0: tuple[float, float], p1: tuple[float, float],
                      p2: tuple[float, float], p3: tuple[float, float]) -> float:
        """Arc minus chord of the chord p1-p2, from the circles through p0 and p3."""
        a0 = _inscribed(p0, p1, p2)  # at p0, over the chord p1-p2
        a3 = _inscribed(p3, p1, p2)  # at p3, over the same chord
        if a0 * a3 <= 0.0:  # p0 and p3 on opposite sides of the chord: no common bend
            return 0.0
        a = min(0.5 * (abs(a0) + abs(a3)), self.max_angle_rad)
        if a < 1e-6:
            return 0.0
        chord = math.hypot(p2[0] - p1[0], p2[1] - p1[1])
        return chord * (a / math.sin(a) - 1.0)


def _inscribed(q: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    """Signed angle at ``q`` from the direction to ``a`` to the direction to ``b`` (rad)."""
    ax, ay = a[0] - q[0], a[1] - q[1]
    bx, by = b[0] - q[0], b[1] - q[1]
    return math.atan2(ax * by - ay * bx, ax * bx + ay * by)
