"""Running the hub: robots on demand (``o2c run``), and the jobs of ``o2c.toml``.

This module is the composition root: the one place that knows every room.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Annotated, Any

import typer

from hub.cli import InputProblems, err, open_database, out
from hub.db import Database
from hub.runs import recorded
from hub.settings import Settings

#: The robots, in the order ``o2c run all`` runs them.
ROBOTS: dict[str, str] = {
    "validate": "robots.validate:run",
    "group": "robots.group:run",
    "release": "robots.release:run",
    "match": "matching.robot:run",
}

RobotRun = Callable[..., dict[str, int]]


def robot(name: str) -> RobotRun:
    """The ``run`` function of the robot called ``name``."""
    module_name, _, attr = ROBOTS[name].partition(":")
    return getattr(importlib.import_module(module_name), attr)


def run_robot(db: Database, settings: Settings, name: str) -> dict[str, int]:
    """Run one robot once over the queue, recorded as a run of job ``robot:NAME``."""
    with recorded(db, f"robot:{name}") as run:
        counts = robot(name)(db, settings)
        run.merge({k: v for k, v in counts.items() if isinstance(v, int)})
    return counts


def register(app: typer.Typer) -> None:
    """Add ``o2c run`` to the command line."""
    app.command("run")(run_command)


def run_command(
    name: Annotated[str, typer.Argument(
        help="validate, group, release, match, or all (in that order).",
        metavar="ROBOT")],
) -> None:
    """Run one robot once over the queue."""
    names = list(ROBOTS) if name == "all" else [name]
    unknown = [n for n in names if n not in ROBOTS]
    if unknown:
        raise typer.BadParameter(f"unknown robot {unknown[0]!r}; choose from "
                                 f"{', '.join([*ROBOTS, 'all'])}")
    settings = Settings.load()
    db = open_database(settings)
    failed = False
    for robot_name in names:
        try:
            counts = run_robot(db, settings, robot_name)
        except Exception as exc:
            err.print(f"{robot_name}: failed: {exc}", markup=False)
            failed = True
            continue
        out.print(f"{robot_name}: {_describe(counts)}", markup=False)
    if failed:
        raise InputProblems("a robot failed")


def _describe(counts: dict[str, Any]) -> str:
    shown = [f"{v} {k}" for k, v in counts.items() if ":" not in k and v]
    return ", ".join(shown) or "nothing to do"
