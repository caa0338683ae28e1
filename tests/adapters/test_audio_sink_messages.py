"""aplay's stderr never fills: a stand-in aplay that prints an underrun report each time
the audio resumes after a silent gap (as a real card does when the driver sleeps) keeps
taking audio, because the sink reads those reports."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from pacer.audio.sinks import AlsaSink

RATE = 22050

CHATTY_APLAY = """#!{python}
import os, sys, time
last = time.monotonic()
while True:
    data = os.read(0, 65536)
    if not data:
        sys.exit(0)
    now = time.monotonic()
    if now - last > 0.3:  # resumed after a gap: the card underran meanwhile
        sys.stderr.write("underrun!!! (at least 400.000 ms long)\\n" * 500)  # ~20 kB
        sys.stderr.flush()  # blocks once nobody reads the pipe (64 KiB)
    last = now
"""


def test_underrun_reports_after_silent_gaps_are_read_and_audio_flows(tmp_path: Path) -> None:
    exe = tmp_path / "aplay"
    exe.write_text(CHATTY_APLAY.format(python=sys.executable))
    exe.chmod(0o755)
    sink = AlsaSink(executable=str(exe), rate_hz=RATE, write_timeout_s=0.2, stall_s=5.0)
    block = np.zeros(441, np.int16)
    try:
        for _ in range(8):  # 8 x 20 kB of reports: past a pipe's 64 KiB
            for _ in range(3):
                sink.write(block)
            time.sleep(0.5)  # the driver asleep while silent
        sink.write(block)
    finally:
        sink.close()
    assert sink.dropped_blocks == 0
    assert sink.restarts == 0
    assert sink.last_message.startswith("underrun!!!")
