"""The architecture's import rule: the pure core imports only the standard library,
numpy and (for gps.nmea) pynmea2, and reads no clock; device libraries load lazily."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "pacer"
STDLIB = set(sys.stdlib_module_names)

PURE = ["models.py", "units.py", "dsp", "coach", "gps/nmea.py", "review/summary.py"]
EXTRA_ALLOWED = {"gps/nmea.py": {"pynmea2"}}
CLOCK_CALLS = {("time", "time"), ("time", "monotonic"), ("time", "perf_counter"),
               ("time", "sleep"), ("datetime", "now"), ("datetime", "utcnow")}


def _files(entry: str) -> list[Path]:
    p = PKG / entry
    if p.is_dir():
        return sorted(p.rglob("*.py"))
    return [p] if p.exists() else []


def _module_level_imports(tree: ast.Module) -> list[str]:
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names += [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("entry", PURE)
def test_pure_core_imports_only_stdlib_numpy(entry: str) -> None:
    files = _files(entry)
    allowed = STDLIB | {"numpy", "pacer", "__future__"} | EXTRA_ALLOWED.get(entry, set())
    for f in files:
        tree = ast.parse(f.read_text(), filename=str(f))
        if "fit_import" in f.name:  # FIT decoding is an IO edge; its import is lazy
            continue
        bad = [n for n in _module_level_imports(tree) if n not in allowed]
        assert not bad, f"{f.relative_to(PKG.parent)} imports {bad} at module level"


@pytest.mark.parametrize("entry", PURE)
def test_pure_core_reads_no_clock_and_starts_no_thread(entry: str) -> None:
    for f in _files(entry):
        tree = ast.parse(f.read_text(), filename=str(f))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                assert (node.value.id, node.attr) not in CLOCK_CALLS, (
                    f"{f.relative_to(PKG.parent)}:{node.lineno} reads the clock "
                    f"({node.value.id}.{node.attr}); time must arrive as data"
                )
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [
                    node.module or ""]
                assert not any(m.startswith("threading") for m in mods), (
                    f"{f.relative_to(PKG.parent)}:{node.lineno} imports threading"
                )


def test_cli_start_does_not_import_device_or_heavy_libraries() -> None:
    code = (
        "import sys; from pacer.cli.main import build_parser; build_parser(); "
        "heavy = {'serial','smbus2','gpiozero','pyttsx3','matplotlib','gpxpy','garmin_fit_sdk',"
        "'numpy'}; print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"pacer's CLI start imports {out.stdout.strip()}"
