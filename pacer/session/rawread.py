"""A session's raw data back out: receiver bytes and accelerometer blocks, for replay.

Sessions of schema v5 hold them in ``session.db`` (tables ``raw_nmea`` and
``raw_accel``); older ones in their ``raw.log`` journal
(:mod:`pacer.session.legacy_journal`). Re-exported by :mod:`pacer.session.reader`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from pacer.errors import SessionError
from pacer.models import AccelBlock, HeartRateSample
from pacer.session import db, legacy_journal, rows
from pacer.session.schema import (
    DB_NAME,
    HEART_RATE_VERSION,
    LEGACY_RAW_NAME,
    NMEA_NAME,
    RAW_TABLES_VERSION,
)

#: where :func:`write_nmea_copy` writes before renaming to ``gps.nmea``
NMEA_PART_NAME = NMEA_NAME + ".part"
#: one accelerometer sample as :func:`accel_samples` returns it: t_s (seconds since
#: session start), ax, ay, az (m/s^2, float32 as recorded)
ACCEL_DTYPE = np.dtype([("t_s", "<f8"), ("ax", "<f4"), ("ay", "<f4"), ("az", "<f4")])


def _raw_database(directory: Path) -> sqlite3.Connection | None:
    """A connection to the database when it holds the raw data (schema v5+), else None
    (an older session: its raw.log). SessionError when a v5 session cannot be read."""
    directory = Path(directory)
    try:
        conn = db.connect(directory / DB_NAME)
    except SessionError:
        if (directory / LEGACY_RAW_NAME).is_file():
            return None
        raise
    try:
        if db.schema_version(conn) >= RAW_TABLES_VERSION:
            return conn
    except sqlite3.DatabaseError as exc:
        conn.close()
        if (directory / LEGACY_RAW_NAME).is_file():
            return None
        raise SessionError(f"{directory / DB_NAME}: damaged session database ({exc})") from exc
    conn.close()
    return None


def iter_raw_nmea(directory: Path) -> Iterator[tuple[float, bytes]]:
    """The receiver bytes of a session as (t_s, chunk), in the order they were read.

    A session whose database cannot be read yields nothing (:func:`raw_log_problems`
    says why).
    """
    try:
        conn = _raw_database(directory)
    except SessionError:
        return
    if conn is None:
        yield from legacy_journal.read_journal(Path(directory) / LEGACY_RAW_NAME).nmea
        return
    try:
        for t_s, data in conn.execute("SELECT t_s, data FROM raw_nmea ORDER BY rowid"):
            yield float(t_s), bytes(data)
    except sqlite3.DatabaseError:
        return  # damage mid-table: the chunks before it were given
    finally:
        conn.close()


def iter_heart_rate(directory: Path) -> Iterator[HeartRateSample]:
    """The heart-rate readings of a session as they arrived (none before schema v6)."""
    try:
        conn = _raw_database(directory)
    except SessionError:
        return
    if conn is None:
        return
    try:
        if db.schema_version(conn) < HEART_RATE_VERSION:
            return
        select = f"SELECT {rows.HEART_RATE_COLUMNS} FROM heart_rate ORDER BY rowid"
        for row in conn.execute(select):
            yield rows.heart_rate_from_row(row)
    except sqlite3.DatabaseError:
        return  # damage mid-table: the readings before it were given
    finally:
        conn.close()


def iter_raw_accel(directory: Path) -> Iterator[AccelBlock]:
    """The accelerometer blocks of a session as they were sampled (m/s^2, float32
    precision, with their calibrated rate and lost-sample counts)."""
    try:
        conn = _raw_database(directory)
    except SessionError:
        return
    if conn is None:
        yield from legacy_journal.read_journal(Path(directory) / LEGACY_RAW_NAME).accel
        return
    try:
        for t0_s, rate_hz, n, lost, samples in conn.execute(
            "SELECT t0_s, rate_hz, n, lost_samples, samples_f4 FROM raw_accel ORDER BY rowid"
        ):
            xyz = np.frombuffer(samples, "<f4", 3 * n).reshape(n, 3).astype(np.float64)
            yield AccelBlock(t0_s=float(t0_s), rate_hz=float(rate_hz), samples_mps2=xyz,
                             lost_samples=int(lost))
    except (sqlite3.DatabaseError, ValueError):
        return  # damage mid-table: the blocks before it were given
    finally:
        conn.close()


def accel_samples(directory: Path) -> np.ndarray:
    """Every accelerometer sample of a session, in time order, as one structured array
    of :data:`ACCEL_DTYPE` (sample i of a block at ``t0_s + i / rate_hz``).

    For a CSV that ``pacer replay --accel`` reads back::

        s = accel_samples(dir)
        np.savetxt("accel.csv", np.column_stack([s["t_s"], s["ax"], s["ay"], s["az"]]),
                   fmt="%.6f", delimiter=",", header="t_s,ax,ay,az", comments="")
    """
    blocks = list(iter_raw_accel(directory))
    counts = np.array([b.n for b in blocks], dtype=np.int64)
    total = int(counts.sum())
    out = np.empty(total, dtype=ACCEL_DTYPE)
    if total:
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        t0_s = np.repeat([b.t0_s for b in blocks], counts)
        rate_hz = np.repeat([b.rate_hz for b in blocks], counts)
        out["t_s"] = t0_s + (np.arange(total) - starts) / rate_hz
        xyz = np.concatenate([b.samples_mps2 for b in blocks]).astype(np.float32)
        out["ax"], out["ay"], out["az"] = xyz[:, 0], xyz[:, 1], xyz[:, 2]
    return out


def raw_log_problems(directory: Path) -> list[str]:
    """What the raw-data readers cannot give, one line each (empty when intact).

    A v5 session: its database cannot be read (then replay has only ``gps.nmea``).
    An older session: a torn or corrupt frame of its ``raw.log``, a damaged header.
    """
    directory = Path(directory)
    try:
        conn = _raw_database(directory)
    except SessionError as exc:
        return [f"{exc}; no raw data in it to replay"]
    if conn is None:
        return legacy_journal.read_journal(directory / LEGACY_RAW_NAME).problems
    try:
        conn.execute("SELECT count(*), sum(length(data)) FROM raw_nmea").fetchone()
        conn.execute("SELECT count(*), sum(length(samples_f4)) FROM raw_accel").fetchone()
    except sqlite3.DatabaseError as exc:
        return [f"{directory / DB_NAME}: raw data damaged ({exc}); replay stops at the damage"]
    finally:
        conn.close()
    return []


def _private_new_file(path: str, flags: int) -> int:
    """``open`` opener: a new file (never a link's target), 0600 whatever the umask."""
    fd = os.open(path, flags | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    os.fchmod(fd, 0o600)
    return fd


def write_nmea_copy(
    directory: Path, conn: sqlite3.Connection | None = None, *, sync: bool = False
) -> int:
    """Write ``gps.nmea``, the receiver's bytes exactly as read, from the session.

    A plain NMEA log for other tools (``pacer replay --nmea``, gpsd, any NMEA viewer).
    The writer makes it at close (through its own ``conn``); after a crash, call this to
    make it. ``sync``: fsync it before returning. Returns its size in bytes.
    """
    directory = Path(directory)
    if conn is not None:
        chunks = [bytes(r[0]) for r in conn.execute("SELECT data FROM raw_nmea ORDER BY rowid")]
    else:
        chunks = [c for _t, c in iter_raw_nmea(directory)]
    nmea = b"".join(chunks)
    # written under another name and renamed: a crash or full disk mid-copy never
    # leaves a half gps.nmea that other tools would take for the whole log
    part = directory / NMEA_PART_NAME
    try:
        part.unlink(missing_ok=True)  # a leftover of a crash (no link is followed)
        with open(part, "wb", opener=_private_new_file) as f:
            f.write(nmea)
            if sync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(part, directory / NMEA_NAME)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return len(nmea)
