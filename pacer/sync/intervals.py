"""intervals.icu: upload a FIT file as an activity with the athlete's API key.

The published API: ``POST {base}/api/v1/athlete/{athlete_id}/activities`` with a
multipart form (``file``; optional ``name``, ``external_id`` so a repeated upload is
recognised), HTTP Basic authentication with the user name ``API_KEY`` and the key as
password; the answer is JSON with the activity's ``id``. Credentials live in
``sync.toml`` in the state directory, which must be readable by its owner only::

    [intervals]
    athlete_id = "i123456"
    api_key = "..."
"""

from __future__ import annotations

import base64
import json
import secrets
import stat
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from pacer.errors import InputError

BASE_URL = "https://intervals.icu"
CREDENTIALS_FILE = "sync.toml"
TIMEOUT_S = 30.0


class UploadError(Exception):
    """An upload did not go through; ``permanent`` when trying again cannot help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class IntervalsAccount:
    athlete_id: str
    api_key: str
    base_url: str = BASE_URL


def load_account(state_dir: Path) -> IntervalsAccount | None:
    """The account in ``sync.toml`` (None without one); InputError when the file can be
    read by others than its owner or is malformed."""
    path = Path(state_dir) / CREDENTIALS_FILE
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InputError(f"{path}: holds API keys, so it must be readable by its owner only "
                         f"(chmod 600 {path})")
    try:
        section = tomllib.loads(path.read_text(encoding="utf-8")).get("intervals")
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: {exc}") from None
    if not section:
        return None
    try:
        return IntervalsAccount(str(section["athlete_id"]), str(section["api_key"]),
                                str(section.get("base_url", BASE_URL)))
    except KeyError as exc:
        raise InputError(f"{path}: [intervals] needs {exc.args[0]}") from None


def _multipart(fields: dict[str, str], file_name: str, payload: bytes) -> tuple[bytes, str]:
    boundary = "pacer" + secrets.token_hex(12)
    parts = []
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                     f"{value}\r\n".encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{file_name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                 .encode() + payload + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload_fit(account: IntervalsAccount, payload: bytes, *, session_id: str,
               name: str) -> str:
    """Upload one FIT file; the new activity's id. Raises UploadError."""
    body, content_type = _multipart({"name": name, "external_id": f"pacer-{session_id}"},
                                    f"{session_id}.fit", payload)
    url = f"{account.base_url}/api/v1/athlete/{account.athlete_id}/activities"
    auth = base64.b64encode(f"API_KEY:{account.api_key}".encode()).decode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": content_type, "Authorization": f"Basic {auth}",
        "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            doc = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
        raise UploadError(f"intervals.icu answered {exc.code} {exc.reason}",
                          permanent=permanent) from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise UploadError(f"intervals.icu not reachable ({exc})", permanent=False) from None
    except ValueError as exc:
        raise UploadError(f"intervals.icu sent no JSON ({exc})", permanent=False) from None
    activity_id = doc.get("id") if isinstance(doc, dict) else None
    if not activity_id:
        raise UploadError("intervals.icu answered without an activity id", permanent=False)
    return str(activity_id)
