"""The pipeline advances by the data's time stamps only, on a 1 s grid."""

from __future__ import annotations

import datetime as dt

from pacer.models import AccelBlock, DeviceEvent, DistanceSource, Estimate, Fix
from pacer.runtime import Pipeline, run_records
from pacer.wiring.merge import merge_in_time


class CountingEstimator:
    def __init__(self) -> None:
        self.fixes: list[Fix] = []
        self.ticks: list[float] = []

    def push_fix(self, fix: Fix) -> None:
        self.fixes.append(fix)

    def push_accel(self, block: AccelBlock) -> None:
        pass

    def push_device(self, ev: DeviceEvent) -> None:
        pass

    def footfalls(self) -> list:
        return []

    def estimate(self, t_s: float) -> Estimate:
        self.ticks.append(t_s)
        return Estimate(t_s, None, 0.0, None, 0.0, None, 0.0, DistanceSource.GPS, False)


def _fix(t_s: float) -> Fix:
    return Fix(t_s=t_s, utc=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), valid=True,
               lat_deg=51.0, lon_deg=0.0, speed_mps=3.0)


def test_ticks_on_a_one_second_grid_of_data_time() -> None:
    est = CountingEstimator()
    run_records(Pipeline(estimator=est), [_fix(t) for t in (0.2, 0.7, 1.4, 3.9)])
    assert est.ticks[:3] == [1.0, 2.0, 3.0]
    assert len(est.fixes) == 4


def test_a_time_jump_is_not_ticked_through() -> None:
    """A corrupt time stamp ten years ahead must not produce 300 million ticks."""
    est = CountingEstimator()
    pipeline = Pipeline(estimator=est)
    ten_years_s = 10 * 365 * 86400.0
    run_records(pipeline, [_fix(0.5), _fix(1.5), _fix(ten_years_s), _fix(ten_years_s + 2.1)])
    assert pipeline.time_jumps == 1
    assert len(est.ticks) < 10
    assert est.ticks[-1] >= ten_years_s + 2.0


def test_merge_in_time_orders_records() -> None:
    a = [_fix(0.0), _fix(2.0)]
    b = [_fix(1.0), _fix(3.0)]
    assert [r.t_s for r in merge_in_time(a, b)] == [0.0, 1.0, 2.0, 3.0]
