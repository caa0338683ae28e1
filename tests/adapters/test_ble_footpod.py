"""pacer as an RSC footpod: its GATT application, advertisement and notifications, read
through D-Bus from the fake bluetoothd's registry as a watch would, byte for byte."""

from __future__ import annotations

import asyncio
import time

import pytest

from pacer.ble.control_point import FootpodState
from pacer.ble.footpod import FootpodPeripheral, FootpodSample, footpod_measurement
from pacer.ble.gatt_codec import RscMeasurement, decode_rsc_measurement, encode_rsc_measurement
from pacer.errors import DeviceError

RSC = "00001814-0000-1000-8000-00805f9b34fb"
CHRC = "org.bluez.GattCharacteristic1"


def _uuid(n: int) -> str:
    return f"0000{n:04x}-0000-1000-8000-00805f9b34fb"


class Watch:
    """A watch's view through bluetoothd: D-Bus calls to the registered application."""

    def __init__(self, bus_address: str, owner: str) -> None:
        self.bus_address, self.owner = bus_address, owner
        self.values: dict[str, list[bytes]] = {}

    async def __aenter__(self) -> Watch:
        from dbus_fast.aio import MessageBus

        self.bus = await MessageBus(bus_address=self.bus_address).connect()
        self.bus.add_message_handler(self._on_message)
        await self.call("/org/freedesktop/DBus", "org.freedesktop.DBus", "AddMatch", "s",
                        [f"type='signal',sender='{self.owner}',member='PropertiesChanged'"],
                        dest="org.freedesktop.DBus")
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.bus.disconnect()

    def _on_message(self, msg) -> None:
        if msg.member == "PropertiesChanged" and msg.body[0] == CHRC and "Value" in msg.body[1]:
            self.values.setdefault(msg.path, []).append(bytes(msg.body[1]["Value"].value))

    async def call(self, path, iface, member, signature="", body=(), dest=None):
        from dbus_fast import Message, MessageType

        reply = await self.bus.call(Message(destination=dest or self.owner, path=path,
                                            interface=iface, member=member,
                                            signature=signature, body=list(body)))
        if reply.message_type == MessageType.ERROR:
            raise RuntimeError(f"{reply.error_name}: {reply.body}")
        return reply.body

    async def wait_value(self, path: str, n: int = 1, timeout_s: float = 5.0) -> list[bytes]:
        deadline = time.monotonic() + timeout_s
        while len(self.values.get(path, [])) < n:
            if time.monotonic() > deadline:
                raise AssertionError(f"no notification on {path}")
            await asyncio.sleep(0.02)
        return self.values[path]


@pytest.fixture
def footpod(fake_bluez):
    pod = FootpodPeripheral(notify_interval_s=0.1, local_name="pacer-test")
    pod.start()
    yield pod
    pod.stop()


def test_registered_application_and_advertisement(fake_bluez, footpod) -> None:
    [(owner, app)] = fake_bluez.gatt_applications()
    assert app == "/org/pacer/footpod"
    [(adv_owner, adv)] = fake_bluez.advertisements()
    assert adv_owner == owner

    async def look():
        async with Watch(fake_bluez.bus_address, owner) as w:
            [objects] = await w.call(app, "org.freedesktop.DBus.ObjectManager",
                                     "GetManagedObjects")
            props = await w.call(adv, "org.freedesktop.DBus.Properties", "GetAll", "s",
                                 ["org.bluez.LEAdvertisement1"])
            return objects, props[0]

    objects, adv_props = asyncio.run(look())
    services = {p: i["org.bluez.GattService1"] for p, i in objects.items()
                if "org.bluez.GattService1" in i}
    assert [s["UUID"].value for s in services.values()] == [RSC]
    chars = {i[CHRC]["UUID"].value: (i[CHRC]["Flags"].value, i[CHRC]["Service"].value)
             for i in objects.values() if CHRC in i}
    assert chars == {
        _uuid(0x2A53): (["notify"], "/org/pacer/footpod/service0"),
        _uuid(0x2A54): (["read"], "/org/pacer/footpod/service0"),
        _uuid(0x2A5D): (["read"], "/org/pacer/footpod/service0"),
        _uuid(0x2A55): (["write", "indicate"], "/org/pacer/footpod/service0"),
    }
    assert adv_props["Type"].value == "peripheral"
    assert RSC in adv_props["ServiceUUIDs"].value
    assert adv_props["LocalName"].value == "pacer-test"


def test_notifications_feature_location_and_control_point_byte_for_byte(
        fake_bluez, footpod) -> None:
    [(owner, _app)] = fake_bluez.gatt_applications()
    svc = "/org/pacer/footpod/service0"
    footpod.update(FootpodSample(time.monotonic(), speed_mps=4.0, cadence_spm=180,
                                 distance_m=1234.5))

    async def watch():
        async with Watch(fake_bluez.bus_address, owner) as w:
            feature = await w.call(svc + "/char1", CHRC, "ReadValue", "a{sv}", [{}])
            location = await w.call(svc + "/char2", CHRC, "ReadValue", "a{sv}", [{}])
            await w.call(svc + "/char0", CHRC, "StartNotify")
            [first] = (await w.wait_value(svc + "/char0"))[:1]
            with pytest.raises(RuntimeError, match="ImproperlyConfigured"):
                await w.call(svc + "/char3", CHRC, "WriteValue", "aya{sv}",
                             [b"\x01\xe8\x03\x00\x00", {}])
            await w.call(svc + "/char3", CHRC, "StartNotify")
            await w.call(svc + "/char3", CHRC, "WriteValue", "aya{sv}",
                         [b"\x01\xe8\x03\x00\x00", {}])        # total distance := 100.0 m
            [answer] = await w.wait_value(svc + "/char3")
            await w.call(svc + "/char3", CHRC, "WriteValue", "aya{sv}", [b"\x04", {}])
            locations = (await w.wait_value(svc + "/char3", 2))[1]
            w.values[svc + "/char0"] = []
            [after] = (await w.wait_value(svc + "/char0"))[:1]
            return bytes(feature[0]), bytes(location[0]), first, answer, locations, after

    feature, location, first, answer, locations, after = asyncio.run(watch())
    assert feature == b"\x17\x00"           # stride, distance, running status, locations
    assert location == b"\x03"               # hip
    # flags 07 | speed 4.0 m/s = 0x0400 | 180 spm | stride 1.33 m = 133 | 1234.5 m = 12345
    assert first == bytes([0x07, 0x00, 0x04, 180, 0x85, 0x00, 0x39, 0x30, 0x00, 0x00])
    assert answer == bytes([0x10, 0x01, 0x01])
    assert locations == bytes([0x10, 0x04, 0x01, 3, 2, 1, 0])
    assert decode_rsc_measurement(after).total_distance_m == pytest.approx(100.0)
    assert footpod.notifications_sent >= 2


def test_stop_unregisters_and_a_missing_adapter_is_a_device_error(fake_bluez) -> None:
    pod = FootpodPeripheral()
    pod.start()
    assert len(fake_bluez.gatt_applications()) == 1
    pod.stop()
    assert fake_bluez.gatt_applications() == [] and fake_bluez.advertisements() == []
    with pytest.raises(DeviceError, match="hci7"):
        FootpodPeripheral(adapter="hci7").start(timeout_s=5.0)


@pytest.mark.parametrize("sample, expected", [
    (FootpodSample(0.0, 3.0, 170.0, 10.0), RscMeasurement(3.0, 170, 1.06, 10.0, True)),
    (FootpodSample(0.0, 1.2, None, None), RscMeasurement(1.2, 0, None, None, False)),
    (FootpodSample(0.0, 300.0, 400.0), RscMeasurement(0xFFFF / 256, 255, 0.0 + round(
        0xFFFF / 256 * 60 / 255, 2), None, True)),
    (FootpodSample(0.0, float("nan"), 170.0), None),
    (FootpodSample(0.0, 3.0, 170.0, 1.0, stride_length_m=1.2),
     RscMeasurement(3.0, 170, 1.2, 1.0, True)),
])
def test_footpod_measurement_from_a_sample(sample, expected) -> None:
    assert footpod_measurement(sample, FootpodState()) == expected
    if expected is not None:
        encode_rsc_measurement(expected)     # always fits the wire format


def test_a_stale_estimate_is_not_repeated(fake_bluez) -> None:
    now = [100.0]
    pod = FootpodPeripheral(notify_interval_s=0.05, stale_after_s=3.0, clock=lambda: now[0])
    pod.start()
    try:
        [(owner, _app)] = fake_bluez.gatt_applications()
        path = "/org/pacer/footpod/service0/char0"
        pod.update(FootpodSample(99.0, speed_mps=3.0, cadence_spm=170))

        async def watch() -> tuple[int, int]:
            async with Watch(fake_bluez.bus_address, owner) as w:
                await w.call(path, CHRC, "StartNotify")
                fresh = len(await w.wait_value(path, 2))
                now[0] = 103.5                      # 4.5 s after the last sample
                await asyncio.sleep(0.3)
                before = len(w.values[path])
                await asyncio.sleep(0.5)
                return fresh, len(w.values[path]) - before

        fresh, while_stale = asyncio.run(watch())
        assert fresh >= 2 and while_stale == 0
    finally:
        pod.stop()
