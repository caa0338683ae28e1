"""Modules in pacer/ stay small and functions short (issue 10, docs STYLE.md: "small
modules, one concept each").

A function over ``MAX_FUNCTION_LINES`` is allowed only with a ``# long:`` comment on its
first body line or the line before its ``def`` (or decorators) saying why it reads best
whole: a table of constants, a straight-line datasheet init sequence.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pacer"
MAX_MODULE_LINES = 420
MAX_FUNCTION_LINES = 60
SOURCES = sorted(PACKAGE.rglob("*.py"))


def _rel(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent)) if path.is_relative_to(PACKAGE) else str(path)


def _has_long_comment(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A ``# long:`` comment on the line before the def (above its decorators), or from
    the def line down to the first body statement (a comment opening the body)."""
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    head = lines[max(0, first - 2) : node.body[0].lineno]
    return any("# long:" in text for text in head)


def _long_functions(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    out = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        n_lines = node.end_lineno - node.lineno + 1  # type: ignore[operator]
        if n_lines > MAX_FUNCTION_LINES and not _has_long_comment(lines, node):
            out.append(f"{_rel(path)}:{node.lineno} {node.name} ({n_lines} lines)")
    return out


def test_sources_found() -> None:
    assert len(SOURCES) > 50


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_module_size(path: Path) -> None:
    n_lines = len(path.read_text(encoding="utf-8").splitlines())
    assert n_lines <= MAX_MODULE_LINES, (
        f"{_rel(path)} has {n_lines} lines (limit {MAX_MODULE_LINES}): split it along a "
        "concept that stands on its own")


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_function_size(path: Path) -> None:
    long = _long_functions(path)
    assert not long, (
        f"functions over {MAX_FUNCTION_LINES} lines without a '# long:' comment saying "
        "why: " + ", ".join(long))


def test_long_comment_is_honoured(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    bare = tmp_path / "bare.py"
    bare.write_text(f"def f():\n{body}\n")
    assert _long_functions(bare)
    marked = tmp_path / "marked.py"
    marked.write_text(f"def f():\n    # long: a table of constants\n{body}\n")
    assert not _long_functions(marked)
    above = tmp_path / "above.py"
    above.write_text(f"# long: a straight-line init sequence\ndef f():\n{body}\n")
    assert not _long_functions(above)
