"""Test-wide settings.

Hypothesis: no per-example deadline (this runs on shared 2-core machines, where a
scheduling hiccup is not a failure of the code under test); under CI (``CI`` set) the
examples are derandomized, so a CI run is reproducible and a failure found locally with
random examples is turned into a regression test instead of a flaky CI.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("pacer", deadline=None)
settings.register_profile("pacer-ci", deadline=None, derandomize=True)
settings.load_profile("pacer-ci" if os.environ.get("CI") else "pacer")
