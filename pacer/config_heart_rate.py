"""The ``[heart_rate]`` section of the configuration: its keys and their checks.

Read by :mod:`pacer.config` like every section (``FILE:LINE: problem`` errors); the
zones it gives come from :func:`pacer.coach.heart_rate.configured_zones`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pacer.errors import ConfigError

if TYPE_CHECKING:
    from pacer.coach.heart_rate import HeartRateZones

#: heart rates a config may give (bpm): a zone bound, a resting or a maximum heart rate
HEART_RATE_RANGE_BPM = (25.0, 250.0)


@dataclass(frozen=True)
class HeartRateConfig:
    """Heart-rate zones: explicit bounds, or from max (and resting) heart rate."""

    max_bpm: float | None = None
    resting_bpm: float | None = None
    method: str = "karvonen"  # karvonen | percent_max (how zones follow from max/resting)
    zone_bounds_bpm: tuple[float, ...] = ()  # explicit bounds, increasing; wins when set

    def zones(self) -> HeartRateZones | None:
        """The zones configured, or None (no max heart rate and no bounds)."""
        from pacer.coach.heart_rate import configured_zones

        return configured_zones(self.max_bpm, self.resting_bpm, self.method,
                                self.zone_bounds_bpm)


def bpm_list(value: object, where: str, max_items: int) -> tuple[float, ...]:
    """``zone_bounds_bpm`` checked: 2 to ``max_items`` increasing heart rates in range.
    ``where``: ``FILE:LINE: [section] key`` for the message."""
    lo, hi = HEART_RATE_RANGE_BPM
    bpm = value if isinstance(value, list) else []
    ok = (isinstance(value, list) and 2 <= len(bpm) <= max_items
          and all(isinstance(v, (int, float)) and not isinstance(v, bool) and lo <= v <= hi
                  for v in bpm))  # fmt: skip
    if not ok or any(b <= a for a, b in zip(bpm, bpm[1:], strict=False)):
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise ConfigError(
            f"{where} must be a list of 2 to {max_items} increasing heart rates, "
            f"{lo:g} to {hi:g} bpm, got {shown}"
        )
    return tuple(float(v) for v in bpm)


def check_heart_rate(values: dict[str, object], path: Path, line_of: Callable[[str], int]) -> None:
    """Resting below max; Karvonen zones need the resting heart rate (or explicit bounds).

    ``values``: the section as merged so far; ``line_of(key)``: its line in ``path`` (0
    when the key is not in that file).
    """
    build: Callable[..., HeartRateConfig] = HeartRateConfig  # values: checked by config.py
    hr = build(**values)
    if hr.max_bpm is not None and hr.resting_bpm is not None and hr.resting_bpm >= hr.max_bpm:
        raise ConfigError(
            f"{path}:{line_of('resting_bpm') or line_of('max_bpm')}: "
            f"[heart_rate] resting_bpm ({hr.resting_bpm:g}) must be below max_bpm "
            f"({hr.max_bpm:g})"
        )
    if (not hr.zone_bounds_bpm and hr.method == "karvonen" and hr.max_bpm is not None
            and hr.resting_bpm is None):
        raise ConfigError(
            f"{path}:{line_of('method') or line_of('max_bpm')}: [heart_rate] "
            'method = "karvonen" needs resting_bpm; give it, or method = "percent_max"'
        )
