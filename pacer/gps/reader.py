"""GPS serial edge: the thread that owns the port.

:class:`SerialReader` owns the serial port in one thread: it sleeps on the port's
descriptor (``select``) until bytes arrive, reads what is there, and while bytes flow
lets them gather for ``gather_s`` between reads; each read is stamped when its bytes were
seen and handed on as :class:`~pacer.models.NmeaBytes`, plus
:class:`~pacer.models.DeviceEvent` records, to a sink. It only copies and enqueues:
framing and parsing happen on the consumer's side (:class:`pacer.gps.decoder.NmeaDecoder`),
the same code for live, simulated and replayed bytes.
"""

from __future__ import annotations

import errno
import os
import select
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from pacer.errors import DeviceError, DeviceNotFound, DevicePermission
from pacer.models import DeviceEvent, DeviceState, NmeaBytes, SkipCounters

if TYPE_CHECKING:
    from pacer.gps.port import SerialFactory, SerialPort


def _bump(counters: SkipCounters, name: str, n: int = 1) -> None:
    counters.extra[name] = counters.extra.get(name, 0) + n


def open_port(
    port: str,
    baudrate: int,
    serial_factory: SerialFactory | None = None,
    timeout_s: float = 0.05,
) -> SerialPort:
    """Open a serial port, mapping failures to one-line :mod:`pacer.errors`.

    Raises
    ------
    DeviceNotFound
        The device node does not exist (UART not enabled, receiver unplugged).
    DevicePermission
        The user may not open it.
    DeviceError
        Another failure to open.
    """
    if serial_factory is None:
        import serial  # lazily: device library only at the IO edge

        serial_factory = serial.Serial
    try:
        return serial_factory(port, baudrate=baudrate, timeout=timeout_s)
    except Exception as e:  # serial.SerialException wraps the OSError
        err = getattr(e, "errno", None)
        text = str(e)
        if err == errno.ENOENT or "No such file" in text or not os.path.exists(port):
            hint = (
                "enable the UART (raspi-config: serial port on, login shell off)"
                if "ttyS" in port or "ttyAMA" in port
                else "is the GPS receiver plugged in?"
            )
            raise DeviceNotFound(f"no {port}: {hint}") from e
        if err in (errno.EACCES, errno.EPERM) or "ermission" in text:
            raise DevicePermission(
                f"{port}: permission denied: add the user to dialout (sudo adduser $USER "
                "dialout, then log in again)"
            ) from e
        raise DeviceError(f"{port}: cannot open at {baudrate} baud: {text}") from e


class SerialReader:
    """One thread owns the GPS serial port; stamped bytes and device events go to ``sink``.

    Parameters
    ----------
    port, baudrate : str, int
        Device path (``/dev/ttyS0``, ``/dev/serial/by-id/...``) and speed.
    sink : callable
        Called from the reader thread with :class:`NmeaBytes` (every chunk read, stamped
        with ``clock()`` when it arrived) and :class:`DeviceEvent` records (``UP`` once
        opened -- or, with ``start(wait_for_port=True)``, when the first data arrives --,
        ``LOST`` once when the port vanishes, errors or falls silent, ``BACK`` when data
        flows again). It should only enqueue.
    clock : callable
        Monotonic seconds used to stamp chunks (injected for tests/simulation).
    serial_factory : callable, optional
        ``factory(port, baudrate=, timeout=)`` returning a pyserial-like object;
        ``serial.Serial`` by default.
    backoff_max_s : float
        Reopen attempts back off from 0.05 s doubling up to this.
    silence_s : float
        No byte for this long counts as lost (a UART never vanishes when the receiver
        loses power); 0 disables.
    wait_s : float
        Longest sleep on the descriptor before the silence and stop checks.
    gather_s : float
        After a read that found bytes, wait this long before the next, so a receiver's
        epoch (hundreds of bytes at 9600 baud) comes in a few reads, not one per UART
        interrupt. A port without a descriptor (a test double) is read with
        its own timeout instead.
    """

    def __init__(
        self,
        port: str,
        baudrate: int,
        sink: Callable[[NmeaBytes | DeviceEvent], None],
        *,
        clock: Callable[[], float] = time.monotonic,
        serial_factory: SerialFactory | None = None,
        backoff_max_s: float = 1.0,
        silence_s: float = 3.0,
        wait_s: float = 0.5,
        gather_s: float = 0.1,
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        self._sink = sink
        self._clock = clock
        self._factory = serial_factory
        self.backoff_max_s = backoff_max_s
        self.silence_s = silence_s
        self.wait_s = wait_s
        self.gather_s = gather_s
        self._flowing = False  # the last read found bytes: let the next ones gather
        #: ``extra['sink_errors']``: items the sink refused (the thread goes on)
        self.counters = SkipCounters()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ser: SerialPort | None = None

    def start(self, *, wait_for_port: bool = False) -> None:
        """Open the port and start the thread.

        Opening errors (:class:`DeviceNotFound`, :class:`DevicePermission`) are raised
        here, unless ``wait_for_port``: then the port is reported LOST and retried.
        """
        if self._thread is not None:
            return
        try:
            self._ser = open_port(self.port, self.baudrate, self._factory)
        except DeviceError as e:
            if not wait_for_port:
                raise
            self._emit(DeviceEvent(self._clock(), "gps", DeviceState.LOST, str(e)))
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="pacer-gps", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 2.0) -> None:
        """Stop the thread and close the port."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        self._close()

    # ------------------------------------------------------------------ thread

    def _emit(self, item: NmeaBytes | DeviceEvent) -> None:
        try:
            self._sink(item)
        except Exception:  # a failing consumer must not kill the port owner
            _bump(self.counters, "sink_errors")

    def _close(self) -> None:
        ser, self._ser = self._ser, None
        if ser is not None:
            try:
                ser.close()
            except Exception:  # closing a vanished port may fail; it is gone
                pass

    def _read_burst(self) -> tuple[float, bytes]:
        """Sleep until the port has bytes (at most ``wait_s``) and read what is there.

        After a read that found bytes it first waits ``gather_s``, so the rest of a
        burst collects and the next read takes it whole (one wake-up per read while
        bytes flow, one per burst start). Returns the time the bytes were seen and the
        bytes (empty after ``wait_s`` of silence)."""
        ser = self._ser
        if ser is None:  # closed meanwhile
            return self._clock(), b""
        try:
            fd = ser.fileno()
        except (AttributeError, OSError, ValueError):  # not a real port
            data = ser.read(ser.in_waiting or 1)
            return self._clock(), data
        if self._flowing and self.gather_s > 0:
            self._stop.wait(self.gather_s)
        if not select.select([fd], [], [], self.wait_s)[0]:
            self._flowing = False
            return self._clock(), b""
        arrived_s = self._clock()
        data = ser.read(ser.in_waiting or 1)
        self._flowing = bool(data)
        return arrived_s, data

    def _run(self) -> None:
        lost = self._ser is None
        ever_up = not lost
        if not lost:
            self._emit(DeviceEvent(self._clock(), "gps", DeviceState.UP, self.port))
        backoff_s = 0.05
        last_data_s = self._clock()
        while not self._stop.is_set():
            if self._ser is None:
                try:
                    self._ser = open_port(self.port, self.baudrate, self._factory)
                except Exception:  # keep retrying whatever the OS says
                    self._stop.wait(backoff_s)
                    backoff_s = min(backoff_s * 2.0, self.backoff_max_s)
                    continue
                backoff_s = 0.05
                last_data_s = self._clock()
            try:
                arrived_s, data = self._read_burst()
            except Exception as e:  # unplugged: EIO, SerialException, closed
                self._close()
                if not lost:
                    lost = True
                    self._emit(
                        DeviceEvent(self._clock(), "gps", DeviceState.LOST, f"{self.port}: {e}")
                    )
                continue
            now_s = arrived_s
            if not data:
                if not lost and self.silence_s > 0 and now_s - last_data_s > self.silence_s:
                    lost = True
                    self._emit(
                        DeviceEvent(
                            now_s,
                            "gps",
                            DeviceState.LOST,
                            f"{self.port}: no data for {self.silence_s:g} s",
                        )
                    )
                continue
            last_data_s = now_s
            if lost:
                lost = False
                state = DeviceState.BACK if ever_up else DeviceState.UP
                ever_up = True
                self._emit(DeviceEvent(now_s, "gps", state, self.port))
            self._emit(NmeaBytes(now_s, bytes(data)))
        self._close()
