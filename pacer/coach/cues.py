"""The cue policy: which cues are on, how often, and a schedule where none overlap.

Catalogue and examples: docs/cues.md.

Scheduling rules (:meth:`CuePolicy.admit`):

1. A cue whose kind is switched off is discarded (not recorded).
2. Candidates are taken by time, then by priority (countdown and "go" first).
3. Each cue's spoken duration is estimated from its words at the configured rate.
4. A cue starts at its time, or when the cue being spoken ends; if that is after its
   ``expires_s`` it is no longer true and is *dropped* (returned with ``dropped=True``
   so the session records it, but never spoken).
5. A cue below countdown priority that would still be speaking at the next fixed-time
   cue (the next countdown number, announced by the engine) is dropped, so countdowns
   and "go" are never late.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from pacer.coach.phrasing import speech_duration_s
from pacer.models import Cue, CueKind

#: Priorities: higher pre-empts lower.
PRIORITY: dict[CueKind, int] = {
    CueKind.COUNTDOWN: 5,
    CueKind.GO: 5,
    CueKind.GPS: 4,
    CueKind.SESSION_START: 3,
    CueKind.REP_SUMMARY: 3,
    CueKind.SESSION_SUMMARY: 3,
    CueKind.HALFWAY: 2,
    CueKind.TO_GO: 2,
    CueKind.PREVIEW: 2,
    CueKind.SPLIT: 2,
    CueKind.DRIFT: 1,
    CueKind.ON_TARGET: 1,
    CueKind.CADENCE: 1,
    CueKind.STATUS: 1,
    CueKind.HEART_RATE: 0,  # below pace cues: heart rate lags, the pace is the runner's
}
FIXED_PRIORITY = PRIORITY[CueKind.COUNTDOWN]


@dataclass(frozen=True, slots=True)
class Profile:
    """What a verbosity profile says. Distances in metres, times in seconds."""

    name: str
    kinds: frozenset[CueKind]
    countdown_marks_s: tuple[float, ...]  # before a timed recovery ends; 0 is "go"
    split_every_track_m: float | None  # on a track (None: no distance splits)
    split_every_road_m: float | None  # elsewhere (km; the policy switches to a mile)
    on_target_every_s: float | None  # periodic reassurance while on target
    cadence_every_s: float | None  # periodic cadence prompt on steps with a cadence target
    to_go_m: float | None  # "100 to go" this far from the end of distance reps
    to_go_s: float | None  # "30 seconds" this long before the end of timed reps


_ALL = frozenset(CueKind)
PROFILES: dict[str, Profile] = {
    "track": Profile("track", _ALL, (30.0, 10.0, 3.0, 2.0, 1.0, 0.0), 100.0, 200.0,
                     None, None, 100.0, 30.0),
    "tempo": Profile("tempo", _ALL, (10.0, 3.0, 2.0, 1.0, 0.0), None, 1000.0,
                     120.0, 120.0, 400.0, 60.0),
    "race": Profile("race", _ALL - {CueKind.ON_TARGET, CueKind.CADENCE, CueKind.PREVIEW},
                    (3.0, 2.0, 1.0, 0.0), None, 1000.0, None, None, 1000.0, None),
    "minimal": Profile(
        "minimal",
        frozenset({CueKind.COUNTDOWN, CueKind.GO, CueKind.REP_SUMMARY, CueKind.SESSION_SUMMARY,
                   CueKind.GPS, CueKind.SESSION_START, CueKind.STATUS}),
        (3.0, 2.0, 1.0, 0.0), None, None, None, None, None, None,
    ),
}


@dataclass(frozen=True, slots=True)
class CueSettings:
    """The runner's cue preferences (config ``[coach]`` and ``[audio]``).

    ``disabled`` holds :class:`~pacer.models.CueKind` values ("split", "drift"...) that
    are off whatever the profile says; ``enabled`` turns kinds on that the profile leaves
    off. ``split_every_m`` / ``split_every_s`` override the profile's split interval.
    """

    profile: str = "track"
    miles: bool = False
    disabled: frozenset[str] = frozenset()
    enabled: frozenset[str] = frozenset()
    rate_wpm: float = 175.0
    spell_numbers: bool = False
    split_every_m: float | None = None
    split_every_s: float | None = None
    drift_tolerance: float = 0.03  # fraction of target pace that counts as off target
    drift_exit_tolerance: float = 0.015  # back within this -> on target again
    drift_dwell_s: float = 3.0  # the error must persist this long before a drift cue
    drift_repeat_s: float = 20.0  # first reminder while still off target; then 40, 80... s
    pace_gap_s: float = 15.0  # at least this long between two pace cues of a step
    min_speed_confidence: float = 0.6
    min_cadence_confidence: float = 0.5
    cadence_tolerance_spm: float = 4.0
    short_rep_s: float = 90.0  # reps with a target shorter than this get fewer words
    auto_lap: bool = True  # steady runs are split into laps (pacer.coach.auto_lap)
    auto_lap_m: float | None = None  # lap length; None: 1 km, or 1 mile with ``miles``

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            from pacer.errors import ConfigError

            raise ConfigError(
                f"unknown cue profile {self.profile!r} (known: {', '.join(PROFILES)})"
            )
        known = {k.value for k in CueKind}
        for name in self.disabled | self.enabled:
            if name not in known:
                from pacer.errors import ConfigError

                raise ConfigError(f"unknown cue kind {name!r} (known: {', '.join(sorted(known))})")

    @property
    def profile_spec(self) -> Profile:
        return PROFILES[self.profile]

    def is_on(self, kind: CueKind) -> bool:
        if kind.value in self.disabled:
            return False
        return kind in self.profile_spec.kinds or kind.value in self.enabled


@dataclass
class CuePolicy:
    """Filters and schedules cue candidates so that no two overlap (mutable, pure)."""

    settings: CueSettings = field(default_factory=CueSettings)
    busy_until_s: float = float("-inf")

    def duration_s(self, text: str) -> float:
        return speech_duration_s(text, self.settings.rate_wpm)

    def admit(self, candidates: list[Cue], now_s: float,
              next_fixed_s: float | None = None) -> list[Cue]:  # fmt: skip
        """Schedule ``candidates`` (see the module docstring); returns said and dropped cues.

        Parameters
        ----------
        candidates
            Cues proposed at or after ``now_s``.
        now_s
            Session time of the estimate or event being handled.
        next_fixed_s
            Time of the next countdown/"go" cue already known to be coming, or None.
        """
        out: list[Cue] = []
        ordered = sorted(candidates, key=lambda c: (c.t_s, -c.priority))
        for cue in ordered:
            if not self.settings.is_on(cue.kind):
                continue
            dur = self.duration_s(cue.text)
            start = max(cue.t_s, now_s)
            start = max(start, self.busy_until_s)  # never over another cue: wait for it to end
            expires = cue.expires_s if cue.expires_s is not None else start + 5.0
            late = start > expires + 1e-9
            collides = (
                cue.priority < FIXED_PRIORITY
                and next_fixed_s is not None
                and start + dur > next_fixed_s - 0.2
                and start < next_fixed_s
            )
            if late or collides:
                out.append(replace(cue, t_s=start, duration_s=dur, dropped=True))
                continue
            out.append(replace(cue, t_s=start, duration_s=dur, dropped=False))
            self.busy_until_s = max(self.busy_until_s, start + dur)
        return out


class Hysteresis:
    """Three-state classifier (below / on / above) with enter/exit thresholds and dwell.

    ``update(t_s, error)`` returns the new state when it changes, else None. A state is
    entered when ``error`` stays beyond ``enter`` for ``dwell_s``; "on" is re-entered
    only once it is back within ``exit`` for ``dwell_s``. Between the two thresholds the
    state holds, so a value wandering around a threshold cannot flap.
    """

    def __init__(self, enter: float, exit: float, dwell_s: float) -> None:
        if not 0 <= exit < enter:
            raise ValueError("need 0 <= exit < enter")
        self.enter = enter
        self.exit = exit
        self.dwell_s = dwell_s
        self.state = "on"
        self._pending: str | None = None
        self._since_s = 0.0

    def reset(self) -> None:
        self.state = "on"
        self._pending = None

    def update(self, t_s: float, error: float) -> str | None:
        if error > self.enter:
            want = "above"
        elif error < -self.enter:
            want = "below"
        elif abs(error) < self.exit:
            want = "on"
        else:
            want = self.state  # in the dead band: hold
        if want == self.state:
            self._pending = None
            return None
        if want != self._pending:
            self._pending, self._since_s = want, t_s
        if t_s - self._since_s >= self.dwell_s - 1e-9:
            self.state, self._pending = want, None
            return want
        return None
