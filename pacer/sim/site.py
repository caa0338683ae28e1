"""Where the simulated track is: a real 400 m track, and how its pose was measured.

The default site is the track of a real recorded session,
``tests/data/track/track_session.gpx`` (Luton, UK; markpattison/ParseGPX, MIT). Its
centre and orientation were fitted to that recording with :func:`fit_track_site`::

    .venv/bin/python -m pacer.sim.site tests/data/track/track_session.gpx

and are stored below as constants, so that simulation reads no file.

Notes
-----
The fit minimises the robust (Tukey-trimmed) squared distance of every recorded
position from the oval of a standard track (straights 84.39 m, bend radius fitted),
over the oval's centre, the direction of its straights and its bend radius, by
Gauss-Newton with numerical derivatives from a start at the median position and the
principal axis of the positions. A GPS path alone cannot tell the home straight from
the back straight (the oval is symmetric under a half turn): we take as home straight
the one on which the recording starts (athletes usually start their watch at the
finish line); the running direction is counter-clockwise seen from above, as on every
standard track, which fixes the sign of the straights' axis.

Result on that file (691 points): centre 51.8628369 N, 0.4240046 W, straights' axis
133.68 deg from east, fitted bend radius 38.65 m (the runner's path sits ~1.9 m
outside lane 1's measure line: outer lanes, GPS error), rms offset of inliers 1.82 m,
98.7 % of points within 5 m of the oval.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from pacer.dsp import track_geometry as tg


@dataclass(frozen=True)
class TrackSite:
    """A track's pose: centre (lat/lon), direction of its x axis, altitude.

    ``heading_rad`` is the track frame's x axis (along the straights, pointing at the
    finish-line end of the home straight) measured counter-clockwise from east. The
    local east/north frame used by the simulator has its origin at the centre.
    """

    name: str
    centre_lat_deg: float
    centre_lon_deg: float
    heading_rad: float
    alt_m: float = 0.0
    geoid_sep_m: float = 0.0

    def rotate(self, x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rotate track-frame vectors into east/north (no translation)."""
        return tg.track_to_enu(np.asarray(x_m), np.asarray(y_m), 0.0, 0.0, self.heading_rad)

    def enu_from_track(self, x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.rotate(x_m, y_m)

    def track_from_enu(self, east_m: np.ndarray, north_m: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
        return tg.enu_to_track(east_m, north_m, 0.0, 0.0, self.heading_rad)

    def latlon_from_enu(self, east_m: np.ndarray, north_m: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
        return tg.latlon_from_enu(east_m, north_m, self.centre_lat_deg, self.centre_lon_deg)

    def enu_from_latlon(self, lat_deg: np.ndarray, lon_deg: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
        return tg.enu_from_latlon(lat_deg, lon_deg, self.centre_lat_deg, self.centre_lon_deg)


# Fitted with `python -m pacer.sim.site .../track_session.gpx` (see module docstring).
LUTON = TrackSite(
    name="Luton (track_session.gpx)",
    centre_lat_deg=51.8628369,
    centre_lon_deg=-0.4240046,
    heading_rad=2.33309,  # 133.68 deg from east: home straight runs towards the north-west
    alt_m=159.6,  # median GPX elevation (m above mean sea level)
    geoid_sep_m=45.6,  # EGM96 geoid height near Luton, for GGA's separation field
)


@dataclass(frozen=True)
class SiteFit:
    """Result of :func:`fit_track_site`."""

    site: TrackSite
    radius_m: float
    rms_offset_m: float
    inlier_share: float


def _residuals(params: np.ndarray, e: np.ndarray, n: np.ndarray) -> np.ndarray:
    ce, cn, heading, radius = params
    x, y = tg.enu_to_track(e, n, ce, cn, heading)
    return tg.project_to_track(x, y, radius)[1]


def _gauss_newton_oval(p: np.ndarray, e: np.ndarray, n: np.ndarray, iterations: int
                       ) -> np.ndarray:
    """Refine the oval ``p`` (centre east, north in m, heading in rad, bend radius in m)
    on the positions ``e``, ``n`` (m) by Gauss-Newton with numerical derivatives,
    ignoring positions beyond a cutoff that shrinks from 8 m to 5 m."""
    cutoff = 8.0
    for _ in range(iterations):
        r = _residuals(p, e, n)
        keep = np.abs(r) < cutoff
        jac = np.empty((int(keep.sum()), 4))
        for j, step in enumerate((0.05, 0.05, 1e-4, 0.05)):
            dp = np.zeros(4)
            dp[j] = step
            jac[:, j] = (_residuals(p + dp, e[keep], n[keep]) - r[keep]) / step
        delta, *_ = np.linalg.lstsq(jac, -r[keep], rcond=None)
        p = p + delta
        cutoff = max(5.0, 0.8 * cutoff)
        if np.max(np.abs(delta[:2])) < 1e-4 and abs(delta[2]) < 1e-7:
            break
    return p


def fit_track_site(lat_deg: np.ndarray, lon_deg: np.ndarray, *, name: str = "fitted",
                   alt_m: float = 0.0, iterations: int = 30) -> SiteFit:
    """Fit a standard 400 m oval to positions recorded while running round a track.

    Parameters
    ----------
    lat_deg, lon_deg : np.ndarray
        Positions in time order (the order sets the running direction and home straight).

    Returns
    -------
    SiteFit
        The site, the fitted bend radius (m), the rms offset of inliers (m) and the share
        of positions within 5 m of the oval.
    """
    lat = np.asarray(lat_deg, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    lat0, lon0 = float(np.median(lat)), float(np.median(lon))
    e, n = tg.enu_from_latlon(lat, lon, lat0, lon0)
    pts = np.column_stack([e - np.median(e), n - np.median(n)])
    w, vecs = np.linalg.eigh(np.cov(pts.T))
    major = vecs[:, int(np.argmax(w))]
    p = np.array([float(np.median(e)), float(np.median(n)), float(np.arctan2(major[1], major[0])),
                  tg.measure_radius_m(1)])
    ce, cn, heading, radius = _gauss_newton_oval(p, e, n, iterations)
    # running direction: counter-clockwise in the track frame, i.e. s increasing in time
    x, y = tg.enu_to_track(e, n, ce, cn, heading)
    s, off = tg.project_to_track(x, y, radius)
    lap = 2 * np.pi * radius + 2 * tg.STRAIGHT_M
    ds = np.diff(s)
    ds = (ds + lap / 2) % lap - lap / 2
    if np.sum(ds) < 0:
        raise ValueError("the positions go round clockwise; a standard track is run "
                         "counter-clockwise (reverse the time order?)")
    # home straight: the straight where the recording starts
    first = s[np.abs(off) < 5.0][:1]
    bend = np.pi * radius
    if first.size and bend <= first[0] < bend + tg.STRAIGHT_M:  # started on the back straight
        heading += np.pi
    heading = float(np.mod(heading + np.pi, 2 * np.pi) - np.pi)
    lat_c, lon_c = tg.latlon_from_enu(ce, cn, lat0, lon0)
    r = _residuals(np.array([ce, cn, heading, radius]), e, n)
    inl = np.abs(r) < 5.0
    site = TrackSite(name=name, centre_lat_deg=float(lat_c), centre_lon_deg=float(lon_c),
                     heading_rad=heading, alt_m=alt_m)
    return SiteFit(site=site, radius_m=float(radius),
                   rms_offset_m=float(np.sqrt(np.mean(r[inl] ** 2))) if inl.any() else np.nan,
                   inlier_share=float(inl.mean()))


def _read_gpx(path: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import xml.etree.ElementTree as ET

    root = ET.parse(path).getroot()
    lat, lon, ele = [], [], []
    for el in root.iter():
        if el.tag.endswith("trkpt"):
            lat.append(float(el.get("lat")))  # type: ignore[arg-type]
            lon.append(float(el.get("lon")))  # type: ignore[arg-type]
            e = [c for c in el if c.tag.endswith("ele")]
            ele.append(float(e[0].text) if e and e[0].text else np.nan)
    return np.array(lat), np.array(lon), np.array(ele)


def main(argv: list[str] | None = None) -> int:
    """Print the fitted pose of the track in a GPX file (how ``LUTON`` was made)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m pacer.sim.site TRACK.gpx", file=sys.stderr)
        return 2
    lat, lon, ele = _read_gpx(args[0])
    fit = fit_track_site(lat, lon, alt_m=float(np.nanmedian(ele)))
    s = fit.site
    print(f"centre_lat_deg={s.centre_lat_deg:.7f} centre_lon_deg={s.centre_lon_deg:.7f} "
          f"heading_rad={s.heading_rad:.5f} ({np.degrees(s.heading_rad):.2f} deg) "
          f"alt_m={s.alt_m:.1f} radius_m={fit.radius_m:.2f} rms_offset_m={fit.rms_offset_m:.2f} "
          f"inliers={fit.inlier_share:.3f} points={lat.size}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
