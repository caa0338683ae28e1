"""Where records come from: simulated hardware, recorded files, live hardware.

Every source yields the same records (``pacer.runtime.Record``). Simulation replaces
only the transport: the simulated receiver's NMEA bytes go into the production line
framer (fast) or through a pseudo-terminal into the production serial reader
(real time); the simulated accelerometer is a register-level fake chip on a fake I2C bus
read by the production driver and sampler (wired in :mod:`pacer.hw.fakes.wiring`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pacer.errors import InputError
from pacer.hw.fakes.wiring import FakeAccelerometer, FakeSerialLine, fake_accelerometer
from pacer.models import AccelBlock, Fix, RepKind, SkipCounters
from pacer.runtime import ManualClock, NmeaChunk, Record, gps_reader, merge_in_time

if TYPE_CHECKING:
    from pacer.coach.language.workout import PlannedStep
    from pacer.sim.accel import GaitSignal
    from pacer.sim.effort import Effort
    from pacer.sim.receiver import SimulatedReceiver
    from pacer.sim.runner import RunnerModel

# ---------------------------------------------------------------------- simulation


@dataclasses.dataclass
class SimSetup:
    """A simulated runner with its receiver and accelerometer signal."""

    runner: RunnerModel
    receiver: SimulatedReceiver
    signal: GaitSignal
    chip: str = "mpu6050"  # the fake accelerometer: "mpu6050" or "adxl345"
    accel_rate_hz: float = 100.0


def efforts_for_plan(plan: list[PlannedStep]) -> tuple[list[Effort], float]:
    """A simulated runner's efforts that follow a workout plan, and its start position.

    The runner starts far enough before the finish line that the first work rep starts
    on it when everything before it is run by distance (as on a real track).
    """
    from pacer.sim.effort import Effort

    efforts = [Effort("stand", duration_s=8.0, label="start")]
    before_first_rep_m = 0.0
    distance_known = True
    seen_work = False
    for step in plan:
        kind, label = step.kind, step.label or step.kind.value
        pace = step.target_pace_s_per_km
        speed = 1000.0 / pace if pace else None
        if kind == RepKind.WORK:
            seen_work = True
            if step.distance_m is not None and step.target_time_s is not None:
                eff = Effort("run", distance_m=step.distance_m, duration_s=step.target_time_s,
                             label=label)
            elif step.distance_m is not None:
                eff = Effort("run", distance_m=step.distance_m, speed_mps=speed or 4.2,
                             label=label)
            else:
                eff = Effort("run", duration_s=step.duration_s or 60.0, speed_mps=speed or 4.2,
                             label=label)
        elif kind == RepKind.RECOVERY and step.standing:
            eff = Effort("stand", duration_s=step.duration_s or 60.0, label=label)
        else:
            jog = speed or (2.7 if kind == RepKind.RECOVERY else 3.0)
            if step.distance_m is not None:
                eff = Effort("jog", distance_m=step.distance_m, speed_mps=jog, label=label)
            else:
                eff = Effort("jog", duration_s=step.duration_s or 60.0, speed_mps=jog,
                             label=label)
        if not seen_work:
            if eff.distance_m is None and eff.kind != "stand":
                distance_known = False
            before_first_rep_m += eff.distance_m or 0.0
        efforts.append(eff)
    efforts += [Effort("walk", duration_s=20.0, label="end"),
                Effort("stand", duration_s=5.0, label="end")]
    start_s_m = (-before_first_rep_m) % 400.0 if distance_known else 0.0
    return efforts, start_s_m


def build_sim(
    plan: list[PlannedStep] | None,
    *,
    seed: int = 0,
    gps_rate_hz: float = 1.0,
    placement: str = "hip",
    chip: str = "mpu6050",
    start_utc: dt.datetime | None = None,
) -> SimSetup:
    """The simulated runner following ``plan`` (or the built-in 6 x 400 m session), worn
    at ``placement`` with a fake ``chip``."""
    from pacer.sim.accel import GaitSignal
    from pacer.sim.receiver import SimulatedReceiver
    from pacer.sim.runner import RunnerModel
    from pacer.sim.scenarios import default_session_efforts

    if plan is None:
        efforts, start_s_m = default_session_efforts(), 0.0
    else:
        efforts, start_s_m = efforts_for_plan(plan)
    runner = RunnerModel(efforts, start_s_m=start_s_m, seed=seed)
    kwargs: dict[str, Any] = {"rate_hz": gps_rate_hz, "seed": seed}
    if start_utc is not None:
        kwargs["start_utc"] = start_utc
    receiver = SimulatedReceiver(runner, **kwargs)
    signal = GaitSignal(runner, placement=placement, seed=seed)
    return SimSetup(runner, receiver, signal, chip=chip)


def simulated_records_fast(
    setup: SimSetup, *, poll_s: float = 0.25, seed: int = 0
) -> Iterator[Record]:
    """Simulated hardware as fast as the CPU allows, in time order.

    The receiver's bytes for each epoch go to the pipeline's line framer; the fake chip's
    FIFO fills on a manual clock that jumps to each poll time, and the production
    sampler drains it in bursts (poll times jittered like a loaded scheduler).
    """
    from pacer.hw.sampler import Sampler

    clock = ManualClock(0.0)
    driver = fake_accelerometer(setup.chip, setup.signal, clock).driver(setup.accel_rate_hz)
    sampler = Sampler(driver, clock=clock, poll_interval_s=poll_s)
    duration_s = setup.runner.duration_s
    rng = np.random.default_rng([seed, 0xB10C])

    def accel() -> Iterator[Record]:
        n = int(duration_s / poll_s)
        times = (np.arange(1, n + 1) * poll_s + rng.uniform(0.0, 0.01, n)).tolist()
        for t in times:
            clock.t_s = t
            block = sampler.poll()
            if block is not None:
                yield block

    gps = (NmeaChunk(t, data) for t, data in setup.receiver.epochs())
    return merge_in_time(gps, accel())


class RealtimeSim:
    """Simulated hardware in real time: NMEA over a pty at the baud rate and a ticking
    fake chip on a fake I2C bus (polled, no interrupt line), with the production reader
    and sampler threads putting records into ``inbox``.

    ``raw_bytes``: the reader also puts the receiver's raw bytes into ``inbox`` (for the
    session's raw log), as on the device.
    """

    def __init__(self, setup: SimSetup, inbox: queue.Queue[Any], *,
                 clock: Callable[[], float], baud: int = 9600, raw_bytes: bool = True) -> None:
        self.setup = setup
        self.inbox = inbox
        self.clock = clock
        self.baud = baud
        self.line = FakeSerialLine("sim-receiver")
        self.port = self.line.port
        self.reader: Any = None
        self.sampler: Any = None
        self.accel: FakeAccelerometer | None = None
        self.raw_bytes = raw_bytes

    def start(self) -> None:
        from pacer.hw.sampler import Sampler

        self.reader = gps_reader(self.port, self.baud, self.inbox, clock=self.clock,
                                 raw=self.raw_bytes)
        self.reader.start()
        self.accel = fake_accelerometer(self.setup.chip, self.setup.signal, self.clock)
        self.accel.chip.start_ticking(0.005)
        self.sampler = Sampler(self.accel.driver(self.setup.accel_rate_hz), clock=self.clock,
                               poll_interval_s=0.1)
        self.sampler.start(self.inbox.put)
        self.line.start(self._write_gps)

    def hang(self) -> None:
        """Wedge the hardware: the I2C bus blocks and the receiver falls silent."""
        if self.accel is not None:
            self.accel.bus.hang.set()
        self.line.silence()

    def _write_gps(self, fd: int, silenced: threading.Event) -> None:
        self.setup.receiver.write_realtime(fd, clock=self.clock, baud=self.baud,
                                           stop=silenced.is_set)

    def stop(self) -> None:
        self.line.silence()
        if self.accel is not None:
            self.accel.bus.hang.clear()
        if self.sampler is not None:
            self.sampler.stop()
        if self.accel is not None:
            self.accel.chip.stop_ticking()
        if self.reader is not None:
            self.reader.stop()
        self.line.close()


# ---------------------------------------------------------------------- recorded files


def replay_records(
    *,
    nmea: str | Path | None = None,
    accel: str | Path | None = None,
    accel_units: str = "mps2",
    gpx: str | Path | None = None,
    fit: str | Path | None = None,
    counters: dict[str, SkipCounters] | None = None,
) -> tuple[Iterator[Record], dt.datetime | None]:
    """Records from recorded files, in time order, and the UTC of the first fix.

    GPS time comes from the receiver's UTC (seconds since the first epoch). The
    accelerometer CSV is aligned to it: epoch time stamps by UTC, relative ones from 0
    (the first GPS fix).
    """
    from pacer.formats.readers import fixes_from_fit, fixes_from_gpx, read_accel_csv

    counters = counters if counters is not None else {}
    if sum(x is not None for x in (nmea, gpx, fit)) > 1:
        raise InputError("give one GPS input: --nmea, --gpx or --fit")
    if nmea is None and gpx is None and fit is None and accel is None:
        raise InputError("nothing to replay: give --nmea, --gpx, --fit and/or --accel")
    fixes: list[Fix] = []
    if nmea is not None:
        from pacer.formats.nmea_log import fixes_from_nmea_file

        counters["nmea"] = SkipCounters()
        fixes = list(fixes_from_nmea_file(nmea, counters["nmea"]))
    elif gpx is not None:
        counters["gpx"] = SkipCounters()
        fixes = list(fixes_from_gpx(gpx, counters=counters["gpx"]))
    elif fit is not None:
        counters["fit"] = SkipCounters()
        try:
            fixes = list(fixes_from_fit(fit, counters=counters["fit"]))
        except InputError:
            if _is_fit_workout(fit):
                raise InputError(f"{fit}: a FIT workout, not an activity: give it as "
                                 f"--workout {fit}") from None
            raise
    first_utc = next((f.utc for f in fixes if f.utc is not None), None)
    t_first_utc_s = next((f.t_s for f in fixes if f.utc is not None), 0.0)
    streams: list[Iterator[Record]] = [iter(fixes)]
    if accel is not None:
        counters["accel"] = SkipCounters()
        blocks = read_accel_csv(accel, units=accel_units, counters=counters["accel"])
        streams.append(_aligned_blocks(blocks, first_utc, t_first_utc_s, str(accel)))
    return merge_in_time(*streams), first_utc


def _is_fit_workout(path: str | Path) -> bool:
    try:
        from pacer.formats.fit_workout import workout_from_fit

        workout_from_fit(str(path))
        return True
    except Exception:  # broad on purpose: only a hint for a better message
        return False


def _aligned_blocks(
    blocks: Iterator[AccelBlock], first_utc: dt.datetime | None, t_first_utc_s: float,
    path: str,
) -> Iterator[AccelBlock]:
    from pacer.formats.readers import looks_like_epoch

    for block in blocks:
        if block.t0_s > 1e11:  # past the year 5000 in seconds: ms or ns since some origin
            raise InputError(f"{path}: t_s values like {block.t0_s:.3g} are not seconds "
                             "(milliseconds or nanoseconds?); convert the column to seconds")
        if looks_like_epoch(block.t0_s):
            if first_utc is None:
                raise InputError(f"{path}: times are Unix epoch seconds but there is no "
                                 "GPS time to align them with; give --nmea/--gpx/--fit or "
                                 "relative times")
            shift = first_utc.timestamp() - t_first_utc_s
            block = dataclasses.replace(block, t0_s=block.t0_s - shift)
        yield block


def session_records(
    directory: str | Path, on_warning: Callable[[str], None] | None = None
) -> tuple[Iterator[Record], dt.datetime | None, dict[str, Any]]:
    """A pacer session's raw logs as records (re-run with today's code), its start UTC and
    its meta. The NMEA bytes keep their original arrival times, so the new session is
    what a live run with today's code would have produced. A damaged database only costs
    the meta (workout, start time); what the raw logs lack is reported to ``on_warning``.
    """
    from pacer.session.rawread import raw_log_problems
    from pacer.session.reader import iter_raw_accel, iter_raw_nmea, read_meta_or_empty

    path = Path(directory)
    meta = read_meta_or_empty(path, on_warning)
    problems = raw_log_problems(path)
    for problem in problems:
        if on_warning is not None:
            on_warning(problem)
    start = meta.get("start_utc")
    start_utc = dt.datetime.fromisoformat(start) if isinstance(start, str) else None
    copy = path / "gps.nmea"
    if problems and copy.is_file() and next(iter_raw_nmea(path), None) is None:
        # the database (and the raw data in it) cannot be read: the NMEA copy, GPS only
        if on_warning is not None:
            on_warning(f"replaying {copy} instead (GPS only)")
        records, first_utc = replay_records(nmea=copy)
        return records, start_utc or first_utc, meta
    gps = (NmeaChunk(t_s, data) for t_s, data in iter_raw_nmea(path))
    return merge_in_time(gps, iter_raw_accel(path)), start_utc, meta
