"""Commands of the web channel: ``o2c apikey create SENDER``, ``list`` and ``revoke``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from connectors.web.keys import create_key, list_keys, revoke_key
from hub.cli import InputProblems, err, open_database, out, say_problem
from hub.errors import ConfigError

apikey_app = typer.Typer(help="Keys of the web order API.", no_args_is_help=True)

MAX_SENDER = 120


def register(app: typer.Typer) -> None:
    """Add the web channel's commands to the ``o2c`` command line."""
    app.add_typer(apikey_app, name="apikey")


@apikey_app.command("create")
def create_command(
    sender: Annotated[str, typer.Argument(help="The web shop or customer the key speaks for.")],
) -> None:
    """Print a new API key for the web order API, bound to SENDER (shown only once)."""
    sender = sender.strip()
    if not sender or len(sender) > MAX_SENDER or not sender.isprintable():
        raise ConfigError(f"sender must be 1 to {MAX_SENDER} printable characters")
    db = open_database()
    try:
        with db.session() as session:
            new = create_key(session, sender)
    finally:
        db.dispose()
    print(new.key)  # the key is the command's output, for a script to read
    err.print(f"API key {new.prefix} for {sender}: keep it now, it is stored only hashed.")


@apikey_app.command("list")
def list_command() -> None:
    """Show every key's prefix, sender and state (the keys themselves are not stored)."""
    db = open_database()
    try:
        with db.session() as session:
            rows = list_keys(session)
    finally:
        db.dispose()
    table = Table("prefix", "sender", "created", "revoked")
    for row in rows:
        revoked = f"{row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else ""
        table.add_row(row.key_prefix, row.sender, f"{row.created_at:%Y-%m-%d %H:%M}", revoked)
    out.print(table)


@apikey_app.command("revoke")
def revoke_command(
    prefix: Annotated[str, typer.Argument(help="The key's prefix, as `o2c apikey list` shows it.")],
) -> None:
    """Refuse the key with PREFIX from now on."""
    db = open_database()
    try:
        with db.session() as session:
            found = revoke_key(session, prefix.strip())
    finally:
        db.dispose()
    if not found:
        say_problem(f"o2c: no API key with prefix {prefix!r}")
        raise InputProblems(prefix)
    err.print(f"API key {prefix} revoked.")
