"""Downloads made by ``pacer export`` in a child process.

The exporters build a whole document in memory (a 4-hour session's TCX is 7 MB of text
and ~70 MB of element objects while it is built); in a child process that memory goes
back to the system when the child ends, so the long-lived server stays small. The child
writes a temporary file that the response streams and then deletes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

#: a child export taking longer than this is stopped (a 4-hour TCX takes ~1 s here)
EXPORT_TIMEOUT_S = 120.0


#: one child process at a time (exports and session reads): a 4-hour TCX export peaks at
#: ~110 MB, so two at once would not fit the unit's memory limit on a Pi Zero 2 W
ONE_CHILD = threading.Lock()


class ExportFailed(Exception):
    """The exporter refused the session; the message is its one-line error."""


def export_to_file(session_dir: Path, fmt: str) -> Path:
    """Run ``pacer export SESSION_DIR --format FMT -o TMP``; the temporary file's path."""
    fd, name = tempfile.mkstemp(prefix="pacer-export-", suffix=f".{fmt}")
    os.close(fd)
    out = Path(name)
    # a path with a '/' always means that directory (never a lookup in another store)
    session_arg = str(Path(session_dir).resolve())
    try:
        with ONE_CHILD:
            done = subprocess.run(
                [sys.executable, "-m", "pacer", "export", session_arg, "--format", fmt, "-o",
                 str(out)], capture_output=True, text=True, timeout=EXPORT_TIMEOUT_S,
                check=False, env=dict(os.environ, PYTHONWARNINGS="ignore"),
            )
    except (OSError, subprocess.TimeoutExpired) as exc:
        out.unlink(missing_ok=True)
        raise ExportFailed(f"export failed: {exc}") from None
    if done.returncode != 0:
        out.unlink(missing_ok=True)
        lines = done.stderr.strip().splitlines()
        raise ExportFailed(lines[-1] if lines else f"export failed ({done.returncode})")
    return out


def run_sync_child(state_dir: Path, data_dir: Path) -> None:
    """``python -m pacer.sync.run STATE_DIR DATA_DIR`` (uploads what is due; the queue
    file records each result, so nothing is returned)."""
    with ONE_CHILD:
        try:
            subprocess.run([sys.executable, "-m", "pacer.sync.run", str(state_dir),
                            str(data_dir)], capture_output=True, timeout=EXPORT_TIMEOUT_S * 5,
                           check=False, env=dict(os.environ, PYTHONWARNINGS="ignore"))
        except (OSError, subprocess.TimeoutExpired):
            pass  # the item stays queued; the next run tries again
