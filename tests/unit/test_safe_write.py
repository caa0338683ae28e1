"""Outputs: no symlink, special file or session is ever replaced; failures keep data."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pacer.errors import InputError, SessionError
from pacer.formats.safe_write import SafeOutput, write_output

ROOT = Path(__file__).resolve().parents[2]


def test_writes_whole_file_atomically(tmp_path: Path) -> None:
    out = tmp_path / "run.gpx"
    out.write_bytes(b"old")
    write_output(out, b"new")
    assert out.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.gpx"]


def test_symlink_target_refused_and_left_alone(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    link = tmp_path / "run.gpx"
    link.symlink_to(victim)
    with pytest.raises(InputError, match="symbolic link"):
        write_output(link, b"x")
    assert link.is_symlink() and victim.read_bytes() == b"precious"


def test_attacker_symlink_at_old_temporary_name_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    (tmp_path / ".run.gpx.tmp").symlink_to(victim)
    write_output(tmp_path / "run.gpx", b"data")
    assert victim.read_bytes() == b"precious"
    assert (tmp_path / "run.gpx").read_bytes() == b"data"


@pytest.mark.parametrize("target", ["/dev/full", "/dev/null"])
def test_device_node_refused(target: str) -> None:
    with pytest.raises(InputError, match="character device"):
        write_output(target, b"x")


def test_fifo_and_directory_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="FIFO"):
        write_output(fifo, b"x")
    with pytest.raises(InputError, match="directory"):
        write_output(tmp_path, b"x")


@pytest.mark.parametrize("name", ["session.db", "raw.log", "other.gpx", "sub/x.gpx"])
def test_outputs_inside_a_session_folder_refused(tmp_path: Path, name: str) -> None:
    session = tmp_path / "s1"
    (session / "sub").mkdir(parents=True)
    (session / "session.db").write_bytes(b"db")
    (session / "raw.log").write_bytes(b"log")
    with pytest.raises(InputError, match="inside the session folder"):
        write_output(session / name, b"x")
    assert (session / "session.db").read_bytes() == b"db"
    assert (session / "raw.log").read_bytes() == b"log"


def test_abort_leaves_existing_file(tmp_path: Path) -> None:
    out = tmp_path / "a.bin"
    out.write_bytes(b"runner's")
    target = SafeOutput(out)
    target.file.write(b"half")
    target.abort()
    assert out.read_bytes() == b"runner's"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]


_FULL_DISK = """
import resource, signal, sys
import numpy as np
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))  # a disk that fills up
from pacer.audio.sinks import WavSink
from pacer.errors import PacerError
try:
    s = WavSink(sys.argv[1], 22050)
    for _ in range(100):
        s.write(np.zeros(2205, np.int16))
    s.close()
except PacerError as exc:
    print(exc, file=sys.stderr)
    sys.exit(1)
"""


@pytest.mark.parametrize("existing", [True, False])
def test_full_disk_during_wav_keeps_existing_file_and_says_its_name(
    tmp_path: Path, existing: bool
) -> None:
    out = tmp_path / "sound.wav"
    if existing:
        out.write_bytes(b"the runner's earlier soundtrack")
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_FULL_DISK), str(out)],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(out) in lines[0] and "cannot write audio" in lines[0]
    assert "Exception ignored" not in done.stderr
    if existing:
        assert out.read_bytes() == b"the runner's earlier soundtrack"
    else:
        assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == (["sound.wav"] if existing else [])


def test_wav_sink_refuses_a_device_node() -> None:
    from pacer.audio.sinks import WavSink

    with pytest.raises(SessionError, match="character device"):
        WavSink("/dev/full", 22050)
