"""Speech synthesizers that render a phrase to PCM and never play anything themselves.

Two engines, both speaking through eSpeak NG:

* :class:`Pyttsx3Synth` -- pyttsx3 (in-process ``libespeak-ng``), rendering each phrase
  with ``save_to_file`` into a private temp WAV. The pyttsx3 bugs listed in docs/background.md are
  worked around here: one owner thread (the caller's, see ``worker.py``), properties set
  before the first ``runAndWait``, a warm-up phrase at start, one ``save_to_file`` per
  ``runAndWait``, never ``say()`` or ``stop()``, the "Audio saved to" print silenced
  in the driver module, and a poll for the WAV after ``runAndWait`` returns.
* :class:`EspeakSynth` -- the ``espeak-ng`` command line, ``--stdout`` parsed in memory.
  A subprocess per phrase: a crash or hang kills only that process.

Both are IO-edge objects: construct them in the thread that will own them.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import numpy as np

from pacer.audio.pcm import Pcm, pcm_from_wav_bytes, resample
from pacer.errors import AudioError

__all__ = ["EspeakSynth", "Pcm", "Pyttsx3Synth", "Synthesizer", "resample"]

log = logging.getLogger(__name__)

WARMUP_TEXT = "ready"


@runtime_checkable
class Synthesizer(Protocol):
    """Renders text to PCM. ``name`` says which engine (reported per cue)."""

    name: str

    def render(self, text: str) -> Pcm: ...

    def close(self) -> None: ...


def _quiet_print(*args: object, **_kwargs: object) -> None:
    """Stand-in for ``print`` inside pyttsx3's driver module (it prints on every save)."""
    log.debug("pyttsx3: %s", " ".join(str(a) for a in args))


class Pyttsx3Synth:
    """pyttsx3 renderer (save_to_file into a temp WAV, read back as PCM).

    Parameters
    ----------
    voice : str or None
        A pyttsx3 voice id or name (``engine.getProperty("voices")``); None keeps the default.
    rate_wpm : int
        Speaking rate in words per minute.
    volume : float
        0..1.
    rate_hz : int or None
        Resample the result to this rate (None keeps the engine's 22050 Hz).
    driver : str or None
        pyttsx3 driver name; None is the platform default ("espeak" on Linux).
    wav_wait_s : float
        How long to poll for the WAV after ``runAndWait`` returns (bug 1 in docs/background.md).

    Raises
    ------
    AudioError
        pyttsx3 or libespeak-ng is missing, or the voice is unknown.
    """

    name = "pyttsx3"
    # libespeak-ng keeps one synth callback and one set of parameters per process: a new
    # engine silently takes them over and an older one would then wait forever.
    _active: Pyttsx3Synth | None = None

    def __init__(
        self,
        voice: str | None = None,
        rate_wpm: int = 175,
        volume: float = 1.0,
        *,
        rate_hz: int | None = None,
        driver: str | None = None,
        wav_wait_s: float = 1.0,
    ) -> None:
        try:
            from pyttsx3 import engine as _engine_mod  # lazy: device library
        except ImportError as exc:
            raise AudioError(f"pyttsx3 is not installed ({exc}); pip install pyttsx3") from exc
        self._rate_hz = rate_hz
        self._wav_wait_s = wav_wait_s
        self._dir = tempfile.mkdtemp(prefix="pacer-tts-")
        self._count = 0
        try:
            # Engine(...) directly, not pyttsx3.init(): init() hands back a cached engine,
            # so a restart after a hang would reuse the hung one.
            self._engine = _engine_mod.Engine(driver)
        except Exception as exc:  # RuntimeError/OSError when libespeak-ng1 is missing
            shutil.rmtree(self._dir, ignore_errors=True)
            raise AudioError(
                f"pyttsx3 could not start its driver ({exc}); install libespeak-ng1 (apt)"
            ) from exc
        Pyttsx3Synth._active = self
        drv = sys.modules.get(f"pyttsx3.drivers.{self._engine.driver_name}")
        if drv is not None:
            drv.print = _quiet_print  # type: ignore[attr-defined]
        if voice is not None:
            self._engine.setProperty("voice", self._resolve_voice(voice))
        # Properties must be queued before the first runAndWait (docs/background.md, bug 4).
        self._engine.setProperty("rate", int(rate_wpm))
        self._engine.setProperty("volume", float(min(max(volume, 0.0), 1.0)))
        self.render(WARMUP_TEXT)  # bug 1: the first runAndWait may return early

    def _resolve_voice(self, voice: str) -> str:
        """Map an id, a name or a bare espeak name or language ("en-gb" for "gmw/en") to an id.

        The driver swallows a bad voice silently (errors in its queue are only
        "notified"), so check here and fail loudly instead.
        """
        want = voice.lower()
        for v in self._engine.getProperty("voices"):
            vid = str(v.id).lower()
            langs = [str(lang).lower() for lang in (getattr(v, "languages", None) or [])]
            if want in (vid, str(v.name).lower(), vid.rsplit("/", 1)[-1], *langs):
                return str(v.id)
        raise AudioError(f"pyttsx3: unknown voice {voice!r}; list them with `espeak-ng --voices`")

    def render(self, text: str) -> Pcm:
        """Render ``text``; blocks for the synthesis (~10 ms per short phrase, x86)."""
        if not text.strip():
            return Pcm(np.zeros(0, np.int16), self._rate_hz or 22050, self.name)
        if Pyttsx3Synth._active is not self:
            raise AudioError("pyttsx3: a newer engine in this process took over libespeak-ng")
        for _attempt in range(3):
            self._count += 1
            path = os.path.join(self._dir, f"{self._count % 4}.wav")
            if os.path.exists(path):
                os.unlink(path)
            self._engine.save_to_file(text, path)
            self._engine.runAndWait()
            pcm = self._read_when_ready(path, text)
            # Seen on 2.99: the first phrase after a second engine changed the rate comes
            # back as an empty WAV; the same call again is fine.
            if pcm.n > 0:
                return resample(pcm, self._rate_hz) if self._rate_hz else pcm
        raise AudioError(f"pyttsx3 rendered {text[:40]!r} as silence three times")

    def _read_when_ready(self, path: str, text: str) -> Pcm:
        deadline = time.monotonic() + self._wav_wait_s
        while True:
            try:
                with wave.open(path, "rb") as w:
                    if w.getsampwidth() != 2:
                        raise AudioError(f"pyttsx3 wrote {8 * w.getsampwidth()}-bit audio")
                    raw = w.readframes(w.getnframes())
                    rate_hz, channels = w.getframerate(), w.getnchannels()
                samples = np.frombuffer(raw, "<i2").reshape(-1, channels)[:, 0].astype(np.int16)
                return Pcm(samples, rate_hz, self.name)
            except (FileNotFoundError, EOFError, wave.Error):
                if time.monotonic() > deadline:
                    raise AudioError(
                        f"pyttsx3 produced no audio for {text[:40]!r} within {self._wav_wait_s} s"
                    ) from None
                time.sleep(0.002)

    def abort(self) -> None:
        """End a ``runAndWait`` that never returns (called from another thread).

        Only clears the driver's loop flag -- ``engine.stop()`` from another thread can
        itself hang (docs/background.md, bug 5) -- so an abandoned owner thread exits instead
        of polling forever.
        """
        driver = getattr(getattr(self._engine, "proxy", None), "_driver", None)
        if driver is not None and hasattr(driver, "_looping"):
            driver._looping = False

    def close(self) -> None:
        if Pyttsx3Synth._active is self:
            Pyttsx3Synth._active = None
        shutil.rmtree(self._dir, ignore_errors=True)


class EspeakSynth:
    """espeak-ng command-line renderer (``--stdout`` WAV, parsed in memory).

    Parameters
    ----------
    voice : str or None
        An espeak-ng voice (``espeak-ng --voices``), e.g. "en-gb"; None keeps the default.
    rate_wpm : int
        Words per minute (``-s``).
    volume : float
        0..2, 1.0 is espeak-ng's default amplitude (``-a 100``).
    rate_hz : int or None
        Resample the result to this rate (None keeps 22050 Hz).
    executable : str
        Program name or path.
    timeout_s : float
        A render that takes longer kills the process and raises.
    """

    name = "espeak-ng"

    def __init__(
        self,
        voice: str | None = None,
        rate_wpm: int = 175,
        volume: float = 1.0,
        *,
        rate_hz: int | None = None,
        executable: str = "espeak-ng",
        timeout_s: float = 5.0,
    ) -> None:
        exe = shutil.which(executable)
        if exe is None:
            raise AudioError(f"{executable} not found on PATH; install espeak-ng (apt)")
        self._argv = [exe, "--stdout", "-s", str(int(rate_wpm)), "-a", str(round(volume * 100))]
        if voice is not None:
            self._argv += ["-v", voice]
        self._rate_hz = rate_hz
        self._timeout_s = timeout_s
        self._proc: subprocess.Popen[bytes] | None = None
        self._closed = False

    def render(self, text: str) -> Pcm:
        """Render ``text`` (passed on stdin, so text starting with "-" is safe).

        The child runs in its own process group; on timeout, :meth:`abort` or
        :meth:`close` the whole group is killed and reaped (no orphans).
        """
        if not text.strip():
            return Pcm(np.zeros(0, np.int16), self._rate_hz or 22050, self.name)
        if self._closed:
            raise AudioError("espeak-ng: render after close")
        try:
            proc = subprocess.Popen(self._argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
        except OSError as exc:
            raise AudioError(f"espeak-ng could not start: {exc}") from exc
        self._proc = proc
        _CHILDREN.add(proc)
        try:
            out, err = proc.communicate(text.encode("utf-8"), timeout=self._timeout_s)
        except subprocess.TimeoutExpired as exc:
            raise AudioError(f"espeak-ng took over {self._timeout_s} s for {text[:40]!r}") from exc
        except (OSError, ValueError) as exc:  # pipes closed by abort()
            raise AudioError(f"espeak-ng was stopped while rendering {text[:40]!r}") from exc
        finally:
            _kill_group(proc)
            _CHILDREN.discard(proc)
            self._proc = None
        if proc.returncode != 0 or not out:
            lines = err.decode(errors="replace").strip().splitlines()
            raise AudioError(
                f"espeak-ng exited {proc.returncode} for {text[:40]!r}: "
                f"{lines[-1][:200] if lines else ''}"
            )
        pcm = pcm_from_wav_bytes(out, engine=self.name, source="espeak-ng --stdout")
        return resample(pcm, self._rate_hz) if self._rate_hz else pcm

    def abort(self) -> None:
        """Kill a render in progress (from any thread); its ``render`` raises."""
        proc = self._proc
        if proc is not None:
            _kill_group(proc, reap=False)

    def close(self) -> None:
        self._closed = True
        self.abort()


#: espeak-ng children alive now, killed at interpreter exit if a thread left one behind
_CHILDREN: set[subprocess.Popen[bytes]] = set()


def _kill_group(proc: subprocess.Popen[bytes], *, reap: bool = True) -> None:
    """SIGKILL ``proc``'s process group (it leads one) unless it has exited; reap it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if reap:
        try:
            proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            log.warning("espeak-ng pid %d did not die", proc.pid)


@atexit.register
def _kill_children() -> None:
    for proc in list(_CHILDREN):
        _kill_group(proc)


ENGINES = ("pyttsx3", "espeak", "none")
DEFAULT_ENGINE = "pyttsx3"


def synth_factories(
    engine: str, *, voice: str | None, rate_wpm: int, volume: float, rate_hz: int
) -> tuple[Callable[[], Synthesizer], Callable[[], Synthesizer] | None]:
    """Primary and fallback synthesizer factories for an engine name."""

    def pyttsx3() -> Pyttsx3Synth:
        return Pyttsx3Synth(voice, rate_wpm, volume, rate_hz=rate_hz)

    def espeak() -> EspeakSynth:
        return EspeakSynth(voice, rate_wpm, volume, rate_hz=rate_hz)

    if engine == "pyttsx3":
        return pyttsx3, espeak
    if engine == "espeak":
        return espeak, pyttsx3
    raise AudioError(f"unknown speech engine {engine!r}; choose one of {', '.join(ENGINES)}")
