"""Built-in library of classic sessions, written in the workout language.

Targets use named paces (``@5k``, ``@threshold``...) so each session follows the
runner's own paces from the config; ``6x400`` (the default of ``pacer sim``) uses fixed
rep times so a simulated session is the same everywhere.
"""

from __future__ import annotations

#: name -> (workout text, one-line description)
LIBRARY: dict[str, tuple[str, str]] = {
    "6x400": (
        "800m jog; 6x(400m @90s, 200m jog); 800m jog",
        "6 x 400 m in 90 s with 200 m jog recoveries (the default of pacer sim)",
    ),
    "400s": (
        "2km jog; 12x(400m @mile, r90s); 2km jog",
        "12 x 400 m at mile pace, 90 s jog recoveries",
    ),
    "800s": (
        "2km jog; 6x(800m @5k, r2:00); 2km jog",
        "6 x 800 m at 5 km pace, 2 min jog recoveries",
    ),
    "yasso-800s": (
        "2km jog; 10x(800m @5k, r3:00); 2km jog",
        ("Bart Yasso's 10 x 800 m, jog recoveries as long as the reps (set 5k pace so an "
        "800 takes your marathon time's hours:minutes as minutes:seconds)"),
    ),
    "mile-repeats": (
        "2km jog; 4x(1mi @10k, r3:00); 2km jog",
        "4 x 1 mile at 10 km pace, 3 min jog recoveries",
    ),
    "tempo": (
        "2km jog; tempo 20min @threshold; 2km jog",
        "20 min continuous tempo at threshold pace",
    ),
    "cruise-intervals": (
        "2km jog; 5x(1km cruise @threshold, r60s); 2km jog",
        "Jack Daniels' cruise intervals: 5 x 1 km at threshold, 60 s recoveries",
    ),
    "fartlek": (
        "10min jog; 10x(1min @5k, 1min easy); 10min jog",
        "10 x (1 min hard at 5 km pace, 1 min easy)",
    ),
    "progression": (
        ("2km jog; 3km progression @marathon; 2km progression @threshold; "
        "1km progression @10k; 1km jog"),
        "6 km getting faster: marathon, threshold, then 10 km pace",
    ),
    "strides": (
        "10min jog; 6x(100m strides @mile, 100m walk); 5min jog",
        "6 x 100 m strides with walk-back recoveries",
    ),
    "until-30min": (
        "2km jog; until 30min: (400m @80s, 200m jog); 2km jog",
        "400 m reps in 80 s with 200 m jogs until 30 min are up",
    ),
}
