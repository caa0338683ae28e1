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
    "sensors": "sensors",
    "bench": "bench",
    "serve": "serve",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pacer",
        description="An open, phone-free audio pacing coach for runners.",
    )
    parser.add_argument("--version", action="version", version=f"pacer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in SUBCOMMANDS.values():
        importlib.import_module(f"pacer.cli.{module_name}").add_parser(sub)
    return parser


#: the longest error line printed (a message quoting a hostile file stays short)
MAX_ERROR_CHARS = 300


def one_line(text: str) -> str:
    """The first line of ``text``, control characters escaped, at most
    :data:`MAX_ERROR_CHARS` characters."""
    first = (text.splitlines() or [""])[0]
    if not first.isprintable():
        first = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in first)
    if len(first) > MAX_ERROR_CHARS:
        first = first[: MAX_ERROR_CHARS - 30] + f"... ({len(first)} characters)"
    return first


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    debug = os.environ.get("PACER_DEBUG") == "1"
    if not debug:
        import warnings

        warnings.simplefilter("ignore")  # library warnings are not the runner's business
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("pacer: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `pacer sessions | head`: the reader left; nothing more to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (PacerError, OSError, ValueError) as exc:
        if debug:
            raise
        if isinstance(exc, ValueError) and not isinstance(exc, PacerError):
            # a value a library refused (e.g. a simulator parameter out of range)
            text = f"invalid value: {exc}"
        else:
            text = str(exc) or type(exc).__name__
        print(f"pacer: error: {one_line(text)}", file=sys.stderr)
        return 1
    except Exception as exc:  # broad on purpose: no traceback without PACER_DEBUG
        if debug:
            raise
        print(f"pacer: internal error: {type(exc).__name__}: {one_line(str(exc))} "
              "(PACER_DEBUG=1 shows the traceback; please report it)", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
