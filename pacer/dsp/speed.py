"""Live running speed from the receiver's Doppler speed: an adaptive Kalman filter.

Pure: time comes from ``Fix.t_s``; works at any receiver rate (1-10 Hz) because every
step uses the actual interval between fixes.

Notes
-----
State: the runner's speed ``v`` (m/s), a random walk with process-noise density ``q``
(m^2/s^3). Measurement: the receiver's speed over ground (RMC/VTG, a Doppler
measurement), noise ``r = sigma_mps^2``. One Kalman step per accepted fix::

    P- = P + q dt          K = P- / (P- + r)        v += K (z - v)        P = (1 - K) P-

``q`` adapts to the innovations: an exponential average (time constant ``nis_tau_s``)
of the normalised innovation squared ``NIS = (z - v)^2 / (P- + r)`` is near 1 while the
model holds; when it rises above ``nis_threshold`` (a change of pace, e.g. the start of
a rep) ``q`` is multiplied by ``(NIS_avg / nis_threshold)^2`` (capped at ``boost_max``),
so the gain rises to ~1 within one or two fixes and falls back as soon as the
innovations are consistent again. This is the innovation-based adaptive estimation of
Mehra (1972) / Mohamed & Schwarz (1999) reduced to one state: slow-filter noise at a
steady pace and fast-filter response at a step.

Gating (a rejected fix leaves the state untouched and says why): no fix, dead-reckoned
fix (GGA quality 6), HDOP above ``max_hdop``, fewer than ``min_sats`` satellites,
speed outside ``[0, max_speed_mps]``, time not advancing, and an implausible
acceleration: ``|z - v| > max_accel_mps2 * dt + 4 sqrt(P- + r)``. After
``reinit_after`` consecutive acceleration rejections the filter restarts on the
measurement (so a genuine jump, e.g. after a long gap, cannot lock it out).

When a fix has no speed (GPX replays), the speed is derived from consecutive positions
with a larger noise (``position_sigma_mps`` at 1 s, scaled by 1/dt): GPS position
errors are strongly correlated over one second, so the difference is usable, but
Doppler is preferred whenever present.

References: R. K. Mehra, "Approaches to adaptive filtering", IEEE TAC 17(5), 1972;
A. H. Mohamed, K. P. Schwarz, "Adaptive Kalman filtering for INS/GPS", J. Geodesy 73, 1999.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from pacer.dsp.track_geometry import enu_from_latlon
from pacer.models import Fix

__all__ = ["SpeedEstimate", "SpeedFilter", "SpeedHandback"]


@dataclass(frozen=True, slots=True)
class SpeedEstimate:
    """Filtered speed at ``t_s``.

    ``speed_mps`` is None when there is no estimate (never initialised, or no accepted
    fix for longer than the filter's ``hold_s``). ``accepted`` says whether the fix that produced
    this estimate was used; ``reason`` is ``"ok"``, ``"init"``, ``"reinit"``,
    ``"predict"`` or why the fix was rejected (``"no_fix"``, ``"no_speed"``, ``"hdop"``,
    ``"sats"``, ``"dead_reckoning"``, ``"implausible_speed"``, ``"acceleration"``,
    ``"time"``).
    """

    t_s: float
    speed_mps: float | None
    confidence: float
    accepted: bool
    reason: str
    sigma_mps: float | None = None  # 1-sigma of the estimate
    source: str = "doppler"  # "doppler" or "position" (speed derived from positions)
    measured_mps: float | None = None  # the accepted measurement itself (lag-free, noisy)


class SpeedFilter:
    """Adaptive one-state Kalman filter on GPS speed, with outlier gating.

    Parameters
    ----------
    sigma_mps
        Measurement noise of one Doppler speed, including the runner's within-stride
        speed wobble that the receiver samples (m/s).
    q_mps2_per_s
        Process-noise density at a steady pace (m^2/s^3): how fast the true speed may
        wander when nothing says it changed.
    nis_threshold, nis_tau_s, boost_max
        Innovation adaptation: threshold on the averaged NIS, its time constant (s),
        and the largest multiplier on ``q``.
    max_hdop, min_sats, max_speed_mps, max_accel_mps2
        Gates.
    max_hold_s
        How long an estimate survives without an accepted fix (s), at least: in a
        sparse recording it survives ``hold_intervals`` typical intervals between
        accepted fixes, up to ``sparse_hold_max_s`` (see :attr:`hold_s`).
    position_sigma_mps
        Noise of a position-derived speed over a 1 s interval (m/s).
    reinit_after
        Consecutive acceleration rejections that restart the filter on the measurement.
    """

    def __init__(
        self,
        *,
        sigma_mps: float = 0.2,
        q_mps2_per_s: float = 0.003,
        nis_threshold: float = 3.0,
        nis_tau_s: float = 1.5,
        boost_max: float = 400.0,
        max_hdop: float = 5.0,
        min_sats: int = 4,
        max_speed_mps: float = 12.5,
        max_accel_mps2: float = 6.0,
        max_hold_s: float = 3.0,
        position_sigma_mps: float = 0.45,
        reinit_after: int = 3,
        hold_intervals: float = 1.5,
        sparse_hold_max_s: float = 30.0,
    ) -> None:
        if sigma_mps <= 0 or q_mps2_per_s <= 0:
            raise ValueError("sigma_mps and q_mps2_per_s must be positive")
        self.r_mps2 = sigma_mps**2
        self.q = q_mps2_per_s
        self.nis_threshold = nis_threshold
        self.nis_tau_s = nis_tau_s
        self.boost_max = boost_max
        self.max_hdop = max_hdop
        self.min_sats = min_sats
        self.max_speed_mps = max_speed_mps
        self.max_accel_mps2 = max_accel_mps2
        self.max_hold_s = max_hold_s
        self.position_sigma_mps = position_sigma_mps
        self.reinit_after = reinit_after
        self.hold_intervals = hold_intervals
        self.sparse_hold_max_s = sparse_hold_max_s
        self.interval_s = 1.0  # typical interval between epochs (median of the last 8)
        self.interval_max_s = 1.0  # the longest of the last 8 intervals
        self._intervals_s: deque[float] = deque(maxlen=8)
        self.hold_s = max_hold_s
        self._v: float | None = None
        self._p = 0.0
        self._t_s: float | None = None  # time of the state (last accepted fix)
        self._t_last_fix_s: float | None = None  # last fix seen (any)
        self._nis_avg = 1.0
        self._rejects = 0
        self._prev_pos: tuple[float, float, float] | None = None  # t_s, lat, lon
        # what the last fix gave (the fields of its SpeedEstimate but the held speed):
        # read after step(); update() builds the estimate from them
        self.reason = ""
        self.source = "doppler"
        self.measured_mps: float | None = None
        self._step_t_s = 0.0
        self._accepted = False
        self._last: SpeedEstimate | None = None  # built from the above when asked
        self._at: tuple[float, float | None, float] | None = None  # speed_at cache

    # ------------------------------------------------------------------ public
    @property
    def last(self) -> SpeedEstimate | None:
        """The estimate the last :meth:`update`, :meth:`step` or :meth:`predict` gave."""
        if self._last is None and self.reason:
            self._last = self._out(self._step_t_s, self._accepted, self.reason, self.source,
                                   self.measured_mps)
        return self._last

    def update(self, fix: Fix) -> SpeedEstimate:
        """Gate and filter one fix; return the estimate at ``fix.t_s``."""
        self.step(fix)
        last = self.last
        assert last is not None
        return last

    def step(self, fix: Fix) -> bool:
        """:meth:`update` without building the estimate; True if the fix was accepted.

        Afterwards ``reason``, ``source`` and ``measured_mps`` are the estimate's fields and
        :meth:`speed_at` at ``fix.t_s`` its speed and confidence (the live loop reads
        these at every fix instead of a new frozen estimate).
        """
        t = float(fix.t_s)
        if not math.isfinite(t) or (self._t_last_fix_s is not None and t <= self._t_last_fix_s):
            return self._done(t if math.isfinite(t) else (self._t_s or 0.0), False, "time")
        if self._t_last_fix_s is not None:
            self._note_interval(t - self._t_last_fix_s)
        self._t_last_fix_s = t
        z, r, source, why = self._measurement(fix)
        if why:
            return self._done(t, False, why)
        assert z is not None
        if self._v is None or self._t_s is None or t - self._t_s > self.hold_s * 3:
            return self._init(t, z, r, source, "init")
        dt = t - self._t_s
        boost = min(self.boost_max, max(1.0, self._nis_avg / self.nis_threshold) ** 2)
        p_prior = self._p + self.q * boost * dt
        s = p_prior + r
        innov = z - self._v
        if abs(innov) > self.max_accel_mps2 * dt + 4.0 * math.sqrt(s):
            self._rejects += 1
            if self._rejects >= self.reinit_after:
                return self._init(t, z, r, source, "reinit")
            return self._done(t, False, "acceleration")
        self._rejects = 0
        k = p_prior / s
        self._v += k * innov
        self._p = (1.0 - k) * p_prior
        w = 1.0 - math.exp(-dt / self.nis_tau_s)
        self._nis_avg += w * (innov * innov / s - self._nis_avg)
        self._t_s = t
        self._at = None
        # (_done, inline: this is the path of almost every fix)
        self._step_t_s, self._accepted, self.reason = t, True, "ok"
        self.source, self.measured_mps = source, z
        self._last = None
        return True

    def predict(self, t_s: float) -> SpeedEstimate:
        """The estimate at ``t_s`` without a new fix (the speed is held, its variance grows)."""
        self._last = self._out(float(t_s), False, "predict")
        return self._last

    def speed_at(self, t_s: float) -> tuple[float | None, float]:
        """``(speed_mps, confidence)`` of :meth:`predict` without building an estimate
        (the live loop asks at every fix)."""
        t = float(t_s)
        at = self._at
        if at is not None and at[0] == t:  # asked again at the same time, same state
            return at[1], at[2]
        v, _, conf = self._state_at(t)
        self._at = (t, v, conf)
        return v, conf

    def reset(self) -> None:
        """Forget the state (e.g. when the receiver restarts)."""
        _ = self.last  # the last estimate stays what it was when it was made
        self._at = None
        self._v = None
        self._t_s = None
        self._prev_pos = None
        self._nis_avg = 1.0
        self._rejects = 0

    # ------------------------------------------------------------------ internals
    def _measurement(self, fix: Fix) -> tuple[float | None, float, str, str]:
        """(speed, variance, source, reject reason or "")."""
        pos = None
        if fix.lat_deg is not None and fix.lon_deg is not None and fix.valid:
            pos = (float(fix.t_s), float(fix.lat_deg), float(fix.lon_deg))
        prev, self._prev_pos = self._prev_pos, pos
        if not fix.valid:
            return None, 0.0, "", "no_fix"
        if fix.fix_quality == 6:
            return None, 0.0, "", "dead_reckoning"
        if fix.hdop is not None and fix.hdop > self.max_hdop:
            return None, 0.0, "", "hdop"
        if fix.sats is not None and fix.sats < self.min_sats:
            return None, 0.0, "", "sats"
        if fix.speed_mps is not None:
            z = float(fix.speed_mps)
            if not math.isfinite(z) or z < 0.0 or z > self.max_speed_mps:
                return None, 0.0, "", "implausible_speed"
            return z, self.r_mps2, "doppler", ""
        if pos is None or prev is None:
            return None, 0.0, "", "no_speed"
        dt = pos[0] - prev[0]
        if not 0.0 < dt <= self.hold_s:
            return None, 0.0, "", "no_speed"
        e, n = enu_from_latlon(pos[1], pos[2], prev[1], prev[2])
        z = math.hypot(float(e), float(n)) / dt
        if not math.isfinite(z) or z > self.max_speed_mps:
            return None, 0.0, "", "implausible_speed"
        sigma = self.position_sigma_mps / max(dt, 0.2)
        return z, max(self.r_mps2, sigma * sigma), "position", ""

    def _note_interval(self, dt_s: float) -> None:
        """Keep the typical interval between epochs (the median of the last 8: one
        dropout does not change it) and the hold time it implies."""
        ivs = self._intervals_s
        ivs.append(dt_s)
        srt = sorted(ivs)
        self.interval_s = srt[len(srt) // 2]
        self.interval_max_s = srt[-1]
        self.hold_s = max(self.max_hold_s, min(self.hold_intervals * self.interval_s,
                                               self.sparse_hold_max_s))

    def _init(self, t: float, z: float, r: float, source: str, reason: str) -> bool:
        self._v, self._p, self._t_s = z, r, t
        self._nis_avg = 1.0
        self._rejects = 0
        self._at = None
        return self._done(t, True, reason, source, z)

    def _done(self, t: float, accepted: bool, reason: str, source: str = "doppler",
              measured_mps: float | None = None) -> bool:
        """Remember what this fix gave (the estimate is built only if asked)."""
        self._step_t_s, self._accepted, self.reason = t, accepted, reason
        self.source, self.measured_mps = source, measured_mps
        self._last = None
        return accepted

    def _state_at(self, t: float) -> tuple[float | None, float | None, float]:
        """(speed, sigma, confidence) held to ``t``; (None, None, 0.0) without a state."""
        if self._v is None or self._t_s is None:
            return None, None, 0.0
        age_s = t - self._t_s
        age_s = age_s if age_s > 0.0 else 0.0  # (max(0.0, .) without the call)
        if age_s > self.hold_s:
            return None, None, 0.0
        sigma = math.sqrt(self._p + self.q * age_s)
        # 1 at a perfect estimate, ~0.8 steady at 1 Hz, falls with age and doubt
        conf = math.exp(-sigma / 0.5) * math.exp(-age_s / (2.0 * self.hold_s))
        v = self._v
        return (v if v > 0.0 else 0.0), sigma, conf

    def _out(self, t: float, accepted: bool, reason: str, source: str = "doppler",
             measured_mps: float | None = None) -> SpeedEstimate:
        v, sigma, conf = self._state_at(t)
        return SpeedEstimate(t, v, conf, accepted, reason, sigma, source, measured_mps)


class SpeedHandback:
    """GPS speed blended in from the stride speed that bridged a gap, linearly over
    ``handback_s`` seconds, so that neither the speed nor the distance rate jumps."""

    def __init__(self, handback_s: float) -> None:
        self.handback_s = handback_s
        self.start: tuple[float, float] | None = None  # t (s), stride speed (m/s)

    def blend(self, t: float, v_gps: float) -> float:
        """The speed (m/s) at ``t`` for the GPS speed ``v_gps`` (unchanged when no blend
        is running; the blend ends once ``handback_s`` has passed)."""
        if self.start is None:
            return v_gps
        t0, v_stride = self.start
        w = (t - t0) / self.handback_s
        if w >= 1.0:
            self.start = None
            return v_gps
        w = max(w, 0.0)
        return w * v_gps + (1.0 - w) * v_stride
