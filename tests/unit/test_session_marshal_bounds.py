"""The legacy journal's table rows are bounds-checked before ``marshal.loads`` reads them."""

from __future__ import annotations

import marshal
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pacer.session.legacy_journal import decode
from pacer.session.marshal_bounds import check_marshal_bounds

_values = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=40))  # fmt: skip
_ops = st.lists(st.tuples(st.one_of(st.integers(0, 20), st.text(max_size=30)),
                          st.tuples(*[_values] * 3)), max_size=20)  # fmt: skip


@given(_ops)
def test_what_the_old_writer_marshalled_passes_and_loads_equal(ops: list[tuple]) -> None:
    data = marshal.dumps(ops)
    check_marshal_bounds(data)
    assert marshal.loads(data) == ops


@pytest.mark.parametrize("code", [b"[", b"("])
def test_a_huge_announced_count_is_refused_before_any_allocation(code: bytes) -> None:
    crafted = code + struct.pack("<I", 0x7FFFFFFF) + b"N" * 36  # 41 bytes
    with pytest.raises(ValueError, match="items announced"):
        check_marshal_bounds(crafted)
    with pytest.raises(ValueError, match="undecodable table rows"):
        decode(crafted)


def test_a_huge_string_length_and_foreign_types_are_refused() -> None:
    with pytest.raises(ValueError, match="bytes where"):
        check_marshal_bounds(b"u" + struct.pack("<I", 0x7FFFFFF0) + b"abc")
    with pytest.raises(ValueError, match="not one the journal writer makes"):
        check_marshal_bounds(marshal.dumps({1: 2}))
    with pytest.raises(ValueError, match="after the value"):
        check_marshal_bounds(marshal.dumps([1]) + b"N")


@given(st.binary(max_size=64))
def test_any_bytes_are_refused_or_load_without_error(data: bytes) -> None:
    try:
        check_marshal_bounds(data)
    except ValueError:
        return
    try:
        marshal.loads(data)  # bounded by the check: never a MemoryError
    except (ValueError, EOFError, TypeError):
        pass  # bad references or text: decode() reports these as undecodable rows
