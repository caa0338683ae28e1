"""``pacer doctor``: probe every device and say how to fix what is wrong.

Each check returns a :class:`Check` (ok / warning / problem) with the fix in one line
("add the user to dialout"). The devices are reached through :class:`Probes`, so the
same checks run against real hardware and against the fakes (a simulated receiver on a
pseudo-terminal, a register-level fake chip on a fake I2C bus, gpiozero's mock pins:
:class:`pacer.hw.fakes.hardware.FakeHardware`, reached through :func:`fake_setup`).
:func:`run_checks` runs them all; :func:`report` is what ``pacer doctor`` prints.
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
from pacer.errors import DeviceError, DeviceNotFound, DevicePermission, WrongChip

if TYPE_CHECKING:
    from pacer.gps.port import SerialPort
    from pacer.hw.accel import AccelDriver
    from pacer.hw.fakes.hardware import FakeHardware
    from pacer.hw.i2c import I2CBus

LISTEN_S = 3.0  # how long the NMEA check listens to the receiver
FIFO_CHECK_S = 0.3  # how long the accelerometer FIFO fills before it is read
STILL_MPS2 = (8.3, 11.3)  # |mean acceleration| of a unit lying still: 1 g, give or take
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
    lines = counters.lines
    out = []
    if lines == 0 and raw:
        out.append(Check("NMEA", Status.FAIL, f"bytes arrive at {config.gps.baudrate} baud but "
                         "no NMEA lines",
                         "wrong baud rate? set [gps] baudrate (try 9600, 38400 or 115200)"))
        return out
    if lines == 0:
        out.append(Check("NMEA", Status.FAIL, f"nothing arrived in {listen_s:g} s at "
                         f"{config.gps.baudrate} baud",
                         "check TX->RX wiring, the receiver's power and the baud rate "
                         "([gps] baudrate; u-blox default 9600, many modules 9600 or 115200)"))
        return out
    good = counters.sentences
    if good == 0:
        out.append(Check("NMEA", Status.FAIL,
                         f"{lines} lines but no valid sentence ({counters.bad_checksum} bad "
                         "checksums)", "wrong baud rate? try 9600, 38400 or 115200"))
        return out
    out.append(Check("NMEA", Status.OK, f"{good} valid sentences in {listen_s:g} s "
                     f"({counters.bad_checksum} bad checksums, {counters.garbage} garbage)"))
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
    text = raw.decode("ascii", "replace")
    if "u-blox" in text or ("$GNTXT" in text and "ROM" in text):
        kind = "u-blox"
    elif "$PMTK" in text or "MTK" in text:
        kind = "MediaTek"
    else:
        kind = f"NMEA (configured: {config.gps.receiver})"
    out.append(Check("GPS receiver", Status.OK, kind))
    return out


def check_accelerometer(config: Config, probes: Probes) -> list[Check]:
    chip = config.accel.chip
    if chip == "none":
        return [Check("accelerometer", Status.WARN, "none configured",
                      "cadence comes from the accelerometer: set [accel] chip")]
    if chip == "adxl335":
        try:
            from pacer.wiring.live import open_configured_accelerometer

            driver = open_configured_accelerometer(config, probes.pin_factory)
            xyz = driver.read_sample_mps2() if hasattr(driver, "read_sample_mps2") else None
            return [Check("accelerometer", Status.OK, f"ADXL335 via MCP3008 {xyz}")]
        except Exception as exc:  # broad catch on purpose: report any failure
            return [Check("accelerometer", Status.FAIL, f"ADXL335 via MCP3008: {exc}",
                          "enable SPI (dtparam=spi=on) and check the MCP3008 wiring")]
    try:
        if probes.open_i2c is not None:
            bus = probes.open_i2c(config.accel.i2c_bus)
        else:
            from pacer.hw.i2c import open_i2c_bus

            bus = open_i2c_bus(config.accel.i2c_bus)
    except DeviceNotFound as exc:
        return [Check("I2C bus", Status.FAIL, str(exc),
                      "dtparam=i2c_arm=on and dtparam=i2c_arm_baudrate=400000 in "
                      "/boot/firmware/config.txt, then reboot")]
    except DevicePermission as exc:
        return [Check("I2C bus", Status.FAIL, str(exc), "sudo adduser $USER i2c")]
    except DeviceError as exc:
        return [Check("I2C bus", Status.FAIL, str(exc))]
    out = [Check("I2C bus", Status.OK, f"/dev/i2c-{config.accel.i2c_bus} open")]
    try:
        from pacer.hw.probe import open_accelerometer

        driver = open_accelerometer(chip, bus=bus, address=config.accel.address,
                                    rate_hz=config.accel.rate_hz)
    except WrongChip as exc:
        out.append(Check(f"accelerometer ({chip})", Status.FAIL, str(exc),
                         "another chip answers at that address: set [accel] chip to the part "
                         "you have, or fit an MPU-6050 / ADXL345 (`i2cdetect -y 1` lists what "
                         "answers)"))
        return out
    except DeviceError as exc:
        out.append(Check(f"accelerometer ({chip})", Status.FAIL, str(exc),
                         "check SDA/SCL/3V3/GND wiring and the address pin (AD0 / SDO); "
                         "`i2cdetect -y 1` lists what answers"))
        return out
    out.append(Check(f"accelerometer ({chip})", Status.OK, f"{driver.name} answers, "
                     f"{driver.nominal_rate_hz:g} Hz"))
    time.sleep(FIFO_CHECK_S)
    read = driver.read_fifo()
    if read.n == 0:
        out.append(Check("accelerometer FIFO", Status.FAIL,
                         f"no samples after {FIFO_CHECK_S:g} s",
                         "the chip is not measuring: power-cycle it"))
    else:
        import numpy as np

        g_mps2 = float(np.linalg.norm(driver.to_mps2(read.counts).mean(axis=0)))
        status = Status.OK if STILL_MPS2[0] < g_mps2 < STILL_MPS2[1] else Status.WARN
        out.append(Check("accelerometer FIFO", status,
                         f"{read.n} samples in {FIFO_CHECK_S:g} s, |g| = {g_mps2:.2f} m/s^2",
                         "" if status == Status.OK else "keep the unit still for this check"))
    out.append(check_interrupt_pin(config, probes, driver))
    return out


def check_interrupt_pin(config: Config, probes: Probes, driver: AccelDriver) -> Check:
    pin = config.accel.int_pin
    if pin is None:
        return Check("accelerometer interrupt", Status.WARN, "not wired: polling",
                      "wire INT to a GPIO and set [accel] int_pin for lower CPU use")
    try:
        from gpiozero import DigitalInputDevice

        dev = DigitalInputDevice(pin, pull_up=None, active_state=True,
                                 pin_factory=probes.pin_factory)
    except Exception as exc:  # broad catch on purpose: doctor reports any failure, never raises
        return Check("accelerometer interrupt", Status.FAIL, f"GPIO{pin}: {exc}",
                     "add the user to gpio; on Bookworm install python3-lgpio")
    # the line is active while samples wait (data ready, or a FIFO watermark): drained
    # it falls; it must rise again once the next sample (or watermark's worth) is in
    samples_per_edge = getattr(driver, "watermark", 1)
    wait_s = max(1.0, 3.0 * samples_per_edge / driver.nominal_rate_hz)
    try:
        driver.read_fifo()
        seen: set[bool] = set()
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and len(seen) < 2:
            active = bool(dev.value)
            seen.add(active)
            if active:
                driver.read_fifo()  # clears it: it must fall again
            time.sleep(0.002)
        if len(seen) < 2:
            return Check("accelerometer interrupt", Status.FAIL,
                         f"GPIO{pin} never changed in {wait_s:g} s",
                         "check the INT wire and [accel] int_pin (BCM numbering)")
        return Check("accelerometer interrupt", Status.OK, f"GPIO{pin} toggles")
    finally:
        dev.close()


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
