"""Extension points the hub offers the other rooms, found through entry points.

The hub imports no connector, robot or matching code: those rooms declare what they add
in ``pyproject.toml`` and the hub loads it by group:

* ``o2c.commands``: ``register(app: typer.Typer) -> None`` adds command-line commands;
* ``o2c.handlers``: a :class:`hub.intake.DocumentHandler` class that turns stored
  documents into queue entries (orders, bank transactions);
* ``o2c.web``: ``register(app: fastapi.FastAPI) -> None`` adds web routes.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

COMMANDS = "o2c.commands"
HANDLERS = "o2c.handlers"
WEB = "o2c.web"


def load(group: str) -> list[tuple[str, Any]]:
    """Every entry point of ``group`` loaded, sorted by name for a stable order.

    Raises:
        ImportError: when one cannot be imported (see :func:`load_each` to go on).
    """
    return [(ep.name, ep.load()) for ep in _points(group)]


def load_each(group: str) -> tuple[list[tuple[str, Any]], list[str]]:
    """Like :func:`load`, but an add-on that fails to import is reported, not fatal.

    Returns:
        The loaded entry points, and one line per failure naming the add-on.
    """
    loaded, failures = [], []
    for ep in _points(group):
        try:
            loaded.append((ep.name, ep.load()))
        except Exception as exc:  # a broken add-on must not take the others down
            failures.append(f"{group} {ep.name!r} ({ep.value}) failed to load: {exc}")
    return loaded, failures


def _points(group: str) -> list[metadata.EntryPoint]:
    return sorted(metadata.entry_points(group=group), key=lambda ep: ep.name)
