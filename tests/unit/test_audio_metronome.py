"""Metronome known answers: fixed grid, adaptive ramp, phase lock to footfalls."""

from __future__ import annotations

import numpy as np
import pytest

from pacer.audio.metronome import Metronome, click_pcm
from pacer.models import Footfall


def _windows(m: Metronome, t_end_s: float, step_s: float = 0.5, **kw) -> np.ndarray:
    out = [m.clicks(t, t + step_s, **kw) for t in np.arange(0.0, t_end_s, step_s)]
    return np.concatenate(out)


@pytest.mark.parametrize("spm", [150.0, 170.0, 182.5])
def test_fixed_clicks_are_an_exact_grid_across_windows(spm):
    m = Metronome(spm)
    times = _windows(m, 10.0, step_s=0.37)
    expected = np.arange(0.0, 10.0 - 1e-9, 60.0 / spm)
    expected = expected[expected < 0.37 * np.ceil(10.0 / 0.37)]
    np.testing.assert_allclose(times[: expected.size], expected, atol=1e-9)
    assert np.all(np.diff(times) > 0)


def test_fixed_gap_in_windows_keeps_phase():
    m = Metronome(180.0)
    m.clicks(0.0, 1.0)
    later = m.clicks(5.0, 6.0)
    period = 60.0 / 180.0
    phase = (later / period) - np.round(later / period)
    np.testing.assert_allclose(phase, 0.0, atol=1e-9)
    assert later[0] >= 5.0


def test_adaptive_ramps_from_current_cadence_to_target_at_step_rate():
    m = Metronome(176.0, mode="adaptive", step_spm_per_s=2.0)
    times = m.clicks(0.0, 12.0, current_cadence_spm=164.0)
    rates = 60.0 / np.diff(times)
    assert rates[0] == pytest.approx(164.0, abs=1.0)
    assert np.all(np.diff(rates) >= -1e-9)  # monotone toward the target
    # each change is bounded by step * interval
    assert np.all(np.diff(rates) <= 2.0 * np.diff(times)[:-1] + 1e-6)
    assert rates[-1] == pytest.approx(176.0)
    # reaching +12 spm at 2 spm/s takes ~6 s
    t_reach = times[1:][np.argmax(rates >= 176.0 - 1e-9)]
    assert 5.5 <= t_reach <= 7.0


def test_adaptive_without_cadence_starts_at_target():
    m = Metronome(170.0, mode="adaptive")
    np.testing.assert_allclose(60.0 / np.diff(m.clicks(0.0, 5.0)), 170.0)


def test_locked_phase_error_shrinks_toward_the_runners_footfalls():
    spm = 180.0
    period = 60.0 / spm
    offset_s = 0.11  # runner lands 110 ms after the initial grid
    feet = [Footfall(offset_s + k * period) for k in range(200)]
    m = Metronome(spm, mode="locked", lock_gain=0.3)
    errors = []
    clicks = []
    for t0 in np.arange(0.0, 20.0, 1.0):
        # the detector reports footfalls late: only those before this window
        c = m.clicks(t0, t0 + 1.0, footfalls=[f for f in feet if f.t_s < t0])
        clicks.extend(c.tolist())
    for t in clicks:
        e = (t - offset_s + period / 2) % period - period / 2
        errors.append(abs(e))
    assert errors[0] == pytest.approx(offset_s, abs=1e-9)
    assert errors[-1] < 0.005
    assert max(errors[-10:]) < errors[0] / 10
    # the rate stays at the target once locked
    np.testing.assert_allclose(60.0 / np.diff(clicks[-10:]), spm, rtol=0.01)


def test_locked_ignores_zero_confidence_footfalls():
    m = Metronome(180.0, mode="locked")
    feet = [Footfall(0.1 + k / 3.0, confidence=0.0) for k in range(30)]
    c = m.clicks(0.0, 8.0, footfalls=feet)
    np.testing.assert_allclose(np.diff(c), 1 / 3.0, atol=1e-12)


def test_bad_settings_are_rejected():
    with pytest.raises(ValueError, match="mode"):
        Metronome(170, mode="swing")
    with pytest.raises(ValueError, match="spm"):
        Metronome(1000)


def test_accent_every_marks_the_first_of_each_group():
    m = Metronome(120.0, accent_every=4)
    _, acc = m.click_events(0.0, 4.0)
    assert acc.tolist() == [True, False, False, False] * 2


def test_click_is_a_short_decaying_burst_and_accent_is_louder():
    c, a = click_pcm(22050), click_pcm(22050, accent=True)
    assert c.samples.dtype == np.int16 and c.rate_hz == 22050
    x = np.abs(c.samples.astype(float))
    assert x[: x.size // 4].max() > 10 * x[-x.size // 4 :].max()
    assert np.abs(a.samples).max() > np.abs(c.samples).max()
