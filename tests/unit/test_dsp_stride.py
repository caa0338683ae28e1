"""Tests for pacer.dsp.stride.StrideModel (learn while GPS is good, predict in gaps)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pacer.dsp.stride import StrideModel


def teach(model, speed_mps, cadence_spm, n=60):
    for _ in range(n):
        model.learn(speed_mps, cadence_spm, 1.0)


def test_untrained_model_knows_nothing():
    assert StrideModel().speed_from_cadence(170.0) == (None, 0.0)


def test_learned_band_predicts_its_speed():
    model = StrideModel()
    teach(model, 3.0, 165.0)
    speed, conf = model.speed_from_cadence(165.0)
    assert speed == pytest.approx(3.0, rel=1e-9)
    assert conf > 0.8


def test_fast_rep_uses_its_own_band_not_the_jog_stride():
    """FIELD_NOTES: stride learned while jogging is badly wrong in a fast rep."""
    model = StrideModel()
    teach(model, 3.0, 165.0)  # jog: 1.09 m per step
    teach(model, 5.5, 184.0)  # rep: 1.79 m per step
    rep_speed, rep_conf = model.speed_from_cadence(184.0)
    assert rep_speed == pytest.approx(5.5, rel=1e-9) and rep_conf > 0.8
    jog_speed, _ = model.speed_from_cadence(165.0)
    assert jog_speed == pytest.approx(3.0, rel=1e-9)
    # Between the bands: interpolated stride, less confidence than inside a band.
    mid_speed, mid_conf = model.speed_from_cadence(174.5)
    assert 3.0 < mid_speed < 5.5
    assert mid_conf < rep_conf


def test_extrapolation_low_confidence_then_none():
    model = StrideModel()
    teach(model, 3.0, 165.0)
    near_speed, near_conf = model.speed_from_cadence(170.0)  # 3 spm beyond the band
    assert near_speed == pytest.approx(1.0909 * 170.0 / 60.0, rel=1e-3)
    assert 0.0 < near_conf <= 0.3
    assert model.speed_from_cadence(185.0) == (None, 0.0)  # a rep never learned
    assert model.speed_from_cadence(120.0) == (None, 0.0)


def test_forgetting_tracks_a_changed_stride():
    model = StrideModel(memory=20.0)
    teach(model, 3.0, 170.0, n=100)  # 1.059 m per step
    teach(model, 3.2, 170.0, n=100)  # same band, longer stride later in the session
    speed, _ = model.speed_from_cadence(170.0)
    assert speed == pytest.approx(3.2, rel=0.01)


def test_inconsistent_band_lowers_confidence():
    steady, noisy = StrideModel(), StrideModel()
    teach(steady, 3.2, 170.0)
    for i in range(60):
        noisy.learn(3.2 + (0.2 if i % 2 else -0.2), 170.0, 1.0)  # same band, ragged speed
    assert noisy.speed_from_cadence(170.0)[1] < steady.speed_from_cadence(170.0)[1]


@pytest.mark.parametrize(
    ("speed_mps", "cadence_spm", "weight"),
    [
        (float("nan"), 170.0, 1.0),
        (3.0, float("inf"), 1.0),
        (3.0, 170.0, 0.0),
        (0.1, 170.0, 1.0),
        (40.0, 170.0, 1.0),
        (3.0, 20.0, 1.0),
        (3.0, 170.0, -1.0),
    ],
)
def test_bad_observations_are_ignored(speed_mps, cadence_spm, weight):
    model = StrideModel()
    model.learn(speed_mps, cadence_spm, weight)
    assert model.learned_bands() == []


@pytest.mark.parametrize("cadence_spm", [float("nan"), 0.0, -5.0, float("inf")])
def test_bad_query_gives_none(cadence_spm):
    model = StrideModel()
    teach(model, 3.0, 165.0)
    assert model.speed_from_cadence(cadence_spm) == (None, 0.0)


@given(
    speed_mps=st.floats(1.0, 7.0),
    cadence_spm=st.floats(140.0, 200.0),
    query_spm=st.floats(100.0, 240.0),
)
def test_prediction_is_none_or_sane(speed_mps, cadence_spm, query_spm):
    model = StrideModel()
    teach(model, speed_mps, cadence_spm, n=30)
    speed, conf = model.speed_from_cadence(query_spm)
    assert 0.0 <= conf <= 1.0
    if speed is None:
        assert conf == 0.0
    else:
        step_m = speed_mps / (cadence_spm / 60.0)
        assert math.isclose(speed, step_m * query_spm / 60.0, rel_tol=1e-9)
