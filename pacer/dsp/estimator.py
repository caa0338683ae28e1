"""The live estimator the runtime calls: fixes, accelerometer blocks and device events in,
one :class:`~pacer.models.Estimate` out whenever asked.

Pure: no clock reads; time comes from ``Fix.t_s``, ``AccelBlock.t0_s`` and the ``t_s``
passed to :meth:`LiveEstimator.estimate`.

Notes
-----
Composition:

* speed -- :class:`pacer.dsp.speed.SpeedFilter` on the receiver's Doppler speed;
* cadence and footfalls -- :class:`pacer.dsp.cadence.CadenceTracker`, told each accepted
  GPS speed (:meth:`~pacer.dsp.cadence.CadenceTracker.note_speed`) so that the implied
  step length can settle a step/stride ambiguity;
* stride -- :class:`pacer.dsp.stride.StrideModel`, learned from (filtered GPS speed,
  cadence) whenever both are confident, so that a GPS gap can be bridged;
* track -- :class:`pacer.dsp.track.TrackMode` (optional).
* heart rate, and another device's cadence -- the last reading while fresh
  (:class:`pacer.dsp.held.HeldReading`: 5 s for heart rate, 3 s for cadence, which
  stands in only when the accelerometer gives none).

Distance, in order of preference at each step:

1. **track** -- on the track with GPS: distance pulled onto ``base + progress`` along the
   lane (:class:`~pacer.dsp.track_distance.TrackDistance`, whose Notes say how). After
   a hole longer than 10 s with no speed at all (dropout, auto-pause) distance jumps
   forward to the track's answer instead of being bridged at a speed.
2. **positions** -- in a sparse recording (median interval >= 2 s) or a device's
   stored track (no receiver quality fields) at 1 Hz or slower: the path along the
   positions (:class:`~pacer.dsp.distance.PositionPath`: chords plus the arc they cut),
   counted while moving; such a file's speed may be smoothed and lag its positions.
3. **gps** -- the integral of the accepted Doppler measurements, committed at each
   accepted fix (lag-free: the filter's lag at a rep start would cost metres, while
   the measurement's white noise averages out in an integral), with a standstill
   deadband decided on the filtered speed
   (:class:`~pacer.dsp.distance.DistanceIntegrator`); the cadence tracker's "still"
   mode forces a stop. Between fixes :meth:`LiveEstimator.estimate` extrapolates at the
   filtered speed without committing; the distance it reports never decreases.
4. **stride** -- no usable GPS speed: cadence x the learned step length. When GPS comes
   back, the speed used blends linearly from the stride speed to the GPS speed over
   ``handback_s`` so that neither the speed nor the distance rate jumps.
"""

from __future__ import annotations

import datetime as _dt
import math

from pacer.dsp.cadence import CadenceEstimate, CadenceTracker
from pacer.dsp.distance import DistanceIntegrator, PositionPath
from pacer.dsp.held import DEVICE_CADENCE_FRESH_S, HEART_RATE_FRESH_S, HeldReading
from pacer.dsp.speed import SpeedFilter, SpeedHandback
from pacer.dsp.stride import StrideModel
from pacer.dsp.track import TrackMode, TrackState
from pacer.dsp.track_distance import TrackDistance
from pacer.models import (
    AccelBlock,
    CadenceSample,
    DeviceEvent,
    DeviceState,
    DistanceSource,
    Estimate,
    Fix,
    Footfall,
    HeartRateSample,
)

__all__ = ["LiveEstimator"]

CADENCE_FRESH_S = 2.5  # a cadence estimate older than this is not "now"


class LiveEstimator:
    """Speed, distance, cadence and track state from the raw records.

    Parameters
    ----------
    lane
        Lane whose measure line track distance is measured on.
    track_mode
        Detect a 400 m track and take distance from progress along it.
    handback_s
        Blend time from stride speed back to GPS speed after a gap.
    track_tau_s
        Time constant with which on-track distance is pulled onto track progress.
    speed_filter, cadence, stride
        Components (defaults built here); injectable for tests and tuning.
    """

    def __init__(
        self,
        *,
        lane: int = 1,
        track_mode: bool = True,
        handback_s: float = 3.0,
        track_tau_s: float = 60.0,
        speed_filter: SpeedFilter | None = None,
        cadence: CadenceTracker | None = None,
        stride: StrideModel | None = None,
    ) -> None:
        self.speed_filter = speed_filter or SpeedFilter()
        self.cadence = cadence or CadenceTracker()
        self.stride = stride or StrideModel()
        self.track = TrackMode(lane=lane) if track_mode else None
        self._handback = SpeedHandback(handback_s)
        self._integrator = DistanceIntegrator()
        self._on_track = TrackDistance(tau_s=track_tau_s)
        self.track_tau_s = track_tau_s
        self._path = PositionPath()
        self._stored_track = False  # the last fix came from a device's stored track
        self._slow = False  # the recording's typical interval is 0.9 s or more
        self._distance_m = 0.0  # committed
        self._reported_m = 0.0  # last distance handed out (>= committed or extrapolated)
        self._t_s: float | None = None  # time distance was last advanced to
        self._integ_prev_m = 0.0
        self._utc: tuple[float, _dt.datetime] | None = None
        self._pos: tuple[float, float, float] | None = None  # t, lat, lon
        self._gps_lost = False
        self._last_gps_s: float | None = None  # last accepted speed
        self._gap_since_s: float | None = None
        self._speed_source: str | None = None  # "doppler" or "position" (last fix)
        self._tracking = False  # the track has taken a fix (its state is meaningful)
        self._track_fix_s: float | None = None
        self._source = DistanceSource.GPS
        self._last_speed: tuple[float | None, float] = (None, 0.0)
        self._footfalls: list[Footfall] = []
        self._learn_t_s: float | None = None
        self._heart_rate = HeldReading(HEART_RATE_FRESH_S)
        self._device_cadence = HeldReading(DEVICE_CADENCE_FRESH_S)

    # ------------------------------------------------------------------ inputs
    def push_fix(self, fix: Fix) -> None:
        """One receiver epoch."""
        t = float(fix.t_s)
        if not math.isfinite(t):
            return
        if fix.utc is not None:
            self._utc = (t, fix.utc)
        # the filter's step leaves the fix's verdict in its attributes (no estimate object
        # per fix); the speed at t is read (and cached) through speed_at
        sf = self.speed_filter
        accepted = sf.step(fix)
        self._speed_source = sf.source
        has_position = fix.valid and fix.lat_deg is not None and fix.lon_deg is not None
        if has_position:
            self._pos = (t, float(fix.lat_deg), float(fix.lon_deg))  # type: ignore[arg-type]
            # positions may lead only at 1 Hz or slower (no work for a 5-10 Hz receiver)
            self._slow = sf.interval_s >= 0.9
            if accepted and self._slow:
                self._path.update(self._pos[1], self._pos[2])
                # a device's stored track (GPX, FIT: no receiver quality fields): its
                # speed may be smoothed and lag its positions
                self._stored_track = fix.hdop is None and fix.sats is None
        cad = self._fresh_cadence(t)  # the cadence tracker does not move during a fix
        if accepted:
            self._gps_lost = False
            if self._gap_since_s is not None:
                # blend only from a speed that bridged the gap (stride), never from nothing
                v_gap = self._last_speed[0]
                if self._source is DistanceSource.STRIDE and v_gap is not None:
                    self._handback.start = (t, v_gap)
                self._gap_since_s = None
            self._last_gps_s = t
            # the speed tells a runner's stride from a walker's step (step length)
            self.cadence.note_speed(t, sf.measured_mps)
            if sf.source == "doppler":
                self._learn_stride(t, cad)
        if self.track is not None and has_position and not self._gps_lost:
            self.track.advance(fix)  # its TrackState is built only when estimate() asks
            self._tracking = True
            self._track_fix_s = t
        if accepted:
            self._advance(t, sf.measured_mps, cad)
        elif not self._gps_ok(t):
            self._advance(t, None, cad)

    def push_accel(self, block: AccelBlock) -> None:
        """One accelerometer block (cadence and footfalls)."""
        self.cadence.push(block)
        self._footfalls.extend(self.cadence.footfalls())

    def push_heart_rate(self, sample: HeartRateSample) -> None:
        """A heart-rate reading (shown while fresh; one without contact clears it)."""
        self._heart_rate.push(sample.t_s, sample.heart_rate_bpm if sample.usable else None)

    def push_cadence(self, sample: CadenceSample) -> None:
        """Another device's cadence: shown when the accelerometer has none (0, a device
        standing still, is no rhythm: it clears the held value)."""
        spm = sample.cadence_spm
        self._device_cadence.push(sample.t_s, spm if spm > 0 else None)

    def push_device(self, ev: DeviceEvent) -> None:
        """A device came, went or failed; a lost GPS ends GPS speed at once."""
        if ev.device == "gps" and ev.state in (DeviceState.LOST, DeviceState.ERROR):
            self._gps_lost = True
            self.speed_filter.reset()

    def footfalls(self) -> list[Footfall]:
        """Footfalls detected since the last call (oldest first)."""
        out, self._footfalls = self._footfalls, []
        return out

    # ------------------------------------------------------------------ output
    def estimate(self, t_s: float) -> Estimate:
        """The state at ``t_s`` (distance advanced to ``t_s``)."""
        t = float(t_s)
        distance_m = self._distance_m
        cad = self._fresh_cadence(t)
        gps_ok = self._gps_ok(t)  # (neither changes below)
        if gps_ok:  # between fixes: extrapolate at the filtered speed, commit nothing
            v, speed_conf, _ = self._current_speed(t, cad)
            speed_mps = None if v is None else (v if self._integrator.moving else 0.0)
            if speed_mps is not None and self._t_s is not None:
                ahead_s = max(0.0, t - self._t_s)
                if self._stored_track:  # a longer hole than usual is an auto-pause
                    ahead_s = min(ahead_s, self.speed_filter.interval_max_s)
                distance_m += speed_mps * ahead_s
        else:
            self._advance(t, None, cad)
            distance_m = self._distance_m
            speed_mps, speed_conf = self._last_speed
        distance_m = max(distance_m, self._reported_m)  # never runs backwards
        self._reported_m = distance_m
        ts = self._track_state()
        on_track = bool(ts is not None and ts.on_track and gps_ok)
        utc = None
        if self._utc is not None:
            utc = self._utc[1] + _dt.timedelta(seconds=t - self._utc[0])
        lat = lon = None
        if self._pos is not None and gps_ok and t - self._pos[0] <= 3.0:
            lat, lon = self._pos[1], self._pos[2]
        cadence_spm, cadence_conf = (None, 0.0) if cad is None else (cad.cadence_spm,
                                                                     cad.confidence)
        if cadence_spm is None and (device_spm := self._device_cadence.at(t)) is not None:
            cadence_spm, cadence_conf = device_spm, 1.0  # the device measured it
        return Estimate(
            t_s=t,
            utc=utc,
            distance_m=distance_m,
            speed_mps=speed_mps,
            speed_confidence=speed_conf,
            cadence_spm=cadence_spm,
            cadence_confidence=cadence_conf,
            distance_source=self._source,
            gps_ok=gps_ok,
            lat_deg=lat,
            lon_deg=lon,
            on_track=on_track,
            track_lap=ts.laps if on_track and ts is not None else None,
            track_position_m=ts.position_m if on_track and ts is not None else None,
            heart_rate_bpm=self._heart_rate.at(t),
        )

    # ------------------------------------------------------------------ internals
    def _track_state(self) -> TrackState | None:
        """The track's state after the last fix it took (None before the first)."""
        return self.track.state if self._tracking and self.track is not None else None

    def _gps_ok(self, t: float) -> bool:
        return (not self._gps_lost and self._last_gps_s is not None
                and t - self._last_gps_s <= self.speed_filter.hold_s)

    def _fresh_cadence(self, t: float) -> CadenceEstimate | None:
        cad = self.cadence.latest
        if cad is None or abs(t - cad.t_s) > CADENCE_FRESH_S:
            return None
        return cad

    def _learn_stride(self, t: float, cad: CadenceEstimate | None) -> None:
        """Fold (filtered Doppler speed at ``t``, fresh cadence) into the stride model."""
        if cad is None or cad.cadence_spm is None or cad.mode not in ("run", "walk"):
            return
        v, conf = self.speed_filter.speed_at(t)
        if v is None:
            return
        quality = conf * cad.confidence
        # weight per second of running, not per fix, so a 10 Hz receiver does not make
        # the model forget ten times faster than a 1 Hz one
        dt = 1.0 if self._learn_t_s is None else min(max(t - self._learn_t_s, 0.0), 1.0)
        self._learn_t_s = t
        if quality >= 0.3 and dt > 0:
            self.stride.learn(v, cad.cadence_spm, quality * dt)

    def _current_speed(self, t: float, cad: CadenceEstimate | None
                       ) -> tuple[float | None, float, DistanceSource]:
        """Speed to show now, its confidence and where it comes from (``cad``: the fresh
        cadence at ``t``)."""
        if self._gps_ok(t):
            v_gps, conf_gps = self.speed_filter.speed_at(t)
            if v_gps is not None:
                if self._handback.start is not None:
                    v_gps = self._handback.blend(t, v_gps)
                return v_gps, conf_gps, DistanceSource.GPS
        if self._gap_since_s is None:
            self._gap_since_s = t
        if cad is not None and cad.cadence_spm is not None:
            v_cad, conf = self.stride.speed_from_cadence(cad.cadence_spm)
            if v_cad is not None:
                return v_cad, conf * cad.confidence, DistanceSource.STRIDE
        if cad is not None and cad.mode == "still":
            return 0.0, cad.confidence, DistanceSource.STRIDE
        return None, 0.0, self._source

    def _advance(self, t: float, measured_mps: float | None,
                 cad: CadenceEstimate | None) -> None:
        """Commit distance up to ``t`` (``cad``: the fresh cadence at ``t``).

        With GPS this runs at accepted fixes and integrates the accepted measurement
        itself (lag-free; its white noise averages out in the integral) while the
        filtered speed decides moving/stopped; without GPS it runs at each estimate.
        """
        if self._t_s is not None and t <= self._t_s:
            return
        v, conf, source = self._advance_speed(t, measured_mps, cad)
        # the track's on_track / entry_t_s / progress_m are its state's after the last fix
        # it took (read directly: the TrackState itself is built only for estimate())
        ts = self.track if self._tracking else None
        if v is None:
            self._leave_hole(t, source, ts)
            return
        v_int = v
        if source is DistanceSource.GPS and measured_mps is not None:
            v_int = (measured_mps if self._handback.start is None
                     else self._handback.blend(t, measured_mps))
        # "still" from the accelerometer stops distance, unless GPS clearly says running
        still = cad is not None and cad.mode == "still" and (v is None or v < 1.5)
        integ_m = self._integrator.update(t, v_int, still=still, gate_speed_mps=v)
        inc_m = integ_m - self._integ_prev_m
        self._integ_prev_m = integ_m
        if (measured_mps is not None and self._slow and self._pos is not None
                and self._pos[0] == t):
            inc_m = self._sparse_increment(t, inc_m, measured_mps)
        moving = self._integrator.moving
        v_eff = None if v is None else (v if moving else 0.0)
        v_int_eff = None if v_int is None else (v_int if moving else 0.0)
        if (source is DistanceSource.GPS and ts is not None and ts.on_track
                and v_int_eff is not None):
            self._follow_track(t, ts, v_int_eff)
            source = DistanceSource.TRACK
        else:
            self._distance_m += inc_m
            if ts is None or not ts.on_track:
                self._on_track.entry_s = None
        self._source = source
        self._last_speed = (v_eff, conf)
        self._t_s = t
        self._on_track.record(t, self._distance_m)

    def _advance_speed(self, t: float, measured_mps: float | None, cad: CadenceEstimate | None
                       ) -> tuple[float | None, float, DistanceSource]:
        """The speed (m/s) distance advances at to ``t``, its confidence and source: the
        filtered GPS speed at an accepted fix (``measured_mps`` given), else the speed
        to show now."""
        v: float | None = None
        if measured_mps is not None:  # an accepted fix: GPS is good at t (push_fix said so)
            v, conf = self.speed_filter.speed_at(t)
            if v is not None:
                source = DistanceSource.GPS
                if self._handback.start is not None:
                    v = self._handback.blend(t, v)
        if v is None:
            v, conf, source = self._current_speed(t, cad)
        return v, conf, source

    def _leave_hole(self, t: float, source: DistanceSource, ts: TrackMode | None) -> None:
        """No speed at ``t``: take the track's distance when back on it after a long hole,
        else leave the hole open (the next speed bridges it)."""
        t_prev = self._t_s if self._t_s is not None else t
        if (ts is not None and ts.on_track and self._track_fix_s == t
                and ts.entry_t_s == self._on_track.entry_s
                and not self._integrator.bridges(t - t_prev)):
            # back on the track after a long hole: the track says how far the runner got
            self._commit_track(t, max(self._distance_m, self._on_track.base_m + ts.travel_m))
            self._source, self._last_speed = DistanceSource.TRACK, (None, 0.0)
            return
        self._source, self._last_speed = source, (None, 0.0)

    def _follow_track(self, t: float, ts: TrackMode, v_mps: float) -> None:
        """Move distance at ``t`` toward track progress, at ``v_mps`` (0 when stopped)."""
        on = self._on_track
        if ts.entry_t_s != on.entry_s:  # entered (or re-entered) the track
            on.enter(ts, t, self._distance_m)
        t_prev = self._t_s if self._t_s is not None else t
        ahead_s = max(0.0, t - (t if self._track_fix_s is None else self._track_fix_s))
        target = on.base_m + ts.travel_m + v_mps * ahead_s
        if not self._integrator.bridges(t - t_prev):
            # a long hole (dropout, auto-pause): the track says how far the runner got
            t_prev = t
            self._distance_m = max(self._distance_m, target)
        on.follower.reset(t_prev, self._distance_m)
        self._distance_m = on.follower.update(t, v_mps, target, tau_s=self._track_tau())

    def _track_tau(self) -> float:
        """Time constant of the pull onto track progress (s): ``track_tau_s`` behind a
        receiver's Doppler, else 3 s, so the positions lead: a speed from positions is
        no better than the track, and the speed of a stored track or of a sparse
        recording may be smoothed and lag its positions by many seconds."""
        if (self.speed_filter.source == "doppler" and not self._stored_track
                and not self._integrator.sparse):
            return self.track_tau_s
        return 3.0

    def _sparse_increment(self, t: float, inc_m: float, measured_mps: float) -> float:
        """The distance to add at an accepted fix with a position: the position path
        since the last one when positions lead (a sparse recording or a stored track),
        else the speed integral ``inc_m`` (also for an implausible step)."""
        ig = self._integrator
        step_m = self._path.take(
            0.0 if self._t_s is None else t - self._t_s, measured_mps,
            moving=ig.moving or inc_m > 0.0, stop_speed_mps=ig.stop_speed_mps,
            max_speed_mps=self.speed_filter.max_speed_mps)
        if step_m is None or not (ig.sparse or self._stored_track):
            return inc_m
        return step_m

    def _commit_track(self, t: float, distance_m: float) -> None:
        self._distance_m = distance_m
        self._t_s = t
        self._on_track.follower.reset(t, distance_m)
        self._on_track.record(t, distance_m)
