"""What pacer needs of a serial port: pyserial's ``Serial`` and the tests' fakes have it.

Only the Protocol lives here (no serial library is imported): the reader thread, the
receiver set-up and ``pacer doctor`` take any object with these members.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["SerialFactory", "SerialPort"]


class SerialPort(Protocol):
    """An open serial port (``serial.Serial``): non-blocking-ish reads, writes, baud rate."""

    #: line speed; setting it reprograms the UART (after a receiver's baud-rate command)
    baudrate: int
    #: read timeout, s (None: block until the bytes asked for arrive)
    timeout: float | None

    @property
    def in_waiting(self) -> int:
        """Bytes already received and not yet read."""
        ...

    def read(self, size: int = 1, /) -> bytes: ...

    def fileno(self) -> int:
        """The descriptor to wait on with ``select`` (a port without one raises)."""
        ...

    def write(self, data: bytes, /) -> int | None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


class SerialFactory(Protocol):
    """Opens a port as ``serial.Serial(port, baudrate=..., timeout=...)`` does."""

    def __call__(self, port: str, *, baudrate: int, timeout: float) -> SerialPort: ...
