"""pynmea2 as the reference NMEA parser, for cross-checking ``pacer.gps.sentence``.

pacer's sentence parser follows pynmea2 1.19's rules (``pynmea2.parse(text, check=True)``)
without calling it. :func:`split_with_pynmea2` runs pynmea2 itself and maps its outcome
(object or exception) to pacer's; :func:`parse_with_pynmea2` then converts the fields with
pacer's own converters, which is what :func:`pacer.gps.sentence.parse_sentence` must
return for every line.
"""

from __future__ import annotations

from functools import reduce

import pynmea2

from pacer.gps.fields import Parsed, convert
from pacer.gps.sentence import BAD_CHECKSUM, GARBAGE, NO_CHECKSUM, UNKNOWN

Split = tuple[str, str, list[str]] | str


def split_with_pynmea2(text: str) -> Split:
    """``(talker, type, fields)`` of a checksummed talker sentence, or an outcome string."""
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
        return UNKNOWN  # proprietary sentences
    return talker, kind, [str(d).strip() for d in msg.data]


def parse_with_pynmea2(text: str) -> Parsed | str:
    """What ``parse_sentence(text)`` must be: pynmea2's split, pacer's conversions."""
    split = split_with_pynmea2(text)
    if isinstance(split, str):
        return split
    talker, kind, fields = split
    return convert(talker, kind, fields)


def xor_checksum(body: bytes) -> int:
    """The NMEA checksum the plain way: XOR of the bytes, one at a time."""
    return reduce(lambda a, b: a ^ b, body, 0)
