"""Review JSON against the golden session, rep rows, summary, comparisons."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pacer.review.summary import (
    compare_reps,
    relative_day,
    rep_rows,
    review_json,
    summarize,
)  # fmt: skip
from pacer.session.reader import open_session

DATA = Path(__file__).resolve().parents[1] / "data" / "session"
GOLDEN_JSON = DATA / "golden_review.json"


def test_review_json_matches_golden(golden):
    doc = review_json(golden)
    if os.environ.get("PACER_REGEN_GOLDEN") == "1":
        GOLDEN_JSON.write_text(json.dumps(doc, indent=1) + "\n")
    assert json.loads(json.dumps(doc)) == json.loads(GOLDEN_JSON.read_text())


def test_review_json_has_exactly_the_contract_keys(golden):
    doc = review_json(golden)
    assert set(doc) == {"session", "reps", "cues", "rep_stats"}
    assert set(doc["session"]) == {
        "id",
        "start_utc",
        "duration_s",
        "distance_m",
        "workout",
        "heart_rate_zones_bpm",
        "sources",
        "ended",
        "units",
        "splits",
    }
    assert all(
        set(r)
        == {
            "index",
            "kind",
            "start_utc",
            "start_s",
            "duration_s",
            "distance_m",
            "target_distance_m",
            "target_duration_s",
            "target_pace_s_per_km",
            "pace_s_per_km",
            "cadence_spm",
            "heart_rate_avg_bpm",
            "heart_rate_max_bpm",
            "time_in_zones_s",
            "distance_source",
            "number",
            "label",
            "completed",
            "splits",
        }
        for r in doc["reps"]
    )
    assert all(
        set(c) == {"t_s", "planned_t_s", "duration_s", "kind", "text", "priority", "dropped"}
        for c in doc["cues"]
    )
    assert {r["kind"] for r in doc["reps"]} <= {"work", "recovery", "warmup", "cooldown", "steady"}
    assert sum(c["dropped"] for c in doc["cues"]) == 1


def test_rep_rows_deviation_and_summary(golden):
    work = [r for r in rep_rows(golden) if r.kind == "work"]
    assert [round(r.deviation_s, 3) for r in work] == [0.6, -0.2, 0.0, 1.2]
    assert [round(r.deviation_s_per_km, 3) for r in work] == [3.0, -1.0, 0.0, 6.0]
    s = summarize(golden)
    assert s.work_reps == 4 and s.work_distance_m == pytest.approx(800.0)
    assert s.work_pace_s_per_km == pytest.approx(145.6 / 0.8)
    assert s.reps_on_target == 2  # 179 and 180 s/km are within 1 % of 180; 183 and 186 are not
    assert s.ended == "normal" and s.cues_dropped == 1


@pytest.mark.parametrize(
    "days, text",
    [
        (0, "earlier today"),
        (1, "yesterday"),
        (6, "last Tuesday"),
        (9, "on 14 Nov"),
        (400, "on 19 Oct 2025"),
    ],
)
def test_relative_day(days, text):
    now = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # a Monday
    assert relative_day(now, now - dt.timedelta(days=days)) == text


def test_compare_with_last_week(tmp_path):
    from helpers import golden_session as g

    earlier = open_session(g.build(tmp_path / "a", rep_times_s=(37.4, 35.8, 36.5, 36.0)))
    later = open_session(g.build(tmp_path / "b", start_utc=g.START_UTC + dt.timedelta(days=6)))
    texts = [c.text for c in compare_reps(later, earlier)]
    assert texts == [
        "rep 1: 0.8 s faster than last Tuesday",
        "rep 2: same as last Tuesday",
        "rep 3: 0.5 s faster than last Tuesday",
        "rep 4: 1.2 s slower than last Tuesday",
    ]


def test_summary_module_imports_no_io_libraries():
    code = (
        "import sys, pacer.review.summary; bad = {'sqlite3', 'matplotlib', 'serial', "
        "'smbus2', 'gpiozero', 'pyttsx3', 'garmin_fit_sdk', 'gpxpy'} & set(sys.modules); "
        "print(sorted(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.strip() == "[]"


def test_cheap_overview_agrees_with_the_full_summary(golden):
    from pacer.session.reader import session_overview

    over = session_overview(golden.directory)
    full = summarize(golden)
    assert over.duration_s == pytest.approx(full.duration_s)
    assert over.distance_m == pytest.approx(full.distance_m)
    assert over.start_utc == full.start_utc and over.ended == full.ended


def test_no_pace_for_a_step_with_almost_no_distance(tmp_path):
    from pacer.models import Rep, RepKind
    from pacer.review.text import review_text
    from pacer.session.store import SessionWriter

    with SessionWriter.create(tmp_path / "s", meta={"workout": "w"}) as w:
        # 0.05 m in 7.9 h: what a warm-up left standing records
        w.add_rep(Rep(1, RepKind.WARMUP, 0.0, 28_415.0, 0.05, pace_s_per_km=568_305_160.0,
                      label="warmup"))  # fmt: skip
        # 25 m in 15 min: far enough, but slower than 30 min/km
        w.add_rep(Rep(2, RepKind.RECOVERY, 28_415.0, 900.0, 25.0, label="jog"))
        w.add_rep(Rep(3, RepKind.WORK, 29_315.0, 36.0, 200.0, target_distance_m=200.0,
                      target_duration_s=36.0, label="rep 1 of 1"))  # fmt: skip
    data = open_session(tmp_path / "s")
    paces = [r["pace_s_per_km"] for r in review_json(data)["reps"]]
    assert paces == [None, None, 180.0]
    table = review_text(data).splitlines()
    warmup = next(line for line in table if line.startswith("1 "))
    jog = next(line for line in table if line.startswith("2 "))
    assert " -- " in warmup + " " and " -- " in jog + " "
    assert "/km" not in warmup and "/km" not in jog
    assert summarize(data).work_pace_s_per_km == pytest.approx(180.0)
