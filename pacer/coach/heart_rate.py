"""Heart-rate zones, the heart-rate cue policy, recovery-end detection, time in zone. Pure.

Time arrives as data (``t_s``, seconds on the session's clock); nothing here reads a clock,
starts a thread or does IO. The policy is written out in docs/heart-rate.md; the numbers
there are the defaults of :class:`HeartRatePolicy`.

Notes
-----
Zones from the heart-rate reserve follow Karvonen et al. (1957): a zone bound at fraction
``f`` is ``resting + f * (max - resting)``. Zones from %max use ``f * max``. Both default to
the common five zones at 50/60/70/80/90/100 %.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from pacer.errors import ConfigError

DEFAULT_ZONE_FRACTIONS: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


@dataclass(frozen=True)
class HeartRateZones:
    """Zone bounds in bpm: zone ``k`` (1-based) is ``bounds_bpm[k-1] <= hr < bounds_bpm[k]``.

    Below the first bound is zone 0; at or above the last bound counts as the top zone.
    """

    bounds_bpm: tuple[float, ...]

    def __post_init__(self) -> None:
        b = self.bounds_bpm
        if len(b) < 2 or any(not math.isfinite(x) or x <= 0 for x in b):
            raise ConfigError(f"heart-rate zones need at least 2 positive bounds, got {b}")
        if any(hi <= lo for lo, hi in zip(b, b[1:], strict=False)):
            raise ConfigError(f"heart-rate zone bounds must increase, got {b}")

    @property
    def count(self) -> int:
        """Number of zones (zone 0, below the first bound, not counted)."""
        return len(self.bounds_bpm) - 1

    def zone_of(self, heart_rate_bpm: float) -> int:
        """Zone number 0..count for a heart rate (above the top bound: the top zone)."""
        z = int(np.searchsorted(np.asarray(self.bounds_bpm), heart_rate_bpm, side="right"))
        return min(z, self.count)

    def range_bpm(self, zone: int) -> tuple[float, float]:
        """(low, high) bpm of a zone 1..count."""
        if not 1 <= zone <= self.count:
            raise ConfigError(f"zone {zone} does not exist: zones are 1-{self.count}")
        return self.bounds_bpm[zone - 1], self.bounds_bpm[zone]


def zones_from_reserve(max_hr_bpm: float, resting_hr_bpm: float,
                       fractions: tuple[float, ...] = DEFAULT_ZONE_FRACTIONS) -> HeartRateZones:
    """Karvonen zones: bound = resting + fraction * (max - resting)."""
    if not 0 < resting_hr_bpm < max_hr_bpm:
        raise ConfigError(f"need 0 < resting ({resting_hr_bpm}) < max ({max_hr_bpm}) bpm")
    reserve = max_hr_bpm - resting_hr_bpm
    return HeartRateZones(tuple(resting_hr_bpm + f * reserve for f in fractions))


def zones_from_max(max_hr_bpm: float,
                   fractions: tuple[float, ...] = DEFAULT_ZONE_FRACTIONS) -> HeartRateZones:
    """Zones as fractions of maximum heart rate."""
    if not max_hr_bpm > 0:
        raise ConfigError(f"max heart rate must be positive, got {max_hr_bpm}")
    return HeartRateZones(tuple(f * max_hr_bpm for f in fractions))


@dataclass(frozen=True)
class HeartRateTarget:
    """A step's heart-rate target range, bpm (``@hr 150-160`` or ``@z2``)."""

    low_bpm: float
    high_bpm: float
    zone: int | None = None

    @classmethod
    def from_zone(cls, zones: HeartRateZones, zone: int) -> HeartRateTarget:
        lo, hi = zones.range_bpm(zone)
        return cls(lo, hi, zone)


@dataclass(frozen=True)
class StepContext:
    """What the policy needs to know about the current workout step."""

    step_index: int
    step_start_t_s: float
    target: HeartRateTarget | None = None
    paused: bool = False


@dataclass(frozen=True)
class HeartRatePolicy:
    """The cue policy's parameters (docs/heart-rate.md explains each)."""

    grace_s: float = 15.0
    min_spacing_s: float = 10.0
    max_alerts_per_step: int = 3
    repeat_after_s: float = 30.0
    hysteresis_bpm: float = 3.0
    announce_zone_changes: bool = True
    trend_window_s: float = 10.0
    converging_bpm_per_s: float = 0.2

    def __post_init__(self) -> None:
        if self.grace_s < 0 or self.min_spacing_s < 0 or self.max_alerts_per_step < 0:
            raise ConfigError("heart-rate policy: grace, spacing and alert count must be >= 0")
        if self.hysteresis_bpm < 0 or self.repeat_after_s < self.min_spacing_s:
            raise ConfigError("heart-rate policy: hysteresis >= 0, repeat_after_s >= spacing")


@dataclass(frozen=True)
class HeartRateCue:
    """A cue to say. ``kind`` is ``ease_off``, ``pick_up`` or ``zone``."""

    t_s: float
    kind: str
    text: str
    heart_rate_bpm: int
    zone: int | None = None


@dataclass
class _StepState:
    index: int
    alerts: int = 0
    side: int = 0  # -1 below the target, 0 inside, +1 above (with hysteresis)
    excursion_alerted_t_s: float | None = None


@dataclass
class HeartRateCoach:
    """Feed (t_s, heart rate, step) samples in time order; get at most one cue per sample.

    Stateful (it remembers what it said) but pure: the same samples give the same cues.
    """

    policy: HeartRatePolicy = field(default_factory=HeartRatePolicy)
    zones: HeartRateZones | None = None
    _last_cue_t_s: float = -math.inf
    _step: _StepState | None = None
    _zone: int | None = None
    _zone_said: int | None = None
    _zone_pending: bool = False
    _recent: deque[tuple[float, float]] = field(default_factory=deque)

    def update(self, t_s: float, heart_rate_bpm: float, step: StepContext) -> HeartRateCue | None:
        """Advance to ``t_s`` with a new heart rate; return the cue to say, if any.

        Parameters
        ----------
        t_s : float
            Time of the sample, s.
        heart_rate_bpm : float
            Measured heart rate, bpm; NaN or <= 0 (no contact) is ignored.
        step : StepContext
            The current step: its start time, its target (if any) and whether paused.
        """
        if not math.isfinite(heart_rate_bpm) or heart_rate_bpm <= 0:
            return None
        if self._step is None or self._step.index != step.step_index:
            self._step = _StepState(step.step_index)
        self._track_side(heart_rate_bpm, step.target)
        self._track_zone(heart_rate_bpm)
        self._recent.append((t_s, heart_rate_bpm))
        while self._recent and t_s - self._recent[0][0] > self.policy.trend_window_s:
            self._recent.popleft()
        if step.paused or t_s - self._last_cue_t_s < self.policy.min_spacing_s:
            return None
        if t_s - step.step_start_t_s < self.policy.grace_s:
            return None  # heart rate lags effort: the start of a step says nothing
        cue = self._alert(t_s, heart_rate_bpm) or self._zone_cue(t_s, heart_rate_bpm)
        if cue is not None:
            self._last_cue_t_s = t_s
        return cue

    def _track_side(self, bpm: float, target: HeartRateTarget | None) -> None:
        st = self._step
        assert st is not None
        if target is None:
            st.side = 0
            return
        h = self.policy.hysteresis_bpm
        if bpm > target.high_bpm and st.side != 1:
            st.side, st.excursion_alerted_t_s = 1, None
        elif bpm < target.low_bpm and st.side != -1:
            st.side, st.excursion_alerted_t_s = -1, None
        elif (st.side == 1 and bpm <= target.high_bpm - h) or (
                st.side == -1 and bpm >= target.low_bpm + h):
            st.side = 0

    def _alert(self, t_s: float, bpm: float) -> HeartRateCue | None:
        st = self._step
        assert st is not None
        p = self.policy
        if st.side == 0 or st.alerts >= p.max_alerts_per_step:
            return None
        if st.side * self._trend_bpm_per_s() <= -p.converging_bpm_per_s:
            return None  # already heading into the range: the lag, not the runner
        last = st.excursion_alerted_t_s
        if last is not None and t_s - last < p.repeat_after_s:
            return None
        st.alerts += 1
        st.excursion_alerted_t_s = t_s
        rounded = int(round(bpm))
        if st.side > 0:
            return HeartRateCue(t_s, "ease_off", f"heart rate {rounded}, ease off", rounded,
                                self._zone)
        return HeartRateCue(t_s, "pick_up", f"heart rate {rounded}, pick it up", rounded,
                            self._zone)

    def _trend_bpm_per_s(self) -> float:
        """Least-squares slope of the recent samples, bpm/s (0 over less than half a window)."""
        if len(self._recent) < 3:
            return 0.0
        t = np.array([s[0] for s in self._recent])
        if t[-1] - t[0] < self.policy.trend_window_s / 2:
            return 0.0
        hr = np.array([s[1] for s in self._recent])
        dt = t - t.mean()
        return float(np.dot(dt, hr - hr.mean()) / np.dot(dt, dt))

    def _track_zone(self, bpm: float) -> None:
        if self.zones is None:
            return
        if self._zone is None:
            self._zone = self._zone_said = self.zones.zone_of(bpm)  # the first is not news
            return
        z = self.zones.zone_of(bpm)
        if z == self._zone:
            return
        h = self.policy.hysteresis_bpm
        lo = self.zones.bounds_bpm[self._zone - 1] if self._zone >= 1 else -math.inf
        hi = self.zones.bounds_bpm[self._zone] if self._zone < self.zones.count else math.inf
        if lo - h < bpm < hi + h:
            return  # jitter at the bound: still the same zone
        self._zone = z
        self._zone_pending = self.policy.announce_zone_changes and z >= 1 and z != self._zone_said

    def _zone_cue(self, t_s: float, bpm: float) -> HeartRateCue | None:
        if not self._zone_pending or self._zone is None:
            return None
        self._zone_pending = False
        self._zone_said = self._zone
        rounded = int(round(bpm))
        return HeartRateCue(t_s, "zone", f"zone {self._zone}, heart rate {rounded}", rounded,
                            self._zone)


@dataclass
class RecoveryEnd:
    """``until hr < X``: ends once heart rate stays below X for ``dwell_s``.

    A single sample below X never ends it: the first sample below starts the dwell, and a
    later sample still below, at least ``dwell_s`` after it, ends it. A sample at or above X,
    or a gap longer than ``max_gap_s`` (strap drop-out), restarts the dwell.
    """

    threshold_bpm: float
    dwell_s: float = 3.0
    max_gap_s: float = 5.0
    _below_since_t_s: float | None = None
    _last_t_s: float | None = None

    def __post_init__(self) -> None:
        if not self.dwell_s > 0:
            raise ConfigError(f"recovery dwell must be > 0 s, got {self.dwell_s}")

    def update(self, t_s: float, heart_rate_bpm: float) -> bool:
        """Feed one sample; True when the recovery has ended (at this sample)."""
        gap = self._last_t_s is not None and t_s - self._last_t_s > self.max_gap_s
        self._last_t_s = t_s
        if not math.isfinite(heart_rate_bpm) or heart_rate_bpm <= 0:
            self._below_since_t_s = None
            return False
        if heart_rate_bpm >= self.threshold_bpm or gap:
            self._below_since_t_s = None
            if heart_rate_bpm >= self.threshold_bpm:
                return False
        if self._below_since_t_s is None:
            self._below_since_t_s = t_s
            return False
        return t_s - self._below_since_t_s >= self.dwell_s


def recovery_end_t_s(t_s: npt.ArrayLike, heart_rate_bpm: npt.ArrayLike, threshold_bpm: float,
                     dwell_s: float = 3.0, max_gap_s: float = 5.0) -> float | None:
    """Time at which ``until hr < threshold`` ends over recorded samples, or None."""
    detector = RecoveryEnd(threshold_bpm, dwell_s, max_gap_s)
    for t, hr in zip(np.asarray(t_s, float), np.asarray(heart_rate_bpm, float), strict=True):
        if detector.update(float(t), float(hr)):
            return float(t)
    return None


def time_in_zones_s(t_s: npt.ArrayLike, heart_rate_bpm: npt.ArrayLike, zones: HeartRateZones,
                    end_t_s: float | None = None,
                    max_gap_s: float = 5.0) -> npt.NDArray[np.float64]:
    """Seconds spent in each zone (index 0 = below zone 1 ... index ``zones.count``).

    Each sample holds until the next one, but for at most ``max_gap_s`` (a longer gap is a
    drop-out and is not counted). The last sample holds until ``end_t_s`` (the rep's end)
    when given. NaN or non-positive heart rates are not counted.

    Parameters
    ----------
    t_s, heart_rate_bpm : array_like
        Sample times (s, increasing) and heart rates (bpm) of one rep.
    zones : HeartRateZones
    end_t_s : float, optional
        End of the rep, s.
    max_gap_s : float
        Longest a sample may stand for, s.
    """
    t = np.asarray(t_s, dtype=float)
    hr = np.asarray(heart_rate_bpm, dtype=float)
    out = np.zeros(zones.count + 1)
    if t.size == 0:
        return out
    if t.shape != hr.shape:
        raise ValueError(f"t_s and heart_rate_bpm differ in shape: {t.shape} vs {hr.shape}")
    nxt = np.append(t[1:], t[-1] if end_t_s is None else max(end_t_s, t[-1]))
    dt = np.clip(nxt - t, 0.0, None)
    dt[dt > max_gap_s] = 0.0
    ok = np.isfinite(hr) & (hr > 0)
    idx = np.searchsorted(np.asarray(zones.bounds_bpm), hr[ok], side="right")
    np.add.at(out, np.minimum(idx, zones.count), dt[ok])
    return out


def configured_zones(max_bpm: float | None = None, resting_bpm: float | None = None,
                     method: str = "karvonen",
                     zone_bounds_bpm: tuple[float, ...] = ()) -> HeartRateZones | None:
    """The zones a ``[heart_rate]`` configuration gives, or None (no max, no bounds).

    Explicit bounds win; else Karvonen (``method`` "karvonen" with a resting heart rate)
    or %max zones from ``max_bpm``.
    """
    if zone_bounds_bpm:
        return HeartRateZones(tuple(float(b) for b in zone_bounds_bpm))
    if max_bpm is None:
        return None
    if method == "karvonen" and resting_bpm is not None:
        return zones_from_reserve(max_bpm, resting_bpm)
    return zones_from_max(max_bpm)
