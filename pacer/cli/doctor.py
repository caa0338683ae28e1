"""``pacer doctor``: check every device and say how to fix what is wrong."""

from __future__ import annotations

import argparse

from pacer.cli.common_options import add_config_option, config_from_args


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "doctor",
        help="probe serial port, GPS, I2C, GPIO, audio, speech, disk and clock",
        description=(
            "Check the serial port (present, permissions), NMEA arriving and the fix, the "
            "receiver type, the I2C bus and the accelerometer's identity, its interrupt "
            "pin, the GPIO pins, the audio output (plays a test phrase), the speech "
            "engines, free disk and clock sync. Each problem comes with its fix. Exits 1 "
            "when something is wrong."
        ),
    )
    add_config_option(p)
    p.add_argument("--fake-hardware", action="store_true",
                   help="check against the simulated receiver, fake chip and mock pins")
    p.add_argument("--no-sound", action="store_true", help="do not play the test phrase")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pacer.tools.doctor import Probes, Status, fake_setup, report, run_checks

    config = config_from_args(args)
    fake = None
    if args.fake_hardware:
        from pacer.hw.fakes.hardware import FakeHardware

        fake = FakeHardware(config)
        config, probes = fake_setup(config, fake)
    else:
        probes = Probes()
    probes.audio_test = not args.no_sound
    try:
        checks = run_checks(config, probes)
    finally:
        if fake is not None:
            fake.close()
    print(report(checks))
    return 1 if any(c.status == Status.FAIL for c in checks) else 0
