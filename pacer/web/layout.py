"""The page shell shared by every page: head, navigation, forms with their CSRF field.

Everything a page shows passes through :func:`esc`. Styles and the editor's script are
files of this package served under ``/static`` (nothing is loaded from the internet).
"""

from __future__ import annotations

import html
from collections.abc import Iterable

#: stands for the CSRF token in a page rendered ahead (the token is per phone)
CSRF_PLACEHOLDER = "PACER-CSRF-PLACEHOLDER"
#: stands for the session's sync state, which changes without the session changing
SYNC_PLACEHOLDER = "<!--PACER-SYNC-->"
NAV = (("/", "Sessions"), ("/live", "Live"), ("/progress", "Progress"),
       ("/workouts", "Workouts"), ("/settings", "Settings"))  # fmt: skip


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def page(title: str, body: str, *, active: str = "", scripts: Iterable[str] = ()) -> str:
    """A whole HTML document."""
    nav = "".join(
        f'<a href="{href}"{" class=on" if href == active else ""}>{esc(name)}</a>'
        for href, name in NAV
    )
    js = "".join(f'<script src="/static/{esc(s)}" defer></script>' for s in scripts)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{esc(title)} · pacer</title><link rel="stylesheet" href="/static/pacer.css">'
        f'{js}</head><body><header><b>pacer</b><nav>{nav}</nav></header>'
        f"<main><h1>{esc(title)}</h1>{body}</main></body></html>"
    )


def csrf_field(csrf: str) -> str:
    return f'<input type="hidden" name="csrf" value="{esc(csrf)}">'


def form(action: str, csrf: str, inner: str, *, css: str = "") -> str:
    cls = f' class="{esc(css)}"' if css else ""
    return (f'<form method="post" action="{esc(action)}"{cls}>'
            f"{csrf_field(csrf)}{inner}</form>")


def table(header: Iterable[str], rows: Iterable[Iterable[str]], *, css: str = "") -> str:
    """A table; cells are already HTML (escape them first)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    cls = f' class="{esc(css)}"' if css else ""
    return f'<div class="scroll"><table{cls}><thead><tr>{head}</tr></thead>' \
           f"<tbody>{body}</tbody></table></div>"


def notice(text: str, kind: str = "ok") -> str:
    return f'<p class="notice {esc(kind)}" role="status">{esc(text)}</p>'


def error_page(status: int, text: str) -> str:
    return page(f"{status}", f"<p>{esc(text)}</p><p><a href='/'>Sessions</a></p>")
