"""One block of a simulated session: stand, walk, jog or run until a duration or distance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pacer.errors import InputError

KINDS = ("stand", "walk", "jog", "run")
DEFAULT_SPEED_MPS = {"stand": 0.0, "walk": 1.4, "jog": 3.0}


@dataclass(frozen=True)
class Effort:
    """One block of the session: stand, walk, jog or run until a duration or distance.

    Parameters
    ----------
    kind : {"stand", "walk", "jog", "run"}
    duration_s, distance_m : float, optional
        What ends the effort. With both, the distance ends it and the duration sets the
        target speed (a 400 m rep in 90 s). "stand" needs a duration.
    speed_mps : float, optional
        Target speed; defaults: walk 1.4, jog 3.0, run ``distance_m / duration_s``.
    label : str
        Free text carried into the truth files ("rep 3", "warm-up").
    to_s_m : float, optional
        Instead of a distance: go on to the next point at this progress from the finish
        line (0.0 = the finish line; at least 1 m ahead), e.g. a jog back to the line.
    """

    kind: str
    duration_s: float | None = None
    distance_m: float | None = None
    speed_mps: float | None = None
    label: str = ""
    to_s_m: float | None = None

    def __init__(
        self,
        kind: str,
        *,
        duration_s: float | None = None,
        distance_m: float | None = None,
        speed_mps: float | None = None,
        label: str = "",
        to_s_m: float | None = None,
    ) -> None:
        if kind not in KINDS:
            raise InputError(f"effort kind must be one of {', '.join(KINDS)}, got {kind!r}")
        for name, value in (("duration_s", duration_s), ("distance_m", distance_m),
                            ("speed_mps", speed_mps)):
            if value is not None and not (np.isfinite(value) and value > 0):
                raise InputError(f"{kind} effort: {name} must be a positive number, got {value!r}")
        ends = [v is not None for v in (duration_s, distance_m, to_s_m)]
        if not any(ends):
            raise InputError(f"{kind} effort needs a duration_s, distance_m or to_s_m to end it")
        if to_s_m is not None and (distance_m is not None or kind == "stand"):
            raise InputError(f"{kind} effort: to_s_m cannot go with distance_m or standing")
        if kind == "stand" and distance_m is not None:
            raise InputError("a stand effort is ended by duration_s, not distance_m")
        if kind == "run" and speed_mps is None and (duration_s is None or distance_m is None):
            raise InputError("a run effort needs speed_mps, or both distance_m and duration_s")
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "duration_s", duration_s)
        object.__setattr__(self, "distance_m", distance_m)
        object.__setattr__(self, "speed_mps", speed_mps)
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "to_s_m", None if to_s_m is None else float(to_s_m))

    @property
    def target_speed_mps(self) -> float:
        """The speed the runner aims for during this effort."""
        if self.kind == "stand":
            return 0.0
        if self.speed_mps is not None:
            return float(self.speed_mps)
        if self.kind == "run":
            return float(self.distance_m) / float(self.duration_s)  # type: ignore[arg-type]
        return DEFAULT_SPEED_MPS[self.kind]
