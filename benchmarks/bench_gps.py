"""NMEA ingest throughput: LineFramer + EpochAssembler (the live GPS path).

Usage::

    .venv/bin/python benchmarks/bench_gps.py [--minutes 10] [--chunk 64] [--repeat 5]
        [--before DIR]

Input: a synthetic but realistic 5 Hz u-blox-style stream (RMC, VTG, GGA, GSA per epoch,
GSV once a second) of a runner lapping a 400 m track at 4 m/s, fed in ``--chunk``-byte
pieces as a serial read delivers them. Also reports the real gpsd logs in
../shared/data/nmea/gpsd when present. Prints sentences/s, microseconds per sentence and
per fix (best of ``--repeat``; CPU time of the thread, so other load on a shared machine
counts less than in wall time).

``--before DIR``: DIR is another checkout of pacer (e.g. ``git worktree add /tmp/before
HEAD~3``). Its ``pacer/gps`` is loaded next to this one (under another package name) and

* both decode the same inputs -- every NMEA file under ../shared/data/nmea (file replay:
  ``fixes_from_nmea_file`` and ``epochs_from_nmea_file``; live: 64-byte reads through
  ``LineFramer`` + ``EpochAssembler``), ``pacer bench``'s stream, the simulated hour of
  ``bench_replay.py`` and seeded random corruptions of all of these -- and must give
  equal Fix/Epoch lists and equal ``SkipCounters`` (the script exits 1 otherwise);
* then both are timed interleaved, best of ``--repeat``: ``pacer bench``'s NMEA chunks
  through framer + assembler (CPU us per sentence and ms per second of running) and the
  simulated hour through ``fixes_from_nmea_file`` (CPU s).
"""

from __future__ import annotations

import argparse
import importlib
import math
import platform
import random
import re
import shutil
import sys
import tempfile
import time
from functools import reduce
from pathlib import Path
from types import ModuleType

from pacer.gps.nmea import EpochAssembler
from pacer.gps.reader import LineFramer
from pacer.sim.damage import damage_bytes

REPO = Path(__file__).resolve().parents[1]
SHARED_GPSD = REPO.parent / "shared" / "data" / "nmea" / "gpsd"
SHARED_NMEA = REPO.parent / "shared" / "data" / "nmea"


def _s(body: str) -> str:
    return f"${body}*{reduce(lambda a, c: a ^ ord(c), body, 0):02X}\r\n"


def _dm(deg: float, lat: bool) -> str:
    d = int(abs(deg))
    m = (abs(deg) - d) * 60.0
    hemi = ("N" if deg >= 0 else "S") if lat else ("E" if deg >= 0 else "W")
    return f"{d:02d}{m:08.5f},{hemi}" if lat else f"{d:03d}{m:08.5f},{hemi}"


def synthetic_log(minutes: float, rate_hz: float = 5.0) -> tuple[bytes, int, int]:
    """Return (bytes, n_sentences, n_epochs) of a runner at 4 m/s on a 400 m oval."""
    lat0, lon0, r_m = 51.8846, -0.4170, 63.7  # 400 m circle-equivalent
    out, n_sent = [], 0
    n_ep = int(minutes * 60 * rate_hz)
    for k in range(n_ep):
        t = k / rate_hz
        a = 4.0 * t / r_m
        lat = lat0 + r_m * math.sin(a) / 111_320.0
        lon = lon0 + r_m * math.cos(a) / (111_320.0 * math.cos(math.radians(lat0)))
        hh, rem = divmod(36000.0 + t, 3600.0)
        mm, ss = divmod(rem, 60.0)
        hms = f"{int(hh):02d}{int(mm):02d}{ss:05.2f}"
        course = (math.degrees(-a) + 360.0) % 360.0
        knots = 4.0 / 0.514444
        pos = f"{_dm(lat, True)},{_dm(lon, False)}"
        lines = [
            _s(f"GNRMC,{hms},A,{pos},{knots:.3f},{course:.2f},270326,,,A,V"),
            _s(f"GNVTG,{course:.2f},T,,M,{knots:.3f},N,{knots * 1.852:.3f},K,A"),
            _s(f"GNGGA,{hms},{pos},1,12,0.78,112.4,M,45.9,M,,"),
            _s("GNGSA,A,3,02,05,07,09,13,15,18,20,30,,,,1.35,0.78,1.10,1"),
        ]
        if k % int(rate_hz) == 0:
            lines += [
                _s("GPGSV,3,1,11,02,34,064,41,05,58,289,44,07,19,321,38,09,12,250,30,1"),
                _s("GPGSV,3,2,11,13,69,174,45,15,33,106,43,18,07,040,29,20,48,198,44,1"),
                _s("GPGSV,3,3,11,29,03,350,,30,39,232,40,36,25,144,39,1"),
            ]
        out += lines
        n_sent += len(lines)
    return "".join(out).encode(), n_sent, n_ep


def ingest(data: bytes, chunk: int) -> tuple[float, int, int]:
    framer, asm = LineFramer(), EpochAssembler()
    n_fix = 0
    t0 = time.thread_time()
    for i in range(0, len(data), chunk):
        for t_s, line in framer.feed(0.0, data[i : i + chunk]):
            n_fix += len(asm.push(t_s, line))
    n_fix += len(asm.flush())
    return time.thread_time() - t0, asm.counters.sentences, n_fix


# ------------------------------------------------------------- --before: compare and time


def load_before(checkout: Path, scratch: Path) -> dict[str, ModuleType]:
    """Import ``checkout``'s pacer/gps as package ``gps_before`` (copied, imports renamed)."""
    pkg = scratch / "gps_before"
    shutil.copytree(checkout / "pacer" / "gps", pkg)
    for f in pkg.glob("*.py"):
        f.write_text(re.sub(r"\bpacer\.gps\b", "gps_before", f.read_text()))
    sys.path.insert(0, str(scratch))
    return {m: importlib.import_module(f"gps_before.{m}") for m in ("nmea", "reader", "logfile")}


def current() -> dict[str, ModuleType]:
    return {m: importlib.import_module(f"pacer.gps.{m}") for m in ("nmea", "reader", "logfile")}


def decode_all(mods: dict[str, ModuleType], path: Path, chunk: int) -> tuple:
    """Everything one implementation makes of one file: replay and live, with counters."""
    from pacer.errors import InputError
    from pacer.models import SkipCounters

    out: list = []
    for fn in ("fixes_from_nmea_file", "epochs_from_nmea_file"):
        c = SkipCounters()
        try:  # epochs as (fix, time of day): the two Epoch classes never compare equal
            items = list(getattr(mods["logfile"], fn)(path, c))
            out.append(([getattr(e, "fix", e) for e in items] + [getattr(e, "time_of_day_s", 0)
                         for e in items], c))
        except InputError as e:
            out.append((str(e), c))
    data = path.read_bytes()
    c_framer, c_asm = SkipCounters(), SkipCounters()
    framer, asm = mods["reader"].LineFramer(c_framer), mods["nmea"].EpochAssembler(c_asm)
    fixes = []
    for i in range(0, len(data), chunk):
        for t_s, line in framer.feed(float(i), data[i : i + chunk]):
            fixes += asm.push(t_s, line)
    for t_s, line in framer.flush(float(len(data))):
        fixes += asm.push(t_s, line)
    fixes += asm.flush()
    out.append((fixes, c_framer, c_asm))
    return tuple(out)


def bench_stream(minutes: float) -> list[tuple[float, bytes]]:
    """``pacer bench``'s NMEA records: (t_s, serial chunk), one chunk per 5 Hz epoch."""
    from pacer.tools.bench import synthetic_hour

    records, _ = synthetic_hour(0, 60.0 * minutes)
    return [(r.t_s, r.data) for r in records if type(r).__name__ == "NmeaChunk"]


def replay_log(path: Path, minutes: float) -> Path:
    """``bench_replay.py``'s simulated NMEA log (5 Hz RMC GGA GSA VTG GST, some damage)."""
    from pacer.sim.effort import Effort
    from pacer.sim.receiver import SimulatedReceiver
    from pacer.sim.runner import RunnerModel

    duration_s = 60.0 * minutes
    efforts = [Effort("stand", duration_s=10.0),
               Effort("jog", duration_s=duration_s - 40.0, speed_mps=3.6),
               Effort("walk", duration_s=25.0), Effort("stand", duration_s=5.0)]
    runner = RunnerModel(efforts, seed=0, rate_hz=50.0)
    SimulatedReceiver(runner, rate_hz=5.0, seed=0).write_log(path)
    return path


def compare_before(before: dict[str, ModuleType], scratch: Path, chunk: int) -> int:
    """Decode every input with both; print and count the files that differ."""
    after = current()
    files = sorted(p for p in SHARED_NMEA.rglob("*.log")) if SHARED_NMEA.is_dir() else []
    if not files:
        print(f"(no {SHARED_NMEA}: comparing on the simulated streams only)")
    tsv = SHARED_NMEA / "pynmea2" / "extracted_sentences.tsv"
    if tsv.is_file():  # pynmea2's test sentences, one per line
        rows = [r.split("\t")[0] for r in tsv.read_text().splitlines()[1:]]
        files.append(scratch / "pynmea2_sentences.nmea")
        files[-1].write_text("\n".join(rows) + "\n")
    stream = bench_stream(20.0)
    files.append(scratch / "pacer_bench_stream.nmea")
    files[-1].write_bytes(b"".join(d for _, d in stream))
    files.append(replay_log(scratch / "bench_replay_10min.nmea", 10.0))
    rng = random.Random(0)
    originals = list(files)
    for k in range(300):  # corrupted copies: 300 x up to 40 operations
        src = originals[k % len(originals)].read_bytes()
        if len(src) > 200_000:  # a random window of the long ones
            a = rng.randrange(len(src) - 100_000)
            src = src[a : a + 100_000]
        files.append(scratch / f"corrupt{k:03d}.nmea")
        files[-1].write_bytes(damage_bytes(src, rng, rng.randrange(1, 40)))
    n_bad = n_fix = 0
    for p in files:
        for ch in (chunk, 7):
            old, new = decode_all(before, p, ch), decode_all(after, p, ch)
            n_fix += sum(1 for f in new[0][0] if hasattr(f, "valid"))
            if old != new:
                n_bad += 1
                print(f"DIFFERENT: {p.name} (reads of {ch} bytes)")
    print(f"before/after: {len(originals)} files + 300 corrupted copies, replay (fixes and "
          f"epochs) and live ({chunk}- and 7-byte reads): {n_fix} fixes, "
          f"{'all equal' if n_bad == 0 else f'{n_bad} DIFFERENT'} (Fix lists and SkipCounters)")
    return n_bad


def time_before_after(before: dict[str, ModuleType], scratch: Path, repeat: int) -> None:
    after = current()
    stream = bench_stream(10.0)
    log = replay_log(scratch / "bench_replay_60min.nmea", 60.0)

    def live(mods: dict[str, ModuleType]) -> tuple[float, int]:
        framer, asm = mods["reader"].LineFramer(), mods["nmea"].EpochAssembler()
        t0 = time.thread_time()
        for t_s, data in stream:
            for line_t_s, line in framer.feed(t_s, data):
                asm.push(line_t_s, line)
        asm.flush()
        return time.thread_time() - t0, asm.counters.sentences

    def replay(mods: dict[str, ModuleType]) -> float:
        t0 = time.process_time()
        n = sum(1 for _ in mods["logfile"].fixes_from_nmea_file(log))
        assert n == 18001, n
        return time.process_time() - t0

    res: dict[str, list[float]] = {"live before": [], "live after": [],
                                   "replay before": [], "replay after": []}
    n_sent = 0
    for _ in range(repeat):
        for name, mods in (("before", before), ("after", after)):
            cpu_s, n_sent = live(mods)
            res[f"live {name}"].append(cpu_s)
            res[f"replay {name}"].append(replay(mods))
    run_s = stream[-1][0] + 0.2
    for name in ("before", "after"):
        lo, hi = min(res[f"live {name}"]), max(res[f"live {name}"])
        print(f"{name:6}: pacer bench stream, framer + assembler: {1e6 * lo / n_sent:.2f}-"
              f"{1e6 * hi / n_sent:.2f} us per sentence, {1e3 * lo / run_s:.3f}-"
              f"{1e3 * hi / run_s:.3f} ms per s of running")
    for name in ("before", "after"):
        v = res[f"replay {name}"]
        print(f"{name:6}: fixes_from_nmea_file, simulated hour (90,005 lines, 18,001 fixes): "
              f"{min(v):.3f}-{max(v):.3f} s CPU")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--chunk", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--before", type=Path, metavar="DIR",
                    help="another pacer checkout: check equal output, time both")
    a = ap.parse_args()
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} "
        f"python {platform.python_version()}"
    )
    if a.before is not None:
        with tempfile.TemporaryDirectory() as tmp:
            before = load_before(a.before.resolve(), Path(tmp))
            n_bad = compare_before(before, Path(tmp), a.chunk)
            time_before_after(before, Path(tmp), a.repeat)
        raise SystemExit(1 if n_bad else 0)
    data, n_sent, n_ep = synthetic_log(a.minutes)
    best = min(ingest(data, a.chunk)[0] for _ in range(a.repeat))
    _, sent, fixes = ingest(data, a.chunk)
    assert sent == n_sent and fixes == n_ep, (sent, n_sent, fixes, n_ep)
    print(
        f"synthetic 5 Hz RMC+VTG+GGA+GSA(+GSV 1 Hz), {a.minutes:g} min, {len(data)} bytes, "
        f"{a.chunk}-byte reads: {sent / best:,.0f} sentences/s, {1e6 * best / sent:.2f} us per "
        f"sentence, {1e6 * best / fixes:.1f} us per fix ({fixes} fixes; "
        f"{100 * best / (a.minutes * 60):.3f} % of real time)"
    )
    if SHARED_GPSD.is_dir():
        blob = b"".join(p.read_bytes() for p in sorted(SHARED_GPSD.glob("*.log")))
        best = min(ingest(blob, a.chunk)[0] for _ in range(a.repeat))
        _, sent, fixes = ingest(blob, a.chunk)
        print(
            f"all {len(list(SHARED_GPSD.glob('*.log')))} gpsd logs concatenated, "
            f"{len(blob)} bytes: {sent / best:,.0f} sentences/s, {1e6 * best / sent:.2f} us per "
            f"sentence, {1e6 * best / fixes:.1f} us per fix ({fixes} fixes)"
        )


if __name__ == "__main__":
    main()
