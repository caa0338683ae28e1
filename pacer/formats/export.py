"""A session as another tool's file (``pacer export``), written whole or not at all."""

from __future__ import annotations

import os
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
    """Write ``out`` whole or not at all (a reader never sees half a file).

    Goes through a hidden temporary file next to ``out``; an error names ``out``, not
    the temporary file: ``cannot write /x/y.gpx: no such directory``.
    """
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
