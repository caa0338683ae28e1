"""Distance on the track: pulled onto progress along the lane since the track was
recognised, from the distance run at that moment (the live estimator's first choice).

Pure: times (s) arrive as data.

Notes
-----
On the track with GPS a :class:`~pacer.dsp.distance.ProgressFollower` advances at the
measured speed times a learned scale and converges (tau 60 s, scale tau 90 s) on
``base + progress``, where ``progress`` is measured along the chosen lane's measure line
since the first point of the fitted window and ``base`` is the distance at that moment
(read from a ring of recent (time, distance) pairs). So the metres run before the track
was recognised are re-measured on the track as well (the follower never steps
backwards; it slows until the target catches up). Its first scale is the fitted line's
lap over the measure line's (a runner wide of the line runs further per lap).
"""

from __future__ import annotations

import math

import numpy as np

from pacer.dsp.distance import ProgressFollower
from pacer.dsp.track import TrackMode

__all__ = ["HISTORY", "TrackDistance"]

HISTORY = 4096  # (t, distance) pairs kept to re-base distance on track entry


class TrackDistance:
    """The follower, the track entry it follows from, and the distance history.

    Parameters
    ----------
    tau_s
        Time constant with which on-track distance is pulled onto track progress (s).
    """

    def __init__(self, tau_s: float) -> None:
        self.follower = ProgressFollower(tau_s=tau_s)
        self.entry_s: float | None = None  # the entry followed from (TrackMode.entry_t_s)
        self.base_m = 0.0  # distance at that entry
        # a ring of (t, distance) as lists: written at every fix, read only on track entry
        self._hist_t = [math.nan] * HISTORY
        self._hist_d = [0.0] * HISTORY
        self._hist_i = 0

    def record(self, t_s: float, distance_m: float) -> None:
        """Keep the distance (m) committed at ``t_s``."""
        i = self._hist_i % HISTORY
        self._hist_t[i], self._hist_d[i] = t_s, distance_m
        self._hist_i += 1

    def distance_at(self, t_s: float, now_m: float) -> float:
        """Distance (m) at an earlier time, from the kept history (``now_m`` if empty)."""
        n = min(self._hist_i, HISTORY)
        if n == 0:
            return now_m
        idx = (np.arange(self._hist_i - n, self._hist_i)) % HISTORY
        return float(np.interp(t_s, np.array(self._hist_t)[idx], np.array(self._hist_d)[idx]))

    def enter(self, track: TrackMode, t_s: float, now_m: float) -> None:
        """The track was entered (or re-entered) as of ``t_s``: re-base on the distance at
        its entry time and, the first time, seed the follower's scale from the fit."""
        self.entry_s = track.entry_t_s
        self.base_m = self.distance_at(t_s if track.entry_t_s is None else track.entry_t_s,
                                       now_m)
        if track.fit is not None and self.follower.scale == 1.0:
            # the first guess of progress per metre run: the fitted line's lap
            lap_m = track.lap_m + 2.0 * math.pi * max(track.fit.offset_m, 0.0)
            self.follower.scale = max(track.lap_m / lap_m, 1.0 - self.follower.max_scale)
