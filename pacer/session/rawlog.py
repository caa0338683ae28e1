"""Append-only raw logs: a data file plus a fixed-size-record index, crash-safe.

Both files are opened unbuffered; appends go to memory and :meth:`RawLog.flush` writes
them, data first then index, and syncs them to the disk (fdatasync, see ``_datasync``).
A reader trusts only index records that are complete and point inside the data file,
so a crash between the two writes (or inside one) leaves a log that reads back up to
the last whole chunk. A failed write (ENOSPC,
EIO) truncates both files back to the last good flush and stops the log for good, so
what was written is never corrupted.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

Opener = Callable[[Path], BinaryIO]

#: fdatasync where the OS has it (Linux), else fsync. Safe for these append-only files:
#: fdatasync writes the data and every piece of metadata needed to read it back -- the
#: new file size and block allocation of an append included -- and skips only the time
#: stamps (mtime/ctime), which nothing here reads. See fdatasync(2).
_datasync: Callable[[int], None] = getattr(os, "fdatasync", os.fsync)


def open_append(path: Path) -> BinaryIO:
    """Default opener: create ``path`` and open it for unbuffered binary append."""
    return open(path, "ab", buffering=0)


class RawLog:
    """One data file and its index, appended together.

    Parameters
    ----------
    data_path, index_path
        The two files (created, or appended to).
    opener
        Opens a path for binary append; tests inject files that fail like a full disk.
    """

    def __init__(self, data_path: Path, index_path: Path, *, opener: Opener = open_append):
        self.data_path = data_path
        self.index_path = index_path
        self._data = opener(data_path)
        self._index = opener(index_path)
        self._good_data_bytes = data_path.stat().st_size if data_path.exists() else 0
        self._good_index_bytes = index_path.stat().st_size if index_path.exists() else 0
        self._pending_data = bytearray()
        self._pending_index = bytearray()
        self.stopped = False
        self.error: OSError | None = None

    @property
    def data_bytes(self) -> int:
        """Length of the data file once everything pending is written (next chunk offset)."""
        return self._good_data_bytes + len(self._pending_data)

    def append(self, data: bytes, index_record: bytes) -> None:
        """Queue ``data`` and its index record; no IO until :meth:`flush`."""
        if self.stopped:
            return
        self._pending_data += data
        self._pending_index += index_record

    def flush(self) -> OSError | None:
        """Write what is pending, sync both files; return the error that stopped the log.

        Never raises. On the first failure both files are truncated to the last good
        flush, closed, and the log stops (``stopped`` True, ``error`` set).
        """
        if self.stopped:
            return None
        if not self._pending_data and not self._pending_index:
            return None
        try:
            _write_all(self._data, self._pending_data)
            _write_all(self._index, self._pending_index)
            _datasync(self._data.fileno())
            _datasync(self._index.fileno())
        except OSError as exc:
            self._stop(exc)
            return exc
        self._good_data_bytes += len(self._pending_data)
        self._good_index_bytes += len(self._pending_index)
        self._pending_data.clear()
        self._pending_index.clear()
        return None

    def stop(self, exc: OSError) -> None:
        """Stop for good: drop what is pending, truncate to the last good flush, close."""
        if not self.stopped:
            self._stop(exc)

    def _stop(self, exc: OSError) -> None:
        self.stopped = True
        self.error = exc
        self._pending_data.clear()
        self._pending_index.clear()
        for handle, good in (
            (self._index, self._good_index_bytes),
            (self._data, self._good_data_bytes),
        ):
            try:
                handle.truncate(good)
            except OSError:
                pass  # the reader ignores a partial tail anyway
            try:
                handle.close()
            except OSError:
                pass

    def close(self) -> OSError | None:
        """Flush and close (idempotent); return the error if the final flush failed."""
        error = self.flush()
        if not self.stopped:
            self.stopped = True
            for handle in (self._data, self._index):
                try:
                    handle.close()
                except OSError as exc:
                    error = error or exc
        return error


def _write_all(handle: BinaryIO, data: bytearray) -> None:
    view = memoryview(bytes(data))  # a copy: the caller may clear ``data`` after an error
    while view:
        written = handle.write(view)
        if written is None:  # non-blocking file with nothing written: treat as an error
            raise OSError("write returned None")
        view = view[written:]
