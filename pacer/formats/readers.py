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
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pacer.errors import InputError
from pacer.formats.accel_csv import (
    EPOCH_THRESHOLD_S,
    GAP_FACTOR,
    MAX_ACCEL_RATE_HZ,
    MAX_ACCEL_SAMPLES,
    MAX_CSV_BYTES,
    MAX_LINE_BYTES,
    STANDARD_GRAVITY_MPS2,
    SkipHandler,
    _skip,
    looks_like_epoch,
    read_accel_csv,
)
from pacer.formats.safe_read import open_regular, read_regular_bytes
from pacer.formats.timeline import OUT_OF_ORDER, dropped_runs, time_outliers
from pacer.models import Fix, SkipCounters

if TYPE_CHECKING:
    from garmin_fit_sdk.mesgs import RecordMesg

__all__ = [
    "EPOCH_THRESHOLD_S", "GAP_FACTOR", "MAX_ACCEL_RATE_HZ", "MAX_ACCEL_SAMPLES",
    "MAX_CSV_BYTES", "MAX_FIT_BYTES", "MAX_GPX_BYTES", "MAX_LINE_BYTES",
    "STANDARD_GRAVITY_MPS2", "fixes_from_fit", "fixes_from_gpx", "looks_like_epoch",
    "read_accel_csv",
]  # fmt: skip

MAX_GPX_BYTES = 64 << 20  # ~90 h of 1 Hz track points at ~200 bytes each
MAX_FIT_BYTES = 64 << 20
SEMICIRCLE_DEG = 180.0 / 2**31


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


def _fit_records(path: Path, on_skip: SkipHandler, counters: SkipCounters | None
                 ) -> list[RecordMesg]:
    """The decoded ``record`` messages of the FIT file at ``path``: a damaged file's
    records before the damage (reported), all of them on a CRC error (reported apart)."""
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
    return records


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
    records = _fit_records(path, on_skip, counters)
    timed: list[tuple[int, dt.datetime, RecordMesg]] = []
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
