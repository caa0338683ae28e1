"""GPS serial edge: our own line framing and the thread that owns the port.

:class:`LineFramer` turns arbitrary byte chunks into NMEA lines (pure, no IO).
:class:`SerialReader` owns the serial port in one thread: bulk reads, framing, and
handing ``(t_s, line)`` tuples and :class:`~pacer.models.DeviceEvent` records to a sink.
It never parses (parsing is :mod:`pacer.gps.nmea`, on the consumer's side).
"""

from __future__ import annotations

import errno
import os
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from pacer.errors import DeviceError, DeviceNotFound, DevicePermission
from pacer.models import DeviceEvent, DeviceState, SkipCounters

MAX_LINE_BYTES = 256  # NMEA says 82; proprietary and NMEA 4.1 sentences run longer
_PRINTABLE = re.compile(rb"[\x20-\x7e]*\Z")
# The usual line, kept whole: one '$', then printable ASCII, at most MAX_LINE_BYTES.
_ONE_SENTENCE = re.compile(rb"\$[\x20-\x23\x25-\x7e]{1,%d}" % (MAX_LINE_BYTES - 1))
# Printable ASCII, CR and LF: a chunk made of these only takes the fast path of feed().
_TEXT_BYTES = bytes(range(0x20, 0x7F)) + b"\r\n"


def _bump(counters: SkipCounters, name: str, n: int = 1) -> None:
    counters.extra[name] = counters.extra.get(name, 0) + n


class LineFramer:
    """Split a byte stream into NMEA lines, tolerant of everything a UART delivers.

    Parameters
    ----------
    counters : SkipCounters, optional
        ``garbage`` counts discarded pieces (bytes outside any ``$...`` sentence, binary
        frames, non-ASCII lines); ``extra['overlong']`` lines longer than
        :data:`MAX_LINE_BYTES`; ``extra['comments']`` ``#`` lines when enabled.
    skip_comments : bool
        Drop lines starting with ``#`` (log files), instead of looking for a ``$`` in them.

    Notes
    -----
    A line ends at CR, LF or any run of them. Within a line every ``$`` starts a new
    candidate sentence, so a lost line end (``...*4B$GPRMC,...``), a doubled ``$$`` or
    binary noise before a ``$`` cost at most the damaged sentence. A candidate is
    returned with its ``$`` and without the line end; checksums are the parser's job.
    """

    def __init__(
        self, counters: SkipCounters | None = None, *, skip_comments: bool = False
    ) -> None:
        self.counters = counters if counters is not None else SkipCounters()
        self.skip_comments = skip_comments
        self._buf = b""

    def feed(self, t_s: float, data: bytes) -> list[tuple[float, str]]:
        """Add a chunk received at ``t_s``; return the lines it completed, stamped ``t_s``."""
        buf = self._buf + bytes(data)
        # CR, LF and CRLF end a line: the complete lines are up to the last line end, the
        # rest waits for the next chunk (empty pieces of other runs, LF CR or CR CR, are
        # skipped below)
        if buf.endswith((b"\n", b"\r")):
            tail = b""
        else:
            cut = max(buf.rfind(b"\n"), buf.rfind(b"\r")) + 1
            buf, tail = buf[:cut], buf[cut:]
        if len(tail) > MAX_LINE_BYTES:
            cut = tail.rfind(b"$")
            keep = tail[cut:] if 0 <= cut and len(tail) - cut <= MAX_LINE_BYTES else b""
            _bump(self.counters, "overlong")
            self.counters.garbage += 1
            tail = keep
        self._buf = tail
        out: list[tuple[float, str]] = []
        if not buf:
            return out
        if not buf.translate(None, _TEXT_BYTES):
            # printable ASCII and line ends only (the usual chunk): decoded once, and its
            # str.splitlines is bytes.splitlines (no other line-breaking character in it)
            for line in buf.decode("ascii").splitlines():
                if 1 < len(line) <= MAX_LINE_BYTES and line[0] == "$" and line.count("$") == 1:
                    out.append((t_s, line.rstrip()))  # the usual line (_ONE_SENTENCE)
                elif line:
                    self._piece(t_s, line.encode("ascii"), out)
            return out
        # bytes.splitlines is ~8x cheaper than a regex split here
        for piece in buf.splitlines():
            if _ONE_SENTENCE.fullmatch(piece):
                out.append((t_s, piece.decode().rstrip()))
            elif piece:
                self._piece(t_s, piece, out)
        return out

    def flush(self, t_s: float) -> list[tuple[float, str]]:
        """Return what is buffered as a final line (end of file)."""
        out: list[tuple[float, str]] = []
        if self._buf:
            self._piece(t_s, self._buf, out)
            self._buf = b""
        return out

    def _piece(self, t_s: float, piece: bytes, out: list[tuple[float, str]]) -> None:
        if not piece:
            return
        if self.skip_comments and piece.startswith(b"#"):
            _bump(self.counters, "comments")
            return
        if len(piece) > MAX_LINE_BYTES:
            _bump(self.counters, "overlong")
            cut = piece.rfind(b"$")
            if cut < 0 or len(piece) - cut > MAX_LINE_BYTES:
                self.counters.garbage += 1
                return
            piece = piece[cut:]
        parts = piece.split(b"$")
        if parts[0].strip(b" \t\x00"):
            self.counters.garbage += 1  # bytes before the first '$'
        for part in parts[1:]:
            if not part:
                continue  # '$$'
            if not _PRINTABLE.match(part):
                self.counters.garbage += 1
                continue
            out.append((t_s, "$" + part.decode("ascii").rstrip()))


def open_port(
    port: str,
    baudrate: int,
    serial_factory: Callable[..., Any] | None = None,
    timeout_s: float = 0.05,
) -> Any:
    """Open a serial port, mapping failures to one-line :mod:`pacer.errors`.

    Raises
    ------
    DeviceNotFound
        The device node does not exist (UART not enabled, receiver unplugged).
    DevicePermission
        The user may not open it.
    DeviceError
        Any other failure to open.
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
    """One thread owns the GPS serial port; lines and device events go to ``sink``.

    Parameters
    ----------
    port, baudrate : str, int
        Device path (``/dev/ttyS0``, ``/dev/serial/by-id/...``) and speed.
    sink : callable
        Called from the reader thread with ``(t_s, line)`` tuples and
        :class:`DeviceEvent` records (``UP`` once opened -- or, with
        ``start(wait_for_port=True)``, when the first data arrives --, ``LOST`` once when
        the port vanishes, errors or falls silent, ``BACK`` when data flows again). It
        should only enqueue.
    clock : callable
        Monotonic seconds used to stamp chunks (injected for tests/simulation).
    serial_factory : callable, optional
        ``factory(port, baudrate=, timeout=)`` returning a pyserial-like object;
        ``serial.Serial`` by default.
    on_bytes : callable, optional
        ``on_bytes(t_s, data)`` with every raw chunk (the session's raw log).
    backoff_max_s : float
        Reopen attempts back off from 0.05 s doubling up to this.
    silence_s : float
        No byte for this long counts as lost (a UART never vanishes when the receiver
        loses power); 0 disables.
    """

    def __init__(
        self,
        port: str,
        baudrate: int,
        sink: Callable[[object], None],
        *,
        clock: Callable[[], float] = time.monotonic,
        serial_factory: Callable[..., Any] | None = None,
        on_bytes: Callable[[float, bytes], None] | None = None,
        backoff_max_s: float = 1.0,
        silence_s: float = 3.0,
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        self._sink = sink
        self._clock = clock
        self._factory = serial_factory
        self._on_bytes = on_bytes
        self.backoff_max_s = backoff_max_s
        self.silence_s = silence_s
        self.counters = SkipCounters()
        self._framer = LineFramer(self.counters)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ser: Any = None

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

    def _emit(self, item: object) -> None:
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
                data = self._ser.read(self._ser.in_waiting or 1)
            except Exception as e:  # unplugged: EIO, SerialException, closed
                self._close()
                self._framer = LineFramer(self.counters)  # a partial line is lost
                if not lost:
                    lost = True
                    self._emit(
                        DeviceEvent(self._clock(), "gps", DeviceState.LOST, f"{self.port}: {e}")
                    )
                continue
            now_s = self._clock()
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
            if self._on_bytes is not None:
                try:
                    self._on_bytes(now_s, data)
                except Exception:  # the raw log must not kill the port owner
                    _bump(self.counters, "sink_errors")
            for item in self._framer.feed(now_s, data):
                self._emit(item)
        self._close()
