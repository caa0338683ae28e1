"""The workout engine: a state machine driven by estimates and control events.

The current step is WAITING (armed, until the runner starts), RUNNING or PAUSED; the
session is FINISHED after the last step or END (:class:`~pacer.models.Phase`).
Every input returns an :class:`~pacer.coach.outputs.EngineOutput`: the cues (candidates
go through the :class:`~pacer.coach.cues.CuePolicy`), the metronome setting, the phase
changes, each finished step as a :class:`~pacer.models.Rep` with its targets and actuals,
and whether the session is over. How steps start and end (armed steps, auto starts,
held reps, early starts, stopping short) is in :mod:`pacer.coach.boundaries`, the step's
time and totals in :mod:`pacer.coach.step_tally`, the GPS announcements in
:mod:`pacer.coach.gps_watch`.
"""

from __future__ import annotations

import datetime as _dt

from pacer.coach.auto_lap import AutoLap
from pacer.coach.boundaries import (
    STOPPED_AFTER_S,
    arms_or_holds,
    early_start_from_s,
    start_threshold_mps,
    step_end_s,
    stopped_short,
    waits_for_runner,
)
from pacer.coach.crossing import HermitePath
from pacer.coach.cues import CuePolicy, CueSettings
from pacer.coach.gps_watch import GpsWatch
from pacer.coach.heart_rate import HeartRateZones
from pacer.coach.hr_steps import HeartRateSteps
from pacer.coach.language.workout import PlannedStep, StepCursor, Workout
from pacer.coach.lookahead import LookaheadCues
from pacer.coach.narrator import Narrator
from pacer.coach.onset import MOVING_SPEED_MPS, OnsetDetector, distance_after_m, moving
from pacer.coach.outputs import EngineOutput, EngineStatus, PendingOutput
from pacer.coach.step_tally import StepTally, record_rep
from pacer.models import (
    Control,
    ControlEvent,
    Cue,
    DeviceEvent,
    DeviceState,
    DistanceSource,
    Estimate,
    MetronomeMode,
    Phase,
    Rep,
    RepKind,
    StartMode,
)

_STEPPING = (Phase.RUNNING, Phase.PAUSED)  # a step is under way
_START_MODES = tuple(m.value for m in StartMode)


class WorkoutEngine:
    """Runs a workout against 1 Hz estimates and button events (pure: time is data).

    Parameters
    ----------
    workout
        The parsed workout.
    policy
        The cue policy (default: track profile, km).
    start_mode
        AUTO (button or running starts an armed step), BUTTON (button only), or
        IMMEDIATE (the first step starts at the first estimate; later armed steps as
        in AUTO).
    metronome_mode
        How the metronome plays a step that asks for it (OFF: never).
    heart_rate_zones
        The configured zones (``@z2`` targets and zone announcements; :mod:`.hr_steps`).
    """

    def __init__(self, workout: Workout, *, policy: CuePolicy | None = None,
                 start_mode: StartMode | str = StartMode.AUTO,
                 metronome_mode: MetronomeMode | str = MetronomeMode.FIXED,
                 heart_rate_zones: HeartRateZones | None = None) -> None:  # fmt: skip
        if start_mode not in _START_MODES:
            raise ValueError(f"start_mode must be one of {', '.join(_START_MODES)}, "
                             f"got {start_mode!r}")
        self.start_mode = StartMode(start_mode)
        self.workout = workout
        self.policy = policy or CuePolicy()
        self.metronome_mode = MetronomeMode(metronome_mode)
        self.narrator = Narrator(self.policy.settings)
        self._cursor = StepCursor(workout, named_paces_s_per_km=workout.named_paces_s_per_km)
        self._reps: list[Rep] = []
        self._step: PlannedStep | None = None
        self._phase = Phase.WAITING
        self._pending = PendingOutput(self.metronome_mode)
        self._started_session = False
        self._finished = False
        self._last: Estimate | None = None
        self._armed_at_s = 0.0
        self._gps = GpsWatch(self.narrator)
        self._ahead = LookaheadCues(self.narrator, self.policy)
        self._tally = StepTally()
        self._now: Estimate | None = None  # the estimate being handled
        self._last_moving: Estimate | None = None  # last estimate at moving speed
        self._held = False  # the waiting rep had its "go" said; it starts on moving
        self._onset = OnsetDetector()
        self._lap = AutoLap(self.policy.settings)
        self._hr = HeartRateSteps(self.narrator, heart_rate_zones)
        self._reset_step_state(0.0, 0.0)

    # ------------------------------------------------------------------ properties
    @property
    def reps(self) -> list[Rep]:
        """Finished steps with targets and actuals, in order."""
        return list(self._reps)

    @property
    def finished(self) -> bool:
        return self._finished

    @property
    def current(self) -> EngineStatus:
        step = self._step
        phase = Phase.FINISHED if self._finished else self._phase
        elapsed, dist = (0.0, 0.0)
        if self._phase in _STEPPING and self._last is not None:
            elapsed, dist = self._tally.elapsed_distance(self._last.t_s, self._last.distance_m)
        return EngineStatus(step, phase, step.rep_number if step else None, elapsed, dist)

    def set_cue_settings(self, settings: CueSettings) -> None:
        """Apply new cue settings mid-session (config reload), keeping the step's state."""
        self.policy.settings = settings
        self.narrator.update_settings(settings)
        self._lap.settings = settings

    # ------------------------------------------------------------------ inputs
    def on_estimate(self, est: Estimate) -> EngineOutput:
        """Advance to ``est.t_s``: cues (said and dropped) in time order, and the rest."""
        if self._finished or (self._last is not None and est.t_s <= self._last.t_s):
            return self._output([])  # a repeated or out-of-order estimate changes nothing
        cues: list[Cue] = []
        if not self._started_session:
            self._started_session = True
            plan = self.workout.plan(max_s=4 * 3600, max_steps=200)
            cues += self.narrator.session_start(est.t_s, self.workout, plan)
            self._advance(est.t_s, est.distance_m, cues, first=True)
        cues += self._gps_state(est.t_s, est.gps_ok, immediate=False)
        prev = self._last
        self._now = est
        lm = self._last_moving
        if self._phase is Phase.RUNNING and (lm is None or est.t_s - lm.t_s >= STOPPED_AFTER_S):
            self._tally.stood = True
        if moving(est):
            self._last_moving = est
        if self._phase is Phase.RUNNING:
            self._stop_short(est, cues)
        if self._phase is Phase.RUNNING:
            self._run_tick(prev, est, cues)
        if self._phase is Phase.WAITING and self._step is not None:
            if self._maybe_auto_start(prev, est, cues):
                self._run_tick(prev, est, cues)
        if self._phase in _STEPPING:
            cues += self._hr.cues(est, paused=self._phase is Phase.PAUSED)
        self._last = est
        self._onset.remember(est)
        out = self._admit(cues, est.t_s)
        self._ahead.note_admitted(out)
        self._hr.note_admitted(out)
        return self._output(out)

    def on_control(self, ev: ControlEvent) -> EngineOutput:
        if self._finished:
            return self._output([])
        # a press stamped before the running step began (late delivery) acts at its start
        t = max(ev.t_s, self._tally.floor[0]) if self._phase in _STEPPING else ev.t_s
        d = distance_after_m(self._last, t)
        cues: list[Cue] = []
        if ev.control is Control.END:
            return self.finish(t)
        if ev.control is Control.START_LAP:
            if self._phase is Phase.WAITING and self._step is not None:
                self._start(t, d, cues, said_go=False, announced=True)
            elif self._phase is Phase.RUNNING:
                self._end_step(t, d, cues)
                self._advance(t, d, cues, by_button=True)
        elif ev.control is Control.PAUSE:
            if self._phase is Phase.RUNNING:
                self._set_phase(t, Phase.PAUSED)
                self._tally.pause(t, d)
                if self._lap.tally is not None:
                    self._lap.tally.pause(t, d)
                cues += self.narrator.status(t, "paused")
            elif self._phase is Phase.PAUSED:
                self._set_phase(t, Phase.RUNNING)
                self._tally.unpause(t, d)
                if self._lap.tally is not None:
                    self._lap.tally.unpause(t, d)
                self._tally.floor = (t, d)
                cues += self.narrator.status(t, "resumed")
        elif ev.control is Control.SKIP:
            if self._phase in _STEPPING:
                if self._phase is Phase.PAUSED:
                    self._set_phase(t, Phase.RUNNING)
                    self._tally.unpause(t, d)
                self._end_step(t, d, cues)
            cues += self.narrator.status(t, "skipped")
            self._advance(t, d, cues)
        return self._output(self._admit(cues, t))

    def on_device(self, ev: DeviceEvent) -> EngineOutput:
        """A device edge's report: GPS receiver lost or back is said at once."""
        if self._finished or ev.device != "gps":
            return self._output([])
        ok = ev.state not in (DeviceState.LOST, DeviceState.ERROR)
        return self._output(self._admit(self._gps_state(ev.t_s, ok, immediate=True), ev.t_s))

    def finish(self, t_s: float) -> EngineOutput:
        """End the session at ``t_s`` (records the step in progress); the session summary."""
        if self._finished:
            return self._output([])
        return self._output(self._admit(self._finish(t_s), t_s))

    def _finish(self, t_s: float) -> list[Cue]:
        cues: list[Cue] = []
        if self._phase in _STEPPING:
            t_s = max(t_s, self._tally.floor[0])
        if self._phase is Phase.PAUSED:
            self._tally.unpause(t_s, distance_after_m(self._last, t_s))
            self._set_phase(t_s, Phase.RUNNING)
        if self._phase is Phase.RUNNING:
            self._end_step(t_s, distance_after_m(self._last, t_s), cues, stopping=True)
        self._finished = True
        self._step = None
        self._pending.finished(t_s)
        cues += self.narrator.session_summary(t_s, self._reps)
        return cues

    # ------------------------------------------------------------------ outputs
    def _output(self, cues: list[Cue]) -> EngineOutput:
        """Hand out the cues with what changed since the last output."""
        return self._pending.take(cues, self.current, self._reps, self._finished)

    def _set_phase(self, t_s: float, phase: Phase) -> None:
        self._phase = phase
        self._pending.phase(t_s, phase, self._step)

    # ------------------------------------------------------------------ internals
    def _reset_step_state(self, t_s: float, d_m: float) -> None:
        self._tally = StepTally(t_s, d_m)
        self._onset.reset()
        self._ahead.reset_step()

    def _admit(self, cues: list[Cue], now_s: float) -> list[Cue]:
        return self.policy.admit(cues, now_s, self._next_fixed_s())

    def _next_fixed_s(self) -> float | None:
        if self._step is None or self._phase is not Phase.RUNNING or self._last is None:
            return None
        hr_s = self._hr.next_fixed_s()
        if hr_s is not None:
            return hr_s
        return self._ahead.next_fixed_s(self._step, self._last, self._tally, self._rep_follows)

    def _gps_state(self, t_s: float, ok: bool, *, immediate: bool) -> list[Cue]:
        return self._gps.update(t_s, ok, session_started=self._started_session,
                                immediate=immediate)

    def _rep_follows(self, t_s: float, d_m: float) -> PlannedStep | None:
        """The next step if it is a rep that starts when this step ends (countdown, go)."""
        nxt = self._cursor.peek(t_s, d_m)
        return nxt if nxt is not None and nxt.kind is RepKind.WORK else None

    def _advance(self, t_s: float, d_m: float, cues: list[Cue], first: bool = False,
                 by_button: bool = False, set_off: bool = False) -> None:  # fmt: skip
        """Move to the next step: start it now, or arm it (never after a lap press)."""
        prev = self._step
        step = self._cursor.next(t_s, d_m)
        self._step = step
        if step is None:
            self._phase = Phase.WAITING  # the session ends here: FINISHED follows
            cues += self._finish(t_s) if not self._finished else []
            return
        armed, held = arms_or_holds(prev, step, self.start_mode, first=first,
                                    by_button=by_button, set_off=set_off,
                                    standing=not moving(self._now),
                                    ever_moved=self._last_moving is not None)
        if armed:
            self._set_phase(t_s, Phase.WAITING)
            self._onset.reset()
            self._armed_at_s = t_s
            self._held = held
            if not held and not self._ahead.previewed:
                brief = self.start_mode is not StartMode.BUTTON and moving(self._now)
                cues += self.narrator.armed(t_s, step, brief=brief)
        else:
            go_at_s = self._ahead.go_at_s
            said_go = go_at_s is not None and abs(go_at_s - t_s) < 1.5
            self._start(t_s, d_m, cues, said_go=said_go, announced=False)

    def _start(self, t_s: float, d_m: float, cues: list[Cue], *, said_go: bool,
               announced: bool) -> None:  # fmt: skip
        assert self._step is not None
        self._set_phase(t_s, Phase.RUNNING)
        self._reset_step_state(t_s, d_m)
        self._lap.start(self._step, t_s, d_m)
        self._hr.start_step(self._step, t_s)
        if self._last is not None and self._last.utc is not None:
            self._tally.start_utc = self._last.utc + _dt.timedelta(seconds=t_s - self._last.t_s)
        self._ahead.go_at_s = None
        cues += self.narrator.started(t_s, self._step, said_go=said_go, announced=announced,
                                      next_work=self._cursor.peek_work(t_s, d_m))  # fmt: skip

    def _maybe_auto_start(self, prev: Estimate | None, est: Estimate, cues: list[Cue]) -> bool:
        """Start the armed step if the runner set off (backdated to the onset): started?"""
        if self.start_mode is StartMode.BUTTON or self._step is None:
            return False
        # a held rep (its "go" was said) starts as soon as the runner moves at all
        threshold = MOVING_SPEED_MPS if self._held else start_threshold_mps(self._step)
        onset = self._onset.update(prev, est, threshold, self._armed_at_s)
        if onset is None:
            return False
        said_go, self._held = self._held, False  # a held rep's "go" was said: not again
        self._start(onset[0], onset[1], cues, said_go=said_go, announced=True)
        return True

    def _stop_short(self, est: Estimate, cues: list[Cue]) -> None:
        """End a distance rep whose runner stopped (or lost the fix) within
        SHORT_TOLERANCE of its distance: at the last moving estimate, as run."""
        step, lm = self._step, self._last_moving
        if (step is None or lm is None or lm.t_s <= self._tally.floor[0]
                or est.t_s - lm.t_s < STOPPED_AFTER_S
                or not stopped_short(step, self._tally.elapsed_distance(lm.t_s, lm.distance_m)[1])):
            return
        self._end_step(lm.t_s, lm.distance_m, cues)
        self._advance(lm.t_s, lm.distance_m, cues)

    def _early_start(self, step: PlannedStep, prev: Estimate | None, est: Estimate,
                     elapsed_s: float) -> tuple[float, float] | None:  # fmt: skip
        """A runner who stood during a recovery and sets off at rep speed in time
        (:func:`~pacer.coach.boundaries.early_start_from_s`) starts the rep: (t, d) of
        the onset."""
        if self.start_mode is StartMode.BUTTON:
            return None
        not_before = early_start_from_s(step, self._tally, elapsed_s)
        if not_before is None:
            return None
        nxt = self._rep_follows(est.t_s, est.distance_m)
        if nxt is None and not waits_for_runner(step):
            return None
        threshold = start_threshold_mps(nxt) if nxt is not None else MOVING_SPEED_MPS
        return self._onset.update(prev, est, threshold, not_before,
                                  back_to_mps=MOVING_SPEED_MPS)  # fmt: skip

    def _run_tick(self, prev: Estimate | None, est: Estimate, cues: list[Cue]) -> None:
        """Process the interval (prev, est] of the running step; end and advance steps."""
        t0, d0 = (prev.t_s, prev.distance_m) if prev is not None else (est.t_s, est.distance_m)
        if t0 < self._tally.floor[0]:
            t0, d0 = self._tally.floor
        for _ in range(20):  # a step cannot end more than a few times per second
            step = self._step
            if step is None or self._phase is not Phase.RUNNING:
                return
            e0, x0 = self._tally.elapsed_distance(t0, d0)
            e1, x1 = self._tally.elapsed_distance(est.t_s, est.distance_m)
            v0 = prev.speed_mps if prev is not None and prev.t_s == t0 else None
            path = HermitePath(t0, d0, v0, est.t_s, est.distance_m, est.speed_mps)
            end_t = step_end_s(step, path, e0, x0, e1, stood=self._tally.stood)
            end_t = self._hr.step_end(step, est, self._tally, self._rep_follows, end_t, t0,
                                      self._ahead, cues)  # ``until hr < X``
            lap_t = self._lap.crossing_s(step, path, x0)
            if lap_t is not None and (end_t is None or lap_t < end_t):
                t0, d0 = self._lap.record_lap(step, lap_t, path.distance_at(lap_t), self._reps,
                                              self._last, cues)
                continue
            cues += self._ahead.countdown(step, est, self._tally, self._rep_follows)
            if end_t is None:
                onset = self._early_start(step, prev, est, e1)
                if onset is not None:  # the runner set off before the "go"
                    self._end_step(onset[0], onset[1], cues)
                    self._advance(onset[0], onset[1], cues, set_off=True)
                    t0, d0 = onset
                    continue
                self._accumulate(est)
                cues += self._lap.status(est, e1, x1)
                cues += self.narrator.tick(est, max(e0, 0.0), max(x0, 0.0), e1, x1)
                cues += self._ahead.predicted_go(step, est, x1, self._rep_follows)
                cues += self._ahead.early_preview(step, est, e1, x1, self._cursor.peek)
                return
            d_end = path.distance_at(end_t)
            e_end, x_end = self._tally.elapsed_distance(end_t, d_end)
            cues += self.narrator.tick(est, max(e0, 0.0), max(x0, 0.0), e_end, x_end, ending=True)
            self._accumulate(est)
            self._end_step(end_t, d_end, cues)
            self._advance(end_t, d_end, cues)
            t0, d0 = end_t, d_end

    def _end_step(self, t_s: float, d_m: float, cues: list[Cue], *,
                  stopping: bool = False) -> None:  # fmt: skip
        """Record the running step; ``stopping``: the session ends (END) inside it, and a
        work step short of 90 % of its length is recorded as stopped, not completed."""
        step = self._step
        if step is None or self._phase not in _STEPPING:
            return
        fallback = self._last.distance_source if self._last is not None else DistanceSource.GPS
        if self._lap.tally is not None and self._lap.laps:  # the last lap of a steady run
            rep, said = self._lap.lap(step, t_s, d_m, len(self._reps), fallback, last=True)
            cues += said
        else:
            rep = record_rep(step, self._tally, t_s, d_m, index=len(self._reps),
                             stopping=stopping, fallback_source=fallback)  # fmt: skip
        self._lap.tally = None
        self._reps.append(rep)
        self._set_phase(t_s, Phase.WAITING)
        cues += self.narrator.ended(t_s, rep, step)

    def _accumulate(self, est: Estimate) -> None:
        self._tally.accumulate(est)
        if self._lap.tally is not None:
            self._lap.tally.accumulate(est)
