"""`pacer run`'s receiver setup (pacer.wiring.live.configure_receiver) against a receiver on a
pseudo-terminal that answers PMTK commands as a MediaTek part does."""

from __future__ import annotations

import dataclasses
import os
import re
import select
import threading

import pytest

from pacer.config import Config
from pacer.errors import DeviceError
from pacer.gps.receivers import pmtk
from pacer.wiring.live import configure_receiver

pytest.importorskip("serial")


def play_mediatek(fd: int, silenced: threading.Event) -> None:
    """Acknowledge every $PMTKnnn command with $PMTK001,nnn,3 (action succeeded)."""
    pending = b""
    while not silenced.is_set():
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        pending += os.read(fd, 256)
        *lines, pending = pending.split(b"\n")
        for line in lines:
            m = re.match(rb"\$PMTK(\d+)", line)
            if m:
                os.write(fd, pmtk(1, int(m.group(1)), 3))


def config_for(port: str, receiver: str) -> Config:
    cfg = Config()
    return dataclasses.replace(cfg, gps=dataclasses.replace(cfg.gps, port=port,
                                                            receiver=receiver))


@pytest.mark.slow
def test_auto_finds_a_mediatek_after_the_ublox_commands_go_unanswered(serial_line) -> None:
    line = serial_line(play_mediatek, "fake-mediatek")
    log: list[str] = []
    assert configure_receiver(config_for(line.port, "auto"), log.append) == "mediatek"
    assert len(log) == 1 and log[0].startswith("GPS receiver: MediaTek, ")


def test_plain_nmea_is_not_probed() -> None:
    log: list[str] = []
    assert configure_receiver(config_for("/dev/ttyNOPE9", "nmea"), log.append) == "nmea"
    assert log == []


def test_missing_port_is_a_device_error_naming_it() -> None:
    with pytest.raises(DeviceError, match="/dev/ttyNOPE9"):
        configure_receiver(config_for("/dev/ttyNOPE9", "mediatek"), [].append)
