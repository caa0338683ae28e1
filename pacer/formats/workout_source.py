"""WORKOUT argument -> Workout: a library name, a file (text or Garmin FIT), or inline text.

This is the one module of ``pacer.coach`` that reads files.
"""

from __future__ import annotations

import os

from pacer.coach.language.lexer import WorkoutSyntaxError, suggest
from pacer.coach.language.library import LIBRARY
from pacer.coach.language.limits import MAX_TEXT_CHARS, excerpt
from pacer.coach.language.parser import parse_workout
from pacer.coach.language.workout import Workout
from pacer.errors import InputError, WorkoutError
from pacer.formats.safe_read import read_regular_bytes

#: largest workout file read (UTF-8 text of at most MAX_TEXT_CHARS characters fits)
MAX_FILE_BYTES = 4 * MAX_TEXT_CHARS
_FILE_SUFFIXES = (".txt", ".workout", ".wkt", ".fit", ".pw")


def _looks_like_path(spec: str) -> bool:
    s = spec.strip()
    return s.lower().endswith(_FILE_SUFFIXES) or s.startswith(("./", "../", "~/", "/"))


def resolve_workout(spec: str, *, named_paces: dict[str, float] | None = None) -> Workout:
    """Resolve a WORKOUT argument (docs/contracts.md: library name, file, or inline text).

    Raises
    ------
    WorkoutError
        Unknown library name, missing or unreadable file, or text that does not parse
        (the message points at line and column).
    """
    key = spec.strip().lower()
    if key in LIBRARY:
        text, _ = LIBRARY[key]
        return parse_workout(text, named_paces_s_per_km=named_paces, name=key,
                             source=f"library:{key}")  # fmt: skip
    if len(spec) > MAX_TEXT_CHARS:
        raise WorkoutError(f"{excerpt(spec)!r}: a workout of {len(spec)} characters is longer "
                           f"than {MAX_TEXT_CHARS} characters")  # fmt: skip
    path = os.path.expanduser(spec.strip())
    is_file = os.path.lexists(path) and not os.path.isdir(path)  # FIFOs refused when read
    if _looks_like_path(spec) or is_file:
        if is_file:
            return _from_file(spec, path, named_paces)
        raise WorkoutError(f"{excerpt(spec)}: no such workout file")
    try:
        return parse_workout(spec, named_paces_s_per_km=named_paces)
    except WorkoutSyntaxError as exc:
        plain = key.replace("-", "").replace("_", "").isalnum()
        close = suggest(key, LIBRARY) if plain else None
        if close is not None:
            raise WorkoutError(
                f"{excerpt(spec)!r} is not a library workout, a file or workout text -- "
                f"did you mean '{close}'?"
            ) from exc
        raise


def _from_file(spec: str, path: str, named_paces: dict[str, float] | None) -> Workout:
    """A workout file (text or FIT): a regular file of bounded size, never a FIFO."""
    if path.lower().endswith(".fit"):
        from pacer.formats.fit_workout import workout_from_fit

        return workout_from_fit(path)
    try:
        raw = read_regular_bytes(path, max_bytes=MAX_FILE_BYTES, what="workout file")
        text = raw.decode("utf-8")
    except InputError as exc:
        raise WorkoutError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise WorkoutError(f"{spec}: not a UTF-8 text workout file ({exc.reason})") from exc
    name = os.path.splitext(os.path.basename(path))[0]
    return parse_workout(text, named_paces_s_per_km=named_paces, source=spec, name=name)
