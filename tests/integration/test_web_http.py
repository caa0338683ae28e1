"""``pacer serve`` over HTTP in-process (Starlette's TestClient), against sessions made by
``pacer sim``: every page, downloads, the editor's check, settings, and the security
measures (pairing, rate limit, CSRF, traversal, size limits, delete rules)."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import pytest
from web_store import CRUISE, copy_store, csrf_of

from pacer.session import lock
from pacer.web import auth
from pacer.web.app import create_app
from pacer.web.settings import NEXT_WORKOUT_NAME, WebSettings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

HTML = {"accept": "text/html"}


@pytest.fixture()
def settings(tmp_path: Path) -> WebSettings:
    data_dir = copy_store(tmp_path)
    cfg = tmp_path / "pacer.toml"
    cfg.write_text("# the runner's config\n[coach]\nprofile = \"track\"\n\n[audio]\nvolume = 0.8\n")
    return WebSettings(data_dir=data_dir, state_dir=tmp_path / "state", config_path=cfg)


def pair(client: TestClient, settings: WebSettings) -> None:
    pre = csrf_of(client.get("/pair").text)
    code = auth.new_pairing_code(settings.state_dir, time.time())
    r = client.post("/pair", data={"code": code, "csrf": pre}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


@pytest.fixture()
def client(settings: WebSettings) -> TestClient:
    c = TestClient(create_app(settings))
    pair(c, settings)
    return c


# -- pages -----------------------------------------------------------------------------
def test_sessions_list_newest_first_with_simulated_runs_marked(client) -> None:
    page = client.get("/").text
    ids = [m for m in ("20260524-090000", "20260523-090000", "20260516-090000")]
    positions = [page.index(f"/sessions/{i}") for i in ids]
    assert positions == sorted(positions)
    assert page.count("simulated") == 3
    assert "6 reps" in page and "consistency ±" in page and "average 3:4" in page


def test_session_page_has_reps_plots_route_cues_comparison_downloads(client) -> None:
    page = client.get("/sessions/20260523-090000").text
    assert "rep 1 of 6" in page and 'class="work"' in page  # rep table with work rows
    assert "400 m in 1:30.0" in page  # targets
    assert 'aria-label="pace (min/km) over minutes"' in page and "cadence (spm)" in page
    assert 'aria-label="route"' in page and "session_start" in page  # route SVG, cues
    assert "last run of this workout" in page and "than" in page  # comparison
    assert "Kilometre splits" in page
    for ext in ("fit", "gpx", "tcx", "csv"):
        assert f"/sessions/20260523-090000/export.{ext}" in page


def test_progress_charts_the_repeated_workout_only(client) -> None:
    page = client.get("/progress").text
    assert "6x400" in page and "2 runs" in page
    assert page.count("<svg") == 3 and "rep times (s)" in page
    assert CRUISE not in page  # run once: no progress yet


@pytest.mark.parametrize("fmt", ["fit", "gpx", "tcx", "csv"])
def test_downloads_are_the_exporters_output(client, settings, fmt) -> None:
    from pacer.formats.export import render
    from pacer.session.reader import open_session

    r = client.get(f"/sessions/20260516-090000/export.{fmt}")
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    assert r.content == render(open_session(settings.data_dir / "20260516-090000"), fmt)


def test_fit_download_reads_back_with_garmin_sdk(client) -> None:
    from garmin_fit_sdk import Decoder, Stream

    r = client.get("/sessions/20260516-090000/export.fit")
    messages, errors = Decoder(Stream.from_byte_array(bytearray(r.content))).read()
    assert errors == []
    assert len([m for m in messages["lap_mesgs"]]) >= 14


def test_workouts_page_lists_library_and_editor_prefills(client) -> None:
    assert "yasso-800s" in client.get("/workouts").text
    page = client.get("/workouts/edit?library=6x400").text
    assert "800m jog; 6x(400m @90s, 200m jog); 800m jog" in page and "editor.js" in page


def test_check_endpoint_gives_the_parsers_message_and_caret(client) -> None:
    csrf = csrf_of(client.get("/workouts/edit").text)
    bad = client.post("/api/workouts/check", json={"text": "8x(400m @72s, 200m jgo)"},
                      headers={"X-CSRF-Token": csrf}).json()
    assert bad["ok"] is False and bad["line"] == 1 and bad["col"] == 20
    assert "did you mean 'jog'" in bad["message"]
    assert bad["message"].splitlines()[-1].endswith("^")
    good = client.post("/api/workouts/check", json={"text": "8x(400m @72s, 200m jog)"},
                       headers={"X-CSRF-Token": csrf}).json()
    assert good["ok"] is True and "8 reps" in good["summary"]


def test_save_and_run_next_writes_the_file_the_service_reads(client, settings) -> None:
    csrf = csrf_of(client.get("/workouts/edit").text)
    r = client.post("/workouts/save", data={"csrf": csrf, "name": "my 300s", "action": "next",
                                            "text": "1km jog\n10x(300m @60s, 100m jog)"})
    assert r.status_code == 200 and "the device runs it next" in r.text
    assert (settings.state_dir / NEXT_WORKOUT_NAME).read_text() == \
        "1km jog; 10x(300m @60s, 100m jog)\n"
    assert "my 300s" in client.get("/workouts").text
    bad = client.post("/workouts/save", data={"csrf": csrf, "name": "x", "action": "save",
                                              "text": "10x(300m @60s, 100m jgo)"})
    assert bad.status_code == 400 and "did you mean" in bad.text


def test_settings_written_back_validated_with_file_and_line(client, settings) -> None:
    page = client.get("/settings").text
    csrf = csrf_of(page)
    form = {"csrf": csrf, "profile": "tempo", "units": "mi", "voice": "en-gb",
            "volume": "0.5", "rate_wpm": "180"}
    r = client.post("/settings", data=form)
    assert r.status_code == 200 and "saved" in r.text
    text = settings.config_path.read_text()
    assert text.startswith("# the runner's config\n")  # comments kept
    assert 'profile = "tempo"' in text and "volume = 0.5" in text and 'units = "mi"' in text
    from pacer.config import load_config

    cfg = load_config(settings.config_path, search_defaults=False)
    assert cfg.audio.voice == "en-gb" and cfg.coach.units == "mi"
    r = client.post("/settings", data={**form, "volume": "1.5"})
    assert r.status_code == 400
    assert f"{settings.config_path}:" in r.text and "volume = 1.5 is outside 0..1" in r.text
    assert "volume = 0.5" in settings.config_path.read_text()  # unchanged on error


def test_settings_sighup_the_service_found_by_pidfile(client, settings, tmp_path,
                                                      monkeypatch) -> None:
    import signal
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "import signal,sys,time\n"
                              "signal.signal(signal.SIGHUP, lambda *a: sys.exit(42))\n"
                              "print('ready', flush=True)\ntime.sleep(30)"],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        (tmp_path / "pacer.pid").write_text(f"{child.pid}\n")
        monkeypatch.setenv("PACER_SERVICE_PIDFILE", str(tmp_path / "pacer.pid"))
        csrf = csrf_of(client.get("/settings").text)
        r = client.post("/settings", data={"csrf": csrf, "profile": "race"})
        assert f"PID {child.pid}) reloads" in r.text
        assert child.wait(timeout=10) == 42
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)


# -- security ----------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/", "/sessions/20260516-090000", "/progress", "/workouts",
                                 "/workouts/edit", "/settings",
                                 "/sessions/20260516-090000/export.fit",
                                 "/sessions/20260516-090000/delete"])
def test_nothing_without_pairing(settings, url) -> None:
    c = TestClient(create_app(settings))
    assert c.get(url, follow_redirects=False).status_code == 401
    r = c.get(url, headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/pair"
    c.cookies.set(auth.COOKIE_NAME, "forged-token")
    assert c.get(url, follow_redirects=False).status_code == 401


def test_posts_without_pairing_are_refused(settings) -> None:
    c = TestClient(create_app(settings))
    for url in ("/settings", "/workouts/save", "/api/workouts/check",
                "/sessions/20260516-090000/delete"):
        assert c.post(url, data={"x": "1"}).status_code == 401


def test_token_cookie_is_httponly_samesite_strict_and_code_single_use(settings) -> None:
    c = TestClient(create_app(settings))
    pre = csrf_of(c.get("/pair").text)
    code = auth.new_pairing_code(settings.state_dir, time.time())
    r = c.post("/pair", data={"code": code, "csrf": pre}, follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "pacer_token=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    other = TestClient(create_app(settings))
    pre = csrf_of(other.get("/pair").text)
    assert other.post("/pair", data={"code": code, "csrf": pre}).status_code == 401
    assert "pacer_token" not in str(settings.state_dir.joinpath("web-auth.json").read_text())


def test_expired_code_is_refused(settings) -> None:
    code = auth.new_pairing_code(settings.state_dir, time.time() - auth.PAIRING_TTL_S - 1)
    c = TestClient(create_app(settings))
    pre = csrf_of(c.get("/pair").text)
    assert c.post("/pair", data={"code": code, "csrf": pre}).status_code == 401


def test_pairing_is_rate_limited_per_client(settings) -> None:
    c = TestClient(create_app(settings))
    pre = csrf_of(c.get("/pair").text)
    code = auth.new_pairing_code(settings.state_dir, time.time())
    statuses = []
    for _ in range(6):
        r = c.post("/pair", data={"code": "000000", "csrf": pre})
        statuses.append(r.status_code)
        pre = csrf_of(r.text)  # each answer carries a fresh form
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
    # even the right code waits out the window
    assert c.post("/pair", data={"code": code, "csrf": pre}).status_code == 429


def test_pairing_form_needs_its_csrf_cookie(settings) -> None:
    c = TestClient(create_app(settings))
    code = auth.new_pairing_code(settings.state_dir, time.time())
    assert c.post("/pair", data={"code": code, "csrf": "guess"}).status_code == 403


@pytest.mark.parametrize("url,data", [
    ("/settings", {"profile": "race"}),
    ("/workouts/save", {"name": "a", "text": "400m", "action": "save"}),
    ("/sessions/20260516-090000/delete", {"confirm": "yes"}),
    ("/logout", {}),
])
def test_every_form_needs_the_csrf_token(client, settings, url, data) -> None:
    assert client.post(url, data=data).status_code == 403
    assert client.post(url, data={**data, "csrf": "0" * 32}).status_code == 403
    assert (settings.data_dir / "20260516-090000").is_dir()


def test_check_endpoint_needs_the_csrf_header(client) -> None:
    r = client.post("/api/workouts/check", json={"text": "400m"})
    assert r.status_code == 403


@pytest.mark.parametrize("sid", ["..%2F..%2Fetc", "%2e%2e", "a/../b", "-rf", ".hidden",
                                 "x" * 65, "20260516-090000%00"])
def test_session_ids_are_validated_and_looked_up(client, sid) -> None:
    r = client.get(f"/sessions/{sid}")
    assert r.status_code == 404
    assert client.get(f"/sessions/{sid}/export.gpx").status_code == 404


def test_a_session_directory_outside_the_store_is_not_served(client, settings,
                                                              tmp_path) -> None:
    import shutil

    shutil.copytree(settings.data_dir / "20260516-090000", tmp_path / "elsewhere")
    assert client.get("/sessions/elsewhere").status_code == 404
    assert client.get("/sessions/20260516-090000/export.exe").status_code == 404


def test_request_size_limits(client, settings) -> None:
    csrf = csrf_of(client.get("/settings").text)
    big = {"csrf": csrf, "voice": "x" * (settings.max_body_bytes + 1)}
    assert client.post("/settings", data=big).status_code == 413

    def chunks():
        yield b"text=" + b"a" * 40_000
        yield b"a" * 40_000

    r = client.post("/workouts/save", content=chunks(),
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    long = client.post("/api/workouts/check", json={"text": "400m; " * 1000},
                       headers={"X-CSRF-Token": csrf}).json()
    assert long["ok"] is False and "too long" in long["message"]


def test_delete_needs_confirmation_then_deletes(client, settings) -> None:
    target = settings.data_dir / "20260516-090000"
    page = client.get("/sessions/20260516-090000/delete").text
    csrf = csrf_of(page)
    r = client.post("/sessions/20260516-090000/delete", data={"csrf": csrf})
    assert r.status_code == 400 and target.is_dir()
    r = client.post("/sessions/20260516-090000/delete", data={"csrf": csrf, "confirm": "yes"},
                    follow_redirects=False)
    assert r.status_code == 303 and not target.exists()
    assert "20260516-090000" not in client.get("/").text


def test_delete_refuses_a_session_being_recorded(client, settings) -> None:
    target = settings.data_dir / "20260523-090000"
    fd = lock.lock_for_writer(target)  # what the store's writer holds while recording
    try:
        assert "recording" in client.get("/").text
        csrf = csrf_of(client.get("/sessions/20260523-090000/delete").text)
        r = client.post("/sessions/20260523-090000/delete",
                        data={"csrf": csrf, "confirm": "yes"})
        assert r.status_code == 409 and "is being recorded" in r.text and target.is_dir()
    finally:
        lock.release(fd)


def test_logout_forgets_the_token(client) -> None:
    csrf = csrf_of(client.get("/settings").text)
    client.post("/logout", data={"csrf": csrf})
    assert client.get("/", follow_redirects=False).status_code == 401


def test_pages_send_security_headers(client) -> None:
    r = client.get("/")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"


def test_serve_help_and_cli_start_does_not_import_the_web_stack() -> None:
    import subprocess
    import sys

    code = ("import sys; from pacer.cli.main import build_parser; build_parser(); "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'numpy', 'matplotlib') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


# -- live ----------------------------------------------------------------------------------
def _events(settings: WebSettings, n: int) -> list[dict]:
    import json
    from dataclasses import replace

    c = TestClient(create_app(replace(settings, live_max_events=n)))
    pair(c, settings)
    r = c.get("/live/events")
    assert r.headers["content-type"].startswith("text/event-stream")
    return [json.loads(line[6:]) for line in r.text.splitlines() if line.startswith("data: ")]


def test_live_stream_says_when_nothing_is_recorded(settings) -> None:
    assert _events(settings, 2) == [{"recording": False}] * 2


def test_live_stream_shows_the_session_being_recorded(client, settings) -> None:
    assert "live.js" in client.get("/live").text
    target = settings.data_dir / "20260523-090000"
    fd = lock.lock_for_writer(target)  # what the store's writer holds while recording
    try:
        (event,) = _events(settings, 1)
    finally:
        lock.release(fd)
    assert event["recording"] is True and event["session"] == "20260523-090000"
    fields = event["fields"]
    assert fields["distance"].endswith(" km") and fields["pace"].endswith("/km")
    assert fields["work_reps_done"] == 6 and fields["last_rep"].startswith("cool")
    assert fields["said"] != "--"


def test_store_progress_for_review_progress(settings) -> None:
    from pacer.review.progress import progress_text, store_progress

    (p,) = store_progress(settings.data_dir)
    assert p.workout == "800m jog; 6x(400m @90s, 200m jog); 800m jog" and len(p.runs) == 2
    assert "(2 runs)" in progress_text([p])


# -- sync ------------------------------------------------------------------------------------
def test_session_page_uploads_to_intervals_and_shows_the_state(client, settings) -> None:
    import os

    from fake_intervals import FakeIntervals

    from pacer.sync.queue import load_queue

    url = "/sessions/20260516-090000"
    assert "Add an intervals.icu account" in client.get(url).text
    with FakeIntervals() as fake:
        creds = settings.state_dir / "sync.toml"
        creds.write_text(f'[intervals]\nathlete_id = "i42"\napi_key = "secret-key"\n'
                         f'base_url = "{fake.base_url}"\n')
        os.chmod(creds, 0o600)
        page = client.get(url).text
        assert "Upload to intervals.icu" in page
        assert client.post(f"{url}/sync", data={}).status_code == 403  # CSRF
        r = client.post(f"{url}/sync", data={"csrf": csrf_of(page)}, follow_redirects=False)
        assert r.status_code == 303
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and load_queue(settings.state_dir)[0].state != "done":
            time.sleep(0.2)
    assert len(fake.uploads) == 1
    page = client.get(url).text
    assert "intervals: uploaded (i1001)" in page and "Upload to intervals.icu" not in page
