"""A test-only entry point: ``pacer run`` on fake hardware that wedges after a while.

    python tests/helpers/fake_service.py --hang-after S run --fake-hardware [options]

The service tests start it as a real process (real signals, a real notify socket): the
``run`` options are ``pacer run``'s own, and the session runs through the service's
library function (:func:`pacer.service.serve`) with the hardware injected. ``S`` seconds
after the hardware starts, the fake I2C bus blocks (the sampler thread hangs inside a
transfer) and the simulated receiver falls silent, so the pipeline stops making
progress. The product has no such flag.
"""

from __future__ import annotations

import argparse
import queue
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


def hanging_sim(hang_after_s: float) -> HardwareFactory:
    def make(config: Config, workout: Workout | None, inbox: queue.Queue[Record],
             clock: Callable[[], float], log: Callable[[str], None]) -> Hardware:
        setup = build_sim(workout.plan() if workout is not None else None)
        return HangingSim(setup, inbox, clock=clock, hang_after_s=hang_after_s)

    return make


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fake_service", description=__doc__.splitlines()[0])
    parser.add_argument("--hang-after", type=float, required=True, metavar="S")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    if not args.fake_hardware:
        parser.error("the hang is injected into the fake hardware: give run --fake-hardware")
    return serve(options(args), make_hardware=hanging_sim(args.hang_after))


if __name__ == "__main__":
    sys.exit(main())
