"""The workbench application: FastAPI, Jinja2 templates, HTMX, and the web order API.

``create_app`` wires the session cookie, the security headers, the workbench routers and
every ``o2c.web`` plug-in (the web order API), so ``o2c serve`` serves all of them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from hub import plugins
from hub.db import Database
from hub.settings import Settings
from ui import security
from ui.web import LoginRequired, redirect, render

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"

#: Scripts only from this site (htmx and the keyboard shortcuts); inline style attributes
#: are allowed because the evidence boxes and chart bars are positioned with them.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; "
       "base-uri 'none'; object-src 'none'")


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    """The workbench and the web order API on one FastAPI app.

    Args:
        settings: Loaded settings (``[ui]`` and the robots' sections are read from them).
        db: The database; default the configured one.
    """
    app = FastAPI(title="o2c workbench", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.database = db or Database(settings.core.database_url)
    app.state.signer = security.Signer(security.secret_key(Path("var")))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _add_session_middleware(app)
    _add_error_pages(app)
    _include_routers(app)
    for name, register in plugins.load(plugins.WEB):
        try:
            register(app)
        except Exception:  # a broken add-on must not take the workbench down
            log.exception("web plug-in %s failed to load", name)
    return app


def _include_routers(app: FastAPI) -> None:
    from ui import (
        routes_adv,
        routes_auth,
        routes_dashboard,
        routes_documents,
        routes_finance,
        routes_it,
        routes_sales,
    )

    for module in (routes_auth, routes_adv, routes_documents, routes_finance,
                   routes_dashboard, routes_it, routes_sales):
        app.include_router(module.router)


def _add_session_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def session_cookie(request: Request,
                             call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        signer: security.Signer = request.app.state.signer
        loaded = signer.loads(request.cookies.get(security.COOKIE))
        request.state.session = loaded or security.SessionData.fresh()
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = (time.perf_counter() - started) * 1000
        response.headers["Server-Timing"] = f"app;dur={elapsed:.1f}"
        quiet = request.url.path.startswith(("/api/", "/static/"))
        if not quiet and (loaded is None or request.state.session is not loaded):
            response.set_cookie(
                security.COOKIE, signer.dumps(request.state.session), httponly=True,
                samesite="lax", secure=request.url.scheme == "https", path="/",
                max_age=security.SESSION_SECONDS)
        if not request.url.path.startswith("/api/"):
            _security_headers(request, response)
        return response


def _security_headers(request: Request, response: Response) -> None:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Referrer-Policy"] = "same-origin"
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    if request.url.scheme == "https":
        response.headers["Strict-Transport-Security"] = "max-age=31536000"


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(f"/login?next={target}" if request.method == "GET" else "/login",
                        request)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith(("/api/", "/static/")):
            return await http_exception_handler(request, exc)
        if request.headers.get("hx-request"):
            return PlainTextResponse(str(exc.detail), status_code=exc.status_code,
                                     headers=exc.headers)
        return render(request, "error.html", status_code=exc.status_code,
                      status=exc.status_code, message=str(exc.detail))
