"""The Bluetooth edge's threads each own an asyncio loop; this closes one cleanly."""

from __future__ import annotations

import asyncio
import threading


def close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is left on ``loop`` (e.g. bleak's bus watcher), then close it quietly."""
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


def stop_loop_thread(loop: asyncio.AbstractEventLoop | None, stop: asyncio.Event | None,
                     thread: threading.Thread | None, timeout_s: float) -> None:
    """Set ``stop`` on the thread's loop (if it still runs) and join the thread for at most
    ``timeout_s``."""
    if loop is not None and stop is not None and not loop.is_closed():
        try:
            loop.call_soon_threadsafe(stop.set)
        except RuntimeError:
            pass  # the loop closed in between
    if thread is not None:
        thread.join(timeout_s)
