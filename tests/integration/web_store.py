"""A session store made by the real pipeline (``pacer sim``) for the web tests, and a
paired client. The store is built once per test run and copied per test module."""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from pacer.cli.main import main

CRUISE = "2km jog; 3x(1km cruise @threshold, r60s); 1km jog"


@functools.cache
def built_store() -> Path:
    """Two runs of the default 6 x 400 m (seeds 0 and 1, written in that order) and one
    cruise-interval run, under ``<tmp>/sessions``."""
    top = Path(tempfile.mkdtemp(prefix="pacer-web-store-"))
    atexit.register(shutil.rmtree, top, True)
    root = top / "sessions"
    for name, argv in (("20260516-090000", ["--seed", "0"]),
                       ("20260523-090000", ["--seed", "1"]),
                       ("20260524-090000", [CRUISE, "--seed", "2"])):
        assert main(["sim", *argv, "--session-dir", str(root / name), "--quiet"]) == 0
        time.sleep(0.02)  # distinct modification times: the list order is by last write
    return root


def copy_store(dest: Path) -> Path:
    """A private copy of :func:`built_store` under ``dest`` (returns its sessions dir)."""
    target = dest / "sessions"
    shutil.copytree(built_store(), target)
    for k, path in enumerate(sorted(target.iterdir())):  # keep the order after copying
        t = 1_800_000_000 + 60 * k
        for f in path.iterdir():
            os.utime(f, (t, t))
    return target


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)
