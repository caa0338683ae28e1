"""A FIT message as garmin-fit-sdk's encoder takes it and its decoder gives it."""

from __future__ import annotations

__all__ = ["FitMessage"]

#: field name -> value (a number, string, datetime or list: FIT's field types); pacer
#: narrows each value where it reads one
FitMessage = dict[str, object]
