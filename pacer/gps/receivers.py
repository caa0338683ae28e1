"""Receiver setup: u-blox (UBX) and MediaTek MT33xx (PMTK). Plain NMEA receivers need none.

Pure builders (:func:`ubx_frame`, :func:`ubx_cfg_rate`, :func:`ubx_cfg_nav5`,
:func:`ubx_cfg_prt`, :func:`pmtk`, ...) and ack parsers (:class:`UbxScanner`,
:func:`parse_pmtk_ack`) plus two small functions that talk to an open serial-like object
(``write``, ``read``, ``in_waiting``, ``baudrate``) with a timeout:
:func:`configure_ublox` and :func:`configure_mediatek`.

Why these settings (FIELD_NOTES): 1 Hz aliases a runner's within-stride speed wobble, so
5 Hz; u-blox's default *static hold* freezes position and speed below a threshold speed,
which swallows slow jogs, so it is set to 0 and the dynamic model to pedestrian (or
portable); MediaTek's navigation speed threshold (PMTK397 on MT3318/3329, PMTK386 on
MT3339) does the same and is set to 0.
"""

from __future__ import annotations

import enum
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from typing import TYPE_CHECKING

from pacer.gps.framer import LineFramer

if TYPE_CHECKING:
    from pacer.gps.port import SerialPort

UBX_SYNC = b"\xb5\x62"
CLS_CFG, CLS_ACK = 0x06, 0x05
ID_CFG_PRT, ID_CFG_RATE, ID_CFG_NAV5 = 0x00, 0x08, 0x24
ID_ACK_NAK, ID_ACK_ACK = 0x00, 0x01


class DynModel(enum.IntEnum):
    """UBX-CFG-NAV5 dynamic platform models that suit a runner."""

    PORTABLE = 0
    PEDESTRIAN = 3


# ------------------------------------------------------------------------ UBX builders


def ubx_checksum(body: bytes) -> bytes:
    """8-bit Fletcher checksum (CK_A, CK_B) over class, id, length and payload."""
    a = b = 0
    for byte in body:
        a = (a + byte) & 0xFF
        b = (b + a) & 0xFF
    return bytes((a, b))


def ubx_frame(msg_class: int, msg_id: int, payload: bytes = b"") -> bytes:
    """A complete UBX frame: sync, class, id, little-endian length, payload, checksum."""
    body = struct.pack("<BBH", msg_class, msg_id, len(payload)) + payload
    return UBX_SYNC + body + ubx_checksum(body)


def ubx_cfg_rate(rate_hz: float = 5.0) -> bytes:
    """UBX-CFG-RATE: measurement period ``1000/rate_hz`` ms, one solution each, GPS time."""
    meas_ms = round(1000.0 / rate_hz)
    if not 25 <= meas_ms <= 65535:
        raise ValueError(f"navigation rate {rate_hz} Hz out of range")
    return ubx_frame(CLS_CFG, ID_CFG_RATE, struct.pack("<HHH", meas_ms, 1, 1))


def ubx_cfg_nav5(dyn_model: DynModel = DynModel.PEDESTRIAN) -> bytes:
    """UBX-CFG-NAV5 setting only the dynamic model and static hold (threshold 0, 0 m).

    The mask (bit 0 dynamic model, bit 6 static hold) leaves every other setting as is.
    """
    mask = 0x0001 | 0x0040
    payload = struct.pack(
        "<HBBiIbBHHHHBBBB2sHB5s",
        mask,
        int(dyn_model),
        0,
        0,
        0,
        0,
        0,  # fixMode, fixedAlt, fixedAltVar, minElev, drLimit
        0,
        0,
        0,
        0,  # pDop, tDop, pAcc, tAcc
        0,
        0,
        0,
        0,
        b"\0\0",  # staticHoldThresh (cm/s), dgnssTimeout, cnoThreshNumSVs, cnoThresh
        0,
        0,
        b"\0" * 5,  # staticHoldMaxDist (m), utcStandard, reserved
    )
    return ubx_frame(CLS_CFG, ID_CFG_NAV5, payload)


def ubx_cfg_prt(baudrate: int, port_id: int = 1) -> bytes:
    """UBX-CFG-PRT for UART ``port_id``: 8N1 at ``baudrate``, UBX+NMEA(+RTCM) in, UBX+NMEA out."""
    payload = struct.pack("<BBHIIHHHH", port_id, 0, 0, 0x000008D0, baudrate, 0x0007, 0x0003, 0, 0)
    return ubx_frame(CLS_CFG, ID_CFG_PRT, payload)


@dataclass(frozen=True, slots=True)
class UbxMessage:
    msg_class: int
    msg_id: int
    payload: bytes


class UbxScanner:
    """Find checksum-valid UBX frames in a byte stream that also carries NMEA."""

    def __init__(self) -> None:
        self._buf = b""

    def feed(self, data: bytes) -> list[UbxMessage]:
        buf = self._buf + data
        out: list[UbxMessage] = []
        while True:
            i = buf.find(UBX_SYNC)
            if i < 0:
                buf = buf[-1:] if buf.endswith(b"\xb5") else b""
                break
            buf = buf[i:]
            if len(buf) < 8:
                break
            (n,) = struct.unpack_from("<H", buf, 4)
            if n > 2048:  # not a real frame: resync after this sync pair
                buf = buf[2:]
                continue
            if len(buf) < 8 + n:
                break
            body, ck = buf[2 : 6 + n], buf[6 + n : 8 + n]
            if ubx_checksum(body) == ck:
                out.append(UbxMessage(body[0], body[1], body[4:]))
                buf = buf[8 + n :]
            else:
                buf = buf[2:]
        self._buf = buf
        return out


def ubx_ack(messages: list[UbxMessage], msg_class: int, msg_id: int) -> bool | None:
    """True for ACK-ACK of (class, id), False for ACK-NAK, None if neither is present."""
    for m in messages:
        if m.msg_class == CLS_ACK and m.payload[:2] == bytes((msg_class, msg_id)):
            return m.msg_id == ID_ACK_ACK
    return None


# ------------------------------------------------------------------------ PMTK builders


def nmea_checksum(body: str) -> str:
    return f"{reduce(lambda a, c: a ^ ord(c), body, 0):02X}"


def pmtk(command: int, *fields: object) -> bytes:
    """``$PMTKnnn,f1,f2*hh\\r\\n``."""
    body = ",".join([f"PMTK{command:03d}", *(str(f) for f in fields)])
    return f"${body}*{nmea_checksum(body)}\r\n".encode("ascii")


def pmtk_rate(rate_hz: float = 5.0) -> bytes:
    """PMTK220: position fix interval in ms."""
    return pmtk(220, round(1000.0 / rate_hz))


def pmtk_sentences(
    rmc: int = 1,
    gga: int = 1,
    vtg: int = 0,
    gsa: int = 5,
    gsv: int = 25,
    gll: int = 0,
    zda: int = 0,
) -> bytes:
    """PMTK314: output every Nth fix for each sentence (0 = off)."""
    f = [gll, rmc, vtg, gga, gsa, gsv] + [0] * 11 + [zda, 0]
    return pmtk(314, *f)


def pmtk_baud(baudrate: int) -> bytes:
    """PMTK251: serial speed (no acknowledgement; the receiver switches at once)."""
    return pmtk(251, baudrate)


class PmtkAck(enum.IntEnum):
    INVALID = 0
    UNSUPPORTED = 1
    FAILED = 2
    OK = 3


def parse_pmtk_ack(line: str) -> tuple[int, PmtkAck] | None:
    """``$PMTK001,cmd,flag*hh`` -> (cmd, flag); None for anything else or a bad checksum."""
    line = line.strip()
    body, star, ck = line.lstrip("$").partition("*")
    if not line.startswith("$PMTK001,") or not star or ck.upper() != nmea_checksum(body):
        return None
    parts = body.split(",")
    try:
        return int(parts[1]), PmtkAck(int(parts[2]))
    except (IndexError, ValueError):
        return None


def nmea_bytes_per_s(rate_hz: float, sentences: dict[str, float]) -> float:
    """Serial load: ``sentences`` maps type -> typical length in bytes (incl. CRLF)."""
    return rate_hz * sum(sentences.values())


# ------------------------------------------------------------------------ talking


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What one setup command got: ``acked`` True/False, or None when no answer came."""

    name: str
    acked: bool | None
    detail: str = ""


def _read_some(port: SerialPort) -> bytes:
    return bytes(port.read(port.in_waiting or 1))


def _wait(
    port: SerialPort, clock: Callable[[], float], timeout_s: float, found: Callable[[bytes], object]
) -> object:
    deadline = clock() + timeout_s
    while clock() < deadline:
        data = _read_some(port)
        if data:
            got = found(data)
            if got is not None:
                return got
    return None


def _nmea_flows(port: SerialPort, clock: Callable[[], float], timeout_s: float) -> bool:
    framer = LineFramer()

    def found(data: bytes) -> object:
        for line in framer.feed(data):
            body, star, ck = line[1:].partition("*")
            if star and ck[:2].upper() == nmea_checksum(body):
                return True
        return None

    return _wait(port, clock, timeout_s, found) is True


def configure_ublox(
    port: SerialPort,
    rate_hz: float = 5.0,
    dyn_model: DynModel = DynModel.PEDESTRIAN,
    baudrate: int | None = None,
    timeout_s: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
) -> list[CommandResult]:
    """Set a u-blox receiver's rate and dynamic model (and baud), checking ACK-ACK/NAK.

    ``port`` is an open pyserial-like object with a short read timeout. The baud change
    comes last and only when the receiver answered the other commands (so probing an
    unknown receiver never moves the port off its speed); its ACK is sent at the new
    speed and often lost, so success is judged by checksum-valid NMEA at the new speed.
    """
    results = []
    for name, frame, cls_id in (
        ("UBX-CFG-RATE", ubx_cfg_rate(rate_hz), (CLS_CFG, ID_CFG_RATE)),
        ("UBX-CFG-NAV5", ubx_cfg_nav5(dyn_model), (CLS_CFG, ID_CFG_NAV5)),
    ):
        scanner = UbxScanner()
        port.write(frame)

        def acked(data: bytes, sc: UbxScanner = scanner, c: tuple[int, int] = cls_id) -> object:
            return ubx_ack(sc.feed(data), *c)

        ack = _wait(port, clock, timeout_s, acked)
        if isinstance(ack, bool):
            detail = "ACK" if ack else "NAK"
        else:
            detail = f"no answer in {timeout_s:g} s"
        results.append(CommandResult(name, ack if isinstance(ack, bool) else None, detail))
    if baudrate is not None:
        results.append(
            _maybe_switch_baud(
                port, results, ubx_cfg_prt(baudrate), "UBX-CFG-PRT", baudrate, timeout_s, clock
            )
        )
    return results


def configure_mediatek(
    port: SerialPort,
    rate_hz: float = 5.0,
    baudrate: int | None = None,
    sentences: bytes | None = None,
    timeout_s: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
) -> list[CommandResult]:
    """Set a MediaTek MT33xx receiver: sentence set, rate, speed threshold 0 (and baud).

    Each PMTK command is checked against its ``$PMTK001,cmd,flag`` answer. The sentence
    set goes first so a 5 Hz rate does not overflow the serial line. Both PMTK397
    (MT3318/3329) and PMTK386 (MT3339) are sent; one of them answers "unsupported".
    """
    results = []
    commands = [
        ("PMTK314", sentences if sentences is not None else pmtk_sentences()),
        ("PMTK220", pmtk_rate(rate_hz)),
        ("PMTK397", pmtk(397, 0)),
        ("PMTK386", pmtk(386, 0)),
    ]
    for name, cmd in commands:
        framer = LineFramer()
        want = int(name[4:])
        port.write(cmd)

        def found(data: bytes, f: LineFramer = framer, w: int = want) -> object:
            for line in f.feed(data):
                ack = parse_pmtk_ack(line)
                if ack is not None and ack[0] == w:
                    return ack[1]
            return None

        flag = _wait(port, clock, timeout_s, found)
        if not isinstance(flag, PmtkAck):
            results.append(CommandResult(name, None, f"no answer in {timeout_s:g} s"))
        else:
            results.append(CommandResult(name, flag is PmtkAck.OK, flag.name))
    if baudrate is not None:
        results.append(
            _maybe_switch_baud(
                port, results, pmtk_baud(baudrate), "PMTK251", baudrate, timeout_s, clock
            )
        )
    return results


def _maybe_switch_baud(
    port: SerialPort,
    results: list[CommandResult],
    command: bytes,
    name: str,
    baudrate: int,
    timeout_s: float,
    clock: Callable[[], float],
) -> CommandResult:
    """Change speed only when the receiver answered (ACK or NAK): a receiver of another
    make would keep its speed while the port moved away from it."""
    if all(r.acked is None for r in results):
        return CommandResult(name, None, "skipped: the receiver did not answer")
    return _switch_baud(port, command, name, baudrate, timeout_s, clock)


def _switch_baud(
    port: SerialPort,
    command: bytes,
    name: str,
    baudrate: int,
    timeout_s: float,
    clock: Callable[[], float],
) -> CommandResult:
    port.write(command)
    port.flush()
    port.baudrate = baudrate
    reset = getattr(port, "reset_input_buffer", None)
    if reset is not None:
        reset()  # bytes still buffered arrived at the old speed
    ok = _nmea_flows(port, clock, timeout_s)
    return CommandResult(
        name,
        ok,
        f"NMEA at {baudrate} baud"
        if ok
        else f"no valid NMEA at {baudrate} baud in {timeout_s:g} s",
    )
