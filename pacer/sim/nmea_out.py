"""NMEA 0183 (4.1) sentence formatting for the simulated receiver. Pure string building.

Field layouts follow the u-blox M8 receiver description (UBX-13003221, section 31,
NMEA 4.1 output: RMC with mode and navigational status, GSA with system id), which is
what most receivers on a Pi UART emit today.
"""

from __future__ import annotations

import datetime as dt

from pacer.units import MPS_TO_KMH, MPS_TO_KNOTS


def checksum(body: str) -> int:
    """XOR of the characters between ``$`` and ``*``."""
    c = 0
    for b in body.encode("ascii"):
        c ^= b
    return c


def sentence(body: str) -> bytes:
    """``body`` (e.g. ``"GNRMC,..."``) framed as ``$body*HH\\r\\n``."""
    return f"${body}*{checksum(body):02X}\r\n".encode("ascii")


def _lat(lat_deg: float) -> tuple[str, str]:
    total_min = round(abs(lat_deg) * 60.0, 5)
    deg = int(total_min // 60)
    return f"{deg:02d}{total_min - deg * 60:08.5f}", "N" if lat_deg >= 0 else "S"


def _lon(lon_deg: float) -> tuple[str, str]:
    total_min = round(abs(lon_deg) * 60.0, 5)
    deg = int(total_min // 60)
    return f"{deg:03d}{total_min - deg * 60:08.5f}", "E" if lon_deg >= 0 else "W"


def hhmmss(utc: dt.datetime) -> str:
    return f"{utc.hour:02d}{utc.minute:02d}{utc.second + utc.microsecond / 1e6:05.2f}"


def ddmmyy(utc: dt.datetime) -> str:
    return f"{utc.day:02d}{utc.month:02d}{utc.year % 100:02d}"


def rmc(talker: str, utc: dt.datetime, lat_deg: float | None, lon_deg: float | None,
        speed_mps: float | None, course_deg: float | None) -> bytes:
    """RMC; a void (status V) sentence when ``lat_deg`` is None."""
    if lat_deg is None or lon_deg is None:
        return sentence(f"{talker}RMC,{hhmmss(utc)},V,,,,,,,{ddmmyy(utc)},,,N,V")
    la, ns = _lat(lat_deg)
    lo, ew = _lon(lon_deg)
    spd = "" if speed_mps is None else f"{speed_mps * MPS_TO_KNOTS:.3f}"
    crs = "" if course_deg is None else f"{course_deg:.2f}"
    return sentence(f"{talker}RMC,{hhmmss(utc)},A,{la},{ns},{lo},{ew},{spd},{crs},"
                    f"{ddmmyy(utc)},,,A,V")


def gga(talker: str, utc: dt.datetime, lat_deg: float | None, lon_deg: float | None,
        sats: int, hdop: float, alt_m: float, geoid_sep_m: float) -> bytes:
    """GGA; quality 0 and empty position when ``lat_deg`` is None."""
    if lat_deg is None or lon_deg is None:
        return sentence(f"{talker}GGA,{hhmmss(utc)},,,,,0,{sats:02d},99.99,,,,,,")
    la, ns = _lat(lat_deg)
    lo, ew = _lon(lon_deg)
    return sentence(f"{talker}GGA,{hhmmss(utc)},{la},{ns},{lo},{ew},1,{sats:02d},{hdop:.2f},"
                    f"{alt_m:.1f},M,{geoid_sep_m:.1f},M,,")


def gsa(talker: str, valid: bool, prns: list[int], pdop: float, hdop: float, vdop: float,
        system_id: int = 1) -> bytes:
    """GSA (NMEA 4.1, with system id); mode 1 (no fix) when not ``valid``."""
    ids = [f"{p:02d}" for p in prns[:12]] + [""] * (12 - min(len(prns), 12))
    if not valid:
        return sentence(f"{talker}GSA,A,1,{','.join([''] * 12)},99.99,99.99,99.99,{system_id}")
    return sentence(f"{talker}GSA,A,3,{','.join(ids)},{pdop:.2f},{hdop:.2f},{vdop:.2f},"
                    f"{system_id}")


def vtg(talker: str, speed_mps: float | None, course_deg: float | None) -> bytes:
    """VTG (course true, speed in knots and km/h, mode); mode N with no fix."""
    if speed_mps is None:
        return sentence(f"{talker}VTG,,T,,M,,N,,K,N")
    crs = "" if course_deg is None else f"{course_deg:.2f}"
    return sentence(f"{talker}VTG,{crs},T,,M,{speed_mps * MPS_TO_KNOTS:.3f},N,"
                    f"{speed_mps * MPS_TO_KMH:.3f},K,A")


def gst(talker: str, utc: dt.datetime, rms_m: float | None, lat_err_m: float | None,
        lon_err_m: float | None, alt_err_m: float | None) -> bytes:
    """GST (pseudorange residual rms and 1-sigma position errors); empty with no fix."""
    if rms_m is None or lat_err_m is None or lon_err_m is None or alt_err_m is None:
        return sentence(f"{talker}GST,{hhmmss(utc)},,,,,,,")
    smaj = max(lat_err_m, lon_err_m)
    smin = min(lat_err_m, lon_err_m)
    return sentence(f"{talker}GST,{hhmmss(utc)},{rms_m:.1f},{smaj:.1f},{smin:.1f},0.0,"
                    f"{lat_err_m:.1f},{lon_err_m:.1f},{alt_err_m:.1f}")
