"""One NMEA line to what it does to an epoch: checksum, shape, split, conversion (pure).

:func:`parse_sentence` is the one sentence parser of every GPS source. It answers, for a
line that starts at its ``$``, either a :class:`~pacer.gps.fields.Parsed` (a checksummed
talker sentence of a type we use, converted) or an outcome string: :data:`GARBAGE`,
:data:`BAD_CHECKSUM`, :data:`NO_CHECKSUM`, :data:`UNKNOWN` or :data:`MALFORMED`.

Which lines are sentences follows pynmea2 1.19's grammar (``NMEASentence.parse`` with
``check=True``), so our counts and fixes stay what they were when pynmea2 parsed every
line; ``tests/helpers/nmea_reference.py`` runs pynmea2 itself as the cross-check.
The answer is a :data:`~pacer.gps.epoch.Parsed` record or one of the outcome strings.

* The shape every receiver sends -- ``$``, a two-letter talker and three-letter type
  (not proprietary ``$P...``, not a ``..Q,`` query), a comma, printable ASCII without
  ``*``, ``*hh`` -- is recognised by one regular expression (:data:`USUAL_SHAPE`).
* Every other line goes through pynmea2's own regular expressions (:func:`_parse_other`):
  a missing checksum is ``no_checksum``, a proprietary sentence or a query ``unknown``
  (or ``garbage`` where pynmea2's class for it fails on too few fields), anything else
  ``garbage``.
* Both use :func:`checksum`, the one NMEA checksum of pacer.
"""

from __future__ import annotations

import re

from pacer.gps.epoch import Parsed, SentenceKey
from pacer.gps.fields import (
    CONVERTERS,
    MALFORMED,
    MIN_FIELDS,
    PADDING,
    UNKNOWN,
    Convert,
    convert,
)

__all__ = [
    "BAD_CHECKSUM",
    "GARBAGE",
    "MALFORMED",
    "NO_CHECKSUM",
    "UNKNOWN",
    "USUAL_SHAPE",
    "checksum",
    "parse_checked",
    "parse_sentence",
]

GARBAGE = "garbage"  # not an NMEA sentence at all
BAD_CHECKSUM = "bad_checksum"  # ``*hh`` present and wrong
NO_CHECKSUM = "no_checksum"  # no ``*hh``: never trusted (a line cut mid-field parses)

_HEX = "0123456789ABCDEFabcdef"
# the two checksum digits, in either case (pynmea2: [A-F0-9]{2}, IGNORECASE) -> value
CHECKSUM_DIGITS = {a + b: int(a + b, 16) for a in _HEX for b in _HEX}


def checksum(body: bytes) -> int:
    """XOR of all bytes of ``body`` (the NMEA checksum of the text between ``$`` and ``*``).

    Reads the bytes as one integer and XORs it with itself shifted by 64, 32, ... 1
    bytes: byte 0 then holds the XOR of bytes 0..127 (every offset is one sum of
    distinct shifts) -- a few big-integer operations instead of one per byte.
    """
    n = len(body)
    if n > 128:
        return checksum(body[:128]) ^ checksum(body[128:])
    x = int.from_bytes(body, "little")
    if n > 64:
        x ^= x >> 512
    if n > 32:
        x ^= x >> 256
    if n > 16:
        x ^= x >> 128
    x ^= x >> 64
    x ^= x >> 32
    x ^= x >> 16
    x ^= x >> 8
    return x & 0xFF


# The shape receivers send: $, a talker address (not proprietary $P..., not a query
# ..Q,), a comma, printable ASCII without '*', then *hh. pynmea2's grammar below gives
# these lines the same talker, type, fields and checksum.
USUAL_SHAPE = re.compile(
    r"\$([A-OQ-Za-oq-z0-9][A-Za-z0-9]{3}[A-PR-Za-pr-z0-9]),([\x20-\x29\x2b-\x7e]*)"
    r"\*([0-9A-Fa-f]{2})"
)


def parse_sentence(text: str) -> Parsed | str:
    """One line (starting at its ``$``, stripped) to its :class:`Parsed` or an outcome.

    Pure, so its result can be reused for a repeated line. Everything converts here,
    before any epoch state is touched: a malformed sentence changes nothing.
    """
    if USUAL_SHAPE.fullmatch(text) is None:  # (a regex costs less than the same tests)
        return _parse_other(text)
    if checksum(text[1:-3].encode()) != CHECKSUM_DIGITS[text[-2:]]:  # ASCII: UTF-8 = bytes
        return BAD_CHECKSUM
    return parse_checked(text)


def parse_checked(text: str) -> Parsed | str:
    """:func:`parse_sentence` of a line known to have the usual shape and a right checksum.

    File replay checks shape and checksum of a whole read at once
    (:mod:`pacer.gps.precheck`) and calls this for the lines that passed.
    """
    address = text[1:6]
    info = _ADDRESSES.get(address)
    if info is None:
        info = _address_info(address)
    if isinstance(info, str):  # UNKNOWN
        return info
    converter, key, ender_key = info
    data_text = text[7:-3]
    fields = data_text.split(",")
    if " " in data_text:  # printable ASCII: a space is the only whitespace there can be
        fields = [f.strip() for f in fields]
    n_fields = len(fields)
    if n_fields < MIN_FIELDS:  # absent trailing fields read as empty
        fields += PADDING[n_fields]
    try:
        return converter(key, ender_key, fields, n_fields)
    except (ValueError, IndexError):  # a field that does not convert
        return MALFORMED


# What an address means: its converter, (talker, type) key and (type, talker) cycle-ender
# key; looked up once per address, not per line.
_Info = tuple[Convert, SentenceKey, SentenceKey]
_ADDRESSES: dict[str, _Info | str] = {}
_ADDRESS_CACHE_SIZE = 256  # a corrupted stream can invent addresses; keep the table small


def _address_info(address: str) -> _Info | str:
    upper = address.upper()  # as pynmea2 does
    talker, kind = upper[:2], upper[2:]
    converter = CONVERTERS.get(kind)
    info: _Info | str = UNKNOWN if converter is None else (converter, (talker, kind),
                                                            (kind, talker))
    if len(_ADDRESSES) >= _ADDRESS_CACHE_SIZE:
        _ADDRESSES.clear()
    _ADDRESSES[address] = info
    return info


# ----------------------------------------------------------------- any other shape
# pynmea2 1.19's grammar (pynmea2/nmea.py, NMEASentence: sentence_re, talker_re, query_re,
# proprietary_re; MIT licence), so that unusual lines count as they always did.
_SENTENCE = re.compile(
    r"""
    ^\s*\$?
    (?P<nmea_str>
        (?P<sentence_type>(P\w{3})|(\w{2}\w{2}Q,\w{3})|(\w{2}\w{3},))
        (?P<data>[^*]*)
    )
    (?:[*](?P<checksum>[A-F0-9]{2}))?
    \s*[\r\n]*$
    """,
    re.X | re.IGNORECASE,
)
_TALKER = re.compile(r"^(?P<talker>\w{2})(?P<sentence>\w{3}),$")
_QUERY = re.compile(r"^(?P<talker>\w{2})(?P<listener>\w{2})Q,(?P<sentence>\w{3})$")
_PROPRIETARY = re.compile(r"^P(?P<manufacturer>\w{3})$")
# pynmea2's classes for these manufacturers read the second field to choose a subclass
# and fail (IndexError: garbage to us) on a sentence with fewer fields
_PROPRIETARY_NEEDS_TWO_FIELDS = frozenset({"ASH", "SXN", "UBX", "VTX"})


def _parse_other(text: str) -> Parsed | str:
    """:func:`parse_sentence` for a line without the usual shape, by pynmea2's rules."""
    m = _SENTENCE.match(text)
    if m is None:
        return GARBAGE
    nmea_str, data_str, digits = m.group("nmea_str", "data", "checksum")
    if not digits:
        return NO_CHECKSUM
    try:  # pynmea2 XORs code points: the same as the bytes of Latin-1 text
        body = nmea_str.encode("latin-1")
    except UnicodeEncodeError:  # never from the framer (printable ASCII only)
        return BAD_CHECKSUM
    if checksum(body) != int(digits, 16):
        return BAD_CHECKSUM
    sentence_type = m.group("sentence_type").upper()
    data = data_str.split(",")
    talker = _TALKER.match(sentence_type)
    if talker is not None:
        return convert(talker.group("talker"), talker.group("sentence"),
                       [f.strip() for f in data])
    query = _QUERY.match(sentence_type)
    if query is not None and not data_str:  # pynmea2 reads it as that type, no fields
        return convert(query.group("talker"), query.group("sentence"), [])
    proprietary = _PROPRIETARY.match(sentence_type)
    if proprietary is None:
        return GARBAGE
    manufacturer = proprietary.group("manufacturer")
    if len(data) < 2 and (
        manufacturer in _PROPRIETARY_NEEDS_TWO_FIELDS or (manufacturer == "TNL" and not data[0])
    ):
        return GARBAGE
    return UNKNOWN
