"""The runner's lane on a fitted track, the distance run in it, and travel both ways.

Pure: fed by :class:`pacer.dsp.track.TrackMode` with one on-track position at a time.

Notes
-----
**Lane.** Every on-track position has a signed radial offset ``o`` from lane 1's measure
line (0.30 m outside the kerb; + outward): the fitted oval's offset plus the point's
offset from that oval. It is smoothed over path (an exponential average with weight
``|ds| / smooth_m`` per step, so rate independent), and the lane is the band it falls
in: lane ``k`` spans ``[1.22 (k - 1) - 0.30, 1.22 k - 0.30)`` m, i.e. from its inner line
to its outer line (World Athletics: lanes 1.22 m wide). A new lane is taken only when the
smoothed offset lies ``hysteresis_m`` inside it, so a runner on a lane line does not
flicker. Receivers smooth positions and cut the bends (the offset reads ~0.5-1.5 m
inward there), and single positions wander by metres: the lane is an estimate to within
about one lane, good enough to say "lane 3" and to measure the runner's own line.

**Distance in the runner's lane.** Progress is measured on lane 1's measure line (a
rep of 400 m ends on the line after one lap, in any lane). On a bend a runner at offset
``o`` covers ``(R1 + o) / R1`` times that progress (``R1`` = 36.80 m); on a straight the
same. Summed per step, this is the distance actually run, kept for review and export.

**Travel both ways.** Progress is signed (running direction). A runner who turns and
walks back along the track still covers ground: once progress has fallen more than
``reverse_m`` below its running maximum the runner is going backwards, and the leg back
(maximum minus minimum, committed when progress rises ``reverse_m`` above the minimum
again) counts twice in ``travel_m = progress + 2 * legs back``: once to undo the signed
progress it removed, once as ground covered. Position noise smaller than ``reverse_m``
never starts a leg.
"""

from __future__ import annotations

import math

from pacer.dsp.track_geometry import KERB_RADIUS_M, LANE_WIDTH_M, STRAIGHT_M

__all__ = ["LaneTracker", "lane_of_offset"]

R1_M = KERB_RADIUS_M + 0.30  # lane 1's measure line
LANES = 8
_INNER_M = 0.30  # lane 1's inner line lies 0.30 m inside its measure line
_BEND_SHARE = 2.0 * math.pi * R1_M / (2.0 * math.pi * R1_M + 2.0 * STRAIGHT_M)


def lane_of_offset(offset_m: float, lanes: int = LANES) -> int:
    """The lane (1..``lanes``) whose band holds a radial offset from lane 1's line."""
    k = math.floor((offset_m + _INNER_M) / LANE_WIDTH_M) + 1
    return min(max(k, 1), lanes)


class LaneTracker:
    """Lane, distance in the runner's lane and travel along the oval since entry.

    Parameters
    ----------
    smooth_m
        Path over which the radial offset is averaged (m).
    hysteresis_m
        How far inside a new lane's band the smoothed offset must be to take it (m).
    reverse_m
        Fall of progress below its maximum that starts a leg back (m).
    """

    def __init__(self, *, smooth_m: float = 40.0, hysteresis_m: float = 0.25,
                 reverse_m: float = 6.0) -> None:
        self.smooth_m = smooth_m
        self.hysteresis_m = hysteresis_m
        self.reverse_m = reverse_m
        self.lane = 1
        self.offset_m = 0.0  # smoothed radial offset from lane 1's measure line
        self.lane_distance_m = 0.0  # along the runner's own line since entry
        self._progress_m = 0.0
        self._max_m = 0.0
        self._min_m = 0.0
        self._back_m = 0.0  # committed legs back
        self._reversing = False

    @property
    def travel_m(self) -> float:
        """Ground covered along the oval since entry, forward and back (m)."""
        leg = self._max_m - self._min_m if self._reversing else 0.0
        return self._progress_m + 2.0 * (self._back_m + leg)

    def reset(self, progress_m: float, offset_m: float) -> None:
        """Start (again) at ``progress_m`` with the oval's offset as the first estimate;
        the distances count from the progress already made."""
        self.offset_m = offset_m
        self.lane = lane_of_offset(offset_m)
        self._progress_m = self._max_m = self._min_m = progress_m
        # the progress before entry, at the lap's average: its bends are 2 pi R1 of 400 m
        self.lane_distance_m = max(progress_m, 0.0) * (1.0 + _BEND_SHARE * offset_m / R1_M)
        self._back_m = 0.0
        self._reversing = False

    def update(self, progress_m: float, ds_m: float, offset_m: float, on_bend: bool) -> None:
        """One on-track position: progress since entry, its change (running direction),
        the position's radial offset from lane 1's line and whether it is on a bend."""
        w = min(abs(ds_m) / self.smooth_m, 1.0)
        self.offset_m += w * (offset_m - self.offset_m)
        self._take_lane()
        scale = (R1_M + self.offset_m) / R1_M if on_bend else 1.0
        self.lane_distance_m += abs(ds_m) * max(scale, 0.0)
        self._progress_m = progress_m
        if not self._reversing:
            if progress_m > self._max_m:
                self._max_m = progress_m
            elif progress_m < self._max_m - self.reverse_m:
                self._reversing, self._min_m = True, progress_m
        elif progress_m < self._min_m:
            self._min_m = progress_m
        elif progress_m > self._min_m + self.reverse_m:
            self._back_m += self._max_m - self._min_m
            self._reversing, self._max_m = False, progress_m

    def _take_lane(self) -> None:
        k = lane_of_offset(self.offset_m)
        if k == self.lane:
            return
        inner = LANE_WIDTH_M * (k - 1) - _INNER_M
        outer = inner + LANE_WIDTH_M
        h = self.hysteresis_m
        if (k == 1 or self.offset_m >= inner + h) and (k == LANES or self.offset_m < outer - h):
            self.lane = k
