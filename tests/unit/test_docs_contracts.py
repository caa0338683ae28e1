"""docs/contracts.md stays true: the review JSON fields and their types, the enumerated
values, the CSV columns and the exit status are compared with what pacer produces on a
small simulated session."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pacer.formats.csv_export import CSV_COLUMNS, FIXES_COLUMNS
from pacer.models import CueKind, DistanceSource, RepKind

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "contracts.md").read_text()
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
JSON_TYPES = {"string": str, "number": (int, float), "integer": int, "boolean": bool,
              "object": dict, "array": list, "null": type(None)}


def pacer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pacer", *args], capture_output=True,
                          text=True, env=ENV, timeout=120)


def section(title: str) -> str:
    """The text under a ``### title`` heading, up to the next heading."""
    match = re.search(rf"^### {re.escape(title)}.*?\n(.*?)(?=^#)", PAGE + "\n#", re.M | re.S)
    assert match, f"docs/contracts.md has no section '### {title}'"
    return match.group(1)


def documented_fields(title: str) -> dict[str, str]:
    """Field name -> type column of the table in a section."""
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \|", section(title), re.M)
    return {name: kind.strip() for name, kind in rows}


def documented_values(marker: str) -> set[str]:
    match = re.search(rf"<!-- values: {marker} -->\n(.*?)\n\n", PAGE + "\n\n", re.S)
    assert match, f"docs/contracts.md has no '<!-- values: {marker} -->'"
    return set(re.findall(r"`(\w+)`", match.group(1)))


def documented_columns(marker: str) -> tuple[str, ...]:
    match = re.search(rf"<!-- columns: {marker} -->\n```\n(.*?)\n```", PAGE)
    assert match, f"docs/contracts.md has no '<!-- columns: {marker} -->' block"
    return tuple(match.group(1).split(","))


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("contracts") / "run1"
    done = pacer("sim", "200m jog; 2x(200m @45s, 100m walk)", "--session-dir", str(path),
                 "--quiet")
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture(scope="module")
def review(session: Path) -> dict[str, Any]:
    done = pacer("review", str(session), "--json", "--compare", str(session))
    assert done.returncode == 0, done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    return doc


def check_types(obj: dict[str, Any], fields: dict[str, str]) -> None:
    for name, kind in fields.items():
        allowed = tuple(t for word, t in JSON_TYPES.items() if re.search(rf"\b{word}\b", kind))
        assert allowed, f"{name}: unknown type {kind!r} in docs/contracts.md"
        value = obj[name]
        assert isinstance(value, allowed), f"{name} = {value!r} is not {kind}"
        if isinstance(value, bool):
            assert "boolean" in kind, f"{name} = {value!r} is not {kind}"


@pytest.mark.parametrize("title, key", [("session", None), ("reps[]", "reps"),
                                        ("reps[].splits[]", "splits"), ("rep_stats", "rep_stats"),
                                        ("cues[]", "cues"), ("comparison[]", "comparison")])
def test_review_json_fields_are_the_documented_ones(review: dict[str, Any], title: str,
                                                    key: str | None) -> None:
    fields = documented_fields(title)
    objects = (
        [review["session"]] if key is None
        else [review["rep_stats"]] if key == "rep_stats"
        else [s for rep in review["reps"] for s in rep["splits"]] if key == "splits"
        else review[key]
    )  # fmt: skip
    assert objects, f"the simulated session has no {key}"
    for obj in objects:
        assert set(obj) == set(fields), f"{title}: code {sorted(obj)} vs docs {sorted(fields)}"
        check_types(obj, fields)


def test_review_json_top_level(review: dict[str, Any]) -> None:
    assert set(review) == {"session", "reps", "rep_stats", "cues", "comparison"}
    assert f"`{'`, `'.join(['session', 'reps', 'rep_stats', 'cues'])}`" in PAGE
    assert set(review["session"]["sources"]) == {"sim"}


def test_enumerated_values_are_the_documented_ones(review: dict[str, Any]) -> None:
    assert documented_values("kind") == {k.value for k in RepKind}
    assert documented_values("distance_source") == {d.value for d in DistanceSource}
    assert documented_values("cue_kind") == {c.value for c in CueKind}
    assert review["session"]["ended"] in documented_values("ended")


@pytest.mark.parametrize("fmt, columns", [("csv", CSV_COLUMNS), ("fixes", FIXES_COLUMNS)])
def test_csv_columns_are_the_documented_ones(session: Path, fmt: str,
                                             columns: tuple[str, ...]) -> None:
    assert documented_columns(fmt) == columns
    done = pacer("export", str(session), "--format", fmt)
    assert done.returncode == 0, done.stderr
    assert tuple(done.stdout.splitlines()[0].split(",")) == columns
    table = {c for line in section(f"{fmt}:").splitlines() if line.startswith("| `")
             for c in re.findall(r"`(\w+)`", line.split("|")[1])}
    assert not table or table == set(columns)


def test_exit_status_and_one_line_errors() -> None:
    codes = set(re.findall(r"^\| (\d+) \|", section("Exit status and errors"), re.M))
    assert codes == {"0", "1", "2", "70", "130"}
    assert pacer("workout", "check", "tempo").returncode == 0
    bad = pacer("workout", "check", "3x400m @72s, 200m jgo")
    assert bad.returncode == 1
    assert bad.stderr.startswith("pacer: error: <workout>:1:19: unknown word 'jgo'")
    assert "Traceback" not in bad.stderr
    assert pacer().returncode == 2
    assert pacer("review", "--no-such-option").returncode == 2
    missing = pacer("replay", "--nmea", "/nonexistent/run.nmea", "--fast", "--quiet")
    assert missing.returncode == 1
    assert len(missing.stderr.strip().splitlines()) == 1
    assert "/nonexistent/run.nmea" in missing.stderr
