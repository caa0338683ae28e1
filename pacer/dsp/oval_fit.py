"""The standard 400 m oval fitted to positions: the track detector's geometry and fit.

Pure numpy, no clock reads.

Notes
-----
**Model.** A standard track is a stadium: the set of points at distance ``R`` from a
segment of length ``L = 84.39 m`` (the straights). Lane 1's measure line has
``R1 = 36.8 m``. The signed offset of a point ``p`` from an oval with centre ``c``,
orientation ``theta`` and lane offset ``d`` is ``dist(p, segment(c, theta)) - R1 - d``
-- a closed form whose derivatives are the unit vector ``u`` from the nearest segment
point to ``p`` (centre: ``-u``; orientation: ``u_x y - u_y x`` in the track frame;
offset: ``-1``). The geometry shape is fixed; ``c``, ``theta`` and ``d`` (which absorbs
the runner's lane and the receiver cutting the bends) are fitted.

**Fit** (:func:`fit_oval`). Positions are decimated to one every >= 3 m from the last
kept one; path lengths are summed over kept points (jitter does not inflate them).
Candidate bend centres come from algebraic (Kasa) circle fits on sliding windows of
~45 m of path, batched with cumulative sums; windows with a radius of 30-46 m are bends.
From each bend-centre cluster, 8 starting ovals (the other bend in 8 directions), from
two clusters their midpoint, and from the centroid the principal axes. All starts are
refined together by Gauss-Newton with Huber weights (one batched product for the
normal equations and one batched 4x4 solve per iteration), and the lowest robust cost
wins. It is accepted as a track when >= 85 % of
the points lie within 5 m of it, the inlier RMS is <= 3 m, the offset is -3..+10 m
(receivers cut bends by 1-2 m; lane 8 is +8.7 m) and the inliers cover >= 200 m of
the lap including >= 100 m of bend (a whole bend: a ~160 degree turn at the track's
radius), and progress along the oval is >= 85 % of
the path length over >= 10 m steps (the path runs along the oval rather than wandering
about its line; the 10 m scale keeps 5-10 Hz position jitter out of the path).

**Pre-check** (:func:`could_be_track`). An accepted oval has >= 85 % of the points
within 5 m of its line, and its line is at most 10 m outside lane 1's (lane 8 is
+8.7 m): those points lie within 36.8 + 10 + 5 = 51.8 m of the 84.39 m segment between
the bend centres, so along any direction they span less than 84.39 + 2 x 51.8 = 188.0 m.
GPS error needs no extra margin: a point the receiver put farther out is not an inlier.
The positions are projected on 8 directions and sorted; if in one of them the shortest
run of 85 % of the points is 188 m or longer, no search can succeed (a straight road,
a loop or block much larger than a track). This is exact, not tuned: the bound is
computed from the acceptance test's own constants.

References: I. Kasa, "A circle fitting procedure and its error analysis", IEEE Trans.
Instrum. Meas. 25(1), 1976; World Athletics Track and Field Facilities Manual (2008).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pacer.dsp.track_geometry import STRAIGHT_M, lap_length_m, measure_radius_m

__all__ = ["OvalFit", "could_be_track", "fit_oval", "max_track_span_m"]

R1_M = measure_radius_m(1)
HALF_M = STRAIGHT_M / 2.0
LAP1_M = float(lap_length_m(1))
_DAMPING = np.eye(4) * 1e-3  # Levenberg term of the Gauss-Newton normal equations
# the track tests of _judge (could_be_track derives its bound from the same numbers)
INLIER_M = 5.0  # a point is an inlier when its offset from the fitted line is below this
MIN_INLIER_FRACTION = 0.85
MIN_OFFSET_M, MAX_OFFSET_M = -3.0, 10.0  # fitted line from lane 1's (lane 8: +8.7 m)


@dataclass(frozen=True, slots=True)
class OvalFit:
    """A fitted oval in local east/north metres. ``ok``: it passed the track tests."""

    centre_east_m: float
    centre_north_m: float
    heading_rad: float  # track x axis (along the straights) from east, counter-clockwise
    offset_m: float  # radial offset of the fitted line from lane 1's measure line
    rms_m: float  # RMS residual of the inliers
    inlier_fraction: float
    covered_m: float  # lap length covered by inliers (10 m bins)
    bend_covered_m: float
    ok: bool
    along_ratio: float = 1.0  # |progress along the oval| / path length



def _wrap(ds: np.ndarray | float, lap_m: float) -> np.ndarray | float:
    """Wrap a change of progress to (-lap/2, lap/2]."""
    return ds - lap_m * np.round(np.asarray(ds) / lap_m)


def _residuals(e: np.ndarray, n: np.ndarray, p: np.ndarray, *, jacobian: bool = True
               ) -> np.ndarray:
    """Residuals and Jacobian for S parameter rows [ce, cn, theta, d], as one (S, 5, N)
    array: rows 0-3 the derivatives by ce, cn, theta and d, row 4 the residuals (so that
    the normal equations and their right-hand side come from one batched product).
    Without ``jacobian``: the residuals alone, (S, N)."""
    ce, cn, th, d = (p[:, i : i + 1] for i in range(4))
    c, s = np.cos(th), np.sin(th)
    de, dn = e[None, :] - ce, n[None, :] - cn
    x, y = c * de + s * dn, c * dn - s * de
    dx = x - np.minimum(np.maximum(x, -HALF_M), HALF_M)  # (np.clip costs more)
    dist = np.maximum(np.hypot(dx, y), 1e-6)
    if not jacobian:
        r: np.ndarray = dist - R1_M - d
        return r
    ux, uy = dx / dist, y / dist
    g = np.empty((p.shape[0], 5, e.size))
    np.subtract(s * uy, c * ux, out=g[:, 0])  # -(c ux - s uy)
    np.subtract((-s) * ux, c * uy, out=g[:, 1])  # -(s ux + c uy)
    np.subtract(ux * y, uy * x, out=g[:, 2])
    g[:, 3] = -1.0
    np.subtract(dist - R1_M, d, out=g[:, 4])
    return g


def _bend_centres(e: np.ndarray, n: np.ndarray, span_m: float = 45.0) -> np.ndarray:
    """Centres (M, 2) of sliding-window circle fits whose radius looks like a bend."""
    step = np.hypot(np.diff(e), np.diff(n))
    if step.size < 5:
        return np.empty((0, 2))
    k = int(np.clip(round(span_m / max(float(np.median(step)), 0.5)) + 1, 6, 40))
    if e.size < k:
        return np.empty((0, 2))
    e0, n0 = float(e.mean()), float(n.mean())
    x, y = e - e0, n - n0
    z = x * x + y * y
    cols = np.vstack([x * x, x * y, y * y, x, y, x * z, y * z, z])
    cs = np.concatenate([np.zeros((8, 1)), np.cumsum(cols, axis=1)], axis=1)
    sxx, sxy, syy, sx, sy, sxz, syz, sz = cs[:, k:] - cs[:, :-k]
    a = np.stack(
        [np.stack([sxx, sxy, sx], -1), np.stack([sxy, syy, sy], -1),
         np.stack([sx, sy, np.full_like(sx, k)], -1)], -2,
    )
    a += np.eye(3) * 1e-6
    det = np.linalg.det(a)
    good = np.abs(det) > 1e-9
    sol = np.zeros((a.shape[0], 3))
    sol[good] = np.linalg.solve(a[good], -np.stack([sxz, syz, sz], -1)[good][..., None])[..., 0]
    cx, cy = -sol[:, 0] / 2, -sol[:, 1] / 2
    r = np.sqrt(np.maximum(cx * cx + cy * cy - sol[:, 2], 0.0))
    keep = good & (r > 30.0) & (r < 46.0)
    return np.stack([cx[keep] + e0, cy[keep] + n0], -1)


def _starts(e: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Starting parameter rows [ce, cn, theta, d] for the batched fit."""
    rows = []
    centres = _bend_centres(e, n)
    clusters: list[np.ndarray] = []
    while centres.shape[0] and len(clusters) < 3:
        near = np.hypot(*(centres - centres[0]).T) < 20.0
        clusters.append(np.median(centres[near], axis=0))
        centres = centres[~near]
    phis = np.arange(8) * (np.pi / 4)
    for cb in clusters:
        for phi in phis:
            rows.append([cb[0] - HALF_M * math.cos(phi), cb[1] - HALF_M * math.sin(phi), phi, 0.0])
    for i in range(len(clusters)):
        for j in range(i + 1, len(clusters)):
            v = clusters[j] - clusters[i]
            if 60.0 < float(np.hypot(*v)) < 110.0:
                m = (clusters[i] + clusters[j]) / 2
                rows.append([m[0], m[1], math.atan2(v[1], v[0]), 0.0])
    me, mn = float(e.mean()), float(n.mean())
    _, vecs = np.linalg.eigh(np.cov(np.vstack([e - me, n - mn])))
    major = math.atan2(vecs[1, 1], vecs[0, 1])
    rows += [[me, mn, major, 0.0], [me, mn, major + np.pi / 2, 0.0]]
    return np.asarray(rows, dtype=float)


def _refine_one(e: np.ndarray, n: np.ndarray, init: OvalFit, iterations: int
                ) -> tuple[float, float, float, float]:
    """The iterations of :func:`fit_oval` from one starting oval: ``(ce, cn, theta, d)``.

    The same robust Gauss-Newton steps as the batched loop there (a refit every 30 m
    on the track has a single start), with the parameters as floats and one (5, N)
    array holding the Jacobian's three varying columns, the constant one and the
    residuals, so that the normal equations and the right-hand side come from one
    matrix product. Sums run in another order than the batched loop's, so results
    agree to rounding (~1e-13), not bits.
    """
    ce, cn, th, d = init.centre_east_m, init.centre_north_m, init.heading_rad, init.offset_m
    g = np.empty((5, e.size))  # rows: d r / d (ce, cn, theta, d), then r
    g[3] = -1.0
    for it in range(iterations):
        c, s = math.cos(th), math.sin(th)
        de, dn = e - ce, n - cn
        x, y = c * de + s * dn, c * dn - s * de
        dx = x - np.minimum(np.maximum(x, -HALF_M), HALF_M)
        dist = np.maximum(np.hypot(dx, y), 1e-6)
        ux, uy = dx / dist, y / dist
        np.subtract(s * uy, c * ux, out=g[0])  # -(c ux - s uy)
        np.subtract((-s) * ux, c * uy, out=g[1])  # -(s ux + c uy)
        np.subtract(ux * y, uy * x, out=g[2])
        np.subtract(dist, R1_M, out=g[4])
        g[4] -= d
        a_r = np.abs(g[4])
        w = 3.0 / np.maximum(a_r, 3.0)  # Huber: 1 within 3 m, 3/|r| beyond
        if it >= 3:
            w[a_r > 15.0] = 0.0  # far points: not this oval
        m = g @ (g * w).T  # [[J'WJ, J'Wr], [r'WJ, r'Wr]]
        delta = np.linalg.solve(m[:4, :4] + _DAMPING, -m[:4, 4]).tolist()
        big = max(1.0, math.hypot(delta[0], delta[1]) / 20.0)
        ce += delta[0] / big
        cn += delta[1] / big
        th += min(max(delta[2], -0.4), 0.4)
        d = min(max(d + delta[3], -8.0), 14.0)
    return ce, cn, th, d


def _residuals_one(e: np.ndarray, n: np.ndarray, ce: float, cn: float, th: float, d: float
                   ) -> np.ndarray:
    """Signed offsets (N,) of the points from one oval (:func:`_residuals` without the
    Jacobian and the batch)."""
    c, s = math.cos(th), math.sin(th)
    de, dn = e - ce, n - cn
    x, y = c * de + s * dn, c * dn - s * de
    dx = x - np.minimum(np.maximum(x, -HALF_M), HALF_M)
    return np.maximum(np.hypot(dx, y), 1e-6) - R1_M - d


def _progress_lane1_m(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Progress along lane 1's measure line of points in the track frame.

    :func:`pacer.dsp.track_geometry.project_to_track`'s branches with the same
    arithmetic, evaluated everywhere and chosen with ``np.where`` instead of masked
    assignments (a third of the numpy calls for the ~120 points of a fit window).
    """
    bend = math.pi * R1_M
    right = x > HALF_M
    a = np.arctan2(y, np.where(right, x - HALF_M, x + HALF_M))
    s = np.where(right, (a + math.pi / 2) * R1_M,
                 bend + STRAIGHT_M + np.mod(a - math.pi / 2, 2 * math.pi) * R1_M)
    straight = np.where(y >= 0, bend + (HALF_M - x), 2 * bend + STRAIGHT_M + (x + HALF_M))
    s = np.where(np.abs(x) <= HALF_M, straight, s)
    return np.mod(s, 2 * bend + 2 * STRAIGHT_M)


# which 10 m bins of progress along lane 1 lie on a bend (bin centre on either bend)
_BIN_CENTRES_M = np.arange(int(LAP1_M // 10.0) + 2) * 10.0 + 5.0
_BEND_BIN = ((_BIN_CENTRES_M < np.pi * R1_M)
             | ((_BIN_CENTRES_M > np.pi * R1_M + STRAIGHT_M)
                & (_BIN_CENTRES_M < 2 * np.pi * R1_M + STRAIGHT_M)))


def _median(x: np.ndarray) -> float:
    """``np.median`` of a 1-D array (its partition and middle mean, fewer calls)."""
    k = x.size // 2
    if x.size % 2:
        return float(np.partition(x, k)[k])
    part = np.partition(x, (k - 1, k))
    return float((part[k - 1] + part[k]) / 2.0)


def max_track_span_m() -> float:
    """Widest extent, in any direction, of the points :func:`fit_oval` can call inliers
    of an oval it accepts: ``L + 2 (R1 + max offset + inlier band)`` = 188.0 m."""
    return STRAIGHT_M + 2.0 * (R1_M + MAX_OFFSET_M + INLIER_M)


# directions the window is projected on, every 22.5 degrees (a half turn covers them all)
_DIRECTIONS = np.stack([np.cos(np.arange(8) * (np.pi / 8)), np.sin(np.arange(8) * (np.pi / 8))],
                       axis=1)
_SPAN_LIMIT_M = max_track_span_m() + 0.01  # + rounding of the fit's float residuals


def could_be_track(east_m: np.ndarray, north_m: np.ndarray) -> bool:
    """False when no oval :func:`fit_oval` accepts can fit these positions.

    A necessary condition only (True does not mean a track): the accepted oval's inliers
    (>= 85 % of the points) lie within ``R1 + offset + 5 m`` (< 51.8 m) of its straights'
    segment, so along any direction they span less than :func:`max_track_span_m`. If in
    one of 8 directions every run of 85 % of the points (sorted by projection) spans more,
    the search cannot succeed. About 20 us for a 420 m window, against ~2.6 ms for the
    search.
    """
    e = np.asarray(east_m, dtype=float)
    n = np.asarray(north_m, dtype=float)
    k = int(MIN_INLIER_FRACTION * e.size)  # <= the fewest inliers an accepted fit has
    if k < 2:
        return True
    proj = _DIRECTIONS @ np.stack([e - e.mean(), n - n.mean()])  # (8, N)
    proj.sort(axis=1)
    spans = proj[:, k - 1:] - proj[:, : e.size - k + 1]  # every run of k sorted points
    return bool(np.all(spans.min(axis=1) < _SPAN_LIMIT_M))


def fit_oval(
    east_m: np.ndarray,
    north_m: np.ndarray,
    *,
    init: OvalFit | None = None,
    iterations: int = 12,
) -> OvalFit | None:
    """Fit the standard oval to positions (local east/north, metres).

    Returns None when there are too few points (< 20) to say anything; otherwise the
    best fit with ``ok`` telling whether it passes as a track. ``init`` (a previous fit)
    replaces the search by a single refinement.
    """
    e = np.asarray(east_m, dtype=float)
    n = np.asarray(north_m, dtype=float)
    if e.size < 20 or e.shape != n.shape or not math.isfinite(float(e.sum() + n.sum())):
        return None
    if init is not None:
        ce, cn, th, d = _refine_one(e, n, init, iterations)
        return _judge(e, n, ce, cn, th, d, _residuals_one(e, n, ce, cn, th, d))
    p = _starts(e, n)
    for it in range(iterations):
        g = _residuals(e, n, p)
        a_r = np.abs(g[:, 4])
        w = 3.0 / np.maximum(a_r, 3.0)  # Huber: 1 within 3 m, 3/|r| beyond
        if it >= 3:
            w[a_r > 15.0] = 0.0  # far points: not this oval (warm-up, infield)
        m = g @ (g * w[:, None, :]).transpose(0, 2, 1)  # (S, 5, 5): [[J'WJ, J'Wr], ...]
        delta = np.linalg.solve(m[:, :4, :4] + _DAMPING, -m[:, :4, 4:])[..., 0]
        big = np.maximum(1.0, np.hypot(delta[:, 0], delta[:, 1]) / 20.0)
        delta[:, :2] /= big[:, None]
        delta[:, 2] = np.minimum(np.maximum(delta[:, 2], -0.4), 0.4)
        p = p + delta
        p[:, 3] = np.minimum(np.maximum(p[:, 3], -8.0), 14.0)
    r = _residuals(e, n, p, jacobian=False)
    cost = np.minimum(r * r, 25.0).sum(axis=1)
    best = int(np.argmin(cost))
    ce, cn, th, d = (float(v) for v in p[best])
    return _judge(e, n, ce, cn, th, d, r[best])


def _judge(e: np.ndarray, n: np.ndarray, ce: float, cn: float, th: float, d: float,
           res: np.ndarray) -> OvalFit:
    """The :class:`OvalFit` of one oval: its inliers, coverage and along-ratio, and the
    track tests (``res``: the points' signed offsets from it)."""
    th = math.remainder(th, math.pi)  # the oval is symmetric under a half turn
    inl = np.abs(res) < INLIER_M
    frac = float(inl.mean())
    res_in = res[inl]
    rms = float(np.sqrt(np.mean(res_in ** 2))) if res_in.size else float("inf")
    # progress of every point along the oval (the inliers' for the coverage; all of them
    # for the along-ratio below): one projection, it is elementwise
    c, s = math.cos(th), math.sin(th)
    de, dn = e - ce, n - cn
    sa = _progress_lane1_m(c * de + s * dn, c * dn - s * de)
    occupied = np.zeros(_BEND_BIN.size, dtype=bool)
    occupied[(sa[inl] // 10.0).astype(int)] = True
    covered = 10.0 * np.count_nonzero(occupied)
    bend_covered = 10.0 * np.count_nonzero(occupied & _BEND_BIN)
    # the path must run along the oval, not wander about its line
    lap = 2 * STRAIGHT_M + 2 * np.pi * R1_M
    # path over >= ~10 m steps, so that position jitter between close points does not
    # inflate it
    m = max(1, int(math.ceil(10.0 / max(_median(np.hypot(np.diff(e), np.diff(n))), 0.5))))
    em, nm = e[::m], n[::m]
    path = float(np.sum(np.hypot(np.diff(em), np.diff(nm))))
    along = abs(float(np.sum(_wrap(np.diff(sa[::m]), lap))))
    along_ratio = along / max(path, 1e-9)
    ok = (frac >= MIN_INLIER_FRACTION and rms <= 3.0 and MIN_OFFSET_M <= d <= MAX_OFFSET_M
          and covered >= 200.0
          and bend_covered >= 100.0 and along_ratio >= 0.85)
    return OvalFit(ce, cn, th, d, rms, frac, covered, bend_covered, bool(ok), along_ratio)
