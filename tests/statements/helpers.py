"""Shared by the statement tests: sample lists and the JSON form of parsed statements."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from hub.errors import BadDocument
from matching.statements import parse
from matching.statements.model import Statement
from tests.conftest import SAMPLES, SHARED_SAMPLES

FOLDERS = ("camt053", "camt054", "mt940", "cfonb120", "bai2")
NOTICE_AND_ORACLES = {"NOTICE"}


def local_samples() -> list[Path]:
    """Every statement sample copied into tests/samples (no NOTICE, no golden, no oracle)."""
    found = []
    for folder in FOLDERS:
        for path in sorted((SAMPLES / folder).iterdir()):
            if path.is_file() and path.name not in NOTICE_AND_ORACLES and path.suffix != ".json":
                found.append(path)
    return found


def shared_samples() -> list[Path]:
    """Every statement sample of the shared folder (empty when it is absent)."""
    found = []
    for folder in FOLDERS:
        base = SHARED_SAMPLES / folder
        if base.is_dir():
            found += sorted(p for p in base.iterdir() if p.is_file())
    return found


def plain(value: Any) -> Any:
    """JSON-able form: Decimal and dates as strings, never floats."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def statement_json(statement: Statement) -> dict[str, Any]:
    """A statement with its transactions, without empty fields."""
    data = {f.name: getattr(statement, f.name) for f in fields(statement)}
    data["transactions"] = [
        {k: v for k, v in asdict(t).items() if v not in (None, (), False)}
        for t in statement.transactions
    ]
    return plain({k: v for k, v in data.items() if v not in (None, (), False)})


def golden_document(raw: bytes, name: str) -> dict[str, Any]:
    """What a golden file holds: the lenient parse, and the verdict of the strict one."""
    statements = parse(raw, name, check=False)
    try:
        parse(raw, name)
        verdict: dict[str, str | None] = {"code": None, "error": None}
    except BadDocument as error:
        verdict = {"code": error.code, "error": str(error)}
    return {"checks": verdict, "statements": [statement_json(s) for s in statements]}
