"""Live hardware from the config: GPS reader and accelerometer sampler threads.

Each edge runs its own thread and only puts records into the runtime's inbox. A device
that is missing at start is reported once and, where it can come back (the GPS port),
retried; the run goes on with what is left (STYLE.md: degrade, never stop).
"""

from __future__ import annotations

import datetime as dt
import queue
from collections.abc import Callable
from typing import TYPE_CHECKING

from pacer.config import Config
from pacer.errors import DeviceError
from pacer.models import DeviceEvent, DeviceState
from pacer.runtime import Record

#: time between accelerometer bursts: a few wake-ups a second, far from a FIFO overflow
#: (MPU-6050: 1.7 s of samples at 100 Hz; ADXL345: its watermark line paces the bursts)
BURST_INTERVAL_S = 0.25

if TYPE_CHECKING:
    from pacer.gps.reader import SerialReader
    from pacer.hw.accel import AccelDriver
    from pacer.hw.sampler import Sampler


def gps_reader(port: str, baudrate: int, inbox: queue.Queue[Record], *,
               clock: Callable[[], float]) -> SerialReader:
    """The production serial reader, putting the receiver's bytes (``NmeaBytes``, stamped
    by ``clock``) and its device events into ``inbox``."""
    from pacer.gps.reader import SerialReader

    return SerialReader(port, baudrate, inbox.put, clock=clock)


def configure_receiver(config: Config, log: Callable[[str], None]) -> str:
    """Set the receiver's rate (and model/baud) once at start; return what it is:
    "ublox", "mediatek", or "nmea" (configured so, or no setup command acknowledged).

    ``[gps] receiver = "auto"`` tries u-blox, then MediaTek commands; a named kind tries
    only its own. Raises DeviceError when the port cannot be opened.
    """
    kind = config.gps.receiver
    if kind == "nmea":
        return "nmea"
    from pacer.gps import receivers
    from pacer.gps.reader import open_port

    setups = (("ublox", "u-blox", receivers.configure_ublox),
              ("mediatek", "MediaTek", receivers.configure_mediatek))
    port = open_port(config.gps.port, config.gps.baudrate, None)
    try:
        port.timeout = 0.1
        for name, shown, configure in setups:
            if kind not in ("auto", name):
                continue
            results = configure(port, rate_hz=config.gps.rate_hz,
                                baudrate=config.gps.set_baudrate, timeout_s=1.0)
            if any(r.acked for r in results):
                log(f"GPS receiver: {shown}, " + ", ".join(f"{r.name} {r.detail}" for r in results))
                return name
        log("GPS receiver: plain NMEA (no u-blox or MediaTek acknowledgement)")
        return "nmea"
    finally:
        port.close()


def open_configured_accelerometer(config: Config,
                                  pin_factory: object | None = None) -> AccelDriver:
    """The configured accelerometer driver (raises a DeviceError saying what to check)."""
    from pacer.hw.probe import open_accelerometer as open_chip

    try:
        return open_chip(config.accel.chip, bus_number=config.accel.i2c_bus,
                         address=config.accel.address,
                         range_g=config.accel.range_g if config.accel.chip == "mpu6050" else None,
                         rate_hz=config.accel.rate_hz, pin_factory=pin_factory)
    except ValueError as exc:
        raise DeviceError(f"[accel] chip: {exc}") from None


class LiveHardware:
    """The GPS reader and accelerometer sampler threads feeding ``inbox``."""

    def __init__(self, config: Config, inbox: queue.Queue[Record], *,
                 clock: Callable[[], float], log: Callable[[str], None]) -> None:
        self.config = config
        self.inbox = inbox
        self.clock = clock
        self.log = log
        self.reader: SerialReader | None = None
        self.sampler: Sampler | None = None
        self.receiver = "unknown"
        self.start_utc = dt.datetime.now(dt.UTC)

    def edges(self) -> tuple[str, ...]:
        """The edges whose records show progress: GPS, and the accelerometer if sampled."""
        return ("gps", "accel") if self.sampler is not None else ("gps",)

    def start(self) -> None:
        from pacer.hw.sampler import Sampler

        try:
            self.receiver = configure_receiver(self.config, self.log)
        except DeviceError as exc:
            self.log(f"GPS: {exc}")
        self.reader = gps_reader(self.config.gps.port, self.config.gps.baudrate, self.inbox,
                                 clock=self.clock)
        self.reader.start(wait_for_port=True)
        if self.config.accel.chip == "none":
            return
        try:
            driver = open_configured_accelerometer(self.config)
        except DeviceError as exc:
            self.inbox.put(DeviceEvent(self.clock(), "accel", DeviceState.ERROR, str(exc)))
            self.log(f"accelerometer: {exc}; running on GPS alone")
            return
        self.sampler = Sampler(driver, clock=self.clock, interrupt_pin=self.config.accel.int_pin,
                               poll_interval_s=BURST_INTERVAL_S)
        self.sampler.start(self.inbox.put)

    def stop(self) -> None:
        if self.sampler is not None:
            self.sampler.stop()
        if self.reader is not None:
            self.reader.stop()
