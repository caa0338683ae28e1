"""Speech faults with real processes that misbehave: a wedged aplay, a hung espeak-ng.

The stand-ins are small programs (no call-recording mocks): ``aplay`` that stops
reading while staying alive, ``espeak-ng`` that never answers (and starts a child of
its own, as a shell would).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from pacer.audio.mixer import Mixer
from pacer.audio.outcome import CueRecord, cue_outcomes
from pacer.audio.pcm import Pcm
from pacer.audio.sinks import AlsaSink
from pacer.audio.synth import EspeakSynth
from pacer.audio.worker import SpeechWorker
from pacer.errors import AudioError
from pacer.models import Cue, CueKind

RATE = 22050

WEDGED_APLAY = """#!{python}
import os, sys, time
with open({pids!r}, "a") as f:
    f.write(f"{{os.getpid()}}\\n")
got = 0
while got < 8000:  # plays a little, then wedges: alive, never reads again
    data = os.read(0, 4096)
    if not data:
        sys.exit(0)
    got += len(data)
time.sleep(3600)
"""

HUNG_ESPEAK = """#!/bin/sh
echo $$ >> {pids}
sleep 3600 &
echo $! >> {pids}
wait
"""


def _script(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o755)
    return path


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def _all_gone(pids: list[int], within_s: float = 3.0) -> bool:
    """Every pid dead (or a zombie) within ``within_s``: SIGKILL to a process group is
    delivered at once, but a loaded machine may take a moment to end each process."""
    deadline = time.monotonic() + within_s
    while any(_alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _pids(path: Path) -> list[int]:
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def test_wedged_aplay_is_detected_and_restarted(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    exe = _script(tmp_path / "aplay", WEDGED_APLAY.format(python=sys.executable, pids=str(pids)))
    sink = AlsaSink(executable=str(exe), rate_hz=RATE, write_timeout_s=0.1, stall_s=0.5)
    block = np.zeros(441, np.int16)
    try:
        for _ in range(120):  # 2.4 s of audio at 20 ms blocks
            sink.write(block)
            time.sleep(0.005)
    finally:
        sink.close(timeout_s=0.5)
    assert sink.restarts >= 1
    assert sink.dropped_spans and sink.dropped_blocks > 0
    assert "took no audio" in sink.last_error
    started = _pids(pids)
    assert len(started) >= 2
    assert _all_gone(started)  # wedged ones killed and reaped


def test_cue_in_dropped_audio_is_marked_dropped() -> None:
    from pacer.audio.sinks import NullSink

    mixer = Mixer(NullSink(RATE), rate_hz=RATE, block_s=0.02)
    cue = Cue(t_s=1.0, kind=CueKind.SPLIT, text="one", priority=1)
    rec = CueRecord(cue, 0.0, 1.0)
    rec.pid = mixer.schedule_speech(1.0, Pcm(np.ones(RATE // 2, np.int16), RATE, "x"), 1)
    mixer.write_until(3.0)
    played = cue_outcomes([rec], mixer, live=False)
    lost = cue_outcomes([rec], mixer, live=False, lost_spans=[(RATE, RATE + 441)])
    assert not played[0].dropped
    assert lost[0].dropped and lost[0].reason.startswith("not played")


class _HungSynth:
    """A synthesizer whose engine never returns (as a wedged libespeak-ng would)."""

    name = "hung"

    def render(self, text: str) -> Pcm:
        threading.Event().wait(3600)
        raise AssertionError("unreachable")

    def close(self) -> None:
        pass


def test_hung_espeak_children_are_killed_and_reaped(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    exe = _script(tmp_path / "espeak-ng", HUNG_ESPEAK.format(pids=pids))
    synth = EspeakSynth(executable=str(exe), timeout_s=0.5)
    start = time.monotonic()
    with pytest.raises(AudioError, match="took over 0.5 s"):
        synth.render("go")
    assert time.monotonic() - start < 3
    assert len(_pids(pids)) == 2 and _all_gone(_pids(pids))


def test_both_engines_hung_cost_one_bounded_phrase(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    exe = _script(tmp_path / "espeak-ng", HUNG_ESPEAK.format(pids=pids))
    worker = SpeechWorker(
        _HungSynth, lambda: EspeakSynth(executable=str(exe), timeout_s=30.0),
        timeout_s=0.3, start_timeout_s=1.0,
    )  # fmt: skip
    start = time.monotonic()
    futures = [worker.request(f"phrase {k}") for k in range(30)]
    errors = 0
    for fut in futures:
        try:
            fut.result(timeout=10)
        except AudioError:
            errors += 1
    elapsed = time.monotonic() - start
    worker.close()
    assert errors == 30
    # one phrase times out, then the rest fail at once: far from 30 x 0.3 s of waiting
    assert elapsed < 6.0
    assert _pids(pids) and _all_gone(_pids(pids))


def test_hung_espeak_in_flight_is_killed_on_close(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    exe = _script(tmp_path / "espeak-ng", HUNG_ESPEAK.format(pids=pids))
    worker = SpeechWorker(lambda: EspeakSynth(executable=str(exe), timeout_s=30.0),
                          timeout_s=20.0)  # fmt: skip
    worker.request("go")
    deadline = time.monotonic() + 5
    while len(_pids(pids)) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.close(timeout_s=0.2)
    deadline = time.monotonic() + 3
    while any(_alive(p) for p in _pids(pids)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not any(_alive(p) for p in _pids(pids)), os.system("ps -ef | grep sleep")
