"""Hardware in the loop: a real Bluetooth adapter, heart-rate strap and footpod
(skipped unless PACER_HIL=1).

Environment:
    PACER_HIL=1                     run these tests
    PACER_HIL_BT_ADAPTER=hci0       BlueZ adapter
    PACER_HIL_STRAP=C0:FF:EE:..     the strap's address (default: the first one seen)
    PACER_HIL_WATCH=1               also wait 60 s for a watch to subscribe to the footpod

Wear the strap (wet electrodes) while the tests run; bluetoothd must be running.
"""

from __future__ import annotations

import os
import queue
import time

import pytest

pytestmark = [
    pytest.mark.hil,
    pytest.mark.skipif(os.environ.get("PACER_HIL") != "1", reason="needs hardware: PACER_HIL=1"),
]

ADAPTER = os.environ.get("PACER_HIL_BT_ADAPTER", "hci0")
STRAP = os.environ.get("PACER_HIL_STRAP") or None


def test_a_strap_is_seen_by_a_scan() -> None:
    from pacer.ble.strap import scan_heart_rate_straps

    found = scan_heart_rate_straps(timeout_s=15.0, adapter=ADAPTER)
    assert found, "no strap advertising 0x180D: wear it (wet electrodes) and retry"
    if STRAP:
        assert STRAP.upper() in [f.address for f in found]


def test_the_strap_delivers_plausible_heart_rates() -> None:
    from pacer.ble.strap import HeartRateRecord, HeartRateStrap

    with HeartRateStrap(STRAP, adapter=ADAPTER) as strap:
        deadline = time.monotonic() + 45.0
        bpm: list[int] = []
        while time.monotonic() < deadline and len(bpm) < 5:
            try:
                item = strap.records.get(timeout=1.0)
            except queue.Empty:
                continue
            if isinstance(item, HeartRateRecord):
                bpm.append(item.measurement.heart_rate_bpm)
    assert len(bpm) == 5, "fewer than 5 notifications in 45 s"
    assert all(30 <= b <= 230 for b in bpm), bpm


def test_the_footpod_registers_with_bluez_and_notifies() -> None:
    from pacer.ble.footpod import FootpodPeripheral, FootpodSample

    with FootpodPeripheral(adapter=ADAPTER) as pod:
        wait_s = 60.0 if os.environ.get("PACER_HIL_WATCH") == "1" else 2.0
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            pod.update(FootpodSample(time.monotonic(), speed_mps=3.5, cadence_spm=172,
                                     distance_m=100.0))
            time.sleep(0.5)
            if pod.notifications_sent:
                break
        assert pod.error is None
        if os.environ.get("PACER_HIL_WATCH") == "1":
            assert pod.notifications_sent > 0, "no watch subscribed to 0x2A53 within 60 s"
