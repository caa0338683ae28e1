"""Where a step's splits fall, and how a split in miles is said.

The split interval follows the rep (track profile, no ``split_every_*`` setting): a rep
up to 400 m gets 100 m splits, up to 1000 m 200 m, up to 2000 m 400 m, longer ones 1 km
-- about three splits a rep, whatever its length. With ``units = "mi"`` a rep that is a
whole number of quarter miles (a mile, half a mile, 2 miles) is split by the quarter
mile and said in miles ("quarter", "half", "three quarters", "1 mile and a quarter").
A split is not said where another mark is (halfway, to go: within 0.4 of the interval
of it, at most 100 m; on a timed step within 5 s of it), nor in the last half interval
before the line (the summary follows).
Pure: numbers in, numbers and words out.
"""

from __future__ import annotations

from pacer.coach import phrasing as say
from pacer.units import M_PER_MILE

QUARTER_MILE_M = M_PER_MILE / 4
#: (longest rep, its split interval), metres
SPLIT_BY_LENGTH_M: tuple[tuple[float, float], ...] = (
    (400.0, 100.0), (1000.0, 200.0), (2000.0, 400.0), (float("inf"), 1000.0))  # fmt: skip
MARK_CLEARANCE = 0.4  # no split within this fraction of the interval of another mark
MAX_MARK_CLEARANCE_M = 100.0  # ... or within this distance, if less
END_CLEARANCE = 0.5  # ... nor within this fraction of the interval of the line
MIN_POSITION_GAP_S = 5.0  # a timed step's distance split: this far from its time marks


def in_quarter_miles(distance_m: float) -> bool:
    """A distance that is a whole number of quarter miles, at least half a mile."""
    quarters = distance_m / QUARTER_MILE_M
    return distance_m >= 2 * QUARTER_MILE_M - 1 and abs(quarters - round(quarters)) * \
        QUARTER_MILE_M < 1.0  # fmt: skip


def split_for_length_m(length_m: float, miles: bool) -> float:
    """The split interval of a rep ``length_m`` long (quarter miles for mile reps)."""
    if miles and in_quarter_miles(length_m):
        return QUARTER_MILE_M
    return next(every for longest, every in SPLIT_BY_LENGTH_M if length_m <= longest + 1.0)


def clear_of_marks(mark: float, every: float, end: float | None,
                   others: list[float]) -> bool:  # fmt: skip
    """A split at ``mark`` is said: away from the other marks and from the line."""
    if end is not None and mark > end - END_CLEARANCE * every:
        return False
    clearance = min(MARK_CLEARANCE * every, MAX_MARK_CLEARANCE_M)
    return all(abs(mark - m) >= clearance for m in others)


_QUARTERS = {1: "quarter", 2: "half", 3: "three quarters"}


def mile_words(distance_m: float, spell: bool = False) -> str:
    """A quarter-mile mark in words: "quarter", "half", "1 mile", "1 mile and a half"."""
    quarters = round(distance_m / QUARTER_MILE_M)
    miles, rest = divmod(quarters, 4)
    if miles == 0:
        return _QUARTERS[rest]
    whole = say.distance(miles * M_PER_MILE, True, spell)
    if rest == 0:
        return whole
    return f"{whole} and {'a ' if rest != 3 else ''}{_QUARTERS[rest]}"
