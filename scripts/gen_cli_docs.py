#!/usr/bin/env python3
"""Write docs/cli.md from the parsers' own --help (tests check it is up to date)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pacer.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[1]


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def render() -> str:
    import os

    os.environ["COLUMNS"] = "100"
    parser = build_parser()
    parser.prog = "pacer"
    out = [
        "# CLI reference",
        "",
        "Generated from `--help` by `scripts/gen_cli_docs.py`; the test suite fails when it "
        "is out of date. Every command exits non-zero with a one-line `pacer: error: ...` "
        "naming the file, line and problem on bad input (a traceback only with "
        "`PACER_DEBUG=1`); the exit statuses are in [contracts.md](contracts.md).",
        "",
        "```",
        parser.format_help().rstrip(),
        "```",
        "",
    ]
    for name, sub in _subparsers(parser).items():
        out += [f"## pacer {name}", "", "```", sub.format_help().rstrip(), "```", ""]
        for subname, subsub in _subparsers(sub).items():
            out += [f"### pacer {name} {subname}", "", "```", subsub.format_help().rstrip(),
                    "```", ""]
    return "\n".join(out)


if __name__ == "__main__":
    (ROOT / "docs" / "cli.md").write_text(render())
    print("wrote docs/cli.md")
