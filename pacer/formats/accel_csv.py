"""Replay reader of accelerometer CSV files (``t_s,ax,ay,az``) -> uniform-rate blocks.

Error policy as in :mod:`pacer.formats.readers` (which re-exports
:func:`read_accel_csv`): a bad row is skipped, counted and reported as ``FILE:LINE:
problem``; a file with nothing usable raises :class:`~pacer.errors.InputError`. The file
must be a regular file of at most ``MAX_CSV_BYTES`` with lines of at most
``MAX_LINE_BYTES`` (:mod:`pacer.formats.safe_read`), and its time stamps may not imply
more than ``MAX_ACCEL_RATE_HZ`` or ``MAX_ACCEL_SAMPLES``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from pacer.errors import InputError
from pacer.formats.safe_read import bounded_lines, check_line_lengths, open_regular
from pacer.models import AccelBlock, SkipCounters
from pacer.units import G_MPS2

STANDARD_GRAVITY_MPS2 = G_MPS2  # g -> m/s^2 for --accel-units g
#: times above this (1973-03-03 in Unix seconds) are taken as epoch seconds
EPOCH_THRESHOLD_S = 1.0e8
#: a time step longer than this many nominal sample periods is a gap (lost samples)
GAP_FACTOR = 2.5
#: input bounds: larger files, longer lines and faster or longer sample clocks are refused
MAX_CSV_BYTES = 256 << 20
MAX_LINE_BYTES = 4096
MAX_BLANK_LINES = 1000
MAX_ACCEL_RATE_HZ = 10_000.0
MAX_ACCEL_SAMPLES = 200_000_000  # ~6 h at 8 kHz; a replay allocates per sample

SkipHandler = Callable[[str], None] | None


def looks_like_epoch(t_s: float) -> bool:
    """True if ``t_s`` reads as Unix epoch seconds rather than seconds since start."""
    return t_s > EPOCH_THRESHOLD_S


def _skip(on_skip: SkipHandler, counters: SkipCounters | None, message: str) -> None:
    if counters is not None:
        counters.malformed += 1
    if on_skip is not None:
        on_skip(message)


# ---------------------------------------------------------------------- accelerometer CSV


def _accel_columns(header: list[str]) -> tuple[int, int, int, int]:
    names = [h.strip().lower() for h in header]
    wanted = ("t_s", "ax", "ay", "az")
    if all(w in names for w in wanted):
        return tuple(names.index(w) for w in wanted)  # type: ignore[return-value]
    return (0, 1, 2, 3)


def _all_numbers(cells: list[str]) -> bool:
    try:
        [float(c) for c in cells]
    except ValueError:
        return False
    return True


def _open_csv(path: Path) -> BinaryIO:
    return open_regular(path, max_bytes=MAX_CSV_BYTES, what="accelerometer CSV file")


def _csv_lines(path: Path) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of the CSV, streamed with bounded line length."""
    with _open_csv(path) as f:
        for lineno, raw in bounded_lines(f, path, max_line_bytes=MAX_LINE_BYTES,
                                         what="accelerometer CSV file"):  # fmt: skip
            yield lineno, raw.decode("utf-8", errors="replace")


def _fast_accel_rows(
    path: Path, skip_lines: int, cols: tuple[int, int, int, int]
) -> np.ndarray | None:
    """All rows after the header parsed at C speed straight from the file, or None if any
    row is bad or the bytes are not UTF-8 (then the careful path names the problem)."""
    try:
        with _open_csv(path) as f, warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "no data": said below, with the file
            data = np.loadtxt(
                f,
                delimiter=",",
                usecols=cols,
                comments="#",
                ndmin=2,
                skiprows=skip_lines,
                encoding="utf-8",
            )
    except (ValueError, OSError):  # UnicodeDecodeError is a ValueError
        return None
    if data.shape[1] != 4 or not np.all(np.isfinite(data)) or np.any(np.diff(data[:, 0]) <= 0):
        return None
    return data


def _accel_header(path: Path) -> tuple[int, list[str]]:
    """Index of the first non-blank line (the header, within ``MAX_BLANK_LINES``) and its
    cells; every line is checked for length first (the fast path reads any length)."""
    try:
        with _open_csv(path) as f:
            check_line_lengths(f, path, max_line_bytes=MAX_LINE_BYTES,
                               what="accelerometer CSV file")  # fmt: skip
        for lineno, line in _csv_lines(path):
            if line.strip():
                return lineno - 1, line.split(",")
            if lineno >= MAX_BLANK_LINES:
                break
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    raise InputError(
        f"{path}:1: empty file (no header in the first {MAX_BLANK_LINES} lines); "
        "expected a header row then t_s,ax,ay,az"
    )


def _careful_row(
    path: Path, lineno: int, line: str, cols: tuple[int, int, int, int]
) -> list[float] | str:
    """The row's four numbers, or why it is skipped."""
    parts = line.split(",")
    need = max(cols) + 1
    if len(parts) < need:
        return f"{path}:{lineno}: {len(parts)} columns, need {need}"
    try:
        row = [float(parts[c]) for c in cols]
    except ValueError:
        return f"{path}:{lineno}: not a number in {line.strip()[:60]!r}"
    if not np.all(np.isfinite(row)):
        return f"{path}:{lineno}: non-finite value"
    return row


def _load_accel_rows(path: Path, on_skip: SkipHandler, counters: SkipCounters | None) -> np.ndarray:
    first, header = _accel_header(path)
    if _all_numbers(header[:4]):
        raise InputError(f"{path}:{first + 1}: no header row; expected t_s,ax,ay,az first")
    cols = _accel_columns(header)
    fast = _fast_accel_rows(path, first + 1, cols)
    if fast is not None:
        if counters is not None:
            counters.lines += int(fast.shape[0])
        if fast.shape[0] < 2:
            raise InputError(f"{path}: fewer than 2 valid samples; expected rows of t_s,ax,ay,az")
        return fast
    rows = _RowBuffer()
    last_t = -np.inf
    for lineno, line in _csv_lines(path):
        if lineno <= first + 1 or not line.strip() or line.startswith("#"):
            continue
        if counters is not None:
            counters.lines += 1
        row = _careful_row(path, lineno, line, cols)
        if isinstance(row, list) and row[0] <= last_t:
            row = f"{path}:{lineno}: time {row[0]} does not increase"
        if isinstance(row, str):
            _skip(on_skip, counters, row)
            continue
        last_t = row[0]
        rows.append(row)
    if rows.n < 2:
        raise InputError(f"{path}: fewer than 2 valid samples; expected rows of t_s,ax,ay,az")
    return rows.array()


class _RowBuffer:
    """Rows of 4 floats kept in numpy chunks (32 bytes a row, not ~200 as Python lists)."""

    CHUNK_ROWS = 65536

    def __init__(self) -> None:
        self._chunks: list[np.ndarray] = []
        self._cur = np.empty((self.CHUNK_ROWS, 4))
        self._k = 0
        self.n = 0

    def append(self, row: list[float]) -> None:
        if self._k == self.CHUNK_ROWS:
            self._chunks.append(self._cur)
            self._cur = np.empty((self.CHUNK_ROWS, 4))
            self._k = 0
        self._cur[self._k] = row
        self._k += 1
        self.n += 1

    def array(self) -> np.ndarray:
        return np.concatenate([*self._chunks, self._cur[: self._k]])


def _check_rate(path: Path, t: np.ndarray, period_s: float) -> None:
    """Refuse time stamps that would make the replay invent absurd sample counts."""
    if not period_s > 0 or 1.0 / period_s > MAX_ACCEL_RATE_HZ:
        raise InputError(
            f"{path}: median time step {period_s:.3g} s means more than "
            f"{MAX_ACCEL_RATE_HZ:g} samples per second; is the time column in seconds?"
        )
    implied = (t[-1] - t[0]) / period_s
    if implied > MAX_ACCEL_SAMPLES:
        raise InputError(
            f"{path}: {t[-1] - t[0]:.0f} s of time at a {period_s:.3g} s step would be "
            f"{implied:.3g} samples (at most {MAX_ACCEL_SAMPLES:.3g}); check the time column"
        )


def read_accel_csv(
    path: Path | str,
    *,
    units: str = "mps2",
    block_s: float = 1.0,
    t_offset_s: float = 0.0,
    on_skip: SkipHandler = None,
    counters: SkipCounters | None = None,
) -> Iterator[AccelBlock]:
    """Accelerometer samples from a CSV file as uniform-rate blocks.

    Parameters
    ----------
    path
        Header row, then ``t_s,ax,ay,az`` (named columns are found anywhere in the
        header; otherwise the first four columns). Extra columns are ignored.
    units
        ``"mps2"`` or ``"g"`` (converted with standard gravity).
    block_s
        Length of each yielded block in seconds.
    t_offset_s
        Subtracted from every time (e.g. the epoch time of the session start).

    Notes
    -----
    The sampling rate is estimated from the time stamps: the median step gives the
    nominal period, a step longer than ``GAP_FACTOR`` periods is a gap whose missing
    samples go into the next block's ``lost_samples``, and each gap-free segment gets
    its own rate ``(n - 1) / (t_last - t_first)`` so timestamp jitter does not bend the
    time base.
    """
    path = Path(path)
    if units not in ("mps2", "g"):
        raise InputError(f"{path}: accelerometer units must be 'mps2' or 'g', not {units!r}")
    data = _load_accel_rows(path, on_skip, counters)
    t = data[:, 0] - t_offset_s
    xyz = data[:, 1:4] * (STANDARD_GRAVITY_MPS2 if units == "g" else 1.0)
    dt_s = np.diff(t)
    period_s = float(np.median(dt_s))
    _check_rate(path, t, period_s)
    gaps = np.flatnonzero(dt_s > GAP_FACTOR * period_s) + 1
    bounds = np.concatenate([[0], gaps, [t.size]])
    for k in range(bounds.size - 1):
        lo, hi = int(bounds[k]), int(bounds[k + 1])
        lost = 0 if k == 0 else max(0, int(round((t[lo] - t[lo - 1]) / period_s)) - 1)
        n_seg = hi - lo
        rate_hz = (n_seg - 1) / (t[hi - 1] - t[lo]) if n_seg > 1 else 1.0 / period_s
        per_block = max(1, int(round(block_s * rate_hz)))
        for start in range(lo, hi, per_block):
            stop = min(start + per_block, hi)
            yield AccelBlock(
                t0_s=float(t[lo] + (start - lo) / rate_hz),
                rate_hz=float(rate_hz),
                samples_mps2=np.ascontiguousarray(xyz[start:stop]),
                lost_samples=lost if start == lo else 0,
            )
