"""TCX (Garmin TrainingCenterDatabase v2) export with the standard library's XML.

One Activity (Sport="Running"), one Lap per rep (``Intensity`` Resting for recoveries,
Active otherwise; ``TriggerMethod`` Manual; a lap's average and maximum heart rate), track
points from the 1 Hz estimates with cumulative distance, ``HeartRateBpm``, and speed and
cadence in ActivityExtension v2 (``TPX``; ``RunCadence`` is strides per minute, i.e.
``cadence_spm / 2``, as Garmin writes it). A session without
reps becomes one lap. Element order follows the v2 schema's sequences.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np

from pacer.formats.export_common import require_start_utc, utc_at
from pacer.models import Estimate, Rep, RepKind
from pacer.review.heart_rate import RepHeartRate, rep_heart_rates
from pacer.review.summary import session_distance_m, session_duration_s, utc_json
from pacer.session.reader import SessionData

TCD_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
AX_NS = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = (
    f"{TCD_NS} http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd "
    f"{AX_NS} http://www.garmin.com/xmlschemas/ActivityExtensionv2.xsd"
)


def _t(tag: str) -> str:
    return f"{{{TCD_NS}}}{tag}"


def _x(tag: str) -> str:
    return f"{{{AX_NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: object | None = None) -> ET.Element:
    elem = ET.SubElement(parent, tag)
    if text is not None:
        elem.text = text if isinstance(text, str) else f"{text}"
    return elem


def _laps(data: SessionData) -> list[Rep]:
    if data.reps:
        return list(data.reps)
    return [
        Rep(
            index=1,
            kind=RepKind.STEADY,
            start_s=0.0,
            duration_s=session_duration_s(data),
            distance_m=session_distance_m(data),
        )
    ]


def _trackpoint(track: ET.Element, data: SessionData, est: Estimate) -> None:
    tp = _sub(track, _t("Trackpoint"))
    _sub(tp, _t("Time"), utc_json(utc_at(data, est.t_s, est.utc)))
    if est.lat_deg is not None and est.lon_deg is not None:
        pos = _sub(tp, _t("Position"))
        _sub(pos, _t("LatitudeDegrees"), f"{est.lat_deg:.8f}")
        _sub(pos, _t("LongitudeDegrees"), f"{est.lon_deg:.8f}")
    _sub(tp, _t("DistanceMeters"), f"{est.distance_m:.2f}")
    if est.heart_rate_bpm is not None:
        _sub(_sub(tp, _t("HeartRateBpm")), _t("Value"), int(round(est.heart_rate_bpm)))
    if est.speed_mps is not None or est.cadence_spm is not None:
        tpx = _sub(_sub(tp, _t("Extensions")), _x("TPX"))
        if est.speed_mps is not None:
            _sub(tpx, _x("Speed"), f"{est.speed_mps:.3f}")
        if est.cadence_spm is not None:
            _sub(tpx, _x("RunCadence"), int(round(est.cadence_spm / 2.0)))


def _lap_heart_rate(lap: ET.Element, hr: RepHeartRate | None) -> None:
    """AverageHeartRateBpm and MaximumHeartRateBpm (after Calories, in the schema's order)."""
    if hr is None or hr.avg_bpm is None or hr.max_bpm is None:
        return
    _sub(_sub(lap, _t("AverageHeartRateBpm")), _t("Value"), int(round(hr.avg_bpm)))
    _sub(_sub(lap, _t("MaximumHeartRateBpm")), _t("Value"), int(round(hr.max_bpm)))


def to_tcx(data: SessionData) -> str:
    """The TCX document text."""
    start = require_start_utc(data, "TCX")
    ET.register_namespace("", TCD_NS)
    ET.register_namespace("ax", AX_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(
        _t("TrainingCenterDatabase"), {f"{{{XSI_NS}}}schemaLocation": SCHEMA_LOCATION}
    )
    activity = _sub(_sub(root, _t("Activities")), _t("Activity"))
    activity.set("Sport", "Running")
    _sub(activity, _t("Id"), utc_json(start))
    laps = _laps(data)
    hr_of = {h.index: h for h in rep_heart_rates(data)}
    est_t = np.array([e.t_s for e in data.estimates], dtype=float)
    lap_starts = np.array([lap.start_s for lap in laps])
    # each estimate goes to the lap that started last before it (the first lap takes any before)
    owner = np.clip(np.searchsorted(lap_starts, est_t, side="right") - 1, 0, len(laps) - 1)
    for k, lap in enumerate(laps):
        el = _sub(activity, _t("Lap"))
        el.set("StartTime", utc_json(utc_at(data, lap.start_s, lap.start_utc)) or "")
        _sub(el, _t("TotalTimeSeconds"), f"{lap.duration_s:.3f}")
        _sub(el, _t("DistanceMeters"), f"{lap.distance_m:.2f}")
        mine = [data.estimates[i] for i in np.flatnonzero(owner == k)]
        speeds = [e.speed_mps for e in mine if e.speed_mps is not None]
        if speeds:
            _sub(el, _t("MaximumSpeed"), f"{max(speeds):.3f}")
        _sub(el, _t("Calories"), 0)
        _lap_heart_rate(el, hr_of.get(lap.index))
        _sub(el, _t("Intensity"), "Resting" if lap.kind is RepKind.RECOVERY else "Active")
        _sub(el, _t("TriggerMethod"), "Manual")
        if mine:
            track = _sub(el, _t("Track"))
            for est in mine:
                _trackpoint(track, data, est)
        if lap.label:
            _sub(el, _t("Notes"), lap.label)
        lx = _sub(_sub(el, _t("Extensions")), _x("LX"))
        if lap.duration_s > 0:
            _sub(lx, _x("AvgSpeed"), f"{lap.distance_m / lap.duration_s:.3f}")
        if lap.cadence_spm is not None:
            _sub(lx, _x("AvgRunCadence"), int(round(lap.cadence_spm / 2.0)))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
