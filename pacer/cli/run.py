"""``pacer run``: the coach on real sensors (what the systemd service runs)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pacer.cli.argtypes import positive_float
from pacer.cli.common_options import (
    add_config_option,
    add_session_dir_option,
    add_test_hook,
    add_workout_option,
    config_from_args,
)

if TYPE_CHECKING:
    import queue

    from pacer.config import Config
    from pacer.hw.controls import Controls, LedPattern
    from pacer.runtime import Pipeline
    from pacer.service import Notifier, SignalInbox
    from pacer.wiring.live import LiveHardware
    from pacer.wiring.sources import RealtimeSim

    Log = Callable[[str], None]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "run",
        help="run the coach on the real sensors (the systemd service runs this)",
        description=(
            "Run the coach on the hardware named in the config: GPS on the UART, the "
            "accelerometer on I2C/SPI, buttons and LED on GPIO, speech on the sound card. "
            "Under systemd it reports READY once the sensors are up, STATUS lines, and "
            "watchdog pings while the pipeline makes progress. SIGTERM ends the session "
            "cleanly; SIGHUP reloads the config."
        ),
    )
    add_config_option(p)
    add_workout_option(p, purpose="workout to coach; default: [coach] workout in the config, "
                                  "or free run")
    add_session_dir_option(p)
    p.add_argument("--fake-hardware", action="store_true",
                   help="use the simulated runner, receiver (over a pty) and fake chip instead "
                        "of real devices (for trying the service without hardware)")
    add_test_hook(p, "--fake-hang-after", type=positive_float, default=None, metavar="S",
                  doc="with --fake-hardware: wedge the fake I2C bus and silence the receiver "
                      "S seconds into the session, so the watchdog stops pinging "
                      "(tests/integration/test_service_run.py)")
    p.add_argument("--duration", type=positive_float, default=None, metavar="S",
                   help="end the session after this many seconds")
    p.add_argument("--no-audio", action="store_true", help="do not speak")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pacer.errors import InputError
    from pacer.service import run_service

    if args.fake_hang_after is not None and not args.fake_hardware:
        raise InputError("--fake-hang-after needs --fake-hardware")

    return run_service(lambda signals, notifier: _main(args, signals, notifier))


def _main(args: argparse.Namespace, signals: SignalInbox, notifier: Notifier) -> int:
    import queue
    import sys

    from pacer.errors import WorkoutError
    from pacer.runtime import SessionClock, run_queue
    from pacer.service import Watchdog, watchdog_interval_s
    from pacer.wiring.session import (
        ConsolePrinter,
        build_session,
        load_workout,
        make_audio,
        print_summary,
    )

    config = config_from_args(args)
    inbox: queue.Queue[object] = queue.Queue()
    clock = SessionClock()

    def log(msg: str) -> None:
        print(f"pacer run: {msg}", file=sys.stderr, flush=True)

    audio = None
    if not args.no_audio and config.audio.engine != "none":
        try:
            audio = make_audio(config, live=True, sink="alsa")
        except Exception as exc:  # broad catch on purpose: coach on without speech, say why
            log(f"audio: {exc}; coaching without speech")
    controls = _controls(config, inbox, clock, log) if not args.fake_hardware else None
    spec = args.workout or config.coach.workout
    if spec is None and config.coach.workouts:
        spec = _choose_workout(list(config.coach.workouts), inbox, clock, controls, audio,
                               signals, log)
    try:
        workout = load_workout(spec or None, config)
    except WorkoutError as exc:
        if args.workout is None and config.sources:
            first = str(exc).splitlines()[0]
            raise WorkoutError(f"{config.sources[-1]}: [coach] workout: {first}") from None
        raise
    hardware: RealtimeSim | LiveHardware
    fake: RealtimeSim | None = None
    if args.fake_hardware:
        from pacer.wiring.sources import RealtimeSim, build_sim

        setup = build_sim(workout.plan() if workout is not None else None)
        hardware = fake = RealtimeSim(setup, inbox, clock=clock)
        start_utc = setup.receiver.start_utc
    else:
        import datetime as dt

        from pacer.wiring.live import LiveHardware

        hardware = LiveHardware(config, inbox, clock=clock, log=log)
        start_utc = dt.datetime.now(dt.UTC)
    printer = ConsolePrinter(every_s=10.0)
    parts = build_session(kind="run", config=config, workout=workout,
                          session_dir=args.session_dir, sources={"run": config.as_dict()["gps"]},
                          start_utc=start_utc, audio=audio, printer=printer)
    pipeline = parts.pipeline
    watchdog = Watchdog(notifier, watchdog_interval_s())
    said: dict[str, object] = {"ready": False, "status": ""}

    def on_pass(now_s: float) -> bool:
        """The service's part of each pass: signals, buttons, watchdog, status, LED."""
        nonlocal config
        if signals.stop.is_set():  # SIGTERM/SIGINT: a clean end, last rep saved
            if pipeline.store is not None:
                pipeline.store.add_event(now_s, "stop_signal", "ended by a stop signal")
            return True
        if signals.reload.is_set():
            signals.reload.clear()
            notifier.reloading()
            try:
                config = _reload(args, pipeline)
                log("config reloaded")
            except Exception as exc:  # broad catch on purpose: keep the old config
                log(f"config not reloaded: {exc}")
            notifier.send("READY=1")
        if fake is not None and args.fake_hang_after is not None \
                and now_s >= args.fake_hang_after:
            fake.hang()
        if controls is not None:
            controls.poll(now_s)
        watchdog.tick(now_s, _progress(pipeline, hardware))
        est = pipeline.last_estimate
        if est is not None and est.gps_ok:
            said["ready"] = True  # the coach says "GPS ready" itself
        status = _status(pipeline, bool(said["ready"]))
        if status != said["status"]:
            notifier.status(status)
            said["status"] = status
            if controls is not None:
                controls.show(_led(pipeline, bool(said["ready"])))
        return False

    try:
        hardware.start()
        notifier.ready(f"sensors up; session {parts.session_dir}")
        run_queue(pipeline, inbox, clock=clock, max_duration_s=args.duration, on_pass=on_pass)
    except KeyboardInterrupt:
        pass  # the session was finished as "interrupted"
    finally:
        notifier.stopping()
        hardware.stop()
        if controls is not None:
            controls.close()
        pipeline.finish("normal")  # no-op when run_queue finished it
    print_summary(parts)
    return 0


def _choose_workout(names: list[str], inbox: queue.Queue[object], clock: Callable[[], float],
                    controls: Controls | None, audio: Any, signals: SignalInbox,
                    log: Log) -> str | None:
    """Announce the workouts of the short list; the buttons choose (pacer.coach.chooser)."""
    import queue

    from pacer.coach.chooser import WorkoutChooser
    from pacer.models import ControlEvent, Cue, CueKind

    chooser = WorkoutChooser(names)

    def say(texts: list[str]) -> None:
        for text in texts:
            log(text)
            if audio is not None:
                audio.say(Cue(clock(), CueKind.STATUS, text, priority=3))

    say(chooser.start(clock()))
    while chooser.chosen is None and not signals.stop.is_set():
        try:
            ev = inbox.get(timeout=0.1)
        except queue.Empty:
            ev = None
        if controls is not None:
            controls.poll(clock())
        if isinstance(ev, ControlEvent):
            say(chooser.on_control(ev))
        say(chooser.poll(clock()))
    return chooser.chosen


def _controls(config: Config, inbox: queue.Queue[object], clock: Callable[[], float],
              log: Log) -> Controls | None:
    c = config.controls
    try:
        from pacer.hw.controls import Controls

        return Controls(inbox.put, clock=clock, start_pin=c.start_pin, stop_pin=c.stop_pin,
                        led_pin=c.led_pin, buzzer_pin=c.buzzer_pin, hold_s=c.hold_s,
                        bounce_s=c.bounce_ms / 1000.0)
    except Exception as exc:  # broad catch on purpose: no GPIO: coach on, buttons off
        log(f"buttons and LED unavailable: {exc}")
        return None


def _progress(pipeline: Pipeline, hardware: RealtimeSim | LiveHardware) -> dict[str, int]:
    """Records per live edge for the watchdog; an edge whose thread reported its device
    lost (and is retrying) or that has no device is not waited for."""
    from pacer.models import DeviceState

    edges = {"gps": pipeline.device_records["gps"]}
    if getattr(hardware, "sampler", None) is not None:
        edges["accel"] = pipeline.device_records["accel"]
    return {name: n for name, n in edges.items()
            if pipeline.device_state.get(name) not in (DeviceState.LOST, DeviceState.ERROR)}


def _status(pipeline: Pipeline, gps_ready: bool) -> str:
    if not gps_ready:
        return "waiting for GPS fix"
    engine = pipeline.engine
    if engine is None:
        return "recording (free run)"
    cur = engine.current
    if cur.step is None:
        return cur.phase
    return f"{cur.step.label}: {cur.phase}"


def _led(pipeline: Pipeline, gps_ready: bool) -> LedPattern:
    from pacer.hw.controls import LedPattern

    if not gps_ready:
        return LedPattern.WAITING_FOR_FIX
    engine = pipeline.engine
    if engine is not None and engine.current.phase == "paused":
        return LedPattern.PAUSED
    return LedPattern.RECORDING


def _reload(args: argparse.Namespace, pipeline: Pipeline) -> Config:
    """SIGHUP: re-read the config and apply what can change mid-session (cue settings)."""
    config = config_from_args(args)
    engine = pipeline.engine
    if engine is not None:
        from pacer.wiring.session import cue_settings

        # keeps the current rep's splits and drift state
        engine.set_cue_settings(cue_settings(config))
    return config
