"""Mono 16-bit PCM buffers: the one audio type passed between synth, mixer and sinks.

Pure: numpy only, no IO. WAV *bytes* are parsed here (espeak-ng streams a WAV header
with placeholder sizes on stdout, which the standard ``wave`` module refuses).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from pacer.errors import AudioError

INT16_FULL_SCALE = 32767


@dataclass(frozen=True, slots=True, eq=False)
class Pcm:
    """A mono int16 buffer at ``rate_hz``.

    ``engine`` names what produced it ("pyttsx3", "espeak-ng", "click", ...), so the
    audio path can report which synthesizer rendered a cue.
    """

    samples: np.ndarray  # int16, shape (n,)
    rate_hz: int
    engine: str = ""

    def __post_init__(self) -> None:
        if self.samples.dtype != np.int16 or self.samples.ndim != 1:
            raise AudioError(
                f"Pcm needs a 1-D int16 array, got {self.samples.dtype} shape {self.samples.shape}"
            )
        if self.rate_hz <= 0:
            raise AudioError(f"Pcm rate must be positive, got {self.rate_hz} Hz")
        self.samples.flags.writeable = False

    @property
    def n(self) -> int:
        return int(self.samples.shape[0])

    @property
    def duration_s(self) -> float:
        return self.n / self.rate_hz


def resample(pcm: Pcm, rate_hz: int) -> Pcm:
    """Return ``pcm`` at ``rate_hz`` (linear interpolation, low-passed when downsampling).

    Notes
    -----
    Both engines render 22050 Hz, the mixer default, so this is usually the identity.
    Otherwise: when downsampling, a Hann-windowed sinc FIR (31 taps, cut-off at the new
    Nyquist) removes what would alias; then samples are linearly interpolated at the new
    instants. Adequate for speech and clicks; not a hi-fi resampler.
    """
    if rate_hz == pcm.rate_hz or pcm.n == 0:
        return Pcm(pcm.samples, rate_hz, pcm.engine) if rate_hz != pcm.rate_hz else pcm
    x = pcm.samples.astype(np.float64)
    if rate_hz < pcm.rate_hz:
        cutoff = rate_hz / pcm.rate_hz  # fraction of the source Nyquist
        taps = np.arange(-15, 16)
        h = cutoff * np.sinc(cutoff * taps) * np.hanning(taps.size)
        x = np.convolve(x, h / h.sum(), mode="same")
    n_out = round(pcm.n * rate_hz / pcm.rate_hz)
    t_src = np.arange(n_out) * (pcm.rate_hz / rate_hz)
    y = np.interp(t_src, np.arange(pcm.n), x)
    return Pcm(to_int16(y), rate_hz, pcm.engine)


def to_int16(x: np.ndarray) -> np.ndarray:
    """Round and clip float samples (int16 scale) to int16."""
    out: np.ndarray = np.clip(np.rint(x), -32768, INT16_FULL_SCALE).astype(np.int16)
    return out


def pcm_from_wav_bytes(data: bytes, *, engine: str = "", source: str = "WAV") -> Pcm:
    """Parse a RIFF/WAVE byte string holding mono (or first-channel) 16-bit PCM.

    Tolerates the placeholder chunk sizes of a streamed WAV (``espeak-ng --stdout``):
    the ``data`` chunk runs to the end of the bytes.
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError(f"{source}: not a RIFF/WAVE stream ({len(data)} bytes)")
    pos = 12
    rate_hz = channels = bits = None
    while pos + 8 <= len(data):
        cid, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = pos + 8
        if cid == b"fmt ":
            fmt_tag, channels, rate_hz, _, _, bits = struct.unpack(
                "<HHIIHH", data[body : body + 16]
            )
            if fmt_tag != 1 or bits != 16:
                raise AudioError(
                    f"{source}: need 16-bit integer PCM, got format {fmt_tag}/{bits} bit"
                )
        elif cid == b"data":
            if rate_hz is None or channels is None:
                raise AudioError(f"{source}: data chunk before fmt chunk")
            end = min(len(data), body + size)
            raw = data[body:end]
            raw = raw[: len(raw) - len(raw) % (2 * channels)]
            frames = np.frombuffer(raw, dtype="<i2").reshape(-1, channels)[:, 0]
            return Pcm(frames.astype(np.int16), int(rate_hz), engine)
        pos = body + size + (size & 1)
    raise AudioError(f"{source}: no data chunk")
