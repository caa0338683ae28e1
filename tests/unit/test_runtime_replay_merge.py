"""The replay fast paths in pacer.runtime keep the order and the counts of the plain ones."""

from __future__ import annotations

import heapq

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pacer.models import AccelBlock, Fix
from pacer.runtime import Pipeline, record_time_s, run_records
from pacer.wiring.merge import merge_in_time

TIMES = st.lists(st.integers(0, 40).map(lambda k: k / 4), max_size=30).map(sorted)


def _fixes(times: list[float]) -> list[Fix]:
    return [Fix(t, None, True, 51.5, -0.1, None, 3.0, None, 1, 1.0, 8) for t in times]


def _blocks(ends: list[float]) -> list[AccelBlock]:
    # blocks of 5 samples at 20 Hz ending at each time (record time = end of the block)
    return [AccelBlock(t - 0.25, 20.0, np.full((5, 3), t)) for t in ends]


@given(TIMES, TIMES)
def test_two_stream_merge_is_heapq_merge(fix_times, block_ends) -> None:
    fixes, blocks = _fixes(fix_times), _blocks(block_ends)
    for streams in ((fixes, blocks), (blocks, fixes)):
        got = list(merge_in_time(*(iter(s) for s in streams)))
        want = list(heapq.merge(*streams, key=record_time_s))
        assert [id(r) for r in got] == [id(r) for r in want]  # ties: first stream first


@given(TIMES, TIMES, TIMES)
def test_three_streams_still_merge_in_time(a, b, c) -> None:
    got = list(merge_in_time(_fixes(a), _blocks(b), _fixes(c)))
    assert [record_time_s(r) for r in got] == sorted(a + b + c)


class _Recorder:
    """An estimator that only counts what it is given (the pipeline's bookkeeping)."""

    def __init__(self) -> None:
        self.fixes: list[float] = []
        self.samples = 0

    def push_fix(self, fix):
        self.fixes.append(fix.t_s)

    def push_accel(self, block):
        self.samples += block.n

    def push_device(self, ev):
        pass

    def footfalls(self):
        return []

    def estimate(self, t_s):
        return t_s


def test_pipeline_counts_and_ticks_for_a_merged_replay() -> None:
    fix_times = [k / 5 for k in range(51)]  # 10 s at 5 Hz
    block_ends = [0.25 * k for k in range(1, 41)]  # 10 s of 0.25 s blocks
    est = _Recorder()
    pipeline = run_records(Pipeline(estimator=est),
                           merge_in_time(_fixes(fix_times), _blocks(block_ends)))
    assert est.fixes == fix_times and pipeline.n_fixes == 51
    assert pipeline.n_blocks == 40 and pipeline.n_samples == est.samples == 200
    assert pipeline.device_records["accel"] == 40
    # ticks at 1..10 s, and a final one at 10 s: the fix at 10 s came after that tick
    assert pipeline.n_ticks == 11
