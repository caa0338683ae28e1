"""The live service against a noisy receiver: ``pacer run`` as systemd runs it (a real
process, a real notify socket) on the fake hardware, random bytes on the receiver's pty.
The watchdog proves the loop and its edge threads alive, not that the receiver talks
sense: the pings go on, the garbage is said once, the run goes on."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from attack_bounded import child_env

pytestmark = pytest.mark.attack
ATTACK_CLASS = "live service"

FAKE_SERVICE = Path(__file__).resolve().parents[1] / "helpers" / "fake_service.py"
GARBAGE_AFTER_S = 4.0
GARBAGE_FOR_S = 25.0


def _pings(sock: socket.socket, seconds: float) -> tuple[list[float], list[bytes]]:
    """The times of WATCHDOG=1 pings over ``seconds`` after READY=1, and every message."""
    got: list[bytes] = []
    deadline = time.monotonic() + 30
    while b"READY=1" not in b"".join(got):
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        got.append(sock.recv(4096))
    t0 = time.monotonic()
    pings: list[float] = []
    sock.settimeout(0.2)
    while time.monotonic() - t0 < seconds:
        try:
            msg = sock.recv(4096)
        except TimeoutError:
            continue
        got.append(msg)
        if msg == b"WATCHDOG=1":
            pings.append(time.monotonic() - t0)
    return pings, got


@pytest.mark.slow  # a real service process, 25 s of garbage on its line
def test_garbage_on_the_gps_line_does_not_starve_the_watchdog(tmp_path: Path, tally) -> None:
    notify = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify))
    cfg = tmp_path / "pacer.toml"
    cfg.write_text('[audio]\nengine = "none"\n')
    env = {**child_env(), "NOTIFY_SOCKET": str(notify), "WATCHDOG_USEC": "2000000",
           "PYTHONUNBUFFERED": "1"}  # fmt: skip
    env.pop("WATCHDOG_PID", None)
    session = tmp_path / "s"
    proc = subprocess.Popen(
        [sys.executable, str(FAKE_SERVICE), "--garbage-after", str(GARBAGE_AFTER_S), "run",
         "--fake-hardware", "--config", str(cfg), "--workout", "6x400", "--session-dir",
         str(session)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        pings, _ = _pings(sock, GARBAGE_AFTER_S + GARBAGE_FOR_S)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        sock.close()
    gaps = [b - a for a, b in zip([0.0, *pings], pings, strict=False)]
    tally.check(len(pings) >= 10, f"{len(pings)} pings in {GARBAGE_FOR_S} s")
    tally.check(max(gaps, default=99) < 5.0, f"watchdog gap {max(gaps, default=99):.1f} s")
    tally.check(pings and pings[-1] > GARBAGE_AFTER_S + GARBAGE_FOR_S - 5,
                f"pings stopped at {pings[-1:]}")  # fmt: skip
    said = [ln for ln in err.splitlines() if "GPS gives no valid data" in ln]
    tally.check(len(said) == 1 and "baud rate" in said[0], f"stderr: {err[-800:]}")
    tally.check(proc.returncode == 0, f"rc {proc.returncode}: {err[-300:]}")
    from pacer.session.reader import open_session

    data = open_session(session)
    tally.check(data.ended == "normal", f"ended {data.ended}")
    tally.check(sum(e.kind == "gps_no_valid_data" for e in data.events) == 1,
                f"events {[e.kind for e in data.events]}")
