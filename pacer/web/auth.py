"""Pairing a phone, its long-lived token, CSRF tokens and the pairing rate limit.

A pairing code (6 digits, valid :data:`PAIRING_TTL_S`) is made by ``pacer serve --pair``
(printed) or by the service (spoken: :func:`pairing_phrase`). The phone sends it to
``/pair`` and gets a random token in an HttpOnly, SameSite=Strict cookie. Only the
SHA-256 of codes and tokens is stored (``web-auth.json`` in the state directory), so
reading the file does not give access. A code is single-use and dies after
:data:`MAX_CODE_FAILURES` wrong guesses; :class:`RateLimiter` slows guessing per client.
Times arrive as arguments (``now_s``): the caller reads the clock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

from pacer.web.settings import write_atomic

if TYPE_CHECKING:
    from pacer.session.rows import JsonDict

AUTH_FILE = "web-auth.json"
COOKIE_NAME = "pacer_token"
PAIRING_TTL_S = 600.0
MAX_CODE_FAILURES = 10
CODE_DIGITS = 6
#: a paired phone stays paired this long (the cookie's Max-Age)
TOKEN_MAX_AGE_S = 400 * 24 * 3600


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _load(state_dir: Path) -> JsonDict:
    try:
        doc = json.loads((Path(state_dir) / AUTH_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"tokens": [], "pairing": None}
    return doc if isinstance(doc, dict) else {"tokens": [], "pairing": None}


def _save(state_dir: Path, doc: JsonDict) -> None:
    Path(state_dir).mkdir(parents=True, exist_ok=True)
    write_atomic(Path(state_dir) / AUTH_FILE, json.dumps(doc).encode("utf-8"), mode=0o600)


def new_pairing_code(state_dir: Path, now_s: float) -> str:
    """Make a fresh pairing code (replacing any earlier one) and return it."""
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    doc = _load(state_dir)
    doc["pairing"] = {"sha256": _digest(code), "expires_s": now_s + PAIRING_TTL_S,
                      "failures": 0}  # fmt: skip
    _save(state_dir, doc)
    return code


def pairing_phrase(code: str) -> str:
    """What the service says to announce a code: "pairing code 4 1 7 0 9 2"."""
    return "pairing code " + " ".join(code)


def redeem(state_dir: Path, code: str, now_s: float) -> str | None:
    """Exchange a pairing code for a new token (None if the code is wrong or expired).

    The code is used up on success and after :data:`MAX_CODE_FAILURES` failures.
    """
    doc = _load(state_dir)
    pairing = doc.get("pairing")
    if not isinstance(pairing, dict) or now_s > float(pairing.get("expires_s", 0)):
        return None
    if not hmac.compare_digest(_digest(code.strip()), str(pairing.get("sha256"))):
        pairing["failures"] = int(pairing.get("failures", 0)) + 1
        if pairing["failures"] >= MAX_CODE_FAILURES:
            doc["pairing"] = None
        _save(state_dir, doc)
        return None
    token = secrets.token_urlsafe(32)
    doc["pairing"] = None
    doc.setdefault("tokens", []).append(_digest(token))
    _save(state_dir, doc)
    return token


def token_valid(state_dir: Path, token: str | None) -> bool:
    """Whether ``token`` belongs to a paired phone."""
    if not token or len(token) > 200:
        return False
    wanted = _digest(token)
    return any(hmac.compare_digest(wanted, t) for t in _load(state_dir).get("tokens", []))


def forget_token(state_dir: Path, token: str) -> None:
    """Unpair one phone (its token stops working)."""
    doc = _load(state_dir)
    doc["tokens"] = [t for t in doc.get("tokens", []) if t != _digest(token)]
    _save(state_dir, doc)


def csrf_token(token: str) -> str:
    """The CSRF token of a paired phone: derived from its auth token, so no server state."""
    return hmac.new(token.encode("utf-8"), b"pacer-csrf", hashlib.sha256).hexdigest()[:32]


def csrf_ok(token: str | None, submitted: str | None) -> bool:
    return bool(token and submitted) and hmac.compare_digest(csrf_token(token or ""),
                                                             submitted or "")


class RateLimiter:
    """At most ``max_events`` per ``window_s`` per key (a sliding window)."""

    def __init__(self, max_events: int = 5, window_s: float = 60.0) -> None:
        self.max_events = max_events
        self.window_s = window_s
        self._events: dict[str, deque[float]] = {}

    def allow(self, key: str, now_s: float) -> bool:
        """Record an attempt by ``key`` at ``now_s``; False when it is over the limit."""
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now_s - self.window_s:
            events.popleft()
        if len(events) >= self.max_events:
            return False
        events.append(now_s)
        if len(self._events) > 1000:  # forget idle clients
            self._events = {k: v for k, v in self._events.items() if v}
        return True
