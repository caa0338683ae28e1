"""Choosing a workout with the buttons, before a session starts (pure: time is data).

Each press of the start/lap button announces the next workout of the short list in the
config (``[coach] workouts``); holding it (the "pause" gesture) chooses the one just
announced; with no press for ``timeout_s`` the announced one is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pacer.models import Control, ControlEvent


@dataclass
class WorkoutChooser:
    names: list[str]
    timeout_s: float = 20.0
    index: int = 0
    chosen: str | None = None
    _last_s: float = 0.0
    said: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.names:
            raise ValueError("no workouts to choose from: set [coach] workouts")

    def start(self, t_s: float) -> list[str]:
        self._last_s = t_s
        if len(self.names) == 1:
            self.chosen = self.names[0]
            return [f"workout: {self.names[0]}"]
        return [f"choose a workout. press for the next, hold to choose. "
                f"1 of {len(self.names)}: {self.names[0]}"]

    def on_control(self, ev: ControlEvent) -> list[str]:
        if self.chosen is not None:
            return []
        self._last_s = ev.t_s
        if ev.control == Control.START_LAP:
            self.index = (self.index + 1) % len(self.names)
            return [f"{self.index + 1} of {len(self.names)}: {self.names[self.index]}"]
        if ev.control == Control.PAUSE:
            return self._choose()
        if ev.control == Control.END:
            self.chosen = ""  # free run: no workout
            return ["free run, no workout"]
        return []

    def poll(self, t_s: float) -> list[str]:
        if self.chosen is None and t_s - self._last_s >= self.timeout_s:
            return self._choose()
        return []

    def _choose(self) -> list[str]:
        self.chosen = self.names[self.index]
        return [f"{self.chosen}, chosen"]
