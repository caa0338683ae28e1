"""Heart-rate and device-cadence records: held while fresh in the estimate, routed by the
real Pipeline to the real estimator and session store, read back exactly; the
``[heart_rate]`` config section; a GPX/FIT file's values as records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from pacer.config import HeartRateConfig, load_config
from pacer.dsp.estimator import LiveEstimator
from pacer.dsp.held import HEART_RATE_FRESH_S, HeldReading
from pacer.errors import ConfigError
from pacer.models import CadenceSample, Fix, HeartRateSample
from pacer.runtime import Pipeline, run_records
from pacer.session.reader import iter_heart_rate, open_session
from pacer.session.store import SessionWriter

UTC0 = dt.datetime(2026, 5, 16, 9, 0, tzinfo=dt.UTC)


def _fix(t_s: float) -> Fix:
    return Fix(t_s=t_s, utc=UTC0 + dt.timedelta(seconds=t_s), valid=True, lat_deg=51.0,
               lon_deg=0.0, speed_mps=3.0, hdop=0.9, sats=9)


def test_a_reading_holds_while_fresh_then_goes() -> None:
    held = HeldReading(5.0)
    assert held.at(0.0) is None
    held.push(1.0, 150.0)
    assert held.at(1.0) == 150.0 and held.at(6.0) == 150.0 and held.at(6.01) is None
    held.push(0.5, 90.0)  # out of order: ignored
    assert held.at(2.0) == 150.0
    held.push(7.0, None)  # an unusable reading clears it
    assert held.at(7.5) is None


def test_usable_means_contact_and_a_plausible_rate() -> None:
    assert HeartRateSample(0.0, 150.0).usable
    assert HeartRateSample(0.0, 150.0, contact=True).usable
    assert not HeartRateSample(0.0, 150.0, contact=False).usable
    assert not HeartRateSample(0.0, 0.0).usable


def _records(n_s: int) -> list[Fix | HeartRateSample | CadenceSample]:
    out: list[Fix | HeartRateSample | CadenceSample] = []
    for k in range(n_s):
        out.append(_fix(k + 0.1))
        if k < 20 or k >= 40:  # the strap drops out from 20 s to 40 s
            out.append(HeartRateSample(k + 0.5, 120.0 + k, (0.5, 0.49), True))
        if k < 30:
            out.append(CadenceSample(k + 0.6, 170.0))
    return out


def test_the_pipeline_routes_readings_to_estimator_and_store(tmp_path: Path) -> None:
    writer = SessionWriter.create(tmp_path / "s", meta={})
    pipeline = run_records(Pipeline(estimator=LiveEstimator(), store=writer), _records(60))
    assert pipeline.device_records["heart_rate"] == 40
    data = open_session(tmp_path / "s")
    assert len(data.heart_rate) == 40
    assert data.heart_rate[0] == HeartRateSample(0.5, 120.0, (0.5, 0.49), True)
    assert list(iter_heart_rate(tmp_path / "s")) == list(data.heart_rate)
    by_t = {e.t_s: e for e in data.estimates}
    assert by_t[10.0].heart_rate_bpm == 129.0  # the reading at 9.5 s
    # stale after HEART_RATE_FRESH_S without a reading, back with the next one
    assert by_t[24.0].heart_rate_bpm == 139.0  # the last reading, 19.5 s
    assert by_t[19.0 + HEART_RATE_FRESH_S + 1].heart_rate_bpm is None
    assert by_t[41.0].heart_rate_bpm == 160.0
    # no accelerometer: the device's cadence stands in while fresh
    assert by_t[10.0].cadence_spm == 170.0 and by_t[40.0].cadence_spm is None


def test_a_reading_without_contact_is_not_shown(tmp_path: Path) -> None:
    est = LiveEstimator()
    est.push_fix(_fix(0.1))
    est.push_heart_rate(HeartRateSample(0.5, 140.0, contact=True))
    assert est.estimate(1.0).heart_rate_bpm == 140.0
    est.push_heart_rate(HeartRateSample(1.5, 140.0, contact=False))
    assert est.estimate(2.0).heart_rate_bpm is None


def test_a_devices_zero_cadence_is_no_rhythm() -> None:
    est = LiveEstimator()
    est.push_fix(_fix(0.1))
    est.push_cadence(CadenceSample(0.5, 172.0))
    assert est.estimate(1.0).cadence_spm == 172.0
    est.push_cadence(CadenceSample(1.5, 0.0))
    assert est.estimate(2.0).cadence_spm is None


def _config(tmp_path: Path, text: str) -> HeartRateConfig:
    path = tmp_path / "pacer.toml"
    path.write_text(text)
    return load_config(path, search_defaults=False).heart_rate


def test_zones_from_the_config(tmp_path: Path) -> None:
    assert HeartRateConfig().zones() is None
    karvonen = _config(tmp_path, "[heart_rate]\nmax_bpm = 190\nresting_bpm = 50\n").zones()
    assert karvonen is not None and karvonen.bounds_bpm == (120, 134, 148, 162, 176, 190)
    pmax = _config(tmp_path, '[heart_rate]\nmax_bpm = 200\nmethod = "percent_max"\n').zones()
    assert pmax is not None and pmax.bounds_bpm == (100, 120, 140, 160, 180, 200)
    bounds = _config(tmp_path, "[heart_rate]\nmax_bpm = 200\nzone_bounds_bpm = [110, 130.5, 150]\n")
    assert bounds.zones() is not None and bounds.zones().bounds_bpm == (110.0, 130.5, 150.0)


@pytest.mark.parametrize("text, message", [
    ("[heart_rate]\n\nmax_bpm = 300\n", ":3: [heart_rate] max_bpm = 300.0 is outside 25..250"),
    ("[heart_rate]\nmax_bpm = '190'\n", ":2: [heart_rate] max_bpm must be a number"),
    ("[heart_rate]\nmax_bpm = 150\nresting_bpm = 160\n",
     ":3: [heart_rate] resting_bpm (160) must be below max_bpm (150)"),
    ("[heart_rate]\nmax_bpm = 190\n", ':2: [heart_rate] method = "karvonen" needs resting_bpm'),
    ("[heart_rate]\nmethod = 'hrr'\n", ":2: [heart_rate] method = 'hrr' is not one of karvonen"),
    ("[heart_rate]\nzone_bounds_bpm = [150, 140]\n",
     ":2: [heart_rate] zone_bounds_bpm must be a list of 2 to 64 increasing"),
    ("[heart_rate]\nmax_hr = 190\n", ":2: unknown key 'max_hr' in [heart_rate] -- did you mean"),
])
def test_config_errors_name_the_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        _config(tmp_path, text)
    assert str(err.value).startswith(f"{tmp_path / 'pacer.toml'}{message}")


GPX = """<?xml version="1.0"?>
<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"
 xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"><trk><trkseg>
<trkpt lat="51.0" lon="0.0"><time>2026-05-16T09:00:00Z</time></trkpt>
<trkpt lat="51.00001" lon="0.0"><time>2026-05-16T09:00:01Z</time><extensions>
<gpxtpx:TrackPointExtension><gpxtpx:hr>141</gpxtpx:hr><gpxtpx:cad>86</gpxtpx:cad>
</gpxtpx:TrackPointExtension></extensions></trkpt>
<trkpt lat="51.00002" lon="0.0"><time>2026-05-16T09:00:02Z</time><extensions>
<gpxtpx:TrackPointExtension><gpxtpx:hr>143</gpxtpx:hr></gpxtpx:TrackPointExtension>
</extensions></trkpt>
</trkseg></trk></gpx>
"""


def test_a_gpx_files_heart_rate_and_cadence_as_records(tmp_path: Path) -> None:
    from pacer.wiring.replay import replay_records

    path = tmp_path / "run.gpx"
    path.write_text(GPX)
    records, first_utc = replay_records(gpx=path)
    got = [r for r in records if not isinstance(r, Fix)]
    assert first_utc == UTC0
    # cad is strides per minute: doubled to steps per minute
    assert got == [CadenceSample(1.0, 172.0), HeartRateSample(1.0, 141.0),
                   HeartRateSample(2.0, 143.0)]
    accel = tmp_path / "a.csv"
    accel.write_text("t_s,ax,ay,az\n" + "".join(f"{k / 100},0,0,9.8\n" for k in range(300)))
    records, _ = replay_records(gpx=path, accel=accel)
    kinds = {type(r) for r in records}
    assert HeartRateSample in kinds and CadenceSample not in kinds  # the accelerometer's


def test_a_point_with_a_bad_time_is_skipped_not_fatal(tmp_path: Path) -> None:
    from pacer.wiring.replay import replay_records

    path = tmp_path / "run.gpx"
    path.write_text(GPX.replace("2026-05-16T09:00:02Z", "2026-13-45T99:00:02Z"))
    records, _ = replay_records(gpx=path)
    got = [r for r in records if isinstance(r, HeartRateSample)]
    assert got == [HeartRateSample(1.0, 141.0)]


def test_sim_strap_records_come_through_the_decoder() -> None:
    from pacer.sim.effort import Effort
    from pacer.sim.runner import RunnerModel
    from pacer.wiring.heart_rate import simulated_strap_records

    runner = RunnerModel([Effort("stand", duration_s=10.0), Effort("run", duration_s=60.0,
                                                                    speed_mps=4.5)], seed=1)
    samples = list(simulated_strap_records(runner, seed=1))
    t = np.array([s.t_s for s in samples])
    assert len(samples) == pytest.approx(70, abs=2) and np.all(np.diff(t) > 0)
    assert all(float(s.heart_rate_bpm).is_integer() and s.contact for s in samples)
    assert samples[-1].heart_rate_bpm > samples[5].heart_rate_bpm + 30  # lags effort, rises


def test_the_strap_clients_items_become_records() -> None:
    from pacer.ble.gatt_codec import HeartRateMeasurement
    from pacer.ble.sensor_client import SensorEvent
    from pacer.ble.strap import HeartRateRecord
    from pacer.models import DeviceEvent, DeviceState
    from pacer.wiring.heart_rate import record_from_strap

    m = HeartRateMeasurement(152, True, True, None, (0.39, 0.4))
    assert record_from_strap(HeartRateRecord(3.5, "AA:BB", m)) == HeartRateSample(
        3.5, 152.0, (0.39, 0.4), True)
    no_contact_info = HeartRateMeasurement(150)
    assert record_from_strap(HeartRateRecord(4.0, "AA:BB", no_contact_info)).contact is None
    lost = record_from_strap(SensorEvent(9.0, "AA:BB", "disconnected", "link lost"))
    assert lost == DeviceEvent(9.0, "heart_rate", DeviceState.LOST, "link lost")
