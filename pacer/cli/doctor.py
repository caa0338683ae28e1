"""``pacer doctor``: check every device and say how to fix what is wrong."""

from __future__ import annotations

import argparse

from pacer.cli.common_options import add_config_option, add_test_hook, config_from_args
from pacer.tools.doctor_fakes import FAKE_FAULTS


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
    add_test_hook(p, "--break", dest="fault", metavar="FAULT", choices=FAKE_FAULTS,
                  doc="with --fake-hardware: break the fakes in one way: "
                      f"{', '.join(FAKE_FAULTS)} (tests/integration/test_doctor.py)")
    p.add_argument("--no-sound", action="store_true", help="do not play the test phrase")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from pacer.errors import InputError
    from pacer.tools.doctor import Probes, Status, run_checks
    from pacer.tools.doctor_fakes import FakeHardware

    if args.fault and not args.fake_hardware:
        raise InputError("--break needs --fake-hardware")
    config = config_from_args(args)
    fake = None
    if args.fake_hardware:
        fake = FakeHardware(config, args.fault)
        probes = fake.probes()
        config = dataclasses.replace(
            config, audio=dataclasses.replace(config.audio, device="null"))
    else:
        probes = Probes()
    probes.audio_test = not args.no_sound
    try:
        checks = run_checks(config, probes)
    finally:
        if fake is not None:
            fake.close()
    for check in checks:
        print(check.line())
    problems = sum(c.status == Status.FAIL for c in checks)
    warnings = sum(c.status == Status.WARN for c in checks)
    print(f"\n{len(checks)} checks: {problems} problems, {warnings} warnings")
    return 1 if problems else 0
