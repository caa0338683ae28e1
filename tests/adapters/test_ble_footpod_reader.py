"""Reading an RSC footpod (Stryd, Polar Stride) against the fake bluetoothd."""

from __future__ import annotations

import queue
import time

from pacer.ble.footpod_reader import FootpodReader, FootpodRecord, scan_footpods
from pacer.ble.gatt_codec import RscMeasurement, encode_rsc_measurement
from pacer.ble.sensor_client import SensorEvent

POD = "F0:0D:00:00:18:14"


def _next(reader, cls, timeout_s: float = 15.0, **match):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            item = reader.records.get(timeout=0.1)
        except queue.Empty:
            continue
        if isinstance(item, cls) and all(getattr(item, k) == v for k, v in match.items()):
            return item
    raise AssertionError(f"no {cls} {match} within {timeout_s} s")


def test_scan_finds_the_pod_and_not_the_strap(fake_bluez) -> None:
    fake_bluez.add_footpod(POD, "Stryd 1234")
    fake_bluez.add_strap("C0:FF:EE:00:18:0D")
    assert [(f.address, f.name) for f in scan_footpods(timeout_s=1.0)] == [(POD, "Stryd 1234")]


def test_pod_measurements_arrive_decoded(fake_bluez) -> None:
    fake_bluez.add_strap("C0:FF:EE:00:18:0D")        # the first 0x1814 device, not this one
    fake_bluez.add_footpod(POD)
    m = RscMeasurement(speed_mps=3.75, cadence_spm=176, stride_length_m=1.28,
                       total_distance_m=2500.0, running=True)
    with FootpodReader(scan_timeout_s=5.0) as reader:
        assert _next(reader, SensorEvent, kind="connected").address == POD
        deadline = time.monotonic() + 10.0
        while not fake_bluez.notify(POD, encode_rsc_measurement(m)):
            assert time.monotonic() < deadline, "the reader never subscribed to 0x2A53"
            time.sleep(0.05)
        rec = _next(reader, FootpodRecord)
    assert rec.measurement == m and rec.address == POD
