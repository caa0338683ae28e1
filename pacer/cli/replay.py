"""``pacer replay``: recorded inputs (or a pacer session) through the live pipeline."""

from __future__ import annotations

import argparse

from pacer.cli.common_options import (
    add_coach_options,
    add_config_option,
    add_console_options,
    add_output_options,
    add_speed_options,
    add_workout_option,
    config_from_args,
)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "replay",
        help="run recorded NMEA, accelerometer CSV, GPX or FIT through the coach",
        description=(
            "Run recorded inputs through the same pipeline as a live run, optionally "
            "re-coaching them with a workout, into a new session. Give an NMEA log and/or "
            "an accelerometer CSV (t_s,ax,ay,az), a GPX or FIT track from another device, "
            "or a pacer SESSION directory to re-run from its raw logs with today's code."
        ),
    )
    p.add_argument("session", nargs="?", metavar="SESSION",
                   help="a pacer session directory to re-run from its raw logs")
    p.add_argument("--nmea", metavar="FILE", help="NMEA log (the bytes a receiver emits)")
    p.add_argument("--accel", metavar="FILE.csv", help="accelerometer CSV: t_s,ax,ay,az")
    p.add_argument("--accel-units", choices=["g", "mps2"], default="mps2",
                   help="units of the accelerometer CSV (default: %(default)s)")
    p.add_argument("--gpx", metavar="FILE", help="GPX track from another device")
    p.add_argument("--fit", metavar="FILE", help="FIT activity from another device")
    add_workout_option(p, purpose="re-coach with this workout")
    add_speed_options(p, realtime_help="paced at the recording's own speed")
    add_output_options(p)
    add_config_option(p)
    add_coach_options(p)
    add_console_options(p, status_every_s=30.0,
                        status_every_help="seconds between status lines (default: %(default)s)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.audio_out:  # refused before the run, as --plot and --html are (no new folder)
        from pacer.formats.safe_write import check_output

        check_output(args.audio_out)
    from pacer.wiring.replay import ReplayOptions, run_replay

    return run_replay(ReplayOptions(
        session=args.session, nmea=args.nmea, accel=args.accel, accel_units=args.accel_units,
        gpx=args.gpx, fit=args.fit, workout=args.workout, realtime=args.realtime,
        session_dir=args.session_dir, audio_out=args.audio_out,
        status_every_s=args.status_every, quiet=args.quiet,
    ), config_from_args(args))
