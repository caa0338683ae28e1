"""Time amplification: inputs whose time stamps jump (checksum-valid NMEA, GPX, a crafted
session) must not make the Pipeline tick through hours of empty seconds or fill the
disk: a gap is jumped (one event each), and a session's size is capped."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import sqlite3
from pathlib import Path

import pytest
from attack_bounded import run_pacer

pytestmark = pytest.mark.attack
ATTACK_CLASS = "time"

T0 = dt.datetime(2026, 5, 16, 9, 0, 0, tzinfo=dt.UTC)


def _sentence(body: str) -> str:
    checksum = functools.reduce(operator.xor, body.encode(), 0)
    return f"${body}*{checksum:02X}\r\n"


def nmea_epoch(when: dt.datetime, k: int) -> str:
    """GGA and RMC of one epoch at ``when``, a few metres along a line per ``k``."""
    hms = when.strftime("%H%M%S") + ".00"
    lat = f"5130.{k % 9000:04d}"
    gga = _sentence(f"GPGGA,{hms},{lat},N,00007.0000,W,1,08,0.9,10.0,M,47.0,M,,")
    rmc = _sentence(f"GPRMC,{hms},A,{lat},N,00007.0000,W,5.8,90.0,{when:%d%m%y},,,A")
    return gga + rmc


def jumping_nmea(path: Path, step_s: float, epochs: int) -> Path:
    path.write_text("".join(nmea_epoch(T0 + dt.timedelta(seconds=k * step_s), k)
                            for k in range(epochs)))  # fmt: skip
    return path


def jumping_gpx(path: Path, step_s: float, points: int) -> Path:
    pts = "".join(
        f'<trkpt lat="{51.5 + k * 1e-5:.6f}" lon="-0.1"><time>'
        f"{(T0 + dt.timedelta(seconds=k * step_s)).strftime('%Y-%m-%dT%H:%M:%SZ')}</time></trkpt>"
        for k in range(points)
    )
    path.write_text('<?xml version="1.0"?><gpx version="1.1" creator="t" '
                    'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
                    f"{pts}</trkseg></trk></gpx>")  # fmt: skip
    return path


def _rows(session: Path, table: str) -> int:
    conn = sqlite3.connect(f"file:{session / 'session.db'}?mode=ro", uri=True)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def _size(session: Path) -> int:
    return sum(p.stat().st_size for p in session.iterdir())


CASES = {
    # what the issue measured: 21,000 s per line, and GPX points 3,500 s apart
    "nmea_21000s_per_epoch": ("--nmea", lambda p: jumping_nmea(p / "j.nmea", 21_000, 2000)),
    "gpx_3500s_apart": ("--gpx", lambda p: jumping_gpx(p / "j.gpx", 3_500, 5000)),
    "nmea_1h_apart": ("--nmea", lambda p: jumping_nmea(p / "h.nmea", 3_600, 2000)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_time_jumps_are_gaps_not_seconds_to_fill(tmp_path: Path, tally, case: str) -> None:
    flag, make = CASES[case]
    src = make(tmp_path)
    session = tmp_path / "s"
    try:
        done = run_pacer("replay", flag, str(src), "--session-dir", str(session), "--quiet",
                         timeout_s=60)  # fmt: skip
    except Exception as exc:  # TimeoutExpired: ticking through the hours
        tally.check(False, f"{case}: {type(exc).__name__}")
        return
    tally.check(done.returncode in (0, 1), f"{case}: rc {done.returncode} {done.stderr[-300:]}")
    inputs = src.read_text().count("<trkpt") or src.read_text().count("GPRMC")
    ticks = _rows(session, "estimates")
    tally.check(ticks <= 400 * inputs, f"{case}: {ticks} ticks for {inputs} inputs")
    tally.check(_size(session) < 20 * src.stat().st_size + (4 << 20),
                f"{case}: session of {_size(session)} bytes from {src.stat().st_size}")
    gaps = _rows(session, "events")
    tally.check(gaps >= 1, f"{case}: no event for the gaps")


def test_a_session_stops_growing_at_its_cap(tmp_path: Path, tally) -> None:
    """Gaps just under what is ticked through still cost rows per second: the session is
    capped ([session] max_bytes), said in one line, and the replay ends cleanly."""
    src = jumping_nmea(tmp_path / "slow.nmea", 170, 3000)
    cfg = tmp_path / "pacer.toml"
    cfg.write_text("[session]\nmax_bytes = 1_000_000\n")
    session = tmp_path / "s"
    done = run_pacer("replay", "--nmea", str(src), "--config", str(cfg), "--session-dir",
                     str(session), "--quiet", timeout_s=90)  # fmt: skip
    size = _size(session)
    tally.check(size < 1_000_000 + (1 << 20), f"capped session is {size} bytes")
    warned = [ln for ln in done.stderr.splitlines() if "size cap" in ln]
    tally.check(len(warned) == 1 and len(warned[0]) < 300, f"stderr: {done.stderr[-500:]}")
    review = run_pacer("review", str(session), timeout_s=30)
    tally.check(review.returncode == 0, f"capped session unreadable: {review.stderr[-300:]}")


def test_a_crafted_session_with_jumping_raw_times(tmp_path: Path, tally) -> None:
    """A session whose raw receiver bytes carry arrival times hours apart replays into a
    bounded session too (the jumps are in the session's own clock)."""
    from pacer.session.store import SessionWriter

    crafted = tmp_path / "crafted"
    with SessionWriter.create(crafted, meta={}) as writer:
        for k in range(500):
            writer.append_nmea(k * 20_000.0, nmea_epoch(T0 + dt.timedelta(seconds=k), k).encode())
    again = tmp_path / "again"
    try:
        done = run_pacer("replay", str(crafted), "--session-dir", str(again), "--quiet",
                         timeout_s=60)  # fmt: skip
    except Exception as exc:  # TimeoutExpired: ticking through the hours
        tally.check(False, f"crafted session: {type(exc).__name__}")
        return
    tally.check(done.returncode in (0, 1), f"rc {done.returncode} {done.stderr[-300:]}")
    tally.check(_rows(again, "estimates") <= 400 * 500, "ticked through the gaps")
