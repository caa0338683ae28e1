"""The simulator's track site and the oval fit that produced it (pacer.sim.site)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from helpers.shared_data import needs_shared, shared_path

from pacer.dsp import track_geometry as tg
from pacer.sim.receiver import SimulatedReceiver
from pacer.sim.runner import Effort, RunnerModel
from pacer.sim.site import LUTON, TrackSite, fit_track_site, main

REPO = Path(__file__).resolve().parents[2]
SLICE = REPO / "tests" / "data" / "sim" / "track_session_latlon.csv"
SHARED_GPX = shared_path("gps", "track_session", "track_session.gpx")


def _angle_diff(a: float, b: float) -> float:
    return float(abs((a - b + np.pi) % (2 * np.pi) - np.pi))


def test_luton_constants_are_the_fit_of_the_recorded_session() -> None:
    with open(SLICE) as f:
        rows = list(csv.DictReader(f))
    lat = np.array([float(r["lat_deg"]) for r in rows])
    lon = np.array([float(r["lon_deg"]) for r in rows])
    fit = fit_track_site(lat, lon)
    e, n = LUTON.enu_from_latlon(fit.site.centre_lat_deg, fit.site.centre_lon_deg)
    assert np.hypot(e, n) < 0.05
    assert _angle_diff(fit.site.heading_rad, LUTON.heading_rad) < 1e-4
    assert fit.inlier_share > 0.95 and fit.rms_offset_m < 2.5


@pytest.mark.parametrize("heading_deg", [-120.0, 10.0, 75.0])
def test_fit_recovers_a_known_site_from_simulated_gps(heading_deg: float) -> None:
    site = TrackSite("test", 45.1, 7.6, np.radians(heading_deg), alt_m=240.0)
    runner = RunnerModel([Effort("stand", duration_s=5.0), Effort("jog", distance_m=1200.0)],
                         site=site, seed=4, start_s_m=350.0)
    rx = SimulatedReceiver(runner, seed=4, dropouts=False, corrupt_rate=0.0)
    fit = fit_track_site(rx.lat_deg, rx.lon_deg)
    e, n = site.enu_from_latlon(fit.site.centre_lat_deg, fit.site.centre_lon_deg)
    # the fit can only be as right as the receiver's error common to the whole session
    re, rn = site.enu_from_latlon(rx.lat_deg, rx.lon_deg)
    common = np.mean(re - rx.truth.east_m), np.mean(rn - rx.truth.north_m)
    assert np.hypot(e - common[0], n - common[1]) < 0.5
    assert _angle_diff(fit.site.heading_rad, site.heading_rad) < np.radians(1.5)
    # corner cutting pulls the fitted radius inside lane 1's measure line, not by much
    assert tg.measure_radius_m(1) - 2.5 < fit.radius_m < tg.measure_radius_m(1) + 0.5


def test_clockwise_path_is_refused() -> None:
    runner = RunnerModel([Effort("jog", distance_m=800.0)], seed=1)
    with pytest.raises(ValueError, match="clockwise"):
        fit_track_site(runner.truth.lat_deg[::-100], runner.truth.lon_deg[::-100])


@needs_shared("gps", "track_session", "track_session.gpx")
def test_command_line_reproduces_the_constants(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(SHARED_GPX)]) == 0
    out = capsys.readouterr().out
    assert f"centre_lat_deg={LUTON.centre_lat_deg:.7f}" in out
    assert f"centre_lon_deg={LUTON.centre_lon_deg:.7f}" in out
    assert f"heading_rad={LUTON.heading_rad:.5f}" in out
