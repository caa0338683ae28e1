"""Cadence and heart rate recorded by another device, from GPX/FIT extensions.

For ``pacer replay --gpx/--fit``: the heart rate becomes
:class:`~pacer.models.HeartRateSample` records and, without an accelerometer file, the
device's own cadence :class:`~pacer.models.CadenceSample` records
(:meth:`DeviceSeries.records`), which the estimator shows when it has no cadence of its
own. GPX: ``gpxtpx:hr`` (or ``heartrate``) and ``gpxtpx:cad``; FIT: ``heart_rate`` and
``cadence`` + ``fractional_cadence``.
Times use the same base as :func:`pacer.formats.readers.fixes_from_gpx` /
``fixes_from_fit`` (seconds since the file's first timestamped point).

Garmin formats store running cadence as strides (one foot) per minute; it is doubled
here to steps per minute (``cadence_spm``), like every cadence in pacer.
"""

from __future__ import annotations

import datetime as dt
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pacer.errors import InputError
from pacer.formats.readers import MAX_FIT_BYTES, MAX_GPX_BYTES
from pacer.formats.safe_read import open_regular, read_regular_bytes
from pacer.formats.timeline import time_outliers
from pacer.models import CadenceSample, HeartRateSample


@dataclass(frozen=True, eq=False)
class DeviceSeries:
    """Per-point series from a recorded file; NaN where a point has no value."""

    t_s: np.ndarray
    cadence_spm: np.ndarray
    heart_rate_bpm: np.ndarray
    #: each point's UTC as Unix seconds (to align with the fixes by time, not by count)
    epoch_s: np.ndarray = field(default_factory=lambda: np.empty(0))

    @property
    def has_cadence(self) -> bool:
        return bool(np.isfinite(self.cadence_spm).any())

    @property
    def has_heart_rate(self) -> bool:
        return bool(np.isfinite(self.heart_rate_bpm).any())

    def records(self, t_offset_s: float, *,
                cadence: bool = True) -> Iterator[HeartRateSample | CadenceSample]:
        """The values as records in time order, at ``epoch_s - t_offset_s`` (session
        seconds): a :class:`HeartRateSample` per point with a heart rate and, with
        ``cadence``, a :class:`CadenceSample` per point with a cadence."""
        t_s = self.epoch_s - t_offset_s
        for k in np.argsort(t_s, kind="stable"):
            t, bpm, spm = float(t_s[k]), float(self.heart_rate_bpm[k]), float(self.cadence_spm[k])
            if cadence and math.isfinite(spm) and spm >= 0:
                yield CadenceSample(t, spm)
            if math.isfinite(bpm) and bpm > 0:
                yield HeartRateSample(t, bpm)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _series(utc: list[dt.datetime], cad: list[float], hr: list[float]) -> DeviceSeries:
    """Seconds since the first kept point; points with implausible times dropped exactly
    as the fix readers drop them (:func:`pacer.formats.timeline.time_outliers`)."""
    keep = np.array([r is None for r in time_outliers([u.timestamp() for u in utc])], bool)
    epoch_s = np.array([u.timestamp() for u in utc], dtype=float)[keep] if utc else np.empty(0)
    t = epoch_s - epoch_s[0] if epoch_s.size else epoch_s
    return DeviceSeries(t, np.array(cad, dtype=float)[keep] if utc else np.empty(0),
                        np.array(hr, dtype=float)[keep] if utc else np.empty(0),
                        epoch_s)  # fmt: skip


def device_series_from_gpx(path: Path | str) -> DeviceSeries:
    """Cadence (``cad``) and heart rate (``hr``) of a GPX file's track points.

    Points before damage in a truncated file are kept (as in ``fixes_from_gpx``).
    """
    path = Path(path)
    t: list[dt.datetime] = []
    cad: list[float] = []
    hr: list[float] = []
    src = open_regular(path, max_bytes=MAX_GPX_BYTES, what="GPX file")
    try:
        for _event, elem in ET.iterparse(src, events=("end",)):
            if _local(elem.tag) not in ("trkpt", "rtept"):
                continue
            values = {_local(c.tag): (c.text or "").strip() for c in elem.iter() if c is not elem}
            elem.clear()
            if not values.get("time"):
                continue
            try:
                when = dt.datetime.fromisoformat(values["time"].replace("Z", "+00:00"))
            except ValueError:
                continue  # fixes_from_gpx skips (and reports) such a point too
            when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
            t.append(when)
            cad.append(_number(values.get("cad")) * 2.0)
            hr.append(_number(values.get("hr") or values.get("heartrate")))
    except ET.ParseError as exc:
        if not t:
            raise InputError(f"{path}:{exc.position[0]}: not readable as GPX ({exc})") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    finally:
        src.close()
    return _series(t, cad, hr)


def _number(text: str | None) -> float:
    try:
        return float(text) if text else np.nan
    except ValueError:
        return np.nan


def device_series_from_fit(path: Path | str) -> DeviceSeries:
    """Cadence (``cadence`` + ``fractional_cadence``) and ``heart_rate`` of FIT records."""
    path = Path(path)
    try:
        from garmin_fit_sdk import Decoder, Stream
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise InputError(f"{path}: reading FIT needs garmin-fit-sdk") from exc
    data = read_regular_bytes(path, max_bytes=MAX_FIT_BYTES, what="FIT file")
    messages, _errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    t: list[dt.datetime] = []
    cad: list[float] = []
    hr: list[float] = []
    for rec in messages.get("record_mesgs", []):
        when = rec.get("timestamp")
        if not isinstance(when, dt.datetime):
            continue
        t.append(when)
        strides = rec.get("cadence")
        frac = rec.get("fractional_cadence") or 0.0
        cad.append((strides + frac) * 2.0 if strides is not None else np.nan)
        beat = rec.get("heart_rate")
        hr.append(float(beat) if beat is not None else np.nan)
    return _series(t, cad, hr)
