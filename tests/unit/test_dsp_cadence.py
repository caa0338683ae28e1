"""Known-answer and property tests for pacer.dsp.cadence (synthetic gait)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers.dsp_cadence_synth import G_MPS2, blocks, gait
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacer.dsp.cadence import CadenceEstimate, CadenceTracker, estimate_cadence
from pacer.models import AccelBlock

CAL_ERROR = 0.001  # the runtime's rate calibration is modelled as good to ~0.1 %


def run_tracker(synth, calibrated_rate_hz, block_s=0.25, tracker=None):
    tracker = tracker or CadenceTracker()
    estimates, footfalls = [], []
    for b in blocks(synth, calibrated_rate_hz, block_s):
        estimates += tracker.push(b)
        footfalls += tracker.footfalls()
    return tracker, estimates, footfalls


def calibrated(synth):
    return synth.true_rate_hz * (1.0 + CAL_ERROR)


@pytest.mark.parametrize("rate_hz", [50.0, 100.0])
@pytest.mark.parametrize("rate_error", [-0.03, 0.0, 0.03])
@pytest.mark.parametrize(
    ("cadence_spm", "run", "mode"),
    [(152.0, True, "run"), (188.0, True, "run"), (96.0, False, "walk"), (126.0, False, "walk")],
)
def test_known_cadence_over_rates_and_rate_error(rate_hz, rate_error, cadence_spm, run, mode):
    synth = gait(cadence_spm, 20.0, rate_hz, rate_error=rate_error, run=run, seed=3)
    _, est, _ = run_tracker(synth, calibrated(synth))
    settled = [e for e in est if e.t_s >= 4.0]
    assert len(settled) >= 15
    values = np.array([e.cadence_spm for e in settled], dtype=float)
    # The tracker's clock is the calibrated one: 0.1 % off, i.e. ~0.2 spm at 190 spm.
    assert np.all(np.abs(values - cadence_spm) < 1.5)
    assert {e.mode for e in settled} == {mode}
    # the first estimate is a new rhythm: it waits one hop for confirmation before its
    # confidence reaches the coach's speaking floor (0.5)
    assert settled[0].confidence < 0.5
    assert all(0.5 < e.confidence <= 1.0 for e in settled[1:])


def test_uncalibrated_rate_error_shows_as_bias():
    """Feeding the nominal rate of a 3 % fast sensor reads 3 % low: calibration matters."""
    synth = gait(170.0, 12.0, 100.0, rate_error=0.03, seed=4)
    _, est, _ = run_tracker(synth, 100.0)
    value = est[-1].cadence_spm
    assert value is not None and abs(value - 170.0 / 1.03) < 1.0


def test_one_estimate_per_hop_stamped_at_window_end():
    synth = gait(170.0, 10.0, 100.0, seed=5)
    _, est, _ = run_tracker(synth, 100.0, block_s=0.37)
    times = np.array([e.t_s for e in est])
    np.testing.assert_allclose(np.diff(times), 1.0)
    assert times[0] == pytest.approx(1.0)
    assert [e.cadence_spm is None for e in est[:3]] == [True, True, True]  # window filling
    assert all(e.cadence_spm is not None for e in est[3:])


def test_standing_gives_none_and_still():
    rng = np.random.default_rng(6)
    tracker = CadenceTracker()
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    samples = np.array([0.0, 0.0, G_MPS2]) @ q.T + rng.normal(0, 0.05, (1000, 3))
    est = tracker.push(AccelBlock(0.0, 100.0, samples))
    assert len(est) == 10
    assert all(e.cadence_spm is None for e in est)
    assert {e.mode for e in est[4:]} == {"still"}
    assert tracker.footfalls() == []
    assert tracker.latest is est[-1]


def test_running_then_standing_then_walking():
    run = gait(175.0, 20.0, 100.0, seed=7)
    walk = gait(110.0, 20.0, 100.0, run=False, seed=8)
    rng = np.random.default_rng(9)
    stand = np.array([0.0, 0.0, G_MPS2]) + rng.normal(0, 0.05, (2000, 3))
    samples = np.concatenate([run.samples_mps2, stand, walk.samples_mps2])
    tracker = CadenceTracker()
    est = []
    for start in range(0, samples.shape[0], 50):
        est += tracker.push(AccelBlock(start / 100.0, 100.0, samples[start : start + 50]))
    by_t = {round(e.t_s): e for e in est}
    assert by_t[18].mode == "run" and abs(by_t[18].cadence_spm - 175) < 1.5
    assert by_t[38].mode == "still" and by_t[38].cadence_spm is None
    assert by_t[58].mode == "walk" and abs(by_t[58].cadence_spm - 110) < 1.5


@pytest.mark.parametrize(
    ("before_spm", "after_spm"), [(160.0, 185.0), (185.0, 160.0), (110.0, 170.0)]
)
def test_settles_within_5_s_of_a_cadence_change(before_spm, after_spm):
    change_s = 15.0
    run_after = after_spm > 140
    first = gait(before_spm, change_s, 100.0, run=before_spm > 140, seed=10)
    second = gait(after_spm, 15.0, 100.0, run=run_after, seed=11)
    samples = np.concatenate([first.samples_mps2, second.samples_mps2])
    tracker = CadenceTracker()
    est = []
    for start in range(0, samples.shape[0], 25):
        est += tracker.push(AccelBlock(start / 100.0, 100.0, samples[start : start + 25]))
    late = [e for e in est if e.t_s >= change_s + 5.0]
    assert late and all(abs(e.cadence_spm - after_spm) < 1.5 for e in late)


def _footfalls_vs_truth(synth):
    cal = calibrated(synth)
    _, _, footfalls = run_tracker(synth, cal)
    got_s = np.array([f.t_s for f in footfalls]) * cal / synth.true_rate_hz  # to true time
    truth_s = synth.footfalls_s
    inner = truth_s[(truth_s > 1.0) & (truth_s < synth.t_s[-1] - 1.5)]
    j = np.abs(inner[:, None] - got_s[None, :]).argmin(axis=1)
    return got_s, inner, got_s[j] - inner


@pytest.mark.parametrize("rate_hz", [50.0, 100.0])
@pytest.mark.parametrize("cadence_spm", [155.0, 200.0])
@pytest.mark.parametrize("placement", ["hip", "waist"])
def test_footfalls_follow_initial_contact(rate_hz, cadence_spm, placement):
    """Every step found once; the steepest rise lags contact by a few ms, steadily."""
    synth = gait(cadence_spm, 30.0, rate_hz, rate_error=0.02, placement=placement, seed=12)
    got_s, _, err_s = _footfalls_vs_truth(synth)
    assert np.all((err_s > -0.010) & (err_s < 0.030))
    assert abs(np.median(err_s)) < 0.015
    assert np.std(err_s) < 0.006  # a metronome locks to a steady phase
    assert np.all(np.diff(got_s) > 0.5 * 60.0 / cadence_spm)  # no duplicates
    assert len(got_s) <= synth.footfalls_s.size


def test_walking_footfalls_one_per_step():
    synth = gait(110.0, 30.0, 100.0, run=False, placement="waist", seed=21)
    got_s, _, err_s = _footfalls_vs_truth(synth)
    # Heel strike is a soft edge in walking: one footfall per step, near its contact.
    assert np.all(np.abs(err_s) < 0.2 * 60.0 / 110.0)
    assert np.all(np.diff(got_s) > 0.5 * 60.0 / 110.0)
    truth_s = synth.footfalls_s
    span = (truth_s > got_s[0] - 0.1) & (truth_s < got_s[-1] + 0.1)
    assert len(got_s) == np.count_nonzero(span)  # none missed, none extra
    assert got_s[0] < 1.0 and got_s[-1] > synth.t_s[-1] - 2.0


def test_footfalls_are_reported_once():
    synth = gait(170.0, 12.0, 100.0, seed=13)
    tracker, _, footfalls = run_tracker(synth, 100.0)
    assert tracker.footfalls() == []
    t = [f.t_s for f in footfalls]
    assert t == sorted(t) and len(set(t)) == len(t)


def test_gap_restarts_without_exception():
    synth = gait(170.0, 20.0, 100.0, seed=14)
    bl = blocks(synth, 100.0, 0.5)
    tracker = CadenceTracker()
    est = []
    for b in bl[:20]:
        est += tracker.push(b)
    assert est[-1].cadence_spm is not None
    # FIFO overflow: 100 samples lost, the next block starts 1 s later.
    b = bl[22]
    est_after = tracker.push(AccelBlock(b.t0_s, b.rate_hz, b.samples_mps2, lost_samples=100))
    for b in bl[23:]:
        est_after += tracker.push(b)
    assert tracker.restarts == 1
    # New timeline from the restart: first estimates wait for a full window again.
    assert est_after[0].cadence_spm is None
    assert est_after[-1].cadence_spm == pytest.approx(170.0, abs=1.5)
    # A backwards time jump also restarts.
    tracker.push(AccelBlock(0.0, 100.0, synth.samples_mps2[:50]))
    assert tracker.restarts == 2


def test_small_rate_changes_between_blocks_are_resampled():
    """Calibrated rate wobbling +-0.5 % between blocks; stamps consistent with it."""
    synth = gait(180.0, 20.0, 100.0, seed=15)
    rng = np.random.default_rng(16)
    tracker = CadenceTracker()
    est, t0, start = [], 0.0, 0
    while start < synth.t_s.size:
        n = int(rng.integers(10, 60))
        rate = 100.0 * (1 + rng.uniform(-0.005, 0.005))
        est += tracker.push(AccelBlock(t0, rate, synth.samples_mps2[start : start + n]))
        t0 = start / 100.0 + n / 100.0  # true time of the next block's first sample
        start += n
    assert tracker.restarts == 0
    values = [e.cadence_spm for e in est if e.t_s >= 4.0]
    assert all(v is not None and abs(v - 180.0) < 1.5 for v in values)


@pytest.mark.parametrize(
    "samples",
    [
        np.empty((0, 3)),
        np.full((1, 3), 9.8),
        np.full((500, 3), 5.66),
        np.full((500, 3), np.nan),
        np.array([1.0, 2.0, 3.0]),  # wrong shape
    ],
)
def test_degenerate_blocks_give_no_estimate_not_an_exception(samples):
    tracker = CadenceTracker()
    est = []
    for i in range(12):
        est += tracker.push(AccelBlock(i * 5.0, 100.0, samples))
    assert all(e.cadence_spm is None for e in est)
    assert tracker.footfalls() == []


def test_degenerate_rates_and_scattered_nans():
    tracker = CadenceTracker()
    assert tracker.push(AccelBlock(0.0, 0.0, np.ones((10, 3)))) == []
    assert tracker.push(AccelBlock(0.0, float("nan"), np.ones((10, 3)))) == []
    synth = gait(170.0, 12.0, 100.0, seed=17)
    s = synth.samples_mps2.copy()
    s[::37] = np.nan  # isolated glitches are bridged, not fatal
    est = tracker.push(AccelBlock(0.0, 100.0, s))
    assert est[-1].cadence_spm == pytest.approx(170.0, abs=1.5)


def test_estimate_cadence_degenerate_inputs():
    assert estimate_cadence(np.array([1.0]), 100.0) == (None, 0.0, "unknown")
    assert estimate_cadence(np.zeros(400), 100.0)[2] == "still"
    assert estimate_cadence(np.ones(400), -1.0)[0] is None
    assert estimate_cadence(np.full(400, np.nan), 100.0)[0] is None


def test_estimate_is_frozen():
    e = CadenceEstimate(1.0, 170.0, 0.9, "run")
    with pytest.raises(AttributeError):
        e.cadence_spm = 1.0  # type: ignore[misc]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cadence_spm=st.floats(150.0, 210.0),
    amplitude=st.floats(0.8, 1.2),
    asymmetry=st.floats(0.0, 0.25),
    h2=st.floats(0.0, 0.8),
    h3=st.floats(0.0, 0.5),
    placement=st.sampled_from(["hip", "waist", "chest"]),
    rate_hz=st.sampled_from([50.0, 100.0]),
    seed=st.integers(0, 2**16),
)
def test_no_octave_errors_running(
    cadence_spm, amplitude, asymmetry, h2, h3, placement, rate_hz, seed
):
    synth = gait(
        cadence_spm,
        9.0,
        rate_hz,
        placement=placement,
        amplitude=amplitude,
        asymmetry=asymmetry,
        harmonics=(h2, h3),
        seed=seed,
    )
    _, est, _ = run_tracker(synth, synth.true_rate_hz, block_s=1.0)
    for e in est[4:]:
        assert e.cadence_spm is not None
        assert abs(e.cadence_spm / cadence_spm - 1.0) < 0.03  # far from x2 and x0.5


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cadence_spm=st.floats(80.0, 135.0),
    rate_hz=st.sampled_from([50.0, 100.0]),
    amplitude=st.floats(0.6, 1.5),
    asymmetry=st.floats(0.0, 0.2),
    h2=st.floats(0.0, 0.3),
    seed=st.integers(0, 2**16),
)
def test_no_octave_errors_walking(cadence_spm, rate_hz, amplitude, asymmetry, h2, seed):
    synth = gait(
        cadence_spm,
        9.0,
        rate_hz,
        run=False,
        amplitude=amplitude,
        asymmetry=asymmetry,
        harmonics=(h2, 0.0),
        seed=seed,
    )
    _, est, _ = run_tracker(synth, synth.true_rate_hz, block_s=1.0)
    for e in est[4:]:
        assert e.cadence_spm is not None
        assert abs(e.cadence_spm / cadence_spm - 1.0) < 0.03


def test_stride_periodic_pocket_signal_counts_steps():
    """A thigh in a trouser pocket swings once per stride; the steps barely show."""
    rate_hz, cadence_spm = 100.0, 104.0
    t = np.arange(int(40 * rate_hz)) / rate_hz
    stride_hz = cadence_spm / 120.0
    rng = np.random.default_rng(22)
    swing = 4.0 * np.sin(2 * np.pi * stride_hz * t) + 1.5 * np.sin(4 * np.pi * stride_hz * t + 1.3)
    step = 0.3 * np.sin(2 * np.pi * 2 * stride_hz * t)
    samples = np.stack([swing, 0.5 * swing, G_MPS2 + step], axis=1) + rng.normal(
        0, 0.2, (t.size, 3)
    )
    tracker = CadenceTracker()
    est, ff = [], []
    for start in range(0, t.size, 50):
        est += tracker.push(AccelBlock(start / rate_hz, rate_hz, samples[start : start + 50]))
        ff += tracker.footfalls()
    late = [e for e in est if e.t_s >= 5.0]
    assert all(e.mode == "walk" and abs(e.cadence_spm - cadence_spm) < 1.5 for e in late)
    times = np.array([f.t_s for f in ff])
    np.testing.assert_allclose(np.diff(times), 60.0 / cadence_spm, rtol=0.03)
    assert abs(times.size - (times[-1] - times[0]) * cadence_spm / 60.0 - 1) < 1.0
    assert all(f.confidence <= 0.5 for f in ff)  # phase carried, not measured


@pytest.mark.parametrize("hop_s", [0.5, 2.0])
def test_other_hops_and_windows(hop_s):
    synth = gait(176.0, 12.0, 100.0, seed=23)
    tracker = CadenceTracker(window_s=3.0, hop_s=hop_s)
    _, est, _ = run_tracker(synth, 100.0, tracker=tracker)
    times = np.array([e.t_s for e in est])
    np.testing.assert_allclose(np.diff(times), hop_s)
    assert all(abs(e.cadence_spm - 176.0) < 1.5 for e in est if e.t_s >= 3.0)


def test_rate_change_restarts_and_bad_parameters():
    synth = gait(176.0, 12.0, 100.0, seed=24)
    tracker = CadenceTracker()
    tracker.push(AccelBlock(0.0, 100.0, synth.samples_mps2[:100]))
    tracker.push(AccelBlock(1.0, 200.0, synth.samples_mps2[100:300]))  # new output data rate
    assert tracker.restarts == 1
    with pytest.raises(ValueError):
        CadenceTracker(window_s=0.0)
    with pytest.raises(ValueError):
        CadenceTracker(hop_s=-1.0)


def test_jittered_block_stamps_are_tolerated():
    """Block starts stamped +-0.4 sample off (the sampler's regression moving)."""
    synth = gait(168.0, 20.0, 100.0, seed=25)
    rng = np.random.default_rng(26)
    tracker = CadenceTracker()
    est = []
    for start in range(0, synth.t_s.size, 25):
        t0 = start / 100.0 + rng.uniform(-0.004, 0.004)
        est += tracker.push(AccelBlock(t0, 100.0, synth.samples_mps2[start : start + 25]))
    assert tracker.restarts == 0
    assert all(abs(e.cadence_spm - 168.0) < 1.5 for e in est if e.t_s >= 4.0)


def test_sensor_range_clipping_at_2g_is_harmless():
    """An accelerometer left at its +-2 g range clips every running stance."""
    synth = gait(182.0, 15.0, 100.0, seed=27)
    clipped = np.clip(synth.samples_mps2, -2 * G_MPS2, 2 * G_MPS2)
    assert np.mean(np.abs(clipped) >= 2 * G_MPS2 - 1e-9) > 0.01  # it does clip
    tracker = CadenceTracker()
    est = []
    for start in range(0, clipped.shape[0], 25):
        est += tracker.push(AccelBlock(start / 100.0, 100.0, clipped[start : start + 25]))
    assert all(e.mode == "run" and abs(e.cadence_spm - 182.0) < 1.5 for e in est if e.t_s >= 4.0)


@pytest.mark.parametrize("start", [0, 37, 150, 260, 330, 399])
def test_footfall_search_from_start_finds_the_same_steps(start):
    """``detect_footfalls(start=k)``: exactly the steps of the full search whose loading
    peak is at k or later -- every full-search footfall at k + 0.5 or later is there, and
    nothing the full search does not find (the tracker relies on both)."""
    from pacer.dsp.steps import detect_footfalls

    rng = np.random.default_rng(start)
    rate_hz, period_s = 100.0, 0.36
    t = np.arange(400) / rate_hz
    phase = (t / period_s) % 1.0
    x = G_MPS2 + 14.0 * np.exp(-((phase - 0.3) / 0.06) ** 2) - 7.0 * (phase > 0.65)
    x += rng.normal(0.0, 0.6, t.size)
    full = detect_footfalls(x, rate_hz, period_s)
    part = detect_footfalls(x, rate_hz, period_s, start=start)
    assert full.size >= 9
    assert set(part.tolist()) <= set(full.tolist())
    assert set(full[full >= start + 0.5].tolist()) <= set(part.tolist())
