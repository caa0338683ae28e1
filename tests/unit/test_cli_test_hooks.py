"""Test hooks of the CLI: hidden from --help, listed in docs/cli.md, refused without the
fake hardware they act on. ``pacer run`` has none: the service tests inject their faults
through tests/helpers/fake_service.py."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from pacer.cli.common_options import add_test_hook, list_test_hooks
from pacer.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
HOOKS = [("doctor", "--break")]


@pytest.mark.parametrize(("command", "flag"), HOOKS)
def test_hooks_are_hidden_from_help_but_documented(command: str, flag: str, capsys) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert flag not in capsys.readouterr().out
    assert f"* `pacer {command} {flag} " in (ROOT / "docs" / "cli.md").read_text()


@pytest.mark.parametrize(("argv", "needs"), [
    (["doctor", "--break", "no-chip", "--no-sound"], "--break needs"),
])
def test_hooks_need_the_fake_hardware(argv: list[str], needs: str, capsys) -> None:
    assert main(argv) == 1
    assert needs in capsys.readouterr().err


def test_run_has_no_test_hook(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--fake-hardware", "--fake-hang-after", "4"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: --fake-hang-after" in capsys.readouterr().err
    assert "fake-hang" not in (ROOT / "docs" / "cli.md").read_text()


def test_unknown_fault_is_refused_by_argparse(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["doctor", "--fake-hardware", "--break", "melted"])
    assert exit_.value.code == 2
    assert "invalid choice: 'melted'" in capsys.readouterr().err


def test_list_test_hooks_names_usage_and_doc() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--visible")
    add_test_hook(p, "--flip", action="store_true", doc="flips")
    add_test_hook(p, "--after", metavar="S", type=float, doc="after S")
    assert list_test_hooks(p) == [("--flip", "flips"), ("--after S", "after S")]
    assert p.parse_args(["--after", "2"]).after == 2.0


def test_fake_hardware_refuses_an_unknown_fault() -> None:
    from pacer.config import Config
    from pacer.tools.doctor_fakes import FakeHardware

    with pytest.raises(ValueError, match="choose one of no-chip, wrong-chip"):
        FakeHardware(Config(), fault="melted")
