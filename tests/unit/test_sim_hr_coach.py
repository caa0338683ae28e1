"""``pacer sim --hr``: the engine's heart-rate cues on a capped tempo and recoveries that
end on heart rate (6 x 800 m, ``until hr < 120``), through the whole pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from pacer.coach.hr_steps import HR_COUNTDOWN_S
from pacer.config import Config
from pacer.models import CueKind, RepKind
from pacer.session.reader import SessionData, open_session
from pacer.wiring.sim import SimOptions, run_sim


def _sim(tmp_path: Path, workout: str, seed: int = 0) -> SessionData:
    out = tmp_path / f"s{seed}"
    run_sim(SimOptions(workout, seed=seed, session_dir=str(out), quiet=True,
                       heart_rate=True), Config())  # fmt: skip
    return open_session(out)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_capped_tempo_gives_heart_rate_cues_per_the_policy(tmp_path: Path, seed: int) -> None:
    data = _sim(tmp_path, "tempo 20min @3:40/km @hr 145-155", seed)
    (tempo,) = [r for r in data.reps if r.kind is RepKind.WORK]
    cues = [c for c in data.cues if c.kind is CueKind.HEART_RATE and not c.dropped]
    assert cues and all("ease off" in c.text for c in cues)
    assert cues[0].t_s >= tempo.start_s + 15.0  # none in the step's first 15 s
    assert all(b.t_s - a.t_s >= 10.0 for a, b in zip(cues, cues[1:], strict=False))
    assert len(cues) <= 3


def test_six_by_800m_recoveries_end_when_heart_rate_is_under_120(tmp_path: Path) -> None:
    data = _sim(tmp_path, "6x(800m @3:30/km, until hr < 120)")
    recs = [r for r in data.reps if r.kind is RepKind.RECOVERY]
    works = [r for r in data.reps if r.kind is RepKind.WORK]
    assert len(works) == 6 and len(recs) >= 5
    hr = [(e.t_s, e.heart_rate_bpm) for e in data.estimates if e.heart_rate_bpm is not None]
    for rec in recs[:5]:
        end = rec.start_s + rec.duration_s
        decided = end - HR_COUNTDOWN_S
        before = [b for t, b in hr if decided - 3.0 <= t <= decided]
        assert before and max(before) < 120  # the engine saw < 120 for the dwell
        assert max(b for t, b in hr if rec.start_s <= t <= rec.start_s + 5) >= 120
        assert 30 < rec.duration_s < 200
        gos = [c for c in data.cues if c.kind is CueKind.GO and abs(c.t_s - end) < 1.5]
        assert len(gos) == 1
