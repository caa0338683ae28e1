"""A simulated GPS receiver riding on a simulated runner: the NMEA bytes it emits.

All errors are drawn once, at construction, from ``seed``; iterating the epochs or
writing them to a pseudo-terminal only formats and paces what was decided.

Notes
-----
Error model, per epoch at ``rate_hz`` (defaults in brackets):

* Position error: a first-order Gauss-Markov process per axis (tau 45 s) seen through
  the receiver's smoothing (a first-order low-pass, 5 s), scaled to sigma 1.5 m per axis
  (~2.1 m horizontal rms): the slowly wandering error of a single-frequency receiver
  under open sky (u-blox M8: 2.5 m CEP; Kaplan & Hegarty, "Understanding GPS", 2nd ed.,
  ch. 7, for Gauss-Markov models of residual ionosphere and multipath errors), plus
  5 cm white noise per axis. The smoothing matters: a first-order process alone is rough
  at short lags and adds ~10 % of spurious path length at 5 Hz, which filtered receiver
  output does not show.
* Corner cutting: a receiver's navigation filter smooths position; tracking a bend of
  radius R at speed v, a first-order smoother of time constant tau settles on the radius
  ``R / sqrt(1 + (v tau / R)^2)``. We displace the reported point towards the bend's
  centre by that amount (smoothed with the same tau so it builds up entering a bend
  and relaxes after it), without the along-track lag. With tau = 3 s a lap of 400 m at
  4.44 m/s reads ~3.4 % short from positions, ~1.7 % at 3 m/s (docs/background.md: 2-4 %).
* Doppler speed: the velocity vector including the runner's within-step speed
  oscillation (+-3 % running, +-5 % walking, horizontal centre-of-mass speed dips in
  braking and recovers in propulsion; Cavagna et al. 1976 J Physiol 262:639), smoothed
  by the receiver with an exponential kernel (tau 0.4 s: the receiver's internal lag),
  plus white noise 0.07 m/s per axis and a slow Gauss-Markov bias 0.02 m/s (tau 20 s).
  Speed over ground is the norm of that vector, so standing reads small non-zero speeds
  (a receiver with static hold 0, as docs/background.md recommends).
* Dropouts: Poisson, ``dropouts_per_hour`` (4; at least one in a session over 5 min),
  each 2-6 s of no-fix epochs (RMC status V, GGA quality 0, empty position).
* Corruption: each sentence independently with probability ``corrupt_rate``: one byte
  flipped (checksum no longer matches) or the sentence truncated, with or without its
  line end (then the next sentence runs on in the same line).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

import numpy as np

from pacer.dsp import track_geometry as tg
from pacer.sim import nmea_out as nm
from pacer.sim.error_processes import first_order_lag, gauss_markov, smooth_gauss_markov
from pacer.sim.runner import RunnerModel

DEFAULT_START_UTC = dt.datetime(2026, 5, 16, 9, 0, 0, tzinfo=dt.UTC)
POSITION_SMOOTH_S = 5.0  # the navigation filter's smoothing of the wandering error
_PRN_POOL = (2, 5, 7, 9, 13, 15, 18, 20, 23, 25, 27, 29, 30, 31)


@dataclass(frozen=True)
class ReceiverEpoch:
    """One epoch: what was emitted and the truth behind it.

    ``lat_deg``/``lon_deg``/``speed_mps``/``course_deg`` are the values the receiver
    reported (before NMEA rounding), None in a no-fix epoch. ``true_*`` is the runner's
    state at ``t_s``. ``sentences`` are the framed sentences in emission order;
    ``corrupted[i]`` says whether sentence ``i`` was deliberately damaged.
    """

    t_s: float
    utc: dt.datetime
    valid: bool
    lat_deg: float | None
    lon_deg: float | None
    speed_mps: float | None
    course_deg: float | None
    hdop: float
    sats: int
    true_lat_deg: float
    true_lon_deg: float
    true_speed_mps: float
    true_distance_m: float
    sentences: tuple[bytes, ...]
    corrupted: tuple[bool, ...]

    @property
    def data(self) -> bytes:
        return b"".join(self.sentences)


class SimulatedReceiver:
    """NMEA receiver output for a simulated runner.

    Parameters
    ----------
    runner : RunnerModel
    rate_hz : float
        Navigation rate (1, 5 or 10 Hz typical).
    seed : int
    talker : str
        Talker id of every sentence ("GN" multi-GNSS, "GP" GPS only).
    start_utc : datetime
        UTC of the runner's ``t_s = 0``.
    dropouts : bool
        Whether to simulate short losses of fix.
    corrupt_rate : float
        Probability that a sentence is damaged.
    position_sigma_m, position_tau_s, corner_tau_s, speed_noise_mps, speed_lag_s,
    dropouts_per_hour : float
        Error model parameters (see the module notes).
    """

    def __init__(
        self,
        runner: RunnerModel,
        *,
        rate_hz: float = 1.0,
        seed: int = 0,
        talker: str = "GN",
        start_utc: dt.datetime = DEFAULT_START_UTC,
        dropouts: bool = True,
        corrupt_rate: float = 0.002,
        position_sigma_m: float = 1.5,
        position_tau_s: float = 45.0,
        corner_tau_s: float = 3.0,
        speed_noise_mps: float = 0.07,
        speed_lag_s: float = 0.4,
        dropouts_per_hour: float = 4.0,
    ) -> None:
        if rate_hz <= 0 or rate_hz > 50:
            raise ValueError(f"rate_hz must be in (0, 50], got {rate_hz}")
        if len(talker) != 2 or not talker.isalpha():
            raise ValueError(f"talker must be two letters, got {talker!r}")
        if start_utc.tzinfo is None:
            raise ValueError("start_utc must be timezone-aware (UTC)")
        self.runner = runner
        self.rate_hz = float(rate_hz)
        self.talker = talker.upper()
        self.start_utc = start_utc
        self.corrupt_rate = float(corrupt_rate)
        rng = np.random.default_rng([int(seed), 0x6E5])
        dt_s = 1.0 / self.rate_hz
        n = int(np.floor(runner.duration_s * self.rate_hz)) + 1
        self.t_s = np.arange(n) * dt_s
        self.truth = runner.state_at(self.t_s)
        self._draw_position(rng, dt_s, corner_tau_s, position_sigma_m, position_tau_s)
        self._draw_velocity(rng, dt_s, speed_lag_s, speed_noise_mps)
        self._draw_constellation(rng, dt_s)
        self._draw_losses(rng, dropouts, dropouts_per_hour)
        self.tx_dropped_sentences = 0  # set by write_realtime

    # ------------------------------------------------------------------ error draws
    # Called in this order from __init__: each draws from the one generator, so the
    # order fixes every value a seed gives.

    def _draw_position(self, rng: np.random.Generator, dt_s: float, corner_tau_s: float,
                       position_sigma_m: float, position_tau_s: float) -> None:
        """Reported latitude, longitude (deg) and altitude (m): the true point, pulled in
        on bends, plus wandering error."""
        truth, site, n = self.truth, self.runner.site, self.t_s.size
        r = tg.measure_radius_m(self.runner.lane)
        x1, y1 = tg.track_xy_m(truth.s_m + 0.05, r)
        x0, y0 = tg.track_xy_m(truth.s_m - 0.05, r)
        tx, ty = (x1 - x0) / 0.1, (y1 - y0) / 0.1
        bend = (truth.s_m < np.pi * r) | (
            (truth.s_m >= np.pi * r + tg.STRAIGHT_M) & (truth.s_m < 2 * np.pi * r + tg.STRAIGHT_M))
        ratio = 1.0 / np.sqrt(1.0 + (truth.speed_mps * corner_tau_s / r) ** 2)
        cut_m = first_order_lag(np.where(bend, r * (1.0 - ratio), 0.0), corner_tau_s, dt_s)
        xt, yt = tg.track_xy_m(truth.s_m, r)
        xr, yr = xt - cut_m * ty, yt + cut_m * tx  # inward normal of counter-clockwise motion
        east, north = site.enu_from_track(xr, yr)
        err = smooth_gauss_markov(rng, n, 3, position_sigma_m, position_tau_s,
                                  POSITION_SMOOTH_S, dt_s)
        err[:, 2] *= 2.0  # vertical error ~2x horizontal
        white = rng.normal(0.0, 0.05, (n, 2))
        east = east + err[:, 0] + white[:, 0]
        north = north + err[:, 1] + white[:, 1]
        self.lat_deg, self.lon_deg = site.latlon_from_enu(east, north)
        self.alt_m = site.alt_m + err[:, 2]

    def _draw_velocity(self, rng: np.random.Generator, dt_s: float, speed_lag_s: float,
                       speed_noise_mps: float) -> None:
        """Doppler speed (m/s) and course (deg): within-step oscillation, receiver
        smoothing, noise."""
        runner, t, n = self.runner, self.t_s, self.t_s.size
        k = np.arange(0.0, 5.0 * speed_lag_s, 0.05)
        w = np.exp(-k / speed_lag_s)
        w /= w.sum()
        tt = np.clip(t[:, None] - k[None, :], 0.0, runner.duration_s)
        flat = tt.ravel()
        v = runner.state_at(flat).speed_mps * (1.0 + self._wobble(flat))
        hd = runner.heading_rad(flat)
        ve = (w * (v * np.cos(hd)).reshape(tt.shape)).sum(axis=1)
        vn = (w * (v * np.sin(hd)).reshape(tt.shape)).sum(axis=1)
        bias = gauss_markov(rng, n, 2, 0.02, 20.0, dt_s)
        ve = ve + bias[:, 0] + rng.normal(0.0, speed_noise_mps, n)
        vn = vn + bias[:, 1] + rng.normal(0.0, speed_noise_mps, n)
        self.speed_mps = np.hypot(ve, vn)
        self.course_deg = np.mod(np.degrees(np.arctan2(ve, vn)), 360.0)

    def _draw_constellation(self, rng: np.random.Generator, dt_s: float) -> None:
        """Satellites used and HDOP per epoch."""
        n = self.t_s.size
        sats = np.clip(np.round(11 + gauss_markov(rng, n, 1, 1.8, 120.0, dt_s)[:, 0]), 6, 14)
        self.sats = sats.astype(int)
        self.hdop = np.round(0.45 + 5.0 / self.sats + rng.normal(0, 0.02, n), 2)

    def _draw_losses(self, rng: np.random.Generator, dropouts: bool,
                     dropouts_per_hour: float) -> None:
        """Epochs without fix (2-6 s losses) and the draws that decide corruption."""
        runner, t, n = self.runner, self.t_s, self.t_s.size
        valid = np.ones(n, dtype=bool)
        if dropouts and runner.duration_s > 20:
            count = int(rng.poisson(dropouts_per_hour * runner.duration_s / 3600.0))
            if runner.duration_s > 300 and dropouts_per_hour > 0:
                count = max(count, 1)  # every session of some length shows one loss of fix
            starts = rng.uniform(10.0, runner.duration_s - 10.0, count)
            lengths = rng.uniform(2.0, 6.0, count)
            for s0, ln in zip(starts, lengths, strict=True):
                valid[(t >= s0) & (t < s0 + ln)] = False
        self.valid = valid
        self.dropout_sats = rng.integers(0, 4, n)
        self._corrupt_u = rng.uniform(0.0, 1.0, (n, 6))
        self._corrupt_kind = rng.integers(0, 3, (n, 6))
        self._corrupt_pos = rng.uniform(0.0, 1.0, (n, 6))
        self._corrupt_char = rng.integers(0, 36, (n, 6))

    # ------------------------------------------------------------------ model pieces

    def _wobble(self, t_s: np.ndarray) -> np.ndarray:
        """Relative within-step speed oscillation (0 between steps when standing)."""
        st = self.runner.step_times_s
        if st.size < 2:
            return np.zeros_like(t_s)
        j = np.clip(np.searchsorted(st, t_s, side="right") - 1, 0, st.size - 2)
        period = st[j + 1] - st[j]
        phase = (t_s - st[j]) / period
        moving = (t_s >= st[0]) & (t_s <= st[-1]) & (period < 1.5)
        amp = np.where(self.runner.step_gait[j] == 2, 0.03, 0.05)
        # speed dips after footfall (braking) and recovers (propulsion)
        return np.where(moving, -amp * np.cos(2 * np.pi * phase), 0.0)

    def _utc(self, t_s: float) -> dt.datetime:
        # NMEA carries centiseconds: round the epoch time itself so it never goes backwards
        return self.start_utc + dt.timedelta(microseconds=round(t_s * 100.0) * 10_000)

    def _damage(self, k: int, i: int, s: bytes) -> bytes:
        kind = int(self._corrupt_kind[k, i])
        body_end = s.index(b"*")
        pos = 1 + int(self._corrupt_pos[k, i] * (body_end - 2))
        if kind == 0:  # flip one byte in the body
            alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
            c = alphabet[int(self._corrupt_char[k, i])]
            if c == s[pos]:
                c = alphabet[(int(self._corrupt_char[k, i]) + 1) % len(alphabet)]
            return s[:pos] + bytes([c]) + s[pos + 1:]
        if kind == 1:  # truncated, line end kept
            return s[:pos] + b"\r\n"
        return s[:pos]  # truncated, runs on into the next sentence

    # ------------------------------------------------------------------ output

    def epoch(self, k: int) -> ReceiverEpoch:
        """Epoch ``k`` (0-based) with its sentences and truth."""
        t_s = float(self.t_s[k])
        utc = self._utc(t_s)
        tk = self.talker
        ok = bool(self.valid[k])
        lat = float(self.lat_deg[k]) if ok else None
        lon = float(self.lon_deg[k]) if ok else None
        spd = float(self.speed_mps[k]) if ok else None
        crs = float(self.course_deg[k]) if ok else None
        sats = int(self.sats[k]) if ok else int(self.dropout_sats[k])
        hdop = float(self.hdop[k])
        prns = list(_PRN_POOL[: min(sats, 12)])
        sig = self.hdop[k] * 1.6
        site = self.runner.site
        raw = [
            nm.rmc(tk, utc, lat, lon, spd, crs),
            nm.gga(tk, utc, lat, lon, sats, hdop, float(self.alt_m[k]), site.geoid_sep_m),
            nm.gsa(tk, ok, prns, hdop * 1.7, hdop, hdop * 1.4),
            nm.vtg(tk, spd, crs),
            nm.gst(tk, utc, 0.9 * sig if ok else None, sig if ok else None,
                   sig if ok else None, 2 * sig if ok else None),
        ]
        bad = self._corrupt_u[k, : len(raw)] < self.corrupt_rate
        out = tuple(self._damage(k, i, s) if bad[i] else s for i, s in enumerate(raw))
        tr = self.truth
        return ReceiverEpoch(
            t_s=t_s, utc=utc, valid=ok, lat_deg=lat, lon_deg=lon, speed_mps=spd,
            course_deg=crs, hdop=hdop, sats=sats, true_lat_deg=float(tr.lat_deg[k]),
            true_lon_deg=float(tr.lon_deg[k]), true_speed_mps=float(tr.speed_mps[k]),
            true_distance_m=float(tr.distance_m[k]), sentences=out,
            corrupted=tuple(bool(b) for b in bad))

    def __len__(self) -> int:
        return int(self.t_s.size)

    def records(self) -> Iterator[ReceiverEpoch]:
        """Every epoch with its truth, in order."""
        for k in range(len(self)):
            yield self.epoch(k)

    def epochs(self) -> Iterator[tuple[float, bytes]]:
        """``(t_s, bytes)`` per epoch: the epoch's time on the runner's timeline and the
        bytes the receiver emits for it (RMC, GGA, GSA, VTG, GST)."""
        for k in range(len(self)):
            ep = self.epoch(k)
            yield ep.t_s, ep.data

    def write_log(self, path: str | os.PathLike[str]) -> int:
        """Write the whole stream as an NMEA log file; returns bytes written."""
        n = 0
        with open(path, "wb") as f:
            f.write(b"# pacer simulated receiver\n")
            for _, data in self.epochs():
                n += f.write(data)
        return n

    def write_realtime(
        self,
        fd_or_file: int | IO[bytes],
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        speed: float = 1.0,
        *,
        baud: int = 9600,
        latency_s: float = 0.05,
        tx_buffer_bytes: int = 4096,
        stop: Callable[[], bool] | None = None,
    ) -> int:
        """Write the stream paced like a receiver on a UART; returns bytes written.

        Each epoch's bytes start ``latency_s`` after the epoch (the receiver's solution
        latency) and leave at ``baud / 10`` bytes per second (8N1), both scaled by
        ``speed`` (2.0 runs twice as fast). Like a real receiver's transmit buffer, at
        most ``tx_buffer_bytes`` may wait for the line: when the configured rate and
        sentences do not fit the baud rate (5 Hz at 9600 baud), whole sentences that
        would overflow it are dropped and counted in ``tx_dropped_sentences``. Writes to
        an ``int`` file descriptor (a pty master) with ``os.write``, else to a binary file
        object (flushed). Stops early when ``stop()`` returns True. ``OSError`` from the
        descriptor propagates.
        """
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        bytes_per_s = baud / 10.0 * speed
        chunk = max(1, int(bytes_per_s / 100))  # ~10 ms of line time per write
        t0 = clock()
        sent = 0
        line_free = t0  # when the line has sent everything written so far
        self.tx_dropped_sentences = 0
        for k in range(len(self)):
            ep = self.epoch(k)
            due = t0 + (ep.t_s + latency_s) / speed
            backlog = max(0.0, line_free - due) * bytes_per_s  # still queued from before
            due = max(due, line_free)
            kept = []
            for s in ep.sentences:
                if backlog + len(s) > tx_buffer_bytes:
                    self.tx_dropped_sentences += 1
                    continue
                kept.append(s)
                backlog += len(s)
            data = b"".join(kept)
            for i in range(0, len(data), chunk):
                if stop is not None and stop():
                    return sent
                wait = due - clock()
                if wait > 0:
                    sleep(wait)
                piece = data[i:i + chunk]
                _write_all(fd_or_file, piece)
                sent += len(piece)
                line_free = due = max(due, clock()) + len(piece) / bytes_per_s
        return sent


def _write_all(fd_or_file: int | IO[bytes], data: bytes) -> None:
    if isinstance(fd_or_file, int):
        view = memoryview(data)
        while view:
            n = os.write(fd_or_file, view)
            view = view[n:]
    else:
        fd_or_file.write(data)
        fd_or_file.flush()
