"""The live loop's wait: until the next tick, the deadline or max_wait_s (known answers),
and the loop itself wakes for records and ticks, not on a short timeout."""

from __future__ import annotations

import queue

import pytest

from pacer.queue_driver import hold_s, queue_wait_s, run_queue
from pacer.runtime import Pipeline


@pytest.mark.parametrize(("now_s", "next_tick_s", "deadline_s", "max_wait_s", "expected_s"), [
    (10.25, 11.0, None, 1.0, 0.75),  # until the next tick
    (10.25, None, None, 1.0, 1.0),  # no record yet: the loop's own checks only
    (10.25, 11.0, None, 0.5, 0.5),  # capped
    (10.25, 11.0, 10.5, 1.0, 0.25),  # the session ends first
    (11.5, 11.0, None, 1.0, 0.0),  # a tick is overdue: do not wait
    (12.0, 13.0, 11.0, 1.0, 0.0),  # past the deadline
])
def test_wait_known_answers(now_s, next_tick_s, deadline_s, max_wait_s, expected_s):
    assert queue_wait_s(now_s, next_tick_s, deadline_s=deadline_s,
                        max_wait_s=max_wait_s) == pytest.approx(expected_s)


class _Estimator:
    def push_fix(self, fix): ...
    def push_accel(self, block): ...
    def push_device(self, ev): ...
    def footfalls(self): return []

    def estimate(self, t_s):
        return t_s  # nothing reads it here (no engine, audio, store or printer)


class _ManualInbox(queue.Queue):
    """An inbox on a manual clock: a wait that runs out moves the clock by exactly the
    timeout asked for, and records it."""

    def __init__(self, now: list[float]) -> None:
        super().__init__()
        self.now = now
        self.timeouts: list[float] = []

    def get(self, block=True, timeout=None):
        try:
            return super().get(False)
        except queue.Empty:
            if block and timeout is not None:
                self.timeouts.append(timeout)
                self.now[0] += timeout
            raise


def test_the_loop_sleeps_until_the_tick_on_a_silent_inbox():
    from pacer.models import DeviceEvent, DeviceState

    now = [0.2]
    inbox = _ManualInbox(now)
    inbox.put(DeviceEvent(0.2, "gps", DeviceState.UP, "fake"))  # starts the tick grid
    pipeline = Pipeline(estimator=_Estimator())
    passes: list[float] = []

    def on_pass(now_s: float) -> bool:
        passes.append(now_s)
        return now_s >= 5.0

    run_queue(pipeline, inbox, clock=lambda: now[0], on_pass=on_pass)
    assert pipeline.n_ticks == 5
    assert inbox.timeouts == pytest.approx([0.8, 1.0, 1.0, 1.0, 1.0])
    assert passes == pytest.approx([0.2, 1.0, 2.0, 3.0, 4.0, 5.0])  # the record, then ticks


@pytest.mark.parametrize(("now_s", "last_pass_s", "next_tick_s", "expected_s"), [
    (10.03, 10.0, 11.0, 0.07),  # a record 30 ms after the last pass: wait for its batch
    (10.2, 10.0, 11.0, 0.0),  # the last pass is long enough ago: take it now
    (10.97, 10.9, 11.0, 0.03),  # never past the tick
    (10.03, 10.0, None, 0.07),  # before the first tick
    (0.5, float("-inf"), None, 0.0),  # the first record ever
])
def test_hold_known_answers(now_s, last_pass_s, next_tick_s, expected_s):
    assert hold_s(now_s, last_pass_s, 0.1, next_tick_s) == pytest.approx(expected_s)


def test_a_stream_of_records_is_taken_in_batches():
    """Records every few ms (a receiver's small reads): one pass per batch, every record
    taken, in order."""
    import threading
    import time

    from pacer.models import DeviceEvent, DeviceState

    inbox: queue.Queue = queue.Queue()
    pipeline = Pipeline(estimator=_Estimator())
    t0 = time.monotonic()
    passes: list[float] = []
    n_records = 100

    def produce() -> None:
        for _ in range(n_records):
            inbox.put(DeviceEvent(time.monotonic() - t0, "gps", DeviceState.UP, ""))
            time.sleep(0.004)

    producer = threading.Thread(target=produce)
    producer.start()

    def on_pass(now_s: float) -> bool:
        passes.append(now_s)
        return not producer.is_alive() and inbox.empty()

    run_queue(pipeline, inbox, clock=lambda: time.monotonic() - t0, on_pass=on_pass,
              min_pass_s=0.1)
    producer.join()
    assert pipeline.device_records["gps"] == n_records
    assert len(passes) <= n_records / 5  # batches of many records, not one pass each
