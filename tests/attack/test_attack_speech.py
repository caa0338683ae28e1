"""Speech engines and the audio device misbehaving, with real processes: hung and
crashing engines cost bounded time, no child outlives pacer, a wedged aplay is replaced."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from attack_bounded import child_env, limit_memory

pytestmark = pytest.mark.attack
ATTACK_CLASS = "speech"

ESPEAK = {
    "hangs": "#!/bin/sh\necho $$ >> {pids}\nsleep 3600 &\necho $! >> {pids}\nwait\n",
    "crashes": "#!/bin/sh\necho $$ >> {pids}\nkill -SEGV $$\n",
    "garbage": "#!/bin/sh\necho $$ >> {pids}\nhead -c 5000 /dev/urandom\n",
    "silent_exit": "#!/bin/sh\necho $$ >> {pids}\nexit 0\n",
}

# A pacer process: both engines bad, 30 phrases, then exit without tidying up.
_RUN = """
import sys, threading, time
from pacer.audio.synth import EspeakSynth
from pacer.audio.worker import SpeechWorker
from pacer.audio.pcm import Pcm

class Hung:
    name = "hung"
    def render(self, text): threading.Event().wait(3600)
    def close(self): pass

worker = SpeechWorker(Hung, lambda: EspeakSynth(executable=sys.argv[1], timeout_s=30.0),
                      timeout_s=0.5, start_timeout_s=1.0)
start = time.monotonic()
failed = 0
for k in range(30):
    try:
        worker.request(f"phrase {k}").result(timeout=20)
    except Exception:
        failed += 1
print(f"{time.monotonic() - start:.2f} {failed}")
worker.close(timeout_s=0.5)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("behaviour", sorted(ESPEAK))
def test_bad_engines_cost_bounded_time_and_leave_no_children(
    tmp_path: Path, tally, behaviour: str
) -> None:
    pids = tmp_path / "pids"
    exe = tmp_path / "espeak-ng"
    exe.write_text(ESPEAK[behaviour].format(pids=pids))
    exe.chmod(0o755)
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(_RUN), str(exe)],
                          capture_output=True, text=True, timeout=30, env=child_env(),
                          preexec_fn=limit_memory)  # fmt: skip
    wall_s = time.monotonic() - start
    elapsed_s, failed = done.stdout.split() if done.returncode == 0 else ("nan", "-1")
    tally.check(done.returncode == 0 and float(elapsed_s) < 5.0 and int(failed) == 30,
                f"{behaviour}: rc {done.returncode}, {elapsed_s} s, {failed} failed; "
                f"{done.stderr[-300:]}")  # fmt: skip
    tally.check(wall_s < 10.0, f"{behaviour}: the process took {wall_s:.1f} s to end")
    time.sleep(0.1)
    children = [int(p) for p in pids.read_text().split()] if pids.exists() else []
    tally.check(not any(_alive(p) for p in children), f"{behaviour}: children left {children}")
