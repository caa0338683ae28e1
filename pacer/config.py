"""TOML configuration -> a frozen :class:`Config`, with ``FILE:LINE: problem`` errors.

Search order (later files override earlier ones, key by key):
``/etc/pacer/pacer.toml``, ``$XDG_CONFIG_HOME/pacer/config.toml`` (``~/.config/...``),
then a file given with ``--config``. Every key is optional; the defaults describe the
reference build in ``hardware/`` (docs/configuration.md lists them all).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pacer.errors import ConfigError
from pacer.units import M_PER_MILE


@dataclass(frozen=True)
class GpsConfig:
    port: str = "/dev/serial0"
    baudrate: int = 9600
    receiver: str = "auto"  # auto | ublox | mediatek | nmea
    rate_hz: float = 5.0
    set_baudrate: int | None = None  # switch the receiver to this baud rate at start


@dataclass(frozen=True)
class AccelConfig:
    chip: str = "mpu6050"  # mpu6050 | adxl345 | adxl335 | none
    i2c_bus: int = 1
    address: int | None = None  # None: the chip's default (0x68 / 0x53)
    rate_hz: float = 100.0
    range_g: int = 8
    int_pin: int | None = 17  # BCM pin of INT; None: poll
    mcp3008_channels: tuple[int, int, int] = (0, 1, 2)


@dataclass(frozen=True)
class ControlsConfig:
    start_pin: int | None = 23  # BCM; press = start/lap, hold = pause
    stop_pin: int | None = 24  # hold = end session
    led_pin: int | None = 25
    buzzer_pin: int | None = None
    hold_s: float = 1.5
    bounce_ms: float = 30.0


@dataclass(frozen=True)
class AudioConfig:
    engine: str = "pyttsx3"  # pyttsx3 (espeak-ng as its fallback) | espeak | none
    device: str = "default"  # ALSA device
    voice: str | None = None
    rate_wpm: int = 175
    volume: float = 1.0
    metronome: str = "fixed"  # how it plays when a workout asks: fixed | adaptive | locked | off


@dataclass(frozen=True)
class CoachConfig:
    profile: str = "track"  # track | tempo | race | minimal
    units: str = "km"  # km | mi
    lane: int = 1
    track_mode: bool = True
    workout: str | None = None
    workouts: tuple[str, ...] = ()  # short list chosen with the buttons
    disabled_cues: tuple[str, ...] = ()
    named_paces_s_per_km: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SessionConfig:
    data_dir: str | None = None
    max_bytes: int | None = None  # prune oldest sessions beyond this, only when set


@dataclass(frozen=True)
class Config:
    gps: GpsConfig = GpsConfig()
    accel: AccelConfig = AccelConfig()
    controls: ControlsConfig = ControlsConfig()
    audio: AudioConfig = AudioConfig()
    coach: CoachConfig = CoachConfig()
    session: SessionConfig = SessionConfig()
    sources: tuple[str, ...] = ()  # files that were read

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


SYSTEM_CONFIG = Path("/etc/pacer/pacer.toml")


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "pacer" / "config.toml"


def _line_of(text: str, key: str) -> int:
    """Best-effort line number of ``key`` in a TOML text (1-based; 0 when not found)."""
    pattern = re.compile(rf"^[ \t]*{re.escape(key)}[ \t]*=", re.MULTILINE)
    m = pattern.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else 0


def _section_line(text: str, section: str) -> int:
    m = re.search(rf"^[ \t]*\[{re.escape(section)}\]", text, re.MULTILINE)
    return text.count("\n", 0, m.start()) + 1 if m else 0


def _parse_pace(value: Any, where: str) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+):([0-5]\d)\s*(/km|/mi)?\s*", value)
        if m:
            s = int(m.group(1)) * 60 + int(m.group(2))
            return s * 1000.0 / M_PER_MILE if m.group(3) == "/mi" else float(s)
    raise ConfigError(
        f"{where}: pace must be 'm:ss/km', 'm:ss/mi' or seconds per km, got {value!r}"
    )


#: optional keys (default None) whose value is text
_STRING_KEYS = {"voice", "workout", "data_dir"}


def _coerce(cls: type, table: dict[str, Any], path: Path, text: str, section: str) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in table.items():
        where = f"{path}:{_line_of(text, key)}"
        if key not in fields:
            import difflib

            near = difflib.get_close_matches(key, fields, n=1)
            hint = f" -- did you mean '{near[0]}'?" if near else ""
            raise ConfigError(f"{where}: unknown key '{key}' in [{section}]{hint}")
        default = getattr(cls(), key)
        if key == "named_paces_s_per_km" or (section == "coach" and key == "named_paces"):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: [{section}] {key} must be a table")
            value = {str(k): _parse_pace(v, where) for k, v in value.items()}
        elif isinstance(default, tuple):
            if not isinstance(value, list):
                raise ConfigError(f"{where}: [{section}] {key} must be a list")
            value = tuple(value)
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: [{section}] {key} must be true or false")
        elif isinstance(default, (int, float)) and not isinstance(default, bool):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise ConfigError(f"{where}: [{section}] {key} must be a number, got {value!r}")
            if isinstance(default, int) and isinstance(value, float):
                raise ConfigError(f"{where}: [{section}] {key} must be a whole number, "
                                  f"got {value!r}")
            value = type(default)(value) if isinstance(default, float) else value
        elif isinstance(default, str) or (default is None and key in _STRING_KEYS):
            if not isinstance(value, str):
                raise ConfigError(f"{where}: [{section}] {key} must be text, got {value!r}")
        elif default is None:  # optional numbers: address, pins, max_bytes, set_baudrate
            if not isinstance(value, int) or isinstance(value, bool):
                raise ConfigError(f"{where}: [{section}] {key} must be a whole number, "
                                  f"got {value!r}")
        kwargs[key] = value
    return kwargs


#: allowed values per (section, key); checked after types, with the file and line
_CHOICES: dict[tuple[str, str], tuple[Any, ...]] = {
    ("gps", "receiver"): ("auto", "ublox", "mediatek", "nmea"),
    ("gps", "baudrate"): (4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800),
    ("gps", "set_baudrate"): (None, 9600, 19200, 38400, 57600, 115200, 230400, 460800),
    ("accel", "chip"): ("mpu6050", "adxl345", "adxl335", "none"),
    ("accel", "range_g"): (2, 4, 8, 16),
    ("audio", "engine"): ("pyttsx3", "espeak", "none"),
    ("audio", "metronome"): ("off", "fixed", "adaptive", "locked"),
    ("coach", "profile"): ("track", "tempo", "race", "minimal"),
    ("coach", "units"): ("km", "mi"),
}
#: inclusive numeric ranges per (section, key)
_RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("gps", "rate_hz"): (0.1, 20.0),
    ("accel", "i2c_bus"): (0, 255),
    ("accel", "address"): (0x03, 0x77),
    ("accel", "rate_hz"): (10.0, 1000.0),
    ("accel", "int_pin"): (0, 27),
    ("controls", "start_pin"): (0, 27),
    ("controls", "stop_pin"): (0, 27),
    ("controls", "led_pin"): (0, 27),
    ("controls", "buzzer_pin"): (0, 27),
    ("controls", "hold_s"): (0.3, 10.0),
    ("controls", "bounce_ms"): (0.0, 500.0),
    ("audio", "rate_wpm"): (80, 450),
    ("audio", "volume"): (0.0, 1.0),
    ("coach", "lane"): (1, 9),
    ("session", "max_bytes"): (1_000_000, 10**15),
}


def _check_values(section: str, values: dict[str, Any], path: Path, text: str) -> None:
    from pacer.models import CueKind

    for key, value in values.items():
        where = f"{path}:{_line_of(text, key)}"
        choices = _CHOICES.get((section, key))
        if choices is not None and value not in choices:
            shown = ", ".join(str(c) for c in choices if c is not None)
            raise ConfigError(f"{where}: [{section}] {key} = {value!r} is not one of {shown}")
        bounds = _RANGES.get((section, key))
        if bounds is not None and value is not None and not bounds[0] <= value <= bounds[1]:
            raise ConfigError(f"{where}: [{section}] {key} = {value!r} is outside "
                              f"{bounds[0]:g}..{bounds[1]:g}")
        if (section, key) == ("coach", "disabled_cues"):
            known = {k.value for k in CueKind}
            bad = [v for v in value if v not in known]
            if bad:
                import difflib

                near = difflib.get_close_matches(str(bad[0]), known, n=1)
                hint = f" -- did you mean '{near[0]}'?" if near else ""
                raise ConfigError(f"{where}: [coach] disabled_cues: unknown cue kind "
                                  f"{bad[0]!r}{hint}")


_SECTIONS = {
    "gps": GpsConfig,
    "accel": AccelConfig,
    "controls": ControlsConfig,
    "audio": AudioConfig,
    "coach": CoachConfig,
    "session": SessionConfig,
}


def load_config(explicit: str | Path | None = None, *, search_defaults: bool = True) -> Config:
    """Read the config files in order and merge them; raise ConfigError on a bad file."""
    paths: list[Path] = []
    if search_defaults:
        paths += [p for p in (SYSTEM_CONFIG, user_config_path()) if p.is_file()]
    if explicit is not None:
        p = Path(explicit)
        if not p.is_file():
            raise ConfigError(f"{p}: config file not found")
        if not any(p.samefile(q) for q in paths):  # e.g. the service's --config /etc/...
            paths.append(p)
    merged: dict[str, dict[str, Any]] = {name: {} for name in _SECTIONS}
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
        except UnicodeDecodeError as exc:
            msg = f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8"
            raise ConfigError(msg) from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"line (\d+)", str(exc))
            raise ConfigError(f"{path}:{m.group(1) if m else 0}: {exc}") from None
        for section, table in data.items():
            if section not in _SECTIONS:
                raise ConfigError(
                    f"{path}:{_section_line(text, section)}: unknown section [{section}]"
                    f" (known: {', '.join(_SECTIONS)})"
                )
            if not isinstance(table, dict):
                raise ConfigError(f"{path}: [{section}] must be a table")
            if section == "coach" and "named_paces" in table:
                table = dict(table)
                table["named_paces_s_per_km"] = table.pop("named_paces")
            values = _coerce(_SECTIONS[section], table, path, text, section)
            _check_values(section, values, path, text)
            merged[section].update(values)
    return Config(
        **{name: cls(**merged[name]) for name, cls in _SECTIONS.items()},
        sources=tuple(str(p) for p in paths),
    )
