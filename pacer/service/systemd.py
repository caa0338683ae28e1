"""``pacer run`` under systemd: sd_notify, watchdog and signals, without a dependency.

* :class:`Notifier` sends ``READY=1``, ``STATUS=...``, ``WATCHDOG=1``, ``STOPPING=1``
  and ``RELOADING=1`` datagrams to ``$NOTIFY_SOCKET`` (a path or an abstract ``@`` name).
  Outside systemd it does nothing.
* :class:`Watchdog` pings only while the pipeline makes progress: the runtime reports
  progress (records processed, sensor blocks arriving); when the sampler or the reader
  hangs, progress stops, the pings stop and systemd restarts the service after
  ``WatchdogSec``.
* :class:`SignalInbox` turns SIGTERM/SIGINT (end the session cleanly) and SIGHUP (reload
  config) into flags set from a handler that only writes to a self-pipe, so the main loop
  handles them at a safe point.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
from collections.abc import Callable


class Notifier:
    """Minimal sd_notify client (see sd_notify(3))."""

    def __init__(self, socket_path: str | None = None) -> None:
        path = socket_path if socket_path is not None else os.environ.get("NOTIFY_SOCKET")
        self.address: str | bytes | None = None
        if path:
            self.address = "\0" + path[1:] if path.startswith("@") else path
        self._sock: socket.socket | None = None

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, *fields: str) -> bool:
        """Send ``KEY=VALUE`` fields in one datagram; False if it could not be sent."""
        if self.address is None:
            return False
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                # a datagram queue that nobody reads fills after ~10 messages; a blocking
                # send would then freeze the coach mid-rep
                self._sock.setblocking(False)
            self._sock.sendto("\n".join(fields).encode(), self.address)
            return True
        except OSError:
            return False  # systemd gone or socket full: never take the coach down

    def ready(self, status: str = "") -> bool:
        return self.send("READY=1", f"STATUS={status}") if status else self.send("READY=1")

    def status(self, text: str) -> bool:
        return self.send(f"STATUS={text}")

    def watchdog(self) -> bool:
        return self.send("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.send("STOPPING=1")

    def reloading(self) -> bool:
        return self.send("RELOADING=1")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def watchdog_interval_s(environ: dict[str, str] | None = None) -> float | None:
    """Half of systemd's ``WATCHDOG_USEC`` (when it is meant for this process)."""
    env = os.environ if environ is None else environ
    usec = env.get("WATCHDOG_USEC")
    pid = env.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        return int(usec) / 2e6
    except ValueError:
        return None


class Watchdog:
    """Ping systemd's watchdog only while every live edge of the pipeline makes progress.

    ``tick(t_s, progress)`` is called each pass of the main loop with a record count per
    edge (``{"gps": ..., "accel": ...}``) or one total. A ping is sent at most every
    ``interval_s``, and only if each edge's count advanced within ``stall_s``: a hung
    sampler stalls its own count even while GPS records keep flowing. An edge left out
    of ``progress`` (its thread reported the device lost and is retrying) is not waited
    for.
    """

    def __init__(self, notifier: Notifier, interval_s: float | None, stall_s: float = 5.0):
        self.notifier = notifier
        self.interval_s = interval_s
        self.stall_s = stall_s
        self._last_ping_s = -1e18
        self._last: dict[str, tuple[int, float]] = {}
        self.pings = 0

    def stalled(self, t_s: float, progress: int | dict[str, int]) -> list[str]:
        """Update the counts; the edges that made no progress for ``stall_s``."""
        counts = progress if isinstance(progress, dict) else {"pipeline": progress}
        out = []
        for name, count in counts.items():
            last = self._last.get(name)
            if last is None or count != last[0]:
                self._last[name] = (count, t_s)
            elif t_s - last[1] > self.stall_s:
                out.append(name)
        for name in list(self._last):
            if name not in counts:
                del self._last[name]  # excused: forget, start afresh when it comes back
        return out

    def tick(self, t_s: float, progress: int | dict[str, int]) -> bool:
        if self.stalled(t_s, progress) or self.interval_s is None:
            return False  # stalled: let systemd's watchdog fire
        if t_s - self._last_ping_s >= self.interval_s:
            self._last_ping_s = t_s
            self.pings += 1
            return self.notifier.watchdog()
        return False


class SignalInbox:
    """SIGTERM/SIGINT -> ``stop`` event; SIGHUP -> ``reload`` flag. Self-pipe for wakeups."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.reload = threading.Event()
        self._rfd, self._wfd = os.pipe()
        os.set_blocking(self._wfd, False)
        self._previous: dict[int, object] = {}

    def install(self) -> SignalInbox:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: object) -> None:
        if signum == signal.SIGHUP:
            self.reload.set()
        else:
            self.stop.set()
        try:
            os.write(self._wfd, bytes([signum & 0xFF]))
        except OSError:
            pass

    def uninstall(self) -> None:
        for sig, prev in self._previous.items():
            signal.signal(sig, prev)  # type: ignore[arg-type]
        self._previous.clear()
        for fd in (self._rfd, self._wfd):
            try:
                os.close(fd)
            except OSError:
                pass


def run_service(main: Callable[[SignalInbox, Notifier], int]) -> int:
    """Run ``main`` with signals installed and systemd told STOPPING at the end."""
    notifier = Notifier()
    inbox = SignalInbox().install()
    try:
        return main(inbox, notifier)
    finally:
        notifier.stopping()
        notifier.close()
        inbox.uninstall()
