"""Small SVG charts drawn as text (no matplotlib on the server: it would double its
memory). Each chart is a function of plain numbers; the caller escapes nothing here
because every label passes through :func:`html.escape`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: at most this many points per line (a 4-hour session has 14 400 estimates)
MAX_POINTS = 600
PALETTE = ("#1d3557", "#e76f51", "#2a9d8f", "#f4a261", "#6a4c93", "#8d99ae")


@dataclass(frozen=True)
class Series:
    label: str
    x: Sequence[float]
    y: Sequence[float | None]  # None: a gap in the line


def decimate(x: Sequence[float], y: Sequence[float | None],
             max_points: int = MAX_POINTS) -> tuple[list[float], list[float | None]]:
    """Every k-th point so at most ``max_points`` remain (the last point kept)."""
    n = len(x)
    if n <= max_points:
        return list(x), list(y)
    step = math.ceil(n / max_points)
    idx = list(range(0, n, step))
    if idx[-1] != n - 1:
        idx.append(n - 1)
    return [x[i] for i in idx], [y[i] for i in idx]


def _ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    power = 10 ** math.floor(math.log10(raw))
    step = min((m * power for m in (1, 2, 5, 10) if m * power >= raw), default=raw)
    first = math.ceil(lo / step) * step
    return [first + k * step for k in range(int((hi - first) / step) + 1)]


def _x_marks(x_lo: float, x_hi: float, x_labels: Sequence[str] | None,
             x_format: Callable[[float], str]) -> list[tuple[float, str]]:
    """(x, label) of the x axis: every few of ``x_labels`` (at most 6), else ticks."""
    if x_labels is not None:
        every = max(1, math.ceil(len(x_labels) / 6))
        return [(float(i), lab) for i, lab in enumerate(x_labels) if i % every == 0]
    return [(t, x_format(t)) for t in _ticks(x_lo, x_hi)]


def _runs_svg(runs: list[list[str]], colour: str, dots: bool) -> list[str]:
    """A polyline per run of "x,y" points (px) of two or more, and a dot per point when
    ``dots`` or when the run is a single point."""
    out = []
    for run in runs:
        if len(run) >= 2:
            out.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                       'stroke-width="1.6" stroke-linejoin="round"/>')
        if dots or len(run) == 1:
            out += [f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2.5" '
                    f'fill="{colour}"/>' for p in run]
    return out


def line_chart_svg(
    series: Sequence[Series], *, title: str, y_format: Callable[[float], str] = "{:g}".format,
    x_format: Callable[[float], str] = "{:g}".format, invert_y: bool = False,
    width_px: int = 360, height_px: int = 200, x_labels: Sequence[str] | None = None,
    dots: bool = False,
) -> str:
    """Lines (one per series) on shared axes; ``invert_y`` puts small values on top
    (faster paces up). ``x_labels`` names integer x positions 0..n-1 instead of ticks."""
    pts = [(x, y) for s in series for x, y in zip(s.x, s.y, strict=True) if y is not None]
    if not pts:
        return f'<p class="empty">{html.escape(title)}: nothing recorded</p>'
    left, right, bottom = 44, 22, 22
    top = 32 if len(series) > 1 else 20  # a legend line under the title
    x_lo, x_hi = min(p[0] for p in pts), max(p[0] for p in pts)
    y_lo, y_hi = min(p[1] for p in pts), max(p[1] for p in pts)
    if x_hi == x_lo:
        x_lo, x_hi = x_lo - 1, x_hi + 1
    pad = (y_hi - y_lo) * 0.08 or max(abs(y_hi) * 0.02, 1.0)
    y_lo, y_hi = y_lo - pad, y_hi + pad
    plot_w, plot_h = width_px - left - right, height_px - top - bottom

    def sx(x: float) -> float:
        return left + (x - x_lo) / (x_hi - x_lo) * plot_w

    def sy(y: float) -> float:
        frac = (y - y_lo) / (y_hi - y_lo)
        return top + (frac if invert_y else 1 - frac) * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width_px} {height_px}" '
           f'class="chart" role="img" aria-label="{html.escape(title)}">',
           f'<text x="{left}" y="13" font-size="11" font-weight="600">{html.escape(title)}</text>']
    for tick in _ticks(y_lo, y_hi):
        y = sy(tick)
        out.append(f'<line x1="{left}" x2="{width_px - right}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="#dde" stroke-width="1"/><text x="{left - 3}" y="{y + 3:.1f}" '
                   f'font-size="9" text-anchor="end">{html.escape(y_format(tick))}</text>')
    for x, lab in _x_marks(x_lo, x_hi, x_labels, x_format):
        out.append(f'<text x="{sx(x):.1f}" y="{height_px - 6}" font-size="9" '
                   f'text-anchor="middle">{html.escape(lab)}</text>')
    for k, s in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        xs, ys = decimate(s.x, s.y)
        runs: list[list[str]] = [[]]
        for px, py in zip(xs, ys, strict=True):
            if py is None:
                runs.append([])
            else:
                runs[-1].append(f"{sx(px):.1f},{sy(py):.1f}")
        out += _runs_svg(runs, colour, dots)
    if len(series) > 1:
        legend = " ".join(
            f'<tspan fill="{PALETTE[k % len(PALETTE)]}">&#9632; {html.escape(s.label)}</tspan>'
            for k, s in enumerate(series))
        out.append(f'<text x="{left}" y="25" font-size="9">{legend}</text>')
    out.append("</svg>")
    return "".join(out)
