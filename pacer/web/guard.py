"""ASGI middleware: request size limit and authentication in front of every route.

:class:`BodyLimit` refuses a declared ``Content-Length`` over the limit with 413 before
reading, and a chunked body as soon as it passes the limit. :class:`RequireAuth` lets through only
``/pair``, ``/static/`` and requests carrying a paired phone's token cookie; a browser
asking for a page is sent to ``/pair``, anything else gets 401.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from pathlib import Path
from typing import TYPE_CHECKING

from pacer.web.auth import COOKIE_NAME, token_valid

if TYPE_CHECKING:  # the ASGI shapes, as Starlette spells them
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

OPEN_PATHS = ("/pair",)
OPEN_PREFIXES = ("/static/",)


async def _plain(send: Send, status: int, text: str,
                 headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Read the whole body first (it is small: forms and JSON) and refuse it over the
    limit; the app then gets it replayed in one message."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = f"request too large (limit {self.max_bytes} bytes)"
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _plain(send, 413, too_large)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await _plain(send, 413, too_large)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def cookie(scope: Scope, name: str) -> str | None:
    raw = dict(scope.get("headers") or []).get(b"cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw.decode("latin-1"))
    except Exception:  # a malformed cookie header is the same as none
        return None
    return jar[name].value if name in jar else None


class RequireAuth:
    def __init__(self, app: ASGIApp, state_dir: Path) -> None:
        self.app = app
        self.state_dir = state_dir

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        if token_valid(self.state_dir, cookie(scope, COOKIE_NAME)):
            await self.app(scope, receive, send)
            return
        accept = dict(scope.get("headers") or []).get(b"accept", b"")
        if scope.get("method") == "GET" and b"text/html" in accept:
            await _plain(send, 303, "pair this phone first", [(b"location", b"/pair")])
            return
        await _plain(send, 401, "not paired: open /pair and enter the pairing code")
