"""Kill a real ``pacer sim --realtime`` mid-run with SIGKILL and review what it left.

Skipped until the ``sim`` subcommand exists (the runtime is built elsewhere).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pacer.cli.main import main

REPO = Path(__file__).resolve().parents[2]
WAIT_FOR_DATA_S = 120.0  # an upper bound for a slow CI machine, not a timing assertion


def _estimates(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return int(conn.execute("SELECT count(*) FROM estimates").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


@pytest.mark.slow
@pytest.mark.skipif(not (REPO / "pacer" / "cli" / "sim.py").exists(), reason="pacer sim not built")
def test_sigkill_realtime_sim_then_review(tmp_path, capsys):
    session = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pacer", "sim", "--realtime", "--session-dir", str(session)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + WAIT_FOR_DATA_S
        while _estimates(session / "session.db") < 3:
            if proc.poll() is not None:
                pytest.skip(f"pacer sim exited early: {proc.stderr.read().decode()[-300:]}")
            if time.monotonic() > deadline:
                pytest.fail("pacer sim --realtime wrote no estimates")
            time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    assert main(["review", str(session), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["session"]["ended"] == "abrupt"
    assert doc["session"]["duration_s"] >= 2.0
    assert main(["review", str(session)]) == 0
    assert "ended abrupt" in capsys.readouterr().out
