"""pacer as a Bluetooth LE footpod (Running Speed and Cadence, 0x1814) for any watch. IO edge.

:class:`FootpodPeripheral` runs in its own thread with its own asyncio loop: it connects
to the system bus with dbus-fast, exports the GATT application and advertisement of
:mod:`pacer.ble.footpod_gatt`, registers both with BlueZ (GattManager1,
LEAdvertisingManager1 on the adapter) and notifies the latest RSC Measurement once per
``notify_interval_s`` while a watch is subscribed. The live loop calls :meth:`update`
with its estimate; that only stores a value under a lock and never blocks.

docs/bluetooth.md says why dbus-fast directly and not bless or bluez-peripheral.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pacer.ble.control_point import FootpodState, encode_response, handle_request
from pacer.ble.gatt_codec import (
    RSC_SERVICE,
    RscFeature,
    RscMeasurement,
    encode_rsc_feature,
    encode_rsc_measurement,
    uuid16_to_str,
)
from pacer.ble.threads import close_loop, stop_loop_thread
from pacer.errors import DeviceError

if TYPE_CHECKING:  # dbus-fast itself loads inside the footpod thread
    from dbus_fast.aio import MessageBus

    from pacer.ble.footpod_gatt import GattCharacteristic

log = logging.getLogger(__name__)

FEATURES = RscFeature.STRIDE_LENGTH | RscFeature.TOTAL_DISTANCE | RscFeature.RUNNING_STATUS \
    | RscFeature.MULTIPLE_SENSOR_LOCATIONS
MAX_SPEED_MPS = 0xFFFF / 256.0
DISTANCE_WRAP_M = 2**32 / 10.0
#: below this speed the running/walking bit says walking (about 10:00 /km)
RUNNING_ABOVE_MPS = 1.67


@dataclass(frozen=True)
class FootpodSample:
    """What the live estimate hands the footpod (None where unknown)."""

    t_s: float
    speed_mps: float
    cadence_spm: float | None = None
    distance_m: float | None = None
    stride_length_m: float | None = None


def footpod_measurement(sample: FootpodSample, state: FootpodState) -> RscMeasurement | None:
    """The RSC Measurement for a live sample, clamped to the fields' ranges. Pure.

    Returns None when the speed is unknown (the watch then sees no new value rather
    than a wrong one). Total distance includes the control point's offset and wraps at
    the 32-bit field's 429 496 729.6 m like any footpod.
    """
    if not math.isfinite(sample.speed_mps):
        return None
    speed_mps = min(max(sample.speed_mps, 0.0), MAX_SPEED_MPS)
    cad = sample.cadence_spm
    cadence_spm = 0 if cad is None or not math.isfinite(cad) else int(min(max(round(cad), 0), 255))
    distance_m = None
    if sample.distance_m is not None and math.isfinite(sample.distance_m):
        distance_m = round((sample.distance_m + state.distance_offset_m) % DISTANCE_WRAP_M, 1)
    stride_m = sample.stride_length_m
    if stride_m is None and cadence_spm > 0 and speed_mps > 0:
        stride_m = speed_mps * 60.0 / cadence_spm  # one step's length, as watches show it
    if stride_m is not None and not math.isfinite(stride_m):
        stride_m = None
    if stride_m is not None:
        stride_m = round(min(max(stride_m, 0.0), 655.35), 2)
    return RscMeasurement(speed_mps, cadence_spm, stride_m, distance_m,
                          running=speed_mps >= RUNNING_ABOVE_MPS)


class FootpodPeripheral:
    """Advertise pacer as an RSC footpod and notify the live estimate at 1 Hz.

    Parameters
    ----------
    adapter : str
        BlueZ adapter (``hci0``).
    local_name : str
        Name a watch lists when it searches for footpods.
    notify_interval_s : float
        Notification period, s (RSC sensors notify about once a second).
    stale_after_s : float
        A sample older than this is not sent again (the watch shows a drop-out).
    clock : callable
        Time source for staleness, s (same clock as the samples' ``t_s``).
    """

    def __init__(self, *, adapter: str = "hci0", local_name: str = "pacer",
                 notify_interval_s: float = 1.0, stale_after_s: float = 3.0,
                 clock: Callable[[], float] = time.monotonic,
                 state: FootpodState | None = None) -> None:
        self.adapter_path = f"/org/bluez/{adapter}"
        self.local_name = local_name
        self.notify_interval_s = notify_interval_s
        self.stale_after_s = stale_after_s
        self.notifications_sent = 0
        self.error: BaseException | None = None
        self.registered = threading.Event()
        self._clock = clock
        self._lock = threading.Lock()
        self._sample: FootpodSample | None = None
        self._state = state or FootpodState()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()

    @property
    def state(self) -> FootpodState:
        with self._lock:
            return self._state

    def update(self, sample: FootpodSample) -> None:
        """Hand the footpod the latest estimate (any thread; never blocks for IO)."""
        with self._lock:
            self._sample = sample

    def start(self, timeout_s: float = 10.0) -> None:
        """Start the thread and wait until BlueZ accepted the application and advert.

        Raises
        ------
        DeviceError
            BlueZ refused or did not answer within ``timeout_s`` (the message says which).
        """
        self._thread = threading.Thread(target=self._thread_main, name="pacer-footpod",
                                        daemon=True)
        self._thread.start()
        self._started.wait(timeout_s)
        if not self.registered.wait(timeout_s) or self.error is not None:
            self.stop()
            raise DeviceError(f"bluetooth {self.adapter_path}: footpod not registered "
                              f"({self.error or 'no answer from bluetoothd'})")

    def stop(self, timeout_s: float = 5.0) -> None:
        """Unregister from BlueZ and end the thread."""
        stop_loop_thread(self._loop, self._stop, self._thread, timeout_s)

    def __enter__(self) -> FootpodPeripheral:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- footpod thread ------------------------------------------------------------------

    def _thread_main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._stop = asyncio.Event()
        self._started.set()
        try:
            loop.run_until_complete(self._run())
        except Exception as exc:  # reported through start() / .error, never raised here
            self.error = exc
            log.warning("footpod stopped: %s", exc)
        finally:
            self.registered.set()
            close_loop(loop)

    def _control_point(self, payload: bytes) -> bytes:
        with self._lock:
            distance_m = self._sample.distance_m if self._sample else None
            response, self._state = handle_request(
                payload, self._state, session_distance_m=distance_m or 0.0)
        return encode_response(response)

    async def _run(self) -> None:
        from dbus_fast import BusType
        from dbus_fast.aio import MessageBus

        from pacer.ble import footpod_gatt as g

        assert self._stop is not None
        bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
        try:
            chars = g.characteristics(
                lambda: encode_rsc_feature(FEATURES),
                lambda: bytes([int(self.state.sensor_location)]),
                self._control_point)
            bus.export(g.SERVICE_PATH, g.GattService(uuid16_to_str(RSC_SERVICE)))
            for path, chrc in chars.items():
                bus.export(path, chrc)
            bus.export(g.ADVERTISEMENT_PATH, g.Advertisement(self.local_name))
            await self._call(bus, "org.bluez.GattManager1", "RegisterApplication",
                             g.APP_PATH)
            await self._call(bus, "org.bluez.LEAdvertisingManager1", "RegisterAdvertisement",
                             g.ADVERTISEMENT_PATH)
            self.registered.set()
            await self._notify_loop(chars[g.SERVICE_PATH + "/char0"])
            for iface, member, path in (
                    ("org.bluez.LEAdvertisingManager1", "UnregisterAdvertisement",
                     g.ADVERTISEMENT_PATH),
                    ("org.bluez.GattManager1", "UnregisterApplication", g.APP_PATH)):
                try:
                    await self._call(bus, iface, member, path, with_options=False)
                except DeviceError as exc:
                    log.debug("%s", exc)
        finally:
            bus.disconnect()

    async def _call(self, bus: MessageBus, interface: str, member: str, path: str, *,
                    with_options: bool = True) -> None:
        from dbus_fast import Message, MessageType

        body: list[object] = [path, {}] if with_options else [path]
        reply = await bus.call(Message(
            destination="org.bluez", path=self.adapter_path, interface=interface,
            member=member, signature="oa{sv}" if with_options else "o", body=body))
        if reply.message_type == MessageType.ERROR:
            detail = reply.body[0] if reply.body else ""
            raise DeviceError(f"bluetooth {self.adapter_path}: {member} refused: "
                              f"{reply.error_name} {detail}".strip())

    async def _notify_loop(self, measurement_chrc: GattCharacteristic) -> None:
        assert self._stop is not None
        while not self._stop.is_set():
            with self._lock:
                sample, state = self._sample, self._state
            if sample is not None and self._clock() - sample.t_s <= self.stale_after_s:
                m = footpod_measurement(sample, state)
                if m is not None and measurement_chrc.send(encode_rsc_measurement(m)):
                    self.notifications_sent += 1
            try:
                await asyncio.wait_for(self._stop.wait(), self.notify_interval_s)
            except TimeoutError:
                pass
