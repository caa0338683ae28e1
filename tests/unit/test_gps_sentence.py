"""The sentence parser agrees with pynmea2 (the rules of record) on any input: the same
outcome for every line, and for a sentence it accepts, the conversion of pynmea2's split."""

from __future__ import annotations

import operator
from functools import reduce
from pathlib import Path

import pynmea2
import pytest
from helpers.nmea_reference import parse_with_pynmea2, split_with_pynmea2
from hypothesis import given, settings
from hypothesis import strategies as st

from pacer.gps.fields import convert
from pacer.gps.framer import LineFramer
from pacer.gps.nmea import EpochAssembler
from pacer.gps.sentence import (
    BAD_CHECKSUM,
    GARBAGE,
    NO_CHECKSUM,
    UNKNOWN,
    checksum,
    parse_sentence,
)
from pacer.models import SkipCounters

DATA = Path(__file__).resolve().parents[1] / "data" / "gps" / "gpsd"


def nmea(body: str) -> str:
    return f"${body}*{reduce(lambda a, c: a ^ ord(c), body, 0):02X}"


def _real_sentences() -> list[str]:
    out = []
    for p in sorted(DATA.glob("*.log")):
        for raw in p.read_text(errors="replace").splitlines():
            start = raw.rfind("$")
            if start >= 0:
                out.append(raw[start:].strip())
    return out


REAL = _real_sentences()


def test_real_logs_parse_exactly_as_pynmea2_splits_them() -> None:
    assert len(REAL) > 400
    outcomes = set()
    for text in REAL:
        got = parse_sentence(text)
        assert got == parse_with_pynmea2(text), text
        outcomes.add(got if isinstance(got, str) else "ok")
    # the slice covers good sentences and bad checksums at least
    assert {"ok", BAD_CHECKSUM} <= outcomes


@pytest.mark.parametrize("kind", sorted(pynmea2.TalkerSentence.sentence_types))
def test_every_pynmea2_sentence_type_parses_alike(kind: str) -> None:
    for body in (f"GP{kind},1,2,,3.5, x ", f"gn{kind.lower()},", f"BD{kind}"):
        good = nmea(body)
        for text in (good, good.lower(), good[:-2] + f"{int(good[-2:], 16) ^ 0x11:02X}"):
            assert parse_sentence(text) == parse_with_pynmea2(text), text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (nmea("GPGGA,1,2"), ("GP", "GGA", ["1", "2"])),
        (nmea("gpgga,1, 2 "), ("GP", "GGA", ["1", "2"])),  # pynmea2 upper-cases the address
        (nmea("GPXYZ,1"), UNKNOWN),  # a type pynmea2 does not know
        (nmea("PGRME,1,M"), UNKNOWN),  # proprietary: pynmea2's own object, no talker
        (nmea("GPGGA,1")[:-1] + "0", BAD_CHECKSUM),
        ("$GPGGA,1,2", NO_CHECKSUM),
        (nmea("G_GGA,1"), ("G_", "GGA", ["1"])),  # '_' is a word character to pynmea2
        (nmea("GPECQ,RMC"), ("GP", "RMC", [])),  # a query: pynmea2 reads the type asked
        (nmea("PUBX"), GARBAGE),  # pynmea2's u-blox class needs a second field
        (nmea("PUBX,00"), UNKNOWN),
        (nmea("PTNL"), GARBAGE),
        (nmea("PTNL,,"), UNKNOWN),
        ("$GPGGA,1*4", GARBAGE),  # one digit: not a sentence to pynmea2
        ("junk", GARBAGE),
    ],
)
def test_known_outcomes(text: str, expected: object) -> None:
    assert split_with_pynmea2(text) == expected
    want = convert(*expected) if isinstance(expected, tuple) else expected
    assert parse_sentence(text) == want


_CHARS = st.sampled_from(list("$*,.-+ 0123456789ABCDEFGNPQRSTVZabcfpq_\t\x00\xe9"))


@settings(max_examples=600, deadline=None)
@given(
    address=st.sampled_from(["GPRMC", "GNGGA", "GLGSV", "GPGSA", "gpvtg", "PGRMZ", "GPGPQ",
                             "BDGST", "G_ZDA", "GPTXT", "XXXXX", "GP", "GPGGAX", "PUBX",
                             "PTNL", "GPECQ"]),
    fields=st.text(_CHARS, max_size=40),
    tail=st.sampled_from(["good", "bad", "lower", "none", "one", "extra", "space"]),
)
def test_random_sentences_parse_exactly_as_pynmea2_splits_them(address, fields, tail) -> None:
    body = address + "," + fields
    good = nmea(body)
    text = {
        "good": good,
        "bad": good[:-2] + ("00" if good[-2:] != "00" else "01"),
        "lower": good.lower(),
        "none": "$" + body,
        "one": good[:-1],
        "extra": good + "0",
        "space": good + " ",
    }[tail]
    assert parse_sentence(text) == parse_with_pynmea2(text)


@settings(max_examples=300, deadline=None)
@given(start=st.integers(0, max(len(REAL) - 1, 0)), pos=st.integers(0, 200),
       flip=st.integers(1, 127))
def test_corrupted_real_sentences_parse_as_pynmea2_splits_them(start, pos, flip) -> None:
    text = bytearray(REAL[start].encode("ascii", "replace"))
    text[pos % len(text)] ^= flip
    s = text.decode("ascii")
    assert parse_sentence(s) == parse_with_pynmea2(s)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=700))
def test_checksum_is_the_xor_of_all_bytes(data: bytes) -> None:
    assert checksum(data) == reduce(operator.xor, data, 0)


def test_repeated_lines_count_and_contribute_every_time() -> None:
    """A line seen before (its parse is reused) counts and applies like the first time."""
    gsa = nmea("GPGSA,A,3,20,16,09,03,,,,,,,,,1.64,0.98,1.31")
    good = nmea("GPGSA,A,3")
    bad = good[:-2] + f"{int(good[-2:], 16) ^ 0x11:02X}"
    unknown = nmea("GPTXT,01,01,02,ANTSTATUS=OK")
    malformed = nmea("GPGGA,120000,4404.1306,N,12118.8515,W,1,10,x,1127.7,M,,M,,")
    lines = []
    for sec in range(3):
        lines += [
            nmea(f"GPGGA,12000{sec},4404.1306,N,12118.8515,W,1,,,1127.7,M,,M,,"),
            gsa, bad, unknown, malformed,
        ]
    c = SkipCounters()
    asm = EpochAssembler(c)
    fixes = [f for line in lines for f in asm.push(0.0, line)] + asm.flush()
    assert len(fixes) == 3
    assert [(f.sats, f.pdop, f.vdop) for f in fixes] == [(4, 1.64, 1.31)] * 3
    assert (c.lines, c.bad_checksum, c.unknown, c.malformed) == (15, 3, 3, 3)
    assert c.sentences == 12


def test_the_parse_cache_stays_bounded() -> None:
    asm = EpochAssembler()
    for k in range(1000):
        asm.push(0.0, nmea(f"GPGSV,1,1,{k % 100:02d}"))
    assert len(asm._parsed) <= 64


@settings(max_examples=200, deadline=None)
@given(
    start=st.integers(0, max(len(REAL) - 20, 0)),
    noise=st.lists(st.tuples(st.integers(0, 5000), st.sampled_from(
        [b"\r", b"\n", b"\r\n", b"\n\r", b"$", b"$$", b"\x00\xb5b", b"  ", b"*", b"#"])),
        max_size=6),
    cuts=st.lists(st.integers(1, 5000), max_size=12),
)
def test_framer_output_does_not_depend_on_how_reads_are_cut(start, noise, cuts) -> None:
    data = bytearray("\r\n".join(REAL[start : start + 20]).encode("ascii", "replace"))
    for pos, junk in noise:
        pos %= len(data) + 1
        data[pos:pos] = junk
    whole = LineFramer()
    expected = whole.feed(bytes(data)) + whole.flush()
    framer, got = LineFramer(), []
    bounds = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    for a, b in zip(bounds, bounds[1:], strict=False):
        got += framer.feed(bytes(data[a:b]))
    got += framer.flush()
    assert got == expected
    assert framer.counters == whole.counters
