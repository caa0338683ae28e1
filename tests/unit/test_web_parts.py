"""The pure parts of ``pacer serve``: ids, pairing and tokens, rate limit, CSRF, TOML
edits, consistency and progress, SVG charts."""

from __future__ import annotations

import datetime as dt

import pytest

from pacer.errors import ConfigError
from pacer.web import auth
from pacer.web.charts import Series, decimate, line_chart_svg
from pacer.web.configfile import set_key, update_config
from pacer.web.sessions import valid_session_id
from pacer.web.settings import read_next_workout, write_next_workout
from pacer.web.stats import SessionRow, consistency_s_per_km, progress_by_workout


@pytest.mark.parametrize("sid,ok", [
    ("20261123-180000", True), ("s1", True), ("run_2.b", True), ("..", False), (".", False),
    ("a/b", False), ("a..b", False), ("", False), ("-x", False), ("x" * 65, False),
    ("x\x00", False), ("é", False),
])
def test_session_id_pattern(sid, ok) -> None:
    assert valid_session_id(sid) is ok


def test_pairing_code_single_use_expiry_and_failure_limit(tmp_path) -> None:
    code = auth.new_pairing_code(tmp_path, 1000.0)
    assert len(code) == 6 and code.isdigit()
    assert auth.redeem(tmp_path, code, 1000.0 + auth.PAIRING_TTL_S + 1) is None
    code = auth.new_pairing_code(tmp_path, 1000.0)
    token = auth.redeem(tmp_path, code, 1001.0)
    assert token and auth.token_valid(tmp_path, token)
    assert auth.redeem(tmp_path, code, 1002.0) is None  # used up
    assert code not in (tmp_path / auth.AUTH_FILE).read_text()
    assert token not in (tmp_path / auth.AUTH_FILE).read_text()
    code = auth.new_pairing_code(tmp_path, 1000.0)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(auth.MAX_CODE_FAILURES):
        assert auth.redeem(tmp_path, wrong, 1001.0) is None
    assert auth.redeem(tmp_path, code, 1001.0) is None  # guessed at too often: dead
    auth.forget_token(tmp_path, token)
    assert not auth.token_valid(tmp_path, token)


def test_pairing_phrase_spells_the_digits() -> None:
    assert auth.pairing_phrase("417092") == "pairing code 4 1 7 0 9 2"


def test_csrf_is_per_token() -> None:
    assert auth.csrf_ok("a", auth.csrf_token("a"))
    assert not auth.csrf_ok("b", auth.csrf_token("a"))
    assert not auth.csrf_ok(None, None) and not auth.csrf_ok("a", "")


def test_rate_limiter_sliding_window() -> None:
    lim = auth.RateLimiter(max_events=2, window_s=10.0)
    assert [lim.allow("ip", t) for t in (0.0, 1.0, 2.0)] == [True, True, False]
    assert lim.allow("other", 2.0)
    assert lim.allow("ip", 10.5)


def test_set_key_replaces_adds_and_keeps_comments() -> None:
    text = "# mine\n[coach]\nprofile = \"track\"  # old\n\n[gps]\nport = \"/dev/x\"\n"
    out = set_key(text, "coach", "profile", "race")
    assert 'profile = "race"' in out and out.startswith("# mine\n")
    out = set_key(out, "coach", "units", "mi")
    assert out.index('units = "mi"') < out.index("[gps]")
    out = set_key(out, "audio", "volume", 0.5)
    assert out.endswith("[audio]\nvolume = 0.5\n")


def test_update_config_validates_with_the_loader_and_keeps_the_file(tmp_path) -> None:
    path = tmp_path / "pacer.toml"
    path.write_text("[coach]\nunits = \"km\"\n")
    update_config(path, {"units": "mi", "volume": 0.25})
    with pytest.raises(ConfigError, match=rf"^{path}:5: \[audio\] volume = 2.0 is outside"):
        update_config(path, {"volume": 2.0})
    assert "volume = 0.25" in path.read_text()
    with pytest.raises(ConfigError, match=r":2: \[coach\] units = 'miles' is not one of km"):
        update_config(path, {"units": "miles"})


def test_next_workout_is_one_line(tmp_path) -> None:
    assert read_next_workout(tmp_path) is None
    write_next_workout(tmp_path, "1km jog # warm\n4x(1km @threshold, r60s)\n")
    assert read_next_workout(tmp_path) == "1km jog; 4x(1km @threshold, r60s)"


def _row(sid: str, day: int, workout: str | None, times: tuple[float, ...]) -> SessionRow:
    return SessionRow(id=sid, start_utc=dt.datetime(2026, 11, day, tzinfo=dt.UTC),
                      workout=workout, title=workout, simulated=False, ended="normal",
                      work_reps=len(times), distance_m=5000.0, work_pace_s_per_km=225.0,
                      consistency_s_per_km=None, work_cadence_spm=180.0, rep_times_s=times)


def test_consistency_and_progress() -> None:
    assert consistency_s_per_km([225.0]) is None
    assert consistency_s_per_km([220.0, 230.0]) == pytest.approx(5.0)
    rows = [_row("c", 20, "6x400", (89.0,)), _row("a", 3, "6x400", (91.0,)),
            _row("b", 10, "tempo", (1200.0,)), _row("d", 5, None, ())]
    (p,) = progress_by_workout(rows)
    assert p.workout == "6x400" and [r.id for r in p.runs] == ["a", "c"]


def test_charts_decimate_and_escape() -> None:
    x = list(range(10_000))
    xs, ys = decimate(x, x, max_points=100)
    assert len(xs) <= 101 and xs[-1] == 9999
    svg = line_chart_svg([Series("<a>", [0, 1], [1.0, None]), Series("b", [0, 1], [2, 3])],
                         title="<t>")
    assert "<t>" not in svg and "&lt;t&gt;" in svg and "&lt;a&gt;" in svg
    assert "nothing recorded" in line_chart_svg([Series("a", [0], [None])], title="x")


def test_rows_cache_round_trips(tmp_path) -> None:
    from pacer.web.sessions import load_rows, save_rows

    rows = {"a": (12.5, _row("a", 3, "6x400", (91.0, 90.5)))}
    save_rows(tmp_path / "rows.json", rows)
    assert load_rows(tmp_path / "rows.json") == rows
    (tmp_path / "rows.json").write_text("{broken")
    assert load_rows(tmp_path / "rows.json") == {}


def test_progress_text_for_the_terminal() -> None:
    from pacer.review.progress import progress_text

    rows = [_row("a", 3, "6x400", (91.0, 90.5)), _row("c", 20, "6x400", (89.0, 88.4))]
    text = progress_text(progress_by_workout(rows))
    assert text.splitlines()[0] == "6x400  (2 runs)"
    assert "2026-11-03" in text and "reps 89.0 88.4" in text
    assert progress_text([]) == "no workout run twice yet\n"
