"""``pacer serve``: the phone companion web app (docs/web.md).

Thin: builds :class:`~pacer.web.settings.WebSettings` from the options and runs
:func:`pacer.web.app.create_app` under uvicorn. Starlette and uvicorn (the ``web``
extra) are imported only here, inside :func:`run`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pacer.cli.sessions import add_location_args

if TYPE_CHECKING:
    from pacer.web.settings import WebSettings

DEFAULT_PORT = 8080


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "serve",
        help="serve the phone companion web app",
        description="Serve the phone companion: sessions, progress, downloads, workouts and "
        "settings, for a paired phone on the home Wi-Fi or the device's hotspot. The "
        "settings page writes the file given with --config (default /etc/pacer/pacer.toml "
        "when it exists, else the user's config file). Reference: docs/web.md.",
    )
    p.add_argument("--host", default="0.0.0.0",
                   help="address to listen on (default 0.0.0.0: every interface)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    p.add_argument("--state-dir", metavar="DIR", type=Path,
                   help="the server's own files and next-workout.txt (default: the data "
                   "directory's parent)")
    p.add_argument("--pair", action="store_true",
                   help="print a new pairing code (valid 10 minutes) before serving")
    add_location_args(p)
    p.set_defaults(func=run)


def _data_dir(args: argparse.Namespace) -> Path:
    """``--data-dir``, else ``[session] data_dir`` of the config files, else the store's
    default. Only that key is read here (with tomllib): the full loader imports numpy,
    which the server loads only when the editor or the settings page needs it."""
    import tomllib

    from pacer.config import SYSTEM_CONFIG, user_config_path
    from pacer.session.catalog import default_data_dir

    if args.data_dir:
        return Path(args.data_dir)
    configured = None
    for path in (SYSTEM_CONFIG, user_config_path(), args.config):
        if path is None or not Path(path).is_file():
            continue
        try:
            doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # the settings page reports the file's problem with its line
        value = (doc.get("session") or {}).get("data_dir")
        configured = value if isinstance(value, str) else configured
    return Path(configured).expanduser() if configured else default_data_dir()


def settings_from_args(args: argparse.Namespace) -> WebSettings:
    from pacer.config import SYSTEM_CONFIG, user_config_path
    from pacer.web.settings import WebSettings

    data_dir = _data_dir(args)
    if args.config:
        config_path = Path(args.config)
    else:
        config_path = SYSTEM_CONFIG if SYSTEM_CONFIG.is_file() else user_config_path()
    return WebSettings(data_dir=data_dir, state_dir=args.state_dir or data_dir.parent,
                       config_path=config_path)


def run(args: argparse.Namespace) -> int:
    import time

    from pacer.errors import InputError

    try:
        import uvicorn

        from pacer.web.app import create_app
    except ImportError as exc:
        raise InputError("pacer serve needs the web extra (pip install 'pacer[web]')") from exc
    from pacer.web.auth import PAIRING_TTL_S, new_pairing_code

    settings = settings_from_args(args)
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    if args.pair:
        code = new_pairing_code(settings.state_dir, time.time())
        print(f"pairing code: {code} (valid {PAIRING_TTL_S / 60:.0f} minutes; enter it at "
              f"http://<this device>:{args.port}/pair)", flush=True)
    print(f"serving {settings.data_dir} on http://{args.host}:{args.port}/", file=sys.stderr,
          flush=True)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning",
                access_log=False, lifespan="off", proxy_headers=False)
    return 0
