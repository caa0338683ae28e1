"""Config keys are validated for type, length and range at load, with FILE:LINE."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pacer.config import load_config
from pacer.errors import ConfigError


def _load(tmp_path: Path, text: str):
    p = tmp_path / "c.toml"
    p.write_text(text)
    return load_config(p, search_defaults=False)


@pytest.mark.parametrize(
    "pace", ["0", "-60", "nan", "inf", "-inf", "1e308", "'0:00/km'", "'99999:00/km'", "true"]
)
def test_named_paces_out_of_range_refused(tmp_path: Path, pace: str) -> None:
    with pytest.raises(ConfigError, match=r"c\.toml:2: .*pace") as err:
        _load(tmp_path, f"[coach]\nnamed_paces = {{easy = {pace}}}\n")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[coach]\nworkouts = [1, 2, 3]\n", "c.toml:2: [coach] workouts: every entry"),
        ("[accel]\nmcp3008_channels = ['a', 99, -1, 5]\n", "c.toml:2: [accel] mcp3008_channels"),
        ("[accel]\nmcp3008_channels = []\n", "c.toml:2: [accel] mcp3008_channels"),
        ("[accel]\nmcp3008_channels = [0, 0, 1]\n", "c.toml:2: [accel] mcp3008_channels"),
        ("[coach]\ndisabled_cues = [1]\n", "c.toml:2: [coach] disabled_cues"),
        ("[gps]\nport = '" + "x" * 5000 + "'\n", "c.toml:2: [gps] port must be text of at most"),
        ("[gps]\nport = {a = 1}\n", "c.toml:2: [gps] port must be text"),
        ("[audio]\nvolume = nan\n", "c.toml:2: [audio] volume = nan is outside"),
        ("gps = 1\n", "c.toml:1: gps must be a [gps] table"),
    ],
)
def test_wrong_types_and_lengths_refused(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, text)
    assert fragment in str(err.value)
    assert "\n" not in str(err.value) and len(str(err.value)) < 400


def test_deeply_nested_inline_table_is_a_clean_error(tmp_path: Path) -> None:
    text = "[coach]\nnamed_paces = " + "{a = " * 2000 + "1" + "}" * 2000 + "\n"
    with pytest.raises(ConfigError, match="nested too deeply"):
        _load(tmp_path, text)


def test_data_dir_expands_tilde(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    cfg = _load(tmp_path, "[session]\ndata_dir = '~/pacer-sessions'\n")
    assert cfg.session.data_dir == str(tmp_path / "pacer-sessions")


def test_relative_data_dir_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"c\.toml:2: \[session\] data_dir .* is relative"):
        _load(tmp_path, "[session]\ndata_dir = 'sessions'\n")


def test_dangling_symlink_data_dir_is_named(tmp_path: Path) -> None:
    link = tmp_path / "link"
    os.symlink(tmp_path / "gone", link)
    with pytest.raises(ConfigError, match="symbolic link to .*gone, which does not exist"):
        _load(tmp_path, f"[session]\ndata_dir = '{link}'\n")


def test_config_that_is_not_a_regular_file_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="FIFO"):
        load_config(fifo, search_defaults=False)
    with pytest.raises(ConfigError, match="character device"):
        load_config("/dev/zero", search_defaults=False)


def test_mcp3008_channels_holding_tables_is_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "pacer.toml"
    cfg.write_text('[accel]\nmcp3008_channels = [{a = 1}, {a = 1}, "x"]\n')
    with pytest.raises(ConfigError, match="mcp3008_channels must be three different"):
        load_config(cfg)
