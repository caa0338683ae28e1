"""The CLI has no test hooks: the tests inject their faults themselves (the service
through tests/helpers/fake_service.py, the doctor through tests/helpers/doctor_faults.py)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from pacer.cli.main import build_parser, main

ROOT = Path(__file__).resolve().parents[2]


def test_run_has_no_test_hook(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--fake-hardware", "--fake-hang-after", "4"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: --fake-hang-after" in capsys.readouterr().err
    assert "fake-hang" not in (ROOT / "docs" / "cli.md").read_text()


def test_the_doctor_has_no_fault_flag(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["doctor", "--fake-hardware", "--break", "no-chip"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: --break no-chip" in capsys.readouterr().err


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_no_option_is_hidden_from_help() -> None:
    hidden = [(p.prog, a.option_strings) for p in _parsers(build_parser())
              for a in p._actions if a.help == argparse.SUPPRESS]
    assert hidden == []
    assert "## Test hooks" not in (ROOT / "docs" / "cli.md").read_text()
