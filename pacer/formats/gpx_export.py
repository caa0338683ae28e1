"""GPX 1.1 export (gpxpy): one track, one segment per gap-free run of fixes, heart rate
and cadence in Garmin's TrackPointExtension v1 (``gpxtpx:hr`` in bpm, ``gpxtpx:cad``).

Cadence convention: like Garmin devices, ``cad`` holds *strides* per minute for running
(``cadence_spm / 2``, rounded), so Strava and Garmin Connect show the right spm.
GPX 1.1 has no speed element and v1 of the extension none either, so speed is not
written; readers derive it from positions and times (use FIT or TCX to carry speed).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import numpy as np

from pacer import __version__
from pacer.errors import InputError
from pacer.formats.export_common import EstimateLookup, position_fixes, require_start_utc, utc_at
from pacer.review.summary import workout_name
from pacer.session.reader import SessionData

TPX_NS = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
#: a pause in fixes longer than this starts a new track segment
SEGMENT_GAP_S = 10.0


def to_gpx(data: SessionData) -> str:
    """The GPX 1.1 document text."""
    try:
        import gpxpy.gpx
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise InputError("GPX export needs gpxpy (pip install 'pacer[review]')") from exc
    require_start_utc(data, "GPX")
    gpx = gpxpy.gpx.GPX()
    gpx.creator = f"pacer {__version__}"
    gpx.nsmap["gpxtpx"] = TPX_NS
    track = gpxpy.gpx.GPXTrack(name=workout_name(data) or data.id)
    track.type = "running"  # type: ignore[assignment]  # gpxpy types it as None
    gpx.tracks.append(track)
    fixes = position_fixes(data)
    lookup = EstimateLookup(data.estimates)
    nearest = lookup.nearest(np.array([f.t_s for f in fixes]))
    segment = None
    last_t = -np.inf
    for fix, est in zip(fixes, nearest, strict=True):
        if segment is None or fix.t_s - last_t > SEGMENT_GAP_S:
            segment = gpxpy.gpx.GPXTrackSegment()
            track.segments.append(segment)
        last_t = fix.t_s
        when = utc_at(data, fix.t_s, fix.utc)
        point = gpxpy.gpx.GPXTrackPoint(
            latitude=fix.lat_deg, longitude=fix.lon_deg, elevation=fix.alt_m,
            time=when.astimezone(dt.UTC) if when else None,
        )  # fmt: skip
        if est is not None and (est.cadence_spm is not None or est.heart_rate_bpm is not None):
            ext = ET.Element(f"{{{TPX_NS}}}TrackPointExtension")
            if est.heart_rate_bpm is not None:  # the schema's order: hr before cad
                ET.SubElement(ext, f"{{{TPX_NS}}}hr").text = str(int(round(est.heart_rate_bpm)))
            if est.cadence_spm is not None:
                cad = ET.SubElement(ext, f"{{{TPX_NS}}}cad")
                cad.text = str(int(round(est.cadence_spm / 2.0)))
            point.extensions.append(ext)
        segment.points.append(point)
    return gpx.to_xml(version="1.1")
