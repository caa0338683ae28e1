"""Our NMEA decode agrees with gpsd's own decode of the same receiver logs.

Each ``X.log.chk`` from gpsd's regression suite interleaves the input sentences with
gpsd's JSON reports. Every TPV report that carries a position is matched to our Fix of
the same epoch: by its ``time`` when gpsd gives one, else by the time of day of the
sentence that triggered it. Agreement: position within 1e-6 deg, speed within 0.01 m/s
(when gpsd reports one), UTC to the millisecond (when gpsd reports one).

Run ``python tests/integration/test_gps_gpsd_agreement.py [DIR]`` for the per-log table
that docs/gps.md quotes.
"""

from __future__ import annotations

import datetime as _dt
import json
import sys
from collections import defaultdict
from pathlib import Path

from helpers.shared_data import needs_shared, shared_path

from pacer.formats.nmea_log import epochs_from_nmea_file
from pacer.models import SkipCounters

REPO = Path(__file__).resolve().parents[2]
SHARED_GPSD = shared_path("nmea", "gpsd")
LOCAL_GPSD = REPO / "tests" / "data" / "gps" / "gpsd"
_TIMED = {"RMC": 0, "GGA": 0, "GNS": 0, "ZDA": 0, "GST": 0, "GLL": 4}


def _tod(field: str) -> float | None:
    try:
        return int(field[0:2]) * 3600 + int(field[2:4]) * 60 + float(field[4:])
    except (ValueError, IndexError):
        return None


def _sentence_tod(line: str) -> float | None:
    body = line.split("*")[0].lstrip("$").split(",")
    idx = _TIMED.get(body[0][2:] if len(body[0]) == 5 else "")
    if idx is None or len(body) <= idx + 1:
        return None
    return _tod(body[idx + 1])


def compare(log: Path) -> tuple[int, list[str]]:
    """Return (TPVs with a position, descriptions of the ones we disagree with)."""
    epochs = list(epochs_from_nmea_file(log, SkipCounters()))
    by_tod: dict[float, list[int]] = defaultdict(list)
    for i, ep in enumerate(epochs):
        if ep.time_of_day_s is not None:
            by_tod[round(ep.time_of_day_s, 3)].append(i)
    total, bad = 0, []
    last_tod: float | None = None
    epoch_types: set[str] = set()  # sentence types gpsd has seen in the current epoch
    cursor = 0
    for raw in Path(str(log) + ".chk").read_text(errors="replace").splitlines():
        if not raw.startswith("{"):
            if raw.startswith("$"):
                tod_here = _sentence_tod(raw)
                if tod_here is not None and tod_here != last_tod:
                    last_tod, epoch_types = tod_here, set()
                epoch_types.add(raw.split(",")[0][3:])
            continue
        rep = json.loads(raw)
        if rep.get("class") != "TPV" or "lat" not in rep or "lon" not in rep:
            continue
        total += 1
        want_utc = None
        if "time" in rep:
            want_utc = _dt.datetime.fromisoformat(rep["time"])
            tod = want_utc - want_utc.replace(hour=0, minute=0, second=0, microsecond=0)
            key: float | None = tod.total_seconds()
        else:
            key = last_tod
        cands = [i for i in by_tod.get(round(key, 3), []) if i >= cursor] if key is not None else []
        if not cands:
            bad.append(f"{log.name}: no fix for gpsd TPV {raw[:120]}")
            continue
        cursor = cands[0]
        fix = epochs[cursor].fix
        why = []
        if not fix.has_position:
            why.append("we report no valid position")
        elif abs(fix.lat_deg - rep["lat"]) > 1e-6 or abs(fix.lon_deg - rep["lon"]) > 1e-6:
            why.append(f"position {fix.lat_deg:.9f},{fix.lon_deg:.9f}")
        # Before RMC/VTG arrive, gpsd's TPV speed is its own difference of positions,
        # not anything the receiver reported: nothing to compare with.
        doppler = "RMC" in epoch_types or "VTG" in epoch_types
        if (
            "speed" in rep
            and doppler
            and fix.has_position
            and (fix.speed_mps is None or abs(fix.speed_mps - rep["speed"]) > 0.01)
        ):
            why.append(f"speed {fix.speed_mps}")
        if want_utc is not None and (
            fix.utc is None or abs((fix.utc - want_utc).total_seconds()) > 0.0015
        ):
            why.append(f"utc {fix.utc}")
        if why:
            bad.append(f"{log.name}: {'; '.join(why)} vs gpsd {raw[:160]}")
    return total, bad


# Logs where we knowingly disagree with gpsd (explained in docs/gps.md).
KNOWN_DISAGREEMENTS = {
    "neo-m8n.log": "gpsd moves the receiver's RMC date 2015-03-18 forward by 1024 weeks",
    "GPSmap-76S.log": "GGA quality 8 (simulator): gpsd reports the position, we do not",
    "garmin-geko201.log": "GGA quality 8 (demo mode): gpsd reports the position, we do not",
}


def _logs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.log") if Path(str(p) + ".chk").exists())


def _check(folder: Path) -> None:
    logs = _logs(folder)
    assert logs, folder
    total = disagree = 0
    for log in logs:
        n, bad = compare(log)
        total += n
        disagree += len(bad)
        if log.name not in KNOWN_DISAGREEMENTS:
            assert not bad, bad
    assert total > 0
    assert (total - disagree) / total >= 0.99, (total, disagree)


def test_bundled_gpsd_logs_agree() -> None:
    _check(LOCAL_GPSD)


@needs_shared("nmea", "gpsd")
def test_all_gpsd_logs_agree() -> None:
    _check(SHARED_GPSD)


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED_GPSD
    grand = grand_bad = 0
    print("| log | TPVs with position | agree | disagree |")
    print("|---|---:|---:|---:|")
    details = []
    for log in _logs(folder):
        n, bad = compare(log)
        grand += n
        grand_bad += len(bad)
        print(f"| {log.name} | {n} | {n - len(bad)} | {len(bad)} |")
        details += bad
    print(f"| **all** | {grand} | {grand - grand_bad} | {grand_bad} |")
    print(f"\nagreement {(grand - grand_bad) / max(grand, 1):.4%}\n")
    print("\n".join(details))


SHARED_NMEA = shared_path("nmea")


def _ingest_everything(folder: Path) -> int:
    from pacer.errors import InputError
    from pacer.formats.nmea_log import fixes_from_nmea_file
    from pacer.gps.nmea import EpochAssembler

    n_files = 0
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or p.suffix == ".chk" or p.name in ("COPYING", "LICENSE", "README.md"):
            continue
        n_files += 1
        if p.suffix == ".tsv":  # pynmea2's test sentences: first column
            asm = EpochAssembler()
            for row in p.read_text().splitlines()[1:]:
                asm.push(0.0, row.split("\t")[0])
            asm.flush()
            assert asm.counters.sentences > 100
            continue
        counters = SkipCounters()
        try:
            fixes = list(fixes_from_nmea_file(p, counters))
        except InputError:
            assert counters.lines == 0  # only for files without a single '$' line
            continue
        t = [f.t_s for f in fixes]
        assert t == sorted(t)
        assert all(f.has_position or (f.lat_deg is None and f.lon_deg is None) for f in fixes)
    return n_files


def test_bundled_logs_ingest_with_monotonic_timeline() -> None:
    assert _ingest_everything(LOCAL_GPSD) == 4


@needs_shared("nmea")
def test_every_shared_nmea_file_ingests_without_exception() -> None:
    assert _ingest_everything(SHARED_NMEA) >= 90  # 59 gpsd + 30 pynmeagps + 2 pynmea2
