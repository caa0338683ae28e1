"""NMEA intake throughput: receiver bytes through ``NmeaDecoder`` (framer + parser).

Usage::

    .venv/bin/python benchmarks/bench_gps.py [--minutes 10] [--chunk 64] [--repeat 5]
        [--before DIR] [--no-precheck]

Input: a synthetic but realistic 5 Hz u-blox-style stream (RMC, VTG, GGA, GSA per epoch,
GSV once a second) of a runner lapping a 400 m track at 4 m/s, fed in ``--chunk``-byte
pieces as a serial read delivers them. Also reports the real gpsd logs in
``$PACER_SHARED_DATA/nmea/gpsd`` (default ../shared/data) when present. Prints
sentences/s, microseconds per sentence and per fix (best of ``--repeat``; CPU time of
the thread, so other load on a shared machine counts less than in wall time).

``--before DIR``: DIR is another checkout of pacer (e.g. ``git worktree add /tmp/before
HEAD~3``). Each checkout runs in its own subprocess (``PYTHONPATH`` set to it), on the
same inputs written once by this one, and

* both decode every NMEA file under the shared data, ``pacer bench``'s stream, the
  simulated hour of ``bench_replay.py`` and seeded corruptions of all of these -- file
  replay (``fixes_from_nmea_file``, ``epochs_from_nmea_file``) and the live path
  (``--chunk``- and 7-byte reads) -- and must give equal Fix/Epoch lists and equal
  counters (the script exits 1 otherwise);
* then both are timed, alternating, best of ``--repeat``: ``pacer bench``'s NMEA chunks
  through the live path (CPU us per sentence and ms per second of running) and the
  simulated hour through ``fixes_from_nmea_file`` (CPU s).

``--no-precheck``: time file replay with and without the numpy precheck of each read
(``pacer.gps.precheck``), alternating, to see whether it still pays.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import pickle
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import reduce
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PACER_SHARED_DATA", REPO.parent / "shared" / "data"))
SHARED_NMEA = SHARED / "nmea"
SHARED_GPSD = SHARED_NMEA / "gpsd"


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


# ------------------------------------------------ the intake of whichever pacer is imported


def _live_path() -> Callable[[list[tuple[float, bytes]]], tuple[list[Any], Any]]:
    """Serial-sized chunks to fixes, as the runtime does it, for this checkout's pacer."""
    from pacer.models import SkipCounters

    try:
        from pacer.gps.decoder import NmeaDecoder
    except ImportError:  # before the one intake: framer and assembler side by side
        from pacer.gps.nmea import EpochAssembler
        from pacer.gps.reader import LineFramer

        def old(chunks: list[tuple[float, bytes]]) -> tuple[list[Any], Any]:
            c = SkipCounters()
            framer, asm = LineFramer(c), EpochAssembler(c)
            fixes: list[Any] = []
            for t_s, data in chunks:
                for line_t_s, line in framer.feed(t_s, data):
                    fixes += asm.push(line_t_s, line)
            end_s = chunks[-1][0] if chunks else 0.0
            for line_t_s, line in framer.flush(end_s):
                fixes += asm.push(line_t_s, line)
            return fixes + asm.flush(), c

        return old

    def new(chunks: list[tuple[float, bytes]]) -> tuple[list[Any], Any]:
        c = SkipCounters()
        decoder = NmeaDecoder(c)
        fixes: list[Any] = []
        for t_s, data in chunks:
            fixes += decoder.feed(t_s, data)
        return fixes + decoder.flush(chunks[-1][0] if chunks else 0.0), c

    return new


def _log_module() -> Any:
    try:
        from pacer.formats import nmea_log
    except ImportError:  # before the formats/ package
        from pacer.gps import logfile as nmea_log  # type: ignore[no-redef]
    return nmea_log


def _digest(obj: object) -> str:
    return hashlib.sha256(repr(obj).encode()).hexdigest()[:24]


def _counted(c: Any) -> tuple[Any, ...]:
    return (c.lines, c.sentences, c.bad_checksum, c.unknown, c.garbage, c.malformed,
            sorted(c.extra.items()))


def worker_decode(paths: list[str], chunk: int) -> dict[str, str]:
    """Digest of everything this checkout makes of each file: replay and live."""
    from pacer.errors import InputError
    from pacer.models import SkipCounters

    log, live = _log_module(), _live_path()
    out = {}
    for p in paths:
        items: list[Any] = []
        for fn in (log.fixes_from_nmea_file, log.epochs_from_nmea_file):
            c = SkipCounters()
            try:
                got = list(fn(p, c))
                items.append(([getattr(e, "fix", e) for e in got],
                              [getattr(e, "time_of_day_s", None) for e in got], _counted(c)))
            except InputError as e:
                items.append((str(e), _counted(c)))
        data = Path(p).read_bytes()
        for size in (chunk, 7):
            chunks = [(float(i), data[i : i + size]) for i in range(0, len(data), size)]
            fixes, c = live(chunks or [(0.0, b"")])
            items.append((fixes, _counted(c)))
        out[p] = _digest(items)
    return out


def worker_time(stream_pickle: str, log_path: str, repeat: int) -> dict[str, Any]:
    """CPU time of the live path on ``pacer bench``'s stream and of file replay."""
    with open(stream_pickle, "rb") as f:
        stream: list[tuple[float, bytes]] = pickle.load(f)
    log, live = _log_module(), _live_path()
    live_s, replay_s, n_sent = [], [], 0
    for _ in range(repeat):
        t0 = time.thread_time()
        _, c = live(stream)
        live_s.append(time.thread_time() - t0)
        n_sent = c.sentences
        t0 = time.process_time()
        n = sum(1 for _ in log.fixes_from_nmea_file(log_path))
        replay_s.append(time.process_time() - t0)
    return {"live_s": live_s, "replay_s": replay_s, "sentences": n_sent, "fixes": n,
            "run_s": stream[-1][0] + 0.2}


# ------------------------------------------------------------- --before: compare and time


def bench_stream(minutes: float) -> list[tuple[float, bytes]]:
    """``pacer bench``'s NMEA records: (t_s, serial chunk), one chunk per 5 Hz epoch."""
    from pacer.tools.bench import synthetic_hour

    records, _ = synthetic_hour(0, 60.0 * minutes)
    return [(r.t_s, r.data) for r in records if type(r).__name__ == "NmeaBytes"]


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


def _inputs(scratch: Path) -> list[Path]:
    """Every shared NMEA file, pacer's own streams, and 300 seeded corruptions of them."""
    from pacer.sim.damage import damage_bytes

    files = sorted(SHARED_NMEA.rglob("*.log")) if SHARED_NMEA.is_dir() else []
    if not files:
        print(f"(no {SHARED_NMEA}: comparing on the simulated streams only)")
    tsv = SHARED_NMEA / "pynmea2" / "extracted_sentences.tsv"
    if tsv.is_file():  # pynmea2's test sentences, one per line
        rows = [r.split("\t")[0] for r in tsv.read_text().splitlines()[1:]]
        files.append(scratch / "pynmea2_sentences.nmea")
        files[-1].write_text("\n".join(rows) + "\n")
    files.append(scratch / "pacer_bench_stream.nmea")
    files[-1].write_bytes(b"".join(d for _, d in bench_stream(20.0)))
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
    return files


def _run_worker(checkout: Path, args: list[str]) -> Any:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    out = subprocess.run([sys.executable, __file__, "--worker", *args], env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def compare_before(before: Path, scratch: Path, chunk: int) -> int:
    """Decode every input with both checkouts; print and count the files that differ."""
    files = [str(p) for p in _inputs(scratch)]
    listing = scratch / "files.json"
    listing.write_text(json.dumps(files))
    old = _run_worker(before, ["decode", str(listing), str(chunk)])
    new = _run_worker(REPO, ["decode", str(listing), str(chunk)])
    n_bad = sum(old[p] != new[p] for p in files)
    for p in files:
        if old[p] != new[p]:
            print(f"DIFFERENT: {Path(p).name}")
    n_orig = len(files) - 300
    print(f"before/after: {n_orig} files + 300 corrupted copies, replay (fixes and epochs) "
          f"and live ({chunk}- and 7-byte reads): "
          f"{'all equal' if n_bad == 0 else f'{n_bad} DIFFERENT'} (Fix lists and counters)")
    return n_bad


def time_before_after(before: Path, scratch: Path, repeat: int) -> None:
    stream = scratch / "stream.pickle"
    with open(stream, "wb") as f:
        pickle.dump(bench_stream(10.0), f)
    log = replay_log(scratch / "bench_replay_60min.nmea", 60.0)
    res: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
    info: dict[str, Any] = {}
    for _ in range(repeat):  # alternating, one subprocess each
        for name, checkout in (("before", before), ("after", REPO)):
            info = _run_worker(checkout, ["time", str(stream), str(log), "1"])
            for key in ("live_s", "replay_s"):
                res[name].setdefault(key, []).extend(info[key])
    n_sent, run_s = info["sentences"], info["run_s"]
    for name in ("before", "after"):
        v = res[name]["live_s"]
        print(f"{name:6}: pacer bench stream, live path: {1e6 * min(v) / n_sent:.2f}-"
              f"{1e6 * max(v) / n_sent:.2f} us per sentence, {1e3 * min(v) / run_s:.3f}-"
              f"{1e3 * max(v) / run_s:.3f} ms per s of running")
    for name in ("before", "after"):
        v = res[name]["replay_s"]
        print(f"{name:6}: fixes_from_nmea_file, simulated hour ({info['fixes']} fixes): "
              f"{min(v):.3f}-{max(v):.3f} s CPU")
    for key, label in (("live_s", "live"), ("replay_s", "replay")):
        ratio = min(res["after"][key]) / min(res["before"][key])
        print(f"after/before, best {label}: {ratio:.3f}")


def time_precheck(repeat: int) -> None:
    """File replay of the simulated hour with and without the numpy precheck."""
    from pacer.formats.nmea_log import _Timeline
    from pacer.gps.decoder import NmeaDecoder
    from pacer.models import SkipCounters

    with tempfile.TemporaryDirectory() as tmp:
        data = replay_log(Path(tmp) / "hour.nmea", 60.0).read_bytes()
    chunks = [data[i : i + (1 << 20)] for i in range(0, len(data), 1 << 20)]

    def replay(precheck: bool) -> float:
        c = SkipCounters()
        decoder = NmeaDecoder(c, skip_comments=True, timeline=_Timeline(c), precheck=precheck)
        t0 = time.process_time()
        for _ in decoder.epochs_of(chunks):
            pass
        return time.process_time() - t0

    res: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(repeat):
        for precheck in (True, False):
            res[precheck].append(replay(precheck))
    for precheck in (True, False):
        v = res[precheck]
        print(f"file replay, simulated hour, precheck {'on ' if precheck else 'off'}: "
              f"{min(v):.3f}-{max(v):.3f} s CPU")
    print(f"precheck on/off, best: {min(res[True]) / min(res[False]):.3f}")


def ingest(data: bytes, chunk: int) -> tuple[float, int, int]:
    from pacer.gps.decoder import NmeaDecoder

    decoder = NmeaDecoder()
    n_fix = 0
    t0 = time.thread_time()
    for i in range(0, len(data), chunk):
        n_fix += len(decoder.feed(0.0, data[i : i + chunk]))
    n_fix += len(decoder.flush(0.0))
    return time.thread_time() - t0, decoder.counters.sentences, n_fix


def _worker(argv: list[str]) -> None:
    if argv[0] == "decode":
        paths = json.loads(Path(argv[1]).read_text())
        print(json.dumps(worker_decode(paths, int(argv[2]))))
    else:
        print(json.dumps(worker_time(argv[1], argv[2], int(argv[3]))))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        _worker(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--chunk", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--before", type=Path, metavar="DIR",
                    help="another pacer checkout: check equal output, time both")
    ap.add_argument("--no-precheck", action="store_true",
                    help="time file replay with and without the numpy precheck")
    a = ap.parse_args()
    print(f"machine: {platform.machine()} {platform.processor() or ''} "
          f"python {platform.python_version()}")
    if a.no_precheck:
        time_precheck(a.repeat)
        return
    if a.before is not None:
        with tempfile.TemporaryDirectory() as tmp:
            n_bad = compare_before(a.before.resolve(), Path(tmp), a.chunk)
            time_before_after(a.before.resolve(), Path(tmp), a.repeat)
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
