"""Simulated hardware as a source of records, and ``pacer sim`` (:func:`run_sim`).

Every source yields the same records (``pacer.runtime.Record``). Simulation replaces
only the transport: the simulated receiver's NMEA bytes become ``NmeaBytes`` records
(fast) or go through a pseudo-terminal to the production serial reader (real time), and
the runtime decodes both alike; the simulated accelerometer is a register-level fake
chip on a fake I2C bus read by the production driver and sampler (wired in
:mod:`pacer.hw.fakes.wiring`).
Recorded files are in :mod:`pacer.wiring.replay`, live hardware in
:mod:`pacer.wiring.live`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import queue
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from pacer.config import Config
from pacer.hw.fakes.wiring import FakeAccelerometer, FakeSerialLine, fake_accelerometer
from pacer.models import NmeaBytes, RepKind
from pacer.queue_driver import run_queue
from pacer.runtime import Pipeline, Record, record_time_s, run_records
from pacer.wiring.clocks import ManualClock, SessionClock
from pacer.wiring.live import BURST_INTERVAL_S, gps_reader
from pacer.wiring.merge import merge_in_time

if TYPE_CHECKING:
    from gpiozero.pins.mock import MockFactory

    from pacer.coach.language.workout import PlannedStep
    from pacer.gps.reader import SerialReader
    from pacer.hw.sampler import Sampler
    from pacer.sim.accel import GaitSignal
    from pacer.sim.effort import Effort
    from pacer.sim.receiver import SimulatedReceiver
    from pacer.sim.runner import RunnerModel

# ---------------------------------------------------------------------- simulation

#: the mock GPIO (BCM number) of the fake chip's interrupt line
FAKE_INT_PIN = 17


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
        if step.until_hr_below_bpm is not None and step.duration_s is None and (
                step.distance_m is None):  # fmt: skip
            eff = Effort("jog", duration_s=until_hr_jog_s(efforts, step.until_hr_below_bpm),
                         speed_mps=UNTIL_HR_JOG_MPS, label=label)
        elif kind == RepKind.WORK:
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


UNTIL_HR_JOG_MPS = 2.0  # a slow jog: the simulated heart rate settles near 110 bpm


def until_hr_jog_s(efforts: list[Effort], threshold_bpm: float) -> float:
    """How long the simulated runner jogs in an ``until hr < X`` recovery: until the
    default heart-rate model (run along the efforts so far) is 3 bpm below X, plus the
    engine's dwell and countdown (3 s each) and a second (at most 5 min)."""
    from pacer.sim.heart_rate import HeartRateModel

    model = HeartRateModel()
    hr = float(model.steady_bpm(0.0))
    for eff in efforts:
        v = eff.target_speed_mps
        d = eff.duration_s if eff.duration_s is not None else (eff.distance_m or 0.0) / max(v, 0.5)
        ss = float(model.steady_bpm(v))
        hr = ss + (hr - ss) * np.exp(-d / (model.rise_tau_s if ss > hr else model.fall_tau_s))
    low = float(model.steady_bpm(UNTIL_HR_JOG_MPS))
    goal = threshold_bpm - 3.0
    drop_s = model.fall_tau_s * np.log((hr - low) / (goal - low)) if hr > goal > low else 0.0
    return float(min(drop_s + 3.0 + 3.0 + 1.0, 300.0))


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
    from pacer.sim.receiver import DEFAULT_START_UTC, SimulatedReceiver
    from pacer.sim.runner import RunnerModel
    from pacer.sim.scenarios import default_session_efforts

    if plan is None:
        efforts, start_s_m = default_session_efforts(), 0.0
    else:
        efforts, start_s_m = efforts_for_plan(plan)
    runner = RunnerModel(efforts, start_s_m=start_s_m, seed=seed)
    receiver = SimulatedReceiver(runner, rate_hz=gps_rate_hz, seed=seed,
                                 start_utc=start_utc or DEFAULT_START_UTC)
    signal = GaitSignal(runner, placement=placement, seed=seed)
    return SimSetup(runner, receiver, signal, chip=chip)


def simulated_records_fast(
    setup: SimSetup, *, poll_s: float = 0.25, seed: int = 0,
    heart_rate: Iterator[Record] | None = None,
) -> Iterator[Record]:
    """Simulated hardware as fast as the CPU allows, in time order.

    The receiver's bytes for each epoch are one ``NmeaBytes`` record; the fake chip's
    FIFO fills on a manual clock that jumps to each poll time, and the production
    sampler drains it in bursts (poll times jittered like a loaded scheduler).
    ``heart_rate``: a simulated strap's readings, merged in.
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

    gps = (NmeaBytes(t, data) for t, data in setup.receiver.epochs())
    if heart_rate is not None:
        return merge_in_time(gps, accel(), heart_rate)
    return merge_in_time(gps, accel())


class RealtimeSim:
    """Simulated hardware in real time: NMEA over a pty at the baud rate and a ticking
    fake chip on a fake I2C bus with its interrupt line on a mock GPIO, with the
    production reader and sampler threads putting records into ``inbox``.
    """

    def __init__(self, setup: SimSetup, inbox: queue.Queue[Record], *,
                 clock: Callable[[], float], baud: int = 9600) -> None:
        self.setup = setup
        self.inbox = inbox
        self.clock = clock
        self.baud = baud
        self.line = FakeSerialLine("sim-receiver")
        self.port = self.line.port
        self.reader: SerialReader | None = None
        self.sampler: Sampler | None = None
        self.accel: FakeAccelerometer | None = None
        self.pins: MockFactory | None = None
        self.start_utc = setup.receiver.start_utc

    def edges(self) -> tuple[str, ...]:
        """The edges whose records show progress: GPS, and the accelerometer once sampled."""
        return ("gps", "accel") if self.sampler is not None else ("gps",)

    def start(self) -> None:
        from gpiozero.pins.mock import MockFactory

        from pacer.hw.sampler import Sampler

        self.reader = gps_reader(self.port, self.baud, self.inbox, clock=self.clock)
        self.reader.start()
        self.pins = MockFactory()  # the chip's INT line on a mock GPIO, as on the device
        self.accel = fake_accelerometer(self.setup.chip, self.setup.signal, self.clock,
                                        int_pin=self.pins.pin(FAKE_INT_PIN))
        self.accel.chip.start_ticking(0.005)
        self.sampler = Sampler(self.accel.driver(self.setup.accel_rate_hz), clock=self.clock,
                               interrupt_pin=FAKE_INT_PIN, pin_factory=self.pins,
                               poll_interval_s=BURST_INTERVAL_S)
        self.sampler.start(self.inbox.put)
        self.line.start(self._write_gps)

    def _write_gps(self, fd: int, silenced: threading.Event) -> None:
        self.setup.receiver.write_realtime(fd, clock=self.clock, baud=self.baud,
                                           stop=silenced.is_set)

    def stop(self) -> None:
        self.line.silence()
        if self.accel is not None:
            self.accel.bus.hang.clear()  # a wedged bus lets the sampler thread end
        if self.sampler is not None:
            self.sampler.stop()
        if self.accel is not None:
            self.accel.chip.stop_ticking()
        if self.pins is not None:
            self.pins.close()
        if self.reader is not None:
            self.reader.stop()
        self.line.close()


# ---------------------------------------------------------------------- pacer sim


@dataclasses.dataclass(frozen=True)
class SimOptions:
    """What ``pacer sim`` was asked for (see its ``--help``)."""

    workout: str
    realtime: bool = False
    seed: int = 0
    gps_rate_hz: float = 1.0
    placement: str = "hip"
    chip: str = "mpu6050"
    session_dir: str | None = None
    audio_out: str | None = None
    speak: bool = False
    status_every_s: float | None = None  # None: 30 s fast, 5 s in real time
    quiet: bool = False
    duration_s: float | None = None  # None: the whole simulated session
    heart_rate: bool = False  # a simulated chest strap (fast mode)


def run_sim(options: SimOptions, config: Config) -> int:
    """``pacer sim``: the coach on the simulated runner; 1 if the session is incomplete."""
    from pacer.wiring.session import (
        ConsolePrinter,
        build_session,
        load_workout,
        make_audio,
        print_summary,
        refuse_existing_session,
        session_problems,
    )

    o = options
    workout = load_workout(o.workout, config)
    assert workout is not None  # a spec was given
    setup = build_sim(workout.plan(), seed=o.seed, gps_rate_hz=o.gps_rate_hz,
                      placement=o.placement, chip=o.chip)
    refuse_existing_session(o.session_dir)
    audio = None
    if o.audio_out or (o.realtime and o.speak):
        audio = make_audio(config, live=o.realtime, sink="alsa" if o.speak else "null",
                           wav_path=o.audio_out)
    every_s = o.status_every_s if o.status_every_s is not None else (5.0 if o.realtime else 30.0)
    printer = None if o.quiet else ConsolePrinter(every_s=every_s)
    parts = build_session(
        kind="sim", config=config, workout=workout, session_dir=o.session_dir,
        sources={"sim": {"seed": o.seed, "gps_rate_hz": o.gps_rate_hz,
                         "placement": o.placement, "chip": o.chip,
                         "mode": "realtime" if o.realtime else "fast",
                         **({"heart_rate": "strap"} if o.heart_rate else {})}},
        start_utc=setup.receiver.start_utc, audio=audio, printer=printer,
        flush_every_ticks=1 if o.realtime else 300,
    )
    if printer is not None:
        print(f"pacer sim: {workout.name}: {workout.source_text.strip()}")
        print(f"session:   {parts.session_dir}")
    _feed(parts.pipeline, setup, o, config)
    print_summary(parts)
    return 1 if session_problems(parts) else 0


def _feed(pipeline: Pipeline, setup: SimSetup, o: SimOptions, config: Config) -> None:
    """Run the simulated session through ``pipeline``: in real time or as fast as it goes."""
    duration_s = setup.runner.duration_s if o.duration_s is None else o.duration_s
    strap = None
    if o.heart_rate:
        from pacer.wiring.heart_rate import model_from_config, simulated_strap_records

        strap = simulated_strap_records(setup.runner, seed=o.seed,
                                        model=model_from_config(config.heart_rate))
    if o.realtime:
        inbox: queue.Queue[Record] = queue.Queue()
        clock = SessionClock()
        sim = RealtimeSim(setup, inbox, clock=clock)
        sim.start()
        stop = threading.Event()
        if strap is not None:
            threading.Thread(target=_paced_into, args=(strap, inbox, clock, stop),
                             name="sim-strap", daemon=True).start()
        try:
            run_queue(pipeline, inbox, clock=clock, max_duration_s=duration_s)
        finally:
            stop.set()
            sim.stop()
        return
    records = simulated_records_fast(setup, seed=o.seed, heart_rate=strap)
    if o.duration_s is not None:  # records come in time order: stop at the first after
        records = itertools.takewhile(lambda r: record_time_s(r) <= duration_s, records)
    run_records(pipeline, records)


def _paced_into(records: Iterator[Record], inbox: queue.Queue[Record],
                clock: Callable[[], float], stop: threading.Event) -> None:
    """Put each record into ``inbox`` once ``clock`` reaches its time (a strap's thread)."""
    for record in records:
        while (wait_s := record_time_s(record) - clock()) > 0:
            if stop.wait(min(wait_s, 0.2)):
                return
        inbox.put(record)
