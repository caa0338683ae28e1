"""Every config key against wrong types, lengths and ranges: a one-line ConfigError with
FILE:LINE, or a value of the right type inside its range -- never an internal error."""

from __future__ import annotations

import dataclasses
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pacer.config import _SECTIONS, Config, load_config
from pacer.errors import ConfigError

pytestmark = pytest.mark.attack
ATTACK_CLASS = "config"

KEYS = [(section, f.name) for section, cls in _SECTIONS.items() for f in dataclasses.fields(cls)]

_scalar = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=50),
    st.text(min_size=2000, max_size=3000),
)
_values = st.recursive(_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=5),
    st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True), inner, max_size=4),
), max_leaves=12)  # fmt: skip


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(
            value) else repr(value)  # fmt: skip
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + "".join(c if c.isalnum() or c in " -_:/." else "" for c in value) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"


def _sane(cfg: Config, section: str, key: str) -> bool:
    value = getattr(getattr(cfg, section), key)
    default = getattr(_SECTIONS[section](), key)
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(default, tuple):
        return isinstance(value, tuple)
    if key == "named_paces_s_per_km":
        return all(60 <= v <= 3600 for v in value.values())
    return default is None or type(value) is type(default)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(KEYS), value=_values)
def test_every_key_against_wrong_values(key: tuple[str, str], value: object, tally) -> None:
    section, name = key
    name = "named_paces" if name == "named_paces_s_per_km" else name
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.toml"
        path.write_text(f"# attack\n[{section}]\n{name} = {_toml(value)}\n")
        try:
            cfg = load_config(path, search_defaults=False)
        except ConfigError as exc:
            msg = str(exc)
            ok = msg.startswith(f"{path}:3:") and "\n" not in msg and len(msg) < 500
            tally.check(ok, f"[{section}] {name} = {_toml(value)[:80]}: {msg[:300]}")
            return
        except Exception as exc:
            tally.check(False, f"[{section}] {name} = {_toml(value)[:80]}: {exc!r}"[:400])
            return
        tally.check(_sane(cfg, section, key[1]), f"[{section}] {name} accepted {value!r}"[:300])


@pytest.mark.parametrize("depth", [50, 500, 5000])
def test_deep_nesting(tmp_path: Path, tally, depth: int) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[coach]\nnamed_paces = " + "{a = " * depth + "1" + "}" * depth + "\n")
    try:
        load_config(path, search_defaults=False)
        tally.check(False, f"depth {depth} accepted")
    except ConfigError as exc:
        tally.check("\n" not in str(exc), str(exc)[:300])


@pytest.mark.slow  # a real service process per case
@pytest.mark.parametrize(
    "workouts",
    [
        'workout = "1x("',
        'workout = "' + "1x(" * 300 + '400m' + ")" * 300 + '"',
        'workout = "8x400 @ 3:1O/km"',
        'workouts = ["1x(", "2x(("]',
    ],
)
def test_a_config_workout_that_fails_to_parse_does_not_stop_the_service(
    tmp_path: Path, tally, workouts: str
) -> None:
    """``pacer run`` (the service: restarted by systemd on a non-zero exit) says why in
    one line and records a free run instead of exiting at every start."""
    from attack_bounded import run_pacer

    from pacer.session.reader import read_meta

    cfg = tmp_path / "pacer.toml"
    cfg.write_text(f'[coach]\n{workouts}\n[audio]\nengine = "none"\n')
    session = tmp_path / "s"
    done = run_pacer("run", "--fake-hardware", "--config", str(cfg), "--duration", "3",
                     "--session-dir", str(session), timeout_s=60)  # fmt: skip
    said = [ln for ln in done.stderr.splitlines() if "free run" in ln]
    ok = (done.returncode == 0 and len(said) == 1 and len(said[0]) < 400
          and str(cfg) in said[0] and "[coach] workout" in said[0])  # fmt: skip
    tally.check(ok, f"{workouts[:40]}: rc {done.returncode} {done.stderr[-600:]}")
    tally.check(session.is_dir() and read_meta(session).get("workout") is None,
                f"{workouts[:40]}: no free-run session")
