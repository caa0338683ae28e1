"""A simulated runner on a standard 400 m track, following a list of efforts.

The whole session's truth is precomputed at ``rate_hz`` with numpy: speed, distance
(the integral of speed), cadence, footfall instants, progress along the lane and
position (east/north and lat/lon at :mod:`pacer.sim.site`).

Notes
-----
Speed model. Each effort has a target speed (walk 1.4 m/s, jog 3.0 m/s by default, or
``distance / duration`` for a timed rep). Within an effort the speed is::

    v(tau) = v0 (1 - h(tau)) + v_cruise(tau) h(tau),   h(tau) = 1 - (1 + tau/T) exp(-tau/T)

a critically damped second-order transition from the speed at the end of the previous
effort ``v0`` (so acceleration is continuous; with ``T = 1.0 s`` a rep reaches 95 % of
its pace 4.7 s after a standing start, ~3.3 s from a 2.7 m/s jog; decelerations are a
little slower, ``T = 1.2 s``). The cruise speed
fades linearly through the effort (a rep starts ~1-2 % quick and finishes ~1-2 % slow,
the common positive split of interval reps) and carries a small smooth fluctuation
(a sum of six random sinusoids with periods 8-60 s, ~1 % rms running, ~3 % walking).
A rep ended by distance with a target time compensates the start: its mean cruise
speed is ``(D - 2 T v0) / (t_target - 2 T)`` because the transition costs ``2 T (v - v0)``
metres; the runner then misses the target by a small personal pacing error (~1 % rms).
Runners run through the line, so a rep's deceleration happens at the start of the next
effort.

Cadence follows speed (:mod:`pacer.sim.gait_model`) with a personal offset and a small
slow fluctuation; while speeding up it leads (it follows ``v + 0.5 s * dv/dt``), since
runners raise their step rate first and lengthen their stride as speed builds. Footfalls
are the integer crossings of the step phase ``integral(cadence / 60 dt)``, moved by
step-to-step jitter (1.5 % of the step period rms, Hausdorff 2007 "Gait dynamics,
fractals and falls", Hum Mov Sci 26:555) and a left/right timing asymmetry (every second
step shifted by up to 2 % of a period).

Position. ``distance_m`` is along the measure line of the runner's lane (lane 1: 0.30 m
outside the kerb, 400.00 m per lap). ``s_m`` is progress on that lap from the finish
line, ``lap`` the number of finish-line crossings since the start.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from pacer.dsp import track_geometry as tg
from pacer.errors import InputError
from pacer.sim import gait_model as gm
from pacer.sim.effort import Effort
from pacer.sim.site import LUTON, TrackSite

__all__ = ["Effort", "RunnerModel", "RunnerTruth"]

ACCEL_TAU_S = 1.0  # 95 % of a speed increase after 4.7 s (from a standing start)
DECEL_TAU_S = 1.2  # 95 % of a speed decrease after 5.7 s
FLUCT_RMS = {"stand": 0.0, "walk": 0.03, "jog": 0.015, "run": 0.01}
STEP_JITTER_FRAC = 0.015
STANDING_MPS = 0.02  # below this the runner stands: no footfall (the property tests use it)
CADENCE_LEAD_S = 0.5  # cadence follows v + 0.5 s x acceleration while speeding up
MAX_EFFORT_S = 6 * 3600.0


@dataclass(frozen=True, eq=False)
class RunnerTruth:
    """The runner's true state sampled at times ``t_s`` (all arrays of equal length).

    In ``RunnerModel.truth``, ``t_s`` is ``k / rate_hz`` plus, when the session does not
    end on that grid, the exact end time as the last sample.
    """

    t_s: np.ndarray
    speed_mps: np.ndarray
    distance_m: np.ndarray
    cadence_spm: np.ndarray
    s_m: np.ndarray
    lap: np.ndarray
    east_m: np.ndarray
    north_m: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    effort_index: np.ndarray

    def __len__(self) -> int:
        return int(self.t_s.shape[0])

    def slice(self, sel: slice | np.ndarray) -> RunnerTruth:
        return RunnerTruth(**{f.name: getattr(self, f.name)[sel] for f in fields(self)})


@dataclass(frozen=True)
class _Segment:
    """An effort laid on the timeline: start, end and its speed law's parameters."""

    start_s: float
    end_s: float
    v0_mps: float
    cruise_mps: float
    fade_frac: float
    nominal_s: float
    tau_s: float
    fluct_freq_hz: np.ndarray
    fluct_phase: np.ndarray
    fluct_amp: np.ndarray

    def speed(self, tau_s: np.ndarray) -> np.ndarray:
        """Speed (m/s) at ``tau_s`` seconds into the effort."""
        tau = np.maximum(np.asarray(tau_s, dtype=float), 0.0)
        x = tau / self.tau_s
        h = 1.0 - (1.0 + x) * np.exp(-x)
        rel = np.clip(tau / self.nominal_s, 0.0, 1.5)
        fluct = np.sin(2 * np.pi * self.fluct_freq_hz[:, None] * tau[None, :]
                       + self.fluct_phase[:, None])
        fluct = (self.fluct_amp[:, None] * fluct).sum(axis=0)
        cruise = self.cruise_mps * (1.0 + self.fade_frac * (0.5 - rel)) * (1.0 + fluct)
        v = self.v0_mps * (1.0 - h) + cruise * h
        if self.cruise_mps == 0.0:
            v = np.where(v < 0.02, 0.0, v)
        out: np.ndarray = np.maximum(v, 0.0)
        return out


class RunnerModel:
    """A runner on a 400 m track following ``efforts``; truth precomputed at ``rate_hz``.

    Parameters
    ----------
    efforts : sequence of Effort
    lane : int
        Lane the runner keeps to (its measure line sets distance and position).
    start_s_m : float
        Progress from the finish line (m, along the lane) where the runner starts.
    seed : int
        Seeds every random choice (pacing error, fade, fluctuation, jitter, asymmetry).
    rate_hz : float
        Truth sampling rate.
    site : TrackSite
        Where the track is; default the Luton track of the recorded GPX session.

    Attributes
    ----------
    truth : RunnerTruth
    duration_s : float
    step_times_s : np.ndarray
        Footfall instants (s), increasing.
    step_foot : np.ndarray
        0 left, 1 right, per footfall.
    step_gait : np.ndarray
        ``gait_model.GAIT_WALK`` or ``GAIT_RUN`` per footfall.
    effort_start_s, effort_end_s : np.ndarray
        When each effort starts and ends (s).
    """

    def __init__(
        self,
        efforts: list[Effort] | tuple[Effort, ...],
        *,
        lane: int = 1,
        start_s_m: float = 0.0,
        seed: int = 0,
        rate_hz: float = 100.0,
        site: TrackSite = LUTON,
    ) -> None:
        if not efforts:
            raise InputError("a runner needs at least one effort")
        if rate_hz <= 0:
            raise InputError(f"rate_hz must be positive, got {rate_hz}")
        self.efforts = tuple(efforts)
        self.lane = int(lane)
        self.lap_length_m = float(tg.lap_length_m(self.lane))
        self.start_s_m = float(start_s_m) % self.lap_length_m
        self.seed = int(seed)
        self.rate_hz = float(rate_hz)
        self.site = site
        rng = np.random.default_rng([self.seed, 0x5EED])
        self.cadence_offset_spm = float(np.clip(rng.normal(0.0, 3.0), -6.0, 6.0))
        self._segments = self._lay_out(rng)
        self.effort_start_s = np.array([g.start_s for g in self._segments])
        self.effort_end_s = np.array([g.end_s for g in self._segments])
        self.duration_s = float(self.effort_end_s[-1])
        self.truth = self._sample(rng)
        tr = self.truth
        self._accel_mps2 = np.gradient(tr.speed_mps, tr.t_s) if len(tr) > 1 else np.zeros(1)
        self.step_times_s, self.step_foot, self.step_gait = self._steps(rng)

    # ------------------------------------------------------------------ layout

    def _lay_out(self, rng: np.random.Generator) -> list[_Segment]:
        dt = 1.0 / self.rate_hz
        segments: list[_Segment] = []
        t0, v0, s0 = 0.0, 0.0, self.start_s_m
        for i, eff in enumerate(self.efforts):
            target = eff.target_speed_mps
            dist_m = eff.distance_m
            if eff.to_s_m is not None:
                dist_m = (eff.to_s_m - s0) % self.lap_length_m
                if dist_m < 1.0:
                    dist_m += self.lap_length_m
            tau_s = ACCEL_TAU_S if target >= v0 else DECEL_TAU_S
            if dist_m is not None:
                nominal = dist_m / max(target, 0.1)
            else:
                nominal = float(eff.duration_s)  # type: ignore[arg-type]
            cruise = target
            fade = 0.0
            if eff.kind in ("run", "jog"):
                fade = float(rng.uniform(0.01, 0.04)) if eff.kind == "run" else 0.01
            if eff.kind == "run" and eff.distance_m is not None and eff.duration_s is not None:
                d, t = float(eff.distance_m), float(eff.duration_s)
                if t > 4 * tau_s:
                    cruise = (d - 2 * tau_s * v0) / (t - 2 * tau_s)
            pacing = 1.0 + float(np.clip(rng.normal(0.0, 0.01), -0.025, 0.025))
            if eff.kind != "stand":
                cruise *= pacing
            n_f = 6
            freq = rng.uniform(1 / 60, 1 / 8, n_f)
            phase = rng.uniform(0, 2 * np.pi, n_f)
            amp = np.full(n_f, FLUCT_RMS[eff.kind] * np.sqrt(2.0 / n_f))
            seg = _Segment(t0, np.inf, v0, cruise, fade, nominal, tau_s, freq, phase, amp)
            if dist_m is not None:
                t_end = self._time_to_cover(seg, dist_m, dt, i)
                covered = dist_m
            else:
                t_end = t0 + float(eff.duration_s)  # type: ignore[arg-type]
                covered = self._distance_in(seg, t_end - t0, dt)
            seg = _Segment(t0, t_end, v0, cruise, fade, nominal, tau_s, freq, phase, amp)
            segments.append(seg)
            v0 = float(seg.speed(np.array([t_end - t0]))[0])
            t0 = t_end
            s0 = (s0 + covered) % self.lap_length_m
        return segments

    @staticmethod
    def _distance_in(seg: _Segment, duration_s: float, dt: float) -> float:
        tau = np.append(np.arange(0.0, duration_s, dt), duration_s)
        v = seg.speed(tau)
        return float(np.sum(0.5 * (v[1:] + v[:-1]) * np.diff(tau)))

    @staticmethod
    def _time_to_cover(seg: _Segment, distance_m: float, dt: float, index: int) -> float:
        """Time at which the effort has covered ``distance_m`` (trapezoid, interpolated)."""
        horizon = 2.0 * seg.nominal_s + 30.0
        while horizon < MAX_EFFORT_S:
            tau = np.arange(0.0, horizon + dt, dt)
            v = seg.speed(tau)
            d = np.concatenate(([0.0], np.cumsum(0.5 * (v[1:] + v[:-1]) * dt)))
            if d[-1] >= distance_m:
                j = int(np.searchsorted(d, distance_m))
                frac = (distance_m - d[j - 1]) / (d[j] - d[j - 1])
                return float(seg.start_s + tau[j - 1] + frac * dt)
            horizon *= 2.0
        raise InputError(f"effort {index + 1} never covers {distance_m} m (too slow)")

    # ------------------------------------------------------------------ sampling

    def _speed_at(self, t_s: np.ndarray, idx: np.ndarray) -> np.ndarray:
        v = np.zeros_like(t_s)
        for i, seg in enumerate(self._segments):
            sel = idx == i
            if np.any(sel):
                v[sel] = seg.speed(t_s[sel] - seg.start_s)
        return v

    def _effort_index(self, t_s: np.ndarray) -> np.ndarray:
        idx = np.searchsorted(self.effort_end_s, t_s, side="right")
        return np.clip(idx, 0, len(self._segments) - 1)

    def _sample(self, rng: np.random.Generator) -> RunnerTruth:
        n = int(np.floor(self.duration_s * self.rate_hz)) + 1
        t = np.arange(n) / self.rate_hz
        if self.duration_s - t[-1] > 1e-6:  # end exactly at the end of the last effort
            t = np.append(t, self.duration_s)
        idx = self._effort_index(t)
        v = self._speed_at(t, idx)
        dist = np.concatenate(([0.0], np.cumsum(0.5 * (v[1:] + v[:-1]) * np.diff(t))))
        # slow cadence wander (+-1 spm, periods 20-90 s) on top of the speed law
        freq = rng.uniform(1 / 90, 1 / 20, 4)
        phase = rng.uniform(0, 2 * np.pi, 4)
        wander = 0.7 * np.sin(2 * np.pi * freq[:, None] * t[None, :] + phase[:, None]).sum(axis=0)
        # when speeding up, step rate rises first and stride length follows: cadence
        # (and the gait) follow the speed the runner is heading for, CADENCE_LEAD_S ahead
        accel = np.gradient(v, t) if t.size > 1 else np.zeros_like(v)
        self._gait_speed_mps = v + CADENCE_LEAD_S * np.maximum(accel, 0.0)
        cad = gm.cadence_for_speed_spm(self._gait_speed_mps, self.cadence_offset_spm)
        cad = np.where(cad > 0, cad + wander, 0.0)
        return self._position_truth(t, v, dist, cad, idx)

    def _position_truth(self, t: np.ndarray, v: np.ndarray, dist: np.ndarray, cad: np.ndarray,
                        idx: np.ndarray) -> RunnerTruth:
        along = self.start_s_m + dist
        s = np.mod(along, self.lap_length_m)
        lap = np.floor(along / self.lap_length_m).astype(int)
        x, y = tg.track_xy_m(s, tg.measure_radius_m(self.lane))
        east, north = self.site.enu_from_track(x, y)
        lat, lon = self.site.latlon_from_enu(east, north)
        return RunnerTruth(t_s=t, speed_mps=v, distance_m=dist, cadence_spm=cad, s_m=s, lap=lap,
                           east_m=east, north_m=north, lat_deg=lat, lon_deg=lon,
                           effort_index=idx)

    def _steps(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        tr = self.truth
        rate = tr.cadence_spm / 60.0
        phase = np.concatenate(([0.0], np.cumsum(0.5 * (rate[1:] + rate[:-1]) * np.diff(tr.t_s))))
        n_steps = int(np.floor(phase[-1]))
        if n_steps == 0:
            empty = np.zeros(0)
            return empty, empty.astype(int), empty.astype(int)
        k = np.arange(1, n_steps + 1, dtype=float)
        # step k falls where the phase crosses k: in the grid interval with
        # phase[r-1] <= k < phase[r], which is never flat (never a standing stretch)
        r = np.clip(np.searchsorted(phase, k, side="right"), 1, phase.size - 1)
        p0, p1 = phase[r - 1], phase[r]
        frac = (k - p0) / np.where(p1 > p0, p1 - p0, 1.0)  # p1 == p0 only for k == phase[-1]
        t_k = tr.t_s[r - 1] + frac * (tr.t_s[r] - tr.t_s[r - 1])
        period = 60.0 / np.maximum(np.interp(t_k, tr.t_s, tr.cadence_spm), 60.0)
        foot = (np.arange(n_steps) + int(rng.integers(0, 2))) % 2
        asym = float(rng.uniform(-0.02, 0.02))
        jittered = t_k + period * (STEP_JITTER_FRAC * np.clip(rng.standard_normal(n_steps), -3, 3)
                                   + asym * foot)
        # a step jittered past the moment the runner stops (or before it starts) stays at
        # its unjittered time, where the phase advances: no footfall while standing still
        moving = np.interp(jittered, tr.t_s, tr.speed_mps) > STANDING_MPS
        t_k = np.where(moving, jittered, t_k)
        t_k = np.clip(np.sort(t_k), 0.0, self.duration_s)
        speed_k = np.interp(t_k, tr.t_s, self._gait_speed_mps)
        gait = np.where(speed_k >= gm.RUN_FROM_MPS, gm.GAIT_RUN, gm.GAIT_WALK)
        return t_k, foot, gait

    # ------------------------------------------------------------------ queries

    def state_at(self, t_s: np.ndarray | float) -> RunnerTruth:
        """Truth at arbitrary times (clipped to the session), interpolated from the grid."""
        t = np.atleast_1d(np.asarray(t_s, dtype=float))
        tc = np.clip(t, 0.0, self.duration_s)
        tr = self.truth
        idx = self._effort_index(tc)
        v = np.interp(tc, tr.t_s, tr.speed_mps)
        dist = np.interp(tc, tr.t_s, tr.distance_m)
        cad = np.interp(tc, tr.t_s, tr.cadence_spm)
        standing = np.interp(tc, tr.t_s, (tr.cadence_spm == 0).astype(float)) > 0.5
        cad = np.where(standing, 0.0, cad)
        out = self._position_truth(tc, v, dist, cad, idx)
        return RunnerTruth(**{**{f.name: getattr(out, f.name) for f in fields(out)}, "t_s": t})

    def acceleration_mps2(self, t_s: np.ndarray) -> np.ndarray:
        """Along-track acceleration (m/s^2) at ``t_s`` (gradient of the speed truth)."""
        tr = self.truth
        out: np.ndarray = np.interp(np.asarray(t_s, dtype=float), tr.t_s, self._accel_mps2)
        return out

    def heading_rad(self, t_s: np.ndarray) -> np.ndarray:
        """Direction of travel (rad, counter-clockwise from east) at ``t_s``."""
        st = self.state_at(t_s)
        r = tg.measure_radius_m(self.lane)
        x1, y1 = tg.track_xy_m(st.s_m + 0.05, r)
        x0, y0 = tg.track_xy_m(st.s_m - 0.05, r)
        de, dn = self.site.rotate(x1 - x0, y1 - y0)
        out: np.ndarray = np.arctan2(dn, de)
        return out

    def steps_between(self, t0_s: float, t1_s: float) -> int:
        """Number of footfalls in ``[t0_s, t1_s)``."""
        a, b = np.searchsorted(self.step_times_s, [t0_s, t1_s], side="left")
        return int(b - a)
