"""docs/sessions.md and docs/export.md carry the ``--help`` of review, export and sessions
verbatim (between ``<!-- help: ARGS -->`` and ``<!-- /help -->``); this test keeps them true.

Regenerate with ``PACER_REGEN_DOCS=1 .venv/bin/python -m pytest tests/unit/test_docs_sessions.py``.
argparse's layout changed across Python versions; the docs are generated on 3.11.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from pathlib import Path

import pytest

from pacer.cli.main import main

DOCS = Path(__file__).resolve().parents[2] / "docs"
BLOCK = re.compile(
    r"<!-- help: (?P<args>[^>]*?) -->\n```text\n(?P<body>.*?)```\n<!-- /help -->", re.S
)
DOC_FILES = ("sessions.md", "export.md")
COMMANDS = {"review", "export", "sessions", "sessions list", "sessions delete", "sessions prune"}


def _help(args: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", "100")
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main([*args.split(), "--help"])
    return out.getvalue()


def test_every_command_is_documented_with_its_current_help(monkeypatch):
    found = set()
    for name in DOC_FILES:
        path = DOCS / name
        text = path.read_text()
        regen = os.environ.get("PACER_REGEN_DOCS") == "1"
        new = BLOCK.sub(
            lambda m: (
                f"<!-- help: {m['args']} -->\n```text\n"
                f"{_help(m['args'], monkeypatch)}```\n<!-- /help -->"
            ),
            text,
        )
        if regen and new != text:
            path.write_text(new)
            text = new
        for m in BLOCK.finditer(text):
            found.add(m["args"])
            if sys.version_info[:2] == (3, 11):
                assert m["body"] == _help(m["args"], monkeypatch), f"{name}: `{m['args']} --help`"
    assert found == COMMANDS
