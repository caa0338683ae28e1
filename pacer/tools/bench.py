"""``pacer bench``: the live pipeline on a synthetic hour, timed stage by stage.

The hour is simulated (clearly labelled): a runner doing a steady run on the track,
a 5 Hz receiver (RMC+GGA+GSA+VTG+GST) and a 100 Hz MPU-6050 FIFO read in 0.25 s bursts.
Generating that input is not timed. Then the same records go through the production
pipeline (line framer, NMEA parser, estimator, workout engine, session store) with a
timer around each stage, and once more untimed for the throughput.

Pi Zero 2 W scaling: a Pi Zero 2 W (Cortex-A53, 1 GHz) is estimated at roughly 15-25x
slower per core than this class of x86 machine for this kind of Python/numpy code
(docs/background.md; an estimate, not a measurement); the report uses 20x and shows
the range.
"""

from __future__ import annotations

import dataclasses
import resource
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

if TYPE_CHECKING:
    from pacer.runtime import Record
    from pacer.sim.runner import RunnerModel

T = TypeVar("T")

PI_ZERO_2W_SLOWDOWN = 20.0
PI_ZERO_2W_SLOWDOWN_RANGE = (15.0, 25.0)


class _Timed:
    """Proxy that accumulates the time spent in each method of ``target``."""

    def __init__(self, target: object, name: str, totals: dict[str, float],
                 counts: dict[str, int], walls: dict[str, float]) -> None:
        self._target = target
        self._name = name
        self._totals = totals
        self._counts = counts
        self._walls = walls

    def __getattr__(self, attr: str) -> object:  # callers see it through cast(T, ...)
        value = getattr(self._target, attr)
        if not callable(value):
            return value
        key = f"{self._name}.{attr}"

        def timed(*args: object, **kwargs: object) -> object:
            c0, w0 = time.thread_time(), time.perf_counter()
            try:
                return value(*args, **kwargs)
            finally:
                self._totals[key] += time.thread_time() - c0
                self._walls[key] += time.perf_counter() - w0
                self._counts[key] += 1

        return timed


@dataclasses.dataclass
class BenchResult:
    duration_s: float
    n_fixes: int
    n_samples: int
    wall_s: float
    cpu_s: float
    stage_s: dict[str, float]
    stage_calls: dict[str, int]
    stage_wall_s: dict[str, float]
    peak_rss_mb: float

    @property
    def times_real_time(self) -> float:
        return self.duration_s / self.cpu_s

    @property
    def cpu_ms_per_s(self) -> float:
        return 1000.0 * self.cpu_s / self.duration_s

    def report(self) -> str:
        lines = [
            f"synthetic hour (simulated): {self.duration_s / 60:.0f} min, "
            f"{self.n_fixes} fixes at 5 Hz, {self.n_samples} accelerometer samples",
            f"pipeline CPU {self.cpu_s:.2f} s (wall {self.wall_s:.2f} s): "
            f"{self.times_real_time:,.0f} x real time, {self.cpu_ms_per_s:.2f} ms CPU per "
            "second of running",
            f"peak RSS {self.peak_rss_mb:.0f} MB",
            "",
            "per stage (CPU time of the calling thread; wall time differs only where the "
            "stage waits on the disk):",
            f"{'stage':28} {'calls':>7} {'CPU s':>7} {'CPU us/call':>11} {'CPU ms/s run':>12}"
            f" {'wall us/call':>12}",
        ]
        for key in sorted(self.stage_s, key=lambda k: -self.stage_s[k]):
            total, calls = self.stage_s[key], max(self.stage_calls[key], 1)
            lines.append(
                f"{key:28} {calls:7d} {total:7.3f} {1e6 * total / calls:11.1f} "
                f"{1000 * total / self.duration_s:12.3f} "
                f"{1e6 * self.stage_wall_s[key] / calls:12.1f}"
            )
        lo, hi = PI_ZERO_2W_SLOWDOWN_RANGE
        share = self.cpu_ms_per_s / 1000.0
        lines += [
            "",
            f"Pi Zero 2 W estimate (x{PI_ZERO_2W_SLOWDOWN:g} slower per core, range "
            f"x{lo:g}-x{hi:g}): {100 * share * PI_ZERO_2W_SLOWDOWN:.1f} % of one core "
            f"({100 * share * lo:.1f}-{100 * share * hi:.1f} %), "
            f"{100 * share * PI_ZERO_2W_SLOWDOWN / 4:.2f} % of the 4-core CPU",
        ]
        return "\n".join(lines)


def synthetic_hour(seed: int = 0,
                   duration_s: float = 3600.0) -> tuple[list[Record], RunnerModel]:
    """Records of a simulated steady hour on the track (5 Hz GPS, 100 Hz accelerometer)."""
    from pacer.sim.effort import Effort
    from pacer.sim.receiver import SimulatedReceiver
    from pacer.sim.runner import RunnerModel
    from pacer.wiring.sim import SimSetup, simulated_records_fast

    efforts = [Effort("stand", duration_s=10.0),
               Effort("jog", duration_s=max(duration_s - 40.0, 20.0), speed_mps=3.6),
               Effort("walk", duration_s=25.0), Effort("stand", duration_s=5.0)]
    runner = RunnerModel(efforts, seed=seed, rate_hz=50.0)
    receiver = SimulatedReceiver(runner, rate_hz=5.0, seed=seed)
    from pacer.sim.accel import GaitSignal

    setup = SimSetup(runner, receiver, GaitSignal(runner, seed=seed))
    return list(simulated_records_fast(setup, seed=seed)), runner


def run_bench(
    seed: int = 0, duration_s: float = 3600.0, workout: str = "tempo 50min"
) -> BenchResult:
    from pacer.coach.engine import WorkoutEngine
    from pacer.dsp.estimator import LiveEstimator
    from pacer.formats.workout_source import resolve_workout
    from pacer.runtime import Pipeline, run_records
    from pacer.session.store import SessionWriter

    records, runner = synthetic_hour(seed, duration_s)
    totals: dict[str, float] = defaultdict(float)
    walls: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)

    def timed(target: T, name: str) -> T:  # the proxy has the target's methods
        return cast(T, _Timed(target, name, totals, counts, walls))

    with tempfile.TemporaryDirectory() as tmp:
        # 1. timed per stage, flushing the store every second as the live loop does
        store = SessionWriter.create(Path(tmp) / "timed", meta={"bench": True})
        pipeline = Pipeline(
            estimator=timed(LiveEstimator(), "estimator"),
            engine=timed(WorkoutEngine(resolve_workout(workout)), "engine"),
            store=timed(store, "store"),
        )
        pipeline.nmea.framer = timed(pipeline.nmea.framer, "nmea.framer")
        pipeline.nmea.assembler = timed(pipeline.nmea.assembler, "nmea.parser")
        run_records(pipeline, records)
        # 2. untimed, whole pipeline: the throughput and the CPU per second of running
        store = SessionWriter.create(Path(tmp) / "plain", meta={"bench": True})
        pipeline = Pipeline(estimator=LiveEstimator(),
                            engine=WorkoutEngine(resolve_workout(workout)), store=store)
        wall0, cpu0 = time.perf_counter(), time.thread_time()
        run_records(pipeline, records)
        wall, cpu = time.perf_counter() - wall0, time.thread_time() - cpu0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return BenchResult(
        duration_s=float(runner.duration_s), n_fixes=pipeline.n_fixes,
        n_samples=pipeline.n_samples, wall_s=wall, cpu_s=cpu, stage_s=dict(totals),
        stage_calls=dict(counts), stage_wall_s=dict(walls), peak_rss_mb=rss_mb,
    )
