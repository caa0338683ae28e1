"""NMEA ingest throughput: LineFramer + EpochAssembler (the live GPS path).

Usage::

    .venv/bin/python benchmarks/bench_gps.py [--minutes 10] [--chunk 64] [--repeat 5]

Input: a synthetic but realistic 5 Hz u-blox-style stream (RMC, VTG, GGA, GSA per epoch,
GSV once a second) of a runner lapping a 400 m track at 4 m/s, fed in ``--chunk``-byte
pieces as a serial read delivers them. Also reports the real gpsd logs in
../shared/data/nmea/gpsd when present. Prints sentences/s, microseconds per sentence and
per fix (best of ``--repeat``; CPU time of the thread, so other load on a shared machine
counts less than in wall time).
"""

from __future__ import annotations

import argparse
import math
import platform
import time
from functools import reduce
from pathlib import Path

from pacer.gps.nmea import EpochAssembler
from pacer.gps.reader import LineFramer

REPO = Path(__file__).resolve().parents[1]
SHARED_GPSD = REPO.parent / "shared" / "data" / "nmea" / "gpsd"


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--chunk", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} "
        f"python {platform.python_version()}"
    )
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
