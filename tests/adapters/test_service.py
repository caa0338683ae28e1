"""sd_notify against a real bound datagram socket; watchdog pings only on progress;
signals through the self-pipe; the unit file passes systemd-analyze verify."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from pacer.service import Notifier, SignalInbox, Watchdog, watchdog_interval_s

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def notify_socket(tmp_path):
    path = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(1.0)
    yield str(path), sock
    sock.close()


def test_notifier_sends_datagrams(notify_socket) -> None:
    path, sock = notify_socket
    n = Notifier(path)
    assert n.ready("sensors up")
    assert sock.recv(4096) == b"READY=1\nSTATUS=sensors up"
    assert n.watchdog() and sock.recv(4096) == b"WATCHDOG=1"
    n.close()


def test_abstract_socket_name() -> None:
    name = f"pacer-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(1.0)
    try:
        assert Notifier("@" + name).status("hello")
        assert sock.recv(100) == b"STATUS=hello"
    finally:
        sock.close()


def test_notifier_outside_systemd_is_silent(monkeypatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert not Notifier().enabled
    assert Notifier().ready() is False


def test_watchdog_pings_only_while_progressing(notify_socket) -> None:
    path, sock = notify_socket
    wd = Watchdog(Notifier(path), interval_s=1.0, stall_s=3.0)
    sock.settimeout(0.05)
    progress = 0
    received = []

    def drain() -> None:
        try:
            while True:
                received.append(sock.recv(100))
        except TimeoutError:
            pass

    for t in range(0, 10):  # progressing: a ping each second
        progress += 5
        wd.tick(float(t), progress)
        drain()
    assert received == [b"WATCHDOG=1"] * 10
    for t in range(10, 20):  # stalled: pings stop 3 s after the last progress
        wd.tick(float(t), progress)
        drain()
    assert len(received) == 13


def test_a_full_notify_socket_never_blocks(notify_socket) -> None:
    path, _ = notify_socket  # nobody reads: the datagram queue fills
    n = Notifier(path)
    results = [n.status(f"line {i}") for i in range(200)]
    assert results[0] is True and results[-1] is False


def test_watchdog_waits_for_every_edge_and_excuses_a_lost_one() -> None:
    wd = Watchdog(Notifier(None), interval_s=None, stall_s=3.0)
    gps, accel = 0, 0
    for t in range(10):  # GPS flows, the sampler hangs at t = 0
        gps += 5
        stalled = wd.stalled(float(t), {"gps": gps, "accel": accel})
    assert stalled == ["accel"]
    # the sampler thread reports the chip lost and retries: no longer waited for
    assert wd.stalled(10.0, {"gps": gps + 5}) == []
    # back: a fresh allowance
    assert wd.stalled(11.0, {"gps": gps + 10, "accel": accel}) == []
    assert wd.stalled(13.0, {"gps": gps + 15, "accel": accel}) == []
    assert wd.stalled(14.5, {"gps": gps + 20, "accel": accel}) == ["accel"]


def test_watchdog_interval_from_environment() -> None:
    assert watchdog_interval_s({"WATCHDOG_USEC": "15000000"}) == 7.5
    assert watchdog_interval_s({"WATCHDOG_USEC": "15000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_interval_s({}) is None


def test_signals_set_flags() -> None:
    inbox = SignalInbox().install()
    try:
        os.kill(os.getpid(), signal.SIGHUP)
        assert inbox.reload.is_set() and not inbox.stop.is_set()
        os.kill(os.getpid(), signal.SIGTERM)
        assert inbox.stop.is_set()
    finally:
        inbox.uninstall()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_unit_file_verifies(tmp_path) -> None:
    unit = (ROOT / "systemd" / "pacer.service").read_text()
    assert "Type=notify" in unit and "WatchdogSec=" in unit and "StateDirectory=pacer" in unit
    # point ExecStart at an executable that exists here; everything else as shipped
    unit = unit.replace("/opt/pacer/.venv/bin/pacer", shutil.which("true") or "/bin/true")
    (tmp_path / "pacer.service").write_text(unit)
    out = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "pacer.service")],
                         capture_output=True, text=True)
    problems = [ln for ln in (out.stdout + out.stderr).splitlines()
                if "pacer.service" in ln and "Documentation" not in ln]
    assert not problems, problems


class _Edges:
    """Hardware as the live loop sees it: the edges whose records show progress."""

    start_utc = None

    def __init__(self, *edges: str) -> None:
        self._edges = edges

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def edges(self) -> tuple[str, ...]:
        return self._edges


def test_each_pass_waits_for_live_edges_only_and_follows_the_coach() -> None:
    from pacer.coach.engine import WorkoutEngine
    from pacer.coach.language.parser import parse_workout
    from pacer.dsp.estimator import LiveEstimator
    from pacer.models import DeviceEvent, DeviceState, DistanceSource, Estimate
    from pacer.runtime import Pipeline
    from pacer.service.live import LivePass, RunOptions
    from pacer.service.panel import status_line
    from pacer.wiring.session import SessionParts

    pipeline = Pipeline(estimator=LiveEstimator())
    signals = SignalInbox()  # not installed: the test sets its flags
    each = LivePass(RunOptions(), SessionParts(pipeline, None, None, None),
                    _Edges("gps", "accel"), None, signals, Notifier(socket_path=""))
    pipeline.device_records.update(gps=5, accel=7)
    assert each.progress() == {"gps": 5, "accel": 7}
    pipeline.on_device(DeviceEvent(1.0, "accel", DeviceState.LOST, "bus error"))
    assert each.progress() == {"gps": 5}  # a lost device is retried, not waited for
    assert status_line(pipeline, gps_ready=False) == "waiting for GPS fix"
    assert status_line(pipeline, gps_ready=True) == "recording (free run)"
    assert each(2.0) is False
    signals.stop.set()
    assert each(3.0) is True  # a stop signal ends the session
    signals.uninstall()
    engine = WorkoutEngine(parse_workout("400m @80s"), start_mode="immediate")
    coached = Pipeline(estimator=LiveEstimator(), engine=engine)
    coached.forward(engine.on_estimate(Estimate(0.5, None, 0.0, 5.0, 0.9, None, 0.0,
                                                DistanceSource.GPS, True)))
    assert status_line(coached, gps_ready=True) == "rep 1 of 1: running"


def test_gps_sense_says_once_when_bytes_come_without_a_sentence() -> None:
    from pacer.service.panel import GpsSense

    sense = GpsSense(9600, after_s=10.0)
    assert sense.check(0.0, 5, 3) is None  # sentences flowing
    said = [sense.check(t, 5 + int(t), 3) for t in range(1, 40)]  # garbage from 1 s on
    assert [m for m in said if m] == [said[10]]
    assert "no valid data" in said[10] and "9600" in said[10]
    quiet = GpsSense(9600, after_s=10.0)
    assert all(quiet.check(t, 0, 0) is None for t in range(40))  # silent: not garbage
