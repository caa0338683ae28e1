"""The attack suite: hostile files, targets, configs, workouts and engines as properties.

Each test module names its class (``ATTACK_CLASS``) and counts every attempt with the
``tally`` fixture; the terminal summary prints attempts and passes per class. Work that
could hang or eat memory runs in a child process bounded by ``RLIMIT_AS`` (1 GiB) and a
timeout (:mod:`attack_bounded`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

_COUNTS: dict[str, list[int]] = {}


class Tally:
    """Attempts and passes of one attack class; failures kept for the assertion."""

    def __init__(self, attack_class: str) -> None:
        self.attack_class = attack_class
        self.failures: list[str] = []

    def check(self, ok: bool, what: str) -> None:
        counts = _COUNTS.setdefault(self.attack_class, [0, 0])
        counts[0] += 1
        counts[1] += bool(ok)
        if not ok:
            self.failures.append(what[:500])


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    t = Tally(getattr(request.module, "ATTACK_CLASS", request.module.__name__))
    yield t
    assert not t.failures, "\n".join(t.failures[:5])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _COUNTS:
        return
    terminalreporter.section("attack suite")
    for name, (attempts, passes) in sorted(_COUNTS.items()):
        terminalreporter.write_line(f"{name}: {attempts} attempts, {passes} passed")
