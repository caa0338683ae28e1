"""Heart-rate zones, the cue policy (docs/heart-rate.md), recovery end and time in zone."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pacer.coach.heart_rate import (
    HeartRateCoach,
    HeartRatePolicy,
    HeartRateTarget,
    HeartRateZones,
    RecoveryEnd,
    StepContext,
    recovery_end_t_s,
    time_in_zones_s,
    zones_from_max,
    zones_from_reserve,
)
from pacer.errors import ConfigError

TEMPO = HeartRateTarget(150, 160)


def test_karvonen_and_percent_max_zones() -> None:
    z = zones_from_reserve(190, 50)
    assert z.bounds_bpm == pytest.approx((120, 134, 148, 162, 176, 190))
    assert z.zone_of(119) == 0 and z.zone_of(120) == 1 and z.zone_of(150) == 3
    assert z.zone_of(200) == 5 and z.range_bpm(2) == pytest.approx((134, 148))
    assert zones_from_max(200).bounds_bpm == pytest.approx((100, 120, 140, 160, 180, 200))
    assert HeartRateTarget.from_zone(z, 2) == HeartRateTarget(z.bounds_bpm[1], z.bounds_bpm[2], 2)


@pytest.mark.parametrize("make", [
    lambda: HeartRateZones((120, 110, 150)),
    lambda: HeartRateZones((120,)),
    lambda: zones_from_reserve(60, 70),
    lambda: zones_from_reserve(190, 50).range_bpm(6),
    lambda: RecoveryEnd(120, dwell_s=0),
])
def test_bad_zone_settings_raise_config_error(make) -> None:
    with pytest.raises(ConfigError):
        make()


def _run(coach: HeartRateCoach, samples, step=lambda t: StepContext(0, 0.0, TEMPO)):
    cues = []
    for t, hr in samples:
        cue = coach.update(t, hr, step(t))
        if cue:
            cues.append(cue)
    return cues


def test_ease_off_after_grace_then_repeats_spaced_and_capped() -> None:
    coach = HeartRateCoach(HeartRatePolicy(max_alerts_per_step=2, repeat_after_s=30))
    cues = _run(coach, [(float(t), 172.0) for t in range(0, 120)])
    assert [(c.t_s, c.text) for c in cues] == [(15.0, "heart rate 172, ease off"),
                                              (45.0, "heart rate 172, ease off")]


def test_pick_it_up_below_the_range() -> None:
    cues = _run(HeartRateCoach(), [(float(t), 131.6) for t in range(0, 20)])
    assert cues[0].kind == "pick_up" and cues[0].text == "heart rate 132, pick it up"


def test_jitter_at_the_bound_does_not_nag() -> None:
    # 159/161/159/161...: above once, then never back inside by the hysteresis margin
    samples = [(float(t), 161.0 if t % 2 else 159.0) for t in range(0, 300)]
    cues = _run(HeartRateCoach(HeartRatePolicy(max_alerts_per_step=10)), samples)
    gaps = np.diff([c.t_s for c in cues])
    assert len(cues) >= 1 and (gaps >= 30).all()


def test_new_excursion_after_settling_alerts_again() -> None:
    samples = [(float(t), 170.0 if t < 30 or t >= 60 else 152.0) for t in range(0, 90)]
    cues = _run(HeartRateCoach(), samples)
    assert [c.t_s for c in cues] == [15.0, 60.0]


def test_zone_change_said_once_past_the_hysteresis() -> None:
    zones = HeartRateZones((100, 120, 140, 160, 180, 200))
    coach = HeartRateCoach(zones=zones)
    samples = [(float(t), 130.0 + min(t, 30) * 0.5) for t in range(0, 120)]  # 130 -> 145
    samples += [(120.0 + t, 140.5 if t % 2 else 139.5) for t in range(0, 60)]  # jitter at 140
    cues = _run(coach, samples, step=lambda t: StepContext(0, 0.0, None))
    assert [(c.kind, c.zone) for c in cues] == [("zone", 3)]
    assert cues[0].t_s == 26.0  # 143 bpm: past the 140 bound by the 3 bpm hysteresis
    assert cues[0].text == "zone 3, heart rate 143"


def test_nothing_while_paused_and_a_new_step_restarts_grace() -> None:
    coach = HeartRateCoach()
    paused = _run(coach, [(float(t), 175.0) for t in range(0, 60)],
                  step=lambda t: StepContext(0, 0.0, TEMPO, paused=True))
    assert paused == []
    cues = _run(coach, [(float(t), 175.0) for t in range(60, 100)],
                step=lambda t: StepContext(1, 60.0, TEMPO))
    assert cues[0].t_s == 75.0


samples_st = st.lists(
    st.tuples(st.floats(0.2, 4.0), st.floats(60, 200), st.booleans(), st.booleans()),
    min_size=1, max_size=300)


@given(samples_st, st.floats(0, 20), st.integers(0, 5))
def test_policy_properties(raw, grace_s: float, max_alerts: int) -> None:
    policy = HeartRatePolicy(grace_s=grace_s, max_alerts_per_step=max_alerts)
    coach = HeartRateCoach(policy, zones=zones_from_reserve(190, 50))
    t, step_index, step_start = 0.0, 0, 0.0
    said: list[tuple[float, int, str]] = []
    for dt, hr, paused, new_step in raw:
        t += dt
        if new_step:
            step_index, step_start = step_index + 1, t
        cue = coach.update(t, hr, StepContext(step_index, step_start, TEMPO, paused))
        if cue is None:
            continue
        assert not paused, "a cue while paused"
        assert t - step_start >= grace_s, "a cue inside the step's grace period"
        said.append((t, step_index, cue.kind))
    times = [s[0] for s in said]
    assert (np.diff(times) >= 10.0).all(), "two cues < 10 s apart"
    for k in {s[1] for s in said}:
        alerts = [s for s in said if s[1] == k and s[2] != "zone"]
        assert len(alerts) <= max_alerts


@given(st.lists(st.tuples(st.floats(0.5, 2.0), st.floats(90, 150)), max_size=100))
def test_policy_is_deterministic(raw) -> None:
    t = np.cumsum([d for d, _ in raw])
    samples = list(zip(t.tolist(), [h for _, h in raw], strict=True))
    a = _run(HeartRateCoach(zones=zones_from_max(190)), samples)
    b = _run(HeartRateCoach(zones=zones_from_max(190)), samples)
    assert a == b


def test_recovery_end_needs_a_dwell_below() -> None:
    t = np.arange(0.0, 60.0, 1.0)
    hr = np.full(t.size, 130.0)
    hr[10] = 118.0                     # a single sample below: must not end it
    hr[20:] = 119.0
    assert recovery_end_t_s(t, hr, 120, dwell_s=3.0) == 23.0
    assert recovery_end_t_s(t[:11], hr[:11], 120) is None


def test_recovery_end_restarts_after_a_gap_or_no_contact() -> None:
    r = RecoveryEnd(120, dwell_s=3.0, max_gap_s=5.0)
    assert not r.update(0.0, 110) and not r.update(2.0, 110)
    assert not r.update(20.0, 110)     # 18 s drop-out: dwell starts again
    assert not r.update(21.0, math.nan)
    assert not r.update(22.0, 110) and r.update(25.0, 110)


@given(st.lists(st.tuples(st.floats(0.5, 3.0), st.floats(100, 140)), min_size=1, max_size=60))
def test_recovery_never_ends_on_one_sample_below(raw) -> None:
    t = np.cumsum([d for d, _ in raw])
    hr = np.array([h for _, h in raw])
    end = recovery_end_t_s(t, hr, 120.0, dwell_s=2.0)
    if end is not None:
        i = int(np.searchsorted(t, end))
        start = i
        while start > 0 and hr[start - 1] < 120 and t[start] - t[start - 1] <= 5.0:
            start -= 1
        assert i > start and t[i] - t[start] >= 2.0


def test_time_in_zones() -> None:
    zones = HeartRateZones((100, 120, 140, 160))
    t = np.array([0.0, 1.0, 2.0, 3.0, 10.0, 11.0])
    hr = np.array([90.0, 110.0, 130.0, np.nan, 150.0, 165.0])
    got = time_in_zones_s(t, hr, zones, end_t_s=12.0)
    # 3.0 -> 10.0 is a 7 s gap (> 5 s) after a NaN: not counted
    assert got.tolist() == [1.0, 1.0, 1.0, 2.0]
    assert time_in_zones_s([], [], zones).tolist() == [0.0] * 4


@given(st.lists(st.tuples(st.floats(0.1, 4.0), st.floats(60, 210)), min_size=1, max_size=80))
def test_time_in_zones_adds_up_to_the_covered_time(raw) -> None:
    t = np.cumsum([d for d, _ in raw])
    hr = np.array([h for _, h in raw])
    got = time_in_zones_s(t, hr, zones_from_max(200), max_gap_s=5.0)
    assert got.sum() == pytest.approx(np.diff(t).sum())


def test_a_zone_left_and_regained_within_the_grace_is_not_news() -> None:
    zones = HeartRateZones((100, 120, 140, 160, 180, 200))
    coach = HeartRateCoach(zones=zones)
    samples = [(0.0, 130.0), (3.0, 150.0), (6.0, 130.0)] + [(float(t), 130.0)
                                                          for t in range(7, 40)]
    assert _run(coach, samples, step=lambda t: StepContext(0, 0.0, None)) == []


def test_no_pick_it_up_while_heart_rate_climbs_into_the_range() -> None:
    # climbs 1 bpm/s from 110 to 140, then stalls at 140: alert only once it stalls
    samples = [(float(t), 110.0 + min(t, 30)) for t in range(0, 80)]
    cues = _run(HeartRateCoach(), samples)
    assert cues[0].kind == "pick_up" and cues[0].t_s >= 30 + 5


def test_no_ease_off_while_heart_rate_falls_towards_a_recovery_cap() -> None:
    cap = HeartRateTarget(60, 130)
    samples = [(float(t), max(175.0 - 1.0 * t, 125.0)) for t in range(0, 120)]
    cues = _run(HeartRateCoach(), samples, step=lambda t: StepContext(0, 0.0, cap))
    assert cues == []
