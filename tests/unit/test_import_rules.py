"""The architecture's import rule.

* The pure core -- ``models``, ``units``, ``errors``, ``dsp/``, ``coach/`` (with
  ``coach/language/`` and the heart-rate coach), the GPS parser (``gps/`` but its serial
  reader and receiver setup), ``review/summary.py`` (with the stats, display, JSON and
  heart-rate parts it uses) and the Bluetooth codecs -- imports
  only the standard library, numpy and (for the GPS parser) pynmea2 at module level, and
  of pacer only the pure core: never an IO package (formats, session, wiring, audio
  output, hw, cli, tools, service, runtime, sim, config), not even lazily inside a
  function.
* It reads no clock, starts no thread and opens no file: time and data arrive as data.
* No import cycles among pacer's modules (module-level imports).
* The CLI starts without importing a device library (or numpy); the Bluetooth modules
  load bleak and D-Bus only when a strap or footpod actually starts.

Imports under ``if TYPE_CHECKING:`` are for the type checker only and never run; they
are left out of the rule.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "pacer"
STDLIB = set(sys.stdlib_module_names)

#: the GPS modules that are IO edges (a serial port); the rest of gps/ is the parser
GPS_IO = {"reader.py", "receivers.py"}
PURE = ["models.py", "units.py", "errors.py", "dsp", "coach",
        *sorted(f"gps/{p.name}" for p in (PKG / "gps").glob("*.py") if p.name not in GPS_IO),
        "review/summary.py", "review/stats.py", "review/display.py", "review/jsonparts.py",
        "review/heart_rate.py", "ble/gatt_codec.py", "ble/control_point.py"]
EXTRA_ALLOWED = {entry: {"pynmea2"} for entry in PURE if entry.startswith("gps/")}
#: pacer's IO packages and modules: what the pure core must never import
IO = ["pacer.formats", "pacer.session", "pacer.wiring", "pacer.audio.sinks",
      "pacer.audio.driver", "pacer.audio.output", "pacer.audio.worker", "pacer.audio.synth",
      "pacer.hw", "pacer.cli", "pacer.tools", "pacer.service", "pacer.runtime", "pacer.sim",
      "pacer.config", *(f"pacer.gps.{name.removesuffix('.py')}" for name in sorted(GPS_IO))]
CLOCK_CALLS = {("time", "time"), ("time", "monotonic"), ("time", "perf_counter"),
               ("time", "sleep"), ("datetime", "now"), ("datetime", "utcnow")}
FILE_METHODS = {"read_text", "write_text", "read_bytes", "write_bytes"}


def _files(entry: str) -> list[Path]:
    p = PKG / entry
    if p.is_dir():
        return sorted(p.rglob("*.py"))
    return [p] if p.exists() else []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}
PURE_MODULES = {_module_name(f) for entry in PURE for f in _files(entry)}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: Path, *, module_level: bool) -> Iterator[tuple[str, int]]:
    """``(imported module, line)`` of each import that runs: at module level (also inside
    module-level if/try blocks), or anywhere when not ``module_level``. Relative imports
    are resolved; ``from package import module`` names the module."""
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]

    def visit(nodes: list[ast.stmt] | Iterator[ast.AST]) -> Iterator[tuple[str, int]]:
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node):
                yield from visit(iter(node.orelse))
            elif isinstance(node, ast.Import):
                yield from ((alias.name, node.lineno) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    yield (sub if sub in MODULES else base), node.lineno
            elif module_level and isinstance(node, (ast.If, ast.Try, ast.With, ast.ExceptHandler)):
                yield from visit(iter(ast.iter_child_nodes(node)))
            elif not module_level:
                yield from visit(ast.iter_child_nodes(node))

    tree = ast.parse(path.read_text(), filename=str(path))
    yield from visit(iter(tree.body))


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(PKG.parent)}:{line}"


def test_the_pure_core_is_named_and_exists() -> None:
    for entry in PURE:
        assert _files(entry), f"pacer/{entry} is named pure but does not exist"
    assert {"pacer.gps.nmea", "pacer.coach.language.parser", "pacer.review.summary",
            "pacer.dsp.cadence", "pacer.coach.engine"} <= PURE_MODULES
    assert not PURE_MODULES & {"pacer.gps.reader", "pacer.formats.fit_workout"}


@pytest.mark.parametrize("entry", PURE)
def test_pure_core_imports_only_stdlib_numpy(entry: str) -> None:
    allowed = STDLIB | {"numpy", "pacer", "__future__"} | EXTRA_ALLOWED.get(entry, set())
    for f in _files(entry):
        bad = [(name, line) for name, line in _imports(f, module_level=True)
               if name.split(".")[0] not in allowed]
        assert not bad, "; ".join(f"{_where(f, line)} imports {name} at module level"
                                  for name, line in bad)


@pytest.mark.parametrize("entry", PURE)
def test_pure_core_imports_no_io_package_of_pacer(entry: str) -> None:
    """Not even lazily: every import statement in the file counts."""
    for f in _files(entry):
        for name, line in _imports(f, module_level=False):
            io = [p for p in IO if name == p or name.startswith(p + ".")]
            assert not io, f"{_where(f, line)} imports {name}, an IO package of pacer"
            if name.startswith("pacer."):
                assert name in PURE_MODULES, (
                    f"{_where(f, line)} imports {name}, which is not in the pure core")


def test_the_io_packages_are_real() -> None:
    """The rule names packages that exist (a rename must not make it vacuous)."""
    for name in IO:
        assert any(m == name or m.startswith(name + ".") for m in MODULES), name


@pytest.mark.parametrize("entry", PURE)
def test_pure_core_reads_no_clock_and_starts_no_thread(entry: str) -> None:
    for f in _files(entry):
        tree = ast.parse(f.read_text(), filename=str(f))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                assert (node.value.id, node.attr) not in CLOCK_CALLS, (
                    f"{_where(f, node.lineno)} reads the clock "
                    f"({node.value.id}.{node.attr}); time must arrive as data"
                )
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [
                    node.module or ""]
                assert not any(m.startswith("threading") for m in mods), (
                    f"{_where(f, node.lineno)} imports threading"
                )


@pytest.mark.parametrize("entry", PURE)
def test_pure_core_opens_no_file(entry: str) -> None:
    for f in _files(entry):
        for node in ast.walk(ast.parse(f.read_text(), filename=str(f))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            opens = isinstance(func, ast.Name) and func.id == "open"
            reads = isinstance(func, ast.Attribute) and func.attr in FILE_METHODS
            assert not (opens or reads), (
                f"{_where(f, node.lineno)} opens a file; data must arrive as data")


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return out


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_among_pacer_modules() -> None:
    graph = {name: {imported for imported, _ in _imports(path, module_level=True)
                    if imported in MODULES and imported != name}
             for name, path in MODULES.items()}
    assert len(graph) > 100  # the whole package, not an empty walk
    cycles = _cycles(graph)
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_cli_start_does_not_import_device_or_heavy_libraries() -> None:
    code = (
        "import sys; from pacer.cli.main import build_parser; build_parser(); "
        "heavy = {'serial','smbus2','gpiozero','pyttsx3','matplotlib','gpxpy','garmin_fit_sdk',"
        "'numpy'}; print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"pacer's CLI start imports {out.stdout.strip()}"


#: the Bluetooth device libraries, imported only by the thread that talks to a sensor
BLE_DEVICE_LIBS = {"bleak", "dbus_fast", "dbus", "dbus_next", "bless", "gi"}


@pytest.mark.parametrize("path", sorted((PKG / "ble").glob("*.py")), ids=lambda p: p.name)
def test_ble_modules_load_device_libraries_lazily(path: Path) -> None:
    if path.name == "footpod_gatt.py":  # the D-Bus objects; only imported in the footpod thread
        return
    bad = BLE_DEVICE_LIBS & {name.split(".")[0] for name, _ in _imports(path, module_level=True)}
    assert not bad, f"pacer/ble/{path.name} imports {sorted(bad)} at module level"


def test_cli_start_and_ble_edges_do_not_import_device_libraries() -> None:
    code = (
        "import sys; from pacer.cli.main import build_parser; build_parser(); "
        "import pacer.ble.strap, pacer.ble.footpod, pacer.ble.pairing, pacer.cli.sensors; "
        f"print(sorted(set({sorted(BLE_DEVICE_LIBS)!r}) & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]", f"imports {out.stdout.strip()}"
