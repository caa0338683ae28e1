"""One NMEA line to ``(talker, type, fields)``, checksum enforced, exactly as pynmea2 does it.

Pure: standard library and pynmea2 only. :func:`split_sentence` is the first step of
:class:`~pacer.gps.nmea.EpochAssembler`: it verifies the ``*hh`` checksum and splits the
talker, the sentence type and the comma-separated fields.

pynmea2 is the parser of record: :func:`split_with_pynmea2` runs ``pynmea2.parse(check=True)``
and maps its outcome (object or exception) to ours. Every sentence a receiver normally
sends -- ``$`` + two-letter talker + three-letter type + ``,`` + fields + ``*hh`` in
ASCII -- takes a fast path that reproduces pynmea2's regular expression, its checksum
and its ``split(',')`` for that shape (each checked against the other by the hypothesis
tests in ``tests/unit/test_gps_sentence.py``); any other shape (proprietary ``$P...``,
queries, ``_`` in the address, lowercase or missing checksum digits, non-ASCII) goes to
pynmea2 itself. The fast path exists because pynmea2 builds a regex match, a class
lookup and an object per sentence, plus a Python-level XOR over ``map(ord, ...)``: at
5 Hz with 5 sentence types that was the largest share of the live GPS CPU.

Outcomes
--------
A tuple ``(talker, kind, fields)`` for a checksummed talker sentence of a type pynmea2
knows (talker and type upper-cased, fields stripped of surrounding whitespace), or one of
the strings :data:`GARBAGE`, :data:`BAD_CHECKSUM`, :data:`NO_CHECKSUM`, :data:`UNKNOWN`.
"""

from __future__ import annotations

import pynmea2

GARBAGE = "garbage"  # not an NMEA sentence at all
BAD_CHECKSUM = "bad_checksum"  # ``*hh`` present and wrong
NO_CHECKSUM = "no_checksum"  # no ``*hh``: never trusted (a line cut mid-field parses)
UNKNOWN = "unknown"  # checksummed, but a type (or a proprietary/query form) we do not use

Split = tuple[str, str, list[str]] | str

_HEX = "0123456789ABCDEFabcdef"
# pynmea2 accepts the two checksum digits in either case ([A-F0-9]{2}, IGNORECASE).
_CHECKSUM_DIGITS = {a + b: int(a + b, 16) for a in _HEX for b in _HEX}
# XOR-folding masks: a byte string read as one integer folds onto its low half.
_LOW_BYTES_MASK = [(1 << (8 * n)) - 1 for n in range(129)]
_PYNMEA2_TALKER_TYPES = frozenset(pynmea2.TalkerSentence.sentence_types)


def checksum(body: bytes) -> int:
    """XOR of all bytes of ``body`` (the NMEA checksum of the text between ``$`` and ``*``).

    Folds the bytes read as one integer in halves (a few big-integer operations instead
    of one Python-level operation per byte).
    """
    n = len(body)
    x = int.from_bytes(body, "little")
    while n > 8:
        half = (n + 1) >> 1
        x = (x ^ (x >> (8 * half))) & _LOW_BYTES_MASK[half]
        n = half
    x ^= x >> 32
    x ^= x >> 16
    x ^= x >> 8
    return x & 0xFF


def _fields(data: str) -> list[str]:
    fields = data.split(",")
    if " " in data or not data.isprintable():  # only then can a field carry whitespace
        fields = [f.strip() for f in fields]
    return fields


def split_sentence(text: str) -> Split:
    """Checksum-verify and split one sentence (``text`` starts at its ``$``).

    Returns ``(talker, kind, fields)`` or an outcome string (see module notes); the same
    result as :func:`split_with_pynmea2`, faster for the shape receivers send.
    """
    n = len(text)
    digits = _CHECKSUM_DIGITS.get(text[n - 2 :]) if n >= 10 else None
    if (
        digits is None
        or text[0] != "$"
        or text[n - 3] != "*"
        or text[6] != ","
        or not text.isascii()
        or "*" in text[7 : n - 3]
        or not text[1:6].isalnum()  # ASCII letters and digits; pynmea2 also takes '_'
        or text[1] in "Pp"  # proprietary: pynmea2 reads $PGRME as manufacturer GRM
        or text[5] in "Qq"  # maybe a query ($CCGPQ,GGA)
    ):
        return split_with_pynmea2(text)
    body = text[1 : n - 3]
    if checksum(body.encode("ascii")) != digits:
        return BAD_CHECKSUM
    address = body[:5].upper()
    kind = address[2:]
    if kind not in _PYNMEA2_TALKER_TYPES:
        return UNKNOWN
    return address[:2], kind, _fields(body[6:])


def split_with_pynmea2(text: str) -> Split:
    """Reference: :func:`split_sentence` through ``pynmea2.parse(text, check=True)``."""
    try:
        msg = pynmea2.parse(text, check=True)
    except pynmea2.ChecksumError as e:
        return NO_CHECKSUM if "missing" in str(e) else BAD_CHECKSUM
    except pynmea2.SentenceTypeError:
        return UNKNOWN
    except (pynmea2.ParseError, ValueError, TypeError, AttributeError, IndexError):
        return GARBAGE
    kind = getattr(msg, "sentence_type", None)
    talker = getattr(msg, "talker", None)
    if not isinstance(kind, str) or not isinstance(talker, str):
        return UNKNOWN  # proprietary and query sentences
    return talker, kind, [str(d).strip() for d in msg.data]
