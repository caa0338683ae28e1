"""Known-answer and property tests of the line framer and the epoch assembler."""

from __future__ import annotations

import datetime as _dt
from functools import reduce
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacer.errors import InputError
from pacer.formats.nmea_log import fixes_from_nmea_file
from pacer.gps.framer import LineFramer
from pacer.gps.nmea import KNOT_MPS, EpochAssembler
from pacer.models import SkipCounters

DATA = Path(__file__).resolve().parents[1] / "data" / "gps" / "gpsd"


def nmea(body: str) -> str:
    """A sentence with its correct checksum."""
    return f"${body}*{reduce(lambda a, c: a ^ ord(c), body, 0):02X}"


def run(lines: list[str], counters: SkipCounters | None = None):
    asm = EpochAssembler(counters)
    out = []
    for i, line in enumerate(lines):
        out += asm.push(float(i), line)
    return out + asm.flush()


def epoch(
    hhmmss: str,
    date: str = "130415",
    lat: str = "4404.1306",
    gga: bool = True,
    rmc: bool = True,
    talker: str = "GP",
) -> list[str]:
    lines = []
    if gga:
        lines.append(
            nmea(f"{talker}GGA,{hhmmss},{lat},N,12118.8515,W,1,10,0.98,1127.7,M,-19.6,M,,")
        )
    lines.append(nmea(f"{talker}GSA,A,3,20,16,09,03,,,,,,,,,1.64,0.98,1.31"))
    if rmc:
        lines.append(nmea(f"{talker}RMC,{hhmmss},A,{lat},N,12118.8515,W,10.00,225.97,{date},,,A"))
    return lines


def test_one_fix_per_epoch_merging_all_sentences() -> None:
    fixes = run(epoch("202640.000") + epoch("202641.000"))
    assert len(fixes) == 2
    f = fixes[0]
    assert f.valid and f.has_position
    assert f.utc == _dt.datetime(2015, 4, 13, 20, 26, 40, tzinfo=_dt.UTC)
    assert f.lat_deg == pytest.approx(44 + 4.1306 / 60, abs=1e-9)
    assert f.lon_deg == pytest.approx(-(121 + 18.8515 / 60), abs=1e-9)
    assert f.speed_mps == pytest.approx(10 * KNOT_MPS)
    assert (f.alt_m, f.hdop, f.sats, f.pdop, f.vdop, f.fix_quality) == (
        1127.7,
        0.98,
        10,
        1.64,
        1.31,
        1,
    )
    assert f.t_s == 0.0  # stamped with the epoch's first line


def test_every_talker_is_accepted() -> None:
    for talker in ("GP", "GN", "GL", "GA", "GB", "BD", "QZ"):
        fixes = run(epoch("120000", talker=talker) + epoch("120001", talker=talker))
        assert [f.talker for f in fixes] == [talker, talker]
        assert all(f.has_position for f in fixes)


def test_no_fix_epoch_is_invalid_without_position() -> None:
    lines = [
        nmea("GPGGA,120000.00,0000.0000,N,00000.0000,E,0,00,99.9,,,,,,"),
        nmea("GPRMC,120000.00,V,0000.0000,N,00000.0000,E,,,010120,,,N"),
    ]
    (f,) = run(lines)
    assert not f.valid and f.lat_deg is None and f.lon_deg is None and f.speed_mps is None
    assert f.utc is not None


def test_gga_only_stream_carries_date_across_midnight() -> None:
    lines = (
        epoch("235959.00", date="311224")
        + epoch("000000.00", rmc=False)
        + epoch("000001.00", rmc=False)
    )
    fixes = run(lines)
    assert [f.utc.isoformat() for f in fixes] == [
        "2024-12-31T23:59:59+00:00",
        "2025-01-01T00:00:00+00:00",
        "2025-01-01T00:00:01+00:00",
    ]


def test_gga_without_any_date_has_no_utc_like_gpsd() -> None:
    fixes = run(epoch("101010", rmc=False) + epoch("101011", rmc=False))
    assert [f.utc for f in fixes] == [None, None] and all(f.has_position for f in fixes)


def test_learned_cycle_ender_emits_without_waiting_for_next_epoch() -> None:
    asm = EpochAssembler()
    done = []
    for k in range(4):
        lines = epoch(f"1200{k:02d}.00")
        done.append([len(asm.push(0.0, line)) for line in lines])
    # Epochs 0..1 complete only when the next one starts; once RMC has ended two epochs
    # in a row, each later epoch completes on its own RMC.
    assert done[3] == [0, 0, 1]


def test_bad_checksum_and_garbage_are_counted_not_used() -> None:
    c = SkipCounters()
    good = epoch("120000")
    bad = good[2][:-2] + ("00" if not good[2].endswith("00") else "01")
    fixes = run([good[0], "\x00\x01junk", bad, nmea("GPXYZ,1"), "$GPRMC,1,2"], c)
    assert fixes[0].speed_mps is None  # the RMC with the wrong checksum contributed nothing
    assert c.bad_checksum == 1 and c.garbage == 1 and c.unknown == 1
    assert c.extra["no_checksum"] == 1


def test_framer_handles_partial_lines_doubled_dollar_binary_and_lost_line_ends() -> None:
    a, b = epoch("120000")[0], epoch("120000")[2]
    stream = (
        b"\xb5b\x01\x07\x5c\x00"
        + b"$$"
        + a.encode()
        + b"\r\n"
        + a.encode()
        + b.encode()
        + b"\n"
        + b"garbage\r\n"
    )
    framer = LineFramer()
    got = []
    for i in range(0, len(stream), 7):  # arrives in 7-byte chunks
        got += [(float(i), line) for line in framer.feed(stream[i : i + 7])]
    assert [line for _, line in got] == [a, a, b]
    assert framer.counters.garbage >= 1
    # each line is stamped with the time of the chunk that completed it
    assert got[0][0] == 7 * ((stream.index(b"\r\n")) // 7)


def test_framer_drops_overlong_lines() -> None:
    framer = LineFramer()
    assert framer.feed(b"x" * 5000) == []
    assert framer.feed(b"\n" + epoch("120000")[0].encode() + b"\n") == [epoch("120000")[0]]
    assert framer.counters.extra["overlong"] == 1


def test_log_file_replay_timeline_and_errors(tmp_path: Path) -> None:
    log = tmp_path / "run.nmea"
    log.write_text(
        "# a comment with $GPGGA in it\n"
        + "\n".join(epoch("235959.50", date="311224") + epoch("000000.50", rmc=False))
        + "\n"
    )
    fixes = list(fixes_from_nmea_file(log))
    assert [f.t_s for f in fixes] == [0.0, 1.0]
    with pytest.raises(InputError, match="cannot read"):
        fixes_from_nmea_file(tmp_path / "missing.nmea")
    junk = tmp_path / "junk.nmea"
    junk.write_bytes(b"hello\nworld\n")
    with pytest.raises(InputError, match="junk.nmea: no NMEA"):
        list(fixes_from_nmea_file(junk))


# ------------------------------------------------------------------ property


def _real_lines() -> list[str]:
    lines = []
    for p in sorted(DATA.glob("*.log")):
        for raw in p.read_text(errors="replace").splitlines():
            if raw.startswith("$") and "*" in raw:
                lines.append(raw.strip())
    return lines


REAL = _real_lines()


def _checksum_ok(sentence: str) -> bool:
    body, _, ck = sentence[1:].partition("*")
    try:
        return int(ck[:2], 16) == reduce(lambda a, c: a ^ ord(c), body, 0) and len(ck) == 2
    except ValueError:
        return False


corruption = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10_000), st.integers(1, 255)),
    st.tuples(st.just("cut"), st.integers(0, 10_000), st.just(0)),
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.binary(min_size=1, max_size=12)),
    st.tuples(st.just("join"), st.integers(0, 10_000), st.just(0)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.integers(0, max(len(REAL) - 30, 0)),
    ops=st.lists(corruption, max_size=8),
    chunk=st.integers(1, 64),
)
def test_corrupted_real_sentences_never_crash_nor_use_bad_checksums(start, ops, chunk) -> None:
    data = bytearray("".join(line + "\r\n" for line in REAL[start : start + 30]).encode())
    for op, pos, arg in ops:
        if not data:
            break
        pos %= len(data)
        if op == "flip":
            data[pos] ^= arg
        elif op == "cut":
            del data[pos : pos + 20]
        elif op == "insert":
            data[pos:pos] = arg
        elif op == "join":  # lose a line end
            nl = data.find(b"\n", pos)
            if nl >= 0:
                del data[nl]
    framer, asm = LineFramer(), EpochAssembler()
    fixes = []
    for i in range(0, len(data), chunk):
        for line in framer.feed(bytes(data[i : i + chunk])):
            before = asm.counters.sentences
            fixes += asm.push(float(i), line)
            if asm.counters.sentences > before:  # only checksum-valid sentences get in
                assert _checksum_ok(line[line.rfind("$") :].strip())
    for line in framer.flush():
        fixes += asm.push(float(len(data)), line)
    fixes += asm.flush()
    for f in fixes:
        assert f.lat_deg is None or -90.0 <= f.lat_deg <= 90.0
        assert (f.lat_deg is None) == (f.lon_deg is None)
        assert not f.valid or f.has_position


@settings(max_examples=400, deadline=None)
@given(
    talker=st.sampled_from(["GP", "GN", "GL", "GA", "GB", "BD", "QZ", "P", "XX"]),
    kind=st.sampled_from(["RMC", "GGA", "GLL", "GNS", "VTG", "GSA", "GSV", "GST", "ZDA", "TXT"]),
    fields=st.lists(st.text(alphabet="0123456789.-+ENSWAVDnaif,", max_size=12), max_size=22),
)
def test_checksummed_nonsense_fields_never_crash(talker, kind, fields) -> None:
    asm = EpochAssembler()
    line = nmea(",".join([talker + kind, *fields]))
    fixes = asm.push(0.0, line) + asm.push(1.0, line) + asm.flush()
    for f in fixes:
        assert (f.lat_deg is None) == (f.lon_deg is None)
        assert f.lat_deg is None or abs(f.lat_deg) <= 90.0
    c = asm.counters
    assert c.lines == 2 and c.sentences + c.garbage + c.bad_checksum == 2


def test_cold_boot_clock_setting_is_not_elapsed_time() -> None:
    """A receiver without a fix reports a clock it has not set yet; the replay timeline
    must not jump by hours (gp-320fw cold boot: 1999 dates before the first fix)."""
    from pathlib import Path

    from pacer.formats.nmea_log import fixes_from_nmea_file
    from pacer.models import SkipCounters

    log = Path(__file__).resolve().parents[1] / "data" / "gps" / "gpsd" / (
        "gp-320fw-2019-04-07-coldboot.log")
    counters = SkipCounters()
    fixes = list(fixes_from_nmea_file(log, counters))
    assert fixes and fixes[-1].t_s < 120.0
    assert counters.extra.get("clock_jumps", 0) >= 1
    assert all(b.t_s > a.t_s for a, b in zip(fixes, fixes[1:], strict=False))


def test_timeline_gives_the_fix_time_of_timed_epochs() -> None:
    """``timeline(time_of_day_s, valid)`` is asked once per timed epoch, in order."""
    asked: list[tuple[float, bool]] = []

    def timeline(tod_s: float, valid: bool) -> float:
        asked.append((tod_s, valid))
        return 1000.0 + tod_s

    asm = EpochAssembler(timeline=timeline)
    lines = epoch("202640.000") + epoch("202641.000")
    lines.append(nmea("GPGGA,202642.000,,,,,0,00,,,M,,M,,"))  # timed, no fix
    out = []
    for i, line in enumerate(lines):
        out += asm.push(float(i), line)
    out += asm.flush()
    tods = [20 * 3600.0 + 26 * 60.0 + s for s in (40.0, 41.0, 42.0)]
    assert asked == [(tods[0], True), (tods[1], True), (tods[2], False)]
    assert [f.t_s for f in out] == [1000.0 + tod for tod in tods]
    # without a timeline: the t_s of each epoch's first line
    assert [f.t_s for f in run(lines)] == [0.0, 3.0, 6.0]
