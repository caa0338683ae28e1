"""What the workout engine hands back for each input, as data.

Each of :class:`~pacer.coach.engine.WorkoutEngine`'s inputs (an estimate, a control or
device event, the end of the session) returns one :class:`EngineOutput`: the cues to say
(and those the policy dropped), the metronome the running step asks for, the phase
changes and reps finished on the way, where the session is now, and whether it is over.
The runtime forwards these; it never asks the engine for its state.
"""

from __future__ import annotations

from dataclasses import dataclass

from pacer.coach.language.workout import PlannedStep
from pacer.models import Cue, MetronomeMode, Phase, Rep


@dataclass(frozen=True, slots=True)
class EngineStatus:
    """Where the session is: the current step and how far into it."""

    step: PlannedStep | None
    phase: Phase
    rep_number: int | None  # 1-based among work steps, None outside work
    elapsed_s: float
    distance_m: float


@dataclass(frozen=True, slots=True)
class PhaseChange:
    """The engine entered ``phase`` (for ``step``) at ``t_s`` (session seconds)."""

    t_s: float
    phase: Phase
    step: PlannedStep | None


@dataclass(frozen=True, slots=True)
class MetronomeSetting:
    """What the metronome should play: ``target_cadence_spm`` in ``mode``, None: silent."""

    target_cadence_spm: float | None
    mode: MetronomeMode


@dataclass(frozen=True, slots=True)
class EngineOutput:
    """The engine's outputs for one input, in time order within each field."""

    cues: list[Cue]  # said and dropped (``Cue.dropped``), in time order
    status: EngineStatus  # after the input
    metronome: MetronomeSetting  # as of the input
    phase_changes: tuple[PhaseChange, ...] = ()
    reps: tuple[Rep, ...] = ()  # steps finished during the input
    finished: bool = False  # the session is over: no more inputs are needed


def metronome_target_spm(step: PlannedStep | None, phase: Phase,
                         mode: MetronomeMode) -> float | None:
    """The cadence (spm) the metronome plays: the step's target while it runs, when the
    step asks for the metronome and ``mode`` is not OFF; else None (silent)."""
    on = (step is not None and step.metronome and phase is Phase.RUNNING
          and mode is not MetronomeMode.OFF)
    return step.target_cadence_spm if on and step is not None else None


class PendingOutput:
    """What the next :class:`EngineOutput` hands out besides cues: the phase changes
    since the last output, the metronome setting, and which reps are new."""

    def __init__(self, mode: MetronomeMode) -> None:
        self.mode = mode
        self.changes: list[PhaseChange] = []  # since the last output
        self.metronome = MetronomeSetting(None, mode)
        self.reps_out = 0  # reps already handed out

    def phase(self, t_s: float, phase: Phase, step: PlannedStep | None) -> None:
        """``step`` entered ``phase`` at ``t_s``; the metronome follows it."""
        self.changes.append(PhaseChange(t_s, phase, step))
        target = metronome_target_spm(step, phase, self.mode)
        if target != self.metronome.target_cadence_spm:
            self.metronome = MetronomeSetting(target, self.mode)

    def finished(self, t_s: float) -> None:
        """The session ended at ``t_s``: the metronome stops."""
        self.changes.append(PhaseChange(t_s, Phase.FINISHED, None))
        self.metronome = MetronomeSetting(None, self.mode)

    def take(self, cues: list[Cue], status: EngineStatus, reps: list[Rep],
             finished: bool) -> EngineOutput:
        """The output with ``cues``: the changes and the reps not yet handed out."""
        changes: tuple[PhaseChange, ...] = ()
        if self.changes:
            changes, self.changes = tuple(self.changes), []
        new_reps: tuple[Rep, ...] = ()
        if len(reps) > self.reps_out:
            new_reps = tuple(reps[self.reps_out:])
            self.reps_out = len(reps)
        return EngineOutput(cues, status, self.metronome, changes, new_reps, finished)
