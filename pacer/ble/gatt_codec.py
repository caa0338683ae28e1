"""Bluetooth GATT payloads pacer reads and writes, decoded and encoded exactly. Pure.

Heart Rate Measurement (0x2A37) from a strap; Running Speed and Cadence (RSC) Measurement
(0x2A53), RSC Feature (0x2A54), Sensor Location (0x2A5D) and the SC Control Point
(0x2A55) for pacer's footpod. Layouts follow the Bluetooth SIG Heart Rate Service 1.0,
Running Speed and Cadence Service 1.0 and the GATT Specification Supplement: all fields
little-endian, a flags octet first saying which optional fields follow.

A malformed payload raises :class:`pacer.errors.InputError` (a ``ValueError``) whose one
line names the characteristic and what was wrong. Only the standard library is used.
"""

from __future__ import annotations

import enum
import math
import struct
from dataclasses import dataclass

from pacer.errors import InputError

# --- assigned numbers (16-bit UUIDs) -------------------------------------------------------

HEART_RATE_SERVICE = 0x180D
HEART_RATE_MEASUREMENT = 0x2A37
RSC_SERVICE = 0x1814
RSC_MEASUREMENT = 0x2A53
RSC_FEATURE = 0x2A54
SENSOR_LOCATION = 0x2A5D
SC_CONTROL_POINT = 0x2A55

_BASE_UUID_SUFFIX = "-0000-1000-8000-00805f9b34fb"


def uuid16_to_str(uuid16: int) -> str:
    """The 128-bit UUID string BlueZ and bleak use for a 16-bit assigned number."""
    return f"0000{uuid16:04x}{_BASE_UUID_SUFFIX}"


def payload_error(what: str, payload: bytes, problem: str) -> InputError:
    return InputError(f"{what}: {problem} (payload {payload.hex(' ') or 'empty'})")


# --- Heart Rate Measurement 0x2A37 -------------------------------------------------------

HR_FLAG_UINT16 = 0x01
HR_FLAG_CONTACT_DETECTED = 0x02
HR_FLAG_CONTACT_SUPPORTED = 0x04
HR_FLAG_ENERGY = 0x08
HR_FLAG_RR = 0x10
RR_UNITS_PER_S = 1024.0


@dataclass(frozen=True)
class HeartRateMeasurement:
    """One decoded Heart Rate Measurement notification.

    Attributes
    ----------
    heart_rate_bpm : int
        Beats per minute (0 when a strap sends a placeholder while not worn).
    sensor_contact_supported : bool
        The strap reports skin contact at all.
    sensor_contact_detected : bool or None
        Skin contact, or None when the strap does not report it.
    energy_expended_kj : int or None
        Cumulative energy in kilojoules since the strap's last reset, when sent.
    rr_intervals_s : tuple of float
        Beat-to-beat intervals in seconds (sent in 1/1024 s), oldest first.
    """

    heart_rate_bpm: int
    sensor_contact_supported: bool = False
    sensor_contact_detected: bool | None = None
    energy_expended_kj: int | None = None
    rr_intervals_s: tuple[float, ...] = ()


def decode_heart_rate(payload: bytes) -> HeartRateMeasurement:
    """Decode a Heart Rate Measurement (0x2A37) value.

    Parameters
    ----------
    payload : bytes
        The characteristic value: flags, 8- or 16-bit heart rate, optional energy
        expended (uint16, kJ), optional RR intervals (uint16 each, 1/1024 s).

    Returns
    -------
    HeartRateMeasurement

    Raises
    ------
    InputError
        Empty or truncated payload, or an RR field of odd length.
    """
    what = "heart rate measurement 0x2A37"
    data = bytes(payload)
    if not data:
        raise payload_error(what, data, "empty payload")
    flags = data[0]
    wide = bool(flags & HR_FLAG_UINT16)
    pos = 3 if wide else 2
    if len(data) < pos:
        raise payload_error(what, data, f"{len(data)} bytes, the heart rate needs {pos}")
    bpm = struct.unpack_from("<H" if wide else "<B", data, 1)[0]
    energy_kj: int | None = None
    if flags & HR_FLAG_ENERGY:
        if len(data) < pos + 2:
            raise payload_error(what, data, "flags say energy expended follows but it is cut short")
        energy_kj = struct.unpack_from("<H", data, pos)[0]
        pos += 2
    rest = data[pos:]
    rr_s: tuple[float, ...] = ()
    if flags & HR_FLAG_RR:
        if len(rest) % 2:
            raise payload_error(what, data,
                                f"RR intervals take 2 bytes each, {len(rest)} bytes left")
        rr_s = tuple(v / RR_UNITS_PER_S for (v,) in struct.iter_unpack("<H", rest))
    elif rest:
        raise payload_error(what, data,
                            f"{len(rest)} bytes after the last field the flags announce")
    supported = bool(flags & HR_FLAG_CONTACT_SUPPORTED)
    detected = bool(flags & HR_FLAG_CONTACT_DETECTED) if supported else None
    return HeartRateMeasurement(bpm, supported, detected, energy_kj, rr_s)


def encode_heart_rate(m: HeartRateMeasurement) -> bytes:
    """Encode a Heart Rate Measurement the way a strap sends it (for fakes and tests).

    The 16-bit format is used only when the value does not fit 8 bits; RR intervals are
    rounded to the nearest 1/1024 s.
    """
    what = "heart rate measurement 0x2A37"
    if not 0 <= m.heart_rate_bpm <= 0xFFFF:
        raise InputError(f"{what}: heart rate {m.heart_rate_bpm} bpm outside 0-65535")
    flags = 0
    body = b""
    if m.heart_rate_bpm > 0xFF:
        flags |= HR_FLAG_UINT16
        body += struct.pack("<H", m.heart_rate_bpm)
    else:
        body += struct.pack("<B", m.heart_rate_bpm)
    if m.sensor_contact_supported:
        flags |= HR_FLAG_CONTACT_SUPPORTED
        if m.sensor_contact_detected:
            flags |= HR_FLAG_CONTACT_DETECTED
    if m.energy_expended_kj is not None:
        flags |= HR_FLAG_ENERGY
        body += _pack_unsigned(what, "energy expended kJ", m.energy_expended_kj, 16)
    if m.rr_intervals_s:
        flags |= HR_FLAG_RR
        for rr_s in m.rr_intervals_s:
            body += _pack_unsigned(what, "RR interval", _round_units(rr_s, RR_UNITS_PER_S), 16)
    return bytes([flags]) + body


def _round_units(value: float, units_per_one: float) -> int:
    if not math.isfinite(value):
        raise InputError(f"value {value} is not a finite number")
    return int(round(value * units_per_one))


def _pack_unsigned(what: str, field: str, value: int, bits: int) -> bytes:
    if not 0 <= value < (1 << bits):
        raise InputError(f"{what}: {field} {value} does not fit {bits} bits unsigned")
    return value.to_bytes(bits // 8, "little")


# --- RSC Measurement 0x2A53 --------------------------------------------------------------

RSC_FLAG_STRIDE = 0x01
RSC_FLAG_DISTANCE = 0x02
RSC_FLAG_RUNNING = 0x04
SPEED_UNITS_PER_MPS = 256.0
STRIDE_UNITS_PER_M = 100.0
DISTANCE_UNITS_PER_M = 10.0


@dataclass(frozen=True)
class RscMeasurement:
    """One Running Speed and Cadence Measurement.

    Attributes
    ----------
    speed_mps : float
        Instantaneous speed, m/s (sent in 1/256 m/s, so at most ~255.996 m/s).
    cadence_spm : int
        Instantaneous cadence, sent in "1/minute". The RSC service counts foot strikes
        of both feet, i.e. steps per minute; see docs/bluetooth.md for pods that differ.
    stride_length_m : float or None
        Instantaneous stride length in m (sent in 1/100 m), when known.
    total_distance_m : float or None
        Total distance in m (sent in 1/10 m, wraps at ~429 497 km), when known.
    running : bool
        The running/walking status bit (True = running).
    """

    speed_mps: float
    cadence_spm: int
    stride_length_m: float | None = None
    total_distance_m: float | None = None
    running: bool = True


def encode_rsc_measurement(m: RscMeasurement) -> bytes:
    """Encode an RSC Measurement (0x2A53) value; flags follow the optional fields given.

    Raises
    ------
    InputError
        A field is negative, not finite or does not fit its width.
    """
    what = "RSC measurement 0x2A53"
    flags = RSC_FLAG_RUNNING if m.running else 0
    body = _pack_unsigned(what, "speed", _round_units(m.speed_mps, SPEED_UNITS_PER_MPS), 16)
    body += _pack_unsigned(what, "cadence", int(m.cadence_spm), 8)
    if m.stride_length_m is not None:
        flags |= RSC_FLAG_STRIDE
        units = _round_units(m.stride_length_m, STRIDE_UNITS_PER_M)
        body += _pack_unsigned(what, "stride length", units, 16)
    if m.total_distance_m is not None:
        flags |= RSC_FLAG_DISTANCE
        units = _round_units(m.total_distance_m, DISTANCE_UNITS_PER_M)
        body += _pack_unsigned(what, "total distance", units, 32)
    return bytes([flags]) + body


def decode_rsc_measurement(payload: bytes) -> RscMeasurement:
    """Decode an RSC Measurement (0x2A53) value, e.g. from a Stryd or Polar Stride pod.

    Raises
    ------
    InputError
        Payload shorter or longer than its flags announce.
    """
    what = "RSC measurement 0x2A53"
    data = bytes(payload)
    if not data:
        raise payload_error(what, data, "empty payload")
    flags = data[0]
    need = 4 + (2 if flags & RSC_FLAG_STRIDE else 0) + (4 if flags & RSC_FLAG_DISTANCE else 0)
    if len(data) != need:
        raise payload_error(what, data, f"{len(data)} bytes, flags 0x{flags:02x} announce {need}")
    speed_units, cadence = struct.unpack_from("<HB", data, 1)
    pos = 4
    stride_m: float | None = None
    if flags & RSC_FLAG_STRIDE:
        stride_m = struct.unpack_from("<H", data, pos)[0] / STRIDE_UNITS_PER_M
        pos += 2
    distance_m: float | None = None
    if flags & RSC_FLAG_DISTANCE:
        distance_m = struct.unpack_from("<I", data, pos)[0] / DISTANCE_UNITS_PER_M
    return RscMeasurement(speed_units / SPEED_UNITS_PER_MPS, cadence, stride_m, distance_m,
                          bool(flags & RSC_FLAG_RUNNING))


# --- RSC Feature 0x2A54 and Sensor Location 0x2A5D ----------------------------------------


class RscFeature(enum.IntFlag):
    """RSC Feature (0x2A54) bits, a little-endian uint16."""

    STRIDE_LENGTH = 0x0001
    TOTAL_DISTANCE = 0x0002
    RUNNING_STATUS = 0x0004
    CALIBRATION = 0x0008
    MULTIPLE_SENSOR_LOCATIONS = 0x0010


def encode_rsc_feature(features: RscFeature) -> bytes:
    """RSC Feature value: two bytes, little-endian."""
    return struct.pack("<H", int(features))


def decode_rsc_feature(payload: bytes) -> RscFeature:
    """Decode RSC Feature; bits reserved for future use are kept, not refused."""
    data = bytes(payload)
    if len(data) != 2:
        raise payload_error("RSC feature 0x2A54", data, f"{len(data)} bytes, expected 2")
    return RscFeature(struct.unpack("<H", data)[0])


class SensorLocation(enum.IntEnum):
    """Sensor Location (0x2A5D) values from the GATT Specification Supplement."""

    OTHER = 0
    TOP_OF_SHOE = 1
    IN_SHOE = 2
    HIP = 3
    FRONT_WHEEL = 4
    LEFT_CRANK = 5
    RIGHT_CRANK = 6
    LEFT_PEDAL = 7
    RIGHT_PEDAL = 8
    FRONT_HUB = 9
    REAR_DROPOUT = 10
    CHAINSTAY = 11
    REAR_WHEEL = 12
    REAR_HUB = 13
    CHEST = 14
    SPIDER = 15
    CHAIN_RING = 16


def decode_sensor_location(payload: bytes) -> SensorLocation:
    """Decode a Sensor Location value (one octet)."""
    data = bytes(payload)
    if len(data) != 1:
        raise payload_error("sensor location 0x2A5D", data, f"{len(data)} bytes, expected 1")
    try:
        return SensorLocation(data[0])
    except ValueError:
        raise payload_error("sensor location 0x2A5D", data, f"unknown location {data[0]}") from None
