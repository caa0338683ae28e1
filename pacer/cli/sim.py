"""``pacer sim``: the coach on simulated hardware (a runner on a 400 m track)."""

from __future__ import annotations

import argparse

from pacer.cli.argtypes import nonnegative_int, positive_float, rate_hz
from pacer.cli.common_options import (
    WORKOUT_FORMS,
    add_coach_options,
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
    add_coach_options(p)
    add_console_options(p, status_every_s=None,
                        status_every_help="seconds between status lines "
                                          "(default: 30 fast, 5 realtime)")
    p.add_argument("--hr", action="store_true",
                   help="a simulated heart-rate strap (heart rate lagging effort)")
    p.add_argument("--duration", type=positive_float, default=None, metavar="S",
                   help="stop after this many seconds of the session")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.audio_out:  # refused before the run, as --plot and --html are (no new folder)
        from pacer.formats.safe_write import check_output

        check_output(args.audio_out)
    from pacer.wiring.sim import SimOptions, run_sim

    return run_sim(SimOptions(
        workout=args.workout, realtime=args.realtime, seed=args.seed,
        gps_rate_hz=args.gps_rate, placement=args.placement, chip=args.chip,
        session_dir=args.session_dir, audio_out=args.audio_out, speak=args.speak,
        status_every_s=args.status_every, quiet=args.quiet, duration_s=args.duration,
        heart_rate=args.hr,
    ), config_from_args(args))
