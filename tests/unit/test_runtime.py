"""The pipeline advances by the data's time stamps only, on a 1 s grid."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pacer.coach.outputs import EngineOutput, EngineStatus, MetronomeSetting
from pacer.models import (
    AccelBlock,
    ControlEvent,
    Cue,
    CueKind,
    CueOutcome,
    DeviceEvent,
    DistanceSource,
    Estimate,
    Fix,
    Footfall,
    MetronomeMode,
    Phase,
    Rep,
    RepKind,
)
from pacer.runtime import Pipeline, run_records
from pacer.wiring.merge import merge_in_time


class CountingEstimator:
    def __init__(self) -> None:
        self.fixes: list[Fix] = []
        self.ticks: list[float] = []

    def push_fix(self, fix: Fix) -> None:
        self.fixes.append(fix)

    def push_accel(self, block: AccelBlock) -> None:
        pass

    def push_device(self, ev: DeviceEvent) -> None:
        pass

    def footfalls(self) -> list:
        return []

    def estimate(self, t_s: float) -> Estimate:
        self.ticks.append(t_s)
        return Estimate(t_s, None, 0.0, None, 0.0, None, 0.0, DistanceSource.GPS, False)


def _fix(t_s: float) -> Fix:
    return Fix(t_s=t_s, utc=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), valid=True,
               lat_deg=51.0, lon_deg=0.0, speed_mps=3.0)


def test_ticks_on_a_one_second_grid_of_data_time() -> None:
    est = CountingEstimator()
    run_records(Pipeline(estimator=est), [_fix(t) for t in (0.2, 0.7, 1.4, 3.9)])
    assert est.ticks[:3] == [1.0, 2.0, 3.0]
    assert len(est.fixes) == 4


def test_a_time_jump_is_not_ticked_through() -> None:
    """A corrupt time stamp ten years ahead must not produce 300 million ticks."""
    est = CountingEstimator()
    pipeline = Pipeline(estimator=est)
    ten_years_s = 10 * 365 * 86400.0
    run_records(pipeline, [_fix(0.5), _fix(1.5), _fix(ten_years_s), _fix(ten_years_s + 2.1)])
    assert pipeline.time_jumps == 1
    assert len(est.ticks) < 10
    assert est.ticks[-1] >= ten_years_s + 2.0


def test_merge_in_time_orders_records() -> None:
    a = [_fix(0.0), _fix(2.0)]
    b = [_fix(1.0), _fix(3.0)]
    assert [r.t_s for r in merge_in_time(a, b)] == [0.0, 1.0, 2.0, 3.0]


# ---------------------------------------------------------------------- the seams


class ScriptedCoach:
    """A Coach that returns what it is told: the metronome asked for from ``on_s``, a rep
    finished at ``rep_s``, the session over at ``done_s``."""

    def __init__(self, on_s: float, rep_s: float, done_s: float) -> None:
        self.on_s, self.rep_s, self.done_s = on_s, rep_s, done_s

    def _out(self, t_s: float, cues: list[Cue]) -> EngineOutput:
        target = 180.0 if t_s >= self.on_s else None
        reps = (_rep(self.rep_s),) if t_s == self.rep_s else ()
        status = EngineStatus(None, Phase.RUNNING, None, t_s, 0.0)
        return EngineOutput(cues, status, MetronomeSetting(target, MetronomeMode.LOCKED),
                            reps=reps, finished=t_s >= self.done_s)

    def on_estimate(self, est: Estimate) -> EngineOutput:
        return self._out(est.t_s, [Cue(est.t_s, CueKind.STATUS, f"tick {est.t_s:g}")])

    def on_control(self, ev: ControlEvent) -> EngineOutput:
        return self._out(ev.t_s, [])

    def on_device(self, ev: DeviceEvent) -> EngineOutput:
        return self._out(ev.t_s, [])

    def finish(self, t_s: float) -> EngineOutput:
        return self._out(t_s, [])


class RecordingSpeaker:
    def __init__(self) -> None:
        self.said: list[str] = []
        self.metronome: list[tuple[float | None, MetronomeMode]] = []

    def say(self, cue: Cue) -> None:
        self.said.append(cue.text)

    def prefetch(self, texts: Iterable[str]) -> None:
        pass

    def set_metronome(self, target_cadence_spm: float | None,
                      mode: MetronomeMode = MetronomeMode.FIXED) -> None:
        self.metronome.append((target_cadence_spm, mode))

    def advance(self, t_s: float, *, current_cadence_spm: float | None = None,
                footfalls: Iterable[Footfall] = ()) -> None:
        pass

    def close(self) -> list[CueOutcome]:
        return []


def _rep(t_s: float) -> Rep:
    return Rep(index=0, kind=RepKind.WORK, start_s=0.0, duration_s=t_s, distance_m=400.0)


def test_the_pipeline_forwards_the_engines_outputs_and_stops_when_it_is_done() -> None:
    audio = RecordingSpeaker()
    pipeline = Pipeline(estimator=CountingEstimator(), engine=ScriptedCoach(3.0, 4.0, 6.0),
                        audio=audio)
    run_records(pipeline, [_fix(t + 0.5) for t in range(20)])
    assert audio.said[:2] == ["tick 1", "tick 2"]
    assert audio.metronome == [(180.0, MetronomeMode.LOCKED)]  # once, at the 3 s tick
    assert [r.duration_s for r in pipeline.reps] == [4.0]
    # the records stop at the end (6 s): the grid's 6 ticks and the closing one at 6.5 s
    assert pipeline.workout_done and pipeline.n_ticks == 7
    assert pipeline.coach_status is not None and pipeline.coach_status.elapsed_s == 6.5
