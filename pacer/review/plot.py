"""Review plots with matplotlib (Agg backend, no display needed).

One figure, three panels: pace over time (y inverted so faster is up) with reps shaded
and each work rep's target pace drawn; cadence over time; per-rep bars of pace against
the target. matplotlib is imported inside :func:`review_figure` (the 'review' extra).
"""

from __future__ import annotations

from typing import IO, Any

import numpy as np

from pacer.errors import InputError
from pacer.models import RepKind
from pacer.review.summary import rep_rows
from pacer.session.reader import SessionData
from pacer.units import format_clock

#: paces slower than this (walking, standing) are left out of the pace panel
SLOWEST_PLOTTED_S_PER_KM = 900.0
#: the pace axis spans at most this factor from the fastest pace shown
PACE_RANGE_FACTOR = 2.2
_KIND_COLOUR = {
    RepKind.WORK: "#f4a261", RepKind.RECOVERY: "#a8dadc", RepKind.WARMUP: "#e9ecef",
    RepKind.COOLDOWN: "#e9ecef", RepKind.STEADY: "#e9ecef",
}  # fmt: skip


def _pace_label(value: float, _pos: object = None) -> str:
    return format_clock(value)


def review_figure(data: SessionData) -> Any:
    """Build the review figure (a matplotlib ``Figure``)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise InputError("plots need matplotlib (pip install 'pacer[review]')") from exc
    n_panels = 4 if any(s.usable for s in data.heart_rate) else 3  # heart rate when present
    fig = Figure(figsize=(10, 2 * n_panels + 2), dpi=100, layout="constrained")
    ax_pace, ax_cad, *ax_hr, ax_bar = fig.subplots(n_panels, 1,
                                                   height_ratios=(3, 2, 2, 2)[:n_panels])
    t_min = np.array([e.t_s for e in data.estimates]) / 60.0
    pace = np.array(
        [np.nan if e.pace_s_per_km is None else e.pace_s_per_km for e in data.estimates]
    )
    pace[pace > SLOWEST_PLOTTED_S_PER_KM] = np.nan
    cad = np.array([np.nan if e.cadence_spm is None else e.cadence_spm for e in data.estimates])
    labelled = False
    for rep in data.reps:
        a, b = rep.start_s / 60.0, (rep.start_s + rep.duration_s) / 60.0
        for ax in (ax_pace, ax_cad):
            ax.axvspan(a, b, color=_KIND_COLOUR[rep.kind], alpha=0.5, lw=0)
        if rep.kind is RepKind.WORK and rep.target_pace_s_per_km:
            ax_pace.hlines(
                rep.target_pace_s_per_km,
                a,
                b,
                colors="#d62828",
                lw=2,
                label=None if labelled else "target pace",
            )
            labelled = True
    ax_pace.plot(t_min, pace, color="#1d3557", lw=1.2, label="pace")
    targets = [r.target_pace_s_per_km for r in data.reps if r.target_pace_s_per_km]
    known = np.concatenate([pace[np.isfinite(pace)], targets])
    if known.size:
        # keep the fast end readable: walking recoveries may run off the slow end
        fast = float(known.min())
        ax_pace.set_ylim(min(float(known.max()), PACE_RANGE_FACTOR * fast) * 1.02, fast * 0.95)
    else:
        ax_pace.invert_yaxis()
    ax_pace.legend(loc="lower right", fontsize="small")
    ax_pace.yaxis.set_major_formatter(FuncFormatter(_pace_label))
    ax_pace.set_ylabel("pace (min/km)")
    ax_pace.set_title(f"{data.id}: pace, reps shaded (work orange, recovery blue), targets red")
    ax_cad.plot(t_min, cad, color="#2a9d8f", lw=1.2)
    if not np.isfinite(cad).any():
        ax_cad.set_yticks([])
        ax_cad.text(
            0.5,
            0.5,
            "no cadence recorded",
            transform=ax_cad.transAxes,
            ha="center",
            va="center",
            color="#577",
        )
    ax_cad.set_ylabel("cadence (spm)")
    ax_cad.set_xlabel("time (min)")
    rows = [r for r in rep_rows(data) if r.kind == RepKind.WORK.value]
    x = np.arange(len(rows))
    actual = np.array([np.nan if r.pace_s_per_km is None else r.pace_s_per_km for r in rows])
    target = np.array(
        [np.nan if r.target_pace_s_per_km is None else r.target_pace_s_per_km for r in rows]
    )
    colours = ["#2a9d8f" if not (a > t) else "#e76f51" for a, t in zip(actual, target, strict=True)]
    ax_bar.bar(x, actual, color=colours, width=0.6)
    ax_bar.scatter(x, target, marker="_", s=900, color="#d62828", lw=2, zorder=3)
    if rows:
        finite = np.concatenate([actual[np.isfinite(actual)], target[np.isfinite(target)]])
        if finite.size:
            ax_bar.set_ylim(finite.min() * 0.95, finite.max() * 1.03)
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        handles = [
            Patch(color="#2a9d8f", label="on or under target"),
            Patch(color="#e76f51", label="slower than target"),
            Line2D([], [], color="#d62828", lw=2, label="target"),
        ]
        ax_bar.legend(handles=handles, loc="upper right", fontsize="small")
    ax_bar.set_xticks(x, [f"rep {k + 1}" for k in range(len(rows))])
    ax_bar.yaxis.set_major_formatter(FuncFormatter(_pace_label))
    ax_bar.set_ylabel("rep pace (min/km)")
    if ax_hr:
        from pacer.review.heart_rate import draw_heart_rate

        ax_hr[0].sharex(ax_cad)
        draw_heart_rate(ax_hr[0], data)
    return fig


def save_plot(data: SessionData, out: str | IO[bytes], *, fmt: str = "png") -> None:
    """Write the review figure to a path or binary file object."""
    review_figure(data).savefig(out, format=fmt)
