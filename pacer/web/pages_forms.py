"""HTML of the workouts page, the workout editor, the settings page and pairing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pacer.web.layout import esc, form, notice, page, table

if TYPE_CHECKING:
    from pacer.config import Config
    from pacer.sync.queue import SyncItem


def workouts_page(library: dict[str, tuple[str, str]], own: dict[str, str],
                  next_workout: str | None, message: str | None = None) -> str:
    parts = [notice(message)] if message else []
    parts.append("<p>Next run: <b>" + esc(next_workout or "(the usual chooser)") + "</b></p>"
                 '<p><a class="button" href="/workouts/edit">New workout</a></p>')
    if own:
        parts.append("<h2>Your workouts</h2>")
        parts.append(table(("name", "workout", ""), [
            [esc(n), f"<code>{esc(t)}</code>",
             f'<a href="/workouts/edit?own={esc(n)}">edit</a>'] for n, t in sorted(own.items())]))
    parts.append("<h2>Library</h2>")
    parts.append(table(("name", "workout", ""), [
        [f"<b>{esc(n)}</b><div class=meta>{esc(d)}</div>", f"<code>{esc(t)}</code>",
         f'<a href="/workouts/edit?library={esc(n)}">open</a>']
        for n, (t, d) in library.items()]))
    return page("Workouts", "".join(parts), active="/workouts")


def editor_page(name: str, text: str, csrf: str, *, problem: str | None = None) -> str:
    err = f'<p class="notice error">{esc(problem)}</p>' if problem else ""
    inner = (f'<label for="workout-name">Name</label><input id="workout-name" name="name" '
             f'value="{esc(name)}" maxlength="40" pattern="[A-Za-z0-9][A-Za-z0-9 ._-]*">'
             '<label for="workout-text">Workout</label>'
             f'<textarea id="workout-text" name="text" rows="5" maxlength="4000" '
             f'spellcheck="false">{esc(text)}</textarea>'
             '<pre id="workout-check" class="check" aria-live="polite"></pre>'
             '<button name="action" value="save">Save</button>'
             '<button name="action" value="next">Save and run this next</button>')
    help_ = ('<p class="meta">One line like <code>2km jog; 8x(400m @72s, 200m jog); 2km jog'
             "</code>; see the workout language in docs/workouts.md.</p>")
    return page("Edit workout", err + form("/workouts/save", csrf, inner) + help_,
                active="/workouts", scripts=("editor.js",))


def _select(name: str, choices: tuple[str, ...], current: str) -> str:
    opts = "".join(f'<option{" selected" if c == current else ""}>{esc(c)}</option>'
                   for c in choices)
    return f'<select id="{name}" name="{name}">{opts}</select>'


def settings_page(cfg: Config | None, config_path: str, csrf: str, *,
                  message: str | None = None, problem: str | None = None) -> str:
    from pacer.config import AudioConfig, CoachConfig

    coach = cfg.coach if cfg else CoachConfig()
    audio = cfg.audio if cfg else AudioConfig()
    parts = []
    if message:
        parts.append(notice(message))
    if problem:
        parts.append(notice(problem, "error"))
    inner = (
        '<label for="profile">Cue profile</label>'
        + _select("profile", ("track", "tempo", "race", "minimal"), coach.profile)
        + '<label for="units">Units</label>' + _select("units", ("km", "mi"), coach.units)
        + '<label for="voice">Voice (espeak-ng voice name; empty: the default)</label>'
        f'<input id="voice" name="voice" value="{esc(audio.voice or "")}" maxlength="60">'
        '<label for="volume">Volume (0 to 1)</label>'
        f'<input id="volume" name="volume" value="{audio.volume:g}" inputmode="decimal">'
        '<label for="rate_wpm">Speech rate (words per minute)</label>'
        f'<input id="rate_wpm" name="rate_wpm" value="{audio.rate_wpm}" inputmode="numeric">'
        '<p><button>Save</button></p>'
    )
    parts.append(form("/settings", csrf, inner))
    parts.append(f'<p class="meta">Written to <code>{esc(config_path)}</code>; the coach '
                 "reloads it (SIGHUP).</p>")
    parts.append(form("/logout", csrf, "<button>Unpair this phone</button>"))
    return page("Settings", "".join(parts), active="/settings")


def pair_page(pre_csrf: str, problem: str | None = None) -> str:
    err = f'<p class="notice error">{esc(problem)}</p>' if problem else ""
    inner = ('<label for="code">Pairing code (said by the device, or printed by '
             '<code>pacer serve --pair</code>)</label>'
             '<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" '
             'maxlength="12" required> <button>Pair</button>')
    return page("Pair this phone", err + form("/pair", pre_csrf, inner))


LIVE_FIELDS = (("elapsed", "time"), ("distance", "distance"), ("pace", "pace"),
               ("cadence", "cadence"), ("work_reps_done", "work reps done"),
               ("last_rep", "last rep"), ("said", "the coach said"),
               ("heart_rate", "heart rate"))  # fmt: skip


def live_page() -> str:
    cards = "".join(f'<div class="card">{esc(label)}<b id="live-{key}">--</b></div>'
                    for key, label in LIVE_FIELDS)
    return page("Live", f'<p id="live-state" class="meta" aria-live="polite">connecting...'
                f'</p><div class="cards">{cards}</div>', active="/live", scripts=("live.js",))


def sync_section(session_id: str, items: list[SyncItem], csrf: str, *,
                 has_account: bool) -> str:
    """The session page's sync part: each service's state, and the upload button."""
    if not has_account and not items:
        return ('<h2>Sync</h2><p class="meta">Add an intervals.icu account in '
                "<code>sync.toml</code> to upload sessions (docs/web.md, Sync).</p>")
    rows = []
    for i in items:
        what = {"done": f"uploaded ({i.remote_id})", "failed": "failed",
                "pending": "queued" if not i.attempts else "waiting to retry"}[i.state]
        rows.append(f"<li>{esc(i.service)}: {esc(what)}"
                    + (f' <span class="meta">{esc(i.last_error)}</span>' if i.last_error
                       else "") + "</li>")
    button = "" if any(i.state in ("done", "pending") for i in items) else form(
        f"/sessions/{esc(session_id)}/sync", csrf, "<button>Upload to intervals.icu</button>")
    return f"<h2>Sync</h2><ul>{''.join(rows)}</ul>{button}"
