"""HTML of the sessions list, the delete confirmation and progress (no numpy: the
server renders these; one session's page is :mod:`pacer.web.pages_session`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pacer.units import format_pace
from pacer.web.charts import Series, line_chart_svg
from pacer.web.layout import esc, form, page, table

if TYPE_CHECKING:
    from pacer.web.stats import Progress, SessionRow


def when_text(row: SessionRow) -> str:
    return row.start_utc.strftime("%a %d %b %Y %H:%M") if row.start_utc else "(no time)"


def badges(row: SessionRow) -> str:
    out = '<span class="sim">simulated</span>' if row.simulated else ""
    if row.ended == "live":
        out += '<span class="sim live">recording</span>'
    return out


def consistency_text(value: float | None) -> str:
    return "--" if value is None else f"±{value:.1f} s/km"


def sessions_list_page(rows: list[SessionRow]) -> str:
    if not rows:
        return page("Sessions", "<p>No sessions yet. Record one with the buttons on the "
                    "device, or <code>pacer sim</code>.</p>", active="/")
    items = []
    for r in rows:
        avg = format_pace(r.work_pace_s_per_km) if r.work_pace_s_per_km else "--"
        items.append(
            f'<li><a href="/sessions/{esc(r.id)}"><b>{esc(when_text(r))}</b>{badges(r)}'
            f'<div>{esc(r.title or "free run")}</div><div class="meta">{r.work_reps} reps · '
            f"average {esc(avg)} · consistency {esc(consistency_text(r.consistency_s_per_km))}"
            f" · {r.distance_m / 1000:.2f} km</div></a></li>"
        )
    return page("Sessions", f'<ul class="sessions">{"".join(items)}</ul>', active="/")


def progress_page(progress: list[Progress]) -> str:
    if not progress:
        return page("Progress", "<p>Run a workout twice to see its progress here.</p>",
                    active="/progress")
    parts = []
    for p in progress:
        labels = [r.start_utc.strftime("%d %b") if r.start_utc else r.id for r in p.runs]
        x = [float(i) for i in range(len(p.runs))]
        n_reps = max(len(r.rep_times_s) for r in p.runs)
        rep_series = [Series(f"rep {k + 1}", x,
                             [r.rep_times_s[k] if k < len(r.rep_times_s) else None
                              for r in p.runs]) for k in range(min(n_reps, 6))]
        parts += [f"<h2>{esc(p.title)}</h2><p class=meta>{len(p.runs)} runs</p>",
                  line_chart_svg(rep_series, title="rep times (s), faster is lower",
                                 x_labels=labels, dots=True),
                  line_chart_svg([Series("consistency", x, [r.consistency_s_per_km
                                                            for r in p.runs])],
                                 title="consistency (± s/km), steadier is lower",
                                 x_labels=labels, dots=True),
                  line_chart_svg([Series("cadence", x, [r.work_cadence_spm for r in p.runs])],
                                 title="work cadence (spm)", x_labels=labels, dots=True)]
        rows = [[f'<a href="/sessions/{esc(r.id)}">{esc(lab)}</a>',
                 esc(format_pace(r.work_pace_s_per_km) if r.work_pace_s_per_km else "--"),
                 esc(consistency_text(r.consistency_s_per_km)),
                 esc(" ".join(f"{t:.1f}" for t in r.rep_times_s))]
                for r, lab in zip(p.runs, labels, strict=True)]
        parts.append(table(("run", "average", "consistency", "rep times (s)"), rows))
    return page("Progress", "".join(parts), active="/progress")


def delete_confirm_page(session_id: str, csrf: str, problem: str | None = None) -> str:
    sid = esc(session_id)
    msg = f'<p class="notice error">{esc(problem)}</p>' if problem else ""
    return page("Delete session?", msg + form(
        f"/sessions/{sid}/delete", csrf,
        f'<label><input type="checkbox" name="confirm" value="yes"> yes, delete {sid} for '
        'good</label><button class="danger">Delete</button>'
        f' <a href="/sessions/{sid}">Cancel</a>'))
