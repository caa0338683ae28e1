"""docs/configuration.md documents every key of the config dataclasses with its real
default and allowed values, and its error examples are what pacer says."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from pacer import config as cfg
from pacer.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "configuration.md").read_text()
DOC_NAME = {"named_paces_s_per_km": "named_paces"}  # the TOML name of a field


def rows(section: str) -> dict[str, list[str]]:
    """Key -> cells of the table under ``### [section]``."""
    match = re.search(rf"^### \[{section}\]\n(.*?)(?=^#)", PAGE + "\n#", re.M | re.S)
    assert match, f"docs/configuration.md has no section [{section}]"
    out = {}
    for line in match.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        key = re.fullmatch(r"`(\w+)`", cells[0])
        if key:
            out[key.group(1)] = cells[1:]
    return out


def toml_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(toml_text(v) for v in value) + "]"
    return repr(value)


SECTIONS = sorted(cfg._SECTIONS.items())


@pytest.mark.parametrize("section, cls", SECTIONS, ids=[s for s, _ in SECTIONS])
def test_every_key_documented_with_its_default(section: str, cls: type) -> None:
    documented = rows(section)
    keys = {DOC_NAME.get(f.name, f.name) for f in dataclasses.fields(cls)}
    assert set(documented) == keys, f"[{section}]: code {sorted(keys)} vs docs {sorted(documented)}"
    for f in dataclasses.fields(cls):
        cells = documented[DOC_NAME.get(f.name, f.name)]
        default = getattr(cls(), f.name)
        if default is None:
            assert "optional" in cells[0], f"[{section}] {f.name}: say it is optional"
            assert not cells[1].startswith("`"), f"[{section}] {f.name}: default is none"
        elif not isinstance(default, dict):
            assert cells[1] == f"`{toml_text(default)}`", f"[{section}] {f.name}"


@pytest.mark.parametrize("where, choices", sorted(cfg.CHOICES.items()))
def test_allowed_values_documented(where: tuple[str, str], choices: tuple[object, ...]) -> None:
    section, key = where
    meaning = rows(section)[key][-1]
    for choice in choices:
        if choice is not None:
            assert re.search(rf"\b{re.escape(str(choice))}\b", meaning), (section, key, choice)


def test_default_named_paces_documented() -> None:
    from pacer.coach.language.workout import DEFAULT_NAMED_PACES_S_PER_KM
    from pacer.units import format_clock

    for name, pace_s_per_km in DEFAULT_NAMED_PACES_S_PER_KM.items():
        assert f"`{name}` {format_clock(pace_s_per_km)}/km" in PAGE


EXAMPLES = {  # file text whose error the page quotes (line numbers as on the page)
    "unknown key 'unit'": "[coach]\nunit = \"mi\"\n",
    "units = 'miles'": "\n" * 12 + "[coach]\nunits = \"miles\"\n",
    "volume = 1.5": "\n" * 3 + "[audio]\nvolume = 1.5\n",
    "baudrate must": "\n[gps]\nbaudrate = 9600.5\n",
    "unknown section": "\n" * 8 + "[coaching]\n",
}


@pytest.mark.parametrize("needle, text", EXAMPLES.items())
def test_error_examples_are_what_pacer_says(tmp_path: Path, needle: str, text: str) -> None:
    quoted = [line for line in PAGE.splitlines()
              if line.startswith("pacer: error:") and needle in line]
    assert len(quoted) == 1, needle
    path = tmp_path / "pacer.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        cfg.load_config(path, search_defaults=False)
    shown_path, rest = re.fullmatch(r"pacer: error: (\S+?)(:\d+: .*)", quoted[0]).groups()
    assert str(err.value) == f"{path}{rest}"
