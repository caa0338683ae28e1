"""The queue driver of a :class:`~pacer.runtime.Pipeline`: records that IO-edge threads put
in an inbox, fed in passes that wake only for work.

The loop sleeps until the next record or the next 1 Hz estimate tick
(:func:`queue_wait_s`) and takes a stream of records in batches (:func:`hold_s`), so a
live run wakes a few times a second, not once per record or on a short timeout. Both
waits are pure functions of the session time.
"""

from __future__ import annotations

import math
import queue
import threading
from collections.abc import Callable

from pacer.runtime import Pipeline, Record


def queue_wait_s(now_s: float, next_tick_s: float | None, *, deadline_s: float | None = None,
                 max_wait_s: float = 1.0) -> float:
    """How long the live loop may sleep on its inbox at ``now_s`` (session seconds).

    Until the next estimate tick (``next_tick_s``; None before the first record), or
    the end of the session (``deadline_s``), whichever is first, and never longer than
    ``max_wait_s`` (the loop's own checks: signals, watchdog). Never negative: 0 means
    "do not wait" (a tick or the deadline is due).
    """
    wait_s = max_wait_s
    if next_tick_s is not None:
        wait_s = min(wait_s, next_tick_s - now_s)
    if deadline_s is not None:
        wait_s = min(wait_s, deadline_s - now_s)
    return max(0.0, wait_s)


def hold_s(now_s: float, last_pass_s: float, min_pass_s: float,
           next_tick_s: float | None) -> float:
    """How long the live loop holds off before taking records, so that records arriving
    in a stream are handled in batches at most every ``min_pass_s`` (one wake-up per
    batch, not per record); never past the next tick. 0: take them now."""
    hold = last_pass_s + min_pass_s - now_s
    if next_tick_s is not None:
        hold = min(hold, next_tick_s - now_s)
    return max(0.0, hold)


def run_queue(
    pipeline: Pipeline,
    inbox: queue.Queue[Record],
    *,
    clock: Callable[[], float],
    stop: threading.Event | None = None,
    max_duration_s: float | None = None,
    on_pass: Callable[[float], bool | None] | None = None,
    max_wait_s: float = 1.0,
    min_pass_s: float = 0.0,
) -> Pipeline:
    """Feed records that IO-edge threads put in ``inbox``, ticking by ``clock``.

    Records from different threads arrive nearly in order; each is processed as it
    comes. The estimate ticks are driven by the session clock so the coach speaks even
    when every sensor is silent. The loop sleeps until the next record or the next tick
    (:func:`queue_wait_s`), at most ``max_wait_s``: it wakes for work, not on a short
    timeout; with ``min_pass_s`` it takes records in batches at most that often
    (:func:`hold_s`). ``on_pass(now_s)`` runs after each pass (the service's signals,
    buttons, watchdog and status); returning True ends the session. A ``stop`` event is
    seen within ``max_wait_s``.
    """
    ended = "normal"
    pause = stop if stop is not None else threading.Event()
    last_pass_s = -math.inf
    try:
        while not pause.is_set():
            wait_s = queue_wait_s(clock(), pipeline.next_tick_s, deadline_s=max_duration_s,
                                  max_wait_s=max_wait_s)
            try:
                first = inbox.get(timeout=wait_s) if wait_s > 0 else inbox.get_nowait()
                if min_pass_s > 0 and (hold := hold_s(clock(), last_pass_s, min_pass_s,
                                                      pipeline.next_tick_s)) > 0:
                    pause.wait(hold)  # let the stream's next records join this pass
                pipeline.push(first)
                while True:  # whatever else arrived meanwhile, in one pass
                    pipeline.push(inbox.get_nowait())
            except queue.Empty:
                pass
            now_s = last_pass_s = clock()
            pipeline.advance_to(now_s)
            if on_pass is not None and on_pass(now_s):
                break
            if pipeline.workout_done:
                break
            if max_duration_s is not None and now_s >= max_duration_s:
                break
    except KeyboardInterrupt:
        ended = "interrupted"
        raise
    finally:
        pipeline.finish(ended)
    return pipeline
