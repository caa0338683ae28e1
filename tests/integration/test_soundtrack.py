"""`pacer sim --audio-out`: the session's soundtrack has speech where the cues were placed
and silence elsewhere (real espeak-ng through the mixer into the WAV sink)."""

from __future__ import annotations

import shutil
import sqlite3
import wave

import numpy as np
import pytest

from pacer.cli.main import main

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                reason="espeak-ng not installed (scripts/bootstrap.sh --dev)")


@pytest.mark.slow
def test_speech_at_cue_times_and_silence_elsewhere(tmp_path) -> None:
    session, wav_path = tmp_path / "s", tmp_path / "s.wav"
    cfg = tmp_path / "c.toml"
    cfg.write_text('[audio]\nengine = "espeak"\n')
    assert main(["sim", "--config", str(cfg), "--duration", "420", "--session-dir", str(session),
                 "--audio-out", str(wav_path), "--quiet"]) == 0
    with wave.open(str(wav_path)) as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    db = sqlite3.connect(session / "session.db")
    spoken = db.execute("SELECT start_s, duration_s, text FROM cues WHERE dropped = 0 "
                        "AND start_s IS NOT NULL ORDER BY start_s").fetchall()
    assert len(spoken) >= 4
    mask = np.zeros(pcm.size, dtype=bool)
    for start_s, duration_s, text in spoken:
        a, b = int(start_s * rate), int((start_s + duration_s) * rate)
        assert b <= pcm.size, text
        seg = pcm[a:b]
        assert np.sqrt(np.mean(seg**2)) > 300, f"no speech for {text!r} at {start_s:.1f} s"
        mask[a:b] = True
    # everywhere else silent: this workout has no metronome
    rest = pcm[~mask]
    assert rest.size > rate * 300
    assert np.abs(rest).max() < 50


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["fixed", "off"])
def test_metronome_clicks_at_the_target_cadence_when_the_workout_asks(tmp_path, mode) -> None:
    session, wav_path = tmp_path / "s", tmp_path / "s.wav"
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[audio]\nengine = "espeak"\nmetronome = "{mode}"\n')
    assert main(["sim", "5min @4:30/km cadence 180 metronome", "--config", str(cfg),
                 "--duration", "200", "--session-dir", str(session),
                 "--audio-out", str(wav_path), "--quiet"]) == 0
    with wave.open(str(wav_path)) as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    db = sqlite3.connect(session / "session.db")
    spoken = db.execute("SELECT start_s, duration_s FROM cues WHERE dropped = 0 "
                        "AND start_s IS NOT NULL").fetchall()
    # onsets of sound outside speech, in 10 ms frames
    frame = rate // 100
    n = pcm.size // frame
    loud = np.abs(pcm[: n * frame]).reshape(n, frame).max(axis=1) > 1000
    for start_s, duration_s in spoken:
        loud[int(start_s * 100) - 5: int((start_s + duration_s) * 100) + 30] = False
    onsets = np.flatnonzero(loud[1:] & ~loud[:-1]) / 100.0
    if mode == "off":
        assert onsets.size == 0
        return
    intervals = np.diff(onsets)
    steady = intervals[(intervals > 0.2) & (intervals < 0.5)]
    assert steady.size > 100
    assert 60.0 / np.median(steady) == pytest.approx(180.0, abs=2.0)
