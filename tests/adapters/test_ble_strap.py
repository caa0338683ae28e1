"""The heart-rate strap client (bleak over BlueZ's D-Bus API) against the fake bluetoothd."""

from __future__ import annotations

import itertools
import queue
import time

import pytest

from pacer.ble.gatt_codec import HeartRateMeasurement, encode_heart_rate
from pacer.ble.strap import (
    HeartRateRecord,
    HeartRateStrap,
    StrapEvent,
    scan_heart_rate_straps,
)

STRAP = "C0:FF:EE:00:18:0D"


def _next(strap: HeartRateStrap, cls: type, timeout_s: float = 15.0, **match):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            item = strap.records.get(timeout=0.1)
        except queue.Empty:
            continue
        if isinstance(item, cls) and all(getattr(item, k) == v for k, v in match.items()):
            return item
    raise AssertionError(f"no {cls.__name__} {match} within {timeout_s} s")


def _notify_until_received(fake, strap, payload: bytes, timeout_s: float = 10.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if fake.notify(STRAP, payload):
            return _next(strap, HeartRateRecord, 5.0)
        time.sleep(0.05)
    raise AssertionError("the strap client never subscribed to 0x2A37")


def test_scan_lists_the_strap(fake_bluez) -> None:
    fake_bluez.add_strap(STRAP, "Polar H10 1234")
    fake_bluez.add_device("AA:BB:CC:00:00:01", "a phone")
    found = scan_heart_rate_straps(timeout_s=1.0)
    assert [(f.address, f.name) for f in found] == [(STRAP, "Polar H10 1234")]


def test_strap_decodes_notifications_stamped_by_the_injected_clock(fake_bluez) -> None:
    fake_bluez.add_strap(STRAP)
    ticks = itertools.count(1000)
    with HeartRateStrap(STRAP, clock=lambda: float(next(ticks)), scan_timeout_s=5.0) as strap:
        _next(strap, StrapEvent, kind="connected")
        m = HeartRateMeasurement(152, True, True, 42, (0.5, 0.25))
        rec = _notify_until_received(fake_bluez, strap, encode_heart_rate(m))
        assert rec.measurement == m and rec.address == STRAP and rec.t_s >= 1000
        rec = _notify_until_received(fake_bluez, strap, bytes([0x01, 0x2C, 0x01]))
        assert rec.measurement.heart_rate_bpm == 300
        fake_bluez.notify(STRAP, b"\x10\x90\x01")          # odd RR bytes: counted, not fatal
        rec = _notify_until_received(fake_bluez, strap, bytes([0x00, 99]))
        assert rec.measurement.heart_rate_bpm == 99 and strap.decode_errors == 1


@pytest.mark.slow
def test_strap_reconnects_after_a_drop_out_with_backoff(fake_bluez) -> None:
    fake_bluez.add_strap(STRAP)
    strap = HeartRateStrap(STRAP, backoff_s=(0.2, 0.4), scan_timeout_s=1.0)
    strap.start()
    try:
        _next(strap, StrapEvent, kind="connected")
        _notify_until_received(fake_bluez, strap, bytes([0x00, 140]))
        fake_bluez.set_reachable(STRAP, False)
        fake_bluez.drop(STRAP)
        _next(strap, StrapEvent, kind="disconnected")
        _next(strap, StrapEvent, kind="not_found")          # out of range: keeps trying
        fake_bluez.set_reachable(STRAP, True)
        _next(strap, StrapEvent, kind="connected")
        rec = _notify_until_received(fake_bluez, strap, bytes([0x00, 141]))
        assert rec.measurement.heart_rate_bpm == 141 and strap.connections == 2
    finally:
        t0 = time.monotonic()
        strap.stop()
        assert time.monotonic() - t0 < 5.0


@pytest.mark.slow
def test_start_never_blocks_the_caller_when_no_strap_exists(fake_bluez) -> None:
    t0 = time.monotonic()
    strap = HeartRateStrap("00:00:00:00:00:01", scan_timeout_s=30.0)
    strap.start()
    assert time.monotonic() - t0 < 1.0
    strap.stop(timeout_s=5.0)
    assert time.monotonic() - t0 < 6.0


@pytest.mark.parametrize("backoff", [(), (-1.0,)])
def test_bad_backoff_is_refused(backoff) -> None:
    with pytest.raises(ValueError, match="backoff_s"):
        HeartRateStrap(STRAP, backoff_s=backoff)


def test_without_an_address_the_first_strap_seen_is_used(fake_bluez) -> None:
    fake_bluez.add_device("AA:BB:CC:00:00:01", "a phone")
    fake_bluez.add_strap(STRAP)
    with HeartRateStrap(None, scan_timeout_s=5.0) as strap:
        event = _next(strap, StrapEvent, kind="connected")
        assert event.address == STRAP
        assert _notify_until_received(fake_bluez, strap, bytes([0x00, 77])).address == STRAP
