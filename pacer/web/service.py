"""Finding the running ``pacer run`` service and asking it to reload (SIGHUP).

The PID comes from, in order: the file named by ``$PACER_SERVICE_PIDFILE`` (for a
service started by hand or in tests), then systemd's ``MainPID`` of the unit
(``systemctl show --property MainPID --value pacer.service``; 0 means not running).
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

PIDFILE_ENV = "PACER_SERVICE_PIDFILE"


def service_pid(unit: str = "pacer.service") -> int | None:
    """The PID of the running service, or None when it is not running or not found."""
    pidfile = os.environ.get(PIDFILE_ENV)
    if pidfile:
        try:
            pid = int(Path(pidfile).read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if pid > 1 else None
    try:
        out = subprocess.run(
            ["systemctl", "show", "--property", "MainPID", "--value", unit],
            capture_output=True, text=True, timeout=3, check=False,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return int(out) if out.isdigit() and int(out) > 1 else None


def reload_service(unit: str = "pacer.service") -> str:
    """Send SIGHUP to the service; a sentence saying what happened (never raises)."""
    pid = service_pid(unit)
    if pid is None:
        return "the coach is not running: the change applies at its next start"
    try:
        os.kill(pid, signal.SIGHUP)
    except OSError as exc:
        return f"could not signal the coach (PID {pid}: {exc.strerror}); restart it to apply"
    return f"the coach (PID {pid}) reloads its settings now"
