"""pacer.wiring.replay and pacer.wiring.sim: recorded files as records on one timeline,
and the simulated runner's efforts for a workout plan."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pacer.errors import InputError
from pacer.formats.workout_source import resolve_workout
from pacer.models import AccelBlock, Fix, SkipCounters
from pacer.runtime import record_time_s
from pacer.wiring.replay import replay_records
from pacer.wiring.sim import build_sim, efforts_for_plan


def _nmea_log(path: Path, epochs: int = 20) -> float:
    """A simulated receiver's first ``epochs`` epochs as an NMEA log; its start (epoch s)."""
    setup = build_sim(None, seed=3)
    with path.open("wb") as f:
        for k, (_, data) in enumerate(setup.receiver.epochs()):
            if k == epochs:
                break
            f.write(data)
    return setup.receiver.start_utc.timestamp()


def _accel_csv(path: Path, t0_s: float, n: int = 500, rate_hz: float = 100.0) -> None:
    rows = "".join(f"{t0_s + i / rate_hz:.3f},0.1,0.2,9.8\n" for i in range(n))
    path.write_text("t_s,ax,ay,az\n" + rows)


def test_epoch_timed_accel_lands_on_the_gps_timeline(tmp_path: Path) -> None:
    start_epoch_s = _nmea_log(tmp_path / "gps.nmea")
    _accel_csv(tmp_path / "accel.csv", start_epoch_s + 5.0)
    counters: dict[str, SkipCounters] = {}
    records, first_utc = replay_records(nmea=tmp_path / "gps.nmea",
                                        accel=tmp_path / "accel.csv", counters=counters)
    records = list(records)
    fixes = [r for r in records if isinstance(r, Fix)]
    blocks = [r for r in records if isinstance(r, AccelBlock)]
    assert first_utc is not None and fixes and blocks
    first_fix = next(f for f in fixes if f.utc is not None)
    shift_s = first_utc.timestamp() - first_fix.t_s
    assert blocks[0].t0_s == pytest.approx(start_epoch_s + 5.0 - shift_s, abs=1e-3)
    assert sum(b.n for b in blocks) == 500
    times = [record_time_s(r) for r in records]
    assert times == sorted(times)  # one timeline, in order
    assert set(counters) == {"nmea", "accel"}


def test_relative_accel_times_start_at_the_first_fix(tmp_path: Path) -> None:
    _nmea_log(tmp_path / "gps.nmea")
    _accel_csv(tmp_path / "accel.csv", 0.0)
    records, _ = replay_records(nmea=tmp_path / "gps.nmea", accel=tmp_path / "accel.csv")
    blocks = [r for r in records if isinstance(r, AccelBlock)]
    assert blocks[0].t0_s == pytest.approx(0.0)


def test_epoch_accel_without_gps_says_which_file_and_what_to_give(tmp_path: Path) -> None:
    _accel_csv(tmp_path / "accel.csv", 1.7e9)
    records, first_utc = replay_records(accel=tmp_path / "accel.csv")
    assert first_utc is None
    with pytest.raises(InputError, match=r"accel\.csv: times are Unix epoch seconds.*--nmea"):
        list(records)


def test_one_gps_input_only() -> None:
    with pytest.raises(InputError, match="give one GPS input"):
        replay_records(nmea="a.nmea", gpx="b.gpx")
    with pytest.raises(InputError, match="nothing to replay"):
        replay_records()


@pytest.mark.parametrize(("workout", "start_m"), [
    ("800m jog; 6x(400m @90s, 200m jog)", 0.0),  # 800 m before the first rep: 2 laps
    ("1km jog; 4x(400m @80s, 200m jog)", 200.0),  # 1000 m: start 200 m into the lap
    ("10min easy; 4x(400m @80s, 200m jog)", 0.0),  # distance to the first rep unknown
])
def test_the_first_rep_starts_on_the_finish_line(workout: str, start_m: float) -> None:
    plan = resolve_workout(workout).plan()
    efforts, start_s_m = efforts_for_plan(plan)
    assert start_s_m == pytest.approx(start_m)
    assert efforts[0].kind == "stand" and efforts[-1].kind == "stand"
    work = [e for e, step in zip(efforts[1:], plan, strict=False) if step.kind.value == "work"]
    assert work and all(e.kind == "run" for e in work)
    assert np.isclose(work[0].distance_m, 400.0)
