"""The typed seams stay typed: mypy --strict passes on the typed core, and ``Any`` stays
rare in pacer/ (at most :data:`MAX_ANY`, each saying why in a ``# Any:`` comment on its
line, e.g. ``JsonDict = dict[str, Any]  # Any: JSON values of any shape``)."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "pacer"
#: the modules and packages that must pass ``mypy --strict``
STRICT = ["pacer/models.py", "pacer/units.py", "pacer/coach", "pacer/dsp", "pacer/runtime.py"]
MAX_ANY = 10
WHY = "# Any:"


def any_uses(source: str) -> list[tuple[int, str]]:
    """``(line number, line)`` of each ``Any`` used as a name (imports, comments and
    text do not count)."""
    lines = source.splitlines()
    found: list[tuple[int, str]] = []
    statement_start: str | None = None
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.INDENT,
                        tokenize.DEDENT, tokenize.ENCODING):
            if tok.type == tokenize.NEWLINE:
                statement_start = None
            continue
        if statement_start is None:
            statement_start = tok.string
        if tok.type == tokenize.NAME and tok.string == "Any" and statement_start not in (
                "import", "from"):
            found.append((tok.start[0], lines[tok.start[0] - 1]))
    return found


def test_any_uses_finds_names_not_imports_or_text() -> None:
    source = (
        "from typing import Any\n"
        '"""Any other text."""\n'
        "x: Any = 1  # Any: a reason\n"
        "# Any here is a comment\n"
        "def f(a: dict[str, Any]) -> None: ...\n"
    )
    assert [n for n, _ in any_uses(source)] == [3, 5]


def test_any_is_rare_in_pacer_and_says_why() -> None:
    uses = [(path, n, line) for path in sorted(PKG.rglob("*.py"))
            for n, line in any_uses(path.read_text(encoding="utf-8"))]
    shown = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}" for path, n, line in uses]
    unexplained = [s for s, (_, _, line) in zip(shown, uses, strict=True) if WHY not in line]
    assert not unexplained, (
        f"each Any in pacer/ says why with '{WHY} <reason>' on its line (or use a Protocol, "
        "object, or a precise type):\n" + "\n".join(unexplained))
    assert len(uses) <= MAX_ANY, (
        f"{len(uses)} uses of Any in pacer/, at most {MAX_ANY}:\n" + "\n".join(shown))


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("mypy") is None,
                    reason="mypy is not installed (pip install -e '.[dev]')")
def test_the_typed_core_passes_mypy_strict() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", *STRICT],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
