"""``pacer run``'s live loop: hardware threads into the Pipeline, under systemd.

:func:`serve` installs the signals and tells systemd READY and STOPPING;
:func:`run_live` owns the session: it chooses the workout (buttons), starts the hardware
(real, or simulated with ``fake_hardware``), feeds the Pipeline from the inbox, and on
each pass handles the signals (stop, SIGHUP reload), the buttons, the watchdog, the
status line and the LED. The hardware comes from a factory, so the tests can inject
their own (a fault, a hang) without a flag in the product.
"""

from __future__ import annotations

import dataclasses
import queue
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from pacer.models import DeviceState
from pacer.queue_driver import run_queue
from pacer.runtime import Record
from pacer.service.panel import (
    GpsSense,
    choose_workout,
    led_pattern,
    open_controls,
    status_line,
)
from pacer.service.systemd import Notifier, SignalInbox, Watchdog, run_service, watchdog_interval_s

if TYPE_CHECKING:
    import datetime as dt

    from pacer.audio.output import AudioOut
    from pacer.coach.engine import WorkoutEngine
    from pacer.coach.language.workout import Workout
    from pacer.config import Config
    from pacer.hw.controls import Controls
    from pacer.wiring.session import SessionParts


#: records are taken in batches at most this often (a GPS receiver's bytes arrive in
#: many small reads; one pass per batch, not per read)
MIN_PASS_S = 0.1


@dataclasses.dataclass(frozen=True)
class RunOptions:
    """What ``pacer run`` was asked for (see its ``--help``)."""

    config_path: str | None = None  # read after the defaults, and again on SIGHUP
    workout: str | None = None  # None: [coach] workout, the chooser, or free run
    session_dir: str | None = None
    fake_hardware: bool = False  # the simulated runner, receiver and chip
    duration_s: float | None = None
    speak: bool = True
    profile: str | None = None  # --profile / --units: over the config's [coach] keys
    units: str | None = None


class Hardware(Protocol):
    """The IO edges of a live session: threads that put records into the inbox."""

    start_utc: dt.datetime

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def edges(self) -> tuple[str, ...]:
        """The edges whose record counts show progress (the watchdog waits for each)."""
        ...


#: builds the hardware for a session: (config, workout, inbox, clock, log) -> hardware
HardwareFactory = Callable[
    ["Config", "Workout | None", "queue.Queue[Record]", Callable[[], float], Callable[[str], None]],
    Hardware,
]


def live_hardware(config: Config, workout: Workout | None, inbox: queue.Queue[Record],
                  clock: Callable[[], float], log: Callable[[str], None]) -> Hardware:
    """The devices named in the config."""
    from pacer.wiring.live import LiveHardware

    return LiveHardware(config, inbox, clock=clock, log=log)


def sim_hardware(config: Config, workout: Workout | None, inbox: queue.Queue[Record],
                 clock: Callable[[], float], log: Callable[[str], None]) -> Hardware:
    """The simulated runner following ``workout``: receiver over a pty, fake chip."""
    from pacer.wiring.sim import RealtimeSim, build_sim

    setup = build_sim(workout.plan() if workout is not None else None)
    return RealtimeSim(setup, inbox, clock=clock)


def serve(options: RunOptions, *, make_hardware: HardwareFactory | None = None) -> int:
    """``pacer run``: the live loop with signals installed and systemd told what happens."""
    return run_service(lambda signals, notifier: run_live(
        options, signals, notifier, make_hardware=make_hardware))


def log(msg: str) -> None:
    print(f"pacer run: {msg}", file=sys.stderr, flush=True)


def run_live(options: RunOptions, signals: SignalInbox, notifier: Notifier, *,
             make_hardware: HardwareFactory | None = None) -> int:
    """One live session, from the workout choice to the closing summary."""
    from pacer.config import load_config
    from pacer.wiring.clocks import SessionClock
    from pacer.wiring.session import (
        ConsolePrinter,
        build_session,
        print_summary,
        with_coach_overrides,
    )

    config = with_coach_overrides(load_config(options.config_path), options.profile,
                                  options.units)  # fmt: skip
    inbox: queue.Queue[Record] = queue.Queue()
    clock = SessionClock()
    audio = _audio(config, options)
    controls = None if options.fake_hardware else open_controls(config, inbox, clock, log)
    workout = _workout(options, config, inbox, clock, controls, audio, signals)
    if make_hardware is None:
        make_hardware = sim_hardware if options.fake_hardware else live_hardware
    hardware = make_hardware(config, workout, inbox, clock, log)
    parts = build_session(kind="run", config=config, workout=workout,
                          session_dir=options.session_dir,
                          sources={"run": config.as_dict()["gps"]},
                          start_utc=hardware.start_utc, audio=audio,
                          printer=ConsolePrinter(every_s=10.0))
    each_pass = LivePass(options, parts, hardware, controls, signals, notifier,
                         gps_baudrate=config.gps.baudrate)
    try:
        hardware.start()
        notifier.ready(f"sensors up; session {parts.session_dir}")
        run_queue(parts.pipeline, inbox, clock=clock, max_duration_s=options.duration_s,
                  on_pass=each_pass, min_pass_s=MIN_PASS_S)
    except KeyboardInterrupt:
        pass  # the session was finished as "interrupted"
    finally:
        notifier.stopping()
        hardware.stop()
        if controls is not None:
            controls.close()
        parts.pipeline.finish("normal")  # no-op when run_queue finished it
    print_summary(parts)
    return 0


def _audio(config: Config, options: RunOptions) -> AudioOut | None:
    """The sound card's audio path, or None (without speech, said once)."""
    if not options.speak or config.audio.engine == "none":
        return None
    from pacer.wiring.session import make_audio

    try:
        return make_audio(config, live=True, sink="alsa")
    except Exception as exc:  # broad catch on purpose: coach on without speech, say why
        log(f"audio: {exc}; coaching without speech")
        return None


def _workout(options: RunOptions, config: Config, inbox: queue.Queue[Record],
             clock: Callable[[], float], controls: Controls | None, audio: AudioOut | None,
             signals: SignalInbox) -> Workout | None:
    """``--workout``, else ``[coach] workout``, else one chosen from ``[coach] workouts``
    with the buttons, else None (free run)."""
    from pacer.errors import WorkoutError
    from pacer.wiring.session import load_workout

    spec = options.workout or config.coach.workout
    key = "workout"
    if spec is None and config.coach.workouts:
        key = "workouts"
        spec = choose_workout(list(config.coach.workouts), inbox, clock, controls, audio,
                              signals.stop.is_set, log)
    try:
        return load_workout(spec or None, config)
    except WorkoutError as exc:
        if options.workout is not None:
            raise  # typed on the command line: the person who typed it reads the error
        # from the config: the service would exit at every start and systemd restart it
        # in a loop, each time a new session -- say why once and coach a free run
        where = f"{config.sources[-1]}: " if config.sources else ""
        first = str(exc).splitlines()[0][:200]
        log(f"{where}[coach] {key}: {first}; coaching a free run")
        return None


class LivePass:
    """The service's part of each pass of the loop: signals, buttons, watchdog, status,
    LED. Called with the session time; True ends the session."""

    def __init__(self, options: RunOptions, parts: SessionParts, hardware: Hardware,
                 controls: Controls | None, signals: SignalInbox, notifier: Notifier, *,
                 gps_baudrate: int = 9600) -> None:
        self.options = options
        self.parts = parts
        self.pipeline = parts.pipeline
        self.hardware = hardware
        self.controls = controls
        self.signals = signals
        self.notifier = notifier
        self.watchdog = Watchdog(notifier, watchdog_interval_s())
        self.gps_sense = GpsSense(gps_baudrate)
        self.gps_ready = False
        self.status = ""

    def __call__(self, now_s: float) -> bool:
        pipeline = self.pipeline
        if self.signals.stop.is_set():  # SIGTERM/SIGINT: a clean end, last rep saved
            if pipeline.store is not None:
                pipeline.store.add_event(now_s, "stop_signal", "ended by a stop signal")
            return True
        if self.signals.reload.is_set():
            self.signals.reload.clear()
            self.reload()
        if self.controls is not None:
            self.controls.poll(now_s)
        self.watchdog.tick(now_s, self.progress())
        said = self.gps_sense.check(now_s, pipeline.device_records.get("gps", 0),
                                    pipeline.nmea_counters.sentences)
        if said is not None:
            log(said)
            if pipeline.store is not None:
                pipeline.store.add_event(now_s, "gps_no_valid_data", said)
        est = pipeline.last_estimate
        if est is not None and est.gps_ok:
            self.gps_ready = True  # the coach says "GPS ready" itself
        status = status_line(pipeline, self.gps_ready)
        if status != self.status:
            self.notifier.status(status)
            self.status = status
            if self.controls is not None:
                self.controls.show(led_pattern(pipeline, self.gps_ready))
        return False

    def reload(self) -> None:
        """SIGHUP: re-read the config and apply it (see :func:`reload_config`)."""
        self.notifier.reloading()
        try:
            reload_config(self.options.config_path, self.parts.engine,
                          (self.options.profile, self.options.units))  # fmt: skip
            log("config reloaded")
        except Exception as exc:  # broad catch on purpose: keep the old config
            log(f"config not reloaded: {exc}")
        self.notifier.send("READY=1")

    def progress(self) -> dict[str, int]:
        """Records per live edge for the watchdog; an edge whose thread reported its device
        lost (and is retrying) is not waited for."""
        pipeline = self.pipeline
        return {name: pipeline.device_records.get(name, 0) for name in self.hardware.edges()
                if pipeline.device_state.get(name) not in (DeviceState.LOST, DeviceState.ERROR)}


def reload_config(config_path: str | None, engine: WorkoutEngine | None,
                  overrides: tuple[str | None, str | None] = (None, None)) -> Config:  # fmt: skip
    """Re-read the config (``overrides``: the --profile and --units flags, kept); apply
    what can change mid-session: the cue settings (the engine keeps the current rep's
    splits and drift state)."""
    from pacer.config import load_config
    from pacer.wiring.session import cue_settings, with_coach_overrides

    config = with_coach_overrides(load_config(config_path), *overrides)
    if engine is not None:
        engine.set_cue_settings(cue_settings(config))
    return config
