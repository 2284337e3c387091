"""``o2c cash ...`` commands (registered through the ``o2c.commands`` entry point)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hub.cli import InputProblems, err, leave_at_once, progress, say_problem

cash_app = typer.Typer(help="Cash application: bank statements against open items.",
                       no_args_is_help=True)

ExistingFile = Annotated[Path, typer.Option(exists=True, dir_okay=False, readable=True)]


@cash_app.command("match")
def match_command(
    customers: ExistingFile,
    open_items: ExistingFile,
    statement: Annotated[list[Path], typer.Option(
        exists=True, dir_okay=False, readable=True,
        help="A bank statement (CAMT.053/054, MT940, CFONB 120); repeat for several.")],
    out: Annotated[Path, typer.Option(dir_okay=False, help="Where matches.csv is written.")],
    history: Annotated[Path | None, typer.Option(
        exists=True, dir_okay=False, readable=True,
        help="Past payments finance applied by hand (payer_name,payer_iban,customer_id).")
    ] = None,
) -> None:
    """Match statements against open items and write matches.csv (no database)."""
    from matching.cashmatch import run

    with progress(1000, "matching") as bar:
        task = bar.add_task("matching", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result = run(customers=customers, open_items=open_items, statements=statement,
                     history=history, out=out, on_progress=advance)
    # matches.csv is in place and the run holds only memory: nothing to tear down.
    leave_at_once()
    for line in result.problems:
        say_problem(line)
    counts = result.counts()
    err.print(
        f"{len(result.proposals)} transactions: {counts['auto']} auto, "
        f"{counts['suggested']} suggested, {counts['unmatched']} unmatched; "
        f"{result.rows} rows written to {out}",
        markup=False,
    )
    if result.problems:
        raise InputProblems(f"{len(result.problems)} problems")


def register(app: typer.Typer) -> None:
    """Add the ``cash`` commands to the ``o2c`` command line."""
    app.add_typer(cash_app, name="cash")
