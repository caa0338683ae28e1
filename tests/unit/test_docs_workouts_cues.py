"""docs/workouts.md and docs/cues.md run: every example parses, every error and every
command output is what the code gives, every transcript is what the coach says."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from pacer.cli.main import main
from pacer.coach.language.lexer import WorkoutSyntaxError
from pacer.coach.language.parser import parse_workout

DOCS = Path(__file__).resolve().parents[2] / "docs"
FENCE = re.compile(r"^```(\S*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(doc: str, lang: str) -> list[str]:
    text = (DOCS / doc).read_text(encoding="utf-8")
    return [body for kind, body in FENCE.findall(text) if kind == lang]


def _lines(doc, lang):
    return [ln for b in blocks(doc, lang) for ln in b.splitlines() if ln.strip()]


@pytest.mark.parametrize("line", _lines("workouts.md", "workout"))
def test_workout_examples_parse(line):
    w = parse_workout(line)
    assert w.plan()
    assert parse_workout(w.to_text()).steps == w.steps


@pytest.mark.parametrize("body", blocks("workouts.md", "workout-file"))
def test_workout_file_examples_parse(body):
    assert parse_workout(body, source="example.txt").plan()


@pytest.mark.parametrize("line", _lines("workouts.md", "errors"))
def test_documented_errors(line):
    text, expected = (part.strip() for part in line.split("=>"))
    with pytest.raises(WorkoutSyntaxError) as info:
        parse_workout(text)
    assert info.value.one_line == expected


def _console_cases():
    cases = []
    for doc in ("workouts.md", "cues.md"):
        for body in blocks(doc, "console"):
            lines = body.splitlines()
            assert lines[0].startswith("$ pacer "), lines[0]
            cases.append((lines[0][len("$ pacer "):], "\n".join(lines[1:])))
    return cases


@pytest.mark.parametrize(("command", "expected"), _console_cases())
def test_console_examples(command, expected, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    main(shlex.split(command))
    out = capsys.readouterr()
    assert (out.out + out.err).rstrip("\n") == expected.rstrip("\n")


@pytest.mark.parametrize("body", blocks("workouts.md", "python") + blocks("cues.md", "python"))
def test_python_examples(body):
    exec(compile(body, "<docs>", "exec"), {})  # the docs own examples, run as written


def _transcripts():
    out = []
    for body in blocks("cues.md", "transcript"):
        lines = body.splitlines()
        assert lines[0].startswith("$ python tests/helpers/coach_runner.py ")
        out.append((lines[0].split("coach_runner.py ", 1)[1], lines[1:]))
    return out


@pytest.mark.parametrize(("args", "expected"), _transcripts())
def test_cue_transcripts(args, expected):
    from helpers.coach_runner import transcript

    argv = shlex.split(args)
    workout = argv[0]
    opts = dict(zip(argv[1::2], argv[2::2], strict=True))
    got = transcript(
        workout,
        profile=opts.get("--profile", "track"),
        pace_factor=float(opts.get("--pace-factor", 1.0)),
        cadence_spm=float(opts.get("--cadence", 172.0)),
    )
    assert got == expected
