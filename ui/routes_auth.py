"""Logging in and out, and the landing page of each role."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, Response

from ui import security
from ui.config import ui_settings
from ui.web import (
    HOME,
    STATIC_DIR,
    User,
    any_user,
    csrf_protect,
    redirect,
    render,
    settings,
    transaction,
)
from ui.web import record as audit_action

router = APIRouter(dependencies=[Depends(csrf_protect)])


def _limit(request: Request) -> security.RateLimit:
    own = ui_settings(settings(request))
    return security.RateLimit(own.login_max_failures,
                              timedelta(minutes=own.login_window_minutes))


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (no ``//host`` or scheme): no open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    """The login form."""
    return render(request, "login.html", next=_safe_next(next) or "", error=None)


@router.post("/login")
def login(request: Request, username: Annotated[str, Form()],
          password: Annotated[str, Form()], next: Annotated[str, Form()] = "") -> Response:
    """Check the password; too many failures refuse further tries for a while."""
    address = request.client.host if request.client else "unknown"
    name = username.strip()[:80]
    with transaction(request) as session:
        if security.login_blocked(session, name, address, _limit(request)):
            security.record_attempt(session, name, address, False)
            return render(request, "login.html", 429, next=next, username=name,
                          error="Too many failed logins. Wait a few minutes and try again.")
        row = security.find_user(session, name)
        ok = security.verify_password(row.password_hash if row else None, password)
        security.record_attempt(session, name, address, ok)
        if not ok or row is None:
            return render(request, "login.html", 401, next=next, username=name,
                          error="Wrong user name or password.")
        user = User(row.username, row.role)
        audit_action(session, user, ("user", user.username), "login", None,
                     {"address": address})
    request.state.session = security.SessionData.fresh(user.username)
    return redirect(_safe_next(next) or HOME[user.role])


@router.post("/logout")
def logout(request: Request, user: Annotated[User, Depends(any_user)]) -> Response:
    """End the session."""
    with transaction(request) as session:
        audit_action(session, user, ("user", user.username), "logout", None, None)
    request.state.session = security.SessionData.fresh()
    return redirect("/login")


@router.get("/")
def home(user: Annotated[User, Depends(any_user)]) -> Response:
    """Each role's own start page."""
    return redirect(HOME[user.role])


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    """The tab icon."""
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")
