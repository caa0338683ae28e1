"""File replay's precheck (shape and checksum of a whole read at once, numpy) changes nothing.

``usual_and_valid`` must say "usual shape, right checksum" exactly when the regex and the
byte-wise XOR say so; and ``fixes_from_nmea_file`` (whose decoder trusts it) must give
the same Fix list and SkipCounters as the same decoder without the precheck -- on the
bundled real logs, on random lines and on corrupted logs.
"""

from __future__ import annotations

import random
from functools import reduce
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pacer.formats.nmea_log import _Timeline, fixes_from_nmea_file
from pacer.gps.decoder import NmeaDecoder
from pacer.gps.precheck import usual_and_valid
from pacer.gps.sentence import USUAL_SHAPE
from pacer.models import SkipCounters

DATA = Path(__file__).resolve().parents[1] / "data" / "gps" / "gpsd"
LOGS = sorted(DATA.glob("*.log"))


def _reference(line: str) -> bool:
    m = USUAL_SHAPE.fullmatch(line)
    if m is None:
        return False
    body = line[1:-3].encode()
    return reduce(lambda a, b: a ^ b, body, 0) == int(m.group(3), 16)


def _plain_fixes(path: Path, counters: SkipCounters) -> list:
    """fixes_from_nmea_file without the precheck: every line through ``parse_sentence``."""
    decoder = NmeaDecoder(counters, skip_comments=True, timeline=_Timeline(counters))
    out = []
    for ep in decoder.epochs_of([path.read_bytes()]):
        if ep.time_of_day_s is None:
            counters.extra["untimed_epochs"] = counters.extra.get("untimed_epochs", 0) + 1
        else:
            out.append(ep.fix)
    return out


def _same_as_plain(path: Path) -> None:
    c_batch, c_plain = SkipCounters(), SkipCounters()
    assert list(fixes_from_nmea_file(path, c_batch)) == _plain_fixes(path, c_plain)
    assert c_batch == c_plain


def test_real_lines() -> None:
    lines = [raw for p in LOGS for raw in p.read_text(errors="replace").splitlines()]
    got = usual_and_valid(lines)
    assert got == [_reference(line) for line in lines]
    assert sum(got) > 250 and not all(got)  # the slice has good and other lines


def test_real_logs_replay_as_the_plain_path(tmp_path: Path) -> None:
    for p in LOGS:
        _same_as_plain(p)


line = st.one_of(
    st.builds(  # the usual shape, right or wrong checksum, odd addresses and digits
        lambda addr, body, digits: f"${addr},{body}*{digits}",
        st.text("GNPQRMCgnpqz09_ ", min_size=4, max_size=6),
        st.text(st.characters(min_codepoint=0x1F, max_codepoint=0x80), max_size=40),
        st.text("0123456789abcdefABCDEFG", min_size=1, max_size=3),
    ),
    st.text(max_size=30),
)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(line, max_size=12), fix_checksums=st.lists(st.booleans(), max_size=12))
def test_random_lines(lines: list[str], fix_checksums: list[bool]) -> None:
    lines = list(lines)
    for i, fix in enumerate(fix_checksums[: len(lines)]):
        m = USUAL_SHAPE.fullmatch(lines[i])
        if fix and m is not None:  # give some of them the right checksum
            ck = reduce(lambda a, b: a ^ b, lines[i][1:-3].encode(), 0)
            lines[i] = f"{lines[i][:-2]}{ck:02X}"
    got = usual_and_valid(lines)
    if all(x.isascii() for x in lines):
        assert got == [_reference(x) for x in lines]
    else:  # no shortcut for a read with non-ASCII text (the framer never returns it)
        assert got == [False] * len(lines)


@settings(max_examples=60, deadline=None)
@given(log=st.sampled_from(LOGS), seed=st.integers(0, 2**32 - 1), n_ops=st.integers(1, 80))
def test_corrupted_logs_replay_as_the_plain_path(log: Path, seed: int, n_ops: int,
                                                 tmp_path_factory) -> None:
    rng = random.Random(seed)
    b = bytearray(log.read_bytes())
    for _ in range(n_ops):
        pos, op = rng.randrange(len(b)), rng.randrange(5)
        if op == 0:
            b[pos] ^= 1 << rng.randrange(8)
        elif op == 1:
            del b[pos : pos + 20]
        elif op == 2:
            b[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 6)))
        elif op == 3:
            nl = b.find(b"\n", pos)
            if nl >= 0:
                del b[nl]
        else:  # a right checksum on a damaged line: it gets past the checksum test
            nl, star = b.find(b"\n", pos), b.find(b"*", pos)
            dollar = b.rfind(b"$", 0, star)
            if 0 <= dollar < star < nl and star + 3 <= len(b):
                ck = reduce(lambda x, y: x ^ y, b[dollar + 1 : star], 0)
                b[star + 1 : star + 3] = f"{ck:02X}".encode()
    path = tmp_path_factory.mktemp("log") / "corrupt.nmea"
    path.write_bytes(bytes(b))
    _same_as_plain(path)
