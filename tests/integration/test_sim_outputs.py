"""Issue 12 item 9: simulated runs stay out of the runner's history; --audio-out safe."""

from __future__ import annotations

import pytest

from pacer.cli.main import main

WORKOUT = "2x200m @40s r30s"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    return tmp_path


def test_sim_without_session_dir_writes_to_the_sims_folder(home, capsys):
    assert main(["sim", WORKOUT, "--quiet"]) == 0
    sims = list((home / "data" / "pacer" / "sims").iterdir())
    assert len(sims) == 1 and (sims[0] / "session.db").exists()
    assert not (home / "data" / "pacer" / "sessions").exists()
    capsys.readouterr()
    assert main(["sessions", "list"]) == 0
    assert WORKOUT not in capsys.readouterr().out


def test_audio_out_into_a_missing_folder_is_refused(home, capsys):
    target = home / "nonexist" / "a.wav"
    assert main(["sim", WORKOUT, "--quiet", "--audio-out", str(target)]) == 1
    assert "no such directory" in capsys.readouterr().err
    assert not target.parent.exists()


def test_a_run_that_cannot_record_leaves_the_soundtrack_alone(home, capsys):
    wav = home / "a.wav"
    wav.write_bytes(b"x" * 5000)
    assert main(["sim", WORKOUT, "--quiet", "--session-dir", str(home / "s")]) == 0
    assert main(["sim", WORKOUT, "--quiet", "--session-dir", str(home / "s"),
                 "--audio-out", str(wav)]) == 1
    assert "a session already exists here" in capsys.readouterr().err
    assert wav.read_bytes() == b"x" * 5000
    assert sorted(p.name for p in home.iterdir() if p.name.startswith(".a.wav")) == []
