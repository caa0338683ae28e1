from __future__ import annotations

import pytest

from pacer.coach.chooser import WorkoutChooser
from pacer.models import Control, ControlEvent


def test_press_cycles_hold_chooses() -> None:
    c = WorkoutChooser(["6x400", "tempo", "yasso-800s"])
    assert "1 of 3: 6x400" in c.start(0.0)[0]
    assert c.on_control(ControlEvent(1.0, Control.START_LAP)) == ["2 of 3: tempo"]
    assert c.on_control(ControlEvent(2.0, Control.START_LAP)) == ["3 of 3: yasso-800s"]
    assert c.on_control(ControlEvent(3.0, Control.START_LAP)) == ["1 of 3: 6x400"]
    c.on_control(ControlEvent(4.0, Control.START_LAP))
    assert c.on_control(ControlEvent(5.0, Control.PAUSE)) == ["tempo, chosen"]
    assert c.chosen == "tempo"
    assert c.on_control(ControlEvent(6.0, Control.START_LAP)) == []


def test_timeout_chooses_the_announced_one_and_single_choice_is_immediate() -> None:
    c = WorkoutChooser(["6x400", "tempo"], timeout_s=20.0)
    c.start(0.0)
    c.on_control(ControlEvent(5.0, Control.START_LAP))
    assert c.poll(24.0) == [] and c.chosen is None
    assert c.poll(25.0) == ["tempo, chosen"]
    one = WorkoutChooser(["tempo"])
    one.start(0.0)
    assert one.chosen == "tempo"


def test_stop_means_free_run_and_empty_list_is_an_error() -> None:
    c = WorkoutChooser(["a", "b"])
    c.start(0.0)
    c.on_control(ControlEvent(1.0, Control.END))
    assert c.chosen == ""
    with pytest.raises(ValueError, match="workouts"):
        WorkoutChooser([])
