"""Shared fixtures.

``db`` runs a test on SQLite and, when ``O2C_TEST_PG_URL`` names the PostgreSQL server
that ``make test`` started, on PostgreSQL too. Each test gets a fresh schema.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from hub.db import Database

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "samples"
SHARED_SAMPLES = ROOT.parent / "shared" / "samples"
SCHEMA_PATH = Path(__file__).parent / "canonical-order.schema.json"
PG_URL = os.environ.get("O2C_TEST_PG_URL")

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip PostgreSQL tests, with the reason, when no server was started."""
    if PG_URL:
        return
    skip = pytest.mark.skip(reason="O2C_TEST_PG_URL not set: run through `make test`")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def _fresh_pg_schema() -> tuple[str, str]:
    assert PG_URL
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}", schema


def _drop_pg_schema(schema: str) -> None:
    assert PG_URL
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'o2c.db'}"
        return
    url, schema = _fresh_pg_schema()
    try:
        yield url
    finally:
        _drop_pg_schema(schema)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A migrated database of each backend."""
    database = Database(db_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture(scope="session")
def order_schema() -> dict[str, object]:
    """The canonical order JSON schema from the contracts."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
