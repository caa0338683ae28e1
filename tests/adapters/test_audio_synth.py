"""Real speech engines: pyttsx3 (libespeak-ng1) and the espeak-ng command line."""

from __future__ import annotations

import ctypes.util
import shutil
import sys

import numpy as np
import pytest

from pacer.audio.synth import EspeakSynth, Pyttsx3Synth
from pacer.errors import AudioError

HAS_LIBESPEAK = ctypes.util.find_library("espeak-ng") is not None
HAS_ESPEAK_CLI = shutil.which("espeak-ng") is not None
needs_lib = pytest.mark.skipif(
    not HAS_LIBESPEAK, reason="libespeak-ng1 not installed (apt install libespeak-ng1)"
)
needs_cli = pytest.mark.skipif(
    not HAS_ESPEAK_CLI, reason="espeak-ng not installed (apt install espeak-ng)"
)


def _speechlike(samples: np.ndarray, rate_hz: int) -> None:
    x = samples.astype(float)
    assert x.size > 0.3 * rate_hz  # a short phrase lasts a good fraction of a second
    assert np.abs(x).max() > 3000  # audible level
    # speech has pauses and voiced parts: short-time energy varies a lot
    frames = x[: x.size // 220 * 220].reshape(-1, 220)
    energy = (frames**2).mean(axis=1)
    assert energy.max() > 100 * max(np.percentile(energy, 10), 1.0)


@pytest.fixture
def pyttsx3_synth():
    if not HAS_LIBESPEAK:
        pytest.skip("libespeak-ng1 not installed (apt install libespeak-ng1)")
    s = Pyttsx3Synth(rate_wpm=175)
    yield s
    s.close()


@needs_lib
def test_pyttsx3_renders_speech_to_pcm(pyttsx3_synth, capfd):
    pcm = pyttsx3_synth.render("rep 3 of 8, 400 at 72")
    assert pcm.rate_hz == 22050 and pcm.engine == "pyttsx3"
    _speechlike(pcm.samples, pcm.rate_hz)
    out, _ = capfd.readouterr()
    assert "Audio saved" not in out  # the driver's print is silenced


@needs_lib
def test_pyttsx3_renders_many_phrases_in_a_row(pyttsx3_synth):
    texts = ["go", "halfway, 35.6, on pace for 71.2", "-go", "ease off", "go"]
    pcms = [pyttsx3_synth.render(t) for t in texts]
    assert all(p.n > 0 for p in pcms)
    assert pcms[1].n > 2 * pcms[0].n  # longer text, longer audio: each save got its own text
    assert abs(pcms[4].n - pcms[0].n) < 0.1 * pcms[0].n


@needs_lib
def test_pyttsx3_rate_is_applied():
    # bug 4 in FIELD_NOTES: a rate set at the wrong moment is silently dropped
    if "pyttsx3.drivers.espeak" not in sys.modules:
        pytest.skip("needs the espeak driver")
    text = "rep 5 of 8, 400 at 72 seconds"
    slow = Pyttsx3Synth(rate_wpm=120).render(text)
    fast = Pyttsx3Synth(rate_wpm=260).render(text)
    assert fast.n < 0.7 * slow.n


@needs_lib
def test_pyttsx3_unknown_voice_is_a_clear_error():
    with pytest.raises(AudioError, match="unknown voice"):
        Pyttsx3Synth(voice="no-such-voice")


@needs_cli
def test_espeak_cli_renders_speech_and_resamples():
    s = EspeakSynth(rate_wpm=175)
    pcm = s.render("rep 3 of 8, 400 at 72")
    assert pcm.engine == "espeak-ng" and pcm.rate_hz == 22050
    _speechlike(pcm.samples, pcm.rate_hz)
    p16 = EspeakSynth(rate_hz=16000).render("rep 3 of 8, 400 at 72")
    assert p16.rate_hz == 16000
    assert p16.n == pytest.approx(pcm.n * 16000 / 22050, rel=0.02)


@needs_cli
def test_espeak_cli_bad_voice_and_missing_binary_are_clear_errors():
    with pytest.raises(AudioError, match="espeak-ng"):
        EspeakSynth(voice="nonexist").render("go")
    with pytest.raises(AudioError, match="not found"):
        EspeakSynth(executable="espeak-ng-does-not-exist")


@needs_lib
def test_pyttsx3_older_engine_fails_fast_instead_of_hanging():
    # libespeak-ng has one callback per process: a second engine takes it over, and the
    # first one's runAndWait would then wait forever. It must raise instead.
    first = Pyttsx3Synth()
    second = Pyttsx3Synth()
    with pytest.raises(AudioError, match="took over"):
        first.render("go")
    assert second.render("go").n > 0
