"""Sinks: WAV file valid even after a crash; ALSA through a file device set up here."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import wave

import numpy as np
import pytest

from pacer.audio.sinks import AlsaSink, NullSink, WavSink
from pacer.errors import AudioError, SessionError

RATE = 22050
needs_aplay = pytest.mark.skipif(shutil.which("aplay") is None, reason="aplay (alsa-utils) missing")
needs_sox = pytest.mark.skipif(shutil.which("sox") is None, reason="sox missing")


def ramp(n: int) -> np.ndarray:
    return ((np.arange(n) * 37) % 20000 - 10000).astype(np.int16)


def read_wav(path) -> tuple[int, np.ndarray]:
    with wave.open(str(path), "rb") as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        return w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), "<i2")


@pytest.fixture
def alsa_capture(tmp_path, monkeypatch):
    """Point ALSA's default device at a file (``type file`` over ``null``) via $HOME."""
    cap = tmp_path / "captured.raw"
    (tmp_path / ".asoundrc").write_text(
        textwrap.dedent(
            f"""
            pcm.!default {{
                type file
                slave.pcm "null"
                file "{cap}"
                format "raw"
            }}
            """
        )
    )
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("ALSA_CONFIG_PATH", raising=False)
    return cap


def test_wav_sink_writes_a_file_wave_reads_back(tmp_path):
    x = ramp(3 * RATE + 17)
    s = WavSink(tmp_path / "sub" / "out.wav", RATE)
    for i in range(0, x.size, 441):
        s.write(x[i : i + 441])
    s.close()
    rate, y = read_wav(tmp_path / "sub" / "out.wav")
    assert rate == RATE
    np.testing.assert_array_equal(y, x)


@needs_sox
def test_wav_sink_file_is_valid_for_sox(tmp_path):
    path = tmp_path / "out.wav"
    s = WavSink(path, RATE)
    s.write(ramp(RATE))
    s.close()
    info = subprocess.run(["sox", "--i", str(path)], capture_output=True, text=True, check=True)
    assert "Channels       : 1" in info.stdout
    assert "Sample Rate    : 22050" in info.stdout
    assert "22050 samples" in info.stdout


def test_wav_sink_file_is_complete_after_a_crash_mid_way(tmp_path):
    path = tmp_path / "crash.wav"
    code = textwrap.dedent(
        f"""
        import os, numpy as np
        from pacer.audio.sinks import WavSink
        s = WavSink({str(path)!r}, {RATE}, flush_s=0.5)
        x = ((np.arange({RATE} * 2) * 37) % 20000 - 10000).astype(np.int16)
        for i in range(0, x.size, 441):
            s.write(x[i : i + 441])
        os._exit(3)  # dies without close(): no final header patch, no flush at exit
        """
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert done.returncode == 3, done.stderr
    rate, y = read_wav(path)
    assert rate == RATE
    # everything up to the last periodic flush is there, and the header agrees with it
    assert y.size >= RATE * 1.5
    np.testing.assert_array_equal(y, ramp(2 * RATE)[: y.size])


def test_wav_sink_unwritable_path_is_a_session_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(SessionError, match="cannot write audio"):
        WavSink(tmp_path / "file" / "out.wav", RATE)


def test_null_sink_counts():
    s = NullSink(RATE)
    s.write(ramp(100))
    s.write(ramp(50))
    assert s.samples_written == 150


@needs_aplay
def test_alsa_sink_feeds_one_long_lived_aplay(alsa_capture):
    x = ramp(2 * RATE)
    s = AlsaSink("default", RATE)
    pid = s._proc.pid
    for i in range(0, x.size, 441):
        s.write(x[i : i + 441])
    assert s._proc.pid == pid  # one process for the whole stream
    s.close()
    y = np.fromfile(alsa_capture, "<i2")
    np.testing.assert_array_equal(y[: x.size], x)
    assert s.dropped_blocks == 0 and s.restarts == 0


@needs_aplay
def test_alsa_sink_restarts_aplay_when_it_dies(alsa_capture):
    s = AlsaSink("default", RATE, restart_backoff_s=0.0)
    s.write(ramp(441))
    s._proc.kill()
    s._proc.wait()
    for _ in range(5):  # writes during the death are dropped, never raised or blocked
        s.write(ramp(441))
    assert s.restarts >= 1
    assert s._proc.poll() is None
    s.close()


@needs_aplay
def test_alsa_sink_bad_device_is_a_clear_error(alsa_capture):
    with pytest.raises(AudioError, match="aplay -D nosuchdevice"):
        AlsaSink("nosuchdevice", RATE)


def test_alsa_sink_without_aplay_is_a_clear_error():
    with pytest.raises(AudioError, match="alsa-utils"):
        AlsaSink(executable="aplay-does-not-exist")
