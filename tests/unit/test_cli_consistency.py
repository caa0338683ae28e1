"""Issue 12 item 10: group options after the action, bare `pacer workout`, --profile/--units."""

from __future__ import annotations

import pytest

from pacer.cli.main import build_parser, main


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    return tmp_path


def test_sessions_options_may_follow_the_action(env, capsys):
    data = env / "elsewhere"
    assert main(["sim", "2x200m @40s r30s", "--quiet", "--session-dir", str(data / "a")]) == 0
    capsys.readouterr()
    assert main(["sessions", "list", "--data-dir", str(data)]) == 0
    after = capsys.readouterr().out
    assert main(["sessions", "--data-dir", str(data), "list"]) == 0
    assert capsys.readouterr().out == after and "2x200m" in after


def test_workout_config_may_follow_the_action(env, capsys):
    cfg = env / "c.toml"
    cfg.write_text('[coach]\nunits = "mi"\n')
    assert main(["workout", "show", "tempo", "--config", str(cfg)]) == 0
    after = capsys.readouterr().out
    assert main(["workout", "--config", str(cfg), "show", "tempo"]) == 0
    assert capsys.readouterr().out == after and "/mi" in after


def test_bare_workout_lists_the_library(env, capsys):
    assert main(["workout"]) == 0
    listed = capsys.readouterr().out
    assert main(["workout", "show"]) == 0
    assert capsys.readouterr().out == listed and "6x400" in listed


@pytest.mark.parametrize("command", ["sim", "replay", "run"])
def test_profile_and_units_flags(command):
    args = build_parser().parse_args([command, "--profile", "tempo", "--units", "mi"])
    assert (args.profile, args.units) == ("tempo", "mi")


def test_profile_flag_reaches_the_coach(env):
    from pacer.cli.common_options import config_from_args

    args = build_parser().parse_args(["sim", "--profile", "tempo", "--units", "mi"])
    config = config_from_args(args)
    assert (config.coach.profile, config.coach.units) == ("tempo", "mi")


def test_profile_choices_are_the_coach_profiles():
    from pacer.cli.common_options import PROFILE_NAMES
    from pacer.coach.cues import PROFILES

    assert list(PROFILE_NAMES) == list(PROFILES)
