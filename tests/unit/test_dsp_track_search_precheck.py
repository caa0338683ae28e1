"""Track search pre-check: never skips a window an oval fits, skips roads and big loops."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# the generators of the track-fitting tests (same directory, on sys.path under pytest)
from test_dsp_track import DATA, ar1_noise, fixes, oval_path, read_gpx

from pacer.dsp import oval_fit
from pacer.dsp import track as track_mod
from pacer.dsp import track_geometry as tg
from pacer.dsp.oval_fit import could_be_track, fit_oval, max_track_span_m
from pacer.dsp.track import TrackMode
from pacer.models import Fix


def test_span_bound_is_the_track_geometry() -> None:
    # lane 1 radius 36.8 m + 10 m accepted offset (lane 8: +8.7 m) + 5 m inlier band,
    # either side of the 84.39 m straights
    assert max_track_span_m() == pytest.approx(84.39 + 2 * (36.8 + 10.0 + 5.0))
    assert tg.measure_radius_m(8) - tg.measure_radius_m(1) < oval_fit.MAX_OFFSET_M


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(
    heading=st.floats(-math.pi, math.pi),
    ce=st.floats(-5000, 5000),
    cn=st.floats(-5000, 5000),
    start_m=st.floats(0, 400),
    length_m=st.floats(60, 900),
    lane=st.integers(1, 8),
    cut_m=st.floats(-2.0, 1.0),
    sigma_m=st.floats(0.3, 4.0),
    spacing_m=st.floats(2.0, 7.0),
    seed=st.integers(0, 2**16),
)
def test_every_window_on_any_oval_passes(heading: float, ce: float, cn: float, start_m: float,
                                         length_m: float, lane: int, cut_m: float,
                                         sigma_m: float, spacing_m: float, seed: int) -> None:
    """Any part of a lap in any lane, anywhere, any orientation, with receiver noise."""
    rng = np.random.default_rng(seed)
    s = start_m + np.arange(0, length_m, spacing_m)
    e, n = oval_path(s, tg.measure_radius_m(lane) + cut_m, ce, cn, heading, rng, sigma_m)
    assert could_be_track(e, n)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(
    heading=st.floats(-math.pi, math.pi),
    road_heading=st.floats(-math.pi, math.pi),
    road_m=st.floats(0, 200),
    track_m=st.floats(200, 600),
    lane=st.integers(1, 8),
    seed=st.integers(0, 2**16),
)
def test_an_accepted_fit_always_passes(heading: float, road_heading: float, road_m: float,
                                       track_m: float, lane: int, seed: int) -> None:
    """Windows of road running onto a track: whenever the search accepts an oval, the
    pre-check let it run (the road part can be up to the 15 % of outliers allowed)."""
    rng = np.random.default_rng(seed)
    s = np.arange(0, track_m, 3.0)
    r = tg.measure_radius_m(lane)
    et, nt = oval_path(s, r, 0.0, 0.0, heading, rng)
    u = np.arange(road_m, 0, -3.0)  # the approach, ending where the track part starts
    er = et[0] + u * math.cos(road_heading) + ar1_noise(rng, u.size, 1.5)
    nr = nt[0] + u * math.sin(road_heading) + ar1_noise(rng, u.size, 1.5)
    e, n = np.concatenate([er, et])[-140:], np.concatenate([nr, nt])[-140:]
    fit = fit_oval(e, n)
    if fit is not None and fit.ok:
        assert could_be_track(e, n)


def _route(corners_m: Sequence[tuple[float, float]], step_m: float = 3.0
           ) -> tuple[np.ndarray, np.ndarray]:
    """Points every ``step_m`` along a polyline through the corners."""
    c = np.asarray(corners_m, dtype=float)
    seg = np.hypot(*np.diff(c, axis=0).T)
    at = np.concatenate([[0.0], np.cumsum(seg)])
    u = np.arange(0.0, at[-1], step_m)
    return np.interp(u, at, c[:, 0]), np.interp(u, at, c[:, 1])


def _roads() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(3)
    loop_u = np.arange(0.0, 2 * 2000.0, 3.0)  # twice round a 2 km loop (r = 318 m)
    r = 2000.0 / (2 * math.pi)
    rect = [(0, 0), (300, 0), (300, 200), (0, 200), (0, 0)] * 2  # 1 km block, twice
    out = {
        "straight road": _route([(0, 0), (2400, 1300)]),
        "2 km loop": (r * np.cos(loop_u / r), r * np.sin(loop_u / r)),
        "1 km rectangle": _route(rect),
    }
    for name, (e, n) in out.items():
        out[name] = (e + ar1_noise(rng, e.size, 2.0), n + ar1_noise(rng, n.size, 2.0))
    return out


@pytest.mark.parametrize("name", ["straight road", "2 km loop", "1 km rectangle"])
def test_roads_and_big_loops_are_skipped(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    e, n = _roads()[name]
    # every full 420 m window (140 points 3 m apart) is rejected by the pre-check ...
    windows = np.lib.stride_tricks.sliding_window_view(np.arange(e.size), 140)
    assert not any(could_be_track(e[w], n[w]) for w in windows[::5])
    # ... so running the route through track mode searches at most once, at the first
    # attempt (200 m of path: a window shorter than 188 m / 0.85 passes any extent test)
    searches: list[int] = []

    def counting_fit(east_m: np.ndarray, north_m: np.ndarray, **kw: object) -> object:
        if kw.get("init") is None:
            searches.append(len(east_m))
        return fit_oval(east_m, north_m, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(track_mod, "fit_oval", counting_fit)
    tm = TrackMode()
    for f in fixes(np.arange(e.size) / 1.0, e, n, 52.0, -0.4):
        tm.advance(f)
    assert not tm.state.on_track
    assert len(searches) <= 1
    assert all(k * 3.0 < max_track_span_m() / oval_fit.MIN_INLIER_FRACTION for k in searches)


def _states(fix_list: list[Fix], precheck: bool, monkeypatch: pytest.MonkeyPatch) -> list:
    with monkeypatch.context() as m:
        if not precheck:
            m.setattr(track_mod, "could_be_track", lambda e, n: True)
        tm = TrackMode()
        return [tm.update(f) for f in fix_list]


def test_road_warm_up_onto_a_track_finds_it_at_the_same_fix(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(11)
    e0, n0 = _route([(-900, 600), (-400, 600), (-400, 150), (-150, -37)])
    e0, n0 = e0 + ar1_noise(rng, e0.size, 1.5), n0 + ar1_noise(rng, n0.size, 1.5)
    s = np.arange(0.0, 1600.0, 3.6)
    e1, n1 = oval_path(s, tg.measure_radius_m(3), 0.0, 0.0, 0.4, rng)
    e, n = np.concatenate([e0, e1]), np.concatenate([n0, n1])
    fl = fixes(np.arange(e.size) * 0.8, e, n, 51.86, -0.42)
    with_check, without = _states(fl, True, monkeypatch), _states(fl, False, monkeypatch)
    assert with_check == without
    on = [st_.on_track for st_ in with_check]
    assert any(on) and on.index(True) > e0.size  # found on the track, after the road


def test_real_luton_session_is_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    t, lat, lon = read_gpx(DATA)
    fl = [Fix(t_s=float(a), utc=None, valid=True, lat_deg=float(b), lon_deg=float(c))
          for a, b, c in zip(t, lat, lon, strict=True)]
    with_check, without = _states(fl, True, monkeypatch), _states(fl, False, monkeypatch)
    assert with_check == without
    first = next(st_ for st_ in with_check if st_.on_track)
    assert first.t_s == pytest.approx(88.0, abs=1.0)
