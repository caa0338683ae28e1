"""``pacer export``: a session as GPX, TCX, FIT or CSV for other tools."""

from __future__ import annotations

import argparse

from pacer.cli.sessions import add_location_args, add_session_argument, data_dir_for
from pacer.formats.export import FORMATS


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "export",
        help="export a session as GPX, TCX, FIT or CSV",
        description="Export a session: gpx (GPX 1.1 + cadence), tcx (laps = reps), fit "
        "(activity with laps and workout steps), csv (one row per second), fixes (one row "
        "per receiver epoch). Writes to FILE, or to standard output without -o.",
    )
    add_session_argument(p)
    p.add_argument("--format", "-f", required=True, choices=FORMATS, help="output format")
    p.add_argument("-o", "--output", metavar="FILE", help="output file (default: standard output)")
    add_location_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pacer.formats.export import export_session
    from pacer.session.reader import resolve_session

    export_session(resolve_session(args.session, data_dir_for(args)), args.format, args.output)
    return 0
