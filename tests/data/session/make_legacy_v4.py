"""Write ``legacy-v4-split-index``: a session in the layout before the raw journal.

Run with the code of commit 11a8e0c (split raw logs: gps.nmea + gps.idx, accel.bin +
accel.idx), e.g. ``git archive 11a8e0c | tar -x -C /tmp/old`` then
``PYTHONPATH=/tmp/old .venv/bin/python tests/data/session/make_legacy_v4.py OUT``.
"""

import datetime as dt
import shutil
import sys
from pathlib import Path

import numpy as np

from pacer.models import AccelBlock, Cue, CueKind, DistanceSource, Estimate, Fix, Rep, RepKind
from pacer.session.store import SessionWriter

out = Path(sys.argv[1])
shutil.rmtree(out, ignore_errors=True)
UTC0 = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
GPS = DistanceSource.GPS
with SessionWriter.create(out, meta={"workout": "easy", "start_utc": UTC0.isoformat()}) as w:
    for s in range(6):
        for k in range(2):
            t = s + k / 2
            utc = UTC0 + dt.timedelta(seconds=t)
            w.append_nmea(t, f"$GPRMC,{t:.1f}*00\r\n".encode())
            samples = np.column_stack([np.full(25, t), np.arange(25.0), np.full(25, 9.81)])
            w.append_accel(AccelBlock(t, 50.0, samples, lost_samples=k))
            w.add_fix(Fix(t, utc, True, 51.5, -0.1, 20.0, 4.0, 90.0, 1, 0.8, 9))
        utc = UTC0 + dt.timedelta(seconds=s)
        w.add_estimate(Estimate(float(s), utc, 4.0 * s, 4.0, 0.9, 170.0, 0.8, GPS, True))
        w.flush()
    w.add_rep(Rep(1, RepKind.WORK, 0.0, 6.0, 24.0, UTC0, pace_s_per_km=250.0,
                  cadence_spm=170.0, distance_source=GPS))
    w.update_cue(w.add_cue(Cue(3.0, CueKind.SPLIT, "on pace")), duration_s=0.8)
