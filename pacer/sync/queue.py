"""The upload queue: one item per (session, service), kept in ``sync-queue.json``.

A failed upload is tried again after a backoff that doubles from :data:`FIRST_RETRY_S`
up to :data:`MAX_RETRY_S` (no internet on the track is the usual case); a refusal that
cannot get better (a 4xx other than 408/429: a bad key, a rejected file) stops the item
as ``failed``. The functions on items are pure; time arrives as ``now_s``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from pacer.web.settings import write_atomic

QUEUE_FILE = "sync-queue.json"
FIRST_RETRY_S = 60.0
MAX_RETRY_S = 6 * 3600.0


@dataclass(frozen=True)
class SyncItem:
    session_id: str
    service: str  # "intervals"
    state: str = "pending"  # pending | done | failed
    attempts: int = 0
    next_try_s: float = 0.0
    last_error: str | None = None
    remote_id: str | None = None


def enqueue(items: list[SyncItem], session_id: str, service: str,
            now_s: float) -> list[SyncItem]:
    """``items`` with the session queued for ``service`` (a failed one is queued again;
    a pending or done one is left as it is)."""
    out = [i for i in items if not (i.session_id == session_id and i.service == service
                                    and i.state == "failed")]
    if any(i.session_id == session_id and i.service == service for i in out):
        return out
    return [*out, SyncItem(session_id, service, next_try_s=now_s)]


def due(items: list[SyncItem], now_s: float) -> list[SyncItem]:
    return [i for i in items if i.state == "pending" and i.next_try_s <= now_s]


def succeeded(item: SyncItem, remote_id: str) -> SyncItem:
    return replace(item, state="done", attempts=item.attempts + 1, remote_id=remote_id,
                   last_error=None)


def retry_after_s(attempts: int) -> float:
    """The wait after the ``attempts``-th failure (1, 2, ...)."""
    return min(FIRST_RETRY_S * 2.0 ** (attempts - 1), MAX_RETRY_S)


def failed(item: SyncItem, error: str, now_s: float, *, permanent: bool) -> SyncItem:
    attempts = item.attempts + 1
    if permanent:
        return replace(item, state="failed", attempts=attempts, last_error=error)
    return replace(item, attempts=attempts, last_error=error,
                   next_try_s=now_s + retry_after_s(attempts))


def state_of(items: list[SyncItem], session_id: str) -> list[SyncItem]:
    """What the session page shows: the session's items."""
    return [i for i in items if i.session_id == session_id]


def load_queue(state_dir: Path) -> list[SyncItem]:
    try:
        doc = json.loads((Path(state_dir) / QUEUE_FILE).read_text(encoding="utf-8"))
        return [SyncItem(**d) for d in doc]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, TypeError) as exc:
        from pacer.errors import InputError

        raise InputError(f"{Path(state_dir) / QUEUE_FILE}: unreadable queue ({exc})") from None


def save_queue(state_dir: Path, items: list[SyncItem]) -> None:
    write_atomic(Path(state_dir) / QUEUE_FILE,
                 json.dumps([asdict(i) for i in items], indent=1).encode("utf-8"), mode=0o600)
