"""Frozen records passed between pacer's layers.

Every source (live hardware, simulated hardware, replayed files) yields the same
timestamped records; the pure core is advanced only by the timestamps inside them.

Time base
---------
``t_s`` everywhere is seconds on the *session timeline*: a monotonic clock whose origin
the source chooses (host ``time.monotonic()`` live, seconds since the first record in a
replay, simulated seconds in ``pacer sim``). The runtime subtracts the session start, so
stored ``t_s`` values are seconds since session start. UTC, when known, travels beside it.
"""

from __future__ import annotations

import datetime as _dt
import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pacer.units import mps_to_s_per_km

if TYPE_CHECKING:  # numpy is imported where a block's times are asked for, not with the records
    import numpy as np

# --------------------------------------------------------------------------- GPS


@dataclass(frozen=True, slots=True)
class Fix:
    """One receiver epoch, merged from that epoch's NMEA sentences.

    ``valid`` is False for a no-fix epoch; then ``lat_deg``/``lon_deg`` are None (never
    0,0). Fields a receiver did not send are None.
    """

    t_s: float  # session-timeline time the epoch was received (or derived from UTC in replay)
    utc: _dt.datetime | None  # timezone-aware UTC of the epoch, when the receiver gave it
    valid: bool
    lat_deg: float | None = None
    lon_deg: float | None = None
    alt_m: float | None = None
    speed_mps: float | None = None  # Doppler speed over ground
    course_deg: float | None = None
    fix_quality: int = 0  # GGA quality: 0 none, 1 GPS, 2 DGPS, 4 RTK, 5 float RTK, 6 DR...
    hdop: float | None = None
    sats: int | None = None  # satellites used in the solution
    pdop: float | None = None
    vdop: float | None = None
    sats_in_view: int | None = None
    lat_err_m: float | None = None  # 1-sigma from GST
    lon_err_m: float | None = None
    alt_err_m: float | None = None
    talker: str | None = None  # e.g. "GP", "GN" (talker of the position sentence)

    @property
    def has_position(self) -> bool:
        return self.valid and self.lat_deg is not None and self.lon_deg is not None


@dataclass(frozen=True, slots=True)
class NmeaBytes:
    """Bytes from a GPS receiver exactly as they arrived, stamped with the arrival time.

    The one GPS intake record: the serial reader thread, the simulated receiver, an NMEA
    log file and a session's raw log all deliver these; ``pacer.gps.decoder`` frames and
    parses them into :class:`Fix` records (``t_s`` on the session timeline).
    """

    t_s: float
    data: bytes


class DeviceState(enum.Enum):
    """What a device edge reports about itself (one event per change)."""

    UP = "up"
    LOST = "lost"
    BACK = "back"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class DeviceEvent:
    """A device came up, was lost, came back, or failed (``device``: "gps", "accel", ...)."""

    t_s: float
    device: str
    state: DeviceState
    message: str = ""


# --------------------------------------------------------------------------- accelerometer


@dataclass(frozen=True, slots=True, eq=False)
class AccelBlock:
    """A burst of accelerometer samples at a calibrated, uniform rate.

    ``samples_mps2`` has shape (n, 3), float64, in m/s^2 in the sensor frame. Sample ``i``
    was taken at ``t0_s + i / rate_hz``. ``lost_samples`` counts samples known to be missing
    *before* this block (FIFO overflow, bus error); the sampler restarts the time base then.
    """

    t0_s: float
    rate_hz: float
    samples_mps2: np.ndarray
    lost_samples: int = 0

    @property
    def n(self) -> int:
        return int(self.samples_mps2.shape[0])

    @property
    def t_end_s(self) -> float:
        """Time just after the last sample (start of the next block if contiguous)."""
        return self.t0_s + self.n / self.rate_hz

    def times_s(self) -> np.ndarray:
        import numpy as np

        return self.t0_s + np.arange(self.n) / self.rate_hz


# --------------------------------------------------------------------------- body sensors


@dataclass(frozen=True, slots=True)
class HeartRateSample:
    """One heart-rate reading: a strap's notification, or a point of a recorded file.

    ``rr_intervals_s``: beat-to-beat intervals since the previous reading, oldest first
    (empty when not sent). ``contact``: skin contact as the strap reports it (None when it
    does not say); a reading with ``contact`` False, or 0 bpm, is not a heart rate.
    """

    t_s: float
    heart_rate_bpm: float
    rr_intervals_s: tuple[float, ...] = ()
    contact: bool | None = None

    @property
    def usable(self) -> bool:
        return self.contact is not False and 20.0 <= self.heart_rate_bpm <= 260.0


@dataclass(frozen=True, slots=True)
class CadenceSample:
    """Cadence measured by another device (a footpod, a recorded file's ``cad``), steps/min."""

    t_s: float
    cadence_spm: float


# --------------------------------------------------------------------------- controls


class Control(enum.Enum):
    START_LAP = "start_lap"  # press of the start/lap button
    PAUSE = "pause"  # hold of the start/lap button (toggles pause)
    SKIP = "skip"
    END = "end"  # hold of the stop button


@dataclass(frozen=True, slots=True)
class ControlEvent:
    t_s: float
    control: Control


# --------------------------------------------------------------------------- estimates


class DistanceSource(enum.Enum):
    GPS = "gps"
    TRACK = "track"
    FUSED = "fused"
    STRIDE = "stride"


@dataclass(frozen=True, slots=True)
class Estimate:
    """The live state of the runner at ``t_s`` (emitted at 1 Hz by the runtime).

    Confidences are 0..1; a value is None when there is no estimate (standing, no GPS,
    degenerate input), never a made-up number.
    """

    t_s: float
    utc: _dt.datetime | None
    distance_m: float  # cumulative since session start
    speed_mps: float | None
    speed_confidence: float
    cadence_spm: float | None
    cadence_confidence: float
    distance_source: DistanceSource
    gps_ok: bool
    lat_deg: float | None = None
    lon_deg: float | None = None
    on_track: bool = False
    track_lap: int | None = None  # completed laps of the fitted oval
    track_position_m: float | None = None  # progress along the measure line, 0..lap length
    heart_rate_bpm: float | None = None  # the last usable reading, None when stale or absent

    @property
    def pace_s_per_km(self) -> float | None:
        """Pace from ``speed_mps``; None when unknown or not moving (see units)."""
        return mps_to_s_per_km(self.speed_mps)


@dataclass(frozen=True, slots=True)
class Footfall:
    """One detected step (for a metronome that locks to the runner)."""

    t_s: float
    confidence: float = 1.0


# --------------------------------------------------------------------------- coaching


class RepKind(enum.Enum):
    WORK = "work"
    RECOVERY = "recovery"
    WARMUP = "warmup"
    COOLDOWN = "cooldown"
    STEADY = "steady"


@dataclass(frozen=True, slots=True)
class Rep:
    """One completed workout step with target and actual (review JSON ``reps`` item)."""

    index: int
    kind: RepKind
    start_s: float
    duration_s: float
    distance_m: float
    start_utc: _dt.datetime | None = None
    target_distance_m: float | None = None
    target_duration_s: float | None = None
    target_pace_s_per_km: float | None = None
    pace_s_per_km: float | None = None
    cadence_spm: float | None = None
    distance_source: DistanceSource = DistanceSource.GPS
    label: str = ""  # e.g. "rep 3 of 8"
    completed: bool = True  # False: stopped short (END or session end mid-rep)


class CueKind(enum.Enum):
    SESSION_START = "session_start"
    PREVIEW = "preview"
    COUNTDOWN = "countdown"
    GO = "go"
    SPLIT = "split"
    HALFWAY = "halfway"
    TO_GO = "to_go"
    DRIFT = "drift"
    ON_TARGET = "on_target"
    REP_SUMMARY = "rep_summary"
    SESSION_SUMMARY = "session_summary"
    CADENCE = "cadence"
    GPS = "gps"
    STATUS = "status"
    HEART_RATE = "heart_rate"


@dataclass(frozen=True, slots=True)
class Cue:
    """Something to say. ``priority``: higher pre-empts lower (countdown/go > status).

    ``expires_s``: the time after which the cue is no longer true and must be dropped.
    """

    t_s: float
    kind: CueKind
    text: str
    priority: int = 1
    expires_s: float | None = None
    duration_s: float | None = None  # filled in by the audio path once rendered
    dropped: bool = False


@dataclass(frozen=True, slots=True)
class CueOutcome:
    """What became of one cue (session seconds): the audio path's report, stored with it.

    ``start_s``: when its first sample plays (None if dropped); ``latency_s`` (live): from
    ``say()`` to that first sample being handed to the sink; ``engine``: which
    synthesizer rendered it ("" when dropped before rendering).
    """

    t_s: float
    start_s: float | None
    duration_s: float
    dropped: bool
    engine: str
    text: str = ""
    kind: str = ""
    priority: int = 1
    truncated: bool = False
    reason: str = ""
    latency_s: float | None = None


# --------------------------------------------------------------------------- coaching modes


class Phase(enum.StrEnum):
    """Where the workout engine is in the current step (the strings are stored and shown)."""

    WAITING = "waiting"  # armed: until the runner starts (or a START_LAP press)
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"  # after the last step or END


class StartMode(enum.StrEnum):
    """How an armed step starts (``pacer sim``/``replay`` and the engine's option)."""

    AUTO = "auto"  # a START_LAP press, or the runner setting off
    BUTTON = "button"  # a START_LAP press only
    IMMEDIATE = "immediate"  # the first step at the first estimate; later ones as AUTO


class MetronomeMode(enum.StrEnum):
    """How the metronome plays when a workout step asks for it (``[audio] metronome``)."""

    OFF = "off"  # never
    FIXED = "fixed"  # clicks at the target from the step's start
    ADAPTIVE = "adaptive"  # from the runner's cadence, ramped to the target
    LOCKED = "locked"  # at the target, phase-locked to the runner's footfalls


# --------------------------------------------------------------------------- counters


@dataclass(slots=True)
class SkipCounters:
    """What an input stream skipped, kept with the session. Mutable tally, IO edge only."""

    lines: int = 0
    sentences: int = 0
    bad_checksum: int = 0
    unknown: int = 0
    garbage: int = 0
    malformed: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        d = {
            "lines": self.lines,
            "sentences": self.sentences,
            "bad_checksum": self.bad_checksum,
            "unknown": self.unknown,
            "garbage": self.garbage,
            "malformed": self.malformed,
        }
        d.update(self.extra)
        return d
