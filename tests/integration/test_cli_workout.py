"""`pacer workout show|check` through the real CLI entry point."""

from __future__ import annotations

import pytest

from pacer.cli.main import main
from pacer.coach.language.library import LIBRARY


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))


def test_show_lists_the_library(capsys):
    assert main(["workout", "show"]) == 0
    out = capsys.readouterr().out
    for name, (text, _) in LIBRARY.items():
        assert f"{name}" in out and text in out


def test_show_expands_steps_with_targets(capsys):
    assert main(["workout", "show", "6x400"]) == 0
    out = capsys.readouterr().out.splitlines()
    reps = [ln for ln in out if " work " in ln and "rep " in ln]
    assert len(reps) == 6
    assert "rep 6 of 6" in reps[-1] and "400m in 1:30 (3:45/km)" in reps[-1]


def test_show_in_miles(capsys):
    assert main(["workout", "show", "--miles", "3x1mi @6:00/mi r2:00"]) == 0
    assert "1mi in 6:00 (6:00/mi)" in capsys.readouterr().out


def test_check_ok_and_error(capsys):
    assert main(["workout", "check", "2km jog; 8x(400m @72s, 200m jog); 2km jog"]) == 0
    assert capsys.readouterr().out.startswith("OK ")
    assert main(["workout", "check", "8x(400m @72s, 200m jgo)"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[0] == (
        "pacer: error: <workout>:1:20: unknown word 'jgo' -- did you mean 'jog'?"
    )


def test_named_paces_from_config(tmp_path, capsys):
    cfg = tmp_path / "pacer.toml"
    cfg.write_text('[coach]\nnamed_paces = { "5k" = "3:30/km" }\n')
    assert main(["workout", "--config", str(cfg), "show", "1km @5k"]) == 0
    assert "1km in 3:30 (3:30/km)" in capsys.readouterr().out


def test_unknown_library_name_is_a_one_line_error(capsys):
    assert main(["workout", "show", "yaso"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "did you mean 'yasso-800s'" in err
