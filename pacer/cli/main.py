"""``pacer`` command line: one module per subcommand, errors reported in one place.

Each subcommand module in :data:`SUBCOMMANDS` defines ``add_parser(subparsers)``, which
registers its parser and sets ``func`` to a ``run(args) -> int``. Modules import only
the standard library at module level; heavy imports happen inside ``run`` so that
``pacer run`` and ``pacer --help`` start fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from pacer import __version__
from pacer.errors import PacerError

#: subcommand name -> module under pacer.cli (order is the order in --help)
SUBCOMMANDS: dict[str, str] = {
    "sim": "sim",
    "replay": "replay",
    "run": "run",
    "review": "review",
    "export": "export",
    "sessions": "sessions",
    "workout": "workout",
    "doctor": "doctor",
    "bench": "bench",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pacer",
        description="An open, phone-free audio pacing coach for runners.",
    )
    parser.add_argument("--version", action="version", version=f"pacer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in SUBCOMMANDS.values():
        try:
            module = importlib.import_module(f"pacer.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"pacer.cli.{module_name}":
                continue  # subcommand not built yet
            raise
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("pacer: interrupted", file=sys.stderr)
        return 130
    except (PacerError, OSError) as exc:
        if os.environ.get("PACER_DEBUG") == "1":
            raise
        print(f"pacer: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
