"""The session clocks the IO edges stamp records with (the Pipeline reads none).

:class:`SessionClock` is the live timeline (``pacer run``, ``pacer sim --realtime``);
:class:`ManualClock` is set by a driver that jumps from poll to poll (fast simulation,
tests of the fakes).
"""

from __future__ import annotations

import time


class SessionClock:
    """Seconds since an origin on the host's monotonic clock (the live session timeline)."""

    def __init__(self, origin_s: float | None = None) -> None:
        self.origin_s = time.monotonic() if origin_s is None else origin_s

    def __call__(self) -> float:
        return time.monotonic() - self.origin_s


class ManualClock:
    """A clock that reads what the driver last set (fast simulation)."""

    def __init__(self, t_s: float = 0.0) -> None:
        self.t_s = t_s

    def __call__(self) -> float:
        return self.t_s
