"""Distances and paces for people, in the runner's units (``[coach] units``: km or mi).

The review JSON stays in SI units; text, plot and HTML use these. In miles, a distance
of a whole number of quarter miles (within 1 m) reads ``1 mi`` or ``0.75 mi``; other
distances of at least 0.9 mile read ``1.02 mi``; shorter ones (track reps such as 400 m)
stay in metres, as runners say them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pacer.units import M_PER_MILE, format_pace, s_per_km_to_s_per_mile

if TYPE_CHECKING:
    from pacer.session.reader import SessionData

UNITS = ("km", "mi")
#: the meta key a caller sets (:func:`with_units`) to choose the units of a review
DISPLAY_UNITS_KEY = "review_units"


def with_units(data: SessionData, units: str | None) -> SessionData:
    """``data`` reviewed in ``units`` (the configured ``[coach] units``); None keeps the
    session's own."""
    import dataclasses

    if units is None:
        return data
    if units not in UNITS:
        raise ValueError(f"units {units!r} is not one of {', '.join(UNITS)}")
    return dataclasses.replace(data, meta={**data.meta, DISPLAY_UNITS_KEY: units})


def review_units(data: SessionData, units: str | None = None) -> str:
    """``units`` if given, else what :func:`with_units` set, else the units the session
    was recorded with (its config), else km."""
    if units in UNITS:
        return str(units)
    chosen = data.meta.get(DISPLAY_UNITS_KEY)
    if chosen in UNITS:
        return str(chosen)
    config = data.meta.get("config")
    coach = config.get("coach") if isinstance(config, dict) else None
    recorded = coach.get("units") if isinstance(coach, dict) else None
    return str(recorded) if recorded in UNITS else "km"


def distance_text(distance_m: float, units: str = "km") -> str:
    """``400 m``; in miles ``1 mi``, ``0.75 mi`` (a quarter mile multiple within 1 m),
    ``3.11 mi`` (from 0.9 mile), else metres."""
    if units == "mi":
        miles = distance_m / M_PER_MILE
        quarters = round(miles * 4)
        if quarters and abs(distance_m - quarters * M_PER_MILE / 4) <= 1.0:
            return f"{quarters / 4:g} mi"
        if miles >= 0.9:
            return f"{miles:.2f} mi"
    return f"{distance_m:.0f} m"


def total_distance_text(distance_m: float, units: str = "km") -> str:
    """A session's total: ``4.81 km`` or ``2.99 mi``."""
    if units == "mi":
        return f"{distance_m / M_PER_MILE:.2f} mi"
    return f"{distance_m / 1000:.2f} km"


def pace_text(pace_s_per_km: float | None, units: str = "km") -> str:
    """``3:42/km`` or ``5:57/mi``; ``--:--`` when unknown."""
    return format_pace(pace_s_per_km, miles=units == "mi")


def pace_in_units(pace_s_per_km: float, units: str = "km") -> float:
    """Seconds per km, or per mile."""
    return s_per_km_to_s_per_mile(pace_s_per_km) if units == "mi" else pace_s_per_km


def pace_unit(units: str = "km") -> str:
    return "min/mi" if units == "mi" else "min/km"
