"""The terminal coach prints cues and status lines in time order."""

from __future__ import annotations

import io

from pacer.models import Cue, CueKind, DistanceSource, Estimate
from pacer.wiring.session import ConsolePrinter


def _est(t_s: float) -> Estimate:
    return Estimate(t_s, None, 10.0 * t_s, 4.0, 0.9, 170.0, 0.9, DistanceSource.GPS, True)


def test_cues_scheduled_ahead_wait_for_their_time() -> None:
    out = io.StringIO()
    p = ConsolePrinter(out, every_s=1.0)
    p.estimate(_est(10.0), None)
    p.cue(Cue(10.0, CueKind.STATUS, "now"))
    p.cue(Cue(12.5, CueKind.GO, "go"))  # a countdown's go, known 2.5 s ahead
    p.cue(Cue(11.5, CueKind.COUNTDOWN, "1"))
    p.estimate(_est(11.0), None)
    p.estimate(_est(12.0), None)
    p.estimate(_est(13.0), None)
    p.close()
    lines = out.getvalue().splitlines()
    times = [ln.split()[0] for ln in lines]
    assert [ln.split()[-1] for ln in lines if ">" in ln] == ["now", "1", "go"]
    as_s = [int(t.split(":")[0]) * 60 + int(t.split(":")[1]) for t in times]
    assert as_s == sorted(as_s)


def test_printer_writes_to_the_stdout_of_the_moment_not_of_import(monkeypatch) -> None:
    """The default output is sys.stdout as it is when printing: a stream replaced after
    pacer.wiring.session was imported (pytest's capture, a redirect) must not be written
    to later."""
    later = io.StringIO()
    monkeypatch.setattr("sys.stdout", later)
    ConsolePrinter().event(3.0, "GPS lost")
    assert later.getvalue().endswith("! GPS lost\n")
