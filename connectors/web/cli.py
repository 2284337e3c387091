"""Commands of the web channel: ``o2c apikey create SENDER``."""

from __future__ import annotations

from typing import Annotated

import typer

from connectors.web.keys import create_key
from hub.cli import err, open_database
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
