"""Opening input files so that no file can hang pacer or exhaust its memory.

Every reader of a user-given file (accelerometer CSV, GPX, FIT, workouts, config) goes
through here:

* the path is checked with :func:`os.stat` *before* it is opened: a FIFO, a device node
  (``/dev/zero``), a socket or a directory is refused with one line, and a FIFO is never
  opened (opening one without a writer blocks forever);
* the file is then opened non-blocking and checked again on the open descriptor, so a
  file swapped for a FIFO in between is refused too;
* its size is bounded (``max_bytes``) and so is every line (:func:`bounded_lines`).

Errors are :class:`~pacer.errors.InputError` with ``FILE: problem`` or
``FILE:LINE: problem``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from typing import BinaryIO

from pacer.errors import InputError

MIB = 1 << 20


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _size_text(n: int) -> str:
    return f"{n / MIB:.1f} MiB" if n >= MIB else f"{n} bytes"


def _check(path: str | os.PathLike[str], st: os.stat_result, max_bytes: int, what: str) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{os.fspath(path)}: is {_kind(st.st_mode)}, not a regular file "
                         f"(expected: {what})")  # fmt: skip
    if st.st_size > max_bytes:
        raise InputError(f"{os.fspath(path)}: {_size_text(st.st_size)} is larger than a {what} "
                         f"can be ({_size_text(max_bytes)} at most)")  # fmt: skip


def check_regular(path: str | os.PathLike[str], *, max_bytes: int, what: str) -> os.stat_result:
    """``os.stat`` of ``path`` if it is a regular file of at most ``max_bytes``, else
    :class:`InputError` (never opens anything)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputError(f"{os.fspath(path)}: cannot read ({exc.strerror or exc})") from exc
    _check(path, st, max_bytes, what)
    return st


def open_regular(path: str | os.PathLike[str], *, max_bytes: int, what: str) -> BinaryIO:
    """A binary file object for a regular file of at most ``max_bytes`` (see module doc)."""
    check_regular(path, max_bytes=max_bytes, what=what)
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(f"{os.fspath(path)}: cannot read ({exc.strerror or exc})") from exc
    try:
        _check(path, os.fstat(fd), max_bytes, what)  # the file opened is the one checked
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_regular_bytes(path: str | os.PathLike[str], *, max_bytes: int, what: str) -> bytes:
    """All bytes of a regular file of at most ``max_bytes`` (a growing file is cut off)."""
    with open_regular(path, max_bytes=max_bytes, what=what) as f:
        try:
            data = f.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(f"{os.fspath(path)}: cannot read ({exc.strerror or exc})") from exc
    if len(data) > max_bytes:
        raise InputError(f"{os.fspath(path)}: grew past {_size_text(max_bytes)} while read")
    return data


def check_line_lengths(
    f: BinaryIO, path: str | os.PathLike[str], *, max_line_bytes: int, what: str
) -> None:
    """Scan ``f`` from its start in 1 MiB chunks (C speed, bounded memory) and raise
    :class:`InputError` naming the first line longer than ``max_line_bytes``; rewinds."""
    import numpy as np

    f.seek(0)
    run = 0  # bytes since the last newline
    lines_before = 0
    while chunk := f.read(MIB):
        ends = np.flatnonzero(np.frombuffer(chunk, np.uint8) == 10)
        if ends.size == 0:
            run += len(chunk)
        else:
            lengths = np.diff(ends, prepend=-1) - 1
            lengths[0] += run
            long = np.flatnonzero(lengths > max_line_bytes + 1)  # +1: a "\r" before "\n"
            if long.size:
                run = max_line_bytes + 2
                lines_before += int(long[0])
                break
            lines_before += int(ends.size)
            run = len(chunk) - int(ends[-1]) - 1
        if run > max_line_bytes + 1:
            break
    f.seek(0)
    if run > max_line_bytes + 1:
        raise InputError(f"{os.fspath(path)}:{lines_before + 1}: line longer than "
                         f"{max_line_bytes} bytes; not a {what}")  # fmt: skip


def bounded_lines(
    f: BinaryIO, path: str | os.PathLike[str], *, max_line_bytes: int, what: str
) -> Iterator[tuple[int, bytes]]:
    """``(line number, line without its end)`` of a binary file; a line longer than
    ``max_line_bytes`` raises :class:`InputError` naming the line (memory stays bounded)."""
    lineno = 0
    while True:
        line = f.readline(max_line_bytes + 2)
        if not line:
            return
        lineno += 1
        body = line.rstrip(b"\r\n")
        if len(body) > max_line_bytes:
            raise InputError(f"{os.fspath(path)}:{lineno}: line longer than {max_line_bytes} "
                             f"bytes; not a {what}")  # fmt: skip
        yield lineno, body
