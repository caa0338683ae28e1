"""``pacer serve`` in headless Chromium (Debian's chromium + chromium-driver, Selenium)
at a phone's viewport: pair with the code ``pacer serve --pair`` prints, open every
page, fix a workout the editor flags, change a setting, download a FIT and read it back.

``PACER_WEB_SCREENSHOTS=1`` also copies the screenshots to docs/images/ (docs/web.md).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from web_store import copy_store

import pacer
from pacer.web.settings import NEXT_WORKOUT_NAME

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
PHONE = {"width": 390, "height": 844, "pixelRatio": 1.0, "mobile": True}

if not (CHROMIUM and DRIVER):  # pragma: no cover - bootstrap --dev installs both
    pytest.skip("needs chromium and chromium-driver (scripts/bootstrap.sh --dev)",
                allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``pacer serve --pair`` as a real process; yields (base URL, code, dirs)."""
    root = tmp_path_factory.mktemp("web")
    data_dir = copy_store(root)
    config = root / "pacer.toml"
    config.write_text("[coach]\nprofile = \"track\"\n")
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(Path(pacer.__file__).resolve().parents[1]),
               PACER_SERVICE_PIDFILE=str(root / "no-service.pid"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "pacer", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--data-dir", str(data_dir), "--state-dir", str(root / "state"), "--config",
         str(config), "--pair"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env)
    try:
        line = proc.stdout.readline()
        m = re.match(r"pairing code: (\d{6}) ", line)
        assert m, f"no pairing code: {line!r} {proc.stderr.read() if proc.poll() else ''}"
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "server did not start"
                time.sleep(0.1)
        yield {"url": f"http://127.0.0.1:{port}", "code": m.group(1), "root": root,
               "config": config, "state": root / "state", "pid": proc.pid}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    profile = tempfile.mkdtemp(prefix="pacer-chromium-")
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": PHONE})
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=DRIVER),
                              options=options)
    driver.set_window_size(PHONE["width"], PHONE["height"])
    driver.execute_cdp_cmd("Page.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _shot(driver, name: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(out / f"web-{name}.png"))
    if os.environ.get("PACER_WEB_SCREENSHOTS") == "1":
        (ROOT / "docs" / "images").mkdir(exist_ok=True)
        shutil.copy(out / f"web-{name}.png", ROOT / "docs" / "images" / f"web-{name}.png")


def test_phone_session(server, browser) -> None:
    """One phone, in order: pair, review, edit a workout, change a setting, download."""
    d, wait, shots = browser, WebDriverWait(browser, 15), server["root"] / "shots"
    d.get(server["url"] + "/")
    assert d.current_url.endswith("/pair")
    d.find_element(By.ID, "code").send_keys(server["code"])
    _shot(d, "pair", shots)
    d.find_element(By.TAG_NAME, "button").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "ul.sessions")))
    assert len(d.find_elements(By.CSS_SELECTOR, "ul.sessions li")) == 3
    assert "simulated" in d.page_source
    _shot(d, "sessions", shots)

    # a session: rep table, charts, route
    d.find_elements(By.CSS_SELECTOR, "ul.sessions a")[1].click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.reps")))
    assert d.find_elements(By.CSS_SELECTOR, "svg[aria-label=route]")
    assert "last run of this workout" in d.page_source
    _shot(d, "session", shots)

    # downloads: the FIT button, read back with Garmin's SDK
    d.find_element(By.LINK_TEXT, "FIT").click()
    fit = None
    for _ in range(100):
        done = [p for p in d.downloads.glob("*.fit")]
        if done:
            fit = done[0]
            break
        time.sleep(0.1)
    assert fit is not None, "the FIT download did not arrive"
    from garmin_fit_sdk import Decoder, Stream

    messages, errors = Decoder(Stream.from_file(str(fit))).read()
    assert errors == [] and messages["session_mesgs"]

    # progress
    d.get(server["url"] + "/progress")
    assert "6x400" in d.page_source and len(d.find_elements(By.CSS_SELECTOR, "svg.chart")) == 3
    _shot(d, "progress", shots)
    # so far the server process has not loaded numpy: sessions are opened by a child
    assert "numpy" not in Path(f"/proc/{server['pid']}/maps").read_text()

    # live: the stream says there is no run in progress
    d.get(server["url"] + "/live")
    wait.until(lambda _: "no run in progress" in d.find_element(By.ID, "live-state").text)

    # a workout with a mistake, flagged as typed with the parser's caret, then fixed
    d.get(server["url"] + "/workouts")
    d.find_element(By.LINK_TEXT, "New workout").click()
    d.find_element(By.ID, "workout-name").send_keys("my 300s")
    area = d.find_element(By.ID, "workout-text")
    area.send_keys("10x(300m @60s, 100m jgo)")
    check = d.find_element(By.ID, "workout-check")
    wait.until(lambda _: "did you mean 'jog'" in check.text)
    assert check.text.rstrip().endswith("^") and "bad" in check.get_attribute("class")
    _shot(d, "editor", shots)
    area.clear()
    area.send_keys("10x(300m @60s, 100m jog)")
    wait.until(lambda _: check.text.startswith("OK"))
    d.find_element(By.CSS_SELECTOR, "button[value=next]").click()
    wait.until(lambda _: "the device runs it next" in d.page_source)
    assert (server["state"] / NEXT_WORKOUT_NAME).read_text() == "10x(300m @60s, 100m jog)\n"

    # a setting, written back to the TOML file
    d.get(server["url"] + "/settings")
    Select(d.find_element(By.ID, "units")).select_by_visible_text("mi")
    vol = d.find_element(By.ID, "volume")
    vol.clear()
    vol.send_keys("0.6")
    d.find_element(By.XPATH, "//button[text()='Save']").click()
    wait.until(lambda _: "saved" in d.page_source)
    text = server["config"].read_text()
    assert 'units = "mi"' in text and "volume = 0.6" in text
    # and a bad value gets the loader's FILE:LINE message
    vol = d.find_element(By.ID, "volume")
    vol.clear()
    vol.send_keys("3")
    d.find_element(By.XPATH, "//button[text()='Save']").click()
    wait.until(lambda _: "is outside 0..1" in d.page_source)
    assert f"{server['config']}:" in d.page_source
    assert "volume = 0.6" in server["config"].read_text()
