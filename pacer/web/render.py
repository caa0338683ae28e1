"""The child process that opens sessions: ``python -m pacer.web.render``.

The server never imports numpy or holds a session's records (a 4-hour session is
~20 MB of objects): what needs a session open runs here, and the memory goes back to
the system when the child ends. Two commands:

``rows SESSION_DIR...``
    one JSON object per line, the :class:`~pacer.web.stats.SessionRow` of each session
    (``{"id": ..., "error": ...}`` for one that does not open);
``page DATA_DIR SESSION_DIR``
    the session page's HTML, with :data:`CSRF_PLACEHOLDER` where the form token goes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pacer.models import RepKind
from pacer.review.summary import meaningful_pace, summarize, workout_name
from pacer.web.layout import CSRF_PLACEHOLDER
from pacer.web.stats import SessionRow, consistency_s_per_km, row_json

if TYPE_CHECKING:
    from pacer.session.reader import SessionData

def work_paces_s_per_km(data: SessionData) -> list[float]:
    """Paces of the completed work reps (those with a meaningful pace)."""
    out = []
    for rep in data.reps:
        if rep.kind is RepKind.WORK and rep.completed:
            pace = meaningful_pace(rep.duration_s, rep.distance_m, rep.pace_s_per_km)
            if pace is not None:
                out.append(pace)
    return out


def session_row(data: SessionData) -> SessionRow:
    s = summarize(data)
    sources = data.meta.get("sources") or {}
    return SessionRow(
        id=data.id, start_utc=s.start_utc, workout=workout_name(data), title=s.workout,
        simulated=data.meta.get("kind") == "sim" or "sim" in sources, ended=data.ended,
        work_reps=s.work_reps, distance_m=s.distance_m, work_pace_s_per_km=s.work_pace_s_per_km,
        consistency_s_per_km=consistency_s_per_km(work_paces_s_per_km(data)),
        work_cadence_spm=s.work_cadence_spm,
        rep_times_s=tuple(r.duration_s for r in data.reps
                          if r.kind is RepKind.WORK and r.completed),
    )  # fmt: skip


def page_html(data_dir: Path, session_dir: Path) -> str:
    from pacer.errors import SessionError
    from pacer.review.summary import compare_reps
    from pacer.session.reader import open_session, previous_session_of
    from pacer.web.pages_session import session_page

    data = open_session(session_dir)
    comparison, earlier_id = None, None
    earlier = previous_session_of(data_dir, session_dir)
    if earlier is not None:
        try:
            comparison = compare_reps(data, open_session(earlier))
            earlier_id = earlier.name
        except SessionError:
            comparison = None
    return session_page(data, session_row(data), csrf=CSRF_PLACEHOLDER,
                        comparison=comparison, earlier_id=earlier_id)


def main(argv: list[str]) -> int:
    from pacer.errors import SessionError
    from pacer.session.reader import open_session

    if argv[:1] == ["rows"]:
        for arg in argv[1:]:
            try:
                print(row_json(session_row(open_session(Path(arg)))), flush=True)
            except SessionError as exc:
                print(json.dumps({"id": Path(arg).name, "error": str(exc)}), flush=True)
        return 0
    if argv[:1] == ["page"] and len(argv) == 3:
        try:
            sys.stdout.write(page_html(Path(argv[1]), Path(argv[2])))
        except SessionError as exc:
            print(f"pacer: error: {exc}", file=sys.stderr)
            return 1
        return 0
    print("usage: python -m pacer.web.render rows DIR... | page DATA_DIR DIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")
    sys.exit(main(sys.argv[1:]))
