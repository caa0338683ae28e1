"""A fake I2C bus and the sample engine shared by the fake accelerometer chips.

The fake bus offers exactly the four smbus2 methods pacer's drivers use and routes each
transfer to the chip at that address; an address with no chip raises
``OSError(121, 'Remote I/O error')`` as Linux i2c-dev does. A fake chip fills its FIFO
*lazily*: on every bus access (and on :meth:`FakeChip.update`) it produces every sample
whose time has come on its injected clock, at its configured output data rate times
``1 + rate_error``. With ``time.monotonic`` it behaves in real time; with a simulated
clock a whole run can be replayed as fast as the host allows.
"""

from __future__ import annotations

import ctypes
import math
import threading
from collections.abc import Callable, Sized
from typing import TYPE_CHECKING, Protocol, Self

import numpy as np

from pacer.units import G_MPS2

if TYPE_CHECKING:
    from smbus2 import i2c_msg

__all__ = ["I2C_M_RD", "Clock", "FakeChip", "FakeI2CBus", "InterruptPin", "Signal"]

Signal = Callable[[np.ndarray], np.ndarray]
Clock = Callable[[], float]

I2C_M_RD = 0x0001  # i2c_msg.flags bit for a read (linux/i2c.h)
_EREMOTEIO = 121


class InterruptPin(Protocol):
    """What a fake chip needs of the gpiozero ``MockPin`` it drives as its interrupt."""

    @property
    def state(self) -> float: ...

    @property
    def states(self) -> Sized: ...

    def drive_high(self) -> None: ...

    def drive_low(self) -> None: ...

    def clear_states(self) -> None: ...


class FakeChip:
    """Base of the fake chips: register access under a lock, lazy sample production.

    Subclasses define the register map (``_read_register``/``_write_register``), the
    configured rate (``_nominal_rate_hz``), whether sampling runs (``_sampling``), what
    happens to new samples (``_store``), their FIFO capacity in samples
    (``_capacity_samples``) and the interrupt level (``_int_level``).

    Parameters
    ----------
    signal
        Maps sample times (s, on ``clock``) to ``(n, 3)`` acceleration in m/s^2.
    clock
        Monotonic time source in seconds.
    rate_error
        Fractional error of the chip's oscillator: the true rate is nominal * (1 + error).
    int_pin
        A gpiozero ``MockPin`` the chip drives as its interrupt line, or None.
    """

    def __init__(self, signal: Signal, *, clock: Clock, rate_error: float,
                 int_pin: InterruptPin | None = None) -> None:
        self._signal = signal
        self._clock = clock
        self.rate_error = float(rate_error)
        self.int_pin = int_pin
        self._lock = threading.RLock()
        self._origin_s = clock()
        self._produced = 0
        self.samples_generated = 0  # produced by the sensor (stored or not)
        self.samples_overwritten = 0  # lost to FIFO overflow
        self._ticker: threading.Thread | None = None
        self._ticker_stop = threading.Event()

    # ----------------------------------------------------------- to be overridden
    def _nominal_rate_hz(self) -> float:
        raise NotImplementedError

    def _sampling(self) -> bool:
        raise NotImplementedError

    def _capacity_samples(self) -> int:
        raise NotImplementedError

    def _store(self, accel_mps2: np.ndarray, skipped: int) -> None:
        """Take new samples (oldest first); ``skipped`` older ones were never stored."""
        raise NotImplementedError

    def _int_level(self) -> bool:
        return False

    def _read_register(self, register: int, length: int) -> bytes:
        raise NotImplementedError

    def _write_register(self, register: int, data: bytes) -> None:
        raise NotImplementedError

    # ----------------------------------------------------------- engine
    @property
    def true_rate_hz(self) -> float:
        """The rate the fake really produces samples at (0 while not sampling)."""
        if not self._sampling():
            return 0.0
        return self._nominal_rate_hz() * (1.0 + self.rate_error)

    @property
    def sample_origin_s(self) -> float:
        """Clock time the current sample phase began: sample ``k`` (1-based) of this
        phase is taken at ``sample_origin_s + k / true_rate_hz``."""
        return self._origin_s

    def _restart_sampling(self) -> None:
        """Start a new sample phase now (after a rate or power change)."""
        self._origin_s = self._clock()
        self._produced = 0

    def update(self) -> None:
        """Produce every sample due by ``clock()`` and drive the interrupt line."""
        with self._lock:
            rate_hz = self.true_rate_hz
            if rate_hz > 0.0:
                due = math.floor((self._clock() - self._origin_s) * rate_hz)
                new = due - self._produced
                if new > 0:
                    keep = min(new, self._capacity_samples() + 1)
                    index = np.arange(due - keep + 1, due + 1, dtype=np.float64)
                    times_s = self._origin_s + index / rate_hz
                    accel = np.asarray(self._signal(times_s), dtype=np.float64).reshape(keep, 3)
                    self.samples_generated += new
                    self._store(accel, new - keep)
                    self._produced = due
            self._drive_pin()

    def _drive_pin(self) -> None:
        pin = self.int_pin
        if pin is None:
            return
        level = self._int_level()
        if bool(pin.state) != level:
            pin.drive_high() if level else pin.drive_low()
            if len(pin.states) > 1000:  # MockPin records every change; keep it bounded
                pin.clear_states()

    # ----------------------------------------------------------- bus side
    def read(self, register: int, length: int) -> bytes:
        """A register read transaction of ``length`` bytes starting at ``register``."""
        with self._lock:
            self.update()
            data = self._read_register(register, length)
            self._drive_pin()
            return data

    def write(self, register: int, data: bytes) -> None:
        """A register write transaction (register pointer, then data bytes)."""
        with self._lock:
            self.update()
            self._write_register(register, data)
            self.update()

    # ----------------------------------------------------------- real-time helper
    def start_ticking(self, period_s: float = 0.001) -> None:
        """Run :meth:`update` every ``period_s`` in a thread, so the interrupt line
        moves in real time while nobody touches the bus (live fakes only)."""
        if self._ticker is not None:
            return
        self._ticker_stop.clear()

        def tick() -> None:
            while not self._ticker_stop.wait(period_s):
                self.update()

        self._ticker = threading.Thread(target=tick, name="fake-chip-ticker", daemon=True)
        self._ticker.start()

    def stop_ticking(self) -> None:
        if self._ticker is not None:
            self._ticker_stop.set()
            self._ticker.join()
            self._ticker = None


def quantise(accel_mps2: np.ndarray, lsb_per_g: float, lo: int, hi: int) -> np.ndarray:
    """m/s^2 to the integer counts a chip with ``lsb_per_g`` reports, saturated."""
    counts = np.rint(np.asarray(accel_mps2) * (lsb_per_g / G_MPS2))
    return np.clip(counts, lo, hi).astype(np.int32)


class FakeI2CBus:
    """A register-level stand-in for ``smbus2.SMBus`` (the four methods drivers use).

    Parameters
    ----------
    chips
        Mapping of 7-bit address to fake chip.
    name
        Shown in driver messages as the bus path.
    """

    def __init__(self, chips: dict[int, FakeChip] | None = None, *,
                 name: str = "fake-i2c-1") -> None:
        self.chips: dict[int, FakeChip] = dict(chips or {})
        self.pacer_path = name
        self.transfers = 0

    # ----------------------------------------------------------- wiring
    def attach(self, address: int, chip: FakeChip) -> None:
        self.chips[address] = chip

    def detach(self, address: int) -> FakeChip:
        """Unplug the chip at ``address`` (later transfers get EREMOTEIO)."""
        return self.chips.pop(address)

    def _chip(self, address: int) -> FakeChip:
        self.transfers += 1
        try:
            return self.chips[address]
        except KeyError:
            raise OSError(_EREMOTEIO, "Remote I/O error") from None

    # ----------------------------------------------------------- smbus2 API
    def read_byte_data(self, i2c_addr: int, register: int, force: bool | None = None) -> int:
        return self._chip(i2c_addr).read(register, 1)[0]

    def write_byte_data(self, i2c_addr: int, register: int, value: int,
                        force: bool | None = None) -> None:
        if not 0 <= value <= 0xFF:
            raise ValueError(f"byte out of range: {value}")
        self._chip(i2c_addr).write(register, bytes([value]))

    def read_i2c_block_data(self, i2c_addr: int, register: int, length: int,
                            force: bool | None = None) -> list[int]:
        if length > 32:  # smbus2 refuses the same (I2C_SMBUS_BLOCK_MAX)
            raise ValueError("Desired block length over 32 bytes")
        return list(self._chip(i2c_addr).read(register, length))

    def i2c_rdwr(self, *i2c_msgs: i2c_msg) -> None:
        """Combined transfer: a write sets the register pointer (and writes any data
        bytes after it); a following read reads from that pointer into the message."""
        pointer: dict[int, int] = {}
        for msg in i2c_msgs:
            chip = self._chip(msg.addr)
            if msg.flags & I2C_M_RD:
                data = chip.read(pointer.get(msg.addr, 0), msg.len)
                ctypes.memmove(msg.buf, data, len(data))
            else:
                payload = bytes(msg)
                if not payload:
                    continue
                pointer[msg.addr] = payload[0]
                if len(payload) > 1:
                    chip.write(payload[0], payload[1:])

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
