"""The reference config and the pin map agree with the code's defaults."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from pacer.config import Config, load_config

ROOT = Path(__file__).resolve().parents[2]


def test_reference_config_is_the_defaults() -> None:
    cfg = load_config(ROOT / "hardware" / "pacer.toml", search_defaults=False)
    assert dataclasses.replace(cfg, sources=()) == Config()


def test_pin_map_matches_default_pins() -> None:
    wiring = (ROOT / "hardware" / "wiring.md").read_text()
    svg = (ROOT / "hardware" / "wiring.svg").read_text()
    defaults = Config()
    for key, pin in [("start_pin", defaults.controls.start_pin),
                     ("stop_pin", defaults.controls.stop_pin),
                     ("led_pin", defaults.controls.led_pin),
                     ("int_pin", defaults.accel.int_pin)]:
        row = next(ln for ln in wiring.splitlines() if f"{key} = {pin}`" in ln)
        assert f"GPIO{pin}" in row
        assert re.search(rf"GPIO{pin}\b", svg)
