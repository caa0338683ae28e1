"""A closed-loop simulated runner for coach tests (helper module, not a test file).

The runner reacts to the engine like a person: it runs each step at its speed (the
target pace for reps), eases between speeds with a first-order lag, stands still while a
rep waits to be started (for ``wait_s``) and then sets off. The true trajectory is kept
at 10 Hz; the engine sees 1 Hz :class:`~pacer.models.Estimate` records at a sub-second
offset, and the control events given, in time order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pacer.coach.engine import WorkoutEngine
from pacer.coach.outputs import EngineOutput
from pacer.models import ControlEvent, Cue, DeviceEvent, DistanceSource, Estimate, RepKind

DEFAULT_SPEEDS_MPS = {
    RepKind.WARMUP: 3.0,
    RepKind.COOLDOWN: 3.0,
    RepKind.RECOVERY: 2.5,
    RepKind.STEADY: 3.3,
    RepKind.WORK: 4.5,
}


@dataclass
class RunLog:
    cues: list[Cue] = field(default_factory=list)
    t_s: list[float] = field(default_factory=list)  # true trajectory, 10 Hz
    d_m: list[float] = field(default_factory=list)

    @property
    def said(self) -> list[Cue]:
        return [c for c in self.cues if not c.dropped]

    def true_time_at(self, d_m: float) -> float:
        """Time the runner truly passed session distance ``d_m`` (linear at 10 Hz)."""
        d = np.asarray(self.d_m)
        t = np.asarray(self.t_s)
        i = int(np.searchsorted(d, d_m))
        return float(t[i - 1] + (d_m - d[i - 1]) / (d[i] - d[i - 1]) * (t[i] - t[i - 1]))


@dataclass
class Runner:
    speeds_mps: dict[RepKind, float] = field(default_factory=lambda: dict(DEFAULT_SPEEDS_MPS))
    pace_factor: float = 1.0  # >1 runs reps slower than target
    tau_s: float = 1.0  # speed lag
    wait_s: float = 3.0  # standing before setting off when a rep waits
    stand_s: float = 60.0  # standing in a standing distance recovery, then off to the rep
    est_offset_s: float = 0.37
    dt_s: float = 0.1
    on_track: bool = True
    cadence_spm: float | None = 172.0
    cadence_confidence: float = 0.9
    speed_confidence: float = 0.9
    speed_noise_mps: float = 0.0
    cadence_noise_spm: float = 0.0
    seed: int = 1
    speed_override: object = None  # callable(t_s, engine) -> speed or None

    def target_speed(self, engine: WorkoutEngine, t_s: float, waiting_since: float | None) -> float:
        if self.speed_override is not None:
            v = self.speed_override(t_s, engine)  # type: ignore[operator]
            if v is not None:
                return float(v)
        status = engine.current
        step = status.step
        if step is None or status.phase == "finished":
            return 0.0
        if status.phase == "paused":
            return 0.0
        if status.phase == "waiting" and (waiting_since is None
                                          or t_s - waiting_since < self.wait_s):  # fmt: skip
            return 0.0
        if step.standing:
            if step.duration_s is None and status.elapsed_s >= self.stand_s:
                nxt = engine._rep_follows(t_s, status.distance_m)
                if nxt is not None and nxt.target_pace_s_per_km is not None:
                    return 1000.0 / (nxt.target_pace_s_per_km * self.pace_factor)
                return self.speeds_mps[RepKind.WORK if nxt else RepKind.RECOVERY]
            return 0.0
        if step.target_pace_s_per_km is not None:
            return 1000.0 / (step.target_pace_s_per_km * self.pace_factor)
        return self.speeds_mps[step.kind]

    def run(self, engine: WorkoutEngine, until_s: float,
            events: list[ControlEvent | DeviceEvent] | None = None,
            gps_ok: object = None) -> RunLog:  # fmt: skip
        rng = np.random.default_rng(self.seed)
        log = RunLog()
        pending = sorted(events or [], key=lambda e: e.t_s)
        t, d, v = 0.0, 0.0, 0.0
        next_est = self.est_offset_s
        waiting_since: float | None = None
        while t < until_s and not engine.finished:
            while pending and pending[0].t_s <= t:
                ev = pending.pop(0)
                if isinstance(ev, ControlEvent):
                    log.cues += engine.on_control(ev).cues
                else:
                    log.cues += engine.on_device(ev).cues
            if t >= next_est - 1e-9:
                ok = True if gps_ok is None else bool(gps_ok(t))  # type: ignore[operator]
                speed = v
                if self.speed_noise_mps:
                    speed = max(0.0, v + rng.normal(0.0, self.speed_noise_mps))
                cad = None
                if self.cadence_spm is not None and v > 1.5:
                    cad = self.cadence_spm + (rng.normal(0, self.cadence_noise_spm)
                                              if self.cadence_noise_spm else 0.0)  # fmt: skip
                est = Estimate(
                    t_s=round(t, 6), utc=None, distance_m=d, speed_mps=speed,
                    speed_confidence=self.speed_confidence, cadence_spm=cad,
                    cadence_confidence=self.cadence_confidence if cad else 0.0,
                    distance_source=DistanceSource.TRACK if self.on_track else DistanceSource.GPS,
                    gps_ok=ok, on_track=self.on_track,
                )  # fmt: skip
                log.cues += engine.on_estimate(est).cues
                next_est += 1.0
            phase = engine.current.phase
            if phase == "waiting":
                waiting_since = t if waiting_since is None else waiting_since
            else:
                waiting_since = None
            target = self.target_speed(engine, t, waiting_since)
            v_new = target + (v - target) * np.exp(-self.dt_s / self.tau_s)
            d += 0.5 * (v + v_new) * self.dt_s
            v = v_new
            t = round(t + self.dt_s, 9)
            log.t_s.append(t)
            log.d_m.append(d)
        if not engine.finished:
            log.cues += engine.finish(t).cues
        return log


def transcript(workout: str, profile: str = "track", miles: bool = False, **runner_kw) -> list[str]:
    """What the coach says in a simulated session: ``"  t_s  kind  text"`` lines."""
    from pacer.coach.cues import CuePolicy, CueSettings
    from pacer.formats.workout_source import resolve_workout

    engine = WorkoutEngine(resolve_workout(workout),
                           policy=CuePolicy(CueSettings(profile=profile, miles=miles)))  # fmt: skip
    log = Runner(**runner_kw).run(engine, until_s=4 * 3600)
    return [f"{c.t_s:7.1f}  {c.kind.value:<15} {'(dropped) ' if c.dropped else ''}{c.text}"
            for c in log.cues]  # fmt: skip


def bench(workout: str = "6x400", repeats: int = 5) -> str:
    """Time the engine alone over a recorded simulated session (best of ``repeats``)."""
    import time

    from pacer.formats.workout_source import resolve_workout

    seen: list[Estimate] = []

    class Recording(WorkoutEngine):
        def on_estimate(self, est: Estimate) -> EngineOutput:
            seen.append(est)
            return super().on_estimate(est)

    Runner().run(Recording(resolve_workout(workout)), until_s=4 * 3600)
    best = float("inf")
    for _ in range(repeats):
        engine = WorkoutEngine(resolve_workout(workout))
        t0 = time.perf_counter()
        for est in seen:
            engine.on_estimate(est)
        engine.finish(seen[-1].t_s + 1.0)
        best = min(best, time.perf_counter() - t0)
    return (f"{workout}: {len(seen)} estimates in {best * 1e3:.1f} ms, "
            f"{best / len(seen) * 1e6:.0f} us per estimate")  # fmt: skip


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="Print what the coach says in a simulated session")
    ap.add_argument("workout")
    ap.add_argument("--profile", default="track")
    ap.add_argument("--miles", action="store_true")
    ap.add_argument("--pace-factor", type=float, default=1.0)
    ap.add_argument("--cadence", type=float, default=172.0)
    ap.add_argument("--bench", action="store_true", help="time the engine instead")
    a = ap.parse_args()
    if a.bench:
        raise SystemExit(print(bench(a.workout)))
    print("\n".join(transcript(a.workout, a.profile, a.miles, pace_factor=a.pace_factor,
                               cadence_spm=a.cadence)))  # fmt: skip
