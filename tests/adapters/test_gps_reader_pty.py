"""The production SerialReader against a simulated receiver on a pseudo-terminal.

The receiver is reached through a symlink, like ``/dev/serial/by-id/...``: unplugging
removes the link and closes the pty master (the slave then fails with EIO, as a USB
serial port does); replugging makes a new pty and a new link.
"""

from __future__ import annotations

import os
import queue
import threading
import time
import tty
from functools import reduce
from pathlib import Path

import pytest

from pacer.errors import DeviceNotFound
from pacer.gps.decoder import NmeaDecoder
from pacer.gps.reader import SerialReader
from pacer.models import DeviceEvent, DeviceState, NmeaBytes

pytest.importorskip("serial")


def nmea(body: str) -> str:
    return f"${body}*{reduce(lambda a, c: a ^ ord(c), body, 0):02X}\r\n"


class PtyReceiver:
    """A receiver plugged in at ``link``: writes a 10 Hz RMC+GGA epoch stream."""

    def __init__(self, link: Path) -> None:
        self.link = link
        self.master, slave = os.openpty()
        tty.setraw(slave)
        os.symlink(os.ttyname(slave), link)
        os.close(slave)  # the reader opens its own slave fd through the link
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        k = 0
        while not self._stop.is_set():
            hms = time.strftime("%H%M%S", time.gmtime(k)) + ".00"
            data = nmea(f"GPGGA,{hms},4404.1306,N,12118.8515,W,1,10,0.98,1127.7,M,-19.6,M,,")
            data += nmea(f"GPRMC,{hms},A,4404.1306,N,12118.8515,W,5.00,90.0,130415,,,A")
            try:
                os.write(self.master, b"\x00\xff noise " + data.encode())
            except OSError:
                return
            k += 1
            self._stop.wait(0.1)

    def unplug(self) -> None:
        self._stop.set()
        self._thread.join()
        self.link.unlink()
        os.close(self.master)


def test_unplug_and_replug_resumes_fixes_within_2_s(tmp_path: Path) -> None:
    link = tmp_path / "usb-u-blox_GNSS_receiver-if00"
    q: queue.Queue[object] = queue.Queue()
    raw: list[bytes] = []
    rx = PtyReceiver(link)
    reader = SerialReader(str(link), 9600, q.put, backoff_max_s=0.5)
    reader.start()
    decoder = NmeaDecoder()

    def next_fix(timeout_s: float):
        deadline = time.monotonic() + timeout_s
        events = []
        while time.monotonic() < deadline:
            try:
                item = q.get(timeout=0.05)
            except queue.Empty:
                continue
            if isinstance(item, DeviceEvent):
                events.append(item.state)
                continue
            assert isinstance(item, NmeaBytes)  # the reader only copies: bytes, stamped
            raw.append(item.data)
            fixes = decoder.feed(item.t_s, item.data)
            if fixes:
                return fixes[0], events
        return None, events

    try:
        fix, events = next_fix(5.0)
        assert fix is not None and fix.has_position
        assert events == [DeviceState.UP]
        rx.unplug()
        lost = q.get(timeout=5.0)
        while not isinstance(lost, DeviceEvent):
            lost = q.get(timeout=5.0)
        assert lost.state is DeviceState.LOST
        time.sleep(1.0)  # stays unplugged through a few reopen attempts
        rx = PtyReceiver(link)
        t_replug = time.monotonic()
        fix, events = next_fix(5.0)
        resumed_s = time.monotonic() - t_replug
        print(f"fixes resumed {resumed_s:.3f} s after replug")
        assert fix is not None and fix.has_position
        assert DeviceState.BACK in events and DeviceState.LOST not in events
        assert resumed_s < 2.0
        assert reader._thread is not None and reader._thread.is_alive()
        assert b"".join(raw).count(b"$GPRMC") >= 2
    finally:
        reader.stop()
        rx.unplug()


def test_missing_port_is_a_one_line_device_error(tmp_path: Path) -> None:
    reader = SerialReader("/dev/ttyS99-not-here", 9600, lambda item: None)
    with pytest.raises(DeviceNotFound, match="no /dev/ttyS99-not-here: enable the UART"):
        reader.start()


def test_wait_for_port_reports_lost_then_up(tmp_path: Path) -> None:
    link = tmp_path / "gps"
    q: queue.Queue[object] = queue.Queue()
    reader = SerialReader(str(link), 9600, q.put, backoff_max_s=0.2)
    reader.start(wait_for_port=True)
    rx = None
    try:
        first = q.get(timeout=2.0)
        assert isinstance(first, DeviceEvent) and first.state is DeviceState.LOST
        rx = PtyReceiver(link)
        deadline = time.monotonic() + 5.0
        states = []
        while time.monotonic() < deadline and DeviceState.UP not in states:
            try:
                item = q.get(timeout=0.1)
            except queue.Empty:
                continue
            if isinstance(item, DeviceEvent):
                states.append(item.state)
        assert states == [DeviceState.UP]
    finally:
        reader.stop()
        if rx is not None:
            rx.unplug()


class SilentUart:
    """A UART whose receiver lost power: the port stays, the bytes stop (pyserial-like)."""

    def __init__(self) -> None:
        self.pending = bytearray(
            nmea("GPGGA,120000.00,4404.1306,N,12118.8515,W,1,10,1.0,1,M,,M,,").encode()
        )
        self.lock = threading.Lock()

    @property
    def in_waiting(self) -> int:
        with self.lock:
            return len(self.pending)

    def read(self, n: int) -> bytes:
        with self.lock:
            out, self.pending[:n] = bytes(self.pending[:n]), b""
        if not out:
            time.sleep(0.005)  # the read timeout
        return out

    def close(self) -> None:
        pass


def test_silent_uart_is_reported_lost_then_back() -> None:
    uart = SilentUart()
    clock_s = [0.0]

    def clock() -> float:  # each call is 0.25 s of simulated time
        clock_s[0] += 0.25
        return clock_s[0]

    q: queue.Queue[object] = queue.Queue()
    reader = SerialReader(
        "/dev/ttyS0", 9600, q.put, clock=clock, serial_factory=lambda *a, **k: uart, silence_s=3.0
    )
    reader.start()
    try:
        events = []
        while len(events) < 2:
            item = q.get(timeout=5.0)
            if isinstance(item, DeviceEvent):
                events.append(item)
        assert [e.state for e in events] == [DeviceState.UP, DeviceState.LOST]
        assert "no data for 3 s" in events[1].message
        with uart.lock:
            uart.pending += nmea("GPGGA,120001.00,,,,,0,00,,,,,,,").encode()
        item = q.get(timeout=5.0)
        while not isinstance(item, DeviceEvent):
            item = q.get(timeout=5.0)
        assert item.state is DeviceState.BACK
    finally:
        reader.stop()
