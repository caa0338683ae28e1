"""``pacer review``: a session's review as text or JSON, with plots, HTML and a comparison."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pacer.review.summary import RepComparison
    from pacer.session.reader import SessionData


@dataclass(frozen=True)
class ReviewOptions:
    """What ``pacer review`` was asked for (see its ``--help``)."""

    session: str | None = None  # directory or id; None: the latest
    as_json: bool = False
    cues: bool = False
    plot: str | None = None  # FILE.png
    html: str | None = None  # FILE.html
    compare: str | None = None  # a session, or "previous" (the last of the same workout)
    units: str | None = None  # "km" or "mi" ([coach] units); None: the session's own


def review_session(options: ReviewOptions, data_dir: Path) -> None:
    """Write the plot and HTML asked for, then print the review to standard output."""
    from pacer.errors import SessionError
    from pacer.formats.export import write_whole
    from pacer.review.display import with_units
    from pacer.review.summary import compare_reps
    from pacer.session.reader import open_session, previous_session_of, resolve_session

    o = options
    path = resolve_session(o.session, data_dir)
    data = with_units(open_session(path), o.units)
    comparison = None
    if o.compare:
        if o.compare == "previous":
            earlier_path = previous_session_of(data_dir, path)
            if earlier_path is None:
                raise SessionError(
                    f"{data_dir}: no earlier session of workout {data.meta.get('workout')!r}"
                )
        else:
            earlier_path = resolve_session(o.compare, data_dir)
        comparison = compare_reps(data, open_session(earlier_path))
    if o.plot:
        from pacer.review.plot import save_plot

        plot = Path(o.plot)
        if not plot.parent.is_dir():
            raise SessionError(f"cannot write {plot}: no such directory ({plot.parent})")
        save_plot(data, str(plot))
    if o.html:
        from pacer.review.html import review_html

        write_whole(Path(o.html), review_html(data, comparison=comparison).encode("utf-8"))
    _print_review(o, data, comparison)  # a broken pipe (`| head`) ends quietly in main


def _print_review(o: ReviewOptions, data: SessionData,
                  comparison: list[RepComparison] | None) -> None:
    from pacer.review.summary import comparison_json, review_json
    from pacer.review.text import review_text

    if o.as_json:
        doc = review_json(data)
        if comparison is not None:
            doc["comparison"] = comparison_json(comparison)
        json.dump(doc, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(review_text(data, cues=o.cues, comparison=comparison))
    sys.stdout.flush()
