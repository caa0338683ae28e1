"""One self-contained HTML review page: summary, rep table, plots (base64 PNG), the route
as inline SVG, comparison and cue timeline. Nothing is loaded from the network: no
scripts, fonts, stylesheets or images outside the file.
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np

from pacer.dsp.track_geometry import enu_from_latlon
from pacer.models import RepKind
from pacer.review.display import pace_text, review_units, total_distance_text
from pacer.review.heart_rate import heart_rate_html
from pacer.review.stats import rep_stats
from pacer.review.summary import (
    RepComparison,
    SessionSummary,
    heard_cues,
    rep_rows,
    summarize,
)
from pacer.review.text import (
    HEADER,
    rep_cells,
    session_split_lines,
    split_lines,
    stats_line,
    summary_lines,
)
from pacer.session.reader import SessionData
from pacer.units import format_clock

SVG_SIZE_PX = 360
_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:1050px;
color:#1d3557;background:#fbfbf8;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin-top:2rem}
.sub{color:#577;margin-top:0} table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{padding:.35rem .6rem;text-align:left;border-bottom:1px solid #dde}
th{background:#1d3557;color:#fff} tr.work td{background:#fdf0e6}
td.quick{color:#2a9d8f;font-weight:600} td.slow{color:#e76f51;font-weight:600}
.cards{display:flex;flex-wrap:wrap;gap:1rem} .card{background:#fff;border-radius:8px;
padding:.8rem 1.2rem;box-shadow:0 1px 3px #0002;min-width:10rem}
.card b{display:block;font-size:1.3rem} img{max-width:100%;background:#fff;border-radius:8px}
svg{background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002}
.dropped{color:#999;text-decoration:line-through}
"""


def _nice_length_m(approx_m: float) -> float:
    """1, 2 or 5 times a power of ten, at most ``approx_m`` (for a scale bar)."""
    power = 10.0 ** np.floor(np.log10(max(approx_m, 1.0)))
    return float(max(m * power for m in (1.0, 2.0, 5.0) if m * power <= max(approx_m, 1.0)))


def route_svg(data: SessionData, size_px: int = SVG_SIZE_PX) -> str:
    """The route as an inline SVG polyline (north up), work reps drawn in orange."""
    fixes = [f for f in data.fixes if f.has_position]
    if len(fixes) < 2:
        return "<p>(no positions recorded)</p>"
    lat = np.array([f.lat_deg for f in fixes], dtype=float)
    lon = np.array([f.lon_deg for f in fixes], dtype=float)
    t = np.array([f.t_s for f in fixes])
    east, north = enu_from_latlon(lat, lon, float(lat.mean()), float(lon.mean()))
    span = max(float(np.ptp(east)), float(np.ptp(north)), 1.0)
    pad = 12.0
    scale = (size_px - 2 * pad) / span
    x = pad + (east - east.min()) * scale
    y = size_px - pad - (north - north.min()) * scale

    def poly(mask: np.ndarray, colour: str, width: float) -> str:
        pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(x[mask], y[mask], strict=True))
        return (
            f'<polyline points="{pts}" fill="none" stroke="{colour}" '
            f'stroke-width="{width}" stroke-linejoin="round" stroke-linecap="round"/>'
        )

    parts = [poly(np.ones(t.size, dtype=bool), "#457b9d", 2.0)]
    for rep in data.reps:
        if rep.kind is RepKind.WORK:
            inside = (t >= rep.start_s) & (t <= rep.start_s + rep.duration_s)
            if inside.sum() >= 2:
                parts.append(poly(inside, "#f4a261", 4.0))
    parts.append(f'<circle cx="{x[0]:.1f}" cy="{y[0]:.1f}" r="5" fill="#2a9d8f"/>')
    parts.append(f'<circle cx="{x[-1]:.1f}" cy="{y[-1]:.1f}" r="5" fill="#d62828"/>')
    scale_m = _nice_length_m(span / 4.0)
    bar = scale_m * scale
    parts.append(
        f'<line x1="{pad}" y1="{size_px - 4}" x2="{pad + bar:.1f}" y2="{size_px - 4}" '
        f'stroke="#1d3557" stroke-width="2"/><text x="{pad + bar + 4:.1f}" '
        f'y="{size_px - 1}" font-size="10">{scale_m:.0f} m</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_px}" height="{size_px}" '
        f'viewBox="0 0 {size_px} {size_px}" role="img" aria-label="route">'
        + "".join(parts)
        + "</svg>"
    )


def _plot_img(data: SessionData, units: str) -> str:
    from pacer.review.plot import save_plot

    buf = io.BytesIO()
    save_plot(data, buf, fmt="png", units=units)
    b64 = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="pace and cadence plots" src="data:image/png;base64,{b64}">'


def _rep_table_html(data: SessionData, units: str) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in HEADER)
    body = []
    dev_col = HEADER.index("dev")
    for row in rep_rows(data):
        cls = ' class="work"' if row.kind == RepKind.WORK.value else ""
        tds = []
        for i, cell in enumerate(rep_cells(row, units)):
            css = ""
            dev = row.deviation_s
            if i == dev_col and dev is not None and round(dev, 1) != 0:
                css = ' class="quick"' if dev < 0 else ' class="slow"'
            tds.append(f"<td{css}>{html.escape(cell)}</td>")
        body.append(f"<tr{cls}>{''.join(tds)}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _stat_cards(data: SessionData, units: str) -> list[tuple[str, str]]:
    st = rep_stats(data)
    if st is None:
        return []
    if st.basis == "time" and st.mean_duration_s is not None:
        cards = [("average rep", format_clock(st.mean_duration_s, tenths=True)),
                 ("fastest", format_clock(st.fastest_duration_s, tenths=True)),
                 ("slowest", format_clock(st.slowest_duration_s, tenths=True)),
                 ("spread", f"{st.spread_s:.1f} s")]  # fmt: skip
    else:
        cards = [("average rep pace", pace_text(st.mean_pace_s_per_km, units)),
                 ("fastest", pace_text(st.fastest_pace_s_per_km, units)),
                 ("slowest", pace_text(st.slowest_pace_s_per_km, units))]  # fmt: skip
    if st.consistency is not None:
        cards.append(("consistency", f"{st.consistency:.0f}/100"))
    return cards


def _summary_cards(s: SessionSummary, units: str) -> list[tuple[str, str]]:
    """(label, value) cards of the session summary: distance, reps, work pace, cadence."""
    cards = [
        ("distance", total_distance_text(s.distance_m, units)),
        ("work reps", str(s.work_reps)),
        ("on target", f"{s.reps_on_target} of {s.work_reps}"),
    ]
    if s.work_pace_s_per_km:
        cards.append(("work pace", pace_text(s.work_pace_s_per_km, units)))
    if s.work_cadence_spm:
        cards.append(("work cadence", f"{s.work_cadence_spm:.0f} spm"))
    return cards


def _cues_html(data: SessionData) -> list[str]:
    """The cues table (when heard, session clock; dropped cues struck through), or
    nothing when no cue was given."""
    if not data.cues:
        return []
    out = ["<h2>Cues</h2><table><tr><th>time</th><th>kind</th><th>text</th></tr>"]
    for c, (heard_s, _dur) in zip(data.cues, heard_cues(data), strict=True):
        cls = ' class="dropped"' if c.dropped else ""
        out.append(
            f"<tr{cls}><td>{format_clock(heard_s, tenths=True)}</td>"
            f"<td>{html.escape(c.kind.value)}</td><td>{html.escape(c.text)}</td></tr>"
        )
    out.append("</table>")
    return out


def review_html(
    data: SessionData,
    *,
    comparison: list[RepComparison] | None = None,
    plots: bool = True,
    units: str | None = None,
) -> str:
    """The complete HTML document (distances and paces in ``units``, km or mi)."""
    units = review_units(data, units)
    s = summarize(data)
    lines = summary_lines(s, units)
    st = rep_stats(data)
    if st is not None:
        lines.append(stats_line(st, units))
    cards = _summary_cards(s, units) + _stat_cards(data, units)
    out = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>pacer review {html.escape(data.id)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(s.workout or 'Run')}</h1>",
        f'<p class="sub">{"<br>".join(html.escape(x) for x in lines)}</p>',
        '<div class="cards">'
        + "".join(
            f'<div class="card">{html.escape(k)}<b>{html.escape(v)}</b></div>' for k, v in cards
        )
        + "</div>",
        "<h2>Reps</h2>",
        _rep_table_html(data, units) if data.reps else "<p>(no reps recorded)</p>",
    ]
    splits = split_lines(data, units)
    if not any(r.kind is RepKind.WORK for r in data.reps):  # a free or steady run: auto-laps
        splits = session_split_lines(data, units)
    if splits:
        out += ["<h2>Splits</h2><ul>", *(f"<li>{html.escape(x)}</li>" for x in splits), "</ul>"]
    if comparison:
        out += ["<h2>Compared with the earlier run</h2><ul>"]
        out += [f"<li>{html.escape(c.text)}</li>" for c in comparison] + ["</ul>"]
    if plots:
        out += ["<h2>Pace and cadence</h2>", _plot_img(data, units)]
    out += ["<h2>Route</h2>", route_svg(data)]
    out += _cues_html(data)
    out += heart_rate_html(data)
    out.append("</body></html>\n")
    return "\n".join(out)
