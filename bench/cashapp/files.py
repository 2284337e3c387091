"""A scenario written as the files ``o2c cash match`` reads, and the truth beside them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from scenario import Scenario
from writers import camt053, cfonb120, mt940

from matching.csvio import CUSTOMERS, HISTORY, OPEN_ITEMS

WRITERS = {"camt053": (camt053, "xml"), "mt940": (mt940, "sta"), "cfonb120": (cfonb120, "txt")}


def _csv(path: Path, header: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write(scenario: Scenario, folder: Path, fmt: str = "camt053",
          per_statement: int = 5000) -> dict[str, object]:
    """Write master data, statements in ``fmt`` and ``truth.json``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    _csv(folder / "customers.csv", CUSTOMERS, scenario.customers)
    _csv(folder / "open_items.csv", OPEN_ITEMS, scenario.open_items)
    _csv(folder / "history.csv", HISTORY, scenario.history)
    writer, ext = WRITERS[fmt]
    statements = []
    for k, statement in enumerate(scenario.statements(per_statement), start=1):
        path = folder / f"statement-{fmt}-{k:03d}.{ext}"
        path.write_bytes(writer(statement))
        statements.append(path)
    truth = {ref: [t.kind, list(t.invoices), t.achievable] for ref, t in scenario.truth.items()}
    (folder / "truth.json").write_text(json.dumps(truth))
    return {"customers": folder / "customers.csv", "open_items": folder / "open_items.csv",
            "history": folder / "history.csv", "statements": statements,
            "truth": folder / "truth.json"}
