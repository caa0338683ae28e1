"""Speech worker: cache, restart on a crashing engine, fallback on a hanging one.

The fakes behave like broken engines: a crashed instance stays broken (every later
call raises, like a driver whose C state is gone) so only a *new* instance recovers;
a hung one really blocks its thread forever.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from pacer.audio.pcm import Pcm
from pacer.audio.worker import SpeechWorker
from pacer.errors import AudioError


def _pcm_for(text: str, engine: str) -> Pcm:
    return Pcm(np.full(10 * len(text), 1000, np.int16), 22050, engine)


class CountingSynth:
    name = "counting"
    renders = 0

    def render(self, text: str) -> Pcm:
        type(self).renders += 1
        return _pcm_for(text, self.name)

    def close(self) -> None:
        pass


class CrashingSynth:
    """Crashes on the 2nd render; a crashed instance stays broken."""

    name = "crashy"
    instances = 0

    def __init__(self) -> None:
        type(self).instances += 1
        self.calls = 0
        self.broken = False

    def render(self, text: str) -> Pcm:
        self.calls += 1
        if self.broken or self.calls == 2:
            self.broken = True
            raise RuntimeError("espeak: internal error")
        return _pcm_for(text, self.name)

    def close(self) -> None:
        pass


RELEASE = threading.Event()


class HangingSynth:
    name = "hangs"

    def render(self, text: str) -> Pcm:
        RELEASE.wait()  # a real hang: the thread never comes back on its own
        return _pcm_for(text, self.name)

    def close(self) -> None:
        pass


class FallbackSynth:
    name = "fallback"

    def render(self, text: str) -> Pcm:
        return _pcm_for(text, self.name)

    def close(self) -> None:
        pass


@pytest.fixture(autouse=True)
def _release_hung_threads():
    RELEASE.clear()
    yield
    RELEASE.set()


def test_cache_returns_the_same_pcm_without_rendering_again():
    CountingSynth.renders = 0
    with SpeechWorker(CountingSynth, cache_size=2) as w:
        a = w.request("on pace").result(timeout=5)
        b = w.request("on pace")
        assert b.done() and b.result() is a
        assert CountingSynth.renders == 1
        w.request("go").result(timeout=5)
        w.request("ease off").result(timeout=5)  # evicts "on pace" (LRU, size 2)
        assert not w.cached("on pace") and w.cached("go")


def test_crashing_engine_is_restarted_and_the_phrase_still_rendered():
    CrashingSynth.instances = 0
    with SpeechWorker(CrashingSynth, FallbackSynth, max_failures=3) as w:
        assert w.request("one").result(timeout=5).engine == "crashy"
        second = w.request("two").result(timeout=5)
        assert second.engine == "crashy"  # rendered by a restarted instance
        assert second.n == 30
        assert CrashingSynth.instances == 2
        kinds = [e.kind for e in w.events]
        assert kinds.count("failed") == 1 and "fallback" not in kinds


def test_hanging_engine_is_replaced_by_the_fallback_and_request_never_waits():
    with SpeechWorker(HangingSynth, FallbackSynth, timeout_s=0.5, max_failures=2) as w:
        fut = w.request("rep 3 of 8")
        assert not fut.done()  # the caller got a future while the engine hangs
        pcm = fut.result(timeout=10)
        assert pcm.engine == "fallback"
        assert [e.kind for e in w.events].count("timeout") == 2
        assert any(e.kind == "fallback" for e in w.events)
        # later phrases go straight to the fallback
        assert w.request("go").result(timeout=5).engine == "fallback"


def test_engine_that_cannot_start_falls_back():
    def broken_factory():
        raise AudioError("libespeak-ng1 missing")

    with SpeechWorker(broken_factory, FallbackSynth, max_failures=1) as w:
        assert w.request("halfway").result(timeout=5).engine == "fallback"


def test_without_any_working_engine_the_future_fails_cleanly():
    def broken_factory():
        raise AudioError("no engine")

    with (
        SpeechWorker(broken_factory, None, max_failures=1) as w,
        pytest.raises(AudioError, match="no engine could render"),
    ):
        w.request("go").result(timeout=10)


def test_requests_after_close_fail_instead_of_hanging():
    w = SpeechWorker(CountingSynth)
    w.close()
    with pytest.raises(AudioError, match="closed"):
        w.request("late").result(timeout=1)
