"""Audio sinks: where the mixer's int16 mono blocks go.

* :class:`AlsaSink` -- one long-lived ``aplay`` process fed through a pipe. One stream
  for the whole session keeps clicks on time (docs/background.md: 0.03 ms vs milliseconds of
  jitter for a process per sound). Writes never block the caller for long: the pipe is
  non-blocking, a write waits at most ``write_timeout_s`` and then drops the block
  (counted); a dead or wedged ``aplay`` is restarted, with back-off.
* :class:`WavSink` -- a WAV file via the standard ``wave`` module. The header is
  patched after every block (``wave`` does so on each ``writeframes``) and the file is
  flushed every ``flush_s`` of audio, so a crash leaves a complete, playable file.
* :class:`NullSink` -- counts samples and discards them; :class:`TeeSink` -- several.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import select
import shutil
import subprocess
import time
import wave
from pathlib import Path

import numpy as np

from pacer.audio.mixer import Sink
from pacer.errors import AudioError, InputError, SessionError

log = logging.getLogger(__name__)


class NullSink:
    """Discards audio; ``samples_written`` counts it."""

    def __init__(self, rate_hz: int = 22050) -> None:
        self.rate_hz = rate_hz
        self.samples_written = 0

    def write(self, block: np.ndarray) -> None:
        self.samples_written += int(block.size)

    def close(self) -> None:
        pass


class TeeSink:
    """Writes every block to several sinks (live card + WAV soundtrack)."""

    def __init__(self, *sinks: Sink) -> None:
        self.sinks = sinks
        self.rate_hz: int = sinks[0].rate_hz

    def write(self, block: np.ndarray) -> None:
        for s in self.sinks:
            s.write(block)

    def close(self) -> None:
        for s in self.sinks:
            s.close()


class WavSink:
    """Mono 16-bit WAV file, valid on disk after every block.

    Written through :class:`~pacer.formats.safe_write.SafeOutput`: a symlink, a device
    node, a FIFO or a path inside a session folder is refused; a new file is written
    under its own name (so a crash leaves a playable file), an existing one is replaced
    only when the soundtrack is complete. A failed write (a full disk) removes what was
    written, leaves an existing file as it was, and raises one
    :class:`~pacer.errors.SessionError` naming the file.

    Parameters
    ----------
    path : str or Path
        File to create (parent directories are created).
    rate_hz : int
    flush_s : float
        Flush to the OS at least this often (seconds of audio); ``fsync`` on close.
    """

    def __init__(
        self, path: str | os.PathLike[str], rate_hz: int = 22050, *, flush_s: float = 1.0
    ) -> None:
        from pacer.formats.safe_write import SafeOutput

        self.path = Path(path)
        self.rate_hz = rate_hz
        self.samples_written = 0
        self._flush_n = max(1, int(flush_s * rate_hz))
        self._since_flush = 0
        self._wav: wave.Wave_write | None = None
        self._error: SessionError | None = None  # the failure, repeated to later writes
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SessionError(f"{self.path}: cannot write audio ({exc.strerror})") from exc
        try:
            self._out = SafeOutput(self.path, in_place_when_new=True)
        except InputError as exc:
            raise SessionError(f"{self.path}: cannot write audio ({_reason(exc)})") from None
        self._file = self._out.file
        try:
            wav = wave.open(self._file, "wb")
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(rate_hz)
            self._wav = wav
            wav.writeframes(b"")  # writes a valid, empty file now
            self._file.flush()
        except OSError as exc:
            raise self._failed(exc) from None

    def _failed(self, exc: OSError) -> SessionError:
        """Drop the file being written (never the runner's existing one); the error."""
        wav, self._wav = self._wav, None
        if wav is not None:
            wav._file = None  # type: ignore[attr-defined]  # its close/__del__ write nothing
        self._out.abort()
        self._error = SessionError(f"{self.path}: cannot write audio ({exc.strerror or exc})")
        return self._error

    def write(self, block: np.ndarray) -> None:
        if self._error is not None:
            raise self._error
        if self._wav is None:
            raise AudioError(f"{self.path}: write after close")
        data = np.ascontiguousarray(block, dtype="<i2").tobytes()
        try:
            self._wav.writeframes(data)  # also patches the RIFF/data sizes
            self.samples_written += int(block.size)
            self._since_flush += int(block.size)
            if self._since_flush >= self._flush_n:
                self._file.flush()
                self._since_flush = 0
        except OSError as exc:
            raise self._failed(exc) from None

    def close(self) -> None:
        if self._wav is None:
            return
        try:
            self._wav.close()  # final header patch; does not close a file it did not open
        except OSError as exc:
            raise self._failed(exc) from None
        self._wav = None
        try:
            self._out.commit()  # flush, fsync, and into place
        except InputError as exc:
            raise SessionError(f"{self.path}: cannot write audio ({_reason(exc)})") from None


def _reason(exc: InputError) -> str:
    """The part of a safe_write message after the file name."""
    return str(exc).split(": ", 1)[-1]


class AlsaSink:
    """A long-lived ``aplay`` fed raw S16_LE mono through a non-blocking pipe.

    Parameters
    ----------
    device : str
        ALSA PCM name (``aplay -L``).
    rate_hz : int
    buffer_s, start_s : float
        aplay's ALSA buffer length and start threshold. The buffer bounds the latency
        the device adds; the start threshold must be below what the driver keeps queued.
    write_timeout_s : float
        Longest a write may wait for room in the pipe before the block is dropped.
    max_queued_s : float
        Audio allowed to sit in the pipe before writes wait (keeps latency bounded
        when the device consumes slower than the driver produces).
    restart_backoff_s : float
        Minimum time between restarts of a dead ``aplay``.
    stall_s : float
        An ``aplay`` that is alive but has taken nothing from the pipe for this long
        (every write in that time timed out) is wedged: it is killed and restarted.
    executable : str

    Attributes
    ----------
    dropped_spans : list of (int, int)
        Sample ranges ``[n0, n1)`` (counted from the first block written) that never
        reached ``aplay``; :class:`~pacer.audio.output.AudioOut` marks cues in them
        dropped. The most recent ``MAX_SPANS`` are kept.
    """

    MAX_SPANS = 10_000

    def __init__(
        self,
        device: str = "default",
        rate_hz: int = 22050,
        *,
        buffer_s: float = 0.1,
        start_s: float = 0.02,
        write_timeout_s: float = 0.25,
        max_queued_s: float = 0.05,
        restart_backoff_s: float = 1.0,
        stall_s: float = 1.0,
        executable: str = "aplay",
    ) -> None:
        exe = shutil.which(executable)
        if exe is None:
            raise AudioError(f"{executable} not found; install alsa-utils (apt)")
        self.device = device
        self.rate_hz = rate_hz
        self._argv = [
            exe,
            "-q",
            "-t",
            "raw",
            "-f",
            "S16_LE",
            "-c1",
            "-r",
            str(rate_hz),
            "-D",
            device,
            f"--buffer-time={int(buffer_s * 1e6)}",
            f"--start-delay={int(start_s * 1e6)}",
        ]
        self._write_timeout_s = write_timeout_s
        self._max_queued_bytes = max(2, int(max_queued_s * rate_hz) * 2)
        self._backoff_s = restart_backoff_s
        self._proc: subprocess.Popen[bytes] | None = None
        self._last_start = -1e9
        self.restarts = 0
        self.dropped_blocks = 0
        self.samples_written = 0
        self.last_error = ""
        #: aplay's last message (e.g. "underrun!!!" after the driver slept while silent)
        self.last_message = ""
        self._last_write_s = time.monotonic()
        self._stall_s = stall_s
        self._stalled_since: float | None = None
        self._offered_n = 0  # samples handed to write(), written or not
        self.dropped_spans: list[tuple[int, int]] = []
        self._start()
        time.sleep(0.05)
        if self._proc is not None and self._proc.poll() is not None:
            err = self._stderr_tail()
            raise AudioError(
                f"aplay -D {device} exited at once: {err or 'no message'}; "
                "check `aplay -L` and the ALSA configuration"
            )

    def _start(self) -> None:
        self._last_start = time.monotonic()
        self._proc = subprocess.Popen(
            self._argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            close_fds=True,
        )
        assert self._proc.stdin is not None and self._proc.stderr is not None
        for f in (self._proc.stdin, self._proc.stderr):
            fl = fcntl.fcntl(f.fileno(), fcntl.F_GETFL)
            fcntl.fcntl(f.fileno(), fcntl.F_SETFL, fl | os.O_NONBLOCK)

    def _stderr_tail(self) -> str:
        if self._proc is None or self._proc.stderr is None:
            return ""
        try:
            data = self._proc.stderr.read() or b""
        except (OSError, ValueError):
            return ""
        lines = data.decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else ""

    def _alive(self) -> bool:
        if self._proc is not None and self._proc.poll() is None:
            return True
        if time.monotonic() - self._last_start < self._backoff_s:
            return False
        if self._proc is not None:
            self.last_error = self._stderr_tail()
            log.warning("aplay exited (%s): %s; restarting", self._proc.returncode, self.last_error)
            self._reap()
        self.restarts += 1
        try:
            self._start()
        except OSError as exc:
            self.last_error = str(exc)
            self._proc = None
            return False
        return True

    def _reap(self) -> None:
        if self._proc is None:
            return
        for f in (self._proc.stdin, self._proc.stderr):
            try:
                if f is not None:
                    f.close()
            except OSError:
                pass
        if self._proc.poll() is None:
            self._proc.kill()
        try:
            self._proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            pass

    def _queued_bytes(self, fd: int) -> int:
        import termios

        try:
            buf = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
            return int.from_bytes(buf, "little")
        except OSError:
            return 0

    def write(self, block: np.ndarray) -> None:
        """Queue ``block``; waits at most ``write_timeout_s``, else drops it (counted).

        A block that could not be written is recorded in :attr:`dropped_spans`; when
        writes have made no progress for ``stall_s``, ``aplay`` is restarted.
        """
        n0 = self._offered_n
        self._offered_n += int(block.size)
        now = time.monotonic()
        if now - self._last_write_s > 0.5:  # after a silent sleep of the driver
            self._drain_messages()
        self._last_write_s = now
        if self._alive() and self._write_all(block):
            self._stalled_since = None
            self.samples_written += int(block.size)
            return
        self._dropped(n0, self._offered_n)

    def _drain_messages(self) -> None:
        """Read what aplay printed, so its stderr pipe never fills: a real card underruns
        once each time the driver sleeps while silent, and aplay says so on stderr."""
        line = self._stderr_tail() if self._proc is not None and self._proc.poll() is None else ""
        if line:
            self.last_message = line

    def _dropped(self, n0: int, n1: int) -> None:
        self.dropped_blocks += 1
        if self.dropped_spans and self.dropped_spans[-1][1] == n0:
            self.dropped_spans[-1] = (self.dropped_spans[-1][0], n1)
        else:
            self.dropped_spans.append((n0, n1))
            del self.dropped_spans[: -self.MAX_SPANS]
        now = time.monotonic()
        if self._proc is None or self._proc.poll() is not None:
            return  # dead: _alive() restarts it with back-off
        if self._stalled_since is None:
            self._stalled_since = now
        elif now - self._stalled_since >= self._stall_s:
            self.last_error = f"aplay took no audio for {now - self._stalled_since:.1f} s"
            log.warning("%s; restarting it", self.last_error)
            self._stalled_since = None
            self._reap()
            self.restarts += 1
            try:
                self._start()
            except OSError as exc:
                self.last_error = str(exc)
                self._proc = None

    def _write_all(self, block: np.ndarray) -> bool:
        """Write ``block`` within ``write_timeout_s``; False if it was not (all) written."""
        assert self._proc is not None and self._proc.stdin is not None
        fd = self._proc.stdin.fileno()
        data = memoryview(np.ascontiguousarray(block, dtype="<i2").tobytes())
        deadline = time.monotonic() + self._write_timeout_s
        while self._queued_bytes(fd) > self._max_queued_bytes:  # device is behind: wait
            if time.monotonic() > deadline:
                return False
            time.sleep(0.002)
        while data:
            try:
                k = os.write(fd, data)
                data = data[k:]
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([], [fd], [], left)[1]:
                    return False
            except OSError as exc:
                if exc.errno in (errno.EPIPE, errno.EBADF):
                    self.last_error = f"pipe closed ({exc.strerror})"
                    return False
                raise AudioError(f"aplay -D {self.device}: write failed ({exc})") from exc
        return True

    def close(self, timeout_s: float = 2.0) -> None:
        """Close the pipe and let aplay drain (killed after ``timeout_s``)."""
        if self._proc is None:
            return
        proc, self._proc = self._proc, None
        try:
            if proc.stdin is not None:
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=1.0)
        if proc.stderr is not None:
            proc.stderr.close()
