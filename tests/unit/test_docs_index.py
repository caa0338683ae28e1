"""The project carries its own docs: the README's index reaches every reference page, and
no link in the docs leaves the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
         *sorted((ROOT / "hardware").glob("*.md")), ROOT / "systemd" / "README.md"]
LINK = re.compile(r"\]\(([^)\s]+)\)")

#: what a user or an outside tool needs to find from the README
REFERENCE = ["docs/user-guide.md", "docs/workouts.md", "docs/cues.md", "hardware/README.md",
             "docs/algorithms-cadence.md", "docs/algorithms-pace-track.md",
             "docs/performance.md", "docs/contracts.md", "docs/configuration.md",
             "docs/api.md", "docs/cli.md", "docs/sessions.md"]


@pytest.mark.parametrize("page", REFERENCE)
def test_readme_links_every_reference_page(page: str) -> None:
    assert (ROOT / page).is_file(), f"{page} is missing"
    assert f"]({page})" in README, f"README.md does not link {page}"


def test_every_doc_page_is_linked_from_somewhere() -> None:
    linked = {(page.parent / t.split("#")[0]).resolve()
              for page in PAGES for t in LINK.findall(page.read_text())
              if not re.match(r"^[a-z]+:", t) and not t.startswith("#")}
    for page in (ROOT / "docs").glob("*.md"):
        assert page.resolve() in linked, f"no page links docs/{page.name}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_link_leaves_the_repository(page: Path) -> None:
    outside = []
    for target in LINK.findall(page.read_text()):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path = (page.parent / target.split("#")[0]).resolve()
        if not path.is_relative_to(ROOT.resolve()):
            outside.append(target)
    assert not outside, f"{page.relative_to(ROOT)} links outside the repository: {outside}"
