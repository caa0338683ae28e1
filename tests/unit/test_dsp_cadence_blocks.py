"""The cadence tracker's output does not depend on how the samples are cut into blocks.

The tracker resamples the blocks that arrive between two hops together, once per hop;
blocks shorter than a hop, blocks of a whole hop and blocks spanning several hops must
all give the same estimates and footfalls.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers.dsp_cadence_synth import blocks, gait

from pacer.dsp.cadence import CadenceTracker


def _track(block_list):
    tracker = CadenceTracker()
    estimates, footfalls = [], []
    for block in block_list:
        estimates += tracker.push(block)
        footfalls += tracker.footfalls()
    return estimates, footfalls


@pytest.mark.parametrize("run", [True, False])
def test_block_size_does_not_change_estimates_or_footfalls(run):
    synth = gait(172.0 if run else 110.0, 14.0, 100.0, rate_error=0.02, run=run, seed=11)
    ref_est, ref_ff = _track(blocks(synth, 100.0, block_s=0.25))
    assert sum(e.cadence_spm is not None for e in ref_est) >= 8
    assert len(ref_ff) >= 15
    for block_s in (0.04, 1.0, 2.7):
        est, ff = _track(blocks(synth, 100.0, block_s=block_s))
        assert [e.t_s for e in est] == pytest.approx([e.t_s for e in ref_est], abs=1e-9)
        assert [e.mode for e in est] == [e.mode for e in ref_est]
        for a, b in zip(est, ref_est, strict=True):
            assert (a.cadence_spm is None) == (b.cadence_spm is None)
            if a.cadence_spm is not None:
                assert a.cadence_spm == pytest.approx(b.cadence_spm, abs=1e-6)
                assert a.confidence == pytest.approx(b.confidence, abs=1e-9)
        assert np.allclose([f.t_s for f in ff], [f.t_s for f in ref_ff], atol=1e-6, rtol=0)
