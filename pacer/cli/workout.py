"""``pacer workout show [WORKOUT]`` and ``pacer workout check WORKOUT``.

``show`` without a WORKOUT (or bare ``pacer workout``) lists the built-in library; with
one it prints the expanded steps and their targets. ``check`` prints a one-line summary,
or the error (file, line, column, suggestion) and exits 1. WORKOUT is a library name, a
file or inline text.
"""

from __future__ import annotations

import argparse
import sys

from pacer.cli.common_options import add_config_option, config_from_args


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "workout",
        help="show or check a workout (library name, file or inline text)",
        description="Show the built-in workout library, expand a workout into its steps, "
        "or check workout text. Language reference: docs/workouts.md.",
    )
    add_config_option(parser)  # named paces, units
    sub = parser.add_subparsers(dest="workout_command", metavar="ACTION")
    show = sub.add_parser("show", help="list the library, or expand WORKOUT into steps "
                                       "(the default: bare `pacer workout` lists it)")
    show.add_argument(
        "workout", nargs="?", metavar="WORKOUT",
        help="library name, file, or text like '8x(400m @72s, 200m jog)'",
    )
    show.add_argument("--miles", action="store_true", help="show paces per mile")
    check = sub.add_parser("check", help="check WORKOUT; exit 1 with the error if it is wrong")
    check.add_argument("workout", metavar="WORKOUT")
    for action in (show, check):  # --config also after the action
        action.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                            help="config file (TOML) read after the defaults")
    parser.set_defaults(func=run)


def _named_paces(args: argparse.Namespace) -> tuple[dict[str, float], bool]:
    cfg = config_from_args(args)
    return dict(cfg.coach.named_paces_s_per_km), cfg.coach.units == "mi"


def run(args: argparse.Namespace) -> int:
    from pacer.coach.language import format as text
    from pacer.coach.language.lexer import WorkoutSyntaxError
    from pacer.coach.language.library import LIBRARY
    from pacer.formats.workout_source import resolve_workout

    paces, miles = _named_paces(args)
    if args.workout_command is None or (args.workout_command == "show" and args.workout is None):
        sys.stdout.write(text.library_text(LIBRARY))
        return 0
    if args.workout_command == "check":
        try:
            sys.stdout.write(text.check_text(resolve_workout(args.workout, named_paces=paces)))
        except WorkoutSyntaxError as exc:
            print(f"pacer: error: {exc}", file=sys.stderr)
            return 1
        return 0
    workout = resolve_workout(args.workout, named_paces=paces)
    sys.stdout.write(text.plan_text(workout, miles=miles or bool(getattr(args, "miles", False))))
    return 0
