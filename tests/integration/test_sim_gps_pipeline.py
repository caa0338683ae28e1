"""The simulated receiver's bytes through the production line framer and NMEA parser."""

from __future__ import annotations

import numpy as np
import pytest

from pacer.gps.decoder import NmeaDecoder
from pacer.models import Fix, SkipCounters
from pacer.sim.receiver import SimulatedReceiver
from pacer.sim.runner import RunnerModel
from pacer.sim.scenarios import default_session_efforts


def _fixes(rx: SimulatedReceiver) -> tuple[list[Fix], SkipCounters]:
    counters = SkipCounters()
    decoder = NmeaDecoder(counters)
    out: list[Fix] = []
    for t_s, data in rx.epochs():
        out += decoder.feed(t_s, data)
    out += decoder.flush(rx.runner.duration_s)
    return out, counters


@pytest.fixture(scope="module")
def runner() -> RunnerModel:
    return RunnerModel(default_session_efforts(), seed=4)


def test_clean_stream_gives_one_fix_per_epoch_with_the_reported_values(
        runner: RunnerModel) -> None:
    rx = SimulatedReceiver(runner, seed=4, corrupt_rate=0.0)
    fixes, counters = _fixes(rx)
    assert len(fixes) == len(rx)
    assert counters.bad_checksum == 0 and counters.garbage == 0
    valid = np.array([f.valid for f in fixes])
    assert np.array_equal(valid, rx.valid)
    ok = [(f, k) for k, f in enumerate(fixes) if f.valid]
    lat = np.array([f.lat_deg for f, _ in ok])
    lon = np.array([f.lon_deg for f, _ in ok])
    spd = np.array([f.speed_mps for f, _ in ok])
    idx = np.array([k for _, k in ok])
    assert np.max(np.abs(lat - rx.lat_deg[idx])) < 1e-6
    assert np.max(np.abs(lon - rx.lon_deg[idx])) < 1e-6
    assert np.max(np.abs(spd - rx.speed_mps[idx])) < 0.001
    for f in fixes:
        if not f.valid:
            assert f.lat_deg is None and f.lon_deg is None
    assert [f.t_s for f in fixes] == pytest.approx(list(rx.t_s))


def test_corrupted_sentences_are_counted_and_never_make_a_wrong_fix(runner: RunnerModel) -> None:
    rx = SimulatedReceiver(runner, seed=4, corrupt_rate=0.02)
    fixes, counters = _fixes(rx)
    n_corrupt = sum(sum(ep.corrupted) for ep in rx.records())
    assert n_corrupt > 50
    assert counters.bad_checksum + counters.garbage + counters.extra.get("no_checksum", 0) > 0
    for f in fixes:
        if f.has_position:
            k = round(f.t_s)
            assert abs(f.lat_deg - rx.lat_deg[k]) < 1e-6  # type: ignore[operator]
            assert abs(f.lon_deg - rx.lon_deg[k]) < 1e-6  # type: ignore[operator]
    # an epoch loses its fix only when all of its position sentences were damaged
    assert len([f for f in fixes if f.has_position]) >= int(rx.valid.sum()) - n_corrupt
