"""`pacer run` as the service runs it: a real process, a real notify socket, real signals,
on the fake hardware (simulated receiver over a pty, register-level fake chip). The
hang is injected by a test-only entry point (tests/helpers/fake_service.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pacer.session.reader import open_session

FAKE_SERVICE = Path(__file__).resolve().parents[1] / "helpers" / "fake_service.py"


def _recv_until(sock: socket.socket, wanted: bytes, timeout_s: float) -> list[bytes]:
    got: list[bytes] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            msg = sock.recv(4096)
        except TimeoutError:
            break
        got.append(msg)
        if wanted in msg:
            return got
    raise AssertionError(f"no {wanted!r} within {timeout_s} s; got {got}")


@pytest.mark.slow
def test_service_ready_status_reload_and_clean_stop(tmp_path: Path) -> None:
    notify = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify))
    session = tmp_path / "session"
    cfg = tmp_path / "pacer.toml"
    cfg.write_text('[coach]\nprofile = "track"\n[audio]\nengine = "none"\n')
    env = dict(os.environ, NOTIFY_SOCKET=str(notify), WATCHDOG_USEC="2000000",
               PYTHONUNBUFFERED="1")
    env.pop("WATCHDOG_PID", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pacer", "run", "--fake-hardware", "--config", str(cfg),
         "--workout", "6x400", "--session-dir", str(session)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        _recv_until(sock, b"READY=1", 30)
        msgs = _recv_until(sock, b"WATCHDOG=1", 10)  # pings while records flow
        _recv_until(sock, b"STATUS=", 10) if not any(b"STATUS=" in m for m in msgs) else None
        cfg.write_text('[coach]\nprofile = "minimal"\n[audio]\nengine = "none"\n')
        proc.send_signal(signal.SIGHUP)
        _recv_until(sock, b"RELOADING=1", 10)
        time.sleep(3)
        proc.send_signal(signal.SIGTERM)
        _recv_until(sock, b"STOPPING=1", 10)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        sock.close()
    assert proc.returncode == 0, err
    assert "config reloaded" in err
    data = open_session(session)
    assert data.ended == "normal"
    assert len(data.fixes) >= 2
    assert any(ev.kind == "stop_signal" for ev in data.events)


@pytest.mark.slow
def test_watchdog_stops_pinging_when_the_sampler_hangs(tmp_path: Path) -> None:
    """A wedged I2C bus hangs the sampler thread and the receiver falls silent: the
    pipeline stops making progress, so the pings stop and systemd would restart us."""
    notify = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(notify))
    cfg = tmp_path / "pacer.toml"
    cfg.write_text('[audio]\nengine = "none"\n')
    env = dict(os.environ, NOTIFY_SOCKET=str(notify), WATCHDOG_USEC="1000000")
    env.pop("WATCHDOG_PID", None)
    proc = subprocess.Popen(
        [sys.executable, str(FAKE_SERVICE), "--hang-after", "4", "run", "--fake-hardware",
         "--config", str(cfg), "--workout", "6x400", "--session-dir", str(tmp_path / "s")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        _recv_until(sock, b"READY=1", 30)
        pings_at: list[float] = []
        t0 = time.monotonic()
        sock.settimeout(0.2)
        while time.monotonic() - t0 < 14:
            try:
                if sock.recv(4096) == b"WATCHDOG=1":
                    pings_at.append(time.monotonic() - t0)
            except TimeoutError:
                pass
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        sock.close()
    assert pings_at, "no watchdog pings while healthy"
    # healthy for ~4 s, then at most the 5 s stall allowance; nothing in the last seconds
    assert max(pings_at) < 12.0, pings_at
    assert len(pings_at) >= 3
