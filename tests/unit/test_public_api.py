"""The public API in ``pacer/__init__.py``: every name resolves, ``import pacer`` stays
light, and the examples in docs/api.md run as written."""

from __future__ import annotations

import doctest
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pacer

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", pacer.__all__)
def test_every_public_name_resolves(name: str) -> None:
    value = getattr(pacer, name)
    assert value is not None
    assert name in dir(pacer)


def test_all_lists_exactly_the_exports() -> None:
    assert sorted(pacer.__all__) == sorted(pacer._EXPORTS)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        pacer.no_such_name  # noqa: B018


def test_import_pacer_loads_no_numpy() -> None:
    heavy = "{'numpy', 'serial', 'smbus2', 'gpiozero', 'pyttsx3'}"
    code = f"import sys, pacer; pacer.__all__; print(sorted({heavy} & set(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True).stdout
    assert out.strip() == "[]"


def test_package_docstring_example() -> None:
    result = doctest.testmod(pacer, verbose=False)
    assert result.attempted > 0 and result.failed == 0


def test_api_page_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "pacer", "sim", "2x(200m @45s, 100m walk)",
                    "--session-dir", str(tmp_path / "run1"), "--quiet"],
                   env=env, check=True, capture_output=True)
    monkeypatch.chdir(tmp_path)
    result = doctest.testfile(str(ROOT / "docs" / "api.md"), module_relative=False,
                              verbose=False, report=True)
    assert result.attempted > 10
    assert result.failed == 0, "docs/api.md examples failed (see the output above)"
