"""Every writer (exports, HTML report, WAV soundtrack) against symlinks, special files,
its own session and a full disk: refused in one line, nothing else touched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from attack_bounded import child_env, limit_memory, run_calls, run_pacer

pytestmark = pytest.mark.attack
ATTACK_CLASS = "writers"


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("attack-writers")
    done = run_pacer("sim", "--fast", "--quiet", "--duration", "20", "--session-dir",
                     str(base / "s1"), "200m", timeout_s=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return base / "s1"


def _targets(tmp: Path, session: Path) -> dict[str, Path]:
    victim = tmp / "victim.txt"
    victim.write_text("precious")
    link = tmp / "link.out"
    link.symlink_to(victim)
    dangling = tmp / "dangling.out"
    dangling.symlink_to(tmp / "nowhere" / "x")
    fifo = tmp / "fifo.out"
    os.mkfifo(fifo)
    return {
        "symlink": link, "dangling_symlink": dangling, "fifo": fifo, "directory": tmp,
        "dev_null": Path("/dev/null"), "dev_full": Path("/dev/full"),
        "session_db": session / "session.db", "raw_log": session / "raw.log",
        "in_session": session / "export.gpx",
    }  # fmt: skip


WRITERS = {
    "export_gpx": lambda s, out: ["export", str(s), "-f", "gpx", "-o", str(out)],
    "export_fit": lambda s, out: ["export", str(s), "-f", "fit", "-o", str(out)],
    "export_csv": lambda s, out: ["export", str(s), "-f", "csv", "-o", str(out)],
    "review_html": lambda s, out: ["review", str(s), "--html", str(out)],
}


def _snapshot(session: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(session.iterdir()) if p.is_file()}


def test_writers_refuse_hostile_targets_in_one_line(tmp_path: Path, session: Path, tally) -> None:
    before = _snapshot(session)
    targets = _targets(tmp_path, session)
    cases = [(w, t) for w in WRITERS for t in targets]
    calls = [["attack_bounded", "cli", WRITERS[w](session, targets[t])] for w, t in cases]
    for (wname, tname), done in zip(cases, run_calls(calls, tmp_path, 60), strict=True):
        lines = done["stderr"].strip().splitlines()
        ok = done["rc"] != 0 and len(lines) == 1 and "cannot write" in lines[0]
        tally.check(ok, f"{wname} -> {tname}: {done}")
    tally.check((tmp_path / "victim.txt").read_text() == "precious", "symlink victim changed")
    tally.check(_snapshot(session) == before, "the session's files changed")
    tally.check(run_pacer("review", str(session), timeout_s=30).returncode == 0,
                "session unreadable afterwards")  # fmt: skip


def test_attacker_symlink_at_temporary_name(tmp_path: Path, session: Path, tally) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for name in (".run.gpx.tmp", ".report.html.tmp"):
        (tmp_path / name).symlink_to(victim)
    for argv in (WRITERS["export_gpx"](session, tmp_path / "run.gpx"),
                 WRITERS["review_html"](session, tmp_path / "report.html")):  # fmt: skip
        done = run_pacer(*argv, timeout_s=30)
        tally.check(done.returncode == 0, f"{argv}: {done.stderr[-300:]}")
    tally.check(victim.read_text() == "precious", "victim overwritten through the temporary")


_FULL = """
import resource, runpy, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))  # the disk fills up here
sys.argv = ["pacer", *sys.argv[1:]]
runpy.run_module("pacer", run_name="__main__")
"""


def _full_tmpfs_script(mount: Path, out: Path, argv: list[str]) -> str:
    """Shell: a private 64 KiB tmpfs at ``mount`` holding ``out``, filled up, then pacer."""
    pacer = " ".join(f"'{a}'" for a in [sys.executable, "-m", "pacer", *argv])
    return (
        f"mount -t tmpfs -o size=64k tmpfs {mount} && printf %s \"the runner's earlier "
        f'file" > {out} && (cat /dev/zero > {mount}/filler 2>/dev/null; true) && '
        f"{pacer}; rc=$?; cat {out}; echo; ls -a {mount}; exit $rc"
    )


def _can_mount_tmpfs(tmp: Path) -> bool:
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount -t tmpfs tmpfs {tmp}"],
                           capture_output=True, check=False)  # fmt: skip
    return probe.returncode == 0


@pytest.mark.parametrize("what", ["export_gpx", "export_csv", "review_html", "audio_out"])
def test_full_disk_keeps_the_existing_file(tmp_path: Path, session: Path, tally, what: str) -> None:
    """A real ENOSPC: a full tmpfs in a private mount namespace (needs root)."""
    if not _can_mount_tmpfs(tmp_path):
        pytest.skip(
            "cannot mount a tmpfs here (needs root and unshare); "
            "tests/unit/test_safe_write.py covers a full disk with RLIMIT_FSIZE"
        )
    mount = tmp_path / "disk"
    mount.mkdir()
    out = mount / ("sound.wav" if what == "audio_out" else "out.dat")
    if what == "audio_out":
        argv = ["sim", "--fast", "--quiet", "--duration", "20", "--session-dir",
                str(tmp_path / "s2"), "--audio-out", str(out), "200m"]  # fmt: skip
    else:
        argv = WRITERS[what](session, out)
    done = subprocess.run(["unshare", "-m", "sh", "-c", _full_tmpfs_script(mount, out, argv)],
                          capture_output=True, text=True, timeout=60, env=child_env(),
                          preexec_fn=limit_memory)  # fmt: skip
    errors = [ln for ln in done.stderr.splitlines() if ln.startswith("pacer: error")]
    ok = (done.returncode != 0 and len(errors) == 1 and str(out) in errors[0]
          and "No space left" in errors[0] and "Exception ignored" not in done.stderr)  # fmt: skip
    tally.check(ok, f"{what}: {done.returncode} {done.stderr[-500:]}")
    listing = done.stdout.split("\n", 1)
    tally.check(listing[0] == "the runner's earlier file", f"{what}: existing file changed")
    tally.check(
        sorted(listing[1].split()) == sorted([".", "..", out.name, "filler"]),
        f"{what}: temporaries left: {listing[1].split()}",
    )
