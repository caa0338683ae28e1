"""pacer's one exception tree. Each class also inherits the builtin it specialises,
so callers that catch ``ValueError`` or ``OSError`` keep working.

The CLI turns any ``PacerError`` into a one-line message (traceback only with
``PACER_DEBUG=1``). Messages name the file/line/device and what to check.
"""

from __future__ import annotations


class PacerError(Exception):
    """Base of every error pacer raises on purpose."""


class InputError(PacerError, ValueError):
    """A file or argument is malformed. Message: ``FILE:LINE: problem``."""


class WorkoutError(InputError):
    """A workout text does not parse. Message points at line and column."""


class ConfigError(InputError):
    """A config file is invalid. Message: ``FILE:LINE: problem``."""


class DeviceError(PacerError, OSError):
    """A device is missing, unreachable or not what was expected."""


class DeviceNotFound(DeviceError, FileNotFoundError):
    """The device node (``/dev/ttyS0``, ``/dev/i2c-1``) does not exist."""


class DevicePermission(DeviceError, PermissionError):
    """The device exists but this user may not open it."""


class ChipNotAnswering(DeviceError):
    """Nothing answered at the bus address."""


class WrongChip(DeviceError):
    """A chip answered but its identity register says it is something else."""


class SessionError(PacerError, OSError):
    """A session directory is missing, damaged or cannot be written."""


class AudioError(PacerError, RuntimeError):
    """A speech engine or audio sink failed."""
