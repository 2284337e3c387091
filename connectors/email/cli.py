"""``o2c email watch``: a mailbox read into the queue as mail arrives.

The scheduler polls mailboxes on its interval; this command is for a mailbox that
should be read the moment mail lands: it reads what is waiting, then waits in IMAP IDLE
(or sleeps one poll period when the server has no IDLE), and reads again.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from connectors.email.imap import ImapTransport
from connectors.email.poll import PollResult, poll_mailbox
from hub.cli import err, open_database, out, say_problem
from hub.db import Database
from hub.errors import ConfigError
from hub.settings import Settings

email_app = typer.Typer(help="E-mail mailboxes.", no_args_is_help=True)

# The scheduler's own keys in a [connectors.NAME] section (its trigger and retries).
SCHEDULE_KEYS = ("every_seconds", "cron", "enabled", "max_retries", "backoff_seconds")


def register(app: typer.Typer) -> None:
    """Add the ``email`` commands to the ``o2c`` command line."""
    app.add_typer(email_app, name="email")


def mailbox_transport(settings: Settings, name: str) -> ImapTransport:
    """The IMAP transport of the ``[connectors.NAME]`` section.

    Raises:
        ConfigError: when the section is missing or is not an IMAP mailbox.
    """
    section = dict(settings.raw("connectors").get(name) or {})
    if section.pop("transport", None) != "imap":
        raise ConfigError(f"{settings.path}: [connectors.{name}] is not a mailbox "
                          '(it needs transport = "imap")')
    for key in SCHEDULE_KEYS:
        section.pop(key, None)
    transport = ImapTransport.from_settings(section)
    assert isinstance(transport, ImapTransport)
    return transport


@email_app.command("watch")
def watch(
    mailbox: Annotated[str, typer.Argument(help="The [connectors.NAME] section of the mailbox.")],
    once: Annotated[bool, typer.Option(help="Read what is waiting, then stop.")] = False,
) -> None:
    """Read a mailbox into the queue, then wait for new mail and read it as it comes."""
    settings = Settings.load()
    db = open_database(settings)
    with mailbox_transport(settings, mailbox) as transport:
        while True:
            result = _one_round(transport, db, mailbox)
            for problem in result.problems:
                say_problem(problem)
            out.print(f"{mailbox}: {result.messages} message(s), {result.orders} order(s), "
                      f"{result.quarantined} quarantined")
            if once:
                return
            transport.wait()


def _one_round(transport: ImapTransport, db: Database, name: str) -> PollResult:
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed}"),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(f"reading {name}", total=None)
        return poll_mailbox(transport, db, progress=lambda _report: bar.advance(task))
