"""Shape and checksum of many framed NMEA lines at once (numpy): a step of file replay.

:class:`~pacer.gps.decoder.NmeaDecoder` with ``precheck=True`` (NMEA log files) runs
:func:`usual_and_valid` on the lines of each 1 MiB read, between the framer and the
parser. It answers, for every line, the question the first step of
:func:`~pacer.gps.sentence.parse_sentence` answers for one: does the line have the usual
shape (:data:`~pacer.gps.sentence.USUAL_SHAPE`) and a right ``*hh``? Lines it says yes
to go to :func:`~pacer.gps.sentence.parse_checked` (no regex, no checksum fold in
Python); every other line still goes through ``parse_sentence`` itself, so a "no" here
can only cost time, never change a result. A "yes" must be exact:
``tests/unit/test_gps_precheck.py`` checks it against the regex and the byte-wise XOR on
real, random and corrupted lines, and file replay with it against file replay without.

Notes
-----
The lines are joined with ``\\n`` into one byte array ``a``. With ``s``/``e`` the start and
end (exclusive) of each line and ``P`` the running XOR of ``a``, the checksum of the body
``a[s+1:e-3]`` is ``P[e-4] ^ P[s]``; characters at fixed offsets (``$``, the address,
``,``, ``*``, the two hex digits) are gathered by index, and "printable, one ``*``"
counts positions between ``s`` and ``e`` (``searchsorted``). About 25 numpy operations
per read (1 MiB) instead of ~15 Python-level big-integer and regex operations per line.
"""

from __future__ import annotations

import numpy as np

# byte -> value of a hex digit (either case), -1 for any other byte
_HEX_VALUE = np.full(256, -1, dtype=np.int16)
for _i, _c in enumerate(b"0123456789ABCDEF"):
    _HEX_VALUE[_c] = _i
    _HEX_VALUE[bytes([_c]).lower()[0]] = _i
_ALNUM = np.zeros(256, dtype=bool)  # ASCII letters and digits
for _c in b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz":
    _ALNUM[_c] = True
_MIN_LEN = 10  # "$" + address (5) + "," + "*" + 2 digits


def usual_and_valid(lines: list[str]) -> list[bool]:
    """For each line: True when it has the usual shape and its checksum is right.

    False means "not known here" (another shape, a wrong checksum): the caller parses
    that line the ordinary way. Exact for ASCII lines (all that ``LineFramer`` returns);
    if any line is not ASCII, every answer is False.
    """
    n = len(lines)
    if n == 0:
        return []
    blob = "\n".join(lines).encode()
    if not blob or len(blob) != sum(map(len, lines)) + n - 1:  # empty, or not ASCII
        return [False] * n
    a = np.frombuffer(blob, dtype=np.uint8)
    lengths = np.fromiter(map(len, lines), dtype=np.int64, count=n)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lengths[:-1] + 1, out=starts[1:])
    ends = starts + lengths
    ok = lengths >= _MIN_LEN
    # indexes clipped into the array; the lines they do not belong to are already not ok
    last = len(a) - 1

    def at(idx: np.ndarray) -> np.ndarray:
        picked: np.ndarray = a[np.clip(idx, 0, last)]
        return picked

    ok &= at(starts) == ord("$")
    ok &= at(starts + 6) == ord(",")
    ok &= at(ends - 3) == ord("*")
    for k in range(1, 6):
        ok &= _ALNUM[at(starts + k)]
    ok &= (at(starts + 1) | 0x20) != ord("p")  # not proprietary ($P...)
    ok &= (at(starts + 5) | 0x20) != ord("q")  # not a query (..Q,)
    hi, lo = _HEX_VALUE[at(ends - 2)], _HEX_VALUE[at(ends - 1)]
    ok &= (hi >= 0) & (lo >= 0)
    # printable ASCII throughout: the n - 1 separators are the only other bytes (the
    # usual read), or else count per line
    not_printable = (a < 0x20) | (a > 0x7E)
    if np.count_nonzero(not_printable) != n - 1:
        bad = np.flatnonzero(not_printable)
        ok &= np.searchsorted(bad, ends) == np.searchsorted(bad, starts)
    # exactly one '*' (the one before the digits)
    stars = np.flatnonzero(a == ord("*"))
    ok &= np.searchsorted(stars, ends) - np.searchsorted(stars, starts) == 1
    running_xor = np.bitwise_xor.accumulate(a)
    body_xor = (  # XOR of a[s+1 : e-3]
        running_xor[np.clip(ends - 4, 0, last)] ^ running_xor[np.clip(starts, 0, last)]
    )
    ok &= body_xor == (hi * 16 + lo)
    return ok.tolist()  # type: ignore[no-any-return]
