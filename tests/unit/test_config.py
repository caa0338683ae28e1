"""The config: layered TOML files read into a frozen Config, errors naming file and line."""

from __future__ import annotations

import pytest

from pacer.config import Config, load_config
from pacer.errors import ConfigError


def test_defaults_without_files() -> None:
    cfg = load_config(search_defaults=False)
    assert cfg == Config()
    assert cfg.gps.port == "/dev/serial0"


def test_values_and_named_paces(tmp_path) -> None:
    p = tmp_path / "c.toml"
    p.write_text('[gps]\nport = "/dev/ttyAMA0"\nbaudrate = 115200\n'
                 '[coach]\nnamed_paces = {5k = "3:50/km", mile = "5:40/mi", easy = 330}\n')
    cfg = load_config(p, search_defaults=False)
    assert cfg.gps.port == "/dev/ttyAMA0" and cfg.gps.baudrate == 115200
    paces = cfg.coach.named_paces_s_per_km
    assert paces["5k"] == 230.0 and paces["easy"] == 330.0
    assert paces["mile"] == pytest.approx(340 / 1.609344)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            "[coach]\nprofle = 'track'\n",
            "c.toml:2: unknown key 'profle' in [coach] -- did you mean 'profile'?",
        ),
        ("[gps]\nbaudrate = 'fast'\n", "c.toml:2: [gps] baudrate must be a number"),
        ("[gpss]\nport = 'x'\n", "c.toml:1: unknown section [gpss]"),
        ("[gps\nport = 1\n", "c.toml:1:"),
    ],
)
def test_errors_name_file_and_line(tmp_path, text: str, fragment: str) -> None:
    p = tmp_path / "c.toml"
    p.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(p, search_defaults=False)
    assert fragment in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_explicit_file(tmp_path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml", search_defaults=False)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            "[session]\nmax_bytes = \"1GB\"\n",
            "c.toml:2: [session] max_bytes must be a whole number",
        ),
        ("[accel]\nrate_hz = -5\n", "c.toml:2: [accel] rate_hz = -5.0 is outside"),
        ("[coach]\nunits = \"miles\"\n", "c.toml:2: [coach] units = 'miles' is not one of km, mi"),
        ("[coach]\nlane = 12\n", "c.toml:2: [coach] lane = 12 is outside 1..9"),
        ("[audio]\nvolume = 7\n", "c.toml:2: [audio] volume = 7.0 is outside 0..1"),
        ("[coach]\nprofile = \"trak\"\n", "c.toml:2: [coach] profile = 'trak' is not one of"),
        (
            "[coach]\ndisabled_cues = [\"splt\"]\n",
            "c.toml:2: [coach] disabled_cues: unknown cue kind 'splt' -- did you mean 'split'?",
        ),
        ("[gps]\nport = 5\n", "c.toml:2: [gps] port must be text"),
        ("[accel]\nint_pin = 40\n", "c.toml:2: [accel] int_pin = 40 is outside 0..27"),
    ],
)
def test_values_are_checked_with_file_and_line(tmp_path, text: str, fragment: str) -> None:
    p = tmp_path / "c.toml"
    p.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(p, search_defaults=False)
    assert fragment in str(err.value)


def test_non_utf8_config_is_a_clear_error(tmp_path) -> None:
    p = tmp_path / "c.toml"
    p.write_bytes(b"[gps]\nport = '\xff\xfe'\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(p, search_defaults=False)


def test_explicit_file_that_is_also_a_default_is_read_once(tmp_path, monkeypatch) -> None:
    # the systemd unit passes --config /etc/pacer/pacer.toml, which is also read by default
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    user = tmp_path / "pacer" / "config.toml"
    user.parent.mkdir()
    user.write_text("[coach]\nunits = \"mi\"\n", encoding="utf-8")
    config = load_config(user)
    assert config.sources == (str(user),)
    assert config.coach.units == "mi"
