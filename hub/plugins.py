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
    """Every entry point of ``group`` loaded, sorted by name for a stable order."""
    points = sorted(metadata.entry_points(group=group), key=lambda ep: ep.name)
    return [(ep.name, ep.load()) for ep in points]
