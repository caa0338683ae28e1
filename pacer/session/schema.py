"""SQLite schema of a session database, its version and its migrations.

A session directory holds ``session.db``: this schema, the raw receiver bytes and
accelerometer blocks included (tables ``raw_nmea`` and ``raw_accel``, schema v5), and
heart-rate readings (table ``heart_rate``, schema v6).
``PRAGMA user_version`` carries the schema version; :func:`migrate` brings an older
database up to :data:`SCHEMA_VERSION` one step at a time, inside one transaction.
Sessions of schema v1-v4 kept their raw data in a journal file beside the database
(``raw.log``, read by :mod:`pacer.session.legacy_journal`); readers open them as they are.
"""

from __future__ import annotations

import sqlite3

#: current schema version (``PRAGMA user_version``)
SCHEMA_VERSION = 6
#: the first version that holds the raw data in the database
RAW_TABLES_VERSION = 5
#: the first version with heart rate (table ``heart_rate``, ``estimates.heart_rate_bpm``)
HEART_RATE_VERSION = 6

DB_NAME = "session.db"
NMEA_NAME = "gps.nmea"  # raw receiver bytes, exactly as read (a plain copy, written at close)
#: the raw journal of schema v1-v4 sessions (read only: pacer.session.legacy_journal)
LEGACY_RAW_NAME = "raw.log"
#: a copy of the accelerometer samples some v4 sessions also hold (never read)
LEGACY_ACCEL_NAME = "accel.bin"
#: ``PRAGMA application_id`` of every session database this pacer creates ("PACR"): with
#: the ``meta`` key :data:`SESSION_ID_KEY` naming its folder, what tells a session pacer
#: wrote from any other SQLite file (:func:`pacer.session.catalog.check_deletable`)
APPLICATION_ID = 0x50414352
#: ``meta`` key holding the session's id: the name of the folder it was created in
SESSION_ID_KEY = "session_id"

_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE fixes (
    t_s REAL NOT NULL, utc TEXT, valid INTEGER NOT NULL,
    lat_deg REAL, lon_deg REAL, alt_m REAL, speed_mps REAL, course_deg REAL,
    fix_quality INTEGER NOT NULL, hdop REAL, sats INTEGER, pdop REAL, vdop REAL,
    sats_in_view INTEGER, lat_err_m REAL, lon_err_m REAL, alt_err_m REAL, talker TEXT);
CREATE TABLE estimates (
    t_s REAL NOT NULL, utc TEXT, distance_m REAL NOT NULL, speed_mps REAL,
    speed_confidence REAL NOT NULL, cadence_spm REAL, cadence_confidence REAL NOT NULL,
    distance_source TEXT NOT NULL, gps_ok INTEGER NOT NULL, lat_deg REAL, lon_deg REAL,
    on_track INTEGER NOT NULL, track_lap INTEGER, track_position_m REAL);
CREATE TABLE reps (
    idx INTEGER NOT NULL, kind TEXT NOT NULL, start_s REAL NOT NULL, duration_s REAL NOT NULL,
    distance_m REAL NOT NULL, start_utc TEXT, target_distance_m REAL,
    target_duration_s REAL, target_pace_s_per_km REAL, pace_s_per_km REAL,
    cadence_spm REAL, distance_source TEXT NOT NULL, label TEXT NOT NULL);
CREATE TABLE cues (
    id INTEGER PRIMARY KEY, t_s REAL NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,
    priority INTEGER NOT NULL, expires_s REAL, duration_s REAL, dropped INTEGER NOT NULL);
CREATE TABLE events (t_s REAL NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL);
"""

_V2 = """
CREATE TABLE counters (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX fixes_t ON fixes (t_s);
CREATE INDEX estimates_t ON estimates (t_s);
"""

_V3 = """
ALTER TABLE cues ADD COLUMN start_s REAL;
ALTER TABLE cues ADD COLUMN latency_s REAL;
ALTER TABLE cues ADD COLUMN engine TEXT;
ALTER TABLE cues ADD COLUMN truncated INTEGER;
ALTER TABLE cues ADD COLUMN reason TEXT;
"""

_V4 = """
ALTER TABLE reps ADD COLUMN completed INTEGER NOT NULL DEFAULT 1;
"""

# Raw data: receiver bytes as read (any chunking), and accelerometer blocks as sampled
# (n samples of <f4 ax, ay, az in m/s^2, little-endian; sample i at t0_s + i / rate_hz).
_V5 = """
CREATE TABLE raw_nmea (t_s REAL NOT NULL, data BLOB NOT NULL);
CREATE TABLE raw_accel (
    t0_s REAL NOT NULL, rate_hz REAL NOT NULL, n INTEGER NOT NULL,
    lost_samples INTEGER NOT NULL, samples_f4 BLOB NOT NULL);
"""

# Heart rate: each reading as it arrived (a strap's notification, a file's point); RR
# intervals as n little-endian float64 seconds (NULL when none were sent); contact 0/1,
# NULL when the strap does not say. The estimate carries the heart rate it showed.
_V6 = """
CREATE TABLE heart_rate (
    t_s REAL NOT NULL, heart_rate_bpm REAL NOT NULL, contact INTEGER, rr_intervals_f8 BLOB);
ALTER TABLE estimates ADD COLUMN heart_rate_bpm REAL;
"""

#: MIGRATIONS[v] turns a version-v database into version v+1
MIGRATIONS: dict[int, str] = {0: _V1, 1: _V2, 2: _V3, 3: _V4, 4: _V5, 5: _V6}


def migrate(conn: sqlite3.Connection) -> int:
    """Bring ``conn`` to :data:`SCHEMA_VERSION`; return the version found before.

    Raises
    ------
    sqlite3.DatabaseError
        If the database is newer than this code (written by a later pacer).
    """
    found = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if found > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(
            f"schema version {found} is newer than this pacer ({SCHEMA_VERSION}); upgrade pacer"
        )
    if found == SCHEMA_VERSION:
        return found
    # The connection runs in autocommit mode (isolation_level=None): one explicit
    # transaction makes the whole upgrade atomic, DDL included.
    conn.execute("BEGIN IMMEDIATE")
    try:
        for version in range(found, SCHEMA_VERSION):
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return found
