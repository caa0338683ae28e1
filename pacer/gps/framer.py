"""Bytes to NMEA lines: the one line framer of every GPS source (pure, no IO).

:class:`LineFramer` turns arbitrary byte chunks -- a serial read, a simulated receiver's
epoch, a 1 MiB read of a log file, a chunk of a session's raw log -- into candidate
sentences, tolerant of everything a UART delivers. Checksums are the parser's job
(:mod:`pacer.gps.sentence`).
"""

from __future__ import annotations

import re

from pacer.models import SkipCounters

MAX_LINE_BYTES = 256  # NMEA says 82; proprietary and NMEA 4.1 sentences run longer
_PRINTABLE = re.compile(rb"[\x20-\x7e]*\Z")
# The usual line, kept whole: one '$', then printable ASCII, at most MAX_LINE_BYTES.
_ONE_SENTENCE = re.compile(rb"\$[\x20-\x23\x25-\x7e]{1,%d}" % (MAX_LINE_BYTES - 1))
# Printable ASCII, CR and LF: a chunk made of these only takes the fast path of feed().
_TEXT_BYTES = bytes(range(0x20, 0x7F)) + b"\r\n"


def _bump(counters: SkipCounters, name: str, n: int = 1) -> None:
    counters.extra[name] = counters.extra.get(name, 0) + n


class LineFramer:
    """Split a byte stream into NMEA lines, tolerant of everything a UART delivers.

    Parameters
    ----------
    counters : SkipCounters, optional
        ``garbage`` counts discarded pieces (bytes outside any ``$...`` sentence, binary
        frames, non-ASCII lines); ``extra['overlong']`` lines longer than
        :data:`MAX_LINE_BYTES`; ``extra['comments']`` ``#`` lines when enabled.
    skip_comments : bool
        Drop lines starting with ``#`` (log files), instead of looking for a ``$`` in them.

    Notes
    -----
    A line ends at CR, LF or any run of them. Within a line every ``$`` starts a new
    candidate sentence, so a lost line end (``...*4B$GPRMC,...``), a doubled ``$$`` or
    binary noise before a ``$`` cost at most the damaged sentence. A candidate is
    returned with its ``$`` and without the line end; checksums are the parser's job.
    The lines a chunk completes all arrived with it: the caller stamps them with the
    chunk's time.
    """

    def __init__(
        self, counters: SkipCounters | None = None, *, skip_comments: bool = False
    ) -> None:
        self.counters = counters if counters is not None else SkipCounters()
        self.skip_comments = skip_comments
        self._buf = b""

    def feed(self, data: bytes) -> list[str]:
        """Add a chunk of bytes; return the lines it completed (all of them arrived with it)."""
        buf = self._buf + bytes(data)
        # CR, LF and CRLF end a line: the complete lines are up to the last line end, the
        # rest waits for the next chunk (empty pieces of other runs, LF CR or CR CR, are
        # skipped below)
        if buf.endswith((b"\n", b"\r")):
            tail = b""
        else:
            cut = max(buf.rfind(b"\n"), buf.rfind(b"\r")) + 1
            buf, tail = buf[:cut], buf[cut:]
        if len(tail) > MAX_LINE_BYTES:
            cut = tail.rfind(b"$")
            keep = tail[cut:] if 0 <= cut and len(tail) - cut <= MAX_LINE_BYTES else b""
            _bump(self.counters, "overlong")
            self.counters.garbage += 1
            tail = keep
        self._buf = tail
        if not buf:
            return []
        out: list[str] = []
        if not buf.translate(None, _TEXT_BYTES):
            # printable ASCII and line ends only (the usual chunk): decoded once, and its
            # str.splitlines is bytes.splitlines (no other line-breaking character in it)
            for line in buf.decode("ascii").splitlines():
                if 1 < len(line) <= MAX_LINE_BYTES and line[0] == "$" and line.count("$") == 1:
                    out.append(line.rstrip())  # the usual line (_ONE_SENTENCE)
                elif line:
                    self._piece(line.encode("ascii"), out)
            return out
        # bytes.splitlines is ~8x cheaper than a regex split here
        for piece in buf.splitlines():
            if _ONE_SENTENCE.fullmatch(piece):
                out.append(piece.decode().rstrip())
            elif piece:
                self._piece(piece, out)
        return out

    def flush(self) -> list[str]:
        """Return what is buffered as a final line (end of file)."""
        out: list[str] = []
        if self._buf:
            self._piece(self._buf, out)
            self._buf = b""
        return out

    def _piece(self, piece: bytes, out: list[str]) -> None:
        if not piece:
            return
        if self.skip_comments and piece.startswith(b"#"):
            _bump(self.counters, "comments")
            return
        if len(piece) > MAX_LINE_BYTES:
            _bump(self.counters, "overlong")
            cut = piece.rfind(b"$")
            if cut < 0 or len(piece) - cut > MAX_LINE_BYTES:
                self.counters.garbage += 1
                return
            piece = piece[cut:]
        parts = piece.split(b"$")
        if parts[0].strip(b" \t\x00"):
            self.counters.garbage += 1  # bytes before the first '$'
        for part in parts[1:]:
            if not part:
                continue  # '$$'
            if not _PRINTABLE.match(part):
                self.counters.garbage += 1
                continue
            out.append("$" + part.decode("ascii").rstrip())
