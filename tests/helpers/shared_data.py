"""Where the larger shared data sets are (recorded logs, real runs): one setting.

``PACER_SHARED_DATA`` names the folder; by default it is ``../shared/data`` beside the
checkout. A fresh clone has no such folder, so the tests that read it skip with a reason
that names the path and the setting (:func:`needs_shared`).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTING = "PACER_SHARED_DATA"


def shared_data_dir() -> Path:
    """The shared data folder: ``$PACER_SHARED_DATA``, else ``../shared/data`` relative to
    the repository root (whether or not it exists)."""
    value = os.environ.get(SETTING)
    return Path(value).expanduser() if value else ROOT.parent / "shared" / "data"


def shared_path(*parts: str) -> Path:
    """A file or folder inside the shared data folder."""
    return shared_data_dir().joinpath(*parts)


def needs_shared(*parts: str) -> pytest.MarkDecorator:
    """Skip the test unless ``shared_path(*parts)`` exists, saying what is missing."""
    path = shared_path(*parts)
    return pytest.mark.skipif(
        not path.exists(),
        reason=f"shared data {path} not found (set {SETTING} to the shared data folder; "
               "default ../shared/data beside the checkout)")
