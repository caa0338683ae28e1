"""The CLI has no test hooks: the tests inject their faults themselves (the service
through tests/helpers/fake_service.py, the doctor through tests/helpers/doctor_faults.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from pacer.cli.common_options import add_test_hook, list_test_hooks
from pacer.cli.main import main

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


def test_list_test_hooks_names_usage_and_doc() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--visible")
    add_test_hook(p, "--flip", action="store_true", doc="flips")
    add_test_hook(p, "--after", metavar="S", type=float, doc="after S")
    assert list_test_hooks(p) == [("--flip", "flips"), ("--after S", "after S")]
    assert p.parse_args(["--after", "2"]).after == 2.0
