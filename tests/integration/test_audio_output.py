"""AudioOut end to end with real engines: speech where cues were placed, silence elsewhere."""

from __future__ import annotations

import ctypes.util
import shutil
import textwrap
import time
import wave

import numpy as np
import pytest

from pacer.audio.metronome import click_pcm
from pacer.audio.output import AudioOut
from pacer.models import Cue, CueKind, Footfall

RATE = 22050
HAS_LIB = ctypes.util.find_library("espeak-ng") is not None
HAS_CLI = shutil.which("espeak-ng") is not None
ENGINES = [
    pytest.param(
        "pyttsx3", marks=pytest.mark.skipif(not HAS_LIB, reason="libespeak-ng1 not installed")
    ),
    pytest.param("espeak", marks=pytest.mark.skipif(not HAS_CLI, reason="espeak-ng not installed")),
]


def read_wav(path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(float)


def loud(x: np.ndarray, t0_s: float, t1_s: float) -> float:
    seg = x[int(t0_s * RATE) : int(t1_s * RATE)]
    return float(np.abs(seg).max()) if seg.size else 0.0


@pytest.mark.parametrize("engine", ENGINES)
def test_offline_soundtrack_has_speech_at_cue_times_and_silence_elsewhere(tmp_path, engine):
    path = tmp_path / "session.wav"
    audio = AudioOut(engine=engine, wav_path=path, live=False)
    cues = [
        Cue(2.0, CueKind.PREVIEW, "rep 1 of 4, 400 at 72", priority=1),
        Cue(8.0, CueKind.HALFWAY, "halfway, 35.6, on pace for 71.2", priority=2),
    ]
    for t in range(13):
        for c in cues:
            if c.t_s == t:
                audio.say(c)
        audio.advance(float(t) + 1.0)
    outcomes = audio.close()
    x = read_wav(path)
    assert x.size == 13 * RATE
    for c, o in zip(cues, outcomes, strict=True):
        assert not o.dropped and o.start_s == pytest.approx(c.t_s)
        assert o.engine in ("pyttsx3", "espeak-ng")
        assert 0.5 < o.duration_s < 5.0
        assert loud(x, o.start_s, o.start_s + o.duration_s) > 3000
    ends = [o.start_s + o.duration_s for o in outcomes]
    assert loud(x, 0.0, 2.0) == 0.0  # silence before the first cue
    assert loud(x, ends[0] + 0.05, 8.0) == 0.0  # and between the cues
    assert loud(x, ends[1] + 0.05, 13.0) == 0.0


def test_offline_metronome_clicks_at_the_cadence_and_ducked_under_speech(tmp_path):
    path = tmp_path / "metro.wav"
    audio = AudioOut(engine="espeak" if HAS_CLI else "none", wav_path=path, live=False)
    audio.set_metronome(180.0)
    audio.advance(4.0)
    audio.set_metronome(None)
    audio.advance(6.0)
    audio.close()
    x = read_wav(path)
    click = click_pcm(RATE).samples.astype(float)
    for k in range(12):  # 180 spm: one click every 1/3 s from t=0
        n = round(k * RATE / 3.0)
        np.testing.assert_array_equal(x[n : n + click.size], click)
    assert loud(x, 4.05, 6.0) == 0.0  # metronome off


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("aplay") is None, reason="aplay (alsa-utils) missing")
@pytest.mark.skipif(not HAS_CLI, reason="espeak-ng not installed")
def test_live_path_plays_speech_and_clicks_through_alsa(tmp_path, monkeypatch):
    cap = tmp_path / "captured.raw"
    (tmp_path / ".asoundrc").write_text(
        textwrap.dedent(
            f"""
            pcm.!default {{ type file slave.pcm "null" file "{cap}" format "raw" }}
            """
        )
    )
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("ALSA_CONFIG_PATH", raising=False)
    wav = tmp_path / "live.wav"
    audio = AudioOut(engine="espeak", sink="alsa", wav_path=wav, live=True)
    audio.set_metronome(170.0)
    t0 = time.monotonic()
    audio.say(Cue(0.0, CueKind.GO, "go", priority=5))
    time.sleep(1.2)
    audio.advance(time.monotonic() - t0, current_cadence_spm=168.0)
    audio.say(Cue(time.monotonic() - t0, CueKind.SPLIT, "one hundred, eighteen", priority=1))
    outcomes = audio.close()
    assert [o.dropped for o in outcomes] == [False, False]
    assert all(o.engine == "espeak-ng" for o in outcomes)
    assert outcomes[1].start_s >= outcomes[0].start_s + outcomes[0].duration_s
    x = np.fromfile(cap, "<i2").astype(float)
    w = read_wav(wav)
    alsa = audio.sink.sinks[0]
    if alsa.dropped_blocks == 0:
        np.testing.assert_array_equal(x[: w.size], w)  # the card got what the file got
    else:  # a starved aplay (heavily loaded machine) loses whole blocks, nothing else
        assert x.size >= w.size - alsa.dropped_blocks * audio.mixer.block_n
    # speech where the mixer says it started (timeline = mixer samples from 0)
    assert x.size > 2.0 * RATE
    peaks = np.flatnonzero(np.abs(x) > 3000)
    assert peaks.size > 0.1 * RATE  # speech, not just clicks


@pytest.mark.skipif(not HAS_CLI, reason="espeak-ng not installed")
def test_prefetched_phrases_come_from_the_cache(tmp_path):
    audio = AudioOut(engine="espeak", live=False)
    audio.prefetch(["3", "2", "1", "go"])
    worker = audio._worker
    futures = [worker.request(t) for t in ("3", "2", "1", "go")]
    assert all(f.result(timeout=10).n > 0 for f in futures)
    assert all(worker.cached(t) for t in ("3", "2", "1", "go"))
    audio.say(Cue(1.0, CueKind.GO, "go", priority=5))
    audio.advance(3.0)
    [out] = audio.close()
    assert out.engine == "espeak-ng" and out.start_s == pytest.approx(1.0)


def test_offline_locked_metronome_follows_footfalls_given_to_advance(tmp_path):
    path = tmp_path / "locked.wav"
    audio = AudioOut(engine="none", wav_path=path, live=False)
    audio.set_metronome(180.0, mode="locked")
    period = 1 / 3.0
    feet = [0.1 + k * period for k in range(100)]
    for t in np.arange(0.5, 20.5, 0.5):  # footfalls reported half a second late
        new = [Footfall(f) for f in feet if t - 1.0 <= f < t - 0.5]
        audio.advance(float(t), current_cadence_spm=180.0, footfalls=new)
    audio.close()
    x = read_wav(path)
    onsets = np.flatnonzero((np.abs(x[1:]) > 0) & (x[:-1] == 0)) + 1
    gaps = np.diff(onsets)
    starts = onsets[np.r_[True, gaps > 0.1 * RATE]] / RATE
    late = starts[starts > 15.0]
    err = (late - 0.1 + period / 2) % period - period / 2
    assert late.size >= 10
    assert np.abs(err).max() < 0.005  # clicks now land on the runner's steps
    assert abs(((starts[0] - 0.1 + period / 2) % period) - period / 2) > 0.05  # not at first


def test_live_output_degrades_to_null_when_alsa_cannot_open(tmp_path):
    audio = AudioOut(engine="none", sink="alsa", device="nosuchdevice", live=True)
    try:
        if shutil.which("aplay") is None:
            assert "alsa-utils" in audio.sink_error
        else:
            assert "nosuchdevice" in audio.sink_error
        audio.set_metronome(170.0)
        audio.say(Cue(0.0, CueKind.STATUS, "still running"))
    finally:
        [out] = audio.close()
    assert out.dropped and out.reason == "no speech engine"
