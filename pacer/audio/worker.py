"""The speech worker: one thread owns the synthesizer for its lifetime and renders to PCM.

Callers get a :class:`concurrent.futures.Future` at once and never wait. Behind it:

* a phrase cache (LRU, keyed by text) -- coaching repeats itself ("on pace", "go");
* a *control* thread that takes requests in order and hands each to the *engine owner*
  thread (the only thread that ever touches the engine), waiting at most ``timeout_s``;
* an engine that raises is closed and restarted; one that hangs is abandoned (a Python
  thread cannot be killed: it is a daemon, told to exit if it ever comes back) and a new
  owner thread with a fresh engine takes over; after ``max_failures`` failures in a row
  the fallback engine replaces the primary for the rest of the worker's life.

Every change is logged once and kept in :attr:`SpeechWorker.events`.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Self

from pacer.audio.pcm import Pcm
from pacer.audio.synth import Synthesizer
from pacer.errors import AudioError

log = logging.getLogger(__name__)

SynthFactory = Callable[[], Synthesizer]


@dataclass(frozen=True, slots=True)
class WorkerEvent:
    """Something the worker did about its engines.

    ``kind``: "started", "failed", "timeout", "restart", "fallback", "gave_up".
    """

    kind: str
    engine: str
    message: str = ""


class _Job:
    __slots__ = ("done", "error", "pcm", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.done = threading.Event()
        self.pcm: Pcm | None = None
        self.error: BaseException | None = None


class _EngineOwner:
    """A thread that builds one synthesizer, renders jobs with it, and closes it."""

    def __init__(self, factory: SynthFactory, label: str) -> None:
        self.label = label
        self.jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.ready = threading.Event()
        self.start_error: BaseException | None = None
        self.name = label
        self.abandoned = False
        self.synth: Synthesizer | None = None
        self._factory = factory
        self.thread = threading.Thread(target=self._run, name=f"pacer-tts-{label}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            synth = self._factory()
        except BaseException as exc:
            self.start_error = exc
            self.ready.set()
            return
        self.name = getattr(synth, "name", self.label)
        self.synth = synth
        self.ready.set()
        try:
            while True:
                job = self.jobs.get()
                if job is None or self.abandoned:
                    break
                try:
                    job.pcm = synth.render(job.text)
                except BaseException as exc:
                    job.error = exc
                job.done.set()
        finally:
            try:
                synth.close()
            except Exception:
                log.debug("closing %s failed", self.name, exc_info=True)

    def stop(self, *, hung: bool = False) -> None:
        self.abandoned = True
        self.jobs.put(None)
        abort = getattr(self.synth, "abort", None)
        if hung and callable(abort):  # let a stuck engine loop end, if it knows how
            try:
                abort()
            except Exception:
                log.debug("abort of %s failed", self.name, exc_info=True)


class SpeechWorker:
    """Render phrases to PCM off the caller's thread, surviving engine crashes and hangs.

    Parameters
    ----------
    primary_factory : callable
        Builds the preferred synthesizer; called in the engine owner thread.
    fallback_factory : callable or None
        Builds the replacement after repeated failure (None: keep restarting the primary).
    cache_size : int
        Phrases kept in the LRU cache.
    timeout_s : float
        Longest a single render may take before the engine counts as hung.
    start_timeout_s : float
        Longest an engine may take to start (import, warm-up).
    max_failures : int
        Consecutive failures of the primary before switching to the fallback.
    phrase_timeout_s : float or None
        Longest one phrase may take over all restarts and fallbacks (None:
        ``start_timeout_s + timeout_s``); past it the phrase fails.
    retry_after_s : float
        After no engine could render a phrase, further phrases fail at once for this
        long (no engine is tried), so hung engines cost one phrase timeout, not one
        per phrase.
    """

    def __init__(
        self,
        primary_factory: SynthFactory,
        fallback_factory: SynthFactory | None = None,
        *,
        cache_size: int = 256,
        timeout_s: float = 2.0,
        start_timeout_s: float = 10.0,
        max_failures: int = 2,
        phrase_timeout_s: float | None = None,
        retry_after_s: float = 30.0,
    ) -> None:
        self._factories: list[tuple[str, SynthFactory]] = [("primary", primary_factory)]
        if fallback_factory is not None:
            self._factories.append(("fallback", fallback_factory))
        self._which = 0
        self._cache_size = cache_size
        self._timeout_s = timeout_s
        self._start_timeout_s = start_timeout_s
        self._max_failures = max(1, max_failures)
        self._phrase_timeout_s = (
            start_timeout_s + timeout_s if phrase_timeout_s is None else phrase_timeout_s
        )
        self._retry_after_s = retry_after_s
        self._down_until = -math.inf  # monotonic time before which no engine is tried
        self._cache: OrderedDict[str, Pcm] = OrderedDict()
        self._inflight: dict[str, Future[Pcm]] = {}
        self._lock = threading.Lock()
        self._requests: queue.SimpleQueue[tuple[str, Future[Pcm]] | None] = queue.SimpleQueue()
        self._owner: _EngineOwner | None = None
        self._failures = 0
        self._closed = False
        self._events: list[WorkerEvent] = []
        self.engine_name = ""  # name of the engine that rendered last
        self._control = threading.Thread(target=self._run, name="pacer-speech", daemon=True)
        self._control.start()

    # ------------------------------------------------------------------ caller side

    def request(self, text: str) -> Future[Pcm]:
        """Return a future PCM for ``text`` at once (already done when cached)."""
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                fut: Future[Pcm] = Future()
                fut.set_result(cached)
                return fut
            pending = self._inflight.get(text)
            if pending is not None:
                return pending
            fut = Future()
            if self._closed:
                fut.set_exception(AudioError("speech worker is closed"))
                return fut
            self._inflight[text] = fut
        self._requests.put((text, fut))
        return fut

    def cached(self, text: str) -> bool:
        with self._lock:
            return text in self._cache

    @property
    def events(self) -> list[WorkerEvent]:
        with self._lock:
            return list(self._events)

    def close(self, timeout_s: float = 2.0) -> None:
        """Stop the threads; pending requests fail with AudioError."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._requests.put(None)
        self._end_render()
        self._control.join(timeout_s)
        self._end_render()

    def _end_render(self) -> None:
        """End a render in flight (a hung espeak-ng child is killed and reaped)."""
        owner = self._owner
        if owner is not None:
            owner.stop(hung=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ control thread

    def _event(self, kind: str, engine: str, message: str = "") -> None:
        with self._lock:
            self._events.append(WorkerEvent(kind, engine, message))
        level = logging.INFO if kind == "started" else logging.WARNING
        log.log(level, "speech %s: %s %s", kind, engine, message)

    def _run(self) -> None:
        try:
            while True:
                item = self._requests.get()
                if item is None:
                    break
                text, fut = item
                if fut.set_running_or_notify_cancel():
                    try:
                        pcm = self._render(text)
                    except AudioError as exc:
                        fut.set_exception(exc)
                    else:
                        with self._lock:
                            self._cache[text] = pcm
                            while len(self._cache) > self._cache_size:
                                self._cache.popitem(last=False)
                        fut.set_result(pcm)
                with self._lock:
                    self._inflight.pop(text, None)
        finally:
            if self._owner is not None:
                self._owner.stop()
            while True:  # fail whatever is still queued
                try:
                    item = self._requests.get_nowait()
                except queue.Empty:
                    break
                if item is not None and item[1].set_running_or_notify_cancel():
                    item[1].set_exception(AudioError("speech worker is closed"))

    def _ensure_owner(self, wait_s: float) -> _EngineOwner | None:
        if self._owner is not None:
            return self._owner
        label, factory = self._factories[self._which]
        owner = _EngineOwner(factory, label)
        wait_s = min(self._start_timeout_s, wait_s)
        if not owner.ready.wait(wait_s):
            owner.stop(hung=True)
            self._fail("timeout", label, f"did not start within {wait_s:.3g} s")
            return None
        if owner.start_error is not None:
            self._fail("failed", label, f"could not start: {owner.start_error}")
            return None
        self._owner = owner
        self._event("started", owner.name)
        return owner

    def _fail(self, kind: str, engine: str, message: str) -> None:
        self._event(kind, engine, message)
        self._failures += 1
        if self._failures >= self._max_failures and self._which + 1 < len(self._factories):
            self._which += 1
            self._failures = 0
            self._event("fallback", engine, f"replaced by the {self._factories[self._which][0]}")

    def _render(self, text: str) -> Pcm:
        """Render on the current engine, restarting or falling back as needed, within
        ``phrase_timeout_s``; after a phrase no engine could render, fail at once for
        ``retry_after_s``."""
        now = time.monotonic()
        if now < self._down_until:
            raise AudioError(f"speech: no engine answers (next try in "
                             f"{self._down_until - now:.0f} s); dropped {text[:40]!r}")  # fmt: skip
        deadline = now + self._phrase_timeout_s
        budget = 2 * self._max_failures * len(self._factories) + 1
        last = "out of time"
        for _ in range(budget):
            left = deadline - time.monotonic()
            if left <= 0 or self._closed:
                break
            owner = self._ensure_owner(left)
            if owner is None:
                continue
            pcm, last = self._try(owner, text, max(0.0, min(self._timeout_s, left)))
            if pcm is not None:
                return pcm
        self._event("gave_up", self._factories[self._which][0], last)
        self._down_until = time.monotonic() + self._retry_after_s
        raise AudioError(f"speech: no engine could render {text[:40]!r} ({last})")

    def _try(self, owner: _EngineOwner, text: str, wait_s: float) -> tuple[Pcm | None, str]:
        """One render on ``owner``: the PCM, or None and why (the owner is then gone)."""
        job = _Job(text)
        owner.jobs.put(job)
        if not job.done.wait(wait_s):
            owner.stop(hung=True)
            self._owner = None
            last = f"hung for {wait_s:.3g} s on {text[:40]!r}"
            self._fail("timeout", owner.name, last + "; restarting")
            return None, last
        if job.error is not None or job.pcm is None:
            owner.stop()
            self._owner = None
            last = f"raised {job.error!r} on {text[:40]!r}"
            self._fail("failed", owner.name, last + "; restarting")
            return None, last
        self._failures = 0
        self.engine_name = job.pcm.engine or owner.name
        return job.pcm, ""
