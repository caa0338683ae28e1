"""``pacer run`` as a systemd service.

* :mod:`pacer.service.systemd`: sd_notify, the watchdog and the signals, without a
  dependency.
* :mod:`pacer.service.live`: the live loop (:func:`serve`, :func:`run_live`).
* :mod:`pacer.service.panel`: the buttons, LED, workout chooser and status line.
"""

from pacer.service.live import RunOptions, run_live, serve
from pacer.service.systemd import (
    Notifier,
    SignalInbox,
    Watchdog,
    run_service,
    watchdog_interval_s,
)

__all__ = ["Notifier", "RunOptions", "SignalInbox", "Watchdog", "run_live", "run_service",
           "serve", "watchdog_interval_s"]
