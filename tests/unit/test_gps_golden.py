"""Golden digests of the GPS intake, and the checks of its shortcuts against the plain way.

``GOLDEN`` holds digests (sha256 of the repr) of every Fix and every SkipCounters that
pacer.gps makes of the bundled gpsd logs, of a minute of ``pacer bench``'s simulated
stream (``tests/data/gps/pacer_bench_minute.nmea``) and of seeded corruptions of both,
through file replay (``fixes_from_nmea_file``, ``epochs_from_nmea_file``) and the live
path (``LineFramer`` + ``EpochAssembler`` in 64- and 7-byte reads). They were computed
when pynmea2 parsed every line and have not moved since: any change to what the intake
makes of these bytes shows here. ``benchmarks/bench_gps.py --before DIR`` makes the same
comparison, readable, on all shared logs.
"""

from __future__ import annotations

import hashlib
import random
from functools import reduce
from pathlib import Path

import pytest
from helpers.nmea_reference import split_with_pynmea2
from hypothesis import given, settings
from hypothesis import strategies as st

from pacer.formats.nmea_log import epochs_from_nmea_file, fixes_from_nmea_file
from pacer.gps import framer as framer_module
from pacer.gps.framer import LineFramer
from pacer.gps.nmea import EpochAssembler
from pacer.gps.sentence import BAD_CHECKSUM, MALFORMED, parse_sentence
from pacer.models import SkipCounters
from pacer.sim.damage import damage_bytes

DATA = Path(__file__).resolve().parents[1] / "data" / "gps" / "gpsd"

GOLDEN = {
    "ericsson-gru04.log": "fe4953309833ae4ba052c2c2",
    "firefly-II.log": "acc49a536051b4afd5d07ba8",
    "gp-320fw-2019-04-07-coldboot.log": "2d80f7debc9903d2da49fdb3",
    "mt3339.log": "c118997413fce8cf57a527af",
    "pacer-bench-minute": "eeaad94ae9d1627e70a8b056",
    "ericsson-gru04.log~0": "6d9dc4f9661ac731cf32ac04",
    "ericsson-gru04.log~1": "11f37ac417cd5edc995042bb",
    "ericsson-gru04.log~2": "cb7971d73511d54f66cc4f31",
    "firefly-II.log~0": "8b14664b7ca64623475ce5c9",
    "firefly-II.log~1": "91c0cf0473e26f6c741197ec",
    "firefly-II.log~2": "6cb500ecdc2c9924e605606b",
    "gp-320fw-2019-04-07-coldboot.log~0": "e5144a9028f904d9dc1a34b8",
    "gp-320fw-2019-04-07-coldboot.log~1": "2b2992d245dbd0b5a9db78c6",
    "gp-320fw-2019-04-07-coldboot.log~2": "dcd4c14670268c40b46672d1",
    "mt3339.log~0": "77cdb74643d021e1cc5a4dc1",
    "mt3339.log~1": "cc6c85eff4d1f9dcef9803ce",
    "mt3339.log~2": "91d1d6f0094dce4d3d769367",
    "pacer-bench-minute~0": "e5e9232fd4b12e498d43aa0e",
    "pacer-bench-minute~1": "723b010862ce28f012a098d7",
    "pacer-bench-minute~2": "345e544c9495a24c47cd35f2",
}


def _counters(c: SkipCounters) -> tuple:
    return (c.lines, c.sentences, c.bad_checksum, c.unknown, c.garbage, c.malformed,
            sorted(c.extra.items()))


def _decode(path: Path) -> str:
    """repr of everything file replay and the live path make of one file."""
    out = []
    for fn in (fixes_from_nmea_file, epochs_from_nmea_file):
        c = SkipCounters()
        items = list(fn(path, c))
        out.append(([getattr(e, "fix", e) for e in items],
                    [getattr(e, "time_of_day_s", None) for e in items], _counters(c)))
    data = path.read_bytes()
    for chunk in (64, 7):
        c_framer, c_asm = SkipCounters(), SkipCounters()
        framer, asm = LineFramer(c_framer), EpochAssembler(c_asm)
        fixes = []
        for i in range(0, len(data), chunk):
            for line in framer.feed(data[i : i + chunk]):
                fixes += asm.push(float(i), line)
        for line in framer.flush():
            fixes += asm.push(float(len(data)), line)
        fixes += asm.flush()
        out.append((fixes, _counters(c_framer), _counters(c_asm)))
    return repr(out)


def _damaged(data: bytes, seed: int) -> bytes:
    rng = random.Random(seed)
    return damage_bytes(data, rng, rng.randrange(5, 60))


def _bench_minute() -> bytes:
    """One minute of ``pacer bench``'s receiver (RMC GGA GSA VTG GST at 5 Hz), as saved
    from ``pacer.tools.bench.synthetic_hour(0, 60)`` (a file, so simulator changes do not move
    the digests)."""
    return (DATA.parent / "pacer_bench_minute.nmea").read_bytes()


def decode_digests(tmp: Path | None = None) -> dict[str, str]:
    import tempfile

    inputs = {p.name: p.read_bytes() for p in sorted(DATA.glob("*.log"))}
    inputs["pacer-bench-minute"] = _bench_minute()
    for name in list(inputs):
        for seed in range(3):
            inputs[f"{name}~{seed}"] = _damaged(inputs[name], seed)
    out = {}
    with tempfile.TemporaryDirectory() as d:
        for name, data in inputs.items():
            p = Path(tmp or d) / "in.nmea"
            p.write_bytes(data)
            out[name] = hashlib.sha256(_decode(p).encode()).hexdigest()[:24]
    return out


def test_same_fixes_and_counters_as_ever() -> None:
    assert decode_digests() == GOLDEN


def _nmea(body: str, digits: str | None = None) -> str:
    ck = reduce(lambda a, c: a ^ ord(c), body, 0)
    return f"${body}*{digits if digits is not None else f'{ck:02X}'}"


@settings(max_examples=400, deadline=None)
@given(
    kind=st.sampled_from(["RMC", "GGA", "GSA", "VTG", "GST", "GSV", "GLL", "GNS", "ZDA", "TXT"]),
    fields=st.lists(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E,
                                          blacklist_characters="*"), max_size=12), max_size=30),
    digits=st.one_of(st.none(), st.text("0123456789abcdefABCDEF", min_size=2, max_size=2)),
)
def test_checksum_rejects_exactly_what_pynmea2_rejects(kind, fields, digits) -> None:
    text = _nmea(f"GN{kind}," + ",".join(fields), digits)
    got = parse_sentence(text)
    assert (got == BAD_CHECKSUM) == (split_with_pynmea2(text) == BAD_CHECKSUM), text
    if digits is None:  # right checksum: what pynmea2 splits is converted (or malformed)
        assert got != BAD_CHECKSUM


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.one_of(
        st.sampled_from(["$GNRMC,1,2*00", "$GPGGA,,,*7F", "#comment", "$", "$$", "  $GPGSA,x  ",
                         "$GPGSA,x  ", "$GPGSV,1 ", "$" + "y" * 255, "$" + "y" * 256,
                         "junk$GPVTG,1*00", "$A" + "x" * 300, ""]),
        st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
        st.binary(max_size=8).map(lambda b: b.decode("latin-1")),
    ), max_size=12),
    ends=st.lists(st.sampled_from(["\r\n", "\n", "\r", "\n\r", "\r\r\n"]), min_size=12,
                  max_size=12),
    cuts=st.lists(st.integers(1, 400), max_size=6),
    skip_comments=st.booleans(),
)
def test_fast_framing_of_printable_chunks_is_the_regex_framing(
    lines, ends, cuts, skip_comments
) -> None:
    data = "".join(line + end for line, end in zip(lines, ends, strict=False)).encode("latin-1")
    bounds = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})

    def frame() -> tuple[list, SkipCounters]:
        c = SkipCounters()
        framer = LineFramer(c, skip_comments=skip_comments)
        got = []
        for a, b in zip(bounds, bounds[1:], strict=False):
            got += framer.feed(data[a:b])
        return got + framer.flush(), c

    fast = frame()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(framer_module, "_TEXT_BYTES", b"")  # no chunk is "printable only": regex path
        plain = frame()
    assert fast == plain


def test_parse_cache_skips_timed_lines_without_changing_results() -> None:
    """Timed sentences are parsed every time; the same text twice still counts twice."""
    rmc = _nmea("GPRMC,120000,A,4404.1306,N,12118.8515,W,1.0,90.0,010120,,")
    bad = rmc[:-2] + "00"
    malformed = _nmea("GPGGA,120001,4404.1306,N,12118.8515,W,1,10,x,1127.7,M,,M,,")
    c = SkipCounters()
    asm = EpochAssembler(c)
    for line in (rmc, bad, malformed, rmc, bad, malformed):
        asm.push(0.0, line)
    assert (c.lines, c.sentences, c.bad_checksum, c.malformed) == (6, 4, 2, 2)
    assert parse_sentence(malformed) == MALFORMED
    assert not asm._parsed  # timed lines are not kept


def test_a_field_reading_missing_does_not_turn_a_bad_checksum_into_a_missing_one() -> None:
    assert split_with_pynmea2("$GPRMC,missing*00") == BAD_CHECKSUM
    assert split_with_pynmea2("$PGRME,missing*00") == BAD_CHECKSUM  # pynmea2's own path
    assert split_with_pynmea2("$GPRMC,missing") == "no_checksum"
