"""Exports read back with independent readers: gpxpy (GPX), garmin-fit-sdk's Decoder (FIT),
structural checks against the TrainingCenterDatabase v2 layout with the standard library's
parser (TCX; the XSD is not available from a pip package) and python-tcxparser, the csv
module (CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest

from pacer.cli.main import main
from pacer.formats.csv_export import CSV_COLUMNS, FIXES_COLUMNS, fixes_csv, per_second_csv
from pacer.models import RepKind
from pacer.session.reader import open_session


def test_csv_one_row_per_second_with_contract_columns(golden):
    rows = list(csv.DictReader(io.StringIO(per_second_csv(golden))))
    assert tuple(rows[0]) == CSV_COLUMNS
    t = [float(r["t_s"]) for r in rows]
    assert t == [float(k) for k in range(len(golden.estimates))]
    assert {r["gps_ok"] for r in rows} == {"1"}
    # rep_index follows the reps: second 70 is inside rep 2 (the first 200 m, 60..96.6 s)
    assert rows[70]["rep_index"] == "2" and rows[100]["rep_index"] == "3"
    assert float(rows[70]["pace_s_per_km"]) == pytest.approx(183.0)
    assert rows[70]["utc"] == "2026-11-17T18:01:10Z"


def test_fixes_csv_is_the_receiver_epochs_unchanged(golden):
    rows = list(csv.DictReader(io.StringIO(fixes_csv(golden))))
    assert tuple(rows[0]) == FIXES_COLUMNS
    assert len(rows) == len(golden.fixes)
    for row, fix in zip(rows, golden.fixes, strict=True):
        assert float(row["lat_deg"]) == fix.lat_deg and float(row["lon_deg"]) == fix.lon_deg
        assert float(row["speed_mps"]) == fix.speed_mps and int(row["sats"]) == fix.sats
        assert row["valid"] == "1" and row["fix_quality"] == "1"


def test_gpx_round_trip_with_gpxpy(golden):
    gpxpy = pytest.importorskip("gpxpy")
    from pacer.formats.gpx_export import TPX_NS, to_gpx

    gpx = gpxpy.parse(to_gpx(golden))
    points = [p for s in gpx.tracks[0].segments for p in s.points]
    assert gpx.version == "1.1" and len(points) == len(golden.fixes)
    for p, f in zip(points, golden.fixes, strict=True):
        assert p.latitude == pytest.approx(f.lat_deg, abs=1e-9)
        assert p.time == f.utc
    cad = [int(e.find(f"{{{TPX_NS}}}cad").text) for e in points[70].extensions]
    assert cad == [90]  # 180 spm -> 90 strides/min
    assert gpx.length_2d() == pytest.approx(golden.estimates[-1].distance_m, rel=0.03)


def test_tcx_structure(golden):
    from pacer.formats.tcx_export import AX_NS, TCD_NS, to_tcx

    root = ET.fromstring(to_tcx(golden).encode())
    ns = {"t": TCD_NS, "x": AX_NS}
    assert root.tag == f"{{{TCD_NS}}}TrainingCenterDatabase"
    (activity,) = root.findall("t:Activities/t:Activity", ns)
    assert activity.get("Sport") == "Running"
    laps = activity.findall("t:Lap", ns)
    assert len(laps) == len(golden.reps)
    order = [
        "TotalTimeSeconds",
        "DistanceMeters",
        "MaximumSpeed",
        "Calories",
        "Intensity",
        "TriggerMethod",
        "Track",
        "Notes",
        "Extensions",
    ]
    for lap, rep in zip(laps, golden.reps, strict=True):
        tags = [c.tag.rsplit("}", 1)[-1] for c in lap]
        assert tags == [t for t in order if t in tags]  # schema sequence order
        assert float(lap.findtext("t:TotalTimeSeconds", namespaces=ns)) == pytest.approx(
            rep.duration_s
        )
        assert float(lap.findtext("t:DistanceMeters", namespaces=ns)) == pytest.approx(
            rep.distance_m
        )
        want = "Resting" if rep.kind is RepKind.RECOVERY else "Active"
        assert lap.findtext("t:Intensity", namespaces=ns) == want
    points = root.findall(".//t:Trackpoint", ns)
    assert len(points) == len(golden.estimates)
    dist = [float(p.findtext("t:DistanceMeters", namespaces=ns)) for p in points]
    assert dist == sorted(dist)
    assert points[70].findtext("t:Extensions/x:TPX/x:RunCadence", namespaces=ns) == "90"
    times = [
        dt.datetime.fromisoformat(p.findtext("t:Time", namespaces=ns).replace("Z", "+00:00"))
        for p in points
    ]
    assert times == sorted(times)


def test_fit_round_trip_with_garmin_decoder(golden):
    sdk = pytest.importorskip("garmin_fit_sdk")
    from pacer.formats.fit_export import to_fit

    data = to_fit(golden)
    decoder = sdk.Decoder(sdk.Stream.from_byte_array(bytearray(data)))
    assert decoder.is_fit() and decoder.check_integrity()
    messages, errors = sdk.Decoder(sdk.Stream.from_byte_array(bytearray(data))).read()
    assert errors == []
    assert messages["file_id_mesgs"][0]["type"] == "activity"
    assert len(messages["record_mesgs"]) == len(golden.estimates)
    laps = messages["lap_mesgs"]
    assert len(laps) == len(golden.reps)
    for lap, rep in zip(laps, golden.reps, strict=True):
        assert lap["total_elapsed_time"] == pytest.approx(rep.duration_s, abs=1e-3)
        assert lap["total_distance"] == pytest.approx(rep.distance_m, abs=0.01)
        assert lap["start_time"] == rep.start_utc.replace(microsecond=0)
    steps = messages["workout_step_mesgs"]
    work = [s for s, r in zip(steps, golden.reps, strict=True) if r.kind is RepKind.WORK]
    assert all(s["duration_distance"] == 200.0 for s in work)
    assert all(
        s["custom_target_speed_low"] < 1000 / 180 < s["custom_target_speed_high"] for s in work
    )
    (session,) = messages["session_mesgs"]
    assert session["num_laps"] == len(golden.reps) and session["sport"] == "running"
    assert session["total_distance"] == pytest.approx(golden.estimates[-1].distance_m, abs=0.01)
    assert len(messages["activity_mesgs"]) == 1
    rec = messages["record_mesgs"][70]
    assert rec["position_lat"] * 180 / 2**31 == pytest.approx(
        golden.estimates[70].lat_deg, abs=1e-6
    )
    assert rec["cadence"] + rec["fractional_cadence"] == pytest.approx(90.0)


def test_fit_export_replays_through_the_fit_reader(golden, tmp_path):
    pytest.importorskip("garmin_fit_sdk")
    from pacer.formats.fit_export import to_fit
    from pacer.formats.readers import fixes_from_fit

    path = tmp_path / "out.fit"
    path.write_bytes(to_fit(golden))
    fixes = list(fixes_from_fit(path))
    assert len(fixes) == len(golden.estimates)
    assert fixes[100].speed_mps == pytest.approx(golden.estimates[100].speed_mps, abs=1e-3)


def test_session_without_reps_exports_one_lap_and_without_utc_says_why(tmp_path):
    import datetime as dt

    from pacer.errors import SessionError
    from pacer.formats.fit_export import to_fit
    from pacer.formats.gpx_export import to_gpx
    from pacer.formats.tcx_export import to_tcx
    from pacer.models import DistanceSource, Estimate
    from pacer.session.store import SessionWriter

    def est(t, utc):
        return Estimate(t, utc, 3.0 * t, 3.0, 0.9, 170.0, 0.8, DistanceSource.GPS, True)

    start = dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC)
    with SessionWriter.create(tmp_path / "steady", meta={"start_utc": start.isoformat()}) as w:
        for t in range(60):
            w.add_estimate(est(float(t), None))  # UTC from start_utc + t_s
    data = open_session(tmp_path / "steady")
    root = ET.fromstring(to_tcx(data).encode())
    laps = root.findall(".//{*}Lap")
    assert len(laps) == 1 and float(laps[0].findtext("{*}DistanceMeters")) == pytest.approx(177.0)
    assert root.findall(".//{*}Trackpoint")[59].findtext("{*}Time") == "2026-11-20T07:00:59Z"
    sdk = pytest.importorskip("garmin_fit_sdk")
    messages, errors = sdk.Decoder(sdk.Stream.from_byte_array(bytearray(to_fit(data)))).read()
    assert errors == [] and len(messages["lap_mesgs"]) == 1
    assert "workout_mesgs" not in messages

    with SessionWriter.create(tmp_path / "noutc", meta={}) as w:
        w.add_estimate(est(0.0, None))
    with pytest.raises(SessionError, match="no UTC time") as err:
        to_gpx(open_session(tmp_path / "noutc"))
    assert "\n" not in str(err.value)


@pytest.mark.slow
def test_tcx_export_reads_back_with_laps_equal_to_reps(tmp_path) -> None:
    """TCX export read back by an independent reader (python-tcxparser, lxml underneath)."""
    tcxparser = pytest.importorskip("tcxparser",
                                    reason="python-tcxparser (dev extra) not installed")
    session = tmp_path / "s"
    assert main(["sim", "--duration", "600", "--session-dir", str(session), "--quiet"]) == 0
    out = tmp_path / "s.tcx"
    assert main(["export", str(session), "--format", "tcx", "-o", str(out)]) == 0
    data = open_session(session)
    tcx = tcxparser.TCXParser(str(out))
    assert tcx.activity_type == "running"
    laps = list(tcx.activity.Lap)
    assert len(laps) == len(data.reps)
    for lap, rep in zip(laps, data.reps, strict=True):
        assert float(lap.TotalTimeSeconds) == pytest.approx(rep.duration_s, abs=0.01)
        assert float(lap.DistanceMeters) == pytest.approx(rep.distance_m, abs=0.1)
    positions = tcx.position_values()
    assert len(positions) >= 0.95 * sum(f.has_position for f in data.fixes)
    lat, lon = positions[len(positions) // 2]
    assert 51.8 < lat < 51.9 and -0.5 < lon < -0.3  # the simulated track at Luton
