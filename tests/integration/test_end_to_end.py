"""End to end: `pacer sim` and `pacer replay` through the production edges into a session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pacer.cli.main import main
from pacer.session.reader import accel_samples, open_session
from pacer.units import G_MPS2


def _review_json(session: Path, capsys) -> dict:
    capsys.readouterr()
    assert main(["review", str(session), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def default_sim(tmp_path_factory) -> Path:
    """The built-in 6 x 400 m session, fast, as a new user runs it."""
    session = tmp_path_factory.mktemp("sim") / "s"
    assert main(["sim", "--session-dir", str(session), "--quiet"]) == 0
    return session


def test_default_sim_records_six_reps_of_400m_near_target(default_sim: Path, capsys) -> None:
    review = _review_json(default_sim, capsys)
    work = [r for r in review["reps"] if r["kind"] == "work"]
    assert len(work) == 6
    for rep in work:
        assert rep["target_distance_m"] == 400
        assert rep["target_duration_s"] == pytest.approx(90.0)
        assert rep["target_pace_s_per_km"] == pytest.approx(225.0)
        # the simulated runner aims at 90 s with realistic pacing error and fade
        assert rep["distance_m"] == pytest.approx(400.0, abs=4.0)
        assert rep["duration_s"] == pytest.approx(90.0, abs=5.0)
        assert 160 <= rep["cadence_spm"] <= 200
    texts = [c["text"] for c in review["cues"]]
    assert any(t.startswith("rep 1 of 6") for t in texts)
    assert texts.count("go") >= 5
    assert review["session"]["distance_m"] == pytest.approx(5200, rel=0.03)


def test_default_sim_session_holds_raw_logs_fixes_and_estimates(default_sim: Path) -> None:
    data = open_session(default_sim)
    assert data.ended == "normal"
    assert len(data.fixes) > 1400  # 1 Hz over ~25 min
    assert sum(f.valid for f in data.fixes) / len(data.fixes) > 0.95
    assert (default_sim / "gps.nmea").stat().st_size > 100_000  # the plain NMEA copy
    assert not (default_sim / "accel.bin").exists()  # the samples stay in raw.log only
    samples = accel_samples(default_sim)
    assert len(samples) == data.counters["accel"]["samples"] > 100 * 1400
    t_s = samples["t_s"]
    assert np.all(np.diff(t_s) > 0)
    assert len(samples) / (t_s[-1] - t_s[0]) == pytest.approx(100.0, rel=0.05)  # 100 Hz
    # over a whole session the runner's own accelerations average out: gravity is left
    mean_mps2 = [float(samples[axis].mean()) for axis in ("ax", "ay", "az")]
    assert np.linalg.norm(mean_mps2) == pytest.approx(G_MPS2, rel=0.02)


def test_replaying_a_session_reproduces_it(default_sim: Path, tmp_path, capsys) -> None:
    again = tmp_path / "again"
    assert main(["replay", str(default_sim), "--session-dir", str(again), "--quiet"]) == 0
    a = _review_json(default_sim, capsys)
    b = _review_json(again, capsys)
    key = ["kind", "duration_s", "distance_m", "pace_s_per_km", "distance_source"]
    assert [[r[k] for k in key] for r in a["reps"]] == [[r[k] for k in key] for r in b["reps"]]
    assert [c["text"] for c in a["cues"]] == [c["text"] for c in b["cues"]]


def test_export_fixes_columns(default_sim: Path, tmp_path) -> None:
    out = tmp_path / "fixes.csv"
    assert main(["export", str(default_sim), "--format", "fixes", "-o", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "utc,lat_deg,lon_deg,alt_m,speed_mps,course_deg,hdop,sats,fix_quality,valid"
    assert len(lines) > 1400


def test_replay_nmea_and_accel_files(tmp_path, capsys) -> None:
    """A short simulated run exported as files, replayed through `pacer replay`."""
    src = tmp_path / "src"
    assert main(["sim", "--session-dir", str(src), "--duration", "240", "--quiet"]) == 0
    # the session's gps.nmea is an NMEA log; its accelerometer samples become a CSV as
    # docs/sessions.md ("Getting the accelerometer samples out") shows
    csv = tmp_path / "accel.csv"
    s = accel_samples(src)
    np.savetxt(csv, np.column_stack([s["t_s"], s["ax"], s["ay"], s["az"]]),
               fmt="%.6f", delimiter=",", header="t_s,ax,ay,az", comments="")
    out = tmp_path / "replayed"
    rc = main(["replay", "--nmea", str(src / "gps.nmea"), "--accel", str(csv),
               "--session-dir", str(out), "--quiet"])
    assert rc == 0
    data = open_session(out)
    assert data.counters["accel"]["samples"] == len(s)  # every sample read back
    assert len(data.fixes) > 200
    cadences = [e.cadence_spm for e in data.estimates if e.cadence_spm is not None]
    assert cadences and 150 < sorted(cadences)[len(cadences) // 2] < 185


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["replay", "--nmea", "/no/such/file.nmea"], "/no/such/file.nmea"),
        (["replay"], "nothing to replay"),
        (["sim", "8x(400m @72s, 200m jgo)"], "<workout>:1:"),
        (["replay", "--nmea", "x.nmea", "--gpx", "y.gpx"], "one GPS input"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(argv, fragment, tmp_path, capsys) -> None:
    rc = main([*argv, "--session-dir", str(tmp_path / "s")] if argv[0] != "sim" else
              [*argv, "--session-dir", str(tmp_path / "s"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert rc == 1
    assert err.startswith("pacer: error:") and fragment in err
    assert "\n" not in err


@pytest.mark.slow
def test_realtime_sim_over_a_pty(tmp_path) -> None:
    """`pacer sim --realtime`: NMEA through a pseudo-terminal into the serial reader and the
    fake chip read by the sampler thread, for a few seconds of a real process."""
    session = tmp_path / "rt"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.run(
        [sys.executable, "-m", "pacer", "sim", "--realtime", "--duration", "6",
         "--session-dir", str(session), "--status-every", "1"],
        capture_output=True, text=True, timeout=60, env=env,
    )
    assert proc.returncode == 0, proc.stderr
    data = open_session(session)
    assert len(data.fixes) >= 3
    assert data.counters["accel"]["samples"] >= 300
    assert (session / "gps.nmea").stat().st_size > 0


def test_accel_times_not_in_seconds_fail_before_a_session_exists(tmp_path, capsys) -> None:
    csv = tmp_path / "ns.csv"
    csv.write_text("t_s,ax,ay,az\n" + "".join(
        f"{1506421989895000000 + i * 10_000_000},0.1,0.2,9.8\n" for i in range(500)))
    out = tmp_path / "s"
    assert main(["replay", "--accel", str(csv), "--session-dir", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "are not seconds" in err and str(csv) in err
    assert not out.exists()


def test_cli_rejects_nonsense_arguments(capsys) -> None:
    for argv in (["sim", "--duration", "-5"], ["sim", "--gps-rate", "0"],
                 ["sim", "--seed", "-1"], ["bench", "--minutes", "0"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2
        assert "error: argument" in capsys.readouterr().err


def test_replay_of_a_session_with_a_damaged_database_uses_the_raw_logs(
        default_sim: Path, tmp_path, capsys) -> None:
    import shutil

    damaged = tmp_path / "damaged"
    shutil.copytree(default_sim, damaged)
    with (damaged / "session.db").open("r+b") as f:
        f.truncate(8192)
    out = tmp_path / "again"
    assert main(["replay", str(damaged), "--workout", "6x400", "--session-dir", str(out),
                 "--quiet"]) == 0
    assert "damaged session database" in capsys.readouterr().err
    review = _review_json(out, capsys)
    assert len([r for r in review["reps"] if r["kind"] == "work"]) == 6


def test_a_fit_workout_given_as_an_activity_says_how_to_use_it(tmp_path, capsys) -> None:
    workout = Path(__file__).resolve().parents[1] / "data" / "coach" / "WorkoutRepeatSteps.fit"
    rc = main(["replay", "--fit", str(workout), "--session-dir", str(tmp_path / "s"), "--quiet"])
    assert rc == 1
    err = capsys.readouterr().err
    assert "a FIT workout, not an activity" in err and "--workout" in err
    assert not (tmp_path / "s").exists()
