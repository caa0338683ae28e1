"""The runner's own workouts (``workouts.json`` in the state directory) and the check
the editor runs on every keystroke: the parser's own message, line, column and caret."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Required, TypedDict

from pacer.web.settings import MAX_WORKOUT_CHARS, write_atomic

OWN_WORKOUTS_FILE = "workouts.json"
WORKOUT_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}")


def own_workouts(state_dir: Path) -> dict[str, str]:
    try:
        doc = json.loads((Path(state_dir) / OWN_WORKOUTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in doc.items()} if isinstance(doc, dict) else {}


def save_own_workout(state_dir: Path, name: str, text: str) -> None:
    doc = own_workouts(state_dir)
    doc[name] = text
    Path(state_dir).mkdir(parents=True, exist_ok=True)
    write_atomic(Path(state_dir) / OWN_WORKOUTS_FILE,
                 json.dumps(doc, indent=1, sort_keys=True).encode("utf-8"))


class WorkoutCheck(TypedDict, total=False):
    """What :func:`check_workout` answers (the editor's JSON)."""

    ok: Required[bool]
    summary: str
    message: str
    line: int
    col: int
    problem: str


def check_workout(text: str, named_paces_s_per_km: dict[str, float] | None = None,
                  ) -> WorkoutCheck:
    """``{"ok": True, "summary": ...}`` or ``{"ok": False, "message": <the parser's
    message with the source line and caret>, "line", "col", "problem"}``."""
    from pacer.coach.language.lexer import WorkoutSyntaxError
    from pacer.coach.language.parser import parse_workout
    from pacer.errors import WorkoutError
    from pacer.units import format_clock

    if len(text) > MAX_WORKOUT_CHARS:
        return {"ok": False, "message": f"too long: at most {MAX_WORKOUT_CHARS} characters",
                "line": 0, "col": 0, "problem": "too long"}
    try:
        workout = parse_workout(text, named_paces_s_per_km=named_paces_s_per_km)
    except WorkoutSyntaxError as exc:
        return {"ok": False, "message": str(exc), "line": exc.line, "col": exc.col,
                "problem": exc.problem}
    except WorkoutError as exc:
        return {"ok": False, "message": str(exc), "line": 0, "col": 0, "problem": str(exc)}
    plan = workout.plan()
    reps = workout.rep_count
    reps_text = f"{reps} reps" if reps is not None else "open-ended reps"
    total_s = sum(s.est_duration_s for s in plan)
    return {"ok": True, "summary": f"OK: {len(plan)} steps, {reps_text}, "
                                   f"about {format_clock(total_s)}"}
