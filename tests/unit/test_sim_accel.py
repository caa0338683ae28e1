"""Properties of the simulated body-worn accelerometer signal (pacer.sim.accel)."""

from __future__ import annotations

import numpy as np
import pytest

from pacer.sim.accel import GaitSignal, hashed_normal
from pacer.sim.runner import Effort, RunnerModel
from pacer.units import G_MPS2


@pytest.fixture(scope="module")
def runner() -> RunnerModel:
    return RunnerModel([
        Effort("stand", duration_s=10.0),
        Effort("walk", duration_s=40.0),
        Effort("jog", duration_s=40.0, speed_mps=3.0),
        Effort("run", duration_s=40.0, speed_mps=5.5),
        Effort("stand", duration_s=15.0),
    ], seed=5)


def _window(r: RunnerModel, i: int, margin_s: float = 8.0) -> tuple[float, float]:
    return r.effort_start_s[i] + margin_s, r.effort_end_s[i] - 2.0


def _peak_hz(x: np.ndarray, fs: float, lo: float, hi: float) -> float:
    x = x - x.mean()
    n = 16 * x.size
    f = np.fft.rfftfreq(n, 1.0 / fs)
    p = np.abs(np.fft.rfft(x * np.hanning(x.size), n))
    band = (f > lo) & (f < hi)
    return float(f[band][np.argmax(p[band])])


@pytest.mark.parametrize("placement", ["hip", "waist", "chest", "wrist"])
@pytest.mark.parametrize("effort", [1, 2, 3])
def test_dominant_frequency_of_magnitude_is_step_frequency(runner: RunnerModel, placement: str,
                                                           effort: int) -> None:
    sig = GaitSignal(runner, placement=placement, seed=11)
    fs = 100.0
    t0, t1 = _window(runner, effort)
    t = np.arange(t0, t1, 1 / fs)
    mag = np.linalg.norm(sig(t), axis=1)  # orientation-free
    steps_hz = runner.steps_between(t0, t1) / (t1 - t0)
    # search 0.6x..2.4x around the step rate so both a stride (half) and a harmonic could win
    assert _peak_hz(mag, fs, 0.6 * steps_hz, 2.4 * steps_hz) == pytest.approx(steps_hz, rel=0.03)


def test_lateral_sway_is_at_stride_frequency(runner: RunnerModel) -> None:
    sig = GaitSignal(runner, placement="waist", seed=1, noise_mps2=0.0)
    fs = 100.0
    t0, t1 = _window(runner, 2)
    t = np.arange(t0, t1, 1 / fs)
    lateral = sig.body_mps2(t)[:, 1]
    steps_hz = runner.steps_between(t0, t1) / (t1 - t0)
    assert _peak_hz(lateral, fs, 0.3 * steps_hz, 1.5 * steps_hz) == pytest.approx(steps_hz / 2,
                                                                                  rel=0.04)


def test_values_do_not_depend_on_chunking(runner: RunnerModel) -> None:
    sig = GaitSignal(runner, seed=2)
    t = np.sort(np.random.default_rng(0).uniform(0, runner.duration_s, 5000))
    whole = sig(t)
    cuts = np.sort(np.random.default_rng(1).choice(np.arange(1, t.size), 60, replace=False))
    pieces = np.concatenate([sig(c) for c in np.split(t, cuts)])
    assert np.array_equal(whole, pieces)
    singles = np.concatenate([sig(t[k:k + 1]) for k in range(0, t.size, 10)])
    assert np.array_equal(singles, whole[::10])
    again = GaitSignal(runner, seed=2)(t[::7])
    assert np.array_equal(again, whole[::7])


def test_standing_reads_gravity_in_any_orientation(runner: RunnerModel) -> None:
    sig = GaitSignal(runner, seed=4, noise_mps2=0.05)
    t = np.arange(1.0, 9.0, 0.01)
    x = sig(t)
    assert np.linalg.norm(x.mean(axis=0)) == pytest.approx(G_MPS2, abs=0.02)
    assert 0.03 < x.std(axis=0).mean() < 0.07  # only sensor noise
    # the mounting rotation moves gravity off the sensor's z axis
    assert abs(x.mean(axis=0)[2]) < G_MPS2 - 0.05


def test_identity_orientation_gives_body_frame(runner: RunnerModel) -> None:
    sig = GaitSignal(runner, seed=4, orientation=np.eye(3), noise_mps2=0.0)
    t = np.arange(*_window(runner, 3), 0.01)
    x = sig(t)
    assert np.array_equal(x, sig.body_mps2(t))
    assert x[:, 2].mean() == pytest.approx(G_MPS2, rel=0.03)  # mean vertical force is g


def test_running_is_harder_than_walking(runner: RunnerModel) -> None:
    sig = GaitSignal(runner, placement="hip", seed=3)
    walk = np.linalg.norm(sig(np.arange(*_window(runner, 1), 0.005)), axis=1) / G_MPS2
    run = np.linalg.norm(sig(np.arange(*_window(runner, 3), 0.005)), axis=1) / G_MPS2
    assert walk.max() < 1.8
    assert 2.3 < run.max() < 5.0  # trunk peaks of ~2.5-4 g when running
    assert run.min() < 0.4  # flight phase is near free fall


def test_chest_impact_softer_than_hip(runner: RunnerModel) -> None:
    t = np.arange(*_window(runner, 3), 0.002)
    hip = GaitSignal(runner, placement="hip", seed=3, orientation=np.eye(3))
    chest = GaitSignal(runner, placement="chest", seed=3, orientation=np.eye(3))
    st = runner.step_times_s
    since = t - st[np.clip(np.searchsorted(st, t, side="right") - 1, 0, None)]
    early = since < 0.025  # the impact transient peaks 12 ms after footfall
    assert chest.body_mps2(t)[early, 2].mean() < hip.body_mps2(t)[early, 2].mean() - 2.0


def test_hashed_noise_is_standard_normal_and_keyed() -> None:
    t = np.arange(200_000) / 1000.0
    z = hashed_normal(t, 1)
    assert abs(z.mean()) < 0.01 and z.std() == pytest.approx(1.0, abs=0.01)
    assert abs(np.corrcoef(z, hashed_normal(t, 2))[0, 1]) < 0.01
    assert abs(np.corrcoef(z[1:], z[:-1])[0, 1]) < 0.01


def test_bad_arguments_are_refused(runner: RunnerModel) -> None:
    with pytest.raises(ValueError):
        GaitSignal(runner, placement="ankle")
    with pytest.raises(ValueError):
        GaitSignal(runner, orientation=np.ones((3, 3)))


def test_left_and_right_footfalls_differ_by_the_asymmetry(runner: RunnerModel) -> None:
    sig = GaitSignal(runner, seed=3, orientation=np.eye(3), noise_mps2=0.0)
    assert 0.03 <= abs(sig.asymmetry) <= 0.08
    t0, t1 = _window(runner, 3)
    st = runner.step_times_s
    sel = np.flatnonzero((st > t0) & (st < t1 - 1))
    # impact peak of each step: the vertical maximum in the 25 ms after footfall
    grid = st[sel, None] + np.linspace(0.0, 0.025, 26)[None, :]
    peaks = sig.body_mps2(grid.ravel())[:, 2].reshape(grid.shape).max(axis=1)
    right = runner.step_foot[sel] == 1
    ratio = peaks[right].mean() / peaks[~right].mean()
    # the impact scales by 1 + asymmetry; the active hump under it does not, so the peaks
    # differ in the asymmetry's direction by somewhat less than it
    assert np.sign(ratio - 1.0) == np.sign(sig.asymmetry)
    assert 0.4 * abs(sig.asymmetry) < abs(ratio - 1.0) < 1.1 * abs(sig.asymmetry)


def test_flight_has_no_clean_free_fall_at_the_hip_and_wanders() -> None:
    """Real hips read 0.15-0.5 g in flight, for minutes: the simulated floor wanders."""
    r = RunnerModel([Effort("jog", duration_s=240.0, speed_mps=3.0)], seed=8)
    sig = GaitSignal(r, placement="hip", seed=8)
    t = np.arange(10.0, 235.0, 0.01)
    mag = np.linalg.norm(sig(t), axis=1) / G_MPS2
    p5 = np.percentile(mag[: mag.size // 1000 * 1000].reshape(-1, 1000), 5, axis=1)  # 10 s
    assert p5.max() > 0.3 and p5.max() - p5.min() > 0.2


def test_wrist_magnitude_carries_the_stride(runner: RunnerModel) -> None:
    """The arm swing survives in |a| at the stride frequency (the wrist's octave trap)."""
    sig = GaitSignal(runner, placement="wrist", seed=2)
    fs = 100.0
    t0, t1 = _window(runner, 2)
    t = np.arange(t0, t1, 1 / fs)
    mag = np.linalg.norm(sig(t), axis=1)
    steps_hz = runner.steps_between(t0, t1) / (t1 - t0)
    x = (mag - mag.mean()) * np.hanning(mag.size)
    f = np.fft.rfftfreq(16 * x.size, 1 / fs)
    p = np.abs(np.fft.rfft(x, 16 * x.size))
    near = lambda hz: p[np.abs(f - hz) < 0.05 * hz].max()  # noqa: E731
    assert near(steps_hz / 2) > 0.2 * near(steps_hz)
