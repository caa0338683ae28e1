"""The import rule for the Bluetooth parts: the codecs and the heart-rate coach are pure;
bleak, dbus-fast and dbus-python load only when a strap or footpod actually starts."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "pacer"
PURE = ["ble/gatt_codec.py", "ble/control_point.py", "coach/heart_rate.py"]
DEVICE_LIBS = {"bleak", "dbus_fast", "dbus", "dbus_next", "bless", "gi"}


def _module_level_imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names += [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("entry", PURE)
def test_pure_bluetooth_parts_import_only_stdlib_numpy_and_pacer(entry: str) -> None:
    allowed = set(sys.stdlib_module_names) | {"numpy", "pacer", "__future__"}
    bad = [n for n in _module_level_imports(PKG / entry) if n not in allowed]
    assert not bad, f"pacer/{entry} imports {bad} at module level"


@pytest.mark.parametrize("path", sorted((PKG / "ble").glob("*.py")), ids=lambda p: p.name)
def test_ble_modules_load_device_libraries_lazily(path: Path) -> None:
    if path.name == "footpod_gatt.py":  # the D-Bus objects; only imported in the footpod thread
        return
    bad = DEVICE_LIBS & set(_module_level_imports(path))
    assert not bad, f"pacer/ble/{path.name} imports {sorted(bad)} at module level"


def test_cli_start_and_ble_edges_do_not_import_device_libraries() -> None:
    code = (
        "import sys; from pacer.cli.main import build_parser; build_parser(); "
        "import pacer.ble.strap, pacer.ble.footpod, pacer.ble.pairing, pacer.cli.sensors; "
        f"print(sorted(set({sorted(DEVICE_LIBS)!r}) & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]", f"imports {out.stdout.strip()}"
