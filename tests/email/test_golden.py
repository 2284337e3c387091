"""The golden e-mail corpus: every .eml beside the canonical JSON it must give.

A message that holds orders gives the list of its orders; one that holds none gives
the typed reason (``NOT_AN_ORDER`` and why). Attachments are read by whatever
extractors are registered, so these files follow the PDF, sheet and EDI readers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from connectors.base import RawDocument, Registry
from hub.errors import BadDocument
from tests.conftest import SAMPLES
from tests.golden import assert_golden

CORPUS = sorted((SAMPLES / "email").glob("*.eml"))


def outcome(registry: Registry, path: Path) -> Any:
    raw = RawDocument(content=path.read_bytes(), name=path.name, channel="email")
    try:
        return [order.to_json_dict() for order in registry.extract(raw)]
    except BadDocument as exc:
        return {"error": exc.code, "message": str(exc)}


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_golden_corpus(registry: Registry, path: Path, order_schema: dict[str, Any]) -> None:
    result = outcome(registry, path)
    if isinstance(result, list):
        for order in result:
            jsonschema.validate(order, order_schema)
            assert order["source"]["channel"] == "email"
    assert_golden(result, path.with_suffix(".json"))


def test_corpus_covers_every_kind() -> None:
    names = {p.stem for p in CORPUS}
    for kind in ("body_", "attachment_pdf", "attachment_csv", "attachment_xlsx", "no_order_"):
        assert any(name.startswith(kind) for name in names), kind
