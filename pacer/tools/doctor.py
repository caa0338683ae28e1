"""``pacer doctor``: probe every device and say how to fix what is wrong.

Each check returns a :class:`Check` (ok / warning / problem) with the fix in one line
("add the user to dialout"). The devices are reached through :class:`Probes`, so the
same checks run against real hardware and against the fakes (a simulated receiver on a
pseudo-terminal, a register-level fake chip on a fake I2C bus, gpiozero's mock pins:
:class:`pacer.hw.fakes.hardware.FakeHardware`, reached through :func:`fake_setup`).
The accelerometer checks live in :mod:`pacer.tools.doctor_accel`. :func:`run_checks`
runs them all; :func:`report` is what ``pacer doctor`` prints.
"""

from __future__ import annotations

import dataclasses
import enum
import os
import pwd
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pacer.config import Config
from pacer.errors import DeviceError

if TYPE_CHECKING:
    from pacer.gps.port import SerialPort
    from pacer.hw.fakes.hardware import FakeHardware
    from pacer.hw.i2c import I2CBus
    from pacer.models import SkipCounters

LISTEN_S = 3.0  # how long the NMEA check listens to the receiver
#: disk use of one hour of session, rounded up from 9.1 MB measured by
#: benchmarks/bench_session.py (docs/sessions.md): session.db 7.6 MB (the derived tables
#: and the raw data: NMEA, accelerometer at 100 Hz, 12 bytes a sample), the gps.nmea
#: copy 1.5 MB
SESSION_MB_PER_HOUR = 10.0


class Status(enum.Enum):
    OK = "ok"
    WARN = "warning"
    FAIL = "problem"


@dataclasses.dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = {Status.OK: "ok  ", Status.WARN: "warn", Status.FAIL: "FAIL"}[self.status]
        text = f"[{mark}] {self.name}: {self.detail}"
        return text + (f"\n       fix: {self.fix}" if self.fix else "")


@dataclasses.dataclass
class Probes:
    """How the checks reach the devices (real ones by default)."""

    open_serial: Callable[[str, int], SerialPort] | None = None  # None: pyserial
    open_i2c: Callable[[int], I2CBus] | None = None  # None: smbus2 via pacer.hw.i2c
    pin_factory: object = None  # a gpiozero pin factory; None: gpiozero's default
    boot_config: Path = Path("/boot/firmware/config.txt")
    data_dir: Path | None = None
    audio_test: bool = True
    clock_synced: Callable[[], bool | None] | None = None


def check_serial_port(config: Config, probes: Probes) -> Check:
    port = config.gps.port
    name = f"GPS serial port {port}"
    if probes.open_serial is not None:
        return Check(name, Status.OK, "present (simulated)")
    if not os.path.exists(port):
        fix = ("enable the UART: enable_uart=1 in /boot/firmware/config.txt and the serial "
               "console off (raspi-config nonint do_serial_hw 0; do_serial_cons 1), then reboot")
        if "USB" in port or "ACM" in port:
            fix = "plug the USB receiver in, or set [gps] port in the config"
        return Check(name, Status.FAIL, "missing", fix)
    if not os.access(port, os.R_OK | os.W_OK):
        user = pwd.getpwuid(os.getuid()).pw_name
        return Check(name, Status.FAIL, "permission denied",
                     f"add the user to dialout: sudo adduser {user} dialout (log in again)")
    return Check(name, Status.OK, "present, readable and writable")


def check_nmea(config: Config, probes: Probes, listen_s: float = LISTEN_S) -> list[Check]:
    """Listen to the receiver: NMEA arriving, checksums good, fix state, receiver type."""
    from pacer.gps.decoder import NmeaDecoder
    from pacer.gps.reader import open_port
    from pacer.models import SkipCounters

    try:
        if probes.open_serial is not None:
            port = probes.open_serial(config.gps.port, config.gps.baudrate)
        else:
            port = open_port(config.gps.port, config.gps.baudrate, None, timeout_s=0.1)
    except DeviceError as exc:
        return [Check("NMEA", Status.FAIL, str(exc), "see the serial port check")]
    counters = SkipCounters()
    decoder = NmeaDecoder(counters)
    fixes, raw = [], b""
    deadline = time.monotonic() + listen_s
    try:
        while time.monotonic() < deadline:
            data = bytes(port.read(port.in_waiting or 1))
            if not data:
                continue
            raw = (raw + data)[-4096:]
            fixes += decoder.feed(time.monotonic(), data)
    finally:
        port.close()
    fixes += decoder.end_epoch()
    silent = _no_nmea(config, counters, raw, listen_s)
    if silent is not None:
        return [silent]
    out = [Check("NMEA", Status.OK, f"{counters.sentences} valid sentences in {listen_s:g} s "
                 f"({counters.bad_checksum} bad checksums, {counters.garbage} garbage)")]
    rate = len(fixes) / listen_s
    valid = [f for f in fixes if f.valid]
    if valid:
        last = valid[-1]
        out.append(Check("GPS fix", Status.OK,
                         f"{len(valid)}/{len(fixes)} epochs with a fix (~{rate:.0f} Hz), "
                         f"{last.sats or '?'} satellites, HDOP {last.hdop or '?'}"))
    else:
        out.append(Check("GPS fix", Status.WARN, f"no fix yet ({len(fixes)} epochs)",
                         "go outside with a clear view of the sky; a cold start takes 30 s to "
                         "a few minutes"))
    out.append(Check("GPS receiver", Status.OK, _receiver_kind(raw, config)))
    return out


def _no_nmea(config: Config, counters: SkipCounters, raw: bytes, listen_s: float
             ) -> Check | None:
    """The problem when ``listen_s`` seconds brought no valid sentence, else None."""
    lines = counters.lines
    if lines == 0 and raw:
        return Check("NMEA", Status.FAIL, f"bytes arrive at {config.gps.baudrate} baud but "
                     "no NMEA lines",
                     "wrong baud rate? set [gps] baudrate (try 9600, 38400 or 115200)")
    if lines == 0:
        return Check("NMEA", Status.FAIL, f"nothing arrived in {listen_s:g} s at "
                     f"{config.gps.baudrate} baud",
                     "check TX->RX wiring, the receiver's power and the baud rate "
                     "([gps] baudrate; u-blox default 9600, many modules 9600 or 115200)")
    if counters.sentences == 0:
        return Check("NMEA", Status.FAIL,
                     f"{lines} lines but no valid sentence ({counters.bad_checksum} bad "
                     "checksums)", "wrong baud rate? try 9600, 38400 or 115200")
    return None


def _receiver_kind(raw: bytes, config: Config) -> str:
    """The receiver's make, as far as its last bytes ``raw`` tell."""
    text = raw.decode("ascii", "replace")
    if "u-blox" in text or ("$GNTXT" in text and "ROM" in text):
        return "u-blox"
    if "$PMTK" in text or "MTK" in text:
        return "MediaTek"
    return f"NMEA (configured: {config.gps.receiver})"


def check_gpio_pins(config: Config, probes: Probes) -> Check:
    c = config.controls
    pins = {"start": c.start_pin, "stop": c.stop_pin, "LED": c.led_pin, "buzzer": c.buzzer_pin}
    wired = {k: v for k, v in pins.items() if v is not None}
    used = [v for v in wired.values()] + ([config.accel.int_pin] if config.accel.int_pin else [])
    if len(set(used)) != len(used):
        return Check("GPIO pins", Status.FAIL, f"a pin is used twice: {wired}, "
                     f"INT {config.accel.int_pin}", "give each function its own pin")
    try:
        import warnings

        from gpiozero.exc import PinFactoryFallback

        from pacer.hw.controls import Controls

        warnings.simplefilter("ignore", PinFactoryFallback)
        ctl = Controls(lambda ev: None, clock=time.monotonic, start_pin=c.start_pin,
                       stop_pin=c.stop_pin, led_pin=c.led_pin, buzzer_pin=c.buzzer_pin,
                       pin_factory=probes.pin_factory)
        ctl.close()
    except Exception as exc:  # broad catch on purpose: doctor reports any failure, never raises
        return Check("GPIO pins", Status.FAIL, f"{wired}: {exc}",
                     "add the user to gpio; on Bookworm use Debian's python3-lgpio "
                     "(a venv made with --system-site-packages)")
    return Check("GPIO pins", Status.OK, ", ".join(f"{k} GPIO{v}" for k, v in wired.items()))


def check_speech(config: Config) -> list[Check]:
    out = []
    for engine in ("espeak", "pyttsx3"):
        try:
            from pacer.audio.output import synth_factories

            primary, _ = synth_factories(engine, voice=config.audio.voice,
                                         rate_wpm=config.audio.rate_wpm,
                                         volume=config.audio.volume, rate_hz=22050)
            t0 = time.perf_counter()
            pcm = primary().render("pacer ready")
            ms = 1000 * (time.perf_counter() - t0)
            status = Status.OK
            detail = f"renders ({len(pcm.samples) / pcm.rate_hz:.1f} s of speech in {ms:.0f} ms)"
        except Exception as exc:  # broad catch on purpose: doctor reports any failure, never raises
            status = Status.FAIL if engine == config.audio.engine else Status.WARN
            detail = f"{exc}"
        fix = "" if status == Status.OK else "sudo apt-get install espeak-ng libespeak-ng1"
        out.append(Check(f"speech ({engine})", status, detail, fix))
    return out


def check_audio_output(config: Config, probes: Probes) -> Check:
    if shutil.which("aplay") is None:
        return Check(
            "audio output", Status.FAIL, "aplay not found", "sudo apt-get install alsa-utils"
        )
    if not probes.audio_test:
        return Check("audio output", Status.OK, "aplay present (playback not tested)")
    from pacer.audio.synth import Pcm  # noqa: F401 - import check

    try:
        from pacer.audio.output import synth_factories

        primary, _ = synth_factories("espeak", voice=config.audio.voice,
                                     rate_wpm=config.audio.rate_wpm, volume=config.audio.volume,
                                     rate_hz=22050)
        pcm = primary().render("pacer audio check")
        proc = subprocess.run(
            ["aplay", "-q", "-t", "raw", "-f", "S16_LE", "-c1", "-r", str(pcm.rate_hz),
             "-D", config.audio.device],
            input=pcm.samples.astype("<i2").tobytes(), capture_output=True, timeout=15,
        )
    except Exception as exc:  # broad catch on purpose: doctor reports any failure, never raises
        return Check("audio output", Status.FAIL, str(exc))
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip().splitlines()
        return Check("audio output", Status.FAIL,
                     f"aplay -D {config.audio.device}: {err[-1] if err else proc.returncode}",
                     "list devices with `aplay -L`, set [audio] device; for I2S add "
                     "dtoverlay=hifiberry-dac (or your amplifier's overlay); add the user to audio")
    return Check("audio output", Status.OK, f"played a test phrase on '{config.audio.device}'")


def check_disk(probes: Probes, min_free_mb: float = 200.0) -> Check:
    from pacer.session.reader import default_data_dir

    path = probes.data_dir or default_data_dir()
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    usage = shutil.disk_usage(probe)
    free_mb = usage.free / 1e6
    hours = free_mb / SESSION_MB_PER_HOUR
    status = Status.OK if free_mb >= min_free_mb else Status.FAIL
    return Check("free disk", status, f"{free_mb:,.0f} MB free at {probe} (~{hours:,.0f} h of "
                 "sessions)", "" if status == Status.OK else "delete old sessions: pacer sessions")


def check_clock(probes: Probes) -> Check:
    synced: bool | None
    if probes.clock_synced is not None:
        synced = probes.clock_synced()
    elif Path("/run/systemd/timesync/synchronized").exists():
        synced = True
    elif shutil.which("timedatectl"):
        out = subprocess.run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"],
                             capture_output=True, text=True)
        synced = out.stdout.strip() == "yes" if out.returncode == 0 else None
    else:
        synced = None
    if synced:
        return Check("clock", Status.OK, "synchronised")
    return Check("clock", Status.WARN, "not known to be synchronised (no network on the run?)",
                 "sessions use GPS time when the receiver has a fix; sync once with Wi-Fi "
                 "(systemd-timesyncd) for correct file names")


def check_boot_config(probes: Probes) -> Check | None:
    path = probes.boot_config
    if not path.exists():
        return None  # not a Raspberry Pi
    text = path.read_text(errors="replace")
    missing = [k for k in ("enable_uart=1", "dtparam=i2c_arm=on") if k not in text]
    if missing:
        return Check("Pi boot config", Status.FAIL, f"{path} lacks {', '.join(missing)}",
                     f"add {' and '.join(missing)} to {path} and reboot (hardware/boot-config.txt)")
    return Check("Pi boot config", Status.OK, "UART and I2C enabled")


def run_checks(config: Config, probes: Probes | None = None, *,
               listen_s: float = LISTEN_S) -> list[Check]:
    """Every check, in order; the NMEA check listens ``listen_s`` seconds."""
    probes = probes or Probes()
    checks: list[Check] = []
    boot = check_boot_config(probes)
    if boot is not None:
        checks.append(boot)
    serial = check_serial_port(config, probes)
    checks.append(serial)
    if serial.status != Status.FAIL:
        checks += check_nmea(config, probes, listen_s)
    from pacer.tools.doctor_accel import check_accelerometer  # it imports Check from here

    checks += check_accelerometer(config, probes)
    checks.append(check_gpio_pins(config, probes))
    checks += check_speech(config)
    checks.append(check_audio_output(config, probes))
    checks.append(check_disk(probes))
    checks.append(check_clock(probes))
    return checks


def report(checks: list[Check]) -> str:
    """One line (and its fix) per check, then the count of problems and warnings."""
    problems = sum(c.status == Status.FAIL for c in checks)
    warnings = sum(c.status == Status.WARN for c in checks)
    lines = [check.line() for check in checks]
    return "\n".join(lines) + f"\n\n{len(checks)} checks: {problems} problems, {warnings} warnings"


def fake_setup(config: Config, hardware: FakeHardware,
               data_dir: Path | None = None) -> tuple[Config, Probes]:
    """The config and probes that check ``hardware`` (the fakes) instead of this machine's
    devices: its serial line, I2C bus and mock pins, no Pi boot config, a synchronised
    clock, and the null audio device."""
    from pacer.gps.reader import open_port

    probes = Probes(
        open_serial=lambda _port, baud: open_port(hardware.port, baud, None, timeout_s=0.1),
        open_i2c=lambda _n: hardware.accel.bus,
        pin_factory=hardware.factory,
        boot_config=Path("/nonexistent/config.txt"),
        data_dir=data_dir,
        clock_synced=lambda: True,
    )
    config = dataclasses.replace(config, audio=dataclasses.replace(config.audio, device="null"))
    return config, probes
