"""Track mode: detect a standard 400 m track from fixes alone, measure progress, count laps.

Pure numpy; time comes from ``Fix.t_s``.

Notes
-----
**Detection.** Positions are kept one per ``spacing_m`` of path; every ``refit_every_m``
of path the last ``fit_window_m`` of them are fitted with the standard oval
(:func:`pacer.dsp.oval_fit.fit_oval`, which has the model and the fit) unless
:func:`pacer.dsp.oval_fit.could_be_track` shows from the window's extent that no oval
can fit (a road run: ~20 us instead of a ~2.6 ms search). On the track the
fit is refined from the current oval, every ``refit_every_m`` for the first
``fit_window_m`` of path and every ``refine_every_m`` after that, when the window holds
only on-track points and overlaps the previous one by most of a lap.

**Progress.** The nearest-point projection onto a stadium depends only on the angle on
the bends and ``x`` on the straights, so projecting with the chosen lane's radius gives
the progress along that lane's measure line directly -- positions smoothed inward by
the receiver still map to the right point, which is why this beats summed positions
(2-4 % short per lap). Progress is the unwrapped sum of wrapped changes (noise does not
accumulate); laps are whole lap lengths of progress. Running clockwise is detected and
handled. A track is declared only when two fits ``refit_every_m`` apart agree (the
second with more path). Track mode is left after ``leave_after_m`` of path more than
``leave_m`` from the oval, and re-entered quickly when recent points fit the previous oval again.

**Lane.** :class:`pacer.dsp.track_lane.LaneTracker` follows the runner's lane from the
radial offset of each on-track position, the distance run along the runner's own line,
and travel both ways along the oval (a leg walked back counts), which the live
estimator's distance follows.

References: I. Kasa, "A circle fitting procedure and its error analysis", IEEE Trans.
Instrum. Meas. 25(1), 1976; World Athletics Track and Field Facilities Manual (2008).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pacer.dsp.oval_fit import HALF_M, R1_M, OvalFit, _wrap, could_be_track, fit_oval
from pacer.dsp.track_geometry import (
    EARTH_RADIUS_M,
    STRAIGHT_M,
    enu_to_track,
    lap_length_m,
    latlon_from_enu,
    measure_radius_m,
    project_to_track,
)
from pacer.dsp.track_lane import LaneTracker
from pacer.models import Fix

__all__ = ["OvalFit", "TrackMode", "TrackState", "fit_oval"]

_M_PER_DEG = math.pi / 180.0 * EARTH_RADIUS_M  # metres per degree of a great circle
MIN_WINDOW_POINTS = 24  # a fit needs 20 points; a few more for the inlier test


@dataclass(frozen=True, slots=True)
class TrackState:
    """Track-mode state after a fix. Fields other than ``on_track`` are None off track
    until an oval has been fitted."""

    t_s: float
    on_track: bool
    confidence: float
    lane: int
    lap_length_m: float
    centre_lat_deg: float | None = None
    centre_lon_deg: float | None = None
    heading_deg: float | None = None  # bearing of the straights, 0..180 from north
    scale: float | None = None  # fitted oval perimeter / lane-1 lap (offset as a ratio)
    offset_m: float | None = None
    laps: int = 0  # completed laps of progress since track mode began
    progress_m: float = 0.0  # along the lane's measure line since entry_t_s
    position_m: float | None = None  # 0..lap length, in the running direction
    entry_t_s: float | None = None  # time from which progress_m is measured
    residual_m: float | None = None  # distance of this fix from the oval
    clockwise: bool = False
    lane_run: int | None = None  # the lane the runner is in (radial offset), on track
    lane_offset_m: float | None = None  # smoothed radial offset from lane 1's line
    lane_distance_m: float = 0.0  # run along the runner's own line since entry_t_s
    travel_m: float = 0.0  # ground covered along the oval since entry_t_s, both ways


class TrackMode:
    """Detects a standard track from fixes and follows progress along a lane.

    Parameters
    ----------
    lane
        Lane whose measure line progress is measured on (1 = 400.00 m per lap).
    spacing_m
        Positions are kept one per this much path (rate independent).
    fit_window_m, min_path_m, refit_every_m
        Path used for a fit, path needed before the first attempt, and path between
        attempts (off the track) and refinements (on the track, for the first
        ``fit_window_m`` of path after entering it).
    refine_every_m
        Path between refinements on the track after that (>= ``refit_every_m``): the
        window then holds only on-track points and overlaps the previous one by most of
        a lap, so the oval of a track that does not move changes by centimetres from one
        refinement to the next.
    leave_m, leave_after_m
        Track mode ends after ``leave_after_m`` of path farther than ``leave_m`` from
        the oval.
    max_hdop
        Positions with a larger HDOP, and dead-reckoned ones, are not used.
    """

    def __init__(
        self,
        *,
        lane: int = 1,
        spacing_m: float = 3.0,
        fit_window_m: float = 420.0,
        min_path_m: float = 200.0,
        refit_every_m: float = 30.0,
        refine_every_m: float = 120.0,
        leave_m: float = 12.0,
        leave_after_m: float = 25.0,
        capacity: int = 400,
        max_hdop: float = 5.0,
    ) -> None:
        self.lane = lane
        self.max_hdop = max_hdop
        self.radius_m = measure_radius_m(lane)
        self.lap_m = float(lap_length_m(lane))
        self.spacing_m = spacing_m
        self.fit_window_m = fit_window_m
        self.min_path_m = min_path_m
        self.refit_every_m = refit_every_m
        if refine_every_m < refit_every_m:
            raise ValueError("refine_every_m must be >= refit_every_m")
        self.refine_every_m = refine_every_m
        self.leave_m = leave_m
        self.leave_after_m = leave_after_m
        self._cap = capacity
        self._e = np.empty(capacity)
        self._n = np.empty(capacity)
        self._t = np.empty(capacity)
        self._path = np.empty(capacity)  # cumulative path at each kept point
        self._count = 0  # points ever kept (ring index = count % cap)
        self._last_kept: tuple[float, float] | None = None  # (e, n) of the newest kept point
        self._ref: tuple[float, float] | None = None
        self._east_m_per_deg = 0.0  # at the reference latitude
        self._path_m = 0.0
        self._last_try_path_m = -1e9
        self._entry_path_m = 0.0  # path when track mode was (re-)entered
        self.fit: OvalFit | None = None
        self._candidate: OvalFit | None = None
        self._fit_geo: tuple[OvalFit, float, float, float, float] | None = None
        self._fit_rot: tuple[OvalFit, float, float] | None = None  # fit, cos, sin of heading
        self.on_track = False
        self.clockwise = False
        self.progress_m = 0.0
        self.lanes = LaneTracker()
        self._bend = False  # the last projected point lies on a bend
        self.entry_t_s: float | None = None
        self._s_prev: float | None = None
        self._off_path_m = 0.0
        # the state after the last fix is built when asked (the live estimator asks once
        # per report, not per fix): (t_s, progress on the lane, residual) of that fix
        self._last: tuple[float, float | None, float | None] | None = None
        self._state: TrackState | None = TrackState(0.0, False, 0.0, lane, self.lap_m)

    # ------------------------------------------------------------------ public
    @property
    def state(self) -> TrackState:
        """The track state after the last fix taken."""
        if self._state is None:
            assert self._last is not None
            self._state = self._make_state(*self._last)
        return self._state

    def update(self, fix: Fix) -> TrackState:
        """Take one fix; return the track state after it."""
        self.advance(fix)
        return self.state

    def advance(self, fix: Fix) -> None:
        """Take one fix (:meth:`update` without building the state until asked).

        ``on_track``, ``progress_m``, ``entry_t_s`` and ``clockwise`` are the state's
        values after this fix.
        """
        self._state = None
        hdop = fix.hdop
        if (not fix.has_position or fix.fix_quality == 6
                or (hdop is not None and hdop > self.max_hdop)):
            # dead-reckoned or poor-geometry positions: skip
            self._last = (fix.t_s, None, None)
            return
        lat, lon = float(fix.lat_deg), float(fix.lon_deg)  # type: ignore[arg-type]
        if self._ref is None:
            self._ref = (lat, lon)
            # enu_from_latlon's east scale, once (equirectangular about the first point)
            self._east_m_per_deg = math.cos(math.radians(lat))
        lat0, lon0 = self._ref
        # enu_from_latlon for one point in float arithmetic (same operations, same order)
        e = (lon - lon0) * _M_PER_DEG * self._east_m_per_deg
        n = (lat - lat0) * _M_PER_DEG
        # keep the point if it is spacing_m from the last kept one (_keep, inline: most
        # fixes at 5-10 Hz are not kept); path grows only between kept points, so
        # fix-to-fix jitter does not inflate it
        last = self._last_kept
        step = 0.0 if last is None else math.hypot(e - last[0], n - last[1])
        if last is None or step >= self.spacing_m:
            self._keep(fix.t_s, e, n)
        else:
            step = 0.0
        if self.on_track:
            s, res = self._follow(e, n, step)
        else:
            s, res = self._search(fix.t_s, e, n)
        self._last = (fix.t_s, s, res)

    @property
    def travel_m(self) -> float:
        """Ground covered along the oval since ``entry_t_s``, forward and back (m)."""
        return self.lanes.travel_m

    # ------------------------------------------------------------------ internals
    def _keep(self, t_s: float, e: float, n: float) -> float:
        """Keep the point if it is ``spacing_m`` from the last kept one; path added (m)."""
        step = 0.0
        last = self._last_kept
        if last is not None:
            step = math.hypot(e - last[0], n - last[1])
            if step < self.spacing_m:
                return 0.0
        self._path_m += step
        j = self._count % self._cap
        self._e[j], self._n[j], self._t[j], self._path[j] = e, n, t_s, self._path_m
        self._last_kept = (e, n)
        self._count += 1
        return step

    def _window(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Kept points (oldest first) within the last ``fit_window_m`` of path, and at
        least the last ``MIN_WINDOW_POINTS`` (a recording every 5 s keeps a point per
        ~20 m: 420 m of path would be too few points to fit)."""
        m = min(self._count, self._cap)
        idx = (np.arange(self._count - m, self._count)) % self._cap
        sel = idx[self._path[idx] >= self._path_m - self.fit_window_m]
        if sel.size < MIN_WINDOW_POINTS:
            sel = idx[-MIN_WINDOW_POINTS:]
        return self._e[sel], self._n[sel], self._t[sel]

    def _enu_one(self, lat_deg: float, lon_deg: float) -> tuple[float, float]:
        """:func:`enu_from_latlon` for one point (what :meth:`advance` does inline)."""
        assert self._ref is not None
        lat0, lon0 = self._ref
        return (lon_deg - lon0) * _M_PER_DEG * self._east_m_per_deg, (lat_deg - lat0) * _M_PER_DEG

    def _project_one(self, fit: OvalFit, e: float, n: float) -> tuple[float, float]:
        """(progress on the lane, offset from the fitted line) of one point, scalar math."""
        rot = self._fit_rot
        if rot is None or rot[0] is not fit:
            rot = self._fit_rot = (fit, math.cos(fit.heading_rad), math.sin(fit.heading_rad))
        _, c, sn = rot
        de, dn = e - fit.centre_east_m, n - fit.centre_north_m
        x, y = c * de + sn * dn, -sn * de + c * dn
        r = self.radius_m
        bend = math.pi * r
        self._bend = abs(x) > HALF_M
        if x > HALF_M:
            s = (math.atan2(y, x - HALF_M) + math.pi / 2) * r
            dist = math.hypot(x - HALF_M, y)
        elif x < -HALF_M:
            a = (math.atan2(y, x + HALF_M) - math.pi / 2) % (2 * math.pi)
            s = bend + STRAIGHT_M + a * r
            dist = math.hypot(x + HALF_M, y)
        elif y >= 0:
            s, dist = bend + (HALF_M - x), y
        else:
            s, dist = 2 * bend + STRAIGHT_M + (x + HALF_M), -y
        return s % self.lap_m, dist - (R1_M + fit.offset_m)

    def _project(self, fit: OvalFit, e: np.ndarray | float, n: np.ndarray | float
                 ) -> tuple[np.ndarray, np.ndarray]:
        x, y = enu_to_track(np.asarray(e), np.asarray(n), fit.centre_east_m, fit.centre_north_m,
                            fit.heading_rad)
        s, off = project_to_track(x, y, self.radius_m)
        # offset from the fitted line, not from the lane line
        return s, off + self.radius_m - (R1_M + fit.offset_m)

    def _search(self, t_s: float, e: float, n: float) -> tuple[float | None, float | None]:
        if self._path_m - self._last_try_path_m < self.refit_every_m:
            return None, None
        self._last_try_path_m = self._path_m
        we, wn, wt = self._window()
        # quick re-entry onto the previous oval
        if self.fit is not None and we.size >= 8:
            s, off = self._project(self.fit, we[-8:], wn[-8:])
            along = abs(float(np.sum(_wrap(np.diff(s), self.lap_m))))
            path = float(np.sum(np.hypot(np.diff(we[-8:]), np.diff(wn[-8:]))))
            if np.all(np.abs(off) < 6.0) and path >= 30.0 and along >= 0.8 * path:
                self._enter(self.fit, s, off, wt[-8:])
                return float(s[-1]), float(off[-1])
        if self._path_m < self.min_path_m or we.size < 20:
            return None, None
        if not could_be_track(we, wn):  # no oval can fit: what a failed search does
            self._candidate = None
            return None, None
        fit = fit_oval(we, wn)
        if fit is None or not fit.ok:
            self._candidate = None
            return None, None
        # confirm: the next attempt, with more path, must find the same oval
        cand, self._candidate = self._candidate, fit
        if cand is None or (
            math.hypot(fit.centre_east_m - cand.centre_east_m,
                       fit.centre_north_m - cand.centre_north_m) > 6.0
            or abs(math.remainder(fit.heading_rad - cand.heading_rad, math.pi)) > 0.1
        ):
            return None, None
        self._candidate = None
        s, off = self._project(fit, we, wn)
        self._enter(fit, s, off, wt)
        return float(s[-1]), float(off[-1])

    def _enter(self, fit: OvalFit, s: np.ndarray, off: np.ndarray, t: np.ndarray) -> None:
        """Start following; progress counts from the start of the trailing run of inliers
        (a single outlier, e.g. the first point after an auto-pause, does not end it)."""
        out = np.abs(off) >= 5.0
        pairs = np.flatnonzero(out[1:] & out[:-1])  # two outliers in a row
        first = int(pairs[-1]) + 2 if pairs.size else int(out[0])
        first = min(first, s.size - 1)
        ds = _wrap(np.diff(s[first:]), self.lap_m)
        self.clockwise = bool(np.sum(ds) < 0)
        sign = -1.0 if self.clockwise else 1.0
        self.fit = fit
        self.on_track = True
        self.progress_m = float(sign * np.sum(ds))
        self.entry_t_s = float(t[first])
        self._s_prev = float(s[-1])
        self._off_path_m = 0.0
        self._entry_path_m = self._path_m
        self.lanes.reset(self.progress_m, fit.offset_m)

    def _follow(self, e: float, n: float, step_m: float) -> tuple[float | None, float | None]:
        assert self.fit is not None and self._s_prev is not None
        s, off = self._project_one(self.fit, e, n)
        if abs(off) > self.leave_m:
            self._off_path_m += step_m
            if self._off_path_m >= self.leave_after_m:
                self.on_track = False
                self._last_try_path_m = self._path_m
                return None, off
            return None, off  # hold progress while it may be a glitch
        self._off_path_m = 0.0
        sign = -1.0 if self.clockwise else 1.0
        ds = sign * (s - self._s_prev)
        ds -= self.lap_m * round(ds / self.lap_m)
        self.progress_m += ds
        self._s_prev = s
        self.lanes.update(self.progress_m, ds, off + self.fit.offset_m, self._bend)
        since_m = self._path_m - self._last_try_path_m
        if since_m >= self.refit_every_m and (
                since_m >= self.refine_every_m
                or self._path_m - self._entry_path_m < self.fit_window_m):
            self._last_try_path_m = self._path_m
            we, wn, _ = self._window()
            refined = fit_oval(we, wn, init=self.fit, iterations=4)
            if refined is not None and refined.ok:
                self.fit = refined
                self._s_prev, _ = self._project_one(refined, e, n)  # re-base: keep progress
        return s, off

    def _make_state(self, t_s: float, s: float | None, res: float | None) -> TrackState:
        fit = self.fit
        if fit is None or self._ref is None:
            return TrackState(t_s, False, 0.0, self.lane, self.lap_m)
        if self._fit_geo is None or self._fit_geo[0] is not fit:
            lat_c, lon_c = latlon_from_enu(fit.centre_east_m, fit.centre_north_m, *self._ref)
            perim_m = 2 * STRAIGHT_M + 2 * math.pi * (R1_M + fit.offset_m)
            self._fit_geo = (fit, float(lat_c), float(lon_c),
                             (90.0 - math.degrees(fit.heading_rad)) % 180.0,
                             perim_m / float(lap_length_m(1)))
        _, lat, lon, bearing, scale = self._fit_geo
        conf = 0.0
        if self.on_track:
            conf = fit.inlier_fraction * math.exp(-fit.rms_m / 4.0)
            if res is not None:
                conf *= math.exp(-((res / 6.0) ** 2))
        pos = None
        if s is not None and self.on_track:
            pos = self.lap_m - s if self.clockwise else s
            pos = pos % self.lap_m
        return TrackState(
            t_s, self.on_track, conf, self.lane, self.lap_m, lat, lon, bearing, scale,
            fit.offset_m,
            int(max(self.progress_m, 0.0) // self.lap_m) if self.entry_t_s is not None else 0,
            self.progress_m, pos, self.entry_t_s, res, self.clockwise,
            self.lanes.lane if self.on_track else None,
            self.lanes.offset_m if self.on_track else None,
            self.lanes.lane_distance_m, self.lanes.travel_m,
        )
