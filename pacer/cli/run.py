"""``pacer run``: the coach on real sensors (what the systemd service runs)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pacer.cli.argtypes import positive_float
from pacer.cli.common_options import (
    add_coach_options,
    add_config_option,
    add_session_dir_option,
    add_workout_option,
)

if TYPE_CHECKING:
    from pacer.service import RunOptions


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "run",
        help="run the coach on the real sensors (the systemd service runs this)",
        description=(
            "Run the coach on the hardware named in the config: GPS on the UART, the "
            "accelerometer on I2C/SPI, buttons and LED on GPIO, speech on the sound card. "
            "Under systemd it reports READY once the sensors are up, STATUS lines, and "
            "watchdog pings while the pipeline makes progress. SIGTERM ends the session "
            "cleanly; SIGHUP reloads the config."
        ),
    )
    add_config_option(p)
    add_coach_options(p)
    add_workout_option(p, purpose="workout to coach; default: [coach] workout in the config, "
                                  "or free run")
    add_session_dir_option(p)
    p.add_argument("--fake-hardware", action="store_true",
                   help="use the simulated runner, receiver (over a pty) and fake chip instead "
                        "of real devices (for trying the service without hardware)")
    p.add_argument("--duration", type=positive_float, default=None, metavar="S",
                   help="end the session after this many seconds")
    p.add_argument("--no-audio", action="store_true", help="do not speak")
    p.set_defaults(func=run)


def options(args: argparse.Namespace) -> RunOptions:
    """The service's options from the parsed arguments."""
    from pacer.service import RunOptions

    return RunOptions(config_path=args.config, workout=args.workout,
                      session_dir=args.session_dir, fake_hardware=args.fake_hardware,
                      duration_s=args.duration, speak=not args.no_audio,
                      profile=args.profile, units=args.units)


def run(args: argparse.Namespace) -> int:
    from pacer.service import serve

    return serve(options(args))
