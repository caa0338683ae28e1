"""Benchmark of pacer's audio path: synthesis time, cue latency, CPU, engine reliability.

Run (about 3 minutes on a 2-core x86):

    .venv/bin/python benchmarks/bench_audio.py            # markdown tables
    .venv/bin/python benchmarks/bench_audio.py --json     # one JSON object
    .venv/bin/python benchmarks/bench_audio.py --live-only --load 2 [--no-metronome]
        # cue latency only, with two busy processes spinning (both cores of this machine),
        # with or without clicks (without, the driver sleeps between cues)

What is measured
----------------
* **synthesis**: ``Synthesizer.render`` wall time per cue phrase, per engine, uncached,
  and the CPU time it costs (this process + the espeak-ng child): the CPU figure is
  what scales with a slower processor, the wall time includes fixed sleeps.
* **cue latency** (live ``AudioOut``, ALSA sink = one long-lived ``aplay`` on an ALSA
  ``null`` device set up in a temp ``$HOME``, metronome clicking at 170 spm):
  from ``say()`` to the write call that hands the phrase's first sample to ``aplay``
  ("sink"), and to the moment that sample is due to play on the timeline ("playout",
  which adds the driver's lead, 50 ms). Uncached (every text new) and cached (the same
  texts again). Cues are spaced so phrases never queue behind each other: queueing is
  cue policy, not latency.
* **CPU**: process CPU seconds per wall second (``getrusage`` self + reaped children,
  so espeak-ng and aplay processes count) while clicks + speech play, and clicks alone.
* **reliability**: renders in a row per engine, failures counted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pacer.audio.output import AudioOut
from pacer.audio.synth import EspeakSynth, Pyttsx3Synth
from pacer.models import Cue, CueKind

ENGINES = {"pyttsx3": Pyttsx3Synth, "espeak": EspeakSynth}


def cue_texts(n: int, salt: str) -> list[str]:
    """Realistic short coaching phrases, all different."""
    out = []
    for i in range(n):
        k = i % 4
        if k == 0:
            out.append(f"{100 * (i % 4 + 1)}, {17 + i % 9}.{(i * 7) % 10}")
        elif k == 1:
            out.append(f"rep {i % 8 + 1} of {8 + i % 3}")
        elif k == 2:
            out.append(f"{(i * 3) % 10} tenths {'quick' if i % 2 else 'slow'}")
        else:
            out.append(f"{salt} {i}, on pace")
    return out


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs), q)) if xs else float("nan")


def cpu_s() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def bench_synthesis(engine: str, n: int) -> dict[str, float]:
    synth = ENGINES[engine]()
    times = []
    cpu = []
    for text in cue_texts(n, f"synth {engine}"):
        c = cpu_s()
        t = time.perf_counter()
        synth.render(text)
        times.append(time.perf_counter() - t)
        cpu.append(cpu_s() - c)
    synth.close()
    return {
        "n": n,
        "cpu_ms": 1e3 * statistics.mean(cpu),
        "median_ms": 1e3 * statistics.median(times),
        "p95_ms": 1e3 * pct(times, 95),
        "max_ms": 1e3 * max(times),
    }


def bench_reliability(engine: str, n: int) -> dict[str, float]:
    synth = ENGINES[engine]()
    failures = empty = 0
    for i in range(n):
        try:
            if synth.render(f"split {i}, {i % 60} seconds").n == 0:
                empty += 1
        except Exception:
            failures += 1
    synth.close()
    return {"renders": n, "failures": failures, "empty": empty}


def bench_live(engine: str, n: int, spacing_s: float, metronome: bool = True
               ) -> dict[str, object]:
    audio = AudioOut(engine=engine, sink="alsa", live=True)
    if metronome:
        audio.set_metronome(170.0)
    texts = cue_texts(n, f"live {engine}")
    t0 = time.monotonic()
    cpu0 = cpu_s()
    rng = np.random.default_rng(1)
    for text in texts + texts:  # second pass: the same texts, now cached
        # wait for the channel to be free, then a random pause (random block phase)
        time.sleep(0.1)  # the previous cue is rendered and placed by now (~10 ms)
        while audio.mixer.now_s < audio.mixer.speech_end_s():
            time.sleep(0.01)
        time.sleep(spacing_s * rng.uniform(0.5, 1.0))
        now = time.monotonic() - t0
        audio.say(Cue(now, CueKind.SPLIT, text, priority=1))
        audio.advance(now, current_cadence_spm=168.0)
    wall = time.monotonic() - t0
    outcomes = audio.close()
    cpu = cpu_s() - cpu0
    result: dict[str, object] = {"cpu_s_per_s": cpu / wall, "wall_s": wall}
    engines = sorted({o.engine for o in outcomes})
    for label, part in (("uncached", outcomes[:n]), ("cached", outcomes[n:])):
        sink = [o.latency_s for o in part if o.latency_s is not None]
        play = [o.start_s - o.t_s for o in part if o.start_s is not None]
        result[label] = {
            "n": len(part),
            "dropped": sum(o.dropped for o in part),
            "sink_median_ms": 1e3 * statistics.median(sink),
            "sink_p95_ms": 1e3 * pct(sink, 95),
            "playout_median_ms": 1e3 * statistics.median(play),
            "playout_p95_ms": 1e3 * pct(play, 95),
        }
    result["engines"] = engines
    return result


def bench_clicks_only(seconds: float) -> dict[str, float]:
    audio = AudioOut(engine="none", sink="alsa", live=True)
    audio.set_metronome(170.0)
    t0 = time.monotonic()
    cpu0 = cpu_s()
    time.sleep(seconds)
    audio.close()
    return {"cpu_s_per_s": (cpu_s() - cpu0) / (time.monotonic() - t0)}


class BusyLoad:
    """``n`` processes spinning on a core each (a loaded machine), while in the block."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> BusyLoad:
        self.procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                      for _ in range(self.n)]
        return self

    def __exit__(self, *exc: object) -> None:
        for p in self.procs:
            p.kill()
            p.wait()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cues", type=int, default=30, help="cues per live pass (default 30)")
    ap.add_argument("--spacing", type=float, default=0.4, help="pause after a phrase ends")
    ap.add_argument("--synth", type=int, default=100, help="phrases for synthesis timing")
    ap.add_argument("--soak", type=int, default=500, help="renders for the reliability count")
    ap.add_argument("--live-only", action="store_true", help="cue latency only")
    ap.add_argument("--no-metronome", action="store_true",
                    help="live passes without clicks (the driver sleeps between cues)")
    ap.add_argument("--load", type=int, default=0,
                    help="busy processes spinning during the live passes (2: both cores)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    home = tempfile.mkdtemp(prefix="pacer-bench-")
    Path(home, ".asoundrc").write_text("pcm.!default { type null }\n")
    os.environ["HOME"] = home  # aplay plays into ALSA's null device: no sound card needed
    os.environ.pop("ALSA_CONFIG_PATH", None)

    report: dict[str, object] = {"machine": f"{os.cpu_count()} cores, {sys.platform}",
                                 "load": args.load, "metronome": not args.no_metronome}
    for engine in ENGINES:
        if not args.live_only:
            report[f"synthesis_{engine}"] = bench_synthesis(engine, args.synth)
            report[f"reliability_{engine}"] = bench_reliability(engine, args.soak)
        with BusyLoad(args.load):
            report[f"live_{engine}"] = bench_live(engine, args.cues, args.spacing,
                                                  metronome=not args.no_metronome)
    if not args.live_only:
        report["clicks_only"] = bench_clicks_only(10.0)
    if args.json or args.live_only:
        print(json.dumps(report, indent=2))
        return 0
    print_tables(report, args.spacing)
    return 0


def print_tables(report: dict[str, object], spacing_s: float) -> None:
    print(f"machine: {report['machine']}\n")
    print(
        "| engine | synth median ms | synth P95 ms | synth CPU ms | soak renders | failures |"
        " empty |"
    )
    print("|---|---|---|---|---|---|---|")
    for e in ENGINES:
        s, r = report[f"synthesis_{e}"], report[f"reliability_{e}"]
        print(
            f"| {e} | {s['median_ms']:.1f} | {s['p95_ms']:.1f} | {s['cpu_ms']:.1f} | "
            f"{r['renders']} | {r['failures']} | {r['empty']} |"
        )
    print(
        "\n| engine | cache | say->sink median ms | P95 ms | say->playout median ms | P95 ms |"
        " dropped |"
    )
    print("|---|---|---|---|---|---|---|")
    for e in ENGINES:
        live = report[f"live_{e}"]
        for label in ("uncached", "cached"):
            x = live[label]
            print(
                f"| {e} | {label} | {x['sink_median_ms']:.1f} | {x['sink_p95_ms']:.1f} | "
                f"{x['playout_median_ms']:.1f} | {x['playout_p95_ms']:.1f} | {x['dropped']} |"
            )
    print("\n| load | CPU s per s |")
    print("|---|---|")
    for e in ENGINES:
        print(
            f"| clicks 170 spm + {e} cues (0.5-1x {spacing_s} s apart) | "
            f"{report[f'live_{e}']['cpu_s_per_s']:.3f} |"
        )
    print(f"| clicks 170 spm only | {report['clicks_only']['cpu_s_per_s']:.3f} |")


if __name__ == "__main__":
    raise SystemExit(main())
