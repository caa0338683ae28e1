"""Settings written back to the TOML config file, validated by pacer's own loader.

:func:`update_config` changes a few keys in the text of the file (other lines, comments
and order stay as they were), checks the result with :func:`pacer.config.load_config`
(so a bad value gets the same ``FILE:LINE: problem`` as the CLI, naming the real file)
and only then replaces the file atomically. The running service picks the change up
on SIGHUP (:mod:`pacer.web.service`).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

from pacer.errors import ConfigError
from pacer.web.settings import write_atomic

#: (section, key) the settings page edits, with the form field that carries each
EDITABLE: dict[str, tuple[str, str]] = {
    "profile": ("coach", "profile"),
    "units": ("coach", "units"),
    "voice": ("audio", "voice"),
    "volume": ("audio", "volume"),
    "rate_wpm": ("audio", "rate_wpm"),
}


def toml_value(value: object) -> str:
    """A TOML literal for a str, bool, int or float."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string


def set_key(text: str, section: str, key: str, value: object) -> str:
    """``text`` with ``key = value`` in ``[section]`` (replaced, or added to the section,
    or added with a new section at the end)."""
    line = f"{key} = {toml_value(value)}"
    lines = text.splitlines()
    header = re.compile(r"^\s*\[([^\]]+)\]\s*(#.*)?$")
    start = None
    for i, ln in enumerate(lines):
        m = header.match(ln)
        if m and m.group(1).strip() == section:
            start = i
            break
    if start is None:
        tail = ["", f"[{section}]", line] if lines else [f"[{section}]", line]
        return "\n".join(lines + tail) + "\n"
    end = next((j for j in range(start + 1, len(lines)) if header.match(lines[j])), len(lines))
    key_re = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for j in range(start + 1, end):
        if key_re.match(lines[j]):
            lines[j] = line
            return "\n".join(lines) + "\n"
    insert_at = end
    while insert_at > start + 1 and not lines[insert_at - 1].strip():
        insert_at -= 1
    lines.insert(insert_at, line)
    return "\n".join(lines) + "\n"


def parse_form_value(field: str, raw: str) -> str | int | float:
    """A form field's text as the TOML type the key has (numbers for volume, rate)."""
    raw = raw.strip()
    if field == "volume":
        try:
            return float(raw)
        except ValueError:
            return raw  # the loader reports "must be a number" with the line
    if field == "rate_wpm":
        return int(raw) if re.fullmatch(r"-?\d+", raw) else raw
    return raw


def validate_text(text: str, path: Path) -> None:
    """Raise ConfigError (naming ``path`` and the line) unless ``text`` is a valid config."""
    from pacer.config import load_config

    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / path.name
        probe.write_text(text, encoding="utf-8")
        try:
            load_config(probe, search_defaults=False)
        except ConfigError as exc:
            raise ConfigError(str(exc).replace(str(probe), str(path))) from None


def update_config(path: Path, changes: Mapping[str, object]) -> str:
    """Apply ``changes`` (form field -> value, fields of :data:`EDITABLE`) to the file.

    Returns the new text. Raises ConfigError with ``FILE:LINE`` and leaves the file as
    it was when the result would not load. An empty voice removes nothing: the key is
    left out of ``changes`` by the caller.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    for field, value in changes.items():
        section, key = EDITABLE[field]
        text = set_key(text, section, key, value)
    validate_text(text, path)
    try:
        write_atomic(path, text.encode("utf-8"), mode=0o644)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return text
