"""Cues placed ahead of a step's end are never projected from a standstill: a speed
under MIN_PROJECTION_SPEED_MPS (down to a filtered speed decayed to ~1e-300 m/s) places
no "go" and no fixed-time cue, and no division overflows."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from pacer.coach.cues import CuePolicy, CueSettings
from pacer.coach.engine import WorkoutEngine
from pacer.coach.language.parser import parse_workout
from pacer.coach.language.workout import PlannedStep
from pacer.coach.lookahead import MIN_PROJECTION_SPEED_MPS, LookaheadCues
from pacer.coach.narrator import Narrator
from pacer.coach.step_tally import StepTally
from pacer.models import CueKind, DistanceSource, Estimate, RepKind

#: speeds at which the runner stands: a shuffle, the filter's decay, numpy's subnormals
STANDING_MPS = [0.3, MIN_PROJECTION_SPEED_MPS, 1e-300, np.float64(1e-300), np.float64(1e-310)]


def _step(kind: RepKind, distance_m: float) -> PlannedStep:
    return PlannedStep(index=1, kind=kind, distance_m=distance_m, duration_s=None,
                       target_pace_s_per_km=None, target_time_s=None, target_cadence_spm=None,
                       metronome=False, standing=False, label=kind.value, rep_number=1,
                       rep_count=2, est_duration_s=60.0)  # fmt: skip


def _est(t_s: float, d_m: float, v_mps: float | None) -> Estimate:
    return Estimate(t_s=t_s, utc=None, distance_m=d_m, speed_mps=v_mps, speed_confidence=0.9,
                    cadence_spm=None, cadence_confidence=0.0,
                    distance_source=DistanceSource.GPS, gps_ok=True)  # fmt: skip


RECOVERY = _step(RepKind.RECOVERY, 200.0)
REP = _step(RepKind.WORK, 400.0)


def _lookahead() -> LookaheadCues:
    settings = CueSettings()
    return LookaheadCues(Narrator(settings), CuePolicy(settings))


def _rep_follows(_t_s: float, _d_m: float) -> PlannedStep:
    return REP


@pytest.mark.parametrize("v_mps", STANDING_MPS)
def test_nothing_is_projected_from_a_standstill(v_mps: float) -> None:
    ahead = _lookahead()
    tally = StepTally(100.0, 1000.0)  # the recovery started at 100 s, 1000 m
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in a division fails the test
        last = _est(200.0, 1199.5, v_mps)  # 0.5 m from the end of the recovery
        assert ahead.next_fixed_s(RECOVERY, last, tally, _rep_follows) is None
        assert ahead.predicted_go(RECOVERY, last, 199.5, _rep_follows) == []
        assert ahead.go_at_s is None


def test_a_moving_runner_still_gets_the_projected_go() -> None:
    ahead = _lookahead()
    tally = StepTally(100.0, 1000.0)
    last = _est(200.0, 1199.0, 2.0)  # 1 m to go at 2 m/s: the end is 0.5 s away
    assert ahead.next_fixed_s(RECOVERY, last, tally, _rep_follows) == pytest.approx(200.5)
    cues = ahead.predicted_go(RECOVERY, last, 199.0, _rep_follows)
    assert [(c.kind, c.text) for c in cues] == [(CueKind.GO, "go")]
    assert cues[0].t_s == pytest.approx(200.5)


def test_a_runner_who_stops_in_a_recovery_gets_go_only_when_it_is_finished() -> None:
    """The filtered speed decays geometrically to ~1e-300 m/s while the runner stands
    in a 200 m recovery; then the runner jogs the rest of it."""
    engine = WorkoutEngine(parse_workout("2x(400m @90s, 200m jog)"),
                           policy=CuePolicy(CueSettings()), start_mode="immediate")
    t_s, d_m, cues = 0.0, 0.0, []

    def feed(v_mps: float) -> None:
        nonlocal t_s, d_m
        t_s += 1.0
        d_m += float(v_mps)
        cues.extend(engine.on_estimate(_est(t_s, d_m, v_mps)).cues)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        while d_m < 400.0:  # rep 1
            feed(4.5)
        while d_m < 500.0:  # half the recovery jogged
            feed(2.5)
        v_mps = np.float64(2.5)
        for _ in range(60):  # standing: the speed decays to subnormal values
            v_mps *= 1e-6
            feed(v_mps)
        assert v_mps < 1e-300
        standing_until_s = t_s
        while d_m < 640.0:  # the rest of the recovery, then rep 2 under way
            feed(2.5)
    assert all(math.isfinite(c.t_s) for c in cues)
    gos = [c for c in cues if c.kind is CueKind.GO and not c.dropped]
    assert len(gos) == 2  # rep 1 and rep 2
    assert gos[1].t_s > standing_until_s + 100.0 / 2.5 - 2.0  # after the last 100 m jogged
