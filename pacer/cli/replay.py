"""``pacer replay``: recorded inputs (or a pacer session) through the live pipeline."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from typing import TypeVar

from pacer.cli.common_options import (
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
    add_console_options(p, status_every_s=30.0,
                        status_every_help="seconds between status lines (default: %(default)s)")
    p.set_defaults(func=run)


T = TypeVar("T")


def run(args: argparse.Namespace) -> int:
    import itertools
    import sys
    import time

    from pacer.errors import InputError
    from pacer.models import SkipCounters
    from pacer.runtime import record_time_s, run_records
    from pacer.wiring.session import (
        ConsolePrinter,
        build_session,
        load_workout,
        make_audio,
        print_summary,
        session_problems,
    )
    from pacer.wiring.sources import replay_records, session_records

    config = config_from_args(args)
    files = [args.nmea, args.accel, args.gpx, args.fit]
    if args.session is not None:
        if any(files):
            raise InputError("give either a SESSION or input files (--nmea/--accel/--gpx/--fit)")
        records, start_utc, meta = session_records(
            args.session, on_warning=lambda m: print(f"pacer replay: {m}", file=sys.stderr))
        workout_spec = args.workout or meta.get("workout")
        sources = {"session": str(args.session)}
    else:
        counters: dict[str, SkipCounters] = {}
        records, start_utc = replay_records(nmea=args.nmea, accel=args.accel,
                                            accel_units=args.accel_units, gpx=args.gpx,
                                            fit=args.fit, counters=counters)
        workout_spec = args.workout
        sources = {k: v for k, v in (("nmea", args.nmea), ("accel", args.accel),
                                     ("gpx", args.gpx), ("fit", args.fit)) if v}
    # read the first record before creating the session: a file that is wrong from its
    # first line fails here and leaves no empty session behind
    records = iter(records)
    first = next(records, None)
    if first is None:
        raise InputError("nothing to replay: the inputs hold no fix and no sample")
    records = itertools.chain([first], records)
    workout = load_workout(workout_spec, config)
    audio = None
    if args.audio_out:
        audio = make_audio(config, live=False, wav_path=args.audio_out)
    printer = None if args.quiet else ConsolePrinter(every_s=args.status_every)
    parts = build_session(kind="replay", config=config, workout=workout,
                          session_dir=args.session_dir, sources=sources, start_utc=start_utc,
                          audio=audio, printer=printer,
                          flush_every_ticks=1 if args.realtime else 300)
    if args.realtime:
        records = _paced(records, record_time_s, time.monotonic, time.sleep)
    if args.session is None:
        parts.pipeline.input_counters.update(counters)
    run_records(parts.pipeline, records)
    for name, c in parts.pipeline.input_counters.items():
        skipped = {k: v for k, v in c.as_dict().items()
                   if v and k not in ("lines", "sentences", "comments")}
        if skipped:
            what = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in skipped.items())
            print(f"pacer replay: {name}: skipped {what}", file=sys.stderr)
    print_summary(parts)
    return 1 if session_problems(parts) else 0


def _paced(records: Iterator[T], time_of: Callable[[T], float], clock: Callable[[], float],
           sleep: Callable[[float], None]) -> Iterator[T]:
    """``records`` at the pace of their own time stamps (``time_of``, seconds)."""
    t0 = None
    for r in records:
        t = time_of(r)
        if t0 is None:
            t0 = clock() - t
        wait = t0 + t - clock()
        if wait > 0:
            sleep(wait)
        yield r
