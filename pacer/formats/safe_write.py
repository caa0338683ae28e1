"""Writing output files (exports, reports, soundtracks) without ever destroying data.

One writer for every file pacer writes on a user's request (``-o``, ``--html``,
``--audio-out``):

* ``-`` means standard output;
* the target is refused, with one line, when it is a symbolic link, exists and is not a
  regular file (a device node such as ``/dev/full``, a FIFO, a directory), or lies inside
  a session folder (a folder holding ``session.db``), so ``pacer export S -o
  S/session.db`` cannot overwrite the session it reads;
* the bytes go to a temporary file created with ``O_EXCL`` in the target's folder
  (:func:`tempfile.mkstemp`: an attacker's symlink at a guessable name is never followed),
  are flushed and ``fsync``-ed, and the temporary is renamed over the target atomically;
* a failed write (a full disk) removes the temporary, leaves an existing target as it
  was, and raises :class:`~pacer.errors.InputError` naming the target:
  ``cannot write run.gpx: No space left on device``.

:class:`SafeOutput` is the streaming form (the WAV soundtrack); ``in_place_when_new``
writes a file that did not exist straight under its name (created with
``O_EXCL | O_NOFOLLOW``), so a crash mid-way still leaves a readable file there.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

from pacer.errors import InputError

#: the file that makes a folder a session folder
SESSION_MARKER = "session.db"


def _kind(mode: int) -> str:
    from pacer.formats.safe_read import _kind as kind

    return kind(mode)


def session_folder_of(path: Path) -> Path | None:
    """The session folder ``path`` lies in (``path``'s folder or one above), or None."""
    folder = path.parent.resolve()
    for d in (folder, *folder.parents):
        if os.path.lexists(d / SESSION_MARKER):
            return d
    return None


def check_output(out: str | os.PathLike[str]) -> Path:
    """``out`` as a Path if pacer may write it, else :class:`InputError` (see module doc)."""
    out = Path(out)
    parent = out.parent
    if not parent.is_dir():
        what = "no such directory" if not parent.exists() else "not a directory"
        raise InputError(f"cannot write {out}: {what} ({parent})")
    try:
        st = os.lstat(out)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror or exc}") from exc
    if st is not None and stat.S_ISLNK(st.st_mode):
        raise InputError(f"cannot write {out}: it is a symbolic link; pacer does not write "
                         "through links (remove it or give another name)")  # fmt: skip
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise InputError(f"cannot write {out}: it is {_kind(st.st_mode)}; pacer writes only "
                         "regular files (use '-' for standard output)")  # fmt: skip
    session = session_folder_of(out)
    if session is not None:
        raise InputError(f"cannot write {out}: it is inside the session folder {session}; "
                         "write outputs outside session folders")  # fmt: skip
    return out


class SafeOutput:
    """A file being written to ``out``: :meth:`commit` makes it the target, :meth:`abort`
    removes it and leaves the target as it was.

    ``file`` is the binary file object to write to (seekable: ``wave`` patches headers).
    """

    def __init__(self, out: str | os.PathLike[str], *, in_place_when_new: bool = False,
                 mode: int | None = None) -> None:
        self.out = check_output(out)
        self.tmp: Path | None = None
        try:
            if in_place_when_new and not os.path.lexists(self.out):
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
                fd = os.open(self.out, flags, 0o644)
            else:
                fd, name = tempfile.mkstemp(prefix=f".{self.out.name}.", suffix=".tmp",
                                            dir=self.out.parent)  # fmt: skip
                self.tmp = Path(name)
                if mode is not None:  # the caller's permissions (0600 for secrets)
                    os.fchmod(fd, mode)
                elif os.path.lexists(self.out):  # a replaced file keeps its permissions
                    os.fchmod(fd, stat.S_IMODE(os.stat(self.out).st_mode))
        except OSError as exc:
            raise self._error(exc) from exc
        self.file: BinaryIO = os.fdopen(fd, "w+b")
        self._done = False

    def _error(self, exc: OSError) -> InputError:
        return InputError(f"cannot write {self.out}: {exc.strerror or exc}")

    def commit(self) -> None:
        """Flush, ``fsync`` and move the file into place; InputError naming ``out``."""
        if self._done:
            return
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
            if self.tmp is not None:
                os.replace(self.tmp, self.out)
        except OSError as exc:
            self.abort()
            raise self._error(exc) from exc
        self._done = True

    def abort(self) -> None:
        """Forget what was written: the temporary (or the new file) is removed."""
        if self._done:
            return
        self._done = True
        try:
            self.file.close()
        except OSError:
            pass  # the data is discarded anyway (e.g. ENOSPC on the final flush)
        victim = self.tmp if self.tmp is not None else self.out
        try:
            victim.unlink()
        except OSError:
            pass


def write_output(out: str | os.PathLike[str], payload: bytes, *, mode: int | None = None) -> None:
    """Write ``payload`` to ``out`` whole or not at all; ``-`` is standard output. ``mode``:
    the file's permissions (default: those of the file replaced, else 0600)."""
    if os.fspath(out) == "-":
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        return
    target = SafeOutput(out, mode=mode)
    try:
        target.file.write(payload)
    except OSError as exc:
        target.abort()
        raise target._error(exc) from exc
    target.commit()
