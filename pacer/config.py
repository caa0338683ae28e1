"""TOML configuration -> a frozen :class:`Config`, with ``FILE:LINE: problem`` errors.

Search order (later files override earlier ones, key by key):
``/etc/pacer/pacer.toml``, ``$XDG_CONFIG_HOME/pacer/config.toml`` (``~/.config/...``),
then a file given with ``--config``. Every key is optional; the defaults describe the
reference build in ``hardware/`` (docs/configuration.md lists them all).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pacer.config_choices import CHOICES, RANGES
from pacer.config_heart_rate import (
    HeartRateConfig,
    bpm_list,
    check_heart_rate,
)
from pacer.errors import ConfigError, InputError
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
    heart_rate: HeartRateConfig = HeartRateConfig()
    sources: tuple[str, ...] = ()  # files that were read

    def as_dict(self) -> dict[str, object]:
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


#: accepted named paces, seconds per km: faster than any human sprint is a typo, slower
#: than a slow walk is not a running pace
PACE_RANGE_S_PER_KM = (60.0, 3600.0)
#: longest text value (ports, voices, names) and longest workout text in a config
MAX_TEXT_CHARS = 1024
MAX_WORKOUT_CHARS = 65536
#: most entries in a list or table value
MAX_ITEMS = 64
#: largest config file read
MAX_CONFIG_BYTES = 1 << 20


def _show(value: object, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters, so an error line stays short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _parse_pace(value: object, where: str) -> float:
    seconds: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,4}):([0-5]\d)\s*(/km|/mi)?\s*", value)
        if m:
            s = int(m.group(1)) * 60 + int(m.group(2))
            seconds = s * 1000.0 / M_PER_MILE if m.group(3) == "/mi" else float(s)
    if seconds is None:
        raise ConfigError(
            f"{where}: pace must be 'm:ss/km', 'm:ss/mi' or seconds per km, got {_show(value)}"
        )
    lo, hi = PACE_RANGE_S_PER_KM
    if not lo <= seconds <= hi:  # also NaN and inf
        raise ConfigError(
            f"{where}: pace {_show(value)} is outside 1:00/km..60:00/km ({lo:g}..{hi:g} s per km)"
        )
    return seconds


def _named_paces(value: object, where: str, section: str, key: str) -> dict[str, float]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{section}] {key} must be a table")
    if len(value) > MAX_ITEMS:
        raise ConfigError(
            f"{where}: [{section}] {key} has {len(value)} entries; at most {MAX_ITEMS}"
        )
    for name in value:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", name):
            raise ConfigError(
                f"{where}: [{section}] {key}: name {_show(name)} must be 1-32 "
                "letters, digits, '-' or '_'"
            )
    return {str(k): _parse_pace(v, where) for k, v in value.items()}


def _text_list(value: object, where: str, section: str, key: str) -> tuple[object, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: [{section}] {key} must be a list, got {_show(value)}")
    if len(value) > MAX_ITEMS:
        raise ConfigError(
            f"{where}: [{section}] {key} has {len(value)} entries; at most {MAX_ITEMS}"
        )
    if (section, key) == ("accel", "mcp3008_channels"):
        ok = (len(value) == 3
              and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 7
                      for v in value)
              and len(set(value)) == 3)  # types first: a table or list is not hashable  # fmt: skip
        if not ok:
            raise ConfigError(
                f"{where}: [accel] mcp3008_channels must be three different "
                f"channel numbers 0..7 (x, y, z), got {_show(value)}"
            )
        return tuple(value)
    limit = MAX_WORKOUT_CHARS if key == "workouts" else MAX_TEXT_CHARS
    for item in value:
        if not isinstance(item, str) or not item.strip() or len(item) > limit:
            raise ConfigError(
                f"{where}: [{section}] {key}: every entry must be non-empty "
                f"text of at most {limit} characters, got {_show(item)}"
            )
    return tuple(value)


#: optional keys (default None) whose value is text
_STRING_KEYS = {"voice", "workout", "data_dir"}
#: optional keys (default None) whose value is any number
_NUMBER_KEYS = {"max_bpm", "resting_bpm"}


def _coerce_value(default: object, value: object, where: str, section: str, key: str) -> object:
    """``value`` checked against the type of the field's ``default``."""
    if key == "named_paces_s_per_km":
        return _named_paces(value, where, section, "named_paces")
    if key == "zone_bounds_bpm":
        return bpm_list(value, f"{where}: [{section}] {key}", MAX_ITEMS)
    if default is None and key in _NUMBER_KEYS:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ConfigError(f"{where}: [{section}] {key} must be a number, got {_show(value)}")
        return float(value)
    if isinstance(default, tuple):
        return _text_list(value, where, section, key)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: [{section}] {key} must be true or false")
        return value
    if isinstance(default, (int, float)):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ConfigError(f"{where}: [{section}] {key} must be a number, got {_show(value)}")
        if isinstance(default, int) and isinstance(value, float):
            raise ConfigError(
                f"{where}: [{section}] {key} must be a whole number, got {_show(value)}"
            )
        return float(value) if isinstance(default, float) else value
    if isinstance(default, str) or (default is None and key in _STRING_KEYS):
        limit = MAX_WORKOUT_CHARS if key == "workout" else MAX_TEXT_CHARS
        if not isinstance(value, str):
            raise ConfigError(f"{where}: [{section}] {key} must be text, got {_show(value)}")
        if len(value) > limit or "\0" in value:
            raise ConfigError(
                f"{where}: [{section}] {key} must be text of at most {limit} characters without NUL"
            )
        return value
    if default is None:  # optional numbers: address, pins, max_bytes, set_baudrate
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(
                f"{where}: [{section}] {key} must be a whole number, got {_show(value)}"
            )
    return value


def _coerce(
    cls: type, table: dict[str, object], path: Path, text: str, section: str
) -> dict[str, object]:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, object] = {}
    for key, value in table.items():
        where = f"{path}:{_line_of(text, 'named_paces' if key == 'named_paces_s_per_km' else key)}"
        if key not in fields:
            import difflib

            near = difflib.get_close_matches(key, fields, n=1)
            hint = f" -- did you mean '{near[0]}'?" if near else ""
            raise ConfigError(f"{where}: unknown key {_show(key)} in [{section}]{hint}")
        kwargs[key] = checked = _coerce_value(getattr(cls(), key), value, where, section, key)
        if (section, key) == ("session", "data_dir") and isinstance(checked, str):
            kwargs[key] = _data_dir(checked, where)
    return kwargs


def _data_dir(value: str, where: str) -> str:
    """``~`` expanded; a relative path is refused (the service's working directory is
    not the user's); a symbolic link must lead to a directory."""
    path = Path(os.path.expanduser(value))
    if not path.is_absolute():
        raise ConfigError(
            f"{where}: [session] data_dir = {_show(value)} is relative; give an "
            "absolute path (or one starting with ~/)"
        )
    if path.is_symlink() and not path.exists():
        raise ConfigError(
            f"{where}: [session] data_dir {path} is a symbolic link to "
            f"{os.readlink(path)}, which does not exist"
        )
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{where}: [session] data_dir {path} exists and is not a directory")
    return str(path)


def _check_values(section: str, values: dict[str, object], path: Path, text: str) -> None:
    from pacer.models import CueKind

    for key, value in values.items():
        where = f"{path}:{_line_of(text, key)}"
        choices = CHOICES.get((section, key))
        if choices is not None and value not in choices:
            shown = ", ".join(str(c) for c in choices if c is not None)
            raise ConfigError(f"{where}: [{section}] {key} = {_show(value)} is not one of {shown}")
        bounds = RANGES.get((section, key))
        if (bounds is not None and isinstance(value, (int, float))
                and not bounds[0] <= value <= bounds[1]):  # fmt: skip
            raise ConfigError(
                f"{where}: [{section}] {key} = {_show(value)} is outside "
                f"{bounds[0]:g}..{bounds[1]:g}"
            )
        if (section, key) == ("coach", "disabled_cues") and isinstance(value, tuple):
            known = {k.value for k in CueKind}
            bad = [v for v in value if v not in known]
            if bad:
                import difflib

                near = difflib.get_close_matches(str(bad[0]), known, n=1)
                hint = f" -- did you mean '{near[0]}'?" if near else ""
                raise ConfigError(
                    f"{where}: [coach] disabled_cues: unknown cue kind {_show(bad[0])}{hint}"
                )


_SECTIONS = {
    "gps": GpsConfig,
    "accel": AccelConfig,
    "controls": ControlsConfig,
    "audio": AudioConfig,
    "coach": CoachConfig,
    "session": SessionConfig,
    "heart_rate": HeartRateConfig,
}


def _read_toml(path: Path) -> tuple[str, dict[str, object]]:
    """The text and parsed tables of one config file (a regular file of bounded size)."""
    from pacer.formats.safe_read import read_regular_bytes

    try:
        raw = read_regular_bytes(path, max_bytes=MAX_CONFIG_BYTES, what="config file")
        text = raw.decode("utf-8")
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    except UnicodeDecodeError as exc:
        msg = f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8"
        raise ConfigError(msg) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ConfigError(f"{path}:{m.group(1) if m else 0}: {str(exc)[:200]}") from None
    except RecursionError:
        raise ConfigError(f"{path}: tables or lists nested too deeply") from None
    return text, data


def load_config(explicit: str | Path | None = None, *, search_defaults: bool = True) -> Config:
    """Read the config files in order and merge them; raise ConfigError on a bad file."""
    paths: list[Path] = []
    if search_defaults:
        paths += [p for p in (SYSTEM_CONFIG, user_config_path()) if p.is_file()]
    if explicit is not None:
        p = Path(explicit)
        if not p.exists():
            raise ConfigError(f"{p}: config file not found")
        if not any(p.samefile(q) for q in paths):  # e.g. the service's --config /etc/...
            paths.append(p)
    merged: dict[str, dict[str, object]] = {name: {} for name in _SECTIONS}
    for path in paths:
        text, data = _read_toml(path)
        for section, table in data.items():
            if section not in _SECTIONS:
                raise ConfigError(
                    f"{path}:{_section_line(text, section)}: unknown section [{section}]"
                    f" (known: {', '.join(_SECTIONS)})"
                )
            if not isinstance(table, dict):
                raise ConfigError(
                    f"{path}:{_line_of(text, section)}: {section} must be a [{section}] table"
                )
            if section == "coach" and "named_paces" in table:
                table = dict(table)
                table["named_paces_s_per_km"] = table.pop("named_paces")
            values = _coerce(_SECTIONS[section], table, path, text, section)
            _check_values(section, values, path, text)
            merged[section].update(values)
            if section == "heart_rate":
                check_heart_rate(merged[section], path, functools.partial(_line_of, text))
    return Config(
        **{name: cls(**merged[name]) for name, cls in _SECTIONS.items()},
        sources=tuple(str(p) for p in paths),
    )
