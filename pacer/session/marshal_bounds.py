"""A bounds check of a ``marshal`` stream before :func:`marshal.loads` reads it.

``marshal.loads`` trusts the counts in its input: a 41-byte stream that announces a list
of 0x7fffffff items makes it allocate 16 GiB before it finds the items missing. The
journal of sessions recorded before schema v5 carries table rows marshalled by pacer
itself, but a crafted or damaged file can carry anything, so the stream is walked first:
only the value types the old writer produced (lists, tuples, strings, integers, floats,
None, booleans and back-references) are accepted, and every count and length must fit in
the bytes that are left. Then what ``marshal.loads`` allocates is bounded by the size of
the stream.
"""

from __future__ import annotations

import struct

__all__ = ["check_marshal_bounds"]

_FLAG_REF = 0x80
_MAX_DEPTH = 16
_U32 = struct.Struct("<I")
_SCALAR_BYTES = {ord("N"): 0, ord("T"): 0, ord("F"): 0, ord("i"): 4, ord("g"): 8,
                 ord("r"): 4}  # fmt: skip
_SIZED_U32 = frozenset(map(ord, "usatA"))  # 4-byte length, then that many bytes
_SIZED_U8 = frozenset(map(ord, "zZ"))  # 1-byte length, then that many bytes


def check_marshal_bounds(data: bytes) -> None:
    """Raise ValueError unless ``data`` is one marshalled value of the old writer's types
    whose every count and length fits in ``data``."""
    end = _value(data, 0, 0)
    if end != len(data):
        raise ValueError(f"marshal: {len(data) - end} bytes after the value")


def _u32(data: bytes, pos: int) -> int:
    if pos + 4 > len(data):
        raise ValueError("marshal: cut inside a length")
    return int(_U32.unpack_from(data, pos)[0])


def _value(data: bytes, pos: int, depth: int) -> int:
    """The position just after the value starting at ``pos``."""
    if depth > _MAX_DEPTH:
        raise ValueError("marshal: nested too deep")
    if pos >= len(data):
        raise ValueError("marshal: cut before a value")
    code = data[pos] & ~_FLAG_REF
    pos += 1
    left = len(data) - pos
    if code in _SCALAR_BYTES:
        size = _SCALAR_BYTES[code]
    elif code in _SIZED_U32:
        size = 4 + _u32(data, pos)
    elif code in _SIZED_U8:
        size = 1 + (data[pos] if pos < len(data) else 0)
    elif code == ord("l"):  # a long: signed digit count, 2 bytes a digit
        n = _u32(data, pos)
        size = 4 + 2 * (n if n < 0x80000000 else 0x100000000 - n)
    elif code in (ord("["), ord("(")):
        return _items(data, pos + 4, _u32(data, pos), depth)
    elif code == ord(")"):  # a small tuple: 1-byte count
        if left < 1:
            raise ValueError("marshal: cut inside a count")
        return _items(data, pos + 1, data[pos], depth)
    else:
        raise ValueError(f"marshal: type {chr(code)!r} is not one the journal writer makes")
    if size > left:
        raise ValueError(f"marshal: a value of {size} bytes where {left} are left")
    return pos + size


def _items(data: bytes, pos: int, count: int, depth: int) -> int:
    if count > len(data) - pos:  # every item takes at least one byte
        raise ValueError(f"marshal: {count} items announced, {len(data) - pos} bytes left")
    for _ in range(count):
        pos = _value(data, pos, depth + 1)
    return pos
