"""The real-time driver sleeps while there is nothing to play and wakes for a phrase
with its first sample intact (behaviour: what reaches the sink, not how fast)."""

from __future__ import annotations

import threading
import time

import numpy as np

from pacer.audio.driver import RealtimeDriver
from pacer.audio.mixer import Mixer
from pacer.audio.pcm import Pcm

RATE_HZ = 8000


class CaptureSink:
    rate_hz = RATE_HZ

    def __init__(self) -> None:
        self.blocks: list[np.ndarray] = []
        self.lock = threading.Lock()

    def write(self, block: np.ndarray) -> None:
        with self.lock:
            self.blocks.append(block.copy())

    def close(self) -> None:
        pass

    def pcm(self) -> np.ndarray:
        with self.lock:
            return np.concatenate(self.blocks) if self.blocks else np.zeros(0, np.int16)


def wait_for(condition, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.005)


def test_asleep_while_silent_and_the_phrase_plays_whole_after_waking():
    sink = CaptureSink()
    mixer = Mixer(sink, rate_hz=RATE_HZ, block_s=0.02)
    driver = RealtimeDriver(mixer, sink, lead_s=0.05, idle=mixer.idle, idle_after_s=0.1)
    driver.start()
    try:
        wait_for(lambda: driver.paused)
        asleep_n = sink.pcm().size
        assert asleep_n >= 0.1 * RATE_HZ  # the silence tail, then nothing
        time.sleep(0.1)
        assert sink.pcm().size == asleep_n  # nothing written while asleep
        phrase = Pcm(np.arange(1, 1601, dtype=np.int16), RATE_HZ, "test")  # 0.2 s
        mixer.schedule_speech(mixer.now_s, phrase)
        driver.wake()
        wait_for(lambda: driver.pauses == 2 and driver.paused)
    finally:
        driver.stop()
    out = sink.pcm()
    start = int(np.flatnonzero(out)[0])
    assert start == asleep_n  # the phrase is the first thing written after waking
    np.testing.assert_array_equal(out[start:start + 1600], phrase.samples)
    assert not out[start + 1600:].any()  # then silence again, until asleep
    assert driver.underruns == 0


def test_never_asleep_while_something_is_planned():
    sink = CaptureSink()
    mixer = Mixer(sink, rate_hz=RATE_HZ, block_s=0.02)
    for k in range(40):  # clicks every 0.05 s for 2 s
        mixer.schedule_click(0.05 * k)
    driver = RealtimeDriver(mixer, sink, lead_s=0.05, idle=mixer.idle, idle_after_s=0.1)
    driver.start()
    try:
        wait_for(lambda: mixer.now_s > 1.0)
        assert driver.pauses == 0
        wait_for(lambda: driver.paused)  # after the last click and the silence tail
    finally:
        driver.stop()
    assert mixer.now_s >= 0.05 * 39 + 0.1


def test_mixer_idle_follows_the_plan():
    mixer = Mixer(None, rate_hz=RATE_HZ, block_s=0.02)
    assert mixer.idle()
    mixer.schedule_click(0.1)
    assert not mixer.idle()
    mixer.pull(int(0.2 * RATE_HZ))
    assert mixer.idle()
    mixer.schedule_speech(mixer.now_s, Pcm(np.ones(80, np.int16), RATE_HZ))
    assert not mixer.idle()
    mixer.pull(int(0.1 * RATE_HZ))
    assert mixer.idle()
    assert not mixer.pull(160).any()  # silence renders as zeros


def test_clicks_alone_in_coarse_blocks_speech_in_fine_ones():
    sink = CaptureSink()
    mixer = Mixer(sink, rate_hz=RATE_HZ, block_s=0.02)
    for k in range(30):  # clicks every 0.05 s for 1.5 s
        mixer.schedule_click(0.05 * k)
    speaking = threading.Event()

    def clicks_only() -> bool:
        return not speaking.is_set() and not mixer.has_speech()

    driver = RealtimeDriver(mixer, sink, lead_s=0.05, idle=mixer.idle, idle_after_s=0.1,
                            coarse=clicks_only, coarse_block_s=0.06, coarse_lead_s=0.08)
    driver.start()
    try:
        wait_for(lambda: mixer.now_s > 0.5)
        speaking.set()  # a cue is being rendered
        driver.wake()
        phrase = Pcm(np.full(800, 1000, np.int16), RATE_HZ, "test")  # 0.1 s
        mixer.schedule_speech(mixer.now_s, phrase)
        speaking.clear()
        wait_for(lambda: driver.paused)
    finally:
        driver.stop()
    sizes = [b.size for b in sink.blocks]
    assert sizes[0] == 480  # 60 ms: clicks alone
    out = sink.pcm()
    start = int(np.flatnonzero(out == 1000)[0])  # the phrase (clicks are ducked, not 1000)
    ends = np.cumsum(sizes)
    during = [s for e, s in zip(ends, sizes, strict=True) if start < e <= start + 800]
    assert during and set(during) == {160}  # 20 ms blocks while speech is planned


def test_a_cue_of_a_session_that_saw_no_record_is_still_spoken():
    """The engine's closing cue comes at t_s = -inf when no record ever arrived (stopped
    at once); its expiry is then meaningless, not an error that leaves close() waiting."""
    import math
    import shutil

    import pytest

    from pacer.audio.output import AudioOut
    from pacer.models import Cue, CueKind

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed")
    audio = AudioOut(engine="espeak", sink="null", live=True)
    audio.say(Cue(-math.inf, CueKind.STATUS, "session over", priority=2,
                  expires_s=-math.inf))
    outcomes = audio.close(drain_timeout_s=5.0)
    assert len(outcomes) == 1 and not outcomes[0].dropped
