"""When the coach says "GPS lost", "GPS back" and "GPS ready".

A fix gone for a moment is not news: "GPS lost" is said once the estimates have shown
no fix for :data:`GPS_LOST_AFTER_S`, or at once when the receiver's reader reports the
device lost; "GPS back" only after a "lost" was said; "GPS ready" at the first fix of a
session that started without one. A device report that the receiver is up is not a
fix: on the live path the reader reports the receiver up before its first fix, and
"GPS ready" still follows that fix. Pure: time arrives as data.
"""

from __future__ import annotations

from pacer.coach.narrator import Narrator
from pacer.models import Cue, CueKind

GPS_LOST_AFTER_S = 10.0  # a fix gone this long is announced (brief dropouts are not)


class GpsWatch:
    """The GPS announcements of one session (mutable state)."""

    def __init__(self, narrator: Narrator) -> None:
        self._narrator = narrator
        self._ever_ok = False  # a fix was seen this session
        self._started_bad = False  # the session started without a fix
        self._bad_since_s: float | None = None
        self._said_lost = False

    def update(self, t_s: float, ok: bool, *, session_started: bool,
               immediate: bool) -> list[Cue]:  # fmt: skip
        """The cues for the GPS state ``ok`` at ``t_s``; ``immediate``: a device report
        (said at once), not an estimate (debounced)."""
        if ok and immediate and not self._said_lost:
            return []  # the receiver is up (or back): its fixes will say the rest
        if ok:
            self._bad_since_s = None
            if self._said_lost:
                self._said_lost = False
                return self._narrator.gps(t_s, lost=False)
            if not self._ever_ok and session_started and self._started_bad:
                self._ever_ok = True
                return [self._narrator.cue(t_s, CueKind.GPS, "GPS ready", 10.0)]
            self._ever_ok = True
            return []
        if not self._ever_ok:
            self._started_bad = True
            return []
        if self._bad_since_s is None:
            self._bad_since_s = t_s
        if not self._said_lost and (immediate or t_s - self._bad_since_s >= GPS_LOST_AFTER_S):
            self._said_lost = True
            return self._narrator.gps(t_s, lost=True)
        return []
