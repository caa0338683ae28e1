"""Mixer timeline: one voice at a time, priorities, expiry, ducking, click placement."""

from __future__ import annotations

import itertools
import struct

import numpy as np
import pytest

from pacer.audio.metronome import click_pcm
from pacer.audio.mixer import Mixer
from pacer.audio.pcm import Pcm, pcm_from_wav_bytes, resample
from pacer.errors import AudioError

RATE = 8000


def tone(duration_s: float, freq_hz: float = 300.0, amp: float = 8000.0, rate: int = RATE) -> Pcm:
    t = np.arange(int(duration_s * rate)) / rate
    return Pcm((amp * np.sin(2 * np.pi * freq_hz * t)).astype(np.int16), rate, "test")


def active_runs(x: np.ndarray, rate: int, thresh: float = 500.0) -> list[tuple[float, float]]:
    """(start_s, end_s) of stretches where |x| exceeds thresh (gaps < 10 ms bridged)."""
    idx = np.flatnonzero(np.abs(x.astype(float)) > thresh)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > rate // 100)
    starts = np.r_[idx[0], idx[breaks + 1]]
    ends = np.r_[idx[breaks], idx[-1]]
    return [(s / rate, e / rate) for s, e in zip(starts, ends, strict=True)]


def test_phrases_never_overlap_and_queue_with_a_gap():
    m = Mixer(rate_hz=RATE, gap_s=0.15)
    ids = [m.schedule_speech(t, tone(1.0), priority=1) for t in (0.5, 0.8, 1.0)]
    outs = [m.outcome(i) for i in ids]
    assert outs[0].start_s == pytest.approx(0.5)
    for a, b in itertools.pairwise(outs):
        assert b.start_s >= a.start_s + a.duration_s + 0.15 - 1e-9
    audio = m.render(0.0, 5.0)
    runs = active_runs(audio, RATE)
    assert len(runs) == 3  # three separate stretches of speech, silence between
    for (s, _), o in zip(runs, outs, strict=True):
        assert s == pytest.approx(o.start_s, abs=2 / RATE)


def test_higher_priority_cuts_a_playing_phrase_with_a_fade():
    m = Mixer(rate_hz=RATE)
    low = m.schedule_speech(0.0, tone(2.0), priority=1)
    m.pull(int(0.5 * RATE))  # 0.5 s of the low phrase has been played
    high = m.schedule_speech(0.5, tone(0.5, freq_hz=700.0), priority=5)
    lo, hi = m.outcome(low), m.outcome(high)
    assert lo.truncated and not lo.dropped
    assert lo.start_s + lo.duration_s <= hi.start_s + 1e-9
    assert hi.start_s == pytest.approx(0.5 + 0.01, abs=2 / RATE)  # after the fade
    rest = m.pull(int(1.5 * RATE)).astype(float)
    # after the go cue ends nothing of the cut phrase comes back
    assert np.abs(rest[int(0.6 * RATE) :]).max() == 0


def test_higher_priority_moves_a_waiting_phrase_behind_it():
    m = Mixer(rate_hz=RATE, gap_s=0.1)
    low = m.schedule_speech(1.0, tone(1.0), priority=1)
    high = m.schedule_speech(1.2, tone(0.5), priority=3)
    lo, hi = m.outcome(low), m.outcome(high)
    assert hi.start_s == pytest.approx(1.2)
    assert lo.start_s == pytest.approx(1.2 + 0.5 + 0.1)
    assert not lo.dropped and not lo.truncated


def test_a_phrase_that_would_start_after_its_expiry_is_dropped():
    m = Mixer(rate_hz=RATE)
    m.schedule_speech(0.0, tone(2.0), priority=2)
    stale = m.schedule_speech(0.5, tone(1.0), priority=1, expires_s=1.5)
    ok = m.schedule_speech(0.6, tone(0.5), priority=1, expires_s=5.0)
    assert m.outcome(stale).dropped and m.outcome(stale).start_s is None
    assert not m.outcome(ok).dropped
    runs = active_runs(m.render(0.0, 4.0), RATE)
    assert len(runs) == 2


def test_speech_ducks_the_clicks_measurably():
    m = Mixer(rate_hz=RATE, duck_gain=0.25, duck_ramp_s=0.03)
    for t in np.arange(0.0, 3.0, 0.5):
        m.schedule_click(float(t))
    speech = Pcm(np.zeros(RATE, np.int16), RATE)  # silent "speech": only the ducking shows
    m.schedule_speech(1.0, speech)
    out = m.render(0.0, 3.0).astype(float)
    click = click_pcm(RATE).samples.astype(float)

    def peak(t):
        return np.abs(out[int(t * RATE) : int(t * RATE) + click.size]).max()

    free, ducked = peak(0.5), peak(1.5)
    assert free == pytest.approx(np.abs(click).max(), rel=0.01)
    assert ducked == pytest.approx(0.25 * free, rel=0.02)
    assert peak(2.5) == pytest.approx(free, rel=0.01)  # released after the phrase


def test_clicks_land_on_the_exact_sample():
    m = Mixer(rate_hz=RATE)
    times = [0.1, 0.4375, 1.0001]
    for t in times:
        m.schedule_click(t)
    out = m.render(0.0, 1.5)
    click = click_pcm(RATE).samples
    expected = np.zeros(int(1.5 * RATE), np.int16)
    for t in times:
        n = round(t * RATE)
        expected[n : n + click.size] = click
    np.testing.assert_array_equal(out, expected)


def test_pull_is_the_same_as_render_and_blocks_join_seamlessly():
    m = Mixer(rate_hz=RATE, block_s=0.02)
    m.schedule_speech(0.05, tone(0.3))
    for t in (0.01, 0.2, 0.33):
        m.schedule_click(t)
    whole = m.render(0.0, 0.5)
    blocks = np.concatenate([m.pull() for _ in range(25)])
    np.testing.assert_array_equal(blocks, whole)
    assert m.now_s == pytest.approx(0.5)


def test_nothing_is_placed_before_the_cursor():
    m = Mixer(rate_hz=RATE)
    m.pull(RATE)  # 1 s already played
    pid = m.schedule_speech(0.2, tone(0.2))
    assert m.outcome(pid).start_s == pytest.approx(1.0)


def test_resample_keeps_duration_and_tone():
    p = tone(1.0, freq_hz=440.0, rate=22050)
    q = resample(p, 16000)
    assert q.n == 16000 and q.rate_hz == 16000
    spec = np.abs(np.fft.rfft(q.samples.astype(float)))
    assert np.argmax(spec) == pytest.approx(440, abs=1)
    assert resample(p, 22050) is p


def test_streamed_wav_header_with_placeholder_sizes_parses():
    pcm = (np.arange(100) - 50).astype("<i2")
    fmt = struct.pack("<4sIHHIIHH", b"fmt ", 16, 1, 1, 22050, 44100, 2, 16)
    data = b"RIFF" + struct.pack("<I", 0x7FFFF000) + b"WAVE" + fmt
    data += b"data" + struct.pack("<I", 0x7FFFF000) + pcm.tobytes()
    p = pcm_from_wav_bytes(data)
    assert p.rate_hz == 22050
    np.testing.assert_array_equal(p.samples, pcm)
    with pytest.raises(AudioError, match="RIFF"):
        pcm_from_wav_bytes(b"nonsense" * 4)
