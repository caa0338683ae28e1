"""Replay readers: accelerometer CSV, GPX and FIT, including damaged files."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from helpers.shared_data import needs_shared, shared_data_dir

from pacer.errors import InputError
from pacer.formats.readers import (
    STANDARD_GRAVITY_MPS2,
    fixes_from_fit,
    fixes_from_gpx,
    looks_like_epoch,
    read_accel_csv,
)  # fmt: skip
from pacer.models import SkipCounters

DATA = Path(__file__).resolve().parents[1] / "data" / "session"
SHARED = shared_data_dir()


def _write_csv(path: Path, t: np.ndarray, xyz: np.ndarray, header="t_s,ax,ay,az,extra") -> Path:
    rows = [header] + [
        f"{a:.6f},{x:.5f},{y:.5f},{z:.5f},7" for a, (x, y, z) in zip(t, xyz, strict=True)
    ]
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize("rate_hz", [50.0, 103.0, 400.0])
def test_rate_estimated_from_jittery_timestamps(tmp_path, rate_hz):
    rng = np.random.default_rng(1)
    n = int(rate_hz * 20)
    t = np.arange(n) / rate_hz + rng.normal(0, 0.1 / rate_hz, n)
    xyz = rng.normal(0, 1, (n, 3))
    blocks = list(read_accel_csv(_write_csv(tmp_path / "a.csv", t, xyz)))
    assert abs(blocks[0].rate_hz - rate_hz) / rate_hz < 2e-3
    assert sum(b.n for b in blocks) == n
    assert all(b.lost_samples == 0 for b in blocks)
    np.testing.assert_allclose(np.vstack([b.samples_mps2 for b in blocks]), xyz, atol=1e-5)
    assert blocks[1].t0_s == pytest.approx(blocks[0].t_end_s, abs=1e-9)


def test_gap_becomes_lost_samples_and_g_units_convert(tmp_path):
    t = np.concatenate([np.arange(100) / 100, 1.5 + np.arange(100) / 100])  # 0.5 s missing
    xyz = np.tile([0.0, 0.0, 1.0], (200, 1))
    blocks = list(read_accel_csv(_write_csv(tmp_path / "g.csv", t, xyz), units="g"))
    assert [b.lost_samples for b in blocks] == [0, 50]
    assert blocks[1].t0_s == pytest.approx(1.5)
    np.testing.assert_allclose(blocks[0].samples_mps2[:, 2], STANDARD_GRAVITY_MPS2)


def test_epoch_times_detected_and_offset(tmp_path):
    t0 = 1_763_370_000.0
    t = t0 + np.arange(200) / 100
    path = _write_csv(tmp_path / "e.csv", t, np.zeros((200, 3)))
    first = next(read_accel_csv(path))
    assert looks_like_epoch(first.t0_s) and not looks_like_epoch(12.0)
    assert next(read_accel_csv(path, t_offset_s=t0)).t0_s == pytest.approx(0.0, abs=1e-6)


def test_bad_rows_are_skipped_counted_and_named(tmp_path):
    path = tmp_path / "bad.csv"
    lines = ["t_s,ax,ay,az"] + [f"{i / 100},0,0,9.8" for i in range(100)]
    lines[10] = "0.09,zero,0,9.8"  # line 11
    lines[20] = "0.19,0"  # line 21
    lines[30] = "0.01,0,0,9.8"  # line 31: time goes back
    path.write_text("\n".join(lines) + "\n")
    said, counters = [], SkipCounters()
    blocks = list(read_accel_csv(path, on_skip=said.append, counters=counters))
    assert sum(b.n for b in blocks) == 97
    assert counters.malformed == 3 and counters.lines == 100
    assert [s.split(":")[1] for s in said] == ["11", "21", "31"]
    assert all(s.startswith(f"{path}:") for s in said)


@pytest.mark.parametrize(
    "text, problem",
    [("", "empty file"), ("1,2,3,4\n2,3,4,5\n", "no header"), ("t_s,ax,ay,az\nx,y,z,w\n", "fewer")],
)
def test_unusable_csv_is_one_line_input_error(tmp_path, text, problem):
    path = tmp_path / "u.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=problem) as err:
        list(read_accel_csv(path))
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_gpx_track_points_become_fixes():
    fixes = list(fixes_from_gpx(DATA / "track_session_60pts.gpx"))
    assert len(fixes) == 60
    assert fixes[0].t_s == 0.0 and fixes[0].utc.isoformat() == "2021-06-17T18:51:41+00:00"
    assert fixes[0].lat_deg == pytest.approx(51.86279) and fixes[0].alt_m == pytest.approx(159.5)
    assert all(f.valid and f.speed_mps is None for f in fixes)  # this file has no speed
    assert np.all(np.diff([f.t_s for f in fixes]) > 0)


def test_truncated_gpx_keeps_points_before_the_damage(tmp_path):
    text = (DATA / "track_session_60pts.gpx").read_text()
    cut = tmp_path / "cut.gpx"
    cut.write_text(text[: len(text) // 2])
    said = []
    fixes = list(fixes_from_gpx(cut, on_skip=said.append))
    assert 20 < len(fixes) < 40
    assert len(said) == 1 and said[0].startswith(f"{cut}:") and "damaged" in said[0]
    garbage = tmp_path / "garbage.gpx"
    garbage.write_bytes(b"\x00\x01not xml at all")
    with pytest.raises(InputError, match=str(garbage)):
        list(fixes_from_gpx(garbage))


def test_truncated_fit_replays_what_is_valid_and_reports_the_rest(tmp_path):
    said, counters = [], SkipCounters()
    fixes = list(
        fixes_from_fit(DATA / "activity-unexpected-eof.fit", on_skip=said.append, counters=counters)
    )
    assert len(fixes) == 14 and counters.malformed == 1
    assert len(said) == 1 and "activity-unexpected-eof.fit" in said[0] and "kept 14" in said[0]
    assert fixes[0].lat_deg == pytest.approx(41.5139, abs=1e-3)
    assert fixes[0].lon_deg == pytest.approx(-73.1486, abs=1e-3)
    not_fit = tmp_path / "x.fit"
    not_fit.write_bytes(b"hello world, not a fit file")
    with pytest.raises(InputError, match="not a FIT file"):
        list(fixes_from_fit(not_fit))
    head_only = tmp_path / "head.fit"
    head_only.write_bytes((DATA / "activity-unexpected-eof.fit").read_bytes()[:40])
    with pytest.raises(InputError) as err:
        list(fixes_from_fit(head_only))
    assert str(head_only) in str(err.value) and "\n" not in str(err.value)


@needs_shared("fit")
def test_real_fenix_fit_with_speed(tmp_path):
    fixes = list(fixes_from_fit(SHARED / "fit" / "activity-small-fenix2-run.fit"))
    moving = [f.speed_mps for f in fixes if f.speed_mps]
    assert len(fixes) > 2000 and 2.0 < float(np.median(moving)) < 6.0
    shutil.copy(SHARED / "fit" / "2013-02-06-12-11-14.fit", tmp_path / "a.fit")
    assert len(list(fixes_from_fit(tmp_path / "a.fit"))) > 500


def test_device_cadence_and_heart_rate_from_gpx_and_fit(tmp_path):
    from pacer.formats.extras import device_series_from_fit, device_series_from_gpx

    gpx = device_series_from_gpx(DATA / "track_session_60pts.gpx")
    assert gpx.t_s.size == 60 and gpx.has_cadence
    assert gpx.cadence_spm[8] == 194.0  # <gpxtpx:cad>97</gpxtpx:cad>: strides -> steps
    assert gpx.heart_rate_bpm[0] == 71.0
    fit = device_series_from_fit(DATA / "activity-unexpected-eof.fit")
    assert fit.t_s.size == 14 and not fit.has_cadence  # this file recorded no cadence
    from helpers.golden_session import build

    from pacer.formats.fit_export import to_fit  # a pacer FIT round-trips its cadence
    from pacer.session.reader import open_session

    data = open_session(build(tmp_path / "g"))
    (tmp_path / "g.fit").write_bytes(to_fit(data))
    back = device_series_from_fit(tmp_path / "g.fit")
    np.testing.assert_allclose(back.cadence_spm, [e.cadence_spm for e in data.estimates])


@needs_shared("gps", "track_session", "track_session.gpx")
def test_real_track_session_gpx_with_recording_gaps():
    fixes = list(fixes_from_gpx(SHARED / "gps" / "track_session" / "track_session.gpx"))
    t = np.array([f.t_s for f in fixes])
    assert len(fixes) == 691 and t[-1] == 1527.0  # the watch paused: points are missing
    assert np.all(np.diff(t) > 0) and np.diff(t).max() > 10


# ---------------------------------------------------------------------- wrong timestamps


def _gpx(times: list[str]) -> str:
    pts = "".join(
        f'<trkpt lat="{51.0 + k * 1e-5:.6f}" lon="-0.4"><time>{t}</time></trkpt>'
        for k, t in enumerate(times)
    )
    return (
        '<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><trkseg>{pts}</trkseg></trk></gpx>"
    )


def _minutes(start_min: int, n: int, year: int = 2021) -> list[str]:
    return [f"{year}-06-17T18:{m:02d}:00Z" for m in range(start_min, start_min + n)]


def test_one_gpx_point_ten_years_ahead_is_dropped_and_counted(tmp_path):
    times = _minutes(0, 10)
    times[5] = times[5].replace("2021", "2031")
    path = tmp_path / "jump.gpx"
    path.write_text(_gpx(times))
    skips, counters = [], SkipCounters()
    fixes = list(fixes_from_gpx(path, on_skip=skips.append, counters=counters))
    assert len(fixes) == 9
    assert [f.t_s for f in fixes] == [0, 60, 120, 180, 240, 360, 420, 480, 540]
    assert counters.extra == {"time_jump": 1}
    assert len(skips) == 1 and "track point 6" in skips[0] and "time_jump" in skips[0]


def test_gpx_point_going_backwards_is_out_of_order(tmp_path):
    times = _minutes(10, 8)
    times[3] = "2021-06-17T17:00:00Z"
    path = tmp_path / "back.gpx"
    path.write_text(_gpx(times))
    counters = SkipCounters()
    fixes = list(fixes_from_gpx(path, counters=counters))
    assert len(fixes) == 7 and all(np.diff([f.t_s for f in fixes]) > 0)
    assert counters.extra == {"out_of_order": 1}


def test_a_wrong_first_point_does_not_take_the_track_with_it(tmp_path):
    times = _minutes(0, 6)
    times[0] = "2102-01-01T00:00:00Z"
    path = tmp_path / "first.gpx"
    path.write_text(_gpx(times))
    counters = SkipCounters()
    fixes = list(fixes_from_gpx(path, counters=counters))
    assert len(fixes) == 5 and fixes[0].t_s == 0.0 and fixes[-1].t_s == 240.0
    assert counters.extra == {"time_jump": 1}


def test_a_pause_confirmed_by_the_following_points_is_kept(tmp_path):
    # a two-hour break in a long event: 3+ points on the new time base confirm it
    times = _minutes(0, 5) + [f"2021-06-17T21:{m:02d}:00Z" for m in range(4)]
    path = tmp_path / "pause.gpx"
    path.write_text(_gpx(times))
    counters = SkipCounters()
    fixes = list(fixes_from_gpx(path, counters=counters))
    assert len(fixes) == 9 and counters.extra == {}
    assert fixes[5].t_s == 3 * 3600.0


def test_two_trailing_points_a_day_ahead_are_not_enough_to_confirm(tmp_path):
    times = _minutes(0, 5) + ["2021-06-18T18:10:00Z", "2021-06-18T18:11:00Z"]
    path = tmp_path / "tail.gpx"
    path.write_text(_gpx(times))
    counters = SkipCounters()
    fixes = list(fixes_from_gpx(path, counters=counters))
    assert len(fixes) == 5 and counters.extra == {"time_jump": 2}


def test_fit_with_a_flipped_bit_reports_crc_and_drops_the_2085_record(tmp_path):
    data = bytearray((DATA / "garmin-fenix-5-run.fit").read_bytes())
    data[2036] ^= 0x80  # makes one record's timestamp 2085 (and the file CRC wrong)
    path = tmp_path / "flipped.fit"
    path.write_bytes(bytes(data))
    skips, counters = [], SkipCounters()
    fixes = list(fixes_from_fit(path, on_skip=skips.append, counters=counters))
    clean = list(fixes_from_fit(DATA / "garmin-fenix-5-run.fit"))
    assert len(fixes) == len(clean) - 1
    assert max(f.t_s for f in fixes) <= max(f.t_s for f in clean)
    assert all(f.utc.year == 2017 for f in fixes)
    assert counters.extra == {"time_jump": 1, "crc_error": 1}
    assert any("CRC error" in s for s in skips)
