"""Does a phone watching the live page cost the coach anything? The CPU of a real-time
``pacer sim`` (the live loop, writing its session) with and without a client of
``pacer serve``'s ``/live/events`` (1 Hz) connected, in alternating rounds.

Run: .venv/bin/python benchmarks/bench_web_live.py [SECONDS] [ROUNDS]   (default 60, 2)
Prints, per round, the sim's CPU seconds per minute of running (``wait4`` rusage,
user + system) alone and polled, the events the client got, and the server's CPU.
Not a test: prints figures for docs/web.md.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _sim(data_dir: Path, name: str, seconds: float) -> float:
    """A real-time sim; its CPU seconds (user + system, children included)."""
    proc = subprocess.Popen([sys.executable, "-m", "pacer", "sim", "--realtime", "--duration",
                             str(seconds), "--session-dir", str(data_dir / name), "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str]) -> int:
    seconds = float(argv[0]) if argv else 60.0
    rounds = int(argv[1]) if len(argv) > 1 else 2
    root = Path(tempfile.mkdtemp(prefix="pacer-web-live-"))
    data_dir = root / "sessions"
    data_dir.mkdir()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "pacer", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--data-dir", str(data_dir), "--state-dir", str(root), "--config",
         str(root / "pacer.toml"), "--pair"], stdout=subprocess.PIPE, text=True)
    try:
        code = re.match(r"pairing code: (\d+)", server.stdout.readline()).group(1)
        time.sleep(2)
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        pre = re.search(r'name="csrf" value="([^"]+)"', client.get("/pair").text).group(1)
        client.post("/pair", data={"code": code, "csrf": pre})
        for k in range(rounds):
            alone = _sim(data_dir, f"alone-{k}", seconds)
            events: list[dict[str, object]] = []
            stop = threading.Event()

            def watch(events: list[dict[str, object]] = events,
                      stop: threading.Event = stop) -> None:
                with client.stream("GET", "/live/events", timeout=None) as r:
                    for line in r.iter_lines():
                        if line.startswith("data: "):
                            events.append(json.loads(line[6:]))
                        if stop.is_set():
                            break

            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
            server_cpu0 = _cpu_s(server.pid)
            polled = _sim(data_dir, f"polled-{k}", seconds)
            server_cpu = _cpu_s(server.pid) - server_cpu0
            stop.set()
            live = sum(1 for e in events if e.get("recording"))
            per_min = 60.0 / seconds
            print(f"round {k + 1}: sim CPU alone {alone * per_min:.2f} s/min, polled "
                  f"{polled * per_min:.2f} s/min; {live} live events; server CPU "
                  f"{server_cpu * per_min:.2f} s/min while polled")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
