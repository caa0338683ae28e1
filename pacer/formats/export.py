"""A session as another tool's file (``pacer export``), written whole or not at all."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pacer.errors import InputError

if TYPE_CHECKING:
    from pacer.session.reader import SessionData

FORMATS = ("gpx", "tcx", "fit", "csv", "fixes")


def render(data: SessionData, fmt: str) -> bytes:
    """The export of session ``data`` in ``fmt`` (one of :data:`FORMATS`) as bytes."""
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


def export_session(session: Path, fmt: str, output: str | None) -> None:
    """Export ``session`` in ``fmt`` to the file ``output``, or (None, "-") to standard
    output; a file's size is said on standard error."""
    from pacer.session.reader import open_session

    payload = render(open_session(session), fmt)
    if output in (None, "-"):
        if fmt == "fit" and sys.stdout.isatty():
            raise InputError("FIT is binary: give -o FILE.fit or redirect standard output")
        sys.stdout.buffer.write(payload)  # a broken pipe (`| head`) ends quietly in main
        sys.stdout.buffer.flush()
        return
    out = Path(output)
    write_whole(out, payload)
    print(f"wrote {out} ({len(payload)} bytes)", file=sys.stderr)


def write_whole(out: Path, payload: bytes) -> None:
    """Write ``out`` whole or not at all: no symlink, special file or session file is
    ever replaced and a failed write leaves an existing file as it was
    (:mod:`pacer.formats.safe_write`); an error names ``out`` in one line."""
    from pacer.formats.safe_write import write_output

    write_output(out, payload)
