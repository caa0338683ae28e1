"""``pacer sessions list``: one line per session in a data directory, oldest first."""

from __future__ import annotations

from pathlib import Path

#: the column names over the rows of :func:`sessions_table`
HEADER = (f"{'id':<18} {'start (UTC)':<16}  {'time':>7}  {'distance':>9}  {'ended':<7} "
          f"{'size':>9}  workout")  # fmt: skip


def sessions_table(data_dir: Path) -> str:
    """A header, then id, start, duration, distance, how it ended, size and workout of
    each session (a damaged one says so); or that there is none."""
    from pacer.errors import SessionError
    from pacer.session.reader import list_sessions, session_bytes, session_overview
    from pacer.units import format_clock

    sessions = list_sessions(data_dir)
    if not sessions:
        return f"no sessions in {data_dir}\n"
    lines = [HEADER]
    for path in sessions:
        size_mb = session_bytes(path) / 1e6
        try:
            s = session_overview(path)
        except SessionError as exc:
            lines.append(f"{path.name}  damaged: {exc}")
            continue
        when = s.start_utc.strftime("%Y-%m-%d %H:%M") if s.start_utc else "----------  --:--"
        workout = s.meta.get("workout_name") or s.meta.get("workout") or ""
        lines.append(
            f"{s.id:<18} {when}  {format_clock(s.duration_s):>7}  {s.distance_m / 1000:6.2f} km  "
            f"{s.ended:<7} {size_mb:6.1f} MB  {workout}"
        )
    return "\n".join(lines) + "\n"
