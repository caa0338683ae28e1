"""HTML of one session: summary cards, rep table with targets, pace and cadence charts,
kilometre splits, the route, the cue timeline, the comparison with the last run of the
same workout, downloads and delete. Rendered in the child process
(:mod:`pacer.web.render`), which has the session open; ``csrf`` is a placeholder there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pacer.models import RepKind
from pacer.units import format_clock, format_pace
from pacer.web.charts import Series, line_chart_svg
from pacer.web.layout import SYNC_PLACEHOLDER, esc, form, page, table
from pacer.web.pages_sessions import badges, consistency_text, when_text

if TYPE_CHECKING:
    from pacer.review.summary import RepComparison
    from pacer.session.reader import SessionData
    from pacer.web.stats import SessionRow

EXPORTS = (("fit", "FIT"), ("gpx", "GPX"), ("tcx", "TCX"), ("csv", "CSV"))


def _rep_table(data: SessionData) -> str:
    from pacer.review.summary import rep_rows
    from pacer.review.text import HEADER, rep_cells

    dev_col = HEADER.index("dev")
    rows = []
    for row in rep_rows(data):
        cells = [esc(c) for c in rep_cells(row)]
        dev = row.deviation_s
        if dev is not None and round(dev, 1) != 0:
            cells[dev_col] = f'<span class="{"quick" if dev < 0 else "slow"}">' \
                             f"{cells[dev_col]}</span>"
        rows.append(cells)
    html_table = table(HEADER, rows, css="reps")
    # mark work rows (the table helper has no row classes: add them here)
    for row in rep_rows(data):
        if row.kind == RepKind.WORK.value:
            html_table = html_table.replace(f"<tr><td>{row.index}</td>",
                                            f'<tr class="work"><td>{row.index}</td>', 1)
    return html_table


def _splits(data: SessionData) -> str:
    """Time of each whole kilometre (from the estimates' cumulative distance)."""
    out, next_km, last_t = [], 1, 0.0
    for est in data.estimates:
        if est.distance_m >= next_km * 1000.0:
            out.append([str(next_km), esc(format_clock(est.t_s - last_t)),
                        esc(format_clock(est.t_s))])
            last_t, next_km = est.t_s, next_km + 1
    if not out:
        return "<p>(less than a kilometre)</p>"
    return table(("km", "split", "elapsed"), out)


def _plots(data: SessionData) -> str:
    t_min = [e.t_s / 60.0 for e in data.estimates]
    pace = [None if e.pace_s_per_km is None or e.pace_s_per_km > 900 else e.pace_s_per_km
            for e in data.estimates]
    cad = [e.cadence_spm for e in data.estimates]
    return (line_chart_svg([Series("pace", t_min, pace)], title="pace (min/km) over minutes",
                           y_format=format_clock, invert_y=True)
            + line_chart_svg([Series("cadence", t_min, cad)],
                             title="cadence (spm) over minutes"))


def _cues(data: SessionData) -> str:
    rows = []
    for c in data.cues:
        text = f'<span class="dropped">{esc(c.text)}</span>' if c.dropped else esc(c.text)
        rows.append([esc(format_clock(c.t_s, tenths=True)), esc(c.kind.value), text])
    return table(("time", "kind", "text"), rows) if rows else "<p>(no cues)</p>"


def session_page(data: SessionData, row: SessionRow, *, csrf: str,
                 comparison: list[RepComparison] | None, earlier_id: str | None) -> str:
    from pacer.review.html import route_svg
    from pacer.review.summary import summarize

    s = summarize(data)
    cards = [("distance", f"{s.distance_m / 1000:.2f} km"),
             ("time", format_clock(s.duration_s)), ("work reps", str(s.work_reps)),
             ("on target", f"{s.reps_on_target} of {s.work_reps}"),
             ("average", format_pace(s.work_pace_s_per_km) if s.work_pace_s_per_km else "--"),
             ("consistency", consistency_text(row.consistency_s_per_km))]
    if s.work_cadence_spm:
        cards.append(("cadence", f"{s.work_cadence_spm:.0f} spm"))
    sid = esc(data.id)
    body = [f'<p class="meta">{esc(when_text(row))}{badges(row)} · {esc(s.workout or "free run")}'
            f" · ended {esc(data.ended)}</p>",
            '<div class="cards">' + "".join(f'<div class="card">{esc(k)}<b>{esc(v)}</b></div>'
                                            for k, v in cards) + "</div>",
            "<h2>Reps</h2>", _rep_table(data) if data.reps else "<p>(no reps)</p>",
            "<p class=meta>Heart rate: sessions do not record it yet (docs/heart-rate.md).</p>"]
    if comparison:
        body += [f'<h2>Compared with <a href="/sessions/{esc(earlier_id)}">the last run of '
                 "this workout</a></h2><ul>",
                 *[f"<li>{esc(c.text)}</li>" for c in comparison], "</ul>"]
    body += ["<h2>Pace and cadence</h2>", _plots(data), "<h2>Kilometre splits</h2>",
             _splits(data), "<h2>Route</h2>", route_svg(data), "<h2>Cues</h2>", _cues(data),
             "<h2>Download</h2><p>"]
    body += [f'<a class="button" download href="/sessions/{sid}/export.{ext}">{name}</a>'
             for ext, name in EXPORTS]
    body += ["</p>", SYNC_PLACEHOLDER, "<h2>Delete</h2>",
             form(f"/sessions/{sid}/delete", csrf,
                  '<label><input type="checkbox" name="confirm" value="yes"> yes, delete this '
                  'session for good</label><button class="danger">Delete</button>')]
    return page(s.workout or f"Session {data.id}", "".join(body))
