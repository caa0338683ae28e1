"""Unit conversions and formatting. Pure; names carry units."""

from __future__ import annotations

import math

#: standard gravity, m/s^2 per g
G_MPS2 = 9.80665
#: one knot (a nautical mile, 1852 m, per hour) in m/s, and back
KNOTS_TO_MPS = 1852.0 / 3600.0
MPS_TO_KNOTS = 3600.0 / 1852.0
#: km/h in m/s, and back
KMH_TO_MPS = 1000.0 / 3600.0
MPS_TO_KMH = 3.6
#: the international mile, m
M_PER_MILE = 1609.344
#: mean Earth radius (IUGG), m
EARTH_RADIUS_M = 6_371_008.8


def mps_to_s_per_km(speed_mps: float | None) -> float | None:
    """Pace in s/km, or None when not moving (below 0.3 m/s, slower than 55 min/km)."""
    if speed_mps is None or not math.isfinite(speed_mps) or speed_mps <= 0.3:
        return None
    return 1000.0 / speed_mps


def s_per_km_to_mps(pace_s_per_km: float) -> float:
    return 1000.0 / pace_s_per_km


def s_per_km_to_s_per_mile(pace_s_per_km: float) -> float:
    return pace_s_per_km * M_PER_MILE / 1000.0


def s_per_mile_to_s_per_km(pace_s_per_mile: float) -> float:
    return pace_s_per_mile * 1000.0 / M_PER_MILE


def format_clock(seconds: float | None, tenths: bool = False) -> str:
    """``75.3`` -> ``"1:15"`` (or ``"1:15.3"``); ``None`` -> ``"--:--"``."""
    if seconds is None or not math.isfinite(seconds):
        return "--:--"
    if tenths:
        total_ds = int(round(seconds * 10))
        m, ds = divmod(total_ds, 600)
        s = ds / 10
        if m >= 60:
            h, m = divmod(m, 60)
            return f"{h}:{m:02d}:{s:04.1f}"
        return f"{m}:{s:04.1f}"
    total = int(round(seconds))
    m, s = divmod(total, 60)
    if m >= 60:
        h, m = divmod(m, 60)
        return f"{h}:{m:02d}:{s:02d}"
    return f"{m}:{s:02d}"


def format_pace(pace_s_per_km: float | None, miles: bool = False) -> str:
    """Pace as ``m:ss/km`` or ``m:ss/mi``."""
    if pace_s_per_km is None:
        return "--:--"
    if miles:
        return format_clock(s_per_km_to_s_per_mile(pace_s_per_km)) + "/mi"
    return format_clock(pace_s_per_km) + "/km"


def haversine_m(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1_deg), math.radians(lat2_deg)
    dp = p2 - p1
    dl = math.radians(lon2_deg - lon1_deg)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))
