"""What every workbench route shares: the user, roles, CSRF, templates, pages, audit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from hub import audit
from hub.db import Database
from hub.settings import Settings
from ui import security
from ui.formats import money, when

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.filters["money"] = money
TEMPLATES.env.filters["when"] = when

#: Where each role lands after logging in.
HOME = {"adv": "/adv/exceptions", "finance": "/finance/payments", "sales": "/sales",
        "it": "/it/jobs", "admin": "/dashboard"}


@dataclass(frozen=True)
class User:
    """The person behind a request."""

    username: str
    role: str

    def can(self, *roles: str) -> bool:
        """Whether the user holds one of ``roles`` (admin holds every role)."""
        return self.role == "admin" or self.role in roles


class LoginRequired(Exception):  # noqa: N818 - a redirect signal, not a failure
    """No logged-in user: workbench pages send the browser to the login page."""


def database(request: Request) -> Database:
    """The app's database."""
    db: Database = request.app.state.database
    return db


def settings(request: Request) -> Settings:
    """The app's settings."""
    loaded: Settings = request.app.state.settings
    return loaded


@contextmanager
def transaction(request: Request, *, write: bool | None = None) -> Iterator[Session]:
    """One database transaction for the request.

    GET and HEAD requests read only (pages), unless ``write`` says otherwise (a download
    that records an audit event); on SQLite, readers then never queue behind each other.
    """
    read_only = request.method in ("GET", "HEAD") if write is None else not write
    with database(request).session(read_only=read_only) as session:
        yield session


def session_data(request: Request) -> security.SessionData:
    """The request's session (anonymous ones carry a CSRF token too)."""
    data: security.SessionData = request.state.session
    return data


def role(*roles: str) -> Callable[[Request], User]:
    """A dependency admitting logged-in users with one of ``roles`` (403 otherwise)."""

    def dependency(request: Request) -> User:
        username = session_data(request).username
        if not username:
            raise LoginRequired
        with transaction(request) as session:
            row = security.find_user(session, username)
            found = User(row.username, row.role) if row else None
        if found is None:
            raise LoginRequired
        request.state.user = found
        if roles and not found.can(*roles):
            raise HTTPException(403, "your role does not give access to this page")
        return found

    return dependency


any_user = role()


async def csrf_protect(request: Request) -> None:
    """Refuse a state-changing request without the session's CSRF token (403)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    given = request.headers.get("x-csrf-token")
    if not given:
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not security.csrf_matches(session_data(request).csrf, given):
        raise HTTPException(403, "the form expired or did not come from this site; reload it")


def notify(request: Request, message: str, *, error: bool = False) -> None:
    """A message for the next page this browser shows (kept in the signed session, so no
    text travels in a URL)."""
    request.state.session = replace(session_data(request), flash=message[:500],
                                    flash_error=error)


def render(request: Request, template: str, status_code: int = 200, **context: Any
           ) -> HTMLResponse:
    """A page or fragment with the user, the CSRF token and any message in its context."""
    context.setdefault("user", getattr(request.state, "user", None))
    data = session_data(request)
    if data.flash and "flash" not in context and not template.startswith("_"):
        context["flash"], context["flash_error"] = data.flash, data.flash_error
        request.state.session = replace(data, flash=None, flash_error=False)
    context["csrf"] = session_data(request).csrf
    context["path"] = request.url.path
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)


def redirect(url: str, request: Request | None = None) -> Response:
    """A 303 redirect (for htmx requests, an ``HX-Redirect`` the page follows)."""
    if request is not None and request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def record(  # noqa: PLR0917 - the fields of hub.audit.AuditEvent, in its order
           session: Session, user: User, entity: tuple[str, str], action: str,
           before: dict[str, Any] | None, after: dict[str, Any] | None,
           detail: str | None = None) -> None:
    """Audit one action of a person, with the state before and after."""
    audit.record(session, [audit.AuditEvent(entity[0], entity[1], action, user.username,
                                             before, after, detail)])


def contains(session: Session, column: Any, text: str) -> Any:
    """``column`` holds ``text``, ignoring case; ``%`` and ``_`` typed are plain characters.

    SQLite's LIKE already ignores ASCII case, so there the cheaper LIKE serves (ILIKE
    would lower-case every value first); PostgreSQL needs ILIKE.
    """
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    if session.get_bind().dialect.name == "sqlite":
        return column.like(pattern, escape="\\")
    return column.ilike(pattern, escape="\\")


@dataclass(frozen=True)
class Page:
    """One page of a list: the rows, where we are, and links to the neighbours."""

    rows: list[Any]
    number: int
    size: int
    total: int
    params: dict[str, str]

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, -(-self.total // self.size))

    def link(self, number: int) -> str:
        """The query string of page ``number`` with the same filters."""
        return "?" + urlencode({**{k: v for k, v in self.params.items() if v}, "page": number})


def page_number(raw: str | None) -> int:
    """A page number from the query string (1 for anything odd)."""
    try:
        return max(1, min(int(raw or 1), 1_000_000))
    except ValueError:
        return 1
