"""Cadence and heart rate recorded by another device, from GPX/FIT extensions.

For ``pacer replay --gpx/--fit`` without an accelerometer file: the device's own cadence
can stand in for pacer's estimate, and both can be compared with pacer's in review.
Times use the same base as :func:`pacer.session.inputs.fixes_from_gpx` /
``fixes_from_fit`` (seconds since the file's first timestamped point).

Garmin formats store running cadence as strides (one foot) per minute; it is doubled
here to steps per minute (``cadence_spm``), like every cadence in pacer.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pacer.errors import InputError


@dataclass(frozen=True, eq=False)
class DeviceSeries:
    """Per-point series from a recorded file; NaN where a point has no value."""

    t_s: np.ndarray
    cadence_spm: np.ndarray
    heart_rate_bpm: np.ndarray

    @property
    def has_cadence(self) -> bool:
        return bool(np.isfinite(self.cadence_spm).any())


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _series(t: list[float], cad: list[float], hr: list[float]) -> DeviceSeries:
    return DeviceSeries(np.array(t, dtype=float), np.array(cad, dtype=float),
                        np.array(hr, dtype=float))  # fmt: skip


def device_series_from_gpx(path: Path | str) -> DeviceSeries:
    """Cadence (``cad``) and heart rate (``hr``) of a GPX file's track points.

    Points before damage in a truncated file are kept (as in ``fixes_from_gpx``).
    """
    path = Path(path)
    t: list[float] = []
    cad: list[float] = []
    hr: list[float] = []
    t_first: dt.datetime | None = None
    try:
        for _event, elem in ET.iterparse(path, events=("end",)):
            if _local(elem.tag) not in ("trkpt", "rtept"):
                continue
            values = {_local(c.tag): (c.text or "").strip() for c in elem.iter() if c is not elem}
            elem.clear()
            if not values.get("time"):
                continue
            when = dt.datetime.fromisoformat(values["time"].replace("Z", "+00:00"))
            when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
            t_first = t_first or when
            t.append((when - t_first).total_seconds())
            cad.append(_number(values.get("cad")) * 2.0)
            hr.append(_number(values.get("hr")))
    except ET.ParseError as exc:
        if not t:
            raise InputError(f"{path}:{exc.position[0]}: not readable as GPX ({exc})") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
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
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    messages, _errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    t: list[float] = []
    cad: list[float] = []
    hr: list[float] = []
    t_first: dt.datetime | None = None
    for rec in messages.get("record_mesgs", []):
        when = rec.get("timestamp")
        if not isinstance(when, dt.datetime):
            continue
        t_first = t_first or when
        t.append((when - t_first).total_seconds())
        strides = rec.get("cadence")
        frac = rec.get("fractional_cadence") or 0.0
        cad.append((strides + frac) * 2.0 if strides is not None else np.nan)
        beat = rec.get("heart_rate")
        hr.append(float(beat) if beat is not None else np.nan)
    return _series(t, cad, hr)
