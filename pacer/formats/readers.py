"""Replay readers: accelerometer CSV, GPX and FIT tracks from other devices -> pacer records.

Error policy (as for NMEA): a bad row or point is skipped, counted in ``counters`` and
reported as one line ``FILE:LINE: problem`` through ``on_skip``; a file with nothing
usable, or one that cannot be read at all, raises :class:`~pacer.errors.InputError`
with such a line. A partly valid file yields everything valid.

Times: fixes get ``t_s`` = seconds since the file's first timestamped point and ``utc``
from the file; accelerometer blocks keep the file's time base minus ``t_offset_s``
(see :func:`looks_like_epoch` to tell Unix-epoch from relative seconds).
"""

from __future__ import annotations

import datetime as dt
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from pacer.errors import InputError
from pacer.formats.safe_read import (
    bounded_lines,
    check_line_lengths,
    open_regular,
    read_regular_bytes,
)
from pacer.formats.timeline import OUT_OF_ORDER, dropped_runs, time_outliers
from pacer.models import AccelBlock, Fix, SkipCounters
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
MAX_GPX_BYTES = 256 << 20
MAX_FIT_BYTES = 64 << 20
MAX_ACCEL_RATE_HZ = 10_000.0
MAX_ACCEL_SAMPLES = 200_000_000  # ~6 h at 8 kHz; a replay allocates per sample
SEMICIRCLE_DEG = 180.0 / 2**31

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
    rows: list[list[float]] = []
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
    if len(rows) < 2:
        raise InputError(f"{path}: fewer than 2 valid samples; expected rows of t_s,ax,ay,az")
    return np.array(rows, dtype=float)


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


# ---------------------------------------------------------------------- GPX


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(elem: ET.Element, name: str) -> str | None:
    for child in elem.iter():
        if child is not elem and _local(child.tag) == name and child.text:
            return child.text.strip()
    return None


def _parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _time_filter(
    path: Path,
    what: str,
    numbers: list[int],
    utcs: list[dt.datetime],
    on_skip: SkipHandler,
    counters: SkipCounters | None,
) -> list[bool]:
    """Which points to keep (see :mod:`pacer.formats.timeline`); dropped runs reported."""
    reasons = time_outliers([u.timestamp() for u in utcs])
    for first, last, why in dropped_runs(reasons):
        n = last - first + 1
        if counters is not None:
            counters.extra[why] = counters.extra.get(why, 0) + n
        if on_skip is None:
            continue
        kept_before = [k for k in range(first) if reasons[k] is None]
        ref = f" (previous kept point {utcs[kept_before[-1]].isoformat()})" if kept_before else ""
        where = (
            f"{what} {numbers[first]}" if n == 1 else f"{what}s {numbers[first]}-{numbers[last]}"
        )
        on_skip(
            f"{path}: {where}: time {utcs[first].isoformat()} "
            f"{'goes backwards' if why == OUT_OF_ORDER else 'jumps'}{ref} and the following "
            f"points do not confirm it; skipped ({why}, {n} point{'s' * (n > 1)})"
        )
    return [r is None for r in reasons]


def _gpx_points(
    path: Path, on_skip: SkipHandler, counters: SkipCounters | None
) -> tuple[list[tuple[int, dt.datetime, float, float, str | None, str | None]], str | None]:
    """Timestamped points ``(number, utc, lat, lon, ele, speed)`` and a damage message."""
    points = []
    n_pt = 0
    src = open_regular(path, max_bytes=MAX_GPX_BYTES, what="GPX file")
    try:
        for _event, elem in ET.iterparse(src, events=("end",)):
            if _local(elem.tag) not in ("trkpt", "rtept"):
                continue
            n_pt += 1
            if counters is not None:
                counters.lines += 1
            try:
                lat, lon = float(elem.attrib["lat"]), float(elem.attrib["lon"])
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    raise ValueError(f"position {lat},{lon} out of range")
                utc = _parse_time(_child_text(elem, "time"))
                ele = _child_text(elem, "ele")
                speed = _child_text(elem, "speed")
            except (KeyError, ValueError) as exc:
                _skip(on_skip, counters, f"{path}: track point {n_pt}: {exc}")
                elem.clear()
                continue
            elem.clear()
            if utc is None:
                _skip(on_skip, counters, f"{path}: track point {n_pt}: no <time>")
                continue
            points.append((n_pt, utc, lat, lon, ele, speed))
    except ET.ParseError as exc:
        line, col = exc.position
        if not points:
            raise InputError(f"{path}:{line}: not readable as GPX ({exc})") from exc
        return points, f"{path}:{line}:{col}: XML damaged here; kept {len(points)} points before it"
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    finally:
        src.close()
    return points, None


def fixes_from_gpx(
    path: Path | str, *, on_skip: SkipHandler = None, counters: SkipCounters | None = None
) -> Iterator[Fix]:
    """Track points of a GPX 1.0/1.1 file as fixes (speed from extensions when given).

    Speed comes from ``<speed>`` (GPX 1.0 or Garmin TrackPointExtension v2), else None:
    pacer's speed filter then derives it from positions. A truncated file yields the
    points before the damage and reports it. Points whose time goes backwards or jumps
    more than an hour without the following points confirming it are dropped, counted
    in ``counters.extra["time_jump"/"out_of_order"]`` and reported
    (:func:`pacer.formats.timeline.time_outliers`).
    """
    path = Path(path)
    points, damage = _gpx_points(path, on_skip, counters)
    if damage is not None:
        _skip(on_skip, counters, damage)
    keep = _time_filter(path, "track point", [p[0] for p in points], [p[1] for p in points],
                        on_skip, counters)  # fmt: skip
    t_first: dt.datetime | None = None
    n_ok = 0
    for (_n, utc, lat, lon, ele, speed), ok in zip(points, keep, strict=True):
        if not ok:
            continue
        t_first = t_first or utc
        n_ok += 1
        yield Fix(
            t_s=(utc - t_first).total_seconds(), utc=utc, valid=True, lat_deg=lat,
            lon_deg=lon, alt_m=float(ele) if ele else None,
            speed_mps=float(speed) if speed else None, fix_quality=1,
        )  # fmt: skip
    if n_ok == 0:
        raise InputError(f"{path}: no timestamped track points")


# ---------------------------------------------------------------------- FIT


def fixes_from_fit(
    path: Path | str, *, on_skip: SkipHandler = None, counters: SkipCounters | None = None
) -> Iterator[Fix]:
    """``record`` messages of a FIT activity as fixes (garmin-fit-sdk decoder).

    Records without a position become no-fix epochs (``valid`` False). A truncated file
    yields the records decoded before the damage and reports it; a CRC error (the
    decoder reads every record, the checksum at the end disagrees) is reported as such.
    Records with implausible times are dropped as in :func:`fixes_from_gpx`.
    """
    path = Path(path)
    try:
        from garmin_fit_sdk import Decoder, Stream
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise InputError(
            f"{path}: reading FIT needs garmin-fit-sdk (pip install 'pacer[review]')"
        ) from exc
    data = read_regular_bytes(path, max_bytes=MAX_FIT_BYTES, what="FIT file")
    if not Decoder(Stream.from_byte_array(bytearray(data))).is_fit():
        raise InputError(f"{path}: not a FIT file (bad header)")
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    records = messages.get("record_mesgs", [])
    if errors:
        problem = str(errors[0]).replace("FIT Runtime Error ", "")
        if "CRC" in problem:
            # every record was decoded, but some bytes are not what the device wrote:
            # nothing is skipped for it (counted apart); the time filter catches bad times
            if counters is not None:
                counters.extra["crc_error"] = counters.extra.get("crc_error", 0) + 1
            if on_skip is not None:
                on_skip(
                    f"{path}: CRC error: the file's checksum does not match its contents "
                    f"(damaged bytes somewhere in it); kept {len(records)} records, check "
                    "their values"
                )
        elif not records:
            raise InputError(f"{path}: damaged FIT file ({problem}); no records before the damage")
        else:
            _skip(
                on_skip,
                counters,
                f"{path}: damaged FIT file ({problem}); kept {len(records)} records before it",
            )
    timed: list[tuple[int, dt.datetime, Any]] = []
    for i, rec in enumerate(records, 1):
        if counters is not None:
            counters.lines += 1
        when = rec.get("timestamp")
        if isinstance(when, dt.datetime):
            timed.append((i, when, rec))
        else:
            _skip(on_skip, counters, f"{path}: record {i}: no timestamp")
    keep = _time_filter(path, "record", [i for i, _, _ in timed],
                        [when for _, when, _ in timed], on_skip, counters)  # fmt: skip
    t_first: dt.datetime | None = None
    n_ok = 0
    for (_i, utc, rec), ok in zip(timed, keep, strict=True):
        if not ok:
            continue
        t_first = t_first or utc
        lat, lon = rec.get("position_lat"), rec.get("position_long")
        has_pos = isinstance(lat, int) and isinstance(lon, int)
        speed = rec.get("enhanced_speed", rec.get("speed"))
        alt = rec.get("enhanced_altitude", rec.get("altitude"))
        n_ok += 1
        yield Fix(
            t_s=(utc - t_first).total_seconds(), utc=utc, valid=has_pos,
            lat_deg=lat * SEMICIRCLE_DEG if isinstance(lat, int) and has_pos else None,
            lon_deg=lon * SEMICIRCLE_DEG if isinstance(lon, int) and has_pos else None,
            alt_m=float(alt) if alt is not None and has_pos else None,
            speed_mps=float(speed) if speed is not None and has_pos else None,
            fix_quality=1 if has_pos else 0,
        )  # fmt: skip
    if n_ok == 0:
        raise InputError(f"{path}: no timestamped records in this FIT file")
