"""``pacer review``: the rep table and summary of a session, or its JSON, plots, HTML."""

from __future__ import annotations

import argparse

from pacer.cli.sessions import add_location_args, add_session_argument, data_dir_for


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "review",
        help="show a session's reps against their targets",
        description="Show a session's reps (target vs actual time, distance, pace, deviation, "
        "cadence, distance source) and its summary. SESSION is a session directory or id; "
        "default the latest.",
    )
    add_session_argument(p)
    p.add_argument("--json", action="store_true", help="print the review JSON (docs/sessions.md)")
    p.add_argument("--cues", action="store_true", help="add the cue timeline")
    p.add_argument("--plot", metavar="FILE.png", help="write pace/cadence plots (matplotlib)")
    p.add_argument("--html", metavar="FILE.html", help="write a self-contained HTML report")
    p.add_argument(
        "--compare",
        metavar="SESSION",
        help="compare reps with an earlier session ('previous' = the last one of the same workout)",
    )
    p.add_argument(
        "--progress",
        action="store_true",
        help="for every workout run at least twice: each run's date, average, consistency, "
        "cadence and rep times, oldest first (SESSION is ignored)",
    )
    add_location_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.progress:
        from pacer.review.progress import progress_text, store_progress

        print(progress_text(store_progress(data_dir_for(args))), end="")
        return 0
    from pacer.cli.common_options import config_from_args
    from pacer.review.report import ReviewOptions, review_session

    review_session(ReviewOptions(session=args.session, as_json=args.json, cues=args.cues,
                                 plot=args.plot, html=args.html, compare=args.compare,
                                 units=config_from_args(args).coach.units),
                   data_dir_for(args))
    return 0
