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
queries, ``_`` in the address, missing or malformed checksum digits, non-ASCII or
control characters) goes to pynmea2 itself. The fast path exists because pynmea2
builds a regex match, a class lookup and an object per sentence, plus a Python-level
XOR over ``map(ord, ...)``: at 5 Hz that was the largest share of the live GPS CPU.

Outcomes
--------
A tuple ``(talker, kind, fields)`` for a checksummed talker sentence of a type pynmea2
knows (talker and type upper-cased, fields stripped of surrounding whitespace), or one of
the strings :data:`GARBAGE`, :data:`BAD_CHECKSUM`, :data:`NO_CHECKSUM`, :data:`UNKNOWN`.
"""

from __future__ import annotations

import re

import pynmea2

GARBAGE = "garbage"  # not an NMEA sentence at all
BAD_CHECKSUM = "bad_checksum"  # ``*hh`` present and wrong
NO_CHECKSUM = "no_checksum"  # no ``*hh``: never trusted (a line cut mid-field parses)
UNKNOWN = "unknown"  # checksummed, but a type (or a proprietary/query form) we do not use

Split = tuple[str, str, list[str]] | str

_HEX = "0123456789ABCDEFabcdef"
# pynmea2 accepts the two checksum digits in either case ([A-F0-9]{2}, IGNORECASE).
CHECKSUM_DIGITS = {a + b: int(a + b, 16) for a in _HEX for b in _HEX}
PYNMEA2_TALKER_TYPES = frozenset(pynmea2.TalkerSentence.sentence_types)


def checksum(body: bytes) -> int:
    """XOR of all bytes of ``body`` (the NMEA checksum of the text between ``$`` and ``*``).

    Reads the bytes as one integer and XORs it with itself shifted by 64, 32, ... 1
    bytes: byte 0 then holds the XOR of bytes 0..127 (every offset is one sum of
    distinct shifts) -- seven big-integer operations instead of one per byte. Longer
    bodies are cut in 128-byte pieces.
    """
    if len(body) > 128:
        return checksum(body[:128]) ^ checksum(body[128:])
    x = int.from_bytes(body, "little")
    x ^= x >> 512
    x ^= x >> 256
    x ^= x >> 128
    x ^= x >> 64
    x ^= x >> 32
    x ^= x >> 16
    x ^= x >> 8
    return x & 0xFF


# The shape receivers send: $, a talker address (not proprietary $P..., not a query
# ..Q,), a comma, printable ASCII without '*', then *hh. What pynmea2's regex does
# with it is reproduced below; anything else goes to pynmea2.
USUAL_SHAPE = re.compile(
    r"\$([A-OQ-Za-oq-z0-9][A-Za-z0-9]{3}[A-PR-Za-pr-z0-9]),([\x20-\x29\x2b-\x7e]*)"
    r"\*([0-9A-Fa-f]{2})"
)


def split_sentence(text: str) -> Split:
    """Checksum-verify and split one sentence (``text`` starts at its ``$``).

    Returns ``(talker, kind, fields)`` or an outcome string (see module notes); the same
    result as :func:`split_with_pynmea2`, faster for the shape receivers send.
    """
    m = USUAL_SHAPE.fullmatch(text)
    if m is None:
        return split_with_pynmea2(text)
    address, data, digits = m.groups()
    if checksum(text[1:-3].encode()) != CHECKSUM_DIGITS[digits]:  # ASCII: UTF-8 = bytes
        return BAD_CHECKSUM
    address = address.upper()  # as pynmea2 does
    kind = address[2:]
    if kind not in PYNMEA2_TALKER_TYPES:
        return UNKNOWN
    fields = data.split(",")
    if " " in data:  # printable ASCII: a space is the only whitespace there can be
        fields = [f.strip() for f in fields]
    return address[:2], kind, fields


def split_with_pynmea2(text: str) -> Split:
    """Reference: :func:`split_sentence` through ``pynmea2.parse(text, check=True)``."""
    try:
        msg = pynmea2.parse(text, check=True)
    except pynmea2.ChecksumError as e:
        # args[0] is (message, fields): the message alone says which (a field that reads
        # "missing" must not make a wrong checksum look like a missing one)
        message = e.args[0][0] if e.args and isinstance(e.args[0], tuple) else str(e)
        return NO_CHECKSUM if "checksum missing" in message else BAD_CHECKSUM
    except pynmea2.SentenceTypeError:
        return UNKNOWN
    except (pynmea2.ParseError, ValueError, TypeError, AttributeError, IndexError):
        return GARBAGE
    kind = getattr(msg, "sentence_type", None)
    talker = getattr(msg, "talker", None)
    if not isinstance(kind, str) or not isinstance(talker, str):
        return UNKNOWN  # proprietary and query sentences
    return talker, kind, [str(d).strip() for d in msg.data]
