"""TCX export read back by an independent reader (python-tcxparser, lxml underneath)."""

from __future__ import annotations

import pytest

from pacer.cli.main import main
from pacer.session.reader import open_session

tcxparser = pytest.importorskip("tcxparser", reason="python-tcxparser (dev extra) not installed")


def test_tcx_export_reads_back_with_laps_equal_to_reps(tmp_path) -> None:
    session = tmp_path / "s"
    assert main(["sim", "--duration", "600", "--session-dir", str(session), "--quiet"]) == 0
    out = tmp_path / "s.tcx"
    assert main(["export", str(session), "--format", "tcx", "-o", str(out)]) == 0
    data = open_session(session)
    tcx = tcxparser.TCXParser(str(out))
    assert tcx.activity_type == "running"
    laps = list(tcx.activity.Lap)
    assert len(laps) == len(data.reps)
    for lap, rep in zip(laps, data.reps, strict=True):
        assert float(lap.TotalTimeSeconds) == pytest.approx(rep.duration_s, abs=0.01)
        assert float(lap.DistanceMeters) == pytest.approx(rep.distance_m, abs=0.1)
    positions = tcx.position_values()
    assert len(positions) >= 0.95 * sum(f.has_position for f in data.fixes)
    lat, lon = positions[len(positions) // 2]
    assert 51.8 < lat < 51.9 and -0.5 < lon < -0.3  # the simulated track at Luton
