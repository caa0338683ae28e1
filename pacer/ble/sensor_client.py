"""A Bluetooth LE sensor that notifies one GATT characteristic, kept connected through
bleak over BlueZ. IO edge; the base of the heart-rate strap and the RSC footpod reader.

:class:`NotifyingSensor` runs in its own thread with its own asyncio loop and never blocks
its caller: it scans for the sensor, connects, subscribes to the characteristic, and only
decodes and enqueues records stamped by an injected clock. After a drop-out it reconnects
with a capped exponential backoff and enqueues a :class:`SensorEvent` for each change, so
the live loop can say "heart rate lost" once. A payload that does not decode is counted
and logged once, never fatal.

bleak is imported inside the thread (and inside :func:`scan_for_service`), never at
module level: ``pacer --help`` and the pure core do not load it. bleak's BlueZ backend
talks to the system bus; ``DBUS_SYSTEM_BUS_ADDRESS`` points it elsewhere (the tests' fake
BlueZ).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from pacer.ble.threads import close_loop, stop_loop_thread
from pacer.errors import DeviceError, InputError

if TYPE_CHECKING:  # bleak itself loads inside the sensor thread
    from bleak.args.bluez import BlueZScannerArgs
    from bleak.backends.characteristic import BleakGATTCharacteristic
    from bleak.backends.device import BLEDevice
    from bleak.backends.scanner import AdvertisementData

log = logging.getLogger(__name__)

DEFAULT_BACKOFF_S: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 15.0)
M = TypeVar("M")


@dataclass(frozen=True)
class SensorRecord(Generic[M]):
    """One decoded notification, stamped with the injected clock (``t_s``)."""

    t_s: float
    address: str
    measurement: M


@dataclass(frozen=True)
class SensorEvent:
    """A connection change: ``kind`` is connected, disconnected, not_found or error."""

    t_s: float
    address: str | None
    kind: str
    detail: str = ""


@dataclass(frozen=True)
class FoundSensor:
    """A device seen while scanning."""

    address: str
    name: str
    rssi_dbm: int | None
    service_uuids: tuple[str, ...]


def _bluez_args(adapter: str | None) -> BlueZScannerArgs:
    """bleak's BlueZ options: the adapter, or none (bleak's default adapter)."""
    return {"adapter": adapter} if adapter else {}


async def _scan(service_uuid: str, timeout_s: float, adapter: str | None) -> list[FoundSensor]:
    from bleak import BleakScanner
    from bleak.exc import BleakError

    try:
        found = await BleakScanner.discover(timeout=timeout_s, return_adv=True,
                                            service_uuids=[service_uuid],
                                            bluez=_bluez_args(adapter))
    except (BleakError, OSError) as exc:
        raise DeviceError(f"bluetooth adapter {adapter or 'default'}: cannot scan ({exc}); "
                          "is bluetoothd running and the adapter powered?") from None
    out = []
    for device, adv in found.values():
        uuids = tuple(u.lower() for u in adv.service_uuids)
        if service_uuid in uuids:
            out.append(FoundSensor(device.address, adv.local_name or device.name or "",
                                   adv.rssi, uuids))
    return sorted(out, key=lambda s: -(s.rssi_dbm if s.rssi_dbm is not None else -999))


def scan_for_service(service_uuid: str, timeout_s: float = 10.0,
                     adapter: str | None = None) -> list[FoundSensor]:
    """Scan for devices advertising ``service_uuid``; strongest signal first.

    Blocks for ``timeout_s`` (it is for ``pacer sensors scan``, not the live loop).

    Raises
    ------
    DeviceError
        No adapter, or BlueZ is not reachable.
    """
    return asyncio.run(_scan(service_uuid.lower(), timeout_s, adapter))


class NotifyingSensor(Generic[M]):
    """Keep a sensor connected in a background thread; read ``records``.

    Parameters
    ----------
    service_uuid, characteristic_uuid : str
        The service the sensor advertises and the characteristic it notifies.
    decode : callable
        Payload bytes -> measurement; raises InputError on a malformed payload.
    address : str or None
        The sensor's address; None takes the first one advertising the service.
    clock : callable
        Returns the time stamp for each record, s (the live loop's clock).
    backoff_s : sequence of float
        Waits between reconnection attempts, s; the last repeats. Reset by a connection.
    scan_timeout_s, connect_timeout_s : float
        How long one attempt looks for the sensor, and waits for a connection, s.
    adapter : str or None
        BlueZ adapter name (``hci0``); None for the default.
    maxsize : int
        Queue bound; when the consumer stalls the oldest records are dropped and counted.
    """

    kind = "sensor"
    #: the record class put on the queue (a subclass names the measurement's kind)
    record_type: type[SensorRecord[M]] = SensorRecord

    def __init__(self, service_uuid: str, characteristic_uuid: str,
                 decode: Callable[[bytes], M], address: str | None = None, *,
                 clock: Callable[[], float] = time.monotonic,
                 backoff_s: Sequence[float] = DEFAULT_BACKOFF_S, scan_timeout_s: float = 10.0,
                 connect_timeout_s: float = 20.0, adapter: str | None = None,
                 maxsize: int = 600) -> None:
        if not backoff_s or any(b < 0 for b in backoff_s):
            raise InputError(f"backoff_s must be non-negative waits, got {list(backoff_s)}")
        self.service_uuid = service_uuid.lower()
        self.characteristic_uuid = characteristic_uuid.lower()
        self._decode = decode
        self.address = address.upper() if address else None
        self.records: queue.Queue[SensorRecord[M] | SensorEvent] = queue.Queue(maxsize)
        self.decode_errors = 0
        self.dropped_records = 0
        self.connections = 0
        self._clock = clock
        self._backoff_s = tuple(backoff_s)
        self._scan_timeout_s = scan_timeout_s
        self._connect_timeout_s = connect_timeout_s
        self._adapter = adapter
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()

    # --- caller side (any thread) ---------------------------------------------------------

    def start(self) -> None:
        """Start the background thread; returns at once."""
        if self._thread is not None:
            raise RuntimeError(f"{type(self).__name__} already started")
        self._thread = threading.Thread(target=self._thread_main, name=f"pacer-{self.kind}",
                                        daemon=True)
        self._thread.start()
        self._ready.wait(5.0)

    def stop(self, timeout_s: float = 5.0) -> None:
        """Disconnect and end the thread (waits at most ``timeout_s``)."""
        stop_loop_thread(self._loop, self._stop, self._thread, timeout_s)

    def __enter__(self) -> NotifyingSensor[M]:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- sensor thread -------------------------------------------------------------------

    def _put(self, item: SensorRecord[M] | SensorEvent) -> None:
        while True:
            try:
                self.records.put_nowait(item)
                return
            except queue.Full:
                try:
                    self.records.get_nowait()
                    self.dropped_records += 1
                except queue.Empty:
                    pass

    def _event(self, kind: str, detail: str = "", address: str | None = None) -> None:
        self._put(SensorEvent(self._clock(), address or self.address, kind, detail))

    def _thread_main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._stop = asyncio.Event()
        self._ready.set()
        try:
            loop.run_until_complete(self._run())
        finally:
            close_loop(loop)

    async def _run(self) -> None:
        assert self._stop is not None
        attempt = 0
        while not self._stop.is_set():
            try:
                connected = await self._session()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broad on purpose: a sensor must never end the run
                self._event("error", f"{type(exc).__name__}: {exc}")
                connected = False
            if connected:
                attempt = 0
            if self._stop.is_set():
                break
            wait_s = self._backoff_s[min(attempt, len(self._backoff_s) - 1)]
            attempt += 1
            try:
                await asyncio.wait_for(self._stop.wait(), wait_s)
            except TimeoutError:
                pass

    async def _find(self) -> BLEDevice | None:
        from bleak import BleakScanner

        want = self.address

        def match(device: BLEDevice, adv: AdvertisementData) -> bool:
            if want is not None:
                return str(device.address).upper() == want
            return self.service_uuid in [u.lower() for u in adv.service_uuids]

        return await BleakScanner.find_device_by_filter(
            match, timeout=self._scan_timeout_s, bluez=_bluez_args(self._adapter))

    async def _session(self) -> bool:
        """One scan-connect-listen cycle; True if it got connected."""
        from bleak import BleakClient

        assert self._stop is not None
        device = await self._find()
        if device is None:
            self._event("not_found", f"no {self.kind} seen in {self._scan_timeout_s:g} s")
            return False
        address = str(device.address).upper()
        dropped = asyncio.Event()
        client = BleakClient(device, disconnected_callback=lambda _c: dropped.set(),
                             timeout=self._connect_timeout_s, bluez=_bluez_args(self._adapter))
        await client.connect()
        try:
            self.connections += 1
            self._event("connected", device.name or "", address)
            await client.start_notify(self.characteristic_uuid, self._make_handler(address))
            stop_wait = asyncio.ensure_future(self._stop.wait())
            drop_wait = asyncio.ensure_future(dropped.wait())
            await asyncio.wait({stop_wait, drop_wait}, return_when=asyncio.FIRST_COMPLETED)
            stop_wait.cancel()
            drop_wait.cancel()
        finally:
            if client.is_connected:
                try:
                    await client.disconnect()
                except Exception as exc:
                    log.debug("disconnect from %s failed: %s", address, exc)
        self._event("disconnected", "stopped" if self._stop.is_set() else "link lost", address)
        return True

    def _make_handler(
        self, address: str
    ) -> Callable[[BleakGATTCharacteristic, bytearray], None]:
        def on_notify(_char: BleakGATTCharacteristic, data: bytearray) -> None:
            # runs on the sensor thread.s loop: decode and enqueue only
            try:
                m = self._decode(bytes(data))
            except InputError as exc:
                self.decode_errors += 1
                if self.decode_errors == 1:
                    log.warning("%s: %s", address, exc)
                return
            self._put(self.record_type(self._clock(), address, m))

        return on_notify
