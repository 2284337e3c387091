"""Shared by the EDI tests: a document's outcome as one JSON-able value, schema checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema

from connectors.base import Extractor
from hub.documents import RawDocument
from hub.errors import BadDocument


def problem_json(problem: BadDocument) -> dict[str, Any]:
    """A problem as the golden files record it."""
    return {"code": problem.code, "location": problem.location, "reason": problem.reason}


def outcome(extractor: Extractor, raw: RawDocument) -> dict[str, Any]:
    """Orders, per-message problems, or the document's error, as golden JSON."""
    try:
        if hasattr(extractor, "extract_with_problems"):
            orders, problems = extractor.extract_with_problems(raw)
        else:
            orders, problems = extractor.extract(raw), []
    except BadDocument as error:
        return {"orders": [], "problems": [], "error": problem_json(error)}
    return {
        "orders": [order.to_json_dict() for order in orders],
        "problems": [problem_json(p) for p in problems],
        "error": None,
    }


def assert_valid_orders(result: dict[str, Any], schema: dict[str, Any]) -> None:
    """Every order of an outcome fits the canonical order schema (formats checked)."""
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for order in result["orders"]:
        validator.validate(order)


def read(path: Path, name: str | None = None) -> RawDocument:
    """A file as the connector would receive it."""
    return RawDocument(path.read_bytes(), name or path.name, channel="edi")
