"""The live page's data: what a session being recorded says right now.

Read straight from the session database with a read-only connection
(:func:`pacer.session.db.connect`, never a write; one snapshot per query) and only the
latest rows, so a phone polling at 1 Hz costs the coach nothing it would notice and the
server loads no numpy. Columns used: ``estimates`` (t_s, distance_m, speed_mps,
cadence_spm), ``reps`` (label, duration_s, pace_s_per_km, start_s), ``cues`` (t_s,
text) of docs/sessions.md.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from pacer.errors import SessionError
from pacer.session import db
from pacer.session.lock import held_by_writer
from pacer.session.schema import DB_NAME
from pacer.units import format_clock, format_pace

if TYPE_CHECKING:
    from pacer.session.rows import Row

#: seconds between two events of the live stream
LIVE_PERIOD_S = 1.0
#: events per connection; the browser's EventSource reconnects by itself after that
LIVE_MAX_EVENTS = 3600


def recording_session(paths: dict[str, Path]) -> Path | None:
    """The newest session a writer holds (a run in progress), or None."""
    return next((p for p in paths.values() if held_by_writer(p)), None)


def snapshot(session_dir: Path) -> dict[str, object]:
    """The latest estimate, completed rep and cue of a session, ready to show."""
    conn = db.connect(Path(session_dir) / DB_NAME)
    try:
        conn.execute("BEGIN")
        est = conn.execute("SELECT t_s, distance_m, speed_mps, cadence_spm FROM estimates "
                           "ORDER BY rowid DESC LIMIT 1").fetchone()
        rep = conn.execute("SELECT label, duration_s, pace_s_per_km FROM reps "
                           "ORDER BY start_s DESC, rowid DESC LIMIT 1").fetchone()
        cue = conn.execute("SELECT text FROM cues ORDER BY t_s DESC, id DESC LIMIT 1").fetchone()
        n_reps = conn.execute("SELECT count(*) FROM reps WHERE kind = 'work'").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise SessionError(f"{session_dir}: cannot read the live session ({exc})") from exc
    finally:
        conn.close()
    return live_fields(est, rep, cue, int(n_reps))


def live_fields(est: Row | None, rep: Row | None, cue: Row | None,
                work_reps_done: int) -> dict[str, object]:
    """The fields of the live page as text (pure; "--" where nothing is known)."""
    out: dict[str, object] = {"elapsed": "--", "distance": "--", "pace": "--",
                           "cadence": "--", "last_rep": "--", "said": cue[0] if cue else "--",
                           "work_reps_done": work_reps_done, "heart_rate": "--"}
    if est is not None:
        t_s, distance_m, speed_mps, cadence_spm = est
        out["elapsed"] = format_clock(float(t_s))
        out["distance"] = f"{float(distance_m) / 1000:.2f} km"
        if speed_mps and speed_mps > 0.5:
            out["pace"] = format_pace(1000.0 / float(speed_mps))
        if cadence_spm:
            out["cadence"] = f"{float(cadence_spm):.0f} spm"
    if rep is not None:
        label, duration_s, pace = rep
        out["last_rep"] = f"{label}: {format_clock(float(duration_s), tenths=True)}" + (
            f" ({format_pace(float(pace))})" if pace else "")
    return out
