"""Heart rate end to end, through real pipeline runs: ``pacer sim --hr`` (the simulated
strap's bytes through the production decoder) into the estimates and the session, the
review (text, JSON, plot, HTML), every export, ``pacer replay SESSION`` exactly, and
``pacer replay --gpx/--fit`` reading it back (with the file's cadence)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pacer.cli.main import main
from pacer.session.reader import open_session

WORKOUT = "2x400m @ 4:00/km; 90s rest"
CONFIG = "[heart_rate]\nmax_bpm = 190\nresting_bpm = 50\n"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "contracts.md"


def _run(*args: str) -> None:
    assert main(list(args)) == 0


def _json(session: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    _run("review", str(session), "--json")
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    return doc


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hr")


@pytest.fixture(scope="module")
def config(work: Path) -> Path:
    path = work / "pacer.toml"
    path.write_text(CONFIG)
    return path


@pytest.fixture(scope="module")
def sim(work: Path, config: Path) -> Path:
    path = work / "sim"
    _run("sim", WORKOUT, "--hr", "--config", str(config), "--session-dir", str(path), "--quiet")
    return path


def test_the_strap_reaches_the_session_and_the_estimates(sim: Path) -> None:
    data = open_session(sim)
    assert len(data.heart_rate) > 250  # ~1 Hz over the ~5 min session
    t = np.array([s.t_s for s in data.heart_rate])
    assert np.all(np.diff(t) > 0)
    assert all(s.contact is True and s.rr_intervals_s for s in data.heart_rate)
    bpm = np.array([s.heart_rate_bpm for s in data.heart_rate])
    assert 60 <= bpm.min() and bpm.max() <= 190
    shown = [e.heart_rate_bpm for e in data.estimates if e.t_s > 5.0]
    assert shown and all(v is not None for v in shown)
    # heart rate lags effort: the first work rep ends far above where it started
    rep0 = data.reps[0]
    start = [e.heart_rate_bpm for e in data.estimates if e.t_s >= rep0.start_s][0]
    end = [e.heart_rate_bpm for e in data.estimates if e.t_s <= rep0.start_s + rep0.duration_s][-1]
    assert end - start > 40


def test_review_json_heart_rate_fields_follow_the_contract(sim: Path, capsys) -> None:
    doc = _json(sim, capsys)
    assert doc["session"]["heart_rate_zones_bpm"] == [120.0, 134.0, 148.0, 162.0, 176.0, 190.0]
    assert doc["session"]["sources"]["sim"]["heart_rate"] == "strap"
    page = DOCS.read_text()
    for name in ("heart_rate_avg_bpm", "heart_rate_max_bpm", "time_in_zones_s"):
        assert f"| `{name}` |" in page
    work_reps = [r for r in doc["reps"] if r["kind"] == "work"]
    for rep in doc["reps"]:
        assert isinstance(rep["heart_rate_avg_bpm"], float)
        assert rep["heart_rate_avg_bpm"] <= rep["heart_rate_max_bpm"]
        zones = rep["time_in_zones_s"]
        assert len(zones) == 6
        assert sum(zones) == pytest.approx(rep["duration_s"], abs=2.0)
    # the second rep starts with the heart rate up: higher average than the first
    assert work_reps[1]["heart_rate_avg_bpm"] > work_reps[0]["heart_rate_avg_bpm"] + 10
    recovery = doc["reps"][-1]
    assert recovery["heart_rate_avg_bpm"] < work_reps[1]["heart_rate_avg_bpm"]


def test_review_text_plot_and_html_show_heart_rate(sim: Path, work: Path, capsys) -> None:
    capsys.readouterr()
    plot, page = work / "hr.png", work / "hr.html"
    _run("review", str(sim), "--plot", str(plot), "--html", str(page))
    text = capsys.readouterr().out
    assert "heart rate:" in text and "zones (bpm): 120, 134, 148, 162, 176, 190" in text
    assert plot.stat().st_size > 10_000
    html = page.read_text()
    assert "<h2>Heart rate</h2>" in html and "<th>Z5</th>" in html
    from pacer.review.plot import review_figure

    data = open_session(sim)
    assert "heart rate (bpm)" in [ax.get_ylabel() for ax in review_figure(data).axes]
    without = dataclasses.replace(data, heart_rate=())
    assert "heart rate (bpm)" not in [ax.get_ylabel() for ax in review_figure(without).axes]


def test_replay_of_the_session_gives_the_same_heart_rate_exactly(sim: Path, work: Path) -> None:
    again = work / "again"
    _run("replay", str(sim), "--session-dir", str(again), "--quiet")
    a, b = open_session(sim), open_session(again)
    assert a.heart_rate == b.heart_rate
    assert [e.heart_rate_bpm for e in a.estimates] == [e.heart_rate_bpm for e in b.estimates]


def test_exports_carry_heart_rate(sim: Path, work: Path) -> None:
    data = open_session(sim)
    shown = {round(e.heart_rate_bpm) for e in data.estimates if e.heart_rate_bpm is not None}
    for fmt in ("gpx", "tcx", "fit", "csv"):
        _run("export", str(sim), "--format", fmt, "-o", str(work / f"s.{fmt}"))
    gpx = (work / "s.gpx").read_text()
    hr = [int(v) for v in re.findall(r"<gpxtpx:hr>(\d+)</gpxtpx:hr>", gpx)]
    assert len(hr) > 250 and set(hr) <= shown
    assert re.search(r"<gpxtpx:hr>\d+</gpxtpx:hr>\s*<gpxtpx:cad>", gpx)  # the schema's order
    tcx = ET.parse(work / "s.tcx").getroot()
    ns = {"t": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"}
    points = tcx.findall(".//t:Trackpoint/t:HeartRateBpm/t:Value", ns)
    assert len(points) > 250 and {int(p.text or 0) for p in points} <= shown
    laps = tcx.findall(".//t:Lap", ns)
    assert all(lap.find("t:AverageHeartRateBpm/t:Value", ns) is not None for lap in laps)
    from garmin_fit_sdk import Decoder, Stream

    messages, errors = Decoder(Stream.from_file(str(work / "s.fit"))).read()
    assert not errors
    fit_hr = [r["heart_rate"] for r in messages["record_mesgs"] if "heart_rate" in r]
    assert len(fit_hr) > 250 and set(fit_hr) <= shown
    assert all("max_heart_rate" in lap for lap in messages["lap_mesgs"])
    rows = list(csv.reader(io.StringIO((work / "s.csv").read_text())))
    assert rows[0][-1] == "heart_rate_bpm" and rows[0][-2] == "gps_ok"  # appended at the end
    assert sum(1 for r in rows[1:] if r[-1]) > 250


@pytest.mark.parametrize("fmt", ["gpx", "fit"])
def test_replay_of_an_exported_file_gives_the_same_per_rep_heart_rate(
    sim: Path, work: Path, config: Path, fmt: str, capsys
) -> None:
    exported = work / f"rt.{fmt}"
    _run("export", str(sim), "--format", fmt, "-o", str(exported))
    out = work / f"from-{fmt}"
    _run("replay", f"--{fmt}", str(exported), "--workout", WORKOUT, "--config", str(config),
         "--session-dir", str(out), "--quiet")
    from pacer.review.heart_rate import rep_heart_rates

    original, replayed = open_session(sim), open_session(out)
    # the same steps over the readings read back: the heart rate the file carried
    same_steps = dataclasses.replace(replayed, reps=original.reps)
    pairs = zip(original.reps, rep_heart_rates(original), rep_heart_rates(same_steps),
                strict=True)
    for rep, a, b in pairs:
        assert b.avg_bpm == pytest.approx(a.avg_bpm, abs=1.0)
        assert b.max_bpm == pytest.approx(a.max_bpm, abs=1.0)
        if rep.kind.value == "work":  # (the file's last points stop before the session does)
            assert b.time_in_zones_s == pytest.approx(a.time_in_zones_s, abs=3.0)
    # re-coached from the file: the steps start within a few seconds of the original's
    # (heart rate falls fast at a recovery's start, so only work reps compare closely)
    want, got = _json(sim, capsys), _json(out, capsys)
    assert [r["kind"] for r in got["reps"]] == [r["kind"] for r in want["reps"]]
    for a, b in zip(want["reps"], got["reps"], strict=True):
        if a["kind"] == "work":
            assert b["heart_rate_avg_bpm"] == pytest.approx(a["heart_rate_avg_bpm"], abs=1.5)
            assert b["heart_rate_max_bpm"] == pytest.approx(a["heart_rate_max_bpm"], abs=1.0)
    assert replayed.heart_rate and all(s.contact is None for s in replayed.heart_rate)
    # without an accelerometer file the file's cadence (strides/min, doubled) is shown
    work_est = [e for e in replayed.estimates
                if got["reps"][0]["start_s"] + 10 < e.t_s < got["reps"][0]["start_s"] + 80]
    cadence = [e.cadence_spm for e in work_est]
    assert all(c is not None and 160 < c < 190 for c in cadence), cadence[:5]


def test_a_v5_session_migrates_and_opens(tmp_path: Path) -> None:
    from pacer.session.schema import MIGRATIONS, SCHEMA_VERSION, migrate

    db = tmp_path / "session.db"
    conn = sqlite3.connect(db, isolation_level=None)
    for version in range(5):
        for statement in MIGRATIONS[version].split(";"):
            if statement.strip():
                conn.execute(statement)
    conn.execute("PRAGMA user_version = 5")
    conn.execute("INSERT INTO estimates (t_s, distance_m, speed_confidence, "
                 "cadence_confidence, distance_source, gps_ok, on_track) "
                 "VALUES (1.0, 0.0, 0.0, 0.0, 'gps', 1, 0)")
    conn.execute("INSERT INTO meta VALUES ('ended', '\"normal\"')")
    conn.close()
    data = open_session(tmp_path)  # read as it is: v5, no heart rate
    assert data.heart_rate == () and data.estimates[0].heart_rate_bpm is None
    conn = sqlite3.connect(db, isolation_level=None)
    assert migrate(conn) == 5 and SCHEMA_VERSION == 6
    conn.execute("INSERT INTO heart_rate VALUES (2.0, 150.0, 1, NULL)")
    conn.close()
    data = open_session(tmp_path)
    assert len(data.heart_rate) == 1 and data.heart_rate[0].contact is True


def test_sim_without_hr_has_no_heart_rate(work: Path) -> None:
    path = work / "plain"
    _run("sim", "400m @ 4:00/km", "--session-dir", str(path), "--quiet",
         "--duration", "40")
    data = open_session(path)
    assert data.heart_rate == () and all(e.heart_rate_bpm is None for e in data.estimates)
    assert data.estimates


@pytest.mark.slow
def test_realtime_sim_with_a_strap(work: Path) -> None:
    path = work / "realtime"
    _run("sim", "400m @ 4:00/km", "--realtime", "--hr", "--duration", "4",
         "--session-dir", str(path), "--quiet")
    data = open_session(path)
    assert len(data.heart_rate) >= 2
    assert any(e.heart_rate_bpm is not None for e in data.estimates)
