"""``pacer export``: a session as GPX, TCX, FIT or CSV for other tools."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pacer.cli.sessions import add_location_args, add_session_argument, data_dir_for

if TYPE_CHECKING:
    from pacer.session.reader import SessionData

FORMATS = ("gpx", "tcx", "fit", "csv", "fixes")


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


def render(data: SessionData, fmt: str) -> bytes:
    """The export of session ``data`` in ``fmt`` as bytes."""
    if fmt == "csv":
        from pacer.formats.csv_export import per_second_csv

        return per_second_csv(data).encode()
    if fmt == "fixes":
        from pacer.formats.csv_export import fixes_csv

        return fixes_csv(data).encode()
    if fmt == "gpx":
        from pacer.formats.gpx_export import to_gpx

        return to_gpx(data).encode()
    if fmt == "tcx":
        from pacer.formats.tcx_export import to_tcx

        return to_tcx(data).encode()
    from pacer.formats.fit_export import to_fit

    return to_fit(data)


def run(args: argparse.Namespace) -> int:
    from pacer.errors import InputError
    from pacer.session.reader import open_session, resolve_session

    data = open_session(resolve_session(args.session, data_dir_for(args)))
    payload = render(data, args.format)
    if args.output in (None, "-"):
        if args.format == "fit" and sys.stdout.isatty():
            raise InputError("FIT is binary: give -o FILE.fit or redirect standard output")
        sys.stdout.buffer.write(payload)  # a broken pipe (`| head`) ends quietly in main
        sys.stdout.buffer.flush()
        return 0
    out = Path(args.output)
    write_whole(out, payload)
    print(f"wrote {out} ({len(payload)} bytes)", file=sys.stderr)
    return 0


def write_whole(out: Path, payload: bytes) -> None:
    """Write ``out`` whole or not at all (a reader never sees half a file).

    Goes through a hidden temporary file next to ``out``; an error names ``out``, not
    the temporary file: ``cannot write /x/y.gpx: no such directory``.
    """
    from pacer.errors import InputError

    out = Path(out)
    if not out.parent.is_dir():
        what = "no such directory" if not out.parent.exists() else "not a directory"
        raise InputError(f"cannot write {out}: {what} ({out.parent})")
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        tmp.write_bytes(payload)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write {out}: {exc.strerror or exc}") from exc
