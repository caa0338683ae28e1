"""Octave properties of the cadence tracker on step signals with a stride sub-harmonic.

Every placement away from the trunk adds a component once per stride (arm swing at the
wrist, a thigh in a pocket, the leg that carries an ankle sensor), and left and right
steps differ. None of that may turn a step rate into a stride rate, at any sample rate
from 25 to 200 Hz and in any orientation.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacer.dsp.cadence import CadenceTracker
from pacer.dsp.gait_period import RUN_STD_MPS2, WALK_STD_MPS2
from pacer.models import AccelBlock

G_MPS2 = 9.80665


def stepping(cadence_spm: float, rate_hz: float, *, run: bool, stride_g: float,
             asymmetry: float, seed: int, duration_s: float = 12.0) -> np.ndarray:
    """(n, 3) samples: a running (half-sine stance averaging 1 g, free fall in flight)
    or walking (pendulum) step waveform, alternate steps scaled by 1 +- asymmetry, plus a
    stride-rate sinusoid of ``stride_g`` on a random axis, in a random orientation."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(duration_s * rate_hz)) / rate_hz
    step_s = 60.0 / cadence_spm
    phase = (t / step_s + rng.uniform()) % 2.0  # 0..2 over one stride
    side = np.where(phase < 1.0, 1.0 + asymmetry, 1.0 - asymmetry)
    within = phase % 1.0
    if run:
        contact = 0.4
        stance = np.where(within < contact, np.sin(np.pi * within / contact), 0.0)
        vertical = G_MPS2 * stance * (np.pi / (2 * contact)) * side
    else:
        vertical = G_MPS2 * (1.0 + 0.25 * side * np.cos(2 * np.pi * within))
    sway = stride_g * G_MPS2 * np.sin(np.pi * phase + rng.uniform(0, 2 * np.pi))
    body = np.stack([sway * rng.uniform(0.3, 1.0), sway * rng.uniform(0.0, 0.5), vertical], axis=1)
    body += rng.normal(0.0, 0.3, body.shape)
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    return body @ q.T


def estimates(samples: np.ndarray, rate_hz: float) -> list:
    tracker = CadenceTracker()
    out = []
    n = max(1, round(0.25 * rate_hz))
    for start in range(0, samples.shape[0], n):
        out += tracker.push(AccelBlock(start / rate_hz, rate_hz, samples[start: start + n]))
    return [e for e in out if e.t_s >= tracker.window_s + 1.0]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cadence_spm=st.floats(140.0, 200.0),
    rate_hz=st.floats(25.0, 200.0),
    stride_g=st.floats(0.0, 0.6),
    asymmetry=st.floats(0.0, 0.3),
    seed=st.integers(0, 2**16),
)
def test_running_with_a_stride_component_never_reads_half(
    cadence_spm, rate_hz, stride_g, asymmetry, seed
):
    samples = stepping(cadence_spm, rate_hz, run=True, stride_g=stride_g,
                       asymmetry=asymmetry, seed=seed)
    est = estimates(samples, rate_hz)
    assert est
    for e in est:
        assert e.cadence_spm is not None
        assert abs(e.cadence_spm / cadence_spm - 1.0) < 0.03
        assert e.mode == "run"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cadence_spm=st.floats(90.0, 130.0),
    rate_hz=st.floats(25.0, 200.0),
    stride_g=st.floats(0.0, 0.4),
    asymmetry=st.floats(0.0, 0.3),
    seed=st.integers(0, 2**16),
)
def test_walking_with_a_stride_component_is_never_halved_or_doubled(
    cadence_spm, rate_hz, stride_g, asymmetry, seed
):
    samples = stepping(cadence_spm, rate_hz, run=False, stride_g=stride_g,
                       asymmetry=asymmetry, seed=seed)
    for e in estimates(samples, rate_hz):
        if e.cadence_spm is not None:  # a weak rhythm may say nothing, never a wrong octave
            assert abs(e.cadence_spm / cadence_spm - 1.0) < 0.03
            assert e.mode == "walk"


def test_gps_speed_settles_a_stride_only_running_signal():
    """A stride-only signal of running intensity between the two intensity rules: with a
    GPS speed of 3.4 m/s the step length says 170 spm, spoken with confidence."""
    rate_hz, cadence_spm = 100.0, 170.0
    t = np.arange(int(12 * rate_hz)) / rate_hz
    stride_hz = cadence_spm / 120.0
    rng = np.random.default_rng(5)
    swing = 6.5 * np.sin(2 * np.pi * stride_hz * t) + 2.5 * np.sin(4 * np.pi * stride_hz * t + 2.0)
    samples = np.stack([0.0 * t, 0.0 * t, G_MPS2 + swing], axis=1) + rng.normal(0, 0.2, (t.size, 3))
    std_mps2 = float(np.linalg.norm(samples, axis=1).std())
    assert WALK_STD_MPS2 < std_mps2 < RUN_STD_MPS2  # the intensity cannot settle it
    for speed_mps, expected in ((3.4, 170.0), (None, None)):
        tracker = CadenceTracker()
        out = []
        for start in range(0, t.size, 25):
            if speed_mps is not None:
                tracker.note_speed(start / rate_hz, speed_mps)
            out += tracker.push(AccelBlock(start / rate_hz, rate_hz, samples[start: start + 25]))
        late = [e for e in out if e.t_s >= 6.0]
        if expected is not None:
            assert all(abs(e.cadence_spm - expected) < 1.5 and e.confidence >= 0.5 for e in late)
        else:  # without the speed the octave is a guess: never confident enough to speak
            assert all(e.confidence < 0.5 for e in late)
