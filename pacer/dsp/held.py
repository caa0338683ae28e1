"""Readings another device measured, held until they go stale. Pure.

A heart-rate strap notifies about once a second, a footpod or a recorded file's cadence
once per point; the estimate at ``t_s`` shows the last reading taken at or before
``t_s`` while it is at most ``fresh_s`` old, else None (a lost strap, a file's gap),
never a made-up number.
"""

from __future__ import annotations

import math

#: a heart rate older than this (s) is not shown: straps notify at ~1 Hz, and one or
#: two lost notifications are normal on Bluetooth LE
HEART_RATE_FRESH_S = 5.0
#: a device's cadence older than this (s) is not shown
DEVICE_CADENCE_FRESH_S = 3.0


class HeldReading:
    """The last value pushed, and when; :meth:`at` gives it while fresh.

    Parameters
    ----------
    fresh_s
        How long a reading stands, s.
    """

    def __init__(self, fresh_s: float) -> None:
        self.fresh_s = fresh_s
        self._t_s = -math.inf
        self._value: float | None = None

    def push(self, t_s: float, value: float | None) -> None:
        """A reading at ``t_s``; None (an unusable reading) clears the held value."""
        if not math.isfinite(t_s) or t_s < self._t_s:
            return
        self._t_s = t_s
        self._value = value if value is not None and math.isfinite(value) else None

    def at(self, t_s: float) -> float | None:
        """The reading shown at ``t_s`` (None when none or stale)."""
        if self._value is None or t_s - self._t_s > self.fresh_s:
            return None
        return self._value
