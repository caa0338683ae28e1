"""The systemd unit's exposure score (``systemd-analyze security --offline=yes``) stays at
2.0 or below, without losing the devices pacer needs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.attack
ATTACK_CLASS = "systemd"

UNITS = sorted((Path(__file__).resolve().parents[2] / "systemd").glob("*.service"))
#: the units that drive the hardware (pacer-web.service needs no device)
HARDWARE_UNITS = [u for u in UNITS if u.name == "pacer.service"]
MAX_EXPOSURE = 2.0


def _score(unit: Path) -> float:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze missing: apt-get install systemd (scripts/bootstrap.sh --dev)")
    done = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(unit)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", done.stdout + done.stderr)
    if m is None:
        pytest.skip(f"systemd-analyze cannot score offline here: {done.stderr.strip()[:200]}")
    return float(m.group(1))


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_exposure_at_most_two(unit: Path, tally) -> None:
    score = _score(unit)
    tally.check(score <= MAX_EXPOSURE, f"{unit.name}: exposure {score} > {MAX_EXPOSURE}")


@pytest.mark.parametrize("unit", HARDWARE_UNITS, ids=[u.name for u in HARDWARE_UNITS])
def test_hardware_still_reachable(unit: Path, tally) -> None:
    text = unit.read_text()
    for needed in ("DeviceAllow=char-gpiochip", "DeviceAllow=char-i2c", "DeviceAllow=char-ttyS",
                   "DeviceAllow=char-ttyAMA", "DeviceAllow=char-alsa", "AF_BLUETOOTH",
                   "AF_UNIX", "SupplementaryGroups="):  # fmt: skip
        tally.check(needed in text, f"{unit.name}: {needed} missing")
    for breaking in ("PrivateDevices=yes", "PrivateNetwork=yes", "PrivateUsers=yes",
                     "ProcSubset=pid"):  # fmt: skip
        tally.check(breaking not in text, f"{unit.name}: {breaking} would break a device")
