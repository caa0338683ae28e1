"""The Starlette application: routes, and the thin handlers that join the library
(session reader, review, exporters, workout parser, config loader) to the pages.

Build it with :func:`create_app`; ``pacer serve`` runs it under uvicorn and the tests
drive it with Starlette's ``TestClient``. Blocking work (opening a session, exporting)
runs in the thread pool so the event loop keeps answering.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pacer.errors import ConfigError, InputError, SessionError
from pacer.web import auth, pages_forms, pages_sessions
from pacer.web.guard import BodyLimit, RequireAuth, cookie
from pacer.web.layout import CSRF_PLACEHOLDER, SYNC_PLACEHOLDER, error_page, esc
from pacer.web.sessions import SessionIndex
from pacer.web.settings import WebSettings

if TYPE_CHECKING:
    from pacer.config import Config

PRE_COOKIE = "pacer_pre"  # double-submit CSRF for the pairing form (before a token exists)
EXPORT_TYPES = {"fit": "application/vnd.ant.fit", "gpx": "application/gpx+xml",
                "tcx": "application/vnd.garmin.tcx+xml", "csv": "text/csv"}  # fmt: skip
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                    "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
                    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                    "style-src 'self'; script-src 'self'; frame-ancestors 'none'"}


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=SECURITY_HEADERS)


def _not_found(what: str = "no such page") -> HTMLResponse:
    return _html(error_page(404, what), 404)


async def _form(request: Request) -> dict[str, str]:
    """An urlencoded form body as a dict (first value per field); {} for other types."""
    if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"):
        return {}
    body = (await request.body()).decode("utf-8", errors="replace")
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


def _token(request: Request) -> str:
    return cookie(request.scope, auth.COOKIE_NAME) or ""


def _csrf(request: Request) -> str:
    return auth.csrf_token(_token(request))


def _forbidden() -> HTMLResponse:
    return _html(error_page(403, "the form was stale (CSRF check failed): reload the page"), 403)


class Handlers:
    """The route handlers of one server (its settings, session index and rate limiter)."""

    def __init__(self, settings: WebSettings) -> None:
        self.s = settings
        self.index = SessionIndex(settings.data_dir, settings.state_dir)
        self.pair_limiter = auth.RateLimiter(max_events=5, window_s=60.0)
        self._sync_running = threading.Lock()

    # -- sessions -------------------------------------------------------------------
    async def sessions_list(self, request: Request) -> Response:
        rows = await run_in_threadpool(self.index.rows)
        self._retry_due_uploads()
        return _html(pages_sessions.sessions_list_page(rows))

    async def session(self, request: Request) -> Response:
        path = self.index.lookup(request.path_params["sid"])
        if path is None:
            return _not_found("no such session")
        try:
            text = await run_in_threadpool(self.index.page, path)
        except SessionError as exc:
            return _html(error_page(500, str(exc)), 500)
        return _html(text.replace(SYNC_PLACEHOLDER, self._sync_html(path.name, request))
                     .replace(CSRF_PLACEHOLDER, _csrf(request)))

    def _sync_html(self, session_id: str, request: Request) -> str:
        from pacer.sync import intervals
        from pacer.sync.queue import load_queue, state_of

        try:
            items = state_of(load_queue(self.s.state_dir), session_id)
            account = intervals.load_account(self.s.state_dir) is not None
        except InputError as exc:
            return f'<h2>Sync</h2><p class="notice error">{esc(str(exc))}</p>'
        return pages_forms.sync_section(session_id, items, _csrf(request), has_account=account)

    async def sync(self, request: Request) -> Response:
        """Queue the session for upload and run the uploader (a child) in the background."""
        from pacer.sync.queue import enqueue, load_queue, save_queue

        sid = request.path_params["sid"]
        path = self.index.lookup(sid)
        if path is None:
            return _not_found("no such session")
        form = await _form(request)
        if not auth.csrf_ok(_token(request), form.get("csrf")):
            return _forbidden()
        save_queue(self.s.state_dir, enqueue(load_queue(self.s.state_dir), sid, "intervals",
                                             time.time()))
        self._start_sync()
        return RedirectResponse(f"/sessions/{sid}", status_code=303)

    def _start_sync(self) -> None:
        """Run the uploader in the background unless it is already running."""
        import threading

        from pacer.web.exports import run_sync_child

        if not self._sync_running.acquire(blocking=False):
            return

        def work() -> None:
            try:
                run_sync_child(self.s.state_dir, self.s.data_dir)
            finally:
                self._sync_running.release()

        threading.Thread(target=work, name="pacer-web-sync", daemon=True).start()

    def _retry_due_uploads(self) -> None:
        """Uploads waiting for their retry go when a phone looks at the list."""
        from pacer.sync.queue import due, load_queue

        try:
            if due(load_queue(self.s.state_dir), time.time()):
                self._start_sync()
        except InputError:
            pass  # the session page shows the queue's problem

    async def export(self, request: Request) -> Response:
        from starlette.background import BackgroundTask
        from starlette.responses import FileResponse

        from pacer.web.exports import ExportFailed, export_to_file

        fmt = request.path_params["fmt"]
        path = self.index.lookup(request.path_params["sid"])
        if path is None or fmt not in EXPORT_TYPES:
            return _not_found("no such session or format")
        try:
            out = await run_in_threadpool(export_to_file, path, fmt)
        except ExportFailed as exc:
            return _html(error_page(409, str(exc)), 409)
        return FileResponse(out, media_type=EXPORT_TYPES[fmt], filename=f"{path.name}.{fmt}",
                            headers={"X-Content-Type-Options": "nosniff"},
                            background=BackgroundTask(out.unlink, missing_ok=True))

    async def delete(self, request: Request) -> Response:
        sid = request.path_params["sid"]
        path = self.index.lookup(sid)
        if path is None:
            return _not_found("no such session")
        if request.method == "GET":
            return _html(pages_sessions.delete_confirm_page(sid, _csrf(request)))
        form = await _form(request)
        if not auth.csrf_ok(_token(request), form.get("csrf")):
            return _forbidden()
        if form.get("confirm") != "yes":
            return _html(pages_sessions.delete_confirm_page(
                sid, _csrf(request), "tick the box to confirm"), 400)
        from pacer.session.catalog import delete_session

        try:
            await run_in_threadpool(delete_session, path, self.s.data_dir)
        except (SessionError, OSError) as exc:
            return _html(pages_sessions.delete_confirm_page(sid, _csrf(request), str(exc)), 409)
        self.index.forget(sid)
        return RedirectResponse("/", status_code=303)

    async def progress(self, request: Request) -> Response:
        from pacer.web.stats import progress_by_workout

        rows = await run_in_threadpool(self.index.rows)
        return _html(pages_sessions.progress_page(progress_by_workout(rows)))

    # -- workouts ---------------------------------------------------------------------
    def _named_paces(self) -> dict[str, float]:
        try:
            return dict(self._config().coach.named_paces_s_per_km)
        except ConfigError:
            return {}

    async def workouts(self, request: Request, message: str | None = None) -> Response:
        from pacer.coach.language.library import LIBRARY
        from pacer.web.settings import read_next_workout
        from pacer.web.workouts import own_workouts

        return _html(pages_forms.workouts_page(LIBRARY, own_workouts(self.s.state_dir),
                                               read_next_workout(self.s.state_dir), message))

    async def edit_workout(self, request: Request) -> Response:
        from pacer.coach.language.library import LIBRARY
        from pacer.web.workouts import own_workouts

        name, text = "", ""
        if "library" in request.query_params:
            name = request.query_params["library"]
            text = LIBRARY.get(name, ("", ""))[0]
        elif "own" in request.query_params:
            name = request.query_params["own"]
            text = own_workouts(self.s.state_dir).get(name, "")
        return _html(pages_forms.editor_page(name, text, _csrf(request)))

    async def save_workout(self, request: Request) -> Response:
        from pacer.web.settings import write_next_workout
        from pacer.web.workouts import WORKOUT_NAME_RE, check_workout, save_own_workout

        form = await _form(request)
        if not auth.csrf_ok(_token(request), form.get("csrf")):
            return _forbidden()
        name, text = form.get("name", "").strip(), form.get("text", "")
        result = check_workout(text, self._named_paces())
        problem = None if result["ok"] else result["message"]
        if problem is None and not WORKOUT_NAME_RE.fullmatch(name):
            problem = "name: letters, digits, space, '.', '_' or '-', at most 40"
        if problem:
            return _html(pages_forms.editor_page(name, text, _csrf(request), problem=problem),
                         400)
        save_own_workout(self.s.state_dir, name, text)
        message = f"saved {name}"
        if form.get("action") == "next":
            write_next_workout(self.s.state_dir, text)
            message += "; the device runs it next"
        return await self.workouts(request, message)

    async def check_workout_api(self, request: Request) -> Response:
        from pacer.web.workouts import check_workout

        if not auth.csrf_ok(_token(request), request.headers.get("x-csrf-token")):
            return JSONResponse({"ok": False, "message": "CSRF check failed"}, status_code=403)
        try:
            doc = json.loads(await request.body())
            text = str(doc["text"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"ok": False, "message": "send {\"text\": ...}"},
                                status_code=400)
        return JSONResponse(check_workout(text, self._named_paces()))

    # -- settings ---------------------------------------------------------------------
    def _config(self) -> Config:
        from pacer.config import Config, load_config

        if not self.s.config_path.is_file():
            return Config()
        return load_config(self.s.config_path, search_defaults=False)

    async def settings(self, request: Request) -> Response:
        path = str(self.s.config_path)
        if request.method == "GET":
            try:
                cfg, problem = self._config(), None
            except ConfigError as exc:
                cfg, problem = None, str(exc)
            return _html(pages_forms.settings_page(cfg, path, _csrf(request), problem=problem))
        from pacer.web.configfile import EDITABLE, parse_form_value, update_config
        from pacer.web.service import reload_service

        form = await _form(request)
        if not auth.csrf_ok(_token(request), form.get("csrf")):
            return _forbidden()
        changes = {f: parse_form_value(f, form[f]) for f in EDITABLE
                   if f in form and not (f == "voice" and not form[f].strip())}
        try:
            await run_in_threadpool(update_config, self.s.config_path, changes)
        except ConfigError as exc:
            try:
                cfg = self._config()
            except ConfigError:
                cfg = None
            return _html(pages_forms.settings_page(cfg, path, _csrf(request),
                                                   problem=str(exc)), 400)
        note = "saved; " + await run_in_threadpool(reload_service, self.s.service_unit)
        return _html(pages_forms.settings_page(self._config(), path, _csrf(request),
                                               message=note))

    # -- live -----------------------------------------------------------------------------
    async def live(self, request: Request) -> Response:
        return _html(pages_forms.live_page())

    async def live_events(self, request: Request) -> Response:
        """Server-sent events: one JSON object a second while a session is recorded."""
        import asyncio

        from starlette.responses import StreamingResponse

        from pacer.web.live import LIVE_PERIOD_S, recording_session, snapshot

        def current() -> str:
            path = recording_session(self.index.paths())
            doc: dict[str, object] = {"recording": path is not None}
            if path is not None:
                try:
                    doc |= {"session": path.name, "fields": snapshot(path)}
                except SessionError:
                    doc = {"recording": False}
            return json.dumps(doc)

        async def stream() -> AsyncIterator[str]:
            for _ in range(self.s.live_max_events):
                if await request.is_disconnected():
                    break
                yield f"data: {await run_in_threadpool(current)}\n\n"
                await asyncio.sleep(LIVE_PERIOD_S)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    # -- pairing ----------------------------------------------------------------------
    def _pair_form(self, problem: str | None = None, status: int = 200) -> Response:
        pre = secrets.token_urlsafe(16)
        response = _html(pages_forms.pair_page(pre, problem), status)
        response.set_cookie(PRE_COOKIE, pre, httponly=True, samesite="strict",
                            secure=self.s.secure_cookies, max_age=3600)
        return response

    async def pair(self, request: Request) -> Response:
        if request.method == "GET":
            return self._pair_form()
        client = request.client.host if request.client else "?"
        if not self.pair_limiter.allow(client, time.monotonic()):
            return self._pair_form("too many attempts: wait a minute", 429)
        form = await _form(request)
        pre = cookie(request.scope, PRE_COOKIE)
        if not pre or not secrets.compare_digest(pre, form.get("csrf", "")):
            return self._pair_form("the form was stale: try again", 403)
        token = auth.redeem(self.s.state_dir, form.get("code", ""), time.time())
        if token is None:
            return self._pair_form("wrong or expired code", 401)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(auth.COOKIE_NAME, token, max_age=auth.TOKEN_MAX_AGE_S,
                            httponly=True, samesite="strict", secure=self.s.secure_cookies)
        response.delete_cookie(PRE_COOKIE)
        return response

    async def logout(self, request: Request) -> Response:
        form = await _form(request)
        if not auth.csrf_ok(_token(request), form.get("csrf")):
            return _forbidden()
        auth.forget_token(self.s.state_dir, _token(request))
        response = RedirectResponse("/pair", status_code=303)
        response.delete_cookie(auth.COOKIE_NAME)
        return response


def create_app(settings: WebSettings) -> BodyLimit:
    """The whole ASGI app: routes behind authentication behind the size limit."""
    h = Handlers(settings)
    routes = [
        Route("/", h.sessions_list),
        Route("/sessions/{sid}", h.session),
        Route("/sessions/{sid}/export.{fmt}", h.export),
        Route("/sessions/{sid}/delete", h.delete, methods=["GET", "POST"]),
        Route("/sessions/{sid}/sync", h.sync, methods=["POST"]),
        Route("/progress", h.progress),
        Route("/workouts", h.workouts),
        Route("/workouts/edit", h.edit_workout),
        Route("/workouts/save", h.save_workout, methods=["POST"]),
        Route("/api/workouts/check", h.check_workout_api, methods=["POST"]),
        Route("/live", h.live),
        Route("/live/events", h.live_events),
        Route("/settings", h.settings, methods=["GET", "POST"]),
        Route("/pair", h.pair, methods=["GET", "POST"]),
        Route("/logout", h.logout, methods=["POST"]),
        Mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static"),
    ]
    app = Starlette(routes=routes)
    return BodyLimit(RequireAuth(app, settings.state_dir), settings.max_body_bytes)
