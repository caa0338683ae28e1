"""The cue settings come from the config in one place (pacer.wiring.session.cue_settings): a new
session (build_session) and ``pacer run``'s SIGHUP reload (reload_config) apply the same
settings for the same config file."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from pacer.cli.common_options import config_from_args
from pacer.service.live import reload_config
from pacer.wiring.session import build_session, cue_settings, load_workout

WORKOUT = "2x(400m @90s, r200m)"
FIRST = """
[coach]
profile = "track"
units = "km"
[audio]
rate_wpm = 175
"""
CHANGED = """
[coach]
profile = "race"
units = "mi"
disabled_cues = ["split", "drift"]
[audio]
rate_wpm = 150
"""


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # only the file given with --config (and /etc/pacer, absent here) may be read
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def _session(config_path: Path, session_dir: Path):  # type: ignore[no-untyped-def]
    config = config_from_args(argparse.Namespace(config=str(config_path)))
    return build_session(kind="sim", config=config, workout=load_workout(WORKOUT, config),
                         session_dir=session_dir, sources={}, start_utc=None)


def _applied(parts):  # type: ignore[no-untyped-def]
    """The settings the engine's policy and its narrator act on."""
    engine = parts.engine
    assert engine.narrator.settings == engine.policy.settings
    return engine.policy.settings


def test_a_config_change_reaches_a_new_session_and_a_reload_alike(tmp_path: Path) -> None:
    config_path = tmp_path / "pacer.toml"
    config_path.write_text(FIRST)
    running = _session(config_path, tmp_path / "running")
    first = _applied(running)
    assert (first.profile, first.miles, first.disabled, first.rate_wpm) == (
        "track", False, frozenset(), 175.0)

    config_path.write_text(CHANGED)  # the runner edits the file, then SIGHUP
    reloaded_config = reload_config(str(config_path), running.engine)
    reloaded = _applied(running)
    other = _session(config_path, tmp_path / "fresh")
    fresh = _applied(other)

    assert reloaded == fresh == cue_settings(reloaded_config)
    assert (reloaded.profile, reloaded.miles, reloaded.disabled, reloaded.rate_wpm) == (
        "race", True, frozenset({"split", "drift"}), 150.0)
    for parts in (running, other):
        parts.pipeline.finish("normal")
