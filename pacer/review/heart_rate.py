"""Heart rate in the review: per rep average and maximum, and time in zone. Pure.

The readings are the session's ``heart_rate`` table (each strap notification, or each
point of a replayed file, as it arrived); a reading without skin contact or outside
20-260 bpm does not count. A rep's average is the mean of its readings, its maximum the
highest one, over ``start_s <= t_s < start_s + duration_s``. Time in zone uses
:func:`pacer.coach.heart_rate.time_in_zones_s` with the zones of the ``[heart_rate]``
configuration the session was recorded with (its meta ``config``); without zones there
is no time in zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pacer.coach.heart_rate import HeartRateZones, configured_zones, time_in_zones_s
from pacer.errors import ConfigError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from pacer.session.reader import SessionData
    from pacer.session.rows import JsonDict


@dataclass(frozen=True)
class RepHeartRate:
    """One rep's heart rate; None without readings (or, for time in zone, without zones)."""

    index: int
    avg_bpm: float | None
    max_bpm: float | None
    #: seconds below zone 1, in zone 1, ... in the top zone (``zones.count + 1`` values)
    time_in_zones_s: tuple[float, ...] | None


def session_zones(data: SessionData) -> HeartRateZones | None:
    """The zones of the ``[heart_rate]`` configuration stored with the session, or None."""
    config = data.meta.get("config")
    table = config.get("heart_rate") if isinstance(config, dict) else None
    if not isinstance(table, dict):
        return None
    try:
        return configured_zones(table.get("max_bpm"), table.get("resting_bpm"),
                                str(table.get("method", "karvonen")),
                                tuple(table.get("zone_bounds_bpm") or ()))
    except (ConfigError, TypeError, ValueError):
        return None  # a damaged meta costs the zones, not the review


def heart_rate_series(data: SessionData) -> tuple[np.ndarray, np.ndarray]:
    """Times (s) and heart rates (bpm) of the usable readings, in time order."""
    usable = [s for s in data.heart_rate if s.usable]
    t_s = np.array([s.t_s for s in usable], dtype=float)
    bpm = np.array([s.heart_rate_bpm for s in usable], dtype=float)
    order = np.argsort(t_s, kind="stable")
    return t_s[order], bpm[order]


def rep_heart_rates(data: SessionData,
                    zones: HeartRateZones | None = None) -> list[RepHeartRate]:
    """One entry per ``data.reps`` (same order); ``zones`` default: :func:`session_zones`."""
    zones = zones if zones is not None else session_zones(data)
    t_s, bpm = heart_rate_series(data)
    out = []
    for rep in data.reps:
        end_s = rep.start_s + rep.duration_s
        inside = (t_s >= rep.start_s) & (t_s < end_s)
        if not inside.any():
            out.append(RepHeartRate(rep.index, None, None, None))
            continue
        in_zone = None
        if zones is not None:
            seconds = time_in_zones_s(t_s[inside], bpm[inside], zones, end_t_s=end_s)
            in_zone = tuple(float(x) for x in seconds)
        out.append(RepHeartRate(rep.index, float(bpm[inside].mean()),
                                float(bpm[inside].max()), in_zone))
    return out


def add_heart_rate_json(doc: JsonDict, data: SessionData) -> None:
    """Add the heart-rate fields to a review JSON object (docs/contracts.md)."""
    zones = session_zones(data)
    doc["session"]["heart_rate_zones_bpm"] = None if zones is None else list(zones.bounds_bpm)
    for item, hr in zip(doc["reps"], rep_heart_rates(data, zones), strict=True):
        item["heart_rate_avg_bpm"] = None if hr.avg_bpm is None else round(hr.avg_bpm, 1)
        item["heart_rate_max_bpm"] = None if hr.max_bpm is None else round(hr.max_bpm, 1)
        item["time_in_zones_s"] = (None if hr.time_in_zones_s is None
                                   else [round(x, 3) for x in hr.time_in_zones_s])


def heart_rate_lines(data: SessionData) -> list[str]:
    """The review text's heart-rate table (empty for a session without heart rate)."""
    if not any(s.usable for s in data.heart_rate):
        return []
    zones = session_zones(data)
    head = f"{'#':>3}  {'kind':<9} {'avg bpm':>7} {'max bpm':>7}"
    if zones is not None:
        head += "  time in zone " + " ".join(f"{'Z' + str(z):>5}" for z in range(zones.count + 1))
    lines = ["heart rate:", head]
    for rep, hr in zip(data.reps, rep_heart_rates(data, zones), strict=True):
        avg = "-" if hr.avg_bpm is None else f"{hr.avg_bpm:.0f}"
        top = "-" if hr.max_bpm is None else f"{hr.max_bpm:.0f}"
        line = f"{rep.index:>3}  {rep.kind.value:<9} {avg:>7} {top:>7}"
        if hr.time_in_zones_s is not None:
            line += "  " + " " * 12 + " ".join(f"{_clock(x):>5}" for x in hr.time_in_zones_s)
        lines.append(line)
    if zones is not None:
        bounds = ", ".join(f"{b:.0f}" for b in zones.bounds_bpm)
        lines.append(f"zones (bpm): {bounds}; Z0 is below zone 1")
    return lines


def _clock(seconds: float) -> str:
    whole = int(round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def draw_heart_rate(ax: Axes, data: SessionData) -> None:
    """The plot's heart-rate panel on a matplotlib ``Axes``: the readings over time
    (minutes), reps shaded, the zone bounds dotted."""
    t_s, bpm = heart_rate_series(data)
    for rep in data.reps:
        ax.axvspan(rep.start_s / 60.0, (rep.start_s + rep.duration_s) / 60.0,
                   color=_KIND_COLOUR.get(rep.kind.value, "#eeeeee"), alpha=0.5, lw=0)
    ax.plot(t_s / 60.0, bpm, color="#c1121f", lw=1.2)
    zones = session_zones(data)
    if zones is not None and bpm.size:
        lo, hi = float(bpm.min()) - 5.0, float(bpm.max()) + 5.0
        for k, bound in enumerate(zones.bounds_bpm):
            if lo <= bound <= hi:
                ax.axhline(bound, color="#999999", lw=0.8, ls=":")
                ax.text(0.995, bound, f" Z{k + 1}" if k < zones.count else "",
                        transform=ax.get_yaxis_transform(), ha="right", va="bottom",
                        fontsize="small", color="#777777")
        ax.set_ylim(lo, hi)
    ax.set_ylabel("heart rate (bpm)")
    ax.set_xlabel("time (min)")


#: rep shading of the heart-rate panel, as the pace panel's
_KIND_COLOUR = {"work": "#f4a261", "recovery": "#a8dadc"}


def heart_rate_html(data: SessionData) -> list[str]:
    """The HTML review's heart-rate table (nothing for a session without heart rate)."""
    import html

    if not any(s.usable for s in data.heart_rate):
        return []
    zones = session_zones(data)
    head = ["#", "kind", "avg bpm", "max bpm"]
    if zones is not None:
        head += [f"Z{z}" for z in range(zones.count + 1)]
    out = ["<h2>Heart rate</h2>", "<table><tr>"
           + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"]
    for rep, hr in zip(data.reps, rep_heart_rates(data, zones), strict=True):
        cells = [str(rep.index), rep.kind.value,
                 "-" if hr.avg_bpm is None else f"{hr.avg_bpm:.0f}",
                 "-" if hr.max_bpm is None else f"{hr.max_bpm:.0f}"]
        if zones is not None:
            cells += (["-"] * (zones.count + 1) if hr.time_in_zones_s is None
                      else [_clock(x) for x in hr.time_in_zones_s])
        out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    out.append("</table>")
    if zones is not None:
        bounds = ", ".join(f"{b:.0f}" for b in zones.bounds_bpm)
        out.append(f"<p>zones (bpm): {html.escape(bounds)}; Z0 is below zone 1</p>")
    return out
