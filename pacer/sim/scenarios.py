"""Built-in sessions for the simulated runner.

``default_session_efforts`` is what ``pacer sim`` runs with no arguments and matches the
coach's built-in ``6x400`` workout (``800m jog; 6x(400m @90s, 200m jog); 800m jog``,
:mod:`pacer.coach.language.library`): 6 x 400 m in 90 s (4.44 m/s, 3:45 /km) with 200 m jog
recoveries, on lane 1 of a standard track. The runner starts on the finish line (after
5 s standing while the receiver settles), so the two-lap warm-up ends there and rep 1
starts and finishes on the finish line; with 200 m recoveries the later reps alternate
between the 200 m start (the start of the second bend, ``s_m`` = 200) and the finish
line, as they do on a real track.

``interval_session_efforts(recovery="line")`` is the variant where every rep starts and
finishes on the finish line: each recovery is stand 10 s, walk 100 m, jog on to the
line (~2:30), which also exercises standing and walking between reps.
"""

from __future__ import annotations

from collections.abc import Callable

from pacer.sim.effort import Effort

REP_DISTANCE_M = 400.0
REP_TIME_S = 90.0
REPS = 6
RECOVERY_JOG_MPS = 2.7  # 200 m in ~74 s, an easy recovery jog


def interval_session_efforts(
    reps: int = REPS,
    rep_distance_m: float = REP_DISTANCE_M,
    rep_time_s: float = REP_TIME_S,
    *,
    recovery: str = "jog",
    recovery_m: float = 200.0,
    warmup_m: float = 800.0,
    cooldown_m: float = 800.0,
    jog_speed_mps: float = 3.0,
) -> list[Effort]:
    """Warm-up jog, ``reps`` timed reps with recoveries, cool-down jog.

    Parameters
    ----------
    recovery : {"jog", "line"}
        ``"jog"``: jog ``recovery_m`` at 2.7 m/s. ``"line"``: stand 10 s, walk 100 m, jog
        on to the finish line, so every rep starts on it.
    jog_speed_mps : float
        Warm-up and cool-down speed.

    Start the runner at ``start_s_m = 0`` (on the finish line).
    """
    if recovery not in ("jog", "line"):
        raise ValueError(f"recovery must be 'jog' or 'line', got {recovery!r}")
    efforts = [Effort("stand", duration_s=5.0, label="start"),
               Effort("jog", distance_m=warmup_m, speed_mps=jog_speed_mps, label="warm-up")]
    for i in range(1, reps + 1):
        efforts.append(Effort("run", distance_m=rep_distance_m, duration_s=rep_time_s,
                              label=f"rep {i}"))
        if i == reps:
            break
        label = f"recovery {i}"
        if recovery == "jog":
            efforts.append(Effort("jog", distance_m=recovery_m, speed_mps=RECOVERY_JOG_MPS,
                                  label=label))
        else:
            efforts += [Effort("stand", duration_s=10.0, label=label),
                        Effort("walk", distance_m=100.0, label=label),
                        Effort("jog", to_s_m=0.0, speed_mps=RECOVERY_JOG_MPS, label=label)]
    efforts += [Effort("jog", distance_m=cooldown_m, speed_mps=jog_speed_mps, label="cool-down"),
                Effort("walk", duration_s=30.0, label="cool-down"),
                Effort("stand", duration_s=5.0, label="end")]
    return efforts


def default_session_efforts() -> list[Effort]:
    """The built-in 6 x 400 m in 90 s, 200 m jog recoveries (start at ``start_s_m=0``)."""
    return interval_session_efforts()


def tempo_session_efforts(tempo_s: float = 1200.0, speed_mps: float = 3.9) -> list[Effort]:
    """A steady tempo run: 1 km jog, ``tempo_s`` at ``speed_mps`` (4:16 /km), 1 km jog."""
    return [Effort("stand", duration_s=5.0, label="start"),
            Effort("jog", distance_m=1000.0, label="warm-up"),
            Effort("run", duration_s=tempo_s, speed_mps=speed_mps, label="tempo"),
            Effort("jog", distance_m=1000.0, label="cool-down"),
            Effort("stand", duration_s=5.0, label="end")]


def line_start_session_efforts() -> list[Effort]:
    """6 x 400 m in 90 s, every rep from the finish line (stand, walk, jog recoveries)."""
    return interval_session_efforts(recovery="line")


SCENARIOS: dict[str, Callable[[], list[Effort]]] = {
    "6x400": default_session_efforts,
    "6x400-line": line_start_session_efforts,
    "tempo": tempo_session_efforts,
}
