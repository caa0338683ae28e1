"""Assemble a coached session: estimator, workout engine, audio, session store, console.

Used by ``pacer sim``, ``pacer replay`` and ``pacer run`` so the three differ only in
where their records come from (:mod:`pacer.wiring.sim`, :mod:`pacer.wiring.replay`,
:mod:`pacer.wiring.live`).
"""

from __future__ import annotations

import datetime as dt
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from pacer import __version__
from pacer.config import Config
from pacer.models import Cue, Estimate, Phase, StartMode
from pacer.runtime import Pipeline
from pacer.units import format_clock, format_pace

if TYPE_CHECKING:
    from pacer.audio.output import AudioOut
    from pacer.coach.cues import CueSettings
    from pacer.coach.engine import WorkoutEngine
    from pacer.coach.language.workout import Workout
    from pacer.coach.outputs import EngineStatus
    from pacer.seams import Recorder, Speaker

#: what the coach says at countdowns and GPS changes, rendered ahead (docs/audio.md)
COMMON_PHRASES = ("go", "3", "2", "1", "10", "30 seconds", "GPS ready", "GPS back",
                  "GPS lost, timing continues")


class ConsolePrinter:
    """Live status lines and cue lines in the terminal (the runner's coach, printed)."""

    def __init__(self, out: TextIO | None = None, *, every_s: float = 10.0,
                 miles: bool = False) -> None:
        # sys.stdout when printing, not when this module was imported (it may be
        # replaced since: pytest's capture, a redirect)
        self.out = out if out is not None else sys.stdout
        self.every_s = every_s
        self.miles = miles
        self._next_s = 0.0
        self._now_s = float("-inf")
        self._pending: list[Cue] = []  # cues scheduled ahead of the data's time

    def _print_due(self, t_s: float) -> None:
        due = sorted((c for c in self._pending if c.t_s <= t_s), key=lambda c: c.t_s)
        self._pending = [c for c in self._pending if c.t_s > t_s]
        for cue in due:
            mark = "x" if cue.dropped else ">"
            self.out.write(f"{format_clock(cue.t_s):>7}  {mark} {cue.text}\n")

    def estimate(self, est: Estimate, status: EngineStatus | None) -> None:
        self._now_s = est.t_s
        self._print_due(est.t_s)
        if est.t_s + 1e-9 < self._next_s:
            self.out.flush()
            return
        self._next_s = est.t_s + self.every_s
        dist = est.distance_m / (1609.344 if self.miles else 1000.0)
        unit = "mi" if self.miles else "km"
        cad = f"{est.cadence_spm:4.0f} spm" if est.cadence_spm is not None else "  -- spm"
        pace = format_pace(est.pace_s_per_km, miles=self.miles)
        where = f"lap {est.track_lap}" if est.on_track and est.track_lap is not None else ""
        step = ""
        if status is not None:
            if status.step is not None and status.phase in (Phase.RUNNING, Phase.PAUSED):
                step = (f"{status.step.label} {status.distance_m:5.0f} m "
                        f"{format_clock(status.elapsed_s)}")
            else:
                step = status.phase
        gps = "GPS ok" if est.gps_ok else "no GPS"
        self.out.write(
            f"{format_clock(est.t_s):>7}  {dist:6.2f} {unit}  {pace:>9}  {cad}  "
            f"{est.distance_source.value:6} {gps:6}  {where:7} {step}\n"
        )
        self.out.flush()

    def cue(self, cue: Cue) -> None:
        """Print a cue in time order: one scheduled ahead (a countdown) waits its turn."""
        self._pending.append(cue)
        if cue.t_s <= self._now_s:
            self._print_due(self._now_s)
            self.out.flush()

    def close(self) -> None:
        self._print_due(float("inf"))
        self.out.flush()

    def event(self, t_s: float, text: str) -> None:
        self.out.write(f"{format_clock(t_s):>7}  ! {text}\n")
        self.out.flush()


def refuse_existing_session(session_dir: str | None) -> None:
    """Refuse ``--session-dir`` holding a session before any output is opened (a
    soundtrack is not started for a run that cannot record)."""
    from pacer.errors import SessionError

    if session_dir is not None and (Path(session_dir) / "session.db").exists():
        raise SessionError(f"{Path(session_dir) / 'session.db'}: a session already exists here")


def sims_dir(data_dir: Path) -> Path:
    """Where ``pacer sim`` writes sessions without ``--session-dir``: ``sims`` next to
    the sessions folder (``~/.local/share/pacer/sims``), named by when the simulation
    was run, so simulated runs never appear in ``pacer sessions`` or ``review last``."""
    return data_dir.parent / "sims"


def with_coach_overrides(config: Config, profile: str | None, units: str | None) -> Config:
    """``config`` with ``[coach] profile`` / ``units`` replaced where given (the
    ``--profile`` / ``--units`` flags, over every config file)."""
    import dataclasses

    if profile is None and units is None:
        return config
    coach = dataclasses.replace(config.coach, profile=profile or config.coach.profile,
                                units=units or config.coach.units)  # fmt: skip
    return dataclasses.replace(config, coach=coach)


def cue_settings(config: Config) -> CueSettings:
    """The runner's cue preferences from the config: ``[coach]`` profile, units and
    disabled_cues, ``[audio]`` rate_wpm (for speech durations).

    The one place they are read: :func:`build_session` gives them to a new workout
    engine, and ``pacer run`` applies them again when SIGHUP reloads the config.
    """
    from pacer.coach.cues import CueSettings

    return CueSettings(
        profile=config.coach.profile,
        miles=config.coach.units == "mi",
        disabled=frozenset(config.coach.disabled_cues),
        rate_wpm=float(config.audio.rate_wpm),
    )


@dataclass
class SessionParts:
    pipeline: Pipeline
    session_dir: Path | None
    workout: Workout | None
    engine: WorkoutEngine | None  # for a config reload (``pacer run``); None: free run


def session_meta(*, kind: str, workout: Workout | None, config: Config,
                 sources: dict[str, object], start_utc: dt.datetime | None) -> dict[str, object]:
    import numpy

    return {
        "kind": kind,
        "workout": workout.source_text if workout is not None else None,
        "workout_name": workout.name if workout is not None else None,
        "config": config.as_dict(),
        "versions": {"pacer": __version__, "python": platform.python_version(),
                     "numpy": numpy.__version__},
        "sources": sources,
        "start_utc": start_utc.isoformat() if start_utc is not None else None,
        "host": platform.node(),
    }


def build_session(
    *,
    kind: str,
    config: Config,
    workout: Workout | None,
    session_dir: str | Path | None,
    sources: dict[str, object],
    start_utc: dt.datetime | None,
    audio: Speaker | None = None,
    printer: ConsolePrinter | None = None,
    start_mode: StartMode = StartMode.AUTO,
    store_raw: bool = True,
    flush_every_ticks: int = 1,
) -> SessionParts:
    """Create the session directory and the pipeline that will fill it."""
    from pacer.coach.cues import CuePolicy
    from pacer.coach.engine import WorkoutEngine
    from pacer.dsp.estimator import LiveEstimator
    from pacer.session.reader import default_data_dir
    from pacer.session.store import new_session_path

    if session_dir is None:
        base = Path(config.session.data_dir) if config.session.data_dir else default_data_dir()
        when = start_utc or dt.datetime.now(dt.UTC)
        if kind == "sim":  # simulated runs stay out of the runner's history
            base, when = sims_dir(base), dt.datetime.now(dt.UTC)
        session_dir = new_session_path(base, when)
    session_path = Path(session_dir)

    def now_s() -> float:  # for the store's problems, once the pipeline runs
        return pipeline.last_t_s if pipeline.last_t_s > -1e300 else 0.0

    meta = session_meta(kind=kind, workout=workout, config=config, sources=sources,
                        start_utc=start_utc)
    store = _open_store(kind, session_path, meta, printer, now_s, config)
    if store is not None and config.session.max_bytes:
        from pacer.session.reader import prune

        prune(session_path.parent, config.session.max_bytes, keep=session_path)
    from pacer.coach.auto_lap import free_run_workout

    # a free run (no workout) is coached too: auto-lap splits and a periodic status
    engine = WorkoutEngine(workout or free_run_workout(), policy=CuePolicy(cue_settings(config)),
                           start_mode=start_mode, metronome_mode=config.audio.metronome,
                           heart_rate_zones=config.heart_rate.zones())
    if audio is not None:
        # phrases said at the sharpest moments: render them before they are needed
        audio.prefetch(COMMON_PHRASES)
    estimator = LiveEstimator(lane=config.coach.lane, track_mode=config.coach.track_mode)
    pipeline = Pipeline(estimator=estimator, engine=engine, audio=audio, store=store,
                        printer=printer, store_raw=store_raw,
                        flush_every_ticks=flush_every_ticks)
    if printer is not None:
        printer.miles = config.coach.units == "mi"
    return SessionParts(pipeline, session_path, workout, engine)


def session_cap(config: Config) -> tuple[int, str]:
    """The size cap of one session in bytes, and where it comes from: ``[session]
    max_bytes`` (the cap of all sessions) when it is lower than the store's default cap
    per session."""
    from pacer.session.store import DEFAULT_MAX_SESSION_BYTES

    configured = config.session.max_bytes
    if configured and configured < DEFAULT_MAX_SESSION_BYTES:
        return configured, "[session] max_bytes"
    return DEFAULT_MAX_SESSION_BYTES, "the default cap per session"


def _open_store(kind: str, session_path: Path, meta: dict[str, object],
                printer: ConsolePrinter | None, now_s: Callable[[], float],
                config: Config) -> Recorder | None:
    """The session's store; on the runner (``kind="run"``) None when it cannot be created:
    coach on without recording rather than not at all."""
    from pacer.errors import SessionError
    from pacer.session.store import SessionWriter

    def problem(msg: str) -> None:
        if printer is not None:
            printer.event(now_s(), msg)

    max_bytes, max_bytes_source = session_cap(config)
    try:
        return SessionWriter.create(session_path, meta=meta, on_problem=problem,
                                    max_bytes=max_bytes, max_bytes_source=max_bytes_source)
    except SessionError as exc:
        if kind != "run":
            raise
        if printer is not None:
            printer.event(0.0, f"not recording: {exc}")
        return None


def make_audio(config: Config, *, live: bool, sink: str = "null",
               wav_path: str | None = None) -> AudioOut:
    """The audio path for a session, with the runner's voice settings (pacer.audio)."""
    from pacer.audio.output import AudioOut

    return AudioOut(engine=config.audio.engine, sink=sink, wav_path=wav_path, live=live,
                    voice=config.audio.voice, rate_wpm=config.audio.rate_wpm,
                    volume=config.audio.volume, device=config.audio.device)


def load_workout(spec: str | None, config: Config) -> Workout | None:
    """Resolve a workout (library name, file or inline text) with the runner's paces."""
    if spec is None:
        return None
    from pacer.formats.workout_source import resolve_workout

    return resolve_workout(spec, named_paces=config.coach.named_paces_s_per_km or None)


def session_problems(parts: SessionParts) -> list[str]:
    """What went wrong while recording (disk full, write errors), one line each."""
    store = parts.pipeline.store
    return list(store.problems) if store is not None else ["not recorded"]


def print_summary(parts: SessionParts, out: TextIO | None = None) -> None:
    """Closing lines: where the session is and what to do with it (to ``out``, default
    the current ``sys.stdout``)."""
    out = out if out is not None else sys.stdout
    p = parts.pipeline
    if isinstance(p.printer, ConsolePrinter):
        p.printer.close()
    for problem in session_problems(parts):
        print(f"pacer: warning: session incomplete: {problem}", file=sys.stderr)
    est = p.last_estimate
    dist = f"{est.distance_m / 1000:.2f} km" if est is not None else "no estimate"
    reps = len(p.reps)
    out.write(
        f"session: {parts.session_dir}  ({format_clock(max(p.last_t_s, 0.0))}, {dist}, "
        f"{p.n_fixes} fixes, {p.n_samples} accel samples, {reps} steps, {len(p.cues)} cues)\n"
        f"review:  pacer review {parts.session_dir}\n"
    )
