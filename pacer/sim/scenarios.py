"""Built-in sessions for the simulated runner.

``default_session_efforts`` is the session ``pacer sim`` runs with no arguments: 6 x 400 m
in 90 s (4.44 m/s, 3:45 /km) on a standard track. Every rep starts and finishes on the
finish line, as a coach would set it up: the runner starts on the line, warms up two
laps, and each recovery brings them back to the line (stand 10 s, walk 100 m, jog the
rest of the lap, so ~2:30 between reps). The session ends with a two-lap cool-down.
"""

from __future__ import annotations

from pacer.sim.runner import Effort

REP_DISTANCE_M = 400.0
REP_TIME_S = 90.0
REPS = 6


def interval_session_efforts(
    reps: int = REPS,
    rep_distance_m: float = REP_DISTANCE_M,
    rep_time_s: float = REP_TIME_S,
    *,
    warmup_m: float = 800.0,
    cooldown_m: float = 800.0,
    stand_s: float = 10.0,
    walk_m: float = 100.0,
    jog_speed_mps: float = 3.0,
) -> list[Effort]:
    """Warm-up jog, ``reps`` timed reps each started on the finish line, cool-down.

    Each recovery is: stand ``stand_s``, walk ``walk_m``, jog on to the finish line.
    Start the runner at ``start_s_m = 0`` (on the line) with a warm-up of whole laps.
    """
    efforts = [Effort("stand", duration_s=5.0, label="start"),
               Effort("jog", distance_m=warmup_m, speed_mps=jog_speed_mps, label="warm-up")]
    for i in range(1, reps + 1):
        efforts.append(Effort("run", distance_m=rep_distance_m, duration_s=rep_time_s,
                              label=f"rep {i}"))
        if i < reps:
            efforts += [
                Effort("stand", duration_s=stand_s, label=f"recovery {i}"),
                Effort("walk", distance_m=walk_m, label=f"recovery {i}"),
                Effort("jog", to_s_m=0.0, speed_mps=jog_speed_mps * 0.9, label=f"recovery {i}"),
            ]
    efforts += [Effort("jog", distance_m=cooldown_m, speed_mps=jog_speed_mps, label="cool-down"),
                Effort("walk", duration_s=30.0, label="cool-down"),
                Effort("stand", duration_s=5.0, label="end")]
    return efforts


def default_session_efforts() -> list[Effort]:
    """The built-in 6 x 400 m in 90 s session (start the runner at ``start_s_m=0``)."""
    return interval_session_efforts()


def tempo_session_efforts(tempo_s: float = 1200.0, speed_mps: float = 3.9) -> list[Effort]:
    """A steady tempo run: 1 km jog, ``tempo_s`` at ``speed_mps`` (4:16 /km), 1 km jog."""
    return [Effort("stand", duration_s=5.0, label="start"),
            Effort("jog", distance_m=1000.0, label="warm-up"),
            Effort("run", duration_s=tempo_s, speed_mps=speed_mps, label="tempo"),
            Effort("jog", distance_m=1000.0, label="cool-down"),
            Effort("stand", duration_s=5.0, label="end")]


SCENARIOS = {"6x400": default_session_efforts, "tempo": tempo_session_efforts}
