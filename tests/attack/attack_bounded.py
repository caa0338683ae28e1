"""Run code in a child process bounded in memory (RLIMIT_AS) and time (a timeout).

``python tests/attack/attack_bounded.py CALLS.json`` runs the calls listed in the file in one
process (one interpreter start for many attempts) and prints one JSON result per call:
``{"ok": bool, "error": type name or "", "message": text, "s": seconds}``. Each call is
``[module, function, [args...]]``; a generator's items are consumed; ``["attack_bounded",
"cli", [ARGV...]]`` runs ``pacer ARGV`` and gives its ``rc`` and ``stderr``.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MEMORY_BYTES = 1 << 30


def limit_memory() -> None:
    """preexec_fn: at most 1 GiB of address space."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1", "PACER_DEBUG": ""}  # fmt: skip


def run_pacer(
    *argv: str, timeout_s: float = 20.0, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m pacer ARGV`` under the memory bound; TimeoutExpired past ``timeout_s``."""
    return subprocess.run(
        [sys.executable, "-m", "pacer", *argv], capture_output=True, text=True,
        timeout=timeout_s, preexec_fn=limit_memory, env=child_env(), cwd=cwd,
    )  # fmt: skip


def short_message(message: str, error: str = "") -> bool:
    """One line under 400 characters; a workout syntax error may add its source line and
    caret (two more short lines)."""
    lines = message.splitlines() or [""]
    allowed = 3 if error == "WorkoutSyntaxError" else 1
    return len(lines) <= allowed and all(len(line) < 400 for line in lines)


def run_calls(calls: list[list[Any]], tmp: Path, timeout_s: float = 30.0) -> list[dict[str, Any]]:
    """The results of ``calls`` run in one bounded child process."""
    spec = tmp / "calls.json"
    spec.write_text(json.dumps(calls))
    done = subprocess.run(
        [sys.executable, __file__, str(spec)], capture_output=True, text=True,
        timeout=timeout_s, preexec_fn=limit_memory, env=child_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines()]


def cli(*argv: str) -> dict[str, Any]:
    """``pacer ARGV`` in this process: exit code and what it printed on stderr (stdout,
    where the results go, is kept out)."""
    import contextlib
    import io

    from pacer.cli.main import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            rc = main(list(argv))
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else 1
    return {"rc": rc, "stderr": err.getvalue()}


def _one(module: str, function: str, args: list[Any]) -> dict[str, Any]:
    start = time.monotonic()
    try:
        result = getattr(importlib.import_module(module), function)(*args)
        if hasattr(result, "__next__"):
            for _ in result:
                pass
        if isinstance(result, dict) and "rc" in result:
            return {"ok": True, **result, "s": time.monotonic() - start}
    except BaseException as exc:
        return {"ok": False, "error": type(exc).__name__, "bases": [c.__name__ for c in
                type(exc).__mro__], "message": str(exc), "s": time.monotonic() - start}  # fmt: skip
    return {"ok": True, "error": "", "bases": [], "message": "", "s": time.monotonic() - start}


if __name__ == "__main__":
    sys.modules.setdefault("attack_bounded", sys.modules[__name__])
    for module, function, args in json.loads(Path(sys.argv[1]).read_text()):
        print(json.dumps(_one(module, function, args)), flush=True)
