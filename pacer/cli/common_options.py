"""Options declared once and shared by several subcommands.

Each ``add_*`` function adds one group of options to a subcommand's parser, with the
same names, defaults and help wherever it appears. No option is hidden from ``--help``:
the tests inject their faults themselves (``tests/helpers/``).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pacer.cli.argtypes import positive_float

if TYPE_CHECKING:
    from pacer.config import Config

#: the cue profiles (pacer.coach.cues.PROFILES; not imported: the CLI starts light)
PROFILE_NAMES = ("track", "tempo", "race", "minimal")
#: what a WORKOUT argument may be (docs/workouts.md)
WORKOUT_FORMS = "library name, file or inline workout text"


def add_workout_option(p: argparse.ArgumentParser, *, purpose: str) -> None:
    """``--workout WORKOUT``, for ``purpose`` ("re-coach with this workout")."""
    p.add_argument("--workout", metavar="WORKOUT", help=f"{purpose} ({WORKOUT_FORMS})")


def add_config_option(p: argparse.ArgumentParser) -> None:
    """``--config FILE``, read by :func:`config_from_args`."""
    p.add_argument("--config", metavar="FILE", help="config file (TOML) read after the defaults")


def config_from_args(args: argparse.Namespace) -> Config:
    """The config of every subcommand, in layers (docs/user-guide.md, "Configuration"):
    the built-in defaults, ``/etc/pacer/pacer.toml``, the user's
    ``~/.config/pacer/config.toml``, then ``--config FILE`` when given; each file
    overrides the ones before it key by key."""
    from pacer.config import load_config
    from pacer.wiring.session import with_coach_overrides

    config = load_config(getattr(args, "config", None))
    return with_coach_overrides(config, getattr(args, "profile", None),
                                getattr(args, "units", None))  # fmt: skip


def add_coach_options(p: argparse.ArgumentParser) -> None:
    """``--profile`` and ``--units``: the config's ``[coach] profile`` and ``units`` for
    this run (over every config file)."""
    p.add_argument("--profile", choices=list(PROFILE_NAMES), default=None,
                   help="cue profile for this run (default: [coach] profile, track)")
    p.add_argument("--units", choices=["km", "mi"], default=None,
                   help="distances and paces in km or miles (default: [coach] units, km)")


def add_speed_options(p: argparse.ArgumentParser, *, realtime_help: str) -> None:
    """``--fast`` (the default) or ``--realtime``, into ``args.realtime``."""
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--fast", dest="realtime", action="store_false",
                      help="as fast as the CPU allows (default)")
    mode.add_argument("--realtime", dest="realtime", action="store_true", help=realtime_help)
    p.set_defaults(realtime=False)


def add_session_dir_option(p: argparse.ArgumentParser) -> None:
    """``--session-dir DIR`` (without it: a new directory in the data directory)."""
    p.add_argument("--session-dir", metavar="DIR", help="write the session here")


def add_output_options(p: argparse.ArgumentParser) -> None:
    """``--session-dir DIR`` and ``--audio-out FILE.wav``."""
    add_session_dir_option(p)
    p.add_argument("--audio-out", metavar="FILE.wav", help="write the session's soundtrack")


def add_console_options(p: argparse.ArgumentParser, *, status_every_s: float | None,
                        status_every_help: str) -> None:
    """``--status-every S`` and ``--quiet`` (what the console prints while it runs)."""
    p.add_argument("--status-every", type=positive_float, default=status_every_s, metavar="S",
                   help=status_every_help)
    p.add_argument("--quiet", action="store_true", help="print only the summary")
