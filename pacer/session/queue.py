"""What a session writer queues between two commits, and the transaction that writes it.

:class:`RowQueue` is the memory side of :class:`pacer.session.store.SessionWriter`: every
``append_*``/``add_*`` call only queues (a few microseconds; an accelerometer block is
one ``tobytes``), and :meth:`RowQueue.write_all` inserts everything queued inside the
caller's transaction. Column order and conversions: :mod:`pacer.session.rows`.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Protocol

import numpy as np

from pacer.models import AccelBlock, Cue, Estimate, Fix, HeartRateSample, Rep
from pacer.session import rows
from pacer.session.rows import JsonDict, Row

#: queued derived rows kept while commits fail (about 10 minutes of a live session)
MAX_PENDING_OPS = 20_000

_json_sorted = json.JSONEncoder(sort_keys=True).encode
_json_meta = json.JSONEncoder(sort_keys=True, default=str).encode
_fix_row = rows.fix_row
_estimate_row = rows.estimate_row
_F4 = np.dtype("<f4")


class CueReport(Protocol):
    """What the audio path reports about a cue (``pacer.audio`` ``CueOutcome``); the other
    fields (``duration_s``, ``dropped``, ``start_s``, ...) are read when present."""

    @property
    def t_s(self) -> float: ...

    @property
    def text(self) -> str: ...


class RowQueue:
    """Rows queued for the next commit: raw data, and the derived records in order."""

    def __init__(self) -> None:
        self._raw_stopped = False  # set for good by the writer when the disk fills
        self._closed = False
        self._raw_bytes = 0  # raw bytes queued since the session began
        self._nmea_rows: list[tuple[float, bytes]] = []
        self._accel_rows: list[tuple[float, float, int, int, bytes]] = []
        # the two append-only tables apart from the other statements: nothing else
        # touches them, so inserting each in one executemany keeps every table's order
        self._fix_rows: list[Row] = []
        self._est_rows: list[Row] = []
        self._ops: list[tuple[str, Row]] = []
        self._n_queued = 0  # derived rows queued (bounded by MAX_PENDING_OPS)
        self._last_counters: dict[str, str] = {}
        self._next_cue_id = 1
        self._cue_ids: dict[tuple[float, str], list[int]] = {}
        self._last_t_s = 0.0
        self.ops_dropped = 0  # queued rows lost because commits kept failing

    def append_nmea(self, t_s: float, data: bytes) -> None:
        """Queue raw receiver bytes read at session time ``t_s`` (any chunking)."""
        if not data or self._raw_stopped or self._closed:
            return
        self._nmea_rows.append((t_s, bytes(data)))
        self._raw_bytes += len(data)
        if t_s > self._last_t_s:
            self._last_t_s = t_s

    def append_accel(self, block: AccelBlock) -> None:
        """Queue one block of samples (m/s^2, stored as float32; the block's t0_s,
        rate_hz and lost_samples with it, so replay gets the very same blocks)."""
        if block.n == 0 or self._raw_stopped or self._closed:
            return
        samples = np.asarray(block.samples_mps2, dtype=_F4).tobytes()
        self._accel_rows.append((block.t0_s, block.rate_hz, block.n, block.lost_samples,
                                 samples))
        self._raw_bytes += len(samples)
        if block.t_end_s > self._last_t_s:
            self._last_t_s = block.t_end_s

    # ------------------------------------------------------------------ derived records

    def add_fix(self, fix: Fix) -> None:
        if self._n_queued < MAX_PENDING_OPS and not self._closed:
            self._n_queued += 1
            self._fix_rows.append(_fix_row(fix))
        elif not self._closed:
            self.ops_dropped += 1

    def add_estimate(self, est: Estimate) -> None:
        if self._n_queued < MAX_PENDING_OPS and not self._closed:
            self._n_queued += 1
            self._est_rows.append(_estimate_row(est))
        elif not self._closed:
            self.ops_dropped += 1
        if est.t_s > self._last_t_s:
            self._last_t_s = est.t_s

    def add_heart_rate(self, sample: HeartRateSample) -> None:
        """Queue one heart-rate reading (kept with the derived rows: review needs it)."""
        self._queue(rows.INSERT_HEART_RATE, rows.heart_rate_row(sample))

    def add_rep(self, rep: Rep) -> None:
        self._queue(rows.INSERT_REP, rows.rep_row(rep))

    def add_cue(self, cue: Cue) -> int:
        """Queue a cue; return its id for :meth:`update_cue`."""
        cue_id = self._next_cue_id
        self._next_cue_id += 1
        self._queue(rows.INSERT_CUE, rows.cue_row(cue_id, cue))
        self._cue_ids.setdefault((round(cue.t_s, 6), cue.text), []).append(cue_id)
        return cue_id

    def update_cue(
        self,
        cue: int | CueReport,
        *,
        duration_s: float | None = None,
        dropped: bool | None = None,
    ) -> None:
        """Record the audio outcome of a cue: spoken duration, dropped, and (from an
        outcome) when it started, latency, engine, truncation and why it was dropped.

        ``cue`` is the id :meth:`add_cue` returned, or an outcome record of the audio path
        (``pacer.audio.output.CueOutcome``: ``t_s``, ``text``, ``duration_s``, ``dropped``,
        optionally ``start_s``, ``latency_s``, ``engine``, ``truncated``, ``reason``), matched
        to the stored cue by time and text. An outcome for an unknown cue is ignored.
        """
        if isinstance(cue, int):
            cue_id = cue
            audio: JsonDict = {}
        else:
            ids = self._cue_ids.get((round(float(cue.t_s), 6), str(cue.text)))
            if not ids:
                return
            cue_id = ids.pop(0)
            duration_s = getattr(cue, "duration_s", None) if duration_s is None else duration_s
            dropped = getattr(cue, "dropped", None) if dropped is None else dropped
            audio = {k: getattr(cue, k) for k in rows.CUE_AUDIO_FIELDS if hasattr(cue, k)}
        if duration_s is not None:
            self._queue("UPDATE cues SET duration_s = ? WHERE id = ?", (duration_s, cue_id))
        if dropped is not None:
            self._queue("UPDATE cues SET dropped = ? WHERE id = ?", (int(dropped), cue_id))
        if audio:
            cols = ", ".join(f"{k} = ?" for k in audio)
            values = tuple(int(v) if isinstance(v, bool) else v for v in audio.values())
            self._queue(f"UPDATE cues SET {cols} WHERE id = ?", (*values, cue_id))

    def add_event(self, t_s: float, kind: str, message: str) -> None:
        """Record something that happened (device lost, disk full, pause...)."""
        self._queue(rows.INSERT_EVENT, (t_s, kind, message))

    def set_counters(self, name: str, counters: JsonDict) -> None:
        """Store (replace) the named tally, e.g. ``"nmea"`` -> SkipCounters.as_dict().

        A tally equal to the one last stored under ``name`` is not written again.
        """
        text = _json_sorted(counters)
        if self._last_counters.get(name) == text:
            return
        self._last_counters[name] = text
        self._queue(rows.UPSERT_COUNTERS, (name, text))

    def set_meta(self, key: str, value: object) -> None:
        """Store (replace) one meta value, e.g. ``start_utc`` once the first fix has UTC."""
        self._queue(rows.UPSERT_META, (key, _json_meta(value)))

    def _queue(self, sql: str, params: Row) -> None:
        if self._closed:
            return
        if self._n_queued >= MAX_PENDING_OPS:
            self.ops_dropped += 1
            return
        self._n_queued += 1
        self._ops.append((sql, params))

    @property
    def queued(self) -> bool:
        """Whether anything waits for the next commit."""
        return bool(self._n_queued or self._nmea_rows or self._accel_rows)

    def drop_raw(self) -> None:
        """Forget the raw rows queued (and queue none from now on)."""
        self._raw_stopped = True
        self._nmea_rows = []
        self._accel_rows = []

    def clear(self) -> None:
        """Forget everything queued (it was committed)."""
        self._nmea_rows = []
        self._accel_rows = []
        self._ops = []
        self._fix_rows = []
        self._est_rows = []
        self._n_queued = 0

    def write_all(self, conn: sqlite3.Connection) -> None:
        """Everything queued, in one transaction (raises sqlite3.Error, not rolled back)."""
        conn.execute("BEGIN")
        if self._nmea_rows:
            conn.executemany(rows.INSERT_NMEA, self._nmea_rows)
        if self._accel_rows:
            conn.executemany(rows.INSERT_ACCEL, self._accel_rows)
        if self._fix_rows:
            conn.executemany(rows.INSERT_FIX, self._fix_rows)
        if self._est_rows:
            conn.executemany(rows.INSERT_EST_V6, self._est_rows)
        i, ops = 0, self._ops
        while i < len(ops):  # consecutive identical statements go in one executemany
            j = i + 1
            while j < len(ops) and ops[j][0] == ops[i][0]:
                j += 1
            conn.executemany(ops[i][0], [p for _, p in ops[i:j]])
            i = j
        conn.execute("COMMIT")
