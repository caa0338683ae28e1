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
