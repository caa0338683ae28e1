"""The simulated receiver paced onto a file descriptor (pacer.sim.receiver.write_realtime)."""

from __future__ import annotations

import io
import os
import threading
import tty

import pytest

from pacer.sim.receiver import SimulatedReceiver
from pacer.sim.runner import Effort, RunnerModel


class FakeClock:
    """A clock that only moves when slept on, recording every write's time."""

    def __init__(self) -> None:
        self.now_s = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now_s

    def sleep(self, s: float) -> None:
        assert s > 0
        self.sleeps.append(s)
        self.now_s += s


class Recorder(io.RawIOBase):
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.writes: list[tuple[float, bytes]] = []

    def write(self, b) -> int:  # type: ignore[override]
        self.writes.append((self.clock(), bytes(b)))
        return len(b)


@pytest.fixture(scope="module")
def receiver() -> SimulatedReceiver:
    r = RunnerModel([Effort("jog", duration_s=20.0)], seed=1)
    return SimulatedReceiver(r, seed=1, corrupt_rate=0.0)


@pytest.mark.parametrize(("baud", "speed"), [(9600, 1.0), (115200, 1.0), (9600, 4.0)])
def test_paced_at_epoch_times_and_baud_rate(receiver: SimulatedReceiver, baud: int,
                                            speed: float) -> None:
    clock = FakeClock()
    out = Recorder(clock)
    sent = receiver.write_realtime(out, clock=clock, sleep=clock.sleep, speed=speed, baud=baud)
    data = b"".join(d for _, d in receiver.epochs())
    assert sent == len(data)
    assert b"".join(w for _, w in out.writes) == data
    # the first byte of each epoch leaves no earlier than the epoch (plus latency)
    offset = 0
    starts = {}
    for t_s, d in receiver.epochs():
        starts[offset] = t_s
        offset += len(d)
    pos = 0
    for when, w in out.writes:
        if pos in starts:
            assert when - 100.0 >= (starts[pos] + 0.05) / speed - 1e-9
        pos += len(w)
    # never faster than the line: what left before a write fits in the elapsed line time
    bytes_per_s = baud / 10.0 * speed
    first_t = out.writes[0][0]
    before = 0
    for when, w in out.writes:
        assert before <= bytes_per_s * (when - first_t) + 1e-6
        before += len(w)


def test_stop_ends_the_stream_early(receiver: SimulatedReceiver) -> None:
    clock = FakeClock()
    out = Recorder(clock)
    sent = receiver.write_realtime(out, clock=clock, sleep=clock.sleep,
                                   stop=lambda: clock() > 105.0)
    assert 0 < sent < sum(len(d) for _, d in receiver.epochs())


def test_bytes_arrive_through_a_pty(receiver: SimulatedReceiver) -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    got = bytearray()
    expected = b"".join(d for _, d in receiver.epochs())

    def read() -> None:
        while len(got) < len(expected):
            chunk = os.read(slave, 4096)
            if not chunk:
                break
            got.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        receiver.write_realtime(master, speed=40.0, baud=115200)
        reader.join(timeout=10.0)
    finally:
        os.close(master)
        os.close(slave)
    assert bytes(got) == expected


def test_rate_that_does_not_fit_the_baud_overflows_the_tx_buffer_by_whole_sentences() -> None:
    r = RunnerModel([Effort("jog", duration_s=60.0)], seed=2)
    rx = SimulatedReceiver(r, rate_hz=5.0, seed=2, corrupt_rate=0.0, dropouts=False)
    clock = FakeClock()
    out = Recorder(clock)
    sent = rx.write_realtime(out, clock=clock, sleep=clock.sleep, baud=9600)
    offered = sum(len(d) for _, d in rx.epochs())
    assert rx.tx_dropped_sentences > 0
    assert sent < offered
    assert sent <= 960.0 * 61.0 + 4096  # the line rate plus one buffer
    lines = b"".join(w for _, w in out.writes).split(b"\r\n")
    assert lines[-1] == b""
    assert all(line.startswith(b"$GN") and line[-3:-2] == b"*" for line in lines[:-1])

    ok = SimulatedReceiver(r, rate_hz=5.0, seed=2, corrupt_rate=0.0, dropouts=False)
    clock2 = FakeClock()
    assert ok.write_realtime(Recorder(clock2), clock=clock2, sleep=clock2.sleep,
                             baud=115200) == offered
    assert ok.tx_dropped_sentences == 0
