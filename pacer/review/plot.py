"""Review plots with matplotlib (Agg backend, no display needed).

One figure, three panels: pace over time (y inverted so faster is up) with reps shaded
and each work rep's target pace drawn; cadence over time; per-rep bars of seconds quicker
than the target (up is faster here too), titled with the reps' average, fastest, slowest,
spread and consistency. Paces per km or per mile (``[coach] units``). matplotlib is
imported inside :func:`review_figure` (the 'review' extra).
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

import numpy as np

from pacer.errors import InputError
from pacer.models import RepKind
from pacer.review.display import pace_in_units, pace_unit, review_units
from pacer.review.stats import rep_stats
from pacer.review.summary import rep_rows
from pacer.review.text import stats_line
from pacer.session.reader import SessionData
from pacer.units import M_PER_MILE, format_clock

if TYPE_CHECKING:  # matplotlib itself loads inside review_figure
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import Formatter

#: paces slower than this (walking, standing) are left out of the pace panel
SLOWEST_PLOTTED_S_PER_KM = 900.0
#: the pace axis spans at most this factor from the fastest pace shown
PACE_RANGE_FACTOR = 2.2
_QUICK, _SLOW, _ON = "#2a9d8f", "#e76f51", "#adb5bd"
_KIND_COLOUR = {
    RepKind.WORK: "#f4a261", RepKind.RECOVERY: "#a8dadc", RepKind.WARMUP: "#e9ecef",
    RepKind.COOLDOWN: "#e9ecef", RepKind.STEADY: "#e9ecef",
}  # fmt: skip


def _pace_label(value: float, _pos: object = None) -> str:
    return format_clock(value)


def review_figure(data: SessionData, *, units: str | None = None) -> Figure:
    """Build the review figure (a matplotlib ``Figure``); paces per km or per mile."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise InputError("plots need matplotlib (pip install 'pacer[review]')") from exc
    units = review_units(data, units)
    n_panels = 4 if any(s.usable for s in data.heart_rate) else 3  # heart rate when present
    fig = Figure(figsize=(10, 2 * n_panels + 2), dpi=100, layout="constrained")
    ax_pace, ax_cad, *ax_hr, ax_bar = fig.subplots(n_panels, 1,
                                                   height_ratios=(3, 2, 2, 2)[:n_panels])
    t_min = np.array([e.t_s for e in data.estimates]) / 60.0
    pace = np.array(
        [np.nan if e.pace_s_per_km is None else e.pace_s_per_km for e in data.estimates]
    )
    pace[pace > SLOWEST_PLOTTED_S_PER_KM] = np.nan
    pace = pace_in_units_array(pace, units)
    cad = np.array([np.nan if e.cadence_spm is None else e.cadence_spm for e in data.estimates])
    _shade_reps(ax_pace, ax_cad, data, units)
    _pace_panel(ax_pace, t_min, pace, data, units, FuncFormatter(_pace_label))
    _cadence_panel(ax_cad, t_min, cad)
    _rep_bars(ax_bar, data, units)
    if ax_hr:
        from pacer.review.heart_rate import draw_heart_rate

        ax_hr[0].sharex(ax_cad)
        draw_heart_rate(ax_hr[0], data)
    return fig


def _shade_reps(ax_pace: Axes, ax_cad: Axes, data: SessionData, units: str) -> None:
    """Each rep shaded by kind on both time panels; each work rep's target pace in red."""
    labelled = False
    for rep in data.reps:
        a, b = rep.start_s / 60.0, (rep.start_s + rep.duration_s) / 60.0
        for ax in (ax_pace, ax_cad):
            ax.axvspan(a, b, color=_KIND_COLOUR[rep.kind], alpha=0.5, lw=0)
        if rep.kind is RepKind.WORK and rep.target_pace_s_per_km:
            ax_pace.hlines(
                pace_in_units(rep.target_pace_s_per_km, units),
                a,
                b,
                colors="#d62828",
                lw=2,
                label=None if labelled else "target pace",  # type: ignore[arg-type]
            )
            labelled = True


def _pace_panel(ax_pace: Axes, t_min: np.ndarray, pace: np.ndarray, data: SessionData,
                units: str, formatter: Formatter) -> None:
    """Pace (s per km or mile, ``units``) against time (min), faster up; the axis keeps
    the fast end readable."""
    ax_pace.plot(t_min, pace, color="#1d3557", lw=1.2, label="pace")
    targets = [pace_in_units(r.target_pace_s_per_km, units) for r in data.reps
               if r.target_pace_s_per_km]  # fmt: skip
    known = np.concatenate([pace[np.isfinite(pace)], targets])
    if known.size:
        # keep the fast end readable: walking recoveries may run off the slow end
        fast = float(known.min())
        ax_pace.set_ylim(min(float(known.max()), PACE_RANGE_FACTOR * fast) * 1.02, fast * 0.95)
    else:
        ax_pace.invert_yaxis()
    ax_pace.legend(loc="lower right", fontsize="small")
    ax_pace.yaxis.set_major_formatter(formatter)
    ax_pace.set_ylabel(f"pace ({pace_unit(units)})")
    ax_pace.set_title(f"{data.id}: pace, reps shaded (work orange, recovery blue), targets red")


def _cadence_panel(ax_cad: Axes, t_min: np.ndarray, cad: np.ndarray) -> None:
    """Cadence (spm) against time (min), or a note that none was recorded."""
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


def _rep_bars(ax: Axes, data: SessionData, units: str) -> None:
    """Each work rep's time against its target (or, without targets, against the mean
    rep), in seconds quicker: up is faster, as on the pace panel. A rep within 0.05 s
    (``+0.0 s`` in the table) is drawn on target, neither quick nor slow."""
    from matplotlib.patches import Patch

    rows = [r for r in rep_rows(data) if r.kind == RepKind.WORK.value and r.completed]
    stats = rep_stats(data)
    if not rows:  # a free run: no empty chart with a 0:00 axis
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no work reps recorded", transform=ax.transAxes, ha="center",
                va="center", color="#577")  # fmt: skip
        return
    use_target = any(r.deviation_s is not None for r in rows)
    if use_target:
        quick = np.array([np.nan if r.deviation_s is None else -r.deviation_s for r in rows])
        ax.set_ylabel("s quicker than target")
    else:
        mean = stats.mean_duration_s if stats and stats.mean_duration_s else None
        quick = np.array([np.nan if mean is None else mean - r.duration_s for r in rows])
        ax.set_ylabel("s quicker than the average rep")
    quick = np.round(quick, 1)
    colours = [_QUICK if q > 0 else _SLOW if q < 0 else _ON for q in quick]
    x = np.arange(len(rows))
    ax.bar(x, np.nan_to_num(quick), color=colours, width=0.6)
    on = quick == 0
    ax.scatter(x[on], quick[on], marker="D", s=40, color=_ON, zorder=3)
    ax.axhline(0.0, color="#1d3557", lw=1)
    ax.set_xticks(x, [f"#{r.number}" for r in rows])
    if rows:
        handles = [Patch(color=_QUICK, label="quicker (up)"), Patch(color=_ON, label="on target"),
                   Patch(color=_SLOW, label="slower (down)")]  # fmt: skip
        ax.legend(handles=handles, loc="lower right", fontsize="small")
        top = float(np.nanmax(np.abs(quick))) if np.isfinite(quick).any() else 0.0
        ax.set_ylim(-max(top, 0.5) * 1.3, max(top, 0.5) * 1.3)
    if stats is not None:
        ax.set_title(stats_line(stats, units), fontsize="small")


def save_plot(
    data: SessionData, out: str | IO[bytes], *, fmt: str = "png", units: str | None = None
) -> None:
    """Write the review figure to a path or binary file object."""
    review_figure(data, units=units).savefig(out, format=fmt)


def pace_in_units_array(pace_s_per_km: np.ndarray, units: str) -> np.ndarray:
    return pace_s_per_km * (M_PER_MILE / 1000.0) if units == "mi" else pace_s_per_km
