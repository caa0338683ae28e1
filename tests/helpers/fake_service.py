"""A test-only entry point: ``pacer run`` on fake hardware that wedges after a while.

    python tests/helpers/fake_service.py --hang-after S run --fake-hardware [options]
    python tests/helpers/fake_service.py --garbage-after S run --fake-hardware [options]

The service tests start it as a real process (real signals, a real notify socket): the
``run`` options are ``pacer run``'s own, and the session runs through the service's
library function (:func:`pacer.service.serve`) with the hardware injected. ``S`` seconds
after the hardware starts, the fake I2C bus blocks (the sampler thread hangs inside a
transfer) and the simulated receiver falls silent, so the pipeline stops making
progress. With ``--garbage-after S`` the receiver sends random bytes from then on
instead (a wrong baud rate, a loose wire): the edges stay alive. The product has no such
flag.
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import sys
import threading
from collections.abc import Callable

from pacer.cli.run import add_parser, options
from pacer.coach.language.workout import Workout
from pacer.config import Config
from pacer.runtime import Record
from pacer.service import serve
from pacer.service.live import Hardware, HardwareFactory
from pacer.wiring.sim import RealtimeSim, SimSetup, build_sim


class HangingSim(RealtimeSim):
    """The simulated hardware of ``pacer run --fake-hardware``, wedged ``hang_after_s``
    seconds after it starts."""

    def __init__(self, setup: SimSetup, inbox: queue.Queue[Record], *, clock: Callable[[], float],
                 hang_after_s: float) -> None:
        super().__init__(setup, inbox, clock=clock)
        self._timer = threading.Timer(hang_after_s, self.wedge)
        self._timer.daemon = True

    def start(self) -> None:
        super().start()
        self._timer.start()

    def wedge(self) -> None:
        """The I2C bus blocks every transfer and the receiver falls silent."""
        if self.accel is not None:
            self.accel.bus.hang.set()
        self.line.silence()

    def stop(self) -> None:
        self._timer.cancel()
        super().stop()  # releases the bus, so the sampler thread can end


class NoisySim(RealtimeSim):
    """The simulated hardware, its receiver sending random bytes (~960 bytes/s, what
    9600 baud carries) from ``garbage_after_s`` seconds after it starts."""

    def __init__(self, setup: SimSetup, inbox: queue.Queue[Record], *, clock: Callable[[], float],
                 garbage_after_s: float) -> None:
        super().__init__(setup, inbox, clock=clock)
        self.garbage_after_s = garbage_after_s

    def _write_gps(self, fd: int, silenced: threading.Event) -> None:
        start = self.clock()
        self.setup.receiver.write_realtime(
            fd, clock=self.clock, baud=self.baud,
            stop=lambda: silenced.is_set() or self.clock() - start > self.garbage_after_s)
        noise = random.Random(15)
        while not silenced.wait(0.05):
            os.write(fd, noise.randbytes(48))


def hanging_sim(hang_after_s: float | None, garbage_after_s: float | None = None
                ) -> HardwareFactory:
    def make(config: Config, workout: Workout | None, inbox: queue.Queue[Record],
             clock: Callable[[], float], log: Callable[[str], None]) -> Hardware:
        setup = build_sim(workout.plan() if workout is not None else None)
        if garbage_after_s is not None:
            return NoisySim(setup, inbox, clock=clock, garbage_after_s=garbage_after_s)
        assert hang_after_s is not None
        return HangingSim(setup, inbox, clock=clock, hang_after_s=hang_after_s)

    return make


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fake_service", description=__doc__.splitlines()[0])
    fault = parser.add_mutually_exclusive_group(required=True)
    fault.add_argument("--hang-after", type=float, metavar="S")
    fault.add_argument("--garbage-after", type=float, metavar="S")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    if not args.fake_hardware:
        parser.error("the fault is injected into the fake hardware: give run --fake-hardware")
    return serve(options(args), make_hardware=hanging_sim(args.hang_after, args.garbage_after))


if __name__ == "__main__":
    sys.exit(main())
