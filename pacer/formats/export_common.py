"""Helpers shared by the exporters: the session's time line as numpy arrays.

Exports need UTC for every point. It comes from the record itself when the receiver
gave it, else from the session start plus ``t_s``; a session with neither cannot be
exported to a timestamped format (:class:`~pacer.errors.SessionError`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from pacer.errors import SessionError
from pacer.models import Estimate, Fix
from pacer.review.summary import session_start_utc
from pacer.session.reader import SessionData


def utc_at(data: SessionData, t_s: float, own: dt.datetime | None = None) -> dt.datetime | None:
    """UTC of session time ``t_s``: the record's own UTC, else start + t_s."""
    if own is not None:
        return own
    start = session_start_utc(data)
    return None if start is None else start + dt.timedelta(seconds=t_s)


def require_start_utc(data: SessionData, fmt: str) -> dt.datetime:
    start = session_start_utc(data)
    if start is None:
        raise SessionError(
            f"{data.directory}: the session has no UTC time (no GPS time, no start_utc); "
            f"{fmt} needs one"
        )
    return start


def position_fixes(data: SessionData) -> list[Fix]:
    """Fixes with a position, in time order."""
    return [f for f in data.fixes if f.has_position]


class EstimateLookup:
    """Nearest-in-time estimate (within ``max_gap_s``) for a sequence of times."""

    def __init__(self, estimates: tuple[Estimate, ...], max_gap_s: float = 1.5):
        self._estimates = estimates
        self._t = np.array([e.t_s for e in estimates], dtype=float)
        self._max_gap_s = max_gap_s

    def nearest(self, t_s: np.ndarray) -> list[Estimate | None]:
        if self._t.size == 0:
            return [None] * len(t_s)
        t_s = np.asarray(t_s, dtype=float)
        right = (
            np.clip(np.searchsorted(self._t, t_s), 1, self._t.size - 1)
            if self._t.size > 1
            else np.zeros(t_s.shape, dtype=int)
        )
        left = np.maximum(right - 1, 0)
        pick = np.where(np.abs(self._t[left] - t_s) <= np.abs(self._t[right] - t_s), left, right)
        ok = np.abs(self._t[pick] - t_s) <= self._max_gap_s
        return [self._estimates[i] if good else None for i, good in zip(pick, ok, strict=True)]


def rep_index_at(data: SessionData, t_s: np.ndarray) -> np.ndarray:
    """Index of the rep covering each time (``-1`` where none does)."""
    out = np.full(np.shape(t_s), -1, dtype=int)
    t_s = np.asarray(t_s, dtype=float)
    for rep in data.reps:
        inside = (t_s >= rep.start_s) & (t_s < rep.start_s + rep.duration_s)
        out[inside] = rep.index
    return out
