"""Where the web server finds and keeps things, and the atomic file write it uses.

``state_dir`` holds the web server's own files (paired tokens, the pairing code) and
``next-workout.txt``, the workout "run this next" chose, which ``pacer run`` reads at
its next start (docs/web.md, "Files").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: the workout chosen with "run this next" (one line of workout text, or a library name)
NEXT_WORKOUT_NAME = "next-workout.txt"
#: request bodies larger than this are refused with 413 (forms and JSON only: no uploads)
MAX_BODY_BYTES = 64 * 1024
#: workout text longer than this is refused by the editor
MAX_WORKOUT_CHARS = 4000


@dataclass(frozen=True)
class WebSettings:
    """What one server serves.

    data_dir
        The session store (read only, except for a confirmed delete).
    state_dir
        The web server's own files and ``next-workout.txt``.
    config_path
        The TOML file the settings page writes (``/etc/pacer/pacer.toml`` for the service).
    service_unit
        The systemd unit to SIGHUP after a settings change.
    """

    data_dir: Path
    state_dir: Path
    config_path: Path
    service_unit: str = "pacer.service"
    max_body_bytes: int = MAX_BODY_BYTES
    secure_cookies: bool = False  # True behind TLS; the LAN/hotspot server is plain HTTP
    live_max_events: int = 3600  # events per live connection (the browser reconnects)


def write_atomic(path: Path, payload: bytes, mode: int = 0o640) -> None:
    """Write ``path`` whole or not at all with ``mode`` (:func:`pacer.formats.safe_write.
    write_output`: temporary in the same folder, fsync, rename); OSError when it cannot."""
    from pacer.errors import InputError
    from pacer.formats.safe_write import write_output

    try:
        write_output(path, payload, mode=mode)
    except InputError as exc:  # the web's callers handle OSError, as for any file
        raise OSError(str(exc)) from exc


def read_next_workout(state_dir: Path) -> str | None:
    """The workout "run this next" stored, or None (what ``pacer run`` reads at start)."""
    try:
        text = (Path(state_dir) / NEXT_WORKOUT_NAME).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text or None


def write_next_workout(state_dir: Path, text: str) -> None:
    """Store ``text`` as the next workout (one line; newlines become ``;``)."""
    lines = [ln.split("#")[0].strip() for ln in text.splitlines()]
    one_line = "; ".join(ln for ln in lines if ln)
    write_atomic(Path(state_dir) / NEXT_WORKOUT_NAME, (one_line + "\n").encode("utf-8"))
