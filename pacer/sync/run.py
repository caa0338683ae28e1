"""Upload what is due: ``python -m pacer.sync.run STATE_DIR DATA_DIR``.

Reads the queue and the credentials, exports each due session as FIT, uploads it and
writes the queue back (after every item, so a crash loses at most one result). Meant to
run as a child of ``pacer serve`` or from a timer; with no internet every item just
waits for its next try.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from pacer.sync import intervals
from pacer.sync.queue import SyncItem, due, failed, load_queue, save_queue, succeeded


def run_due(state_dir: Path, data_dir: Path, now_s: float,
            upload: Callable[[intervals.IntervalsAccount, bytes, str, str], str] | None = None,
            ) -> list[SyncItem]:
    """Try every due item once; the queue afterwards."""
    from pacer.errors import SessionError
    from pacer.formats.export import render
    from pacer.review.summary import workout_title
    from pacer.session.reader import open_session
    from pacer.web.sessions import valid_session_id

    def default_upload(acc: intervals.IntervalsAccount, payload: bytes, sid: str,
                       name: str) -> str:
        return intervals.upload_fit(acc, payload, session_id=sid, name=name)

    send = upload or default_upload
    items = load_queue(state_dir)
    account = intervals.load_account(state_dir)
    sessions = {p.name: p for p in Path(data_dir).iterdir()} if Path(data_dir).is_dir() else {}
    for item in due(items, now_s):
        if account is None:
            new = failed(item, "no intervals.icu account in sync.toml", now_s, permanent=False)
        elif not valid_session_id(item.session_id) or item.session_id not in sessions:
            new = failed(item, "the session is gone", now_s, permanent=True)
        else:
            try:
                data = open_session(sessions[item.session_id])
                remote = send(account, render(data, "fit"), item.session_id,
                              workout_title(data) or "pacer run")
                new = succeeded(item, remote)
            except SessionError as exc:
                new = failed(item, str(exc), now_s, permanent=True)
            except intervals.UploadError as exc:
                new = failed(item, str(exc), now_s, permanent=exc.permanent)
        items = [new if i == item else i for i in items]
        save_queue(state_dir, items)
    return items


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")
    if len(sys.argv) != 3:
        print("usage: python -m pacer.sync.run STATE_DIR DATA_DIR", file=sys.stderr)
        sys.exit(2)
    final = run_due(Path(sys.argv[1]), Path(sys.argv[2]), time.time())
    print(sum(1 for i in final if i.state == "pending"), "pending")
