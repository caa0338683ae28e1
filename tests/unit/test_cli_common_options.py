"""Options shared by sim, replay and run are one declaration: same names, same parsing."""

from __future__ import annotations

import pytest

from pacer.cli.common_options import config_from_args
from pacer.cli.main import build_parser

SHARED = ["--realtime", "--session-dir", "out", "--audio-out", "a.wav", "--config", "c.toml",
          "--status-every", "7.5", "--quiet"]


@pytest.mark.parametrize("command", ["sim", "replay"])
def test_sim_and_replay_parse_the_shared_options_alike(command: str) -> None:
    args = build_parser().parse_args([command, *SHARED])
    assert (args.realtime, args.session_dir, args.audio_out, args.config,
            args.status_every, args.quiet) == (True, "out", "a.wav", "c.toml", 7.5, True)
    default = build_parser().parse_args([command])
    assert (default.realtime, default.session_dir, default.audio_out, default.quiet) == (
        False, None, None, False)


@pytest.mark.parametrize("command", ["sim", "replay"])
def test_fast_and_realtime_exclude_each_other(command: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([command, "--fast", "--realtime"])
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["sim", "replay"])
def test_status_every_rejects_nonsense(command: str, capsys) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--status-every", "-1"])
    assert "must be a positive number" in capsys.readouterr().err


def test_status_every_defaults_differ_where_documented() -> None:
    assert build_parser().parse_args(["sim"]).status_every is None  # 30 fast, 5 realtime
    assert build_parser().parse_args(["replay"]).status_every == 30.0


@pytest.mark.parametrize("command", ["review", "export"])
def test_review_and_export_take_the_same_session_argument(command: str) -> None:
    extra = ["--format", "csv"] if command == "export" else []
    assert build_parser().parse_args([command, "s1", *extra]).session == "s1"
    assert build_parser().parse_args([command, *extra]).session is None


#: every subcommand that takes --config, with the other arguments it needs
CONFIG_COMMANDS = [["sim"], ["replay"], ["run"], ["doctor"], ["review"],
                   ["export", "--format", "csv"], ["sessions"], ["workout", "show"]]


def _user_file(tmp_path, monkeypatch, text: str) -> None:
    user = tmp_path / "home" / "pacer" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text(text)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home"))


@pytest.mark.parametrize("argv", CONFIG_COMMANDS, ids=lambda a: a[0])
def test_every_command_reads_config_in_layers(argv: list[str], tmp_path, monkeypatch) -> None:
    """Defaults, then the system and user files, then --config (docs/user-guide.md):
    the given file overrides the user's key by key and keeps the rest."""
    _user_file(tmp_path, monkeypatch, '[coach]\nprofile = "race"\nunits = "km"\n')
    given = tmp_path / "given.toml"
    given.write_text('[coach]\nunits = "mi"\n')
    cmd, *rest = argv
    args = build_parser().parse_args([cmd, "--config", str(given), *rest])
    with_file = config_from_args(args)
    assert (with_file.coach.units, with_file.coach.profile) == ("mi", "race")
    assert with_file.sources[-1] == str(given)
    searched = config_from_args(build_parser().parse_args(argv))
    assert (searched.coach.units, searched.coach.profile) == ("km", "race")


def test_sim_with_a_config_file_keeps_the_users_data_dir(tmp_path, monkeypatch, capsys) -> None:
    """`pacer sim --config FILE` writes the session next to the user file's [session]
    data_dir, in its "sims" folder (only the defaults and FILE used to be read)."""
    from pacer.cli.main import main
    from pacer.session.reader import list_sessions, open_session

    data_dir = tmp_path / "sessions"
    _user_file(tmp_path, monkeypatch, f'[session]\ndata_dir = "{data_dir}"\n')
    given = tmp_path / "given.toml"
    given.write_text('[coach]\nunits = "mi"\n')
    assert main(["sim", "--config", str(given), "--duration", "20", "--quiet"]) == 0
    (session,) = list_sessions(tmp_path / "sims")  # simulated runs: "sims" by data_dir
    assert open_session(session).meta["config"]["coach"]["units"] == "mi"


@pytest.mark.parametrize("text", ["-1", "nan", "inf", "lots"])
def test_prune_cap_must_be_a_finite_size(text: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["sessions", "prune", "--max-mb", text])
    assert exit_.value.code == 2
    assert "--max-mb" in capsys.readouterr().err


def test_prune_cap_zero_and_fractions_are_fine() -> None:
    assert build_parser().parse_args(["sessions", "prune", "--max-mb", "0"]).max_mb == 0.0
    assert build_parser().parse_args(["sessions", "prune", "--max-mb", "2.5"]).max_mb == 2.5


@pytest.mark.parametrize("command", ["replay", "run"])
def test_workout_option_is_shared(command: str) -> None:
    assert build_parser().parse_args([command, "--workout", "6x400"]).workout == "6x400"
    assert build_parser().parse_args([command]).workout is None
    assert build_parser().parse_args(["sim"]).workout == "6x400"  # sim: a positional
