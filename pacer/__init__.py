"""pacer: an open, phone-free audio pacing coach for runners.

The names below are the library's public face (documented in ``docs/api.md``); deeper
modules may move between releases, these names stay. They are imported lazily, on first
use, so ``import pacer`` (and so the ``pacer`` command's start) loads neither numpy nor
any device library.

>>> import pacer
>>> pacer.parse_workout("3x(400m @72s, 200m jog)").rep_count
3
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

#: public name -> (module, attribute); the only place that says where each one lives
_EXPORTS: dict[str, tuple[str, str]] = {
    # workouts
    "parse_workout": ("pacer.coach.language.parser", "parse_workout"),
    "Workout": ("pacer.coach.language.workout", "Workout"),
    # NMEA -> fixes
    "read_nmea": ("pacer.formats.nmea_log", "fixes_from_nmea_file"),
    # estimators
    "LiveEstimator": ("pacer.dsp.estimator", "LiveEstimator"),
    "estimate_cadence": ("pacer.dsp.steps", "estimate_cadence"),
    # records passed between the layers
    "Fix": ("pacer.models", "Fix"),
    "AccelBlock": ("pacer.models", "AccelBlock"),
    "Estimate": ("pacer.models", "Estimate"),
    # sessions
    "open_session": ("pacer.session.reader", "open_session"),
    "review_json": ("pacer.review.summary", "review_json"),
    # errors
    "PacerError": ("pacer.errors", "PacerError"),
    "InputError": ("pacer.errors", "InputError"),
}

__all__ = [
    "AccelBlock", "Estimate", "Fix", "InputError", "LiveEstimator", "PacerError", "Workout",
    "estimate_cadence", "open_session", "parse_workout", "read_nmea", "review_json",
]  # fmt: skip

if TYPE_CHECKING:  # for type checkers and IDEs; at run time __getattr__ loads on demand
    from pacer.coach.language.parser import parse_workout
    from pacer.coach.language.workout import Workout
    from pacer.dsp.estimator import LiveEstimator
    from pacer.dsp.steps import estimate_cadence
    from pacer.errors import InputError, PacerError
    from pacer.formats.nmea_log import fixes_from_nmea_file as read_nmea
    from pacer.models import AccelBlock, Estimate, Fix
    from pacer.review.summary import review_json
    from pacer.session.reader import open_session


def __getattr__(name: str) -> object:
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'pacer' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
