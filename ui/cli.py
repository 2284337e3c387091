"""``o2c serve`` and ``o2c users add``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from hub import audit, clock
from hub.errors import ConfigError
from hub.settings import Settings
from hub.tables import UserRow
from ui import security

#: Short enough for the demo's accounts; real deployments choose long passphrases, and
#: failed logins are rate-limited whatever the length.
MIN_PASSWORD = 4

users_app = typer.Typer(help="Workbench users.", no_args_is_help=True)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    certfile: Annotated[Path | None, typer.Option(
        help="TLS certificate (PEM): serve HTTPS; session cookies are then Secure.")] = None,
    keyfile: Annotated[Path | None, typer.Option(help="TLS private key (PEM).")] = None,
) -> None:
    """The web workbench and the web order API."""
    import uvicorn

    from hub.cli import open_database
    from ui.app import create_app

    settings = Settings.load()
    app = create_app(settings, open_database(settings))
    if (certfile is None) != (keyfile is None):
        raise ConfigError("give both --certfile and --keyfile, or neither")
    # Behind a TLS proxy on this machine, X-Forwarded-Proto tells the app it is HTTPS.
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True,
                ssl_certfile=str(certfile) if certfile else None,
                ssl_keyfile=str(keyfile) if keyfile else None)


def users_add(
    name: Annotated[str, typer.Argument(help="The user name.")],
    role: Annotated[str, typer.Option("--role", help="adv, finance, sales, it or admin.")],
) -> None:
    """Create a workbench user (or reset an existing one); the password is read from stdin."""
    from hub.cli import err, open_database

    if role not in security.ROLES:
        raise ConfigError(f"role must be one of: {', '.join(security.ROLES)}")
    if not name.strip() or len(name) > 80 or any(ch.isspace() for ch in name):
        raise ConfigError("the user name must be 1 to 80 characters without spaces")
    password = _read_password()
    db = open_database()
    with db.session() as session:
        row = session.get(UserRow, name)
        before = {"role": row.role, "active": row.active} if row else None
        if row is None:
            row = UserRow(username=name, created_at=clock.now())
            session.add(row)
        row.password_hash, row.role, row.active = security.hash_password(password), role, True
        audit.record(session, [audit.AuditEvent("user", name, "created" if before is None
                                                 else "reset", "cli", before,
                                                 {"role": role, "active": True})])
    err.print(f"user {name} ({role}) {'created' if before is None else 'updated'}", markup=False)


def _read_password() -> str:
    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"the password must have at least {MIN_PASSWORD} characters")
    return str(password)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``users`` to the ``o2c`` command line."""
    app.command("serve")(serve)
    users_app.command("add")(users_add)
    app.add_typer(users_app, name="users")
