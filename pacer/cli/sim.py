"""``pacer sim``: the coach on simulated hardware (a runner on a 400 m track)."""

from __future__ import annotations

import argparse

from pacer.cli.argtypes import nonnegative_int, positive_float, rate_hz
from pacer.cli.common_options import (
    WORKOUT_FORMS,
    add_config_option,
    add_console_options,
    add_output_options,
    add_speed_options,
    config_from_args,
)

DEFAULT_WORKOUT = "6x400"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sim",
        help="run the coach on a simulated runner, receiver and accelerometer",
        description=(
            "Run the coach on simulated hardware: a runner on a standard 400 m track "
            "follows WORKOUT; a simulated GPS receiver emits NMEA (into the line framer "
            "with --fast, over a pseudo-terminal in real time with --realtime) and a "
            "register-level fake accelerometer is read by the production driver. Prints "
            "live status and cue lines and writes a session directory."
        ),
    )
    p.add_argument("workout", nargs="?", default=DEFAULT_WORKOUT, metavar="WORKOUT",
                   help=f"{WORKOUT_FORMS} (default: %(default)s)")
    add_speed_options(p, realtime_help="in real time, NMEA over a pseudo-terminal, sensor threads")
    p.add_argument("--seed", type=nonnegative_int, default=0, help="random seed of the simulation")
    p.add_argument("--gps-rate", type=rate_hz, default=1.0, metavar="HZ",
                   help="simulated receiver navigation rate (default: %(default)s)")
    p.add_argument("--placement", default="hip", choices=["hip", "waist", "chest", "wrist"],
                   help="where the accelerometer is worn (default: %(default)s)")
    p.add_argument("--chip", default="mpu6050", choices=["mpu6050", "adxl345"],
                   help="simulated accelerometer chip (default: %(default)s)")
    add_output_options(p)
    p.add_argument("--speak", action="store_true",
                   help="with --realtime, also speak through the sound card")
    add_config_option(p)
    add_console_options(p, status_every_s=None,
                        status_every_help="seconds between status lines "
                                          "(default: 30 fast, 5 realtime)")
    p.add_argument("--duration", type=positive_float, default=None, metavar="S",
                   help="stop after this many seconds of the session")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import itertools
    import queue

    from pacer.runtime import SessionClock, record_time_s, run_queue, run_records
    from pacer.wiring.session import (
        ConsolePrinter,
        build_session,
        load_workout,
        make_audio,
        print_summary,
        session_problems,
    )
    from pacer.wiring.sources import RealtimeSim, build_sim, simulated_records_fast

    config = config_from_args(args)
    workout = load_workout(args.workout, config)
    setup = build_sim(workout.plan(), seed=args.seed, gps_rate_hz=args.gps_rate,
                      placement=args.placement, chip=args.chip)
    start_utc = setup.receiver.start_utc
    audio = None
    if args.audio_out or (args.realtime and args.speak):
        audio = make_audio(config, live=bool(args.realtime),
                           sink="alsa" if args.speak else "null", wav_path=args.audio_out)
    every = args.status_every if args.status_every is not None else (5.0 if args.realtime else 30.0)
    printer = None if args.quiet else ConsolePrinter(every_s=every)
    parts = build_session(
        kind="sim", config=config, workout=workout, session_dir=args.session_dir,
        sources={"sim": {"seed": args.seed, "gps_rate_hz": args.gps_rate,
                         "placement": args.placement, "chip": args.chip,
                         "mode": "realtime" if args.realtime else "fast"}},
        start_utc=start_utc, audio=audio, printer=printer,
        flush_every_ticks=1 if args.realtime else 300,
    )
    if printer is not None:
        print(f"pacer sim: {workout.name}: {workout.source_text.strip()}")
        print(f"session:   {parts.session_dir}")
    duration_s = setup.runner.duration_s if args.duration is None else args.duration
    if args.realtime:
        inbox: queue.Queue[object] = queue.Queue()
        clock = SessionClock()
        sim = RealtimeSim(setup, inbox, clock=clock)
        sim.start()
        try:
            run_queue(parts.pipeline, inbox, clock=clock, max_duration_s=duration_s)
        finally:
            sim.stop()
    else:
        records = simulated_records_fast(setup, seed=args.seed)
        if args.duration is not None:  # records come in time order: stop at the first after
            records = itertools.takewhile(lambda r: record_time_s(r) <= duration_s, records)
        run_records(parts.pipeline, records)
    print_summary(parts)
    return 1 if session_problems(parts) else 0
