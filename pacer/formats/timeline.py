"""Which points of a recorded track to trust in time: drop single wrong timestamps.

A GPX or FIT file from another device can carry one wrong time -- a flipped bit in a FIT
record dated 2102, a hand-edited GPX point ten years ahead. Replayed as it is, the
runtime would tick through years of "pause" and the session would fill the disk. A
point is kept when its time is consistent with the last kept point: it steps forward
(or repeats it) by at most ``max_step_s``. A point that breaks that is kept only when
the following points confirm the new time base -- ``confirm`` consecutive points
(itself included), each stepping forward by at most ``max_step_s`` -- and the new base
is ahead of the old one (a genuine pause of hours in a long event). Everything else
is dropped as ``"out_of_order"`` (earlier than the last kept point) or ``"time_jump"``.

Pure: times in, one reason (or None = keep) per point out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: a step forward longer than this needs confirmation by the following points
MAX_STEP_S = 3600.0
#: how many consecutive consistent points (the first included) confirm a new time base
CONFIRM_POINTS = 3

TIME_JUMP = "time_jump"
OUT_OF_ORDER = "out_of_order"


def time_outliers(
    t_s: Sequence[float] | np.ndarray,
    *,
    max_step_s: float = MAX_STEP_S,
    confirm: int = CONFIRM_POINTS,
) -> list[str | None]:
    """Per point: None to keep it, else why it is dropped (``"time_jump"``/``"out_of_order"``).

    Parameters
    ----------
    t_s
        The points' times in file order (any common base, e.g. Unix seconds).
    max_step_s
        Longest step forward taken without confirmation.
    confirm
        Points (the first included) that must step forward consistently to accept a
        jump, or to accept the file's first point as the time base.

    Notes
    -----
    Greedy in file order: the last kept time is the base. A clean file (every step in
    ``[0, max_step_s]``) is recognised with one vectorised test. At the start of the
    file there is no base yet, so the first point must itself be confirmed (a first
    point dated 2102 followed by points in 2021 is dropped, not the rest of the file);
    a file shorter than ``confirm`` points is taken when all its steps are consistent.
    A confirmed run that goes *backwards* is still dropped: the fixes already passed on
    cannot be taken back, and times must not decrease.
    """
    t = np.asarray(t_s, dtype=float)
    n = t.size
    steps_ok = (np.diff(t) >= 0.0) & (np.diff(t) <= max_step_s)
    if bool(steps_ok.all()):
        return [None] * n
    reasons: list[str | None] = [None] * n
    last: float | None = None
    for i in range(n):
        if last is not None and 0.0 <= t[i] - last <= max_step_s:
            last = float(t[i])
            continue
        end = min(n, i + confirm)
        chain = bool(steps_ok[i : end - 1].all())
        confirmed = chain and (end - i == confirm or (last is None and end == n))
        if confirmed and (last is None or t[i] > last):
            last = float(t[i])
            continue
        reasons[i] = OUT_OF_ORDER if last is not None and t[i] < last else TIME_JUMP
    return reasons


def dropped_runs(reasons: Sequence[str | None]) -> list[tuple[int, int, str]]:
    """Consecutive dropped points with the same reason as ``(first, last, reason)`` indices."""
    runs: list[tuple[int, int, str]] = []
    for i, why in enumerate(reasons):
        if why is None:
            continue
        if runs and runs[-1][1] == i - 1 and runs[-1][2] == why:
            runs[-1] = (runs[-1][0], i, why)
        else:
            runs.append((i, i, why))
    return runs
