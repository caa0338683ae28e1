"""``pacer review``: the rep table and summary of a session, or its JSON, plots, HTML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pacer.cli.sessions import add_location_args, add_session_argument, data_dir_for

if TYPE_CHECKING:
    from pacer.review.summary import RepComparison
    from pacer.session.reader import SessionData


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
    add_location_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pacer.cli.export import write_whole
    from pacer.errors import SessionError
    from pacer.review.summary import compare_reps
    from pacer.session.reader import (
        open_session,
        previous_session_of,
        resolve_session,
    )  # fmt: skip

    data_dir = data_dir_for(args)
    path = resolve_session(args.session, data_dir)
    data = open_session(path)
    comparison = None
    if args.compare:
        if args.compare == "previous":
            earlier_path = previous_session_of(data_dir, path)
            if earlier_path is None:
                raise SessionError(
                    f"{data_dir}: no earlier session of workout {data.meta.get('workout')!r}"
                )
        else:
            earlier_path = resolve_session(args.compare, data_dir)
        comparison = compare_reps(data, open_session(earlier_path))
    if args.plot:
        from pacer.review.plot import save_plot

        plot = Path(args.plot)
        if not plot.parent.is_dir():
            raise SessionError(f"cannot write {plot}: no such directory ({plot.parent})")
        save_plot(data, str(plot))
    if args.html:
        from pacer.review.html import review_html

        write_whole(Path(args.html), review_html(data, comparison=comparison).encode("utf-8"))
    _print_review(args, data, comparison)  # a broken pipe (`| head`) ends quietly in main
    return 0


def _print_review(args: argparse.Namespace, data: SessionData,
                  comparison: list[RepComparison] | None) -> None:
    import json

    from pacer.review.summary import review_json
    from pacer.review.text import review_text

    if args.json:
        doc = review_json(data)
        if comparison is not None:
            doc["comparison"] = [
                {
                    "index": c.index,
                    "delta_s": c.delta_s,
                    "delta_s_per_km": c.delta_s_per_km,
                    "text": c.text,
                }
                for c in comparison
            ]
        json.dump(doc, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(review_text(data, cues=args.cues, comparison=comparison))
    sys.stdout.flush()
