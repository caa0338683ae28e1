"""Drains an accelerometer FIFO in bursts and emits calibrated, contiguous AccelBlocks.

The sampler is the only place that reads a clock for the accelerometer. Per burst it

1. stamps the burst with ``clock()`` *before* the drain (every sample counted by the
   chip was taken before that moment), less the expected age of the last sample
   (half a period when polled; ~0 when woken by the interrupt line);
2. feeds (cumulative sample count, stamp) to :class:`~pacer.hw.rate.RateEstimator`,
   which regresses the sensor's true rate;
3. lays the samples on a continuous timeline: a block starts exactly where the previous
   one ended, and its ``rate_hz`` is the estimated rate, slewed by at most
   ``max_slew`` so the timeline follows the fitted line (as NTP slews a clock rather
   than stepping it). After an overflow or a bus failure the timeline restarts at the
   fitted time and the block carries the number of samples lost.

``start(sink)`` runs this in a thread: it waits on the interrupt line through gpiozero
(``DigitalInputDevice``), or polls when no pin is wired, and hands each block to
``sink``. A failing bus read is reported once as ``DeviceEvent(..., LOST, ...)``; the
thread retries (reconfiguring the chip, which may have been power-cycled) and reports
``BACK``. Nothing escapes the thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

import numpy as np

from pacer.hw.accel import AccelDriver, FifoRead, InterruptKind
from pacer.hw.rate import RateEstimator
from pacer.models import AccelBlock, DeviceEvent, DeviceState

__all__ = ["Sampler"]

log = logging.getLogger(__name__)

Sink = Callable[[AccelBlock | DeviceEvent], None]  # the blocks, and the device's state changes

#: with a watermark line, a burst is read without its edge only after this many
#: ``poll_interval_s`` (an edge that never came)
WATERMARK_TIMEOUT = 2.0


class InterruptLine(Protocol):
    """The chip's interrupt pin as the sampler uses it (a gpiozero ``DigitalInputDevice``)."""

    def wait_for_active(self, timeout: float | None = None) -> bool: ...

    def close(self) -> None: ...


class Sampler:
    """Burst reader, rate calibrator and time stamper for one accelerometer driver.

    Parameters
    ----------
    driver
        An :class:`~pacer.hw.accel.AccelDriver` (MPU6050, ADXL345, ADXL335).
    clock
        Monotonic time source in seconds (the session timeline).
    interrupt_pin
        GPIO (BCM number or gpiozero pin name) wired to the chip's INT line, or None
        to poll.
    pin_factory
        gpiozero pin factory for the interrupt line (None: gpiozero's default).
    poll_interval_s
        Target time between bursts. With a watermark interrupt line the edges pace
        the bursts: the sampler sleeps until one and polls only when none came for
        ``WATERMARK_TIMEOUT`` times this (set it near the watermark's fill time).
    window_s
        Sliding window of the rate regression.
    max_slew
        Largest relative difference between a block's ``rate_hz`` and the estimate,
        used to pull the timeline onto the fitted line.
    """

    def __init__(self, driver: AccelDriver, *, clock: Callable[[], float] = time.monotonic,
                 interrupt_pin: int | str | None = None, pin_factory: object = None,
                 poll_interval_s: float = 0.1, window_s: float = 60.0,
                 max_slew: float = 0.005) -> None:
        if poll_interval_s <= 0:
            raise ValueError("poll_interval_s must be positive")
        self.driver = driver
        self.clock = clock
        self.interrupt_pin = interrupt_pin
        self.pin_factory = pin_factory
        self.poll_interval_s = float(poll_interval_s)
        self.max_slew = float(max_slew)
        self._rate = RateEstimator(driver.nominal_rate_hz, window_s=window_s)
        self._segment_count = 0  # samples since the time base (re)started
        self._next_t0_s: float | None = None
        self._last_stamp_s: float | None = None
        self._pending_lost = 0
        self._loss_pending = False
        self.bursts = 0
        self.samples = 0
        self.overflows = 0
        self.lost = 0
        self.errors = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    # ------------------------------------------------------------------ estimate
    @property
    def rate_estimate_hz(self) -> float:
        """The regression estimate of the sensor's true output data rate."""
        return self._rate.rate_hz

    @property
    def rate_rel_stderr(self) -> float:
        return self._rate.rate_rel_stderr

    # ------------------------------------------------------------------ bursts
    def poll(self) -> AccelBlock | None:
        """Drain the FIFO once and return the new samples as a block (None if empty).

        Raises the driver's :class:`~pacer.errors.DeviceError` on a bus failure (the
        thread started by :meth:`start` catches it).
        """
        return self._poll(aligned=False)

    def _poll(self, aligned: bool) -> AccelBlock | None:
        stamp_s = self.clock()
        read = self.driver.read_fifo()
        latency_s = 0.0 if aligned else 0.5 / self._rate.rate_hz
        return self.ingest(read, stamp_s - latency_s)

    def ingest(self, read: FifoRead, t_last_s: float) -> AccelBlock | None:
        """Turn one drain into a block; ``t_last_s`` is the time of its last sample.

        Public so that replays and benchmarks can feed recorded drains.
        """
        self.bursts += 1
        lost = 0
        if read.overflowed or self._loss_pending:
            lost = read.lost_samples
            if self._last_stamp_s is not None:
                expected = (t_last_s - self._last_stamp_s) * self._rate.rate_hz
                lost = max(lost, round(expected) - read.n)
            lost = max(lost, 1 if read.overflowed else 0)
            self.overflows += int(read.overflowed)
            self.lost += lost
            self._pending_lost += lost
            self._loss_pending = False
            self._restart_time_base()
        self._last_stamp_s = t_last_s
        n = read.n
        if n == 0:
            return None
        self.samples += n
        self._segment_count += n
        self._rate.add(self._segment_count, t_last_s)
        rate_hz = self._rate.rate_hz
        fitted_end_s = self._rate.fitted_time_s(self._segment_count) + 1.0 / rate_hz
        natural_s = n / rate_hz
        if self._next_t0_s is None:
            t0_s = fitted_end_s - natural_s
            duration_s = natural_s
        else:
            t0_s = self._next_t0_s
            error_s = fitted_end_s - (t0_s + natural_s)
            limit_s = self.max_slew * natural_s
            duration_s = natural_s + min(max(0.5 * error_s, -limit_s), limit_s)
        block = AccelBlock(
            t0_s=t0_s,
            rate_hz=n / duration_s,
            samples_mps2=self.driver.to_mps2(read.counts),
            lost_samples=self._pending_lost,
        )
        self._pending_lost = 0
        self._next_t0_s = block.t_end_s
        return block

    def _restart_time_base(self) -> None:
        self._rate.new_segment()
        self._segment_count = 0
        self._next_t0_s = None

    def mark_loss(self) -> None:
        """Samples went missing outside the FIFO (bus failure): the next block restarts
        the time base and carries a loss estimated from elapsed time."""
        self._loss_pending = True

    # ------------------------------------------------------------------ thread
    def start(self, sink: Sink) -> None:
        """Run the sampler in a daemon thread, handing blocks and events to ``sink``."""
        if self._thread is not None:
            raise RuntimeError("sampler already started")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(sink,), name="accel-sampler",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 2.0) -> None:
        """Stop the thread and wait for it (at most ``timeout_s``)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _open_interrupt(self, sink: Sink) -> InterruptLine | None:
        """The interrupt line as a gpiozero DigitalInputDevice, or None to poll (also
        when the GPIO cannot be claimed: reported once as an ERROR event)."""
        if self.interrupt_pin is None or self.driver.interrupt_kind is InterruptKind.NONE:
            return None
        try:
            from gpiozero import DigitalInputDevice

            line: InterruptLine = DigitalInputDevice(self.interrupt_pin, pull_up=False,
                                                     pin_factory=self.pin_factory)
            return line
        except Exception as exc:  # broad catch on purpose: degrade to polling, never stop
            self._emit(sink, DeviceEvent(
                self.clock(), "accel", DeviceState.ERROR,
                f"{self.driver.name}: interrupt GPIO {self.interrupt_pin} unusable "
                f"({type(exc).__name__}: {exc}); polling instead"))
            return None

    def _run(self, sink: Sink) -> None:
        pin = self._open_interrupt(sink)
        healthy = True
        backoff_s = 0.2
        try:
            next_s = self.clock() + self.poll_interval_s
            while not self._stop.is_set():
                try:
                    if not healthy:
                        self.driver.configure()  # the chip may have lost power
                    block = self._next_burst(pin, next_s)
                    next_s = max(next_s + self.poll_interval_s, self.clock())
                except Exception as exc:  # broad on purpose: a bus failure must not kill the thread
                    self.errors += 1
                    self.mark_loss()
                    if healthy:
                        healthy = False
                        self._emit(sink, DeviceEvent(self.clock(), "accel", DeviceState.LOST,
                                                     f"{self.driver.name}: {exc}"))
                    self._stop.wait(backoff_s)
                    backoff_s = min(backoff_s * 2.0, 2.0)
                    next_s = self.clock() + self.poll_interval_s
                    continue
                if not healthy:
                    healthy = True
                    backoff_s = 0.2
                    self._emit(sink, DeviceEvent(self.clock(), "accel", DeviceState.BACK,
                                                 f"{self.driver.name} is back"))
                if block is not None:
                    self._emit(sink, block)
        finally:
            if pin is not None:
                pin.close()

    def _next_burst(self, pin: InterruptLine | None, due_s: float) -> AccelBlock | None:
        kind = self.driver.interrupt_kind
        if kind is InterruptKind.NONE:
            return self._host_paced_burst(due_s)
        period_s = 1.0 / self._rate.rate_hz
        if pin is None:
            self._wait_until(due_s)
            return self._poll(aligned=False)
        if kind is InterruptKind.WATERMARK:
            # asleep until the line rises at the watermark: one wake-up per burst. The
            # timeout only keeps data flowing (polled) if an edge is ever missed.
            aligned = bool(pin.wait_for_active(timeout=WATERMARK_TIMEOUT * self.poll_interval_s))
            return self._poll(aligned=aligned)
        # DATA_READY (latched): clear the latch just before the burst is due, then read
        # right after the next sample lands, so the stamp is that sample's time
        self._wait_until(due_s - 1.5 * period_s)
        self.driver.acknowledge_interrupt()
        aligned = bool(pin.wait_for_active(timeout=3.0 * period_s))
        return self._poll(aligned=aligned)

    def _host_paced_burst(self, due_s: float) -> AccelBlock | None:
        """A sensor without FIFO or clock: sample at the nominal rate on absolute
        deadlines and emit what was collected by ``due_s`` as one burst."""
        period_s = 1.0 / self.driver.nominal_rate_hz
        rows = []
        t_last_s = next_sample_s = self.clock()
        while not self._stop.is_set():
            now_s = self.clock()
            if now_s < next_sample_s:
                self._stop.wait(next_sample_s - now_s)
                continue
            if now_s - next_sample_s > 2 * period_s:  # fell behind: skipped samples
                self.mark_loss()
                next_sample_s = now_s
            t_last_s = self.clock()
            rows.append(self.driver.read_fifo().counts)
            next_sample_s += period_s
            if next_sample_s > due_s:
                break
        if not rows:
            return None
        counts = np.concatenate(rows)
        return self.ingest(FifoRead(counts=counts), t_last_s)

    def _wait_until(self, t_s: float) -> None:
        delay_s = t_s - self.clock()
        if delay_s > 0:
            self._stop.wait(delay_s)

    def _emit(self, sink: Sink, item: AccelBlock | DeviceEvent) -> None:
        try:
            sink(item)
        except Exception:
            log.exception("accelerometer sink failed on %r", type(item).__name__)
