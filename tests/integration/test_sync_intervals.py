"""Uploading sessions to intervals.icu, against a local fake of its API (no network):
success, an outage with backoff, a wrong key, the credentials file's permissions."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from fake_intervals import FakeIntervals
from web_store import copy_store

from pacer.errors import InputError
from pacer.sync import intervals
from pacer.sync.queue import (
    FIRST_RETRY_S,
    MAX_RETRY_S,
    SyncItem,
    enqueue,
    failed,
    load_queue,
    retry_after_s,
    save_queue,
)
from pacer.sync.run import run_due

SID = "20260516-090000"


def _account(state: Path, base_url: str, key: str = "secret-key") -> None:
    state.mkdir(parents=True, exist_ok=True)
    path = state / intervals.CREDENTIALS_FILE
    path.write_text(f'[intervals]\nathlete_id = "i42"\napi_key = "{key}"\n'
                    f'base_url = "{base_url}"\n')
    os.chmod(path, 0o600)


@pytest.fixture()
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    data_dir = copy_store(tmp_path)
    state = tmp_path / "state"
    state.mkdir()
    save_queue(state, enqueue([], SID, "intervals", 0.0))
    return state, data_dir


def test_upload_sends_the_fit_and_records_the_activity(dirs) -> None:
    state, data_dir = dirs
    with FakeIntervals() as fake:
        _account(state, fake.base_url)
        (item,) = run_due(state, data_dir, 10.0)
    assert item.state == "done" and item.remote_id == "i1001"
    (upload,) = fake.uploads
    assert upload["file"][8:12] == b".FIT"
    assert upload["external_id"] == f"pacer-{SID}".encode()
    assert load_queue(state) == [item]
    assert run_due(state, data_dir, 20.0) == [item]  # done stays done: no second upload


def test_outage_backs_off_then_uploads(dirs) -> None:
    state, data_dir = dirs
    with socket.socket() as s:  # a port nobody listens on: no internet
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    _account(state, dead)
    (item,) = run_due(state, data_dir, 100.0)
    assert item.state == "pending" and item.next_try_s == 100.0 + FIRST_RETRY_S
    assert "not reachable" in (item.last_error or "")
    assert run_due(state, data_dir, 120.0) == [item]  # not due yet: untouched
    with FakeIntervals() as fake:
        fake.fail_next = 1
        _account(state, fake.base_url)
        (item,) = run_due(state, data_dir, 200.0)
        assert item.state == "pending" and "503" in (item.last_error or "")
        assert item.next_try_s == 200.0 + 2 * FIRST_RETRY_S
        (item,) = run_due(state, data_dir, 400.0)
    assert item.state == "done" and len(fake.uploads) == 1


def test_wrong_key_fails_for_good(dirs) -> None:
    state, data_dir = dirs
    with FakeIntervals() as fake:
        _account(state, fake.base_url, key="wrong")
        (item,) = run_due(state, data_dir, 10.0)
    assert item.state == "failed" and "401" in (item.last_error or "")
    again = enqueue([item], SID, "intervals", 20.0)  # queued again by the runner
    assert again == [SyncItem(SID, "intervals", next_try_s=20.0)]


def test_credentials_must_be_private(tmp_path) -> None:
    _account(tmp_path, "http://x")
    os.chmod(tmp_path / intervals.CREDENTIALS_FILE, 0o640)
    with pytest.raises(InputError, match="readable by its owner only"):
        intervals.load_account(tmp_path)
    assert intervals.load_account(tmp_path / "none") is None


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [retry_after_s(n) for n in (1, 2, 3)] == [60.0, 120.0, 240.0]
    assert retry_after_s(30) == MAX_RETRY_S
    item = failed(SyncItem("s", "intervals"), "down", 0.0, permanent=False)
    assert item.state == "pending" and item.attempts == 1
