"""``pacer sessions``: list, delete and prune recorded sessions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pacer.cli.argtypes import nonnegative_float
from pacer.cli.common_options import config_from_args

if TYPE_CHECKING:
    from pacer.config import SessionConfig


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "sessions",
        help="list, delete or prune recorded sessions",
        description="Manage the sessions in the data directory ($XDG_DATA_HOME/pacer/sessions, "
        "or $STATE_DIRECTORY/sessions for the service).",
    )
    add_location_args(p)
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    ls = sub.add_parser(
        "list",
        help="list sessions, oldest first (the default)",
        description="List sessions, oldest first: id, start, duration, distance, "
        "workout, how it ended, size.",
    )
    d = sub.add_parser(
        "delete", help="delete one session", description="Delete one session directory."
    )
    d.add_argument("id", metavar="ID", help="session id (directory name) or path")
    pr = sub.add_parser(
        "prune",
        help="delete the oldest sessions above a size cap",
        description="Delete the oldest sessions until all together take at most the cap "
        "(--max-mb, or [session] max_bytes in the config). Without a cap nothing is pruned.",
    )
    pr.add_argument(
        "--max-mb",
        type=nonnegative_float,
        help="size cap in megabytes (10^6 bytes); default: [session] max_bytes from the config",
    )
    for action in (ls, d, pr):
        add_location_args(action, after_action=True)
    p.set_defaults(func=run)


def add_location_args(p: argparse.ArgumentParser, *, after_action: bool = False) -> None:
    """``--data-dir`` and ``--config``, shared by review, export and sessions.
    ``after_action``: on an action's parser, so they may also follow the action (they
    are set only when given there, over the ones given before it)."""
    extra = {"default": argparse.SUPPRESS} if after_action else {}
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        type=Path,
        help="where sessions live (default: [session] data_dir from the config, else "
        "$XDG_DATA_HOME/pacer/sessions, or $STATE_DIRECTORY/sessions for the service)",
        **extra,  # type: ignore[arg-type]
    )
    p.add_argument("--config", metavar="FILE", help="config file (TOML) read after the defaults",
                   **extra)  # type: ignore[arg-type]  # fmt: skip


def add_session_argument(p: argparse.ArgumentParser) -> None:
    """The optional ``SESSION`` of review and export."""
    p.add_argument(
        "session", nargs="?", metavar="SESSION", help="session directory or id (default: latest)"
    )


def load_session_config(args: argparse.Namespace) -> SessionConfig:
    """The ``[session]`` section of the config (defaults, system and user files,
    ``--config``)."""
    return config_from_args(args).session


def data_dir_for(args: argparse.Namespace) -> Path:
    """``--data-dir``, else the config's ``[session] data_dir``, else the default."""
    from pacer.session.reader import default_data_dir

    if getattr(args, "data_dir", None):
        return Path(args.data_dir)
    configured = load_session_config(args).data_dir
    return Path(configured).expanduser() if configured else default_data_dir()


def run(args: argparse.Namespace) -> int:
    from pacer.errors import SessionError
    from pacer.session.reader import delete_session, prune, resolve_session

    data_dir = data_dir_for(args)
    action = args.action or "list"
    if action == "delete":
        path = resolve_session(args.id, data_dir, for_delete=True)
        delete_session(path, data_dir)
        print(f"deleted {path}")
        return 0
    if action == "prune":
        max_bytes: int | None
        if args.max_mb is not None:
            max_bytes = int(args.max_mb * 1e6)
        else:
            max_bytes = load_session_config(args).max_bytes
            if max_bytes is None:
                raise SessionError("no size cap: give --max-mb or set [session] max_bytes")
        if max_bytes < 0:
            raise SessionError("the size cap must be >= 0")
        for path in prune(data_dir, max_bytes):
            print(f"deleted {path}")
        return 0
    from pacer.review.listing import sessions_table

    sys.stdout.write(sessions_table(data_dir))  # a broken pipe (`| head -1`) ends in main
    sys.stdout.flush()
    return 0
