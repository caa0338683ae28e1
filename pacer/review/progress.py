"""Progress across runs of the same workout, as text for the terminal.

What the web app's progress page shows (:func:`pacer.web.stats.progress_by_workout`),
for ``pacer review --progress``: per workout run at least twice, one line per run with
its date, average work pace, consistency, cadence and rep times. :func:`progress_text`
is pure; :func:`store_progress` reads the sessions of a data directory.
"""

from __future__ import annotations

from pathlib import Path

from pacer.units import format_pace
from pacer.web.stats import Progress, SessionRow, progress_by_workout


def store_progress(data_dir: Path) -> list[Progress]:
    """The progress of every repeated workout under ``data_dir`` (damaged sessions skipped)."""
    from pacer.errors import SessionError
    from pacer.session.reader import list_sessions, open_session
    from pacer.web.render import session_row

    rows: list[SessionRow] = []
    for path in list_sessions(data_dir):
        try:
            rows.append(session_row(open_session(path)))
        except SessionError:
            continue
    return progress_by_workout(rows)


def progress_text(progress: list[Progress]) -> str:
    """Aligned lines, one block per workout (oldest run first)."""
    if not progress:
        return "no workout run twice yet\n"
    out = []
    for p in progress:
        out.append(f"{p.title}  ({len(p.runs)} runs)")
        for r in p.runs:
            when = r.start_utc.strftime("%Y-%m-%d") if r.start_utc else r.id
            pace = format_pace(r.work_pace_s_per_km) if r.work_pace_s_per_km else "--"
            cons = f"±{r.consistency_s_per_km:.1f} s/km" if r.consistency_s_per_km is not None \
                else "--"
            cad = f"{r.work_cadence_spm:.0f} spm" if r.work_cadence_spm else "--"
            reps = " ".join(f"{t:.1f}" for t in r.rep_times_s)
            out.append(f"  {when}  {r.id:<20} {pace:>9}  {cons:>12}  {cad:>8}  reps {reps}")
        out.append("")
    return "\n".join(out)
