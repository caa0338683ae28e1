"""The writer's hold on a session directory: how readers tell a live session.

A :class:`~pacer.session.store.SessionWriter` holds an exclusive ``flock`` on the
session *directory* from ``create()`` to ``close()``; the kernel drops it when the
process dies (a crash, ``kill -9``, a power cut), so a held lock means a writer is
recording right now. The lock is taken on the directory, not on ``session.db``: closing
any other descriptor of the database file in the writer's process would drop SQLite's
own POSIX locks on it.
"""

from __future__ import annotations

import os
from pathlib import Path


def lock_for_writer(directory: Path) -> int | None:
    """Hold an exclusive lock on ``directory``; the descriptor (close it to release),
    or None where there is no flock. Raises BlockingIOError if another writer holds it."""
    try:
        import fcntl
    except ImportError:  # no flock on this OS: sessions read as abrupt until closed
        return None
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BaseException:
        os.close(fd)
        raise
    return fd


def held_by_writer(directory: Path) -> bool:
    """True only when a writer is known to hold ``directory`` (a session being recorded).

    A missing directory, or no flock here, is False.
    """
    try:
        import fcntl

        fd = os.open(directory, os.O_RDONLY)
    except (ImportError, OSError):
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # releases the shared lock taken just now
    return False


def release(fd: int | None) -> None:
    """Release what :func:`lock_for_writer` returned (never raises)."""
    if fd is not None:
        try:
            os.close(fd)
        except OSError:
            pass
