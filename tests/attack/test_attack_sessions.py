"""Sessions against hostile folders, links, ids, umasks and crafted databases: delete and
prune remove only what pacer wrote, sessions are private, readers never write and fail
in one short line."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from attack_bounded import run_calls, run_pacer, short_message

pytestmark = pytest.mark.attack
ATTACK_CLASS = "sessions"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real session, recorded once; tests copy it."""
    base = tmp_path_factory.mktemp("attack-sessions")
    done = run_pacer("sim", "--fast", "--quiet", "--duration", "20", "--session-dir",
                     str(base / "s1"), "200m", timeout_s=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return base / "s1"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _hostile_folders(data: Path, recorded: Path, elsewhere: Path) -> dict[str, Path]:
    """Folders in (and one out of) the data directory that pacer must not delete."""
    out = {}
    user = data / "user"
    user.mkdir()
    (user / "session.db").touch()
    (user / "raw.log").write_text("my notes")
    out["empty_db_and_raw_log"] = user
    linked = data / "linked"
    linked.mkdir()
    (linked / "session.db").symlink_to(recorded / "session.db")
    (linked / "mine.txt").write_text("mine")
    out["db_symlink_to_real_session"] = linked
    only_link = data / "only-link"
    only_link.mkdir()
    (only_link / "session.db").symlink_to(recorded / "session.db")
    out["db_symlink_alone"] = only_link
    copied = data / "copied"
    copied.mkdir()
    shutil.copy(recorded / "session.db", copied / "session.db")
    out["real_db_in_another_folder"] = copied
    extra = data / "s1"
    shutil.copytree(recorded, extra)
    (extra / "plot.png").write_text("the runner's")
    out["session_with_a_users_file"] = extra
    (data / "link-to-session").symlink_to(recorded, target_is_directory=True)
    out["folder_symlink"] = data / "link-to-session"
    outside = elsewhere / "s1"
    shutil.copytree(recorded, outside)
    out["session_outside_the_data_dir"] = outside
    project = data / "project"
    (project / "src").mkdir(parents=True)
    sqlite3.connect(project / "session.db").close()
    out["project_with_a_database"] = project
    return out


def test_delete_and_prune_remove_only_what_pacer_wrote(tmp_path: Path, recorded: Path,
                                                       tally) -> None:
    data, elsewhere = tmp_path / "data", tmp_path / "elsewhere"
    data.mkdir()
    elsewhere.mkdir()
    folders = _hostile_folders(data, recorded, elsewhere)
    before = {name: _files(p) for name, p in folders.items()}
    real_before = _files(recorded)
    calls = [["attack_bounded", "cli", ["sessions", "--data-dir", str(data), "delete",
                                        p.name if p.parent == data else str(p)]]
             for p in folders.values()]  # fmt: skip
    calls.append(["attack_bounded", "cli", ["sessions", "--data-dir", str(data), "prune",
                                            "--max-mb", "0"]])  # fmt: skip
    results = run_calls(calls, tmp_path, 60)
    for (name, folder), done in zip(folders.items(), results[:-1], strict=True):
        lines = done["stderr"].strip().splitlines()
        ok = (done["rc"] != 0 and len(lines) == 1 and "nothing deleted" in lines[0]
              and short_message(lines[0]))  # fmt: skip
        tally.check(ok, f"delete {name}: {done}")
        tally.check(folder.exists() and _files(folder) == before[name], f"{name}: touched")
    tally.check(results[-1]["rc"] == 0, f"prune: {results[-1]}")
    tally.check(_files(recorded) == real_before, "the linked session changed")


def test_a_real_session_and_a_stillborn_one_are_deleted(tmp_path: Path, recorded: Path,
                                                        tally) -> None:
    data = tmp_path / "data"
    done = run_pacer("sim", "--fast", "--quiet", "--duration", "5", "--session-dir",
                     str(data / "mine"), "200m", timeout_s=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (data / "born-dead").mkdir()
    (data / "born-dead" / "session.db").touch()
    for name in ("mine", "born-dead"):
        done = run_pacer("sessions", "--data-dir", str(data), "delete", name, timeout_s=30)
        tally.check(done.returncode == 0 and not (data / name).exists(),
                    f"{name}: {done.returncode} {done.stderr}")  # fmt: skip


def test_a_live_session_is_not_deleted(tmp_path: Path, tally) -> None:
    from pacer.session.store import SessionWriter

    data = tmp_path / "data"
    writer = SessionWriter.create(data / "live", meta={})
    try:
        done = run_pacer("sessions", "--data-dir", str(data), "delete", "live", timeout_s=30)
        lines = done.stderr.strip().splitlines()
        tally.check(done.returncode != 0 and len(lines) == 1 and "being recorded" in lines[0],
                    f"live: {done.returncode} {done.stderr}")  # fmt: skip
    finally:
        writer.close()
    tally.check((data / "live" / "session.db").exists(), "live session deleted")


@pytest.mark.parametrize("session_id", ["s1\n", "s1\r", "\x1b[2Js1", "s1\x00", "s\x07"])
def test_ids_with_control_characters(tmp_path: Path, recorded: Path, tally,
                                     session_id: str) -> None:
    data = tmp_path / "data"
    shutil.copytree(recorded, data / "s1")
    if "\x00" in session_id:  # no argv holds a NUL: the library is asked directly
        from pacer.errors import SessionError
        from pacer.session.reader import resolve_session

        try:
            resolve_session(session_id, data, for_delete=True)
            ok, text = False, "accepted"
        except SessionError as exc:
            ok, text = short_message(str(exc)) and str(exc).isprintable(), str(exc)
        tally.check(ok, f"{session_id!r}: {text}")
        return
    done = run_pacer("sessions", "--data-dir", str(data), "delete", session_id, timeout_s=30)
    err = done.stderr
    ok = (done.returncode != 0 and err.count("\n") == 1 and err.endswith("\n")
          and err[:-1].isprintable() and "control characters" in err)  # fmt: skip
    tally.check(ok, f"{session_id!r}: {done.returncode} {err!r}")
    tally.check((data / "s1" / "session.db").exists(), f"{session_id!r}: s1 deleted")


@pytest.mark.parametrize("umask", [0o022, 0o000, 0o077])
def test_sessions_are_private_whatever_the_umask(tmp_path: Path, tally, umask: int) -> None:
    """Folders 0700, files 0600: the sessions folder, a session, its WAL and SHM while
    recorded, and the closed session's files."""
    from pacer.session.store import SessionWriter

    data = tmp_path / "state" / "sessions"
    old = os.umask(umask)
    try:
        writer = SessionWriter.create(data / "live", meta={})
        writer.append_nmea(0.0, b"$GPRMC,x*00\r\n")
        writer.flush()
        live = {p.name: p.stat().st_mode & 0o777 for p in (data / "live").iterdir()}
        writer.close()
        done = run_pacer("sim", "--fast", "--quiet", "--duration", "5", "--session-dir",
                         str(data / "sim"), "200m", timeout_s=60)  # fmt: skip
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    tally.check({"session.db-wal", "session.db-shm"} <= set(live), f"no WAL/SHM: {live}")
    tally.check(set(live.values()) == {0o600}, f"umask {umask:o}: live files {live}")
    for folder in (data, data / "live", data / "sim", data.parent):
        mode = folder.stat().st_mode & 0o777
        tally.check(mode == 0o700, f"umask {umask:o}: {folder} is {mode:o}")
    for f in [*(data / "live").iterdir(), *(data / "sim").iterdir()]:
        mode = f.stat().st_mode & 0o777
        tally.check(mode == 0o600, f"umask {umask:o}: {f} is {mode:o}")


def _craft(db_path: Path, how: str) -> None:
    conn = sqlite3.connect(db_path)
    if how == "text_in_numeric":
        conn.execute("UPDATE fixes SET speed_mps = ? WHERE rowid = 3",
                     ("9" * 10 + "x" * 1_000_000,))
    elif how == "text_in_time":
        conn.execute("UPDATE estimates SET t_s = ? WHERE rowid = 2", ("t" * 1_000_000,))
    elif how == "huge_floats":
        conn.execute("UPDATE estimates SET distance_m = 1e308, t_s = 1e300, speed_mps = 1e308")
        conn.execute("UPDATE reps SET duration_s = 1e308, distance_m = 1e308")
    elif how == "large_but_in_range":
        conn.execute("UPDATE estimates SET distance_m = 9.9e9, speed_mps = 9.9e9")
        conn.execute("UPDATE reps SET duration_s = 9.9e9, distance_m = 9.9e9, "
                     "pace_s_per_km = 9.9e9, start_s = 9.9e9")
        conn.execute("UPDATE fixes SET t_s = t_s + 9.9e9, lat_deg = 9.9e9, alt_m = -9.9e9")
        conn.execute("UPDATE cues SET t_s = 9.9e9, duration_s = 9.9e9")
    elif how == "huge_ints":
        conn.execute("UPDATE fixes SET fix_quality = 9223372036854775807, "
                     "sats = -9223372036854775808")
        conn.execute("UPDATE reps SET idx = 9223372036854775807")
    elif how == "blob_in_text":
        conn.execute("UPDATE cues SET text = ?, kind = ?", (b"\xff" * 100_000, b"\x00\x01"))
    elif how == "huge_meta":
        conn.execute("UPDATE meta SET value = ? WHERE key = 'start_utc'",
                     ('"' + "9" * 1_000_000 + '"',))
    conn.commit()
    conn.close()


COMMANDS = {
    "review": lambda s: ["review", str(s)],
    "review_json": lambda s: ["review", str(s), "--json"],
    "review_cues": lambda s: ["review", str(s), "--cues"],
    "export_csv": lambda s: ["export", str(s), "-f", "csv", "-o", str(s.parent / "o.csv")],
    "export_gpx": lambda s: ["export", str(s), "-f", "gpx", "-o", str(s.parent / "o.gpx")],
    "export_tcx": lambda s: ["export", str(s), "-f", "tcx", "-o", str(s.parent / "o.tcx")],
    "export_fit": lambda s: ["export", str(s), "-f", "fit", "-o", str(s.parent / "o.fit")],
    "list": lambda s: ["sessions", "--data-dir", str(s.parent), "list"],
}


@pytest.mark.parametrize("how", ["text_in_numeric", "text_in_time", "huge_floats",
                                 "large_but_in_range", "huge_ints", "blob_in_text",
                                 "huge_meta"])  # fmt: skip
def test_crafted_session_one_short_line_and_never_written(tmp_path: Path, recorded: Path,
                                                          tally, how: str) -> None:
    session = tmp_path / "data" / "s1"
    shutil.copytree(recorded, session)
    _craft(session / "session.db", how)
    before = _files(session)
    calls = [["attack_bounded", "cli", cmd(session)] for cmd in COMMANDS.values()]
    for name, done in zip(COMMANDS, run_calls(calls, tmp_path, 120), strict=True):
        lines = done["stderr"].strip().splitlines()
        ok = done["rc"] == 0 or (done["rc"] == 1 and len(lines) == 1 and short_message(lines[0]))
        tally.check(ok, f"{how}: {name}: rc {done['rc']} {done['stderr'][:300]!r}")
    tally.check(_files(session) == before, f"{how}: a reader wrote to the session")
    listed = run_pacer("sessions", "--data-dir", str(session.parent), timeout_s=30)
    tally.check(listed.returncode == 0 and "s1" in listed.stdout, f"{how}: list {listed.stderr}")
    replay = run_pacer("replay", str(session), "--quiet", "--session-dir",
                       str(tmp_path / "again"), timeout_s=60)  # fmt: skip
    tally.check(replay.returncode == 0, f"{how}: replay {replay.stderr[-300:]}")


def _legacy_session(tmp: Path) -> Path:
    src = Path(__file__).resolve().parents[1] / "data" / "session" / "journal-v4"
    dst = tmp / "data" / "old"
    shutil.copytree(src, dst)
    return dst


@pytest.mark.parametrize("raw", ["dev_zero", "fifo", "sparse_1GiB"])
def test_legacy_raw_log_that_is_not_a_file(tmp_path: Path, tally, raw: str) -> None:
    session = _legacy_session(tmp_path)
    (session / "raw.log").unlink()
    if raw == "dev_zero":
        (session / "raw.log").symlink_to("/dev/zero")
    elif raw == "fifo":
        os.mkfifo(session / "raw.log")
    else:
        with (session / "raw.log").open("wb") as f:
            f.truncate(1 << 30)
    for argv in (["replay", str(session), "--quiet", "--session-dir", str(tmp_path / "r")],
                 ["review", str(session)], ["sessions", "--data-dir", str(session.parent)]):
        try:
            done = run_pacer(*argv, timeout_s=20)
        except Exception as exc:  # TimeoutExpired: it hung
            tally.check(False, f"{raw}: {argv[0]}: {type(exc).__name__}")
            continue
        lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
        ok = all(short_message(ln) for ln in lines) and len(lines) <= 3
        if argv[0] == "replay":
            ok = ok and "raw.log" in done.stderr
        tally.check(ok, f"{raw}: {argv[0]}: rc {done.returncode} {done.stderr[-400:]!r}")
