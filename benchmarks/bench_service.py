"""Benchmark of the running service: ``pacer run --fake-hardware`` measured from outside.

Run (about 2 x (--seconds + 15) s per repeat):

    .venv/bin/python benchmarks/bench_service.py --seconds 40            # table
    .venv/bin/python benchmarks/bench_service.py --seconds 40 --json     # one JSON object
    .venv/bin/python benchmarks/bench_service.py --checkout DIR          # another tree

What is measured
----------------
The service runs as its own process (``pacer run --fake-hardware``, speech on, an ALSA
``null`` device from an ``.asoundrc`` in a temp ``$HOME``, a real ``NOTIFY_SOCKET``);
this process only reads ``/proc``. The fake hardware (the receiver writing NMEA into a
pty, the fake chip's ticker) lives in the service process because the fake I2C bus
cannot cross a process boundary, so every figure is *per thread*: a tiny bootstrap names
each Python thread at the OS level (``prctl(PR_SET_NAME)``) so ``/proc/PID/task/*/comm``
says which is which, and the fake threads are reported apart from the production ones.

* **time to READY**: from spawning the process to the ``READY=1`` datagram, with the
  checkout's bytecode compiled beforehand (as an install does).
* **CPU per thread**: time on a CPU from ``/proc/PID/task/TID/schedstat`` (ns; the
  tick-based utime/stime are too coarse for 0.1 %) over the window, in % of one core;
  threads that ended during the window are lost (none should).
* **wake-ups**: ``voluntary_ctxt_switches`` per second, per thread (each is one sleep
  that ended: a timeout, an event, a read that had to wait).
* **aplay**: the child process feeding the (null) card, CPU and wake-ups the same way.
* **RSS**: ``VmRSS`` every ``--rss-every`` s through the window (does it grow with the
  session?) and the peak, ``VmHWM``, at its end.

Two workouts: ``20min @5:30/km`` (metronome off) and ``20min @5:30/km cadence 170
metronome`` (clicks from the first step on). The window starts ``--settle`` s after
READY (imports, the speech engine's warm-up and the first cues are start-up costs).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: threads that simulate hardware (absent on the device)
FAKE_THREADS = ("sim-receiver", "fake-chip-ticke")  # comm is cut at 15 characters

#: names each Python thread at the OS level before its target runs, then runs the CLI
BOOTSTRAP = r"""
import ctypes, sys, threading
_libc = ctypes.CDLL(None)
def _name(name):
    _libc.prctl(15, name.encode()[:15], 0, 0, 0)
_inner = threading.Thread._bootstrap_inner
def _named(self):
    _name(self.name)
    _inner(self)
threading.Thread._bootstrap_inner = _named
_name("main")
from pacer.cli.main import main
sys.exit(main(sys.argv[1:]))
"""

WORKOUTS = {"off": "20min @5:30/km", "on": "20min @5:30/km cadence 170 metronome"}


def read_threads(pid: int) -> dict[str, tuple[int, int]]:
    """{thread name: (CPU ns, voluntary context switches)}, same names summed."""
    out: dict[str, tuple[int, int]] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            comm = (task / "comm").read_text().strip()
            ticks = int((task / "schedstat").read_text().split()[0])  # ns on a CPU
            vol = next(int(line.split()[1]) for line in (task / "status").read_text().splitlines()
                       if line.startswith("voluntary_ctxt_switches"))
        except (OSError, StopIteration, IndexError):
            continue  # the thread ended while being read
        t, v = out.get(comm, (0, 0))
        out[comm] = (t + ticks, v + vol)
    return out


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def named_children(pid: int, name: str) -> dict[str, tuple[int, int]]:
    """Child processes called ``name`` (aplay), summed like one thread."""
    total = (0, 0)
    for child in children(pid):
        try:
            if Path(f"/proc/{child}/comm").read_text().strip() != name:
                continue
        except OSError:
            continue
        for t, v in read_threads(child).values():
            total = (total[0] + t, total[1] + v)
    return {name: total}


def vm_mb(pid: int, field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of the process, MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def measure(checkout: Path, workout: str, seconds: float, settle_s: float,
            python: str, rss_every_s: float = 10.0) -> dict[str, object]:
    """One run of the service: time to READY, per-thread CPU and wake-ups, peak RSS."""
    # bytecode compiled first, as an install does (else READY includes compiling)
    subprocess.run([python, "-m", "compileall", "-q", str(checkout / "pacer")], check=True)
    with tempfile.TemporaryDirectory(prefix="pacer-bench-service-") as tmp:
        home = Path(tmp)
        (home / ".asoundrc").write_text("pcm.!default { type null }\n")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(str(home / "notify"))
        notify.settimeout(60.0)
        env = dict(os.environ, HOME=str(home), NOTIFY_SOCKET=str(home / "notify"),
                   PYTHONPATH=str(checkout))
        argv = [python, "-c", BOOTSTRAP, "run", "--fake-hardware", "--workout", workout,
                "--session-dir", str(home / "session")]
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, env=env, cwd=tmp, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        try:
            while b"READY=1" not in notify.recv(4096):
                pass
            ready_s = time.monotonic() - t0
            time.sleep(settle_s)
            before = read_threads(proc.pid) | named_children(proc.pid, "aplay")
            w0 = time.monotonic()
            rss_mb: list[tuple[float, float]] = []  # (s into the window, VmRSS MB)
            while (left_s := seconds - (time.monotonic() - w0)) > 0:
                rss_mb.append((time.monotonic() - w0, vm_mb(proc.pid, "VmRSS")))
                time.sleep(min(rss_every_s, left_s))
            after = read_threads(proc.pid) | named_children(proc.pid, "aplay")
            window_s = time.monotonic() - w0
            peak_mb = vm_mb(proc.pid, "VmHWM")
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                _, err = proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
            notify.close()
    threads = {}
    for name, (ticks, vol) in after.items():
        t0_, v0 = before.get(name, (0, 0))
        threads[name] = {"cpu_pct": 100.0 * (ticks - t0_) * 1e-9 / window_s,
                         "wakeups_per_s": (vol - v0) / window_s}
    fake = {k: v for k, v in threads.items() if k in FAKE_THREADS}
    aplay = threads.pop("aplay", {"cpu_pct": 0.0, "wakeups_per_s": 0.0})
    prod = {k: v for k, v in threads.items() if k not in FAKE_THREADS}
    return {
        "ready_s": ready_s, "window_s": window_s, "peak_rss_mb": peak_mb,
        "rss_mb": rss_mb,
        "production_cpu_pct": sum(v["cpu_pct"] for v in prod.values()),
        "production_wakeups_per_s": sum(v["wakeups_per_s"] for v in prod.values()),
        "fake_cpu_pct": sum(v["cpu_pct"] for v in fake.values()),
        "aplay": aplay, "threads": threads,
        "exit": proc.returncode, "stderr_tail": err.decode(errors="replace")[-400:],
    }


def table(results: dict[str, list[dict[str, object]]]) -> str:
    lines = []
    for metro, runs in results.items():
        lines.append(f"\nmetronome {metro}: {len(runs)} run(s)")
        for r in runs:
            aplay = r["aplay"]
            threads = r["threads"]
            assert isinstance(aplay, dict) and isinstance(threads, dict)
            lines.append(
                f"  READY {r['ready_s']:.2f} s, peak RSS {r['peak_rss_mb']:.0f} MB, "
                f"production {r['production_cpu_pct']:.2f} % CPU "
                f"{r['production_wakeups_per_s']:.0f} wake-ups/s, "
                f"fakes {r['fake_cpu_pct']:.2f} %, "
                f"aplay {aplay['cpu_pct']:.2f} % {aplay['wakeups_per_s']:.0f}/s")
            rss = r["rss_mb"]
            assert isinstance(rss, list)
            lines.append("    RSS MB over the window: "
                         + " ".join(f"{mb:.0f}" for _, mb in rss))
            for name, v in sorted(threads.items(), key=lambda kv: -kv[1]["cpu_pct"]):
                tag = " (fake)" if name in FAKE_THREADS else ""
                lines.append(f"    {name + tag:24s} {v['cpu_pct']:6.2f} % "
                             f"{v['wakeups_per_s']:7.1f}/s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=40.0, help="measured window (s)")
    p.add_argument("--settle", type=float, default=12.0, help="wait after READY (s)")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--metronome", choices=("off", "on", "both"), default="both")
    p.add_argument("--checkout", type=Path, default=Path(__file__).resolve().parents[1],
                   help="the pacer tree to run (default: this one)")
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--rss-every", type=float, default=10.0, help="RSS sample period (s)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    modes = ("off", "on") if args.metronome == "both" else (args.metronome,)
    results: dict[str, list[dict[str, object]]] = {m: [] for m in modes}
    for _ in range(args.repeat):
        for m in modes:
            results[m].append(measure(args.checkout.resolve(), WORKOUTS[m], args.seconds,
                                      args.settle, args.python, args.rss_every))
    print(json.dumps(results, indent=1) if args.json else table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
