"""Which heart-rate strap pacer uses: remembered in ``sensors.toml`` beside the user config.

``pacer sensors pair`` writes ``$XDG_CONFIG_HOME/pacer/sensors.toml``::

    [heart_rate]
    address = "C0:FF:EE:00:18:0D"
    name = "Polar H10 1234"

A file of its own, so the main config's strict section check is untouched; the live
wiring reads it with :func:`remembered_strap`. Standard library only.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pacer.config import user_config_path
from pacer.errors import ConfigError, InputError

ADDRESS_RE = re.compile(r"^[0-9A-F]{2}(:[0-9A-F]{2}){5}$")


@dataclass(frozen=True)
class PairedStrap:
    """A remembered strap."""

    address: str
    name: str = ""


def sensors_path() -> Path:
    """``$XDG_CONFIG_HOME/pacer/sensors.toml`` (``~/.config/...``)."""
    return user_config_path().with_name("sensors.toml")


def normalise_address(text: str) -> str:
    """``c0-ff-ee-00-18-0d`` -> ``C0:FF:EE:00:18:0D``; InputError if it is not one."""
    addr = text.strip().upper().replace("-", ":")
    if not ADDRESS_RE.match(addr):
        raise InputError(f"'{text}' is not a Bluetooth address (like C0:FF:EE:00:18:0D)")
    return addr


def remember_strap(strap: PairedStrap, path: Path | None = None) -> Path:
    """Write the strap to ``sensors.toml`` (created with its folder); returns the path."""
    path = path or sensors_path()
    address = normalise_address(strap.address)
    name = strap.name.replace("\\", "\\\\").replace('"', '\\"')
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(f'[heart_rate]\naddress = "{address}"\nname = "{name}"\n', encoding="utf-8")
    tmp.replace(path)
    return path


def remembered_strap(path: Path | None = None) -> PairedStrap | None:
    """The remembered strap, or None when none was paired.

    Raises
    ------
    ConfigError
        The file exists but is not valid (``FILE: problem``).
    """
    path = path or sensors_path()
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    table = data.get("heart_rate")
    if table is None:
        return None
    if not isinstance(table, dict) or not isinstance(table.get("address"), str):
        raise ConfigError(f"{path}: [heart_rate] needs address = \"XX:XX:XX:XX:XX:XX\"")
    try:
        address = normalise_address(table["address"])
    except InputError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return PairedStrap(address, str(table.get("name", "")))
