"""Parser traps (issue 12, item 7): an ambiguous comma after a bare repeat, pace
suggestions that parse, and an unclosed '(' reported where it opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from pacer.coach.language.format import format_items
from pacer.coach.language.lexer import WorkoutSyntaxError
from pacer.coach.language.library import LIBRARY
from pacer.coach.language.parser import parse_workout
from pacer.formats.workout_source import resolve_workout


@pytest.mark.parametrize("text, col, fix", [
    ("8 x 400m @ 72s, 200m jog", 15, "8x(400m @72s, 200m jog)"),
    ("8x400m @72s, 200m jog", 12, "8x(400m @72s, 200m jog)"),
    ("2km jog; 6x400m @72s r200m, 2km jog", 27, "6x(400m @72s r200m, 2km jog)"),
    ("until 30min: 400m @80s, 200m jog", 23, "until 30min: (400m @80s, 200m jog)"),
])  # fmt: skip
def test_comma_after_a_bare_repeat_is_refused(text: str, col: int, fix: str) -> None:
    with pytest.raises(WorkoutSyntaxError) as info:
        parse_workout(text)
    err = info.value
    assert (err.line, err.col) == (1, col)
    assert "ambiguous ','" in str(err).splitlines()[0]
    assert f"did you mean '{fix}'" in str(err)
    parse_workout(fix)  # the suggestion parses


@pytest.mark.parametrize("text", [
    "8x400m @72s; 200m jog",
    "8x400m @72s\n200m jog",
    "3x(4x200m @35s r200m, 400m stand)",
    "6x400m @72s; 200m jog, 800m jog",
    "8x(400m @72s, 200m jog), 2km jog",
])  # fmt: skip
def test_unambiguous_forms_still_parse(text: str) -> None:
    parse_workout(text)


def test_other_errors_come_first() -> None:
    with pytest.raises(WorkoutSyntaxError, match=r"1:19: unknown word 'jgo'"):
        parse_workout("3x400m @72s, 200m jgo")


@pytest.mark.parametrize("text, fix", [
    ("400m @60/km", "@6:00/km"),
    ("400m @4/km", "@4:00/km"),
    ("400m @430/km", "@4:30/km"),
    ("1mi @6/mi", "@6:00/mi"),
    ("400m @99999/km", "@4:30/km"),
])  # fmt: skip
def test_pace_suggestion_parses(text: str, fix: str) -> None:
    with pytest.raises(WorkoutSyntaxError) as info:
        parse_workout(text)
    assert info.value.suggestion == fix
    distance = text.split()[0]
    parse_workout(f"{distance} {fix}")


def test_missing_paren_in_a_file_points_at_the_open_paren(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text("2km jog\n# the main set\n8x(400m @72s,\n  200m jog\n2km jog\n")
    with pytest.raises(WorkoutSyntaxError) as info:
        resolve_workout(str(path))
    err = info.value
    assert (err.line, err.col) == (3, 3)
    lines = str(err).splitlines()
    assert lines[0].startswith(f"{path}:3:3: ") and "')'" in lines[0]
    assert lines[1].strip() == "8x(400m @72s,"
    assert lines[2].index("^") == lines[1].index("(")


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_library_canonical_text_round_trips(name: str) -> None:
    w = parse_workout(LIBRARY[name][0])
    again = parse_workout(format_items(w.steps))
    assert again.steps == w.steps
    assert format_items(again.steps) == format_items(w.steps)
