"""One GPS intake: every source delivers stamped bytes, one decoder makes the fixes.

The serial reader thread only copies and stamps bytes; the runtime, a file replay and
any caller decode them with the same ``NmeaDecoder`` (framer, parser, one checksum), so
how the bytes were cut or where they came from never changes a Fix or a count.
"""

from __future__ import annotations

import ast
import queue
import threading
import time
from pathlib import Path

from pacer.gps.decoder import NmeaDecoder
from pacer.gps.reader import SerialReader
from pacer.models import AccelBlock, DeviceEvent, Fix, NmeaBytes, SkipCounters
from pacer.runtime import Pipeline, run_records

DATA = Path(__file__).resolve().parents[1] / "data" / "gps"
GPS_PKG = Path(__file__).resolve().parents[2] / "pacer" / "gps"
# a receiver log with noise, bad checksums and a cold boot, and pacer bench's stream
LOGS = [DATA / "gpsd" / "gp-320fw-2019-04-07-coldboot.log", DATA / "pacer_bench_minute.nmea"]


def _counts(c: SkipCounters) -> dict[str, int]:
    return c.as_dict()


def _decode(data: bytes, size: int) -> tuple[list[Fix], dict[str, int]]:
    decoder = NmeaDecoder()
    fixes: list[Fix] = []
    for i in range(0, len(data), size):
        fixes += decoder.feed(float(i // size), data[i : i + size])
    return fixes + decoder.end_epoch(), _counts(decoder.counters)


class _Estimator:
    def __init__(self) -> None:
        self.fixes: list[Fix] = []

    def push_fix(self, fix: Fix) -> None:
        self.fixes.append(fix)

    def push_accel(self, block: AccelBlock) -> None:
        pass

    def push_device(self, ev: DeviceEvent) -> None:
        pass

    def footfalls(self) -> list[object]:
        return []

    def estimate(self, t_s: float) -> object:
        return None


class _RawStore:
    """The store calls the pipeline makes for receiver bytes and fixes (others ignored)."""

    capped = False  # never full

    def __init__(self) -> None:
        self.raw: list[tuple[float, bytes]] = []
        self.fixes: list[Fix] = []
        self.counters: dict[str, dict[str, int]] = {}

    def append_nmea(self, t_s: float, data: bytes) -> None:
        self.raw.append((t_s, data))

    def add_fix(self, fix: Fix) -> None:
        self.fixes.append(fix)

    def set_counters(self, name: str, counters: dict[str, int]) -> None:
        self.counters[name] = counters

    def __getattr__(self, name: str) -> object:
        return lambda *args, **kwargs: None


def test_how_the_bytes_are_cut_changes_nothing() -> None:
    for log in LOGS:
        data = log.read_bytes()
        whole = _decode(data, len(data))
        for size in (1, 7, 64, 4096):
            fixes, counts = _decode(data, size)
            assert [_without_t_s(f) for f in fixes] == [
                _without_t_s(f) for f in whole[0]
            ], (log.name, size)
            assert counts == whole[1], (log.name, size)


def _without_t_s(fix: Fix) -> tuple[object, ...]:
    """A Fix without ``t_s`` (the time stamp of the read that completed the epoch)."""
    return tuple(getattr(fix, name) for name in Fix.__slots__ if name != "t_s")


def test_the_pipeline_keeps_the_bytes_raw_and_decodes_them_as_the_decoder_does() -> None:
    data = LOGS[1].read_bytes()
    chunks = [NmeaBytes(0.1 * k, data[i : i + 300]) for k, i in enumerate(range(0, len(data), 300))]
    est, store = _Estimator(), _RawStore()
    pipeline = Pipeline(estimator=est, store=store)  # type: ignore[arg-type]
    run_records(pipeline, chunks)
    decoder = NmeaDecoder()
    expected: list[Fix] = []
    for rec in chunks:
        expected += decoder.feed(rec.t_s, rec.data)
    expected += decoder.end_epoch()
    assert est.fixes == expected == store.fixes
    assert store.raw == [(rec.t_s, rec.data) for rec in chunks]  # every byte, once, as sent
    assert store.counters["nmea"] == _counts(decoder.counters)
    # the watchdog's count: every read (sense or garbage) proves the reader thread alive
    assert pipeline.device_records["gps"] == len(chunks)


class _FakePort:
    """A pyserial-like port that hands out the given reads, then nothing."""

    def __init__(self, reads: list[bytes]) -> None:
        self.reads = list(reads)
        self.lock = threading.Lock()

    @property
    def in_waiting(self) -> int:
        with self.lock:
            return len(self.reads[0]) if self.reads else 0

    def read(self, n: int) -> bytes:
        with self.lock:
            if self.reads:
                return self.reads.pop(0)
        time.sleep(0.005)  # the read timeout
        return b""

    def close(self) -> None:
        pass


def test_the_serial_reader_only_copies_and_stamps_the_bytes() -> None:
    data = LOGS[0].read_bytes()[:5000] + b"\x00\xb5b binary noise \xff"
    reads = [data[i : i + 97] for i in range(0, len(data), 97)]
    ticks = iter(range(10**6))
    q: queue.Queue[NmeaBytes | DeviceEvent] = queue.Queue()
    reader = SerialReader("/dev/ttyFAKE", 9600, q.put, clock=lambda: float(next(ticks)),
                          serial_factory=lambda *a, **k: _FakePort(reads), silence_s=0)
    reader.start()
    got: list[NmeaBytes] = []
    try:
        deadline = time.monotonic() + 5.0
        while sum(len(r.data) for r in got) < len(data) and time.monotonic() < deadline:
            try:
                item = q.get(timeout=0.1)
            except queue.Empty:
                continue
            if isinstance(item, NmeaBytes):
                got.append(item)
    finally:
        reader.stop()
    assert [r.data for r in got] == reads  # one record per read, untouched (noise too)
    stamps = [r.t_s for r in got]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert reader.counters.as_dict()["garbage"] == 0  # nothing framed or judged there


def test_no_import_cycle_in_the_gps_package() -> None:
    graph: dict[str, set[str]] = {}
    for f in GPS_PKG.glob("*.py"):
        deps = set()
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith("pacer.gps."):
                    deps.add(node.module.removeprefix("pacer.gps."))
        graph[f.stem] = deps
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join((*path, name))}"
        if name in done:
            return
        for dep in graph.get(name, ()):
            visit(dep, (*path, name))
        done.add(name)

    for name in graph:
        visit(name, ())
