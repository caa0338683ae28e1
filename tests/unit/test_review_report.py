"""The review a runner reads (issue 12, items 5 and 8): rep labels and stopped reps, cues
as heard, rounded comparisons, ``#`` from 1, rep statistics and splits, rep bars that
point the same way as the pace plot, and the configured units (km or mi)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pacer.coach.language.library import LIBRARY
from pacer.review.display import distance_text, with_units
from pacer.review.html import review_html
from pacer.review.stats import consistency_score, rep_splits, rep_stats, split_length_m
from pacer.review.summary import compare_reps, review_json
from pacer.review.text import review_text
from pacer.session.reader import open_session

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def pacer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pacer", *args], capture_output=True,
                          text=True, env=ENV, timeout=300)  # fmt: skip


def sim(path: Path, workout: str, *args: str) -> Path:
    done = pacer("sim", workout, "--session-dir", str(path), "--quiet", *args)
    assert done.returncode == 0, done.stderr
    return path


def _golden_module() -> Any:
    from helpers import golden_session

    return golden_session


@pytest.fixture(scope="module")
def stopped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8 x 400 cut after 150 s: rep 2 is stopped half way."""
    return sim(tmp_path_factory.mktemp("s") / "cut", "8x(400m @72s, 200m jog)",
               "--duration", "190")  # fmt: skip


@pytest.fixture(scope="module")
def heard(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("a")
    return sim(tmp / "audio", "2x(400m @72s, 200m jog)", "--audio-out", str(tmp / "a.wav"))


@pytest.fixture(scope="module")
def miles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("m")
    (tmp / "mi.toml").write_text('[coach]\nunits = "mi"\n')
    return sim(tmp / "mile", "2x(1mi @6:00/mi, 400m jog)", "--config", str(tmp / "mi.toml"))


def test_reps_carry_label_and_completed_and_a_stopped_rep_is_not_a_finished_one(
    stopped: Path,
) -> None:
    doc = review_json(open_session(stopped))
    reps = doc["reps"]
    assert [r["label"] for r in reps[:2]] == ["rep 1 of 8", "recovery"]
    assert reps[2]["label"].startswith("rep 2 of 8")
    assert [r["completed"] for r in reps] == [True] * (len(reps) - 1) + [False]
    assert reps[-1]["distance_m"] < 400 and reps[-1]["splits"] == []
    assert doc["rep_stats"]["reps"] == sum(
        r["kind"] == "work" and r["completed"] for r in reps)  # fmt: skip
    text = review_text(open_session(stopped))
    assert "rep 2 of 8, stopped" in text


def test_cue_times_are_what_the_runner_heard(heard: Path) -> None:
    data = open_session(heard)
    cues = review_json(data)["cues"]
    late = [c for c in cues if c["t_s"] != c["planned_t_s"]]
    assert late, "a cue queued behind another starts after its planned time"
    spoken = [c for c in cues if not c["dropped"]]
    for a, b in zip(spoken, spoken[1:], strict=False):
        assert a["t_s"] + a["duration_s"] <= b["t_s"] + 1e-3, (a, b)
    starts = {round(float(i["start_s"]), 3) for i in data.cue_audio if "start_s" in i}
    assert {c["t_s"] for c in spoken} <= starts
    assert {c["planned_t_s"] for c in cues} == {round(c.t_s, 3) for c in data.cues}


def test_comparison_delta_is_rounded_like_the_other_times(tmp_path: Path) -> None:
    g = _golden_module()
    earlier = open_session(g.build(tmp_path / "a", rep_times_s=(36.7, 35.9, 36.1, 37.3)))
    later = open_session(g.build(tmp_path / "b"))
    deltas = [c.delta_s for c in compare_reps(later, earlier)]
    assert deltas == [-0.1, -0.1, -0.1, -0.1]  # not -0.10000000000000142


def test_rep_numbers_start_at_1(golden: Any) -> None:
    table = review_text(golden).split("\n\n")[1].splitlines()
    assert table[0].startswith("#")
    assert [line.split()[0] for line in table[1:]] == [str(n) for n in range(1, 9)]
    assert [r["number"] for r in review_json(golden)["reps"]] == list(range(1, 9))
    assert "<td>1</td>" in review_html(golden, plots=False)


def test_rep_stats_known_answer(golden: Any) -> None:
    # rep times 36.6, 35.8, 36.0, 37.2 s over 200 m
    st = review_json(golden)["rep_stats"]
    assert st["basis"] == "time" and st["reps"] == 4
    assert st["mean_duration_s"] == 36.4
    assert (st["fastest_duration_s"], st["slowest_duration_s"], st["spread_s"]) == (
        35.8, 37.2, 1.4)  # fmt: skip
    assert (st["fastest_number"], st["slowest_number"]) == (4, 8)
    # paces 183, 179, 180, 186 s/km: sd sqrt(7.5) over mean 182 is 1.505 %
    assert st["consistency"] == pytest.approx(100 - 10 * 7.5**0.5 / 182 * 100, abs=0.05)
    text = review_text(golden)
    assert "reps: average 36.4, fastest 35.8 (#4), slowest 37.2 (#8), spread 1.4 s" in (
        text.replace("0:", ""))  # fmt: skip
    assert "consistency 85/100" in text
    assert "consistency" in review_html(golden, plots=False)


def test_consistency_score() -> None:
    assert consistency_score([180.0]) is None
    assert consistency_score([180.0, 180.0]) == 100.0
    assert consistency_score([99.0, 101.0]) == pytest.approx(90.0)  # 1 % variation
    assert consistency_score([50.0, 150.0]) == 0.0


def test_splits_add_up_to_the_rep(golden: Any) -> None:
    work = [r for r in golden.reps if r.kind.value == "work"]
    for rep in work:
        splits = rep_splits(rep, golden.estimates)
        assert [s.distance_m for s in splits] == [100.0, 200.0]
        assert sum(s.duration_s for s in splits) == pytest.approx(rep.duration_s)
        assert splits[-1].elapsed_s == pytest.approx(rep.duration_s)
    assert "splits:" in review_text(golden)
    assert [split_length_m(d) for d in (200, 400, 800, 1600, 5000)] == [100, 100, 200, 400, 1000]
    assert split_length_m(1609.344, miles=True) == pytest.approx(402.336)


def _bar_tops_px(fig: Any) -> list[float]:
    """Display y of each rep bar's far end (its top when up, its bottom when down)."""
    ax = fig.axes[2]
    out = []
    for patch in ax.patches:
        end = patch.get_y() + patch.get_height()
        out.append(ax.transData.transform((0.0, end))[1] - ax.transData.transform((0, 0))[1])
    return out


def test_rep_bars_point_faster_the_way_the_pace_plot_does(golden: Any) -> None:
    pytest.importorskip("matplotlib")
    from pacer.review.plot import review_figure

    fig = review_figure(golden)
    ax_pace = fig.axes[0]
    fast, slow = (ax_pace.transData.transform((0.0, p))[1] for p in (170.0, 190.0))
    assert fast > slow  # pace panel: faster is up
    ends = _bar_tops_px(fig)  # reps 36.6, 35.8, 36.0, 37.2 against 36.0
    assert len(ends) == 4
    assert ends[1] > ends[2] > ends[0] > ends[3]  # the fastest rep reaches highest
    colours = [tuple(round(c, 3) for c in p.get_facecolor()) for p in fig.axes[2].patches]
    quick, on, slower = colours[1], colours[2], colours[3]
    assert len({quick, on, slower}) == 3  # the +0.0 s rep is neither quick nor slow


def test_review_follows_units_mi(miles: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "mi.toml"
    cfg.write_text('[coach]\nunits = "mi"\n')
    done = pacer("review", str(miles), "--config", str(cfg))
    assert done.returncode == 0, done.stderr
    assert "1 mi in 6:00.0" in done.stdout and "/mi" in done.stdout
    assert "1609 m" not in done.stdout and "/km" not in done.stdout
    doc = json.loads(pacer("review", str(miles), "--config", str(cfg), "--json").stdout)
    assert doc["session"]["units"] == "mi"
    assert doc["reps"][0]["target_distance_m"] == pytest.approx(1609.344)  # SI stays
    data = with_units(open_session(miles), "km")
    assert "/km" in review_text(data) and "6:00/mi " not in review_text(data)
    assert "/mi" in review_text(open_session(miles))  # as recorded, when nobody says
    page = review_html(with_units(open_session(miles), "mi"), plots=False)
    assert "6:00/mi" in page and "/km" not in page


def test_plot_axis_follows_units(miles: Path) -> None:
    pytest.importorskip("matplotlib")
    from pacer.review.plot import review_figure

    fig = review_figure(open_session(miles), units="mi")
    assert fig.axes[0].get_ylabel() == "pace (min/mi)"


def test_distance_text() -> None:
    assert distance_text(1609.344, "mi") == "1 mi"
    assert distance_text(1609.0, "mi") == "1 mi"
    assert distance_text(402.336, "mi") == "0.25 mi"
    assert distance_text(400.0, "mi") == "400 m"
    assert distance_text(5000.0, "mi") == "3.11 mi"
    assert distance_text(1609.344, "km") == "1609 m"


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_review_of_every_library_workout(name: str, tmp_path: Path) -> None:
    """Property over the library (cut after 10 min, so long ones end mid-rep): every rep
    has a label and completed, numbers run from 1, only the last rep may be stopped,
    splits add up, the stats count the completed work reps."""
    data = open_session(sim(tmp_path / "s", name, "--duration", "600", "--seed", "3"))
    doc = review_json(data)
    reps = doc["reps"]
    assert reps
    assert [r["number"] for r in reps] == list(range(1, len(reps) + 1))
    assert all(isinstance(r["label"], str) and r["label"] for r in reps)
    assert all(r["completed"] for r in reps[:-1])
    for r in reps:
        if r["splits"]:
            assert sum(s["duration_s"] for s in r["splits"]) == pytest.approx(
                r["duration_s"], abs=0.01)  # fmt: skip
            assert r["splits"][-1]["distance_m"] == pytest.approx(r["distance_m"], abs=0.01)
    done = [r for r in reps if r["kind"] == "work" and r["completed"]]
    st = rep_stats(data)
    assert (st.reps if st else 0) == len([r for r in done if r["distance_m"] > 0])
    json.dumps(doc)
    review_text(dataclasses.replace(data))


def test_sessions_list_has_a_header(tmp_path: Path) -> None:
    from pacer.review.listing import sessions_table

    _golden_module().build(tmp_path / "20261117-180000")
    header, row = sessions_table(tmp_path).splitlines()
    assert header.split() == ["id", "start", "(UTC)", "time", "distance", "ended", "size",
                              "workout"]  # fmt: skip
    assert row.startswith("20261117-180000    2026-11-17 18:00")
    assert row.index("km") < header.index("ended") and row.index("MB") < header.index("workout")
    assert sessions_table(tmp_path / "none").startswith("no sessions")


def test_a_free_run_has_auto_lap_splits_and_no_empty_rep_chart(tmp_path: Path) -> None:
    data = open_session(sim(tmp_path / "free", "5km run"))
    splits = review_json(data)["session"]["splits"]
    assert [round(s["distance_m"]) for s in splits][:4] == [1000, 2000, 3000, 4000]
    assert len(splits) == 5 and abs(splits[-1]["distance_m"] - 5000) < 60
    assert all(240 < s["pace_s_per_km"] < 480 for s in splits)
    text = review_text(data)
    assert "splits (every km):" in text and "\n1 km " in text
    miles = review_text(with_units(data, "mi"))
    assert "splits (every mile):" in miles and "\n   1 mi " in miles
    assert "<h2>Splits</h2>" in review_html(data, plots=False)
    pytest.importorskip("matplotlib")
    from pacer.review.plot import review_figure

    ax = review_figure(data).axes[2]
    assert not ax.axison and not ax.patches  # no empty chart with a 0:00 axis
