"""Measure ``pacer serve``: the time of every page and download, and the server's peak RSS.

Run: .venv/bin/python benchmarks/bench_web.py DATA_DIR [ROUNDS]
Starts ``pacer serve`` as a real process on a free port against DATA_DIR (a session
store, e.g. one made with ``pacer sim --session-dir DATA_DIR/NAME``), pairs with the
code ``--pair`` prints, requests every page of the newest session ROUNDS times (default
5; the first request of a session opens it, later ones hit the cache) and prints the
first and the median time of each, then the server's peak RSS (``VmHWM`` of
/proc/PID/status). Not a test: prints figures for docs/web.md.
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_rss_mb(pid: int) -> str:
    """Peak RSS, and the current RSS split into anonymous memory and file pages (the
    latter mostly shared libraries such as numpy's, shared with the coach's process)."""
    text = Path(f"/proc/{pid}/status").read_text()

    def kb(key: str) -> float:
        return int(re.search(rf"{key}:\s+(\d+) kB", text).group(1)) / 1024.0

    return (f"{kb('VmHWM'):.1f} MB (now {kb('VmRSS'):.1f}: anonymous {kb('RssAnon'):.1f}, "
            f"files {kb('RssFile'):.1f})")


def main(argv: list[str]) -> int:
    data_dir = Path(argv[0])
    rounds = int(argv[1]) if len(argv) > 1 else 5
    state = Path(tempfile.mkdtemp(prefix="pacer-web-bench-"))
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pacer", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--data-dir", str(data_dir), "--state-dir", str(state), "--config",
         str(state / "pacer.toml"), "--pair"], stdout=subprocess.PIPE, text=True,
        env=dict(os.environ, PACER_SERVICE_PIDFILE=str(state / "none.pid")))
    try:
        code = re.match(r"pairing code: (\d+)", proc.stdout.readline()).group(1)
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        print(f"idle server: peak RSS {_peak_rss_mb(proc.pid)}")
        client = httpx.Client(base_url=base, timeout=60)
        pre = re.search(r'name="csrf" value="([^"]+)"', client.get("/pair").text).group(1)
        client.post("/pair", data={"code": code, "csrf": pre})
        t0 = time.perf_counter()
        listing = client.get("/").text
        print(f"first sessions list (a child reads every session): "
              f"{(time.perf_counter() - t0) * 1000:.0f} ms; peak RSS {_peak_rss_mb(proc.pid)}")
        newest = re.search(r'href="/sessions/([^"]+)"', listing).group(1)
        time.sleep(3)  # the newest session's page renders in the background meanwhile
        urls = ["/", f"/sessions/{newest}", "/progress", "/workouts", "/workouts/edit",
                "/settings"] + [f"/sessions/{newest}/export.{f}" for f in
                                ("fit", "gpx", "tcx", "csv")]
        print(f"session {newest}; {rounds} rounds")
        for url in urls:
            times = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                r = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, (url, r.status_code)
            hwm = re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{proc.pid}/status").read_text())
            peak_mb = int(hwm.group(1)) / 1024
            print(f"{url:<45} first {times[0]:6.0f} ms  median {statistics.median(times):6.0f}"
                  f" ms  {len(r.content) / 1024:6.0f} KiB  peak RSS {peak_mb:.1f} MB")
        print(f"after all pages: peak RSS {_peak_rss_mb(proc.pid)}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/settings").text).group(1)
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            r = client.post("/api/workouts/check", json={"text": "8x(400m @72s, 200m jgo)"},
                            headers={"X-CSRF-Token": csrf})
            times.append((time.perf_counter() - t0) * 1000)
        print(f"editor check: first {times[0]:.0f} ms, median {statistics.median(times):.0f} ms")
        print(f"after the editor (loads numpy with the workout parser): "
              f"peak RSS {_peak_rss_mb(proc.pid)}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
