"""Every subcommand has help, appears in docs/cli.md, and docs/cli.md is current."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from pacer.cli.main import SUBCOMMANDS, main

ROOT = Path(__file__).resolve().parents[2]


def _generator():
    path = ROOT / "scripts" / "gen_cli_docs.py"
    spec = importlib.util.spec_from_file_location("gen_cli_docs", path)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("command", list(SUBCOMMANDS))
def test_every_subcommand_has_help(command: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith(f"usage: pacer {command}") or text.startswith("usage:")
    assert len(text.splitlines()) > 3


@pytest.mark.parametrize("command", list(SUBCOMMANDS))
def test_every_subcommand_is_documented(command: str) -> None:
    doc = (ROOT / "docs" / "cli.md").read_text()
    assert re.search(rf"^## pacer {command}$", doc, re.MULTILINE)


def test_cli_reference_is_current() -> None:
    expected = _generator().render()
    assert (ROOT / "docs" / "cli.md").read_text() == expected, (
        "docs/cli.md is out of date: run scripts/gen_cli_docs.py"
    )
